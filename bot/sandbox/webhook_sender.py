"""Telegram's side of a webhook, for the fake Bot API: POSTs pending updates to the URL setWebhook gave.

It behaves like Telegram: one update per chat in flight at a time (a chat's next update waits until its
previous one got a 2xx), an update is confirmed only by a 2xx, and anything else (another status, a timeout,
a refused connection) is tried again after a back-off that doubles. Given several URLs, each attempt goes to
the next one in turn, as a load balancer in front of replicas would spread them; a retry may so land on
another replica. What each attempt got is in `attempts`.

Usage, on the fake's event loop::

    async with FakeBotApi() as api, WebhookSender(api, urls=[replica_a, replica_b]):
        await bot.set_webhook(url, secret_token=secret)   # the sender starts posting
        api.send_text(alice, "/start")
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from types import TracebackType
from typing import Self

import aiohttp

from .botapi import FakeBotApi, _update_type
from .spec import JSONDict

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass(frozen=True)
class Attempt:
    update_id: int
    url: str
    status: int | None  # None: timed out or could not connect


def chat_of(update: JSONDict) -> int:
    """The chat an update belongs to, which Telegram keeps to one update in flight."""
    for value in update.values():
        if not isinstance(value, dict):
            continue
        chat = value.get("chat") or (value.get("message") or {}).get("chat")
        if isinstance(chat, dict) and isinstance(chat.get("id"), int):
            return int(chat["id"])
        sender = value.get("from")
        if isinstance(sender, dict) and isinstance(sender.get("id"), int):
            return int(sender["id"])
    return 0


class WebhookSender:
    def __init__(
        self,
        api: FakeBotApi,
        *,
        urls: Sequence[str] = (),
        timeout: float = 5.0,
        first_retry_seconds: float = 0.02,
        max_retry_seconds: float = 1.0,
    ) -> None:
        self.api = api
        self.urls = list(urls)  # empty: the URL setWebhook gave
        self.attempts: list[Attempt] = []
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._first_retry = first_retry_seconds
        self._max_retry = max_retry_seconds
        self._turn = itertools.count()
        self._chats_in_flight: set[int] = set()
        self._posts: set[asyncio.Task[None]] = set()
        self._kick = asyncio.Event()
        self._session: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=self._timeout)
        self._task = asyncio.create_task(self._run(), name="fake-telegram-webhook")

    async def stop(self) -> None:
        for task in [*self._posts, *([self._task] if self._task else [])]:
            task.cancel()
        for task in [*self._posts, *([self._task] if self._task else [])]:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self._session is not None:
            await self._session.close()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        await self.stop()

    async def _run(self) -> None:
        while True:
            version = self.api.version
            self._kick.clear()
            self._post_what_is_free()
            changed = asyncio.ensure_future(self.api.wait_change(version, 1.0))
            kicked = asyncio.ensure_future(self._kick.wait())
            try:
                await asyncio.wait({changed, kicked}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                changed.cancel()
                kicked.cancel()

    def _post_what_is_free(self) -> None:
        """Start posting the oldest pending update of every chat that has none in flight."""
        api = self.api
        with api._lock:
            if not api._webhook_url:
                return
            allowed = api._webhook_allowed
            api._pending = [u for u in api._pending if allowed is None or _update_type(u) in allowed]
            for update in api._pending:
                chat = chat_of(update)
                if chat in self._chats_in_flight:
                    continue
                self._chats_in_flight.add(chat)
                task = asyncio.create_task(self._deliver(copy.deepcopy(update), chat))
                self._posts.add(task)
                task.add_done_callback(self._posts.discard)

    def _next_url(self) -> str:
        urls = self.urls or [self.api._webhook_url]
        return urls[next(self._turn) % len(urls)]

    async def _deliver(self, update: JSONDict, chat: int) -> None:
        """Post one update until a replica answers 2xx; then it is confirmed (gone from the pending list)."""
        try:
            for failures in itertools.count():
                if not self.api._webhook_url:  # deleted meanwhile: the update stays for getUpdates
                    return
                url = self._next_url()
                status = await self._post(url, update)
                self.attempts.append(Attempt(int(update["update_id"]), url, status))
                if status is not None and 200 <= status < 300:
                    with self.api._lock:
                        self.api._pending = [u for u in self.api._pending if u["update_id"] != update["update_id"]]
                    self.api._notify()
                    return
                await asyncio.sleep(min(self._max_retry, self._first_retry * 2**failures))
        finally:
            self._chats_in_flight.discard(chat)
            self._kick.set()

    async def _post(self, url: str, update: JSONDict) -> int | None:
        assert self._session is not None
        headers = {SECRET_HEADER: self.api._webhook_secret} if self.api._webhook_secret else {}
        try:
            async with self._session.post(url, json=update, headers=headers) as response:
                await response.read()
                return response.status
        except (TimeoutError, aiohttp.ClientError):
            return None
