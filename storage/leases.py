"""The sender lease (one outbox sender per bot token) and the once-per-deployment lock for scheduled jobs.

The lease is a row per token: holder, epoch, expires_at. It is taken and renewed on the database's clock on
PostgreSQL (`now()`, the same for every replica, whatever their own clocks say); SQLite has one process, so
there the caller's clock is the database's. The epoch grows on every takeover, and `holder#epoch` is the claim
token outbox rows carry while in flight (storage/outbox.py), which fences a sender that lost its lease.
"""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

from storage.db import Database, Tx, from_db, to_db
from storage.dialect import Backend

_LONG_AGO = datetime(2000, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Lease:
    name: str
    holder: str
    epoch: int
    expires_at: datetime
    # Taken from another holder (or from an earlier life of this one) whose lease had run out, or for the first
    # time: rows still in flight belong to a sender that is gone.
    took_over: bool
    previous_holder: str | None

    @property
    def claim_token(self) -> str:
        return claim_token(self.holder, self.epoch)


def claim_token(holder: str, epoch: int) -> str:
    return f"{holder}#{epoch}"


async def database_now(tx: Tx, fallback: datetime | None) -> datetime:
    """The database's clock on PostgreSQL (the transaction's start, as `now()` is); `fallback` on SQLite."""
    if tx.dialect.backend is Backend.POSTGRESQL:
        value = await tx.scalar("SELECT now()")
        return cast(datetime, value)
    if fallback is None:
        raise ValueError("SQLite has no clock of its own: pass the service clock's time")
    return fallback


async def acquire(
    tx: Tx,
    name: str,
    holder: str,
    ttl: timedelta,
    now: datetime | None,
    *,
    force: bool = False,
) -> Lease | None:
    """Take or renew the lease for `holder`; None while another holder's lease runs.

    `now` None means the database's clock (PostgreSQL); tests pass their fake clock's time on both backends, which
    is how a freeze past the lease is played without sleeping. `force` takes the lease whoever holds it (SQLite at
    start: one process owns the file, so a holder that is not us is an earlier life of this bot)."""
    moment = await database_now(tx, now) if now is None else now
    expires = to_db(moment + ttl)
    row = await tx.one("SELECT holder, epoch, expires_at FROM sender_lease WHERE name = ?", (name,))
    if row is None:
        inserted = await tx.changes(
            "INSERT INTO sender_lease (name, holder, epoch, expires_at, taken_at) VALUES (?, ?, 1, ?, ?)"
            " ON CONFLICT (name) DO NOTHING",
            (name, holder, expires, to_db(moment)),
        )
        if not inserted:
            return None  # another replica inserted it first, in a transaction that committed meanwhile
        return Lease(name, holder, 1, moment + ttl, took_over=True, previous_holder=None)
    epoch, current = int(row["epoch"]), str(row["holder"])
    if current == holder and from_db(row["expires_at"]) > moment:
        await tx.execute(
            "UPDATE sender_lease SET expires_at = ? WHERE name = ? AND holder = ? AND epoch = ?",
            (expires, name, holder, epoch),
        )
        return Lease(name, holder, epoch, moment + ttl, took_over=False, previous_holder=None)
    if from_db(row["expires_at"]) > moment and not force:
        return None
    # Compare-and-set on the epoch: of two replicas taking over at once, one changes the row.
    taken = await tx.changes(
        "UPDATE sender_lease SET holder = ?, epoch = epoch + 1, expires_at = ?, taken_at = ?"
        " WHERE name = ? AND epoch = ?",
        (holder, expires, to_db(moment), name, epoch),
    )
    if not taken:
        return None
    return Lease(name, holder, epoch + 1, moment + ttl, took_over=True, previous_holder=current)


async def holds(tx: Tx, name: str, holder: str, epoch: int, now: datetime | None) -> bool:
    """Whether `holder` still holds the lease at `epoch` (read inside the transaction that claims rows)."""
    moment = await database_now(tx, now) if now is None else now
    row = await tx.one(
        "SELECT 1 FROM sender_lease WHERE name = ? AND holder = ? AND epoch = ? AND expires_at > ?",
        (name, holder, epoch, to_db(moment)),
    )
    return row is not None


async def release(tx: Tx, name: str, holder: str, epoch: int) -> bool:
    """Give the lease up (stopping): expired at once, so the next replica takes over without waiting."""
    changed = await tx.changes(
        "UPDATE sender_lease SET expires_at = ? WHERE name = ? AND holder = ? AND epoch = ?",
        (to_db(_LONG_AGO), name, holder, epoch),
    )
    return changed > 0


async def current(tx: Tx, name: str) -> dict[str, Any] | None:
    """The lease row as it is (metrics, tests, diagnostics)."""
    row = await tx.one("SELECT name, holder, epoch, expires_at, taken_at FROM sender_lease WHERE name = ?", (name,))
    return None if row is None else dict(zip(row.keys(), row, strict=True))


def lock_key(job: str) -> int:
    """A stable 63-bit key for `pg_try_advisory_xact_lock`, from the job's name (the same in every replica)."""
    return zlib.crc32(b"samenspel-once:" + job.encode())


@asynccontextmanager
async def once_per_deployment(db: Database, job: str) -> AsyncIterator[bool]:
    """True for the one replica that may run `job` now, held until the block ends; always True on SQLite.

    On PostgreSQL a transaction of its own holds `pg_try_advisory_xact_lock` while the job runs, on a pool
    connection beside the process's transactions (which run one at a time, so the job's own transactions could
    not start inside it); the lock ends with that transaction, also when the replica dies. It keeps two replicas
    from running the job at the same moment; the jobs themselves record what they did, so a later run by
    another replica finds nothing left to do."""
    # The lock needs a connection outside the process's one-at-a-time transactions: the backend's pool.
    if db.backend is not Backend.POSTGRESQL:
        yield True
        return
    from storage.postgres import PostgresDatabase  # psycopg only where PostgreSQL is configured

    backend = db._backend
    assert isinstance(backend, PostgresDatabase)
    async with backend.pool.connection() as conn:
        await conn.execute("BEGIN")
        try:
            cursor = await conn.execute("SELECT pg_try_advisory_xact_lock(%s)", (lock_key(job),))
            row = await cursor.fetchone()
            yield bool(row and row[0])
        finally:
            await conn.execute("ROLLBACK")  # nothing was written; this ends the lock
