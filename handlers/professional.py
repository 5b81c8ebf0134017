"""The professional's side: alert buttons (acknowledge, hand off, resolve, still on it), /open, /away, /back,
/workhours.

An alert's buttons need no draft: they name the item, and the service checks on every press who may act on
it now. Handing off and resolving then keep a short draft (the colleague list, the reply being typed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time

from bot.domain.callbacks import CallbackData
from bot.domain.dates import parse_working_hours
from bot.domain.escalation import REPLY_LIMIT, Escalation, Kind, State
from bot.domain.models import Person
from bot.domain.timefmt import say_duration, say_time
from bot.i18n import Markup, plain, t
from bot.services.base import zone_of
from bot.services.errors import Refused
from bot.services.notify import spoken_list
from handlers.choices import until_typed_day
from handlers.common import Rows, command_arguments
from handlers.flow import ROUTER, Empty, Flow, FlowTurn, Toasts, Turn

OPEN_LIMIT = 10
HANDOFF_CHOICES = 16
# /away without a date: until /back.
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class ItemDraft:
    """The item being handed off or resolved."""

    escalation: int


alert = Flow("alert", Empty, command="open", refusals=Toasts(alert=frozenset({"esc.not_yours"})))
handoff = Flow("handoff", ItemDraft, command="open")
resolve = Flow("resolve", ItemDraft, command="open", text_refusal_ends=True)


class AlertPressed(CallbackData):
    """A button on an alert; alerts sent long ago keep this form (`esc:<action>:<item>`)."""

    escalation: int


Acknowledge = AlertPressed.at("esc", "a")
HandOff = AlertPressed.at("esc", "h")
Resolve = AlertPressed.at("esc", "r")
StillWorking = AlertPressed.at("esc", "w")  # the answer to a follow-up question: still on it


class HandTo(CallbackData, prefix="esc", action="t"):
    escalation: int
    colleague: int


@alert.free(Acknowledge)
async def acknowledge(turn: FlowTurn[Empty], press: AlertPressed) -> None:
    """Pick the item up: the others told about it see who has it."""
    await turn.services.escalations.acknowledge(turn.person, press.escalation)
    await turn.toast("ack.done")


@alert.free(StillWorking)
async def still_working(turn: FlowTurn[Empty], press: AlertPressed) -> None:
    """Still on it: the follow-up question is answered, and asked again after the follow-up time."""
    services = turn.services
    again = await services.escalations.still_working(turn.person, press.escalation)
    now, zone = services.clock.now(), zone_of(turn.person, services.settings)
    await turn.toast("followup.still_working", when=say_time(again, now, zone, turn.lang))


@alert.free(HandOff)
async def hand_off(turn: FlowTurn[Empty], press: AlertPressed) -> None:
    """Offer the colleagues who may take the item over."""
    colleagues = await turn.services.escalations.handoff_candidates(turn.person, press.escalation)
    await turn.answer()
    if not colleagues:
        return await turn.reply("handoff.none")
    await handoff.start(turn, "pick", ItemDraft(press.escalation))
    rows: Rows = [[(c.name, HandTo(press.escalation, c.id))] for c in colleagues[:HANDOFF_CHOICES]]
    rows.append(handoff.cancel_row(turn.lang))
    await turn.reply("handoff.ask", rows)


@handoff.button(HandTo, "pick", when=lambda press, draft: press.escalation == draft.escalation)
async def handed_to(turn: FlowTurn[ItemDraft], press: HandTo, draft: ItemDraft) -> None:
    """Hand the item to the chosen colleague; with that colleague gone meanwhile, another may be picked."""
    try:
        _, colleague, wait = await turn.services.escalations.handoff(turn.person, press.escalation, press.colleague)
    except Refused as refused:
        if refused.reason != "flow.person_gone":  # the item moved on: the list is worth nothing now
            await turn.end()
        return await turn.toast(refused.reason, alert=True, **refused.values)
    await turn.end()
    await turn.answer()
    minutes = int(wait.total_seconds() // 60)
    await turn.show(t(turn.lang, "handoff.done", name=colleague.name, wait=say_duration(minutes, turn.lang)))


@alert.free(Resolve)
async def resolve_asked(turn: FlowTurn[Empty], press: AlertPressed) -> None:
    """Ask for the reply the volunteer will see (for a wellbeing alert: a note)."""
    escalation = await turn.services.escalations.open_item(turn.person, press.escalation)
    await resolve.start(turn, "reply", ItemDraft(press.escalation))
    await turn.answer()
    names = await turn.services.escalations.names({escalation.volunteer_id})
    key = "resolve.ask_wellbeing" if escalation.kind is Kind.WELLBEING else "resolve.ask"
    await turn.reply(key, [resolve.cancel_row(turn.lang)], volunteer=names.get(escalation.volunteer_id, "?"))


@resolve.text("reply")
async def resolve_text(turn: FlowTurn[ItemDraft], text: str, draft: ItemDraft) -> None:
    """The reply: the item is resolved and the volunteer told."""
    reply = text.strip()
    if not reply or len(reply) > REPLY_LIMIT:
        return await turn.reply("resolve.bad", [turn.cancel_row()], limit=REPLY_LIMIT)
    escalation = await turn.services.escalations.resolve(turn.person, draft.escalation, reply)
    await turn.end()
    if escalation.kind is Kind.WELLBEING:
        return await turn.reply("resolve.done_note")
    names = await turn.services.escalations.names({escalation.volunteer_id})
    await turn.reply("resolve.done", volunteer=names.get(escalation.volunteer_id, "?"))


def _state_line(turn: Turn, item: Escalation, names: dict[int, str], held: list[Person] | None) -> Markup:
    """Where an item in /open stands (waiting for working hours, with whom and how long), and its age."""
    lang, now = turn.lang, turn.services.clock.now()
    if held is not None and item.next_step_at is not None:
        when = say_time(item.next_step_at, now, zone_of(turn.person, turn.services.settings), lang)
        state = t(lang, "state.held", when=when, names=spoken_list(lang, [p.name for p in held]))
    elif item.state is State.ACKNOWLEDGED:
        since = item.held_since or item.acknowledged_at or now
        held_for = say_duration(int((now - since).total_seconds() // 60), lang)
        state = t(lang, "state.acknowledged", name=names.get(item.owner_id or 0, "?"), held=held_for)
    elif item.state is State.HANDOFF:
        state = t(lang, "state.handoff", name=names.get(item.handoff_to or 0, "?"))
    else:
        state = t(lang, "state.open")
    age = say_duration(int((now - item.created_at).total_seconds() // 60), lang)
    return t(lang, "open.state", state=state, age=age)


@ROUTER.command("open")
async def open_command(turn: Turn) -> None:
    """What is open for this person, each item with its buttons, where it stands and since when."""
    services = turn.services
    items, total, held = await services.escalations.open_items(turn.person, OPEN_LIMIT)
    if not items:
        return await turn.reply("open.none")
    await turn.reply("open.header", count=total)
    names = await services.escalations.names({i for e in items for i in (e.owner_id, e.handoff_to) if i})
    for item in items:
        text, keyboard = await services.escalations.render_for(turn.person, item)
        if item.id in held and not turn.person.is_coordinator:
            keyboard = None  # it reaches them when their working hours begin; they act on it then
        rows: Rows = [[(b["text"], b["data"]) for b in row] for row in keyboard or []]
        await turn.say(Markup(f"{text}\n<i>{_state_line(turn, item, names, held.get(item.id))}</i>"), rows)
    if total > len(items):
        await turn.reply("open.more", count=total - len(items))


@ROUTER.command("away")
async def away_command(turn: Turn) -> None:
    """Away until /back, or through the day typed after the command."""
    people, person = turn.services.people, turn.person
    await until_typed_day(turn, "away", lambda until: people.set_away(person, until or FAR_FUTURE))


@ROUTER.command("back")
async def back_command(turn: Turn) -> None:
    """Back before the day set: alerts reach the person again."""
    services = turn.services
    until = await services.people.away_until(turn.person)
    if until is None or until <= services.clock.now():
        return await turn.reply("back.not_away")
    await services.people.set_away(turn.person, None)
    await turn.reply("back.done")


def _hours_text(lang: str, days: frozenset[int], start: time, end: time) -> str:
    names = ", ".join(plain(lang, f"day.{d}") for d in sorted(days))
    return t(lang, "workhours.current", days=names, start=start.strftime("%H:%M"), end=end.strftime("%H:%M"))


@ROUTER.command("workhours")
async def workhours_command(turn: Turn) -> None:
    """Info and concern items wait for these hours; urgent ones never do."""
    lang, people = turn.lang, turn.services.people
    argument = command_arguments(turn.update)
    if not argument:
        days, start, end = await people.working_hours(turn.person)
        return await turn.say(Markup(_hours_text(lang, days, start, end) + "\n\n" + t(lang, "workhours.how")))
    parsed = parse_working_hours(argument)
    if parsed is None:
        return await turn.reply("workhours.bad")
    await people.set_working_hours(turn.person, *parsed)
    await turn.say(Markup(t(lang, "workhours.set") + "\n" + _hours_text(lang, *parsed)))
