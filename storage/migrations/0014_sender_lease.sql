-- One outbox sender per bot token (issue 16): Telegram's budget is per token, so of all replicas only the
-- holder of this lease sends. Taken and renewed on the database's clock; the epoch grows on every takeover.

CREATE TABLE sender_lease (
    -- Which budget: a hash of the bot token (never the token itself).
    name TEXT PRIMARY KEY,
    -- The replica sending now (bot/webhook.py's holder name) until expires_at; after that anyone may take over.
    holder TEXT NOT NULL,
    epoch INTEGER NOT NULL,
    expires_at TEXT NOT NULL,
    taken_at TEXT NOT NULL
);

-- Who claimed a row in flight (holder#epoch): a sender that froze and lost its lease cannot mark rows that
-- its successor now owns, since the marks match on this token.
ALTER TABLE outbox ADD COLUMN claim_token TEXT;
