"""The coordinator's tools: /invite, /people, /assign, /link, /agreement, /remove.

Each flow keeps its state in a stored draft; every button press is checked against that draft
and against the stored roles, so stale or forged buttons change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from bot.domain.callbacks import CallbackData, Chosen, Page
from bot.domain.models import Person, Role
from bot.domain.onboarding import (
    ALIAS_LIMIT,
    CONTACT_LIMIT,
    MAX_HOURS_PER_WEEK,
    NAME_LIMIT,
    TEAM_LIMIT,
    clean_alias,
    clean_name,
    format_hours,
    looks_like_full_name,
    parse_hours,
    single_line,
)
from bot.domain.timefmt import say_time
from bot.i18n import Markup, plain, t
from bot.services.notify import role_names
from bot.services.people import Overview, VolunteerOverview
from handlers.choices import Picker, PickPage, Prompt, paged
from handlers.common import Rows, pick_rows
from handlers.flow import ROUTER, Flow, FlowTurn, Turn, given

MESSAGE_LIMIT = 4096


async def _chosen(turn: Turn, person_id: int, role: Role) -> Person | None:
    """The active person with this role that a picker button names; otherwise None, answered without a change.

    Someone removed since the list was shown gets "gone"; an id no list of ours can hold (forged, or a
    person without the role) gets "expired". The draft stays, so another pick from the list still works.
    """
    chosen = await turn.services.people.get(person_id)
    if chosen is not None and chosen.active and chosen.has(role):
        return chosen
    gone = chosen is not None and chosen.has(role)
    await turn.toast("flow.person_gone" if gone else "button.expired", alert=gone)
    return None


async def _picked(turn: Turn, person_id: int, role: Role) -> Person | None:
    """As `_chosen`, with the press answered when it holds: the next question follows at once."""
    chosen = await _chosen(turn, person_id, role)
    if chosen is not None:
        await turn.answer()
    return chosen


async def _start_with_volunteers(turn: Turn, picker: Picker, payload: object) -> None:
    """/assign, /link and /agreement start by picking the volunteer (and say so when there are none)."""
    volunteers = await turn.services.people.with_role(Role.VOLUNTEER)
    if not volunteers:
        return await turn.reply("pick.none.volunteer")
    await picker.flow.start(turn, picker.step, payload)
    await picker.show(turn, volunteers, t(turn.lang, "pick.volunteer"))


def _volunteers(picker: Picker) -> Prompt[Any]:
    """The prompt of a flow's volunteer step: every volunteer, a page at a time."""

    async def prompt(turn: FlowTurn[Any], draft: object, page: int) -> None:
        volunteers = await turn.services.people.with_role(Role.VOLUNTEER)
        await picker.show(turn, volunteers, t(turn.lang, "pick.volunteer"), page)

    return prompt


# --- /invite --------------------------------------------------------------------------------------


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
    await turn.show(text)


# --- /people --------------------------------------------------------------------------------------


def _team_of(lang: str, overview: Overview, person: Person) -> str:
    team = overview.teams.get(person.team_id or -1)
    return team.name if team else plain(lang, "people.no_team")


def _flags(lang: str, person: Person) -> str:
    return plain(lang, "people.unreachable") if person.unreachable else ""


def _volunteer_line(lang: str, overview: Overview, entry: VolunteerOverview) -> str:
    p, agreement = entry.person, entry.agreement
    aliases = ", ".join(link.client_alias for link in entry.links)
    line = t(
        lang,
        "people.volunteer_line",
        name=f"{p.name} ({_team_of(lang, overview, p)})",
        professional=entry.professional.name if entry.professional else plain(lang, "people.nobody"),
        backup=t(lang, "people.backup", name=entry.backup.name) if entry.backup else "",
        agreement=t(lang, "people.agreement", hours=format_hours(agreement.hours_per_week, lang)) if agreement else "",
        clients=t(lang, "people.clients", aliases=aliases) if entry.links else "",
    )
    return line + _flags(lang, p)


