"""The volunteer's flows: /signal (four taps and the text) and /backup, and /mine.

Both flows store their choices in a draft; every tap is checked against it, and the item is only
stored when the volunteer presses Send, after seeing who will receive it.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from telegram import Update

from bot.app import Context
from bot.domain.callbacks import as_id, pack, unpack
from bot.domain.escalation import BACKUP_KINDS, BODY_LIMIT, CATEGORIES, Kind, Urgency, backup_urgency
from bot.domain.models import Draft, Person, Role
from bot.domain.privacy import Finding as PrivacyFinding
from bot.domain.privacy import masked, screen
from bot.domain.timefmt import say_time
from bot.i18n import Markup, plain, t
from bot.services.escalations import Raised, Routing
from handlers.common import Rows, cancel_row, requires, say, show, toast
from handlers.flows import text_step

URGENCIES = (Urgency.INFO, Urgency.CONCERN, Urgency.URGENT, Urgency.EMERGENCY)
FLOW_PREFIX = {"signal": "sig", "backup": "bkp"}


def _names(lang: str, people: list[Person]) -> str:
    names = [p.name for p in people]
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} {plain(lang, 'and')} {names[-1]}"


def _wait_text(lang: str, routing: Routing) -> str:
    minutes = int(routing.wait.total_seconds() // 60)
    if routing.working_time:
        return plain(lang, "wait.working_hours", n=minutes / 60)
    if minutes < 120:
        return plain(lang, "wait.minutes", n=minutes)
    return plain(lang, "wait.hours", n=minutes / 60)


def routing_text(lang: str, routing: Routing, now_text: str | None) -> Markup:
    """Who will receive it and what happens if they don't answer, in plain words."""
    if routing.nobody or not routing.first:
        return t(lang, "routing.nobody")
    if routing.all_at_once:
        return t(lang, "routing.all", names=_names(lang, routing.first))
    role = plain(
        lang,
        ("routing.role.responsible", "routing.role.backup", "routing.role.coordinator")[min(routing.first_level, 2)],
    )
    if routing.deferred_until is not None and now_text is not None:
        text = t(lang, "routing.first_later", name=_names(lang, routing.first), role=role, when=now_text)
    else:
        text = t(lang, "routing.first", name=_names(lang, routing.first), role=role)
    if routing.next_people:
        following = (
            plain(lang, "routing.coordinators") if routing.next_level == 2 else _names(lang, routing.next_people)
        )
        text = Markup(
            text
            + t(
                lang,
                "routing.next",
                name=_names(lang, routing.first),
                wait=_wait_text(lang, routing),
                next=following,
            )
        )
    return text


async def client_rows(context: Context, person: Person, flow: str) -> Rows:
    lang = person.language
    prefix = FLOW_PREFIX[flow]
    links = await context.services.people.links_of(person)
    rows: Rows = [[(link.client_alias, pack(prefix, "c", link.id))] for link in links[:20]]
    rows.append([(plain(lang, "button.no_client"), pack(prefix, "c", "none"))])
    rows.append(cancel_row(lang, flow))
    return rows


# --- /signal --------------------------------------------------------------------------------------


@requires(Role.VOLUNTEER)
async def signal_command(update: Update, context: Context, person: Person) -> None:
    await context.services.drafts.put(person.id, "signal", "client")
    await say(
        update,
        context,
        t(person.language, "signal.ask_client"),
        await client_rows(context, person, "signal"),
    )


@requires(Role.VOLUNTEER)
async def backup_command(update: Update, context: Context, person: Person) -> None:
    lang = person.language
    await context.services.drafts.put(person.id, "backup", "kind")
    rows: Rows = [[(plain(lang, f"bk.{k}"), pack("bkp", "k", k))] for k in BACKUP_KINDS]
    rows.append(cancel_row(lang, "backup"))
    await say(update, context, t(lang, "backup.ask_kind"), rows)


