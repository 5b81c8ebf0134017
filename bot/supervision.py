"""Watches the bot's long-lived parts while it runs: one that ends is restarted or the bot stops.

A part that ends unnoticed is the worst failure there is: the bot still answers "Verstuurd" while nothing
is sent, or still runs while nobody's messages are read. So `serve()` checks every part each second.
A part with a restart is started again, logged CRITICAL; a part without one (Telegram polling refused
for good, say) stops `serve()`, so that `samenspel run` exits non-zero and a service manager restarts it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# More restarts than this within RESTART_WINDOW_SECONDS: restarting does not help, stop the bot instead.
MAX_RESTARTS = 5
RESTART_WINDOW_SECONDS = 60.0


class PartEnded(RuntimeError):
    """A long-lived part of the bot ended and could not be restarted: `serve()` stopped because of it."""


def task_failure(task: asyncio.Task[object] | None) -> BaseException | None:
    """Why a task that should run forever ended; None while it runs (or when there is none)."""
    if task is None or not task.done():
        return None
    if task.cancelled():
        return asyncio.CancelledError(f"{task.get_name()} was cancelled")
    return task.exception() or PartEnded(f"{task.get_name()} returned")


@dataclass
class Part:
    """One long-lived part. `failure()` says why it ended (None while it runs); `restart`, if given,
    starts it again."""

    name: str
    failure: Callable[[], BaseException | None]
    restart: Callable[[], object] | None = None
    restarted_at: deque[float] = field(default_factory=deque)

    def restarts_within_window(self, now: float) -> int:
        while self.restarted_at and now - self.restarted_at[0] > RESTART_WINDOW_SECONDS:
            self.restarted_at.popleft()
        return len(self.restarted_at)


class Supervisor:
    def __init__(self, parts: list[Part], *, period: float = 1.0) -> None:
        self._parts = parts
        self._period = period
        self.fatal: BaseException | None = None  # why the bot had to stop, once it had to

    async def run_until(self, stop: asyncio.Event) -> None:
        """Check every part each period until `stop` is set or a part ended for good (then `fatal`)."""
        while not stop.is_set():
            if not self.check():
                return
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=self._period)

    def check(self) -> bool:
        """Restart what ended and may be restarted; False when the bot has to stop."""
        for part in self._parts:
            failure = part.failure()
            if failure is None:
                continue
            now = time.monotonic()
            if part.restart is not None and part.restarts_within_window(now) < MAX_RESTARTS:
                log.critical("%s ended (%r); restarting it", part.name, failure, exc_info=failure)
                part.restarted_at.append(now)
                try:
                    part.restart()
                    continue
                except Exception as exc:
                    log.critical("%s could not be restarted", part.name, exc_info=exc)
                    failure = exc
            log.critical("%s ended (%r) for good; stopping the bot", part.name, failure, exc_info=failure)
            self.fatal = failure
            return False
        return True
