-- Priority lanes in the outbox (issue 13): 0 what people wait for (urgent alerts, replies), 1 notices and other
-- alerts, 2 bulk (check-in prompts and reminders). The sender claims the lowest lane first, oldest first within it.
ALTER TABLE outbox ADD COLUMN lane BIGINT NOT NULL DEFAULT 1 CHECK (lane BETWEEN 0 AND 3);

-- Rows queued before the upgrade: the same rule as bot.domain.lanes.lane_of, for what is still pending.
UPDATE outbox SET lane = 2 WHERE status = 'pending' AND purpose IN ('checkin.prompt', 'checkin.reminder', 'digest');
UPDATE outbox SET lane = 0 WHERE status = 'pending' AND (purpose = 'reply' OR (purpose IN ('alert', 'reminder')
    AND subject_type = 'escalation' AND subject_id IN (
        SELECT id FROM escalations WHERE urgency IN ('urgent', 'emergency') OR kind = 'visit')));
UPDATE outbox SET lane = (SELECT t.lane FROM outbox t WHERE t.id = outbox.edit_of)
WHERE status = 'pending' AND edit_of IS NOT NULL;

-- The claim: pending rows by lane, then age; only pending rows are indexed (sent rows are the bulk of the table).
CREATE INDEX outbox_queue ON outbox (lane, id) WHERE status = 'pending';
-- The chat's head: its oldest pending message (edits aside) holds the rest of its queue back.
CREATE INDEX outbox_chat_queue ON outbox (chat_id, id) WHERE status = 'pending' AND edit_of IS NULL;