@requires(Role.VOLUNTEER)
async def report_button(update: Update, context: Context, person: Person) -> None:
    query = update.callback_query
    assert query is not None
    lang = person.language
    data = query.data or ""
    flow = "signal" if data.startswith("sig:") else "backup"
    parts = unpack(data, FLOW_PREFIX[flow], 2)
    draft = await context.services.drafts.get(person.id)
    if parts is None or draft is None or draft.flow != flow:
        await toast(query, lang, "button.expired")
        return
    action, value = parts
    services = context.services
    if action == "c" and draft.step == "client":
        link_id = None if value == "none" else as_id(value)
        if value != "none" and (
            link_id is None or link_id not in {lk.id for lk in await services.people.links_of(person)}
        ):
            await toast(query, lang, "button.expired")
            return
        await query.answer()
        if flow == "signal":
            await services.drafts.put(person.id, flow, "category", link=link_id)
            rows: Rows = [
                [
                    (plain(lang, f"cat.{a}"), pack("sig", "k", a)),
                    (plain(lang, f"cat.{b}"), pack("sig", "k", b)),
                ]
                for a, b in zip(CATEGORIES[::2], CATEGORIES[1::2], strict=True)
            ]
            rows.append(cancel_row(lang, flow))
            await show(update, context, t(lang, "signal.ask_category"), rows)
        else:
            draft = await services.drafts.put(person.id, flow, "text", **draft.data, link=link_id)
            key = "backup.now_first" if draft.data.get("kind") == "now" else "backup.ask_text"
            await show(update, context, t(lang, key), [cancel_row(lang, flow)])
        return
    if action == "k" and flow == "signal" and draft.step == "category" and value in CATEGORIES:
        await query.answer()
        await services.drafts.put(person.id, flow, "urgency", **draft.data, category=value)
        rows = [
            [
                (plain(lang, "urg.info"), pack("sig", "u", "info")),
                (plain(lang, "urg.concern"), pack("sig", "u", "concern")),
            ],
            [
                (plain(lang, "urg.urgent"), pack("sig", "u", "urgent")),
                (plain(lang, "button.urg.emergency"), pack("sig", "u", "emergency")),
            ],
            cancel_row(lang, flow),
        ]
        await show(update, context, t(lang, "signal.ask_urgency"), rows)
        return
    if action == "k" and flow == "backup" and draft.step == "kind" and value in BACKUP_KINDS:
        await query.answer()
        await services.drafts.put(person.id, flow, "client", kind=value)
        await show(update, context, t(lang, "signal.ask_client"), await client_rows(context, person, flow))
        return
    if action == "u" and flow == "signal" and draft.step == "urgency" and value in {u.value for u in URGENCIES}:
        await query.answer()
        await services.drafts.put(person.id, flow, "text", **draft.data, urgency=value)
        key = "signal.emergency_first" if value == Urgency.EMERGENCY.value else "signal.ask_text"
        await show(update, context, t(lang, key), [cancel_row(lang, flow)])
        return
    if action == "s" and draft.step == "screen" and value in ("edit", "anyway"):
        held = services.drafts.take(person.id)
        await query.answer()
        if value == "anyway" and held is not None:
            await _confirm(update, context, person, draft, held)
            return
        await services.drafts.put(person.id, flow, "text", **draft.data)
        await show(update, context, t(lang, "signal.ask_text"), [cancel_row(lang, flow)])
        return
    if action == "s" and draft.step == "confirm" and value in ("send", "edit"):
        await query.answer()
        if value == "edit":
            await services.drafts.put(person.id, flow, "text", **draft.data)
            await show(update, context, t(lang, "signal.ask_text"), [cancel_row(lang, flow)])
            return
        await _send(update, context, person, draft)
        return
    await toast(query, lang, "button.expired")


def _urgency_of(draft: Draft) -> Urgency:
    if draft.flow == "backup":
        return backup_urgency(str(draft.data.get("kind")))
    return Urgency(str(draft.data.get("urgency")))


def _link_of(draft: Draft) -> int | None:
    link = draft.data.get("link")
    return link if isinstance(link, int) else None


@text_step("signal")
@text_step("backup")
async def report_text(update: Update, context: Context, person: Person, draft: Draft, text: str) -> None:
    lang = person.language
    if draft.step != "text":
        await say(update, context, t(lang, "no_flow_text"))
        return
    body = text.strip()
    if not body:
        await say(update, context, t(lang, "text.empty"), [cancel_row(lang, draft.flow)])
        return
    if len(body) > BODY_LIMIT:
        await say(
            update,
            context,
            t(lang, "too_long", limit=BODY_LIMIT, length=len(body)),
            [cancel_row(lang, draft.flow)],
        )
        return
    services = context.services
    findings = screen(body, current_year=services.clock.now().year)
    if findings:
        services.drafts.hold(person.id, body)
        await services.drafts.put(person.id, draft.flow, "screen", **draft.data)
        await say(update, context, screening_text(lang, findings), _screen_rows(lang, draft.flow))
        return
    await _confirm(update, context, person, draft, body)


def screening_text(lang: str, findings: list[PrivacyFinding], key: str = "privacy.found") -> Markup:
    found = ", ".join(f"{plain(lang, f'privacy.kind.{f.kind.value}')} ({masked(f)})" for f in findings[:6])
    return t(lang, key, found=found)


