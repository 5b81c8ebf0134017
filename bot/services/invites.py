"""Invites: made (with an optional prepared set-up), listed, revoked, redeemed, and the maker's notices.

A revoked or expired code is answered exactly like an unknown one, and redeeming it stores nothing. A
prepared set-up (professional, backup, client links, agreement) is applied in the very transaction that
registers the volunteer, so they arrive fully set up or not at all.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.models import Invite, Person, Prepared, Role, Team
from bot.domain.onboarding import (
    InviteState,
    expiry_notice_at,
    format_hours,
    hash_code,
    invite_state,
    is_well_formed_code,
)
from bot.i18n import language_for, plain
from bot.services.base import Service, Trail, coordinators_only, load_people
from bot.services.errors import Refused
from bot.services.notify import notify, role_names, spoken_list
from storage import invites, links, people
from storage.db import Tx

INVITES = Trail("invite")
PERSONS = Trail("person")
LINKS = Trail("link")


class Redeemed(StrEnum):
    JOINED = "joined"
    ROLE_ADDED = "role_added"
    ALREADY = "already"
    UNKNOWN = "unknown"
    USED = "used"


@dataclass(frozen=True)
class RedeemOutcome:
    result: Redeemed
    person: Person | None = None
    role: Role | None = None
    # What the prepared set-up gave the new volunteer: their professional and their clients.
    professional: Person | None = None
    clients: tuple[str, ...] = ()


@dataclass(frozen=True)
class IssuedInvite:
    code: str
    role: Role
    name: str
    team: Team | None
    expires_at: datetime
    id: int = 0


@dataclass(frozen=True)
class OpenInvite:
    """An invite that still lets someone in, with the names a list shows."""

    invite: Invite
    team: Team | None
    made_by: Person | None


def new_invite_code() -> str:
    """192 random bits, URL-safe, 32 characters: fits Telegram's 64-character deep-link payload."""
    return secrets.token_urlsafe(24)


