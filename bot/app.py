"""Wiring: the one place where settings, storage, services and handlers meet."""

from __future__ import annotations

import asyncio
import functools
import logging
import ssl
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

import httpx
from telegram import Update
from telegram.error import InvalidToken
from telegram.ext import Application, ApplicationBuilder, ContextTypes, ExtBot, Job
from telegram.request import HTTPXRequest

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import BotData, Context
from bot.context import Services as Services  # re-exported: the sandbox, tests and benchmarks import it from here
from bot.delivery import Delivery
from bot.domain.ratelimit import UpdateLimiter
from bot.scheduler import Scheduler
from bot.sender_lease import SenderLease, holder_name, lease_name
from bot.services.checkins import CheckInService
from bot.services.drafts import DraftService
from bot.services.email import EmailService
from bot.services.escalations import EscalationService
from bot.services.handover import HandoverService
from bot.services.menus import MenuService
from bot.services.overview import OverviewService
from bot.services.people import PeopleService
from bot.services.privacy import PrivacyService
from bot.services.recognition import RecognitionService
from bot.services.reports import ReportService, TalkService
from bot.services.reports.digest import DigestService
from bot.services.socialmap import SocialMapService
from bot.services.visits import VisitService
from bot.supervision import Part, PartEnded, Supervisor, task_failure
from bot.telegram_http import LaneTellingPacer, TelegramRequest
from bot.updates import PerSenderUpdateProcessor
from handlers import register
from storage import leases, timers
from storage.db import Database
from storage.dialect import Backend

log = logging.getLogger(__name__)

TICK_JOB = "tick"
# What the bot asks Telegram for, by long polling and by webhook alike.
ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER]
SUPERVISION_PERIOD_SECONDS = 1.0


SamenspelApp = Application[ExtBot[int], Context, dict[Any, Any], dict[Any, Any], BotData, Any]


@functools.cache
def tls_context() -> ssl.SSLContext:
    """One TLS context for every connection to Telegram in this process, as httpx would make it (the same
    certificates, SSL_CERT_FILE honoured): loading the CA certificates costs some 30 ms of CPU, which httpx
    otherwise pays for each of PTB's two clients, and again for every Application built in the process."""
    return httpx.create_ssl_context()


