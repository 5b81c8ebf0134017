"""The Bot API methods about the bot itself and lookups: getMe, webhooks, command menus, the menu
button, and getChat, getChatMember, getFile."""

from __future__ import annotations

import copy
import re

from .spec import JSONDict, bad
from .state import SimulatorState

_BOT_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")


class BotSettingsMethods(SimulatorState):
    """The bot's own settings and what it may look up."""

    def _get_me(self, params: JSONDict) -> JSONDict:
        return {
            **self._bot_user(),
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _ok(self, params: JSONDict) -> bool:
        return True

    def _set_webhook(self, params: JSONDict) -> bool:
        self._webhook_url = str(params.get("url") or "")
        self._webhook_secret = str(params.get("secret_token") or "")
        allowed = params.get("allowed_updates")
        self._webhook_allowed = [str(kind) for kind in allowed] if isinstance(allowed, list) and allowed else None
        if params.get("drop_pending_updates"):
            self._pending.clear()
        self._notify()  # the webhook sender starts posting
        return True

    def _delete_webhook(self, params: JSONDict) -> bool:
        self._webhook_url = ""
        if params.get("drop_pending_updates"):
            self._pending.clear()
            self._notify()
        return True

    def _get_webhook_info(self, params: JSONDict) -> JSONDict:
        return {
            "url": self._webhook_url,
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }

    def _commands_key(self, params: JSONDict) -> str:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise bad("can't parse BotCommandScope JSON object")
        scope_type = str(scope["type"])
        chat = scope.get("chat_id")
        if scope_type in ("chat", "chat_administrators", "chat_member"):
            if chat is None:
                raise bad("chat_id is empty")
            chat = self._resolve_chat(chat)
        language = params.get("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", str(language)):
            raise bad("invalid language code specified")
        return f"{scope_type}:{chat if chat is not None else ''}:{language}"

    def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params["commands"]
        if not isinstance(commands, list):
            raise bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise bad("too many commands specified")
        cleaned: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise bad("can't parse BotCommand JSON object")
            name = str(command.get("command", "")).removeprefix("/")
            description = str(command.get("description", ""))
            if not _BOT_COMMAND_RE.fullmatch(name):
                raise bad("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise bad("BOT_COMMAND_DESCRIPTION_INVALID")
            cleaned.append({"command": name, "description": description})
        key = self._commands_key(params)
        if cleaned:
            self.commands[key] = cleaned
        else:
            self.commands.pop(key, None)
        return True

    def _delete_my_commands(self, params: JSONDict) -> bool:
        self.commands.pop(self._commands_key(params), None)
        return True

    def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        return copy.deepcopy(self.commands.get(self._commands_key(params), []))

    def _set_chat_menu_button(self, params: JSONDict) -> bool:
        key = str(self._resolve_chat(params["chat_id"])) if "chat_id" in params else ""
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in ("default", "commands", "web_app"):
            raise bad("can't parse MenuButton JSON object")
        self.menu_buttons[key] = button
        return True

    def _get_chat_menu_button(self, params: JSONDict) -> JSONDict:
        key = str(self._resolve_chat(params["chat_id"])) if "chat_id" in params else ""
        return copy.deepcopy(self.menu_buttons.get(key) or self.menu_buttons.get("") or {"type": "default"})

    def _get_chat(self, params: JSONDict) -> JSONDict:
        value = params["chat_id"]
        chat_id = int(value) if str(value).lstrip("-").isdigit() else None
        if chat_id is None or chat_id not in self._chats:
            raise bad("chat not found")
        return {
            **self._chats[chat_id],
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }

    def _get_chat_member(self, params: JSONDict) -> JSONDict:
        chat_id = self._resolve_chat(params["chat_id"])
        user_id = int(params["user_id"])
        if user_id == self.bot_id:
            return {"status": "member", "user": self._bot_user()}
        user = self._users.get(user_id)
        if user is None or (chat_id > 0 and chat_id != user_id):
            raise bad("user not found")
        return {"status": "member", "user": user.to_json()}

    def _get_file(self, params: JSONDict) -> JSONDict:
        stored = self._files.get(str(params["file_id"]))
        if stored is None:
            raise bad("invalid file_id")
        return {
            "file_id": str(params["file_id"]),
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }
