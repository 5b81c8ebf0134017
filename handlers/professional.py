"""The professional's side: alert buttons (acknowledge, hand off, resolve), /open, /away and /back."""

from __future__ import annotations

from datetime import UTC, datetime, time

from telegram import Update

from bot.context import Context
from bot.domain.callbacks import as_id, pack, unpack
from bot.domain.dates import parse_date, parse_working_hours
from bot.domain.escalation import REPLY_LIMIT, Kind, State
from bot.domain.models import Draft, Person, Role
from bot.domain.timefmt import say_duration
from bot.i18n import Markup, plain, t
from bot.services.errors import Refused
from handlers.common import Rows, cancel_row, command_arguments, requires, say, say_day, show, toast, until_after
from handlers.flows import text_step

OPEN_LIMIT = 10
HANDOFF_CHOICES = 16
# /away without a date: until /back.
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)


@requires(Role.PROFESSIONAL, Role.COORDINATOR)
async def escalation_button(update: Update, context: Context, person: Person) -> None:
    query = update.callback_query
    assert query is not None
    lang = person.language
    services = context.services
    data = query.data
    if (parts := unpack(data, "esc", 3)) and parts[0] == "t":
        escalation_id, colleague_id = as_id(parts[1]), as_id(parts[2])
        draft = await services.drafts.get(person.id)
        if (
            escalation_id is None
            or colleague_id is None
            or draft is None
            or draft.flow != "handoff"
            or draft.data.get("escalation") != escalation_id
        ):
            await toast(query, lang, "button.expired")
            return
        try:
            _, colleague, wait = await services.escalations.handoff(person, escalation_id, colleague_id)
        except Refused as refused:
            if refused.reason != "flow.person_gone":  # the item moved on; with a colleague gone, pick another
                await services.drafts.clear(person.id)
            await toast(query, lang, refused.reason, alert=True, **refused.values)
            return
        await services.drafts.clear(person.id)
        await query.answer()
        minutes = int(wait.total_seconds() // 60)
        await show(update, context, t(lang, "handoff.done", name=colleague.name, wait=say_duration(minutes, lang)))
        return
    parts = unpack(data, "esc", 2)
    escalation_id = as_id(parts[1]) if parts else None
    if parts is None or escalation_id is None or parts[0] not in ("a", "h", "r"):
        await toast(query, lang, "button.expired")
        return
    action = parts[0]
    try:
        if action == "a":
            await services.escalations.acknowledge(person, escalation_id)
            await toast(query, lang, "ack.done")
        elif action == "h":
            colleagues = await services.escalations.handoff_candidates(person, escalation_id)
            await query.answer()
            if not colleagues:
                await say(update, context, t(lang, "handoff.none"))
                return
            await services.drafts.put(person.id, "handoff", "pick", escalation=escalation_id)
            rows: Rows = [[(c.name, pack("esc", "t", escalation_id, c.id))] for c in colleagues[:HANDOFF_CHOICES]]
            rows.append(cancel_row(lang, "handoff"))
            await say(update, context, t(lang, "handoff.ask"), rows)
        else:
            escalation = await services.escalations.get_for(person, escalation_id)
            if escalation.state is State.RESOLVED:
                raise Refused("esc.resolved_already")
            await services.drafts.put(person.id, "resolve", "reply", escalation=escalation_id)
            await query.answer()
            names = await services.escalations.names({escalation.volunteer_id})
            key = "resolve.ask_wellbeing" if escalation.kind is Kind.WELLBEING else "resolve.ask"
            await say(
                update,
                context,
                t(lang, key, volunteer=names.get(escalation.volunteer_id, "?")),
                [cancel_row(lang, "resolve")],
            )
    except Refused as refused:
        await toast(query, lang, refused.reason, alert=refused.reason == "esc.not_yours", **refused.values)


@text_step("resolve")
async def resolve_text(update: Update, context: Context, person: Person, draft: Draft, text: str) -> None:
    lang = person.language
    escalation_id = draft.data.get("escalation")
    if not isinstance(escalation_id, int):
        await context.services.drafts.clear(person.id)
        return
    reply = text.strip()
    if not reply or len(reply) > REPLY_LIMIT:
        await say(update, context, t(lang, "resolve.bad", limit=REPLY_LIMIT), [cancel_row(lang, "resolve")])
        return
    try:
        escalation = await context.services.escalations.resolve(person, escalation_id, reply)
    except Refused as refused:
        await context.services.drafts.clear(person.id)
        await say(update, context, t(lang, refused.reason, **refused.values))
        return
    await context.services.drafts.clear(person.id)
    if escalation.kind is Kind.WELLBEING:
        await say(update, context, t(lang, "resolve.done_note"))
    else:
        names = await context.services.escalations.names({escalation.volunteer_id})
        await say(update, context, t(lang, "resolve.done", volunteer=names.get(escalation.volunteer_id, "?")))


@requires(Role.PROFESSIONAL, Role.COORDINATOR)
async def open_command(update: Update, context: Context, person: Person) -> None:
    lang = person.language
    services = context.services
    items, total = await services.escalations.open_items(person, OPEN_LIMIT)
    if not items:
        await say(update, context, t(lang, "open.none"))
        return
    await say(update, context, t(lang, "open.header", count=total))
    now = services.clock.now()
    names = await services.escalations.names({i for e in items for i in (e.owner_id, e.handoff_to) if i})
    for item in items:
        text, keyboard = await services.escalations.render_for(person, item)
        if item.state is State.ACKNOWLEDGED:
            state = t(lang, "state.acknowledged", name=names.get(item.owner_id or 0, "?"))
        elif item.state is State.HANDOFF:
            state = t(lang, "state.handoff", name=names.get(item.handoff_to or 0, "?"))
        else:
            state = t(lang, "state.open")
        age = say_duration(int((now - item.created_at).total_seconds() // 60), lang)
        rows: Rows = [[(b["text"], b["data"]) for b in row] for row in keyboard or []]
        await say(update, context, Markup(f"{text}\n<i>{state} · {age}</i>"), rows)
    if total > len(items):
        await say(update, context, t(lang, "open.more", count=total - len(items)))


@requires(Role.PROFESSIONAL)  # as in ROLE_COMMANDS: /help and the menu offer it to professionals only
async def away_command(update: Update, context: Context, person: Person) -> None:
    lang = person.language
    services = context.services
    argument = command_arguments(update)
    zone = services.settings.app.zone
    if not argument:
        await services.people.set_away(person, FAR_FUTURE)
        await say(update, context, t(lang, "away.set_open"))
        return
    today = services.clock.now().astimezone(zone).date()
    day = parse_date(argument, today)
    if day is None:
        await say(update, context, t(lang, "away.bad"))
        return
    if day < today:
        await say(update, context, t(lang, "away.past"))
        return
    until = until_after(day, zone)
    await services.people.set_away(person, until)
    shown = say_day(lang, day)
    await say(update, context, t(lang, "away.set", until=shown))


@requires(Role.PROFESSIONAL)  # as in ROLE_COMMANDS: /help and the menu offer it to professionals only
async def back_command(update: Update, context: Context, person: Person) -> None:
    services = context.services
    until = await services.people.away_until(person)
    if until is None or until <= services.clock.now():
        await say(update, context, t(person.language, "back.not_away"))
        return
    await services.people.set_away(person, None)
    await say(update, context, t(person.language, "back.done"))


def _hours_text(lang: str, days: frozenset[int], start: time, end: time) -> str:
    names = ", ".join(plain(lang, f"day.{d}") for d in sorted(days))
    return t(lang, "workhours.current", days=names, start=start.strftime("%H:%M"), end=end.strftime("%H:%M"))


@requires(Role.PROFESSIONAL)  # as in ROLE_COMMANDS: /help and the menu offer it to professionals only
async def workhours_command(update: Update, context: Context, person: Person) -> None:
    """Info and concern items wait for these hours; urgent ones never do."""
    lang = person.language
    people = context.services.people
    argument = command_arguments(update)
    if not argument:
        days, start, end = await people.working_hours(person)
        await say(update, context, Markup(_hours_text(lang, days, start, end) + "\n\n" + t(lang, "workhours.how")))
        return
    parsed = parse_working_hours(argument)
    if parsed is None:
        await say(update, context, t(lang, "workhours.bad"))
        return
    await people.set_working_hours(person, *parsed)
    await say(update, context, Markup(t(lang, "workhours.set") + "\n" + _hours_text(lang, *parsed)))
