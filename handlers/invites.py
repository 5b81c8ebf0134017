"""The coordinator's /invite (role, name, team, then the link), the optional set-up of the volunteer an invite
is for (from a button under the link: professional, backup, clients, hours a week; each step can be skipped),
and /invites (the open invites, each with "intrekken").

The flows keep their state in a stored draft; every button press is checked against that draft and against
the stored roles, so stale or forged buttons change nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Literal

from bot.domain.callbacks import CallbackData, Chosen, Page
from bot.domain.models import Person, Prepared, Role
from bot.domain.onboarding import (
    MAX_HOURS_PER_WEEK,
    NAME_LIMIT,
    TEAM_LIMIT,
    clean_alias,
    clean_name,
    format_hours,
    parse_hours,
)
from bot.domain.timefmt import say_time
from bot.i18n import Markup, plain, t
from bot.services.invites import OpenInvite
from bot.services.notify import role_names, spoken_list
from handlers.choices import Picker, PickPage, paged
from handlers.common import Button, Rows, pick_rows
from handlers.flow import ROUTER, Flow, FlowTurn, Turn, given

CLIENTS_LIMIT = 10  # client aliases one invite may carry
INVITES_SHOWN = 20


@dataclass(frozen=True)
class InviteDraft:
    role: Role | None = None
    name: str | None = None


invite = Flow("invite", InviteDraft, command="invite")


class RoleChosen(CallbackData, prefix="inv", action="r"):
    role: Role


class TeamChosen(CallbackData, prefix="inv", action="t"):
    team: int | Literal["none", "new"]


class TeamPage(CallbackData, prefix="inv", action="pg"):
    page: Page


@dataclass(frozen=True)
class PrepareDraft:
    """The set-up being prepared for the volunteer an open invite is for."""

    invite: int | None = None
    name: str | None = None
    professional: int | None = None
    backup: int | None = None
    clients: tuple[str, ...] = ()


# Started from a button under a volunteer's invite link: skipping it is not pressing it.
prepare = Flow("prepare", PrepareDraft, command="invite")

PrepareInvite = Chosen.at("prep", "i")


class ProfessionalChosen(CallbackData, prefix="prep", action="p"):
    professional: int | Literal["none"]


class BackupChosen(CallbackData, prefix="prep", action="b"):
    backup: int | Literal["none"]


class StepSkipped(CallbackData, prefix="prep", action="s"):
    step: Literal["clients", "hours"]


PreparePage = PickPage.at("prep", "pg")
PROFESSIONAL = Picker(prepare, "professional", ProfessionalChosen, PreparePage)
BACKUP = Picker(prepare, "backup", BackupChosen, PreparePage)


@ROUTER.command("invite")
async def invite_command(turn: Turn) -> None:
    """Invite someone: in which role?"""
    lang = turn.lang
    await invite.start(turn, "role", InviteDraft())
    rows: Rows = [[(plain(lang, f"button.role.{r.value}"), RoleChosen(r)) for r in Role], invite.cancel_row(lang)]
    await turn.reply("invite.ask_role", rows)


@invite.button(RoleChosen, "role")
async def invite_role(turn: FlowTurn[InviteDraft], press: RoleChosen, draft: InviteDraft) -> None:
    """The role is known: ask the name."""
    await turn.go("name", InviteDraft(role=press.role))
    await turn.answer()
    await turn.show(t(turn.lang, "invite.ask_name", role=role_names(turn.lang, {press.role})), [turn.cancel_row()])


@invite.text("name")
async def invite_name(turn: FlowTurn[InviteDraft], text: str, draft: InviteDraft) -> None:
    """The name is known: which team?"""
    name = clean_name(text, NAME_LIMIT)
    if name is None:
        return await turn.reply("invite.bad_name", [turn.cancel_row()], limit=NAME_LIMIT)
    draft = replace(draft, name=name)
    await turn.go("team", draft)
    await turn.say(*await _team_prompt(turn, draft, 0))


async def _team_prompt(turn: FlowTurn[InviteDraft], draft: InviteDraft, page: int) -> tuple[Markup, Rows]:
    lang = turn.lang
    options = [(team.name, TeamChosen(team.id)) for team in await turn.services.people.teams()]
    extra = [(plain(lang, "button.team.none"), TeamChosen("none")), (plain(lang, "button.team.new"), TeamChosen("new"))]
    rows = pick_rows(lang, invite.name, options, page=page, page_data=TeamPage, extra=extra)
    return t(lang, "invite.ask_team", name=draft.name or ""), rows


@invite.button(TeamPage, "team")
async def invite_team_page(turn: FlowTurn[InviteDraft], press: TeamPage, draft: InviteDraft) -> None:
    """Another page of teams."""
    await turn.answer()
    await turn.show(*await _team_prompt(turn, draft, press.page))


@invite.button(TeamChosen, "team")
async def invite_team(turn: FlowTurn[InviteDraft], press: TeamChosen, draft: InviteDraft) -> None:
    """A team (or none): the invite is made; a new team: ask its name first."""
    if press.team == "new":
        await turn.go("team_name", draft)
        await turn.answer()
        return await turn.show(t(turn.lang, "invite.ask_team_name"), [turn.cancel_row()])
    team_id = None if press.team == "none" else press.team
    if team_id is not None and await turn.services.people.team(team_id) is None:
        return await turn.expired()
    await turn.answer()
    await _issue_invite(turn, draft, team_id)


@invite.text("team_name")
async def invite_team_name(turn: FlowTurn[InviteDraft], text: str, draft: InviteDraft) -> None:
    """The new team's name: the team and the invite are made."""
    team_name = clean_name(text, TEAM_LIMIT)
    if team_name is None:
        return await turn.reply("invite.bad_team_name", [turn.cancel_row()], limit=TEAM_LIMIT)
    team = await turn.services.people.create_team(turn.person, team_name)
    await _issue_invite(turn, draft, team.id)


