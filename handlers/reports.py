"""The volunteer's flows: /signal (four taps and the text) and /backup, and /mine.

Both flows store their choices in a draft; every tap is checked against it, and the item is only
stored when the volunteer presses Send, after seeing who will receive it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal
from zoneinfo import ZoneInfo

from bot.domain.callbacks import CallbackData, Choice
from bot.domain.escalation import BACKUP_KINDS, BODY_LIMIT, CATEGORIES, Escalation, Kind, State, Urgency, backup_urgency
from bot.domain.models import Person
from bot.domain.screening import Finding as PrivacyFinding
from bot.domain.screening import masked, screen
from bot.domain.timefmt import say_time
from bot.i18n import Markup, plain, t
from bot.services.escalations import Raised, Routing
from bot.services.escalations.render import wait_text
from bot.services.escalations.service import Held
from bot.services.notify import spoken_list
from handlers.choices import ClientChoice, client_rows, link_of, own_client
from handlers.common import Rows
from handlers.flow import ROUTER, Flow, FlowTurn, Turn, given
from handlers.socialmap import offer_below_signal


@dataclass(frozen=True)
class ReportDraft:
    """What the volunteer chose so far. A signal has a category and an urgency, a backup request a kind."""

    link: int | None = None
    category: str | None = None
    urgency: Urgency | None = None
    kind: str | None = None
    text: str | None = None


signal = Flow("signal", ReportDraft, command="signal")
backup = Flow("backup", ReportDraft, command="backup")


class ClientChosen(CallbackData):
    link: ClientChoice


class Screened(CallbackData):
    """Screening found what looks like personal data: edit the text, or send it as it is."""

    choice: Literal["edit", "anyway"]


class Confirmed(CallbackData):
    choice: Literal["send", "edit"]


@dataclass(frozen=True)
class ReportButtons:
    """The buttons both report flows share, each flow under its own prefix."""

    client: type[ClientChosen]
    screened: type[Screened]
    confirmed: type[Confirmed]

    @classmethod
    def under(cls, prefix: str) -> ReportButtons:
        return cls(ClientChosen.at(prefix, "c"), Screened.at(prefix, "s"), Confirmed.at(prefix, "s"))


BUTTONS = {signal.name: ReportButtons.under("sig"), backup.name: ReportButtons.under("bkp")}


class UrgencyChosen(CallbackData, prefix="sig", action="u"):
    urgency: Urgency


CategoryChosen, KindChosen = Choice.at("sig", "k"), Choice.at("bkp", "k")


def _names(lang: str, people: list[Person]) -> str:
    return spoken_list(lang, [p.name for p in people])


def _stands_in(lang: str, people: list[Person], away: list[Person]) -> str:
    """ "vervangt Piet": whom those who get it stand in for while that one is away."""
    key = "routing.role.covering" if len(people) == 1 else "routing.role.covering_many"
    return plain(lang, key, away=_names(lang, away))


def _covering(lang: str, people: list[Person], away: list[Person]) -> str:
    """Who gets it, and whom they stand in for: "Fatima (vervangt Piet)"."""
    return f"{_names(lang, people)} ({_stands_in(lang, people, away)})" if away else _names(lang, people)


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
    if routing.covering:  # the professional is away: who gets it stands in for them
        role = _stands_in(lang, routing.first, routing.covering)
    if routing.deferred_until is not None and now_text is not None:
        text = t(lang, "routing.first_later", name=_names(lang, routing.first), role=role, when=now_text)
    else:
        text = t(lang, "routing.first", name=_names(lang, routing.first), role=role)
    if not routing.next_people:
        return text
    following = plain(lang, "routing.coordinators") if routing.next_level == 2 else _names(lang, routing.next_people)
    name = _names(lang, routing.first)
    wait = wait_text(lang, routing.wait, routing.working_time)
    return Markup(text + t(lang, "routing.next", name=name, wait=wait, next=following))


async def report_client_rows(turn: Turn, flow: Flow[ReportDraft]) -> Rows:
    """The volunteer's clients for a signal or a backup request."""
    choice = BUTTONS[flow.name].client
    return await client_rows(turn, lambda link: choice(link=link), flow.cancel_row(turn.lang))


