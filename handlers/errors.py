"""The last line: log the failure (never message contents) and tell the person kindly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import NetworkError, RetryAfter, TelegramError

from bot.context import Context
from bot.i18n import plain, t
from handlers.common import language

log = logging.getLogger(__name__)


async def on_error(update: object, context: Context) -> None:
    error = context.error
    log.error("error while handling an update: %s", type(error).__name__, exc_info=error)
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.effective_chat.type != ChatType.PRIVATE:
        return
    lang = language(update, context)
    # When Telegram faltered, whatever the handler had stored stays stored: don't claim nothing changed.
    key = "error.telegram" if isinstance(error, NetworkError | RetryAfter) else "error.generic"
    if update.callback_query is not None:
        try:
            await update.callback_query.answer(plain(lang, key)[:200], show_alert=True)
            return
        except TelegramError:
            pass  # the press was answered already (or Telegram faltered): say it in the chat instead
    try:
        await context.bot.send_message(update.effective_chat.id, t(lang, key), parse_mode="HTML")
    except TelegramError:
        log.warning("could not tell the person about the error")
