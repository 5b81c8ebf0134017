"""PostgreSQL only: what SQLite's single writer never shows (two replicas on one database), the migration lock,
readiness, and the commands that are SQLite's alone."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.services.escalations import EscalationService
from storage import escalations, outbox
from storage.db import Database, DatabaseRefused, DatabaseTooNew, Params, Row, Tx
from storage.dialect import Backend
from storage.postgres import PostgresTx
from tests.support.harness import FATIMA, running_bot, seed_organisation, send_signal
from tests.support.postgres import fresh_schema

NOW_FORMAT = "2026-11-23T09:00:00.000000+00:00"


@pytest.fixture
def empty_pg_url() -> Iterator[str]:
    with fresh_schema() as url:
        yield url


@pytest.fixture
async def pg_url(empty_pg_url: str) -> str:
    async with Database(url=empty_pg_url) as db:
        await db.migrate()
    return empty_pg_url


class BothRead:
    """Holds the first two reads of an escalation until both have happened, so that two units that would
    otherwise run one after the other overlap: each reads the step as due before either writes."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self._real = escalations.get
        self._arrived = 0
        self._both = asyncio.Event()
        monkeypatch.setattr(escalations, "get", self.get)

    async def get(self, tx: Any, escalation_id: int) -> Any:
        found = await self._real(tx, escalation_id)
        if self._arrived < 2:
            self._arrived += 1
            if self._arrived == 2:
                self._both.set()
            # Bounded: if only one unit ever reads, it goes on alone rather than hanging the test.
            await asyncio.wait_for(self._both.wait(), timeout=5)
        return found


async def _claim_without_lock(self: PostgresTx, sql: str, params: Params = (), *, of: str | None = None) -> list[Row]:
    return await self.all(sql, params)


async def test_two_replicas_advancing_the_same_escalation_step_apply_it_once(
    tmp_path: Path, pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(tmp_path, storage_url=pg_url) as h:
        await seed_organisation(h)
        await send_signal(h)
        # The step to Fatima is due; neither the bot's own tick nor anyone else has taken it yet.
        h.clock.advance(timedelta(minutes=10))
        replicas = [Database(url=pg_url), Database(url=pg_url)]
        for replica in replicas:
            await replica.open()
        try:
            services = [EscalationService(db, h.clock, h.services.settings, lambda: None) for db in replicas]
            # Both replicas find the step due, as when one's find runs just after the other's and before its
            # step commits. (Finds that overlap would not: the claim's SKIP LOCKED gives the row to one.)
            monkeypatch.setattr(PostgresTx, "claim", _claim_without_lock)
            BothRead(monkeypatch)
            await asyncio.gather(*(service.tick(h.clock.now()) for service in services))
            async with replicas[0].transaction() as tx:
                notified = await tx.all("SELECT detail FROM audit WHERE event = 'escalation.notified' ORDER BY id", ())
                to_fatima = await tx.scalar(
                    "SELECT COUNT(*) FROM outbox WHERE chat_id = ? AND subject_type = 'escalation'", (FATIMA.id,)
                )
                [(level,)] = [tuple(r) for r in await tx.all("SELECT level FROM escalations", ())]
            # Piet at level 0 when it was raised, Fatima at level 1 once: not twice.
            assert len(notified) == 2, [r["detail"] for r in notified]
            assert to_fatima == 1
            assert level == 1
            # The loser did run again (and found the step no longer due), rather than never colliding.
            assert sum(db.retried_units for db in replicas) >= 1
        finally:
            for replica in replicas:
                await replica.close()


async def test_a_claim_skips_the_outbox_rows_another_replica_is_claiming(pg_url: str) -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    async with Database(url=pg_url) as first, Database(url=pg_url) as second:
        async with first.transaction() as tx:
            for n in range(4):
                await outbox.enqueue(tx, chat_id=1000 + n, text=f"bericht {n}", now=now)
        theirs: list[int] = []
        attempts = 0

        async def claim_two(tx: Tx) -> list[int]:
            nonlocal attempts
            attempts += 1
            mine = [m.chat_id for m in await outbox.claim_due(tx, now, 2)]
            if attempts == 1:
                # The other replica, while this claim is open: not blocked, and not the same rows.
                async def claim_rest(tx: Tx) -> list[int]:
                    return [m.chat_id for m in await outbox.claim_due(tx, now, 4)]

                theirs.extend(await asyncio.wait_for(second.unit(claim_rest), timeout=5))
            return mine

        # Both scanned the whole small table, so SERIALIZABLE may abort this one at its commit: then it runs
        # again, and claims the same two rows, which nobody else took meanwhile.
        mine = await first.unit(claim_two)
        assert mine == [1000, 1001]
        assert theirs == [1002, 1003]
        async with first.transaction() as tx:
            claimed = [tuple(r) for r in await tx.all("SELECT chat_id, attempts, in_flight FROM outbox ORDER BY id")]
        assert claimed == [(1000 + n, 1, 1) for n in range(4)]  # each row claimed once, by one replica


async def test_replicas_migrating_at_once_apply_each_migration_once(empty_pg_url: str) -> None:
    replicas = [Database(url=empty_pg_url) for _ in range(3)]
    for replica in replicas:
        await replica.open()
    try:
        applied = await asyncio.gather(*(replica.migrate() for replica in replicas))
        # One replica applied them all (holding the advisory lock), the others found nothing left to do.
        assert sorted(len(names) for names in applied) == [0, 0, len(max(applied, key=len))]
        async with replicas[0].transaction() as tx:
            versions = [r[0] for r in await tx.all("SELECT version FROM schema_migrations ORDER BY version")]
        assert len(versions) == len(set(versions)) > 0
    finally:
        for replica in replicas:
            await replica.close()


async def test_the_schema_matches_the_code_only_when_fully_migrated_and_not_newer(empty_pg_url: str) -> None:
    async with Database(url=empty_pg_url) as db:
        assert db.backend is Backend.POSTGRESQL
        assert not await db.schema_matches()  # nothing applied yet: not ready
        with pytest.raises(DatabaseRefused, match="samenspel migrate"):
            await db.require_current()
        await db.migrate()
        assert await db.schema_matches()
        await db.require_current()
        async with db.transaction() as tx:
            await tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                (9999, "9999_from_a_newer_version.sql", NOW_FORMAT),
            )
        assert not await db.schema_matches()  # a newer version changed it: this replica is not ready
        with pytest.raises(DatabaseTooNew):
            await db.migrate()


async def test_backup_says_to_use_pg_dump_and_the_sqlite_file_checks_are_harmless(pg_url: str, tmp_path: Path) -> None:
    async with Database(url=pg_url) as db:
        with pytest.raises(DatabaseRefused, match="pg_dump"):
            await db.backup_to(tmp_path / "backup.db")
        assert not (tmp_path / "backup.db").exists()
        await db.quick_check()
        assert await db.truncate_wal()
        with pytest.raises(RuntimeError, match="only SQLite"):
            _ = db.conn
