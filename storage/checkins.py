"""Check-in schedules, occurrences, check-ins and pauses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time

from storage.db import Row, Tx, from_db, opt_from_db, to_db


@dataclass(frozen=True)
class Schedule:
    id: int
    audience: str
    team_id: int | None
    volunteer_id: int | None
    weekdays: frozenset[int]
    local_time: time
    every_weeks: int
    anchor: date
    remind_after_minutes: int
    close_after_minutes: int
    paused: bool
    next_fire_at: datetime | None


@dataclass(frozen=True)
class CheckIn:
    id: int
    volunteer_id: int
    occurrence_id: int | None
    state: str
    prompt_at: datetime | None
    prompted_at: datetime | None
    remind_at: datetime | None
    closes_at: datetime | None
    answered_at: datetime | None
    hours: float | None
    energy: int | None
    contact_outside: str | None
    private_life: bool | None
    beyond_role: bool | None
    comment: str | None
    created_at: datetime
    # When the period it answers ends: its occurrence's fire time, or for an answer on the volunteer's own
    # initiative the scheduled check-in it counts for; None: none (it belongs to its answer time).
    period_at: datetime | None = None


def _schedule(row: Row) -> Schedule:
    return Schedule(
        id=row["id"],
        audience=row["audience"],
        team_id=row["team_id"],
        volunteer_id=row["volunteer_id"],
        weekdays=frozenset(int(d) for d in row["weekdays"].split(",") if d),
        local_time=time.fromisoformat(row["local_time"]),
        every_weeks=row["every_weeks"],
        anchor=date.fromisoformat(row["anchor"]),
        remind_after_minutes=row["remind_after_minutes"],
        close_after_minutes=row["close_after_minutes"],
        paused=bool(row["paused"]),
        next_fire_at=opt_from_db(row["next_fire_at"]),
    )


def _opt(moment: datetime | None) -> str | None:
    return None if moment is None else to_db(moment)


def _bool(value: int | None) -> bool | None:
    return None if value is None else bool(value)


def _checkin(row: Row) -> CheckIn:
    return CheckIn(
        id=row["id"],
        volunteer_id=row["volunteer_id"],
        occurrence_id=row["occurrence_id"],
        state=row["state"],
        prompt_at=opt_from_db(row["prompt_at"]),
        prompted_at=opt_from_db(row["prompted_at"]),
        remind_at=opt_from_db(row["remind_at"]),
        closes_at=opt_from_db(row["closes_at"]),
        answered_at=opt_from_db(row["answered_at"]),
        hours=row["hours"],
        energy=row["energy"],
        contact_outside=row["contact_outside"],
        private_life=_bool(row["private_life"]),
        beyond_role=_bool(row["beyond_role"]),
        comment=row["comment"],
        created_at=from_db(row["created_at"]),
        period_at=opt_from_db(row["period_at"]),
    )


# --- schedules ------------------------------------------------------------------------------------


async def create_schedule(
    tx: Tx,
    *,
    audience: str,
    team_id: int | None,
    volunteer_id: int | None,
    weekdays: frozenset[int],
    local_time: time,
    every_weeks: int,
    anchor: date,
    remind_after_minutes: int,
    close_after_minutes: int,
    next_fire_at: datetime,
    created_by: int | None,
    now: datetime,
) -> int:
    return await tx.execute(
        "INSERT INTO schedules (audience, team_id, volunteer_id, weekdays, local_time, every_weeks, anchor,"
        " remind_after_minutes, close_after_minutes, next_fire_at, created_by, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            audience,
            team_id,
            volunteer_id,
            ",".join(str(d) for d in sorted(weekdays)),
            local_time.strftime("%H:%M"),
            every_weeks,
            anchor.isoformat(),
            remind_after_minutes,
            close_after_minutes,
            to_db(next_fire_at),
            created_by,
            to_db(now),
        ),
    )


async def schedules(tx: Tx) -> list[Schedule]:
    rows = await tx.all("SELECT * FROM schedules WHERE deleted = 0 ORDER BY id")
    return [_schedule(r) for r in rows]


async def schedule(tx: Tx, schedule_id: int) -> Schedule | None:
    row = await tx.one("SELECT * FROM schedules WHERE id = ? AND deleted = 0", (schedule_id,))
    return None if row is None else _schedule(row)


async def due_schedules(tx: Tx, now: datetime) -> list[Schedule]:
    rows = await tx.claim(
        "SELECT * FROM schedules WHERE paused = 0 AND deleted = 0 AND next_fire_at IS NOT NULL"
        " AND next_fire_at <= ? ORDER BY next_fire_at",
        (to_db(now),),
    )
    return [_schedule(r) for r in rows]


async def set_next_fire(tx: Tx, schedule_id: int, next_fire_at: datetime) -> None:
    await tx.execute("UPDATE schedules SET next_fire_at = ? WHERE id = ?", (to_db(next_fire_at), schedule_id))


async def set_paused(tx: Tx, schedule_id: int, paused: bool, next_fire_at: datetime | None) -> bool:
    changed = await tx.changes(
        "UPDATE schedules SET paused = ?, next_fire_at = COALESCE(?, next_fire_at) WHERE id = ? AND deleted = 0",
        (int(paused), None if next_fire_at is None else to_db(next_fire_at), schedule_id),
    )
    return changed == 1


async def delete_schedule(tx: Tx, schedule_id: int) -> bool:
    return await tx.changes("UPDATE schedules SET deleted = 1 WHERE id = ? AND deleted = 0", (schedule_id,)) == 1


# --- occurrences and fan-out ----------------------------------------------------------------------


async def claim_occurrence(tx: Tx, schedule_id: int, fire_at: datetime, closes_at: datetime, now: datetime) -> int:
    """The occurrence's id, created on first call: (schedule, fire time) is the idempotency key."""
    await tx.execute(
        "INSERT OR IGNORE INTO checkin_occurrences (schedule_id, fire_at, closes_at, created_at) VALUES (?, ?, ?, ?)",
        (schedule_id, to_db(fire_at), to_db(closes_at), to_db(now)),
    )
    return int(
        await tx.scalar(
            "SELECT id FROM checkin_occurrences WHERE schedule_id = ? AND fire_at = ?",
            (schedule_id, to_db(fire_at)),
        )
    )


