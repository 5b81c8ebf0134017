"""The professional's side: alert buttons (acknowledge, hand off, resolve, still on it), /open, /away, /back,
/workhours.

An alert's buttons need no draft: they name the item, and the service checks on every press who may act on
it now. Handing off and resolving then keep a short draft (the colleague list, the reply being typed).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import time
from typing import Literal

from bot.domain.absence import AwayEnd, parse_away_end
from bot.domain.callbacks import CallbackData, Chosen
from bot.domain.dates import parse_working_hours
from bot.domain.escalation import REPLY_LIMIT, Escalation, Kind, State
from bot.domain.models import Person
from bot.domain.timefmt import say_duration, say_time
from bot.i18n import Markup, plain, t
from bot.services.base import zone_of
from bot.services.errors import Refused
from bot.services.handover import Away, Cover, Kept
from bot.services.notify import spoken_list
from bot.services.socialmap import category_label
from handlers.common import Rows, command_arguments
from handlers.flow import ROUTER, Empty, Flow, FlowTurn, Toasts, Turn
from handlers.socialmap import CATEGORY_CHOICES, Placed

OPEN_LIMIT = 10
HANDOFF_CHOICES = 16
ATTACH_CHOICES = 20


@dataclass(frozen=True)
class ItemDraft:
    """The item being handed off or resolved; resolving a "take this case back" request may end its link."""

    escalation: int
    end_link: bool = False
    categories: tuple[str, ...] = ()  # the social map's categories the attach step showed, by place
    entry: int | None = None  # the entry of the social map sent along with the reply


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


AttachAsked = AlertPressed.at("esc", "m")  # send an entry of the social map along with the reply
AttachCategory, AttachEntry = Placed.at("esc", "mc"), Chosen.at("esc", "me")


class EndLinkChoice(CallbackData, prefix="esc", action="e"):
    """Resolving a "take this case back" request: end the volunteer's link with the client, or keep it."""

    escalation: int
    choice: Literal["end", "keep"]


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
    """Ask for the reply the volunteer will see (or a note); for a take-back request first: end the link?"""
    services = turn.services
    escalation = await services.escalations.open_item(turn.person, press.escalation)
    link = await services.handover.takeback_link(turn.person, press.escalation)
    volunteer = (await services.escalations.names({escalation.volunteer_id})).get(escalation.volunteer_id, "?")
    await turn.answer()
    if link is not None:
        await resolve.start(turn, "choose", ItemDraft(press.escalation))
        rows: Rows = [
            [(plain(turn.lang, "button.takeback.end_link"), EndLinkChoice(press.escalation, "end"))],
            [(plain(turn.lang, "button.takeback.keep_link"), EndLinkChoice(press.escalation, "keep"))],
            resolve.cancel_row(turn.lang),
        ]
        return await turn.reply("resolve.ask_takeback", rows, volunteer=volunteer, client=link.client_alias)
    await resolve.start(turn, "reply", ItemDraft(press.escalation))
    if escalation.kind in (Kind.WELLBEING, Kind.LINK_ENDED):  # a note for the file: the volunteer hears nothing
        return await turn.reply("resolve.ask_wellbeing", [resolve.cancel_row(turn.lang)])
    attach = [(plain(turn.lang, "button.resolve.attach"), AttachAsked(press.escalation))]
    await turn.reply("resolve.ask", [attach, resolve.cancel_row(turn.lang)], volunteer=volunteer)


def _this_item(press: AlertPressed, draft: ItemDraft) -> bool:
    return press.escalation == draft.escalation and not draft.end_link


@resolve.button(AttachAsked, "reply", when=_this_item)
async def attach_asked(turn: FlowTurn[ItemDraft], press: AlertPressed, draft: ItemDraft) -> None:
    """Which category of the social map the entry to send along is in."""
    categories = tuple((await turn.services.socialmap.categories())[:CATEGORY_CHOICES])
    await turn.answer()
    await turn.go("attach", replace(draft, categories=categories))
    rows: Rows = [[(category_label(turn.lang, c)[:40], AttachCategory(i))] for i, c in enumerate(categories)]
    await turn.reply("resolve.ask_category", [*rows, turn.cancel_row()])


@resolve.button(AttachCategory, "attach", when=lambda press, draft: press.place < len(draft.categories))
async def attach_category(turn: FlowTurn[ItemDraft], press: Placed, draft: ItemDraft) -> None:
    """The entries of that category (the volunteer's wijk first), one button each."""
    services = turn.services
    escalation = await services.escalations.open_item(turn.person, draft.escalation)
    volunteer = await services.people.get(escalation.volunteer_id)
    entries = await services.socialmap.in_category(
        draft.categories[press.place], volunteer.team_id if volunteer else None
    )
    await turn.answer()
    rows: Rows = [[(e.name[:60], AttachEntry(e.id))] for e in entries[:ATTACH_CHOICES]]
    await turn.show(t(turn.lang, "resolve.ask_entry"), [*rows, turn.cancel_row()])


@resolve.button(AttachEntry, "attach")
async def attach_entry(turn: FlowTurn[ItemDraft], press: Chosen, draft: ItemDraft) -> None:
    """The entry goes along with the reply: now the reply itself."""
    try:
        entry = await turn.services.socialmap.entry(press.id)
    except Refused as gone:  # removed from the map meanwhile: the list stays, another may be picked
        return await turn.toast(gone.reason, alert=True)
    await turn.answer()
    await turn.go("reply", replace(draft, entry=entry.id))
    await turn.show(t(turn.lang, "resolve.ask_with_entry", name=entry.name), [turn.cancel_row()])


