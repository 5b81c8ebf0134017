"""A local simulator of the Telegram Bot API server: the tests' fake and the sandbox's phone network.

It speaks real HTTP on 127.0.0.1 (aiohttp.web), so an unmodified python-telegram-bot ``Application`` or
a ``samenspel run`` subprocess can talk to it by pointing ``base_url``/``base_file_url`` at it. Every
call is checked against the official machine-readable Bot API spec (``bot/sandbox/data/bot-api-10.0.json``);
the methods a bot typically uses are implemented with state and Telegram's validation rules, the rest
answer ``true``. Tests act as people (``send_text``, ``press``...) and read what each chat received
(``messages``, ``wait_for``...). Faults (blocked users, 429/5xx, hanging requests) can be injected.

Usage from a pytest-asyncio test::

    async with FakeBotApi() as api:
        app = (
            ApplicationBuilder().token(api.token).base_url(api.base_url)
            .base_file_url(api.base_file_url).build()
        )
        ...
        api.send_text(alice, "/start")
        reply = await api.wait_for(alice.id, "Welkom")

The server runs on the test's event loop, or on its own thread (``start_in_thread``) for subprocess
tests, in which case the ``*_sync`` helpers block the calling thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import functools
import hashlib
import itertools
import json
import random
import re
import secrets
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar

from aiohttp import web

from .markup import (
    EntityParseError,
    ParsedText,
    UnsupportedParseModeError,
    parse,
    strip_text,
    utf16_len,
)

__all__ = [
    "DEFAULT_SPEC_PATH",
    "FakeBotApi",
    "FakeUser",
    "SentMessage",
    "UserMessage",
    "is_loopback_host",
    "random_token",
]

JSONDict = dict[str, Any]
DEFAULT_SPEC_PATH = Path(__file__).resolve().parent / "data" / "bot-api-10.0.json"

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
# "lost": the call is carried out, but its answer never arrives (held like "timeout", then 504).
FAULT_KINDS = frozenset({"429", "500", "502", "timeout", "lost", "403"})
# Update types Telegram only delivers when explicitly listed in allowed_updates.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})
_BUTTON_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_COMMAND_RE = re.compile(r"^/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?=\s|$)")
_BOT_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
# Minimal stand-ins for media the fake users send.
_FAKE_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00fake-photo\xff\xd9"
_FAKE_OGG = b"OggS\x00fake-voice"
_FAKE_WEBP = b"RIFF\x00\x00\x00\x00WEBPfake-sticker"


def is_loopback_host(host: str, port: int) -> bool:
    """Whether an HTTP Host header names this machine's loopback address on `port`.

    Refusing every other name stops DNS rebinding: a web page cannot point a name of its own at 127.0.0.1
    and drive a local server through the visitor's browser.
    """
    return host in (f"127.0.0.1:{port}", f"localhost:{port}")


def random_token(bot_id: int) -> str:
    """A token shaped like BotFather's (id, colon, 35 URL-safe characters), new on every call."""
    return f"{bot_id}:{secrets.token_urlsafe(26)}"


@functools.lru_cache(maxsize=4)
def _load_spec(path: str) -> dict[str, JSONDict]:
    with open(path, encoding="utf-8") as handle:
        spec = json.load(handle)
    methods: dict[str, JSONDict] = spec["methods"]
    return methods


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


# --------------------------------------------------------------------------------------- internals


class _ApiError(Exception):
    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after


def _bad(description: str) -> _ApiError:
    return _ApiError(400, f"Bad Request: {description}")


@dataclass
class _Upload:
    filename: str
    content: bytes
    content_type: str | None = None


@dataclass
class _StoredFile:
    file_id: str
    file_unique_id: str
    file_name: str
    content: bytes
    mime_type: str | None
    file_path: str


def _error_body(error: _ApiError) -> JSONDict:
    body: JSONDict = {"ok": False, "error_code": error.code, "description": error.description}
    if error.retry_after is not None:
        body["parameters"] = {"retry_after": error.retry_after}
    return body


def _update_type(update: JSONDict) -> str:
    return next((key for key in update if key != "update_id"), "")


def _public_params(params: JSONDict) -> JSONDict:
    """Params as recorded in ``calls``: uploads become {"file_name", "content"} dicts."""
    return {
        key: {"file_name": value.filename, "content": value.content} if isinstance(value, _Upload) else value
        for key, value in params.items()
    }


# ------------------------------------------------------------------------------------------ server


