"""The visit safety timer: start, answer "all good?", extend, ask for help, and the timer itself.

Every deadline is the visit's `due_at` row, and every step is a conditional UPDATE on its state, so a
second tick or a restart repeats nothing. Alerts go through EscalationService.raise_item with a dedupe
key per visit and step: raising first and marking the visit after means a crash in between is repaired
on the next tick without a second alert.

The "all good?" question, and the notice that the professional was alerted, lose their buttons once they
are answered, the visit is ended with /done, or (the question) the alert went out; an old button says what
became of the visit.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.clock import Clock
from bot.config import Settings
from bot.domain.escalation import Kind, Urgency
from bot.domain.models import Person
from bot.domain.visits import (
    GRACE,
    MAX_MINUTES,
    MIN_MINUTES,
    Action,
    Visit,
    VisitState,
    answer_deadline,
    clock_text,
    extended_end,
    help_key,
    overdue_key,
    planned_end,
    press_refusal,
    valid_minutes,
)
from bot.i18n import Amount, plain
from bot.services.base import Service, Trail, load_people
from bot.services.errors import Refused
from bot.services.escalations import EscalationService
from bot.services.notify import notify, retire_buttons, spoken_list
from bot.services.visits.render import alert_body, answer_keyboard
from storage import escalations, links, outbox, people, visits
from storage.db import Database, Tx

log = logging.getLogger(__name__)

SUBJECT = "visit"
TRAIL = Trail(SUBJECT)
BATCH = 100
AlertStep = Literal["help", "overdue"]  # the alert's category, and its words in the catalogue
PROMPT = "visit.prompt"  # the outbox purpose of "all good?"
OVERDUE_NOTICE = "visit.overdue"  # ... and of "I heard nothing, so I alerted ..."
# The message with live buttons in each state: the question while asked, the notice once alerted.
LIVE_MESSAGE = {VisitState.ASKED: PROMPT, VisitState.OVERDUE: OVERDUE_NOTICE}


@dataclass(frozen=True)
class Finished:
    visit: Visit
    # The professionals told "all good after all" (the volunteer answered after the alert went out).
    told: list[str]


class VisitService(Service):
    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        escalation_service: EscalationService,
        wake_delivery: Callable[[], None],
        *,
        grace: timedelta = GRACE,
    ) -> None:
        super().__init__(db, clock, settings, wake_delivery)
        self._escalations = escalation_service
        self.grace = grace
        # Taken around every change to a visit. raise_item runs in its own transaction, so a button
        # press must not slip in between "claimed as overdue" and "alert sent" (one process, one loop).
        self._lock = asyncio.Lock()

    # --- reading ----------------------------------------------------------------------------------

    async def active(self, volunteer: Person) -> Visit | None:
        async with self._db.transaction() as tx:
            return await visits.active_for(tx, volunteer.id)

    def clock_text(self, moment: datetime) -> str:
        """Times are shown in the organisation's time zone."""
        return clock_text(moment, self._settings.app.zone)

    # --- the volunteer's actions ------------------------------------------------------------------

    async def start(self, volunteer: Person, link_id: int | None, minutes: int) -> Visit:
        if not valid_minutes(minutes):
            raise Refused("visit.bad_duration", min=MIN_MINUTES, max=Amount("amount.hours", MAX_MINUTES // 60))
        now = self._clock.now()
        async with self._lock, self._db.transaction() as tx:
            if link_id is not None:
                link = await links.get(tx, link_id)
                if link is None or not link.active or link.volunteer_id != volunteer.id:
                    raise Refused("button.expired")
            visit_id = await visits.create(
                tx,
                volunteer_id=volunteer.id,
                link_id=link_id,
                minutes=minutes,
                now=now,
                ends_at=planned_end(now, minutes),
            )
            if visit_id is None:
                raise Refused("visit.running")
            await TRAIL.record(tx, now, "visit.started", visit_id, actor=volunteer.id, minutes=minutes)
            visit = await visits.get(tx, visit_id)
        assert visit is not None
        return visit

    async def finish(
        self, volunteer: Person, visit_id: int | None = None, *, shown_in: int | None = None
    ) -> Finished | None:
        """End a visit ("all good", /done). visit_id None: the volunteer's running visit, if any. shown_in: the
        message pressed (its flow edits it), which keeps its buttons here."""
        now = self._clock.now()
        async with self._lock, self._db.transaction() as tx:
            if visit_id is None:
                visit = await visits.active_for(tx, volunteer.id)
                if visit is None:
                    return None
            else:
                visit = await visits.get(tx, visit_id)
            refusal = press_refusal(visit, volunteer.id, Action.OK, None)
            if refusal is not None:
                raise Refused(refusal)
            assert visit is not None
            if not await visits.end(tx, visit.id, state=VisitState.DONE, now=now):
                raise Refused("visit.over")
            await self._retire(tx, visit.id, LIVE_MESSAGE.get(visit.state), "visit.copy.done", now, shown_in=shown_in)
            told: list[str] = []
            if visit.escalation_id is not None:
                # Answered after the alert: tell whoever was alerted so far that all is well.
                for person in (await self._told(tx, visit.escalation_id)).values():
                    if person.id != volunteer.id and await self._all_clear(tx, person, volunteer, visit, now):
                        told.append(person.name)
                # All is well: the alert stops climbing to the backup and the coordinators.
                await self._escalations.actions.close_in(
                    tx, visit.escalation_id, reason_key="status.closed_visit_ok", now=now
                )
            after_alert = visit.escalation_id is not None
            await TRAIL.record(tx, now, "visit.done", visit.id, actor=volunteer.id, after_alert=after_alert)
        self._wake()  # the question's (or the notice's) buttons go, and maybe "all good after all"
        return Finished(visit, told)

    async def _all_clear(self, tx: Tx, person: Person, volunteer: Person, visit: Visit, now: datetime) -> bool:
        """Tell someone alerted about this visit that the volunteer is fine; False if they cannot be told."""
        sent = await notify(
            tx,
            person,
            "visit.all_clear",
            now,
            volunteer=volunteer.name,
            client=visit.client_alias or plain(person.language, "no_client"),
            time=self.clock_text(now),
            subject_type=SUBJECT,
            subject_id=visit.id,
        )
        return sent is not None

    async def extend(self, volunteer: Person, visit_id: int, prompt: int) -> Visit:
        now = self._clock.now()
        async with self._lock, self._db.transaction() as tx:
            visit = await visits.get(tx, visit_id)
            refusal = press_refusal(visit, volunteer.id, Action.MORE, prompt)
            if refusal is not None:
                raise self._stale_more(visit, volunteer, refusal)
            assert visit is not None
            if not await visits.extend(tx, visit.id, prompt=prompt, ends_at=extended_end(visit.ends_at, now)):
                raise Refused("button.expired")
            await TRAIL.record(tx, now, "visit.extended", visit.id, actor=volunteer.id)
            updated = await visits.get(tx, visit.id)
        assert updated is not None
        return updated

    def _stale_more(self, visit: Visit | None, volunteer: Person, refusal: str) -> Refused:
        """An old "30 min longer" on the volunteer's own active visit: say what became of its question."""
        if refusal == "button.expired" and visit is not None and visit.volunteer_id == volunteer.id and visit.active:
            if visit.state is VisitState.RUNNING:
                return Refused("visit.question_answered", time=self.clock_text(visit.ends_at))
            return Refused("visit.newer_question")
        return Refused(refusal)

    async def ask_help(self, volunteer: Person, visit_id: int, *, shown_in: int | None = None) -> list[str]:
        """Raise the urgent help alert at once and end the timer. Returns who was alerted."""
        now = self._clock.now()
        async with self._lock:
            async with self._db.transaction() as tx:
                visit = await visits.get(tx, visit_id)
                refusal = press_refusal(visit, volunteer.id, Action.HELP, None)
                if refusal is not None:
                    raise Refused(refusal)
                assert visit is not None
                link_id = await self._usable_link(tx, visit)
            # Raised before the visit is marked: a crash in between leaves the visit running (and its
            # timer still guarding), never a help request that was not sent. A repeat is deduplicated.
            await self._raise(volunteer, visit, link_id, "help")
            async with self._db.transaction() as tx:
                escalation_id = await visits.escalation_id_by_key(tx, help_key(visit.id))
                if await visits.end(tx, visit.id, state=VisitState.HELP, now=now):
                    live = LIVE_MESSAGE.get(visit.state)
                    await self._retire(tx, visit.id, live, "visit.copy.help", now, shown_in=shown_in)
                await TRAIL.record(tx, now, "visit.help", visit.id, actor=volunteer.id, escalation=escalation_id)
                names = [p.name for p in (await self._told(tx, escalation_id)).values()]
        self._wake()
        return names

    # --- the timer --------------------------------------------------------------------------------

    async def tick(self, now: datetime) -> int:
        """Ask "all good?" at the expected end; alert when the answer deadline passes. Returns the steps."""
        handled = 0
        async with self._lock:
            async with self._db.transaction() as tx:
                due = await visits.due(tx, now, BATCH)
                pending = await visits.unalerted(tx, BATCH)
            for visit_id, step in [(i, self._step) for i in due] + [(i, self._alert) for i in pending]:
                try:
                    if await step(visit_id, now):
                        handled += 1
                except Exception:
                    # One broken visit must not hold up the others; its row is still due next tick.
                    log.exception("visit %s: step failed; tried again next tick", visit_id)
        if handled:
            self._wake()
        return handled

    async def _step(self, visit_id: int, now: datetime) -> bool:
        async with self._db.transaction() as tx:
            visit = await visits.get(tx, visit_id)
            if visit is None or visit.due_at is None or visit.due_at > now:
                return False
            volunteer = await people.get(tx, visit.volunteer_id)
            if volunteer is None or not volunteer.active:
                return await self._drop(tx, visit, now)
            if visit.state is VisitState.RUNNING:
                answer_by = answer_deadline(visit.ends_at, now, self.grace)
                if not await visits.mark_asked(tx, visit.id, now=now, answer_by=answer_by):
                    return False
                await notify(
                    tx,
                    volunteer,
                    "visit.prompt",
                    now,
                    keyboard=answer_keyboard(volunteer.language, visit.id, visit.prompts + 1, True),
                    name=volunteer.name,
                    grace=int(self.grace.total_seconds() // 60),
                    subject_type=SUBJECT,
                    subject_id=visit.id,
                    purpose=PROMPT,
                )
                await TRAIL.record(tx, now, "visit.asked", visit.id)
                return True
            if visit.state is not VisitState.ASKED or not await visits.mark_overdue(tx, visit.id, now):
                return False
            await TRAIL.record(tx, now, "visit.overdue", visit.id)
        return await self._alert(visit_id, now)

    async def _alert(self, visit_id: int, now: datetime) -> bool:
        """Send the overdue alert of a visit claimed as overdue, and tell the volunteer, once."""
        async with self._db.transaction() as tx:
            visit = await visits.get(tx, visit_id)
            if visit is None or visit.state is not VisitState.OVERDUE or visit.alerted_at is not None:
                return False
            volunteer = await people.get(tx, visit.volunteer_id)
            if volunteer is None or not volunteer.active:
                return await self._drop(tx, visit, now)
            link_id = await self._usable_link(tx, visit)
        await self._raise(volunteer, visit, link_id, "overdue")
        async with self._db.transaction() as tx:
            escalation_id = await visits.escalation_id_by_key(tx, overdue_key(visit.id))
            if not await visits.mark_alerted(tx, visit.id, escalation_id=escalation_id, now=now):
                return False
            # The question went unanswered: the notice below carries the buttons now.
            await self._retire(tx, visit.id, PROMPT, "visit.copy.expired", now)
            names = [p.name for p in (await self._told(tx, escalation_id)).values()]
            lang = volunteer.language
            await notify(
                tx,
                volunteer,
                "visit.overdue_told" if names else "visit.overdue_nobody",
                now,
                keyboard=answer_keyboard(lang, visit.id, visit.prompts, False),
                names=spoken_list(lang, names),
                subject_type=SUBJECT,
                subject_id=visit.id,
                purpose=OVERDUE_NOTICE,
            )
            await TRAIL.record(tx, now, "visit.alerted", visit.id, escalation=escalation_id)
        return True

    async def _drop(self, tx: Tx, visit: Visit, now: datetime) -> bool:
        """The volunteer was removed: nobody to ask or to worry about any more."""
        if not await visits.end(tx, visit.id, state=VisitState.DONE, now=now):
            return False
        await TRAIL.record(tx, now, "visit.dropped", visit.id)
        return True

    # --- helpers ----------------------------------------------------------------------------------

    async def _raise(self, volunteer: Person, visit: Visit, link_id: int | None, step: AlertStep) -> None:
        """Raise the visit's urgent alert; a repeat (after a crash between raising and marking the visit) is
        a no-op, and the caller finds the alert by its key in the transaction that marks the visit."""
        help_asked = step == "help"
        app = self._settings.app
        moment = visit.started_at if help_asked else visit.ends_at  # when it began; when it should have ended
        await self._escalations.raise_item(
            volunteer,
            kind=Kind.VISIT,
            link_id=link_id,
            category=step,
            urgency=Urgency.URGENT,
            body=alert_body(step, app.language, app.zone, volunteer.name, visit, moment),
            dedupe_key=help_key(visit.id) if help_asked else overdue_key(visit.id),
        )

    async def _retire(
        self, tx: Tx, visit_id: int, purpose: str | None, note_key: str, now: datetime, *, shown_in: int | None = None
    ) -> None:
        """The latest message of this purpose (the one with live buttons) loses them and says why, unless it is
        the one pressed: its flow edits that one itself."""
        copies = await outbox.for_subject(tx, SUBJECT, visit_id, purpose) if purpose else []
        latest = copies[-1] if copies else None
        if latest is not None and latest.keyboard is not None and latest.telegram_message_id != (shown_in or 0):
            await retire_buttons(tx, latest, note_key, now, time=self.clock_text(now))

    async def _usable_link(self, tx: Tx, visit: Visit) -> int | None:
        """The visit's link if raise_item will accept it; a link ended mid-visit must not stop the alert."""
        if visit.link_id is None:
            return None
        link = await links.get(tx, visit.link_id)
        if link is None or not link.active or link.volunteer_id != visit.volunteer_id:
            return None
        return link.id

    @staticmethod
    async def _told(tx: Tx, escalation_id: int | None) -> dict[int, Person]:
        """Everyone alerted about the visit's escalation so far."""
        if escalation_id is None:
            return {}
        return await load_people(tx, [r.person_id for r in await escalations.recipients(tx, escalation_id)])