async def add_for_occurrence(
    tx: Tx,
    occurrence_id: int,
    rows: list[tuple[int, str, datetime | None, datetime]],
    now: datetime,
) -> None:
    """(volunteer, state, prompt_at, closes_at) each; a volunteer who already has this occurrence is left as is.
    Each answers the occurrence's period."""
    await tx.executemany(
        "INSERT OR IGNORE INTO checkins"
        " (volunteer_id, occurrence_id, state, prompt_at, closes_at, created_at, period_at)"
        " VALUES (?, ?, ?, ?, ?, ?, (SELECT fire_at FROM checkin_occurrences WHERE id = ?))",
        [
            (v, occurrence_id, state, _opt(prompt), to_db(closes), to_db(now), occurrence_id)
            for v, state, prompt, closes in rows
        ],
    )


async def early_answer(tx: Tx, volunteer_id: int, since: datetime) -> int | None:
    """An answer given on the volunteer's own initiative since `since`, not yet counted for an occurrence."""
    value = await tx.scalar(
        "SELECT id FROM checkins WHERE volunteer_id = ? AND occurrence_id IS NULL AND state = 'answered'"
        " AND answered_at > ? ORDER BY answered_at DESC LIMIT 1",
        (volunteer_id, to_db(since)),
    )
    return None if value is None else int(value)


async def attach(tx: Tx, checkin_id: int, occurrence_id: int) -> None:
    """An early answer counts for this occurrence: it answers the occurrence's period."""
    await tx.execute(
        "UPDATE checkins SET occurrence_id = ?, period_at = (SELECT fire_at FROM checkin_occurrences WHERE id = ?)"
        " WHERE id = ?",
        (occurrence_id, occurrence_id, checkin_id),
    )


