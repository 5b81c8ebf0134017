"""Typed text routed to the person's flow, and a kind answer to everything else."""

from __future__ import annotations

from telegram import Update

from bot.context import Context
from bot.domain.models import Person
from bot.i18n import t
from handlers.common import requires, say, toast
from handlers.flow import ROUTER, Turn


@requires()
async def text_message(update: Update, context: Context, person: Person) -> None:
    message = update.effective_message
    assert message is not None and message.text is not None
    await ROUTER.typed(Turn(update, context, person), message.text)


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
