"""bot.telegram_http: at most a few requests to Telegram in flight; the rest wait for a slot in lane order,
and no longer than the pool timeout."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram.error import TimedOut
from telegram.request import HTTPXRequest

from bot.domain.lanes import Lane
from bot.telegram_http import LaneSlots, LaneTellingPacer, TelegramRequest


class FakeTelegram:
    """Stands in for HTTPXRequest.do_request: each request is answered when the test says so."""

    def __init__(self) -> None:
        self.in_flight: list[str] = []
        self.most = 0
        self.started: list[str] = []
        self._answers: dict[str, asyncio.Event] = {}
        self._start = asyncio.Condition()

    async def do_request(self, url: str, method: str, *args: Any, **kwargs: Any) -> Any:
        self.started.append(url)
        self.in_flight.append(url)
        self.most = max(self.most, len(self.in_flight))
        async with self._start:
            self._start.notify_all()
        await self._answers.setdefault(url, asyncio.Event()).wait()
        self.in_flight.remove(url)
        return 200, b"{}"

    async def until_started(self, count: int) -> None:
        async with self._start:
            await self._start.wait_for(lambda: len(self.started) >= count)

    def answer(self, url: str) -> None:
        self._answers.setdefault(url, asyncio.Event()).set()


@pytest.fixture
def telegram(monkeypatch: pytest.MonkeyPatch) -> FakeTelegram:
    fake = FakeTelegram()
    monkeypatch.setattr(HTTPXRequest, "do_request", fake.do_request)
    return fake


async def _send(pacer: LaneTellingPacer, request: TelegramRequest, name: str, lane: Lane) -> None:
    # As PTB calls it: the pacer's turn, then the request.
    async def post() -> dict[str, Any]:
        await request.do_request(name, "POST")
        return {}

    await pacer.process_request(post, (), {}, "sendMessage", {"chat_id": 1}, int(lane))


async def test_at_most_the_slots_are_in_flight_and_a_freed_one_goes_to_the_lowest_lane_first(
    telegram: FakeTelegram,
) -> None:
    pacer, request = LaneTellingPacer(1000.0), TelegramRequest(2, 2)
    sends = [asyncio.create_task(_send(pacer, request, name, Lane.BULK)) for name in ("bulk 1", "bulk 2")]
    await telegram.until_started(2)
    waiting = [("bulk 3", Lane.BULK), ("stranger", Lane.STRANGER), ("alert", Lane.NOW), ("notice", Lane.SOON)]
    for name, lane in waiting:
        sends.append(asyncio.create_task(_send(pacer, request, name, lane)))
        await asyncio.sleep(0)
    for _ in range(5):
        await asyncio.sleep(0)
    assert telegram.started == ["bulk 1", "bulk 2"]  # the others wait for a slot

    for started in range(3, 7):  # answer the oldest in flight; a slot frees, the next one starts
        telegram.answer(telegram.in_flight[0])
        await telegram.until_started(started)
    for name in list(telegram.in_flight):
        telegram.answer(name)
    await asyncio.gather(*sends)
    assert telegram.started == ["bulk 1", "bulk 2", "alert", "notice", "bulk 3", "stranger"]
    assert telegram.most == 2
    assert request.slots.in_use == 0


async def test_a_request_waiting_past_the_pool_timeout_is_not_sent_and_its_slot_is_not_lost(
    telegram: FakeTelegram,
) -> None:
    request = TelegramRequest(1, 1)
    first = asyncio.create_task(request.do_request("first", "POST"))
    await telegram.until_started(1)
    with pytest.raises(TimedOut):
        await request.do_request("second", "POST", pool_timeout=0)
    telegram.answer("first")
    await first
    assert telegram.started == ["first"]
    telegram.answer("third")
    assert await request.do_request("third", "POST", pool_timeout=0) == (200, b"{}")
    assert request.slots.in_use == 0


async def test_slots_open_while_requests_wait_too_long_and_close_again_when_none_has_for_a_while() -> None:
    clock = [0.0]
    slots = LaneSlots(2, 3, monotonic=lambda: clock[0])
    await slots.take(Lane.BULK)
    await slots.take(Lane.BULK)
    quick = asyncio.create_task(slots.take(Lane.NOW))
    await asyncio.sleep(0)
    slots.give()  # after a moment's wait: no more slots
    await quick
    assert (slots.limit, slots.in_use) == (2, 2)

    held_back = [asyncio.create_task(slots.take(Lane.BULK)) for _ in range(3)]
    await asyncio.sleep(0)
    clock[0] += LaneSlots.GROW_AFTER_SECONDS + 0.1
    slots.give()  # the first waited too long: it gets the freed slot and one more opens for the next
    await asyncio.sleep(0)
    assert sum(task.done() for task in held_back) == 2
    assert (slots.limit, slots.in_use) == (3, 3)
    slots.give()
    await asyncio.gather(*held_back)
    assert (slots.limit, slots.in_use) == (3, 3)  # never more than `most`

    slots.give()
    assert slots.limit == 3  # the long wait was just now
    clock[0] += LaneSlots.SHRINK_AFTER_SECONDS + 1
    slots.give()
    assert (slots.limit, slots.in_use) == (2, 1)
    slots.give()
    assert (slots.limit, slots.in_use) == (2, 0)  # never fewer than `fewest`