async def due_prompts(tx: Tx, now: datetime, limit: int) -> list[CheckIn]:
    rows = await tx.claim(
        "SELECT * FROM checkins WHERE prompt_at IS NOT NULL AND prompt_at <= ? AND state = 'open'"
        " ORDER BY prompt_at, id LIMIT ?",
        (to_db(now), limit),
    )
    return [_checkin(r) for r in rows]


async def mark_prompted(tx: Tx, checkin_id: int, now: datetime, remind_at: datetime | None) -> bool:
    changed = await tx.changes(
        "UPDATE checkins SET prompt_at = NULL, prompted_at = ?, remind_at = ? WHERE id = ? AND prompt_at IS NOT NULL",
        (to_db(now), None if remind_at is None else to_db(remind_at), checkin_id),
    )
    return changed == 1


async def due_reminders(tx: Tx, now: datetime, limit: int) -> list[CheckIn]:
    rows = await tx.claim(
        "SELECT * FROM checkins WHERE remind_at IS NOT NULL AND remind_at <= ? AND state = 'open'"
        " ORDER BY remind_at, id LIMIT ?",
        (to_db(now), limit),
    )
    return [_checkin(r) for r in rows]


async def mark_reminded(tx: Tx, checkin_id: int, now: datetime) -> bool:
    changed = await tx.changes(
        "UPDATE checkins SET remind_at = NULL, reminded_at = ? WHERE id = ? AND remind_at IS NOT NULL",
        (to_db(now), checkin_id),
    )
    return changed == 1


async def postpone_reminder(tx: Tx, checkin_id: int, at: datetime) -> None:
    await tx.execute("UPDATE checkins SET remind_at = ? WHERE id = ?", (to_db(at), checkin_id))


async def postpone_prompt(tx: Tx, checkin_id: int, at: datetime) -> None:
    await tx.execute("UPDATE checkins SET prompt_at = ? WHERE id = ?", (to_db(at), checkin_id))


async def due_closing(tx: Tx, now: datetime, limit: int) -> list[CheckIn]:
    rows = await tx.claim(
        "SELECT * FROM checkins WHERE state = 'open' AND closes_at IS NOT NULL AND closes_at <= ?"
        " ORDER BY closes_at, id LIMIT ?",
        (to_db(now), limit),
    )
    return [_checkin(r) for r in rows]


async def mark_missed(tx: Tx, checkin_id: int, now: datetime, *, excused: bool = False) -> bool:
    """Closed without an answer; excused (paused) ones do not count as missed. A missed one is due for the
    wellbeing rules (in the same statement, so the evaluation cannot be lost)."""
    changed = await tx.changes(
        "UPDATE checkins SET state = ?, prompt_at = NULL, remind_at = NULL, answered_at = ?, evaluation_due = ?"
        " WHERE id = ? AND state = 'open'",
        ("excused" if excused else "missed", to_db(now), int(not excused), checkin_id),
    )
    return changed == 1


# --- answering ------------------------------------------------------------------------------------


async def get(tx: Tx, checkin_id: int) -> CheckIn | None:
    row = await tx.one("SELECT * FROM checkins WHERE id = ?", (checkin_id,))
    return None if row is None else _checkin(row)


async def open_for(tx: Tx, volunteer_id: int, now: datetime) -> CheckIn | None:
    """The oldest check-in still waiting for this volunteer's answer."""
    row = await tx.one(
        "SELECT * FROM checkins WHERE volunteer_id = ? AND state = 'open' AND (closes_at IS NULL OR closes_at > ?)"
        " ORDER BY created_at, id LIMIT 1",
        (volunteer_id, to_db(now)),
    )
    return None if row is None else _checkin(row)


