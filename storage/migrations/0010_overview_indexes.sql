-- Issue 14: the overview, the evaluation talk, the monthly report, the digest and the monthly thank-you.

-- A check-in counts at its period (or, answering none, at its answer): the overview's recent weeks and the
-- report's month are ranges of this moment over everyone.
CREATE INDEX checkins_belongs_to ON checkins (COALESCE(period_at, answered_at, created_at), volunteer_id)
    WHERE state IN ('answered', 'missed', 'excused');
-- A volunteer's latest answer, one look-up each.
CREATE INDEX checkins_volunteer_answered ON checkins (volunteer_id, answered_at) WHERE state = 'answered';
-- The report's month of items, and a volunteer's own open ones.
CREATE INDEX escalations_created ON escalations (created_at);
CREATE INDEX escalations_open_volunteer ON escalations (volunteer_id) WHERE state != 'resolved';
CREATE INDEX links_active_volunteer ON links (volunteer_id) WHERE active = 1;
