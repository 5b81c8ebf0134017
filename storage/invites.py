"""One-time invite codes. Only a hash of each code is stored."""

from __future__ import annotations

from datetime import datetime

from bot.domain.models import Invite, Role
from storage.db import Row, Tx, from_db, opt_from_db, to_db


def _invite(row: Row) -> Invite:
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
    )


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
) -> int:
    return await tx.execute(
        "INSERT INTO invites (code_hash, role, name, team_id, created_by, created_at, expires_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (code_hash, role.value, name, team_id, created_by, to_db(now), to_db(expires_at)),
    )


async def by_hash(tx: Tx, code_hash: str) -> Invite | None:
    row = await tx.one("SELECT * FROM invites WHERE code_hash = ?", (code_hash,))
    return None if row is None else _invite(row)


async def mark_used(tx: Tx, invite_id: int, person_id: int, now: datetime) -> bool:
    """Claims the invite; False if someone else used it first."""
    changed = await tx.changes(
        "UPDATE invites SET used_at = ?, used_by = ? WHERE id = ? AND used_at IS NULL",
        (to_db(now), person_id, invite_id),
    )
    return changed == 1
