"""Hand-overs as use cases, each one transaction: /away and /back, removing someone, /unlink, the volunteer's
hand-over note, and resolving a "take this case back" request by ending the link.

Away means handed over: what the professional holds, and what waits for them alone, goes to the next
professional on each item's route (the volunteer's backup), or back to the coordinators, who hear it with the
list; volunteers see who stands in in their confirmations. Removing someone hands over the same way, ends a
volunteer's links, and lists to the coordinators the volunteers left without a professional, a button each.
Ending a link raises an item for the professional (`ItemHandover.end_link_in`) and asks the volunteer for a
short note.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.clock import Clock
from bot.config import Settings
from bot.domain.callbacks import CallbackData
from bot.domain.escalation import Escalation, Kind
from bot.domain.models import Link, Person, Role
from bot.domain.timefmt import say_time
from bot.i18n import Markup, plain, t
from bot.services.base import Service, Trail, coordinators_only, load_people, zone_of
from bot.services.errors import Refused
from bot.services.escalations import EscalationService, render
from bot.services.escalations.handover import NOTE_FLOW, Covered, EndedLink, NoteState, Reason
from bot.services.escalations.route import Route
from bot.services.notify import notify, spoken_list
from storage import drafts, escalations, handover, links, people
from storage.db import Database, Tx

PERSONS = Trail("person")
# /away without an end: until /back (away_until must hold a moment; this one never comes).
UNTIL_BACK = datetime(9999, 1, 1, tzinfo=UTC)
ORPHAN_BUTTONS = 24


class ChooseProfessional(CallbackData, prefix="asg", action="o"):
    """A volunteer left without a professional: the coordinator picks one (the /assign flow from there)."""

    volunteer: int


@dataclass(frozen=True)
class Cover:
    """What one colleague (or, coverer None, the coordinators) took over: items and volunteers."""

    coverer: Person | None
    items: list[Escalation] = field(default_factory=list)
    volunteers: list[Person] = field(default_factory=list)


@dataclass(frozen=True)
class Away:
    until: datetime | None  # None: until /back
    covers: list[Cover]


@dataclass(frozen=True)
class Removal:
    person: Person
    covers: list[Cover]
    ended: list[EndedLink]
    orphans: list[Person]  # volunteers left without a professional


@dataclass(frozen=True)
class Kept:
    """Items taken over while someone was away that the colleague still holds, by colleague."""

    coverer: Person
    items: list[int]


class HandoverService(Service):
    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        wake_delivery: Callable[[], None],
        escalations: EscalationService,
    ) -> None:
        super().__init__(db, clock, settings, wake_delivery)
        self._escalations = escalations
        self._items = escalations.handover
        self._route = Route(settings)

    # --- /away and /back ---------------------------------------------------------------------------

    async def go_away(self, person: Person, until: datetime | None) -> Away:
        """Away until then (None: until /back), and in the same transaction what they hold goes to colleagues."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await escalations.set_away(tx, person.id, until or UNTIL_BACK)
            await PERSONS.record(tx, now, "person.away", person.id, actor=person.id, until=str(until))
            covers = await self.cover_in(tx, person, now, reason=Reason.AWAY, until=until)
        self._wake()
        return Away(until, covers)

    async def come_back(self, person: Person) -> list[Kept] | None:
        """Back: new items reach them again. What colleagues took over stays with them (they are told, and may
        hand it back); those items, by colleague. None: they were not away."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            row = (await escalations.availability(tx, [person.id])).get(person.id)
            if row is None or row.away_until is None or row.away_until <= now:
                return None
            await escalations.set_away(tx, person.id, None)
            await PERSONS.record(tx, now, "person.back", person.id, actor=person.id)
            held: dict[int, list[int]] = {}
            for escalation_id, coverer_id in await handover.still_covering(tx, person.id):
                held.setdefault(coverer_id, []).append(escalation_id)
            holders = await load_people(tx, held)
            kept = [Kept(holders[i], items) for i, items in held.items() if i in holders]
            for entry in kept:
                await notify(tx, entry.coverer, "cover.back", now, name=person.name, count=len(entry.items))
        self._wake()
        return kept

    # --- handing over ------------------------------------------------------------------------------

    async def cover_in(
        self, tx: Tx, leaving: Person, now: datetime, *, reason: Reason, until: datetime | None = None
    ) -> list[Cover]:
        """Inside the caller's transaction, the absence or removal already stored: the leaving person's items go
        to colleagues, and each colleague (or the coordinators) hears what they took over."""

        def why(reader: Person) -> Markup:
            lang = reader.language
            if reason is Reason.REMOVED:
                return t(lang, "cover.why_removed", name=leaving.name)
            if until is None:
                return t(lang, "cover.why_away_open", name=leaving.name)
            return t(lang, "cover.why_away", name=leaving.name, until=self._until(lang, until, leaving, reader, now))

        covered = await self._items.cover_in(tx, leaving, now, reason=reason, why=why)
        volunteers = await people.volunteers_of(tx, leaving.id) if leaving.is_professional else []
        covers = await self._group(tx, leaving, covered, volunteers, now)
        for cover in covers:
            await self._tell_coverers(tx, cover, leaving, reason, until, now)
        return covers

    async def _group(
        self, tx: Tx, leaving: Person, covered: list[Covered], volunteers: list[Person], now: datetime
    ) -> list[Cover]:
        """By colleague: the items each took over, and the volunteers whose backup stands in (the
        coordinators for a volunteer without an available backup). Colleagues by name, the coordinators last."""
        backups = await load_people(tx, [v.backup_professional_id for v in volunteers if v.backup_professional_id])
        level = [p for p in backups.values() if p.is_professional and p.id != leaving.id]
        available = {c.person_id for c in (await self._route.candidates(tx, [level], now))[0] if c.eligible}
        groups: dict[int | None, Cover] = {}

        def group(person: Person | None) -> Cover:
            return groups.setdefault(person.id if person else None, Cover(person))

        for item in covered:
            group(item.coverer).items.append(item.escalation)
        for volunteer in volunteers:
            backup = volunteer.backup_professional_id
            group(backups[backup] if backup in available else None).volunteers.append(volunteer)
        return sorted(groups.values(), key=lambda c: (c.coverer is None, c.coverer.name.lower() if c.coverer else ""))

    async def _tell_coverers(
        self, tx: Tx, cover: Cover, leaving: Person, reason: Reason, until: datetime | None, now: datetime
    ) -> None:
        """The colleague hears whom they stand in for and which items are theirs now; the coordinators, for
        what came back to them (the volunteers of someone removed they get as a list to choose from)."""
        if cover.coverer is None and reason is Reason.REMOVED and not cover.items:
            return
        recipients = (
            [cover.coverer]
            if cover.coverer is not None
            else [c for c in await people.active_with_role(tx, Role.COORDINATOR) if c.id != leaving.id]
        )
        names = {i: p.name for i, p in (await load_people(tx, {e.volunteer_id for e in cover.items})).items()}
        for person in recipients:
            lang = person.language
            who = "" if cover.coverer is not None else "_coordinators"
            key = f"cover.{reason.value}{who}{'_for' if cover.volunteers else ''}"
            await notify(
                tx,
                person,
                key,
                now,
                name=leaving.name,
                until=self._until(lang, until, leaving, person, now),
                volunteers=spoken_list(lang, [v.name for v in cover.volunteers]),
                items=self._item_list(lang, person, cover, names, now),
            )

    def _item_list(self, lang: str, reader: Person, cover: Cover, names: dict[int, str], now: datetime) -> Markup:
        """The items taken over, a line each (empty for none), with where to find their buttons."""
        if not cover.items:
            return Markup("")
        zone = zone_of(reader, self._settings)
        who = "" if cover.coverer is not None else "_coordinators"
        lines = [
            t(lang, "cover.item", header=render.header(i, names.get(i.volunteer_id, "?"), lang, now, zone))
            for i in cover.items
        ]
        head = t(lang, f"cover.items{who}", count=len(cover.items))
        return Markup("\n" + "\n".join([head, *lines, t(lang, f"cover.items_how{who}")]))

    def _until(self, lang: str, until: datetime | None, absent: Person, reader: Person, now: datetime) -> Markup:
        """ "tot vrijdag 17:00" in the reader's time, or "tot Piet terug is"."""
        if until is None:
            return t(lang, "cover.until_back", name=absent.name)
        return t(lang, "cover.until", when=say_time(until, now, zone_of(reader, self._settings), lang))

    # --- removing someone --------------------------------------------------------------------------

    async def remove(self, by: Person, person_id: int) -> Removal:
        """A coordinator removes someone who left: deactivated, their items handed over, a volunteer's links
        ended, and the volunteers left without a professional listed to the coordinators."""
        coordinators_only(by)
        if person_id == by.id:
            raise Refused("remove.self")
        now = self._clock.now()
        async with self._db.transaction() as tx:
            person = await people.get(tx, person_id)
            if person is None or not person.active:
                raise Refused("flow.person_gone")
            await notify(tx, person, "remove.notice", now, organisation=self._settings.app.organisation)
            await people.deactivate(tx, person.id, now)
            await PERSONS.record(tx, now, "person.removed", person.id, actor=by.id)
            removal = await self.leave_in(tx, person, now, note=NoteState.REMOVED)
        self._wake()
        return removal

    async def leave_in(self, tx: Tx, person: Person, now: datetime, *, note: NoteState) -> Removal:
        """Someone deactivated in this transaction leaves warmly: their links end (the professional gets an item
        for each client), their items go to colleagues, their volunteers hear who stands in, and the
        coordinators get the volunteers left without a professional, a button each."""
        ended: list[EndedLink] = []
        if person.is_volunteer:
            await self._items.forgo_notes_in(tx, person, now, note=note)
            for link in await links.active_for_volunteer(tx, person.id):
                ended.append(await self._items.end_link_in(tx, link, person, now, note=note))
        covers = await self.cover_in(tx, person, now, reason=Reason.REMOVED)
        orphans = sorted((v for cover in covers for v in cover.volunteers), key=lambda v: (v.name.lower(), v.id))
        if person.is_professional:
            await links.follow_volunteers_instead_of(tx, person.id)
            await self._tell_orphans(tx, person, covers, now)
        return Removal(person, covers, ended, orphans)

    async def _tell_orphans(self, tx: Tx, gone: Person, covers: list[Cover], now: datetime) -> None:
        """Each volunteer hears where her items go now; every coordinator gets the list, a button each."""
        orphans = sorted(
            ((v, cover.coverer) for cover in covers for v in cover.volunteers),
            key=lambda o: (o[0].name.lower(), o[0].id),
        )
        for volunteer, coverer in orphans:
            lang = volunteer.language
            following = coverer.name if coverer else plain(lang, "routing.coordinators")
            await notify(tx, volunteer, "remove.notice_volunteer", now, name=gone.name, next=following)
        if not orphans:
            return
        keyboard = [[{"text": v.name, "data": ChooseProfessional(v.id).pack()}] for v, _ in orphans[:ORPHAN_BUTTONS]]
        for coordinator in await people.active_with_role(tx, Role.COORDINATOR):
            if coordinator.id != gone.id:
                await notify(tx, coordinator, "remove.orphans", now, name=gone.name, keyboard=keyboard)

    async def without_professional(self, by: Person, volunteer_id: int) -> Person:
        """The volunteer an orphan button names, if she still has no professional (an active one)."""
        coordinators_only(by)
        async with self._db.transaction() as tx:
            volunteer = await people.get(tx, volunteer_id)
            if volunteer is None or not volunteer.active or not volunteer.is_volunteer:
                raise Refused("flow.person_gone")
            professional = await people.get(tx, volunteer.responsible_professional_id or 0)
        if professional is not None and professional.active:
            raise Refused("assign.has_professional", volunteer=volunteer.name, professional=professional.name)
        return volunteer

    # --- ending a link -----------------------------------------------------------------------------

    async def linked_volunteers(self) -> list[Person]:
        async with self._db.transaction() as tx:
            linked = await links.linked_volunteers(tx)
            return [p for p in await people.active_with_role(tx, Role.VOLUNTEER) if p.id in linked]

    async def links_of(self, volunteer_id: int) -> list[Link]:
        async with self._db.transaction() as tx:
            return await links.active_for_volunteer(tx, volunteer_id)

    async def end_link(self, by: Person, link_id: int) -> tuple[Person, EndedLink]:
        """A coordinator's /unlink: the link ends, the volunteer is asked for a note, the professional gets an
        item that the client has no volunteer any more."""
        coordinators_only(by)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            link = await links.get(tx, link_id)
            volunteer = await people.get(tx, link.volunteer_id) if link else None
            if link is None or volunteer is None or not volunteer.active:
                raise Refused("button.expired")
            ended = await self._items.end_link_in(tx, link, volunteer, now, note=NoteState.ASKED, by=by)
        self._wake()
        return volunteer, ended

    async def takeback_link(self, person: Person, escalation_id: int) -> Link | None:
        """The link a "take this case back" request is about, if it is still active: resolving it may end it."""
        escalation = await self._escalations.open_item(person, escalation_id)
        if escalation.kind is not Kind.BACKUP or escalation.category != "takeback" or escalation.link_id is None:
            return None
        async with self._db.transaction() as tx:
            link = await links.get(tx, escalation.link_id)
        return link if link is not None and link.active else None

    async def resolve_taking_back(self, person: Person, escalation_id: int, reply: str) -> tuple[Escalation, EndedLink]:
        """Resolve the request with a reply to the volunteer and end the link it is about, in one transaction;
        a professional who takes the case back holds the item the link raises."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            resolved = await self._escalations.actions.resolve_in(tx, person, escalation_id, reply.strip(), now)
            link = await links.get(tx, resolved.link_id or 0)
            volunteer = await people.get(tx, resolved.volunteer_id)
            if link is None or volunteer is None or not link.active:
                raise Refused("unlink.ended_already", alias=resolved.client_alias or "?")
            holder = person if person.is_professional else None
            ended = await self._items.end_link_in(
                tx, link, volunteer, now, note=NoteState.ASKED, by=person, holder=holder
            )
        self._wake()
        return resolved, ended

    # --- the volunteer's note ----------------------------------------------------------------------

    async def write_note(self, volunteer: Person, escalation_id: int) -> str:
        """She starts writing the note now (asked while busy in another flow); the client's alias."""
        async with self._db.transaction() as tx:
            item = await escalations.get(tx, escalation_id)
            if item is None or item.kind is not Kind.LINK_ENDED or item.volunteer_id != volunteer.id:
                raise Refused("button.expired")
            if item.category != NoteState.ASKED:
                raise Refused("note.answered", client=item.client_alias or "?")
        return item.client_alias or "?"

    async def note(
        self, volunteer: Person, escalation_id: int, text: str | None, *, shown_in: int | None = None
    ) -> tuple[str, list[Person]]:
        """Her note (None: skipped) goes to the item and whoever has it; the alias and who gets it. shown_in: the
        message she answers in."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            told = await self._items.note_in(tx, escalation_id, volunteer, text, now, shown_in=shown_in)
            draft = await drafts.get(tx, volunteer.id)
            if draft is not None and draft.flow == NOTE_FLOW:  # a flow she is busy with otherwise stays
                await drafts.clear(tx, volunteer.id)
            item = await escalations.get(tx, escalation_id)
        self._wake()
        return (item.client_alias if item and item.client_alias else "?"), told