async def create_adhoc(tx: Tx, volunteer_id: int, now: datetime) -> int:
    return await tx.execute(
        "INSERT INTO checkins (volunteer_id, state, created_at) VALUES (?, 'open', ?)",
        (volunteer_id, to_db(now)),
    )


ANSWER_COLUMNS = frozenset({"hours", "energy", "contact_outside", "private_life", "beyond_role", "comment"})


async def set_answer(tx: Tx, checkin_id: int, column: str, value: object) -> bool:
    if column not in ANSWER_COLUMNS:
        raise ValueError(f"not an answer column: {column}")
    changed = await tx.changes(
        f"UPDATE checkins SET {column} = ? WHERE id = ? AND state = 'open'",
        (value, checkin_id),
    )
    return changed == 1


async def finish(tx: Tx, checkin_id: int, now: datetime) -> bool:
    """Answered, and due for the wellbeing rules (in the same statement)."""
    changed = await tx.changes(
        "UPDATE checkins SET state = 'answered', answered_at = ?, prompt_at = NULL, remind_at = NULL,"
        " evaluation_due = 1 WHERE id = ? AND state = 'open'",
        (to_db(now), checkin_id),
    )
    return changed == 1


async def set_period(tx: Tx, checkin_id: int, period_at: datetime | None) -> None:
    """The period an answer on the volunteer's own initiative counts for (None: none)."""
    await tx.execute("UPDATE checkins SET period_at = ? WHERE id = ?", (_opt(period_at), checkin_id))


async def history(tx: Tx, volunteer_id: int, since: datetime, limit: int) -> list[CheckIn]:
    """The latest `limit` answered, missed and excused (paused) check-ins whose period lies after `since`
    (or whose answer does, when they answer none), oldest first."""
    rows = await tx.all(
        "SELECT * FROM (SELECT *, COALESCE(period_at, answered_at, created_at) AS belongs_to FROM checkins"
        " WHERE volunteer_id = ? AND state IN ('answered', 'missed', 'excused')"
        " AND COALESCE(period_at, answered_at, created_at) > ? ORDER BY belongs_to DESC, id DESC LIMIT ?) AS recent"
        " ORDER BY belongs_to, id",
        (volunteer_id, to_db(since), limit),
    )
    return [_checkin(r) for r in rows]


async def recent(tx: Tx, volunteer_id: int, limit: int) -> list[CheckIn]:
    rows = await tx.all(
        "SELECT * FROM checkins WHERE volunteer_id = ? AND state IN ('answered', 'missed')"
        " ORDER BY COALESCE(answered_at, created_at) DESC, id DESC LIMIT ?",
        (volunteer_id, limit),
    )
    return [_checkin(r) for r in rows]


async def hours_between(tx: Tx, volunteer_id: int, start: datetime, end: datetime) -> float:
    value = await tx.scalar(
        "SELECT COALESCE(SUM(hours), 0) FROM checkins WHERE volunteer_id = ? AND state = 'answered'"
        " AND answered_at > ? AND answered_at <= ?",
        (volunteer_id, to_db(start), to_db(end)),
    )
    return float(value or 0)


# --- wellbeing evaluation -------------------------------------------------------------------------


async def volunteers_due_evaluation(tx: Tx, limit: int) -> list[int]:
    """Volunteers with an answered or missed check-in the wellbeing rules have not run on yet."""
    rows = await tx.all(
        "SELECT volunteer_id FROM checkins WHERE evaluation_due = 1 GROUP BY volunteer_id ORDER BY MIN(id) LIMIT ?",
        (limit,),
    )
    return [r["volunteer_id"] for r in rows]


async def due_evaluation(tx: Tx, volunteer_id: int) -> list[int]:
    """This volunteer's check-ins waiting for the wellbeing rules, oldest first."""
    rows = await tx.all(
        "SELECT id FROM checkins WHERE volunteer_id = ? AND evaluation_due = 1 ORDER BY id", (volunteer_id,)
    )
    return [r["id"] for r in rows]


