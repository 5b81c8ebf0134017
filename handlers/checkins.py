"""The volunteer's check-in (five taps, under a minute), /pause, /resume and /me."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.domain.callbacks import as_id, pack, unpack
from bot.domain.dates import parse_date
from bot.domain.models import Draft, Person, Role
from bot.domain.onboarding import format_hours, parse_hours
from bot.domain.privacy import screen
from bot.domain.timefmt import say_time
from bot.i18n import Markup, plain, t
from bot.services.checkins import COMMENT_LIMIT, HOURS_BUCKETS, MAX_TYPED_HOURS, Recognition, hours_keyboard
from bot.services.errors import Refused
from handlers.common import Rows, cancel_row, command_arguments, requires, say, say_day, show, toast, until_after
from handlers.flows import text_step
from handlers.reports import client_rows, screening_text


def _rows(keyboard: list[list[dict[str, str]]]) -> Rows:
    return [[(b["text"], b["data"]) for b in row] for row in keyboard]


def _question(lang: str, step: str, checkin_id: int) -> tuple[Markup, Rows]:
    def button(key: str, value: str) -> tuple[str, str]:
        return plain(lang, key), pack("ci", step, checkin_id, value)

    if step == "e":
        labels = {1: "1 😩", 2: "2", 3: "3", 4: "4", 5: "5 😄"}
        return t(lang, "ci.energy"), [[(labels[n], pack("ci", "e", checkin_id, n)) for n in range(1, 6)]]
    if step == "c":
        return t(lang, "ci.contact"), [
            [button("button.ci.no", "no"), button("button.ci.once", "once"), button("button.ci.several", "several")]
        ]
    if step == "p":
        return t(lang, "ci.private"), [[button("button.ci.no", "0"), button("button.ci.yes", "1")]]
    if step == "r":
        return t(lang, "ci.role"), [[button("button.ci.no", "0"), button("button.ci.yes", "1")]]
    if step == "b":
        return t(lang, "ci.offer_backup"), [[button("button.ci.backup", "yes"), button("button.ci.not_now", "no")]]
    return t(lang, "ci.comment"), [[button("button.ci.done", "done")]]


def _thanks(lang: str, name: str, recognition: Recognition) -> Markup:
    hours = format_hours(round(recognition.month_hours, 1), lang)
    if recognition.agreed_month_hours is None:
        return t(lang, "ci.thanks_no_agreement", name=name, hours=hours)
    agreed = format_hours(round(recognition.agreed_month_hours), lang)
    return t(lang, "ci.thanks", name=name, hours=hours, agreed=agreed)


@requires(Role.VOLUNTEER)
async def checkin_command(update: Update, context: Context, person: Person) -> None:
    services = context.services
    checkin = await services.checkins.start(person)
    await services.drafts.put(person.id, "checkin", "hours", checkin=checkin.id)
    await say(update, context, t(person.language, "ci.start"), _rows(hours_keyboard(person.language, checkin.id)))


def _expected_question(draft: Draft | None, checkin_id: int) -> str | None:
    """The question of this check-in the volunteer has on screen now, or None when none is in progress."""
    if draft is None or draft.flow != "checkin" or draft.data.get("checkin") != checkin_id:
        return None
    by_step = {"hours": "h", "comment": "d", "comment_screen": "s"}
    if draft.step in by_step:
        return by_step[draft.step]
    question = draft.data.get("q")
    return question if isinstance(question, str) else None


@requires(Role.VOLUNTEER)
async def checkin_button(update: Update, context: Context, person: Person) -> None:
    query = update.callback_query
    assert query is not None
    lang = person.language
    services = context.services
    parts = unpack(query.data, "ci", 3)
    checkin_id = as_id(parts[1]) if parts else None
    if parts is None or checkin_id is None:
        await toast(query, lang, "button.expired")
        return
    step, value = parts[0], parts[2]
    expected = _expected_question(await services.drafts.get(person.id), checkin_id)
    # Only the question on screen counts: an earlier question's button (a replay, or an old message) would
    # overwrite an answer. A scheduled prompt's first question also works without a draft (the service
    # checks the check-in is still open and the volunteer's own).
    if step != expected and not (step == "h" and expected is None):
        await toast(query, lang, "button.expired")
        return
    answers: dict[str, tuple[str, dict[str, object], str]] = {
        # step: (column, accepted values -> stored value, next step)
        "h": ("hours", {k.replace("+", "p"): v for k, v in HOURS_BUCKETS.items()}, "e"),
        "e": ("energy", {str(n): n for n in range(1, 6)}, "c"),
        "c": ("contact_outside", {"no": "no", "once": "once", "several": "several"}, "p"),
        "p": ("private_life", {"0": 0, "1": 1}, "r"),
        "r": ("beyond_role", {"0": 0, "1": 1}, "d"),
    }
    try:
        if step in answers:
            column, accepted, following = answers[step]
            if value not in accepted:
                await toast(query, lang, "button.expired")
                return
            await services.checkins.answer(person, checkin_id, column, accepted[value])
            if step == "r" and value == "1":
                following = "b"  # beyond the role: offer backup at once
            if following == "d":
                await services.drafts.put(person.id, "checkin", "comment", checkin=checkin_id)
            else:
                # Hours are in: typed text no longer counts as hours; the next question is remembered.
                await services.drafts.put(person.id, "checkin", "buttons", checkin=checkin_id, q=following)
            await query.answer()
            await show(update, context, *_question(lang, following, checkin_id))
            return
        if step == "b" and value in ("yes", "no"):
            if value == "no":
                await services.checkins.answer(person, checkin_id, "comment", None)  # checks it is still open
                await services.drafts.put(person.id, "checkin", "comment", checkin=checkin_id)
                await query.answer()
                await show(update, context, *_question(lang, "d", checkin_id))
                return
            recognition = await services.checkins.finish(person, checkin_id, None)
            await query.answer()
            await show(update, context, _thanks(lang, person.name, recognition))
            # Straight into a backup request, the client question first.
            await services.drafts.put(person.id, "backup", "client", kind="advise")
            await say(
                update,
                context,
                Markup(t(lang, "ci.backup_started") + "\n" + t(lang, "signal.ask_client")),
                await client_rows(context, person, "backup"),
            )
            return
        if step == "s" and value in ("edit", "anyway"):
            held = services.drafts.take(person.id)
            await query.answer()
            if value == "anyway" and held is not None:
                recognition = await services.checkins.finish(person, checkin_id, held)
                await show(update, context, _thanks(lang, person.name, recognition))
                return
            await services.drafts.put(person.id, "checkin", "comment", checkin=checkin_id)
            await show(update, context, *_question(lang, "d", checkin_id))
            return
        if step == "d" and value == "done":
            recognition = await services.checkins.finish(person, checkin_id, None)
            await query.answer()
            await show(update, context, _thanks(lang, person.name, recognition))
            return
    except Refused as refused:
        await toast(query, lang, refused.reason, alert=False, **refused.values)
        return
    await toast(query, lang, "button.expired")


@text_step("checkin")
async def checkin_text(update: Update, context: Context, person: Person, draft: Draft, text: str) -> None:
    lang = person.language
    services = context.services
    checkin_id = draft.data.get("checkin")
    if not isinstance(checkin_id, int):
        await services.drafts.clear(person.id)
        return
    try:
        if draft.step == "hours":
            hours = parse_hours(text, MAX_TYPED_HOURS)
            if hours is None:
                await say(update, context, t(lang, "ci.bad_hours"), _rows(hours_keyboard(lang, checkin_id)))
                return
            await services.checkins.answer(person, checkin_id, "hours", hours)
            await services.drafts.put(person.id, "checkin", "buttons", checkin=checkin_id, q="e")
            await say(update, context, *_question(lang, "e", checkin_id))
            return
        if draft.step == "comment":
            comment = text.strip()
            if len(comment) > COMMENT_LIMIT:
                await say(update, context, t(lang, "too_long", limit=COMMENT_LIMIT, length=len(comment)))
                return
            findings = screen(comment, current_year=services.clock.now().year)
            if findings:
                # Held in memory only, like a report's text, until the volunteer chooses.
                services.drafts.hold(person.id, comment)
                await services.drafts.put(person.id, "checkin", "comment_screen", checkin=checkin_id)
                rows: Rows = [
                    [
                        (plain(lang, "button.edit"), pack("ci", "s", checkin_id, "edit")),
                        (plain(lang, "button.send_anyway"), pack("ci", "s", checkin_id, "anyway")),
                    ]
                ]
                await say(update, context, screening_text(lang, findings, "privacy.found_comment"), rows)
                return
            recognition = await services.checkins.finish(person, checkin_id, comment or None)
            await say(update, context, _thanks(lang, person.name, recognition))
            return
    except Refused as refused:
        await services.drafts.clear(person.id)
        await say(update, context, t(lang, refused.reason, **refused.values))
        return
    await say(update, context, t(lang, "ci.use_buttons"), [cancel_row(lang, "checkin")])


@requires(Role.VOLUNTEER)
async def pause_command(update: Update, context: Context, person: Person) -> None:
    lang = person.language
    services = context.services
    argument = command_arguments(update)
    zone = services.settings.app.zone
    if not argument:
        await services.checkins.pause(person, None)
        await say(update, context, t(lang, "pause.set_open"))
        return
    today = services.clock.now().astimezone(zone).date()
    day = parse_date(argument, today)
    if day is None or day < today:
        await say(update, context, t(lang, "pause.bad"))
        return
    until = until_after(day, zone)
    await services.checkins.pause(person, until)
    shown = say_day(lang, day)
    await say(update, context, t(lang, "pause.set", until=shown))


@requires(Role.VOLUNTEER)
async def resume_command(update: Update, context: Context, person: Person) -> None:
    resumed = await context.services.checkins.resume(person)
    await say(update, context, t(person.language, "resume.done" if resumed else "resume.not_paused"))


@requires(Role.VOLUNTEER)
async def me_command(update: Update, context: Context, person: Person) -> None:
    lang = person.language
    services = context.services
    now = services.clock.now()
    zone = services.settings.app.zone
    recent = await services.checkins.recent(person)
    lines: list[str] = []
    if recent:
        lines.append(t(lang, "me.header"))
        for checkin in recent:
            when = say_time(checkin.answered_at or checkin.created_at, now, zone, lang)
            if checkin.state == "missed":
                lines.append(t(lang, "me.missed", when=when))
            else:
                lines.append(t(lang, "me.answered", when=when, hours=format_hours(checkin.hours or 0, lang)))
    else:
        lines.append(t(lang, "me.none"))
    recognition = await services.checkins.recognition(person)
    hours = format_hours(round(recognition.month_hours, 1), lang)
    if recognition.agreed_month_hours is None:
        lines.append("\n" + t(lang, "me.month_no_agreement", hours=hours))
    else:
        lines.append(
            "\n" + t(lang, "me.month", hours=hours, agreed=format_hours(round(recognition.agreed_month_hours), lang))
        )
    paused, _ = await services.checkins.pause_of(person)
    if paused:
        lines.append(t(lang, "me.paused"))
    lines.append(t(lang, "me.signals"))
    await say(update, context, Markup("\n".join(lines)))