def build_application(settings: Settings, *, clock: Clock | None = None, webhook: bool = False) -> SamenspelApp:
    """The Application with every service wired; `webhook`: without PTB's Updater (bot/webhook.py feeds it)."""
    if settings.telegram.token is None:
        raise ValueError("no bot token configured")
    clock = clock or SystemClock()
    timeout = settings.telegram.request_timeout_seconds
    rate = settings.telegram.max_messages_per_second
    builder = (
        ApplicationBuilder()
        .token(settings.telegram.token.get_secret_value())
        .base_url(settings.telegram.base_url)
        .base_file_url(settings.telegram.file_url())
        .context_types(ContextTypes(context=Context, bot_data=BotData))
        # One budget for the outbox and direct replies, handed out by lane; retries are the outbox's job (it
        # honours RetryAfter per message), so the limiter only paces.
        .rate_limiter(LaneTellingPacer(rate))
        .request(
            TelegramRequest(
                connect_timeout=timeout,
                read_timeout=timeout,
                write_timeout=timeout,
                pool_timeout=timeout,
                httpx_kwargs={"verify": tls_context()},
            )
        )
        # As PTB builds it by default (one connection), with a read timeout past the long poll's.
        .get_updates_request(
            HTTPXRequest(
                connection_pool_size=1,
                read_timeout=settings.telegram.poll_timeout_seconds + timeout,
                httpx_kwargs={"verify": tls_context()},
            )
        )
        # One person's updates in order (their flow steps never race); different people side by side.
        .concurrent_updates(PerSenderUpdateProcessor(4096))
    )
    if webhook:
        builder = builder.updater(None)
    app: SamenspelApp = builder.build()
    db = Database(settings.storage.path, url=settings.storage.url)
    # One sender per bot token: on PostgreSQL replicas share the database, so a lease on its clock picks the one
    # that sends. SQLite has one process per file already (the instance lock): a lease there would only expire
    # under a long round (or a sped-up clock) and make the process take its own messages over, sending them
    # again. Without a lease the sender recovers what a crash left in flight at start.
    lease = (
        None
        if db.backend is Backend.SQLITE
        else SenderLease(
            lease_name(settings.telegram.token.get_secret_value()),
            holder_name(),
            ttl=timedelta(seconds=settings.delivery.sender_lease_seconds),
            clock=None,
        )
    )
    delivery = Delivery(db, app.bot, batch_size=Delivery.batch_for(rate), lease=lease)

    async def next_deadline() -> datetime | None:
        async with db.read() as reader:
            return await timers.next_deadline(reader)

    scheduler = Scheduler(
        clock,
        next_deadline=next_deadline,
        horizon=settings.app.tick_seconds,
        once_gate=lambda job: leases.once_per_deployment(db, job),
    )
    people_service = PeopleService(db, clock, settings, delivery.wake)
    email = EmailService(db, clock, settings)

    def wake() -> None:  # after a commit that queued messages (and maybe e-mail)
        delivery.wake()
        email.wake()

    escalation_service = EscalationService(db, clock, settings, wake)
    services = Services(
        settings=settings,
        clock=clock,
        db=db,
        delivery=delivery,
        scheduler=scheduler,
        people=people_service,
        drafts=DraftService(db, clock),
        escalations=escalation_service,
        handover=HandoverService(db, clock, settings, wake, escalation_service),
        checkins=CheckInService(db, clock, settings, delivery.wake, escalation_service),
        visits=VisitService(db, clock, settings, escalation_service, delivery.wake),
        menus=MenuService(app.bot, settings),
        privacy=PrivacyService(db, clock, settings, escalation_service, delivery.wake),
        limiter=UpdateLimiter(settings.app.updates_burst, settings.app.updates_per_second),
        strangers=UpdateLimiter(settings.app.stranger_replies_burst, settings.app.stranger_replies_per_second),
        email=email,
        socialmap=SocialMapService(db, clock, settings, delivery.wake, escalation_service),
        overview=OverviewService(db, clock, settings, delivery.wake),
        reports=ReportService(db, clock, settings, delivery.wake),
        talks=TalkService(db, clock, settings, delivery.wake),
        recognition=RecognitionService(db, clock, settings, delivery.wake),
        digest=DigestService(db, clock, settings, delivery.wake),
    )
    delivery.unreachable_hooks.append(people_service.tell_coordinators_unreachable)
    delivery.unreachable_hooks.append(services.escalations.on_unreachable)
    scheduler.register("escalations", services.escalations.tick, at_deadline=True)
    scheduler.register("visits", services.visits.tick, at_deadline=True)
    scheduler.register("checkins", services.checkins.tick)
    scheduler.register("retention", services.privacy.retention_tick, once=True)
    scheduler.register("social map review", services.socialmap.review_tick, once=True)
    scheduler.register("invites", services.people.invites.tick, once=True)
    scheduler.register("talks", services.talks.tick, once=True)
    scheduler.register("recognition", services.recognition.tick, once=True)
    scheduler.register("digest", services.digest.tick, once=True)
    app.bot_data.services = services
    register(app)
    return app


def services_of(app: SamenspelApp) -> Services:
    services = app.bot_data.services
    if services is None:
        raise RuntimeError("services are not wired")
    return services


async def start_services(app: SamenspelApp) -> None:
    """Open and migrate the database, start delivery and the scheduler tick."""
    services = services_of(app)
    await services.db.open()
    applied = await services.db.migrate()
    if applied:
        log.info("database migrated: %s", ", ".join(applied))
    await services.socialmap.load_defaults()  # once in the database's life: 112, 113, Veilig Thuis
    await services.delivery.start()
    await services.email.start()
    services.scheduler.reopen()
    if app.job_queue is not None:
        schedule_tick(app)
    await services.menus.set_defaults()
    # Catch up at once on what fell due while the bot was down, before taking new updates.
    await services.scheduler.tick()


def schedule_tick(app: SamenspelApp) -> Job[Context]:
    """The JobQueue job that runs the scheduler tick every `tick_seconds`."""
    assert app.job_queue is not None
    services = services_of(app)

    scheduler = services.scheduler

    async def _tick(_: object) -> None:
        if scheduler.ticking:
            return  # the previous tick still runs (a slow one): it is doing what this one would
        try:
            await scheduler.tick()
        except Exception:  # the scheduler contains its tasks' failures; this guards the job itself
            log.exception("scheduler tick failed; it runs again next interval")

    interval = services.settings.app.tick_seconds
    # Two instances: one slow tick, and the next one that sees it still running and returns at once. With one,
    # APScheduler skips the next run and logs a warning for each tick that overruns its interval.
    return app.job_queue.run_repeating(
        _tick,
        interval=interval,
        first=interval,
        name=TICK_JOB,
        job_kwargs={"misfire_grace_time": None, "max_instances": 2},
    )


def _schedule_tick_again(app: SamenspelApp) -> None:
    """The tick job was gone: schedule it again, and tick at once for the time it was missing."""
    job = schedule_tick(app)
    app.create_task(job.run(app), name="samenspel-tick-again")


