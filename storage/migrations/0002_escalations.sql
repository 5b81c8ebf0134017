-- Signals, backup requests and alerts, the people told about them, and professionals' availability.

CREATE TABLE escalations (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('signal', 'backup', 'wellbeing', 'visit')),
    volunteer_id INTEGER NOT NULL REFERENCES people(id),
    link_id INTEGER REFERENCES links(id),
    -- Copied when raised, so the history stays as it was.
    client_alias TEXT,
    category TEXT NOT NULL,
    urgency TEXT NOT NULL CHECK (urgency IN ('info', 'concern', 'urgent', 'emergency')),
    body TEXT,
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'handoff', 'acknowledged', 'resolved')),
    -- The highest level told so far (-1: nobody yet).
    level INTEGER NOT NULL DEFAULT -1,
    owner_id INTEGER REFERENCES people(id),
    handoff_from INTEGER REFERENCES people(id),
    handoff_to INTEGER REFERENCES people(id),
    -- The durable timer: when the engine must look at this item again. NULL: nothing pending.
    next_step_at TEXT,
    nobody_warned INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    acknowledged_at TEXT,
    resolved_at TEXT,
    resolved_by INTEGER REFERENCES people(id),
    resolution TEXT,
    -- Prevents the same alert twice (a wellbeing flag, an overdue visit).
    dedupe_key TEXT UNIQUE
);
CREATE INDEX escalations_due ON escalations (next_step_at) WHERE next_step_at IS NOT NULL;
CREATE INDEX escalations_volunteer ON escalations (volunteer_id, created_at);
CREATE INDEX escalations_state ON escalations (state);

CREATE TABLE escalation_recipients (
    escalation_id INTEGER NOT NULL REFERENCES escalations(id),
    person_id INTEGER NOT NULL REFERENCES people(id),
    level INTEGER NOT NULL,
    -- The first alert (later edited in place to show who picked it up).
    outbox_id INTEGER REFERENCES outbox(id),
    told_at TEXT NOT NULL,
    reminders INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (escalation_id, person_id)
);
CREATE INDEX escalation_recipients_person ON escalation_recipients (person_id);

CREATE TABLE availability (
    person_id INTEGER PRIMARY KEY REFERENCES people(id),
    away_until TEXT,
    work_days TEXT NOT NULL DEFAULT '0,1,2,3,4',
    work_start TEXT NOT NULL DEFAULT '08:30',
    work_end TEXT NOT NULL DEFAULT '17:00'
);
