"""``samenspel sandbox``: the Bot API simulator, the real bot against it and a web page of phones.

Everything runs in one event loop on this machine: the simulator (``botapi``) on a free loopback port,
the unmodified bot (``bot.app.serve``) long-polling it, and an aiohttp page server on 127.0.0.1 that
shows the demo people's chats and acts for them through the simulator, the way Telegram's own apps would.
The bot's clock is a ``ShiftedClock``: the page's clock buttons move it forward and run the scheduler
tick at once, so escalations climb and check-ins fire within a second instead of after real hours.
"""

from __future__ import annotations

import asyncio
import logging
import re
import tempfile
from datetime import datetime, time, timedelta
from pathlib import Path
from typing import Any, Final
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import SecretStr

from bot.app import SamenspelApp, build_application, serve, services_of
from bot.clock import ShiftedClock
from bot.config import AppSettings, Settings, StorageSettings, TelegramSettings
from bot.i18n import CATALOGUE, plain
from bot.sandbox import demo
from bot.sandbox.botapi import FakeBotApi, is_loopback_host, random_token
from bot.sandbox.state import FakeUser, SentMessage
from storage.files import DatabaseInUse, InstanceLock

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]
STATIC_DIR: Final = Path(__file__).resolve().parent / "static"
# The files the page needs; anything else under /static is refused, so no path can walk out of it.
STATIC_FILES: Final = {
    "sandbox.css": "text/css",
    "sandbox.js": "text/javascript",
}
DEFAULT_PORT: Final = 8080
TEXT_LIMIT: Final = 4096  # what Telegram accepts in one message
LONG_POLL_SECONDS: Final = 20.0
TOASTS_KEPT: Final = 20
CLOCK_STEPS: Final = {"15m": timedelta(minutes=15), "1h": timedelta(hours=1), "1d": timedelta(days=1)}
NEXT_MONDAY_EVENING: Final = (0, time(19, 0))  # the demo's weekly check-in
SANDBOX_BOT_ID: Final = 777000
START_WAIT_SECONDS: Final = 60.0
INVITE_LINK: Final = re.compile(r"https://t\.me/[A-Za-z0-9_]+\?start=([A-Za-z0-9_-]{1,64})")


class SandboxError(Exception):
    """Something the person starting the sandbox can fix (a busy port, an existing --db file).

    ``key`` is a catalogue message (``sandbox.cli.*``) and ``values`` its placeholders, for the CLI to say.
    """

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(plain("en", key, **values))
        self.key = key
        self.values = values


def next_weekly(now: datetime, weekday: int, at: time, zone: ZoneInfo) -> datetime:
    """The first ``weekday`` ``at`` (wall clock in ``zone``) strictly after ``now``."""
    local = now.astimezone(zone)
    days = (weekday - local.weekday()) % 7
    candidate = datetime.combine(local.date() + timedelta(days=days), at, tzinfo=zone)
    if candidate <= local:
        candidate = datetime.combine(local.date() + timedelta(days=days + 7), at, tzinfo=zone)
    return candidate


def sandbox_settings(api: FakeBotApi, db_path: Path, language: str) -> Settings:
    """Settings for the sandbox bot. No config file is read: the sandbox has its own token and database."""
    return Settings(
        telegram=TelegramSettings(
            token=SecretStr(api.token),
            base_url=api.base_url,
            base_file_url=api.base_file_url,
            # Short polls so that Ctrl-C stops at once; the simulator answers new updates immediately anyway.
            poll_timeout_seconds=1,
            request_timeout_seconds=5,
            max_messages_per_second=1000,
        ),
        storage=StorageSettings(path=db_path),
        app=AppSettings(organisation=demo.ORGANISATION, language=language, log_level="WARNING"),
    )


