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