def _text_prompt(turn: FlowTurn[ReportDraft], key: str = "signal.ask_text") -> tuple[Markup, Rows]:
    return t(turn.lang, key), [turn.cancel_row()]


# --- /signal and /backup --------------------------------------------------------------------------


@ROUTER.command("signal")
async def signal_command(turn: Turn) -> None:
    """Start a signal: which client is it about?"""
    await signal.start(turn, "client", ReportDraft())
    await turn.reply("signal.ask_client", await report_client_rows(turn, signal))


@ROUTER.command("backup")
async def backup_command(turn: Turn) -> None:
    """Start a backup request: what kind of help?"""
    lang = turn.lang
    await backup.start(turn, "kind", ReportDraft())
    rows: Rows = [[(plain(lang, f"bk.{k}"), KindChosen(k))] for k in BACKUP_KINDS]
    rows.append(backup.cancel_row(lang))
    await turn.reply("backup.ask_kind", rows)


@signal.button(BUTTONS[signal.name].client, "client")
async def signal_client(turn: FlowTurn[ReportDraft], press: ClientChosen, draft: ReportDraft) -> None:
    """The client is known: ask the category."""
    if not await own_client(turn, press.link):
        return await turn.expired()
    lang = turn.lang
    await turn.answer()
    await turn.go("category", ReportDraft(link=link_of(press.link)))
    pairs = zip(CATEGORIES[::2], CATEGORIES[1::2], strict=True)
    rows: Rows = [
        [(plain(lang, f"cat.{a}"), CategoryChosen(a)), (plain(lang, f"cat.{b}"), CategoryChosen(b))] for a, b in pairs
    ]
    await turn.show(t(lang, "signal.ask_category"), [*rows, turn.cancel_row()])


@backup.button(BUTTONS[backup.name].client, "client")
async def backup_client(turn: FlowTurn[ReportDraft], press: ClientChosen, draft: ReportDraft) -> None:
    """The client is known: ask what is going on (asking for help now: call first)."""
    if not await own_client(turn, press.link):
        return await turn.expired()
    await turn.answer()
    await turn.go("text", replace(draft, link=link_of(press.link)))
    await turn.show(*_text_prompt(turn, "backup.now_first" if draft.kind == "now" else "backup.ask_text"))


@signal.button(CategoryChosen, "category", when=lambda press, _: press.value in CATEGORIES)
async def signal_category(turn: FlowTurn[ReportDraft], press: Choice, draft: ReportDraft) -> None:
    """The category is known: ask how urgent it is."""
    lang = turn.lang
    await turn.answer()
    await turn.go("urgency", replace(draft, category=press.value))
    label = {u: plain(lang, "button.urg.emergency" if u is Urgency.EMERGENCY else f"urg.{u.value}") for u in Urgency}
    rows: Rows = [
        [(label[u], UrgencyChosen(u)) for u in pair]
        for pair in ((Urgency.INFO, Urgency.CONCERN), (Urgency.URGENT, Urgency.EMERGENCY))
    ]
    await turn.show(t(lang, "signal.ask_urgency"), [*rows, turn.cancel_row()])


@signal.button(UrgencyChosen, "urgency")
async def signal_urgency(turn: FlowTurn[ReportDraft], press: UrgencyChosen, draft: ReportDraft) -> None:
    """The urgency is known: ask the text (an emergency: call 112 first)."""
    await turn.answer()
    await turn.go("text", replace(draft, urgency=press.urgency))
    first = "signal.emergency_first" if press.urgency is Urgency.EMERGENCY else "signal.ask_text"
    await turn.show(*_text_prompt(turn, first))


@backup.button(KindChosen, "kind", when=lambda press, _: press.value in BACKUP_KINDS)
async def backup_kind(turn: FlowTurn[ReportDraft], press: Choice, draft: ReportDraft) -> None:
    """The kind of help is known: ask which client it is about."""
    await turn.answer()
    await turn.go("client", ReportDraft(kind=press.value))
    await turn.show(t(turn.lang, "signal.ask_client"), await report_client_rows(turn, backup))


async def report_screened(turn: FlowTurn[ReportDraft], press: Screened, draft: ReportDraft) -> None:
    """After screening: send the held text as it is, or type it again."""
    held = turn.services.drafts.take(turn.person.id)
    await turn.answer()
    if press.choice == "anyway" and held is not None:
        return await _confirm(turn, draft, held)
    await turn.go("text", draft)
    await turn.show(*_text_prompt(turn))


