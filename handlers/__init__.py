"""Telegram conversation flows. `register` adds them all, in order, in one place."""

from __future__ import annotations

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

from handlers import (
    checkins,
    coordinator,
    errors,
    fallback,
    gate,
    onboarding,
    privacy,
    professional,
    reports,
    schedules,
    visits,
)

GATE_GROUP = -1


def register(app: Application[Any, Any, Any, Any, Any, Any]) -> None:
    private = filters.ChatType.PRIVATE
    app.add_handler(TypeHandler(Update, gate.gate), group=GATE_GROUP)

    commands = {
        "start": onboarding.start,
        "help": onboarding.help_command,
        "language": onboarding.language_command,
        "cancel": onboarding.cancel_command,
        "invite": coordinator.invite_command,
        "people": coordinator.people_command,
        "assign": coordinator.assign_command,
        "link": coordinator.link_command,
        "agreement": coordinator.agreement_command,
        "remove": coordinator.remove_command,
        "signal": reports.signal_command,
        "backup": reports.backup_command,
        "mine": reports.mine_command,
        "open": professional.open_command,
        "away": professional.away_command,
        "back": professional.back_command,
        "workhours": professional.workhours_command,
        "checkin": checkins.checkin_command,
        "pause": checkins.pause_command,
        "resume": checkins.resume_command,
        "me": checkins.me_command,
        "schedule": schedules.schedule_command,
        "visit": visits.visit_command,
        "done": visits.done_command,
        "mydata": privacy.mydata_command,
        "forget": privacy.forget_command,
    }
    for name, callback in commands.items():
        app.add_handler(CommandHandler(name, callback, filters=private))

    buttons = {
        "x": onboarding.cancel_button,
        "lang": onboarding.language_chosen,
        "inv": coordinator.invite_button,
        "asg": coordinator.assign_button,
        "lnk": coordinator.link_button,
        "agr": coordinator.agreement_button,
        "rm": coordinator.remove_button,
        "sig": reports.report_button,
        "bkp": reports.report_button,
        "esc": professional.escalation_button,
        "ci": checkins.checkin_button,
        "sch": schedules.schedule_button,
        "vis": visits.visit_button,
        "fg": privacy.forget_button,
    }
    for prefix, callback in buttons.items():
        app.add_handler(CallbackQueryHandler(callback, pattern=f"^{prefix}:"))
    app.add_handler(CallbackQueryHandler(fallback.unknown_button))

    app.add_handler(MessageHandler(private & filters.COMMAND, fallback.unknown_command))
    app.add_handler(MessageHandler(private & filters.TEXT, fallback.text_message))
    app.add_handler(MessageHandler(private & ~filters.TEXT & ~filters.StatusUpdate.ALL, fallback.other_message))
    app.add_error_handler(errors.on_error)
