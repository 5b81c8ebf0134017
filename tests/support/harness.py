"""Runs the real Application in this process against the fake Bot API, with the tests' clock, and plays
people: the end-to-end tests' stage."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.app import SamenspelApp, Services, build_application, serve, services_of
from bot.config import Settings, load_settings
from bot.domain.models import Role
from bot.domain.visits import Visit
from bot.sandbox.state import FakeUser, SentMessage
from storage import outbox, visits
from tests.support.clock import FakeClock
from tests.support.faulty_bot_api import FaultyBotApi
from tests.support.template_db import migrated_sqlite

START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Amsterdam


def make_settings(
    api: FaultyBotApi,
    db_path: Path,
    *,
    storage_url: str | None = None,
    telegram: dict[str, Any] | None = None,
    escalation: dict[str, Any] | None = None,
    reports: dict[str, Any] | None = None,
    **app: Any,
) -> Settings:
    return load_settings(
        None,
        telegram={
            "token": api.token,
            "base_url": api.base_url,
            "base_file_url": api.base_file_url,
            "poll_timeout_seconds": 1,
            "request_timeout_seconds": 5,
            "max_messages_per_second": 1000,
            **(telegram or {}),
        },
        # storage_url: PostgreSQL (tests/support/postgres.py) instead of the SQLite file.
        storage={"path": db_path, "url": storage_url},
        escalation=escalation or {},
        # The weekly digest and the monthly thank-you come by themselves on a day and time: off unless a test is
        # about them, so that no other test's chats get one when its clock passes Monday 09:00 or the first.
        reports={"digest": False, "monthly_summary": False, **(reports or {})},
        # Tests act faster than any person; the per-person limit and the strangers' budget have their own tests.
        app={"organisation": "Buurtteam Overvecht", "updates_burst": 0, "stranger_replies_burst": 0, **app},
    )


class Harness:
    """One bot, one fake Telegram, one fake clock."""

    def __init__(self, api: FaultyBotApi, app: SamenspelApp, clock: FakeClock) -> None:
        self.api = api
        self.app = app
        self.clock = clock
        self._processing = 0
        # Updates being handled, counted from when one is handed to the update processor (every polled update
        # goes through it): one that waits behind its sender's earlier update has not started `process_update`
        # yet, and between two of them nothing else shows work.
        processor = app.update_processor
        handed = processor.process_update

        async def counted(update: object, coroutine: Awaitable[Any]) -> None:
            self._processing += 1
            try:
                await handed(update, coroutine)
            finally:
                self._processing -= 1

        processor.process_update = counted  # type: ignore[method-assign,misc]

    @property
    def services(self) -> Services:
        return services_of(self.app)

    async def settle(self, limit: float = 10.0) -> None:
        """Until every update is handled and every due outbox message is delivered."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        stable = 0
        while stable < 2:
            if loop.time() > deadline:
                raise AssertionError("bot did not settle")
            await self.api.wait_idle(timeout=max(0.1, deadline - loop.time()), quiet=0.005)
            async with self.services.db.transaction() as tx:
                pending = await outbox.due_count(tx, self.services.delivery.clock.now())
            busy = self._processing or self.app.update_queue.qsize() or pending
            stable = 0 if busy else stable + 1
            if busy:
                await asyncio.sleep(0.002)

    # --- acting as people ---------------------------------------------------------------------

    async def send(self, user: FakeUser, text: str) -> list[SentMessage]:
        """Send text; returns the messages the bot sent to that chat in answer (new ones)."""
        before = len(self.api.messages(user.id))
        self.api.send_text(user, text)
        await self.settle()
        return self.api.messages(user.id)[before:]

    async def tap(self, user: FakeUser, message: SentMessage, label: str) -> SentMessage:
        """Press a button; returns the (possibly edited) message or the newest one in the chat."""
        before = len(self.api.messages(user.id))
        self.api.press(user, message, label)
        await self.settle()
        return self.latest(user, before, message.message_id)

    async def tap_data(self, user: FakeUser, message: SentMessage | None, data: str) -> int:
        update_id = self.api.press_data(user, message, data)
        await self.settle()
        return update_id

    def latest(self, user: FakeUser, before: int, message_id: int) -> SentMessage:
        messages = self.api.messages(user.id)
        if len(messages) > before:
            return messages[-1]
        return next(m for m in messages if m.message_id == message_id)

    def last(self, user: FakeUser) -> SentMessage:
        return self.api.last(user.id)

    def texts(self, user: FakeUser) -> list[str]:
        return [m.text for m in self.api.messages(user.id)]

    async def advance(self, delta: timedelta) -> None:
        """Move the clock and run the scheduler tick at once (as the JobQueue would within a tick)."""
        self.clock.advance(delta)
        await self.services.scheduler.tick()
        await self.settle()


@asynccontextmanager
async def running_bot(
    tmp_path: Path,
    *,
    api: FaultyBotApi | None = None,
    clock: FakeClock | None = None,
    storage_url: str | None = None,
    **app: Any,
) -> AsyncIterator[Harness]:
    own_api = api is None
    fake = api or FaultyBotApi()
    if own_api:
        await fake.start()
    clock = clock or FakeClock(START)
    if storage_url is None:
        await migrated_sqlite(tmp_path / "samenspel.db")
    settings = make_settings(fake, tmp_path / "samenspel.db", storage_url=storage_url, tick_seconds=5, **app)
    application = build_application(settings, clock=clock)
    harness = Harness(fake, application, clock)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(application, stop))
    try:
        for _ in range(500):
            if application.running and application.updater is not None and application.updater.running:
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        await harness.settle()
        yield harness
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=20)
        if own_api:
            await fake.stop()


