"""Webhook mode (`samenspel run --webhook`): Telegram posts updates, the inbox keeps them, replicas handle them.

Each update is stored in the `inbox` table before Telegram gets its 200, so a replica that dies after
answering loses nothing (long polling confirms an update on the next getUpdates, whatever became of it).
The `InboxWorker` claims the oldest unfinished update of each sender under a lease (`storage/inbox.py`),
hands it to PTB's `Application.process_update` and marks it done; a sender's next update can only be
claimed after that, by whichever replica gets there first. A replica that dies leaves a lease that expires,
and another sweeps the update up.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from aiohttp import web
from telegram import Bot, Update

from bot import metrics
from bot.app import (
    SUPERVISION_PERIOD_SECONDS,
    SamenspelApp,
    ptb_loop,
    raise_if_fatal,
    service_parts,
    services_of,
    start_services,
    stop_quietly,
)
from bot.clock import Clock
from bot.config import WebhookSettings
from bot.delivery import local_backoff
from bot.ops import LocalServer, OpsServer, Readiness
from bot.sender_lease import holder_name
from bot.supervision import Part, Supervisor, task_failure
from bot.updates import sender_of
from storage import inbox
from storage.db import Database

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
# An update that was claimed this often without being finished took its replica down each time: skip it.
MAX_ATTEMPTS = 5
# Handled updates are kept this long, so that a resend Telegram makes after a lost 200 is still recognised
# (Telegram keeps trying for up to a day).
DONE_KEPT = timedelta(days=2)
PRUNE_EVERY = timedelta(hours=1)
# Other replicas store updates too: look for claimable ones at least this often (real time).
POLL_SECONDS = 0.5
MAX_ROUND_BACKOFF_SECONDS = 10.0
# On SIGTERM, how long the updates in hand may take to finish before they are left to another replica.
DRAIN_SECONDS = 20.0
# Telegram's updates are small; anything bigger is not from Telegram.
MAX_BODY_BYTES = 1024 * 1024

Handle = Callable[[dict[str, Any]], Awaitable[None]]


class InboxWorker:
    """Claims stored updates, hands each to `handle`, marks it done. See the module docstring."""

    def __init__(
        self,
        db: Database,
        clock: Clock,
        handle: Handle,
        *,
        holder: str,
        lease: timedelta,
        concurrency: int = 64,
    ) -> None:
        self._db = db
        self._clock = clock
        self._handle = handle
        self.holder = holder
        self._lease = lease
        self._concurrency = concurrency
        self._in_hand: dict[int, asyncio.Task[None]] = {}
        self._handled: list[int] = []  # handled, not yet marked done in the database
        self._wake = asyncio.Event()
        self._stopping = False  # cut off: claim nothing, finish nothing more
        self._draining = False  # stopping: claim what is left, then end
        self._task: asyncio.Task[None] | None = None
        self._renewed_at: datetime | None = None
        self._pruned_at: datetime | None = None

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="samenspel-inbox")

    def restart(self) -> None:
        self._task = asyncio.create_task(self._run(), name="samenspel-inbox")

    def failure(self) -> BaseException | None:
        return task_failure(self._task)

    @property
    def in_hand(self) -> int:
        return len(self._in_hand)

    async def stop(self, timeout: float = DRAIN_SECONDS) -> None:  # noqa: ASYNC109 -- the drain's budget
        """Drain: finish the updates in hand and claim on until nothing claimable is left (the webhook takes no
        new ones by now), for up to `timeout`; then give up the leases of any cut off, so that another replica
        (or this one, restarted) takes them at once."""
        self._draining = True
        self._wake.set()
        task = self._task
        if task is not None and not task.done():
            try:
                await asyncio.wait_for(asyncio.shield(task), timeout=timeout)
            except TimeoutError:
                log.warning("%d update(s) did not finish in time; another replica takes them over", self.in_hand)
            except Exception:
                log.exception("the inbox worker failed while draining")
        self._stopping = True
        for running in [*self._in_hand.values(), *([task] if task is not None else [])]:
            running.cancel()
        await asyncio.gather(*self._in_hand.values(), *([task] if task is not None else []), return_exceptions=True)
        try:
            await self._write_handled()
            async with self._db.transaction() as tx:
                await inbox.release(tx, self.holder)
        except Exception:
            log.exception("could not write the last inbox results; those updates are handled again, elsewhere")

    async def _run(self) -> None:
        """Rounds until stopped, or drained; a failed round waits (back-off) and tries again."""
        failures = 0
        while not self._stopping:
            self._wake.clear()
            try:
                claimed = await self.run_once()
            except Exception as exc:
                failures += 1
                delay = local_backoff(failures, MAX_ROUND_BACKOFF_SECONDS)
                log.error("inbox round failed (%d in a row: %r); next try in %.1f s", failures, exc, delay)
                await asyncio.sleep(delay)
                continue
            failures = 0
            if self._draining and not claimed and not self._in_hand and not self._handled:
                return
            if not claimed:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), timeout=POLL_SECONDS)

    async def run_once(self) -> int:
        """One round: write what was handled, renew and prune when due, claim and start what is free."""
        await self._write_handled()
        now = self._clock.now()
        await self._renew(now)
        await self._prune(now)
        free = self._concurrency - len(self._in_hand)
        if free <= 0 or self._stopping:
            return 0
        async with self._db.transaction() as tx:
            claimed = await inbox.claim(tx, self.holder, now, now + self._lease, free)
        for update in claimed:
            task = asyncio.create_task(self._one(update), name=f"samenspel-update-{update.update_id}")
            self._in_hand[update.update_id] = task
        return len(claimed)

    async def _one(self, update: inbox.InboxUpdate) -> None:
        try:
            if update.attempts > MAX_ATTEMPTS:
                log.error("update %d was claimed %d times without finishing; skipped", update.update_id, MAX_ATTEMPTS)
            else:
                await self._handle(update.body)
        except Exception:  # PTB contains the handlers' errors; this is an update that does not even parse
            log.exception("update %d could not be handled; marked done", update.update_id)
        finally:
            self._in_hand.pop(update.update_id, None)
        # Not on cancellation: an update cut off half-way is left to be handled again.
        self._handled.append(update.update_id)
        self._wake.set()

    async def _write_handled(self) -> None:
        if not self._handled:
            return
        handled = list(self._handled)
        now = self._clock.now()
        taken_over: list[int] = []
        async with self._db.transaction() as tx:
            for update_id in handled:
                if not await inbox.finish(tx, update_id, self.holder, now):
                    taken_over.append(update_id)
        del self._handled[: len(handled)]  # forgotten only once committed
        for update_id in taken_over:
            log.warning("update %d: our lease had expired and another replica took it over", update_id)

    async def _renew(self, now: datetime) -> None:
        """Renew the leases in hand a third of the way through, so a long update is not taken over."""
        if self._renewed_at is not None and now - self._renewed_at < self._lease / 3:
            return
        self._renewed_at = now
        held = list(self._in_hand) + self._handled
        if held:
            async with self._db.transaction() as tx:
                await inbox.renew(tx, self.holder, held, now + self._lease)

    async def _prune(self, now: datetime) -> None:
        if self._pruned_at is not None and now - self._pruned_at < PRUNE_EVERY:
            return
        self._pruned_at = now
        async with self._db.transaction() as tx:
            pruned = await inbox.prune(tx, now - DONE_KEPT)
        if pruned:
            log.info("forgot %d handled update(s) from the inbox", pruned)


class WebhookServer(LocalServer):
    """The HTTP endpoint Telegram posts to. Answers 200 only once the update is stored."""

    def __init__(
        self,
        settings: WebhookSettings,
        db: Database,
        clock: Clock,
        bot: Bot,
        readiness: Readiness,
        on_stored: Callable[[], None],
    ) -> None:
        if settings.secret is None:
            raise ValueError("webhook mode needs [webhook] secret")
        super().__init__(settings.listen, settings.port)
        self._path = settings.path
        self._secret = settings.secret.get_secret_value().encode()
        self._db = db
        self._clock = clock
        self._bot = bot
        self._readiness = readiness
        self._on_stored = on_stored
        self._storing = 0  # posts past the draining check, not answered yet
        self._quiet = asyncio.Event()
        self._quiet.set()

    @property
    def url(self) -> str:
        return f"http://{self._listen}:{self.port}{self._path}"

    async def quiesce(self, timeout: float = 5.0) -> None:  # noqa: ASYNC109 -- a bound on the drain
        """Once draining: until every post that came in before is stored and answered (later ones get 503)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._quiet.wait(), timeout=timeout)

    async def start(self) -> None:
        app = web.Application(client_max_size=MAX_BODY_BYTES)
        app.router.add_post(self._path, self._post)
        await self._serve(app, shutdown_timeout=2.0)
        log.info("webhook listening on %s", self.url)

    def _refusal(self, request: web.Request) -> web.Response | None:
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            metrics.WEBHOOK_UPDATES.labels(result="refused").inc()
            return web.Response(status=401, text="secret token missing\n")
        if not hmac.compare_digest(given.encode(), self._secret):
            metrics.WEBHOOK_UPDATES.labels(result="refused").inc()
            return web.Response(status=403, text="wrong secret token\n")
        if self._readiness.draining:
            # Telegram tries again, and behind a balancer that is another replica.
            metrics.WEBHOOK_UPDATES.labels(result="draining").inc()
            return web.Response(status=503, text="draining\n")
        return None

    async def _post(self, request: web.Request) -> web.Response:
        refusal = self._refusal(request)
        if refusal is not None:
            return refusal
        self._storing += 1
        self._quiet.clear()
        try:
            return await self._store(request)
        finally:
            self._storing -= 1
            if not self._storing:
                self._quiet.set()

    async def _store(self, request: web.Request) -> web.Response:
        try:
            body = await request.json()
            update = Update.de_json(body, self._bot) if isinstance(body, dict) else None
        except ValueError:
            update = None
        if update is None or not isinstance(body.get("update_id"), int):
            return web.Response(status=400, text="not an update\n")
        try:
            async with self._db.transaction() as tx:
                fresh = await inbox.store(tx, update.update_id, sender_of(update) or 0, body, self._clock.now())
        except Exception:
            # Not stored, so not acknowledged: Telegram sends it again.
            log.exception("could not store update %d; Telegram will send it again", update.update_id)
            metrics.WEBHOOK_UPDATES.labels(result="failed").inc()
            return web.Response(status=500, text="not stored\n")
        metrics.WEBHOOK_UPDATES.labels(result="stored" if fresh else "duplicate").inc()
        if fresh:
            self._on_stored()
        return web.Response(text="ok\n")