class InviteService(Service):
    async def create(
        self, *, by: Person | None, role: Role, name: str, team_id: int | None, prepared: Prepared | None = None
    ) -> IssuedInvite:
        """by None: the administrator on the command line."""
        coordinators_only(by)
        now = self._clock.now()
        code = new_invite_code()
        expires = now + timedelta(days=self._settings.app.invite_valid_days)
        async with self._db.transaction() as tx:
            team = await people.team(tx, team_id) if team_id is not None else None
            if team_id is not None and team is None:
                raise Refused("button.expired")
            if prepared is not None and not prepared.empty:
                await self._check_prepared(tx, role, prepared)
            invite_id = await invites.create(
                tx,
                code_hash=hash_code(code),
                role=role,
                name=name,
                team_id=team_id,
                created_by=by.id if by else None,
                now=now,
                expires_at=expires,
                # Only a coordinator in the bot can be reminded; the command line has no chat.
                expiry_notice_at=expiry_notice_at(now, expires) if by is not None else None,
                prepared=prepared,
            )
            await INVITES.record(tx, now, "invite.created", invite_id, actor=by.id if by else None, role=role.value)
        return IssuedInvite(code=code, role=role, name=name, team=team, expires_at=expires, id=invite_id)

    async def _check_prepared(self, tx: Tx, role: Role, prepared: Prepared) -> None:
        if role is not Role.VOLUNTEER:
            raise Refused("invite.prepared_volunteers_only")
        for person_id in (prepared.professional_id, prepared.backup_id):
            if person_id is None:
                continue
            person = await people.get(tx, person_id)
            if person is None or not person.active or not person.is_professional:
                raise Refused("flow.person_gone")
        if prepared.backup_id is not None and prepared.backup_id == prepared.professional_id:
            raise Refused("invite.prepared_same_backup")

    async def prepare(self, by: Person | None, invite_id: int, prepared: Prepared) -> Invite:
        """Set up the volunteer an open invite is for; they arrive with it when they open the link."""
        coordinators_only(by)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            invite = await invites.get(tx, invite_id)
            if invite is None or invite_state(invite, now) is not InviteState.VALID:
                raise Refused("invites.gone")
            await self._check_prepared(tx, invite.role, prepared)
            await invites.set_prepared(tx, invite_id, prepared, now)
            detail = {"professional": prepared.professional_id, "clients": len(prepared.clients)}
            await INVITES.record(tx, now, "invite.prepared", invite_id, actor=by.id if by else None, **detail)
            updated = await invites.get(tx, invite_id)
        assert updated is not None
        return updated

    async def open_invites(self) -> list[OpenInvite]:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            found = await invites.open_invites(tx, now)
            makers = await load_people(tx, [i.created_by for i in found if i.created_by is not None])
            teams = {t.id: t for t in await people.teams(tx)}
        return [OpenInvite(i, teams.get(i.team_id or -1), makers.get(i.created_by or -1)) for i in found]

    async def open_invite(self, invite_id: int) -> OpenInvite | None:
        return next((o for o in await self.open_invites() if o.invite.id == invite_id), None)

    async def revoke(self, by: Person | None, invite_id: int) -> Invite:
        """The link stops working at once; refused when it was used, revoked or expired meanwhile."""
        coordinators_only(by)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            if not await invites.revoke(tx, invite_id, by.id if by else None, now):
                raise Refused("invites.gone")
            await INVITES.record(tx, now, "invite.revoked", invite_id, actor=by.id if by else None)
            revoked = await invites.get(tx, invite_id)
        assert revoked is not None
        return revoked

    async def redeem(self, *, telegram_id: int, language_code: str | None, code: str) -> RedeemOutcome:
        """Register the sender with a one-time code. Nothing is written unless the code is valid."""
        if not is_well_formed_code(code):
            return RedeemOutcome(Redeemed.UNKNOWN)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            invite = await invites.by_hash(tx, hash_code(code))
            state = invite_state(invite, now) if invite is not None else None
            if invite is None or state in (InviteState.EXPIRED, InviteState.REVOKED):
                # The same answer as for a code never made: a forwarded link tells a stranger nothing.
                return RedeemOutcome(Redeemed.UNKNOWN)
            if state is InviteState.USED:
                return RedeemOutcome(Redeemed.USED)
            existing = await people.by_telegram_id(tx, telegram_id)
            if existing is not None and existing.has(invite.role):
                return RedeemOutcome(Redeemed.ALREADY, existing, invite.role)
            person_id, result = await self._register(tx, invite, existing, telegram_id, language_code, now)
            await people.add_role(tx, person_id, invite.role)
            if not await invites.mark_used(tx, invite.id, person_id, now):
                raise Refused("invite.used")  # rolls back: someone else was faster
            await INVITES.record(tx, now, "invite.redeemed", invite.id, actor=person_id, role=invite.role.value)
            person = await people.get(tx, person_id)
            assert person is not None
            professional, clients = await self._apply_prepared(tx, invite, person, now)
            person = await people.get(tx, person_id)
            assert person is not None
            await self._tell_maker(tx, invite, person, professional, clients, now)
        self._wake()
        return RedeemOutcome(result, person, invite.role, professional, clients)

    async def _register(
        self,
        tx: Tx,
        invite: Invite,
        existing: Person | None,
        telegram_id: int,
        language_code: str | None,
        now: datetime,
    ) -> tuple[int, Redeemed]:
        # A team removed since the invite was made is not joined.
        team_id = invite.team_id if invite.team_id and await people.team(tx, invite.team_id) else None
        if existing is not None:
            await people.set_team_if_missing(tx, existing.id, team_id)
            return existing.id, Redeemed.ROLE_ADDED
        # A removed person's old row keeps its history but lets go of the Telegram id.
        old = await people.by_telegram_id_any(tx, telegram_id)
        if old is not None:
            await people.release_telegram_id(tx, old.id)
        person_id = await people.create(
            tx,
            name=invite.name,
            telegram_id=telegram_id,
            language=language_for(language_code, self._settings.app.language),
            team_id=team_id,
            now=now,
        )
        return person_id, Redeemed.JOINED

    async def _apply_prepared(
        self, tx: Tx, invite: Invite, volunteer: Person, now: datetime
    ) -> tuple[Person | None, tuple[str, ...]]:
        """The set-up the coordinator prepared, as /assign, /link and /agreement would have made it."""
        ready, actor = invite.prepared, invite.created_by
        if ready.empty or invite.role is not Role.VOLUNTEER:
            return None, ()
        chosen = await load_people(tx, [i for i in (ready.professional_id, ready.backup_id) if i is not None])
        # Someone who left since the invite was made is not assigned.
        usable = {i: p for i, p in chosen.items() if p.active and p.is_professional}
        professional = usable.get(ready.professional_id or -1)
        backup = usable.get(ready.backup_id or -1) if professional is not None else None
        if professional is not None:
            await people.assign(tx, volunteer.id, professional.id, backup.id if backup else None)
            detail = {"professional": professional.id, "backup": backup.id if backup else None, "invite": invite.id}
            await PERSONS.record(tx, now, "volunteer.assigned", volunteer.id, actor=actor, **detail)
        clients: list[str] = []
        for alias in ready.clients:
            if await links.find_active(tx, volunteer.id, alias) is None:
                link_id = await links.create(
                    tx, volunteer_id=volunteer.id, client_alias=alias, professional_id=None, now=now
                )
                await LINKS.record(tx, now, "link.created", link_id, actor=actor, volunteer=volunteer.id)
                clients.append(alias)
        if ready.hours_per_week is not None:
            await links.set_agreement(
                tx,
                volunteer_id=volunteer.id,
                hours_per_week=ready.hours_per_week,
                contact_times=ready.contact_times,
                by=actor,
                now=now,
            )
            await PERSONS.record(
                tx, now, "agreement.set", volunteer.id, actor=actor, hours_per_week=ready.hours_per_week
            )
        if professional is not None:
            await self._tell_professionals(tx, volunteer, professional, backup, clients, now)
        return professional, tuple(clients)

    async def _tell_professionals(
        self, tx: Tx, volunteer: Person, professional: Person, backup: Person | None, clients: list[str], now: datetime
    ) -> None:
        lang = professional.language
        await notify(
            tx,
            professional,
            "invite.prepared_professional",
            now,
            volunteer=volunteer.name,
            clients=spoken_list(lang, clients) if clients else plain(lang, "invite.prepared_no_clients"),
        )
        if backup is not None:
            await notify(
                tx, backup, "assign.notice_backup", now, volunteer=volunteer.name, professional=professional.name
            )

    async def _tell_maker(
        self,
        tx: Tx,
        invite: Invite,
        person: Person,
        professional: Person | None,
        clients: tuple[str, ...],
        now: datetime,
    ) -> None:
        if invite.created_by is None or invite.created_by == person.id:
            return
        maker = await people.get(tx, invite.created_by)
        if maker is None:
            return
        lang = maker.language
        await notify(tx, maker, "invite.joined_notice", now, name=person.name, role=role_names(lang, {invite.role}))
        if not invite.prepared.empty and invite.role is Role.VOLUNTEER:
            await notify(
                tx,
                maker,
                "invite.prepared_applied",
                now,
                name=person.name,
                professional=professional.name if professional else plain(lang, "people.nobody"),
                clients=spoken_list(lang, list(clients)) if clients else plain(lang, "invite.prepared_no_clients"),
                hours=format_hours(invite.prepared.hours_per_week, lang)
                if invite.prepared.hours_per_week is not None
                else "-",
            )

    async def tick(self, now: datetime) -> None:
        """Remind each maker once, a day before, of an invite that is still unused; what fell due while the
        bot was down is caught up now (an invite that expired meanwhile is only cleared)."""
        async with self._db.transaction() as tx:
            due = await invites.due_expiry_notices(tx, now)
            for invite in due:
                if not await invites.claim_expiry_notice(tx, invite.id):
                    continue
                if invite_state(invite, now) is not InviteState.VALID or invite.created_by is None:
                    continue
                maker = await people.get(tx, invite.created_by)
                if maker is None or not maker.is_coordinator:
                    continue
                await notify(
                    tx,
                    maker,
                    "invite.expiry_notice",
                    now,
                    name=invite.name,
                    role=role_names(maker.language, {invite.role}),
                )
        if due:
            self._wake()
