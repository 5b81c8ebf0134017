"""The visit safety timer: /visit (client, duration), the "all good?" answers, and /done.

The choices before the start live in a draft ("visit"); the running visit lives in the visits table.
Every press is checked again by the service against the stored visit: a stale or forged button gets a
toast and changes nothing.
"""

from __future__ import annotations

from telegram import Update

from bot.app import Context
from bot.domain.callbacks import as_id, as_page, pack, unpack
from bot.domain.models import Draft, Person, Role
from bot.domain.visits import DURATION_CHOICES, MAX_MINUTES, MIN_MINUTES, Action, parse_minutes
from bot.i18n import Amount, plain, t
from bot.services.errors import Refused
from bot.services.visits import Finished
from handlers.common import Rows, cancel_row, requires, say, show, toast
from handlers.flows import text_step

FLOW = "visit"
PREFIX = "vis"


def _names(lang: str, names: list[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {plain(lang, 'and')} {names[-1]}"


def _duration_rows(lang: str) -> Rows:
    buttons = [(plain(lang, f"button.visit.{m}"), pack(PREFIX, "d", m)) for m in DURATION_CHOICES]
    return [buttons[:2], buttons[2:], cancel_row(lang, FLOW)]


def _finished_text(person: Person, finished: Finished) -> str:
    lang = person.language
    if finished.told:
        return t(lang, "visit.done_late", name=person.name, names=_names(lang, finished.told))
    return t(lang, "visit.done", name=person.name)


@requires(Role.VOLUNTEER)
async def visit_command(update: Update, context: Context, person: Person) -> None:
    lang = person.language
    services = context.services
    running = await services.visits.active(person)
    if running is not None:
        text = t(
            lang,
            "visit.already",
            client=running.client_alias or plain(lang, "no_client"),
            time=services.visits.clock_text(running.ends_at),
        )
        await say(update, context, text, [[(plain(lang, "button.visit.end"), pack(PREFIX, "end", running.id))]])
        return
    await services.drafts.put(person.id, FLOW, "client")
    links = await services.people.links_of(person)
    rows: Rows = [[(link.client_alias, pack(PREFIX, "c", link.id))] for link in links[:20]]
    rows.append([(plain(lang, "button.no_client"), pack(PREFIX, "c", "none"))])
    rows.append(cancel_row(lang, FLOW))
    await say(update, context, t(lang, "visit.ask_client"), rows)


@requires(Role.VOLUNTEER)
async def done_command(update: Update, context: Context, person: Person) -> None:
    finished = await context.services.visits.finish(person)
    if finished is None:
        await say(update, context, t(person.language, "visit.none"))
        return
    await say(update, context, _finished_text(person, finished))


async def _start(update: Update, context: Context, person: Person, draft: Draft, minutes: int) -> None:
    services = context.services
    link = draft.data.get("link")
    visit = await services.visits.start(person, link if isinstance(link, int) else None, minutes)
    await services.drafts.clear(person.id)
    text = t(person.language, "visit.started", time=services.visits.clock_text(visit.ends_at))
    await show(update, context, text)


@requires(Role.VOLUNTEER)
async def visit_button(update: Update, context: Context, person: Person) -> None:
    query = update.callback_query
    assert query is not None
    lang = person.language
    services = context.services
    flow_step = unpack(query.data, PREFIX, 2)
    if flow_step is not None and flow_step[0] in ("c", "d"):
        # Choosing before the start: checked against the stored draft.
        action, value = flow_step
        draft = await services.drafts.get(person.id)
        if draft is None or draft.flow != FLOW:
            await toast(query, lang, "button.expired")
            return
        if action == "c" and draft.step == "client":
            link_id = None if value == "none" else as_id(value)
            if value != "none" and (
                link_id is None or link_id not in {lk.id for lk in await services.people.links_of(person)}
            ):
                await toast(query, lang, "button.expired")
                return
            await query.answer()
            await services.drafts.put(person.id, FLOW, "duration", link=link_id)
            await show(update, context, t(lang, "visit.ask_duration"), _duration_rows(lang))
            return
        minutes = as_id(value)
        if action == "d" and draft.step == "duration" and minutes is not None and minutes in DURATION_CHOICES:
            await query.answer()
            await _start(update, context, person, draft, minutes)
            return
        await toast(query, lang, "button.expired")
        return
    # Buttons on a running visit: every one re-checked by the service against the stored visit.
    try:
        if flow_step is not None and flow_step[0] == Action.END.value:
            visit_id = as_id(flow_step[1])
            if visit_id is None:
                raise Refused("button.expired")
            finished = await services.visits.finish(person, visit_id)
            assert finished is not None
            await query.answer()
            await show(update, context, _finished_text(person, finished))
            return
        answer = unpack(query.data, PREFIX, 3)
        if answer is None:
            raise Refused("button.expired")
        visit_id, prompt = as_id(answer[1]), as_page(answer[2])
        if visit_id is None or prompt is None:
            raise Refused("button.expired")
        if answer[0] == Action.OK.value:
            finished = await services.visits.finish(person, visit_id)
            assert finished is not None
            await query.answer()
            await show(update, context, _finished_text(person, finished))
        elif answer[0] == Action.MORE.value:
            visit = await services.visits.extend(person, visit_id, prompt)
            await query.answer()
            await show(update, context, t(lang, "visit.extended", time=services.visits.clock_text(visit.ends_at)))
        elif answer[0] == Action.HELP.value:
            names = await services.visits.ask_help(person, visit_id)
            await query.answer()
            key = "visit.help_sent" if names else "visit.help_nobody"
            await show(update, context, t(lang, key, names=_names(lang, names)))
        else:
            raise Refused("button.expired")
    except Refused as refused:
        # A toast, not an edit: the message the button sits on stays as it was.
        await toast(query, lang, refused.reason, alert=refused.reason == "visit.help_over", **refused.values)


@text_step(FLOW)
async def visit_text(update: Update, context: Context, person: Person, draft: Draft, text: str) -> None:
    lang = person.language
    if draft.step != "duration":
        await say(update, context, t(lang, "visit.use_buttons"))
        return
    minutes = parse_minutes(text)
    if minutes is None:
        await say(
            update,
            context,
            t(lang, "visit.bad_duration", min=MIN_MINUTES, max=Amount("amount.hours", MAX_MINUTES // 60)),
            [cancel_row(lang, FLOW)],
        )
        return
    await _start(update, context, person, draft, minutes)
