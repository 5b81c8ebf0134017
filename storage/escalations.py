"""Escalations, who was told about them, and professionals' availability."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time

from bot.domain.escalation import Escalation, Kind, Recipient, State, Urgency
from storage.db import Row, Tx, from_db, opt_from_db, to_db


def _escalation(row: Row) -> Escalation:
    return Escalation(
        id=row["id"],
        kind=Kind(row["kind"]),
        volunteer_id=row["volunteer_id"],
        link_id=row["link_id"],
        client_alias=row["client_alias"],
        category=row["category"],
        urgency=Urgency(row["urgency"]),
        body=row["body"],
        state=State(row["state"]),
        level=row["level"],
        owner_id=row["owner_id"],
        handoff_from=row["handoff_from"],
        handoff_to=row["handoff_to"],
        next_step_at=opt_from_db(row["next_step_at"]),
        created_at=from_db(row["created_at"]),
        acknowledged_at=opt_from_db(row["acknowledged_at"]),
        resolved_at=opt_from_db(row["resolved_at"]),
        resolved_by=row["resolved_by"],
        resolution=row["resolution"],
        nobody_warned=bool(row["nobody_warned"]),
        held_since=opt_from_db(row["held_since"]),
        follow_up_at=opt_from_db(row["follow_up_at"]),
        follow_ups=row["follow_ups"],
        unpicked_told_at=opt_from_db(row["unpicked_told_at"]),
    )


async def create(
    tx: Tx,
    *,
    kind: Kind,
    volunteer_id: int,
    link_id: int | None,
    client_alias: str | None,
    category: str,
    urgency: Urgency,
    body: str | None,
    now: datetime,
    dedupe_key: str | None = None,
) -> int | None:
    """The new id, or None when an escalation with this dedupe key already exists."""
    if dedupe_key is not None and await tx.scalar("SELECT id FROM escalations WHERE dedupe_key = ?", (dedupe_key,)):
        return None
    return await tx.execute(
        "INSERT INTO escalations (kind, volunteer_id, link_id, client_alias, category, urgency, body,"
        " created_at, dedupe_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            kind.value,
            volunteer_id,
            link_id,
            client_alias,
            category,
            urgency.value,
            body,
            to_db(now),
            dedupe_key,
        ),
    )


async def get(tx: Tx, escalation_id: int) -> Escalation | None:
    row = await tx.one("SELECT * FROM escalations WHERE id = ?", (escalation_id,))
    return None if row is None else _escalation(row)


async def due(tx: Tx, now: datetime, limit: int) -> list[int]:
    rows = await tx.claim(
        "SELECT id FROM escalations WHERE next_step_at IS NOT NULL AND next_step_at <= ?"
        " AND state IN ('open', 'handoff') ORDER BY next_step_at, id LIMIT ?",
        (to_db(now), limit),
    )
    return [r["id"] for r in rows]


async def set_step(tx: Tx, escalation_id: int, *, level: int, next_step_at: datetime | None) -> None:
    await tx.execute(
        "UPDATE escalations SET level = ?, next_step_at = ? WHERE id = ?",
        (level, None if next_step_at is None else to_db(next_step_at), escalation_id),
    )


async def set_nobody_warned(tx: Tx, escalation_id: int) -> None:
    await tx.execute("UPDATE escalations SET nobody_warned = 1 WHERE id = ?", (escalation_id,))


async def recipients(tx: Tx, escalation_id: int) -> list[Recipient]:
    rows = await tx.all(
        "SELECT * FROM escalation_recipients WHERE escalation_id = ? ORDER BY told_at, person_id",
        (escalation_id,),
    )
    return [
        Recipient(
            person_id=r["person_id"],
            level=r["level"],
            outbox_id=r["outbox_id"],
            told_at=from_db(r["told_at"]),
        )
        for r in rows
    ]


async def add_recipient(
    tx: Tx, escalation_id: int, person_id: int, *, level: int, outbox_id: int | None, now: datetime
) -> None:
    await tx.execute(
        "INSERT INTO escalation_recipients (escalation_id, person_id, level, outbox_id, told_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (escalation_id, person_id) DO UPDATE SET"
        " outbox_id = COALESCE(escalation_recipients.outbox_id, excluded.outbox_id)",
        (escalation_id, person_id, level, outbox_id, to_db(now)),
    )


async def count_reminder(tx: Tx, escalation_id: int, person_id: int) -> None:
    await tx.execute(
        "UPDATE escalation_recipients SET reminders = reminders + 1 WHERE escalation_id = ? AND person_id = ?",
        (escalation_id, person_id),
    )


async def acknowledge(
    tx: Tx, escalation_id: int, person_id: int, now: datetime, *, follow_up_at: datetime | None = None
) -> bool:
    """Claims the item for this person, to be followed up at follow_up_at; False if it was no longer open
    (a double tap, a race)."""
    changed = await tx.changes(
        "UPDATE escalations SET state = 'acknowledged', owner_id = ?,"
        " acknowledged_at = COALESCE(acknowledged_at, ?), held_since = ?, follow_up_at = ?, follow_ups = 0,"
        " next_step_at = NULL, handoff_to = NULL WHERE id = ? AND state IN ('open', 'handoff')",
        (person_id, to_db(now), to_db(now), _opt(follow_up_at), escalation_id),
    )
    return changed == 1


def _opt(moment: datetime | None) -> str | None:
    return None if moment is None else to_db(moment)


async def follow_up_due(tx: Tx, now: datetime, limit: int) -> list[int]:
    """Picked-up items whose holder is due to be asked how it stands (or, asked before, to lose it)."""
    rows = await tx.claim(
        "SELECT id FROM escalations WHERE follow_up_at IS NOT NULL AND follow_up_at <= ?"
        " AND state = 'acknowledged' ORDER BY follow_up_at, id LIMIT ?",
        (to_db(now), limit),
    )
    return [r["id"] for r in rows]


async def set_follow_up(tx: Tx, escalation_id: int, *, at: datetime, asked: int) -> None:
    """The next follow-up time, and how many questions are unanswered (0: the holder just answered)."""
    await tx.execute(
        "UPDATE escalations SET follow_up_at = ?, follow_ups = ? WHERE id = ? AND state = 'acknowledged'",
        (to_db(at), asked, escalation_id),
    )


async def reopen_unanswered(tx: Tx, escalation_id: int, now: datetime) -> bool:
    """The holder answered no follow-up: the item is open again and climbs on from where it was, at once."""
    changed = await tx.changes(
        "UPDATE escalations SET state = 'open', owner_id = NULL, held_since = NULL, follow_up_at = NULL,"
        " follow_ups = 0, next_step_at = ? WHERE id = ? AND state = 'acknowledged'",
        (to_db(now), escalation_id),
    )
    return changed == 1


async def set_unpicked_told(tx: Tx, escalation_id: int, now: datetime) -> None:
    await tx.execute("UPDATE escalations SET unpicked_told_at = ? WHERE id = ?", (to_db(now), escalation_id))


async def start_handoff(tx: Tx, escalation_id: int, *, from_id: int, to_id: int, deadline: datetime) -> bool:
    changed = await tx.changes(
        "UPDATE escalations SET state = 'handoff', handoff_from = ?, handoff_to = ?, next_step_at = ?,"
        " follow_up_at = NULL WHERE id = ? AND state != 'resolved'",
        (from_id, to_id, to_db(deadline), escalation_id),
    )
    return changed == 1


async def reopen(tx: Tx, escalation_id: int) -> None:
    """A hand-off nobody accepted goes back into escalation."""
    await tx.execute(
        "UPDATE escalations SET state = 'open', owner_id = NULL, handoff_to = NULL, held_since = NULL"
        " WHERE id = ? AND state = 'handoff'",
        (escalation_id,),
    )


async def resolve(tx: Tx, escalation_id: int, *, by: int, reply: str, now: datetime) -> bool:
    changed = await tx.changes(
        "UPDATE escalations SET state = 'resolved', resolved_at = ?, resolved_by = ?, resolution = ?,"
        " owner_id = COALESCE(owner_id, ?), acknowledged_at = COALESCE(acknowledged_at, ?),"
        " next_step_at = NULL, follow_up_at = NULL,"
        " handoff_to = NULL WHERE id = ? AND state != 'resolved'",
        (to_db(now), by, reply, by, to_db(now), escalation_id),
    )
    return changed == 1


async def close(tx: Tx, escalation_id: int, *, reason_key: str, now: datetime) -> bool:
    """Closed by the system (no person resolved it), e.g. the volunteer reported in after all."""
    changed = await tx.changes(
        "UPDATE escalations SET state = 'resolved', resolved_at = ?, resolved_by = NULL, resolution = ?,"
        " next_step_at = NULL, follow_up_at = NULL, handoff_to = NULL WHERE id = ? AND state != 'resolved'",
        (to_db(now), reason_key, escalation_id),
    )
    return changed == 1


def _overview(viewer_id: int, everything: bool) -> tuple[str, tuple[int, ...]]:
    """The open items one person's overview holds: every item (a coordinator) or those they were told
    about, hold, or are asked to take over. Never an item about the viewer themselves: a wellbeing alert
    about a coordinator who also volunteers, or their own report, is not theirs to see or handle."""
    where = "e.state != 'resolved' AND e.volunteer_id != ?"
    if everything:
        return where, (viewer_id,)
    mine = (
        " AND (e.owner_id = ? OR e.handoff_to = ?"
        " OR EXISTS (SELECT 1 FROM escalation_recipients r WHERE r.escalation_id = e.id AND r.person_id = ?))"
    )
    return where + mine, (viewer_id, viewer_id, viewer_id, viewer_id)


async def open_overview(tx: Tx, viewer_id: int, *, everything: bool, limit: int) -> list[Escalation]:
    where, values = _overview(viewer_id, everything)
    rows = await tx.all(
        f"SELECT e.* FROM escalations e WHERE {where} ORDER BY e.created_at, e.id LIMIT ?", (*values, limit)
    )
    return [_escalation(r) for r in rows]


async def count_overview(tx: Tx, viewer_id: int, *, everything: bool) -> int:
    """How many items open_overview holds without its limit: the count in the overview's header."""
    where, values = _overview(viewer_id, everything)
    return int(await tx.scalar(f"SELECT COUNT(*) FROM escalations e WHERE {where}", values))