def _screen_rows(lang: str, flow: str) -> Rows:
    prefix = FLOW_PREFIX[flow]
    return [
        [
            (plain(lang, "button.edit"), pack(prefix, "s", "edit")),
            (plain(lang, "button.send_anyway"), pack(prefix, "s", "anyway")),
        ],
        cancel_row(lang, flow),
    ]


async def _confirm(update: Update, context: Context, person: Person, draft: Draft, body: str) -> None:
    lang = person.language
    services = context.services
    draft = await services.drafts.put(person.id, draft.flow, "confirm", **{**draft.data, "text": body})
    urgency = _urgency_of(draft)
    routing = await services.escalations.preview(person, _link_of(draft), urgency)
    now = services.clock.now()
    when = say_time(routing.deferred_until, now, services.settings.app.zone, lang) if routing.deferred_until else None
    client = next(
        (lk.client_alias for lk in await services.people.links_of(person) if lk.id == _link_of(draft)),
        plain(lang, "no_client"),
    )
    category = (
        plain(lang, f"cat.{draft.data['category']}")
        if draft.flow == "signal"
        else plain(lang, f"bk.{draft.data['kind']}")
    )
    summary = t(
        lang,
        "signal.confirm",
        urgency=plain(lang, f"urg.{urgency.value}"),
        category=category,
        client=client,
        text=body,
        routing=routing_text(lang, routing, when),
    )
    prefix = FLOW_PREFIX[draft.flow]
    rows: Rows = [
        [
            (plain(lang, "button.send"), pack(prefix, "s", "send")),
            (plain(lang, "button.edit"), pack(prefix, "s", "edit")),
        ],
        cancel_row(lang, draft.flow),
    ]
    await say(update, context, summary, rows)


async def _send(update: Update, context: Context, person: Person, draft: Draft) -> None:
    lang = person.language
    services = context.services
    kind = Kind.SIGNAL if draft.flow == "signal" else Kind.BACKUP
    category = str(draft.data["category"] if kind is Kind.SIGNAL else draft.data["kind"])
    raised = await services.escalations.raise_item(
        person,
        kind=kind,
        link_id=_link_of(draft),
        category=category,
        urgency=_urgency_of(draft),
        body=str(draft.data.get("text", "")),
        consume_draft=True,
    )
    assert raised is not None  # no dedupe key for a volunteer's report
    await show(update, context, _sent_text(lang, raised, kind, services.settings.app.zone, services.clock.now()))


def _sent_text(lang: str, raised: Raised, kind: Kind, zone: ZoneInfo, now: datetime) -> Markup:
    if raised.nobody:
        return t(lang, "signal.sent_nobody")
    if raised.told:
        return t(lang, "signal.sent" if kind is Kind.SIGNAL else "backup.sent", names=_names(lang, raised.told))
    if raised.deferred_until is not None:
        return t(
            lang,
            "signal.sent_later",
            names=plain(lang, "routing.role.responsible"),
            when=say_time(raised.deferred_until, now, zone, lang),
        )
    return t(lang, "signal.sent_nobody")


# --- /mine ----------------------------------------------------------------------------------------


@requires(Role.VOLUNTEER)
async def mine_command(update: Update, context: Context, person: Person) -> None:
    lang = person.language
    services = context.services
    items = await services.escalations.mine(person)
    if not items:
        await say(update, context, t(lang, "mine.none"))
        return
    names = await services.escalations.names({i for e in items for i in (e.owner_id, e.resolved_by) if i})
    now = services.clock.now()
    lines: list[str] = [t(lang, "mine.header")]
    for item in items:
        if item.resolution is not None and item.resolved_by:
            status = t(lang, "mine.resolved", name=names.get(item.resolved_by, "?"), reply=item.resolution[:300])
        elif item.owner_id and item.state.value == "acknowledged":
            status = t(lang, "mine.acknowledged", name=names.get(item.owner_id, "?"))
        elif item.state.value == "handoff":
            status = t(lang, "mine.handoff")
        else:
            status = t(lang, "mine.open")
        category = (
            plain(lang, f"cat.{item.category}") if item.kind is Kind.SIGNAL else plain(lang, f"bk.{item.category}")
        )
        lines.append(
            t(
                lang,
                "mine.item",
                urgency=plain(lang, f"urg.{item.urgency.value}"),
                when=say_time(item.created_at, now, services.settings.app.zone, lang),
                kind=plain(lang, f"kind.{item.kind.value}"),
                client=item.client_alias or plain(lang, "no_client"),
                category=category,
                status=status,
            )
        )
    await say(update, context, Markup("\n\n".join(lines)))
