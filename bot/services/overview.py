"""/overview: one line per volunteer, who needs attention first. Coordinators see everyone, professionals the
volunteers they are responsible for; nobody sees their own line (it would hold wellbeing flags about them)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta

from bot.domain.models import Person
from bot.domain.overview import VolunteerLine, by_attention, statuses
from bot.domain.under_use import overview_figures
from bot.domain.wellbeing import CheckInRecord
from bot.services.base import Service
from bot.services.errors import Refused
from storage import overview
from storage.db import Tx
from storage.overview import CheckInTuple, VolunteerRow

WINDOW_DAYS = 28
# How far back check-ins are read: the four weeks of the window and of under-use, and the check-in before them
# that tells the span's first answer's reach (two weeks, for a check-in every two weeks).
LOOKBACK_DAYS = 42


def records(rows: Iterable[CheckInTuple]) -> dict[int, list[CheckInRecord]]:
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


def may_see(viewer: Person, volunteer: VolunteerRow) -> bool:
    """A coordinator any volunteer but herself; a professional those she is responsible for."""
    if volunteer.id == viewer.id:
        return False
    return viewer.is_coordinator or (viewer.is_professional and volunteer.professional_id == viewer.id)


async def volunteers_of(tx: Tx, viewer: Person, now: datetime) -> list[VolunteerRow]:
    """Everyone for a coordinator, her own for a professional; anyone else is refused."""
    if not (viewer.is_coordinator or viewer.is_professional):
        raise Refused("not_allowed")
    professional = None if viewer.is_coordinator else viewer.id
    return await overview.volunteers(tx, viewer_id=viewer.id, professional_id=professional, now=now)


class OverviewService(Service):
    async def lines(self, viewer: Person) -> list[VolunteerLine]:
        """The viewer's volunteers, who needs attention first."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            rows = await volunteers_of(tx, viewer, now)
            records = await self._records(tx, rows, now)
        return by_attention([self._line(row, records.get(row.id, []), now) for row in rows])

    async def card(self, viewer: Person, volunteer_id: int) -> tuple[VolunteerRow, VolunteerLine]:
        """One volunteer's line and what stands behind it; refused when the viewer may not see her."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            row = await overview.volunteer(tx, volunteer_id, viewer_id=viewer.id, now=now)
            if row is None or not may_see(viewer, row):
                raise Refused("overview.not_yours")
            records = await self._records(tx, [row], now)
        return row, self._line(row, records.get(row.id, []), now)

    async def _records(self, tx: Tx, rows: list[VolunteerRow], now: datetime) -> dict[int, list[CheckInRecord]]:
        # Everyone's at once for the whole organisation; a professional's few by their ids.
        ids = None if len(rows) > 500 else [r.id for r in rows]
        if ids == []:
            return {}
        return records(await overview.checkins_since(tx, now - timedelta(days=LOOKBACK_DAYS), ids))

    def _line(self, row: VolunteerRow, history: list[CheckInRecord], now: datetime) -> VolunteerLine:
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
