"""Runs before every handler: private chats only, strangers get one polite answer and nothing is stored."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from bot.context import Context
from bot.domain.lanes import Lane
from bot.domain.ratelimit import Verdict
from bot.i18n import plain
from handlers.common import language, reply

log = logging.getLogger(__name__)


def _is_invite_start(update: Update) -> bool:
    message = update.message
    text = message.text if message and message.text else ""
    parts = text.split(maxsplit=1)
    return len(parts) == 2 and parts[0].split("@")[0] == "/start"


async def gate(update: Update, context: Context) -> None:
    chat = update.effective_chat
    user = update.effective_user
    if chat is None or user is None or user.is_bot:
        raise ApplicationHandlerStop
    if chat.type != ChatType.PRIVATE:
        await _group(update, context, chat.id)
        raise ApplicationHandlerStop
    verdict = context.services.limiter.check(user.id, context.services.monotonic())
    if verdict is not Verdict.ALLOW:
        await _too_many(update, context, told=verdict is Verdict.REFUSE)
        raise ApplicationHandlerStop
    person = await context.services.people.identify(user.id)
    if person is None:
        if _is_invite_start(update):
            return  # onboarding decides; it stores nothing unless the code is valid
        await _stranger(update, context)
        raise ApplicationHandlerStop
    context.person = person
    await context.services.people.seen(person)


async def _too_many(update: Update, context: Context, *, told: bool) -> None:
    # Checked before anyone is looked up, so a flood costs no database work; the language comes from the phone.
    lang = language(update, context)
    if update.callback_query is not None:
        # Every refused tap is answered (its spinner stops), with what to do: the message it is on is unchanged.
        await update.callback_query.answer(plain(lang, "rate_limited.button")[:200])
    elif not told and update.message is not None and update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, plain(lang, "rate_limited"))


async def _stranger(update: Update, context: Context) -> None:
    organisation = context.services.settings.app.organisation
    if update.callback_query is not None:  # stops the spinner; not a message, so outside the budget below
        await update.callback_query.answer(
            plain(language(update, context), "stranger", organisation=organisation)[:200], show_alert=True
        )
        return
    # One budget for all strangers' messages (no sender id is kept for it): over it, no answer at all.
    if (
        update.message is not None
        and context.services.strangers.check(0, context.services.monotonic()) is Verdict.ALLOW
    ):
        await reply(update, context, "stranger", lane=Lane.STRANGER, organisation=organisation)


async def _group(update: Update, context: Context, chat_id: int) -> None:
    if update.callback_query is not None:
        await update.callback_query.answer()
        return
    if update.message is None and update.my_chat_member is None:
        return
    if update.my_chat_member is not None and update.my_chat_member.new_chat_member.status in (
        "left",
        "kicked",
    ):
        return
    if await context.services.people.first_notice_for_group(chat_id):
        lang = context.services.settings.app.language
        await context.bot.send_message(chat_id, plain(lang, "group_only"))
