"""The database's files: erased means gone from the bytes on disk, files only the bot can read, one bot per
database, a backup only of a Samenspel database, damage noticed, and the sandbox simulator's own guard."""

from __future__ import annotations

import asyncio
import html
import os
import re
import sqlite3
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import aiohttp
import pytest

from bot.domain.models import Role
from storage.db import Database, backup_file
from tests.harness import ANNA, PIET, VERA, Harness, running_bot
from tests.support.fake_bot_api import FakeBotApi, FakeUser
from tests.test_config import _cli
from tests.test_e2e_escalations import send_signal
from tests.test_e2e_subprocess import samenspel_run

WORDS = "Ze is gevallen en durft niet meer naar buiten, koelkast is leeg."
REPLY = "Ik bel haar morgen, boodschappen geregeld."
COMMENT = "Zwaar weekje, de buurman belt me steeds."
# Telegram HTML stores "&" as "&amp;": the name must be found in both forms.
NAME = "Jansen & Zn"


def disk_bytes(db_path: Path) -> bytes:
    """The database file and its WAL as they are on disk right now."""
    wal = db_path.with_name(db_path.name + "-wal")
    return db_path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def left_on_disk(db_path: Path, *texts: str) -> list[str]:
    raw = disk_bytes(db_path)
    return [text for text in texts if text.encode() in raw]


async def seed_named_volunteer(h: Harness) -> None:
    """Anna (coordinator), Piet (professional) and Vera's phone registered as NAME, Piet's volunteer for C-12."""
    people = h.services.people
    ids: dict[str, int] = {}
    for user, role, name in (
        (ANNA, Role.COORDINATOR, "Anna"),
        (PIET, Role.PROFESSIONAL, "Piet"),
        (VERA, Role.VOLUNTEER, NAME),
    ):
        h.api.register_user(user)
        issued = await people.create_invite(by=None, role=role, name=name, team_id=None)
        outcome = await people.redeem(telegram_id=user.id, language_code="nl", code=issued.code)
        assert outcome.person is not None
        ids[name] = outcome.person.id
    anna = await people.get(ids["Anna"])
    assert anna is not None
    await people.assign(anna, volunteer_id=ids[NAME], professional_id=ids["Piet"], backup_id=None)
    await people.link_client(anna, volunteer_id=ids[NAME], alias="C-12", professional_id=None)
    await h.settle()


async def closed_signal_and_checkin(h: Harness) -> None:
    """A signal Piet resolves with a reply, and a check-in with a comment: three texts to erase later."""
    await send_signal(h)
    [alert] = [m for m in h.api.messages(PIET.id) if "signaal van" in m.text]
    await h.tap(PIET, alert, "Afronden")
    await h.send(PIET, REPLY)
    [prompt] = await h.send(VERA, "/checkin")
    message = await h.tap(VERA, prompt, "3-4")
    message = await h.tap(VERA, message, "3")
    for _ in range(3):
        message = await h.tap(VERA, message, "Nee")
    await h.send(VERA, COMMENT)


# --- item 3: erased means gone from the file ----------------------------------------------------------


@pytest.mark.parametrize("who", ["self", "coordinator"])
async def test_after_forget_or_offboarding_the_texts_and_name_are_gone_from_the_files(tmp_path: Path, who: str) -> None:
    db_path = tmp_path / "samenspel.db"
    async with running_bot(tmp_path) as h:
        await seed_named_volunteer(h)
        await closed_signal_and_checkin(h)
        everything = (WORDS, REPLY, COMMENT, NAME, html.escape(NAME, quote=False))
        assert left_on_disk(db_path, *everything) == list(everything)  # the test sees them before
        if who == "self":
            [confirm] = await h.send(VERA, "/forget")
            await h.tap(VERA, confirm, "Ja, wis mijn gegevens")
        else:
            [ask] = await h.send(ANNA, "/remove")
            confirm = await h.tap(ANNA, ask, NAME)
            await h.tap(ANNA, confirm, "Afmelden en gegevens wissen")
        # The bot is still running: the erasure itself must have emptied the WAL.
        assert h.app.running
        assert left_on_disk(db_path, *everything) == []


async def test_after_the_retention_run_old_texts_and_removed_names_are_gone_from_the_files(tmp_path: Path) -> None:
    db_path = tmp_path / "samenspel.db"
    async with running_bot(tmp_path) as h:
        await seed_named_volunteer(h)
        await closed_signal_and_checkin(h)
        # Removed without erasing: the name stays until the retention period has passed.
        [ask] = await h.send(ANNA, "/remove")
        confirm = await h.tap(ANNA, ask, NAME)
        await h.tap(ANNA, confirm, "Ja, afmelden")
        everything = (WORDS, REPLY, COMMENT, NAME, html.escape(NAME, quote=False))
        await h.advance(timedelta(days=179))
        assert left_on_disk(db_path, *everything) == list(everything)
        await h.advance(timedelta(days=2))
        assert h.app.running
        assert left_on_disk(db_path, *everything) == []


