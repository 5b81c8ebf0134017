"""Subject rights in the bot: /mydata sends what is stored, /forget erases it after a confirmation."""

from __future__ import annotations

from telegram import InputFile
from telegram.constants import ParseMode

from bot.domain.callbacks import CallbackData
from bot.i18n import plain, t
from handlers.common import Rows
from handlers.flow import ROUTER, Empty, Flow, FlowTurn, Turn

forget = Flow("forget", Empty, command="forget")


class ForgetConfirmed(CallbackData, prefix="fg", action="yes"):
    pass


@ROUTER.command("mydata")
async def mydata_command(turn: Turn) -> None:
    """Everything stored about the person, as a JSON file."""
    chat = turn.update.effective_chat
    assert chat is not None
    name, document = await turn.services.privacy.export(turn.person)
    organisation = turn.services.settings.app.organisation
    await turn.context.bot.send_document(
        chat.id,
        InputFile(document, filename=name),
        caption=t(turn.lang, "mydata.caption", organisation=organisation),
        parse_mode=ParseMode.HTML,
    )
    await turn.say(await turn.services.privacy.readable(turn.person))


@ROUTER.command("forget")
async def forget_command(turn: Turn) -> None:
    """Ask to confirm (the last coordinator may not leave)."""
    await turn.services.privacy.check_may_leave(turn.person)
    await forget.start(turn, "confirm", Empty())
    rows: Rows = [[(plain(turn.lang, "button.forget.yes"), ForgetConfirmed())], forget.cancel_row(turn.lang)]
    await turn.reply("forget.confirm", rows, organisation=turn.services.settings.app.organisation)


@forget.button(ForgetConfirmed, "confirm")
async def forget_confirmed(turn: FlowTurn[Empty], press: ForgetConfirmed, draft: Empty) -> None:
    """Erase the person; only the confirmation they were just shown counts."""
    await turn.answer()
    handed = await turn.services.privacy.forget(turn.person)
    await turn.show(t(turn.lang, "forget.done_self", handed=handed))
    if turn.person.telegram_id is not None:
        await turn.services.menus.clear(turn.person.telegram_id)