async def mark_evaluated(tx: Tx, checkin_ids: list[int]) -> None:
    marks = ",".join("?" * len(checkin_ids))
    await tx.execute(f"UPDATE checkins SET evaluation_due = 0 WHERE id IN ({marks})", checkin_ids)


async def alert_by_key(tx: Tx, dedupe_keys: list[str]) -> int | None:
    """The wellbeing alert raised under one of these keys (a crash came between raising and recording it)."""
    marks = ",".join("?" * len(dedupe_keys))
    value = await tx.scalar(
        f"SELECT id FROM escalations WHERE dedupe_key IN ({marks}) ORDER BY id LIMIT 1", dedupe_keys
    )
    return None if value is None else int(value)


async def add_alert_flags(tx: Tx, escalation_id: int, flags: list[str]) -> None:
    """The wellbeing flags this alert holds (each not raised again while it is open)."""
    await tx.executemany(
        "INSERT OR IGNORE INTO escalation_flags (escalation_id, flag) VALUES (?, ?)",
        [(escalation_id, flag) for flag in flags],
    )


# --- pauses ---------------------------------------------------------------------------------------


async def set_pause(tx: Tx, volunteer_id: int, until: datetime | None, now: datetime) -> None:
    await tx.execute(
        "INSERT INTO pauses (volunteer_id, until, created_at) VALUES (?, ?, ?)"
        " ON CONFLICT (volunteer_id) DO UPDATE SET until = excluded.until, created_at = excluded.created_at",
        (volunteer_id, None if until is None else to_db(until), to_db(now)),
    )


async def clear_pause(tx: Tx, volunteer_id: int) -> bool:
    return await tx.changes("DELETE FROM pauses WHERE volunteer_id = ?", (volunteer_id,)) == 1


async def paused_volunteers(tx: Tx, now: datetime) -> set[int]:
    rows = await tx.all("SELECT volunteer_id FROM pauses WHERE until IS NULL OR until > ?", (to_db(now),))
    return {r["volunteer_id"] for r in rows}


async def pause_of(tx: Tx, volunteer_id: int) -> tuple[bool, datetime | None]:
    row = await tx.one("SELECT until FROM pauses WHERE volunteer_id = ?", (volunteer_id,))
    return (row is not None, None if row is None else opt_from_db(row["until"]))


async def remind_after_minutes(tx: Tx, occurrence_id: int) -> int | None:
    value = await tx.scalar(
        "SELECT s.remind_after_minutes FROM checkin_occurrences o JOIN schedules s ON s.id = o.schedule_id"
        " WHERE o.id = ?",
        (occurrence_id,),
    )
    return None if value is None else int(value)


# --- deleting with a minute to undo, and teams (issue 18) -----------------------------------------


async def delete_schedule_at(tx: Tx, schedule_id: int, now: datetime) -> bool:
    """Deleted (no longer listed nor fired), with the time, so that it can be brought back for a while."""
    return (
        await tx.changes(
            "UPDATE schedules SET deleted = 1, deleted_at = ? WHERE id = ? AND deleted = 0", (to_db(now), schedule_id)
        )
        == 1
    )


async def restore_schedule(tx: Tx, schedule_id: int, deleted_since: datetime) -> Schedule | None:
    """Undeletes a schedule deleted at or after `deleted_since`; None when there is none such (too late)."""
    changed = await tx.changes(
        "UPDATE schedules SET deleted = 0, deleted_at = NULL WHERE id = ? AND deleted = 1 AND deleted_at >= ?",
        (schedule_id, to_db(deleted_since)),
    )
    return await schedule(tx, schedule_id) if changed == 1 else None


async def team_schedule_count(tx: Tx, team_id: int) -> int:
    return int(
        await tx.scalar(
            "SELECT COUNT(*) FROM schedules WHERE audience = 'team' AND team_id = ? AND deleted = 0", (team_id,)
        )
    )
