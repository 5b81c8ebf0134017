"""Wiring: the one place where settings, storage, services and handlers meet."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Update
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, ExtBot

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.context import BotData, Context
from bot.context import Services as Services  # re-exported: the sandbox, tests and benchmarks import it from here
from bot.delivery import Delivery
from bot.domain.ratelimit import UpdateLimiter
from bot.scheduler import Scheduler
from bot.services.checkins import CheckInService
from bot.services.drafts import DraftService
from bot.services.escalations import EscalationService
from bot.services.menus import MenuService
from bot.services.people import PeopleService
from bot.services.privacy import PrivacyService
from bot.services.visits import VisitService
from bot.updates import PerSenderUpdateProcessor
from handlers import register
from storage.db import Database

log = logging.getLogger(__name__)


SamenspelApp = Application[ExtBot[None], Context, dict[Any, Any], dict[Any, Any], BotData, Any]


def build_application(settings: Settings, *, clock: Clock | None = None) -> SamenspelApp:
    if settings.telegram.token is None:
        raise ValueError("no bot token configured")
    clock = clock or SystemClock()
    timeout = settings.telegram.request_timeout_seconds
    builder = (
        ApplicationBuilder()
        .token(settings.telegram.token.get_secret_value())
        .base_url(settings.telegram.base_url)
        .base_file_url(settings.telegram.file_url())
        .context_types(ContextTypes(context=Context, bot_data=BotData))
        # Retries are the outbox's job (it honours RetryAfter per message), so the limiter only paces.
        .rate_limiter(AIORateLimiter(overall_max_rate=settings.telegram.max_messages_per_second, max_retries=0))
        .connect_timeout(timeout)
        .read_timeout(timeout)
        .write_timeout(timeout)
        .pool_timeout(timeout)
        .connection_pool_size(32)
        .get_updates_read_timeout(settings.telegram.poll_timeout_seconds + timeout)
        # One person's updates in order (their flow steps never race); different people side by side.
        .concurrent_updates(PerSenderUpdateProcessor(4096))
    )
    app: SamenspelApp = builder.build()  # type: ignore[assignment]
    db = Database(settings.storage.path)
    delivery = Delivery(db, app.bot)
    scheduler = Scheduler(clock)
    people_service = PeopleService(db, clock, settings, delivery.wake)
    escalation_service = EscalationService(db, clock, settings, delivery.wake)
    services = Services(
        settings=settings,
        clock=clock,
        db=db,
        delivery=delivery,
        scheduler=scheduler,
        people=people_service,
        drafts=DraftService(db, clock),
        escalations=escalation_service,
        checkins=CheckInService(db, clock, settings, delivery.wake, escalation_service),
        visits=VisitService(db, clock, settings, escalation_service, delivery.wake),
        menus=MenuService(app.bot, settings),
        privacy=PrivacyService(db, clock, settings, escalation_service, delivery.wake),
        limiter=UpdateLimiter(settings.app.updates_per_minute),
    )
    delivery.unreachable_hooks.append(people_service.tell_coordinators_unreachable)
    delivery.unreachable_hooks.append(services.escalations.on_unreachable)
    scheduler.register("escalations", services.escalations.tick)
    scheduler.register("visits", services.visits.tick)
    scheduler.register("checkins", services.checkins.tick)
    scheduler.register("retention", services.privacy.retention_tick)
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
    await services.delivery.start()
    if app.job_queue is not None:

        async def _tick(_: object) -> None:
            await services.scheduler.tick()

        interval = services.settings.app.tick_seconds
        app.job_queue.run_repeating(
            _tick, interval=interval, first=interval, name="tick", job_kwargs={"misfire_grace_time": None}
        )
    await services.menus.set_defaults()
    # Catch up at once on what fell due while the bot was down, before taking new updates.
    await services.scheduler.tick()


async def stop_services(app: SamenspelApp) -> None:
    services = services_of(app)
    await services.delivery.stop()
    await services.db.close()


async def serve(app: SamenspelApp, stop: asyncio.Event) -> None:
    """Run the bot until `stop` is set: long polling, handlers, delivery and scheduler."""
    async with app:
        await start_services(app)
        try:
            assert app.updater is not None
            await app.updater.start_polling(
                poll_interval=0.0,
                timeout=services_of(app).settings.telegram.poll_timeout_seconds,
                allowed_updates=[Update.MESSAGE, Update.CALLBACK_QUERY, Update.MY_CHAT_MEMBER],
                drop_pending_updates=False,
            )
            await app.start()
            log.info("Samenspel is running as @%s", app.bot.username)
            await stop.wait()
        finally:
            log.info("stopping")
            if app.updater is not None and app.updater.running:
                await app.updater.stop()
            if app.running:
                await app.stop()
            await stop_services(app)
