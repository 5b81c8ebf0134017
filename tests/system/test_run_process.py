"""`samenspel run` as a real process, talking HTTP to the fake Bot API through telegram.base_url."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from bot.sandbox.state import FakeUser
from tests.support.faulty_bot_api import FaultyBotApi
from tests.support.paths import ROOT
from tests.support.processes import cli, invite_code, samenspel_run

pytestmark = pytest.mark.subprocess

ANNA = FakeUser(id=2001, first_name="Anna")
VERA = FakeUser(id=2002, first_name="Vera")
STRANGER = FakeUser(id=2999, first_name="Iemand")


async def test_samenspel_run_serves_the_same_flows(tmp_path: Path) -> None:
    async with FaultyBotApi() as api:
        output = await cli(api, tmp_path / "samenspel.db", "invite", "--role", "coordinator", "--name", "Anna")
        async with samenspel_run(api, tmp_path) as process:
            api.send_text(STRANGER, "hallo")
            await api.wait_for(STRANGER.id, "uitnodigingslink", timeout=30)

            api.send_text(ANNA, f"/start {invite_code(output)}")
            await api.wait_for(ANNA.id, "Welkom bij Buurtteam Overvecht, Anna!", timeout=10)

            n = len(api.messages(ANNA.id))
            api.send_text(ANNA, "/invite")
            ask_role = await api.wait_for(ANNA.id, "Kies de rol", after=n)
            api.press(ANNA, ask_role, "Vrijwilliger")
            await api.wait_for(ANNA.id, "Hoe heet de nieuwe vrijwilliger?")
            n = len(api.messages(ANNA.id))
            api.send_text(ANNA, "Vera")
            ask_team = await api.wait_for(ANNA.id, "In welk team zit Vera?", after=n)
            api.press(ANNA, ask_team, "Geen team")
            created = await api.wait_for(ANNA.id, "?start=")
            code = created.text.split("?start=")[1].split()[0]

            api.send_text(VERA, f"/start {code}")
            await api.wait_for(VERA.id, "Je bent aangemeld als vrijwilliger")
            await api.wait_for(ANNA.id, "Vera heeft de uitnodiging geaccepteerd")

            api.send_group_text(ANNA, -7001, "/help")
            await api.wait_for(-7001, "privégesprek")

            # An online backup while the bot runs holds everything committed so far.
            copy = tmp_path / "backups" / "samenspel-copy.db"
            said = await cli(api, tmp_path / "samenspel.db", "backup", str(copy))
            assert str(copy) in said
            backup = sqlite3.connect(copy)
            try:
                names = {row[0] for row in backup.execute("SELECT name FROM people WHERE active = 1")}
                assert backup.execute("PRAGMA integrity_check").fetchone() == ("ok",)
            finally:
                backup.close()
            assert names == {"Anna", "Vera"}

            process.send_signal(signal.SIGTERM)
            assert await asyncio.wait_for(process.wait(), timeout=20) == 0
        log = (tmp_path / "run.log").read_text()
        assert api.token.split(":")[1] not in log  # the token never reaches the log
        assert "hallo" not in log  # nor what people wrote


async def test_samenspel_run_without_token_exits_2(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMENSPEL_")}
    env["PYTHONPATH"] = str(ROOT)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    _, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == 2
    assert "@BotFather" in err.decode()
