"""Items changing hands, inside the caller's transaction: a professional who goes away or leaves hands what they
hold, and what waits for them alone, to the next person on each item's route; a link that ends raises an item
for the professional, which waits a while for the volunteer's hand-over note.

- `cover_in`: the items of someone away or gone go to the first available professional on each route (who
  holds it from then on, followed up like any picked-up item), or, with none, back to the coordinators.
- `end_link_in`: the link ends and a `link_ended` item is raised; its category says where the note stands.
- `note_in`: the volunteer's note (or her skipping it) reaches the item and whoever has it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from bot.config import Settings
from bot.domain.callbacks import CallbackData
from bot.domain.escalation import Escalation, Kind, State, Urgency
from bot.domain.models import Draft, Link, Person
from bot.i18n import Markup, plain
from bot.services.base import Trail
from bot.services.errors import Refused
from bot.services.escalations import render
from bot.services.escalations.alerts import SUBJECT, Alerts
from bot.services.escalations.engine import EscalationEngine
from bot.services.escalations.route import Loaded, Route
from bot.services.notify import notify, retire_buttons, spoken_list
from storage import drafts, escalations, handover, links, outbox, people
from storage.db import Tx

TRAIL = Trail(SUBJECT)
LINKS = Trail("link")
# How long an ended link's item waits for the volunteer's note before it goes to the professional without it.
NOTE_WAIT = timedelta(hours=2)
NOTE_LIMIT = 1000
NOTE_FLOW, NOTE_STEP = "handover", "note"
NOTE_PURPOSE = "note"  # the outbox purpose of the question for the note


class Reason(StrEnum):
    """Why someone's items change hands."""

    AWAY = "away"
    REMOVED = "removed"


class NoteState(StrEnum):
    """Where the hand-over note of an ended link stands: the category of the item it raised."""

    ASKED = "asked"  # the volunteer is asked and has not answered
    NOTE = "note"  # she wrote one: the item's body
    SKIPPED = "skipped"
    REMOVED = "removed"  # she was removed: nobody could ask her
    ERASED = "erased"  # she was erased: her name is gone too


class SkipNote(CallbackData, prefix="ho", action="k"):
    """The volunteer skips the hand-over note of this link-ended item."""

    escalation: int


class WriteNote(CallbackData, prefix="ho", action="w"):
    """The volunteer, busy in another flow when asked, starts writing the note now."""

    escalation: int


@dataclass(frozen=True)
class Covered:
    """One item handed over: to whom (None: back to the coordinators), and who has it now."""

    escalation: Escalation
    coverer: Person | None
    told: list[Person] = field(default_factory=list)


@dataclass(frozen=True)
class EndedLink:
    """A link that ended, the item it raised, and who has that item now (or will get it)."""

    link: Link
    escalation: Escalation
    told: list[Person]


