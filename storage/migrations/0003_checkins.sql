-- Check-in schedules, their occurrences (one per schedule and fire time), check-ins and pauses.

CREATE TABLE schedules (
    id INTEGER PRIMARY KEY,
    audience TEXT NOT NULL CHECK (audience IN ('everyone', 'team', 'volunteer')),
    team_id INTEGER REFERENCES teams(id),
    volunteer_id INTEGER REFERENCES people(id),
    weekdays TEXT NOT NULL,
    local_time TEXT NOT NULL,
    every_weeks INTEGER NOT NULL DEFAULT 1,
    anchor TEXT NOT NULL,
    remind_after_minutes INTEGER NOT NULL DEFAULT 1440,
    close_after_minutes INTEGER NOT NULL DEFAULT 4320,
    paused INTEGER NOT NULL DEFAULT 0,
    deleted INTEGER NOT NULL DEFAULT 0,
    -- The durable timer: the next fire time (UTC).
    next_fire_at TEXT,
    created_by INTEGER REFERENCES people(id),
    created_at TEXT NOT NULL
);
CREATE INDEX schedules_due ON schedules (next_fire_at) WHERE paused = 0 AND deleted = 0;

-- The idempotency key of a fan-out: a schedule fires at most once for a given fire time.
CREATE TABLE checkin_occurrences (
    id INTEGER PRIMARY KEY,
    schedule_id INTEGER NOT NULL REFERENCES schedules(id),
    fire_at TEXT NOT NULL,
    closes_at TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (schedule_id, fire_at)
);

CREATE TABLE checkins (
    id INTEGER PRIMARY KEY,
    volunteer_id INTEGER NOT NULL REFERENCES people(id),
    occurrence_id INTEGER REFERENCES checkin_occurrences(id),
    state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'answered', 'missed', 'excused')),
    -- When the prompt goes out (after quiet hours); NULL once sent or when none is needed.
    prompt_at TEXT,
    prompted_at TEXT,
    remind_at TEXT,
    reminded_at TEXT,
    closes_at TEXT,
    answered_at TEXT,
    hours REAL,
    energy INTEGER CHECK (energy BETWEEN 1 AND 5),
    contact_outside TEXT CHECK (contact_outside IN ('no', 'once', 'several')),
    private_life INTEGER,
    beyond_role INTEGER,
    comment TEXT,
    created_at TEXT NOT NULL,
    UNIQUE (volunteer_id, occurrence_id)
);
CREATE INDEX checkins_prompt ON checkins (prompt_at) WHERE prompt_at IS NOT NULL;
CREATE INDEX checkins_remind ON checkins (remind_at) WHERE remind_at IS NOT NULL;
CREATE INDEX checkins_open ON checkins (state, closes_at);
CREATE INDEX checkins_volunteer ON checkins (volunteer_id, created_at);

CREATE TABLE pauses (
    volunteer_id INTEGER PRIMARY KEY REFERENCES people(id),
    -- NULL: paused until the volunteer resumes.
    until TEXT,
    created_at TEXT NOT NULL
);
