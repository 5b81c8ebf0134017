"""Telegram conversation flows. `register` adds them all, in order, in one place.

Importing the flow modules files their commands and steps in `ROUTER` (`handlers/flow.py`); the
Application then gets one CommandHandler per command and one CallbackQueryHandler per button prefix.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import Message, MessageEntity, Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.context import Context
from handlers import (  # noqa: F401 - imported for the flows and commands they file in ROUTER
    checkins,
    errors,
    fallback,
    gate,
    handover,
    invites,
    links,
    monthly,
    onboarding,
    overview,
    people,
    privacy,
    professional,
    recognition,
    reports,
    review,
    schedules,
    socialmap,
    teams,
    visits,
)
from handlers.flow import ROUTER

GATE_GROUP = -1


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(TypeHandler(Update, gate.gate), group=GATE_GROUP)
    # One CommandHandler for every command, not one each: PTB asks each handler in turn whether an update is its
    # own, and thirty handlers each parsing the message were a tenth of the work of a /help.
    app.add_handler(CommandHandler(list(ROUTER.commands), _command, filters=private))
    for prefix, pressed in ROUTER.button_handlers().items():
        app.add_handler(CallbackQueryHandler(pressed, pattern=f"^{re.escape(prefix)}:"))
    app.add_handler(CallbackQueryHandler(fallback.unknown_button))

    app.add_handler(MessageHandler(private & filters.COMMAND, fallback.unknown_command))
    app.add_handler(MessageHandler(private & filters.TEXT, fallback.text_message))
    app.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, fallback.other_message))
    app.add_error_handler(errors.on_error)


async def _command(update: Update, context: Context) -> None:
    """The command's own handler; the CommandHandler in front of it already knows the message starts with one."""
    handler = ROUTER.commands.get(command_name(update.effective_message))
    if handler is not None:
        await handler(update, context)


def command_name(message: Message | None) -> str:
    """The command a message starts with, as PTB's CommandHandler reads it: lower case, without "@bot"."""
    if message is None or not message.text or not message.entities:
        return ""
    first = message.entities[0]
    if first.type != MessageEntity.BOT_COMMAND or first.offset != 0:
        return ""
    return message.text[1 : first.length].split("@")[0].lower()