ANNA = FakeUser(id=1001, first_name="Anna")  # coordinator
PIET = FakeUser(id=1002, first_name="Piet")  # Vera's professional
FATIMA = FakeUser(id=1003, first_name="Fatima")  # Vera's backup
VERA = FakeUser(id=1004, first_name="Vera")  # volunteer, helps C-12
KEES = FakeUser(id=1005, first_name="Kees")  # another professional, not Vera's


async def seed_organisation(h: Harness) -> dict[str, int]:
    """Anna (coordinator), Piet and Fatima (professionals), Kees (professional), Vera (volunteer
    with Piet responsible, Fatima backup, linked to C-12). Registered through the real services."""
    people = h.services.people
    ids: dict[str, int] = {}
    for user, role in (
        (ANNA, Role.COORDINATOR),
        (PIET, Role.PROFESSIONAL),
        (FATIMA, Role.PROFESSIONAL),
        (KEES, Role.PROFESSIONAL),
        (VERA, Role.VOLUNTEER),
    ):
        h.api.register_user(user)
        issued = await people.create_invite(by=None, role=role, name=user.first_name, team_id=None)
        outcome = await people.redeem(telegram_id=user.id, language_code="nl", code=issued.code)
        assert outcome.person is not None
        ids[user.first_name] = outcome.person.id
    anna = await people.get(ids["Anna"])
    assert anna is not None
    await people.assign(anna, volunteer_id=ids["Vera"], professional_id=ids["Piet"], backup_id=ids["Fatima"])
    link, _, _ = await people.link_client(anna, volunteer_id=ids["Vera"], alias="C-12", professional_id=None)
    ids["C-12"] = link.id
    await h.settle()
    return ids


# --- Vera's signal, as the e2e tests raise it ------------------------------------------------------------


async def report_signal(
    h: Harness,
    *,
    client: str = "C-12",
    category: str = "Gezondheid",
    urgency: str = "Dringend",
    text: str = "Ze is gevallen en durft niet meer naar buiten, koelkast is leeg.",
) -> SentMessage:
    """Vera's four taps and her text; returns the confirmation summary (not yet sent)."""
    [ask_client] = await h.send(VERA, "/signal")
    assert "Over wie gaat het?" in ask_client.text
    ask_category = await h.tap(VERA, ask_client, client)
    ask_urgency = await h.tap(VERA, ask_category, category)
    ask_text = await h.tap(VERA, ask_urgency, urgency)
    assert "eigen woorden" in ask_text.text or "112" in ask_text.text
    [summary] = await h.send(VERA, text)
    assert "Klopt dit?" in summary.text
    return summary


async def send_signal(h: Harness, **kwargs: str) -> SentMessage:
    summary = await report_signal(h, **kwargs)
    return await h.tap(VERA, summary, "Versturen")


def alerts(h: Harness, user: FakeUser) -> list[SentMessage]:
    return [m for m in h.api.messages(user.id) if "signaal van Vera" in m.text or "backup van Vera" in m.text]


async def only_escalation(h: Harness) -> int:
    """The newest item (the one the test just raised)."""
    async with h.services.db.transaction() as tx:
        due = await tx.scalar("SELECT MAX(id) FROM escalations")
    return int(due)


async def ask_help_now(h: Harness) -> SentMessage:
    """Vera's backup request "I need help now" about C-12; her "sent" message."""
    [ask_kind] = await h.send(VERA, "/backup")
    ask_client = await h.tap(VERA, ask_kind, "Ik heb nu hulp nodig")
    await h.tap(VERA, ask_client, "C-12")
    [summary] = await h.send(VERA, "Hij wordt boos en ik weet niet wat ik moet doen.")
    return await h.tap(VERA, summary, "Versturen")


async def send_emergency(h: Harness) -> SentMessage:
    """Vera's emergency signal (everyone at once); her "sent" message."""
    [ask_client] = await h.send(VERA, "/signal")
    step = await h.tap(VERA, ask_client, "C-12")
    step = await h.tap(VERA, step, "Veiligheid en geweld")
    await h.tap(VERA, step, "Nood")
    [summary] = await h.send(VERA, "Haar ex staat voor de deur en schreeuwt.")
    await h.tap(VERA, summary, "Versturen")
    # The confirmation in place of the summary; the social map's crisis lines follow below it (issue 15).
    return next(m for m in h.api.messages(VERA.id) if m.message_id == summary.message_id)


# --- Vera's visit ------------------------------------------------------------------------------------------


def prompts(h: Harness) -> list[SentMessage]:
    """The "all good?" questions of Vera's visits."""
    return [m for m in h.api.messages(VERA.id) if m.text.startswith("Alles goed, Vera?")]


async def start_visit(h: Harness, client: str = "C-12", duration: str = "1 uur") -> SentMessage:
    """Vera's /visit with this client and duration; the bot's answer to the last tap."""
    [ask_client] = await h.send(VERA, "/visit")
    assert ask_client.text == "Bij wie ga je op bezoek?"
    assert ask_client.button_texts() == ["C-12", "Geen specifieke cliënt", "Annuleren"]
    ask_duration = await h.tap(VERA, ask_client, client)
    assert "Hoe lang ongeveer?" in ask_duration.text
    assert ask_duration.button_texts() == ["30 min", "1 uur", "1,5 uur", "2 uur", "Annuleren"]
    return await h.tap(VERA, ask_duration, duration)


async def the_visit(h: Harness) -> Visit:
    """The newest visit, as stored."""
    async with h.services.db.transaction() as tx:
        visit_id = await tx.scalar("SELECT MAX(id) FROM visits")
        visit = await visits.get(tx, int(visit_id))
    assert visit is not None
    return visit