async def stop_services(app: SamenspelApp) -> None:
    services = services_of(app)
    services.scheduler.stop()
    try:
        await services.email.stop()
        await services.delivery.stop()
    finally:
        await services.db.close()


def ptb_loop(owner: object, attribute: str) -> asyncio.Task[Any] | None:
    """One of PTB's own background loops. Private attributes: tests/system/test_supervision.py fails if they move."""
    task = getattr(owner, attribute, None)
    if not isinstance(task, asyncio.Task):
        log.error("cannot watch PTB's %s: not found", attribute)
        return None
    return task


def _parts(app: SamenspelApp, polling: asyncio.Task[Any] | None, fetcher: asyncio.Task[Any] | None) -> list[Part]:
    """Every long-lived part of a bot running by long polling, and how each is brought back when it ends."""
    return [
        *service_parts(app),
        # A restart cannot help these: polling stops for good (the token was revoked, say) and PTB's
        # update fetcher only ends when told to. Stop, so that the service manager starts us afresh.
        Part("Telegram polling", lambda: task_failure(polling)),
        Part("update processing", lambda: task_failure(fetcher)),
    ]


def service_parts(app: SamenspelApp) -> list[Part]:
    """The long-lived parts every mode has (long polling and webhook): senders, the tick, the job queue."""
    services = services_of(app)
    parts = [
        # Its rounds retry every failure themselves; ending anyway is a bug, and a new loop carries on.
        Part("outbox sender", services.delivery.failure, restart=services.delivery.restart),
        Part("e-mail sender", services.email.failure, restart=services.email.restart),
    ]
    job_queue = app.job_queue
    if job_queue is not None:
        # Each tick contains its tasks' failures (they run again next tick), so the job itself stays.
        # Should it be gone anyway, schedule it again.
        parts.append(
            Part(
                "scheduler tick",
                lambda: None if job_queue.get_jobs_by_name(TICK_JOB) else PartEnded("the tick job is gone"),
                restart=lambda: _schedule_tick_again(app),
            )
        )
        parts.append(
            Part("job queue", lambda: None if job_queue.scheduler.running else PartEnded("the job queue stopped"))
        )
    return parts


async def serve(app: SamenspelApp, stop: asyncio.Event) -> None:
    """Run the bot until `stop` is set: long polling, handlers, delivery and scheduler.

    Supervised: a part that ends is restarted, or (when a restart cannot help) `serve()` stops and raises
    `PartEnded`, or the InvalidToken that ended polling, so that `samenspel run` exits non-zero."""
    supervisor: Supervisor | None = None
    async with app:
        await start_services(app)
        try:
            assert app.updater is not None
            await app.updater.start_polling(
                poll_interval=0.0,
                timeout=services_of(app).settings.telegram.poll_timeout_seconds,
                allowed_updates=ALLOWED_UPDATES,
                drop_pending_updates=False,
            )
            await app.start()
            polling = ptb_loop(app.updater, "_Updater__polling_task")
            fetcher = ptb_loop(app, "_Application__update_fetcher_task")
            supervisor = Supervisor(_parts(app, polling, fetcher), period=SUPERVISION_PERIOD_SECONDS)
            log.info("Samenspel is running as @%s", app.bot.username)
            await supervisor.run_until(stop)
        finally:
            log.info("stopping")
            await stop_quietly(app)
    raise_if_fatal(supervisor)


def raise_if_fatal(supervisor: Supervisor | None) -> None:
    """After serving: raise what made supervision stop the bot, so that `samenspel run` exits non-zero."""
    if supervisor is not None and supervisor.fatal is not None:
        if isinstance(supervisor.fatal, InvalidToken):
            raise supervisor.fatal
        raise PartEnded("a part of the bot ended for good; see the CRITICAL log") from supervisor.fatal


async def stop_quietly(app: SamenspelApp) -> None:
    """Stop every part even when one of them fails to stop (a dead polling task re-raises, say)."""
    steps: list[tuple[str, Callable[[], Awaitable[None]]]] = []
    if app.updater is not None and app.updater.running:
        steps.append(("polling", app.updater.stop))
    # Before the application (and its job queue) stops: a tick under way ends by itself rather than cancelled.
    steps.append(("scheduler", services_of(app).scheduler.close))
    if app.running:
        steps.append(("application", app.stop))
    steps.append(("services", lambda: stop_services(app)))
    for name, step in steps:
        try:
            await step()
        except Exception:
            log.exception("stopping %s failed; going on with the rest", name)
