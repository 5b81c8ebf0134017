"""Visits (the lone-worker safety timer). Every step is a conditional UPDATE on the state column, so a
step taken twice (a second tick, a restart, a double tap) changes nothing the second time."""

from __future__ import annotations

from datetime import datetime

from bot.domain.visits import Visit, VisitState
from storage.db import Row, Tx, from_db, opt_from_db, to_db

_ACTIVE = "('running', 'asked', 'overdue')"
_SELECT = "SELECT v.*, l.client_alias FROM visits v LEFT JOIN links l ON l.id = v.link_id"


def _visit(row: Row) -> Visit:
    return Visit(
        id=row["id"],
        volunteer_id=row["volunteer_id"],
        link_id=row["link_id"],
        client_alias=row["client_alias"],
        state=VisitState(row["state"]),
        minutes=row["minutes"],
        started_at=from_db(row["started_at"]),
        ends_at=from_db(row["ends_at"]),
        due_at=opt_from_db(row["due_at"]),
        prompts=row["prompts"],
        escalation_id=row["escalation_id"],
        alerted_at=opt_from_db(row["alerted_at"]),
        ended_at=opt_from_db(row["ended_at"]),
    )


async def create(
    tx: Tx, *, volunteer_id: int, link_id: int | None, minutes: int, now: datetime, ends_at: datetime
) -> int | None:
    """The new id, or None when this volunteer already has a running visit."""
    if await active_for(tx, volunteer_id) is not None:
        return None
    return await tx.execute(
        "INSERT INTO visits (volunteer_id, link_id, minutes, started_at, ends_at, due_at) VALUES (?, ?, ?, ?, ?, ?)",
        (volunteer_id, link_id, minutes, to_db(now), to_db(ends_at), to_db(ends_at)),
    )


async def get(tx: Tx, visit_id: int) -> Visit | None:
    row = await tx.one(f"{_SELECT} WHERE v.id = ?", (visit_id,))
    return None if row is None else _visit(row)


async def active_for(tx: Tx, volunteer_id: int) -> Visit | None:
    row = await tx.one(f"{_SELECT} WHERE v.volunteer_id = ? AND v.state IN {_ACTIVE}", (volunteer_id,))
    return None if row is None else _visit(row)


async def due(tx: Tx, now: datetime, limit: int) -> list[int]:
    """Visits whose question or answer deadline has come."""
    rows = await tx.claim(
        "SELECT id FROM visits WHERE due_at IS NOT NULL AND due_at <= ? AND state IN ('running', 'asked')"
        " ORDER BY due_at, id LIMIT ?",
        (to_db(now), limit),
    )
    return [r["id"] for r in rows]


async def unalerted(tx: Tx, limit: int) -> list[int]:
    """Overdue visits whose alert has not gone out yet (the process stopped in between)."""
    rows = await tx.all(
        "SELECT id FROM visits WHERE state = 'overdue' AND alerted_at IS NULL ORDER BY id LIMIT ?", (limit,)
    )
    return [r["id"] for r in rows]


async def mark_asked(tx: Tx, visit_id: int, *, now: datetime, answer_by: datetime) -> bool:
    changed = await tx.changes(
        "UPDATE visits SET state = 'asked', prompts = prompts + 1, asked_at = ?, due_at = ?"
        " WHERE id = ? AND state = 'running' AND due_at <= ?",
        (to_db(now), to_db(answer_by), visit_id, to_db(now)),
    )
    return changed == 1


async def mark_overdue(tx: Tx, visit_id: int, now: datetime) -> bool:
    changed = await tx.changes(
        "UPDATE visits SET state = 'overdue', overdue_at = ?, due_at = NULL"
        " WHERE id = ? AND state = 'asked' AND due_at <= ?",
        (to_db(now), visit_id, to_db(now)),
    )
    return changed == 1


async def mark_alerted(tx: Tx, visit_id: int, *, escalation_id: int | None, now: datetime) -> bool:
    changed = await tx.changes(
        "UPDATE visits SET alerted_at = ?, escalation_id = ? WHERE id = ? AND state = 'overdue' AND alerted_at IS NULL",
        (to_db(now), escalation_id, visit_id),
    )
    return changed == 1


async def extend(tx: Tx, visit_id: int, *, prompt: int, ends_at: datetime) -> bool:
    """Only an answer to the current question: a stale or repeated press changes nothing."""
    changed = await tx.changes(
        "UPDATE visits SET state = 'running', ends_at = ?, due_at = ?, extensions = extensions + 1"
        " WHERE id = ? AND state = 'asked' AND prompts = ?",
        (to_db(ends_at), to_db(ends_at), visit_id, prompt),
    )
    return changed == 1


async def end(tx: Tx, visit_id: int, *, state: VisitState, now: datetime) -> bool:
    if state not in (VisitState.DONE, VisitState.HELP):
        raise ValueError(f"a visit ends as done or help, not {state}")
    changed = await tx.changes(
        f"UPDATE visits SET state = ?, due_at = NULL, ended_at = ? WHERE id = ? AND state IN {_ACTIVE}",
        (state.value, to_db(now), visit_id),
    )
    return changed == 1


async def escalation_id_by_key(tx: Tx, dedupe_key: str) -> int | None:
    """The alert raised for a visit step (found by its dedupe key) when raising it again was a no-op."""
    value = await tx.scalar("SELECT id FROM escalations WHERE dedupe_key = ?", (dedupe_key,))
    return None if value is None else int(value)
