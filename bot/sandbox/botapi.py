"""A local simulator of the Telegram Bot API server: the sandbox's phone network and the tests' Telegram.

It speaks real HTTP on 127.0.0.1 (aiohttp.web), so an unmodified python-telegram-bot ``Application`` or
a ``samenspel run`` subprocess can talk to it by pointing ``base_url``/``base_file_url`` at it. Every
call is checked against the official machine-readable Bot API spec (``spec``); the methods a bot
typically uses are implemented with state and Telegram's validation rules (``message_methods``,
``bot_settings``), the rest answer ``true``. People act through ``phones`` (``send_text``, ``press``...)
and what each chat received can be read there (``messages``, ``wait_for``...).

Usage, on the running event loop::

    async with FakeBotApi() as api:
        app = (
            ApplicationBuilder().token(api.token).base_url(api.base_url)
            .base_file_url(api.base_file_url).build()
        )
        ...
        api.send_text(alice, "/start")
        reply = await api.wait_for(alice.id, "Welkom")

Tests reach Telegram misbehaving through a subclass of their own (``tests/support/faulty_bot_api.py``),
which overrides ``_answer`` (faults, delays) and ``_resolve_chat`` (people who blocked the bot).
"""

from __future__ import annotations

import asyncio
import copy
import secrets
import threading
import time
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any, ClassVar, Self

from aiohttp import web

from .bot_settings import BotSettingsMethods
from .message_methods import MessageMethods
from .phones import Phones
from .spec import (
    DEFAULT_SPEC_PATH,
    ApiError,
    JSONDict,
    check_required,
    coerce_params,
    error_body,
    load_spec,
    public_params,
    read_params,
)

# Update types Telegram only delivers when explicitly listed in allowed_updates.
_OPT_IN_UPDATES = frozenset({"chat_member", "message_reaction", "message_reaction_count"})


def is_loopback_host(host: str, port: int) -> bool:
    """Whether an HTTP Host header names this machine's loopback address on `port`.

    Refusing every other name stops DNS rebinding: a web page cannot point a name of its own at 127.0.0.1
    and drive a local server through the visitor's browser.
    """
    return host in (f"127.0.0.1:{port}", f"localhost:{port}")


def random_token(bot_id: int) -> str:
    """A token shaped like BotFather's (id, colon, 35 URL-safe characters), new on every call."""
    return f"{bot_id}:{secrets.token_urlsafe(26)}"


def _update_type(update: JSONDict) -> str:
    return next((key for key in update if key != "update_id"), "")


class FakeBotApi(Phones, MessageMethods, BotSettingsMethods):
    """Local fake of api.telegram.org for one bot token. See the module docstring."""

    def __init__(
        self,
        *,
        token: str = "123456:TEST-token",
        bot_username: str = "samenspel_test_bot",
        spec_path: str | Path = DEFAULT_SPEC_PATH,
    ) -> None:
        super().__init__(token=token, bot_username=bot_username)
        self._spec = load_spec(str(spec_path))
        self._method_names = {name.lower(): name for name in self._spec}
        self.port = 0
        self.base_url = ""
        self.base_file_url = ""
        self._runner: web.AppRunner | None = None
        self._allowed_updates: list[str] | None = None
        self._poll_generation = 0

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
        """Stop serving; pending long polls return and requests still held are dropped."""
        if self._stopping is not None:
            self._stopping.set()
            self._wake()
        runner, self._runner = self._runner, None
        if runner is not None:
            await runner.cleanup()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.stop()

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
            return web.json_response(error_body(ApiError(403, "Forbidden: unknown host")), status=403)
        response: web.StreamResponse = await handler(request)
        return response

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        method = self._canonical(request.match_info["method"])
        is_poll = method == "getUpdates"
        if not is_poll:
            self._begin_request()
        try:
            if request.match_info["token"] != self.token:
                return web.json_response(error_body(ApiError(401, "Unauthorized")), status=401)
            try:
                raw, files = await read_params(request)
            except ApiError as error:
                return web.json_response(error_body(error), status=error.code)
            if method is None:
                self.calls.append((request.match_info["method"], public_params(raw)))
                return web.json_response(error_body(ApiError(404, "Not Found")), status=404)
            params = raw
            recorded = False
            try:
                params = coerce_params(self._spec[method], raw, files)
                check_required(method, self._spec[method], params)
                self.calls.append((method, public_params(params)))
                recorded = True
                result = await self._answer(method, params)
            except ApiError as error:
                if not recorded:
                    self.calls.append((method, public_params(params)))
                self.errors.append((method, public_params(params), error.description))
                return web.json_response(error_body(error), status=error.code)
            return web.json_response({"ok": True, "result": result})
        finally:
            if not is_poll:
                self._end_request()

    async def _answer(self, method: str, params: JSONDict) -> Any:
        """Carry out a checked call and return its result (raises ApiError to refuse it)."""
        if method == "getUpdates":
            return await self._get_updates(params)
        return self._dispatch(method, params)

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        if request.match_info["token"] != self.token:
            raise web.HTTPUnauthorized()
        path = request.match_info["path"]
        with self._lock:
            stored = next((f for f in self._files.values() if f.file_path == path), None)
        if stored is None:
            raise web.HTTPNotFound()
        return web.Response(body=stored.content, content_type=stored.mime_type or "application/octet-stream")

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
                raise ApiError(
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
                    raise ApiError(
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

    _handlers: ClassVar[dict[str, Callable[[FakeBotApi, JSONDict], Any]]] = {
        "getMe": BotSettingsMethods._get_me,
        "logOut": BotSettingsMethods._ok,
        "close": BotSettingsMethods._ok,
        "setWebhook": BotSettingsMethods._set_webhook,
        "deleteWebhook": BotSettingsMethods._delete_webhook,
        "getWebhookInfo": BotSettingsMethods._get_webhook_info,
        "sendMessage": MessageMethods._send_message,
        "sendDocument": MessageMethods._send_document,
        "sendPhoto": MessageMethods._send_photo,
        "editMessageText": MessageMethods._edit_message_text,
        "editMessageCaption": MessageMethods._edit_message_caption,
        "editMessageReplyMarkup": MessageMethods._edit_message_reply_markup,
        "deleteMessage": MessageMethods._delete_message,
        "answerCallbackQuery": MessageMethods._answer_callback_query,
        "sendChatAction": MessageMethods._send_chat_action,
        "setMyCommands": BotSettingsMethods._set_my_commands,
        "deleteMyCommands": BotSettingsMethods._delete_my_commands,
        "getMyCommands": BotSettingsMethods._get_my_commands,
        "setChatMenuButton": BotSettingsMethods._set_chat_menu_button,
        "getChatMenuButton": BotSettingsMethods._get_chat_menu_button,
        "getChat": BotSettingsMethods._get_chat,
        "getChatMember": BotSettingsMethods._get_chat_member,
        "getFile": BotSettingsMethods._get_file,
    }
