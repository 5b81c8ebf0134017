"""The escalation engine: raise an item, let it climb its route on the timer, climb at once when those told
cannot be reached, and find it a new home when the volunteer it concerns leaves (what someone away or gone
held is `handover`'s).

Every state change and the messages it causes are written in one transaction (the outbox), and every
deadline is the `next_step_at` column, so a crash or restart loses nothing.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.domain.escalation import (
    BODY_LIMIT,
    Escalation,
    Kind,
    Policy,
    Situation,
    State,
    Step,
    Urgency,
    climb_now,
    next_step,
)
from bot.domain.models import Person, Role
from bot.domain.timefmt import say_time
from bot.i18n import Markup, plain, t
from bot.services.base import Service, Trail, zone_of
from bot.services.errors import Refused
from bot.services.escalations import render
from bot.services.escalations.alerts import SUBJECT, Alerts
from bot.services.escalations.notices import Moved, Notices
from bot.services.escalations.route import Loaded, Route, covering, level_of, next_level, own_link
from bot.services.notify import notify, spoken_list
from storage import drafts, escalations, people
from storage.db import Database, Tx

TRAIL = Trail(SUBJECT)
DUE_BATCH = 100
NOTHING = Markup("")


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
    covering: list[Person] = field(default_factory=list)  # away before the first level told: it stands in for them


@dataclass(frozen=True)
class Raised:
    escalation: Escalation
    told: list[Person]
    deferred_until: datetime | None
    nobody: bool
    policy: Policy | None = None
    # Who it goes to next if nobody told picks it up, and whether those are the coordinators.
    next_people: list[Person] = field(default_factory=list)
    next_are_coordinators: bool = False
    later: list[Person] = field(default_factory=list)  # waiting for working hours: who it reaches then
    covering: list[Person] = field(default_factory=list)  # away on the levels before: who those told stand in for


class EscalationEngine(Service):
    def __init__(
        self, db: Database, clock: Clock, settings: Settings, wake_delivery: Callable[[], None], alerts: Alerts
    ) -> None:
        super().__init__(db, clock, settings, wake_delivery)
        self._route = Route(settings)
        self._alerts = alerts
        self._notices = Notices(settings)

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
        following: int | None = None
        if policy.climb and not policy.all_at_once and first_level >= 0:
            next_people, following = next_level(candidates, by_id, first_level)
        return Routing(
            first=first,
            first_level=first_level,
            deferred_until=deferred,
            next_people=next_people,
            next_level=following,
            wait=policy.wait,
            all_at_once=policy.all_at_once,
            working_time=policy.working_hours_only,
            nobody=step.nobody_reachable,
            covering=covering(candidates, by_id, first_level),
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
            loaded = await self._route.load(tx, created, now)
            step, by_id = await self._advance(tx, created, now, loaded)
            final = await escalations.get(tx, escalation_id)
            assert final is not None
            later = await self.held_route(tx, final)
        self._wake()
        deferred = step.next_at if not step.tell and not step.nobody_reachable else None
        policy = self._settings.escalation.policy(urgency)
        following: list[Person] = []
        level: int | None = None
        if step.tell and policy.climb and not policy.all_at_once:
            following, level = next_level(loaded.situation.levels, by_id, step.level)
        levels = loaded.situation.levels
        reached = step.level if step.tell else level_of(levels, later)
        return Raised(
            final,
            [by_id[i] for i in step.tell],
            deferred,
            step.nobody_reachable,
            policy=policy,
            next_people=following,
            next_are_coordinators=level == loaded.last_level,
            later=later,
            covering=[] if policy.all_at_once else covering(levels, by_id, reached),
        )

    # --- climbing ---------------------------------------------------------------------------------

    async def _advance(
        self,
        tx: Tx,
        escalation: Escalation,
        now: datetime,
        loaded: Loaded | None = None,
        *,
        moved: Moved = Moved.TIMER,
        passed_over: Sequence[Person] = (),
    ) -> tuple[Step, dict[int, Person]]:
        """Ask the policy what to do now and do it: alert, remind, skip, set the next deadline; tell the
        volunteer where her item is now, and write the e-mail a life-safety item that stalls on Telegram needs.
        passed_over: who did not pick it up, when it is not those told at the current level."""
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
            if escalation.tells_volunteer and escalation.level >= 0:
                await self._notices.tell(tx, volunteer, escalation, "vol.nobody", now, advise=True)
        await escalations.set_step(tx, escalation.id, level=step.level, next_step_at=step.next_at)
        await self._notices.keep_informed(tx, escalation, loaded, step, now, moved=moved, passed_over=passed_over)
        await self._notices.second_channel(tx, escalation, loaded, step, now, moved=moved)
        return step, by_id

    async def advance_in(self, tx: Tx, escalation_id: int, now: datetime) -> list[Person]:
        """Let an item take its next step now, inside the caller's transaction (a hand-over moved it, or its
        hand-over note came in); who was told."""
        escalation = await escalations.get(tx, escalation_id)
        assert escalation is not None
        step, by_id = await self._advance(tx, escalation, now)
        return [by_id[i] for i in step.tell]

    async def tick(self, now: datetime) -> int:
        """Act on every item whose deadline or follow-up has passed. Returns how many were handled."""
        handled = await self._each_due(now, escalations.due, self._step_due)
        handled += await self._each_due(now, escalations.follow_up_due, self._follow_up_due)
        if handled:
            self._wake()
        return handled

    async def _each_due(
        self,
        now: datetime,
        find: Callable[[Tx, datetime, int], Awaitable[list[int]]],
        act: Callable[[Tx, Escalation, datetime], Awaitable[bool]],
    ) -> int:
        """Each due item in its own transaction, in batches; how many were acted on."""
        handled = 0
        while True:
            # A long tick must not leave what fell due meanwhile for the next one.
            now = max(now, self._clock.now())
            async with self._db.transaction() as tx:
                due = await find(tx, now, DUE_BATCH)
            for escalation_id in due:

                async def one(tx: Tx, escalation_id: int = escalation_id, now: datetime = now) -> bool:
                    escalation = await escalations.get(tx, escalation_id)
                    return escalation is not None and await act(tx, escalation, now)

                # A unit: when another replica moved the same item meanwhile, it runs again on what that one
                # wrote, and finds the step no longer due (PostgreSQL; on SQLite it never collides).
                if await self._db.unit(one):
                    handled += 1
            if len(due) < DUE_BATCH:
                return handled

    async def _step_due(self, tx: Tx, escalation: Escalation, now: datetime) -> bool:
        """The item's deadline passed: climb, remind, or give a hand-off nobody took back to the route."""
        if escalation.next_step_at is None or escalation.next_step_at > now:
            return False
        if escalation.state is State.HANDOFF:
            target = await people.get(tx, escalation.handoff_to or 0)
            escalation = await self._handoff_expired(tx, escalation, now, target)
            await self._advance(tx, escalation, now, moved=Moved.HANDOFF, passed_over=[target] if target else ())
            return True
        await self._advance(tx, escalation, now)
        return True

    async def _handoff_expired(
        self, tx: Tx, escalation: Escalation, now: datetime, target: Person | None
    ) -> Escalation:
        await escalations.reopen(tx, escalation.id)
        await TRAIL.record(tx, now, "escalation.handoff_expired", escalation.id, to=escalation.handoff_to)
        reopened = await escalations.get(tx, escalation.id)
        assert reopened is not None
        await self._alerts.refresh(tx, reopened, now, expired_handoff=target)
        return reopened

    # --- following up picked-up items --------------------------------------------------------------

    async def _follow_up_due(self, tx: Tx, escalation: Escalation, now: datetime) -> bool:
        """The follow-up time passed: ask the holder how it stands, or, asked before without an answer, reopen."""
        if escalation.state is not State.ACKNOWLEDGED or escalation.follow_up_at is None:
            return False
        if escalation.follow_up_at > now:
            return False
        holder = await people.get(tx, escalation.owner_id or 0)
        if escalation.follow_ups > 0 or holder is None or not holder.active:
            await self._reopen_unanswered(tx, escalation, holder, now)
        else:
            await self._ask_holder(tx, escalation, holder, now)
        return True

    async def _ask_holder(self, tx: Tx, escalation: Escalation, holder: Person, now: datetime) -> None:
        deadline = await self._route.follow_up_at(tx, escalation, holder, now)
        await escalations.set_follow_up(tx, escalation.id, at=deadline, asked=escalation.follow_ups + 1)
        asked = await escalations.get(tx, escalation.id)
        volunteer = await people.get(tx, escalation.volunteer_id)
        assert asked is not None and volunteer is not None
        if holder.telegram_id is not None:
            await self._alerts.ask_holder(tx, asked, holder, volunteer, now, deadline=deadline)
        await TRAIL.record(tx, now, "escalation.follow_up_asked", escalation.id, person=holder.id)

    async def _reopen_unanswered(self, tx: Tx, escalation: Escalation, holder: Person | None, now: datetime) -> None:
        """No answer to the follow-up: the item is open again and climbs one level, and the coordinators hear."""
        if not await escalations.reopen_unanswered(tx, escalation.id, now):
            return
        await TRAIL.record(tx, now, "escalation.follow_up_unanswered", escalation.id, person=escalation.owner_id)
        reopened = await escalations.get(tx, escalation.id)
        assert reopened is not None
        passed = [holder] if holder is not None else []
        step, by_id = await self._advance(tx, reopened, now, moved=Moved.FOLLOW_UP, passed_over=passed)
        after = await escalations.get(tx, escalation.id)
        assert after is not None
        await self._alerts.refresh(tx, after, now, reopened_from=holder)
        volunteer = await people.get(tx, escalation.volunteer_id)
        for coordinator in await people.active_with_role(tx, Role.COORDINATOR):
            if coordinator.id == escalation.volunteer_id:
                continue  # an alert about themselves is not theirs to handle
            lang = coordinator.language
            told = spoken_list(lang, [by_id[i].name for i in step.tell if i in by_id])
            following = t(lang, "followup.reopened_to", names=told) if told else t(lang, "followup.reopened_again")
            await notify(
                tx,
                coordinator,
                "followup.reopened_coordinator",
                now,
                name=holder.name if holder else "?",
                volunteer=volunteer.name if volunteer else "?",
                kind=plain(lang, f"kind.{escalation.kind.value}"),
                client=render.client(escalation, lang),
                since=say_time(escalation.held_since or now, now, zone_of(coordinator, self._settings), lang),
                next=following,
                subject_type=SUBJECT,
                subject_id=escalation.id,
            )

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
                    await self._advance(tx, escalation, now, loaded, moved=Moved.UNREACHABLE)
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
            follow_up = await self._route.follow_up_at(tx, escalation, target, now)
            await escalations.acknowledge(tx, escalation.id, target.id, now, follow_up_at=follow_up)
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

    # --- overviews ------------------------------------------------------------------------------------

    async def held_route(self, tx: Tx, escalation: Escalation) -> list[Person]:
        """Who an item waiting for working hours reaches when they begin (empty: not such an item)."""
        if not escalation.held or escalation.next_step_at is None:
            return []
        at = escalation.next_step_at
        loaded = await self._route.load(tx, escalation, at)
        step = next_step(loaded.situation, self._settings.escalation.policy(escalation.urgency), at)
        return [loaded.by_id[i] for i in step.tell if i in loaded.by_id]
