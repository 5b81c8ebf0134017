"""The fake Telegram's webhook sender: one update per chat in flight, retried after a failure, spread over URLs."""

from __future__ import annotations

import asyncio
from collections import Counter

import aiohttp
from aiohttp import web

from bot.sandbox.state import FakeUser
from bot.sandbox.webhook_sender import SECRET_HEADER, WebhookSender, chat_of
from tests.support.faulty_bot_api import FaultyBotApi
from tests.support.webhook import endpoint

ALICE = FakeUser(id=11, first_name="Alice")
BOB = FakeUser(id=12, first_name="Bob")


class Replica:
    """A webhook endpoint that records what it got; the first post it ever gets fails if `fail_first`."""

    def __init__(self, in_flight: Counter[int], *, fail_first: bool) -> None:
        self.fail_first = fail_first
        self.received: list[tuple[int, int, str | None]] = []  # (chat, update_id, secret)
        self.in_flight = in_flight  # per chat, over every replica
        self.most_in_flight = 0
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def start(self) -> None:
        self._runner, self.url = await endpoint(self._post)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    async def _post(self, request: web.Request) -> web.Response:
        update = await request.json()
        chat = chat_of(update)
        self.in_flight[chat] += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight[chat])
        try:
            await asyncio.sleep(0.005)  # handling takes a moment, so overlapping posts would show
            if self.fail_first:
                self.fail_first = False
                return web.Response(status=503)
            self.received.append((chat, int(update["update_id"]), request.headers.get(SECRET_HEADER)))
            return web.Response(text="ok")
        finally:
            self.in_flight[chat] -= 1


async def test_posts_one_update_per_chat_at_a_time_retries_failures_and_spreads_over_the_urls() -> None:
    in_flight: Counter[int] = Counter()
    first, second = Replica(in_flight, fail_first=True), Replica(in_flight, fail_first=False)
    await first.start()
    await second.start()
    try:
        async with FaultyBotApi() as api, WebhookSender(api, urls=[first.url, second.url]) as sender:
            async with aiohttp.ClientSession() as session:
                params = {"url": first.url, "secret_token": "the-secret-of-this-test"}
                async with session.post(f"{api.base_url}{api.token}/setWebhook", json=params) as response:
                    assert response.status == 200
            sent = {ALICE.id: [api.send_text(ALICE, f"a{i}") for i in range(4)]}
            sent[BOB.id] = [api.send_text(BOB, f"b{i}") for i in range(4)]
            await api.wait_idle(timeout=10)
    finally:
        await first.stop()
        await second.stop()
    received = first.received + second.received
    assert first.most_in_flight <= 1 and second.most_in_flight <= 1
    assert first.received and second.received, "all posts went to one URL"
    assert {secret for _, _, secret in received} == {"the-secret-of-this-test"}
    failed = [a for a in sender.attempts if a.status != 200]
    assert len(failed) == 1
    assert [a.update_id for a in sender.attempts].count(failed[0].update_id) == 2, "the failed post was not retried"
    for chat, update_ids in sent.items():
        # Confirmed in order: a chat's next update is posted only after the previous one got its 2xx.
        confirmed = [a.update_id for a in sender.attempts if a.status == 200 and a.update_id in update_ids]
        assert confirmed == update_ids
        assert sorted(u for c, u, _ in received if c == chat) == update_ids
