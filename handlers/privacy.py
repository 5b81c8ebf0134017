"""Subject rights in the bot: /mydata sends what is stored, /forget erases it after a confirmation."""

from __future__ import annotations

from telegram import InputFile, Update
from telegram.constants import ParseMode

from bot.context import Context
from bot.domain.callbacks import pack, unpack
from bot.domain.models import Person
from bot.i18n import plain, t
from handlers.common import Rows, cancel_row, requires, say, show, toast


@requires()
async def mydata_command(update: Update, context: Context, person: Person) -> None:
    chat = update.effective_chat
    assert chat is not None
    name, document = await context.services.privacy.export(person)
    await context.bot.send_document(
        chat.id,
        InputFile(document, filename=name),
        caption=t(person.language, "mydata.caption", organisation=context.services.settings.app.organisation),
        parse_mode=ParseMode.HTML,
    )


@requires()
async def forget_command(update: Update, context: Context, person: Person) -> None:
    await context.services.privacy.check_may_leave(person)
    await context.services.drafts.put(person.id, "forget", "confirm")
    lang = person.language
    rows: Rows = [[(plain(lang, "button.forget.yes"), pack("fg", "yes"))], cancel_row(lang, "forget")]
    await say(update, context, t(lang, "forget.confirm", organisation=context.services.settings.app.organisation), rows)


@requires()
async def forget_button(update: Update, context: Context, person: Person) -> None:
    query = update.callback_query
    assert query is not None
    draft = await context.services.drafts.get(person.id)
    # Only the confirmation the person was just shown counts; an old or forged button changes nothing.
    if unpack(query.data, "fg", 1) != ["yes"] or draft is None or (draft.flow, draft.step) != ("forget", "confirm"):
        await toast(query, person.language, "button.expired")
        return
    await query.answer()
    handed = await context.services.privacy.forget(person)
    await show(update, context, t(person.language, "forget.done_self", handed=handed))
    if person.telegram_id is not None:
        await context.services.menus.clear(person.telegram_id)