async def test_every_connection_zeroes_what_it_deletes_and_caps_the_wal(tmp_path: Path) -> None:
    async with Database(tmp_path / "samenspel.db") as db, db.transaction() as tx:
        secure_delete = await tx.scalar("PRAGMA secure_delete")
        limit = await tx.scalar("PRAGMA journal_size_limit")
    # SQLite's default limit is -1 (none), and secure_delete is off unless SQLite was built with it.
    assert secure_delete == 1 and 0 < limit <= 4 * 1024 * 1024


# --- helpers for the command line ----------------------------------------------------------------------

STRANGER = FakeUser(id=3999, first_name="Iemand")
RESTORE = '"Backups and restore" in README.md'


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@contextmanager
def umask(value: int) -> Iterator[None]:
    previous = os.umask(value)
    try:
        yield
    finally:
        os.umask(previous)


async def samenspel(api: FakeBotApi, db_path: Path, *args: str) -> tuple[int, str]:
    """`samenspel ARGS` as a process against the fake Bot API; its exit status and what it said on stderr."""
    env = {
        "SAMENSPEL_TELEGRAM__TOKEN": api.token,
        "SAMENSPEL_TELEGRAM__BASE_URL": api.base_url,
        "SAMENSPEL_STORAGE__PATH": str(db_path),
    }
    # In a thread: the fake Bot API runs on this event loop and must keep answering the bot meanwhile.
    done = await asyncio.to_thread(_cli, *args, env=env, cwd=db_path.parent)
    return done.returncode, done.stderr


async def until_running(api: FakeBotApi) -> None:
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
    async with FakeBotApi() as api, samenspel_run(api, tmp_path) as first:
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
    async with FakeBotApi() as api:
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


async def test_database_and_backup_files_are_private_under_umask_022(tmp_path: Path) -> None:
    db_path = tmp_path / "new" / "data" / "samenspel.db"
    with umask(0o022):
        async with Database(db_path) as db:
            await db.migrate()
            wal, shm = (db_path.with_name(db_path.name + suffix) for suffix in ("-wal", "-shm"))
            assert [mode(p) for p in (db_path, wal, shm)] == [0o600, 0o600, 0o600]
            assert mode(db_path.parent) == 0o700 and mode(db_path.parent.parent) == 0o700
        target = tmp_path / "backups" / "nightly" / "copy.db"
        await backup_file(db_path, target)
        assert mode(target) == 0o600 and mode(target.parent) == 0o700
        target.chmod(0o644)  # last night's copy, made by hand: overwritten, it becomes private
        await backup_file(db_path, target)
        assert mode(target) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["copy.db"]  # no partial copy left behind


@pytest.mark.subprocess
async def test_run_creates_private_files_and_warns_once_about_readable_ones(tmp_path: Path) -> None:
    db_path = tmp_path / "samenspel.db"
    log = tmp_path / "run.log"
    with umask(0o022):  # inherited by the bot process
        async with FakeBotApi() as api:
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
    async with FakeBotApi() as api:
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
    async with FakeBotApi() as api:
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
    async with FakeBotApi() as api:
        for command in ("migrate", "run"):
            status, said = await samenspel(api, db_path, command)
            assert status == 2, said
            assert "newer Samenspel (migration 9001" in said and RESTORE in said
        assert api.calls_to("getMe") == []


# --- item 9: the sandbox's Bot API simulator ----------------------------------------------------------------


async def test_the_simulator_answers_only_its_own_loopback_host(tmp_path: Path) -> None:
    async with FakeBotApi() as api, aiohttp.ClientSession() as http:
        url = f"{api.base_url}{api.token}/getMe"
        async with http.get(url) as answer:
            assert answer.status == 200
        for host in (f"evil.example:{api.port}", "127.0.0.1", f"127.0.0.1:{api.port + 1}"):
            async with http.get(url, headers={"Host": host}) as answer:
                assert answer.status == 403, host
        async with http.get(url.replace("127.0.0.1", "localhost")) as answer:
            assert answer.status == 200


def test_every_sandbox_has_a_token_of_its_own() -> None:
    from bot.sandbox.server import Sandbox

    tokens = {Sandbox(port=0).api.token for _ in range(3)}
    assert len(tokens) == 3
    assert all(re.fullmatch(r"\d+:[A-Za-z0-9_-]{35}", token) for token in tokens)
