-- Webhook mode (issue 16): every update Telegram posts is stored here before it is answered 200, so a replica
-- that dies loses nothing; the replicas handle each sender's updates in order through a lease on the row.

CREATE TABLE inbox (
    -- Telegram's own number: a resent update (our 200 got lost) finds its row and is ignored.
    update_id BIGINT PRIMARY KEY,
    -- Whose updates must not race: the user's id, else the chat's; 0 for the few updates that have neither.
    sender_id BIGINT NOT NULL,
    -- The update as Telegram sent it (JSON text); blanked once handled, so people's words do not linger.
    body TEXT NOT NULL,
    received_at TEXT NOT NULL,
    -- Claimed by a replica (its holder name) until lease_until; an expired lease may be taken by another.
    lease_holder TEXT,
    lease_until TEXT,
    attempts BIGINT NOT NULL DEFAULT 0,
    done_at TEXT
);
-- The claim: the oldest unfinished update of each sender.
CREATE INDEX inbox_open ON inbox (sender_id, update_id) WHERE done_at IS NULL;
-- Pruning what was handled long enough ago.
CREATE INDEX inbox_done ON inbox (done_at) WHERE done_at IS NOT NULL;