@ROUTER.command("people")
async def people_command(turn: Turn) -> None:
    """Everyone, by role: volunteers with their professional, backup, agreement and clients."""
    lang = turn.lang
    overview = await turn.services.people.overview()
    by_team = sorted(
        overview.volunteers, key=lambda v: (_team_of(lang, overview, v.person).lower(), v.person.name.lower())
    )
    sections: list[str] = [t(lang, "people.header")]
    sections.append(_section(lang, Role.VOLUNTEER, [_volunteer_line(lang, overview, v) for v in by_team]))
    for role, members in ((Role.PROFESSIONAL, overview.professionals), (Role.COORDINATOR, overview.coordinators)):
        lines = [
            str(t(lang, "people.person_line", name=f"{p.name} ({_team_of(lang, overview, p)})", flags=_flags(lang, p)))
            for p in members
        ]
        sections.append(_section(lang, role, lines))
    await turn.say(_fit(lang, sections))


def _section(lang: str, role: Role, lines: list[str]) -> str:
    header = t(lang, "people.role_header", roles=plain(lang, f"roles.{role.value}").capitalize(), count=len(lines))
    return "\n".join([header, *(lines or [t(lang, "people.none")])])


def _fit(lang: str, sections: list[str]) -> Markup:
    """Keep the overview within one Telegram message, saying how much was left out."""
    lines = "\n\n".join(sections).split("\n")
    kept: list[str] = []
    size = 0
    reserve = 60
    for index, line in enumerate(lines):
        if size + len(line) + 1 > MESSAGE_LIMIT - reserve:
            kept.append(t(lang, "people.truncated", count=len(lines) - index))
            break
        kept.append(line)
        size += len(line) + 1
    return Markup("\n".join(kept))


# --- /assign --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class VolunteerDraft:
    """A flow about one volunteer, chosen first."""

    volunteer: int | None = None
    name: str | None = None


@dataclass(frozen=True)
class AssignDraft(VolunteerDraft):
    professional: int | None = None
    pname: str | None = None


assign = Flow("assign", AssignDraft, command="assign")


AssignPage, AssignVolunteer = PickPage.at("asg", "pg"), Chosen.at("asg", "v")
AssignProfessional = Chosen.at("asg", "p")


class AssignBackup(CallbackData, prefix="asg", action="b"):
    backup: int | Literal["none"]


ASSIGN_VOLUNTEER = Picker(assign, "v", AssignVolunteer, AssignPage)
ASSIGN_PROFESSIONAL = Picker(assign, "p", AssignProfessional, AssignPage)
ASSIGN_BACKUP = Picker(assign, "b", AssignBackup, AssignPage)


async def _assign_professionals(turn: FlowTurn[AssignDraft], draft: AssignDraft, page: int) -> None:
    """Who is the volunteer's responsible professional?"""
    professionals = await turn.services.people.with_role(Role.PROFESSIONAL)
    question = t(turn.lang, "assign.ask_professional", volunteer=draft.name or "")
    await ASSIGN_PROFESSIONAL.show(turn, professionals, question, page)


async def _assign_backups(turn: FlowTurn[AssignDraft], draft: AssignDraft, page: int) -> None:
    """Who is the backup: another professional, or nobody?"""
    others = [p for p in await turn.services.people.with_role(Role.PROFESSIONAL) if p.id != draft.professional]
    question = t(turn.lang, "assign.ask_backup", professional=draft.pname or "")
    none = [(plain(turn.lang, "button.no_backup"), AssignBackup("none"))]
    await ASSIGN_BACKUP.show(turn, others, question, page, extra=none)


paged(assign, AssignPage, {"v": _volunteers(ASSIGN_VOLUNTEER), "p": _assign_professionals, "b": _assign_backups})


@ROUTER.command("assign")
async def assign_command(turn: Turn) -> None:
    """Set a volunteer's professional and backup: which volunteer?"""
    await _start_with_volunteers(turn, ASSIGN_VOLUNTEER, AssignDraft())


@assign.button(AssignVolunteer, "v")
async def assign_volunteer(turn: FlowTurn[AssignDraft], press: Chosen, draft: AssignDraft) -> None:
    """The volunteer is known: which professional is responsible?"""
    if (volunteer := await _picked(turn, press.id, Role.VOLUNTEER)) is None:
        return
    if not await turn.services.people.with_role(Role.PROFESSIONAL):
        await turn.end()
        return await turn.show(t(turn.lang, "pick.none.professional"))
    draft = AssignDraft(volunteer=volunteer.id, name=volunteer.name)
    await turn.go("p", draft)
    await _assign_professionals(turn, draft, 0)


