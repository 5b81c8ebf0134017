"""The social map's entries, the one-time facts about it, its monthly reviews and the entries sent with replies."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from bot.domain.socialmap import EntryFields, MapEntry
from storage.db import Row, Tx, to_db

_SELECT = "SELECT * FROM social_map_entries"


def _entry(row: Row) -> MapEntry:
    return MapEntry(
        id=row["id"],
        name=row["name"],
        category=row["category"],
        offer=row["offer"],
        phone=row["phone"],
        website=row["website"],
        address=row["address"],
        hours=row["hours"],
        team_id=row["team_id"],
        crisis=bool(row["crisis"]),
        checked_on=date.fromisoformat(row["checked_on"]),
    )


def _values(entry: EntryFields, today: date) -> tuple[object, ...]:
    checked = entry.checked_on or today
    return (
        entry.name,
        entry.category,
        entry.offer,
        entry.phone,
        entry.website,
        entry.address,
        entry.hours,
        entry.team_id,
        int(entry.crisis),
        checked.isoformat(),
    )


async def all_entries(tx: Tx) -> list[MapEntry]:
    return [_entry(r) for r in await tx.all(f"{_SELECT} ORDER BY name COLLATE NOCASE, id")]


async def get(tx: Tx, entry_id: int) -> MapEntry | None:
    row = await tx.one(f"{_SELECT} WHERE id = ?", (entry_id,))
    return None if row is None else _entry(row)


async def ids(tx: Tx) -> set[int]:
    return {r[0] for r in await tx.all("SELECT id FROM social_map_entries")}


async def add(tx: Tx, entry: EntryFields, now: datetime, today: date) -> int:
    return await tx.execute(
        "INSERT INTO social_map_entries (name, category, offer, phone, website, address, hours, team_id, crisis,"
        " checked_on, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (*_values(entry, today), to_db(now), to_db(now)),
    )


async def update(tx: Tx, entry_id: int, entry: EntryFields, now: datetime, today: date) -> bool:
    return bool(
        await tx.changes(
            "UPDATE social_map_entries SET name = ?, category = ?, offer = ?, phone = ?, website = ?, address = ?,"
            " hours = ?, team_id = ?, crisis = ?, checked_on = ?, updated_at = ? WHERE id = ?",
            (*_values(entry, today), to_db(now), entry_id),
        )
    )


async def remove(tx: Tx, entry_id: int) -> bool:
    return bool(await tx.changes("DELETE FROM social_map_entries WHERE id = ?", (entry_id,)))


async def mark_checked(tx: Tx, entry_id: int, today: date, now: datetime) -> bool:
    return bool(
        await tx.changes(
            "UPDATE social_map_entries SET checked_on = ?, updated_at = ? WHERE id = ?",
            (today.isoformat(), to_db(now), entry_id),
        )
    )


async def fact(tx: Tx, key: str) -> str | None:
    value = await tx.scalar("SELECT value FROM social_map_facts WHERE key = ?", (key,))
    return None if value is None else str(value)


async def claim_fact(tx: Tx, key: str, value: str) -> bool:
    """True the first time only: a fact is written once."""
    return bool(await tx.changes("INSERT OR IGNORE INTO social_map_facts (key, value) VALUES (?, ?)", (key, value)))


async def review_sent(tx: Tx, month: str) -> bool:
    return await tx.scalar("SELECT 1 FROM social_map_reviews WHERE month = ?", (month,)) is not None


async def claim_review(tx: Tx, month: str, now: datetime, entries: int) -> bool:
    """True the first time only: each month's review is sent once, whatever restarts or ticks come."""
    return bool(
        await tx.changes(
            "INSERT OR IGNORE INTO social_map_reviews (month, sent_at, entries) VALUES (?, ?, ?)",
            (month, to_db(now), entries),
        )
    )


async def attach(tx: Tx, escalation_id: int, entry: MapEntry) -> None:
    await tx.execute(
        "INSERT INTO escalation_map_entries (escalation_id, entry_id, name) VALUES (?, ?, ?)"
        " ON CONFLICT (escalation_id) DO UPDATE SET entry_id = excluded.entry_id, name = excluded.name",
        (escalation_id, entry.id, entry.name),
    )


async def attached(tx: Tx, escalation_ids: Iterable[int]) -> dict[int, str]:
    """The entry sent along with each of these items' replies, by name as sent."""
    wanted = list(escalation_ids)
    if not wanted:
        return {}
    marks = ", ".join("?" * len(wanted))
    rows = await tx.all(
        f"SELECT escalation_id, name FROM escalation_map_entries WHERE escalation_id IN ({marks})", wanted
    )
    return {r[0]: r[1] for r in rows}
