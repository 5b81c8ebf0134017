"""What every flow shares: replies from the catalogue, keyboards, role checks, pickers."""

from __future__ import annotations

import asyncio
import functools
import logging
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from datetime import date, datetime, time, timedelta
from typing import TypeAlias, TypeVar
from zoneinfo import ZoneInfo

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.context import Context
from bot.delivery import retry_after_seconds
from bot.domain.callbacks import CallbackData
from bot.domain.lanes import Lane
from bot.domain.models import Person, Role
from bot.i18n import DEFAULT_LANGUAGE, Markup, language_for, plain, t
from bot.services.errors import Refused

log = logging.getLogger(__name__)

Button: TypeAlias = tuple[str, str | CallbackData]  # (label, callback data)
Rows: TypeAlias = list[list[Button]]  # a keyboard being built
Keyboard: TypeAlias = Sequence[Sequence[Button]]  # a keyboard to send
Handler: TypeAlias = Callable[[Update, Context], Coroutine[object, object, None]]
PersonHandler: TypeAlias = Callable[[Update, Context, Person], Awaitable[None]]

PAGE_SIZE = 8


def language(update: Update, context: Context) -> str:
    if context.person is not None:
        return context.person.language
    user = update.effective_user
    default = context.services.settings.app.language if context.bot_data.services else DEFAULT_LANGUAGE
    return language_for(user.language_code if user else None, default)


def markup(rows: Keyboard | None) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(label, callback_data=_packed(data)) for label, data in row] for row in rows]
    )


def _packed(data: str | CallbackData) -> str:
    return data if isinstance(data, str) else data.pack()


class CancelPressed(CallbackData, prefix="x", action="cancel"):
    """A cancel button names its flow: an old one must not stop a newer flow."""

    flow: str


def cancel_row(lang: str, flow: str) -> list[Button]:
    return [(plain(lang, "button.cancel"), CancelPressed(flow=flow))]


# A direct reply is retried briefly when Telegram says it was not taken (429, a 5xx, a refused connection):
# the person is waiting for it, and only their own updates queue behind it. A timeout is not retried
# (the reply may have arrived); the error handler then says Telegram faltered.
REPLY_TRIES = 3
REPLY_MAX_WAIT = 5.0

_Result = TypeVar("_Result")


async def patiently(call: Callable[[], Awaitable[_Result]]) -> _Result:
    for attempt in range(1, REPLY_TRIES + 1):
        try:
            return await call()
        except RetryAfter as exc:
            wait = retry_after_seconds(exc)
            if attempt == REPLY_TRIES or wait > REPLY_MAX_WAIT:
                raise
            await asyncio.sleep(wait)
        except (TimedOut, BadRequest):
            # A timeout may have been delivered; a bad request ("message is not modified", "message to edit not
            # found") is Telegram's answer and the same again gets the same answer, though PTB makes it a
            # NetworkError: retrying it only made the person wait 0.6 s for nothing.
            raise
        except NetworkError:
            if attempt == REPLY_TRIES:
                raise
            await asyncio.sleep(0.2 * attempt)
    raise AssertionError("unreachable")


async def say(
    update: Update, context: Context, text: str, rows: Keyboard | None = None, *, lane: Lane = Lane.NOW
) -> Message | None:
    """Send a message (already rendered Telegram HTML) to the chat the update came from; a direct reply is what
    the person is waiting for, so it takes its turn in the shared rate budget before the outbox's bulk."""
    chat = update.effective_chat
    if chat is None:
        return None
    return await patiently(
        lambda: context.bot.send_message(
            chat.id, text, parse_mode=ParseMode.HTML, reply_markup=markup(rows), rate_limit_args=lane
        )
    )


async def reply(
    update: Update,
    context: Context,
    key: str,
    rows: Keyboard | None = None,
    *,
    lane: Lane = Lane.NOW,
    **values: object,
) -> None:
    await say(update, context, t(language(update, context), key, **values), rows, lane=lane)


async def show(update: Update, context: Context, text: str, rows: Keyboard | None = None) -> None:
    """Answer a button press by editing its message in place; a new message for typed input."""
    query = update.callback_query
    if query is not None and query.message is not None and isinstance(query.message, Message):
        try:
            await patiently(lambda: query.edit_message_text(text, parse_mode=ParseMode.HTML, reply_markup=markup(rows)))
            return
        except BadRequest as exc:
            if "not modified" in str(exc).lower():
                return
            log.info("could not edit message, sending a new one: %s", exc)
        except TimedOut:
            raise  # the edit may well have landed: no second copy
        except NetworkError as exc:
            log.info("Telegram kept refusing an edit, sending a new message: %s", exc)
    await say(update, context, text, rows)


