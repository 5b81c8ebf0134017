"""One-time invite codes. Only a hash of each code is stored."""

from __future__ import annotations

from datetime import datetime

from bot.domain.models import Invite, Prepared, Role
from storage.db import Row, Tx, from_db, opt_from_db, to_db


def _invite(row: Row, clients: tuple[str, ...]) -> Invite:
    prepared = Prepared(
        professional_id=row["professional_id"],
        backup_id=row["backup_id"],
        clients=clients,
        hours_per_week=row["hours_per_week"],
        contact_times=row["contact_times"] or "",
    )
    return Invite(
        id=row["id"],
        role=Role(row["role"]),
        name=row["name"],
        team_id=row["team_id"],
        created_by=row["created_by"],
        created_at=from_db(row["created_at"]),
        expires_at=from_db(row["expires_at"]),
        used_at=opt_from_db(row["used_at"]),
        used_by=row["used_by"],
        revoked_at=opt_from_db(row["revoked_at"]),
        prepared=prepared,
    )


async def _with_clients(tx: Tx, rows: list[Row]) -> list[Invite]:
    found: list[Invite] = []
    for row in rows:
        aliases = await tx.all(
            "SELECT client_alias FROM invite_clients WHERE invite_id = ? ORDER BY position", (row["id"],)
        )
        found.append(_invite(row, tuple(a["client_alias"] for a in aliases)))
    return found


async def create(
    tx: Tx,
    *,
    code_hash: str,
    role: Role,
    name: str,
    team_id: int | None,
    created_by: int | None,
    now: datetime,
    expires_at: datetime,
    expiry_notice_at: datetime | None = None,
    prepared: Prepared | None = None,
) -> int:
    ready = prepared or Prepared()
    invite_id = await tx.execute(
        "INSERT INTO invites (code_hash, role, name, team_id, created_by, created_at, expires_at, expiry_notice_at,"
        " professional_id, backup_id, hours_per_week, contact_times) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            code_hash,
            role.value,
            name,
            team_id,
            created_by,
            to_db(now),
            to_db(expires_at),
            to_db(expiry_notice_at) if expiry_notice_at else None,
            ready.professional_id,
            ready.backup_id,
            ready.hours_per_week,
            ready.contact_times or None,
        ),
    )
    await _set_clients(tx, invite_id, ready.clients)
    return invite_id


async def _set_clients(tx: Tx, invite_id: int, clients: tuple[str, ...]) -> None:
    await tx.execute("DELETE FROM invite_clients WHERE invite_id = ?", (invite_id,))
    for position, alias in enumerate(clients):
        await tx.execute(
            "INSERT OR IGNORE INTO invite_clients (invite_id, client_alias, position) VALUES (?, ?, ?)",
            (invite_id, alias, position),
        )


async def by_hash(tx: Tx, code_hash: str) -> Invite | None:
    rows = await tx.all("SELECT * FROM invites WHERE code_hash = ?", (code_hash,))
    found = await _with_clients(tx, rows)
    return found[0] if found else None


async def get(tx: Tx, invite_id: int) -> Invite | None:
    found = await _with_clients(tx, await tx.all("SELECT * FROM invites WHERE id = ?", (invite_id,)))
    return found[0] if found else None


async def open_invites(tx: Tx, now: datetime) -> list[Invite]:
    """Neither used, revoked nor expired: the links that still let someone in, the soonest to expire first."""
    rows = await tx.all(
        "SELECT * FROM invites WHERE used_at IS NULL AND revoked_at IS NULL AND expires_at > ? ORDER BY expires_at, id",
        (to_db(now),),
    )
    return await _with_clients(tx, rows)


async def mark_used(tx: Tx, invite_id: int, person_id: int, now: datetime) -> bool:
    """Claims the invite; False if someone else used it first (or it was revoked meanwhile)."""
    changed = await tx.changes(
        "UPDATE invites SET used_at = ?, used_by = ?, expiry_notice_at = NULL"
        " WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL",
        (to_db(now), person_id, invite_id),
    )
    return changed == 1


async def revoke(tx: Tx, invite_id: int, by: int | None, now: datetime) -> bool:
    """False when it was used, revoked or expired already: nothing left to take back."""
    changed = await tx.changes(
        "UPDATE invites SET revoked_at = ?, revoked_by = ?, expiry_notice_at = NULL"
        " WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
        (to_db(now), by, invite_id, to_db(now)),
    )
    return changed == 1


async def due_expiry_notices(tx: Tx, now: datetime) -> list[Invite]:
    rows = await tx.all(
        "SELECT * FROM invites WHERE expiry_notice_at IS NOT NULL AND expiry_notice_at <= ? ORDER BY id",
        (to_db(now),),
    )
    return await _with_clients(tx, rows)


async def claim_expiry_notice(tx: Tx, invite_id: int) -> bool:
    """Clears the due mark; True for the one caller that should tell the maker (never twice)."""
    changed = await tx.changes(
        "UPDATE invites SET expiry_notice_at = NULL WHERE id = ? AND expiry_notice_at IS NOT NULL", (invite_id,)
    )
    return changed == 1


async def set_prepared(tx: Tx, invite_id: int, prepared: Prepared, now: datetime) -> bool:
    """The set-up the volunteer will arrive with; False when the invite is no longer open."""
    changed = await tx.changes(
        "UPDATE invites SET professional_id = ?, backup_id = ?, hours_per_week = ?, contact_times = ?"
        " WHERE id = ? AND used_at IS NULL AND revoked_at IS NULL AND expires_at > ?",
        (
            prepared.professional_id,
            prepared.backup_id,
            prepared.hours_per_week,
            prepared.contact_times or None,
            invite_id,
            to_db(now),
        ),
    )
    if changed != 1:
        return False
    await _set_clients(tx, invite_id, prepared.clients)
    return True
