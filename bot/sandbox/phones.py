"""The people's side of the simulator: what they do on their phones (write, tap a button) and what their
phones show (the bot's messages, answers to button presses), with a wait for a message. What only tests make
people do lives with the tests (tests/support/faulty_bot_api.py)."""

from __future__ import annotations

import asyncio
import copy
import hashlib
import re
from collections.abc import Callable

from .markup import utf16_len
from .spec import JSONDict
from .state import FakeUser, SentMessage, SimulatorState, UserMessage

_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")


class Phones(SimulatorState):
    """Acting as people and reading what they see."""

    def register_user(self, user: FakeUser) -> None:
        """Make the user's private chat known, as if they had started the bot."""
        with self._lock:
            self._users[user.id] = user
            self._chats[user.id] = user.chat_json()

    def send_update(self, update: JSONDict) -> int:
        """Inject a raw update (its update_id is assigned); returns the update_id."""
        body = {key: value for key, value in update.items() if key != "update_id"}
        with self._lock:
            for value in body.values():
                chat = value.get("chat") if isinstance(value, dict) else None
                if isinstance(chat, dict) and isinstance(chat.get("id"), int):
                    self._chats.setdefault(chat["id"], chat)
            update_id = self._next_update_id
            self._next_update_id += 1
            self._pending.append({"update_id": update_id, **body})
            self._seq += 1
            message = body.get("message")
            if isinstance(message, dict) and isinstance(message.get("chat"), dict):
                chat_id = int(message["chat"]["id"])
                self._received.setdefault(chat_id, []).append(
                    UserMessage(
                        message_id=int(message["message_id"]),
                        chat_id=chat_id,
                        text=str(message.get("text") or message.get("caption") or ""),
                        date=int(message.get("date", 0)),
                        seq=self._seq,
                    )
                )
        self._notify()
        return update_id

    def _user_message(self, user: FakeUser, chat: JSONDict, content: JSONDict) -> JSONDict:
        self.register_user(user)
        with self._lock:
            chat_id = int(chat["id"])
            self._chats.setdefault(chat_id, chat)
            message_id = self._new_message_id(chat_id)
            self._incoming.setdefault(chat_id, set()).add(message_id)
        return {
            "message_id": message_id,
            "from": user.to_json(),
            "chat": dict(chat),
            "date": int(self.now()),
            **content,
        }

    @staticmethod
    def _text_content(text: str) -> JSONDict:
        content: JSONDict = {"text": text}
        command = _COMMAND_RE.match(text)
        if command:
            content["entities"] = [{"type": "bot_command", "offset": 0, "length": utf16_len(command.group())}]
        return content

    def send_text(self, user: FakeUser, text: str) -> int:
        """The user sends ``text`` in their private chat with the bot; returns the update_id."""
        message = self._user_message(user, user.chat_json(), self._text_content(text))
        return self.send_update({"message": message})

    def press_data(self, user: FakeUser, message: SentMessage | None, data: str) -> int:
        """A callback query with arbitrary (possibly forged) ``data``.

        With ``message=None`` it comes from the last bot message in the user's private chat, or a stub
        message 999999 if there is none.
        """
        with self._lock:
            self.register_user(user)
            message_json: JSONDict | None = None
            if message is not None:
                chat_id = message.chat_id
                found = self._message_json.get((chat_id, message.message_id))
                message_json = copy.deepcopy(found) if found else None
                stub_id = message.message_id
            else:
                chat_id = user.id
                alive = [m for m in self._messages.get(chat_id, []) if not m.deleted]
                if alive:
                    message_json = copy.deepcopy(self._message_json[(chat_id, alive[-1].message_id)])
                stub_id = 999999
            if message_json is None:
                message_json = {
                    "message_id": stub_id,
                    "from": self._bot_user(),
                    "chat": dict(self._chats.get(chat_id, user.chat_json())),
                    "date": int(self.now()),
                    "text": "",
                }
            return self._callback_query(user, message_json, data)

    def _callback_query(self, user: FakeUser, message_json: JSONDict, data: str) -> int:
        self.register_user(user)
        query_id = str(4_000_000_000_000_000 + self.bot_id * 1000 + next(self._query_counter))
        chat_id = int(message_json["chat"]["id"])
        chat_instance = str(int(hashlib.sha1(f"{self.bot_id}:{chat_id}".encode()).hexdigest()[:15], 16))
        query = {
            "id": query_id,
            "from": user.to_json(),
            "message": message_json,
            "chat_instance": chat_instance,
            "data": data,
        }
        with self._lock:
            self._open_queries.add(query_id)
            update_id = self.send_update({"callback_query": query})
            self._query_by_update[update_id] = query_id
        return update_id

    # ------------------------------------------------------------------------------------ reading

    @staticmethod
    def _snapshot(message: SentMessage) -> SentMessage:
        return copy.deepcopy(message)

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Snapshots of every message the bot sent to the chat, in order, in their current state."""
        with self._lock:
            return [self._snapshot(m) for m in self._messages.get(chat_id, [])]

    def user_messages(self, chat_id: int) -> list[UserMessage]:
        """What users sent in the chat, in order (injected raw updates without a message are not here)."""
        with self._lock:
            return list(self._received.get(chat_id, []))

    def callback_answer_for(self, update_id: int) -> JSONDict | None:
        with self._lock:
            query_id = self._query_by_update.get(update_id)
            return self._answer_by_query.get(query_id) if query_id is not None else None

    def describe(self, chat_id: int) -> str:
        """Human-readable account of what the chat received (used in assertion messages)."""
        with self._lock:
            sent = self._messages.get(chat_id, [])
            lines = [f"chat {chat_id} received {len(sent)} bot message(s):"]
            for index, message in enumerate(sent):
                flags = "".join(
                    flag for flag, on in ((" (edited)", message.edited), (" (deleted)", message.deleted)) if on
                )
                buttons = f" buttons={message.button_texts()}" if message.reply_markup else ""
                document = f" document={message.document['file_name']!r}" if message.document else ""
                lines.append(f"  [{index}] id={message.message_id}{flags}: {message.text!r}{buttons}{document}")
            refused = [
                (method, description)
                for method, params, description in self.errors
                if str(params.get("chat_id")) == str(chat_id)
            ]
            for method, description in refused:
                lines.append(f"  refused {method}: {description}")
            return "\n".join(lines)

    def _find(self, chat_id: int, predicate: Callable[[SentMessage], bool], after: int) -> SentMessage | None:
        with self._lock:
            sent = self._messages.get(chat_id, [])
            # An edit (or deletion) counts as new when it happened after message ``after - 1`` was sent.
            edit_threshold = sent[after - 1].created_seq if 0 < after <= len(sent) else -1
            candidates = [
                self._snapshot(m)
                for index, m in enumerate(sent)
                if index >= after or m.edited_seq > edit_threshold >= 0
            ]
        return next((m for m in candidates if predicate(m)), None)

    async def wait_for(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool] | str | re.Pattern[str] | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 -- part of the agreed API
        after: int = 0,
    ) -> SentMessage:
        """Wait for a message in the chat with index >= ``after`` (or an edit made since message
        ``after - 1`` was sent) matching ``predicate``: a callable, a substring of ``.text``, a regex
        searched in ``.text``, or None for any. Raises AssertionError with the chat's content on timeout.
        """
        if self._loop is not None and not self._on_server_loop():
            future = asyncio.run_coroutine_threadsafe(
                self.wait_for(chat_id, predicate, timeout=timeout, after=after), self._loop
            )
            return await asyncio.wrap_future(future)
        match = _as_predicate(predicate)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            found = self._find(chat_id, match, after)
            if found is not None:
                return found
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"no message matching {predicate!r} (index >= {after}) in chat {chat_id} "
                    f"within {timeout} s\n{self.describe(chat_id)}"
                )
            await self._wait_change(remaining)


def _as_predicate(
    predicate: Callable[[SentMessage], bool] | str | re.Pattern[str] | None,
) -> Callable[[SentMessage], bool]:
    if predicate is None:
        return lambda message: True
    if isinstance(predicate, str):
        needle = predicate
        return lambda message: needle in message.text
    if isinstance(predicate, re.Pattern):
        pattern = predicate
        return lambda message: pattern.search(message.text) is not None
    return predicate
