"""The coordinator's /teams: the teams and who is in each; create, rename and remove a team (an empty one,
after a confirmation), and move someone to another team.

The flow keeps its state in a stored draft; every button press is checked against that draft and against
the stored roles, so stale or forged buttons change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from bot.domain.callbacks import CallbackData, Chosen
from bot.domain.onboarding import TEAM_LIMIT, clean_name
from bot.i18n import Markup, plain, t
from bot.services.notify import spoken_list
from bot.services.teams import TeamRoster
from handlers.choices import Picker, PickPage, paged
from handlers.common import Rows
from handlers.flow import ROUTER, Flow, FlowTurn, Turn

TEAMS_SHOWN = 20


@dataclass(frozen=True)
class TeamsDraft:
    team: int | None = None
    person: int | None = None


teams = Flow("teams", TeamsDraft, command="teams")


class TeamsAction(CallbackData, prefix="tm", action="a"):
    what: Literal["new", "move"]


class MovedTo(CallbackData, prefix="tm", action="to"):
    team: int | Literal["none"]


ManageTeam, RenameTeam, RemoveTeam = Chosen.at("tm", "m"), Chosen.at("tm", "rn"), Chosen.at("tm", "rm")
RemoveConfirmed, MovePerson = Chosen.at("tm", "y"), Chosen.at("tm", "p")
MovePage = PickPage.at("tm", "pg")
MOVE_PERSON = Picker(teams, "person", MovePerson, MovePage)


def _roster_line(lang: str, roster: TeamRoster) -> str:
    names = spoken_list(lang, [p.name for p in roster.members]) if roster.members else plain(lang, "teams.empty")
    return t(lang, "teams.line", team=roster.team.name, count=len(roster.members), names=names)


@ROUTER.command("teams")
async def teams_command(turn: Turn) -> None:
    """The teams with their people; buttons to add one, manage each, or move someone."""
    lang = turn.lang
    rosters = (await turn.services.people.team_admin.rosters())[:TEAMS_SHOWN]
    lines = [str(t(lang, "teams.header" if rosters else "teams.none"))]
    lines += [_roster_line(lang, r) for r in rosters]
    rows: Rows = [
        [
            (plain(lang, "button.teams.new"), TeamsAction("new")),
            (plain(lang, "button.teams.move"), TeamsAction("move")),
        ]
    ]
    rows += [[(plain(lang, "button.teams.manage", team=r.team.name), ManageTeam(r.team.id))] for r in rosters]
    await teams.start(turn, "menu", TeamsDraft())
    await turn.say(Markup("\n".join(lines)), [*rows, teams.cancel_row(lang)])


@teams.button(TeamsAction, "menu")
async def teams_action(turn: FlowTurn[TeamsDraft], press: TeamsAction, draft: TeamsDraft) -> None:
    """A new team: its name? Moving someone: who?"""
    await turn.answer()
    if press.what == "new":
        await turn.go("new_name", TeamsDraft())
        return await turn.show(t(turn.lang, "invite.ask_team_name"), [turn.cancel_row()])
    await turn.go("person", TeamsDraft())
    await _person_prompt(turn, draft, 0)


async def _person_prompt(turn: FlowTurn[TeamsDraft], draft: TeamsDraft, page: int) -> None:
    everyone = await turn.services.people.everyone()
    await MOVE_PERSON.show(turn, everyone, t(turn.lang, "teams.ask_person"), page)


paged(teams, MovePage, {"person": _person_prompt})


@teams.text("new_name")
async def new_team_named(turn: FlowTurn[TeamsDraft], text: str, draft: TeamsDraft) -> None:
    """The new team's name: the team is made."""
    name = clean_name(text, TEAM_LIMIT)
    if name is None:
        return await turn.reply("invite.bad_team_name", [turn.cancel_row()], limit=TEAM_LIMIT)
    team = await turn.services.people.team_admin.create(turn.person, name)
    await turn.end()
    await turn.reply("teams.created", team=team.name)


