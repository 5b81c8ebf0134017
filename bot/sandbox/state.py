"""What the simulated Telegram holds: people and their chats, the bot's messages, files and command
menus, and the change notification that wakes long polls and waiting readers.

``SimulatorState`` is the common base of the simulator's parts (``phones``, ``message_methods``,
``bot_settings``, ``botapi``): each part is a class over this one state, all behind one lock.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import hashlib
import itertools
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .spec import JSONDict, bad

# ------------------------------------------------------------------------------------- public data


@dataclass
class FakeUser:
    """A Telegram user; their private chat with the bot has the same id."""

    id: int
    first_name: str
    username: str | None = None
    language_code: str | None = "nl"

    def to_json(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        if self.language_code:
            data["language_code"] = self.language_code
        return data

    def chat_json(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "type": "private", "first_name": self.first_name}
        if self.username:
            data["username"] = self.username
        return data


@dataclass
class SentMessage:
    """A message the bot sent, in its current (possibly edited) state."""

    message_id: int
    chat_id: int
    text: str  # plain text after parse_mode parsing (caption for documents/photos)
    raw_text: str  # text exactly as the bot sent it
    parse_mode: str | None
    reply_markup: JSONDict | None  # InlineKeyboardMarkup as sent, or None
    document: JSONDict | None = None  # {"file_name": str, "content": bytes, "mime_type": str | None}
    edited: bool = False
    history: list[str] = field(default_factory=list)  # previous texts, oldest first
    # Extensions beyond the original brief:
    photo: JSONDict | None = None  # {"file_name": str, "content": bytes} for sendPhoto
    keyboard: JSONDict | None = None  # ReplyKeyboardMarkup / ReplyKeyboardRemove / ForceReply as sent
    entities: list[JSONDict] = field(default_factory=list)
    deleted: bool = False  # deleteMessage keeps the entry (so indexes stay stable) but marks it
    method: str = "sendMessage"
    date: int = field(default=0, compare=False)  # Unix time the message was sent, by the server's ``now``
    created_seq: int = field(default=0, repr=False, compare=False)
    edited_seq: int = field(default=0, repr=False, compare=False)

    def buttons(self) -> list[tuple[str, str]]:
        """(text, callback_data) of every inline button, row by row; callback_data "" for URL etc."""
        rows = (self.reply_markup or {}).get("inline_keyboard") or []
        return [(str(b.get("text", "")), str(b.get("callback_data", ""))) for row in rows for b in row]

    def button_texts(self) -> list[str]:
        return [text for text, _ in self.buttons()]


@dataclass(frozen=True)
class UserMessage:
    """A message a user sent in a chat (what their own phone shows on the right)."""

    message_id: int
    chat_id: int
    text: str  # text or caption; "" for media without one
    date: int
    seq: int = field(repr=False, compare=False)  # orders it among the bot's messages (``created_seq``)


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    file_name: str
    content: bytes
    mime_type: str | None
    file_path: str


# ------------------------------------------------------------------------------------------- state


class SimulatorState:
    """The simulator's state for one bot token, and the notification of every change to it."""

    def __init__(self, *, token: str, bot_username: str) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = int(token.split(":", 1)[0])
        # Real Telegram keeps an "&" that starts no entity literally; the fake refuses it (see parse_html).
        self.strict_html: bool = True
        # Message dates; the sandbox sets its movable clock here so times on the phones follow the bot's.
        self.now: Callable[[], float] = time.time

        # Observable state.
        self.calls: list[tuple[str, JSONDict]] = []
        self.errors: list[tuple[str, JSONDict, str]] = []  # (method, params, description) of refused calls
        self.callback_answers: list[JSONDict] = []
        self.commands: dict[str, list[JSONDict]] = {}
        self.menu_buttons: dict[str, JSONDict] = {}

        self._lock = threading.RLock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread_id: int | None = None
        self._changed: asyncio.Event | None = None
        self._stopping: asyncio.Event | None = None

        self._seq = 0
        self._next_update_id = 1
        self._pending: list[JSONDict] = []
        self._webhook_url = ""
        # What setWebhook gave, for the webhook sender (bot/sandbox/webhook_sender.py) to post with.
        self._webhook_secret = ""
        self._webhook_allowed: list[str] | None = None
        self._inflight = 0
        self._last_activity = time.monotonic()

        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, JSONDict] = {}
        self._messages: dict[int, list[SentMessage]] = {}
        self._received: dict[int, list[UserMessage]] = {}
        self._by_id: dict[tuple[int, int], SentMessage] = {}
        self._message_json: dict[tuple[int, int], JSONDict] = {}
        self._incoming: dict[int, set[int]] = {}
        self._next_message_id: dict[int, int] = {}
        self._open_queries: set[str] = set()
        self._query_by_update: dict[int, str] = {}
        self._answer_by_query: dict[str, JSONDict] = {}
        self._query_counter = itertools.count(1)
        self._files: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)

    # --------------------------------------------------------------------- change notification

    def _in_loop_thread(self) -> bool:
        return self._loop_thread_id == threading.get_ident()

    def _wake(self) -> None:
        """Wake every coroutine waiting for a state change (must run on the server loop)."""
        event = self._changed
        self._changed = asyncio.Event()
        if event is not None:
            event.set()

    def _notify(self) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        if self._in_loop_thread():
            self._wake()
        else:
            with contextlib.suppress(RuntimeError):  # loop closed in between
                loop.call_soon_threadsafe(self._wake)

    @property
    def version(self) -> int:
        """Grows with every update, message, edit, deletion and callback answer (and ``touch``)."""
        with self._lock:
            return self._seq

    def touch(self) -> None:
        """Count an outside change (the sandbox's clock moved) so that ``wait_change`` waiters wake."""
        with self._lock:
            self._seq += 1
        self._notify()

    async def wait_change(self, after: int, timeout: float) -> int:  # noqa: ASYNC109 -- a long poll's budget
        """Wait (on the server loop) until ``version`` exceeds ``after`` or ``timeout`` passes; the version."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while self.version <= after:
            remaining = deadline - loop.time()
            if remaining <= 0 or self._changed is None or (self._stopping is not None and self._stopping.is_set()):
                break
            await self._wait_change(remaining)
        return self.version

    async def _wait_change(self, delay: float) -> None:
        event = self._changed
        if event is None or delay <= 0:
            return
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(event.wait(), delay)

    def _on_server_loop(self) -> bool:
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    # ------------------------------------------------------------------------- shared by the parts

    def commands_for(self, chat_id: int, language_code: str | None) -> list[JSONDict]:
        """The command menu a private chat shows, resolved by scope and language as Telegram does."""
        language = (language_code or "").split("-")[0].lower()
        keys = [
            f"chat:{chat_id}:{language}",
            f"chat:{chat_id}:",
            f"all_private_chats::{language}",
            "all_private_chats::",
            f"default::{language}",
            "default::",
        ]
        with self._lock:
            found = next((self.commands[key] for key in keys if key in self.commands), [])
            return copy.deepcopy(found)

    def _bot_user(self) -> JSONDict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Samenspel", "username": self.bot_username}

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

    def _resolve_chat(self, value: Any) -> int:
        """The chat id a bot addresses; 400 for unknown chats."""
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise bad("chat not found")
        if isinstance(value, str):
            if not re.fullmatch(r"-?\d+", value):
                raise bad("chat not found")
            value = int(value)
        if value not in self._chats:
            raise bad("chat not found")
        return int(value)

    def _store_file(self, file_name: str, content: bytes, mime_type: str | None, folder: str) -> StoredFile:
        with self._lock:
            number = next(self._file_counter)
            unique = hashlib.sha1(content + str(number).encode()).hexdigest()[:16]
            stored = StoredFile(
                file_id=f"FAKE{number:06d}{unique}",
                file_unique_id=f"U{unique}",
                file_name=file_name,
                content=content,
                mime_type=mime_type,
                file_path=f"{folder}/file_{number}_{file_name}",
            )
            self._files[stored.file_id] = stored
        return stored

    def _photo_sizes(self, stored: StoredFile) -> list[JSONDict]:
        return [
            {
                "file_id": stored.file_id + suffix,
                "file_unique_id": stored.file_unique_id + suffix,
                "width": width,
                "height": height,
                "file_size": len(stored.content),
            }
            for suffix, width, height in (("s", 90, 67), ("", 1280, 960))
        ]

    @staticmethod
    def _document_json(stored: StoredFile) -> JSONDict:
        document: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "file_size": len(stored.content),
        }
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        return document