@assign.button(AssignProfessional, "p")
async def assign_professional(turn: FlowTurn[AssignDraft], press: Chosen, draft: AssignDraft) -> None:
    """The professional is known: who is the backup (or nobody)?"""
    if (professional := await _picked(turn, press.id, Role.PROFESSIONAL)) is None:
        return
    draft = replace(draft, professional=professional.id, pname=professional.name)
    await turn.go("b", draft)
    await _assign_backups(turn, draft, 0)


@assign.button(AssignBackup, "b")
async def assign_backup(turn: FlowTurn[AssignDraft], press: AssignBackup, draft: AssignDraft) -> None:
    """The backup is known: the assignment is stored."""
    backup_id = None if press.backup == "none" else press.backup
    if backup_id is not None:
        if backup_id == draft.professional:
            return await turn.expired()  # not on the list: the backup is someone else
        if await _chosen(turn, backup_id, Role.PROFESSIONAL) is None:
            return
    # Answered only after the service: a refusal (someone removed meanwhile) answers the press itself.
    volunteer, professional, backup = await turn.services.people.assign(
        turn.person, volunteer_id=given(draft.volunteer), professional_id=given(draft.professional), backup_id=backup_id
    )
    await turn.answer()
    await turn.end()
    lang = turn.lang
    with_backup = t(lang, "assign.done_backup", backup=backup.name) if backup else ""
    await turn.show(
        t(lang, "assign.done", volunteer=volunteer.name, professional=professional.name, backup=with_backup)
    )


# --- /link ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LinkDraft(VolunteerDraft):
    alias: str | None = None


link = Flow("link", LinkDraft, command="link")


LinkPage, LinkVolunteer = PickPage.at("lnk", "pg"), Chosen.at("lnk", "v")


class LinkProfessional(CallbackData, prefix="lnk", action="p"):
    professional: int | Literal["same"]  # "same": whoever is the volunteer's professional at the time


LINK_VOLUNTEER = Picker(link, "v", LinkVolunteer, LinkPage)
LINK_PROFESSIONAL = Picker(link, "p", LinkProfessional, LinkPage)


@ROUTER.command("link")
async def link_command(turn: Turn) -> None:
    """Link a volunteer and a client: which volunteer?"""
    await _start_with_volunteers(turn, LINK_VOLUNTEER, LinkDraft())


async def _link_professionals(turn: FlowTurn[LinkDraft], draft: LinkDraft, page: int) -> None:
    """Who is responsible for this client: a professional, or the volunteer's own?"""
    lang, people = turn.lang, turn.services.people
    volunteer = await people.get(given(draft.volunteer))
    current = None
    if volunteer is not None and volunteer.responsible_professional_id is not None:
        current = await people.get(volunteer.responsible_professional_id)
    same = plain(lang, "button.link.same", name=current.name) if current else plain(lang, "button.link.same_unset")
    question = t(lang, "link.ask_professional", alias=draft.alias or "")
    professionals = await people.with_role(Role.PROFESSIONAL)
    await LINK_PROFESSIONAL.show(turn, professionals, question, page, extra=[(same, LinkProfessional("same"))])


paged(link, LinkPage, {"v": _volunteers(LINK_VOLUNTEER), "p": _link_professionals})


@link.button(LinkVolunteer, "v")
async def link_volunteer(turn: FlowTurn[LinkDraft], press: Chosen, draft: LinkDraft) -> None:
    """The volunteer is known: ask the client's alias."""
    if (volunteer := await _picked(turn, press.id, Role.VOLUNTEER)) is None:
        return
    await turn.go("alias", LinkDraft(volunteer=volunteer.id, name=volunteer.name))
    await turn.show(t(turn.lang, "link.ask_alias", volunteer=volunteer.name), [turn.cancel_row()])


@link.text("alias")
async def link_alias(turn: FlowTurn[LinkDraft], text: str, draft: LinkDraft) -> None:
    """The alias (not a full name): which professional is responsible?"""
    alias = clean_alias(text)
    if alias is None:
        return await turn.reply("link.bad_alias", [turn.cancel_row()], limit=ALIAS_LIMIT)
    if looks_like_full_name(alias):
        return await turn.reply("link.looks_like_name", [turn.cancel_row()])
    draft = replace(draft, alias=alias)
    await turn.go("p", draft)
    await _link_professionals(turn, draft, 0)


