"""The check-in timer: scheduled occurrences fanned out to volunteers, prompts, reminders, closing.

Each scheduled occurrence is keyed by (schedule, fire time) and each volunteer's check-in by
(volunteer, occurrence), so a restart in the middle of a fan-out sends nobody a second prompt and
misses nobody. Prompts go through the outbox in the same transaction that marks them sent. The prompt and
the reminder are copies of the hours question: once it is answered (wherever) or the check-in closes,
they lose their buttons.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.domain.models import Draft, Person, Role
from bot.domain.schedule import QuietHours, after_quiet_hours, next_occurrence, previous_occurrence
from bot.services.base import Service, Trail, zone_of
from bot.services.checkins.render import hours_keyboard
from bot.services.checkins.schedules import rule_of
from bot.services.checkins.wellbeing import WellbeingWatch
from bot.services.notify import notify, retire_buttons
from storage import checkins, drafts, outbox, people
from storage.checkins import CheckIn, Schedule
from storage.db import Database, Tx

FANOUT_BATCH = 500
PROMPT_BATCH = 100
SCHEDULE_TRAIL = Trail("schedule")
CHECKIN_TRAIL = Trail("checkin")
SUBJECT = "checkin"  # the outbox subject of a check-in's prompt and reminder


async def _ask_hours(tx: Tx, volunteer: Person, checkin_id: int, copy: str, now: datetime) -> None:
    """A copy of the hours question ("prompt" or "reminder"), filed under the check-in so it can be retired."""
    keyboard = hours_keyboard(volunteer.language, checkin_id)
    await notify(
        tx,
        volunteer,
        f"ci.{copy}",
        now,
        keyboard=keyboard,
        name=volunteer.name,
        subject_type=SUBJECT,
        subject_id=checkin_id,
        purpose=f"checkin.{copy}",
    )


async def retire_copies(tx: Tx, checkin_id: int, note_key: str, now: datetime, *, shown_in: int | None = None) -> None:
    """The copies of the hours question (prompt, reminder) lose their buttons and say why, but for the message
    `shown_in` (the one the volunteer is answering in, edited by the flow itself)."""
    for copy in await outbox.for_subject(tx, SUBJECT, checkin_id):
        if copy.keyboard is not None and (shown_in is None or copy.telegram_message_id != shown_in):
            await retire_buttons(tx, copy, note_key, now)


def _period(schedule: Schedule) -> timedelta:
    """How long before an occurrence an answer on the volunteer's own initiative counts for it."""
    return timedelta(days=7 * schedule.every_weeks)


def _reaches(schedule: Schedule, volunteer: Person) -> bool:
    """Whether the schedule's fan-out includes this volunteer (as `_targets` picks them)."""
    if schedule.audience == "volunteer":
        return schedule.volunteer_id == volunteer.id
    if schedule.audience == "team":
        return schedule.team_id is not None and schedule.team_id == volunteer.team_id
    return schedule.audience == "everyone"


