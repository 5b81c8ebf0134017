"""The coordinator's links around a volunteer: /assign (professional and backup), /link (a client, by alias),
/unlink (ending one) and /agreement (hours a week and contact times). Each starts by picking the volunteer;
a volunteer whose professional was removed is also picked from the coordinators' list of them.

Each flow keeps its state in a stored draft; every button press is checked against that draft
and against the stored roles, so stale or forged buttons change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Literal

from bot.domain.callbacks import CallbackData, Chosen
from bot.domain.models import Person, Role
from bot.domain.onboarding import (
    ALIAS_LIMIT,
    CONTACT_LIMIT,
    MAX_HOURS_PER_WEEK,
    clean_alias,
    format_hours,
    looks_like_full_name,
    parse_hours,
    single_line,
)
from bot.i18n import plain, t
from bot.services.handover import ChooseProfessional
from bot.services.notify import spoken_list
from handlers.choices import Picker, PickPage, Prompt, paged
from handlers.common import Rows, pick_rows
from handlers.flow import ROUTER, Empty, Flow, FlowTurn, Toasts, Turn, given


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


# A volunteer left without a professional (hers was removed): the coordinators' list has a button for her,
# which starts /assign at the professional. A toast when she has one again meanwhile: the list stays as it is.
orphan = Flow("orphan", Empty, command="assign", refusals=Toasts(alert=frozenset({"assign.has_professional"})))


@orphan.free(ChooseProfessional)
async def orphan_chosen(turn: FlowTurn[Empty], press: ChooseProfessional) -> None:
    """A volunteer without a professional: who is responsible now (the /assign flow from there, a new message)?"""
    volunteer = await turn.services.handover.without_professional(turn.person, press.volunteer)
    professionals = await turn.services.people.with_role(Role.PROFESSIONAL)
    await turn.answer()
    if not professionals:
        return await turn.reply("pick.none.professional")
    await assign.start(turn, "p", AssignDraft(volunteer=volunteer.id, name=volunteer.name))
    options = [(p.name, AssignProfessional(p.id)) for p in professionals]
    rows = pick_rows(turn.lang, assign.name, options, page=0, page_data=lambda n: AssignPage("p", n))
    await turn.say(t(turn.lang, "assign.ask_professional", volunteer=volunteer.name), rows)


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


# --- /unlink --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UnlinkDraft(VolunteerDraft):
    link: int | None = None
    alias: str | None = None


unlink = Flow("unlink", UnlinkDraft, command="unlink")


UnlinkPage, UnlinkVolunteer = PickPage.at("unl", "pg"), Chosen.at("unl", "v")
UnlinkClient, UnlinkConfirmed = Chosen.at("unl", "l"), Chosen.at("unl", "y")
UNLINK_VOLUNTEER = Picker(unlink, "v", UnlinkVolunteer, UnlinkPage)
CLIENT_CHOICES = 20


async def _linked_volunteers(turn: FlowTurn[UnlinkDraft], draft: UnlinkDraft, page: int) -> None:
    """The volunteers with a client, a page at a time."""
    volunteers = await turn.services.handover.linked_volunteers()
    await UNLINK_VOLUNTEER.show(turn, volunteers, t(turn.lang, "pick.volunteer"), page)


paged(unlink, UnlinkPage, {"v": _linked_volunteers})


@ROUTER.command("unlink")
async def unlink_command(turn: Turn) -> None:
    """End a link between a volunteer and a client: which volunteer?"""
    volunteers = await turn.services.handover.linked_volunteers()
    if not volunteers:
        return await turn.reply("unlink.none")
    await unlink.start(turn, "v", UnlinkDraft())
    await UNLINK_VOLUNTEER.show(turn, volunteers, t(turn.lang, "pick.volunteer"))


@unlink.button(UnlinkVolunteer, "v")
async def unlink_volunteer(turn: FlowTurn[UnlinkDraft], press: Chosen, draft: UnlinkDraft) -> None:
    """The volunteer is known: which of her clients?"""
    if (volunteer := await _chosen(turn, press.id, Role.VOLUNTEER)) is None:
        return
    clients = await turn.services.handover.links_of(volunteer.id)
    if not clients:  # not on the list: no client (any more)
        return await turn.expired()
    await turn.answer()
    await turn.go("l", UnlinkDraft(volunteer=volunteer.id, name=volunteer.name))
    rows: Rows = [[(link.client_alias, UnlinkClient(link.id))] for link in clients[:CLIENT_CHOICES]]
    await turn.show(t(turn.lang, "unlink.ask_client", volunteer=volunteer.name), [*rows, turn.cancel_row()])


@unlink.button(UnlinkClient, "l")
async def unlink_client(turn: FlowTurn[UnlinkDraft], press: Chosen, draft: UnlinkDraft) -> None:
    """The client is known: end this link?"""
    clients = await turn.services.handover.links_of(given(draft.volunteer))
    chosen = next((c for c in clients if c.id == press.id), None)
    if chosen is None:  # another volunteer's link, or one ended meanwhile
        return await turn.expired()
    await turn.answer()
    await turn.go("confirm", replace(draft, link=chosen.id, alias=chosen.client_alias))
    rows: Rows = [[(plain(turn.lang, "button.unlink.yes"), UnlinkConfirmed(chosen.id))], turn.cancel_row()]
    await turn.show(t(turn.lang, "unlink.confirm", volunteer=draft.name or "", alias=chosen.client_alias), rows)


@unlink.button(UnlinkConfirmed, "confirm", when=lambda press, draft: press.id == draft.link)
async def unlink_confirmed(turn: FlowTurn[UnlinkDraft], press: Chosen, draft: UnlinkDraft) -> None:
    """The link ends: the volunteer is asked for a note, the professional gets an item."""
    volunteer, ended = await turn.services.handover.end_link(turn.person, press.id)
    await turn.answer()  # after the service: a refusal (ended meanwhile) answers the press itself
    await turn.end()
    lang = turn.lang
    names = spoken_list(lang, [p.name for p in ended.told]) or plain(lang, "unlink.professional")
    await turn.show(t(lang, "unlink.done", volunteer=volunteer.name, alias=ended.link.client_alias, names=names))


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
