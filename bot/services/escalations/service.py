"""The escalations as one service for their callers (handlers, the other services, the scheduler).

The engine moves items along their route, the actions are what people do with them, and the overviews here
read them; the engine and the actions share the alerts. Callers keep one object and one set of names.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.clock import Clock
from bot.config import Settings
from bot.domain.escalation import Escalation, Kind
from bot.domain.models import Person
from bot.i18n import Markup
from bot.services.base import Service, load_people
from bot.services.errors import Refused
from bot.services.escalations.actions import EscalationActions
from bot.services.escalations.alerts import Alerts
from bot.services.escalations.engine import EscalationEngine
from bot.services.escalations.render import Keyboard
from storage import escalations
from storage.db import Database


class EscalationService(Service):
    def __init__(self, db: Database, clock: Clock, settings: Settings, wake_delivery: Callable[[], None]) -> None:
        super().__init__(db, clock, settings, wake_delivery)
        self._alerts = Alerts(settings)
        self.engine = EscalationEngine(db, clock, settings, wake_delivery, self._alerts)
        self.actions = EscalationActions(db, clock, settings, wake_delivery, self._alerts)
        # The entry points of handlers and wiring, under the names they use, served by the part they belong to.
        # Other services, working inside their own transaction, call the part itself (engine.hand_over_in).
        self.preview = self.engine.preview
        self.raise_item = self.engine.raise_item
        self.tick = self.engine.tick
        self.on_unreachable = self.engine.on_unreachable
        self.get_for = self.actions.get_for
        self.acknowledge = self.actions.acknowledge
        self.handoff_candidates = self.actions.handoff_candidates
        self.handoff = self.actions.handoff
        self.resolve = self.actions.resolve

    # --- overviews --------------------------------------------------------------------------------

    async def open_items(self, person: Person, limit: int) -> tuple[list[Escalation], int]:
        """The first `limit` open items this person may see (none about themselves), and how many in all."""
        everything = person.is_coordinator
        async with self._db.transaction() as tx:
            items = await escalations.open_overview(tx, person.id, everything=everything, limit=limit)
            total = await escalations.count_overview(tx, person.id, everything=everything)
        return items, total

    async def mine(self, volunteer: Person, limit: int = 10) -> list[Escalation]:
        async with self._db.transaction() as tx:
            return await escalations.for_volunteer(tx, volunteer.id, (Kind.SIGNAL, Kind.BACKUP), limit)

    async def names(self, ids: set[int]) -> dict[int, str]:
        async with self._db.transaction() as tx:
            found = await load_people(tx, ids)
        return {i: p.name for i, p in found.items()}

    async def render_for(self, person: Person, escalation: Escalation) -> tuple[Markup, Keyboard | None]:
        if escalation.volunteer_id == person.id:
            # Whatever list asked for it: nobody is shown an item about themselves (their wellbeing alert).
            raise Refused("esc.not_yours")
        async with self._db.transaction() as tx:
            return await self._alerts.current(tx, escalation, person, self._clock.now())
