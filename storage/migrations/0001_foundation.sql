-- People, roles, teams, invites, agreements, links, conversation drafts, the outbox and the audit trail.
-- All instants are UTC ISO-8601 text written by storage.db.to_db.

CREATE TABLE teams (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    created_at TEXT NOT NULL
);

CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    telegram_id INTEGER UNIQUE,
    name TEXT NOT NULL,
    team_id INTEGER REFERENCES teams(id),
    language TEXT NOT NULL DEFAULT 'nl' CHECK (language IN ('nl', 'en')),
    timezone TEXT,
    active INTEGER NOT NULL DEFAULT 1,
    unreachable_since TEXT,
    responsible_professional_id INTEGER REFERENCES people(id),
    backup_professional_id INTEGER REFERENCES people(id),
    created_at TEXT NOT NULL,
    removed_at TEXT
);

CREATE TABLE person_roles (
    person_id INTEGER NOT NULL REFERENCES people(id),
    role TEXT NOT NULL CHECK (role IN ('volunteer', 'professional', 'coordinator')),
    PRIMARY KEY (person_id, role)
);

CREATE TABLE invites (
    id INTEGER PRIMARY KEY,
    code_hash TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('volunteer', 'professional', 'coordinator')),
    name TEXT NOT NULL,
    team_id INTEGER REFERENCES teams(id),
    created_by INTEGER REFERENCES people(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    used_by INTEGER REFERENCES people(id)
);

CREATE TABLE agreements (
    volunteer_id INTEGER PRIMARY KEY REFERENCES people(id),
    hours_per_week REAL NOT NULL CHECK (hours_per_week >= 0),
    contact_times TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL,
    updated_by INTEGER REFERENCES people(id)
);

CREATE TABLE links (
    id INTEGER PRIMARY KEY,
    volunteer_id INTEGER NOT NULL REFERENCES people(id),
    client_alias TEXT NOT NULL,
    professional_id INTEGER REFERENCES people(id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE UNIQUE INDEX links_active_alias ON links (volunteer_id, client_alias COLLATE NOCASE) WHERE active = 1;

CREATE TABLE drafts (
    person_id INTEGER PRIMARY KEY REFERENCES people(id),
    flow TEXT NOT NULL,
    step TEXT NOT NULL,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- Group chats already told that the bot works in private chats only (so it says so once).
CREATE TABLE group_notices (
    chat_id INTEGER PRIMARY KEY,
    noticed_at TEXT NOT NULL
);

-- Messages to people, written in the same transaction as the state change that causes them.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    person_id INTEGER REFERENCES people(id),
    chat_id INTEGER NOT NULL,
    language TEXT NOT NULL DEFAULT 'nl',
    text TEXT NOT NULL,
    keyboard TEXT,
    -- Messages about the same subject (an escalation) can later be edited in place.
    subject_type TEXT,
    subject_id INTEGER,
    purpose TEXT NOT NULL DEFAULT 'notice',
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'dropped')),
    attempts INTEGER NOT NULL DEFAULT 0,
    -- An attempt whose outcome we never learned (crash, timeout): a later send is marked as a repeat.
    in_flight INTEGER NOT NULL DEFAULT 0,
    maybe_delivered INTEGER NOT NULL DEFAULT 0,
    -- An edit of an earlier message (edit_of names the outbox row whose Telegram message is edited).
    edit_of INTEGER REFERENCES outbox(id),
    -- NULL: due at once. Set only by delivery, in real (transport) time, for retries.
    next_attempt_at TEXT,
    last_error TEXT,
    telegram_message_id INTEGER,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_subject ON outbox (subject_type, subject_id);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES people(id),
    event TEXT NOT NULL,
    subject_type TEXT,
    subject_id INTEGER,
    detail TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_subject ON audit (subject_type, subject_id);
