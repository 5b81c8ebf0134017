"""The wiring types every layer above the services shares: the services bundle and the typed PTB context.

A leaf module: it imports the services, never `bot.app` or `handlers`, so that handlers and the app can both
import it without an import circle.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot

from bot.clock import Clock
from bot.config import Settings
from bot.delivery import Delivery
from bot.domain.models import Person
from bot.domain.ratelimit import UpdateLimiter
from bot.scheduler import Scheduler
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
from storage.db import Database


@dataclass
class Services:
    settings: Settings
    clock: Clock
    db: Database
    delivery: Delivery
    scheduler: Scheduler
    people: PeopleService
    drafts: DraftService
    escalations: EscalationService
    handover: HandoverService
    checkins: CheckInService
    visits: VisitService
    menus: MenuService
    privacy: PrivacyService
    limiter: UpdateLimiter
    email: EmailService
    socialmap: SocialMapService
    overview: OverviewService
    reports: ReportService
    talks: TalkService
    recognition: RecognitionService
    digest: DigestService
    # Replies to strangers share one budget of about one a second (the rest are dropped without a reply), so
    # a flood of strangers neither takes Telegram's budget from the people we serve nor gets answered in bulk.
    strangers: UpdateLimiter
    # The per-person limit's time source (seconds; only differences count); tests pass a fake one.
    monotonic: Callable[[], float] = time.monotonic


class BotData:
    """The application's bot_data: typed access to the services instead of untyped dict keys."""

    def __init__(self) -> None:
        self.services: Services | None = None


class Context(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], BotData]):
    """Per-update context. `person` is filled by the gate handler for registered senders."""

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application=application, chat_id=chat_id, user_id=user_id)
        self.person: Person | None = None

    @property
    def services(self) -> Services:
        services = self.bot_data.services
        if services is None:
            raise RuntimeError("services are not wired")
        return services
