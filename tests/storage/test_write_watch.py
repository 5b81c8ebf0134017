"""storage.db.WriteWatch, what the kept copies of people (bot.services.people.KnownPeople) rely on, and the
people service's use of it: which statements move it on, and a read that a write overtook is not kept."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.models import Role
from bot.services.people import KnownPeople
from storage import people
from storage.db import Database, WriteWatch
from tests.support.template_db import migrated_sqlite

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    await migrated_sqlite(tmp_path / "samenspel.db")
    database = Database(tmp_path / "samenspel.db")
    await database.open()
    try:
        yield database
    finally:
        await database.close()


def _watch(db: Database) -> WriteWatch:
    watch = db.watch_writes(people.PERSON_TABLES)
    assert watch is not None
    return watch


async def test_a_write_to_a_persons_tables_moves_the_watch_on_and_nothing_else_does(db: Database) -> None:
    watch = _watch(db)
    async with db.transaction() as tx:
        person_id = await people.create(tx, name="Vera", telegram_id=1004, language="nl", team_id=None, now=NOW)
    assert watch.version == 1
    async with db.transaction() as tx:
        await people.add_role(tx, person_id, Role.VOLUNTEER)
    assert watch.version == 2
    async with db.read() as reader:
        assert await people.by_telegram_id(reader, 1004) is not None
    async with db.transaction() as tx:
        await people.get(tx, person_id)
        await tx.execute("INSERT INTO teams (name, created_at) VALUES (?, ?)", ("Noord", NOW.isoformat()))
    assert watch.version == 2  # reading people, writing another table

    with pytest.raises(RuntimeError):
        async with db.transaction() as tx:
            await people.set_language(tx, person_id, "en")
            raise RuntimeError("rolled back")
    assert watch.version == 3  # rolled back: a needless refresh, on the safe side


async def test_no_trigger_or_foreign_key_action_changes_a_persons_tables_behind_the_sql(tmp_path: Path) -> None:
    await migrated_sqlite(tmp_path / "samenspel.db")
    conn = sqlite3.connect(tmp_path / "samenspel.db")
    try:
        for table in people.PERSON_TABLES:
            triggers = conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = ?", (table,))
            assert triggers.fetchall() == []
            for key in conn.execute(f"PRAGMA foreign_key_list({table})").fetchall():
                on_update, on_delete = key[5], key[6]
                if (table, key[2]) != ("person_roles", "people"):  # a person's own row is watched anyway
                    assert (on_update, on_delete) == ("NO ACTION", "NO ACTION"), (table, key)
    finally:
        conn.close()


async def test_a_person_read_while_a_write_ended_is_not_kept_and_a_stale_copy_expires(db: Database) -> None:
    clock = [100.0]
    known = KnownPeople(_watch(db), monotonic=lambda: clock[0])
    async with db.transaction() as tx:
        person_id = await people.create(tx, name="Vera", telegram_id=1004, language="nl", team_id=None, now=NOW)
    async with db.read() as reader:
        vera = await people.by_telegram_id(reader, 1004)
    assert vera is not None

    before = known.version
    async with db.transaction() as tx:  # ends between the read and keeping what it found
        await people.set_language(tx, person_id, "en")
    known.keep(vera, before)
    assert known.get(1004) is None

    known.keep(vera, known.version)
    assert known.get(1004) == vera
    clock[0] += KnownPeople.TTL_SECONDS + 1
    assert known.get(1004) is None
