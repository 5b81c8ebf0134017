"""Signals, backup requests and alerts: raise, route, climb, acknowledge, hand off, resolve.

Every state change and the messages it causes are written in one transaction (the outbox), and every
deadline is the `next_step_at` column, so a crash or restart loses nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import Settings
from bot.domain.callbacks import pack
from bot.domain.escalation import (
    BODY_LIMIT,
    REPLY_LIMIT,
    Candidate,
    Escalation,
    Kind,
    Recipient,
    Situation,
    State,
    Step,
    Urgency,
    WorkingHours,
    climb_now,
    levels_for,
    may_act,
    next_step,
)
from bot.domain.models import Link, Person, Role
from bot.domain.timefmt import say_duration, say_time
from bot.i18n import Markup, plain, t
from bot.services.errors import Refused
from bot.services.notify import notify
from storage import audit, drafts, escalations, links, outbox, people
from storage.db import Database, Tx
from storage.escalations import AvailabilityRow

log = logging.getLogger(__name__)

SUBJECT = "escalation"
MESSAGE_LIMIT = 4096
Keyboard = list[list[dict[str, str]]]


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
class _Loaded:
    volunteer: Person
    by_id: dict[int, Person]
    situation: Situation
    last_level: int


def _may_take_over(colleague: Person, handing: Person, escalation: Escalation) -> bool:
    """Who an item can be handed to: another active, reachable professional, never its own volunteer."""
    return (
        colleague.active
        and colleague.is_professional
        and not colleague.unreachable
        and colleague.id not in (handing.id, escalation.volunteer_id)
    )


@dataclass(frozen=True)
class Raised:
    escalation: Escalation
    told: list[Person]
    deferred_until: datetime | None
    nobody: bool


class EscalationService:
    def __init__(self, db: Database, clock: Clock, settings: Settings, wake_delivery: Callable[[], None]) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._wake = wake_delivery

    # --- routing ----------------------------------------------------------------------------------

    async def _level_people(self, tx: Tx, volunteer: Person, link: Link | None) -> list[list[Person]]:
        responsible = link.professional_id if link and link.professional_id else volunteer.responsible_professional_id
        coordinators = [c.id for c in await people.active_with_role(tx, Role.COORDINATOR)]
        ids = levels_for(responsible, volunteer.backup_professional_id, coordinators)
        result: list[list[Person]] = []
        for level in ids:
            members: list[Person] = []
            for person_id in level:
                person = await people.get(tx, person_id)
                if person is not None and person.active and person.id != volunteer.id:
                    members.append(person)
            result.append(members)
        return result

    def _zone(self, person: Person) -> ZoneInfo:
        try:
            return ZoneInfo(person.timezone) if person.timezone else self._settings.app.zone
        except (KeyError, ValueError):
            return self._settings.app.zone

    def _hours(self, person: Person, row: AvailabilityRow | None) -> WorkingHours:
        config = self._settings.escalation
        zone = str(self._zone(person))
        if row is None:
            return WorkingHours(
                days=frozenset(config.work_days), start=config.work_start, end=config.work_end, zone=zone
            )
        return WorkingHours(days=row.work_days, start=row.work_start, end=row.work_end, zone=zone)

    async def _candidates(self, tx: Tx, levels: list[list[Person]], now: datetime) -> list[list[Candidate]]:
        rows = await escalations.availability(tx, [p.id for level in levels for p in level])
        return [
            [
                Candidate(
                    person_id=p.id,
                    away=(row := rows.get(p.id)) is not None and row.away_until is not None and row.away_until > now,
                    reachable=not p.unreachable and p.telegram_id is not None,
                    hours=self._hours(p, row),
                )
                for p in level
            ]
            for level in levels
        ]

    async def preview(self, volunteer: Person, link_id: int | None, urgency: Urgency) -> Routing:
        now = self._clock.now()
        policy = self._settings.escalation.policy(urgency)
        async with self._db.transaction() as tx:
            link = await self._own_link(tx, volunteer, link_id)
            level_people = await self._level_people(tx, volunteer, link)
            candidates = await self._candidates(tx, level_people, now)
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

    async def _own_link(self, tx: Tx, volunteer: Person, link_id: int | None) -> Link | None:
        if link_id is None:
            return None
        link = await links.get(tx, link_id)
        if link is None or not link.active or link.volunteer_id != volunteer.id:
            raise Refused("button.expired")
        return link

    # --- raising ----------------------------------------------------------------------------------

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
            link = await self._own_link(tx, volunteer, link_id)
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
            await audit.record(
                tx,
                now=now,
                event="escalation.created",
                actor_id=volunteer.id,
                subject_type=SUBJECT,
                subject_id=escalation_id,
                detail={"kind": kind.value, "urgency": urgency.value, "category": category},
            )
            created = await escalations.get(tx, escalation_id)
            assert created is not None
            step, by_id = await self._advance(tx, created, now)
            final = await escalations.get(tx, escalation_id)
            assert final is not None
        self._wake()
        deferred = step.next_at if not step.tell and not step.nobody_reachable else None
        return Raised(final, [by_id[i] for i in step.tell], deferred, step.nobody_reachable)

    async def _load(self, tx: Tx, escalation: Escalation, now: datetime) -> _Loaded:
        """Who is on each level now, who was told, and the policy's view of it."""
        volunteer = await people.get(tx, escalation.volunteer_id)
        assert volunteer is not None
        link = await links.get(tx, escalation.link_id) if escalation.link_id else None
        level_people = await self._level_people(tx, volunteer, link)
        by_id = {p.id: p for level in level_people for p in level}
        told = await escalations.recipients(tx, escalation.id)
        for r in told:
            if r.person_id not in by_id and (someone := await people.get(tx, r.person_id)) is not None:
                by_id[r.person_id] = someone
        situation = Situation(
            urgency=escalation.urgency,
            state=escalation.state,
            level=escalation.level,
            levels=await self._candidates(tx, level_people, now),
            told=frozenset(r.person_id for r in told),
            told_at_level=frozenset(r.person_id for r in told if r.level == escalation.level),
        )
        return _Loaded(volunteer, by_id, situation, len(level_people) - 1)

    async def _send_alert(
        self,
        tx: Tx,
        escalation: Escalation,
        person: Person,
        volunteer: Person,
        now: datetime,
        *,
        level: int,
        handoff_from: Person | None = None,
    ) -> None:
        """Alert one person and remember the message, so its status can be edited in later."""
        text, keyboard = self._alert(escalation, person, volunteer, now, handoff_from=handoff_from)
        outbox_id = await self._enqueue_alert(tx, escalation, person, text, keyboard, "alert", now)
        await escalations.add_recipient(tx, escalation.id, person.id, level=level, outbox_id=outbox_id, now=now)

    @staticmethod
    async def _enqueue_alert(
        tx: Tx,
        escalation: Escalation,
        person: Person,
        text: Markup,
        keyboard: Keyboard | None,
        purpose: str,
        now: datetime,
    ) -> int:
        """Queue an alert (or a reminder of it) about this item to one person."""
        return await outbox.enqueue(
            tx,
            chat_id=person.telegram_id or 0,
            person_id=person.id,
            language=person.language,
            text=text,
            keyboard=keyboard,
            subject_type=SUBJECT,
            subject_id=escalation.id,
            purpose=purpose,
            now=now,
        )

    async def _advance(
        self, tx: Tx, escalation: Escalation, now: datetime, loaded: _Loaded | None = None
    ) -> tuple[Step, dict[int, Person]]:
        """Ask the policy what to do now and do it: alert, remind, skip, set the next deadline."""
        loaded = loaded or await self._load(tx, escalation, now)
        volunteer, by_id, situation = loaded.volunteer, loaded.by_id, loaded.situation
        policy = self._settings.escalation.policy(escalation.urgency)
        step = next_step(situation, policy, now)
        for index, reason in step.skipped:
            await audit.record(
                tx,
                now=now,
                event="escalation.skipped",
                subject_type=SUBJECT,
                subject_id=escalation.id,
                detail={"level": index, "reason": reason.value},
            )
        for person_id in step.tell:
            person = by_id[person_id]
            await self._send_alert(tx, escalation, person, volunteer, now, level=step.level)
            await audit.record(
                tx,
                now=now,
                event="escalation.notified",
                actor_id=None,
                subject_type=SUBJECT,
                subject_id=escalation.id,
                detail={"person": person.id, "level": step.level},
            )
        for person_id in step.remind:
            person = by_id[person_id]
            text, keyboard = self._alert(escalation, person, volunteer, now, reminder=True)
            await self._enqueue_alert(tx, escalation, person, text, keyboard, "reminder", now)
            await escalations.count_reminder(tx, escalation.id, person.id)
            await audit.record(
                tx,
                now=now,
                event="escalation.reminded",
                subject_type=SUBJECT,
                subject_id=escalation.id,
                detail={"person": person.id},
            )
        last_level = loaded.last_level
        if step.tell and step.level == last_level and escalation.level < last_level:
            await self._tell_team_chat(tx, escalation, volunteer, now)
        if step.nobody_reachable and not escalation.nobody_warned:
            await audit.record(
                tx,
                now=now,
                event="escalation.nobody_reachable",
                subject_type=SUBJECT,
                subject_id=escalation.id,
            )
            await escalations.set_nobody_warned(tx, escalation.id)
            if escalation.kind is not Kind.WELLBEING and escalation.level >= 0:
                await notify(
                    tx,
                    volunteer,
                    "vol.nobody",
                    now,
                    kind=plain(volunteer.language, f"kind.{escalation.kind.value}"),
                    client=self._client(escalation, volunteer.language),
                )
        await escalations.set_step(tx, escalation.id, level=step.level, next_step_at=step.next_at)
        return step, by_id

    async def _tell_team_chat(self, tx: Tx, escalation: Escalation, volunteer: Person, now: datetime) -> None:
        chat_id = self._settings.escalation.alert_chat_id
        if chat_id is None:
            return
        lang = self._settings.app.language
        header = self._header(escalation, volunteer, lang, now, self._settings.app.zone)
        await outbox.enqueue(
            tx,
            chat_id=chat_id,
            language=lang,
            text=t(lang, "alert.team", header=header),
            subject_type=SUBJECT,
            subject_id=escalation.id,
            purpose="team",
            now=now,
        )

    # --- the timer --------------------------------------------------------------------------------

    async def tick(self, now: datetime) -> int:
        """Act on every item whose deadline has passed. Returns how many were handled."""
        handled = 0
        while True:
            # A long tick must not leave what fell due meanwhile for the next one.
            now = max(now, self._clock.now())
            async with self._db.transaction() as tx:
                due = await escalations.due(tx, now, 100)
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
            if len(due) < 100:
                break
        if handled:
            self._wake()
        return handled

    async def on_unreachable(self, person_id: int) -> None:
        """Someone told cannot be reached: if nobody else at that level can, climb at once."""
        now = self._clock.now()
        moved = False
        async with self._db.transaction() as tx:
            for escalation_id in await escalations.open_told_to(tx, person_id):
                escalation = await escalations.get(tx, escalation_id)
                if escalation is None:
                    continue
                loaded = await self._load(tx, escalation, now)
                if climb_now(loaded.situation):
                    await audit.record(
                        tx,
                        now=now,
                        event="escalation.recipient_unreachable",
                        subject_type=SUBJECT,
                        subject_id=escalation.id,
                        detail={"person": person_id},
                    )
                    await self._advance(tx, escalation, now, loaded)
                    moved = True
        if moved:
            self._wake()

    # --- acting on an item ------------------------------------------------------------------------

    async def _authorised(self, tx: Tx, person: Person, escalation_id: int) -> tuple[Escalation, list[Recipient]]:
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

    async def acknowledge(self, person: Person, escalation_id: int) -> Escalation:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            escalation, recipients = await self._authorised(tx, person, escalation_id)
            if escalation.state is State.RESOLVED:
                raise Refused("esc.resolved_already")
            if escalation.state is State.ACKNOWLEDGED:
                if escalation.owner_id == person.id:
                    raise Refused("ack.already_you")
                owner = await people.get(tx, escalation.owner_id or 0)
                raise Refused("ack.already", name=owner.name if owner else "?")
            if not await escalations.acknowledge(tx, escalation.id, person.id, now):
                raise Refused("esc.resolved_already")
            if person.id not in {r.person_id for r in recipients}:
                await escalations.add_recipient(
                    tx, escalation.id, person.id, level=escalation.level, outbox_id=None, now=now
                )
            updated = await self._record_and_tell(
                tx,
                escalation.id,
                person,
                now,
                event="escalation.acknowledged",
                volunteer_key="vol.acknowledged",
                time=now.strftime("%H:%M"),
            )
        self._wake()
        return updated

    async def _record_and_tell(
        self,
        tx: Tx,
        escalation_id: int,
        person: Person,
        now: datetime,
        *,
        event: str,
        volunteer_key: str,
        **values: str,
    ) -> Escalation:
        """After a state change: audit it, show it in every recipient's alert, tell the volunteer."""
        await audit.record(tx, now=now, event=event, actor_id=person.id, subject_type=SUBJECT, subject_id=escalation_id)
        updated = await escalations.get(tx, escalation_id)
        assert updated is not None
        await self._refresh_alerts(tx, updated, now)
        volunteer = await people.get(tx, updated.volunteer_id)
        if volunteer is not None and updated.kind is not Kind.WELLBEING:  # wellbeing alerts are about them
            if "time" in values:
                values["time"] = now.astimezone(self._zone(volunteer)).strftime("%H:%M")
            await notify(
                tx,
                volunteer,
                volunteer_key,
                now,
                name=person.name,
                kind=plain(volunteer.language, f"kind.{updated.kind.value}"),
                client=self._client(updated, volunteer.language),
                **cast(dict[str, Any], values),
            )
        return updated

    async def handoff_candidates(self, person: Person, escalation_id: int) -> list[Person]:
        async with self._db.transaction() as tx:
            escalation, _ = await self._authorised(tx, person, escalation_id)
            if escalation.state is State.RESOLVED:
                raise Refused("esc.resolved_already")
            professionals = await people.active_with_role(tx, Role.PROFESSIONAL)
        return [p for p in professionals if _may_take_over(p, person, escalation)]

    async def handoff(self, person: Person, escalation_id: int, to_id: int) -> tuple[Escalation, Person, timedelta]:
        now = self._clock.now()
        policy = self._settings.escalation.policy
        async with self._db.transaction() as tx:
            escalation, _ = await self._authorised(tx, person, escalation_id)
            if escalation.state is State.RESOLVED:
                raise Refused("esc.resolved_already")
            colleague = await people.get(tx, to_id)
            # The same rule as the list offered: a forged id cannot hand it to anyone else.
            if colleague is None or not _may_take_over(colleague, person, escalation):
                raise Refused("flow.person_gone")
            wait = policy(escalation.urgency).wait
            if escalation.urgency in (Urgency.INFO, Urgency.CONCERN):
                wait = max(wait, timedelta(hours=4))
            if not await escalations.start_handoff(
                tx, escalation.id, from_id=person.id, to_id=colleague.id, deadline=now + wait
            ):
                raise Refused("esc.resolved_already")
            updated = await escalations.get(tx, escalation.id)
            assert updated is not None
            volunteer = await people.get(tx, updated.volunteer_id)
            assert volunteer is not None
            await self._send_alert(
                tx, updated, colleague, volunteer, now, level=max(updated.level, 0), handoff_from=person
            )
            await audit.record(
                tx,
                now=now,
                event="escalation.handed_off",
                actor_id=person.id,
                subject_type=SUBJECT,
                subject_id=updated.id,
                detail={"to": colleague.id},
            )
            await self._refresh_alerts(tx, updated, now, skip=colleague.id)
        self._wake()
        return updated, colleague, wait

    async def _handoff_expired(self, tx: Tx, escalation: Escalation, now: datetime) -> Escalation:
        await escalations.reopen(tx, escalation.id)
        await audit.record(
            tx,
            now=now,
            event="escalation.handoff_expired",
            subject_type=SUBJECT,
            subject_id=escalation.id,
            detail={"to": escalation.handoff_to},
        )
        reopened = await escalations.get(tx, escalation.id)
        assert reopened is not None
        target = await people.get(tx, escalation.handoff_to or 0)
        await self._refresh_alerts(tx, reopened, now, expired_handoff=target)
        return reopened

    async def resolve(self, person: Person, escalation_id: int, reply: str) -> Escalation:
        reply = reply.strip()
        if not reply or len(reply) > REPLY_LIMIT:
            raise Refused("resolve.bad", limit=REPLY_LIMIT)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            escalation, _ = await self._authorised(tx, person, escalation_id)
            if not await escalations.resolve(tx, escalation.id, by=person.id, reply=reply, now=now):
                raise Refused("esc.resolved_already")
            updated = await self._record_and_tell(
                tx, escalation.id, person, now, event="escalation.resolved", volunteer_key="vol.resolved", reply=reply
            )
        self._wake()
        return updated

    async def close_in(self, tx: Tx, escalation_id: int, *, reason_key: str, now: datetime) -> bool:
        """Stop an item that no longer needs anyone (inside the caller's transaction): no further
        climbing, and every recipient's alert says why."""
        if not await escalations.close(tx, escalation_id, reason_key=reason_key, now=now):
            return False
        await audit.record(
            tx,
            now=now,
            event="escalation.closed",
            subject_type=SUBJECT,
            subject_id=escalation_id,
            detail={"reason": reason_key},
        )
        updated = await escalations.get(tx, escalation_id)
        assert updated is not None
        await self._refresh_alerts(tx, updated, now)
        return True

    # --- when someone leaves -----------------------------------------------------------------------

    async def hand_over_in(self, tx: Tx, escalation_id: int, now: datetime, *, leaving: Person) -> Person | None:
        """The volunteer who raised this item leaves: whoever holds it, or else the first reachable person
        on its route, takes it over, with the volunteer's words (which are erased right after)."""
        escalation = await escalations.get(tx, escalation_id)
        if escalation is None or not escalation.is_open:
            return None
        loaded = await self._load(tx, escalation, now)
        owner = loaded.by_id.get(escalation.owner_id or 0)
        target = owner if owner is not None and owner.active and escalation.state is State.ACKNOWLEDGED else None
        if target is None:
            reachable = [c.person_id for level in loaded.situation.levels for c in level if c.reachable]
            target = next((loaded.by_id[p] for p in reachable if p != leaving.id), None)
        if target is None:
            # Nobody on the route can be reached: it keeps climbing as it was, and says so in the audit.
            await audit.record(
                tx, now=now, event="escalation.handover_failed", subject_type=SUBJECT, subject_id=escalation.id
            )
            return None
        if escalation.state is not State.ACKNOWLEDGED or escalation.owner_id != target.id:
            await escalations.acknowledge(tx, escalation.id, target.id, now)
            if target.id not in loaded.situation.told:
                await escalations.add_recipient(
                    tx, escalation.id, target.id, level=escalation.level, outbox_id=None, now=now
                )
        alert, _ = self._alert(escalation, target, loaded.volunteer, now)
        await notify(
            tx,
            target,
            "forget.handover",
            now,
            name=loaded.volunteer.name,
            alert=alert,
            subject_type=SUBJECT,
            subject_id=escalation.id,
        )
        await audit.record(
            tx,
            now=now,
            event="escalation.handed_over",
            subject_type=SUBJECT,
            subject_id=escalation.id,
            detail={"to": target.id},
        )
        # Earlier alerts are not edited: they would name the volunteer again; their buttons now answer
        # that the item is taken.
        return target

    async def release_in(self, tx: Tx, escalation_id: int, now: datetime, *, leaving: Person) -> None:
        """The professional holding (or being handed) this item leaves: it climbs again from the start."""
        if not await escalations.release(tx, escalation_id, now):
            return
        await audit.record(
            tx,
            now=now,
            event="escalation.released",
            subject_type=SUBJECT,
            subject_id=escalation_id,
            detail={"person": leaving.id},
        )

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
            found = {i: await people.get(tx, i) for i in ids}
        return {i: p.name for i, p in found.items() if p is not None}

    async def render_for(self, person: Person, escalation: Escalation) -> tuple[Markup, Keyboard | None]:
        if escalation.volunteer_id == person.id:
            # Whatever list asked for it: nobody is shown an item about themselves (their wellbeing alert).
            raise Refused("esc.not_yours")
        now = self._clock.now()
        async with self._db.transaction() as tx:
            volunteer = await people.get(tx, escalation.volunteer_id)
            assert volunteer is not None
            return await self._render_state(tx, escalation, person, volunteer, now)

    # --- rendering --------------------------------------------------------------------------------

    def _client(self, escalation: Escalation, lang: str) -> str:
        return escalation.client_alias or plain(lang, "no_client")

    def _category(self, escalation: Escalation, lang: str) -> str:
        prefix = {Kind.SIGNAL: "cat", Kind.BACKUP: "bk", Kind.WELLBEING: "wb", Kind.VISIT: "vk"}[escalation.kind]
        try:
            return plain(lang, f"{prefix}.{escalation.category}")
        except KeyError:
            return escalation.category

    def _header(self, escalation: Escalation, volunteer: Person, lang: str, now: datetime, zone: ZoneInfo) -> Markup:
        return t(
            lang,
            "alert.header",
            urgency=plain(lang, f"urg.{escalation.urgency.value}"),
            kind=plain(lang, f"kind.{escalation.kind.value}"),
            volunteer=volunteer.name,
            client=self._client(escalation, lang),
            category=self._category(escalation, lang),
            time=say_time(escalation.created_at, now, zone, lang),
        )

    def _keyboard(self, escalation: Escalation, viewer: Person) -> Keyboard | None:
        lang = viewer.language

        def button(key: str, action: str) -> dict[str, str]:
            return {"text": plain(lang, key), "data": pack("esc", action, escalation.id)}

        if escalation.state is State.RESOLVED:
            return None
        if escalation.state is State.ACKNOWLEDGED:
            if escalation.owner_id != viewer.id:
                return None
            return [[button("button.resolve", "r"), button("button.handoff", "h")]]
        if escalation.state is State.HANDOFF and escalation.handoff_to == viewer.id:
            return [[button("button.takeover", "a")], [button("button.resolve", "r")]]
        return [[button("button.ack", "a"), button("button.handoff", "h")], [button("button.resolve", "r")]]

    def _alert(
        self,
        escalation: Escalation,
        viewer: Person,
        volunteer: Person,
        now: datetime,
        *,
        reminder: bool = False,
        handoff_from: Person | None = None,
        status: str | None = None,
    ) -> tuple[Markup, Keyboard | None]:
        lang = viewer.language
        zone = self._zone(viewer)
        parts: list[str] = []
        if reminder:
            minutes = int((now - escalation.created_at).total_seconds() // 60)
            parts.append(t(lang, "alert.reminder", age=say_duration(minutes, lang)))
        if handoff_from is not None:
            parts.append(t(lang, "alert.handoff_request", name=handoff_from.name))
        parts.append(self._header(escalation, volunteer, lang, now, zone))
        tail: list[str] = []
        if escalation.urgency is Urgency.EMERGENCY and escalation.kind is Kind.SIGNAL:
            tail.append(t(lang, "alert.emergency_note"))
        if status:
            tail.append(status)
        body = self._body(escalation.body or "", lang, used=sum(len(p) + 2 for p in parts + tail))
        text = Markup("\n".join([*parts, body, *tail]) if body else "\n".join([*parts, *tail]))
        return text, self._keyboard(escalation, viewer)

    def _body(self, body: str, lang: str, *, used: int) -> str:
        """The volunteer's words, escaped, trimmed with a note if the alert would pass Telegram's limit."""
        if not body:
            return ""
        room = MESSAGE_LIMIT - used - 120
        if len(body) <= room:
            return t(lang, "alert.body", text=body)
        return t(lang, "alert.body", text=body[: max(0, room)]) + t(lang, "alert.trimmed")

    async def _render_state(
        self,
        tx: Tx,
        escalation: Escalation,
        viewer: Person,
        volunteer: Person,
        now: datetime,
        expired_handoff: Person | None = None,
    ) -> tuple[Markup, Keyboard | None]:
        lang = viewer.language
        zone = self._zone(viewer)
        status: str | None = None
        if escalation.state is State.ACKNOWLEDGED and escalation.acknowledged_at is not None:
            at = escalation.acknowledged_at.astimezone(zone).strftime("%H:%M")
            if escalation.owner_id == viewer.id:
                status = t(lang, "status.acknowledged_you", time=at, volunteer=volunteer.name)
            else:
                owner = await people.get(tx, escalation.owner_id or 0)
                status = t(lang, "status.acknowledged", name=owner.name if owner else "?", time=at)
        elif (
            escalation.state is State.RESOLVED and escalation.resolved_at is not None and escalation.resolved_by is None
        ):
            status = t(
                lang,
                "status.closed",
                time=escalation.resolved_at.astimezone(zone).strftime("%H:%M"),
                reason=plain(lang, escalation.resolution or "status.closed_default"),
            )
        elif escalation.state is State.RESOLVED and escalation.resolved_at is not None:
            by = await people.get(tx, escalation.resolved_by or 0)
            status = t(
                lang,
                "status.resolved",
                name=by.name if by else "?",
                time=escalation.resolved_at.astimezone(zone).strftime("%H:%M"),
            )
        elif escalation.state is State.HANDOFF:
            target = await people.get(tx, escalation.handoff_to or 0)
            status = t(
                lang,
                "status.handoff",
                name=target.name if target else "?",
                time=now.astimezone(zone).strftime("%H:%M"),
            )
        elif expired_handoff is not None:
            status = t(lang, "status.handoff_expired", name=expired_handoff.name)
        return self._alert(escalation, viewer, volunteer, now, status=status)

    async def _refresh_alerts(
        self,
        tx: Tx,
        escalation: Escalation,
        now: datetime,
        *,
        skip: int | None = None,
        expired_handoff: Person | None = None,
    ) -> None:
        """Edit every recipient's first alert to show the current state (who picked it up, done)."""
        volunteer = await people.get(tx, escalation.volunteer_id)
        assert volunteer is not None
        recipients = await escalations.recipients(tx, escalation.id)
        for recipient in recipients:
            if recipient.outbox_id is None or recipient.person_id == skip:
                continue
            viewer = await people.get(tx, recipient.person_id)
            if viewer is None or not viewer.active or viewer.telegram_id is None:
                continue  # left (or erased): nothing of theirs is edited any more
            text, keyboard = await self._render_state(tx, escalation, viewer, volunteer, now, expired_handoff)
            await outbox.enqueue_edit(tx, target_id=recipient.outbox_id, text=text, keyboard=keyboard, now=now)
