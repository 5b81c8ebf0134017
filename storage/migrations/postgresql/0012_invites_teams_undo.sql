-- Coordinator administration (issue 18): invites that can be revoked, remind their maker once before they
-- expire unused, and carry a prepared set-up; schedules deleted with a minute to undo.

-- A revoked invite answers like an unknown code.
ALTER TABLE invites ADD COLUMN revoked_at TEXT;
ALTER TABLE invites ADD COLUMN revoked_by BIGINT REFERENCES people(id);
-- When the maker is told that the invite is about to expire unused; cleared when told, used or revoked,
-- so the notice comes once, and a tick after a restart catches up on what fell due while the bot was down.
ALTER TABLE invites ADD COLUMN expiry_notice_at TEXT;
CREATE INDEX invites_expiry_notice ON invites (expiry_notice_at) WHERE expiry_notice_at IS NOT NULL;
-- Open invites made before this migration remind too, a day before they expire.
UPDATE invites SET expiry_notice_at =
    to_char((expires_at::timestamptz - interval '1 day') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"+00:00"')
WHERE used_at IS NULL AND created_by IS NOT NULL;

-- The prepared set-up a volunteer arrives with: applied in the transaction that registers them.
ALTER TABLE invites ADD COLUMN professional_id BIGINT REFERENCES people(id);
ALTER TABLE invites ADD COLUMN backup_id BIGINT REFERENCES people(id);
ALTER TABLE invites ADD COLUMN hours_per_week DOUBLE PRECISION CHECK (hours_per_week IS NULL OR hours_per_week >= 0);
ALTER TABLE invites ADD COLUMN contact_times TEXT;
CREATE TABLE invite_clients (
    invite_id BIGINT NOT NULL REFERENCES invites(id),
    client_alias TEXT NOT NULL,
    position BIGINT NOT NULL,
    PRIMARY KEY (invite_id, client_alias)
);

-- A deleted schedule can be brought back for a minute after.
ALTER TABLE schedules ADD COLUMN deleted_at TEXT;

-- A removed team keeps its row (old invites and schedules point at it); a team made again by that name
-- comes back.
ALTER TABLE teams ADD COLUMN removed_at TEXT;
