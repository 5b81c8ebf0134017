"""The coordinator's /schedule: list, add, pause, resume and delete check-in schedules.

Adding walks audience → (team or volunteer) → days → time → every how many weeks; managing one walks
menu → manage → pause, resume or delete (after a confirmation, with an undo for a minute). A refused press
(a schedule deleted meanwhile) ends the flow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import time
from typing import Annotated, Literal, get_args

from bot.domain.callbacks import Bounds, CallbackData, Chosen
from bot.domain.models import Role
from bot.domain.timefmt import say_time
from bot.i18n import Amount, Markup, plain, t
from bot.services.errors import Refused
from handlers.common import Button, Rows
from handlers.flow import ROUTER, Flow, FlowTurn, Toasts, Turn
from storage.checkins import Schedule

Audience = Literal["everyone", "team", "volunteer"]
TimeChoice = Literal["1800", "1900", "2000"]
Every = Literal[1, 2, 4]
TEAM_CHOICES = 20
VOLUNTEER_CHOICES = 30
_TIME = re.compile(r"\s*(\d{1,2})[:.](\d{2})\s*(?:uur)?\s*", re.ASCII)


@dataclass(frozen=True)
class ScheduleDraft:
    """A schedule being added (audience, target, days, time), or the one being managed."""

    audience: Audience | None = None
    target: int | None = None  # the team or the volunteer
    days: tuple[int, ...] = ()
    time: str | None = None  # "19:00"
    schedule: int | None = None
    number: int | None = None  # as the list showed it


schedule = Flow(
    "schedule",
    ScheduleDraft,
    command="schedule",
    refusals=Toasts(ends_flow=True),
    elsewhere_cancel=True,
)


class AddSchedule(CallbackData, prefix="sch", action="add"):
    new: Literal["new"]


class AudienceChosen(CallbackData, prefix="sch", action="a"):
    audience: Audience


class DayToggled(CallbackData, prefix="sch", action="d"):
    day: Annotated[int, Bounds(0, 6)] | Literal["next"]


class TimeChosen(CallbackData, prefix="sch", action="h"):
    time: TimeChoice


class EveryChosen(CallbackData, prefix="sch", action="e"):
    weeks: Every


TeamChosen, VolunteerChosen = Chosen.at("sch", "t"), Chosen.at("sch", "v")
ManageSchedule = Chosen.at("sch", "m")
PauseSchedule, ResumeSchedule, DeleteSchedule = Chosen.at("sch", "p"), Chosen.at("sch", "r"), Chosen.at("sch", "x")
DeleteConfirmed, UndoDelete = Chosen.at("sch", "y"), Chosen.at("sch", "u")


def parse_clock(text: str) -> time | None:
    match = _TIME.fullmatch(text)
    if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
        return None
    return time(int(match.group(1)), int(match.group(2)))


def _days(lang: str, days: frozenset[int] | tuple[int, ...]) -> str:
    return ", ".join(plain(lang, f"day.{d}") for d in sorted(days))


def _every(lang: str, weeks: int) -> str:
    return "" if weeks == 1 else plain(lang, "schedule.every", n=weeks)


async def _audience(turn: Turn, schedule: Schedule) -> str:
    lang, people = turn.lang, turn.services.people
    if schedule.audience == "team":
        team = await people.team(schedule.team_id or 0)
        return plain(lang, "schedule.audience.team", name=team.name if team else "?")
    if schedule.audience == "volunteer":
        person = await people.get(schedule.volunteer_id or 0)
        return plain(lang, "schedule.audience.volunteer", name=person.name if person else "?")
    return plain(lang, "schedule.audience.everyone")


async def _line(turn: Turn, number: int, schedule: Schedule) -> str:
    """One schedule in the list: who, which days, what time, when next."""
    lang, now, zone = turn.lang, turn.services.clock.now(), turn.services.settings.app.zone
    upcoming = (
        plain(lang, "schedule.paused_next")
        if schedule.paused or schedule.next_fire_at is None
        else say_time(schedule.next_fire_at, now, zone, lang)
    )
    return t(
        lang,
        "schedule.line",
        icon="⏸" if schedule.paused else f"{number}.",
        audience=await _audience(turn, schedule),
        days=_days(lang, schedule.weekdays),
        time=schedule.local_time.strftime("%H:%M"),
        every=_every(lang, schedule.every_weeks),
        next=upcoming,
    )


@ROUTER.command("schedule")
async def schedule_command(turn: Turn) -> None:
    """The schedules, with buttons to add one or manage each."""
    lang = turn.lang
    schedules = await turn.services.checkins.schedules()
    lines = [str(t(lang, "schedule.header" if schedules else "schedule.none"))]
    lines += [await _line(turn, number, s) for number, s in enumerate(schedules, 1)]
    rows: Rows = [[(plain(lang, "button.schedule.add"), AddSchedule("new"))]]
    rows += [[(plain(lang, "button.schedule.manage", n=n), ManageSchedule(s.id))] for n, s in enumerate(schedules, 1)]
    await schedule.start(turn, "menu", ScheduleDraft())
    await turn.say(Markup("\n".join(lines)), [*rows, schedule.cancel_row(lang)])


@schedule.button(AddSchedule, "menu")
async def add_schedule(turn: FlowTurn[ScheduleDraft], press: AddSchedule, draft: ScheduleDraft) -> None:
    """Adding one: for whom?"""
    await turn.go("audience", ScheduleDraft())
    audiences: tuple[Audience, ...] = get_args(Audience)
    rows: Rows = [[(plain(turn.lang, f"button.audience.{a}"), AudienceChosen(a))] for a in audiences]
    await turn.answer()
    await turn.show(t(turn.lang, "schedule.ask_audience"), [*rows, turn.cancel_row()])


@schedule.button(AudienceChosen, "audience")
async def audience_chosen(turn: FlowTurn[ScheduleDraft], press: AudienceChosen, draft: ScheduleDraft) -> None:
    """Everyone: on to the days; a team or a volunteer: which one?"""
    await turn.answer()
    if press.audience == "everyone":
        await turn.go("days", ScheduleDraft(audience="everyone"))
        return await _ask_days(turn, ())
    people = turn.services.people
    if press.audience == "team":
        teams = await people.teams()
        choices: list[Button] = [(team.name, TeamChosen(team.id)) for team in teams[:TEAM_CHOICES]]
        return await _ask_target(turn, "team", choices, "schedule.ask_team", "schedule.no_teams")
    volunteers = await people.with_role(Role.VOLUNTEER)
    choices = [(v.name, VolunteerChosen(v.id)) for v in volunteers[:VOLUNTEER_CHOICES]]
    await _ask_target(turn, "volunteer", choices, "pick.volunteer", "pick.none.volunteer")


async def _ask_target(
    turn: FlowTurn[ScheduleDraft], audience: Audience, choices: list[Button], ask: str, none: str
) -> None:
    if not choices:
        await turn.show(t(turn.lang, none))
        return await turn.end()
    await turn.go(audience, ScheduleDraft(audience=audience))
    await turn.show(t(turn.lang, ask), [*([choice] for choice in choices), turn.cancel_row()])


@schedule.button(TeamChosen, "team")
async def team_chosen(turn: FlowTurn[ScheduleDraft], press: Chosen, draft: ScheduleDraft) -> None:
    """The team is known: on to the days."""
    if await turn.services.people.team(press.id) is None:
        return await turn.expired()
    await _target_chosen(turn, draft, press.id)


@schedule.button(VolunteerChosen, "volunteer")
async def volunteer_chosen(turn: FlowTurn[ScheduleDraft], press: Chosen, draft: ScheduleDraft) -> None:
    """The volunteer is known: on to the days."""
    volunteer = await turn.services.people.get(press.id)
    if volunteer is None or not volunteer.active or not volunteer.is_volunteer:
        return await turn.expired()
    await _target_chosen(turn, draft, press.id)


async def _target_chosen(turn: FlowTurn[ScheduleDraft], draft: ScheduleDraft, target: int) -> None:
    await turn.go("days", replace(draft, target=target, days=()))
    await turn.answer()
    await _ask_days(turn, ())


async def _ask_days(turn: FlowTurn[ScheduleDraft], chosen: tuple[int, ...]) -> None:
    lang = turn.lang
    buttons: list[Button] = [
        (("✅ " if d in chosen else "") + plain(lang, f"day.{d}")[:2], DayToggled(d)) for d in range(7)
    ]
    rows: Rows = [buttons[:4], buttons[4:], [(plain(lang, "button.next"), DayToggled("next"))], turn.cancel_row()]
    await turn.show(t(lang, "schedule.ask_days"), rows)


@schedule.button(DayToggled, "days")
async def day_toggled(turn: FlowTurn[ScheduleDraft], press: DayToggled, draft: ScheduleDraft) -> None:
    """A day ticked or unticked; Next (with at least one day) asks the time."""
    if press.day != "next":
        days = tuple(sorted(set(draft.days) ^ {press.day}))
        await turn.go("days", replace(draft, days=days))
        await turn.answer()
        return await _ask_days(turn, days)
    if not draft.days:
        return await turn.toast("schedule.need_day")
    await turn.go("time", draft)
    times: tuple[TimeChoice, ...] = get_args(TimeChoice)
    rows: Rows = [[(f"{c[:2]}:{c[2:]}", TimeChosen(c)) for c in times], turn.cancel_row()]
    await turn.answer()
    await turn.show(t(turn.lang, "schedule.ask_time"), rows)


@schedule.button(TimeChosen, "time")
async def time_chosen(turn: FlowTurn[ScheduleDraft], press: TimeChosen, draft: ScheduleDraft) -> None:
    """A time tapped: every how many weeks?"""
    await turn.answer()
    await _ask_every(turn, draft, f"{press.time[:2]}:{press.time[2:]}")


@schedule.text("time")
async def time_typed(turn: FlowTurn[ScheduleDraft], text: str, draft: ScheduleDraft) -> None:
    """A time typed ("19.30"): every how many weeks?"""
    clock = parse_clock(text)
    if clock is None:
        return await turn.reply("schedule.bad_time", [turn.cancel_row()])
    await _ask_every(turn, draft, clock.strftime("%H:%M"))


async def _ask_every(turn: FlowTurn[ScheduleDraft], draft: ScheduleDraft, clock: str) -> None:
    await turn.go("every", replace(draft, time=clock))
    weeks: tuple[Every, ...] = get_args(Every)
    rows: Rows = [[(plain(turn.lang, f"button.every.{n}"), EveryChosen(n))] for n in weeks]
    await turn.show(t(turn.lang, "schedule.ask_every"), [*rows, turn.cancel_row()])


@schedule.button(EveryChosen, "every")
async def every_chosen(turn: FlowTurn[ScheduleDraft], press: EveryChosen, draft: ScheduleDraft) -> None:
    """The last choice: the schedule is added, and says when it first fires."""
    services, lang = turn.services, turn.lang
    target, clock = draft.target, time.fromisoformat(draft.time or "")
    added = await services.checkins.add_schedule(
        turn.person,
        audience=draft.audience or "",
        team_id=target if draft.audience == "team" else None,
        volunteer_id=target if draft.audience == "volunteer" else None,
        weekdays=frozenset(draft.days),
        local_time=clock,
        every_weeks=press.weeks,
    )
    await turn.end()
    now = services.clock.now()
    text = t(
        lang,
        "schedule.created",
        audience=await _audience(turn, added),
        days=_days(lang, frozenset(draft.days)),
        time=clock.strftime("%H:%M"),
        every=_every(lang, press.weeks),
        next=say_time(added.next_fire_at or now, now, services.settings.app.zone, lang),
        remind=added.remind_after_minutes / 60,
        close=Amount("amount.hours", added.close_after_minutes / 60),
    )
    await turn.show(text)
    await turn.answer()  # after the service: a refusal answers the press itself


@schedule.button(ManageSchedule, "menu")
async def manage_schedule(turn: FlowTurn[ScheduleDraft], press: Chosen, draft: ScheduleDraft) -> None:
    """One schedule from the list: pause or resume it, or delete it."""
    schedules = {s.id: (n, s) for n, s in enumerate(await turn.services.checkins.schedules(), 1)}
    if press.id not in schedules:
        return await turn.toast("schedule.gone")  # the menu itself still holds: nothing changes
    number, chosen = schedules[press.id]
    label, change = (
        ("button.schedule.resume", ResumeSchedule) if chosen.paused else ("button.schedule.pause", PauseSchedule)
    )
    rows: Rows = [
        [
            (plain(turn.lang, label), change(chosen.id)),
            (plain(turn.lang, "button.schedule.delete"), DeleteSchedule(chosen.id)),
        ],
        turn.cancel_row(),
    ]
    await turn.go("manage", ScheduleDraft(schedule=chosen.id, number=number))
    await turn.answer()
    await turn.show(t(turn.lang, "schedule.ask_manage", n=number), rows)


def _managed(press: Chosen, draft: ScheduleDraft) -> bool:
    return press.id == draft.schedule


@schedule.button(DeleteSchedule, "manage", when=_managed)
async def delete_schedule(turn: FlowTurn[ScheduleDraft], press: Chosen, draft: ScheduleDraft) -> None:
    """Deleting: say exactly what it does, and ask."""
    chosen = next((s for s in await turn.services.checkins.schedules() if s.id == press.id), None)
    if chosen is None:
        return await turn.toast("schedule.gone")
    lang = turn.lang
    await turn.go("confirm_delete", draft)
    await turn.answer()
    rows: Rows = [[(plain(lang, "button.schedule.delete_yes"), DeleteConfirmed(chosen.id))], turn.cancel_row()]
    await turn.show(t(lang, "schedule.confirm_delete", line=await _line(turn, draft.number or chosen.id, chosen)), rows)


@schedule.button(DeleteConfirmed, "confirm_delete", when=_managed)
async def delete_confirmed(turn: FlowTurn[ScheduleDraft], press: Chosen, draft: ScheduleDraft) -> None:
    """Delete it (the service first: a refusal, deleted meanwhile, answers the press), with an undo button."""
    await turn.services.checkins.delete_schedule(turn.person, press.id)
    await turn.end()
    await turn.answer()
    rows: Rows = [[(plain(turn.lang, "button.schedule.undo"), UndoDelete(press.id))]]
    await turn.show(t(turn.lang, "schedule.deleted", n=draft.number or press.id), rows)


@schedule.free(UndoDelete)
async def undo_delete(turn: FlowTurn[ScheduleDraft], press: Chosen) -> None:
    """Bring the schedule back, within a minute of deleting it (the service checks the time)."""
    try:
        restored = await turn.services.checkins.schedule_book.undo_delete(turn.person, press.id)
    except Refused as refused:  # too late, or forged: the press is answered and no flow is ended
        return await turn.toast(refused.reason, alert=True)
    await turn.answer()
    now = turn.services.clock.now()
    upcoming = say_time(restored.next_fire_at or now, now, turn.services.settings.app.zone, turn.lang)
    await turn.show(t(turn.lang, "schedule.restored", next=upcoming))


async def pause_or_resume(turn: FlowTurn[ScheduleDraft], press: Chosen, draft: ScheduleDraft) -> None:
    """Pause it, or resume it (saying when it fires next)."""
    services, lang, shown = turn.services, turn.lang, draft.number or press.id
    paused = press.action == PauseSchedule.action
    updated = await services.checkins.set_schedule_paused(turn.person, press.id, paused)
    await turn.end()
    await turn.answer()
    if paused:
        return await turn.show(t(lang, "schedule.paused", n=shown))
    now = services.clock.now()
    upcoming = say_time(updated.next_fire_at or now, now, services.settings.app.zone, lang)
    await turn.show(t(lang, "schedule.resumed", n=shown, next=upcoming))


schedule.button(PauseSchedule, "manage", when=_managed)(pause_or_resume)
schedule.button(ResumeSchedule, "manage", when=_managed)(pause_or_resume)