class Sandbox:
    """One sandbox: start() brings everything up (the page last, once the demo is seeded); stop() ends it."""

    def __init__(self, *, port: int = DEFAULT_PORT, db_path: Path | None = None, language: str = "nl") -> None:
        if language not in ("nl", "en"):
            raise ValueError("language must be nl or en")
        self.port = port
        self.language = language
        self._db_path = db_path
        self._tmp: tempfile.TemporaryDirectory[str] | None = None
        self._lock: InstanceLock | None = None
        self.clock = ShiftedClock()
        # A new token every run: nothing else on this machine can guess the simulator's URLs.
        self.api = FakeBotApi(token=random_token(SANDBOX_BOT_ID), bot_username="samenspel_sandbox_bot")
        # Message times on the phones follow the bot's clock, not the wall clock.
        self.api.now = lambda: self.clock.now().timestamp()
        self.app: SamenspelApp | None = None
        self.users: dict[str, FakeUser] = {p.key: demo.phone_user(p, language) for p in (*demo.PEOPLE, demo.SPARE)}
        # Set once the demo people are registered: the page can be open before that (its port comes first),
        # and what it sends meanwhile waits here instead of reaching the bot from a stranger.
        self._ready = asyncio.Event()
        self._stop_bot = asyncio.Event()
        self._bot_task: asyncio.Task[None] | None = None
        self._runner: web.AppRunner | None = None
        self._presses: dict[str, list[int]] = {key: [] for key in self.users}
        self._zone = ZoneInfo("Europe/Amsterdam")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def db_path(self) -> Path:
        if self._db_path is None:
            raise RuntimeError("sandbox not started")
        return self._db_path

    # ------------------------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        if self._db_path is None:
            self._tmp = tempfile.TemporaryDirectory(prefix="samenspel-sandbox-")
            self._db_path = Path(self._tmp.name) / "sandbox.db"
        # Like `samenspel run`, the lock comes first: a bot running on this file is named, not just "exists".
        lock = InstanceLock(self._db_path)
        try:
            lock.acquire()
        except DatabaseInUse as exc:
            raise SandboxError("sandbox.cli.db_in_use", path=self._db_path, pid=exc.pid or "?") from None
        self._lock = lock
        if self._tmp is None and self._db_path.exists():
            self._release_lock()
            raise SandboxError("sandbox.cli.db_exists", path=self._db_path)
        try:
            # The page's port first: a busy port should fail before anything else starts.
            await self._start_web()
            await self.api.start()
            settings = sandbox_settings(self.api, self._db_path, self.language)
            self._zone = settings.app.zone
            self.app = build_application(settings, clock=self.clock)
            self._bot_task = asyncio.create_task(serve(self.app, self._stop_bot), name="sandbox-bot")
            await self._bot_running()
            await demo.seed(services_of(self.app), self.api, self.language)
            self.api.register_user(self.users[demo.SPARE.key])
            self._ready.set()
            self.api.touch()  # pages waiting on the state hear that the sandbox is ready
        except BaseException:
            await self.stop()
            raise

    async def _start_web(self) -> None:
        app = web.Application(middlewares=[self._guard], client_max_size=64 * 1024)
        app.router.add_get("/", self._index)
        app.router.add_get("/static/{name}", self._static)
        app.router.add_get("/api/config", self._config)
        app.router.add_get("/api/state", self._state)
        app.router.add_post("/api/send", self._send)
        app.router.add_post("/api/press", self._press)
        app.router.add_post("/api/clock", self._clock)
        app.router.add_post("/api/open-invite", self._open_invite)
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=0.5)
        await runner.setup()
        self._runner = runner
        site = web.TCPSite(runner, "127.0.0.1", self.port)  # loopback only: the page acts for everyone
        try:
            await site.start()
        except OSError as exc:
            raise SandboxError("sandbox.cli.port_busy", port=self.port, reason=exc.strerror or exc) from None
        self.port = int(runner.addresses[0][1])

    async def _bot_running(self, limit: float = 30.0) -> None:
        assert self.app is not None and self._bot_task is not None
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while not (self.app.running and self.app.updater is not None and self.app.updater.running):
            if self._bot_task.done():
                self._bot_task.result()  # raises what stopped it
                raise RuntimeError("the bot stopped during start-up")
            if loop.time() > deadline:
                raise RuntimeError("the bot did not start within 30 s")
            # Polled, not awaited: PTB offers no "started" event, and start-up takes well under a second.
            await asyncio.sleep(0.02)

    async def stop(self) -> None:
        self._stop_bot.set()
        task, self._bot_task = self._bot_task, None
        if task is not None:
            try:
                await asyncio.wait_for(task, timeout=20)
            except Exception:
                log.exception("the sandbox bot did not stop cleanly")
        runner, self._runner = self._runner, None
        await self.api.stop()  # first, so that open long polls of the page return
        if runner is not None:
            await runner.cleanup()
        self._release_lock()
        if self._tmp is not None:
            self._tmp.cleanup()
            self._tmp = None

    def _release_lock(self) -> None:
        lock, self._lock = self._lock, None
        if lock is not None:
            lock.release()

    # ---------------------------------------------------------------------------- acting as people

    def user(self, key: str) -> FakeUser:
        user = self.users.get(key)
        if user is None:
            raise web.HTTPNotFound(text="no such person")
        return user

    def send_text(self, key: str, text: str) -> None:
        self.api.send_text(self.user(key), text)

    async def until_ready(self, limit: float = START_WAIT_SECONDS) -> None:
        """What the page does before the demo is seeded waits for it (and is refused if it never comes)."""
        try:
            await asyncio.wait_for(self._ready.wait(), limit)
        except TimeoutError:
            raise web.HTTPServiceUnavailable(text="the sandbox is still starting") from None

    def last_invite_code(self) -> str | None:
        """The start code of the newest invite link in the coordinator's chat (what the spare phone opens)."""
        for message in reversed(self.api.messages(self.user("anna").id)):
            match = INVITE_LINK.search(message.text)
            if match:
                return match.group(1)
        return None

    def open_last_invite(self, key: str) -> str:
        """The spare phone opens the newest invite link shown to Anna, as tapping it in Telegram would."""
        code = self.last_invite_code()
        if code is None:
            raise web.HTTPConflict(text="no invite link in Anna's chat yet")
        self.send_text(key, f"/start {code}")
        return code

    def press(self, key: str, message_id: int, row: int, column: int) -> int:
        """Tap the button at (row, column) of the bot's message, as it is now; the update id."""
        user = self.user(key)
        live = next((m for m in self.api.messages(user.id) if m.message_id == message_id and not m.deleted), None)
        rows = ((live.reply_markup or {}).get("inline_keyboard") or []) if live is not None else []
        if live is None or not 0 <= row < len(rows) or not 0 <= column < len(rows[row]):
            raise web.HTTPConflict(text="that button is gone")
        data = rows[row][column].get("callback_data")
        if not isinstance(data, str):
            raise web.HTTPBadRequest(text="not a callback button")
        update_id = self.api.press_data(user, live, data)
        pressed = self._presses[key]
        pressed.append(update_id)
        del pressed[:-TOASTS_KEPT]
        return update_id

    async def advance(self, step: str) -> None:
        """Move the bot's clock and let the scheduler act on what fell due, at once."""
        if step in CLOCK_STEPS:
            self.clock.advance(CLOCK_STEPS[step])
        elif step == "monday19":
            weekday, at = NEXT_MONDAY_EVENING
            self.clock.advance_to(next_weekly(self.clock.now(), weekday, at, self._zone))
        else:
            raise web.HTTPBadRequest(text="unknown clock step")
        self.api.touch()  # every page shows the new time even if nothing else happens
        if self.app is not None:
            await services_of(self.app).scheduler.tick()

    # ---------------------------------------------------------------------------------- the state

    def state(self) -> JSONDict:
        version = self.api.version
        now = self.clock.now()
        return {
            "version": version,
            "ready": self._ready.is_set(),
            "clock": {"now": now.isoformat(), "offset_ms": int(self.clock.offset.total_seconds() * 1000)},
            "phones": {key: self._phone(key, user) for key, user in self.users.items()},
        }

    def _phone(self, key: str, user: FakeUser) -> JSONDict:
        items: list[tuple[int, JSONDict]] = [
            (m.created_seq, _bot_message(m)) for m in self.api.messages(user.id) if not m.deleted
        ]
        for sent in self.api.user_messages(user.id):
            # Telegram's apps show a deep link's "/start CODE" as just "/start".
            text = "/start" if sent.text.startswith("/start ") else sent.text
            items.append((sent.seq, {"id": f"u{sent.message_id}", "from": "me", "text": text, "date": sent.date}))
        items.sort(key=lambda item: item[0])
        toasts = []
        for update_id in self._presses[key]:
            answer = self.api.callback_answer_for(update_id)
            if answer and answer.get("text"):
                toasts.append({"id": update_id, "text": str(answer["text"]), "alert": bool(answer.get("show_alert"))})
        return {
            "messages": [item for _, item in items],
            "commands": self.api.commands_for(user.id, user.language_code),
            "toasts": toasts,
        }

    # ------------------------------------------------------------------------------------- HTTP

    @web.middleware
    async def _guard(self, request: web.Request, handler: Any) -> web.StreamResponse:
        # Only pages served from this sandbox may drive it: a foreign Host (DNS rebinding) is refused,
        # and actions need a JSON body, which another site's form or plain fetch cannot send cross-origin.
        if not is_loopback_host(request.host, self.port):
            raise web.HTTPForbidden(text="open the sandbox at " + self.url)
        if request.method == "POST" and request.content_type != "application/json":
            raise web.HTTPUnsupportedMediaType(text="send JSON")
        response: web.StreamResponse = await handler(request)
        response.headers["Cache-Control"] = "no-store"
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    async def _index(self, request: web.Request) -> web.StreamResponse:
        return web.FileResponse(STATIC_DIR / "index.html", headers={"Content-Type": "text/html; charset=utf-8"})

    async def _static(self, request: web.Request) -> web.StreamResponse:
        name = request.match_info["name"]
        if name not in STATIC_FILES:
            raise web.HTTPNotFound()
        content_type = f"{STATIC_FILES[name]}; charset=utf-8"
        return web.FileResponse(STATIC_DIR / name, headers={"Content-Type": content_type})

    async def _config(self, request: web.Request) -> web.StreamResponse:
        return web.json_response(
            {
                "language": self.language,
                "zone": str(self._zone),
                "organisation": demo.ORGANISATION,
                "messages": {
                    key.removeprefix("sandbox."): texts for key, texts in CATALOGUE.plain_texts("sandbox.").items()
                },
                "people": [
                    *({"key": p.key, "name": p.name, "role": p.role.value} for p in demo.PEOPLE),
                    {"key": demo.SPARE.key, "name": demo.SPARE.name, "role": demo.SPARE_ROLE},
                ],
                "shown_first": list(demo.SHOWN_FIRST),
            }
        )

    async def _state(self, request: web.Request) -> web.StreamResponse:
        try:
            after = int(request.query.get("after", "0"))
        except ValueError:
            raise web.HTTPBadRequest(text="after must be a number") from None
        # 0: the page has nothing yet (it may open before anything happened); larger than the version: it knew
        # an earlier sandbox. Both are answered at once.
        if 0 < after <= self.api.version:
            await self.api.wait_change(after, LONG_POLL_SECONDS)
        return web.json_response(self.state())

    async def _send(self, request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        text = body.get("text")
        if not isinstance(text, str) or not text.strip() or len(text) > TEXT_LIMIT:
            raise web.HTTPBadRequest(text=f"text must be 1 to {TEXT_LIMIT} characters")
        await self.until_ready()
        self.send_text(_key(body), text.strip())
        return web.json_response({"ok": True})

    async def _press(self, request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        numbers = [body.get(name) for name in ("message_id", "row", "column")]
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in numbers):
            raise web.HTTPBadRequest(text="message_id, row and column must be numbers")
        message_id, row, column = (int(n) for n in numbers)  # type: ignore[arg-type]
        await self.until_ready()
        update_id = self.press(_key(body), message_id, row, column)
        return web.json_response({"ok": True, "update_id": update_id})

    async def _clock(self, request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        await self.until_ready()
        await self.advance(str(body.get("step", "")))
        return web.json_response({"ok": True, "now": self.clock.now().isoformat()})

    async def _open_invite(self, request: web.Request) -> web.StreamResponse:
        body = await _json_body(request)
        key = _key(body)
        if key != demo.SPARE.key:
            raise web.HTTPBadRequest(text="only the spare phone opens invite links")
        await self.until_ready()
        self.open_last_invite(key)
        return web.json_response({"ok": True})


def _bot_message(message: SentMessage) -> JSONDict:
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    buttons = [
        [
            {"text": str(b.get("text", "")), "callback": "callback_data" in b, "url": b.get("url")}
            for b in row
            if isinstance(b, dict)
        ]
        for row in rows
        if isinstance(row, list)
    ]
    file_name = (message.document or message.photo or {}).get("file_name")
    return {
        "id": f"b{message.message_id}",
        "message_id": message.message_id,
        "from": "bot",
        "text": message.text,
        "entities": message.entities,
        "date": message.date,
        "edited": message.edited,
        "buttons": buttons,
        "file": file_name,
    }


async def _json_body(request: web.Request) -> JSONDict:
    try:
        body = await request.json()
    except (ValueError, UnicodeDecodeError):
        raise web.HTTPBadRequest(text="the body is not JSON") from None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="the body must be a JSON object")
    return body


def _key(body: JSONDict) -> str:
    key = body.get("person")
    if not isinstance(key, str):
        raise web.HTTPBadRequest(text="person is missing")
    return key
