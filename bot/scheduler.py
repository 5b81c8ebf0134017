"""The durable-timer tick: every deadline is a row; each tick lets the services act on what is due."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime

from bot import metrics
from bot.clock import Clock

log = logging.getLogger(__name__)

TickTask = Callable[[datetime], Awaitable[object]]
# For a job that must run in one replica at a time: a context that yields whether this replica may run it now.
OnceGate = Callable[[str], AbstractAsyncContextManager[bool]]


class Scheduler:
    """Runs registered tasks with the clock's `now`. PTB's JobQueue (APScheduler) calls `tick`.

    Tasks read their due rows from the database, so a restart loses nothing and overdue
    steps run on the first tick after start.
    """

    def __init__(self, clock: Clock, once_gate: OnceGate | None = None) -> None:
        self._clock = clock
        self._tasks: list[tuple[str, TickTask]] = []
        self._lock = asyncio.Lock()
        self._once_gate = once_gate

    def register(self, name: str, task: TickTask, *, once: bool = False) -> None:
        """`once`: a job for the whole deployment (retention, reviews, notices), not for each replica: with a
        gate (storage.leases.once_per_deployment on PostgreSQL) a replica runs it only while no other does.
        The others (escalations, check-ins, visits) claim their due rows and may run everywhere at once."""
        gate = self._once_gate
        if once and gate is not None:
            inner = task

            async def task(now: datetime) -> None:
                async with gate(name) as mine:
                    if mine:
                        await inner(now)

        self._tasks.append((name, task))

    @property
    def tasks(self) -> tuple[tuple[str, TickTask], ...]:
        """The registered tasks, in the order each tick runs them."""
        return tuple(self._tasks)

    async def tick(self) -> None:
        # One tick at a time: a slow tick must not overlap the next one.
        async with self._lock:
            now = self._clock.now()
            for name, task in self._tasks:
                try:
                    await task(now)
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("scheduled task %s failed; it runs again next tick", name)
            metrics.tick_done(self, now, self._clock.now())