class WebhookMode:
    """The running parts of `samenspel run --webhook` around one Application, for the CLI and the tests."""

    def __init__(self, app: SamenspelApp) -> None:
        self.app = app
        services = services_of(app)
        settings = services.settings
        self.readiness = Readiness()
        self.worker = InboxWorker(
            services.db,
            services.clock,
            self._handle,
            holder=holder_name(),
            lease=timedelta(seconds=settings.webhook.lease_seconds),
        )
        self.webhook = WebhookServer(
            settings.webhook, services.db, services.clock, app.bot, self.readiness, self.worker.wake
        )
        self.ops = OpsServer(settings.ops, services.db, services.clock, self.readiness)
        self.started = asyncio.Event()

    async def _handle(self, body: dict[str, Any]) -> None:
        # Straight to the handlers: the inbox already keeps one sender's updates in order, one at a time.
        await self.app.process_update(Update.de_json(body, self.app.bot))

    async def serve(self, stop: asyncio.Event) -> None:
        """Run until `stop` is set, then drain: not ready, 503 to Telegram, finish what is in hand, stop."""
        supervisor: Supervisor | None = None
        async with self.app:
            await start_services(self.app)
            try:
                await self.app.start()
                await self.ops.start()
                await self.worker.start()
                await self.webhook.start()
                fetcher = ptb_loop(self.app, "_Application__update_fetcher_task")
                parts = [
                    *service_parts(self.app),
                    Part("inbox worker", self.worker.failure, restart=self.worker.restart),
                    Part("update processing", lambda: task_failure(fetcher)),
                ]
                supervisor = Supervisor(parts, period=SUPERVISION_PERIOD_SECONDS)
                self.started.set()
                log.info("Samenspel is running as @%s (webhook)", self.app.bot.username)
                await supervisor.run_until(stop)
            finally:
                log.info("draining")
                self.readiness.draining = True
                # Nothing may be stored after the inbox's last round: posts under way finish first, later ones get
                # 503 until the inbox is drained.
                steps = (
                    ("webhook", self.webhook.quiesce),
                    ("inbox", self.worker.stop),
                    ("webhook", self.webhook.stop),
                    ("ops", self.ops.stop),
                )
                for name, step in steps:
                    try:
                        await step()
                    except Exception:
                        log.exception("stopping the %s failed; going on with the rest", name)
                await stop_quietly(self.app)
        raise_if_fatal(supervisor)
