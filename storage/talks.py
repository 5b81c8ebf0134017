"""Planned evaluation talks and what the volunteer wants to discuss in hers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from storage.db import Row, Tx, opt_from_db, to_db


@dataclass(frozen=True)
class Talk:
    volunteer_id: int
    talk_on: date
    asked_at: datetime | None
    wishes: str | None


def _talk(row: Row) -> Talk:
    return Talk(
        volunteer_id=row["volunteer_id"],
        talk_on=date.fromisoformat(row["talk_on"]),
        asked_at=opt_from_db(row["asked_at"]),
        wishes=row["wishes"],
    )


async def plan(tx: Tx, volunteer_id: int, talk_on: date, *, by: int, now: datetime) -> None:
    """A new date asks again a week before it; what she wrote for the talk before stays until she writes anew."""
    await tx.execute(
        "INSERT INTO review_talks (volunteer_id, talk_on, set_by, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (volunteer_id) DO UPDATE SET talk_on = excluded.talk_on, set_by = excluded.set_by,"
        " asked_at = NULL, updated_at = excluded.updated_at",
        (volunteer_id, talk_on.isoformat(), by, to_db(now)),
    )


async def of(tx: Tx, volunteer_id: int) -> Talk | None:
    row = await tx.one("SELECT * FROM review_talks WHERE volunteer_id = ?", (volunteer_id,))
    return None if row is None else _talk(row)


async def write_wishes(tx: Tx, volunteer_id: int, wishes: str, now: datetime) -> bool:
    """What she wants to discuss; False when no talk is planned."""
    changed = await tx.changes(
        "UPDATE review_talks SET wishes = ?, updated_at = ? WHERE volunteer_id = ?", (wishes, to_db(now), volunteer_id)
    )
    return changed == 1


async def due_asks(tx: Tx, up_to: date, today: date, limit: int) -> list[Talk]:
    """Talks not yet asked about whose date lies from today to `up_to`."""
    rows = await tx.all(
        "SELECT * FROM review_talks WHERE asked_at IS NULL AND talk_on <= ? AND talk_on >= ? ORDER BY talk_on LIMIT ?",
        (up_to.isoformat(), today.isoformat(), limit),
    )
    return [_talk(r) for r in rows]


async def mark_asked(tx: Tx, volunteer_id: int, now: datetime) -> bool:
    return (
        await tx.changes(
            "UPDATE review_talks SET asked_at = ? WHERE volunteer_id = ? AND asked_at IS NULL",
            (to_db(now), volunteer_id),
        )
        == 1
    )


async def erase(tx: Tx, volunteer_id: int) -> None:
    """With the person: her talk and what she wrote for it."""
    await tx.execute("DELETE FROM review_talks WHERE volunteer_id = ?", (volunteer_id,))


async def blank_old_wishes(tx: Tx, before: date) -> int:
    """What volunteers wrote for talks held before `before`: free text, kept no longer than the retention."""
    return await tx.changes(
        "UPDATE review_talks SET wishes = NULL WHERE talk_on < ? AND wishes IS NOT NULL", (before.isoformat(),)
    )