@resolve.button(EndLinkChoice, "choose", when=lambda press, draft: press.escalation == draft.escalation)
async def end_link_chosen(turn: FlowTurn[ItemDraft], press: EndLinkChoice, draft: ItemDraft) -> None:
    """The link ends with the resolution, or stays: now the reply the volunteer will see."""
    escalation = await turn.services.escalations.open_item(turn.person, draft.escalation)
    names = await turn.services.escalations.names({escalation.volunteer_id})
    await turn.answer()
    await turn.go("reply", ItemDraft(draft.escalation, end_link=press.choice == "end"))
    text = t(turn.lang, "resolve.ask", volunteer=names.get(escalation.volunteer_id, "?"))
    await turn.show(text, [turn.cancel_row()])


@resolve.text("reply")
async def resolve_text(turn: FlowTurn[ItemDraft], text: str, draft: ItemDraft) -> None:
    """The reply: the item is resolved and the volunteer told (and, chosen so, her link ended)."""
    reply, services = text.strip(), turn.services
    if not reply or len(reply) > REPLY_LIMIT:
        return await turn.reply("resolve.bad", [turn.cancel_row()], limit=REPLY_LIMIT)
    if draft.end_link:
        escalation, ended = await services.handover.resolve_taking_back(turn.person, draft.escalation, reply)
    elif draft.entry is not None:
        await services.socialmap.resolve_with(turn.person, draft.escalation, reply, draft.entry)
        escalation, ended = await services.escalations.get_for(turn.person, draft.escalation), None
    else:
        escalation, ended = await services.escalations.resolve(turn.person, draft.escalation, reply), None
    await turn.end()
    if escalation.kind in (Kind.WELLBEING, Kind.LINK_ENDED):
        return await turn.reply("resolve.done_note")
    volunteer = (await services.escalations.names({escalation.volunteer_id})).get(escalation.volunteer_id, "?")
    if ended is None:
        return await turn.reply("resolve.done", volunteer=volunteer)
    key = "resolve.done_unlinked" if ended.told == [turn.person] else "resolve.done_unlinked_to"
    names = spoken_list(turn.lang, [p.name for p in ended.told])
    await turn.reply(key, volunteer=volunteer, client=ended.link.client_alias, names=names)


def _state_line(turn: Turn, item: Escalation, names: dict[int, str], held: list[Person] | None) -> Markup:
    """Where an item in /open stands (waiting for working hours, with whom and how long), and its age."""
    lang, now = turn.lang, turn.services.clock.now()
    if item.kind is Kind.LINK_ENDED and item.category == "asked" and item.level < 0 and item.next_step_at:
        when = say_time(item.next_step_at, now, zone_of(turn.person, turn.services.settings), lang)
        state = t(lang, "state.note_asked", volunteer=names.get(item.volunteer_id, "?"), when=when)
    elif held is not None and item.next_step_at is not None:
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
    names = await services.escalations.names(
        {i for e in items for i in (e.owner_id, e.handoff_to, e.volunteer_id) if i}
    )
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
    """Away until /back, or until the day (and time) typed after the command: what they hold is handed over."""
    services, person = turn.services, turn.person
    typed, now = command_arguments(turn.update), services.clock.now()
    end = None
    if typed:
        _, _, day_ends = await services.people.working_hours(person)
        parsed = parse_away_end(typed, now, zone_of(person, services.settings), day_ends)
        if parsed is None:
            return await turn.reply("away.bad")
        if isinstance(parsed, AwayEnd) and parsed.at <= now:
            return await turn.reply("away.past")
        end = parsed.at if isinstance(parsed, AwayEnd) else None
    await turn.say(_away_text(turn, await services.handover.go_away(person, end)))


def _away_text(turn: Turn, away: Away) -> Markup:
    """Away until when, who stands in with what, and how to come back."""
    lang, now = turn.lang, turn.services.clock.now()
    if away.until is None:
        until = t(lang, "away.until_back")
    else:
        until = t(
            lang, "away.until", when=say_time(away.until, now, zone_of(turn.person, turn.services.settings), lang)
        )
    covers = [_cover_line(lang, cover) for cover in away.covers] or [t(lang, "away.nothing")]
    return t(lang, "away.done", until=until, covers=Markup(" ".join(covers)))


def _cover_line(lang: str, cover: Cover) -> Markup:
    """ "Fatima vangt je op en krijgt zolang 2 open meldingen en 3 vrijwilligers." """
    amounts: list[str] = [t(lang, "amount.open_items", n=len(cover.items))] if cover.items else []
    amounts += [t(lang, "amount.volunteers", n=len(cover.volunteers))] if cover.volunteers else []
    what = spoken_list(lang, amounts)
    if cover.coverer is None:
        return t(lang, "away.cover_coordinators", what=Markup(what))
    return t(lang, "away.cover_by", name=cover.coverer.name, what=Markup(what))


@ROUTER.command("back")
async def back_command(turn: Turn) -> None:
    """Back before the end set: new items reach the person again; what colleagues took over stays with them."""
    kept = await turn.services.handover.come_back(turn.person)
    if kept is None:
        return await turn.reply("back.not_away")
    await turn.reply("back.done", kept=_kept(turn.lang, kept))


def _kept(lang: str, kept: list[Kept]) -> Markup:
    """ " De 2 meldingen die Fatima voor je overnam, blijven bij Fatima; …" (empty for none)."""
    return Markup("".join(t(lang, "back.kept", name=k.coverer.name, count=len(k.items)) for k in kept))


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