async def _issue_invite(turn: FlowTurn[InviteDraft], draft: InviteDraft, team_id: int | None) -> None:
    lang, services = turn.lang, turn.services
    role, name = given(draft.role), given(draft.name)
    issued = await services.people.create_invite(by=turn.person, role=role, name=name, team_id=team_id)
    await turn.end()
    text = t(
        lang,
        "invite.created",
        name=name,
        role=role_names(lang, {role}),
        team=t(lang, "invite.team_suffix", team=issued.team.name) if issued.team else "",
        link=f"https://t.me/{turn.context.bot.username}?start={issued.code}",
        expires=say_time(issued.expires_at, services.clock.now(), services.settings.app.zone, lang),
    )
    # A volunteer can be set up before they arrive; a coordinator who does not want to just sends the link.
    rows: Rows = [[(plain(lang, "button.invite.prepare"), PrepareInvite(issued.id))]] if role is Role.VOLUNTEER else []
    await turn.show(text, rows)


@prepare.free(PrepareInvite)
async def prepare_invite(turn: FlowTurn[PrepareDraft], press: Chosen) -> None:
    """Setting up the volunteer of an open invite: who is their professional?"""
    entry = await turn.services.people.invites.open_invite(press.id)
    if entry is None or entry.invite.role is not Role.VOLUNTEER:
        return await turn.toast("invites.gone", alert=True)
    await turn.answer()
    await prepare.start(turn, "professional", PrepareDraft(invite=entry.invite.id, name=entry.invite.name))
    # A new message: the link above stays as it is, to be copied and sent.
    lang = turn.lang
    options = [(p.name, ProfessionalChosen(p.id)) for p in await _professionals(turn)]
    page_data: Callable[[int], CallbackData] = lambda n: PreparePage("professional", n)  # noqa: E731
    rows = pick_rows(lang, prepare.name, options, page=0, page_data=page_data, extra=[_no_professional(lang)])
    await turn.say(t(lang, "invite.ask_professional", name=entry.invite.name), rows)


async def _professionals(turn: Turn, leaving_out: int | None = None) -> list[Person]:
    return [p for p in await turn.services.people.with_role(Role.PROFESSIONAL) if p.id != leaving_out]


def _no_professional(lang: str) -> Button:
    return (plain(lang, "button.invite.no_professional"), ProfessionalChosen("none"))


async def _professional_prompt(turn: FlowTurn[PrepareDraft], draft: PrepareDraft, page: int) -> None:
    question = t(turn.lang, "invite.ask_professional", name=draft.name or "")
    await PROFESSIONAL.show(turn, await _professionals(turn), question, page, extra=[_no_professional(turn.lang)])


