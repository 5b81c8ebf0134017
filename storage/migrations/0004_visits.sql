-- Visit safety timer (lone working). No free text: the client is known only through the link.
-- All instants are UTC ISO-8601 text written by storage.db.to_db.

CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    volunteer_id INTEGER NOT NULL REFERENCES people(id),
    link_id INTEGER REFERENCES links(id),
    state TEXT NOT NULL DEFAULT 'running'
        CHECK (state IN ('running', 'asked', 'overdue', 'done', 'help')),
    -- The duration the volunteer chose, in minutes.
    minutes INTEGER NOT NULL CHECK (minutes > 0),
    started_at TEXT NOT NULL,
    -- The expected end; "30 min longer" moves it.
    ends_at TEXT NOT NULL,
    -- The durable timer: the expected end (running) or the answer deadline (asked). NULL: nothing pending.
    due_at TEXT,
    -- How many "all good?" questions went out; a button from an older one is stale.
    prompts INTEGER NOT NULL DEFAULT 0,
    asked_at TEXT,
    extensions INTEGER NOT NULL DEFAULT 0,
    overdue_at TEXT,
    -- Set once the overdue alert went out, in the transaction that tells the volunteer.
    alerted_at TEXT,
    escalation_id INTEGER REFERENCES escalations(id),
    ended_at TEXT
);
-- One running visit per volunteer, enforced by the database as well as by the service.
CREATE UNIQUE INDEX visits_one_active ON visits (volunteer_id) WHERE state IN ('running', 'asked', 'overdue');
CREATE INDEX visits_due ON visits (due_at) WHERE due_at IS NOT NULL;
CREATE INDEX visits_unalerted ON visits (state) WHERE state = 'overdue' AND alerted_at IS NULL;
