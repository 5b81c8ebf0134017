"""One picture of Telegram's sending budget for the whole bot, handed out by lane.

Every message sent (the outbox's, and the handlers' direct replies) asks this limiter
for a turn, saying its lane (`rate_limit_args`, a `bot.domain.lanes.Lane`; a direct reply that says nothing is
one someone is waiting for: `Lane.NOW`). Turns come from one token bucket at Telegram's overall rate; when calls
wait, the lowest lane goes first and, within a lane, the one that asked first. So a check-in fan-out that holds
the budget for minutes never delays an urgent alert or a reply by more than a turn, and neither side starves
the other. Group chats also keep Telegram's 20 messages a minute per group.

Telegram's own 429 is not retried here: the outbox honours RetryAfter per message, and a direct reply is
retried briefly by the handler (`handlers.common.patiently`).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import BaseRateLimiter

from bot.domain.lanes import Lane

JSONDict = dict[str, Any]
GROUP_MESSAGES_PER_MINUTE = 20
# Our bucket is half a second's worth deep: enough to make up for the sender's pauses between rounds, and
# shallow enough that jitter on the way to Telegram never makes a burst above its own allowance.
BURST_SECONDS = 0.5


class _Bucket:
    """Tokens at `rate` a second, at most `capacity`; counted lazily on the monotonic clock."""

    def __init__(self, rate: float, capacity: float, monotonic: Callable[[], float]) -> None:
        self.rate = rate
        self.capacity = capacity
        self._monotonic = monotonic
        self._tokens = capacity
        self._at = monotonic()

    def _count(self) -> None:
        now = self._monotonic()
        self._tokens = min(self.capacity, self._tokens + (now - self._at) * self.rate)
        self._at = now

    def take(self) -> float:
        """Take a token if there is one (0.0); otherwise the seconds until there will be one, taking nothing."""
        self._count()
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return 0.0
        return (1.0 - self._tokens) / self.rate

    def reserve(self) -> float:
        """Take a token now or in the future (the count goes below zero); the seconds until it is one's own."""
        self._count()
        self._tokens -= 1.0
        return max(0.0, -self._tokens / self.rate)


class LanePacer(BaseRateLimiter[int]):
    def __init__(self, per_second: float, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        if per_second <= 0:
            raise ValueError("per_second must be positive")
        self._monotonic = monotonic
        self._bucket = _Bucket(per_second, max(1.0, per_second * BURST_SECONDS), monotonic)
        self._groups: dict[int | str, _Bucket] = {}
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []  # (lane, order asked, turn)
        self._order = itertools.count()
        self._timer: asyncio.TimerHandle | None = None
        self.turns_by_lane: dict[Lane, int] = dict.fromkeys(Lane, 0)  # for benchmarks and tests

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        chat_id = data.get("chat_id")
        if chat_id is None or not endpoint.startswith("send"):
            # Telegram's budget counts messages sent: an edit changes one already there, and answering a button
            # press or getMe send none. A 429 on those is the outbox's to honour (RetryAfter per message).
            return await callback(*args, **kwargs)
        lane = Lane.NOW if rate_limit_args is None else Lane(rate_limit_args)
        if _is_group(chat_id):
            await self._group_turn(chat_id)
        await self.turn(lane)
        return await callback(*args, **kwargs)

    async def turn(self, lane: Lane) -> None:
        """Until this lane may send one message."""
        if not self._waiting and self._bucket.take() == 0.0:
            self.turns_by_lane[lane] += 1
            return
        turn: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (int(lane), next(self._order), turn))
        if self._timer is None:
            self._hand_out()
        await turn  # cancelled while waiting: `_hand_out` skips it
        self.turns_by_lane[lane] += 1

    def _hand_out(self) -> None:
        """Give turns to the waiting, lowest lane first, while there are tokens; then wait for the next token."""
        self._timer = None
        while self._waiting:
            if self._waiting[0][2].done():  # cancelled while waiting
                heapq.heappop(self._waiting)
                continue
            wait = self._bucket.take()
            if wait > 0.0:
                self._timer = asyncio.get_running_loop().call_later(wait, self._hand_out)
                return
            heapq.heappop(self._waiting)[2].set_result(None)

    async def _group_turn(self, chat_id: int | str) -> None:
        bucket = self._groups.get(chat_id)
        if bucket is None:
            rate = GROUP_MESSAGES_PER_MINUTE / 60
            bucket = self._groups[chat_id] = _Bucket(rate, GROUP_MESSAGES_PER_MINUTE, self._monotonic)
        await asyncio.sleep(bucket.reserve())


def _is_group(chat_id: object) -> bool:
    """Negative ids are groups; a string is a channel's or supergroup's @name."""
    if isinstance(chat_id, str):
        try:
            return int(chat_id) < 0
        except ValueError:
            return True
    return isinstance(chat_id, int) and chat_id < 0