class FakeBotApi:
    """Local fake of api.telegram.org for one bot token. See the module docstring."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-token",
        bot_username: str = "samenspel_test_bot",
        spec_path: str | Path = DEFAULT_SPEC_PATH,
    ) -> None:
        self.token = token
        self.bot_username = bot_username
        self.bot_id = int(token.split(":", 1)[0])
        self._spec = _load_spec(str(spec_path))
        self._method_names = {name.lower(): name for name in self._spec}
        self.port = 0
        self.base_url = ""
        self.base_file_url = ""

        # Tunables.
        self.timeout_hold: float = 30.0  # how long a "timeout" fault holds the request
        self.response_delay: float = 0.0  # send*/edit* answer this much later, after being carried out
        self.rate_limit_per_second: float | None = None
        self.rate_limited_methods: set[str] = {"sendMessage"}
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
        self.faults_injected = 0
        self.faults_by_kind: Counter[str] = Counter()  # fault kind -> how many were injected
        self.rate_limited = 0

        self._lock = threading.RLock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._loop_thread_id: int | None = None
        self._changed: asyncio.Event | None = None
        self._stopping: asyncio.Event | None = None
        self._runner: web.AppRunner | None = None
        self._thread: threading.Thread | None = None

        self._seq = 0
        self._next_update_id = 1
        self._pending: list[JSONDict] = []
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0
        self._webhook_url = ""
        self._inflight = 0
        self._last_activity = time.monotonic()

        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, JSONDict] = {}
        self._blocked: set[int] = set()
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
        self._files: dict[str, _StoredFile] = {}
        self._file_counter = itertools.count(1)

        # method -> queued faults (kind, retry_after, only for this chat or None for any)
        self._fail_queue: dict[str, deque[tuple[str, int, int | None]]] = {}
        self._failure_rate = 0.0
        self._failure_rng = random.Random(0)
        self._failure_methods: set[str] | None = None
        self._failure_kinds: tuple[str, ...] = ("429", "500", "timeout")
        self._bucket_tokens = 0.0
        self._bucket_time: float | None = None

    # ------------------------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Listen on 127.0.0.1 on a free port, serving from the running event loop."""
        if self._runner is not None:
            raise RuntimeError("FakeBotApi already started")
        self._loop = asyncio.get_running_loop()
        self._loop_thread_id = threading.get_ident()
        self._changed = asyncio.Event()
        self._stopping = asyncio.Event()
        app = web.Application(client_max_size=60 * 1024 * 1024, middlewares=[self._guard_host])
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._handle_file)
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        self._runner = runner
        address = runner.addresses[0]
        self.port = int(address[1])
        self.base_url = f"http://127.0.0.1:{self.port}/bot"
        self.base_file_url = f"http://127.0.0.1:{self.port}/file/bot"

    async def stop(self) -> None:
        """Stop serving; pending long polls return and held ("timeout") requests are dropped."""
        if self._stopping is not None:
            self._stopping.set()
            self._wake()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

    def start_in_thread(self) -> None:
        """Run the server on its own event loop in a daemon thread (for subprocess tests)."""
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:
                failure.append(exc)
                ready.set()
                loop.close()
                return
            ready.set()
            try:
                loop.run_forever()
            finally:
                tasks = asyncio.all_tasks(loop)
                for task in tasks:
                    task.cancel()
                loop.run_until_complete(asyncio.gather(*tasks, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        self._thread = threading.Thread(target=run, name="FakeBotApi", daemon=True)
        self._thread.start()
        if not ready.wait(10):
            raise RuntimeError("FakeBotApi thread did not start within 10 s")
        if failure:
            raise failure[0]

    def stop_thread(self) -> None:
        thread, loop = self._thread, self._loop
        if thread is None or loop is None:
            return
        asyncio.run_coroutine_threadsafe(self.stop(), loop).result(10)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)
        self._thread = None

    def __enter__(self) -> FakeBotApi:
        self.start_in_thread()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop_thread()

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

    def _run_sync(self, coro: Any, timeout: float) -> Any:
        loop = self._loop
        if loop is None:
            coro.close()
            raise RuntimeError("FakeBotApi is not started")
        if self._in_loop_thread():
            coro.close()
            raise RuntimeError("*_sync helpers block; call them from another thread than the server's")
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    # ---------------------------------------------------------------------------- acting as people

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

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._next_message_id.get(chat_id, 1)
        self._next_message_id[chat_id] = message_id + 1
        return message_id

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

    def send_group_text(self, user: FakeUser, chat_id: int, text: str, title: str = "Team") -> int:
        """The user sends ``text`` in a group (negative chat id; <= -10**12 is a supergroup)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = {"id": chat_id, "type": "supergroup" if chat_id <= -(10**12) else "group", "title": title}
        message = self._user_message(user, chat, self._text_content(text))
        return self.send_update({"message": message})

    def _store_file(self, file_name: str, content: bytes, mime_type: str | None, folder: str) -> _StoredFile:
        with self._lock:
            number = next(self._file_counter)
            unique = hashlib.sha1(content + str(number).encode()).hexdigest()[:16]
            stored = _StoredFile(
                file_id=f"FAKE{number:06d}{unique}",
                file_unique_id=f"U{unique}",
                file_name=file_name,
                content=content,
                mime_type=mime_type,
                file_path=f"{folder}/file_{number}_{file_name}",
            )
            self._files[stored.file_id] = stored
        return stored

    def _photo_sizes(self, stored: _StoredFile) -> list[JSONDict]:
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

    def send_photo(self, user: FakeUser, *, caption: str | None = None) -> int:
        stored = self._store_file("photo.jpg", _FAKE_JPEG, "image/jpeg", "photos")
        with self._lock:
            # Both sizes download the same bytes.
            self._files[stored.file_id + "s"] = stored
        content: JSONDict = {"photo": self._photo_sizes(stored)}
        if caption:
            content["caption"] = caption
        return self.send_update({"message": self._user_message(user, user.chat_json(), content)})

    def send_document(
        self,
        user: FakeUser,
        *,
        file_name: str = "document.pdf",
        content: bytes = b"%PDF-1.4 fake",
        mime_type: str = "application/pdf",
        caption: str | None = None,
    ) -> int:
        stored = self._store_file(file_name, content, mime_type, "documents")
        body: JSONDict = {"document": self._document_json(stored)}
        if caption:
            body["caption"] = caption
        return self.send_update({"message": self._user_message(user, user.chat_json(), body)})

    def send_sticker(self, user: FakeUser, *, emoji: str = "👍") -> int:
        stored = self._store_file("sticker.webp", _FAKE_WEBP, "image/webp", "stickers")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": emoji,
            "file_size": len(stored.content),
        }
        return self.send_update({"message": self._user_message(user, user.chat_json(), {"sticker": sticker})})

    def send_location(self, user: FakeUser, *, latitude: float = 52.3676, longitude: float = 4.9041) -> int:
        location = {"latitude": latitude, "longitude": longitude}
        return self.send_update({"message": self._user_message(user, user.chat_json(), {"location": location})})

    def send_voice(self, user: FakeUser, *, duration: int = 3) -> int:
        stored = self._store_file("voice.ogg", _FAKE_OGG, "audio/ogg", "voice")
        voice = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "duration": duration,
            "mime_type": "audio/ogg",
            "file_size": len(stored.content),
        }
        return self.send_update({"message": self._user_message(user, user.chat_json(), {"voice": voice})})

    def press(self, user: FakeUser, message: SentMessage, button_text: str) -> int:
        """The user taps the inline button labelled ``button_text`` (exact, else unique substring)."""
        with self._lock:
            live = self._by_id.get((message.chat_id, message.message_id))
            if live is None or live.deleted:
                state = "was deleted" if live is not None else "is unknown"
                raise AssertionError(f"message {message.message_id} in chat {message.chat_id} {state}")
            rows = (live.reply_markup or {}).get("inline_keyboard") or []
            buttons: list[JSONDict] = [button for row in rows for button in row]
            candidates = [b for b in buttons if b.get("text") == button_text] or [
                b for b in buttons if button_text in str(b.get("text", ""))
            ]
            if len(candidates) != 1:
                problem = "No" if not candidates else "More than one"
                raise AssertionError(
                    f"{problem} button matching {button_text!r} on message {live.message_id} "
                    f"({live.text[:80]!r}); its buttons are {live.button_texts()}"
                )
            button = candidates[0]
            if "callback_data" not in button:
                raise AssertionError(f"button {button.get('text')!r} is not a callback button: {button}")
            message_json = copy.deepcopy(self._message_json[(live.chat_id, live.message_id)])
            return self._callback_query(user, message_json, str(button["callback_data"]))

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

    def last(self, chat_id: int) -> SentMessage:
        with self._lock:
            sent = self._messages.get(chat_id)
            if not sent:
                raise AssertionError(f"chat {chat_id} received no messages\n{self.describe(chat_id)}")
            return self._snapshot(sent[-1])

    def calls_to(self, method: str) -> list[JSONDict]:
        return [params for name, params in list(self.calls) if name == method]

    def callback_answer_for(self, update_id: int) -> JSONDict | None:
        with self._lock:
            query_id = self._query_by_update.get(update_id)
            return self._answer_by_query.get(query_id) if query_id is not None else None

    @property
    def pending_updates(self) -> int:
        """Injected updates not yet confirmed by a getUpdates offset."""
        with self._lock:
            return len(self._pending)

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

    async def wait_idle(self, timeout: float = 5.0, quiet: float = 0.05) -> None:  # noqa: ASYNC109
        """Wait until all injected updates were confirmed by getUpdates and no bot request (other
        than the long poll) has been in flight for ``quiet`` seconds."""
        if self._loop is not None and not self._on_server_loop():
            future = asyncio.run_coroutine_threadsafe(self.wait_idle(timeout, quiet), self._loop)
            await asyncio.wrap_future(future)
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            with self._lock:
                pending, inflight = len(self._pending), self._inflight
                quiet_for = time.monotonic() - self._last_activity
            if not pending and not inflight and quiet_for >= quiet:
                return
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(
                    f"FakeBotApi not idle after {timeout} s: {pending} update(s) not confirmed by "
                    f"getUpdates, {inflight} request(s) in flight; last calls: "
                    f"{[name for name, _ in self.calls[-10:]]}"
                )
            step = remaining if pending or inflight else min(remaining, quiet - quiet_for)
            await self._wait_change(max(step, 0.001))

    def wait_for_sync(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool] | str | re.Pattern[str] | None = None,
        *,
        timeout: float = 5.0,
        after: int = 0,
    ) -> SentMessage:
        """Blocking ``wait_for`` for thread mode (call from any thread but the server's)."""
        result: SentMessage = self._run_sync(
            self.wait_for(chat_id, predicate, timeout=timeout, after=after), timeout + 5
        )
        return result

    def wait_idle_sync(self, timeout: float = 5.0, quiet: float = 0.05) -> None:
        self._run_sync(self.wait_idle(timeout, quiet), timeout + 5)

    # ---------------------------------------------------------------------------- fault injection

    def block(self, chat_id: int) -> None:
        """From now on, sending to the chat answers 403 (the user blocked the bot)."""
        with self._lock:
            self._blocked.add(chat_id)

    def unblock(self, chat_id: int) -> None:
        with self._lock:
            self._blocked.discard(chat_id)

    def fail_next(
        self, method: str, kind: str, count: int = 1, *, retry_after: int = 1, chat_id: int | None = None
    ) -> None:
        """The next ``count`` calls of ``method`` ("*" = any method except getUpdates) fail with
        ``kind``: "429" (RetryAfter), "500", "502", "403", "timeout" (held ``timeout_hold`` s, then
        504 if the client is still there; the request is not carried out) or "lost" (like "timeout", but
        the request is carried out first: the message arrives, the bot does not learn it did).
        With ``chat_id``, only calls for that chat fail (others pass the queued faults by)."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"kind must be one of {sorted(FAULT_KINDS)}")
        name = method if method == "*" else self._canonical(method)
        if name is None:
            raise ValueError(f"unknown Bot API method {method!r}")
        with self._lock:
            queue = self._fail_queue.setdefault(name, deque())
            queue.extend([(kind, retry_after, chat_id)] * count)

    def set_failure_rate(
        self,
        rate: float,
        *,
        seed: int = 0,
        methods: set[str] | None = None,
        kinds: Sequence[str] = ("429", "500", "timeout"),
    ) -> None:
        """Fail a random fraction ``rate`` of calls to ``methods`` (default: every send*/edit*
        method) with one of ``kinds``. ``rate=0`` switches it off."""
        unknown = set(kinds) - FAULT_KINDS
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}")
        with self._lock:
            self._failure_rate = rate
            self._failure_rng = random.Random(seed)
            self._failure_methods = set(methods) if methods is not None else None
            self._failure_kinds = tuple(kinds)

    def _pick_fault(self, method: str, chat_id: object = None) -> tuple[str, int] | None:
        with self._lock:
            for name in (method, "*"):
                queue = self._fail_queue.get(name)
                if not queue or (name == "*" and method == "getUpdates"):
                    continue
                for index, (kind, retry_after, only_chat) in enumerate(queue):
                    if only_chat is None or only_chat == chat_id:
                        del queue[index]
                        self.faults_injected += 1
                        self.faults_by_kind[kind] += 1
                        return kind, retry_after
            if self._failure_rate <= 0:
                return None
            if self._failure_methods is not None:
                eligible = method in self._failure_methods
            else:
                eligible = method.startswith(("send", "edit"))
            if eligible and self._failure_rng.random() < self._failure_rate:
                self.faults_injected += 1
                kind = self._failure_rng.choice(self._failure_kinds)
                self.faults_by_kind[kind] += 1
                return kind, 1
            return None

    async def _apply_fault(self, fault: tuple[str, int]) -> None:
        kind, retry_after = fault
        if kind in ("timeout", "lost"):
            stopping = self._stopping
            if stopping is not None:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stopping.wait(), self.timeout_hold)
            raise _ApiError(504, "Gateway Timeout")
        if kind == "429":
            raise _ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
        if kind == "500":
            raise _ApiError(500, "Internal Server Error")
        if kind == "502":
            raise _ApiError(502, "Bad Gateway")
        raise _ApiError(403, "Forbidden: bot was blocked by the user")

    def _rate_check(self, method: str) -> None:
        rate = self.rate_limit_per_second
        if not rate or method not in self.rate_limited_methods:
            return
        now = time.monotonic()
        capacity = max(1.0, rate)
        if self._bucket_time is None:
            self._bucket_tokens = capacity
        else:
            self._bucket_tokens = min(capacity, self._bucket_tokens + (now - self._bucket_time) * rate)
        self._bucket_time = now
        if self._bucket_tokens < 1.0:
            self.rate_limited += 1
            raise _ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        self._bucket_tokens -= 1.0

    # ------------------------------------------------------------------------------ HTTP handling

    def _canonical(self, method: str) -> str | None:
        return self._method_names.get(method.lower())

    def _begin_request(self) -> None:
        with self._lock:
            self._inflight += 1
            self._last_activity = time.monotonic()

    def _end_request(self) -> None:
        with self._lock:
            self._inflight -= 1
            self._last_activity = time.monotonic()
        self._notify()

    @web.middleware
    async def _guard_host(self, request: web.Request, handler: Any) -> web.StreamResponse:
        # The same rule as the sandbox page: only clients that address this loopback port by name.
        if not is_loopback_host(request.host, self.port):
            return web.json_response(_error_body(_ApiError(403, "Forbidden: unknown host")), status=403)
        response: web.StreamResponse = await handler(request)
        return response

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = self._canonical(request.match_info["method"])
        is_poll = method == "getUpdates"
        if not is_poll:
            self._begin_request()
        try:
            if request.match_info["token"] != self.token:
                return web.json_response(_error_body(_ApiError(401, "Unauthorized")), status=401)
            try:
                raw, files = await _read_params(request)
            except _ApiError as error:
                return web.json_response(_error_body(error), status=error.code)
            if method is None:
                self.calls.append((request.match_info["method"], _public_params(raw)))
                return web.json_response(_error_body(_ApiError(404, "Not Found")), status=404)
            params = raw
            recorded = False
            try:
                params = self._coerce(method, raw, files)
                self._check_required(method, params)
                self.calls.append((method, _public_params(params)))
                recorded = True
                fault = self._pick_fault(method, params.get("chat_id"))
                if fault is not None and fault[0] == "lost" and not is_poll:
                    self._dispatch(method, params)  # carried out; then the answer is lost
                if fault is not None:
                    await self._apply_fault(fault)
                result = await self._get_updates(params) if is_poll else self._dispatch(method, params)
                if self.response_delay and method.startswith(("send", "edit")):
                    await asyncio.sleep(self.response_delay)  # carried out; the answer takes a while
            except _ApiError as error:
                if not recorded:
                    self.calls.append((method, _public_params(params)))
                self.errors.append((method, _public_params(params), error.description))
                return web.json_response(_error_body(error), status=error.code)
            return web.json_response({"ok": True, "result": result})
        finally:
            if not is_poll:
                self._end_request()

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            raise web.HTTPUnauthorized()
        path = request.match_info["path"]
        with self._lock:
            stored = next((f for f in self._files.values() if f.file_path == path), None)
        if stored is None:
            raise web.HTTPNotFound()
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")

    def _coerce(self, method: str, raw: JSONDict, files: dict[str, _Upload]) -> JSONDict:
        """Turn form/query strings into the types the spec declares; resolve uploaded files."""
        params = dict(raw)
        for spec_field in self._spec[method].get("fields", []):
            name: str = spec_field["name"]
            types: list[str] = spec_field["types"]
            if "InputFile" in types:
                value = params.get(name)
                if isinstance(value, str) and value.startswith("attach://"):
                    upload = files.get(value.removeprefix("attach://"))
                    if upload is None:
                        raise _bad(f"file {value} not found in the request")
                    params[name] = upload
                elif value is None and name in files:
                    params[name] = files[name]
                continue
            if name in params and isinstance(params[name], str):
                params[name] = _coerce_string(name, types, params[name])
        return params

    def _check_required(self, method: str, params: JSONDict) -> None:
        for spec_field in self._spec[method].get("fields", []):
            if spec_field["required"] and spec_field["name"] not in params:
                name = spec_field["name"]
                if name == "text" and method in ("sendMessage", "editMessageText"):
                    raise _bad("message text is empty")
                raise _bad(f"{name} is empty")

    def _dispatch(self, method: str, params: JSONDict) -> Any:
        handler = self._handlers.get(method)
        with self._lock:
            if handler is not None:
                return handler(self, params)
            if method.startswith(("send", "copy", "forward")) and "chat_id" in params:
                self._resolve_chat(params["chat_id"])
            returns = self._spec[method].get("returns", [])
            if returns and returns[0].startswith("Array of"):
                return []
            return True

    # ------------------------------------------------------------------------------ getUpdates

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._webhook_url:
                raise _ApiError(
                    409,
                    "Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first",
                )
            self._poll_generation += 1
            generation = self._poll_generation
            offset = int(params.get("offset") or 0)
            limit = min(max(int(params.get("limit") or 100), 1), 100)
            timeout = max(float(params.get("timeout") or 0), 0.0)
            allowed = params.get("allowed_updates")
            if isinstance(allowed, list):
                self._allowed_updates = [str(kind) for kind in allowed] or None
            if offset > 0:
                self._pending = [u for u in self._pending if u["update_id"] >= offset]
            elif offset < 0:
                self._pending = self._pending[offset:]
        self._notify()  # a confirmation may make wait_idle() succeed; also ends an older long poll
        deadline = loop.time() + timeout
        while True:
            with self._lock:
                if generation != self._poll_generation:
                    raise _ApiError(
                        409,
                        "Conflict: terminated by other getUpdates request; "
                        "make sure that only one bot instance is running",
                    )
                self._drop_unwanted_updates()
                batch = copy.deepcopy(self._pending[:limit])
            stopping = self._stopping is not None and self._stopping.is_set()
            remaining = deadline - loop.time()
            if batch or stopping or remaining <= 0:
                return batch
            await self._wait_change(remaining)

    def _drop_unwanted_updates(self) -> None:
        allowed = self._allowed_updates

        def wanted(update: JSONDict) -> bool:
            kind = _update_type(update)
            return kind in allowed if allowed is not None else kind not in _OPT_IN_UPDATES

        kept = [u for u in self._pending if wanted(u)]
        if len(kept) != len(self._pending):
            self._pending = kept
            self._notify()

    # ------------------------------------------------------------------------------ method handlers

    def _bot_user(self) -> JSONDict:
        return {"id": self.bot_id, "is_bot": True, "first_name": "Samenspel", "username": self.bot_username}

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

    def _resolve_chat(self, value: Any) -> int:
        """The chat id a bot addresses; 400 for unknown chats, 403 for blocked ones."""
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise _bad("chat not found")
        if isinstance(value, str):
            if not re.fullmatch(r"-?\d+", value):
                raise _bad("chat not found")
            value = int(value)
        if value not in self._chats:
            raise _bad("chat not found")
        if value in self._blocked:
            if value < 0:
                raise _ApiError(403, "Forbidden: bot was kicked from the group chat")
            raise _ApiError(403, "Forbidden: bot was blocked by the user")
        return int(value)

    def _format(self, raw: Any, parse_mode: Any, entities: Any, *, caption: bool = False) -> tuple[str, ParsedText]:
        if raw is None or raw == "":
            if caption:
                return "", ParsedText("")
            raise _bad("message text is empty")
        text = raw if isinstance(raw, str) else json.dumps(raw)
        if isinstance(entities, list):
            parsed = ParsedText(text, [dict(e) for e in entities if isinstance(e, dict)])
        else:
            try:
                parsed = parse(text, str(parse_mode) if parse_mode else None, strict_html=self.strict_html)
            except UnsupportedParseModeError as error:
                raise _bad(f"unsupported parse_mode {error}") from error
            except EntityParseError as error:
                raise _bad(f"can't parse entities: {error}") from error
        parsed = strip_text(parsed)
        if not parsed.text and not caption:
            raise _bad("message text is empty")
        if caption and utf16_len(parsed.text) > CAPTION_LIMIT:
            raise _bad("message caption is too long")
        if not caption and utf16_len(parsed.text) > MESSAGE_LIMIT:
            raise _bad("message is too long")
        return text, parsed

    @staticmethod
    def _check_markup(markup: Any, *, inline_only: bool = False) -> tuple[JSONDict | None, JSONDict | None]:
        """Validate reply_markup; returns (inline keyboard or None, other keyboard or None)."""
        if markup is None:
            return None, None
        if not isinstance(markup, dict):
            raise _bad("can't parse reply keyboard markup JSON object")
        if "inline_keyboard" in markup:
            rows = markup["inline_keyboard"]
            if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
                raise _bad('field "inline_keyboard" must be an Array of Arrays of InlineKeyboardButton')
            for row in rows:
                for button in row:
                    _check_inline_button(button)
            return (markup if any(rows) else None), None
        if inline_only:
            raise _bad("inline keyboard expected")
        if any(key in markup for key in ("keyboard", "remove_keyboard", "force_reply")):
            return None, markup
        raise _bad("can't parse reply keyboard markup JSON object")

    def _check_reply_to(self, chat_id: int, params: JSONDict) -> None:
        reply = params.get("reply_parameters")
        if not isinstance(reply, dict) or "message_id" not in reply or reply.get("allow_sending_without_reply"):
            return
        target = chat_id
        if re.fullmatch(r"-?\d+", str(reply.get("chat_id", ""))):
            target = int(reply["chat_id"])
        message_id = int(reply["message_id"])
        if (target, message_id) not in self._by_id and message_id not in self._incoming.get(target, set()):
            raise _bad("message to be replied not found")

    def _store_bot_message(
        self,
        chat_id: int,
        params: JSONDict,
        method: str,
        *,
        raw_text: str,
        parsed: ParsedText,
        markup: JSONDict | None,
        keyboard: JSONDict | None,
        media: JSONDict | None = None,
        document: JSONDict | None = None,
        photo: JSONDict | None = None,
    ) -> JSONDict:
        self._seq += 1
        message_id = self._new_message_id(chat_id)
        parse_mode = params.get("parse_mode")
        sent = SentMessage(
            message_id=message_id,
            chat_id=chat_id,
            text=parsed.text,
            raw_text=raw_text,
            parse_mode=str(parse_mode) if parse_mode else None,
            reply_markup=markup,
            document=document,
            photo=photo,
            keyboard=keyboard,
            entities=parsed.entities,
            method=method,
            date=int(self.now()),
            created_seq=self._seq,
        )
        message: JSONDict = {
            "message_id": message_id,
            "from": self._bot_user(),
            "chat": dict(self._chats[chat_id]),
            "date": int(self.now()),
        }
        if media is not None:
            message.update(media)
            if parsed.text:
                message["caption"] = parsed.text
            if parsed.entities:
                message["caption_entities"] = parsed.entities
        else:
            message["text"] = parsed.text
            if parsed.entities:
                message["entities"] = parsed.entities
        if markup is not None:
            message["reply_markup"] = markup
        self._messages.setdefault(chat_id, []).append(sent)
        self._by_id[(chat_id, message_id)] = sent
        self._message_json[(chat_id, message_id)] = message
        self._notify()
        return message

    def _send_message(self, params: JSONDict) -> JSONDict:
        chat_id = self._resolve_chat(params["chat_id"])
        self._rate_check("sendMessage")
        raw_text, parsed = self._format(params.get("text"), params.get("parse_mode"), params.get("entities"))
        markup, keyboard = self._check_markup(params.get("reply_markup"))
        self._check_reply_to(chat_id, params)
        return self._store_bot_message(
            chat_id, params, "sendMessage", raw_text=raw_text, parsed=parsed, markup=markup, keyboard=keyboard
        )

    def _upload_from(self, value: Any, default_name: str, folder: str) -> _StoredFile:
        if isinstance(value, _Upload):
            if not value.content:
                raise _bad("file must be non-empty")
            return self._store_file(value.filename or default_name, value.content, value.content_type, folder)
        if isinstance(value, str) and value in self._files:
            return self._files[value]
        if isinstance(value, str) and re.match(r"https?://", value):
            name = value.rstrip("/").rsplit("/", 1)[-1] or default_name
            return self._store_file(name, b"", None, folder)
        raise _bad("wrong file identifier/HTTP URL specified")

    @staticmethod
    def _document_json(stored: _StoredFile) -> JSONDict:
        document: JSONDict = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "file_name": stored.file_name,
            "file_size": len(stored.content),
        }
        if stored.mime_type:
            document["mime_type"] = stored.mime_type
        return document

    def _send_document(self, params: JSONDict) -> JSONDict:
        chat_id = self._resolve_chat(params["chat_id"])
        self._rate_check("sendDocument")
        raw_text, parsed = self._format(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        markup, keyboard = self._check_markup(params.get("reply_markup"))
        self._check_reply_to(chat_id, params)
        stored = self._upload_from(params["document"], "document", "documents")
        return self._store_bot_message(
            chat_id,
            params,
            "sendDocument",
            raw_text=raw_text,
            parsed=parsed,
            markup=markup,
            keyboard=keyboard,
            media={"document": self._document_json(stored)},
            document={
                "file_name": stored.file_name,
                "content": stored.content,
                "mime_type": stored.mime_type,
            },
        )

    def _send_photo(self, params: JSONDict) -> JSONDict:
        chat_id = self._resolve_chat(params["chat_id"])
        self._rate_check("sendPhoto")
        raw_text, parsed = self._format(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        markup, keyboard = self._check_markup(params.get("reply_markup"))
        self._check_reply_to(chat_id, params)
        stored = self._upload_from(params["photo"], "photo.jpg", "photos")
        self._files[stored.file_id + "s"] = stored
        return self._store_bot_message(
            chat_id,
            params,
            "sendPhoto",
            raw_text=raw_text,
            parsed=parsed,
            markup=markup,
            keyboard=keyboard,
            media={"photo": self._photo_sizes(stored)},
            photo={"file_name": stored.file_name, "content": stored.content},
        )

    def _editable(self, params: JSONDict) -> SentMessage | None:
        """The bot message an edit targets; None for inline messages (answered with true)."""
        if "chat_id" not in params and "message_id" not in params and params.get("inline_message_id"):
            return None
        if "chat_id" not in params:
            raise _bad("chat_id is empty")
        if "message_id" not in params:
            raise _bad("message identifier is not specified")
        chat_id = self._resolve_chat(params["chat_id"])
        message_id = int(params["message_id"])
        sent = self._by_id.get((chat_id, message_id))
        if sent is None or sent.deleted:
            if message_id in self._incoming.get(chat_id, set()):
                raise _bad("message can't be edited")
            raise _bad("message to edit not found")
        return sent

    def _apply_edit(
        self,
        sent: SentMessage,
        params: JSONDict,
        parsed: ParsedText | None,
        raw: str | None,
        markup: JSONDict | None,
    ) -> JSONDict:
        self._seq += 1
        message = self._message_json[(sent.chat_id, sent.message_id)]
        is_media = sent.document is not None or sent.photo is not None
        if parsed is not None and raw is not None:
            sent.history.append(sent.text)
            sent.text, sent.raw_text, sent.entities = parsed.text, raw, parsed.entities
            sent.parse_mode = str(params["parse_mode"]) if params.get("parse_mode") else None
            text_key, entities_key = ("caption", "caption_entities") if is_media else ("text", "entities")
            message[text_key] = parsed.text
            message.pop(entities_key, None)
            if parsed.entities:
                message[entities_key] = parsed.entities
        sent.reply_markup = markup
        message.pop("reply_markup", None)
        if markup is not None:
            message["reply_markup"] = markup
        sent.edited = True
        sent.edited_seq = self._seq
        message["edit_date"] = int(self.now())
        self._notify()
        return copy.deepcopy(message)

    def _edit_message_text(self, params: JSONDict) -> JSONDict | bool:
        sent = self._editable(params)
        raw, parsed = self._format(params.get("text"), params.get("parse_mode"), params.get("entities"))
        markup, _ = self._check_markup(params.get("reply_markup"), inline_only=True)
        if sent is None:
            return True
        if sent.document is not None or sent.photo is not None:
            raise _bad("there is no text in the message to edit")
        if parsed.text == sent.text and parsed.entities == sent.entities and markup == sent.reply_markup:
            raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        return self._apply_edit(sent, params, parsed, raw, markup)

    def _edit_message_caption(self, params: JSONDict) -> JSONDict | bool:
        sent = self._editable(params)
        raw, parsed = self._format(
            params.get("caption"), params.get("parse_mode"), params.get("caption_entities"), caption=True
        )
        markup, _ = self._check_markup(params.get("reply_markup"), inline_only=True)
        if sent is None:
            return True
        if sent.document is None and sent.photo is None:
            raise _bad("there is no caption in the message to edit")
        if parsed.text == sent.text and parsed.entities == sent.entities and markup == sent.reply_markup:
            raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        return self._apply_edit(sent, params, parsed, raw, markup)

    def _edit_message_reply_markup(self, params: JSONDict) -> JSONDict | bool:
        sent = self._editable(params)
        markup, _ = self._check_markup(params.get("reply_markup"), inline_only=True)
        if sent is None:
            return True
        if markup == sent.reply_markup:
            raise _bad(_NOT_MODIFIED.removeprefix("Bad Request: "))
        return self._apply_edit(sent, params, None, None, markup)

    def _delete_message(self, params: JSONDict) -> bool:
        chat_id = self._resolve_chat(params["chat_id"])
        message_id = int(params["message_id"])
        sent = self._by_id.get((chat_id, message_id))
        if sent is not None and not sent.deleted:
            self._seq += 1
            sent.deleted = True
            sent.edited_seq = self._seq
            self._notify()
            return True
        incoming = self._incoming.get(chat_id, set())
        if message_id in incoming:
            incoming.discard(message_id)
            return True
        raise _bad("message to delete not found")

    def _answer_callback_query(self, params: JSONDict) -> bool:
        query_id = str(params["callback_query_id"])
        if query_id not in self._open_queries:
            raise _bad(_QUERY_INVALID.removeprefix("Bad Request: "))
        text = params.get("text")
        if isinstance(text, str) and utf16_len(text) > 200:
            raise _bad("MESSAGE_TOO_LONG")
        self._open_queries.discard(query_id)
        self._seq += 1
        answer = dict(params)
        self.callback_answers.append(answer)
        self._answer_by_query[query_id] = answer
        self._notify()
        return True

    def _send_chat_action(self, params: JSONDict) -> bool:
        self._resolve_chat(params["chat_id"])
        if params.get("action") not in _CHAT_ACTIONS:
            raise _bad("wrong parameter action in request")
        return True

    def _commands_key(self, params: JSONDict) -> str:
        scope = params.get("scope") or {"type": "default"}
        if not isinstance(scope, dict) or "type" not in scope:
            raise _bad("can't parse BotCommandScope JSON object")
        scope_type = str(scope["type"])
        chat = scope.get("chat_id")
        if scope_type in ("chat", "chat_administrators", "chat_member"):
            if chat is None:
                raise _bad("chat_id is empty")
            chat = self._resolve_chat(chat)
        language = params.get("language_code") or ""
        if language and not re.fullmatch(r"[a-z]{2}", str(language)):
            raise _bad("invalid language code specified")
        return f"{scope_type}:{chat if chat is not None else ''}:{language}"

    def _set_my_commands(self, params: JSONDict) -> bool:
        commands = params["commands"]
        if not isinstance(commands, list):
            raise _bad("can't parse commands JSON object")
        if len(commands) > 100:
            raise _bad("too many commands specified")
        cleaned: list[JSONDict] = []
        for command in commands:
            if not isinstance(command, dict):
                raise _bad("can't parse BotCommand JSON object")
            name = str(command.get("command", "")).removeprefix("/")
            description = str(command.get("description", ""))
            if not _BOT_COMMAND_RE.fullmatch(name):
                raise _bad("BOT_COMMAND_INVALID")
            if not 1 <= len(description) <= 256:
                raise _bad("BOT_COMMAND_DESCRIPTION_INVALID")
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
            raise _bad("can't parse MenuButton JSON object")
        self.menu_buttons[key] = button
        return True

    def _get_chat_menu_button(self, params: JSONDict) -> JSONDict:
        key = str(self._resolve_chat(params["chat_id"])) if "chat_id" in params else ""
        return copy.deepcopy(self.menu_buttons.get(key) or self.menu_buttons.get("") or {"type": "default"})

    def _get_chat(self, params: JSONDict) -> JSONDict:
        value = params["chat_id"]
        chat_id = int(value) if str(value).lstrip("-").isdigit() else None
        if chat_id is None or chat_id not in self._chats:
            raise _bad("chat not found")
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
            raise _bad("user not found")
        return {"status": "member", "user": user.to_json()}

    def _get_file(self, params: JSONDict) -> JSONDict:
        stored = self._files.get(str(params["file_id"]))
        if stored is None:
            raise _bad("invalid file_id")
        return {
            "file_id": str(params["file_id"]),
            "file_unique_id": stored.file_unique_id,
            "file_size": len(stored.content),
            "file_path": stored.file_path,
        }

    _handlers: ClassVar[dict[str, Callable[[FakeBotApi, JSONDict], Any]]] = {
        "getMe": _get_me,
        "logOut": _ok,
        "close": _ok,
        "setWebhook": _set_webhook,
        "deleteWebhook": _delete_webhook,
        "getWebhookInfo": _get_webhook_info,
        "sendMessage": _send_message,
        "sendDocument": _send_document,
        "sendPhoto": _send_photo,
        "editMessageText": _edit_message_text,
        "editMessageCaption": _edit_message_caption,
        "editMessageReplyMarkup": _edit_message_reply_markup,
        "deleteMessage": _delete_message,
        "answerCallbackQuery": _answer_callback_query,
        "sendChatAction": _send_chat_action,
        "setMyCommands": _set_my_commands,
        "deleteMyCommands": _delete_my_commands,
        "getMyCommands": _get_my_commands,
        "setChatMenuButton": _set_chat_menu_button,
        "getChatMenuButton": _get_chat_menu_button,
        "getChat": _get_chat,
        "getChatMember": _get_chat_member,
        "getFile": _get_file,
    }


# ----------------------------------------------------------------------------------------- helpers


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


def _check_inline_button(button: Any) -> None:
    if not isinstance(button, dict):
        raise _bad("can't parse inline keyboard button: InlineKeyboardButton must be an Object")
    text = button.get("text")
    if not isinstance(text, str):
        raise _bad('can\'t parse inline keyboard button: Field "text" must be of type String')
    if not text.strip():
        raise _bad("BUTTON_TEXT_INVALID")
    if not any(key in button for key in _BUTTON_ACTIONS):
        raise _bad("text buttons are unallowed in the inline keyboard")
    if "callback_data" in button:
        data = button["callback_data"]
        if not isinstance(data, str) or not 1 <= len(data.encode("utf-8")) <= CALLBACK_DATA_LIMIT:
            raise _bad("BUTTON_DATA_INVALID")
    if "url" in button and (not isinstance(button["url"], str) or not button["url"].strip()):
        raise _bad("BUTTON_URL_INVALID")


def _coerce_string(name: str, types: list[str], value: str) -> Any:
    if types == ["Integer"]:
        try:
            return int(value)
        except ValueError:
            raise _bad(f'field "{name}" must be of type Integer') from None
    if types == ["Integer", "String"]:
        return int(value) if re.fullmatch(r"-?\d+", value) else value
    if types == ["Boolean"]:
        lowered = value.lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0", ""):
            return False
        raise _bad(f'field "{name}" must be of type Boolean')
    if types == ["Float"]:
        try:
            return float(value)
        except ValueError:
            raise _bad(f'field "{name}" must be of type Float') from None
    if "String" in types:
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise _bad(f"can't parse {name} JSON object") from None


async def _read_params(request: web.Request) -> tuple[JSONDict, dict[str, _Upload]]:
    """Query string plus JSON, urlencoded or multipart body (what PTB and other clients send)."""
    params: JSONDict = dict(request.query)
    files: dict[str, _Upload] = {}
    if not request.body_exists:
        return params, files
    content_type = request.content_type
    if content_type == "application/json":
        try:
            body = await request.json()
        except ValueError:
            raise _bad("can't parse JSON request body") from None
        if not isinstance(body, dict):
            raise _bad("request body must be a JSON object")
        params.update(body)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                files[key] = _Upload(value.filename, value.file.read(), value.content_type)
            elif isinstance(value, bytes | bytearray):
                params[key] = bytes(value).decode("utf-8", "replace")
            else:
                params[key] = value
    return params, files
