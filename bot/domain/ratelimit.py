"""How many updates one sender may send a minute: a sliding window, kept only in memory.

Pure: the caller passes the (monotonic) time, so tests need no clock. Only the sender's numeric id is held,
for at most one window, which is why strangers can be limited too without storing anything about them.
"""

from __future__ import annotations

import enum
from collections import deque

WINDOW_SECONDS = 60.0


class Verdict(enum.Enum):
    ALLOW = "allow"
    REFUSE_AND_SAY = "refuse_and_say"  # the first refused update in a window: tell them once, politely
    REFUSE = "refuse"  # every further one: drop quietly, so a flood is not answered with a flood


class UpdateLimiter:
    def __init__(self, per_minute: int, window: float = WINDOW_SECONDS) -> None:
        self.per_minute = per_minute
        self.window = window
        self._seen: dict[int, deque[float]] = {}
        self._told: dict[int, float] = {}
        self._last_sweep = float("-inf")

    def check(self, sender: int, now: float) -> Verdict:
        if self.per_minute <= 0:
            return Verdict.ALLOW
        self._sweep(now)
        times = self._seen.setdefault(sender, deque())
        while times and times[0] <= now - self.window:
            times.popleft()
        if len(times) < self.per_minute:
            times.append(now)
            self._told.pop(sender, None)
            return Verdict.ALLOW
        told = self._told.get(sender)
        if told is not None and told > now - self.window:
            return Verdict.REFUSE
        self._told[sender] = now
        return Verdict.REFUSE_AND_SAY

    def tracked(self) -> int:
        """How many senders are held in memory (bounded by those active in the last window)."""
        return len(self._seen)

    def _sweep(self, now: float) -> None:
        # Once a window, forget senders who have been quiet for a whole window.
        if now - self._last_sweep < self.window:
            return
        self._last_sweep = now
        cutoff = now - self.window
        for sender in [s for s, times in self._seen.items() if not times or times[-1] <= cutoff]:
            del self._seen[sender]
        for sender in [s for s, at in self._told.items() if at <= cutoff]:
            del self._told[sender]
