"""Check-ins that watch over volunteers: schedules, fan-out, reminders, answers, wellbeing alerts.

Each scheduled occurrence is keyed by (schedule, fire time) and each volunteer's check-in by
(volunteer, occurrence), so a restart in the middle of a fan-out sends nobody a second prompt and
misses nobody. Prompts go through the outbox in the same transaction that marks them sent.
"""

from __future__ import annotations

import calendar
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.domain.callbacks import pack
from bot.domain.escalation import Kind, Urgency
from bot.domain.models import Draft, Person, Role
from bot.domain.onboarding import format_hours
from bot.domain.schedule import (
    QuietHours,
    ScheduleRule,
    after_quiet_hours,
    next_occurrence,
    previous_occurrence,
)
from bot.domain.wellbeing import CheckInRecord, ContactOutside, Finding, Flag, evaluate
from bot.i18n import Amount, plain
from bot.services.errors import Refused
from bot.services.escalations import EscalationService
from bot.services.notify import notify
from storage import audit, checkins, drafts, escalations, links, people
from storage.checkins import CheckIn, Schedule
from storage.db import Database, Tx

log = logging.getLogger(__name__)

FANOUT_BATCH = 500
PROMPT_BATCH = 100
HOURS_BUCKETS: dict[str, float] = {"0": 0.0, "1-2": 1.5, "3-4": 3.5, "5-8": 6.5, "9-12": 10.5, "12+": 13.0}
MAX_TYPED_HOURS = 100.0
COMMENT_LIMIT = 1000


@dataclass(frozen=True)
class Recognition:
    month_hours: float
    agreed_month_hours: float | None


def hours_keyboard(lang: str, checkin_id: int) -> list[list[dict[str, str]]]:
    labels = {
        "0": "0",
        "1-2": "1-2",
        "3-4": "3-4",
        "5-8": "5-8",
        "9-12": "9-12",
        "12+": plain(lang, "ci.more_than_12"),
    }
    keys = list(HOURS_BUCKETS)
    buttons = [{"text": labels[k], "data": pack("ci", "h", checkin_id, k.replace("+", "p"))} for k in keys]
    return [buttons[:3], buttons[3:]]


def rule_of(schedule: Schedule, zone: str) -> ScheduleRule:
    return ScheduleRule(
        weekdays=schedule.weekdays,
        local_time=schedule.local_time,
        zone=zone,
        every_weeks=schedule.every_weeks,
        anchor=schedule.anchor,
    )


