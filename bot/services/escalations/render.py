"""How an alert reads: its text and buttons for one viewer. Pure: no database, no clock.

Everything is passed in as plain values (the item, who looks at it, the names it shows already looked
up, the language and time zone in the viewer, now), so every state and viewer can be tested directly.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.callbacks import pack
from bot.domain.escalation import Escalation, Kind, State, Urgency
from bot.domain.timefmt import say_duration, say_time
from bot.i18n import Markup, plain, t

MESSAGE_LIMIT = 4096  # Telegram's limit on a message's text
# Headroom below the limit for what is put around an alert later (a repeat mark, the state line of /open).
SPARE = 120
Keyboard = list[list[dict[str, str]]]
CATEGORY_PREFIX = {Kind.SIGNAL: "cat", Kind.BACKUP: "bk", Kind.WELLBEING: "wb", Kind.VISIT: "vk"}


@dataclass(frozen=True)
class Viewer:
    """Who an alert is rendered for."""

    person_id: int
    language: str
    zone: ZoneInfo


def client(escalation: Escalation, lang: str) -> str:
    return escalation.client_alias or plain(lang, "no_client")


def category(escalation: Escalation, lang: str) -> str:
    try:
        return plain(lang, f"{CATEGORY_PREFIX[escalation.kind]}.{escalation.category}")
    except KeyError:  # a category this version has no words for: shown as stored
        return escalation.category


def header(escalation: Escalation, volunteer: str, lang: str, now: datetime, zone: ZoneInfo) -> Markup:
    """The alert's first line: urgency, kind, whose, about whom, what, when."""
    if escalation.kind is Kind.WELLBEING:  # one whole check-in: what it holds is in the lines below
        when = say_time(escalation.created_at, now, zone, lang)
        return t(lang, "alert.header_checkin", volunteer=volunteer, time=when)
    if escalation.kind is Kind.LINK_ENDED:  # what the volunteer handed over follows on the same line
        return t(lang, "alert.header_link_ended", client=client(escalation, lang))
    return t(
        lang,
        "alert.header",
        urgency=plain(lang, f"urg.{escalation.urgency.value}"),
        kind=plain(lang, f"kind.{escalation.kind.value}"),
        volunteer=volunteer,
        client=client(escalation, lang),
        category=category(escalation, lang),
        time=say_time(escalation.created_at, now, zone, lang),
    )


def keyboard(escalation: Escalation, viewer: Viewer) -> Keyboard | None:
    """What this viewer may press now: nothing once it is done or someone else holds it."""
    lang = viewer.language

    def button(key: str, action: str) -> dict[str, str]:
        return {"text": plain(lang, key), "data": pack("esc", action, escalation.id)}

    if escalation.state is State.RESOLVED:
        return None
    if escalation.state is State.ACKNOWLEDGED:
        if escalation.owner_id != viewer.person_id:
            return None
        rows = [[button("button.resolve", "r"), button("button.handoff", "h")]]
        if escalation.follow_ups > 0:  # asked how it stands: "still on it" answers without closing it
            rows.append([button("button.still_working", "w")])
        return rows
    if escalation.state is State.HANDOFF and escalation.handoff_to == viewer.person_id:
        return [[button("button.takeover", "a")], [button("button.resolve", "r")]]
    return [[button("button.ack", "a"), button("button.handoff", "h")], [button("button.resolve", "r")]]


