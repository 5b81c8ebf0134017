"""The scheduler wakes at the next deadline between its regular ticks, and runs only the tasks that act on it."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bot.scheduler import Scheduler

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


class SlowTime:
    """A clock standing still that says how far a moment is in real time (as a benchmark's scaled clock does)."""

    def __init__(self, real_seconds: float) -> None:
        self.real_seconds = real_seconds

    def now(self) -> datetime:
        return NOW

    def real_seconds_until(self, moment: datetime) -> float:
        return self.real_seconds


async def test_a_deadline_before_the_next_regular_tick_wakes_the_deadline_tasks_only() -> None:
    woken = asyncio.Event()
    ran: list[str] = []

    async def escalations(now: datetime) -> None:
        ran.append("escalations")
        if len(ran) > 2:
            woken.set()

    async def retention(now: datetime) -> None:
        ran.append("retention")

    async def next_deadline() -> datetime:
        return NOW + timedelta(minutes=1)  # in the future; 10 ms away in real time

    scheduler = Scheduler(SlowTime(0.01), next_deadline=next_deadline, horizon=5.0)
    scheduler.register("escalations", escalations, at_deadline=True)
    scheduler.register("retention", retention)
    await scheduler.tick()
    await asyncio.wait_for(woken.wait(), timeout=5)
    scheduler.stop()
    assert ran[:3] == ["escalations", "retention", "escalations"]


async def test_no_wake_for_a_deadline_beyond_the_horizon_or_one_already_due_at_the_tick() -> None:
    ran: list[datetime] = []
    deadlines = [NOW + timedelta(minutes=1), NOW]  # far away in real time; due when the tick began (its task failed)

    async def escalations(now: datetime) -> None:
        ran.append(now)

    async def next_deadline() -> datetime:
        return deadlines.pop(0)

    for real_seconds in (10.0, 0.0):
        scheduler = Scheduler(SlowTime(real_seconds), next_deadline=next_deadline, horizon=5.0)
        scheduler.register("escalations", escalations, at_deadline=True)
        await scheduler.tick()
        assert not scheduler.wake_planned  # the regular tick finds it
    assert len(ran) == 2


async def test_a_wake_at_a_deadline_does_not_wait_for_a_slow_task_of_the_regular_tick() -> None:
    """Each task has its own lock: escalations climb while the regular tick is still busy with check-ins."""
    release_checkins = asyncio.Event()
    climbed_again = asyncio.Event()
    ran: list[str] = []

    async def escalations(now: datetime) -> None:
        ran.append("escalations")
        if ran.count("escalations") == 2:
            climbed_again.set()

    async def checkins(now: datetime) -> None:
        ran.append("checkins")
        await release_checkins.wait()

    deadlines: list[datetime | None] = [NOW + timedelta(minutes=1)]  # one deadline, 0 s away in real time

    async def next_deadline() -> datetime | None:
        return deadlines.pop() if deadlines else None

    scheduler = Scheduler(SlowTime(0.0), next_deadline=next_deadline, horizon=5.0)
    scheduler.register("escalations", escalations, at_deadline=True)
    scheduler.register("checkins", checkins)
    first = asyncio.create_task(scheduler.tick())  # sits in check-ins
    # Without the lock per task, this wake would wait until check-ins end: the wait_for times out.
    await asyncio.wait_for(scheduler_wake_then(scheduler, climbed_again), timeout=5)
    assert ran == ["escalations", "checkins", "escalations"]
    release_checkins.set()
    await first
    scheduler.stop()


async def scheduler_wake_then(scheduler: Scheduler, done: asyncio.Event) -> None:
    """Plan the wake as an earlier tick that just finished would (this one is still busy), then wait for `done`."""
    await scheduler._plan_wake(NOW - timedelta(seconds=1))
    await done.wait()


async def test_close_lets_the_regular_tick_under_way_finish_and_the_job_starts_no_new_one() -> None:
    """Stopping the bot waits for a tick under way instead of letting the job queue cancel it half-way (which
    APScheduler logs as "Error running job"); after close the tick job sees `ticking` and returns at once."""
    release = asyncio.Event()
    finished: list[str] = []

    async def checkins(now: datetime) -> None:
        await release.wait()
        finished.append("checkins")

    scheduler = Scheduler(SlowTime(10.0))
    scheduler.register("checkins", checkins)
    tick = asyncio.create_task(scheduler.tick())
    await asyncio.sleep(0)  # the tick is under way, in check-ins
    assert scheduler.ticking
    closing = asyncio.create_task(scheduler.close())
    await asyncio.sleep(0)
    assert not closing.done()  # waits for the tick
    release.set()
    await asyncio.wait_for(closing, timeout=5)
    assert tick.done() and not tick.cancelled() and finished == ["checkins"]
    assert scheduler.ticking  # closed: the job's next run returns at once
    scheduler.reopen()
    assert not scheduler.ticking
