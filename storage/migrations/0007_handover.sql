-- Hand-overs: an item when a link ends (kind 'link_ended'), and the items a professional's colleague took over
-- while they are away or after they left. All instants are UTC ISO-8601 text written by storage.db.to_db.

-- SQLite cannot change a CHECK constraint in place: the table is built again with 'link_ended' allowed, the
-- columns in the order they have now. Its rows wait in a plain copy while the table is dropped and created
-- again; the references to them from other tables are checked at the commit (deferred), by which time every
-- row is back under its own id.
PRAGMA defer_foreign_keys = ON;
CREATE TABLE escalations_copy AS SELECT * FROM escalations;
DROP TABLE escalations;
CREATE TABLE escalations (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('signal', 'backup', 'wellbeing', 'visit', 'link_ended')),
    volunteer_id INTEGER NOT NULL REFERENCES people(id),
    link_id INTEGER REFERENCES links(id),
    -- Copied when raised, so the history stays as it was.
    client_alias TEXT,
    -- For 'link_ended': where the volunteer's hand-over note stands ('asked', 'note', 'skipped', 'removed',
    -- 'erased'); body holds the note.
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
    dedupe_key TEXT UNIQUE,
    -- When the current holder picked the item up (acknowledged_at keeps the first pick-up, for the reports).
    held_since TEXT,
    -- The durable timer of the follow-up: when the holder is asked how it stands (NULL: nothing pending).
    follow_up_at TEXT,
    -- Follow-up questions asked since the holder last answered one.
    follow_ups INTEGER NOT NULL DEFAULT 0,
    -- Set once the volunteer was told that everyone on the route has the item and nobody picked it up yet.
    unpicked_told_at TEXT
);
INSERT INTO escalations SELECT * FROM escalations_copy;
DROP TABLE escalations_copy;
CREATE INDEX escalations_due ON escalations (next_step_at) WHERE next_step_at IS NOT NULL;
CREATE INDEX escalations_volunteer ON escalations (volunteer_id, created_at);
CREATE INDEX escalations_state ON escalations (state);
CREATE INDEX escalations_follow_up ON escalations (follow_up_at) WHERE follow_up_at IS NOT NULL;

-- An item taken over from someone who went away or left: by a colleague (coverer_id), or sent back to the
-- coordinators (coverer_id NULL). When they are back, whoever still holds such an item hears it.
CREATE TABLE escalation_covers (
    id INTEGER PRIMARY KEY,
    escalation_id INTEGER NOT NULL REFERENCES escalations(id),
    absent_id INTEGER NOT NULL REFERENCES people(id),
    coverer_id INTEGER REFERENCES people(id),
    reason TEXT NOT NULL CHECK (reason IN ('away', 'removed')),
    covered_at TEXT NOT NULL
);
CREATE INDEX escalation_covers_absent ON escalation_covers (absent_id, covered_at);