class CheckInService:
    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        wake_delivery: Callable[[], None],
        escalation_service: EscalationService,
    ) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._wake = wake_delivery
        self._escalations = escalation_service

    @property
    def _zone(self) -> str:
        return self._settings.app.timezone

    @property
    def _quiet(self) -> QuietHours:
        config = self._settings.checkins
        return QuietHours(start=config.quiet_start, end=config.quiet_end)

    def _person_zone(self, person: Person) -> str:
        return person.timezone or self._zone

    # --- schedules --------------------------------------------------------------------------------

    async def add_schedule(
        self,
        by: Person | None,
        *,
        audience: str,
        team_id: int | None = None,
        volunteer_id: int | None = None,
        weekdays: frozenset[int],
        local_time: time,
        every_weeks: int = 1,
        remind_after_minutes: int | None = None,
        close_after_minutes: int | None = None,
    ) -> Schedule:
        if by is not None and not by.is_coordinator:
            raise Refused("not_allowed")
        if audience not in ("everyone", "team", "volunteer"):
            raise ValueError("audience must be everyone, team or volunteer")
        now = self._clock.now()
        config = self._settings.checkins
        anchor = now.astimezone(self._settings.app.zone).date()
        anchor -= timedelta(days=anchor.weekday())
        rule = ScheduleRule(
            weekdays=weekdays, local_time=local_time, zone=self._zone, every_weeks=every_weeks, anchor=anchor
        )
        remind = remind_after_minutes if remind_after_minutes is not None else int(config.remind_after_hours * 60)
        close = close_after_minutes if close_after_minutes is not None else int(config.close_after_hours * 60)
        if remind >= close:
            raise ValueError("the reminder must come before the check-in closes")
        async with self._db.transaction() as tx:
            if audience == "team" and (team_id is None or await people.team(tx, team_id) is None):
                raise Refused("button.expired")
            if audience == "volunteer":
                volunteer = await people.get(tx, volunteer_id or 0)
                if volunteer is None or not volunteer.active or not volunteer.is_volunteer:
                    raise Refused("flow.person_gone")
            schedule_id = await checkins.create_schedule(
                tx,
                audience=audience,
                team_id=team_id if audience == "team" else None,
                volunteer_id=volunteer_id if audience == "volunteer" else None,
                weekdays=weekdays,
                local_time=local_time,
                every_weeks=every_weeks,
                anchor=anchor,
                remind_after_minutes=remind,
                close_after_minutes=close,
                next_fire_at=next_occurrence(rule, now),
                created_by=by.id if by else None,
                now=now,
            )
            await audit.record(
                tx,
                now=now,
                event="schedule.created",
                actor_id=by.id if by else None,
                subject_type="schedule",
                subject_id=schedule_id,
            )
            created = await checkins.schedule(tx, schedule_id)
        assert created is not None
        return created

    async def schedules(self) -> list[Schedule]:
        async with self._db.transaction() as tx:
            return await checkins.schedules(tx)

    async def set_schedule_paused(self, by: Person | None, schedule_id: int, paused: bool) -> Schedule:
        if by is not None and not by.is_coordinator:
            raise Refused("not_allowed")
        now = self._clock.now()
        async with self._db.transaction() as tx:
            schedule = await checkins.schedule(tx, schedule_id)
            if schedule is None:
                raise Refused("schedule.gone")
            # Resuming starts from the next occurrence: what fell in the pause is not sent late.
            upcoming = None if paused else next_occurrence(rule_of(schedule, self._zone), now)
            await checkins.set_paused(tx, schedule_id, paused, upcoming)
            await audit.record(
                tx,
                now=now,
                event="schedule.paused" if paused else "schedule.resumed",
                actor_id=by.id if by else None,
                subject_type="schedule",
                subject_id=schedule_id,
            )
            updated = await checkins.schedule(tx, schedule_id)
        assert updated is not None
        return updated

    async def delete_schedule(self, by: Person | None, schedule_id: int) -> None:
        if by is not None and not by.is_coordinator:
            raise Refused("not_allowed")
        now = self._clock.now()
        async with self._db.transaction() as tx:
            if not await checkins.delete_schedule(tx, schedule_id):
                raise Refused("schedule.gone")
            await audit.record(
                tx,
                now=now,
                event="schedule.deleted",
                actor_id=by.id if by else None,
                subject_type="schedule",
                subject_id=schedule_id,
            )

    # --- the timer --------------------------------------------------------------------------------

    async def tick(self, now: datetime) -> int:
        done = await self._fire_schedules(now)
        done += await self._send_prompts(now)
        done += await self._send_reminders(now)
        done += await self._close(now)
        if done:
            self._wake()
        return done

    async def _fire_schedules(self, now: datetime) -> int:
        async with self._db.transaction() as tx:
            due = await checkins.due_schedules(tx, now)
        fired = 0
        for schedule in due:
            rule = rule_of(schedule, self._zone)
            close_after = timedelta(minutes=schedule.close_after_minutes)
            # Down for a while: only the latest missed occurrence, and only while it is still open.
            latest = previous_occurrence(rule, now)
            upcoming = next_occurrence(rule, now)
            async with self._db.transaction() as tx:
                if (
                    latest is not None
                    and latest + close_after > now
                    and (schedule.next_fire_at is None or latest >= schedule.next_fire_at)
                ):
                    await self._fan_out(tx, schedule, latest, latest + close_after, now)
                    fired += 1
                await checkins.set_next_fire(tx, schedule.id, upcoming)
        return fired

    async def _targets(self, tx: Tx, schedule: Schedule) -> list[Person]:
        if schedule.audience == "volunteer":
            person = await people.get(tx, schedule.volunteer_id or 0)
            return [person] if person is not None and person.active and person.is_volunteer else []
        team = schedule.team_id if schedule.audience == "team" else None
        return await people.active_with_role(tx, Role.VOLUNTEER, team)

    async def _fan_out(self, tx: Tx, schedule: Schedule, fire_at: datetime, closes_at: datetime, now: datetime) -> None:
        occurrence = await checkins.claim_occurrence(tx, schedule.id, fire_at, closes_at, now)
        paused = await checkins.paused_volunteers(tx, now)
        period = timedelta(days=7 * schedule.every_weeks)
        rows: list[tuple[int, str, datetime | None, datetime]] = []
        for volunteer in await self._targets(tx, schedule):
            if volunteer.id in paused:
                rows.append((volunteer.id, "excused", None, closes_at))
                continue
            early = await checkins.early_answer(tx, volunteer.id, fire_at - period)
            if early is not None:
                await checkins.attach(tx, early, occurrence)  # answered early: counts for this one
                continue
            prompt_at = after_quiet_hours(max(fire_at, now), self._quiet, self._person_zone(volunteer))
            rows.append((volunteer.id, "open", prompt_at, closes_at))
        await checkins.add_for_occurrence(tx, occurrence, rows, now)
        await audit.record(
            tx,
            now=now,
            event="schedule.fired",
            subject_type="schedule",
            subject_id=schedule.id,
            detail={"fire_at": fire_at.isoformat(), "volunteers": len(rows)},
        )

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
        zone = self._person_zone(volunteer)
        allowed = after_quiet_hours(now, self._quiet, zone)
        if allowed > now:  # quiet hours began after the prompt was planned
            await checkins.postpone_prompt(tx, checkin.id, allowed)
            return 0
        schedule_minutes = await self._remind_after(tx, checkin)
        remind_at = None
        if schedule_minutes is not None:
            remind_at = after_quiet_hours(now + timedelta(minutes=schedule_minutes), self._quiet, zone)
            if checkin.closes_at is not None and remind_at >= checkin.closes_at:
                remind_at = None
        if not await checkins.mark_prompted(tx, checkin.id, now, remind_at):
            return 0
        lang = volunteer.language
        await notify(tx, volunteer, "ci.prompt", now, keyboard=hours_keyboard(lang, checkin.id), name=volunteer.name)
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
                allowed = after_quiet_hours(now, self._quiet, self._person_zone(volunteer))
                if allowed > now:
                    await checkins.postpone_reminder(tx, checkin.id, allowed)
                    continue
                if await checkins.mark_reminded(tx, checkin.id, now):
                    await notify(
                        tx,
                        volunteer,
                        "ci.reminder",
                        now,
                        keyboard=hours_keyboard(volunteer.language, checkin.id),
                        name=volunteer.name,
                    )
                    sent += 1
        return sent

    async def _close(self, now: datetime) -> int:
        closed: list[int] = []
        async with self._db.transaction() as tx:
            paused = await checkins.paused_volunteers(tx, now)
            for checkin in await checkins.due_closing(tx, now, FANOUT_BATCH):
                if checkin.volunteer_id in paused:
                    await checkins.mark_missed(tx, checkin.id, now, excused=True)
                    continue
                if await checkins.mark_missed(tx, checkin.id, now):
                    await audit.record(
                        tx, now=now, event="checkin.missed", subject_type="checkin", subject_id=checkin.id
                    )
                    closed.append(checkin.volunteer_id)
        for volunteer_id in set(closed):
            await self._evaluate(volunteer_id)
        return len(closed)

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
        if checkin.state != "open":
            raise Refused("ci.already_closed")
        return checkin

    async def answer(self, volunteer: Person, checkin_id: int, column: str, value: object) -> CheckIn:
        async with self._db.transaction() as tx:
            await self._own_open(tx, volunteer, checkin_id)
            await checkins.set_answer(tx, checkin_id, column, value)
            if column == "hours":
                # The first answer counts as answering: no reminder for a check-in being filled in.
                await checkins.mark_reminded(tx, checkin_id, self._clock.now())
            updated = await checkins.get(tx, checkin_id)
        assert updated is not None
        return updated

    async def finish(self, volunteer: Person, checkin_id: int, comment: str | None) -> Recognition:
        if comment is not None and len(comment) > COMMENT_LIMIT:
            raise Refused("too_long", limit=COMMENT_LIMIT, length=len(comment))
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await self._own_open(tx, volunteer, checkin_id)
            if comment:
                await checkins.set_answer(tx, checkin_id, "comment", comment)
            await checkins.finish(tx, checkin_id, now)
            await drafts.clear(tx, volunteer.id)
            await audit.record(
                tx,
                now=now,
                event="checkin.answered",
                actor_id=volunteer.id,
                subject_type="checkin",
                subject_id=checkin_id,
            )
            recognition = await self._recognition(tx, volunteer, now)
        await self._evaluate(volunteer.id)
        return recognition

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

    # --- wellbeing --------------------------------------------------------------------------------

    async def _evaluate(self, volunteer_id: int) -> list[Finding]:
        """Run the wellbeing rules; raise an alert per new flag (never twice while one is open)."""
        now = self._clock.now()
        thresholds = self._settings.wellbeing.thresholds()
        async with self._db.transaction() as tx:
            volunteer = await people.get(tx, volunteer_id)
            if volunteer is None or not volunteer.active:
                return []
            rows = await checkins.history(tx, volunteer_id, now - timedelta(days=thresholds.window_days * 3))
            agreement = await links.agreement(tx, volunteer_id)
            open_flags = await escalations.open_wellbeing_flags(tx, volunteer_id)
        records = [
            CheckInRecord(
                at=row.answered_at or row.created_at,
                missed=row.state == "missed",
                hours=row.hours if row.state == "answered" else None,
                energy=row.energy if row.state == "answered" else None,
                contact_outside=ContactOutside(row.contact_outside) if row.contact_outside else None,
                private_life=row.private_life,
                beyond_role=row.beyond_role,
            )
            for row in rows
        ]
        findings = evaluate(
            records,
            agreed_hours_per_week=agreement.hours_per_week if agreement else None,
            now=now,
            zone=self._zone,
            thresholds=thresholds,
        )
        raised = []
        for finding in findings:
            if finding.flag.value in open_flags:
                continue
            body = self._describe(finding, volunteer)
            result = await self._escalations.raise_item(
                volunteer,
                kind=Kind.WELLBEING,
                link_id=None,
                category=finding.flag.value,
                urgency=Urgency.CONCERN,
                body=body,
            )
            if result is not None:
                raised.append(finding)
        return raised

    def _describe(self, finding: Finding, volunteer: Person) -> str:
        """What was seen, in plain words and the recent numbers, in the organisation's language."""
        lang = self._settings.app.language
        ev = dict(finding.evidence)
        name = volunteer.name
        if finding.flag is Flag.TIME_OVERLOAD:
            if "window_hours" in ev:
                return plain(
                    lang,
                    "wb.body.time_window",
                    name=name,
                    hours=Amount("amount.hours", format_hours(float(ev["window_hours"]), lang)),
                    agreed=format_hours(float(ev["agreed_hours"]), lang),
                    weeks=Amount("amount.weeks", ev.get("weeks", 4)),
                )
            return plain(
                lang,
                "wb.body.time_week",
                name=name,
                hours=Amount("amount.hours", format_hours(float(ev["week_hours"]), lang)),
                agreed=format_hours(float(ev["agreed_weekly"]), lang),
                week=ev.get("week", ""),
            )
        if finding.flag is Flag.ENERGY:
            if "average" in ev and "in_a_row" not in ev:
                return plain(
                    lang,
                    "wb.body.energy_drop",
                    name=name,
                    latest=ev["latest"],
                    average=format_hours(float(ev["average"]), lang),
                )
            return plain(lang, "wb.body.energy_low", name=name, latest=ev["latest"], count=ev.get("in_a_row", 2))
        if finding.flag is Flag.MISSED:
            return plain(lang, "wb.body.missed", name=name, count=ev.get("missed", 2))
        if finding.flag is Flag.BOUNDARIES and ev.get("latest") == "several":
            return plain(lang, "wb.body.boundaries_several", name=name)
        return plain(
            lang,
            f"wb.body.{finding.flag.value}",
            name=name,
            count=ev.get("count", 1),
            days=Amount("amount.days", ev.get("days", 28)),
        )

    # --- pause and overview -----------------------------------------------------------------------

    async def pause(self, volunteer: Person, until: datetime | None) -> None:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await checkins.set_pause(tx, volunteer.id, until, now)
            await audit.record(
                tx,
                now=now,
                event="checkin.paused",
                actor_id=volunteer.id,
                subject_type="person",
                subject_id=volunteer.id,
            )

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