async def held_for(tx: Tx, viewer_id: int) -> list[Escalation]:
    """Items waiting for working hours whose route starts with this person (their professional or backup);
    never one about the viewer. Whether it will reach them first is for the caller to work out."""
    rows = await tx.all(
        "SELECT e.* FROM escalations e JOIN people v ON v.id = e.volunteer_id"
        " LEFT JOIN links l ON l.id = e.link_id"
        " WHERE e.state = 'open' AND e.level < 0 AND e.next_step_at IS NOT NULL AND e.nobody_warned = 0"
        " AND e.volunteer_id != ?"
        " AND (COALESCE(l.professional_id, v.responsible_professional_id) = ? OR v.backup_professional_id = ?)"
        " ORDER BY e.created_at, e.id",
        (viewer_id, viewer_id, viewer_id),
    )
    return [_escalation(r) for r in rows]


async def for_volunteer(tx: Tx, volunteer_id: int, kinds: tuple[Kind, ...], limit: int) -> list[Escalation]:
    marks = ",".join("?" * len(kinds))
    rows = await tx.all(
        f"SELECT * FROM escalations WHERE volunteer_id = ? AND kind IN ({marks})"
        " ORDER BY created_at DESC, id DESC"
        " LIMIT ?",
        (volunteer_id, *[k.value for k in kinds], limit),
    )
    return [_escalation(r) for r in rows]


