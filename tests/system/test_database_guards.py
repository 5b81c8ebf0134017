"""`samenspel` guarding its database, as processes: one bot per database, a backup only of a Samenspel
database, private files at `run`, damage and a newer schema noticed before anything talks to Telegram."""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

import pytest

from bot.sandbox.state import FakeUser
from storage.db import Database, backup_file
from tests.support.faulty_bot_api import FaultyBotApi
from tests.support.files import mode, umask
from tests.support.processes import samenspel_cli, samenspel_run

# --- item 3: erased means gone from the file ----------------------------------------------------------


# --- helpers for the command line ----------------------------------------------------------------------

STRANGER = FakeUser(id=3999, first_name="Iemand")
RESTORE = '"Backups and restore" in README.md'


async def samenspel(api: FaultyBotApi, db_path: Path, *args: str) -> tuple[int, str]:
    """`samenspel ARGS` as a process against the fake Bot API; its exit status and what it said on stderr."""
    env = {
        "SAMENSPEL_TELEGRAM__TOKEN": api.token,
        "SAMENSPEL_TELEGRAM__BASE_URL": api.base_url,
        "SAMENSPEL_STORAGE__PATH": str(db_path),
    }
    # In a thread: the fake Bot API runs on this event loop and must keep answering the bot meanwhile.
    done = await asyncio.to_thread(samenspel_cli, *args, env=env, cwd=db_path.parent)
    return done.returncode, done.stderr


async def until_running(api: FaultyBotApi) -> None:
    """The bot answers a stranger: it holds the lock and polls."""
    before = len(api.messages(STRANGER.id))
    api.send_text(STRANGER, "hallo")
    await api.wait_for(STRANGER.id, "uitnodigingslink", after=before, timeout=30)


async def migrated_database(path: Path) -> None:
    async with Database(path) as db:
        await db.migrate()


# --- item 2: one `samenspel run` per database ------------------------------------------------------------


@pytest.mark.subprocess
async def test_a_second_bot_on_the_same_database_is_refused_and_told_who_holds_it(tmp_path: Path) -> None:
    db_path = tmp_path / "samenspel.db"
    async with FaultyBotApi() as api, samenspel_run(api, tmp_path) as first:
        await until_running(api)
        for args in (("run",), ("sandbox", "--port", "0", "--db", str(db_path))):
            status, said = await samenspel(api, db_path, *args)
            assert status == 2, said
            assert said.strip().count("\n") == 0 and f"pid {first.pid}" in said and str(db_path) in said
        status, said = await samenspel(api, db_path, "migrate")
        assert status == 2 and "cannot migrate while a bot runs" in said and f"pid {first.pid}" in said
        # What is meant to work beside the bot still does.
        status, said = await samenspel(api, db_path, "backup", str(tmp_path / "copy.db"))
        assert status == 0, said
        status, said = await samenspel(api, db_path, "invite", "--role", "volunteer", "--name", "Kees")
        assert status == 0, said
        assert first.returncode is None
        assert (tmp_path / "samenspel.db.lock").read_text().strip() == str(first.pid)


async def test_while_the_database_is_held_migrate_refuses_and_invite_leaves_the_schema_alone(tmp_path: Path) -> None:
    from storage.files import InstanceLock

    db_path = tmp_path / "samenspel.db"
    async with FaultyBotApi() as api:
        with InstanceLock(db_path):  # as a running bot would: this test process holds it
            status, said = await samenspel(api, db_path, "migrate")
            assert status == 2 and "cannot migrate while a bot runs" in said and f"pid {os.getpid()}" in said
            status, said = await samenspel(api, db_path, "invite", "--role", "coordinator", "--name", "Anna")
            assert status == 2 and "needs upgrading" in said and "samenspel migrate" in said, said
        with sqlite3.connect(db_path) as conn:  # nothing was upgraded under the "bot"
            assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'people'").fetchone() is None
        status, said = await samenspel(api, db_path, "migrate")
        assert status == 0, said


# --- item 4: files only the bot can read ------------------------------------------------------------------


