"""Onboarding by invite and the coordinator's tools: people, teams, assignments, links, agreements.

Invites live in `bot/services/invites.py`, team administration in `bot/services/teams.py`; both hang off
this service (`invites`, `team_admin`), so callers hold one object.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time
from time import monotonic as monotonic_clock

from bot.clock import Clock
from bot.config import Settings
from bot.domain.models import Agreement, Link, Person, Prepared, Role, Team
from bot.domain.onboarding import format_hours
from bot.i18n import plain
from bot.services.base import Service, Trail, coordinators_only
from bot.services.errors import Refused
from bot.services.escalations.route import hours_of
from bot.services.invites import InviteService, IssuedInvite, RedeemOutcome
from bot.services.notify import notify, role_names
from bot.services.teams import TeamService
from storage import escalations, groups, links, people
from storage.db import Database, Tx, WriteWatch


@dataclass(frozen=True)
class VolunteerOverview:
    person: Person
    professional: Person | None
    backup: Person | None
    agreement: Agreement | None
    links: list[Link]


@dataclass(frozen=True)
class Overview:
    teams: dict[int, Team]
    volunteers: list[VolunteerOverview] = field(default_factory=list)
    professionals: list[Person] = field(default_factory=list)
    coordinators: list[Person] = field(default_factory=list)


TEAMS = Trail("team")
PERSONS = Trail("person")
LINKS = Trail("link")


class KnownPeople:
    """Registered people by Telegram id as last read, so that the lookup on every update needs no trip to
    SQLite's thread (that hand-over was a third of what a /help costs beyond a bare bot's reply).

    A copy is used only while no transaction has written a person's table since it was read (`WriteWatch`:
    a role, language, team, erasure, removal or accepted invite is seen by the very next update), and for
    `TTL_SECONDS` at most, in case anything ever changes the file outside this process. Strangers are not
    kept: a flood of them must not fill memory.
    """

    TTL_SECONDS = 30.0
    MAX_PEOPLE = 10_000  # far above any organisation; past it the copies start over rather than grow

    def __init__(self, watch: WriteWatch, monotonic: Callable[[], float] = monotonic_clock) -> None:
        self._watch = watch
        self.monotonic = monotonic
        self._people: dict[int, tuple[Person, float]] = {}
        self._version = watch.version

    @property
    def version(self) -> int:
        """To be read before the person is read from the database, and passed to `keep`."""
        return self._watch.version

    def get(self, telegram_id: int) -> Person | None:
        if self._version != self._watch.version:
            self._people.clear()
            self._version = self._watch.version
        kept = self._people.get(telegram_id)
        if kept is None or self.monotonic() - kept[1] > self.TTL_SECONDS:
            return None
        return kept[0]

    def keep(self, person: Person, read_at_version: int) -> None:
        # A write that ended while the row was being read may be newer than the row: keep nothing then.
        if person.telegram_id is None or read_at_version != self._watch.version:
            return
        if len(self._people) >= self.MAX_PEOPLE:
            self._people.clear()
        self._people[person.telegram_id] = (person, self.monotonic())


class PeopleService(Service):
    def __init__(self, db: Database, clock: Clock, settings: Settings, wake_delivery: Callable[[], None]) -> None:
        super().__init__(db, clock, settings, wake_delivery)
        watch = db.watch_writes(people.PERSON_TABLES)
        # SQLite only: on PostgreSQL other replicas change people too, and no watch here sees their writes.
        self.known = None if watch is None else KnownPeople(watch)

    # --- who is this ------------------------------------------------------------------------------

    async def identify(self, telegram_id: int) -> Person | None:
        known = self.known
        if known is None:
            return await self._read_person(telegram_id)
        person = known.get(telegram_id)
        if person is None:
            version = known.version
            person = await self._read_person(telegram_id)
            if person is not None:
                known.keep(person, version)
        return person

    async def _read_person(self, telegram_id: int) -> Person | None:
        # On every update the cache cannot answer: a read without a transaction (one round trip to SQLite's
        # thread instead of three).
        async with self._db.read() as reader:
            return await people.by_telegram_id(reader, telegram_id)

    async def get(self, person_id: int) -> Person | None:
        async with self._db.transaction() as tx:
            return await people.get(tx, person_id)

    async def seen(self, person: Person) -> None:
        """A person who writes to us can be reached again."""
        if person.unreachable:
            async with self._db.transaction() as tx:
                await people.mark_reachable(tx, person.id)

    async def set_language(self, person: Person, language: str) -> Person:
        async with self._db.transaction() as tx:
            await people.set_language(tx, person.id, language)
            updated = await people.get(tx, person.id)
        assert updated is not None
        return updated

    # --- invites (bot/services/invites.py) and teams (bot/services/teams.py) --------------------------

    @functools.cached_property
    def invites(self) -> InviteService:
        return InviteService(self._db, self._clock, self._settings, self._wake)

    @functools.cached_property
    def team_admin(self) -> TeamService:
        return TeamService(self._db, self._clock, self._settings, self._wake)

    async def create_invite(
        self, *, by: Person | None, role: Role, name: str, team_id: int | None, prepared: Prepared | None = None
    ) -> IssuedInvite:
        """by None: the administrator on the command line."""
        return await self.invites.create(by=by, role=role, name=name, team_id=team_id, prepared=prepared)

    async def redeem(self, *, telegram_id: int, language_code: str | None, code: str) -> RedeemOutcome:
        """Register the sender with a one-time code. Nothing is written unless the code is valid."""
        return await self.invites.redeem(telegram_id=telegram_id, language_code=language_code, code=code)

    # --- teams and lists --------------------------------------------------------------------------

    async def teams(self) -> list[Team]:
        async with self._db.transaction() as tx:
            return await people.teams(tx)

    async def team(self, team_id: int) -> Team | None:
        async with self._db.transaction() as tx:
            return await people.team(tx, team_id)

    async def create_team(self, by: Person | None, name: str) -> Team:
        coordinators_only(by)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            existing = await people.team_by_name(tx, name)
            if existing is not None:
                return existing
            team_id = await people.create_team(tx, name, now)
            await TEAMS.record(tx, now, "team.created", team_id, actor=by.id if by else None)
        return Team(id=team_id, name=name)

    async def with_role(self, role: Role) -> list[Person]:
        async with self._db.transaction() as tx:
            return await people.active_with_role(tx, role)

    async def everyone(self) -> list[Person]:
        async with self._db.transaction() as tx:
            return await people.all_active(tx)

    async def overview(self) -> Overview:
        async with self._db.transaction() as tx:
            everyone = await people.all_active(tx)
            by_id = {p.id: p for p in everyone}
            teams = {t.id: t for t in await people.teams(tx)}
            result = Overview(teams=teams)
            for person in everyone:
                if person.is_volunteer:
                    result.volunteers.append(
                        VolunteerOverview(
                            person=person,
                            professional=by_id.get(person.responsible_professional_id or -1),
                            backup=by_id.get(person.backup_professional_id or -1),
                            agreement=await links.agreement(tx, person.id),
                            links=await links.active_for_volunteer(tx, person.id),
                        )
                    )
                if person.is_professional:
                    result.professionals.append(person)
                if person.is_coordinator:
                    result.coordinators.append(person)
        return result

    # --- coordinator changes ----------------------------------------------------------------------

    async def _active(self, tx: Tx, person_id: int, role: Role) -> Person:
        person = await people.get(tx, person_id)
        if person is None or not person.active or not person.has(role):
            raise Refused("flow.person_gone")
        return person

    async def assign(
        self, by: Person, *, volunteer_id: int, professional_id: int, backup_id: int | None
    ) -> tuple[Person, Person, Person | None]:
        coordinators_only(by)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            volunteer = await self._active(tx, volunteer_id, Role.VOLUNTEER)
            professional = await self._active(tx, professional_id, Role.PROFESSIONAL)
            backup = await self._active(tx, backup_id, Role.PROFESSIONAL) if backup_id is not None else None
            if backup is not None and backup.id == professional.id:
                backup = None
            await people.assign(tx, volunteer.id, professional.id, backup.id if backup else None)
            detail = {"professional": professional.id, "backup": backup.id if backup else None}
            await PERSONS.record(tx, now, "volunteer.assigned", volunteer.id, actor=by.id, **detail)
            if professional.id != volunteer.responsible_professional_id:
                await notify(tx, professional, "assign.notice_professional", now, volunteer=volunteer.name)
                await notify(tx, volunteer, "assign.notice_volunteer", now, professional=professional.name)
            if backup is not None and backup.id != volunteer.backup_professional_id:
                await notify(
                    tx,
                    backup,
                    "assign.notice_backup",
                    now,
                    volunteer=volunteer.name,
                    professional=professional.name,
                )
        self._wake()
        return volunteer, professional, backup

    async def link_client(
        self, by: Person, *, volunteer_id: int, alias: str, professional_id: int | None
    ) -> tuple[Link, Person, Person | None]:
        """professional_id None: the link follows the volunteer's responsible professional."""
        coordinators_only(by)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            volunteer = await self._active(tx, volunteer_id, Role.VOLUNTEER)
            professional = (
                await self._active(tx, professional_id, Role.PROFESSIONAL) if professional_id is not None else None
            )
            if await links.find_active(tx, volunteer.id, alias) is not None:
                raise Refused("link.duplicate", volunteer=volunteer.name, alias=alias)
            link_id = await links.create(
                tx, volunteer_id=volunteer.id, client_alias=alias, professional_id=professional_id, now=now
            )
            await LINKS.record(
                tx, now, "link.created", link_id, actor=by.id, volunteer=volunteer.id, professional=professional_id
            )
            effective = professional
            if effective is None and volunteer.responsible_professional_id is not None:
                effective = await people.get(tx, volunteer.responsible_professional_id)
            link = await links.get(tx, link_id)
            assert link is not None
            if effective is not None:
                await notify(tx, volunteer, "link.notice_volunteer", now, alias=alias, professional=effective.name)
        self._wake()
        return link, volunteer, effective

    async def links_of(self, volunteer: Person) -> list[Link]:
        async with self._db.transaction() as tx:
            return await links.active_for_volunteer(tx, volunteer.id)

    async def agreement(self, volunteer_id: int) -> Agreement | None:
        async with self._db.transaction() as tx:
            return await links.agreement(tx, volunteer_id)

    async def set_agreement(
        self, by: Person, *, volunteer_id: int, hours_per_week: float, contact_times: str
    ) -> Person:
        coordinators_only(by)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            volunteer = await self._active(tx, volunteer_id, Role.VOLUNTEER)
            await links.set_agreement(
                tx,
                volunteer_id=volunteer.id,
                hours_per_week=hours_per_week,
                contact_times=contact_times,
                by=by.id,
                now=now,
            )
            await PERSONS.record(tx, now, "agreement.set", volunteer.id, actor=by.id, hours_per_week=hours_per_week)
            lang = volunteer.language
            await notify(
                tx,
                volunteer,
                "agreement.notice_volunteer",
                now,
                hours=format_hours(hours_per_week, lang),
                contact=contact_times or plain(lang, "agreement.no_fixed"),
            )
        self._wake()
        return volunteer

    async def tell_coordinators_unreachable(self, person_id: int) -> None:
        """Delivery found that Telegram refuses messages to this person (blocked, gone)."""
        now = self._clock.now()
        async with self._db.transaction() as tx:
            person = await people.get(tx, person_id)
            if person is None:
                return
            await PERSONS.record(tx, now, "person.unreachable", person.id)
            for coordinator in await people.active_with_role(tx, Role.COORDINATOR):
                if coordinator.id == person.id or coordinator.unreachable:
                    continue
                await notify(
                    tx,
                    coordinator,
                    "unreachable.notice",
                    now,
                    name=person.name,
                    roles=role_names(coordinator.language, person.roles),
                )
        self._wake()

    async def first_notice_for_group(self, chat_id: int) -> bool:
        """True the first time a group chat writes to us: it gets the private-chat answer once."""
        async with self._db.transaction() as tx:
            return await groups.note_once(tx, chat_id, self._clock.now())

    async def working_hours(self, person: Person) -> tuple[frozenset[int], time, time]:
        async with self._db.transaction() as tx:
            row = (await escalations.availability(tx, [person.id])).get(person.id)
        return hours_of(row, self._settings.escalation)

    async def set_working_hours(self, person: Person, days: frozenset[int], start: time, end: time) -> None:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            await escalations.set_working_hours(tx, person.id, days, start, end)
            detail = {"days": sorted(days), "start": start.isoformat(), "end": end.isoformat()}
            await PERSONS.record(tx, now, "person.working_hours", person.id, actor=person.id, **detail)