@teams.button(ManageTeam, "menu")
async def manage_team(turn: FlowTurn[TeamsDraft], press: Chosen, draft: TeamsDraft) -> None:
    """One team: rename it or remove it."""
    roster = await turn.services.people.team_admin.roster(press.id)
    if roster is None:
        return await turn.toast("teams.gone")
    lang = turn.lang
    rows: Rows = [
        [
            (plain(lang, "button.teams.rename"), RenameTeam(roster.team.id)),
            (plain(lang, "button.teams.remove"), RemoveTeam(roster.team.id)),
        ],
        turn.cancel_row(),
    ]
    await turn.go("manage", TeamsDraft(team=roster.team.id))
    await turn.answer()
    await turn.show(_roster_line(lang, roster), rows)


def _managed(press: Chosen, draft: TeamsDraft) -> bool:
    return press.id == draft.team


@teams.button(RenameTeam, "manage", when=_managed)
async def rename_team(turn: FlowTurn[TeamsDraft], press: Chosen, draft: TeamsDraft) -> None:
    """Renaming: the new name?"""
    await turn.go("rename", draft)
    await turn.answer()
    await turn.show(t(turn.lang, "teams.ask_new_name"), [turn.cancel_row()])


@teams.text("rename")
async def team_renamed(turn: FlowTurn[TeamsDraft], text: str, draft: TeamsDraft) -> None:
    """The new name: the team is renamed."""
    name = clean_name(text, TEAM_LIMIT)
    if name is None or draft.team is None:
        return await turn.reply("invite.bad_team_name", [turn.cancel_row()], limit=TEAM_LIMIT)
    before, after = await turn.services.people.team_admin.rename(turn.person, draft.team, name)
    await turn.end()
    await turn.reply("teams.renamed", old=before.name, new=after.name)


@teams.button(RemoveTeam, "manage", when=_managed)
async def remove_team(turn: FlowTurn[TeamsDraft], press: Chosen, draft: TeamsDraft) -> None:
    """Removing: a team with people is not removed (it says who is in it); an empty one asks first."""
    roster = await turn.services.people.team_admin.roster(press.id)
    if roster is None:
        return await turn.toast("teams.gone")
    lang = turn.lang
    await turn.answer()
    if roster.members:
        await turn.end()
        names = spoken_list(lang, [p.name for p in roster.members])
        text = t(lang, "teams.not_empty", team=roster.team.name, names=names, count=len(roster.members))
        return await turn.show(text)
    await turn.go("confirm", draft)
    rows: Rows = [[(plain(lang, "button.teams.remove_yes"), RemoveConfirmed(roster.team.id))], turn.cancel_row()]
    await turn.show(t(lang, "teams.confirm_remove", team=roster.team.name), rows)


@teams.button(RemoveConfirmed, "confirm", when=_managed)
async def team_removed(turn: FlowTurn[TeamsDraft], press: Chosen, draft: TeamsDraft) -> None:
    """Remove it (the service re-checks: someone may have joined it meanwhile)."""
    removed = await turn.services.people.team_admin.remove(turn.person, press.id)
    await turn.end()
    await turn.answer()
    await turn.show(t(turn.lang, "teams.removed", team=removed.name))


@teams.button(MovePerson, "person")
async def move_person(turn: FlowTurn[TeamsDraft], press: Chosen, draft: TeamsDraft) -> None:
    """The person is known: to which team?"""
    person = await turn.services.people.get(press.id)
    if person is None or not person.active:
        return await turn.expired()
    lang = turn.lang
    rosters = (await turn.services.people.team_admin.rosters())[:TEAMS_SHOWN]
    rows: Rows = [[(r.team.name, MovedTo(r.team.id))] for r in rosters if r.team.id != person.team_id]
    if person.team_id is not None:
        rows.append([(plain(lang, "button.team.none"), MovedTo("none"))])
    await turn.go("to", replace(draft, person=person.id))
    await turn.answer()
    await turn.show(t(lang, "teams.ask_team", name=person.name), [*rows, turn.cancel_row()])


@teams.button(MovedTo, "to")
async def moved_to(turn: FlowTurn[TeamsDraft], press: MovedTo, draft: TeamsDraft) -> None:
    """Move them; their check-ins and the overviews follow the team from now on."""
    if draft.person is None:
        return await turn.expired()
    team_id = None if press.team == "none" else press.team
    moved, team = await turn.services.people.team_admin.move(turn.person, draft.person, team_id)
    await turn.end()
    await turn.answer()
    if team is None:
        return await turn.show(t(turn.lang, "teams.moved_out", name=moved.name))
    await turn.show(t(turn.lang, "teams.moved", name=moved.name, team=team.name))