async def report_confirmed(turn: FlowTurn[ReportDraft], press: Confirmed, draft: ReportDraft) -> None:
    """Send it (stored and routed now), or type the text again."""
    await turn.answer()
    if press.choice == "edit":
        await turn.go("text", draft)
        return await turn.show(*_text_prompt(turn))
    await _send(turn, draft)


async def report_text(turn: FlowTurn[ReportDraft], text: str, draft: ReportDraft) -> None:
    """The text: screened for personal data first, then the summary to confirm."""
    body = text.strip()
    if not body:
        return await turn.reply("text.empty", [turn.cancel_row()])
    if len(body) > BODY_LIMIT:
        return await turn.reply("too_long", [turn.cancel_row()], limit=BODY_LIMIT, length=len(body))
    findings = screen(body, current_year=turn.services.clock.now().year)
    if findings:
        turn.services.drafts.hold(turn.person.id, body)
        await turn.go("screen", draft)
        buttons = BUTTONS[turn.flow.name].screened
        rows: Rows = [
            [
                (plain(turn.lang, "button.edit"), buttons("edit")),
                (plain(turn.lang, "button.send_anyway"), buttons("anyway")),
            ],
            turn.cancel_row(),
        ]
        return await turn.say(screening_text(turn.lang, findings), rows)
    await _confirm(turn, draft, body)


for _flow in (signal, backup):
    _flow.button(BUTTONS[_flow.name].screened, "screen")(report_screened)
    _flow.button(BUTTONS[_flow.name].confirmed, "confirm")(report_confirmed)
    _flow.text("text")(report_text)


def screening_text(lang: str, findings: list[PrivacyFinding], key: str = "privacy.found") -> Markup:
    found = ", ".join(f"{plain(lang, f'privacy.kind.{f.kind.value}')} ({masked(f)})" for f in findings[:6])
    return t(lang, key, found=found)


def _urgency_of(flow: Flow[ReportDraft], draft: ReportDraft) -> Urgency:
    if flow is backup:
        return backup_urgency(given(draft.kind))
    return given(draft.urgency)


def _category_label(lang: str, kind: Kind, category: str) -> str:
    return plain(lang, f"cat.{category}") if kind is Kind.SIGNAL else plain(lang, f"bk.{category}")


def _kind_and_category(flow: Flow[ReportDraft], draft: ReportDraft) -> tuple[Kind, str]:
    if flow is backup:
        return Kind.BACKUP, given(draft.kind)
    return Kind.SIGNAL, given(draft.category)


async def _confirm(turn: FlowTurn[ReportDraft], draft: ReportDraft, body: str) -> None:
    """Store the text in the draft and show what will be sent, to whom, with Send and Edit."""
    lang, services = turn.lang, turn.services
    draft = replace(draft, text=body)
    await turn.go("confirm", draft)
    urgency = _urgency_of(turn.flow, draft)
    routing = await services.escalations.preview(turn.person, draft.link, urgency)
    zone, now = services.settings.app.zone, services.clock.now()
    when = say_time(routing.deferred_until, now, zone, lang) if routing.deferred_until else None
    links = await services.people.links_of(turn.person)
    client = next((lk.client_alias for lk in links if lk.id == draft.link), plain(lang, "no_client"))
    kind, category = _kind_and_category(turn.flow, draft)
    summary = t(
        lang,
        "signal.confirm",
        urgency=plain(lang, f"urg.{urgency.value}"),
        category=_category_label(lang, kind, category),
        client=client,
        text=body,
        routing=routing_text(lang, routing, when),
    )
    buttons = BUTTONS[turn.flow.name].confirmed
    send = [(plain(lang, "button.send"), buttons("send")), (plain(lang, "button.edit"), buttons("edit"))]
    await turn.say(summary, [send, turn.cancel_row()])