class CheckInRounds(Service):
    def __init__(
        self, db: Database, clock: Clock, settings: Settings, wake: Callable[[], None], wellbeing: WellbeingWatch
    ) -> None:
        super().__init__(db, clock, settings, wake)
        self._wellbeing = wellbeing

    @property
    def _quiet(self) -> QuietHours:
        config = self._settings.checkins
        return QuietHours(start=config.quiet_start, end=config.quiet_end)

    def _allowed_at(self, moment: datetime, volunteer: Person) -> datetime:
        """moment, or when the volunteer's quiet hours end if it falls in them."""
        return after_quiet_hours(moment, self._quiet, str(zone_of(volunteer, self._settings)))

    async def tick(self, now: datetime) -> int:
        done = await self._fire_schedules(now)
        done += await self._send_prompts(now)
        done += await self._send_reminders(now)
        done += await self._close(now)
        done += await self._wellbeing.evaluate_due()
        if done:
            self._wake()
        return done

    # --- fan-out ------------------------------------------------------------------------------------

    def _fire_times(self, schedule: Schedule, now: datetime) -> tuple[datetime | None, datetime]:
        """What the tick does with a due schedule at `now`: the occurrence it fans out (None: none) and the
        next fire time. Down for a while: only the latest missed occurrence, and only while it is still open."""
        rule = rule_of(schedule, self._settings.app.timezone)
        close_after = timedelta(minutes=schedule.close_after_minutes)
        latest = previous_occurrence(rule, now)
        if (
            latest is not None
            and latest + close_after > now
            and (schedule.next_fire_at is None or latest >= schedule.next_fire_at)
        ):
            return latest, next_occurrence(rule, now)
        return None, next_occurrence(rule, now)

    async def _fire_schedules(self, now: datetime) -> int:
        async with self._db.transaction() as tx:
            due = await checkins.due_schedules(tx, now)
        fired = 0
        for schedule in due:
            fire_at, upcoming = self._fire_times(schedule, now)
            async with self._db.transaction() as tx:
                if fire_at is not None:
                    closes_at = fire_at + timedelta(minutes=schedule.close_after_minutes)
                    await self._fan_out(tx, schedule, fire_at, closes_at, now)
                    fired += 1
                await checkins.set_next_fire(tx, schedule.id, upcoming)
        return fired

    async def period_ahead(self, tx: Tx, volunteer: Person, now: datetime) -> datetime | None:
        """The scheduled check-in an answer given now on the volunteer's own initiative will count for: the
        first occurrence whose fan-out takes it as answered early (see `_fan_out`). None: no schedule reaches
        the volunteer that soon, or they will be excused from it (paused)."""
        paused, until = await checkins.pause_of(tx, volunteer.id)
        ahead: list[datetime] = []
        for schedule in await checkins.schedules(tx):
            if schedule.paused or schedule.next_fire_at is None or not _reaches(schedule, volunteer):
                continue
            fire_at = schedule.next_fire_at
            if fire_at <= now:  # due, and the tick has not come yet: it fans out what it finds then
                fan_out, upcoming = self._fire_times(schedule, now)
                fire_at = fan_out or upcoming
            excused = paused and (until is None or until > fire_at)
            if not excused and now > fire_at - _period(schedule):
                ahead.append(fire_at)
        return min(ahead, default=None)

    async def _targets(self, tx: Tx, schedule: Schedule) -> list[Person]:
        if schedule.audience == "volunteer":
            person = await people.get(tx, schedule.volunteer_id or 0)
            return [person] if person is not None and person.active and person.is_volunteer else []
        team = schedule.team_id if schedule.audience == "team" else None
        return await people.active_with_role(tx, Role.VOLUNTEER, team)

    async def _fan_out(self, tx: Tx, schedule: Schedule, fire_at: datetime, closes_at: datetime, now: datetime) -> None:
        occurrence = await checkins.claim_occurrence(tx, schedule.id, fire_at, closes_at, now)
        paused = await checkins.paused_volunteers(tx, now)
        period = _period(schedule)
        rows: list[tuple[int, str, datetime | None, datetime]] = []
        for volunteer in await self._targets(tx, schedule):
            if volunteer.id in paused:
                rows.append((volunteer.id, "excused", None, closes_at))
                continue
            early = await checkins.early_answer(tx, volunteer.id, fire_at - period)
            if early is not None:
                await checkins.attach(tx, early, occurrence)  # answered early: counts for this one
                continue
            rows.append((volunteer.id, "open", self._allowed_at(max(fire_at, now), volunteer), closes_at))
        await checkins.add_for_occurrence(tx, occurrence, rows, now)
        await SCHEDULE_TRAIL.record(
            tx, now, "schedule.fired", schedule.id, fire_at=fire_at.isoformat(), volunteers=len(rows)
        )

    # --- prompts and reminders ------------------------------------------------------------------------

    async def _send_prompts(self, now: datetime) -> int:
        sent = 0
        while True:
            # Small transactions, and delivery woken after each: sending starts while the rest of a
            # large fan-out is still being queued, and delivery is never kept from the database long.
            async with self._db.transaction() as tx:
                due = await checkins.due_prompts(tx, now, PROMPT_BATCH)
                for checkin in due:
                    sent += await self._prompt(tx, checkin, now)
            if due:
                self._wake()
            if len(due) < PROMPT_BATCH:
                return sent

    async def _prompt(self, tx: Tx, checkin: CheckIn, now: datetime) -> int:
        volunteer = await people.get(tx, checkin.volunteer_id)
        if volunteer is None or not volunteer.active:
            await checkins.mark_missed(tx, checkin.id, now)
            return 0
        allowed = self._allowed_at(now, volunteer)
        if allowed > now:  # quiet hours began after the prompt was planned
            await checkins.postpone_prompt(tx, checkin.id, allowed)
            return 0
        schedule_minutes = await self._remind_after(tx, checkin)
        remind_at = None
        if schedule_minutes is not None:
            remind_at = self._allowed_at(now + timedelta(minutes=schedule_minutes), volunteer)
            if checkin.closes_at is not None and remind_at >= checkin.closes_at:
                remind_at = None
        if not await checkins.mark_prompted(tx, checkin.id, now, remind_at):
            return 0
        await _ask_hours(tx, volunteer, checkin.id, "prompt", now)
        await drafts.put_if_absent(tx, volunteer.id, Draft("checkin", "hours", {"checkin": checkin.id}), now)
        return 1

    async def _remind_after(self, tx: Tx, checkin: CheckIn) -> int | None:
        if checkin.occurrence_id is None:
            return None
        return await checkins.remind_after_minutes(tx, checkin.occurrence_id)

    async def _send_reminders(self, now: datetime) -> int:
        sent = 0
        async with self._db.transaction() as tx:
            paused = await checkins.paused_volunteers(tx, now)
            for checkin in await checkins.due_reminders(tx, now, FANOUT_BATCH):
                volunteer = await people.get(tx, checkin.volunteer_id)
                if volunteer is None or not volunteer.active or volunteer.id in paused:
                    await checkins.mark_reminded(tx, checkin.id, now)  # no reminders on holiday
                    continue
                allowed = self._allowed_at(now, volunteer)
                if allowed > now:
                    await checkins.postpone_reminder(tx, checkin.id, allowed)
                    continue
                if await checkins.mark_reminded(tx, checkin.id, now):
                    await _ask_hours(tx, volunteer, checkin.id, "reminder", now)
                    sent += 1
        return sent

    # --- closing ------------------------------------------------------------------------------------

    async def _close(self, now: datetime) -> int:
        """Close what is past its time: missed (due for the wellbeing rules in the same statement, run after
        this), or excused while paused. A question never answered loses its buttons."""
        closed = 0
        async with self._db.transaction() as tx:
            paused = await checkins.paused_volunteers(tx, now)
            for checkin in await checkins.due_closing(tx, now, FANOUT_BATCH):
                excused = checkin.volunteer_id in paused
                if not await checkins.mark_missed(tx, checkin.id, now, excused=excused):
                    continue
                if checkin.hours is None:
                    await retire_copies(tx, checkin.id, "ci.copy.closed", now)
                if not excused:
                    await CHECKIN_TRAIL.record(tx, now, "checkin.missed", checkin.id)
                closed += 1
        return closed
