"""The volunteer's check-in (five taps, under a minute), /pause, /resume and /me.

Each question is a step of the "checkin" flow, and its buttons carry the check-in's id: only the question on
screen counts, so an earlier question's button (a replay, an old message) cannot overwrite an answer. The
hours question of a scheduled prompt is also answered without a draft; the service checks that the check-in
is still open and the volunteer's own.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, ClassVar, Literal

from bot.domain.callbacks import Bounds, CallbackData
from bot.domain.onboarding import format_hours, parse_hours
from bot.domain.screening import screen
from bot.domain.timefmt import say_time
from bot.i18n import Markup, plain, t
from bot.services.checkins import COMMENT_LIMIT, HOURS_BUCKETS, MAX_TYPED_HOURS, Recognition, hours_keyboard
from bot.services.errors import Refused
from handlers.choices import until_typed_day
from handlers.common import Button, Rows
from handlers.flow import ROUTER, Flow, FlowTurn, Toasts, Turn
from handlers.reports import ReportDraft, backup, report_client_rows, screening_text
from handlers.visits import pressed_message


@dataclass(frozen=True)
class CheckInDraft:
    checkin: int


checkin = Flow(
    "checkin",
    CheckInDraft,
    command="checkin",
    refusals=Toasts(),  # a closed check-in: a toast, the question stays as it was
    text_refusal_ends=True,
    elsewhere_cancel=True,
)


class CheckInPressed(CallbackData):
    """A button under a check-in question: `ci:<question>:<check-in>:<answer>`, also on scheduled prompts."""

    checkin: int


class HoursAnswer(CheckInPressed, prefix="ci", action="h"):
    bucket: str  # a key of HOURS_BUCKETS, "+" written "p"


class Answer(CheckInPressed):
    """An answer stored in one column of the check-in."""

    column: ClassVar[str]
    value: int | str

    def next_step(self) -> str:
        return QUESTION_AFTER[type(self)]


class EnergyAnswer(Answer, prefix="ci", action="e"):
    column = "energy"
    value: Annotated[int, Bounds(1, 5)]


Contact = Literal["no", "once", "several"]
CONTACTS: tuple[Contact, ...] = ("no", "once", "several")


class ContactAnswer(Answer, prefix="ci", action="c"):
    column = "contact_outside"
    value: Contact


class PrivateLifeAnswer(Answer, prefix="ci", action="p"):
    column = "private_life"
    value: Annotated[int, Bounds(0, 1)]


class BeyondRoleAnswer(Answer, prefix="ci", action="r"):
    column = "beyond_role"
    value: Annotated[int, Bounds(0, 1)]

    def next_step(self) -> str:
        return "offer" if self.value == 1 else "comment"  # beyond the role: offer backup at once


class BackupOffer(CheckInPressed, prefix="ci", action="b"):
    choice: Literal["yes", "no"]


class CommentScreened(CheckInPressed, prefix="ci", action="s"):
    choice: Literal["edit", "anyway"]


class CommentDone(CheckInPressed, prefix="ci", action="d"):
    choice: Literal["done"]


# The step each answer is given at, and the step after it.
ANSWERED_AT: dict[type[Answer], str] = {
    EnergyAnswer: "energy",
    ContactAnswer: "contact",
    PrivateLifeAnswer: "private",
    BeyondRoleAnswer: "role",
}
QUESTION_AFTER: dict[type[Answer], str] = {EnergyAnswer: "contact", ContactAnswer: "private", PrivateLifeAnswer: "role"}
HOURS = {k.replace("+", "p"): v for k, v in HOURS_BUCKETS.items()}
# A number of hours however large ("1000 uur", "-3"): answered with the range rather than "type a number".
A_NUMBER = re.compile(r"\s*-?\d+(?:[.,]\d+)?\s*(?:u|uur|uren|h|hours?|hrs?)?\.?\s*", re.IGNORECASE | re.ASCII)
ENERGY_LABELS = {1: "1 😩", 2: "2", 3: "3", 4: "4", 5: "5 😄"}


def _question(lang: str, step: str, checkin_id: int) -> tuple[Markup, Rows]:
    """The question asked at this step, with its buttons."""

    def yes_no(answer: type[PrivateLifeAnswer | BeyondRoleAnswer]) -> list[Button]:
        return [
            (plain(lang, "button.ci.no"), answer(checkin_id, 0)),
            (plain(lang, "button.ci.yes"), answer(checkin_id, 1)),
        ]

    offer: list[Button] = [
        (plain(lang, "button.ci.backup"), BackupOffer(checkin_id, "yes")),
        (plain(lang, "button.ci.not_now"), BackupOffer(checkin_id, "no")),
    ]
    questions: dict[str, tuple[str, list[Button]]] = {
        "energy": ("ci.energy", [(ENERGY_LABELS[n], EnergyAnswer(checkin_id, n)) for n in range(1, 6)]),
        "contact": ("ci.contact", [(plain(lang, f"button.ci.{c}"), ContactAnswer(checkin_id, c)) for c in CONTACTS]),
        "private": ("ci.private", yes_no(PrivateLifeAnswer)),
        "role": ("ci.role", yes_no(BeyondRoleAnswer)),
        "offer": ("ci.offer_backup", offer),
        "comment": ("ci.comment", [(plain(lang, "button.ci.done"), CommentDone(checkin_id, "done"))]),
    }
    key, buttons = questions[step]
    return t(lang, key), [buttons]


def _thanks(lang: str, name: str, recognition: Recognition) -> Markup:
    """Thanks; when the check-in asks for attention, who hears of it; hours above the agreement not praised."""
    concern = recognition.concern
    if concern is not None:
        if concern.professional is None:
            return t(lang, "ci.thanks_concern_anyone", name=name)
        key = "ci.thanks_concern" if concern.new else "ci.thanks_concern_known"
        return t(lang, key, name=name, professional=concern.professional)
    hours = format_hours(round(recognition.month_hours, 1), lang)
    if recognition.agreed_month_hours is None:
        return t(lang, "ci.thanks_no_agreement", name=name, hours=hours)
    agreed = format_hours(round(recognition.agreed_month_hours), lang)
    key = "ci.thanks_over" if recognition.over_agreement else "ci.thanks"
    return t(lang, key, name=name, hours=hours, agreed=agreed)


def _hours_rows(lang: str, checkin_id: int) -> Rows:
    return [[(b["text"], b["data"]) for b in row] for row in hours_keyboard(lang, checkin_id)]


async def _ask(turn: FlowTurn[CheckInDraft], step: str, checkin_id: int, *, typed: bool = False) -> None:
    """Move to the question at `step` and put it on screen (in place of the one answered by a tap)."""
    await turn.go(step, CheckInDraft(checkin_id))
    if typed:
        return await turn.say(*_question(turn.lang, step, checkin_id))
    await turn.answer()
    await turn.show(*_question(turn.lang, step, checkin_id))


async def _finish(turn: FlowTurn[CheckInDraft], checkin_id: int, comment: str | None) -> None:
    recognition = await turn.services.checkins.finish(turn.person, checkin_id, comment)
    await turn.answer()
    await turn.show(_thanks(turn.lang, turn.person.name, recognition))


def _same_checkin(press: CheckInPressed, draft: CheckInDraft) -> bool:
    return press.checkin == draft.checkin


@ROUTER.command("checkin")
async def checkin_command(turn: Turn) -> None:
    """Start (or continue) this week's check-in with the hours question."""
    started = await turn.services.checkins.start(turn.person)
    await checkin.start(turn, "hours", CheckInDraft(started.id))
    await turn.reply("ci.start", _hours_rows(turn.lang, started.id))