async def _backup_prompt(turn: FlowTurn[PrepareDraft], draft: PrepareDraft, page: int) -> None:
    skip = (plain(turn.lang, "button.no_backup"), BackupChosen("none"))
    question = t(turn.lang, "invite.ask_backup", name=draft.name or "")
    await BACKUP.show(turn, await _professionals(turn, draft.professional), question, page, extra=[skip])


paged(prepare, PreparePage, {"professional": _professional_prompt, "backup": _backup_prompt})


async def _active_professional(turn: Turn, person_id: int, leaving_out: int | None = None) -> bool:
    chosen = await turn.services.people.get(person_id)
    if chosen is None or not chosen.active or not chosen.is_professional or chosen.id == leaving_out:
        await turn.expired()
        return False
    return True


@prepare.button(ProfessionalChosen, "professional")
async def invite_professional(turn: FlowTurn[PrepareDraft], press: ProfessionalChosen, draft: PrepareDraft) -> None:
    """The professional (then: a backup?), or none (then: which clients?)."""
    if press.professional == "none":
        await turn.answer()
        return await _ask_clients(turn, replace(draft, professional=None, backup=None))
    if not await _active_professional(turn, press.professional):
        return
    await turn.answer()
    draft = replace(draft, professional=press.professional)
    await turn.go("backup", draft)
    await _backup_prompt(turn, draft, 0)


@prepare.button(BackupChosen, "backup")
async def invite_backup(turn: FlowTurn[PrepareDraft], press: BackupChosen, draft: PrepareDraft) -> None:
    """The backup (or none): which clients?"""
    backup = None if press.backup == "none" else press.backup
    if backup is not None and not await _active_professional(turn, backup, draft.professional):
        return
    await turn.answer()
    await _ask_clients(turn, replace(draft, backup=backup))


async def _ask_clients(turn: FlowTurn[PrepareDraft], draft: PrepareDraft) -> None:
    await turn.go("clients", draft)
    rows: Rows = [[(plain(turn.lang, "button.invite.no_clients"), StepSkipped("clients"))], turn.cancel_row()]
    await turn.show(t(turn.lang, "invite.ask_clients", name=draft.name or ""), rows)


@prepare.text("clients")
async def invite_clients(turn: FlowTurn[PrepareDraft], text: str, draft: PrepareDraft) -> None:
    """Client aliases, separated by commas: hours a week?"""
    aliases = [clean_alias(part) for part in text.split(",") if part.strip()]
    if not aliases or None in aliases or len(aliases) > CLIENTS_LIMIT:
        return await turn.reply("invite.bad_clients", [turn.cancel_row()], limit=CLIENTS_LIMIT)
    unique = tuple(dict.fromkeys(a for a in aliases if a is not None))
    await _ask_hours(turn, replace(draft, clients=unique))


async def _ask_hours(turn: FlowTurn[PrepareDraft], draft: PrepareDraft) -> None:
    await turn.go("hours", draft)
    rows: Rows = [[(plain(turn.lang, "button.invite.skip_hours"), StepSkipped("hours"))], turn.cancel_row()]
    await turn.show(t(turn.lang, "invite.ask_hours", name=draft.name or ""), rows)


@prepare.button(StepSkipped, "clients", "hours")
async def invite_skip(turn: FlowTurn[PrepareDraft], press: StepSkipped, draft: PrepareDraft) -> None:
    """No clients (then: hours?), or no agreement yet (then: the link)."""
    if press.step != turn.step:
        return await turn.expired()
    await turn.answer()
    if press.step == "clients":
        return await _ask_hours(turn, replace(draft, clients=()))
    await _save_prepared(turn, draft)


@prepare.text("hours")
async def invite_hours(turn: FlowTurn[PrepareDraft], text: str, draft: PrepareDraft) -> None:
    """Hours a week: the invite is made with everything prepared."""
    hours = parse_hours(text)
    if hours is None:
        return await turn.reply("agreement.bad_hours", [turn.cancel_row()], limit=f"{MAX_HOURS_PER_WEEK:g}")
    await _save_prepared(turn, draft, hours)