async def open_told_to(tx: Tx, person_id: int) -> list[int]:
    rows = await tx.all(
        "SELECT e.id FROM escalations e JOIN escalation_recipients r ON r.escalation_id = e.id"
        " WHERE r.person_id = ? AND e.state IN ('open', 'handoff')",
        (person_id,),
    )
    return [r["id"] for r in rows]


# Availability -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AvailabilityRow:
    away_until: datetime | None
    work_days: frozenset[int]
    work_start: time
    work_end: time


async def availability(tx: Tx, person_ids: list[int]) -> dict[int, AvailabilityRow]:
    if not person_ids:
        return {}
    marks = ",".join("?" * len(person_ids))
    rows = await tx.all(f"SELECT * FROM availability WHERE person_id IN ({marks})", person_ids)
    return {
        r["person_id"]: AvailabilityRow(
            away_until=opt_from_db(r["away_until"]),
            work_days=frozenset(int(d) for d in r["work_days"].split(",") if d),
            work_start=time.fromisoformat(r["work_start"]),
            work_end=time.fromisoformat(r["work_end"]),
        )
        for r in rows
    }


async def set_away(tx: Tx, person_id: int, until: datetime | None) -> None:
    """until None: present again."""
    await tx.execute(
        "INSERT INTO availability (person_id, away_until) VALUES (?, ?)"
        " ON CONFLICT (person_id) DO UPDATE SET away_until = excluded.away_until",
        (person_id, None if until is None else to_db(until)),
    )


