"""The process's counters: timer lateness per scheduler tick."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.metrics import REGISTRY
from bot.scheduler import Scheduler
from tests.support.clock import FakeClock


def _lateness() -> tuple[float, float]:
    count = REGISTRY.get_sample_value("samenspel_timer_lateness_seconds_count") or 0.0
    total = REGISTRY.get_sample_value("samenspel_timer_lateness_seconds_sum") or 0.0
    return count, total


async def test_a_tick_observes_how_long_a_deadline_it_acted_on_can_have_waited() -> None:
    clock = FakeClock(datetime(2026, 12, 1, 12, 0, tzinfo=UTC))
    scheduler = Scheduler(clock)

    async def slow_task(now: datetime) -> None:
        clock.advance(timedelta(seconds=1))  # the task takes a second

    scheduler.register("slow", slow_task)
    count, total = _lateness()
    await scheduler.tick()  # the first tick after start catches up on downtime: a baseline, not lateness
    assert _lateness() == (count, total)
    clock.advance(timedelta(seconds=3))
    await scheduler.tick()
    # Looked at 12:00:00, then at 12:00:04 and done at 12:00:05: a deadline due just after 12:00:00 waited 5 s.
    assert _lateness() == (count + 1, total + 5.0)
