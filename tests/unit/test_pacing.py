"""The shared rate limiter (bot.pacing.LanePacer): turns by lane, then by who asked first."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.domain.lanes import Lane
from bot.pacing import BURST_SECONDS, LanePacer


async def test_when_calls_wait_the_lowest_lane_goes_first_then_the_first_to_ask() -> None:
    pacer = LanePacer(200.0)
    for _ in range(int(200 * BURST_SECONDS)):  # the burst is spent: from here on every call waits its turn
        await pacer.turn(Lane.BULK)
    order: list[str] = []

    async def ask(name: str, lane: Lane) -> None:
        await pacer.turn(lane)
        order.append(name)

    asks = [("bulk 1", Lane.BULK), ("stranger", Lane.STRANGER), ("soon", Lane.SOON), ("bulk 2", Lane.BULK)]
    tasks = [asyncio.create_task(ask(name, lane)) for name, lane in asks]
    await asyncio.sleep(0)  # all four are waiting
    tasks.append(asyncio.create_task(ask("now", Lane.NOW)))
    await asyncio.gather(*tasks)
    assert order == ["now", "soon", "bulk 1", "bulk 2", "stranger"]
    assert pacer.turns_by_lane[Lane.NOW] == 1 and pacer.turns_by_lane[Lane.STRANGER] == 1


async def test_a_caller_cancelled_while_waiting_gives_its_turn_to_the_next() -> None:
    pacer = LanePacer(200.0)
    for _ in range(int(200 * BURST_SECONDS)):
        await pacer.turn(Lane.BULK)
    gone = asyncio.create_task(pacer.turn(Lane.NOW))
    waiting = asyncio.create_task(pacer.turn(Lane.BULK))
    await asyncio.sleep(0)
    gone.cancel()
    await asyncio.wait_for(waiting, timeout=5)
    assert gone.cancelled()


async def test_only_messages_sent_are_paced_and_a_reply_without_a_lane_is_urgent() -> None:
    pacer = LanePacer(1.0)  # one token, already there
    calls: list[str] = []

    async def call(name: str) -> dict[str, Any]:
        calls.append(name)
        return {}

    await pacer.process_request(call, ("first reply",), {}, "sendMessage", {"chat_id": 5}, None)
    for _ in range(3):  # a button's spinner, an edit: no message sent, no turn needed (the only token is gone)
        await pacer.process_request(call, ("answer",), {}, "answerCallbackQuery", {}, None)
        await pacer.process_request(call, ("edit",), {}, "editMessageText", {"chat_id": 5}, int(Lane.BULK))
    assert calls == ["first reply", *["answer", "edit"] * 3]
    assert pacer.turns_by_lane[Lane.NOW] == 1


def test_a_rate_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        LanePacer(0)
