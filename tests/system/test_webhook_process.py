"""`samenspel run --webhook` as a real process: registered once with `set-webhook`, fed by the fake Telegram's
webhook sender, and stopped with SIGTERM: it drains and exits 0 with nothing lost."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.domain.models import Role
from bot.sandbox.state import FakeUser
from bot.sandbox.webhook_sender import WebhookSender
from storage import inbox
from storage.db import Database
from tests.support.faulty_bot_api import FaultyBotApi
from tests.support.paths import ROOT
from tests.support.processes import seed

pytestmark = pytest.mark.subprocess

ANNA = FakeUser(id=3001, first_name="Anna")
PIET = FakeUser(id=3002, first_name="Piet")
FATIMA = FakeUser(id=3003, first_name="Fatima")
VERA = FakeUser(id=3004, first_name="Vera")
SECRET = "process-test-secret-0123456789"


def _text(log: Path) -> str:
    return log.read_text(errors="replace")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _samenspel(config: Path, *args: str, log: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMENSPEL_")}
    env["PYTHONPATH"] = str(ROOT)
    with log.open("ab") as out:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", *args, "--config", str(config), env=env, stdout=out, stderr=out
        )


async def _until_ready(url: str, process: asyncio.subprocess.Process, log: Path) -> None:
    async with aiohttp.ClientSession() as session:
        for _ in range(1500):
            if process.returncode is not None:
                raise AssertionError(f"samenspel run --webhook exited: {_text(log)}")
            try:
                async with session.get(url) as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.02)
    raise AssertionError("never ready")


async def test_sigterm_drains_and_exits_0_with_every_update_handled_or_still_at_telegram(tmp_path: Path) -> None:
    db_path = tmp_path / "samenspel.db"
    users = {"Anna": (ANNA, Role.COORDINATOR), "Piet": (PIET, Role.PROFESSIONAL)}
    users |= {"Fatima": (FATIMA, Role.PROFESSIONAL), "Vera": (VERA, Role.VOLUNTEER)}
    await seed(db_path, users, {"Vera": "C-12"})
    webhook_port, ops_port = _free_port(), _free_port()
    log = tmp_path / "run.log"
    async with FaultyBotApi() as api, WebhookSender(api) as sender:
        config = tmp_path / "config.toml"
        config.write_text(
            "[telegram]\n"
            f'token = "{api.token}"\n'
            f'base_url = "{api.base_url}"\n'
            "request_timeout_seconds = 3\n"
            "max_messages_per_second = 1000\n"
            "[storage]\n"
            f'path = "{db_path}"\n'
            "[app]\n"
            'organisation = "Buurtteam Overvecht"\n'
            'log_level = "WARNING"\n'
            "updates_burst = 0\n"
            "[webhook]\n"
            f"port = {webhook_port}\n"
            f'secret = "{SECRET}"\n'
            "[ops]\n"
            f"port = {ops_port}\n"
        )
        process = await _samenspel(config, "run", "--webhook", log=log)
        try:
            await _until_ready(f"http://127.0.0.1:{ops_port}/readyz", process, log)
            url = f"http://127.0.0.1:{webhook_port}/telegram"
            registering = await _samenspel(config, "set-webhook", url, log=log)
            assert await registering.wait() == 0, _text(log)
            api.send_text(VERA, "/help")
            await api.wait_for(VERA.id, "/signal", timeout=20)
            sent = [api.send_text(user, text) for text in ("/help", "/me", "/help") for user in (ANNA, VERA)]
            await asyncio.sleep(0)  # let the sender start posting; the stop comes in the middle of it
            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), timeout=30) == 0, _text(log)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert "Traceback" not in _text(log)
        still_at_telegram = {int(u["update_id"]) for u in api._pending}
    async with Database(db_path) as db, db.transaction() as tx:
        assert (await inbox.backlog(tx)).unfinished == 0, "an update was stored and left unhandled"
        for update_id in sent:
            row = await inbox.get(tx, update_id)
            handled = row is not None and row["done_at"] is not None
            assert handled or update_id in still_at_telegram, f"update {update_id} was lost"
    assert any(a.status == 200 for a in sender.attempts)