async def drop_rows(update: Update, *, pressed: Sequence[str | CallbackData]) -> None:
    """Take the rows holding any of these buttons off the pressed message: what was answered leaves the list.
    Only a nicety (the press itself is what counts), so a failed edit is logged and left."""
    query = update.callback_query
    if query is None or not isinstance(query.message, Message) or query.message.reply_markup is None:
        return
    gone = {_packed(data) for data in pressed}
    rows = query.message.reply_markup.inline_keyboard
    kept = [row for row in rows if not any(button.callback_data in gone for button in row)]
    if len(kept) == len(rows):
        return
    try:
        await patiently(lambda: query.edit_message_reply_markup(InlineKeyboardMarkup(kept) if kept else None))
    except (BadRequest, NetworkError, RetryAfter) as exc:
        log.info("could not take the answered buttons off a message: %s", exc)


async def toast(query: CallbackQuery, lang: str, key: str, *, alert: bool = False, **values: object) -> None:
    text = plain(lang, key, **values)
    await query.answer(text[:200], show_alert=alert)


def refusal_text(lang: str, refused: Refused) -> Markup:
    if refused.reason == "not_allowed" and "roles" not in refused.values:
        return t(lang, "not_allowed", roles=plain(lang, "roles.coordinator"))
    return t(lang, refused.reason, **refused.values)


def requires(*roles: Role) -> Callable[[PersonHandler], Handler]:
    """Only registered people with one of these roles; decided from stored roles on every update."""

    def wrap(func: PersonHandler) -> Handler:
        @functools.wraps(func)
        async def handler(update: Update, context: Context) -> None:
            person = context.person
            if person is None:
                return  # the gate already answered strangers
            if roles and not any(person.has(r) for r in roles):
                lang = person.language
                names = " / ".join(plain(lang, f"roles.{r.value}") for r in roles)
                if update.callback_query is not None:
                    await toast(update.callback_query, lang, "not_allowed", alert=True, roles=names)
                else:
                    await reply(update, context, "not_allowed", roles=names)
                return
            try:
                await func(update, context, person)
            except Refused as refused:
                text = refusal_text(person.language, refused)
                if update.callback_query is not None:
                    await update.callback_query.answer()
                    await show(update, context, text)
                else:
                    await say(update, context, text)
                if refused.reason in ("flow.person_gone", "button.expired"):
                    await context.services.drafts.clear(person.id)

        return handler

    return wrap


def pick_rows(
    lang: str,
    flow: str,
    options: Sequence[Button],
    *,
    page: int,
    page_data: Callable[[int], str | CallbackData],
    extra: Sequence[Button] = (),
    per_row: int = 2,
) -> Rows:
    """A page of choices, two a row, with paging buttons and a cancel button."""
    start = page * PAGE_SIZE
    chunk = list(options[start : start + PAGE_SIZE])
    rows: Rows = [list(chunk[i : i + per_row]) for i in range(0, len(chunk), per_row)]
    nav: list[Button] = []
    if page > 0:
        nav.append((plain(lang, "button.back_page"), page_data(page - 1)))
    if start + PAGE_SIZE < len(options):
        nav.append((plain(lang, "button.more"), page_data(page + 1)))
    if nav:
        rows.append(nav)
    if extra:
        rows.append(list(extra))
    rows.append(cancel_row(lang, flow))
    return rows


def command_arguments(update: Update) -> str:
    """The text after '/command', trimmed."""
    message = update.effective_message
    text = message.text if message and message.text else ""
    parts = text.split(maxsplit=1)
    return parts[1].strip() if len(parts) > 1 else ""


def until_after(day: date, zone: ZoneInfo) -> datetime:
    """Away or paused through `day`: back at the start of the next one."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=zone)


def say_day(lang: str, day: date) -> Markup:
    return t(
        lang,
        "date.day",
        weekday=plain(lang, f"day.{day.weekday()}"),
        day=day.day,
        month=plain(lang, f"month.{day.month}"),
    )
