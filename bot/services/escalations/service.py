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
from bot.services.escalations.handover import ItemHandover
from bot.services.escalations.render import Keyboard
from storage import escalations
from storage.db import Database, Tx

# Items waiting for working hours, by id: who they reach when those begin.
Held = dict[int, list[Person]]


class EscalationService(Service):
    def __init__(self, db: Database, clock: Clock, settings: Settings, wake_delivery: Callable[[], None]) -> None:
        super().__init__(db, clock, settings, wake_delivery)
        self._alerts = Alerts(settings)
        self.engine = EscalationEngine(db, clock, settings, wake_delivery, self._alerts)
        self.actions = EscalationActions(db, clock, settings, wake_delivery, self._alerts)
        self.handover = ItemHandover(settings, self._alerts, self.engine)  # items changing hands, in a caller's tx
        # The entry points of handlers and wiring, under the names they use, served by the part they belong to.
        # Other services, working inside their own transaction, call the part itself (engine.hand_over_in,
        # handover.cover_in).
        self.preview = self.engine.preview
        self.raise_item = self.engine.raise_item
        self.tick = self.engine.tick
        self.on_unreachable = self.engine.on_unreachable
        self.get_for = self.actions.get_for
        self.acknowledge = self.actions.acknowledge
        self.handoff_candidates = self.actions.handoff_candidates
        self.handoff = self.actions.handoff
        self.resolve = self.actions.resolve
        self.still_working = self.actions.still_working
        self.open_item = self.actions.open_item

    # --- overviews --------------------------------------------------------------------------------

    async def open_items(self, person: Person, limit: int) -> tuple[list[Escalation], int, Held]:
        """The first `limit` open items this person may see (none about themselves), how many in all, and for
        those waiting for working hours who they will reach. A professional also sees the items held for their
        working hours that will reach them first, before anyone was told."""
        everything = person.is_coordinator
        async with self._db.transaction() as tx:
            items = await escalations.open_overview(tx, person.id, everything=everything, limit=limit)
            total = await escalations.count_overview(tx, person.id, everything=everything)
            if not everything:
                shown = {e.id for e in items}
                waiting = [e for e in await escalations.held_for(tx, person.id) if e.id not in shown]
                coming = [e for e in waiting if person.id in {p.id for p in await self.engine.held_route(tx, e)}]
                total += len(coming)
                items = sorted([*items, *coming], key=lambda e: (e.created_at, e.id))[:limit]
            held = await self._held(tx, items)
        return items, total, held

    async def mine(self, volunteer: Person, limit: int = 10) -> tuple[list[Escalation], Held]:
        """The volunteer's latest reports, and for those waiting for working hours who they will reach."""
        async with self._db.transaction() as tx:
            items = await escalations.for_volunteer(tx, volunteer.id, (Kind.SIGNAL, Kind.BACKUP), limit)
            return items, await self._held(tx, items)

    async def _held(self, tx: Tx, items: list[Escalation]) -> Held:
        return {e.id: await self.engine.held_route(tx, e) for e in items if e.held}

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
