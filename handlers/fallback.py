"""Typed text routed to the person's flow, and a kind answer to everything else."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.domain.models import Person
from bot.i18n import t
from handlers.common import requires, say, toast
from handlers.flows import TEXT_STEPS

TEXT_LIMIT = 4000


@requires()
async def text_message(update: Update, context: Context, person: Person) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    text = message.text
    draft = await context.services.drafts.get(person.id)
    if draft is None or draft.flow not in TEXT_STEPS:
        await say(update, context, t(person.language, "no_flow_text"))
        return
    if len(text) > TEXT_LIMIT:
        await say(update, context, t(person.language, "too_long", limit=TEXT_LIMIT, length=len(text)))
        return
    await TEXT_STEPS[draft.flow](update, context, person, draft, text)


@requires()
async def other_message(update: Update, context: Context, person: Person) -> None:
    """Photos, voice, stickers, locations, files: not read, and said so."""
    draft = await context.services.drafts.get(person.id)
    await say(update, context, t(person.language, "only_text" if draft else "not_text_idle"))


@requires()
async def unknown_command(update: Update, context: Context, person: Person) -> None:
    await say(update, context, t(person.language, "unknown_command"))


@requires()
async def unknown_button(update: Update, context: Context, person: Person) -> None:
    query = update.callback_query
    assert query is not None
    await toast(query, person.language, "button.expired")
