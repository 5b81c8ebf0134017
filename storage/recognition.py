"""The monthly thank-you and the weekly digest: who opted out, what was sent for which period, and the figures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.models import Person
from storage import outbox
from storage.db import Tx, opt_from_db, to_db
from storage.overview import BELONGS_TO


async def queue_periodic(tx: Tx, person: Person, text: str, now: datetime) -> None:
    """A message that comes by the calendar (thank-you, digest, the talk's question): the outbox's digest lane,
    behind what is urgent."""
    assert person.telegram_id is not None
    await outbox.enqueue(
        tx,
        chat_id=person.telegram_id,
        person_id=person.id,
        language=person.language,
        text=text,
        now=now,
        purpose="digest",
    )


async def set_summary(tx: Tx, person_id: int, *, on: bool, now: datetime) -> None:
    if on:
        await tx.execute("DELETE FROM summary_opt_outs WHERE person_id = ?", (person_id,))
    else:
        await tx.execute(
            "INSERT OR IGNORE INTO summary_opt_outs (person_id, since) VALUES (?, ?)", (person_id, to_db(now))
        )


async def summary_on(tx: Tx, person_id: int) -> bool:
    return await tx.scalar("SELECT 1 FROM summary_opt_outs WHERE person_id = ?", (person_id,)) is None


async def claim(tx: Tx, kind: str, person_id: int, period: str, now: datetime) -> bool:
    """True once per (kind, person, period): the caller queues the message in the same transaction."""
    changed = await tx.changes(
        "INSERT OR IGNORE INTO periodic_sends (kind, person_id, period, sent_at) VALUES (?, ?, ?, ?)",
        (kind, person_id, period, to_db(now)),
    )
    return changed == 1


async def unsent(tx: Tx, kind: str, period: str, role: str, limit: int) -> list[int]:
    """Active people with this role who have not had this period's message (nor opted out of the thank-you)."""
    opted = " AND p.id NOT IN (SELECT person_id FROM summary_opt_outs)" if kind == "summary" else ""
    rows = await tx.all(
        "SELECT p.id FROM people p JOIN person_roles r ON r.person_id = p.id AND r.role = ?"
        " WHERE p.active = 1 AND p.telegram_id IS NOT NULL"
        " AND NOT EXISTS (SELECT 1 FROM periodic_sends s WHERE s.kind = ? AND s.person_id = p.id AND s.period = ?)"
        f"{opted} ORDER BY p.id LIMIT ?",
        (role, kind, period, limit),
    )
    return [r["id"] for r in rows]


async def hours_by_period(tx: Tx, volunteer_id: int, start: datetime, end: datetime) -> list[tuple[datetime, float]]:
    """Her answered hours whose period lies in [start, end), each with its period."""
    rows = await tx.all(
        f"SELECT {BELONGS_TO} AS at, c.hours FROM checkins c"
        " WHERE c.volunteer_id = ? AND c.state = 'answered' AND c.hours IS NOT NULL"
        f" AND {BELONGS_TO} >= ? AND {BELONGS_TO} < ?",
        (volunteer_id, to_db(start), to_db(end)),
    )
    result: list[tuple[datetime, float]] = []
    for r in rows:
        at = opt_from_db(r["at"])
        if at is not None:
            result.append((at, float(r["hours"])))
    return result


@dataclass(frozen=True)
class OwnItem:
    """One of her own signals or backup requests (never a wellbeing alert about her)."""

    kind: str
    category: str
    picked_up_by: str | None
    reply: str | None


async def own_items(tx: Tx, volunteer_id: int, start: datetime, end: datetime) -> list[OwnItem]:
    rows = await tx.all(
        "SELECT e.kind, e.category, e.resolution, o.name AS owner FROM escalations e"
        " LEFT JOIN people o ON o.id = e.owner_id"
        " WHERE e.volunteer_id = ? AND e.kind IN ('signal', 'backup') AND e.created_at >= ? AND e.created_at < ?"
        " ORDER BY e.created_at, e.id",
        (volunteer_id, to_db(start), to_db(end)),
    )
    return [OwnItem(r["kind"], r["category"], r["owner"], r["resolution"]) for r in rows]


@dataclass(frozen=True)
class DigestFigures:
    open_items: int  # told, nobody picked up yet
    held_items: int  # picked up, not resolved
    flags: list[tuple[str, int]]  # (volunteer, open flags), most first


async def digest_figures(tx: Tx, person_id: int, *, everything: bool) -> DigestFigures:
    """A professional's own (items on her route or held by her, her volunteers' flags) or, for a coordinator,
    the organisation's; never an item or flag about the reader herself."""
    mine = (
        ""
        if everything
        else " AND (e.owner_id = :me OR EXISTS (SELECT 1 FROM escalation_recipients r"
        " WHERE r.escalation_id = e.id AND r.person_id = :me))"
    )
    counts = await tx.one(
        "SELECT COALESCE(SUM(CASE WHEN e.state IN ('open', 'handoff') THEN 1 ELSE 0 END), 0) AS open_items,"
        " COALESCE(SUM(CASE WHEN e.state = 'acknowledged' THEN 1 ELSE 0 END), 0) AS held_items FROM escalations e"
        f" WHERE e.state != 'resolved' AND e.kind != 'wellbeing' AND e.volunteer_id != :me{mine}",
        {"me": person_id},
    )
    theirs = "" if everything else " AND v.responsible_professional_id = :me"
    rows = await tx.all(
        "SELECT v.name, COUNT(*) AS n FROM escalations e JOIN escalation_flags f ON f.escalation_id = e.id"
        " JOIN people v ON v.id = e.volunteer_id"
        f" WHERE e.kind = 'wellbeing' AND e.state != 'resolved' AND e.volunteer_id != :me{theirs}"
        " GROUP BY v.id ORDER BY n DESC, v.name LIMIT 20",
        {"me": person_id},
    )
    assert counts is not None
    return DigestFigures(int(counts["open_items"]), int(counts["held_items"]), [(r["name"], r["n"]) for r in rows])
