"""Check-in schedules, the coordinator's (and the command line's) side: add, list, pause, resume, delete."""

from __future__ import annotations

from datetime import time, timedelta

from bot.domain.models import Person
from bot.domain.schedule import ScheduleRule, next_occurrence
from bot.services.base import Service, Trail, coordinators_only
from bot.services.errors import Refused
from storage import checkins, people
from storage.checkins import Schedule

SCHEDULE_TRAIL = Trail("schedule")
# How long a deleted schedule can be brought back.
UNDO_WINDOW = timedelta(minutes=1)


def rule_of(schedule: Schedule, zone: str) -> ScheduleRule:
    return ScheduleRule(
        weekdays=schedule.weekdays,
        local_time=schedule.local_time,
        zone=zone,
        every_weeks=schedule.every_weeks,
        anchor=schedule.anchor,
    )


class Schedules(Service):
    async def add(
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
        coordinators_only(by)
        if audience not in ("everyone", "team", "volunteer"):
            raise ValueError("audience must be everyone, team or volunteer")
        now = self._clock.now()
        config = self._settings.checkins
        anchor = now.astimezone(self._settings.app.zone).date()
        anchor -= timedelta(days=anchor.weekday())
        zone = self._settings.app.timezone
        rule = ScheduleRule(weekdays=weekdays, local_time=local_time, zone=zone, every_weeks=every_weeks, anchor=anchor)
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
            await SCHEDULE_TRAIL.record(tx, now, "schedule.created", schedule_id, actor=by.id if by else None)
            created = await checkins.schedule(tx, schedule_id)
        assert created is not None
        return created

    async def all(self) -> list[Schedule]:
        async with self._db.transaction() as tx:
            return await checkins.schedules(tx)

    async def set_paused(self, by: Person | None, schedule_id: int, paused: bool) -> Schedule:
        coordinators_only(by)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            schedule = await checkins.schedule(tx, schedule_id)
            if schedule is None:
                raise Refused("schedule.gone")
            # Resuming starts from the next occurrence: what fell in the pause is not sent late.
            upcoming = None if paused else next_occurrence(rule_of(schedule, self._settings.app.timezone), now)
            await checkins.set_paused(tx, schedule_id, paused, upcoming)
            event = "schedule.paused" if paused else "schedule.resumed"
            await SCHEDULE_TRAIL.record(tx, now, event, schedule_id, actor=by.id if by else None)
            updated = await checkins.schedule(tx, schedule_id)
        assert updated is not None
        return updated

    async def delete(self, by: Person | None, schedule_id: int) -> None:
        """No more check-ins from it; `undo_delete` brings it back within UNDO_WINDOW."""
        coordinators_only(by)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            if not await checkins.delete_schedule_at(tx, schedule_id, now):
                raise Refused("schedule.gone")
            await SCHEDULE_TRAIL.record(tx, now, "schedule.deleted", schedule_id, actor=by.id if by else None)

    async def undo_delete(self, by: Person | None, schedule_id: int) -> Schedule:
        """The schedule as it was, firing from its next occurrence (what fell in between is not sent late)."""
        coordinators_only(by)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            restored = await checkins.restore_schedule(tx, schedule_id, now - UNDO_WINDOW)
            if restored is None:
                raise Refused("schedule.undo_too_late")
            if not restored.paused:
                upcoming = next_occurrence(rule_of(restored, self._settings.app.timezone), now)
                await checkins.set_next_fire(tx, schedule_id, upcoming)
            await SCHEDULE_TRAIL.record(tx, now, "schedule.restored", schedule_id, actor=by.id if by else None)
            updated = await checkins.schedule(tx, schedule_id)
        assert updated is not None
        return updated
