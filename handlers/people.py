"""The coordinator's view of and care for the team: /people (everyone, by role; volunteers by team) and /remove
(someone who left).

/remove keeps its state in a stored draft; every button press is checked against that draft and against
the stored roles, so stale or forged buttons change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.callbacks import Chosen
from bot.domain.models import Person, Role
from bot.domain.onboarding import format_hours
from bot.i18n import Markup, plain, t
from bot.services.handover import Removal
from bot.services.notify import spoken_list
from bot.services.people import Overview, VolunteerOverview
from handlers.choices import Picker, PickPage, paged
from handlers.common import Rows
from handlers.flow import ROUTER, Flow, FlowTurn, Turn

MESSAGE_LIMIT = 4096


# --- /people --------------------------------------------------------------------------------------


def _team_of(lang: str, overview: Overview, person: Person) -> str:
    team = overview.teams.get(person.team_id or -1)
    return team.name if team else plain(lang, "people.no_team")


def _flags(lang: str, person: Person) -> str:
    return plain(lang, "people.unreachable") if person.unreachable else ""


def _volunteer_line(lang: str, entry: VolunteerOverview) -> str:
    p, agreement = entry.person, entry.agreement
    aliases = ", ".join(link.client_alias for link in entry.links)
    line = t(
        lang,
        "people.volunteer_line",
        name=p.name,
        professional=entry.professional.name if entry.professional else plain(lang, "people.nobody"),
        backup=t(lang, "people.backup", name=entry.backup.name) if entry.backup else "",
        agreement=t(lang, "people.agreement", hours=format_hours(agreement.hours_per_week, lang)) if agreement else "",
        clients=t(lang, "people.clients", aliases=aliases) if entry.links else "",
    )
    return line + _flags(lang, p)


def _by_team(lang: str, overview: Overview) -> list[str]:
    """The volunteers under a heading per team (the teams by name, those without a team last)."""
    groups: dict[int | None, list[VolunteerOverview]] = {}
    for entry in overview.volunteers:
        team_id = entry.person.team_id if entry.person.team_id in overview.teams else None
        groups.setdefault(team_id, []).append(entry)
    order = sorted(
        groups, key=lambda team_id: (team_id is None, overview.teams[team_id].name.lower() if team_id else "")
    )
    lines: list[str] = []
    for team_id in order:
        name = overview.teams[team_id].name if team_id is not None else plain(lang, "people.no_team").capitalize()
        lines.append(t(lang, "people.team_header", team=name, count=len(groups[team_id])))
        lines += [_volunteer_line(lang, v) for v in sorted(groups[team_id], key=lambda v: v.person.name.lower())]
    return lines


@ROUTER.command("people")
async def people_command(turn: Turn) -> None:
    """Everyone, by role: volunteers by team with their professional, backup, agreement and clients."""
    lang = turn.lang
    overview = await turn.services.people.overview()
    sections: list[str] = [t(lang, "people.header")]
    volunteers = _by_team(lang, overview)
    header = t(
        lang, "people.role_header", roles=plain(lang, "roles.volunteer").capitalize(), count=len(overview.volunteers)
    )
    sections.append("\n".join([header, *(volunteers or [t(lang, "people.none")])]))
    for role, members in ((Role.PROFESSIONAL, overview.professionals), (Role.COORDINATOR, overview.coordinators)):
        lines = [
            str(t(lang, "people.person_line", name=f"{p.name} ({_team_of(lang, overview, p)})", flags=_flags(lang, p)))
            for p in members
        ]
        sections.append(_section(lang, role, lines))
    await turn.say(_fit(lang, sections))


def _section(lang: str, role: Role, lines: list[str], count: int | None = None) -> str:
    """count: how many people the lines are about, when some lines are headings."""
    roles = plain(lang, f"roles.{role.value}").capitalize()
    header = t(lang, "people.role_header", roles=roles, count=len(lines) if count is None else count)
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
    """Deactivate the person, handing over what they held and ending their links; their menu shrinks."""
    removal = await turn.services.handover.remove(turn.person, press.id)
    await turn.answer()  # after the service: a refusal (removed meanwhile) answers the press itself
    await turn.end()
    await turn.show(t(turn.lang, "remove.done", name=removal.person.name, after=_handed_over(turn.lang, removal)))
    gone = await turn.services.people.get(removal.person.id)
    if gone is not None:
        await turn.services.menus.refresh(gone)


def _handed_over(lang: str, removal: Removal) -> Markup:
    """What their leaving changed: links ended, items taken over, volunteers without a professional."""
    parts: list[str] = []
    if removal.ended:
        aliases = spoken_list(lang, [e.link.client_alias for e in removal.ended])
        parts.append(t(lang, "remove.links_ended", aliases=aliases, count=len(removal.ended)))
    for cover in removal.covers:
        if cover.items:
            key = "remove.items_to" if cover.coverer else "remove.items_to_coordinators"
            amount = t(lang, "amount.open_items", n=len(cover.items))
            parts.append(t(lang, key, name=cover.coverer.name if cover.coverer else "", what=amount))
    if removal.orphans:
        names = spoken_list(lang, [v.name for v in removal.orphans])
        parts.append(t(lang, "remove.orphans_hint", names=names, count=len(removal.orphans)))
    return Markup("".join(parts))


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
