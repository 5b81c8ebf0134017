"""Telegram conversation flows. `register` adds them all, in order, in one place.

Importing the flow modules files their commands and steps in `ROUTER` (`handlers/flow.py`); the
Application then gets one CommandHandler per command and one CallbackQueryHandler per button prefix.
"""

from __future__ import annotations

import re
from typing import Any

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

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
    for name, command in ROUTER.commands.items():
        app.add_handler(CommandHandler(name, command, filters=private))
    for prefix, pressed in ROUTER.button_handlers().items():
        app.add_handler(CallbackQueryHandler(pressed, pattern=f"^{re.escape(prefix)}:"))
    app.add_handler(CallbackQueryHandler(fallback.unknown_button))

    app.add_handler(MessageHandler(private & filters.COMMAND, fallback.unknown_command))
    app.add_handler(MessageHandler(private & filters.TEXT, fallback.text_message))
    app.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, fallback.other_message))
    app.add_error_handler(errors.on_error)
