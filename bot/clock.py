"""Time sources. Everything that needs `now` asks a Clock, so the sandbox (and the tests' own clock) can move
time."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current time, timezone-aware, in UTC."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class ShiftedClock:
    """Real time plus an offset that can be moved forward (the sandbox's clock control)."""

    def __init__(self) -> None:
        self._offset = timedelta()
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return datetime.now(UTC) + self._offset

    def advance(self, delta: timedelta) -> None:
        if delta < timedelta():
            raise ValueError("time only moves forward")
        with self._lock:
            self._offset += delta

    def advance_to(self, moment: datetime) -> None:
        """Jump to ``moment`` (timezone-aware, not in the past); real time runs on from there."""
        if moment.tzinfo is None:
            raise ValueError("moment must be timezone-aware")
        with self._lock:
            delta = moment - (datetime.now(UTC) + self._offset)
            if delta < timedelta():
                raise ValueError("time only moves forward")
            self._offset += delta

    @property
    def offset(self) -> timedelta:
        """How far this clock is ahead of real time."""
        with self._lock:
            return self._offset