async def _save_prepared(turn: FlowTurn[PrepareDraft], draft: PrepareDraft, hours: float | None = None) -> None:
    prepared = Prepared(
        professional_id=draft.professional, backup_id=draft.backup, clients=draft.clients, hours_per_week=hours
    )
    saved = await turn.services.people.invites.prepare(turn.person, given(draft.invite), prepared)
    await turn.end()
    await turn.show(t(turn.lang, "invite.prepared_done", name=saved.name) + await _prepared_line(turn, prepared))


async def _prepared_line(turn: Turn, prepared: Prepared) -> Markup:
    """What the new volunteer will arrive with, said under the link."""
    if prepared.empty:
        return Markup("")
    lang, people = turn.lang, turn.services.people
    professional = await people.get(prepared.professional_id) if prepared.professional_id else None
    backup = await people.get(prepared.backup_id) if prepared.backup_id else None
    return t(
        lang,
        "invite.prepared_summary",
        professional=professional.name if professional else plain(lang, "people.nobody"),
        backup=t(lang, "people.backup", name=backup.name) if backup else "",
        clients=spoken_list(lang, list(prepared.clients))
        if prepared.clients
        else plain(lang, "invite.prepared_no_clients"),
        hours=format_hours(prepared.hours_per_week, lang) if prepared.hours_per_week is not None else "-",
    )


# --- /invites ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class InvitesDraft:
    invite: int | None = None


open_invites = Flow("invites", InvitesDraft, command="invites")

RevokeInvite, RevokeConfirmed = Chosen.at("ivl", "r"), Chosen.at("ivl", "y")


def _invite_line(turn: Turn, number: int, entry: OpenInvite) -> str:
    lang, services = turn.lang, turn.services
    made = entry.invite
    return t(
        lang,
        "invites.line",
        n=number,
        name=made.name,
        role=role_names(lang, {made.role}),
        team=t(lang, "invite.team_suffix", team=entry.team.name) if entry.team else "",
        by=entry.made_by.name if entry.made_by else plain(lang, "invites.by_admin"),
        expires=say_time(made.expires_at, services.clock.now(), services.settings.app.zone, lang),
        prepared="" if made.prepared.empty else t(lang, "invites.prepared_mark"),
    )


@ROUTER.command("invites")
async def invites_command(turn: Turn) -> None:
    """The invites that still let someone in, each with a button to revoke it."""
    lang = turn.lang
    shown = (await turn.services.people.invites.open_invites())[:INVITES_SHOWN]
    if not shown:
        return await turn.reply("invites.none")
    lines = [str(t(lang, "invites.header", count=len(shown)))]
    lines += [_invite_line(turn, n, entry) for n, entry in enumerate(shown, 1)]
    rows: Rows = [
        [(plain(lang, "button.invites.revoke", n=n, name=entry.invite.name), RevokeInvite(entry.invite.id))]
        for n, entry in enumerate(shown, 1)
    ]
    await open_invites.start(turn, "list", InvitesDraft())
    await turn.say(Markup("\n".join(lines)), [*rows, open_invites.cancel_row(lang)])


@open_invites.button(RevokeInvite, "list")
async def revoke_chosen(turn: FlowTurn[InvitesDraft], press: Chosen, draft: InvitesDraft) -> None:
    """One invite: say exactly what revoking it does, and ask."""
    entry = await turn.services.people.invites.open_invite(press.id)
    if entry is None:
        return await turn.toast("invites.gone", alert=True)  # used, revoked or expired meanwhile; or forged
    await turn.answer()
    await turn.go("confirm", InvitesDraft(entry.invite.id))
    lang = turn.lang
    rows: Rows = [[(plain(lang, "button.invites.revoke_yes"), RevokeConfirmed(entry.invite.id))], turn.cancel_row()]
    role = role_names(lang, {entry.invite.role})
    await turn.show(t(lang, "invites.confirm", name=entry.invite.name, role=role), rows)


@open_invites.button(RevokeConfirmed, "confirm", when=lambda press, draft: press.id == draft.invite)
async def revoke_confirmed(turn: FlowTurn[InvitesDraft], press: Chosen, draft: InvitesDraft) -> None:
    """Revoke it (the service first: one used meanwhile is refused and says so)."""
    revoked = await turn.services.people.invites.revoke(turn.person, press.id)
    await turn.end()
    await turn.answer()
    await turn.show(t(turn.lang, "invites.revoked", name=revoked.name))