@link.button(LinkProfessional, "p")
async def link_professional(turn: FlowTurn[LinkDraft], press: LinkProfessional, draft: LinkDraft) -> None:
    """The professional is known: the link is stored."""
    if isinstance(press.professional, int) and await _chosen(turn, press.professional, Role.PROFESSIONAL) is None:
        return
    professional_id = press.professional if isinstance(press.professional, int) else None
    # Answered only after the service: a refusal (a duplicate alias) answers the press itself.
    made, volunteer, effective = await turn.services.people.link_client(
        turn.person, volunteer_id=given(draft.volunteer), alias=given(draft.alias), professional_id=professional_id
    )
    await turn.answer()
    await turn.end()
    lang = turn.lang
    responsible = effective.name if effective else plain(lang, "link.follows_volunteer", volunteer=volunteer.name)
    await turn.show(t(lang, "link.done", volunteer=volunteer.name, alias=made.client_alias, professional=responsible))


# --- /agreement -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AgreementDraft(VolunteerDraft):
    hours: float | None = None


agreement = Flow("agreement", AgreementDraft, command="agreement")


AgreementPage, AgreementVolunteer = PickPage.at("agr", "pg"), Chosen.at("agr", "v")


AGREEMENT_VOLUNTEER = Picker(agreement, "v", AgreementVolunteer, AgreementPage)


@ROUTER.command("agreement")
async def agreement_command(turn: Turn) -> None:
    """Record what a volunteer agreed: which volunteer?"""
    await _start_with_volunteers(turn, AGREEMENT_VOLUNTEER, AgreementDraft())


paged(agreement, AgreementPage, {"v": _volunteers(AGREEMENT_VOLUNTEER)})


@agreement.button(AgreementVolunteer, "v")
async def agreement_volunteer(turn: FlowTurn[AgreementDraft], press: Chosen, draft: AgreementDraft) -> None:
    """The volunteer is known: how many hours a week (what is agreed now, if anything)?"""
    if (volunteer := await _picked(turn, press.id, Role.VOLUNTEER)) is None:
        return
    lang = turn.lang
    await turn.go("hours", AgreementDraft(volunteer=volunteer.id, name=volunteer.name))
    current = await turn.services.people.agreement(volunteer.id)
    now = (
        t(
            lang,
            "agreement.current",
            hours=format_hours(current.hours_per_week, lang),
            contact=current.contact_times or plain(lang, "agreement.no_fixed"),
        )
        if current
        else ""
    )
    await turn.show(t(lang, "agreement.ask_hours", volunteer=volunteer.name, current=now), [turn.cancel_row()])


class NoContactTimes(CallbackData, prefix="agr", action="c"):
    none: Literal["none"]


@agreement.text("hours")
async def agreement_hours(turn: FlowTurn[AgreementDraft], text: str, draft: AgreementDraft) -> None:
    """Hours a week: when may clients make contact?"""
    hours = parse_hours(text)
    if hours is None:
        return await turn.reply("agreement.bad_hours", [turn.cancel_row()], limit=f"{MAX_HOURS_PER_WEEK:g}")
    await turn.go("contact", replace(draft, hours=hours))
    rows: Rows = [[(plain(turn.lang, "button.contact.none"), NoContactTimes("none"))], turn.cancel_row()]
    await turn.reply("agreement.ask_contact", rows, volunteer=draft.name or "")


@agreement.text("contact")
async def agreement_contact(turn: FlowTurn[AgreementDraft], text: str, draft: AgreementDraft) -> None:
    """Contact times typed: the agreement is stored."""
    contact = single_line(text)
    if not contact or len(contact) > CONTACT_LIMIT:
        return await turn.reply("agreement.bad_contact", [turn.cancel_row()], limit=CONTACT_LIMIT)
    await _save_agreement(turn, draft, contact)


@agreement.button(NoContactTimes, "contact")
async def agreement_no_contact(turn: FlowTurn[AgreementDraft], press: NoContactTimes, draft: AgreementDraft) -> None:
    """No fixed contact times: the agreement is stored."""
    await _save_agreement(turn, draft, "")
    await turn.answer()  # after the service: a refusal answers the press itself


