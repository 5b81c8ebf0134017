-- Hours belong to the period a check-in answers, not to when it was answered (issue 17).

-- When the period this check-in answers ends: its occurrence's fire time; for an answer on the volunteer's own
-- initiative, the scheduled check-in it will count for (set when answered); NULL: it counts for none and
-- belongs to its answer time.
ALTER TABLE checkins ADD COLUMN period_at TEXT;
UPDATE checkins SET period_at = (SELECT o.fire_at FROM checkin_occurrences o WHERE o.id = checkins.occurrence_id)
WHERE occurrence_id IS NOT NULL;
