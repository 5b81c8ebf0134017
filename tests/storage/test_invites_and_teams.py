"""Invites (revoking, the expiry notice mark, the prepared set-up) and teams (removed ones kept) on a real SQLite
file, and migration 0012 over a database with open invites."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.domain.models import Prepared, Role
from storage import invites, people
from storage.db import Database, available_migrations, to_db

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def _coordinator(database: Database) -> int:
    async with database.transaction() as tx:
        anna = await people.create(tx, name="Anna", telegram_id=1001, language="nl", team_id=None, now=NOW)
        await people.add_role(tx, anna, Role.COORDINATOR)
    return anna


async def _invite(database: Database, code_hash: str, by: int | None, **extra: object) -> int:
    async with database.transaction() as tx:
        return await invites.create(
            tx,
            code_hash=code_hash,
            role=Role.VOLUNTEER,
            name="Joop",
            team_id=None,
            created_by=by,
            now=NOW,
            expires_at=NOW + timedelta(days=7),
            **extra,  # type: ignore[arg-type]
        )


async def test_a_revoked_invite_is_neither_open_nor_usable_and_its_notice_is_dropped(db: Database) -> None:
    anna = await _coordinator(db)
    invite = await _invite(db, "h1", anna, expiry_notice_at=NOW + timedelta(days=6))
    async with db.transaction() as tx:
        assert [i.id for i in await invites.open_invites(tx, NOW)] == [invite]
        assert await invites.revoke(tx, invite, anna, NOW)
        assert not await invites.revoke(tx, invite, anna, NOW)  # once
        assert await invites.open_invites(tx, NOW) == []
        assert await invites.due_expiry_notices(tx, NOW + timedelta(days=6)) == []
        assert not await invites.mark_used(tx, invite, anna, NOW)
        revoked = await invites.get(tx, invite)
    assert revoked is not None and revoked.revoked_at == NOW


async def test_the_expiry_notice_is_claimed_once(db: Database) -> None:
    anna = await _coordinator(db)
    invite = await _invite(db, "h2", anna, expiry_notice_at=NOW + timedelta(days=6))
    async with db.transaction() as tx:
        assert await invites.due_expiry_notices(tx, NOW + timedelta(days=5)) == []
        [due] = await invites.due_expiry_notices(tx, NOW + timedelta(days=6))
        assert due.id == invite
        assert await invites.claim_expiry_notice(tx, invite)
        assert not await invites.claim_expiry_notice(tx, invite)
        assert await invites.due_expiry_notices(tx, NOW + timedelta(days=6)) == []


async def test_the_prepared_set_up_is_stored_and_replaced_while_the_invite_is_open(db: Database) -> None:
    anna = await _coordinator(db)
    first = Prepared(professional_id=anna, clients=("C-1", "C-2"), hours_per_week=4, contact_times="ma 10-12")
    invite = await _invite(db, "h3", anna, prepared=first)
    async with db.transaction() as tx:
        stored = await invites.get(tx, invite)
        assert stored is not None and stored.prepared == first
        second = Prepared(clients=("C-9",))
        assert await invites.set_prepared(tx, invite, second, NOW)
        stored = await invites.get(tx, invite)
        assert stored is not None and stored.prepared == second
        assert await invites.mark_used(tx, invite, anna, NOW)
        assert not await invites.set_prepared(tx, invite, first, NOW)  # used: too late


async def test_a_removed_team_is_hidden_and_comes_back_by_its_name(db: Database) -> None:
    async with db.transaction() as tx:
        oost = await people.create_team(tx, "Team Oost", NOW)
        assert await people.remove_team(tx, oost, NOW)
        assert await people.teams(tx) == [] and await people.team(tx, oost) is None
        assert await people.create_team(tx, "team oost", NOW) == oost  # the same row, the new spelling
        [back] = await people.teams(tx)
        assert (back.id, back.name) == (oost, "team oost")
        west = await people.create_team(tx, "Team West", NOW)
        assert await people.remove_team(tx, west, NOW)
        assert await people.rename_team(tx, oost, "Team West")  # a removed team lets go of its name
        assert [t.name for t in await people.teams(tx)] == ["Team West"]


async def test_migration_0012_reminds_of_invites_open_before_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "upgrade.db"
    every = available_migrations()
    monkeypatch.setattr("storage.db.available_migrations", lambda: [m for m in every if m[0] < 12])
    async with Database(path) as database:
        await database.migrate()
        anna = await _coordinator(database)
        async with database.transaction() as tx:
            for code_hash, by, used in (("open", anna, None), ("cli", None, None), ("used", anna, to_db(NOW))):
                await tx.execute(
                    "INSERT INTO invites (code_hash, role, name, created_by, created_at, expires_at, used_at)"
                    " VALUES (?, 'volunteer', 'Joop', ?, ?, ?, ?)",
                    (code_hash, by, to_db(NOW), to_db(NOW + timedelta(days=7)), used),
                )
    monkeypatch.setattr("storage.db.available_migrations", lambda: every)
    async with Database(path) as database:
        assert 12 in [version for version, _, _ in every]
        await database.migrate()
        async with database.transaction() as tx:
            due = await invites.due_expiry_notices(tx, NOW + timedelta(days=6))
            assert [i.name for i in due] == ["Joop"] and due[0].created_by == anna  # only the bot's open one
            assert await invites.due_expiry_notices(tx, NOW + timedelta(days=6) - timedelta(seconds=1)) == []
            assert await tx.all("PRAGMA foreign_key_check") == []
