-- After the alert: following up picked-up items, keeping the volunteer informed, and e-mail as a second channel
-- for life-safety items. All instants are UTC ISO-8601 text written by storage.db.to_db.

-- When the current holder picked the item up (acknowledged_at keeps the first pick-up, for the reports).
ALTER TABLE escalations ADD COLUMN held_since TEXT;
-- The durable timer of the follow-up: when the holder is asked how it stands (NULL: nothing pending).
ALTER TABLE escalations ADD COLUMN follow_up_at TEXT;
-- Follow-up questions asked since the holder last answered one: at the second time without an answer the item
-- reopens and climbs.
ALTER TABLE escalations ADD COLUMN follow_ups INTEGER NOT NULL DEFAULT 0;
-- Set once the volunteer was told that everyone on the route has the item and nobody picked it up yet.
ALTER TABLE escalations ADD COLUMN unpicked_told_at TEXT;
CREATE INDEX escalations_follow_up ON escalations (follow_up_at) WHERE follow_up_at IS NOT NULL;

-- E-mails to the organisation's addresses ([notify] email), delivered like the outbox: a row written with the
-- change that causes it, retried with back-off until the mail server takes it.
CREATE TABLE emails (
    id INTEGER PRIMARY KEY,
    escalation_id INTEGER NOT NULL REFERENCES escalations(id),
    -- Why: 'unpicked' (nobody picked it up at the last level) or 'unreachable' (a level cannot be reached).
    reason TEXT NOT NULL CHECK (reason IN ('unpicked', 'unreachable')),
    -- JSON list of addresses, as configured when the e-mail was written.
    recipients TEXT NOT NULL,
    subject TEXT NOT NULL,
    -- Blanked once sent: the mail server has it, the database need not keep the words.
    body TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    -- An attempt under way; found set at start, the attempt's outcome is unknown and it is tried again.
    in_flight INTEGER NOT NULL DEFAULT 0,
    -- NULL: due at once.
    next_attempt_at TEXT,
    last_error TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT,
    -- One e-mail per item and reason: a second tick, a restart or a second climb never sends it again.
    UNIQUE (escalation_id, reason)
);
CREATE INDEX emails_due ON emails (status, next_attempt_at);
