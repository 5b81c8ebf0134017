"""The sandbox's Bot API simulator as the tests drive it: Telegram misbehaving on demand, what only tests
make people do (media, group chats, a tap found by its label) and read (the last message, calls, updates not
yet fetched, a quiet bot), and a thread of its own for tests and benchmarks that block.

Faults: the next calls of a method fail (``fail_next``: 429 with retry_after, 500, 502, 403, a timeout
that holds the request, or an answer lost after the call was carried out), optionally for one chat only;
a random fraction of calls fails (``set_failure_rate``); answers come late (``response_delay``); a token
bucket answers 429 above a rate (``rate_limit_per_second``); people block the bot (``block``).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import random
import re
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Coroutine, Sequence
from types import TracebackType
from typing import Any, Self, TypeVar

from bot.sandbox.botapi import FakeBotApi
from bot.sandbox.spec import ApiError, JSONDict
from bot.sandbox.state import FakeUser, SentMessage

# Minimal stand-ins for media the fake users send.
_FAKE_JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00fake-photo\xff\xd9"
_FAKE_OGG = b"OggS\x00fake-voice"
_FAKE_WEBP = b"RIFF\x00\x00\x00\x00WEBPfake-sticker"
# "lost": the call is carried out, but its answer never arrives (held like "timeout", then 504).
FAULT_KINDS = frozenset({"429", "500", "502", "timeout", "lost", "403"})

_T = TypeVar("_T")


class FaultyBotApi(FakeBotApi):
    """``FakeBotApi`` plus what only tests need. See the module docstring."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.timeout_hold: float = 30.0  # how long a "timeout" or "lost" fault holds the request
        self.response_delay: float = 0.0  # send*/edit* answer this much later, after being carried out
        self.rate_limit_per_second: float | None = None
        self.rate_limited_methods: set[str] = {"sendMessage"}
        self.faults_injected = 0
        self.faults_by_kind: Counter[str] = Counter()  # fault kind -> how many were injected
        self.rate_limited = 0
        self._blocked: set[int] = set()
        # method -> queued faults (kind, retry_after, only for this chat or None for any)
        self._fail_queue: dict[str, deque[tuple[str, int, int | None]]] = {}
        self._failure_rate = 0.0
        self._failure_rng = random.Random(0)
        self._failure_methods: set[str] | None = None
        self._failure_kinds: tuple[str, ...] = ("429", "500", "timeout")
        self._bucket_tokens = 0.0
        self._bucket_time: float | None = None
        self._thread: threading.Thread | None = None

    # ---------------------------------------------------------------------------------- faults

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

    async def _answer(self, method: str, params: JSONDict) -> Any:
        fault = self._pick_fault(method, params.get("chat_id"))
        if fault is not None and fault[0] == "lost" and method != "getUpdates":
            self._dispatch(method, params)  # carried out; then the answer is lost
        if fault is not None:
            await self._apply_fault(fault)
        result = await super()._answer(method, params)
        if self.response_delay and method.startswith(("send", "edit")):
            await asyncio.sleep(self.response_delay)  # carried out; the answer takes a while
        return result

    def _resolve_chat(self, value: Any) -> int:
        chat_id = super()._resolve_chat(value)
        if chat_id in self._blocked:
            if chat_id < 0:
                raise ApiError(403, "Forbidden: bot was kicked from the group chat")
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat_id

    def _dispatch(self, method: str, params: JSONDict) -> Any:
        with self._lock:
            if method in self.rate_limited_methods and "chat_id" in params:
                self._resolve_chat(params["chat_id"])  # an unknown or blocked chat is refused as such first
                self._rate_check()
            return super()._dispatch(method, params)

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
            raise ApiError(504, "Gateway Timeout")
        if kind == "429":
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after=retry_after)
        if kind == "500":
            raise ApiError(500, "Internal Server Error")
        if kind == "502":
            raise ApiError(502, "Bad Gateway")
        raise ApiError(403, "Forbidden: bot was blocked by the user")

    def _rate_check(self) -> None:
        rate = self.rate_limit_per_second
        if not rate:
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
            raise ApiError(429, "Too Many Requests: retry after 1", retry_after=1)
        self._bucket_tokens -= 1.0

    # ----------------------------------------------------------- what only tests make people do

    def send_group_text(self, user: FakeUser, chat_id: int, text: str, title: str = "Team") -> int:
        """The user sends ``text`` in a group (negative chat id; <= -10**12 is a supergroup)."""
        if chat_id >= 0:
            raise ValueError("group chat ids are negative")
        chat = {"id": chat_id, "type": "supergroup" if chat_id <= -(10**12) else "group", "title": title}
        message = self._user_message(user, chat, self._text_content(text))
        return self.send_update({"message": message})

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

    def last(self, chat_id: int) -> SentMessage:
        with self._lock:
            sent = self._messages.get(chat_id)
            if not sent:
                raise AssertionError(f"chat {chat_id} received no messages\n{self.describe(chat_id)}")
            return self._snapshot(sent[-1])

    def calls_to(self, method: str) -> list[JSONDict]:
        return [params for name, params in list(self.calls) if name == method]

    @property
    def pending_updates(self) -> int:
        """Injected updates not yet confirmed by a getUpdates offset."""
        with self._lock:
            return len(self._pending)

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

    # ----------------------------------------------------------------------------- thread mode

    def start_in_thread(self) -> None:
        """Run the server on its own event loop in a daemon thread (for callers that block)."""
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

    def __enter__(self) -> Self:
        self.start_in_thread()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop_thread()

    def _run_sync(self, coro: Coroutine[Any, Any, _T], timeout: float) -> _T:
        loop = self._loop
        if loop is None:
            coro.close()
            raise RuntimeError("FakeBotApi is not started")
        if self._in_loop_thread():
            coro.close()
            raise RuntimeError("*_sync helpers block; call them from another thread than the server's")
        return asyncio.run_coroutine_threadsafe(coro, loop).result(timeout)

    def wait_for_sync(
        self,
        chat_id: int,
        predicate: Callable[[SentMessage], bool] | str | re.Pattern[str] | None = None,
        *,
        timeout: float = 5.0,
        after: int = 0,
    ) -> SentMessage:
        """Blocking ``wait_for`` for thread mode (call from any thread but the server's)."""
        return self._run_sync(self.wait_for(chat_id, predicate, timeout=timeout, after=after), timeout + 5)

    def wait_idle_sync(self, timeout: float = 5.0, quiet: float = 0.05) -> None:
        self._run_sync(self.wait_idle(timeout, quiet), timeout + 5)
