"""Issue 12, items 3 and 4, against a real SQLite file (`storage.handover`): which items wait for someone who
leaves, a hand-over note answered once, and migration 0007 upgrading a database that holds items."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from storage import handover
from storage.db import Database, available_migrations, to_db

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def _people(db: Database, *names: str) -> dict[str, int]:
    async with db.transaction() as tx:
        return {
            name: await tx.execute(
                "INSERT INTO people (name, telegram_id, created_at) VALUES (?, ?, ?)", (name, 100 + i, to_db(NOW))
            )
            for i, name in enumerate(names)
        }


async def _item(db: Database, volunteer: int, *, state: str = "open", level: int = 0, **columns: int) -> int:
    values = {"volunteer_id": volunteer, "state": state, "level": level, **columns}
    names, marks = ", ".join(values), ", ".join("?" * len(values))
    async with db.transaction() as tx:
        return await tx.execute(
            f"INSERT INTO escalations (kind, category, urgency, created_at, {names})"
            f" VALUES ('signal', 'health', 'urgent', ?, {marks})",
            (to_db(NOW), *values.values()),
        )


async def _tell(db: Database, item: int, person_id: int, level: int) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO escalation_recipients (escalation_id, person_id, level, told_at) VALUES (?, ?, ?, ?)",
            (item, person_id, level, to_db(NOW)),
        )


async def test_the_items_that_wait_for_someone_who_leaves(db: Database) -> None:
    ids = await _people(db, "Piet", "Fatima", "Vera", "Anna")
    piet, fatima, vera, anna = ids["Piet"], ids["Fatima"], ids["Vera"], ids["Anna"]
    holds = await _item(db, vera, state="acknowledged", owner_id=piet)
    asked_to_take_over = await _item(db, vera, state="handoff", handoff_to=piet, handoff_from=fatima)
    alone = await _item(db, vera)
    await _tell(db, alone, piet, 0)
    with_others = await _item(db, vera, level=2)  # an emergency: everyone told at once
    for person_id in (piet, fatima, anna):
        await _tell(db, with_others, person_id, 2)
    climbed_past = await _item(db, vera, level=1)  # told at level 0, now waiting for Fatima
    await _tell(db, climbed_past, piet, 0)
    await _tell(db, climbed_past, fatima, 1)
    handed_by_him = await _item(db, vera, state="handoff", handoff_from=piet, handoff_to=fatima)
    resolved = await _item(db, vera, state="resolved", owner_id=piet)
    about_himself = await _item(db, piet, state="acknowledged", owner_id=piet)
    async with db.transaction() as tx:
        assert await handover.waiting_for(tx, piet) == [holds, asked_to_take_over, alone]
        # Told with someone who has left since: it waits for Piet alone.
        await tx.execute("UPDATE people SET active = 0 WHERE id IN (?, ?)", (fatima, anna))
        assert await handover.waiting_for(tx, piet) == [holds, asked_to_take_over, alone, with_others]
    del climbed_past, handed_by_him, resolved, about_himself


async def test_a_note_is_answered_once(db: Database) -> None:
    ids = await _people(db, "Vera")
    async with db.transaction() as tx:
        item = await tx.execute(
            "INSERT INTO escalations (kind, volunteer_id, category, urgency, created_at)"
            " VALUES ('link_ended', ?, 'asked', 'concern', ?)",
            (ids["Vera"], to_db(NOW)),
        )
        assert await handover.note_asked_of(tx, ids["Vera"]) == [item]
        assert await handover.set_note(tx, item, state="note", body="Koffie om tien uur")
        assert not await handover.set_note(tx, item, state="skipped", body=None)
        assert await handover.note_asked_of(tx, ids["Vera"]) == []
        row = await tx.one("SELECT category, body FROM escalations WHERE id = ?", (item,))
    assert row is not None and (row["category"], row["body"]) == ("note", "Koffie om tien uur")


async def test_migration_0007_keeps_every_item_and_what_refers_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "upgrade.db"
    every = available_migrations()
    monkeypatch.setattr("storage.db.available_migrations", lambda: [m for m in every if m[0] < 7])
    async with Database(path) as database:
        await database.migrate()
        ids = await _people(database, "Vera", "Piet")
        first = await _item(database, ids["Vera"], state="acknowledged", owner_id=ids["Piet"])
        second = await _item(database, ids["Vera"])
        await _tell(database, first, ids["Piet"], 0)
        async with database.transaction() as tx:
            await tx.execute("INSERT INTO escalation_flags (escalation_id, flag) VALUES (?, 'energy')", (second,))
            with pytest.raises(sqlite3.IntegrityError):  # before: no such kind
                await tx.execute(
                    "INSERT INTO escalations (kind, volunteer_id, category, urgency, created_at)"
                    " VALUES ('link_ended', ?, 'asked', 'concern', ?)",
                    (ids["Vera"], to_db(NOW)),
                )
        before = sqlite3.connect(path).execute("SELECT * FROM escalations ORDER BY id").fetchall()
    monkeypatch.setattr("storage.db.available_migrations", lambda: every)
    async with Database(path) as database:
        assert await database.migrate() == [name for version, name, _ in every if version >= 7]
        async with database.transaction() as tx:
            assert [tuple(r) for r in await tx.all("SELECT * FROM escalations ORDER BY id")] == before
            assert await tx.all("PRAGMA foreign_key_check") == []
            assert await tx.scalar("SELECT COUNT(*) FROM escalation_recipients WHERE escalation_id = ?", (first,)) == 1
            await tx.execute(
                "INSERT INTO escalations (kind, volunteer_id, category, urgency, created_at)"
                " VALUES ('link_ended', ?, 'asked', 'concern', ?)",
                (ids["Vera"], to_db(NOW)),
            )
            with pytest.raises(sqlite3.IntegrityError):  # references are still enforced
                await tx.execute(
                    "INSERT INTO escalation_recipients (escalation_id, person_id, level, told_at)"
                    " VALUES (999, ?, 0, ?)",
                    (ids["Piet"], to_db(NOW)),
                )
    indexes = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"escalations_due", "escalations_volunteer", "escalations_state", "escalations_follow_up"} <= indexes