@checkin.free(HoursAnswer)
async def hours_answered(turn: FlowTurn[CheckInDraft], press: HoursAnswer) -> None:
    """Hours, from /checkin or a scheduled prompt; not once this check-in has moved past them."""
    draft = await turn.draft()
    current = checkin.load(draft) if draft is not None and draft.flow == checkin.name else None
    past_hours = (
        current is not None and current.checkin == press.checkin and draft is not None and draft.step != "hours"
    )
    if press.bucket not in HOURS:
        return await turn.expired()
    if past_hours:
        raise Refused("ci.hours_answered")
    shown_in = pressed_message(turn)
    await turn.services.checkins.answer(turn.person, press.checkin, "hours", HOURS[press.bucket], shown_in=shown_in)
    # Hours are in: typed text no longer counts as hours; the next question is remembered.
    await _ask(turn, "energy", press.checkin)


async def question_answered(turn: FlowTurn[CheckInDraft], press: Answer, draft: CheckInDraft) -> None:
    """An answer to the question on screen: stored at once, then the next question."""
    await turn.services.checkins.answer(turn.person, press.checkin, press.column, press.value)
    await _ask(turn, press.next_step(), press.checkin)


for _answer, _step in ANSWERED_AT.items():
    checkin.button(_answer, _step, when=_same_checkin)(question_answered)


@checkin.button(BackupOffer, "offer", when=_same_checkin)
async def backup_offered(turn: FlowTurn[CheckInDraft], press: BackupOffer, draft: CheckInDraft) -> None:
    """Beyond the role: straight into a backup request, or on to the comment."""
    if press.choice == "no":
        await turn.services.checkins.answer(turn.person, press.checkin, "comment", None)  # checks it is still open
        return await _ask(turn, "comment", press.checkin)
    await _finish(turn, press.checkin, None)
    await backup.start(turn, "client", ReportDraft(kind="advise"))
    text = Markup(t(turn.lang, "ci.backup_started") + "\n" + t(turn.lang, "signal.ask_client"))
    await turn.say(text, await report_client_rows(turn, backup))


