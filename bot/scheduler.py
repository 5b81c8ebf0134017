"""The durable-timer tick: every deadline is a row; each tick lets the services act on what is due.

PTB's JobQueue ticks every `tick_seconds`; between ticks the scheduler also wakes at the next deadline someone
waits on (`next_deadline`, read from the rows after each tick), so an escalation climbs when it is due rather than
up to a tick later. A wake is only an earlier tick: what is due is still read from the database.

Each task runs under its own lock: a task never overlaps itself, but a wake for a deadline does not wait behind
a regular tick that is busy with check-ins or retention (under load that wait was most of an escalation's
lateness in benchmarks.escalation).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime
from typing import Protocol, runtime_checkable

from bot import metrics
from bot.clock import Clock

log = logging.getLogger(__name__)

# How long stopping waits for a regular tick under way; past that the job queue cancels it (its transaction rolls
# back; the next start does it again).
CLOSE_TIMEOUT_SECONDS = 10.0

TickTask = Callable[[datetime], Awaitable[object]]
NextDeadline = Callable[[], Awaitable[datetime | None]]


@runtime_checkable
class ScaledTime(Protocol):
    """A clock whose time does not run at real speed (a benchmark's) says how far away a moment is in real time."""

    def real_seconds_until(self, moment: datetime) -> float: ...


# For a job that must run in one replica at a time: a context that yields whether this replica may run it now.
OnceGate = Callable[[str], AbstractAsyncContextManager[bool]]


class Scheduler:
    """Runs registered tasks with the clock's `now`. PTB's JobQueue (APScheduler) calls `tick`.

    Tasks read their due rows from the database, so a restart loses nothing and overdue
    steps run on the first tick after start.
    """

    def __init__(
        self,
        clock: Clock,
        *,
        next_deadline: NextDeadline | None = None,
        horizon: float = 5.0,
        once_gate: OnceGate | None = None,
    ) -> None:
        self._clock = clock
        self._tasks: list[tuple[str, TickTask]] = []  # what a tick runs (a once-job behind its gate)
        self._registered: list[tuple[str, TickTask]] = []
        self._at_deadline: set[str] = set()  # the tasks a wake runs: those whose deadlines next_deadline reads
        self._locks: dict[str, asyncio.Lock] = {}  # one per task: a slow run must not overlap the next one
        self._regular: set[asyncio.Future[None]] = set()  # regular ticks running (each done when it ends)
        self._closing = False
        self._next_deadline = next_deadline
        self._horizon = horizon  # real seconds: a deadline further away is left to a regular tick
        self._wake: asyncio.TimerHandle | None = None
        self._woken: set[asyncio.Task[None]] = set()
        self._once_gate = once_gate

    def register(self, name: str, task: TickTask, *, at_deadline: bool = False, once: bool = False) -> None:
        """at_deadline: the task acts on the deadlines `next_deadline` reads, so a wake runs it (and only such).
        `once`: a job for the whole deployment (retention, reviews, notices), not for each replica: with a
        gate (storage.leases.once_per_deployment on PostgreSQL) a replica runs it only while no other does.
        The others (escalations, check-ins, visits) claim their due rows and may run everywhere at once."""
        self._registered.append((name, task))
        gate = self._once_gate
        if once and gate is not None:
            inner = task

            async def task(now: datetime) -> None:
                async with gate(name) as mine:
                    if mine:
                        await inner(now)

        self._tasks.append((name, task))
        self._locks[name] = asyncio.Lock()
        if at_deadline:
            self._at_deadline.add(name)

    @property
    def tasks(self) -> tuple[tuple[str, TickTask], ...]:
        """The registered tasks, in the order each tick runs them (as registered: without the once-gate)."""
        return tuple(self._registered)

    async def tick(self) -> None:
        """Run every task, then plan the next wake."""
        ended: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._regular.add(ended)
        try:
            await self._tick(woken=False)
        finally:
            self._regular.discard(ended)
            ended.set_result(None)

    @property
    def ticking(self) -> bool:
        """A regular tick is running (or `close` was called): the JobQueue's next one has nothing to add."""
        return bool(self._regular) or self._closing

    async def _tick(self, *, woken: bool) -> None:
        """A wake at a deadline runs only the tasks registered `at_deadline`."""
        started = self._clock.now()
        for name, task in self._tasks:
            if woken and name not in self._at_deadline:
                continue
            async with self._locks[name]:
                try:
                    # Read when its turn came: a task that waited for its own earlier run looks at what is due now.
                    await task(max(started, self._clock.now()))
                except asyncio.CancelledError:
                    raise
                except Exception:
                    log.exception("scheduled task %s failed; it runs again next tick", name)
        metrics.tick_done(self, started, self._clock.now())
        await self._plan_wake(started)

    @property
    def wake_planned(self) -> bool:
        """A wake at the next deadline is set (before the next regular tick)."""
        return self._wake is not None

    def stop(self) -> None:
        if self._wake is not None:
            self._wake.cancel()
            self._wake = None
        for task in self._woken:
            task.cancel()

    async def close(self) -> None:
        """Before the job queue stops: no more wakes, and the regular tick under way may finish (for at most
        `timeout` seconds). Otherwise the job queue cancels it half-way and logs "Error running job"."""
        self._closing = True
        self.stop()
        if self._regular:
            await asyncio.wait(set(self._regular), timeout=CLOSE_TIMEOUT_SECONDS)

    def reopen(self) -> None:
        """After `close`: the JobQueue's ticks run again (a restart of the same application)."""
        self._closing = False

    async def _plan_wake(self, ticked_at: datetime) -> None:
        """Wake for the next deadline if it comes before the regular tick could be expected to find it; at once
        if it fell due while this tick worked."""
        if self._next_deadline is None:
            return
        try:
            deadline = await self._next_deadline()
        except Exception:
            log.exception("could not read the next deadline; the regular tick finds it")
            return
        # Due when this tick began, and still there: its task failed or skipped it; the regular tick retries it
        # (no busy loop).
        if deadline is None or deadline <= ticked_at:
            return
        clock = self._clock
        delay = (
            clock.real_seconds_until(deadline)
            if isinstance(clock, ScaledTime)
            else (deadline - clock.now()).total_seconds()
        )
        if delay > self._horizon:
            return
        delay = max(0.0, delay)
        if self._wake is not None:
            self._wake.cancel()
        self._wake = asyncio.get_running_loop().call_later(delay, self._woke)

    def _woke(self) -> None:
        self._wake = None
        task = asyncio.create_task(self._tick(woken=True), name="samenspel-tick-at-deadline")
        self._woken.add(task)
        task.add_done_callback(self._woken.discard)
