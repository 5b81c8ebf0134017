"""/overview: one line per volunteer, who needs attention first. Coordinators see everyone, professionals the
volunteers they are responsible for; nobody sees their own line (it would hold wellbeing flags about them)."""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import AsyncGenerator, Callable, Iterable, Sequence
from datetime import datetime, timedelta
from typing import TypeVar

from bot.domain.models import Person
from bot.domain.overview import VolunteerLine, by_attention, statuses
from bot.domain.under_use import CheckInFacts, overview_figures
from bot.domain.wellbeing import CheckInRecord
from bot.services.base import Service
from bot.services.errors import Refused
from storage import overview
from storage.db import Database, Reader
from storage.overview import CheckInRow, VolunteerRow

T = TypeVar("T")

WINDOW_DAYS = 28
# How far back check-ins are read: the four weeks of the window and of under-use, and the check-in before them
# that tells the span's first answer's reach (two weeks, for a check-in every two weeks).
LOOKBACK_DAYS = 42
# Volunteers whose check-ins are read and turned into records at once: the organisation's overview (10,000
# volunteers, some 60,000 records) holds a chunk's records, not tens of MiB of everyone's. Small, so that they die
# young: with 500 a chunk's records outlived the collector's youngest generation and it ran 257 times (2 full
# passes) per overview, 0.18 s; with 50, 74 times (1), 0.05 s, for 200 short reads.
HISTORY_CHUNK = 50


def records(rows: Iterable[CheckInRow]) -> dict[int, list[CheckInRecord]]:
    """Check-ins as the wellbeing rules see them (only an answered one has answers), by volunteer."""
    found: dict[int, list[CheckInRecord]] = defaultdict(list)
    parse = datetime.fromisoformat  # storage writes UTC with its offset: aware as read
    for volunteer_id, state, at, period, hours, energy in rows:
        answered = state == "answered"
        # Positional, in the field order (at, missed, hours, energy, contact, private life, role, period,
        # paused): the overview builds tens of thousands of these.
        found[volunteer_id].append(
            CheckInRecord(
                parse(at),
                state == "missed",
                hours if answered else None,
                energy if answered else None,
                None,
                None,
                None,
                None if period is None else parse(period),
                state == "excused",
            )
        )
    return found


def facts(rows: Iterable[CheckInRow]) -> dict[int, list[CheckInFacts]]:
    """Check-ins as the overview's figures read them (only an answered one has hours), by volunteer."""
    found: dict[int, list[CheckInFacts]] = defaultdict(list)
    parse = datetime.fromisoformat  # storage writes UTC with its offset: aware as read
    new = tuple.__new__  # CheckInFacts(...) runs the NamedTuple's __new__ in Python: a third of this loop
    for volunteer_id, state, at, period, hours, _ in rows:
        moment = parse(at)
        belongs_to = moment if period is None or period == at else parse(period)
        found[volunteer_id].append(
            new(
                CheckInFacts,
                (belongs_to, moment, state == "missed", state == "excused", hours if state == "answered" else None),
            )
        )
    return found


def may_see(viewer: Person, volunteer: VolunteerRow) -> bool:
    """A coordinator any volunteer but herself; a professional those she is responsible for."""
    if volunteer.id == viewer.id:
        return False
    return viewer.is_coordinator or (viewer.is_professional and volunteer.professional_id == viewer.id)


async def with_history(
    db: Database,
    subjects: Sequence[T],
    volunteer_id: Callable[[T], int],
    since: datetime,
    *,
    until: datetime | None = None,
    chunk: int = HISTORY_CHUNK,
) -> AsyncGenerator[tuple[T, list[CheckInFacts]]]:
    """Each subject (a volunteer's row) with her check-ins since `since` as facts, read `chunk` volunteers at
    a time, each chunk in its own read: the database is free for other work between chunks, and a chunk's
    facts are dropped soon after the next is read. The next chunk is asked for before this one is turned into
    facts and handed out: the database (SQLite's thread, with Python's lock let go while it searches, or
    PostgreSQL's server) finds its rows while the caller works through this one's."""
    parts = [subjects[start : start + chunk] for start in range(0, len(subjects), chunk)]

    async def read(part: Sequence[T]) -> list[CheckInRow]:
        async with db.read() as reader:
            return await overview.checkins_of(reader, [volunteer_id(s) for s in part], since, until=until)

    ahead: asyncio.Task[list[CheckInRow]] | None = None
    try:
        for index, part in enumerate(parts):
            rows = await (read(part) if ahead is None else ahead)
            ahead = asyncio.ensure_future(read(parts[index + 1])) if index + 1 < len(parts) else None
            await asyncio.sleep(0)  # the next read starts: the caller's loop over this chunk does not await
            found = facts(rows)
            del rows
            for subject in part:
                yield subject, found.get(volunteer_id(subject), [])
    finally:
        if ahead is not None:
            # The caller stopped early or failed: the read nobody will use is let finish (cancelling a query
            # costs PostgreSQL's pool its connection), its rows or its error dropped.
            with contextlib.suppress(Exception):
                await ahead


async def volunteers_of(reader: Reader, viewer: Person, now: datetime) -> list[VolunteerRow]:
    """Everyone for a coordinator, her own for a professional; anyone else is refused."""
    if not (viewer.is_coordinator or viewer.is_professional):
        raise Refused("not_allowed")
    professional = None if viewer.is_coordinator else viewer.id
    return await overview.volunteers(reader, viewer_id=viewer.id, professional_id=professional, now=now)


class OverviewService(Service):
    async def lines(self, viewer: Person) -> list[VolunteerLine]:
        """The viewer's volunteers, who needs attention first."""
        now = self._clock.now()
        async with self._db.read() as reader:
            rows = await volunteers_of(reader, viewer, now)
        since = now - timedelta(days=LOOKBACK_DAYS)
        return by_attention(
            [self._line(row, history, now) async for row, history in with_history(self._db, rows, _id, since)]
        )

    async def card(self, viewer: Person, volunteer_id: int) -> tuple[VolunteerRow, VolunteerLine]:
        """One volunteer's line and what stands behind it; refused when the viewer may not see her."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            row = await overview.volunteer(tx, volunteer_id, viewer_id=viewer.id, now=now)
            if row is None or not may_see(viewer, row):
                raise Refused("overview.not_yours")
            rows = await overview.checkins_of(tx, [row.id], now - timedelta(days=LOOKBACK_DAYS))
        return row, self._line(row, facts(rows).get(row.id, []), now)

    def _line(self, row: VolunteerRow, history: list[CheckInFacts], now: datetime) -> VolunteerLine:
        settings = self._settings.reports
        agreed = row.agreed_hours
        hours, flagged = overview_figures(
            history,
            agreed_hours_per_week=agreed,
            now=now,
            days=WINDOW_DAYS,
            weeks=settings.under_use_weeks,
            ratio=settings.under_use_ratio,
        )
        since_answer = None if row.last_answered_at is None else max(0, (now - row.last_answered_at).days)
        return VolunteerLine(
            id=row.id,
            name=row.name,
            team=row.team,
            hours=hours,
            agreed=None if agreed is None else round(agreed * WINDOW_DAYS / 7, 2),
            clients=row.active_clients,
            open_items=row.open_items,
            open_flags=row.open_flags,
            days_since_answer=since_answer,
            statuses=statuses(
                professional=row.professional_id is not None,
                unreachable=row.unreachable,
                professional_away=row.professional_away,
                paused=row.paused,
            ),
            under_use=flagged is not None,
        )


def _id(row: VolunteerRow) -> int:
    return row.id
