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

-- The planned evaluation talk of each volunteer (one at a time), and what she wrote she wants to discuss.
CREATE TABLE review_talks (
    volunteer_id INTEGER PRIMARY KEY REFERENCES people(id),
    -- The local date of the talk, YYYY-MM-DD.
    talk_on TEXT NOT NULL,
    set_by INTEGER REFERENCES people(id),
    -- When the volunteer was asked what she wants to discuss (NULL: not yet; the scheduler asks a week before).
    asked_at TEXT,
    -- Free text: erased with the person, and by retention once the talk lies retain_days behind.
    wishes TEXT,
    updated_at TEXT NOT NULL
);
CREATE INDEX review_talks_unasked ON review_talks (talk_on) WHERE asked_at IS NULL;

-- Who opted out of the monthly thank-you (/summary off); no row: it is on.
CREATE TABLE summary_opt_outs (
    person_id INTEGER PRIMARY KEY REFERENCES people(id),
    since TEXT NOT NULL
);

-- Each periodic message once: a digest per person and ISO week, a thank-you per volunteer and month. Written in
-- the transaction that queues the message, so a second tick or a restart never sends it twice.
CREATE TABLE periodic_sends (
    kind TEXT NOT NULL CHECK (kind IN ('digest', 'summary')),
    person_id INTEGER NOT NULL REFERENCES people(id),
    period TEXT NOT NULL,
    sent_at TEXT NOT NULL,
    PRIMARY KEY (kind, person_id, period)
);
