"""The volunteer's own recognition: /hours (her hours statement as a PDF) and /summary on|off (the monthly
thank-you)."""

from __future__ import annotations

from telegram import InputFile
from telegram.constants import ParseMode

from bot.domain.onboarding import format_hours
from bot.i18n import t
from bot.services.recognition import font_folder, statement_pdf
from handlers.common import command_arguments
from handlers.flow import ROUTER, Turn


@ROUTER.command("hours")
async def hours_command(turn: Turn) -> None:
    """Her hours over the last twelve months as a PDF statement."""
    statement = await turn.services.recognition.statement(turn.person)
    chat = turn.update.effective_chat
    assert chat is not None
    document = InputFile(statement_pdf(turn.lang, statement, font_folder()), filename=f"inzet-{statement.issued}.pdf")
    caption = t(turn.lang, "hours.caption", total=format_hours(statement.total, turn.lang))
    await turn.context.bot.send_document(chat.id, document, caption=caption, parse_mode=ParseMode.HTML)


@ROUTER.command("summary")
async def summary_command(turn: Turn) -> None:
    """`/summary off` stops the monthly thank-you, `/summary on` brings it back."""
    choice = command_arguments(turn.update).casefold()
    if choice not in ("on", "off", "aan", "uit"):
        return await turn.reply("summary.how")
    on = choice in ("on", "aan")
    await turn.services.recognition.set_summary(turn.person, on=on)
    await turn.reply("summary.on" if on else "summary.off")
