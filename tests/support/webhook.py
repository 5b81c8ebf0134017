"""The real Application in webhook mode in this process: the fake Bot API's webhook sender posts to it."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from aiohttp import web
from pydantic import SecretStr

from bot.app import ALLOWED_UPDATES, build_application
from bot.config import Settings
from bot.ops import bound_port, serve_http
from bot.sandbox.webhook_sender import WebhookSender
from bot.webhook import WebhookMode
from storage import inbox
from tests.support.clock import FakeClock
from tests.support.faulty_bot_api import FaultyBotApi
from tests.support.harness import START, Harness, make_settings

SECRET = "test-secret-0123456789abcdef"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class WebhookHarness(Harness):
    """A Harness whose bot takes updates by webhook: settled also means the inbox is empty."""

    def __init__(self, api: FaultyBotApi, mode: WebhookMode, clock: FakeClock) -> None:
        super().__init__(api, mode.app, clock)
        self.mode = mode
        self.stop = asyncio.Event()  # set: the bot drains and stops, as on SIGTERM
        self.served: asyncio.Task[None] | None = None  # WebhookMode.serve, running

    async def settle(self, limit: float = 10.0) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while True:
            await super().settle(max(0.1, deadline - loop.time()))
            async with self.services.db.transaction() as tx:
                waiting = (await inbox.backlog(tx)).unfinished
            if not waiting and not self.mode.worker.in_hand:
                return
            if loop.time() > deadline:
                raise AssertionError(f"{waiting} update(s) still in the inbox")
            self.mode.worker.wake()
            await asyncio.sleep(0.005)


def hold_updates(h: WebhookHarness) -> tuple[asyncio.Event, asyncio.Event]:
    """From now on updates wait in the handler until `release` is set; `handling` says one got there."""
    handling, release = asyncio.Event(), asyncio.Event()
    original = h.mode.worker._handle

    async def held(body: dict[str, object]) -> None:
        handling.set()
        await release.wait()
        await original(body)

    h.mode.worker._handle = held
    return handling, release


async def endpoint(handler: Handler) -> tuple[web.AppRunner, str]:
    """A local HTTP endpoint answering POST /hook with `handler` (a replica, a balancer in between)."""
    app = web.Application()
    app.router.add_post("/hook", handler)
    runner = await serve_http(app, "127.0.0.1", 0, shutdown_timeout=0.5)
    return runner, f"http://127.0.0.1:{bound_port(runner)}/hook"


def webhook_settings(api: FaultyBotApi, db_path: Path, **webhook: Any) -> Settings:
    settings = make_settings(api, db_path, tick_seconds=5)
    return settings.model_copy(
        update={
            "webhook": settings.webhook.model_copy(
                update={"port": 0, "secret": SecretStr(SECRET), "lease_seconds": 30.0, **webhook}
            ),
            "ops": settings.ops.model_copy(update={"port": 0}),
        }
    )


@asynccontextmanager
async def running_webhook_bot(
    tmp_path: Path,
    *,
    api: FaultyBotApi | None = None,
    clock: FakeClock | None = None,
    register: bool = True,
    settle: bool = True,
) -> AsyncIterator[tuple[WebhookHarness, WebhookSender]]:
    """The bot in webhook mode, its webhook registered with the fake Telegram (unless not `register`) and a
    sender posting to it (to the registered URL; set `sender.urls` to spread its posts over others).
    Settled before it is handed over, unless not `settle` (an inbox left with updates to sweep up)."""
    own_api = api is None
    fake = api or FaultyBotApi()
    if own_api:
        await fake.start()
    clock = clock or FakeClock(START)
    settings = webhook_settings(fake, tmp_path / "samenspel.db")
    mode = WebhookMode(build_application(settings, clock=clock, webhook=True))
    harness = WebhookHarness(fake, mode, clock)
    task = harness.served = asyncio.create_task(mode.serve(harness.stop))
    sender = WebhookSender(fake)
    try:
        started = asyncio.ensure_future(mode.started.wait())
        await asyncio.wait({started, task}, timeout=20, return_when=asyncio.FIRST_COMPLETED)
        if task.done():
            task.result()
        assert mode.started.is_set(), "webhook mode did not start"
        if register:
            await mode.app.bot.set_webhook(mode.webhook.url, secret_token=SECRET, allowed_updates=ALLOWED_UPDATES)
        await sender.start()
        if settle:
            await harness.settle()
        yield harness, sender
    finally:
        await sender.stop()
        harness.stop.set()
        await asyncio.wait_for(task, timeout=30)
        if own_api:
            await fake.stop()
