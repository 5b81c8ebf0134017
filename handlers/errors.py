"""The last line: log the failure (never message contents) and tell the person kindly."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.error import TelegramError

from bot.app import Context
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
    try:
        if update.callback_query is not None:
            await update.callback_query.answer(plain(lang, "error.generic")[:200], show_alert=True)
        else:
            await context.bot.send_message(update.effective_chat.id, t(lang, "error.generic"), parse_mode="HTML")
    except TelegramError:
        log.warning("could not tell the person about the error")
