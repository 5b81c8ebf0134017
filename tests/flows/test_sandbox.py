"""`samenspel sandbox` without a browser: its HTTP API drives the real bot, the clock wakes the scheduler, and
the page refuses what it should."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import aiohttp
import pytest

from bot.sandbox.server import Sandbox, SandboxError

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
JSON = dict[str, Any]


@pytest.fixture
async def sandbox() -> AsyncIterator[Sandbox]:
    box = Sandbox(port=0)  # any free port
    await box.start()
    try:
        yield box
    finally:
        await box.stop()


@pytest.fixture
async def http(sandbox: Sandbox) -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(base_url=sandbox.url) as session:
        yield session


async def post(http: aiohttp.ClientSession, path: str, body: JSON) -> JSON:
    async with http.post(path, json=body) as response:
        assert response.status == 200, await response.text()
        result: JSON = await response.json()
        return result


async def state_until(http: aiohttp.ClientSession, predicate: Callable[[JSON], bool], *, limit: float = 10.0) -> JSON:
    """Long-poll /api/state like the page does until ``predicate`` holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    version = 0
    while True:
        async with http.get("/api/state", params={"after": str(version)}) as response:
            state: JSON = await response.json()
        if predicate(state):
            return state
        assert loop.time() < deadline, f"state never matched; last: {state['phones']}"
        version = state["version"]


def bot_messages(state: JSON, person: str) -> list[JSON]:
    return [m for m in state["phones"][person]["messages"] if m["from"] == "bot"]


def last_with(state: JSON, person: str, needle: str) -> JSON | None:
    return next((m for m in reversed(bot_messages(state, person)) if needle in m["text"]), None)


def button(message: JSON, label: str) -> tuple[int, int]:
    for row, buttons in enumerate(message["buttons"]):
        for column, candidate in enumerate(buttons):
            if label in candidate["text"]:
                return row, column
    raise AssertionError(f"no button {label!r} in {message['buttons']}")


async def question(http: aiohttp.ClientSession, person: str, needle: str) -> JSON:
    """The newest bot message containing ``needle`` once it has buttons."""

    def asked(state: JSON) -> bool:
        message = last_with(state, person, needle)
        return message is not None and bool(message["buttons"])

    found = last_with(await state_until(http, asked), person, needle)
    assert found is not None
    return found


async def tap(http: aiohttp.ClientSession, person: str, message: JSON, label: str) -> None:
    row, column = button(message, label)
    await post(
        http, "/api/press", {"person": person, "message_id": message["message_id"], "row": row, "column": column}
    )


