"""Check-ins that watch over volunteers: the volunteer's answers, pauses and overview, and the one service
that callers use for schedules (`schedules`), the timer (`rounds`) and the wellbeing alerts (`wellbeing`)."""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime

from bot.clock import Clock
from bot.config import Settings
from bot.domain.models import Person
from bot.services.base import Service, Trail
from bot.services.checkins.rounds import CheckInRounds, retire_copies
from bot.services.checkins.schedules import Schedules
from bot.services.checkins.wellbeing import Concern, WellbeingWatch
from bot.services.errors import Refused
from bot.services.escalations import EscalationService
from storage import checkins, drafts, links
from storage.checkins import CheckIn
from storage.db import Database, Tx

log = logging.getLogger(__name__)

MAX_TYPED_HOURS = 100.0
COMMENT_LIMIT = 1000
CHECKIN_TRAIL = Trail("checkin")
PERSON_TRAIL = Trail("person")


@dataclass(frozen=True)
class Recognition:
    """What the thank-you says: the month's hours against the agreement, and whether it asks for attention."""

    month_hours: float
    agreed_month_hours: float | None
    concern: Concern | None = None

    @property
    def over_agreement(self) -> bool:
        return self.agreed_month_hours is not None and self.month_hours > self.agreed_month_hours


class CheckInService(Service):
    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        wake_delivery: Callable[[], None],
        escalation_service: EscalationService,
    ) -> None:
        super().__init__(db, clock, settings, wake_delivery)
        self._wellbeing = WellbeingWatch(db, clock, settings, escalation_service)
        self.rounds = CheckInRounds(db, clock, settings, wake_delivery, self._wellbeing)
        self.schedule_book = Schedules(db, clock, settings, wake_delivery)
        # The timer's and the schedules' entry points under the names the callers use.
        self.tick = self.rounds.tick
        self.add_schedule = self.schedule_book.add
        self.schedules = self.schedule_book.all
        self.set_schedule_paused = self.schedule_book.set_paused
        self.delete_schedule = self.schedule_book.delete

    # --- answering --------------------------------------------------------------------------------

    async def start(self, volunteer: Person) -> CheckIn:
        """The open check-in to answer now; one on the volunteer's own initiative if none is open."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            current = await checkins.open_for(tx, volunteer.id, now)
            if current is None:
                checkin_id = await checkins.create_adhoc(tx, volunteer.id, now)
                current = await checkins.get(tx, checkin_id)
            else:
                # Answering now: no prompt or reminder needed any more.
                await checkins.mark_prompted(tx, current.id, now, None)
                await checkins.mark_reminded(tx, current.id, now)
        assert current is not None
        return current

    async def _own_open(self, tx: Tx, volunteer: Person, checkin_id: int) -> CheckIn:
        checkin = await checkins.get(tx, checkin_id)
        if checkin is None or checkin.volunteer_id != volunteer.id:
            raise Refused("button.expired")
        if checkin.state == "answered":
            raise Refused("ci.already_answered")
        if checkin.state != "open":
            raise Refused("ci.already_closed")
        return checkin

    async def answer(
        self, volunteer: Person, checkin_id: int, column: str, value: object, *, shown_in: int | None = None
    ) -> CheckIn:
        """Store one answer. shown_in: the message the volunteer answers in (a copy that keeps its buttons)."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            checkin = await self._own_open(tx, volunteer, checkin_id)
            await checkins.set_answer(tx, checkin_id, column, value)
            if column == "hours":
                # The first answer counts as answering: no reminder for a check-in being filled in.
                await checkins.mark_reminded(tx, checkin_id, now)
                if checkin.hours is None:  # answered here: the other copies of the question lose their buttons
                    await retire_copies(tx, checkin_id, "ci.copy.answered", now, shown_in=shown_in)
            updated = await checkins.get(tx, checkin_id)
        if column == "hours" and checkin.hours is None:
            self._wake()
        assert updated is not None
        return updated

    async def finish(self, volunteer: Person, checkin_id: int, comment: str | None) -> Recognition:
        if comment is not None and len(comment) > COMMENT_LIMIT:
            raise Refused("too_long", limit=COMMENT_LIMIT, length=len(comment))
        now = self._clock.now()
        async with self._wellbeing.exclusive():
            async with self._db.transaction() as tx:
                checkin = await self._own_open(tx, volunteer, checkin_id)
                if checkin.occurrence_id is None:  # on their own initiative: its hours count for a period too
                    await checkins.set_period(tx, checkin_id, await self.rounds.period_ahead(tx, volunteer, now))
                if comment:
                    await checkins.set_answer(tx, checkin_id, "comment", comment)
                await checkins.finish(tx, checkin_id, now)  # due for evaluation, in the same statement
                await drafts.clear(tx, volunteer.id)
                await CHECKIN_TRAIL.record(tx, now, "checkin.answered", checkin_id, actor=volunteer.id)
                recognition = await self._recognition(tx, volunteer, now)
            try:
                concern = await self._wellbeing.evaluate_held(volunteer.id)
            except Exception:
                # Still due: the scheduler's tick evaluates it again. The volunteer is thanked all the same.
                log.exception("check-in %s: wellbeing evaluation failed; tried again next tick", checkin_id)
                concern = None
        return replace(recognition, concern=concern)

    async def _recognition(self, tx: Tx, volunteer: Person, now: datetime) -> Recognition:
        zone = self._settings.app.zone
        local = now.astimezone(zone)
        month_start = datetime(local.year, local.month, 1, tzinfo=zone)
        hours = await checkins.hours_between(tx, volunteer.id, month_start, now)
        agreement = await links.agreement(tx, volunteer.id)
        days = calendar.monthrange(local.year, local.month)[1]
        agreed = None if agreement is None else agreement.hours_per_week * days / 7
        return Recognition(month_hours=hours, agreed_month_hours=agreed)

    async def recognition(self, volunteer: Person) -> Recognition:
        async with self._db.transaction() as tx:
            return await self._recognition(tx, volunteer, self._clock.now())

    # --- pause and overview -----------------------------------------------------------------------

    async def pause(self, volunteer: Person, until: datetime | None) -> None:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await checkins.set_pause(tx, volunteer.id, until, now)
            await PERSON_TRAIL.record(tx, now, "checkin.paused", volunteer.id, actor=volunteer.id)

    async def resume(self, volunteer: Person) -> bool:
        async with self._db.transaction() as tx:
            return await checkins.clear_pause(tx, volunteer.id)

    async def pause_of(self, volunteer: Person) -> tuple[bool, datetime | None]:
        async with self._db.transaction() as tx:
            paused, until = await checkins.pause_of(tx, volunteer.id)
        if paused and until is not None and until <= self._clock.now():
            return False, None
        return paused, until

    async def recent(self, volunteer: Person, limit: int = 5) -> list[CheckIn]:
        async with self._db.transaction() as tx:
            return await checkins.recent(tx, volunteer.id, limit)
