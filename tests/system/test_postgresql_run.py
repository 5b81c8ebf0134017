"""`samenspel migrate`, `invite`, `run` and `backup` as real processes on PostgreSQL ([storage] url), in the
order the README's "PostgreSQL" section gives them to a newcomer."""

from __future__ import annotations

import asyncio
import signal
from pathlib import Path

import pytest

from bot.sandbox.state import FakeUser
from tests.support.faulty_bot_api import FaultyBotApi
from tests.support.postgres import fresh_schema
from tests.support.processes import cli, invite_code, samenspel_run

pytestmark = pytest.mark.subprocess

ANNA = FakeUser(id=3001, first_name="Anna")


async def test_samenspel_on_postgresql_from_an_empty_database(tmp_path: Path) -> None:
    with fresh_schema() as url:
        async with FaultyBotApi() as api:
            migrated = await cli(api, tmp_path / "unused.db", "migrate", storage_url=url)
            assert "at version" in migrated and "0001_foundation.sql" in migrated
            assert "unused.db" not in migrated  # it names the PostgreSQL database, not the SQLite file
            output = await cli(
                api, tmp_path / "unused.db", "invite", "--role", "coordinator", "--name", "Anna", storage_url=url
            )
            async with samenspel_run(api, tmp_path, storage_url=url) as process:
                api.send_text(ANNA, f"/start {invite_code(output)}")
                await api.wait_for(ANNA.id, "Welkom bij Buurtteam Overvecht, Anna!", timeout=30)
                refused = await cli(
                    api, tmp_path / "unused.db", "backup", str(tmp_path / "b.dump"), storage_url=url, status=2
                )
                assert "pg_dump" in refused
                process.send_signal(signal.SIGTERM)
                assert await asyncio.wait_for(process.wait(), timeout=20) == 0
        assert not (tmp_path / "unused.db").exists()  # SQLite was never touched
