"""The escalation engine: raise an item, let it climb its route on the timer, climb at once when those told
cannot be reached, and find it a new home when the person it concerns or holds it leaves.

Every state change and the messages it causes are written in one transaction (the outbox), and every
deadline is the `next_step_at` column, so a crash or restart loses nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.domain.escalation import BODY_LIMIT, Escalation, Kind, Situation, State, Step, Urgency, climb_now, next_step
from bot.domain.models import Person
from bot.i18n import plain
from bot.services.base import Service, Trail
from bot.services.errors import Refused
from bot.services.escalations import render
from bot.services.escalations.alerts import SUBJECT, Alerts
from bot.services.escalations.route import Loaded, Route, own_link
from bot.services.notify import notify
from storage import drafts, escalations, people
from storage.db import Database, Tx

TRAIL = Trail(SUBJECT)
DUE_BATCH = 100


@dataclass(frozen=True)
class Routing:
    """Who an item would reach, for the volunteer's confirmation screen."""

    first: list[Person]
    first_level: int
    deferred_until: datetime | None
    next_people: list[Person]
    next_level: int | None
    wait: timedelta
    all_at_once: bool
    working_time: bool
    nobody: bool


@dataclass(frozen=True)
class Raised:
    escalation: Escalation
    told: list[Person]
    deferred_until: datetime | None
    nobody: bool


