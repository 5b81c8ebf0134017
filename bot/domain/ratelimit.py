"""How fast one sender may send updates: a token bucket per sender, kept only in memory.

Each sender has a bucket of `burst` tokens that refills at `per_second`; an update takes one token. A person
at human pace (a tap a second, or a brisk burst of a few dozen taps through a flow) never runs dry; a flood
does, gets one notice and is dropped until the bucket has tokens again.

Pure: the caller passes the (monotonic) time, so tests need no clock. Only the sender's numeric id is held,
and only until their bucket is full again, which is why strangers can be limited too without storing anything
about them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Verdict(enum.Enum):
    ALLOW = "allow"
    REFUSE_AND_SAY = "refuse_and_say"  # the first refused update of a flood: tell them once, politely
    REFUSE = "refuse"  # every further one: drop quietly, so a flood is not answered with a flood


@dataclass(slots=True)
class _Bucket:
    tokens: float
    at: float  # the time `tokens` was counted at
    told: bool = False  # this flood has had its notice


class UpdateLimiter:
    def __init__(self, burst: int, per_second: float) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self.burst = burst
        self.per_second = per_second
        self.refused = 0  # updates refused since start (for benchmarks and tests)
        self._buckets: dict[int, _Bucket] = {}
        self._last_sweep = float("-inf")

    @property
    def refill_seconds(self) -> float:
        """How long an empty bucket takes to fill up again."""
        return self.burst / self.per_second

    def check(self, sender: int, now: float) -> Verdict:
        if self.burst <= 0:
            return Verdict.ALLOW
        self._sweep(now)
        bucket = self._buckets.get(sender)
        if bucket is None:
            bucket = self._buckets[sender] = _Bucket(float(self.burst), now)
        else:
            self._refill(bucket, now)
        if bucket.tokens >= self.burst:
            # Calm long enough to fill up again: a later flood is a new one and gets its own notice. Not
            # sooner: under a steady flood a token trickles in every second, and each must not bring a notice.
            bucket.told = False
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return Verdict.ALLOW
        self.refused += 1
        if bucket.told:
            return Verdict.REFUSE
        bucket.told = True
        return Verdict.REFUSE_AND_SAY

    def tracked(self) -> int:
        """How many senders are held in memory (bounded by those active in the last refill time)."""
        return len(self._buckets)

    def _refill(self, bucket: _Bucket, now: float) -> None:
        elapsed = max(0.0, now - bucket.at)  # a caller's clock that steps back refills nothing
        bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.per_second)
        bucket.at = max(bucket.at, now)

    def _sweep(self, now: float) -> None:
        # Once per refill time, forget senders whose bucket is full again: a full bucket is what a sender
        # nobody remembers gets, so forgetting them changes no verdict.
        if now - self._last_sweep < self.refill_seconds:
            return
        self._last_sweep = now
        for sender, bucket in list(self._buckets.items()):
            self._refill(bucket, now)
            if bucket.tokens >= self.burst:
                del self._buckets[sender]
