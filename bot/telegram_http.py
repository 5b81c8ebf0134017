"""The bot's HTTP requests to Telegram: a few connections, taken in lane order.

httpcore's connection pool looks at every open connection (two system calls each, and at every other
connection again) each time a request starts or ends, and at every request queued for a connection. With
the 32 connections the bot allowed, a burst of replies kept some twenty open and that bookkeeping cost more
per /help than the gate, the lookup and the router together. So at most `TELEGRAM_CONNECTIONS` requests are
in flight; the rest wait here, cheaply, and in lane order: the pacer (bot/pacing.py) hands out turns by lane,
and a turn must not then queue behind bulk for a connection. Four carry Telegram's 30 messages a second while
a send takes up to 130 ms (from the Netherlands it takes well under 100).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
from collections.abc import Callable, Coroutine
from contextvars import ContextVar
from typing import Any, cast

from telegram._utils.types import ODVInput
from telegram.error import TimedOut
from telegram.request import BaseRequest, HTTPXRequest, RequestData

from bot.domain.lanes import Lane
from bot.pacing import JSONDict, LanePacer

TELEGRAM_CONNECTIONS = 4

# The lane of the request the current task is making; anything the pacer does not pace (an edit, a button's
# answer) is for someone waiting: the first lane.
_lane: ContextVar[Lane] = ContextVar("telegram_request_lane", default=Lane.NOW)


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
    """`count` slots; a freed slot goes to the waiter in the lowest lane, the one that asked first within it."""

    def __init__(self, count: int) -> None:
        self.free = count
        self._waiting: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def take(self, lane: Lane) -> None:
        if self.free > 0 and not self._waiting:
            self.free -= 1
            return
        slot: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        heapq.heappush(self._waiting, (int(lane), next(self._order), slot))
        try:
            await slot
        except asyncio.CancelledError:
            if slot.done() and not slot.cancelled():
                self.give()  # handed over just as the wait was cancelled: pass it on
            raise  # a cancelled wait stays in the heap; `give` skips it

    def give(self) -> None:
        while self._waiting:
            slot = heapq.heappop(self._waiting)[2]
            if not slot.done():
                slot.set_result(None)
                return
        self.free += 1


class TelegramRequest(HTTPXRequest):
    """PTB's HTTPX request with at most `connections` requests in flight (and connections open): the others
    wait for a slot in lane order, at most the pool timeout, as they would for a connection in httpcore."""

    def __init__(self, connections: int, **kwargs: Any) -> None:
        super().__init__(connection_pool_size=connections, **kwargs)
        self.slots = LaneSlots(connections)

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
            raise TimedOut("every connection to Telegram is busy; the request was not sent") from None
        try:
            return await super().do_request(
                url, method, request_data, read_timeout, write_timeout, connect_timeout, pool_timeout
            )
        finally:
            self.slots.give()
