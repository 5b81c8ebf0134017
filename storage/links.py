"""Agreements and links (koppelingen)."""

from __future__ import annotations

from datetime import datetime

from bot.domain.models import Agreement, Link
from storage.db import Row, Tx, to_db


def _link(row: Row) -> Link:
    return Link(
        id=row["id"],
        volunteer_id=row["volunteer_id"],
        client_alias=row["client_alias"],
        professional_id=row["professional_id"],
        active=bool(row["active"]),
    )


async def create(tx: Tx, *, volunteer_id: int, client_alias: str, professional_id: int | None, now: datetime) -> int:
    return await tx.execute(
        "INSERT INTO links (volunteer_id, client_alias, professional_id, created_at) VALUES (?, ?, ?, ?)",
        (volunteer_id, client_alias, professional_id, to_db(now)),
    )


async def active_for_volunteer(tx: Tx, volunteer_id: int) -> list[Link]:
    rows = await tx.all(
        "SELECT * FROM links WHERE volunteer_id = ? AND active = 1 ORDER BY client_alias COLLATE NOCASE",
        (volunteer_id,),
    )
    return [_link(r) for r in rows]


async def get(tx: Tx, link_id: int) -> Link | None:
    row = await tx.one("SELECT * FROM links WHERE id = ?", (link_id,))
    return None if row is None else _link(row)


async def find_active(tx: Tx, volunteer_id: int, client_alias: str) -> Link | None:
    row = await tx.one(
        "SELECT * FROM links WHERE volunteer_id = ? AND client_alias = ? COLLATE NOCASE AND active = 1",
        (volunteer_id, client_alias),
    )
    return None if row is None else _link(row)


async def end(tx: Tx, link_id: int, now: datetime) -> bool:
    """The link ends now; False when it had ended already (a double tap, a race)."""
    changed = await tx.changes(
        "UPDATE links SET active = 0, ended_at = ? WHERE id = ? AND active = 1", (to_db(now), link_id)
    )
    return changed == 1


async def linked_volunteers(tx: Tx) -> set[int]:
    """The volunteers with at least one active link."""
    rows = await tx.all("SELECT DISTINCT volunteer_id FROM links WHERE active = 1")
    return {r["volunteer_id"] for r in rows}


async def follow_volunteers_instead_of(tx: Tx, professional_id: int) -> int:
    """Links that named this professional (who left) follow their volunteer's professional from now on."""
    return await tx.changes(
        "UPDATE links SET professional_id = NULL WHERE professional_id = ? AND active = 1", (professional_id,)
    )


async def agreement(tx: Tx, volunteer_id: int) -> Agreement | None:
    row = await tx.one("SELECT * FROM agreements WHERE volunteer_id = ?", (volunteer_id,))
    if row is None:
        return None
    return Agreement(
        volunteer_id=row["volunteer_id"],
        hours_per_week=float(row["hours_per_week"]),
        contact_times=row["contact_times"],
    )


async def set_agreement(
    tx: Tx, *, volunteer_id: int, hours_per_week: float, contact_times: str, by: int | None, now: datetime
) -> None:
    await tx.execute(
        "INSERT INTO agreements (volunteer_id, hours_per_week, contact_times, updated_at, updated_by)"
        " VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (volunteer_id) DO UPDATE SET hours_per_week = excluded.hours_per_week,"
        " contact_times = excluded.contact_times, updated_at = excluded.updated_at,"
        " updated_by = excluded.updated_by",
        (volunteer_id, hours_per_week, contact_times, to_db(now), by),
    )
