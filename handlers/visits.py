"""The visit safety timer: /visit (client, duration), the "all good?" answers, and /done.

The choices before the start live in a draft ("visit"); the running visit lives in the visits table, so its
buttons ("running_visit") need no draft: the service checks every press against the stored visit, and a
stale or forged button gets a toast and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.callbacks import CallbackData, Page
from bot.domain.models import Person
from bot.domain.visits import DURATION_CHOICES, MAX_MINUTES, MIN_MINUTES, Action, parse_minutes
from bot.i18n import Amount, plain, t
from bot.services.notify import spoken_list
from bot.services.visits import Finished
from handlers.choices import ClientChoice, client_rows, link_of, own_client
from handlers.common import Button, Rows
from handlers.flow import ROUTER, Empty, Flow, FlowTurn, Toasts, Turn


@dataclass(frozen=True)
class VisitDraft:
    link: int | None = None


visit = Flow("visit", VisitDraft, command="visit", elsewhere="visit.use_buttons")
# A toast, not an edit: the message the button sits on stays as it was.
running_visit = Flow("running_visit", Empty, command="visit", refusals=Toasts(alert=frozenset({"visit.help_over"})))


class VisitClient(CallbackData, prefix="vis", action="c"):
    link: ClientChoice


class VisitDuration(CallbackData, prefix="vis", action="d"):
    minutes: int


class EndVisit(CallbackData, prefix="vis", action=Action.END.value):
    visit: int


class VisitAnswer(CallbackData):
    """An answer to "all good?" (`vis:<action>:<visit>:<prompt>`), on prompts that may be hours old."""

    visit: int
    prompt: Page


AllGood = VisitAnswer.at("vis", Action.OK.value)
Longer = VisitAnswer.at("vis", Action.MORE.value)
NeedHelp = VisitAnswer.at("vis", Action.HELP.value)


def _duration_rows(turn: FlowTurn[VisitDraft]) -> Rows:
    buttons: list[Button] = [(plain(turn.lang, f"button.visit.{m}"), VisitDuration(m)) for m in DURATION_CHOICES]
    return [buttons[:2], buttons[2:], turn.cancel_row()]


def _finished_text(person: Person, finished: Finished) -> str:
    lang = person.language
    if finished.told:
        return t(lang, "visit.done_late", name=person.name, names=spoken_list(lang, finished.told))
    return t(lang, "visit.done", name=person.name)


@ROUTER.command("visit")
async def visit_command(turn: Turn) -> None:
    """Start a visit (which client?), or offer to end the one running."""
    lang, services = turn.lang, turn.services
    running = await services.visits.active(turn.person)
    if running is not None:
        client = running.client_alias or plain(lang, "no_client")
        end = [[(plain(lang, "button.visit.end"), EndVisit(running.id))]]
        return await turn.reply("visit.already", end, client=client, time=services.visits.clock_text(running.ends_at))
    await visit.start(turn, "client", VisitDraft())
    rows = await client_rows(turn, lambda link: VisitClient(link), visit.cancel_row(lang))
    await turn.reply("visit.ask_client", rows)


@ROUTER.command("done")
async def done_command(turn: Turn) -> None:
    """The visit is over, all good."""
    finished = await turn.services.visits.finish(turn.person)
    if finished is None:
        return await turn.reply("visit.none")
    await turn.say(_finished_text(turn.person, finished))


@visit.button(VisitClient, "client")
async def visit_client(turn: FlowTurn[VisitDraft], press: VisitClient, draft: VisitDraft) -> None:
    """The client is known: ask how long the visit takes."""
    if not await own_client(turn, press.link):
        return await turn.expired()
    await turn.answer()
    await turn.go("duration", VisitDraft(link_of(press.link)))
    await turn.show(t(turn.lang, "visit.ask_duration"), _duration_rows(turn))


@visit.button(VisitDuration, "duration", when=lambda press, _: press.minutes in DURATION_CHOICES)
async def visit_duration(turn: FlowTurn[VisitDraft], press: VisitDuration, draft: VisitDraft) -> None:
    """A duration tapped: the timer starts."""
    await turn.answer()
    await _start(turn, draft, press.minutes)


@visit.text("duration")
async def duration_typed(turn: FlowTurn[VisitDraft], text: str, draft: VisitDraft) -> None:
    """A duration typed ("45", "1,5 uur"): the timer starts."""
    minutes = parse_minutes(text)
    if minutes is None:
        return await turn.reply(
            "visit.bad_duration", [turn.cancel_row()], min=MIN_MINUTES, max=Amount("amount.hours", MAX_MINUTES // 60)
        )
    await _start(turn, draft, minutes)


async def _start(turn: FlowTurn[VisitDraft], draft: VisitDraft, minutes: int) -> None:
    started = await turn.services.visits.start(turn.person, draft.link, minutes)
    await turn.end()
    await turn.show(t(turn.lang, "visit.started", time=turn.services.visits.clock_text(started.ends_at)))


@running_visit.free(EndVisit)
async def end_visit(turn: FlowTurn[Empty], press: EndVisit) -> None:
    """End the running visit early (from a second /visit)."""
    await _finished(turn, press.visit)


@running_visit.free(AllGood)
async def all_good(turn: FlowTurn[Empty], press: VisitAnswer) -> None:
    """All good: the visit is over."""
    await _finished(turn, press.visit)


def pressed_message(turn: Turn) -> int | None:
    """The message whose button was pressed: shown in place, so it keeps what the flow puts there."""
    return turn.query.message.message_id if turn.query and turn.query.message else None


async def _finished(turn: FlowTurn[Empty], visit_id: int) -> None:
    finished = await turn.services.visits.finish(turn.person, visit_id, shown_in=pressed_message(turn))
    assert finished is not None
    await turn.answer()
    await turn.show(_finished_text(turn.person, finished))


@running_visit.free(Longer)
async def longer(turn: FlowTurn[Empty], press: VisitAnswer) -> None:
    """Half an hour longer (only from the question on screen, the service says)."""
    extended = await turn.services.visits.extend(turn.person, press.visit, press.prompt)
    await turn.answer()
    await turn.show(t(turn.lang, "visit.extended", time=turn.services.visits.clock_text(extended.ends_at)))


@running_visit.free(NeedHelp)
async def need_help(turn: FlowTurn[Empty], press: VisitAnswer) -> None:
    """Help: the volunteer's professionals are alerted at once."""
    names = await turn.services.visits.ask_help(turn.person, press.visit, shown_in=pressed_message(turn))
    await turn.answer()
    key = "visit.help_sent" if names else "visit.help_nobody"
    await turn.show(t(turn.lang, key, names=spoken_list(turn.lang, names)))
