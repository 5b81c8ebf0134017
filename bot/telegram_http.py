"""The bot's HTTP requests to Telegram: few connections, taken in lane order.

httpcore's connection pool looks at every open connection (two system calls each, and at every other
connection again) each time a request starts or ends, and at every request queued for a connection. With
the 32 connections the bot allowed, a burst of replies kept some twenty open and that bookkeeping cost more
per /help than the gate, the lookup and the router together. So few requests are in flight: two while
Telegram answers fast (two carry 30 messages a second while a send takes up to 65 ms), one more each time a
request waited a quarter of a second for a slot, up to 32, while sends are slow and the slots hold it back.
The rest wait here, cheaply, and in lane order: the pacer (bot/pacing.py) hands out turns by lane, and a
turn must not then queue behind bulk for a connection.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import time
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any, cast

from telegram._utils.types import ODVInput
from telegram.error import TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.domain.lanes import Lane
from bot.pacing import JSONDict, LanePacer

FEWEST_CONNECTIONS = 2
MOST_CONNECTIONS = 32

# The lane of the request the current task is making; anything the pacer does not pace (an edit, a button's
# answer) is for someone waiting: the first lane.
_lane: ContextVar[Lane] = ContextVar("telegram_request_lane", default=Lane.NOW)


class NotSent(TimedOut):
    """No slot came free within the pool timeout: the request never left, so a retry of it is no repeat
    (a TimedOut otherwise means the message may have arrived)."""


class LaneTellingPacer(LanePacer):
    """The lane pacer, telling the request that follows its turn which lane it is in."""

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        token = _lane.set(Lane.NOW if rate_limit_args is None else Lane(rate_limit_args))
        try:
            return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
        finally:
            _lane.reset(token)


class LaneSlots:
    """Slots for requests in flight; a freed slot goes to the waiter in the lowest lane, the first to ask within it.

    Few while Telegram answers fast, more while it is slow: a request that waited `GROW_AFTER_SECONDS` for a slot
    means the slots hold the sending back (turns are handed out at the rate and then wait here), so one more
    opens (at most one per `GROW_AFTER_SECONDS`), up to `most`; after `SHRINK_AFTER_SECONDS` without such a
    wait one closes again, down to `fewest`. A burst of replies that drains in a few milliseconds opens none.
    """

    GROW_AFTER_SECONDS = 0.25
    SHRINK_AFTER_SECONDS = 10.0

    def __init__(self, fewest: int, most: int, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.fewest, self.most = fewest, max(fewest, most)
        self.limit = fewest
        self.in_use = 0
        self._monotonic = monotonic
        self._held_back_at = -self.SHRINK_AFTER_SECONDS  # when a request last waited too long
        self._grown_at = -self.GROW_AFTER_SECONDS
        self._waiting: list[tuple[int, int, float, asyncio.Future[None]]] = []  # (lane, order, since, slot)
        self._order = itertools.count()

    async def take(self, lane: Lane) -> None:
        if self.in_use < self.limit and not self._waiting:
            self.in_use += 1
            return
        slot: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (int(lane), next(self._order), self._monotonic(), slot))
        try:
            await slot
        except asyncio.CancelledError:
            if slot.done() and not slot.cancelled():
                self.give()  # handed over just as the wait was cancelled: pass it on
            raise  # a cancelled wait stays in the heap; `_hand_out` skips it

    def give(self) -> None:
        self.in_use -= 1
        now = self._monotonic()
        if not self._waiting and self.limit > self.fewest and now - self._held_back_at > self.SHRINK_AFTER_SECONDS:
            self.limit -= 1
            self._held_back_at = now  # one at a time
        self._hand_out(now)

    def _hand_out(self, now: float) -> None:
        while self._waiting and self.in_use < self.limit:
            _, _, since, slot = heapq.heappop(self._waiting)
            if slot.done():  # cancelled while waiting
                continue
            if now - since > self.GROW_AFTER_SECONDS:
                self._held_back_at = now
                if now - self._grown_at >= self.GROW_AFTER_SECONDS:  # one at a time: a stall of the whole
                    self._grown_at = now  # process holds every waiter back at once
                    self.limit = min(self.most, self.limit + 1)
            self.in_use += 1
            slot.set_result(None)


class TelegramRequest(HTTPXRequest):
    """PTB's HTTPX request with few requests in flight (and so few connections open), `LaneSlots`: the others
    wait for a slot in lane order, at most the pool timeout, as they would for a connection in httpcore."""

    def __init__(self, fewest: int = FEWEST_CONNECTIONS, most: int = MOST_CONNECTIONS, **kwargs: Any) -> None:
        super().__init__(connection_pool_size=most, **kwargs)
        self.slots = LaneSlots(fewest, most)

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        wait = self._client.timeout.pool if pool_timeout is BaseRequest.DEFAULT_NONE else pool_timeout
        try:
            async with asyncio.timeout(cast(float | None, wait)):
                await self.slots.take(_lane.get())
        except TimeoutError:
            raise NotSent("every connection to Telegram is busy; the request was not sent") from None
        try:
            return await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
            )
        finally:
            self.slots.give()