async def _save_agreement(turn: FlowTurn[AgreementDraft], draft: AgreementDraft, contact: str) -> None:
    lang, hours = turn.lang, given(draft.hours)
    volunteer = await turn.services.people.set_agreement(
        turn.person, volunteer_id=given(draft.volunteer), hours_per_week=hours, contact_times=contact
    )
    await turn.end()
    shown = contact or plain(lang, "agreement.no_fixed")
    await turn.show(t(lang, "agreement.done", volunteer=volunteer.name, hours=format_hours(hours, lang), contact=shown))


# --- /remove --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RemoveDraft:
    target: int | None = None


remove = Flow("remove", RemoveDraft, command="remove")


RemovePage, RemovePerson = PickPage.at("rm", "pg"), Chosen.at("rm", "p")


RemoveOnly = Chosen.at("rm", "y")  # the person is deactivated, their data stays
RemoveAndErase = Chosen.at("rm", "e")  # their open items are handed over, then they are erased


REMOVE_PERSON = Picker(remove, "p", RemovePerson, RemovePage)


async def _others(turn: Turn) -> list[Person]:
    return [p for p in await turn.services.people.everyone() if p.id != turn.person.id]


@ROUTER.command("remove")
async def remove_command(turn: Turn) -> None:
    """Remove someone who left: who?"""
    others = await _others(turn)
    if not others:
        return await turn.reply("pick.none.person")
    await remove.start(turn, "p", RemoveDraft())
    await REMOVE_PERSON.show(turn, others, t(turn.lang, "remove.ask_person"))


async def _remove_prompt(turn: FlowTurn[RemoveDraft], draft: RemoveDraft, page: int) -> None:
    """Everyone else, at this page."""
    await REMOVE_PERSON.show(turn, await _others(turn), t(turn.lang, "remove.ask_person"), page)


paged(remove, RemovePage, {"p": _remove_prompt})


@remove.button(RemovePerson, "p")
async def remove_person(turn: FlowTurn[RemoveDraft], press: Chosen, draft: RemoveDraft) -> None:
    """The person is known: remove only, or remove and erase?"""
    lang = turn.lang
    target = await turn.services.people.get(press.id)
    if target is None or not target.active or target.id == turn.person.id:
        # Not on the list (removed meanwhile, forged, or oneself): nothing changes.
        removed_since = target is not None and target.id != turn.person.id
        return await turn.toast("flow.person_gone" if removed_since else "button.expired", alert=removed_since)
    await turn.answer()
    await turn.go("confirm", RemoveDraft(target.id))
    rows: Rows = [
        [(plain(lang, "button.remove.yes"), RemoveOnly(target.id))],
        [(plain(lang, "button.remove.erase"), RemoveAndErase(target.id))],
        turn.cancel_row(),
    ]
    await turn.show(t(lang, "remove.confirm", name=target.name), rows)


def _confirmed(press: Chosen, draft: RemoveDraft) -> bool:
    return press.id == draft.target


@remove.button(RemoveOnly, "confirm", when=_confirmed)
async def remove_only(turn: FlowTurn[RemoveDraft], press: Chosen, draft: RemoveDraft) -> None:
    """Deactivate the person; their menu shrinks to what a stranger sees."""
    removed = await turn.services.people.remove(turn.person, press.id)
    await turn.answer()  # after the service: a refusal (removed meanwhile) answers the press itself
    await turn.end()
    await turn.show(t(turn.lang, "remove.done", name=removed.name))
    gone = await turn.services.people.get(removed.id)
    if gone is not None:
        await turn.services.menus.refresh(gone)


@remove.button(RemoveAndErase, "confirm", when=_confirmed)
async def remove_and_erase(turn: FlowTurn[RemoveDraft], press: Chosen, draft: RemoveDraft) -> None:
    """Hand over the person's open items, then erase them."""
    services = turn.services
    await turn.answer()
    target = await services.people.get(press.id)
    name, handed = await services.privacy.offboard(turn.person, press.id)
    await turn.end()
    await turn.show(t(turn.lang, "remove.erased", name=name, handed=handed))
    if target is not None and target.telegram_id is not None:
        await services.menus.clear(target.telegram_id)