async def _send(turn: FlowTurn[ReportDraft], draft: ReportDraft) -> None:
    """Raise the item; the draft is consumed in the same transaction, so a second Send cannot raise it twice."""
    services = turn.services
    kind, category = _kind_and_category(turn.flow, draft)
    urgency = _urgency_of(turn.flow, draft)
    raised = await services.escalations.raise_item(
        turn.person,
        kind=kind,
        link_id=draft.link,
        category=category,
        urgency=urgency,
        body=draft.text or "",
        consume_draft=True,
    )
    assert raised is not None  # no dedupe key for a volunteer's report
    await turn.show(_sent_text(turn.lang, raised, kind, services.settings.app.zone, services.clock.now()))
    if kind is Kind.SIGNAL:  # below the confirmation: where to turn, from the social map
        await offer_below_signal(turn, category)


def _sent_text(lang: str, raised: Raised, kind: Kind, zone: ZoneInfo, now: datetime) -> Markup:
    signal = kind is Kind.SIGNAL
    if raised.nobody:
        return t(lang, "signal.sent_nobody")
    if raised.told:
        key = "signal.sent" if signal else "backup.sent"
        return t(lang, key, names=_covering(lang, raised.told, raised.covering), next=_sent_next(lang, raised))
    if raised.deferred_until is not None:
        # The names open a sentence; without one, the role does, with a capital.
        role = plain(lang, "routing.role.responsible")
        return t(
            lang,
            "signal.sent_later" if signal else "backup.sent_later",
            # Held for working hours: the engine says who gets it then, as the confirmation screen did.
            names=_covering(lang, raised.later, raised.covering) or role[:1].upper() + role[1:],
            when=say_time(raised.deferred_until, now, zone, lang),
        )
    return t(lang, "signal.sent_nobody")


def _sent_next(lang: str, raised: Raised) -> Markup:
    """What happens if those told do not pick it up: who gets it next, or that they are reminded."""
    policy = raised.policy
    if policy is None or not policy.climb:
        return Markup("")
    if policy.all_at_once:
        return t(lang, "sent.next_repeat", wait=wait_text(lang, policy.repeat or policy.wait, False))
    if not raised.next_people:
        return t(lang, "vol.next_last")
    following = (
        plain(lang, "routing.coordinators") if raised.next_are_coordinators else _names(lang, raised.next_people)
    )
    wait = wait_text(lang, policy.wait, policy.working_hours_only)
    return t(lang, "routing.next", name=_names(lang, raised.told), wait=wait, next=following)


# --- /mine ----------------------------------------------------------------------------------------


def _status(lang: str, item: Escalation, names: dict[int, str], held: Held, now: datetime, zone: ZoneInfo) -> Markup:
    """Where one of the volunteer's reports stands: done, with whom since when, or when it reaches someone."""
    if item.resolution is not None and item.resolved_by:
        return t(lang, "mine.resolved", name=names.get(item.resolved_by, "?"), reply=item.resolution[:300])
    if item.owner_id and item.state is State.ACKNOWLEDGED:
        since = say_time(item.held_since or item.acknowledged_at or now, now, zone, lang)
        return t(lang, "mine.acknowledged", name=names.get(item.owner_id, "?"), since=since)
    if item.state is State.HANDOFF:
        return t(lang, "mine.handoff")
    if item.id in held and held[item.id] and item.next_step_at is not None:
        when = say_time(item.next_step_at, now, zone, lang)
        return t(lang, "mine.held", when=when, names=_names(lang, held[item.id]))
    return t(lang, "mine.open")


@ROUTER.command("mine")
async def mine_command(turn: Turn) -> None:
    """What became of the volunteer's reports."""
    lang, services = turn.lang, turn.services
    items, held = await services.escalations.mine(turn.person)
    if not items:
        return await turn.reply("mine.none")
    names = await services.escalations.names({i for e in items for i in (e.owner_id, e.resolved_by) if i})
    now, zone = services.clock.now(), services.settings.app.zone
    lines: list[str] = [t(lang, "mine.header")]
    for item in items:
        lines.append(
            t(
                lang,
                "mine.item",
                urgency=plain(lang, f"urg.{item.urgency.value}"),
                when=say_time(item.created_at, now, zone, lang),
                kind=plain(lang, f"kind.{item.kind.value}"),
                client=item.client_alias or plain(lang, "no_client"),
                category=_category_label(lang, item.kind, item.category),
                status=_status(lang, item, names, held, now, zone),
            )
        )
    await turn.say(Markup("\n\n".join(lines)))
