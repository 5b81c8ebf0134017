"""`patiently`: a direct reply is tried again only where trying again can help."""

from __future__ import annotations

import asyncio

import pytest
from telegram.error import BadRequest, NetworkError, TimedOut

from handlers import common


class Failing:
    """A send that fails with `error` the first `times` calls, then returns "sent"."""

    def __init__(self, error: Exception, times: int) -> None:
        self.error = error
        self.times = times
        self.calls = 0

    async def __call__(self) -> str:
        self.calls += 1
        if self.calls <= self.times:
            raise self.error
        return "sent"


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """The pauses between tries, recorded instead of slept."""
    seen: list[float] = []

    async def pause(seconds: float) -> None:
        seen.append(seconds)

    monkeypatch.setattr(asyncio, "sleep", pause)
    return seen


async def test_a_refused_connection_is_tried_again_and_the_reply_goes(waits: list[float]) -> None:
    send = Failing(NetworkError("connection refused"), times=2)
    assert await common.patiently(send) == "sent"
    assert send.calls == 3
    assert waits == [0.2, 0.4]


@pytest.mark.parametrize("message", ["Message is not modified", "Message to edit not found"])
async def test_a_bad_request_is_telegrams_answer_and_is_not_tried_again(message: str, waits: list[float]) -> None:
    # BadRequest is a NetworkError in python-telegram-bot; the same request again gets the same answer.
    send = Failing(BadRequest(message), times=1)
    with pytest.raises(BadRequest):
        await common.patiently(send)
    assert send.calls == 1
    assert waits == []


async def test_a_timeout_is_not_tried_again_since_the_reply_may_have_arrived(waits: list[float]) -> None:
    send = Failing(TimedOut(), times=1)
    with pytest.raises(TimedOut):
        await common.patiently(send)
    assert send.calls == 1
    assert waits == []
