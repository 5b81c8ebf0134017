"""Webhook mode end to end over HTTP: the fake Bot API's webhook sender posts to the real Application's webhook,
which stores each update in the inbox before answering; the inbox worker hands them to the handlers."""

from __future__ import annotations

import random
from pathlib import Path

import aiohttp
from aiohttp import web

from bot.sandbox.webhook_sender import SECRET_HEADER
from storage import inbox
from tests.support.harness import ANNA, VERA, seed_organisation
from tests.support.webhook import SECRET, WebhookHarness, endpoint, hold_updates, running_webhook_bot


def _update(update_id: int, user_id: int, text: str) -> dict[str, object]:
    chat = {"id": user_id, "type": "private", "first_name": "X"}
    sender = {"id": user_id, "is_bot": False, "first_name": "X"}
    return {
        "update_id": update_id,
        "message": {"message_id": update_id, "date": 1_700_000_000, "chat": chat, "from": sender, "text": text},
    }


async def _stored(h: WebhookHarness) -> int:
    async with h.services.db.transaction() as tx:
        return int(await tx.scalar("SELECT COUNT(*) FROM inbox"))


async def test_a_person_is_answered_through_the_webhook(tmp_path: Path) -> None:
    async with running_webhook_bot(tmp_path) as (h, sender):
        await seed_organisation(h)
        replies = await h.send(VERA, "/help")
        assert replies, "no answer through the webhook"
        assert sender.attempts and all(a.status == 200 for a in sender.attempts)
        async with h.services.db.transaction() as tx:
            row = await inbox.get(tx, sender.attempts[-1].update_id)
        assert row is not None and row["done_at"] is not None
        assert row["body"] == "", "a handled update's words stay in the inbox"


async def test_a_missing_or_wrong_secret_is_refused_and_nothing_is_stored(tmp_path: Path) -> None:
    async with running_webhook_bot(tmp_path, register=False) as (h, _), aiohttp.ClientSession() as session:
        url = h.mode.webhook.url
        async with session.post(url, json=_update(1, VERA.id, "/help")) as response:
            assert response.status == 401
        async with session.post(url, json=_update(2, VERA.id, "/help"), headers={SECRET_HEADER: "x" * 20}) as response:
            assert response.status == 403
        almost = SECRET[:-1] + ("a" if SECRET[-1] != "a" else "b")
        async with session.post(url, json=_update(3, VERA.id, "/help"), headers={SECRET_HEADER: almost}) as response:
            assert response.status == 403
        assert await _stored(h) == 0
        async with session.post(url, json=_update(4, VERA.id, "/help"), headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 200
        assert await _stored(h) == 1


async def test_an_update_is_stored_before_it_is_answered_200(tmp_path: Path) -> None:
    async with running_webhook_bot(tmp_path, register=False) as (h, _), aiohttp.ClientSession() as session:
        handling, release = hold_updates(h)
        headers = {SECRET_HEADER: SECRET}
        async with session.post(h.mode.webhook.url, json=_update(7, ANNA.id, "/start"), headers=headers) as response:
            assert response.status == 200
            # The 200 is here and the update is not handled yet: it is in the inbox, not done.
            async with h.services.db.transaction() as tx:
                row = await inbox.get(tx, 7)
            assert row is not None and row["done_at"] is None
        await handling.wait()
        # Sent again (our 200 got lost on the way): answered 200, stored once.
        async with session.post(h.mode.webhook.url, json=_update(7, ANNA.id, "/start"), headers=headers) as response:
            assert response.status == 200
        assert await _stored(h) == 1
        release.set()
        await h.settle()
        async with h.services.db.transaction() as tx:
            row = await inbox.get(tx, 7)
        assert row is not None and row["done_at"] is not None


async def test_an_update_that_cannot_be_stored_is_not_answered_200(tmp_path: Path) -> None:
    async with running_webhook_bot(tmp_path, register=False) as (h, _), aiohttp.ClientSession() as session:
        async with h.services.db.transaction() as tx:
            await tx.execute("CREATE TRIGGER no_inbox BEFORE INSERT ON inbox BEGIN SELECT RAISE(ABORT, 'disk'); END")
        headers = {SECRET_HEADER: SECRET}
        async with session.post(h.mode.webhook.url, json=_update(9, ANNA.id, "/start"), headers=headers) as response:
            assert response.status >= 500, "Telegram would not send it again"
        async with h.services.db.transaction() as tx:
            await tx.execute("DROP TRIGGER no_inbox")
        assert await _stored(h) == 0


class FlakyFront:
    """A load balancer in front of the replica that misbehaves: a third of the posts get a 502 without
    reaching the bot, a third reach it and the answer is lost (a 502 after the bot stored it)."""

    def __init__(self, target: str, seed: int) -> None:
        self.target = target
        self.random = random.Random(seed)
        self.url = ""
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._runner, self.url = await endpoint(self._post)
        self._session = aiohttp.ClientSession()

    async def stop(self) -> None:
        if self._session is not None:
            await self._session.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def _post(self, request: web.Request) -> web.Response:
        assert self._session is not None
        fate = self.random.randrange(3)
        if fate == 0:
            return web.Response(status=502)
        body = await request.read()
        headers = {SECRET_HEADER: request.headers.get(SECRET_HEADER, ""), "Content-Type": "application/json"}
        async with self._session.post(self.target, data=body, headers=headers) as response:
            status = response.status
        return web.Response(status=502 if fate == 1 else status)


async def test_each_persons_updates_are_handled_once_and_in_order_through_the_senders_retries(
    tmp_path: Path,
) -> None:
    async with running_webhook_bot(tmp_path) as (h, sender):
        await seed_organisation(h)
        front = FlakyFront(h.mode.webhook.url, seed=16)
        await front.start()
        # (sender, update_id, started or finished), in the order it happened.
        events: list[tuple[int, int, str]] = []
        original = h.mode.worker._handle

        async def recording(body: dict[str, object]) -> None:
            message = body.get("message")
            assert isinstance(message, dict)
            who, update_id = int(message["from"]["id"]), int(body["update_id"])  # type: ignore[call-overload]
            events.append((who, update_id, "started"))
            await original(body)
            events.append((who, update_id, "finished"))

        h.mode.worker._handle = recording
        try:
            sender.urls = [front.url, h.mode.webhook.url]  # spread over two doors, one of them flaky
            sent: dict[int, list[int]] = {ANNA.id: [], VERA.id: []}
            for i in range(12):
                for user in (ANNA, VERA):
                    sent[user.id].append(h.api.send_text(user, "/help" if i % 2 else "/me"))
            await h.settle(limit=30)
        finally:
            await front.stop()
        retried = [a for a in sender.attempts if a.status != 200]
        assert retried, "the front never failed: the test proves nothing"
        for user_id, update_ids in sent.items():
            # Each update once, in the order sent, and each finished before the person's next one started.
            expected = [(u, step) for u in update_ids for step in ("started", "finished")]
            assert [(u, step) for s, u, step in events if s == user_id] == expected