class EscalationEngine(Service):
    def __init__(
        self, db: Database, clock: Clock, settings: Settings, wake_delivery: Callable[[], None], alerts: Alerts
    ) -> None:
        super().__init__(db, clock, settings, wake_delivery)
        self._route = Route(settings)
        self._alerts = alerts

    # --- raising ----------------------------------------------------------------------------------

    async def preview(self, volunteer: Person, link_id: int | None, urgency: Urgency) -> Routing:
        now = self._clock.now()
        policy = self._settings.escalation.policy(urgency)
        async with self._db.transaction() as tx:
            link = await own_link(tx, volunteer, link_id)
            level_people = await self._route.levels(tx, volunteer, link)
            candidates = await self._route.candidates(tx, level_people, now)
        situation = Situation(urgency=urgency, state=State.OPEN, level=-1, levels=candidates)
        step = next_step(situation, policy, now)
        by_id = {p.id: p for level in level_people for p in level}
        first = [by_id[i] for i in step.tell]
        deferred = step.next_at if not step.tell and not step.nobody_reachable else None
        first_level = step.level if step.tell else -1
        if deferred is not None:
            # Waiting for working hours: say who will get it then.
            later = next_step(situation, policy, deferred)
            first, first_level = [by_id[i] for i in later.tell], later.level
        next_people: list[Person] = []
        next_level: int | None = None
        if policy.climb and not policy.all_at_once and first_level >= 0:
            for index in range(first_level + 1, len(candidates)):
                eligible = [by_id[c.person_id] for c in candidates[index] if c.eligible]
                if eligible:
                    next_people, next_level = eligible, index
                    break
        return Routing(
            first=first,
            first_level=first_level,
            deferred_until=deferred,
            next_people=next_people,
            next_level=next_level,
            wait=policy.wait,
            all_at_once=policy.all_at_once,
            working_time=policy.working_hours_only,
            nobody=step.nobody_reachable,
        )

    async def raise_item(
        self,
        volunteer: Person,
        *,
        kind: Kind,
        link_id: int | None,
        category: str,
        urgency: Urgency,
        body: str | None,
        dedupe_key: str | None = None,
        consume_draft: bool = False,
    ) -> Raised | None:
        """Store the item and tell the first level, in one transaction. None: a duplicate (dedupe_key).

        consume_draft: the volunteer's draft (the summary they confirmed) is deleted in the same
        transaction, and must still exist: a second press of "Versturen", also after a crash between
        the commit and the reply, cannot raise the same report twice."""
        if body is not None and len(body) > BODY_LIMIT:
            raise Refused("too_long", limit=BODY_LIMIT, length=len(body))
        now = self._clock.now()
        async with self._db.transaction() as tx:
            if consume_draft and not await drafts.clear(tx, volunteer.id):
                raise Refused("button.expired")
            link = await own_link(tx, volunteer, link_id)
            escalation_id = await escalations.create(
                tx,
                kind=kind,
                volunteer_id=volunteer.id,
                link_id=link.id if link else None,
                client_alias=link.client_alias if link else None,
                category=category,
                urgency=urgency,
                body=body,
                now=now,
                dedupe_key=dedupe_key,
            )
            if escalation_id is None:
                return None
            detail = {"kind": kind.value, "urgency": urgency.value, "category": category}
            await TRAIL.record(tx, now, "escalation.created", escalation_id, actor=volunteer.id, **detail)
            created = await escalations.get(tx, escalation_id)
            assert created is not None
            step, by_id = await self._advance(tx, created, now)
            final = await escalations.get(tx, escalation_id)
            assert final is not None
        self._wake()
        deferred = step.next_at if not step.tell and not step.nobody_reachable else None
        return Raised(final, [by_id[i] for i in step.tell], deferred, step.nobody_reachable)

    # --- climbing ---------------------------------------------------------------------------------

    async def _advance(
        self, tx: Tx, escalation: Escalation, now: datetime, loaded: Loaded | None = None
    ) -> tuple[Step, dict[int, Person]]:
        """Ask the policy what to do now and do it: alert, remind, skip, set the next deadline."""
        loaded = loaded or await self._route.load(tx, escalation, now)
        volunteer, by_id = loaded.volunteer, loaded.by_id
        step = next_step(loaded.situation, self._settings.escalation.policy(escalation.urgency), now)
        for index, reason in step.skipped:
            await TRAIL.record(tx, now, "escalation.skipped", escalation.id, level=index, reason=reason.value)
        for person_id in step.tell:
            await self._alerts.send(tx, escalation, by_id[person_id], volunteer, now, level=step.level)
            await TRAIL.record(tx, now, "escalation.notified", escalation.id, person=person_id, level=step.level)
        for person_id in step.remind:
            await self._alerts.remind(tx, escalation, by_id[person_id], volunteer, now)
            await TRAIL.record(tx, now, "escalation.reminded", escalation.id, person=person_id)
        if step.tell and step.level == loaded.last_level and escalation.level < loaded.last_level:
            await self._alerts.tell_team_chat(tx, escalation, volunteer, now)
        if step.nobody_reachable and not escalation.nobody_warned:
            await TRAIL.record(tx, now, "escalation.nobody_reachable", escalation.id)
            await escalations.set_nobody_warned(tx, escalation.id)
            if escalation.kind is not Kind.WELLBEING and escalation.level >= 0:
                lang = volunteer.language
                kind = plain(lang, f"kind.{escalation.kind.value}")
                await notify(tx, volunteer, "vol.nobody", now, kind=kind, client=render.client(escalation, lang))
        await escalations.set_step(tx, escalation.id, level=step.level, next_step_at=step.next_at)
        return step, by_id

    async def tick(self, now: datetime) -> int:
        """Act on every item whose deadline has passed. Returns how many were handled."""
        handled = 0
        while True:
            # A long tick must not leave what fell due meanwhile for the next one.
            now = max(now, self._clock.now())
            async with self._db.transaction() as tx:
                due = await escalations.due(tx, now, DUE_BATCH)
            if not due:
                break
            for escalation_id in due:
                async with self._db.transaction() as tx:
                    escalation = await escalations.get(tx, escalation_id)
                    if escalation is None or escalation.next_step_at is None or escalation.next_step_at > now:
                        continue
                    if escalation.state is State.HANDOFF:
                        escalation = await self._handoff_expired(tx, escalation, now)
                    await self._advance(tx, escalation, now)
                handled += 1
            if len(due) < DUE_BATCH:
                break
        if handled:
            self._wake()
        return handled

    async def _handoff_expired(self, tx: Tx, escalation: Escalation, now: datetime) -> Escalation:
        await escalations.reopen(tx, escalation.id)
        await TRAIL.record(tx, now, "escalation.handoff_expired", escalation.id, to=escalation.handoff_to)
        reopened = await escalations.get(tx, escalation.id)
        assert reopened is not None
        target = await people.get(tx, escalation.handoff_to or 0)
        await self._alerts.refresh(tx, reopened, now, expired_handoff=target)
        return reopened

    async def on_unreachable(self, person_id: int) -> None:
        """Someone told cannot be reached: if nobody else at that level can, climb at once."""
        now = self._clock.now()
        moved = False
        async with self._db.transaction() as tx:
            for escalation_id in await escalations.open_told_to(tx, person_id):
                escalation = await escalations.get(tx, escalation_id)
                if escalation is None:
                    continue
                loaded = await self._route.load(tx, escalation, now)
                if climb_now(loaded.situation):
                    await TRAIL.record(tx, now, "escalation.recipient_unreachable", escalation.id, person=person_id)
                    await self._advance(tx, escalation, now, loaded)
                    moved = True
        if moved:
            self._wake()

    # --- when someone leaves -----------------------------------------------------------------------

    async def hand_over_in(self, tx: Tx, escalation_id: int, now: datetime, *, leaving: Person) -> Person | None:
        """The volunteer who raised this item leaves: whoever holds it, or else the first reachable person
        on its route, takes it over, with the volunteer's words (which are erased right after)."""
        escalation = await escalations.get(tx, escalation_id)
        if escalation is None or not escalation.is_open:
            return None
        loaded = await self._route.load(tx, escalation, now)
        owner = loaded.by_id.get(escalation.owner_id or 0)
        target = owner if owner is not None and owner.active and escalation.state is State.ACKNOWLEDGED else None
        if target is None:
            reachable = [c.person_id for level in loaded.situation.levels for c in level if c.reachable]
            target = next((loaded.by_id[p] for p in reachable if p != leaving.id), None)
        if target is None:
            # Nobody on the route can be reached: it keeps climbing as it was, and says so in the audit.
            await TRAIL.record(tx, now, "escalation.handover_failed", escalation.id)
            return None
        if escalation.state is not State.ACKNOWLEDGED or escalation.owner_id != target.id:
            await escalations.acknowledge(tx, escalation.id, target.id, now)
            if target.id not in loaded.situation.told:
                await escalations.add_recipient(
                    tx, escalation.id, target.id, level=escalation.level, outbox_id=None, now=now
                )
        volunteer = loaded.volunteer
        alert, _ = render.alert(escalation, self._alerts.viewer(target), {volunteer.id: volunteer.name}, now)
        await notify(
            tx,
            target,
            "forget.handover",
            now,
            name=volunteer.name,
            alert=alert,
            subject_type=SUBJECT,
            subject_id=escalation.id,
        )
        await TRAIL.record(tx, now, "escalation.handed_over", escalation.id, to=target.id)
        # Earlier alerts are not edited: they would name the volunteer again; their buttons now answer
        # that the item is taken.
        return target

    async def release_in(self, tx: Tx, escalation_id: int, now: datetime, *, leaving: Person) -> None:
        """The professional holding (or being handed) this item leaves: it climbs again from the start."""
        if await escalations.release(tx, escalation_id, now):
            await TRAIL.record(tx, now, "escalation.released", escalation_id, person=leaving.id)