async def test_page_config_and_seeded_phones(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    async with http.get("/") as response:
        assert response.status == 200 and "sandbox.js" in await response.text()
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    async with http.get("/api/config") as response:
        config: JSON = await response.json()
    assert [p["key"] for p in config["people"]] == ["vera", "piet", "fatima", "anna", "kees", "noor", "nieuw"]
    assert config["people"][-1]["role"] == "new"
    assert config["messages"]["clock.plus15"] == {"nl": "+15 minuten", "en": "+15 minutes"}
    state = await state_until(http, lambda s: last_with(s, "vera", "di en do 10-16 uur") is not None)
    first, welcome = state["phones"]["vera"]["messages"][:2]
    assert (first["from"], first["text"]) == ("me", "/start")  # the invite code is not shown, as in Telegram
    assert "Welkom bij Buurtteam Overvecht, Vera!" in welcome["text"]
    assert any(e["type"] == "bold" for e in welcome["entities"])
    vera = state["phones"]["vera"]
    assert "signal" in [c["command"] for c in vera["commands"]]
    assert "people" in [c["command"] for c in state["phones"]["anna"]["commands"]]


async def test_signal_acknowledged_and_the_clock_makes_another_climb(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    async def report(client: str, text: str) -> None:
        await post(http, "/api/send", {"person": "vera", "text": "/signal"})
        for needle, answer in (("Over wie gaat het?", client), ("Waar gaat het over?", "Gezondheid")):
            await tap(http, "vera", await question(http, "vera", needle), answer)
        await tap(http, "vera", await question(http, "vera", "Hoe dringend"), "Dringend")
        await state_until(http, lambda s: last_with(s, "vera", "eigen woorden") is not None)
        await post(http, "/api/send", {"person": "vera", "text": text})
        await tap(http, "vera", await question(http, "vera", text), "Versturen")

    await report("C-12", "Ze is gevallen en durft niet naar buiten.")
    state = await state_until(http, lambda s: last_with(s, "piet", "Dringend: signaal van Vera") is not None)
    alert = last_with(state, "piet", "Dringend: signaal van Vera")
    assert alert is not None and "C-12" in alert["text"]
    await tap(http, "piet", alert, "Ik pak het op")
    state = await state_until(
        http, lambda s: last_with(s, "vera", "Piet heeft je signaal over C-12 opgepakt") is not None
    )
    edited = next(m for m in bot_messages(state, "piet") if m["message_id"] == alert["message_id"])
    assert edited["edited"] and "Opgepakt door jou" in edited["text"]

    # A second signal nobody picks up: +15 minutes moves the clock and the scheduler acts at once.
    await report("C-31", "Hij neemt de telefoon niet meer op.")
    await state_until(http, lambda s: last_with(s, "piet", "C-31") is not None)
    assert last_with(sandbox.state(), "fatima", "C-31") is None
    before = sandbox.clock.now()
    await post(http, "/api/clock", {"step": "15m"})
    state = await state_until(http, lambda s: last_with(s, "fatima", "Dringend: signaal van Vera") is not None, limit=5)
    assert state["clock"]["offset_ms"] >= 15 * 60 * 1000
    assert (sandbox.clock.now() - before).total_seconds() >= 15 * 60


async def test_monday_evening_brings_the_weekly_checkin(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    await post(http, "/api/clock", {"step": "monday19"})
    local = sandbox.clock.now().astimezone(AMSTERDAM)
    assert (local.weekday(), local.hour) == (0, 19)
    for person in ("vera", "kees", "noor"):

        def prompted(state: JSON, person: str = person) -> bool:
            return last_with(state, person, "even inchecken") is not None

        state = await state_until(http, prompted, limit=5)
    prompt = last_with(state, "noor", "even inchecken")
    assert prompt is not None and prompt["buttons"]
    assert last_with(state, "piet", "even inchecken") is None


async def test_the_page_refuses_what_it_should(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    async with http.post("/api/send", data="person=vera&text=hoi") as response:
        assert response.status == 415  # no form posts from other sites
    async with http.get("/api/state", headers={"Host": f"evil.example:{sandbox.port}"}) as response:
        assert response.status == 403  # DNS rebinding
    async with http.post("/api/send", json={"person": "mallory", "text": "hoi"}) as response:
        assert response.status == 404
    async with http.post("/api/press", json={"person": "vera", "message_id": 999, "row": 0, "column": 0}) as response:
        assert response.status == 409
    async with http.post("/api/clock", json={"step": "-1h"}) as response:
        assert response.status == 400
    async with http.get("/static/..%2Fserver.py") as response:
        assert response.status == 404


async def test_the_spare_phone_joins_through_an_invite_made_on_annas_phone(
    sandbox: Sandbox, http: aiohttp.ClientSession
) -> None:
    async with http.post("/api/open-invite", json={"person": "nieuw"}) as response:
        assert response.status == 409  # Anna has made no invite yet
    async with http.post("/api/open-invite", json={"person": "vera"}) as response:
        assert response.status == 400  # only the spare phone opens links
    await post(http, "/api/send", {"person": "anna", "text": "/invite"})
    await tap(http, "anna", await question(http, "anna", "Kies de rol"), "Vrijwilliger")
    await state_until(http, lambda s: last_with(s, "anna", "Hoe heet de nieuwe vrijwilliger?") is not None)
    await post(http, "/api/send", {"person": "anna", "text": "Sam"})
    await tap(http, "anna", await question(http, "anna", "In welk team zit Sam?"), "Geen team")
    await state_until(http, lambda s: last_with(s, "anna", "?start=") is not None)

    await post(http, "/api/open-invite", {"person": "nieuw"})
    state = await state_until(http, lambda s: last_with(s, "nieuw", "Welkom bij Buurtteam Overvecht, Sam!") is not None)
    assert [m["text"] for m in state["phones"]["nieuw"]["messages"] if m["from"] == "me"] == ["/start"]
    await state_until(http, lambda s: "signal" in [c["command"] for c in s["phones"]["nieuw"]["commands"]])
    await state_until(http, lambda s: last_with(s, "anna", "Sam heeft de uitnodiging geaccepteerd") is not None)
    # The link works once: opening it again is answered as used, and nothing changes.
    await post(http, "/api/open-invite", {"person": "nieuw"})
    await state_until(http, lambda s: last_with(s, "nieuw", "al gebruikt") is not None)


async def test_one_day_on_the_clock(sandbox: Sandbox, http: aiohttp.ClientSession) -> None:
    before = sandbox.clock.now()
    await post(http, "/api/clock", {"step": "1d"})
    assert (sandbox.clock.now() - before).total_seconds() >= 24 * 3600


class HeldBeforeSeeding(Sandbox):
    """The page is up and the bot polls, but the demo people are not registered yet."""

    def __init__(self) -> None:
        super().__init__(port=0)
        self.web_up, self.release, self.waiting = asyncio.Event(), asyncio.Event(), asyncio.Event()

    async def _start_web(self) -> None:
        await super()._start_web()
        self.web_up.set()

    async def _bot_running(self, limit: float = 30.0) -> None:
        await super()._bot_running(limit)
        await self.release.wait()

    async def until_ready(self, limit: float = 60.0) -> None:
        self.waiting.set()
        await super().until_ready(limit)


async def test_a_message_sent_while_the_sandbox_starts_is_answered_once_it_is_ready() -> None:
    box = HeldBeforeSeeding()
    starting = asyncio.create_task(box.start())
    try:
        await box.web_up.wait()
        async with aiohttp.ClientSession(base_url=box.url) as http:
            async with http.get("/api/state") as response:
                assert (await response.json())["ready"] is False
            sent = asyncio.create_task(post(http, "/api/send", {"person": "vera", "text": "/help"}))
            # Either the page's message is held (today) or it went to the bot at once (before the fix).
            await asyncio.wait({sent, asyncio.create_task(box.waiting.wait())}, return_when=asyncio.FIRST_COMPLETED)
            box.release.set()
            await starting
            await sent
            state = await state_until(http, lambda s: last_with(s, "vera", "/signal") is not None)
        vera = [m["text"] for m in bot_messages(state, "vera")]
        assert not [t for t in vera if "Deze bot is voor de vrijwilligers" in t], vera
        assert "Welkom bij Buurtteam Overvecht, Vera!" in vera[0]
        assert state["ready"] is True
    finally:
        box.release.set()
        if not starting.done():
            starting.cancel()
        await box.stop()


async def test_an_existing_db_file_is_refused(tmp_path: Path) -> None:
    existing = tmp_path / "samenspel.db"
    existing.write_bytes(b"")
    with pytest.raises(SandboxError, match="already exists"):
        await Sandbox(port=0, db_path=existing).start()