async def set_working_hours(tx: Tx, person_id: int, days: frozenset[int], start: time, end: time) -> None:
    await tx.execute(
        "INSERT INTO availability (person_id, work_days, work_start, work_end) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (person_id) DO UPDATE SET work_days = excluded.work_days,"
        " work_start = excluded.work_start, work_end = excluded.work_end",
        (person_id, ",".join(str(d) for d in sorted(days)), start.strftime("%H:%M"), end.strftime("%H:%M")),
    )


async def open_wellbeing_flags(tx: Tx, volunteer_id: int) -> set[str]:
    """Wellbeing flags held by an alert still open for this volunteer (not raised again meanwhile)."""
    rows = await tx.all(
        "SELECT DISTINCT f.flag FROM escalation_flags f JOIN escalations e ON e.id = f.escalation_id"
        " WHERE e.kind = 'wellbeing' AND e.volunteer_id = ? AND e.state != 'resolved'",
        (volunteer_id,),
    )
    return {r["flag"] for r in rows}


# Messages about an item --------------------------------------------------------------------------

# The messages that carry an item's buttons: alerts (also hand-over requests), reminders and follow-up questions.
COPY_PURPOSES = ("alert", "reminder", "followup")


@dataclass(frozen=True)
class Copy:
    """One message about an item in someone's chat, as it reads now (after any edits queued for it)."""

    outbox_id: int
    person_id: int
    text: str
    keyboard: str | None  # as stored: JSON, or None for no buttons


async def copies(tx: Tx, escalation_id: int) -> list[Copy]:
    """Every alert, reminder and follow-up question sent about this item, oldest first, with its latest text."""
    marks = ",".join("?" * len(COPY_PURPOSES))
    rows = await tx.all(
        "SELECT o.id, o.person_id, COALESCE(e.text, o.text) AS text,"
        " CASE WHEN e.id IS NULL THEN o.keyboard ELSE e.keyboard END AS keyboard"
        " FROM outbox o LEFT JOIN outbox e ON e.id = ("
        "   SELECT MAX(x.id) FROM outbox x WHERE x.edit_of = o.id AND x.status != 'dropped')"
        f" WHERE o.subject_type = 'escalation' AND o.subject_id = ? AND o.edit_of IS NULL"
        f" AND o.person_id IS NOT NULL AND o.status NOT IN ('failed', 'dropped') AND o.purpose IN ({marks})"
        " ORDER BY o.id",
        (escalation_id, *COPY_PURPOSES),
    )
    return [Copy(r["id"], r["person_id"], r["text"], r["keyboard"]) for r in rows]
