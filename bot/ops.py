"""The internal operations port: /healthz (the loop answers), /readyz (may take traffic) and /metrics.

Readiness is what a load balancer or orchestrator acts on: not ready while draining (SIGTERM), when the
database does not answer, or when its schema is not the one this code was written for (a replica started
before `samenspel migrate`, or an older replica left behind after one).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from aiohttp import web
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Gauge, generate_latest

from bot.clock import Clock
from bot.config import OpsSettings
from bot.metrics import REGISTRY
from storage import gauges, inbox
from storage.db import Database, DatabaseRefused

log = logging.getLogger(__name__)

# A database that takes longer than this to answer a trivial read counts as unreachable.
READY_CHECK_SECONDS = 2.0


class Readiness:
    """Shared by the ops port and the webhook: set `draining` once the bot is stopping."""

    def __init__(self) -> None:
        self.draining = False


async def not_ready_because(db: Database, readiness: Readiness) -> str | None:
    """Why this replica must not take traffic now; None when it may."""
    if readiness.draining:
        return "draining"
    try:
        async with asyncio.timeout(READY_CHECK_SECONDS):
            async with db.transaction() as tx:
                await tx.scalar("SELECT 1")
            await db.require_current()  # applied migrations are exactly the ones this code has
    except DatabaseRefused as exc:
        return f"schema does not match: {exc}"
    except Exception as exc:  # closed, locked, a disk gone: whatever it is, this replica cannot serve
        return f"database unreachable: {type(exc).__name__}"
    return None


def _age_seconds(since: datetime | None, now: datetime) -> float:
    return 0.0 if since is None else max(0.0, (now - since).total_seconds())


async def database_gauges(db: Database, clock: Clock) -> bytes:
    """The backlogs as they stand in the database, in Prometheus' text format."""
    registry = CollectorRegistry(auto_describe=True)
    up = Gauge("samenspel_database_up", "Whether /metrics could read the database", registry=registry)
    try:
        async with asyncio.timeout(READY_CHECK_SECONDS), db.transaction() as tx:
            outbox = await gauges.outbox_backlog(tx)
            waiting = await inbox.backlog(tx)
    except Exception as exc:
        log.warning("metrics: the database did not answer (%s)", type(exc).__name__)
        up.set(0)
        return generate_latest(registry)
    up.set(1)
    now = clock.now()
    Gauge("samenspel_outbox_pending", "Messages not sent yet", registry=registry).set(outbox.pending)
    Gauge(
        "samenspel_outbox_oldest_pending_age_seconds",
        "How long the oldest unsent message has waited",
        registry=registry,
    ).set(_age_seconds(outbox.oldest_created_at, now))
    Gauge("samenspel_inbox_backlog", "Updates stored and not handled yet", registry=registry).set(waiting.unfinished)
    Gauge(
        "samenspel_inbox_oldest_age_seconds", "How long the oldest unhandled update has waited", registry=registry
    ).set(_age_seconds(waiting.oldest_received_at, now))
    return generate_latest(registry)


async def serve_http(app: web.Application, listen: str, port: int, *, shutdown_timeout: float) -> web.AppRunner:
    """Serve `app` on listen:port (0: any free port, read back from the runner's addresses)."""
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=shutdown_timeout)
    await runner.setup()
    await web.TCPSite(runner, listen, port).start()
    return runner


def bound_port(runner: web.AppRunner) -> int:
    return int(runner.addresses[0][1])


class LocalServer:
    """One of the bot's own HTTP servers: served on listen:port (its bound port read back), stopped."""

    def __init__(self, listen: str, port: int) -> None:
        self._listen = listen
        self._wanted_port = port
        self._runner: web.AppRunner | None = None
        self.port = 0

    async def _serve(self, app: web.Application, *, shutdown_timeout: float) -> None:
        self._runner = await serve_http(app, self._listen, self._wanted_port, shutdown_timeout=shutdown_timeout)
        self.port = bound_port(self._runner)

    async def stop(self) -> None:
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()


class OpsServer(LocalServer):
    def __init__(self, settings: OpsSettings, db: Database, clock: Clock, readiness: Readiness) -> None:
        super().__init__(settings.listen, settings.port)
        self._db = db
        self._clock = clock
        self._readiness = readiness

    @property
    def url(self) -> str:
        return f"http://{self._listen}:{self.port}"

    async def start(self) -> None:
        app = web.Application()
        app.router.add_get("/healthz", self._healthz)
        app.router.add_get("/readyz", self._readyz)
        app.router.add_get("/metrics", self._metrics)
        await self._serve(app, shutdown_timeout=1.0)
        log.info("operations port on %s (/healthz, /readyz, /metrics)", self.url)

    async def _healthz(self, request: web.Request) -> web.Response:
        return web.Response(text="ok\n")

    async def _readyz(self, request: web.Request) -> web.Response:
        reason = await not_ready_because(self._db, self._readiness)
        if reason is not None:
            return web.Response(status=503, text=f"not ready: {reason}\n")
        return web.Response(text="ready\n")

    async def _metrics(self, request: web.Request) -> web.Response:
        body = generate_latest(REGISTRY) + await database_gauges(self._db, self._clock)
        return web.Response(body=body, headers={"Content-Type": CONTENT_TYPE_LATEST})
