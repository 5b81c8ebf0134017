"""Telegram command menus, per person and language (BotCommandScopeChat)."""

from __future__ import annotations

import logging

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.config import Settings
from bot.domain.commands import STRANGER_COMMANDS, commands_for
from bot.domain.models import Person
from bot.i18n import LANGUAGES, plain

log = logging.getLogger(__name__)


class MenuService:
    def __init__(self, bot: Bot, settings: Settings) -> None:
        self._bot = bot
        self._settings = settings

    async def set_defaults(self) -> None:
        """The menu strangers see: only /start. Per-language variants follow the phone's language."""
        try:
            for language in LANGUAGES:
                await self._bot.set_my_commands(
                    [BotCommand(c, plain(language, f"cmd.{c}")) for c in STRANGER_COMMANDS],
                    scope=BotCommandScopeAllPrivateChats(),
                    language_code=language,
                )
            await self._bot.set_my_commands(
                [BotCommand(c, plain(self._settings.app.language, f"cmd.{c}")) for c in STRANGER_COMMANDS],
                scope=BotCommandScopeAllPrivateChats(),
            )
        except TelegramError as exc:  # a menu is a convenience; the bot works without it
            log.warning("could not set the default command menu: %s", exc)

    async def clear(self, telegram_id: int) -> None:
        """Someone erased: their chat falls back to the default (stranger) menu."""
        try:
            await self._bot.delete_my_commands(scope=BotCommandScopeChat(telegram_id))
        except TelegramError as exc:
            log.warning("could not clear a command menu: %s", exc)

    async def refresh(self, person: Person) -> None:
        """Set this person's menu to their roles' commands, in their language."""
        if person.telegram_id is None:
            return
        scope = BotCommandScopeChat(person.telegram_id)
        try:
            if not person.active:
                await self._bot.delete_my_commands(scope=scope)
                return
            commands = [BotCommand(c, plain(person.language, f"cmd.{c}")) for c in commands_for(person.roles)]
            await self._bot.set_my_commands(commands, scope=scope)
        except TelegramError as exc:
            log.warning("could not set the command menu for person %d: %s", person.id, exc)