def alert(
    escalation: Escalation,
    viewer: Viewer,
    names: Mapping[int, str],
    now: datetime,
    *,
    reminder: bool = False,
    handoff_from: str | None = None,
    status: str | None = None,
    first: str | None = None,
) -> tuple[Markup, Keyboard | None]:
    """The alert as sent: a reminder, hand-off request or follow-up line first, the header, the volunteer's
    words, and the emergency note and status line last. names: person id -> name, the volunteer's at least."""
    lang = viewer.language
    parts: list[str] = [first] if first else []
    if reminder:
        minutes = int((now - escalation.created_at).total_seconds() // 60)
        parts.append(t(lang, "alert.reminder", age=say_duration(minutes, lang)))
    if handoff_from is not None:
        parts.append(t(lang, "alert.handoff_request", name=handoff_from))
    volunteer = _name(names, escalation.volunteer_id)
    head = header(escalation, volunteer, lang, now, viewer.zone)
    if escalation.kind is Kind.LINK_ENDED:
        head = Markup(f"{head} {hand_over_note(escalation, volunteer, lang)}")
    parts.append(head)
    tail: list[str] = []
    if escalation.urgency is Urgency.EMERGENCY and escalation.kind is Kind.SIGNAL:
        tail.append(t(lang, "alert.emergency_note"))
    if status:
        tail.append(status)
    # A wellbeing alert's words are the bot's own lines (quoting the volunteer's comment): not quoted again.
    quoted = escalation.kind is not Kind.WELLBEING
    words = "" if escalation.kind is Kind.LINK_ENDED else escalation.body or ""  # the note is in the first line
    body = _body(words, lang, used=sum(telegram_length(p) + 2 for p in parts + tail), quoted=quoted)
    text = Markup("\n".join([*parts, body, *tail]) if body else "\n".join([*parts, *tail]))
    return text, keyboard(escalation, viewer)


def status(
    escalation: Escalation,
    viewer: Viewer,
    names: Mapping[int, str],
    now: datetime,
    *,
    expired_handoff: str | None,
    reopened_from: str | None = None,
) -> Markup | None:
    """The line that says where the item stands: who picked it up, handed off, resolved or closed it."""
    lang, zone = viewer.language, viewer.zone
    if escalation.state is State.ACKNOWLEDGED and escalation.acknowledged_at is not None:
        at = time_of_day(escalation.held_since or escalation.acknowledged_at, zone)
        if escalation.owner_id == viewer.person_id:
            volunteer = _name(names, escalation.volunteer_id)
            if escalation.kind is Kind.WELLBEING:
                # The volunteer hears nothing of a pick-up of a wellbeing alert (it is about her).
                return t(lang, "status.acknowledged_you_wellbeing", time=at, volunteer=volunteer)
            quiet = escalation.kind is Kind.LINK_ENDED  # her part ended with the note: nobody else is told
            if escalation.follow_up_at is not None and escalation.follow_ups == 0:
                when = say_time(escalation.follow_up_at, now, zone, lang)
                key = "status.acknowledged_you_quiet_follow_up" if quiet else "status.acknowledged_you_follow_up"
                return t(lang, key, time=at, volunteer=volunteer, when=when)
            key = "status.acknowledged_you_quiet" if quiet else "status.acknowledged_you"
            return t(lang, key, time=at, volunteer=volunteer)
        return t(lang, "status.acknowledged", name=_name(names, escalation.owner_id), time=at)
    if escalation.state is State.RESOLVED and escalation.resolved_at is not None:
        at = time_of_day(escalation.resolved_at, zone)
        if escalation.resolved_by is None:  # closed by the bot, not by a person
            reason = plain(lang, escalation.resolution or "status.closed_default")
            return t(lang, "status.closed", time=at, reason=reason)
        if escalation.resolved_by == viewer.person_id:
            return t(lang, "status.resolved_you", time=at)
        return t(lang, "status.resolved", name=_name(names, escalation.resolved_by), time=at)
    if escalation.state is State.HANDOFF:
        return t(lang, "status.handoff", name=_name(names, escalation.handoff_to), time=time_of_day(now, zone))
    if expired_handoff is not None:
        return t(lang, "status.handoff_expired", name=expired_handoff)
    if reopened_from is not None:
        return t(lang, "status.follow_up_reopened", name=reopened_from)
    return None


def current(
    escalation: Escalation,
    viewer: Viewer,
    names: Mapping[int, str],
    now: datetime,
    *,
    expired_handoff: str | None = None,
    reopened_from: str | None = None,
) -> tuple[Markup, Keyboard | None]:
    """The alert as it stands now (an edit of every copy sent, an item in /open)."""
    line = status(escalation, viewer, names, now, expired_handoff=expired_handoff, reopened_from=reopened_from)
    return alert(escalation, viewer, names, now, status=line)


def follow_up(
    escalation: Escalation, viewer: Viewer, names: Mapping[int, str], now: datetime, *, deadline: datetime
) -> tuple[Markup, Keyboard | None]:
    """The holder is asked how it stands: when they picked it up, the item, and what happens without an answer."""
    lang, zone = viewer.language, viewer.zone
    since = say_time(escalation.held_since or escalation.acknowledged_at or now, now, zone, lang)
    question = t(
        lang,
        "alert.follow_up",
        since=since,
        volunteer=_name(names, escalation.volunteer_id),
        kind=plain(lang, f"kind.{escalation.kind.value}"),
        client=client(escalation, lang),
    )
    after = t(lang, "alert.follow_up_deadline", when=say_time(deadline, now, zone, lang))
    return alert(escalation, viewer, names, now, first=question, status=after)


# Where a link-ended item's hand-over note stands (its category), as the professional reads it.
NOTE_STATES = ("asked", "note", "skipped", "removed", "erased")


def hand_over_note(escalation: Escalation, volunteer: str, lang: str) -> Markup:
    """What the volunteer whose link ended handed over: her note, that she was asked or skipped it, or that she
    left. A note erased since (the volunteer erased, the retention period passed) is said to be gone."""
    state = escalation.category if escalation.category in NOTE_STATES else "erased"
    if state == "note" and not escalation.body:
        state = "gone"
    return t(lang, f"le.{state}", volunteer=volunteer, text=escalation.body or "")


def wait_text(lang: str, wait: timedelta, working_time: bool) -> str:
    """How long someone has to react, as the volunteer reads it: "10 minuten", "4 werkuren"."""
    minutes = int(wait.total_seconds() // 60)
    if working_time:
        return plain(lang, "wait.working_hours", n=minutes / 60)
    if minutes < 120:
        return plain(lang, "wait.minutes", n=minutes)
    return plain(lang, "wait.hours", n=minutes / 60)


def advice(lang: str, contacts: Sequence[tuple[str, str]]) -> Markup:
    """For someone who may be in danger and has no answer yet: 112, and the organisation's own lines."""
    lines = [t(lang, "vol.advice_112")]
    lines += [t(lang, "vol.advice_contact", name=name, phone=phone) for name, phone in contacts]
    return Markup(" ".join(lines))


def email(
    escalation: Escalation,
    *,
    reason: str,
    volunteer: str,
    told: Sequence[str],
    unreachable: Sequence[str],
    lang: str,
    zone: ZoneInfo,
    now: datetime,
    organisation: str,
) -> tuple[str, str]:
    """The e-mail's subject and plain-text body: what and where, as much as the alert says and no more."""
    viewer = Viewer(person_id=0, language=lang, zone=zone)
    text, _ = alert(escalation, viewer, {escalation.volunteer_id: volunteer}, now)
    what = plain(lang, f"kind.{escalation.kind.value}")
    subject = plain(
        lang, f"email.subject.{reason}", organisation=organisation, kind=what, client=client(escalation, lang)
    )
    body = plain(
        lang,
        f"email.body.{reason}",
        organisation=organisation,
        alert=_plain_text(text),
        told=", ".join(told) or plain(lang, "email.nobody"),
        unreachable=", ".join(unreachable) or plain(lang, "email.nobody"),
    )
    return subject, body


def _plain_text(markup: str) -> str:
    """Telegram HTML as plain text, for an e-mail."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def names_needed(escalation: Escalation) -> set[int]:
    """Whose names `alert`, `status` and `current` may show for this item."""
    ids = (escalation.volunteer_id, escalation.owner_id, escalation.resolved_by, escalation.handoff_to)
    return {i for i in ids if i is not None}


def time_of_day(moment: datetime, zone: ZoneInfo) -> str:
    """The time of day ("14:30") in this zone."""
    return moment.astimezone(zone).strftime("%H:%M")


def _name(names: Mapping[int, str], person_id: int | None) -> str:
    return names.get(person_id or 0, "?")  # a name not looked up (no such person): the alert still reads


def _body(body: str, lang: str, *, used: int, quoted: bool = True) -> str:
    """The volunteer's words, escaped, trimmed with a note if the alert would pass Telegram's limit."""
    if not body:
        return ""
    key = "alert.body" if quoted else "alert.lines"
    room = MESSAGE_LIMIT - used - SPARE
    if telegram_length(body) <= room:
        return t(lang, key, text=body)
    return t(lang, key, text=_cut(body, max(0, room))) + t(lang, "alert.trimmed")


def telegram_length(text: str) -> int:
    """Length as Telegram counts it, in UTF-16 code units: an emoji outside the BMP counts twice."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, units: int) -> str:
    """The longest start of text that takes at most `units` UTF-16 code units, no emoji cut in half."""
    return text.encode("utf-16-le")[: units * 2].decode("utf-16-le", errors="ignore")