@pytest.mark.subprocess
async def test_run_creates_private_files_and_warns_once_about_readable_ones(tmp_path: Path) -> None:
    db_path = tmp_path / "samenspel.db"
    log = tmp_path / "run.log"
    with umask(0o022):  # inherited by the bot process
        async with FaultyBotApi() as api:
            async with samenspel_run(api, tmp_path):
                await until_running(api)
                files = [db_path.with_name(db_path.name + end) for end in ("", "-wal", "-shm", ".lock")]
                assert [mode(p) for p in files[:3]] == [0o600] * 3
                assert mode(files[3]) == 0o600
            assert "other users" not in log.read_text()
            db_path.chmod(0o644)  # e.g. copied into place by hand
            async with samenspel_run(api, tmp_path):
                await until_running(api)
    warnings = [line for line in log.read_text().splitlines() if "other users" in line]
    assert len(warnings) == 1 and f"{db_path} (0644)" in warnings[0] and f"chmod 600 {db_path}" in warnings[0]


# --- item 7: `samenspel backup` only backs up a Samenspel database -----------------------------------------


async def test_backup_refuses_what_is_not_a_samenspel_database(tmp_path: Path) -> None:
    target = tmp_path / "backup.db"
    typo = tmp_path / "samenspel-typo.db"
    async with FaultyBotApi() as api:
        status, said = await samenspel(api, typo, "backup", str(target))
    assert status == 2 and said.strip().count("\n") == 0, said
    assert f"{typo} is not a Samenspel database" in said and "[storage] path" in said
    assert not typo.exists() and not target.exists()  # nothing created, nothing "backed up"

    from storage.db import DatabaseRefused

    plain_sqlite = tmp_path / "other.db"
    sqlite3.connect(plain_sqlite).execute("CREATE TABLE notes (text TEXT)").connection.close()
    text_file = tmp_path / "notes.txt"
    text_file.write_text("Not a database, just notes.\n" * 100)
    for source in (plain_sqlite, text_file):
        with pytest.raises(DatabaseRefused, match="not a Samenspel database"):
            await backup_file(source, target)
        assert not target.exists()
    real = tmp_path / "samenspel.db"
    await migrated_database(real)
    with pytest.raises(DatabaseRefused, match="the database itself"):
        await backup_file(real, real)
    await backup_file(real, target)
    with sqlite3.connect(target) as copy:
        assert copy.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] >= 1


# --- item 8: a damaged database is noticed ------------------------------------------------------------------


def damage_a_table_page(path: Path) -> None:
    """Scribble over the b-tree page of the people table; page 1 (the header and schema) stays intact."""
    with sqlite3.connect(path) as conn:
        page_size = conn.execute("PRAGMA page_size").fetchone()[0]
        root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'people'").fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    assert root > 1
    with path.open("r+b") as handle:
        handle.seek((root - 1) * page_size)
        handle.write(b"\xff" * 64)


@pytest.mark.parametrize("damage", ["page", "header"])
async def test_a_damaged_database_stops_migrate_and_run_with_a_pointer_to_restore(tmp_path: Path, damage: str) -> None:
    db_path = tmp_path / "samenspel.db"
    await migrated_database(db_path)
    if damage == "page":
        damage_a_table_page(db_path)
    else:
        db_path.write_bytes(b"not a database at all, just bytes " * 200)
    async with FaultyBotApi() as api:
        # A file that is not a database at all fails as it opens, the same way for every command.
        for command in ("migrate", "run") if damage == "page" else ("run",):
            status, said = await samenspel(api, db_path, command)
            assert status == 2, said
            assert said.strip().count("\n") == 0 and "is damaged" in said and RESTORE in said
        assert api.calls_to("getMe") == []  # refused before talking to Telegram


async def test_a_database_from_a_newer_version_is_refused(tmp_path: Path) -> None:
    db_path = tmp_path / "samenspel.db"
    await migrated_database(db_path)
    with sqlite3.connect(db_path) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES (9001, '9001_future.sql', '2030-01-01T00:00:00+00:00')")
    async with FaultyBotApi() as api:
        for command in ("migrate", "run"):
            status, said = await samenspel(api, db_path, command)
            assert status == 2, said
            assert "newer Samenspel (migration 9001" in said and RESTORE in said
        assert api.calls_to("getMe") == []


# --- item 9: the sandbox's Bot API simulator ----------------------------------------------------------------
