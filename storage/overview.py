"""What the overview, the evaluation talk and the monthly report read: everyone's recent check-ins and open items
in a few set-wise queries (no query per volunteer but an indexed look-up), never an item about the viewer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from bot.domain.reports import ItemFacts
from storage.db import Reader, Row, Tx, from_db, opt_from_db, to_db

# The moment a check-in counts at (its period; answering none, its answer); the index checkins_belongs_to.
BELONGS_TO = "COALESCE(c.period_at, c.answered_at, c.created_at)"
COUNTED = "c.state IN ('answered', 'missed', 'excused')"


class VolunteerRow(NamedTuple):
    """A volunteer as the overview, the card and the review read her. A tuple of plain values, not a dataclass:
    the overview holds 10,000 while it works, and the garbage collector stops following a tuple of plain values
    at its first look, where each of 10,000 dataclasses made a full collection (50 ms) likelier."""

    id: int
    name: str
    team: str | None
    agreed_hours: float | None
    professional_id: int | None
    professional_name: str | None
    professional_away: bool
    unreachable: bool
    paused: bool
    active_clients: int
    open_items: int
    open_flags: int
    last_answered_at: datetime | None


# A check-in as the overview reads it: (volunteer id, state, answered or created, period or None, hours, energy),
# a row read by position; times in storage's text form, parsed by the caller.
CheckInRow = Row


def _volunteer(row: Row) -> VolunteerRow:
    # By position, in _VOLUNTEERS' column order: the overview reads 10,000 of these, and a look-up by name costs
    # a search of the row's column names each.
    (id_, name, team, agreed, unreachable_since, pro_id, pro_name, away, paused, clients, items, flags, last) = row
    return VolunteerRow(
        id=id_,
        name=name,
        team=team,
        agreed_hours=agreed,
        professional_id=pro_id,
        professional_name=pro_name,
        professional_away=bool(away),
        unreachable=unreachable_since is not None,
        paused=bool(paused),
        active_clients=clients,
        open_items=items,
        open_flags=flags,
        last_answered_at=opt_from_db(last),
    )


_VOLUNTEERS = (
    "SELECT v.id, v.name, t.name AS team, a.hours_per_week, v.unreachable_since,"
    " pro.id AS professional_id, pro.name AS professional_name,"
    " (av.away_until IS NOT NULL AND av.away_until > :now) AS professional_away,"
    " (pa.volunteer_id IS NOT NULL AND (pa.until IS NULL OR pa.until > :now)) AS paused,"
    " (SELECT COUNT(*) FROM links l WHERE l.volunteer_id = v.id AND l.active = 1) AS clients,"
    " (SELECT COUNT(*) FROM escalations e WHERE e.volunteer_id = v.id AND e.state != 'resolved'"
    "  AND e.kind != 'wellbeing') AS open_items,"
    " (SELECT COUNT(*) FROM escalations e JOIN escalation_flags f ON f.escalation_id = e.id"
    "  WHERE e.volunteer_id = v.id AND e.state != 'resolved' AND e.kind = 'wellbeing') AS open_flags,"
    " (SELECT MAX(c.answered_at) FROM checkins c WHERE c.volunteer_id = v.id AND c.state = 'answered')"
    "  AS last_answered"
    " FROM people v JOIN person_roles r ON r.person_id = v.id AND r.role = 'volunteer'"
    " LEFT JOIN teams t ON t.id = v.team_id"
    " LEFT JOIN agreements a ON a.volunteer_id = v.id"
    " LEFT JOIN people pro ON pro.id = v.responsible_professional_id AND pro.active = 1"
    " LEFT JOIN availability av ON av.person_id = pro.id"
    " LEFT JOIN pauses pa ON pa.volunteer_id = v.id"
    " WHERE v.active = 1 AND v.id != :viewer"
)


async def volunteers(
    reader: Reader, *, viewer_id: int, professional_id: int | None, now: datetime
) -> list[VolunteerRow]:
    """Every active volunteer (or a professional's own), never the viewer: nobody reads their own flags."""
    sql = _VOLUNTEERS + (" AND v.responsible_professional_id = :pro" if professional_id is not None else "")
    rows = await reader.all(sql, {"now": to_db(now), "viewer": viewer_id, "pro": professional_id})
    return [_volunteer(r) for r in rows]


async def volunteer(tx: Tx, volunteer_id: int, *, viewer_id: int, now: datetime) -> VolunteerRow | None:
    row = await tx.one(_VOLUNTEERS + " AND v.id = :id", {"now": to_db(now), "viewer": viewer_id, "id": volunteer_id})
    return None if row is None else _volunteer(row)


async def checkins_of(
    reader: Reader, volunteer_ids: Sequence[int], since: datetime, *, until: datetime | None = None
) -> list[CheckInRow]:
    """Answered, missed and paused check-ins of these volunteers that count after `since` (and up to `until`),
    in no particular order: a range of checkins_volunteer_belongs_to per volunteer. The caller asks for a few
    hundred volunteers at a time, so that their rows, not everyone's, are in memory."""
    if not volunteer_ids:
        return []
    sql = (
        "SELECT c.volunteer_id, c.state, COALESCE(c.answered_at, c.created_at), c.period_at, c.hours, c.energy"
        f" FROM checkins c WHERE c.volunteer_id IN ({','.join('?' * len(volunteer_ids))})"
        f" AND {COUNTED} AND {BELONGS_TO} > ?"
    )
    params: list[object] = [*volunteer_ids, to_db(since)]
    if until is not None:
        sql += f" AND {BELONGS_TO} <= ?"
        params.append(to_db(until))
    return await reader.all(sql, params)


async def checkins_between(tx: Tx, start: datetime, end: datetime) -> list[Row]:
    """Per team and state, the check-ins that count in [start, end): how many, their hours, of how many
    volunteers."""
    return await tx.all(
        "SELECT t.name AS team, c.state, COUNT(*) AS n, COALESCE(SUM(c.hours), 0) AS hours,"
        " COUNT(DISTINCT c.volunteer_id) AS volunteers"
        " FROM checkins c JOIN people v ON v.id = c.volunteer_id LEFT JOIN teams t ON t.id = v.team_id"
        f" WHERE {COUNTED} AND {BELONGS_TO} >= ? AND {BELONGS_TO} < ? GROUP BY t.id, t.name, c.state",
        (to_db(start), to_db(end)),
    )


async def agreements(reader: Reader, *, viewer_id: int) -> list[tuple[int, str, float]]:
    """(id, name, agreed hours a week) of every active volunteer with an agreement, never the viewer."""
    rows = await reader.all(
        "SELECT v.id, v.name, a.hours_per_week FROM people v JOIN agreements a ON a.volunteer_id = v.id"
        " JOIN person_roles r ON r.person_id = v.id AND r.role = 'volunteer'"
        " WHERE v.active = 1 AND v.id != ? AND a.hours_per_week > 0",
        (viewer_id,),
    )
    return [(r[0], r[1], float(r[2])) for r in rows]


def _item(row: Row) -> ItemFacts:
    return ItemFacts(
        kind=row["kind"],
        category=row["category"],
        urgency=row["urgency"],
        created_at=from_db(row["created_at"]),
        acknowledged_at=opt_from_db(row["acknowledged_at"]),
        resolved_at=opt_from_db(row["resolved_at"]),
        resolution=row["resolution"],
        flags=tuple(sorted(f for f in (row["flags"] or "").split(",") if f)),
        held_since=opt_from_db(row["held_since"]),
        follow_ups=row["follow_ups"],
    )


_ITEM_COLUMNS = (
    "e.id, e.kind, e.category, e.urgency, e.created_at, e.acknowledged_at, e.resolved_at, e.resolution,"
    " e.held_since, e.follow_ups,"
    " (SELECT group_concat(f.flag) FROM escalation_flags f WHERE f.escalation_id = e.id) AS flags"
)


async def items_of(tx: Tx, volunteer_id: int, since: datetime) -> list[ItemFacts]:
    """A volunteer's items raised since `since`, oldest first (the caller keeps the viewer's own out)."""
    rows = await tx.all(
        f"SELECT {_ITEM_COLUMNS} FROM escalations e WHERE e.volunteer_id = ? AND e.created_at >= ?"
        " ORDER BY e.created_at, e.id",
        (volunteer_id, to_db(since)),
    )
    return [_item(r) for r in rows]


async def items_between(tx: Tx, start: datetime, end: datetime, *, viewer_id: int) -> list[ItemFacts]:
    """Every item raised in [start, end), none about the viewer."""
    rows = await tx.all(
        f"SELECT {_ITEM_COLUMNS} FROM escalations e WHERE e.created_at >= ? AND e.created_at < ?"
        " AND e.volunteer_id != ?",
        (to_db(start), to_db(end), viewer_id),
    )
    return [_item(r) for r in rows]


async def flags_resolved_between(tx: Tx, start: datetime, end: datetime, *, viewer_id: int) -> int:
    """Wellbeing flags whose alert was resolved in [start, end), none about the viewer."""
    return int(
        await tx.scalar(
            "SELECT COUNT(*) FROM escalations e JOIN escalation_flags f ON f.escalation_id = e.id"
            " WHERE e.kind = 'wellbeing' AND e.resolved_at >= ? AND e.resolved_at < ? AND e.volunteer_id != ?",
            (to_db(start), to_db(end), viewer_id),
        )
    )