class ItemHandover:
    def __init__(self, settings: Settings, alerts: Alerts, engine: EscalationEngine) -> None:
        self._settings = settings
        self._alerts = alerts
        self._engine = engine
        self._route = Route(settings)

    # --- away and leaving --------------------------------------------------------------------------

    async def cover_in(
        self, tx: Tx, leaving: Person, now: datetime, *, reason: Reason, why: Callable[[Person], Markup]
    ) -> list[Covered]:
        """Hand over every item the leaving person holds or that waits for them alone. Their absence (or their
        leaving) is stored first, so the routes no longer offer them. why: what each volunteer whose item moves
        is told first, in her language and time ("Piet is afwezig tot vrijdag 17:00.")."""
        covered: list[Covered] = []
        for escalation_id in await handover.waiting_for(tx, leaving.id):
            escalation = await escalations.get(tx, escalation_id)
            assert escalation is not None
            loaded = await self._route.load(tx, escalation, now)
            coverer = _first_available(loaded, leaving)
            if coverer is not None:
                follow_up = await self._route.follow_up_at(tx, escalation, coverer, now)
                await handover.take_over(tx, escalation.id, coverer.id, now, follow_up_at=follow_up)
                await escalations.add_recipient(
                    tx, escalation.id, coverer.id, level=max(escalation.level, 0), outbox_id=None, now=now
                )
                told = [coverer]
            else:
                await handover.start_over(tx, escalation.id, now)
                told = await self._engine.advance_in(tx, escalation.id, now)
            await handover.record_cover(
                tx,
                escalation.id,
                absent_id=leaving.id,
                coverer_id=coverer.id if coverer else None,
                reason=reason,
                now=now,
            )
            await TRAIL.record(
                tx, now, "escalation.covered", escalation.id, person=leaving.id, to=coverer.id if coverer else None
            )
            moved = await escalations.get(tx, escalation.id)
            assert moved is not None
            await self._alerts.refresh(tx, moved, now)
            await self._tell_volunteer(tx, moved, loaded.volunteer, leaving, coverer, told, why, now)
            covered.append(Covered(moved, coverer, told))
        return covered

    async def _tell_volunteer(
        self,
        tx: Tx,
        escalation: Escalation,
        volunteer: Person,
        leaving: Person,
        coverer: Person | None,
        told: list[Person],
        why: Callable[[Person], Markup],
        now: datetime,
    ) -> None:
        """The volunteer whose item moved hears why, who has it now and what happens next."""
        if not escalation.tells_volunteer:
            return
        lang = volunteer.language
        kind, client = plain(lang, f"kind.{escalation.kind.value}"), render.client(escalation, lang)
        reason = why(volunteer)
        if coverer is not None:
            name, absent = coverer.name, leaving.name
            await notify(
                tx, volunteer, "vol.covered", now, why=reason, name=name, absent=absent, kind=kind, client=client
            )
            return
        names = spoken_list(lang, [p.name for p in told]) or plain(lang, "routing.coordinators")
        await notify(tx, volunteer, "vol.covered_open", now, why=reason, names=names, kind=kind, client=client)

    # --- ending a link -----------------------------------------------------------------------------

    async def end_link_in(
        self,
        tx: Tx,
        link: Link,
        volunteer: Person,
        now: datetime,
        *,
        note: NoteState,
        by: Person | None = None,
        holder: Person | None = None,
    ) -> EndedLink:
        """End the link and raise the item that says its client has no volunteer any more. Asked for a note,
        the item waits NOTE_WAIT for it (the note or the skip sends it on at once); by: who ended it (None: the
        volunteer left); holder: a professional who took the case back themselves holds the item from the start."""
        if not await links.end(tx, link.id, now):
            raise Refused("unlink.ended_already", alias=link.client_alias)
        escalation_id = await escalations.create(
            tx,
            kind=Kind.LINK_ENDED,
            volunteer_id=volunteer.id,
            link_id=link.id,
            client_alias=link.client_alias,
            category=note.value,
            urgency=Urgency.CONCERN,
            body=None,
            now=now,
        )
        assert escalation_id is not None  # no dedupe key
        actor = by.id if by else None
        await LINKS.record(tx, now, "link.ended", link.id, actor=actor, volunteer=volunteer.id, note=note.value)
        await TRAIL.record(tx, now, "escalation.created", escalation_id, kind=Kind.LINK_ENDED.value)
        told: list[Person] = []
        if holder is not None:
            follow_up = await self._route.follow_up_at(tx, await self._get(tx, escalation_id), holder, now)
            await handover.take_over(tx, escalation_id, holder.id, now, follow_up_at=follow_up)
            await escalations.add_recipient(tx, escalation_id, holder.id, level=0, outbox_id=None, now=now)
            told = [holder]
        elif note is NoteState.ASKED:
            await escalations.set_step(tx, escalation_id, level=-1, next_step_at=now + NOTE_WAIT)
        else:
            told = await self._engine.advance_in(tx, escalation_id, now)
        item = await self._get(tx, escalation_id)
        if note is NoteState.ASKED:
            await self._ask_note(tx, item, volunteer, now)
        return EndedLink(link, item, told or await self._first_on_route(tx, item, now))

    async def _ask_note(self, tx: Tx, item: Escalation, volunteer: Person, now: datetime) -> None:
        """The question for the note. Her next text is the note, unless she is in the middle of another flow:
        then a button starts it when she is ready."""
        free = await drafts.put_if_absent(tx, volunteer.id, Draft(NOTE_FLOW, NOTE_STEP, {"escalation": item.id}), now)
        lang = volunteer.language
        skip = {"text": plain(lang, "button.note.skip"), "data": SkipNote(item.id).pack()}
        write = {"text": plain(lang, "button.note.write"), "data": WriteNote(item.id).pack()}
        keyboard = [[skip]] if free else [[write], [skip]]
        await notify(
            tx,
            volunteer,
            "note.ask",
            now,
            client=render.client(item, lang),
            keyboard=keyboard,
            subject_type=SUBJECT,
            subject_id=item.id,
            purpose=NOTE_PURPOSE,
        )

    async def forgo_notes_in(self, tx: Tx, volunteer: Person, now: datetime, *, note: NoteState) -> None:
        """The volunteer leaves before answering: items still waiting for her note say so and go on at once."""
        for escalation_id in await handover.note_asked_of(tx, volunteer.id):
            await handover.set_note(tx, escalation_id, state=note.value, body=None)
            await self._sent_on(tx, escalation_id, now, note=None)

    async def note_in(
        self, tx: Tx, escalation_id: int, volunteer: Person, text: str | None, now: datetime, *, shown_in: int | None
    ) -> list[Person]:
        """Her note (None: she skips it) for the item her ended link raised; who gets it. The question loses its
        buttons, but in the message `shown_in` (the one she answers in, edited by the flow itself)."""
        item = await escalations.get(tx, escalation_id)
        if item is None or item.kind is not Kind.LINK_ENDED or item.volunteer_id != volunteer.id:
            raise Refused("button.expired")
        if text is not None and not 0 < len(text) <= NOTE_LIMIT:
            raise Refused("note.bad", limit=NOTE_LIMIT)
        state = NoteState.NOTE if text is not None else NoteState.SKIPPED
        if not await handover.set_note(tx, item.id, state=state.value, body=text):
            raise Refused("note.answered", client=item.client_alias or "?")
        await TRAIL.record(tx, now, f"escalation.note_{state.value}", item.id, actor=volunteer.id)
        for question in await outbox.for_subject(tx, SUBJECT, item.id, purpose=NOTE_PURPOSE):
            if question.keyboard is not None and (shown_in is None or question.telegram_message_id != shown_in):
                await retire_buttons(tx, question, "note.retired", now)
        return await self._sent_on(tx, item.id, now, note=text)

    async def _sent_on(self, tx: Tx, escalation_id: int, now: datetime, *, note: str | None) -> list[Person]:
        """Not sent yet: it goes on now. Already with someone: their copies show the note, and they hear it."""
        item = await self._get(tx, escalation_id)
        if item.state is State.OPEN and item.level < 0:
            return await self._engine.advance_in(tx, item.id, now) or await self._first_on_route(tx, item, now)
        await self._alerts.refresh(tx, item, now)
        holders = await self._holders(tx, item)
        volunteer = await people.get(tx, item.volunteer_id)
        for person in holders if note is not None else []:
            lang = person.language
            await notify(
                tx,
                person,
                "note.late",
                now,
                volunteer=volunteer.name if volunteer else "?",
                client=render.client(item, lang),
                text=note,
                subject_type=SUBJECT,
                subject_id=item.id,
            )
        return holders

    async def _holders(self, tx: Tx, item: Escalation) -> list[Person]:
        """Who has the item: its holder, the colleague asked to take it, who closed it, or those told last."""
        one = item.owner_id if item.state is State.ACKNOWLEDGED else item.handoff_to or item.resolved_by
        if one is not None:
            ids = [one]
        else:
            ids = [r.person_id for r in await escalations.recipients(tx, item.id) if r.level == item.level]
        return [p for i in ids if (p := await people.get(tx, i)) is not None and p.active]

    async def _first_on_route(self, tx: Tx, item: Escalation, now: datetime) -> list[Person]:
        """Who an item not told to anyone yet will reach first (when their working hours begin, for one that
        waits for them): the first level with someone available."""
        loaded = await self._route.load(tx, item, now)
        for level in loaded.situation.levels:
            available = [loaded.by_id[c.person_id] for c in level if c.eligible and c.person_id in loaded.by_id]
            if available:
                return available
        return []

    @staticmethod
    async def _get(tx: Tx, escalation_id: int) -> Escalation:
        item = await escalations.get(tx, escalation_id)
        assert item is not None
        return item


def _first_available(loaded: Loaded, leaving: Person) -> Person | None:
    """The first professional on the route (the link's or the volunteer's own, then the backup) who can take the
    item now; None when only the coordinators are left. An item still waiting for a pick-up goes on to the levels
    after the one it reached (those before had their turn); one the leaving person holds may go to anyone."""
    situation = loaded.situation
    first = situation.level + 1 if situation.state is State.OPEN else 0
    for level in situation.levels[first : loaded.last_level]:
        for candidate in level:
            if candidate.eligible and candidate.person_id != leaving.id and candidate.person_id in loaded.by_id:
                return loaded.by_id[candidate.person_id]
    return None