@checkin.button(CommentScreened, "comment_screen", when=_same_checkin)
async def comment_screened(turn: FlowTurn[CheckInDraft], press: CommentScreened, draft: CheckInDraft) -> None:
    """After screening: keep the held comment as it is, or type it again."""
    held = turn.services.drafts.take(turn.person.id)
    if press.choice == "anyway" and held is not None:
        return await _finish(turn, press.checkin, held)
    await _ask(turn, "comment", press.checkin)


@checkin.button(CommentDone, "comment", when=_same_checkin)
async def comment_skipped(turn: FlowTurn[CheckInDraft], press: CommentDone, draft: CheckInDraft) -> None:
    """Done without a comment."""
    await _finish(turn, press.checkin, None)


@checkin.text("hours")
async def hours_typed(turn: FlowTurn[CheckInDraft], text: str, draft: CheckInDraft) -> None:
    """Hours typed instead of tapped ("2,5")."""
    hours = parse_hours(text, MAX_TYPED_HOURS)
    if hours is None:
        rows = _hours_rows(turn.lang, draft.checkin)
        if A_NUMBER.fullmatch(text):
            return await turn.reply("ci.hours_range", rows, limit=format_hours(MAX_TYPED_HOURS, turn.lang))
        return await turn.reply("ci.bad_hours", rows)
    await turn.services.checkins.answer(turn.person, draft.checkin, "hours", hours)
    await _ask(turn, "energy", draft.checkin, typed=True)


@checkin.text("comment")
async def comment_typed(turn: FlowTurn[CheckInDraft], text: str, draft: CheckInDraft) -> None:
    """The comment: screened for personal data, then the check-in is done."""
    comment = text.strip()
    if len(comment) > COMMENT_LIMIT:
        return await turn.reply("too_long", limit=COMMENT_LIMIT, length=len(comment))
    findings = screen(comment, current_year=turn.services.clock.now().year)
    if findings:
        # Held in memory only, like a report's text, until the volunteer chooses.
        turn.services.drafts.hold(turn.person.id, comment)
        await turn.go("comment_screen", draft)
        edit, anyway = CommentScreened(draft.checkin, "edit"), CommentScreened(draft.checkin, "anyway")
        rows: Rows = [[(plain(turn.lang, "button.edit"), edit), (plain(turn.lang, "button.send_anyway"), anyway)]]
        return await turn.say(screening_text(turn.lang, findings, "privacy.found_comment"), rows)
    recognition = await turn.services.checkins.finish(turn.person, draft.checkin, comment or None)
    await turn.say(_thanks(turn.lang, turn.person.name, recognition))


@ROUTER.command("pause")
async def pause_command(turn: Turn) -> None:
    """No check-ins until /resume, or through the day typed after the command."""
    checkins, person = turn.services.checkins, turn.person
    await until_typed_day(turn, "pause", lambda until: checkins.pause(person, until), past="pause.bad")


@ROUTER.command("resume")
async def resume_command(turn: Turn) -> None:
    """Check-ins come again (before the day a pause was set for)."""
    resumed = await turn.services.checkins.resume(turn.person)
    await turn.reply("resume.done" if resumed else "resume.not_paused")


@ROUTER.command("me")
async def me_command(turn: Turn) -> None:
    """The volunteer's recent check-ins and hours this month."""
    lang, services = turn.lang, turn.services
    now, zone = services.clock.now(), services.settings.app.zone
    recent = await services.checkins.recent(turn.person)
    lines: list[str] = [t(lang, "me.header")] if recent else [t(lang, "me.none")]
    for answered in recent:
        when = say_time(answered.answered_at or answered.created_at, now, zone, lang)
        if answered.state == "missed":
            lines.append(t(lang, "me.missed", when=when))
        else:
            lines.append(t(lang, "me.answered", when=when, hours=format_hours(answered.hours or 0, lang)))
    recognition = await services.checkins.recognition(turn.person)
    hours = format_hours(round(recognition.month_hours, 1), lang)
    if recognition.agreed_month_hours is None:
        lines.append("\n" + t(lang, "me.month_no_agreement", hours=hours))
    else:
        agreed = format_hours(round(recognition.agreed_month_hours), lang)
        lines.append("\n" + t(lang, "me.month", hours=hours, agreed=agreed))
    paused, _ = await services.checkins.pause_of(turn.person)
    if paused:
        lines.append(t(lang, "me.paused"))
    lines.append(t(lang, "me.signals"))
    await turn.say(Markup("\n".join(lines)))
