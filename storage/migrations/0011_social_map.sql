-- The social map (sociale kaart, issue 15): where to turn, by category, for a team's wijk or the whole city.

CREATE TABLE social_map_entries (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    category TEXT NOT NULL,          -- a signal category's key, or the organisation's own
    offer TEXT NOT NULL,             -- what they offer, in one line
    phone TEXT NOT NULL DEFAULT '',
    website TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    hours TEXT NOT NULL DEFAULT '',
    team_id INTEGER REFERENCES teams(id) ON DELETE SET NULL,  -- the team's wijk; NULL: the whole city
    crisis INTEGER NOT NULL DEFAULT 0 CHECK (crisis IN (0, 1)),  -- shown with every safety or mental signal
    checked_on TEXT NOT NULL,        -- the day someone last saw that it still holds (YYYY-MM-DD)
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX social_map_by_category ON social_map_entries (category);

-- One-time facts: the national defaults were loaded (once; what the organisation deletes stays deleted).
CREATE TABLE social_map_facts (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The monthly review of entries not checked for six months: one row per month, claimed before it is sent.
CREATE TABLE social_map_reviews (
    month TEXT PRIMARY KEY,          -- YYYY-MM
    sent_at TEXT NOT NULL,
    entries INTEGER NOT NULL
);

-- An entry a professional sent along with the reply that resolved an item.
CREATE TABLE escalation_map_entries (
    escalation_id INTEGER PRIMARY KEY REFERENCES escalations(id),
    entry_id INTEGER REFERENCES social_map_entries(id) ON DELETE SET NULL,
    name TEXT NOT NULL               -- as it was sent, should the entry change or go
);
