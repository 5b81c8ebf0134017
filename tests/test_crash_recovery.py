"""`samenspel run` is killed with SIGKILL at random moments while volunteers send signals and a
professional acknowledges them. Afterwards: every signal the bot confirmed reached the professional,
nothing stored was lost, and nobody got the same alert twice without a repeat mark."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from bot.domain.models import Role
from tests.crash_support import BotProcess, seed
from tests.support.fake_bot_api import FakeBotApi, FakeUser, SentMessage

pytestmark = pytest.mark.subprocess

ANNA = FakeUser(id=3001, first_name="Anna")
PIET = FakeUser(id=3002, first_name="Piet")
FATIMA = FakeUser(id=3003, first_name="Fatima")
VOLUNTEERS = [FakeUser(id=3010 + i, first_name=f"Vrijwilliger{i}") for i in range(3)]
CONFIRMED_TARGET = 12
KILLS_TARGET = 6
STEP_TIMEOUT = 4.0


async def one_signal(api: FakeBotApi, user: FakeUser, alias: str, text: str) -> bool:
    """The volunteer's /signal flow; True when the bot confirmed it was sent."""
    try:
        n = len(api.messages(user.id))
        api.send_text(user, "/signal")
        ask = await api.wait_for(user.id, "Over wie gaat het?", after=n, timeout=STEP_TIMEOUT)
        api.press(user, ask, alias)
        ask = await api.wait_for(user.id, "Waar gaat het over?", after=n, timeout=STEP_TIMEOUT)
        api.press(user, ask, "Gezondheid")
        ask = await api.wait_for(user.id, "Hoe dringend is het?", after=n, timeout=STEP_TIMEOUT)
        api.press(user, ask, "Dringend")
        await api.wait_for(user.id, "eigen woorden", after=n, timeout=STEP_TIMEOUT)
        m = len(api.messages(user.id))
        api.send_text(user, text)
        summary = await api.wait_for(user.id, "Klopt dit?", after=m, timeout=STEP_TIMEOUT)
        api.press(user, summary, "Versturen")
        await api.wait_for(user.id, "Verstuurd naar", after=m, timeout=STEP_TIMEOUT)
        return True
    except AssertionError:  # a step timed out (the bot was killed) or a button went stale
        return False


def confirmed_texts(api: FakeBotApi, user: FakeUser) -> set[str]:
    """Signal texts whose confirmation screen the bot turned into 'Verstuurd naar …'."""
    found: set[str] = set()
    for message in api.messages(user.id):
        if "Verstuurd naar" in message.text:
            for earlier in message.history:
                for line in earlier.splitlines():
                    if line.startswith("“crash-") and line.endswith("”"):
                        found.add(line[1:-1])
    return found


def alert_bodies(messages: list[SentMessage]) -> list[tuple[str, bool]]:
    """(signal text, marked as repeat/reminder) for every alert in a chat."""
    result = []
    for message in messages:
        marked = message.text.startswith("🔁")
        for earlier in [message.text, *message.history]:
            for line in earlier.splitlines():
                if line.startswith("“crash-") and line.endswith("”"):
                    result.append((line[1:-1], marked))
                    break
            else:
                continue
            break
    return result


async def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    rng = random.Random(int(os.environ.get("CRASH_SEED", "20261127")))
    users: dict[str, tuple[FakeUser, Role]] = {
        "Anna": (ANNA, Role.COORDINATOR),
        "Piet": (PIET, Role.PROFESSIONAL),
        "Fatima": (FATIMA, Role.PROFESSIONAL),
        **{v.first_name: (v, Role.VOLUNTEER) for v in VOLUNTEERS},
    }
    await seed(tmp_path / "samenspel.db", users, {v.first_name: f"C-{i + 1}" for i, v in enumerate(VOLUNTEERS)})
    async with FakeBotApi() as api:
        for user, _ in users.values():
            api.register_user(user)
        bot = BotProcess(api, tmp_path)
        await bot.start()
        done = asyncio.Event()

        async def killer() -> None:
            while not done.is_set():
                await asyncio.sleep(rng.uniform(0.3, 1.8))
                if done.is_set():
                    break
                await bot.kill()
                await asyncio.sleep(rng.uniform(0.0, 0.5))
                await bot.start()

        async def acknowledger() -> None:
            pressed: set[int] = set()
            while not done.is_set():
                for message in api.messages(PIET.id):
                    if message.message_id not in pressed and "Ik pak het op" in message.button_texts():
                        pressed.add(message.message_id)
                        if rng.random() < 0.7:
                            api.press(PIET, message, "Ik pak het op")
                await asyncio.sleep(0.1)

        tasks = [asyncio.create_task(killer()), asyncio.create_task(acknowledger())]
        attempt = 0
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 50
            while loop.time() < deadline and (
                sum(len(confirmed_texts(api, v)) for v in VOLUNTEERS) < CONFIRMED_TARGET or bot.kills < KILLS_TARGET
            ):
                volunteer = VOLUNTEERS[attempt % len(VOLUNTEERS)]
                attempt += 1
                await one_signal(api, volunteer, f"C-{VOLUNTEERS.index(volunteer) + 1}", f"crash-{attempt}")
        finally:
            done.set()
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        # Let the last incarnation run until everything queued has gone out.
        if bot.process is None or bot.process.returncode is not None:
            await bot.start()
        await bot.wait_ready()
        stored = _stored_bodies(tmp_path / "samenspel.db")
        for _ in range(100):
            delivered = {body for body, _ in alert_bodies(api.messages(PIET.id))}
            if set(stored) <= delivered and _pending(tmp_path / "samenspel.db") == 0:
                break
            await asyncio.sleep(0.2)
            stored = _stored_bodies(tmp_path / "samenspel.db")
        assert await bot.stop() == 0
        bot.close()

    confirmed = set().union(*(confirmed_texts(api, v) for v in VOLUNTEERS))
    delivered = {body for body, _ in alert_bodies(api.messages(PIET.id))}
    unmarked = Counter(body for body, marked in alert_bodies(api.messages(PIET.id)) if not marked)
    print(
        f"kills={bot.kills} starts={bot.starts} attempts={attempt} confirmed={len(confirmed)} "
        f"stored={len(stored)} delivered={len(delivered)}"
    )
    assert bot.kills >= KILLS_TARGET, "the test must actually kill the bot"
    assert len(confirmed) >= CONFIRMED_TARGET
    assert confirmed <= set(stored), "a signal the bot confirmed is missing from the database"
    assert set(stored) <= delivered, "a stored signal never reached the professional"
    assert all(count == 1 for count in unmarked.values()), f"unmarked duplicate alerts: {unmarked}"


def _stored_bodies(db_path: Path) -> list[str]:
    conn = sqlite3.connect(db_path)
    try:
        return [r[0] for r in conn.execute("SELECT body FROM escalations WHERE kind = 'signal'")]
    finally:
        conn.close()


def _pending(db_path: Path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM outbox WHERE status = 'pending'").fetchone()[0])
    finally:
        conn.close()
