"""PostgreSQL behind the same `Tx` API as SQLite: psycopg 3 async with a connection pool.

Every transaction runs SERIALIZABLE: with several replicas (and several connections in one process) the
races SQLite's single writer hides become serialization failures, which `Tx` raises as TransactionConflict
for the caller to run the unit again (`Database.unit`). Statements arrive in SQLite's spelling and are
translated once each (storage/dialect.py). Instants stay ISO-8601 UTC text, as on SQLite: one format on both
backends, text order is time order, and no conversion at the boundary that could drift between them.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import psycopg
from psycopg import AsyncConnection, AsyncCursor, errors
from psycopg.rows import RowMaker
from psycopg_pool import AsyncConnectionPool, PoolTimeout

from storage.core import (
    DatabaseRefused,
    DatabaseTooNew,
    Params,
    Reader,
    Row,
    TransactionConflict,
    Tx,
    available_migrations,
    to_db,
)
from storage.dialect import POSTGRESQL, Backend, Dialect, safe_url, to_postgres, with_returning_id

log = logging.getLogger(__name__)

# pg_advisory_lock key of `migrate`: two replicas starting at once apply each migration once, one after the other.
MIGRATE_LOCK = 0x53414D454E  # "SAMEN"
POOL_SIZE = 4
CONNECT_TIMEOUT_SECONDS = 10.0
_CONFLICTS = (errors.SerializationFailure, errors.DeadlockDetected)


class PgRow:
    """A row readable by position and by column name, as sqlite3.Row is."""

    __slots__ = ("_index", "_values")

    def __init__(self, values: tuple[Any, ...], index: dict[str, int]) -> None:
        self._values = values
        self._index = index

    def __getitem__(self, key: int | str) -> Any:
        return self._values[self._index[key] if isinstance(key, str) else key]

    def __len__(self) -> int:
        return len(self._values)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._values)

    def keys(self) -> list[str]:
        return list(self._index)

    def __repr__(self) -> str:
        return f"PgRow({dict(zip(self._index, self._values, strict=True))!r})"


def _plain(value: Any) -> Any:
    # SUM and AVG of integers are numeric in PostgreSQL; SQLite gives int or float, and so does this.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


def _rows(cursor: AsyncCursor[Any]) -> RowMaker[PgRow]:
    names = [column.name for column in cursor.description or ()]
    index = {name: i for i, name in enumerate(names)}

    def make(values: Sequence[Any]) -> PgRow:
        return PgRow(tuple(_plain(v) for v in values), index)

    return make


def _params(params: Params) -> tuple[Any, ...] | dict[str, Any]:
    # The schema keeps SQLite's 0/1 integers for flags; psycopg would send a bool as boolean.
    if isinstance(params, dict):
        return {key: int(v) if isinstance(v, bool) else v for key, v in params.items()}
    return tuple(int(p) if isinstance(p, bool) else p for p in params)


class PostgresTx(Tx):
    dialect = POSTGRESQL

    def __init__(self, conn: AsyncConnection[Any], id_tables: frozenset[str]) -> None:
        self._conn = conn
        self._id_tables = id_tables

    async def _run(self, cursor: AsyncCursor[PgRow], sql: str, params: Params) -> None:
        try:
            await cursor.execute(sql, _params(params))
        except _CONFLICTS as exc:
            raise TransactionConflict(str(exc)) from exc

    async def execute(self, sql: str, params: Params = ()) -> int:
        translated = to_postgres(sql)
        returns_id = translated.insert_into in self._id_tables
        statement = with_returning_id(translated.sql) if returns_id else translated.sql
        async with self._conn.cursor(row_factory=_rows) as cursor:
            await self._run(cursor, statement, params)
            if not returns_id:
                return 0
            row = await cursor.fetchone()
            return 0 if row is None else int(row[0])

    async def changes(self, sql: str, params: Params = ()) -> int:
        async with self._conn.cursor(row_factory=_rows) as cursor:
            await self._run(cursor, to_postgres(sql).sql, params)
            return cursor.rowcount

    async def executemany(self, sql: str, params: Iterable[Params]) -> None:
        async with self._conn.cursor(row_factory=_rows) as cursor:
            try:
                await cursor.executemany(to_postgres(sql).sql, [_params(p) for p in params])
            except _CONFLICTS as exc:
                raise TransactionConflict(str(exc)) from exc

    async def one(self, sql: str, params: Params = ()) -> Row | None:
        async with self._conn.cursor(row_factory=_rows) as cursor:
            await self._run(cursor, to_postgres(sql).sql, params)
            return await cursor.fetchone()

    async def all(self, sql: str, params: Params = ()) -> list[Row]:
        async with self._conn.cursor(row_factory=_rows) as cursor:
            await self._run(cursor, to_postgres(sql).sql, params)
            return list(await cursor.fetchall())


class PostgresDatabase:
    """A pool of connections: one for the transaction under way, others for migrate and readiness checks."""

    dialect: Dialect = POSTGRESQL

    def __init__(self, url: str, *, pool_size: int = POOL_SIZE) -> None:
        self.url = url
        self._pool_size = pool_size
        self._pool: AsyncConnectionPool[AsyncConnection[Any]] | None = None
        # Tables with an identity `id`: an INSERT into one returns the new id, as SQLite's lastrowid does.
        self._id_tables: frozenset[str] = frozenset()
        self._owners: set[asyncio.Task[object]] = set()
        # One transaction at a time in this process, as on SQLite. The services were written for one writer:
        # overlapping ticks, deliveries and handlers of one process would make SERIALIZABLE abort one of
        # each pair that touch the same small table (its predicate locks cover whole tables while they are
        # scanned whole), and most of those units have no retry. Between replicas the conflicts are real,
        # and rare enough for the retries of `Database.unit` and the next tick.
        self._one_at_a_time = asyncio.Lock()

    @property
    def location(self) -> str:
        return safe_url(self.url)

    async def open(self) -> None:
        pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
            self.url,
            min_size=1,
            max_size=self._pool_size,
            kwargs={"autocommit": True},
            open=False,
            # A connection the server closed (restart, failover) is replaced rather than handed out.
            check=AsyncConnectionPool.check_connection,
        )
        try:
            await pool.open(wait=True, timeout=CONNECT_TIMEOUT_SECONDS)
        except PoolTimeout as exc:
            await pool.close()
            raise DatabaseRefused(
                self.location, f"cannot reach PostgreSQL at {self.location} ({exc}); check [storage] url"
            ) from exc
        except BaseException:
            await pool.close()
            raise
        self._pool = pool
        await self._load_id_tables()

    async def close(self) -> None:
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    @property
    def pool(self) -> AsyncConnectionPool[AsyncConnection[Any]]:
        if self._pool is None:
            raise RuntimeError("database is not open")
        return self._pool

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """BEGIN ISOLATION LEVEL SERIALIZABLE … COMMIT; rolled back on any exception, including cancellation."""
        task = asyncio.current_task()
        if task is not None and task in self._owners:
            # Same rule as on SQLite, where a nested transaction would hang: pass the open Tx instead.
            raise RuntimeError("nested transaction: pass the open Tx instead of opening another")
        async with self._one_at_a_time, self.pool.connection() as conn:
            if task is not None:
                self._owners.add(task)
            try:
                await conn.execute("BEGIN ISOLATION LEVEL SERIALIZABLE")
                try:
                    yield PostgresTx(conn, self._id_tables)
                except BaseException:
                    await _roll_back(conn)
                    raise
                try:
                    await conn.execute("COMMIT")
                except _CONFLICTS as exc:
                    raise TransactionConflict(str(exc)) from exc
            finally:
                self._owners.discard(task)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Reader]:
        """A transaction like any other: PostgreSQL has no cheaper way to read, and none is needed."""
        async with self.transaction() as tx:
            yield tx

    async def migrate(self) -> list[str]:
        """Apply every migration not yet applied, each in its own transaction, holding an advisory lock so
        that replicas starting together do not apply one twice. Returns their names."""
        applied: list[str] = []
        async with self.pool.connection() as conn:
            await conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATE_LOCK,))
            try:
                await conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations ("
                    " version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
                )
                for version, name, sql in await self._pending(conn):
                    async with conn.transaction():
                        # No parameters: psycopg sends the file as one simple query, all its statements.
                        await conn.execute(sql.encode())
                        await conn.execute(
                            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%s, %s, %s)",
                            (version, name, to_db(datetime.now(UTC))),
                        )
                    log.info("applied migration %s", name)
                    applied.append(name)
            finally:
                await conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATE_LOCK,))
        await self._load_id_tables()
        return applied

    async def require_current(self) -> None:
        async with self.pool.connection() as conn:
            pending = await self._pending(conn)
        if pending:
            names = ", ".join(name for _, name, _ in pending)
            raise DatabaseRefused(
                self.location,
                f"the database {self.location} needs upgrading ({names}); run samenspel migrate first",
            )

    async def schema_matches(self) -> bool:
        try:
            async with self.pool.connection() as conn:
                return not await self._pending(conn)
        except DatabaseTooNew:
            return False

    async def schema_version(self) -> int:
        async with self.pool.connection() as conn, conn.cursor() as cursor:
            await cursor.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations")
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    async def _pending(self, conn: AsyncConnection[Any]) -> list[tuple[int, str, str]]:
        migrations = available_migrations(Backend.POSTGRESQL)
        async with conn.cursor() as cursor:
            await cursor.execute("SELECT to_regclass('schema_migrations') IS NOT NULL")
            exists = await cursor.fetchone()
            done: set[int] = set()
            if exists and exists[0]:
                await cursor.execute("SELECT version FROM schema_migrations")
                done = {int(row[0]) for row in await cursor.fetchall()}
        unknown = sorted(done - {version for version, _, _ in migrations})
        if unknown:
            raise DatabaseTooNew(Path(self.location), unknown)
        return [migration for migration in migrations if migration[0] not in done]

    async def _load_id_tables(self) -> None:
        async with self.pool.connection() as conn, conn.cursor() as cursor:
            await cursor.execute(
                "SELECT table_name FROM information_schema.columns"
                " WHERE table_schema = current_schema() AND column_name = 'id' AND is_identity = 'YES'"
            )
            self._id_tables = frozenset(str(row[0]) for row in await cursor.fetchall())

    async def quick_check(self) -> None:
        """PostgreSQL checks its own pages; there is no file of ours to look at."""

    async def truncate_wal(self) -> bool:
        """No WAL file of ours: PostgreSQL's autovacuum reclaims the old versions of erased rows."""
        return True

    async def backup_to(self, target: Path) -> None:
        raise DatabaseRefused(
            self.location,
            f"samenspel backup copies SQLite files; for PostgreSQL use pg_dump, e.g. pg_dump -Fc -f {target} "
            "DATABASE (README, 'PostgreSQL')",
        )


async def _roll_back(conn: AsyncConnection[Any]) -> None:
    try:
        await conn.execute("ROLLBACK")
    except psycopg.Error:
        # A broken connection: the pool sees it is closed and does not hand it out again.
        log.warning("rollback failed", exc_info=True)
