"""The coordinator's /invite: role, name and team (or a new team), then the invite link.

The flow keeps its state in a stored draft; every button press is checked against that draft and against
the stored roles, so stale or forged buttons change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from bot.domain.callbacks import CallbackData, Page
from bot.domain.models import Role
from bot.domain.onboarding import NAME_LIMIT, TEAM_LIMIT, clean_name
from bot.domain.timefmt import say_time
from bot.i18n import Markup, plain, t
from bot.services.notify import role_names
from handlers.common import Rows, pick_rows
from handlers.flow import ROUTER, Flow, FlowTurn, Turn, given


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
