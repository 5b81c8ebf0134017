"""What people do with an item: pick it up, hand it to a colleague, resolve it; and the bot closing one.

Every action re-checks on the server who may act (`may_act`), edits every recipient's alert in place
through the outbox, and tells the volunteer, in one transaction.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.domain.escalation import REPLY_LIMIT, Escalation, Recipient, State, Urgency, may_act
from bot.domain.models import Person, Role
from bot.domain.timefmt import say_time
from bot.i18n import Markup, plain
from bot.services.base import Service, Trail, zone_of
from bot.services.errors import Refused
from bot.services.escalations import render
from bot.services.escalations.alerts import SUBJECT, Alerts
from bot.services.escalations.route import Route
from bot.services.notify import notify
from storage import escalations, links, people
from storage.db import Database, Tx

TRAIL = Trail(SUBJECT)
# An entry of the social map sent along with a reply, rendered in the volunteer's language.
Attached = Callable[[str], Markup]
# A hand-off of a non-urgent item waits at least this long for the colleague before it climbs on.
HANDOFF_WAIT_NOT_URGENT = timedelta(hours=4)


def may_take_over(colleague: Person, handing: Person, escalation: Escalation) -> bool:
    """Who an item can be handed to: another active, reachable professional, never its own volunteer."""
    return (
        colleague.active
        and colleague.is_professional
        and not colleague.unreachable
        and colleague.id not in (handing.id, escalation.volunteer_id)
    )


class EscalationActions(Service):
    def __init__(
        self, db: Database, clock: Clock, settings: Settings, wake_delivery: Callable[[], None], alerts: Alerts
    ) -> None:
        super().__init__(db, clock, settings, wake_delivery)
        self._alerts = alerts
        self._route = Route(settings)

    async def _authorised(self, tx: Tx, person: Person, escalation_id: int) -> tuple[Escalation, list[Recipient]]:
        """The item and who was told, if this person may act on it now; never one about themselves."""
        escalation = await escalations.get(tx, escalation_id)
        if escalation is None:
            raise Refused("esc.gone")
        recipients = await escalations.recipients(tx, escalation.id)
        responsible: set[int] = set()
        volunteer = await people.get(tx, escalation.volunteer_id)
        if volunteer is not None and volunteer.responsible_professional_id:
            responsible.add(volunteer.responsible_professional_id)
        if escalation.link_id and (link := await links.get(tx, escalation.link_id)) and link.professional_id:
            responsible.add(link.professional_id)
        allowed = may_act(
            person_id=person.id,
            is_coordinator=person.is_coordinator,
            is_professional=person.is_professional,
            escalation=escalation,
            told=frozenset(r.person_id for r in recipients),
            responsible_ids=frozenset(responsible),
        )
        if not allowed or person.id == escalation.volunteer_id:
            raise Refused("esc.not_yours")
        return escalation, recipients

    async def get_for(self, person: Person, escalation_id: int) -> Escalation:
        async with self._db.transaction() as tx:
            escalation, _ = await self._authorised(tx, person, escalation_id)
        return escalation

    async def _open_for(self, tx: Tx, person: Person, escalation_id: int) -> tuple[Escalation, list[Recipient]]:
        """As `_authorised`, and not resolved yet."""
        escalation, recipients = await self._authorised(tx, person, escalation_id)
        if escalation.state is State.RESOLVED:
            raise await self._fate(tx, escalation, person)
        return escalation, recipients

    async def open_item(self, person: Person, escalation_id: int) -> Escalation:
        """The item, if this person may act on it and it is not done; otherwise what became of it."""
        async with self._db.transaction() as tx:
            escalation, _ = await self._open_for(tx, person, escalation_id)
        return escalation

    async def _fate(self, tx: Tx, escalation: Escalation, person: Person) -> Refused:
        """What became of an item, for someone pressing a button it no longer has: who picked it up or closed
        it, and when (in their own time)."""
        zone = zone_of(person, self._settings)
        if escalation.state is State.RESOLVED and escalation.resolved_at is not None:
            at = render.time_of_day(escalation.resolved_at, zone)
            if escalation.resolved_by is None:
                reason = plain(person.language, escalation.resolution or "status.closed_default")
                return Refused("esc.closed_already", time=at, why=reason)
            if escalation.resolved_by == person.id:
                return Refused("esc.resolved_by_you", time=at)
            closer = await people.get(tx, escalation.resolved_by)
            return Refused("esc.resolved_by", name=closer.name if closer else "?", time=at)
        if escalation.state is State.ACKNOWLEDGED:
            at = render.time_of_day(escalation.held_since or escalation.acknowledged_at or self._clock.now(), zone)
            if escalation.owner_id == person.id:
                return Refused("ack.already_you", time=at)
            owner = await people.get(tx, escalation.owner_id or 0)
            return Refused("ack.already", name=owner.name if owner else "?", time=at)
        return Refused("esc.resolved_already")

    async def acknowledge(self, person: Person, escalation_id: int) -> Escalation:
        now = self._clock.now()

        async def pick_up(tx: Tx) -> Escalation:
            escalation, recipients = await self._open_for(tx, person, escalation_id)
            if escalation.state is State.ACKNOWLEDGED:
                raise await self._fate(tx, escalation, person)
            follow_up = await self._route.follow_up_at(tx, escalation, person, now)
            if not await escalations.acknowledge(tx, escalation.id, person.id, now, follow_up_at=follow_up):
                raise Refused("esc.resolved_already")
            if person.id not in {r.person_id for r in recipients}:
                await escalations.add_recipient(
                    tx, escalation.id, person.id, level=escalation.level, outbox_id=None, now=now
                )
            return await self._record_and_tell(
                tx, escalation.id, person, now, event="escalation.acknowledged", volunteer_key="vol.acknowledged"
            )

        # Two professionals tapping at once (or a tap and a climb): the loser runs again and is told who has it.
        updated = await self._db.unit(pick_up)
        self._wake()
        return updated

    async def handoff_candidates(self, person: Person, escalation_id: int) -> list[Person]:
        async with self._db.transaction() as tx:
            escalation, _ = await self._open_for(tx, person, escalation_id)
            professionals = await people.active_with_role(tx, Role.PROFESSIONAL)
        return [p for p in professionals if may_take_over(p, person, escalation)]

    async def handoff(self, person: Person, escalation_id: int, to_id: int) -> tuple[Escalation, Person, timedelta]:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            escalation, _ = await self._open_for(tx, person, escalation_id)
            colleague = await people.get(tx, to_id)
            # The same rule as the list offered: a forged id cannot hand it to anyone else.
            if colleague is None or not may_take_over(colleague, person, escalation):
                raise Refused("flow.person_gone")
            wait = self._settings.escalation.policy(escalation.urgency).wait
            if escalation.urgency in (Urgency.INFO, Urgency.CONCERN):
                wait = max(wait, HANDOFF_WAIT_NOT_URGENT)
            if not await escalations.start_handoff(
                tx, escalation.id, from_id=person.id, to_id=colleague.id, deadline=now + wait
            ):
                raise Refused("esc.resolved_already")
            updated = await escalations.get(tx, escalation.id)
            assert updated is not None
            volunteer = await people.get(tx, updated.volunteer_id)
            assert volunteer is not None
            level = max(updated.level, 0)
            request = await self._alerts.send(tx, updated, colleague, volunteer, now, level=level, handoff_from=person)
            await TRAIL.record(tx, now, "escalation.handed_off", updated.id, actor=person.id, to=colleague.id)
            await self._alerts.refresh(tx, updated, now, skip=request)
            if updated.tells_volunteer:
                lang = volunteer.language
                kind, client = plain(lang, f"kind.{updated.kind.value}"), render.client(updated, lang)
                await notify(
                    tx, volunteer, "vol.handed_off", now, name=person.name, to=colleague.name, kind=kind, client=client
                )
        self._wake()
        return updated, colleague, wait

    async def still_working(self, person: Person, escalation_id: int) -> datetime:
        """The holder answers the follow-up: still on it. They are asked again after the follow-up time."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            escalation, _ = await self._open_for(tx, person, escalation_id)
            if escalation.state is not State.ACKNOWLEDGED:
                raise Refused("followup.open_again")  # nobody holds it (any more): pick it up again instead
            if escalation.owner_id != person.id:
                raise await self._fate(tx, escalation, person)
            if escalation.follow_ups == 0:
                zone = zone_of(person, self._settings)
                when = say_time(escalation.follow_up_at or now, now, zone, person.language)
                raise Refused("followup.answered_already", when=when)
            follow_up = await self._route.follow_up_at(tx, escalation, person, now)
            await escalations.set_follow_up(tx, escalation.id, at=follow_up, asked=0)
            await TRAIL.record(tx, now, "escalation.still_working", escalation.id, actor=person.id)
            updated = await escalations.get(tx, escalation.id)
            assert updated is not None
            await self._alerts.refresh(tx, updated, now)
        self._wake()
        return follow_up

    async def resolve(self, person: Person, escalation_id: int, reply: str) -> Escalation:
        reply = reply.strip()
        if not reply or len(reply) > REPLY_LIMIT:
            raise Refused("resolve.bad", limit=REPLY_LIMIT)
        now = self._clock.now()
        updated = await self._db.unit(lambda tx: self.resolve_in(tx, person, escalation_id, reply, now))
        self._wake()
        return updated

    async def resolve_in(
        self,
        tx: Tx,
        person: Person,
        escalation_id: int,
        reply: str,
        now: datetime,
        *,
        attached: Attached | None = None,
    ) -> Escalation:
        """As `resolve`, inside the caller's transaction (one that also ends the link it was about, or stores
        the entry of the social map sent along: `attached` renders it in the volunteer's language)."""
        escalation, _ = await self._authorised(tx, person, escalation_id)
        if not await escalations.resolve(tx, escalation.id, by=person.id, reply=reply, now=now):
            raise Refused("esc.resolved_already")
        return await self._record_and_tell(
            tx,
            escalation.id,
            person,
            now,
            event="escalation.resolved",
            volunteer_key="vol.resolved" if attached is None else "vol.resolved_with_entry",
            reply=reply,
            attached=attached,
        )

    async def close_in(self, tx: Tx, escalation_id: int, *, reason_key: str, now: datetime) -> bool:
        """Stop an item that no longer needs anyone (inside the caller's transaction): no further
        climbing, and every recipient's alert says why."""
        if not await escalations.close(tx, escalation_id, reason_key=reason_key, now=now):
            return False
        await TRAIL.record(tx, now, "escalation.closed", escalation_id, reason=reason_key)
        updated = await escalations.get(tx, escalation_id)
        assert updated is not None
        await self._alerts.refresh(tx, updated, now)
        return True

    async def _record_and_tell(
        self,
        tx: Tx,
        escalation_id: int,
        person: Person,
        now: datetime,
        *,
        event: str,
        volunteer_key: str,
        reply: str | None = None,
        attached: Attached | None = None,
    ) -> Escalation:
        """After a state change: audit it, show it in every recipient's alert, tell the volunteer."""
        await TRAIL.record(tx, now, event, escalation_id, actor=person.id)
        updated = await escalations.get(tx, escalation_id)
        assert updated is not None
        await self._alerts.refresh(tx, updated, now)
        volunteer = await people.get(tx, updated.volunteer_id)
        if volunteer is not None and updated.tells_volunteer:  # wellbeing alerts are about them
            lang = volunteer.language
            # The resolution says the reply; the pick-up says when, in the volunteer's time.
            said: dict[str, Any] = (
                {"reply": reply}
                if reply is not None
                else {"time": render.time_of_day(now, zone_of(volunteer, self._settings))}
            )
            if attached is not None:
                said["entry"] = attached(lang)
            await notify(
                tx,
                volunteer,
                volunteer_key,
                now,
                name=person.name,
                kind=plain(lang, f"kind.{updated.kind.value}"),
                client=render.client(updated, lang),
                **said,
            )
        return updated
