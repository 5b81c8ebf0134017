"""The database: one API (`Database`, `Tx`) over SQLite (embedded, the default) or PostgreSQL ([storage] url).

SQLite: one connection, PRAGMAs, transactions serialised by a lock, the migration runner.
PostgreSQL: storage/postgres.py. What the two spell differently: storage/dialect.py.
"""

from __future__ import annotations

import asyncio
import logging
import random
import sqlite3
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, TypeVar

import aiosqlite

from storage.backup import backup_file
from storage.core import (
    MIGRATION_NAME,
    RESTORE_HELP,
    DatabaseDamaged,
    DatabaseRefused,
    DatabaseTooNew,
    NotSamenspelDatabase,
    Params,
    Reader,
    Row,
    TransactionConflict,
    Tx,
    available_migrations,
    from_db,
    opt_from_db,
    to_db,
)
from storage.dialect import SQLITE, Backend, Dialect
from storage.files import create_private_file, make_private_folders
from storage.sqlite_tx import SqliteTx, WriteWatch

T = TypeVar("T")

# The storage modules and the services import these from here, whichever backend runs.
__all__ = [
    "MIGRATION_NAME",
    "RESTORE_HELP",
    "Database",
    "DatabaseDamaged",
    "DatabaseRefused",
    "DatabaseTooNew",
    "NotSamenspelDatabase",
    "Params",
    "Reader",
    "Row",
    "SqliteDatabase",
    "TransactionConflict",
    "Tx",
    "WriteWatch",
    "available_migrations",
    "backup_file",
    "from_db",
    "opt_from_db",
    "split_sql",
    "to_db",
]

log = logging.getLogger(__name__)

# The WAL is cut back to this size whenever it starts over, so old page versions do not pile up on disk.
JOURNAL_SIZE_LIMIT = 1024 * 1024
_DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})

# A whole unit of work is tried this many times when PostgreSQL reports a serialization failure or deadlock.
UNIT_ATTEMPTS = 5


def _is_damage(error: sqlite3.DatabaseError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in _DAMAGE_CODES


class Database:
    """The process's database: SQLite at `path` or, when `url` is given, PostgreSQL.

    Every method is the backend's; `unit` adds the retry of whole units of work that PostgreSQL needs.
    """

    def __init__(self, path: Path | str = "samenspel.db", *, url: str | None = None) -> None:
        self.path = Path(path)
        self.url = url
        self._backend: StorageBackend
        if url is None:
            self._backend = SqliteDatabase(self.path)
        else:
            from storage.postgres import PostgresDatabase  # psycopg is needed only by those who use it

            self._backend = PostgresDatabase(url)
        # Kept as a plain callable: `transaction` is this object's, the one place callers (and the tests'
        # fault injection, which patches it) open a transaction.
        self._begin = self._backend.transaction
        # Units of work run again after a conflict, for /metrics.
        self.retried_units = 0

    @property
    def backend(self) -> Backend:
        return self._backend.dialect.backend

    @property
    def dialect(self) -> Dialect:
        return self._backend.dialect

    @property
    def location(self) -> str:
        """Where the data is, for messages: the file, or the URL without its password."""
        return self._backend.location

    async def open(self) -> None:
        await self._backend.open()

    async def close(self) -> None:
        await self._backend.close()

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    @property
    def conn(self) -> aiosqlite.Connection:
        """SQLite's connection (tests that look under the API); PostgreSQL has a pool instead."""
        if not isinstance(self._backend, SqliteDatabase):
            raise RuntimeError("only SQLite has one shared connection")
        return self._backend.conn

    def transaction(self) -> AbstractAsyncContextManager[Tx]:
        """One transaction; rolled back on any exception, including cancellation. On PostgreSQL it runs
        SERIALIZABLE and may raise TransactionConflict: use `unit` where concurrent units can collide."""
        return self._begin()

    def watch_writes(self, tables: Iterable[str]) -> WriteWatch | None:
        """A WriteWatch over these tables; None on PostgreSQL, where other replicas write what no watch here sees."""
        if not isinstance(self._backend, SqliteDatabase):
            return None
        return self._backend.watch_writes(tables)

    def read(self) -> AbstractAsyncContextManager[Reader]:
        """Reads outside a transaction: each statement sees what is committed. On SQLite without BEGIN …
        COMMIT (a third of a transaction's round trips, for the lookup on every update); on PostgreSQL a
        transaction, as every statement there is."""
        return self._backend.read()

    async def unit(self, work: Callable[[Tx], Awaitable[T]], *, attempts: int = UNIT_ATTEMPTS) -> T:
        """Run `work` in one transaction; after a TransactionConflict run it again in a new one, a few times,
        after a short random pause (so that the two colliding units do not collide again in step).

        `work` must do nothing outside the database that cannot be repeated: it may run more than once.
        """
        for attempt in range(1, attempts + 1):
            try:
                async with self.transaction() as tx:
                    return await work(tx)
            except TransactionConflict:
                if attempt == attempts:
                    raise
                self.retried_units += 1
                log.info("transaction conflict; running the unit again (attempt %d of %d)", attempt + 1, attempts)
                await asyncio.sleep(random.uniform(0, 0.01 * 2**attempt))
        raise AssertionError("unreachable")

    async def migrate(self) -> list[str]:
        """Apply every migration not yet applied, each in its own transaction. Returns their names."""
        return await self._backend.migrate()

    async def require_current(self) -> None:
        await self._backend.require_current()

    async def schema_matches(self) -> bool:
        """True when every migration of this code is applied and none unknown to it (readiness)."""
        return await self._backend.schema_matches()

    async def schema_version(self) -> int:
        return await self._backend.schema_version()

    async def quick_check(self) -> None:
        """SQLite's check of every page; PostgreSQL checks its own pages (data checksums), so nothing there."""
        await self._backend.quick_check()

    async def truncate_wal(self) -> bool:
        """SQLite: empty the WAL after an erasure. PostgreSQL: nothing to do here (VACUUM reclaims old rows)."""
        return await self._backend.truncate_wal()

    async def backup_to(self, target: Path) -> None:
        await self._backend.backup_to(target)


class StorageBackend(Protocol):
    @property
    def dialect(self) -> Dialect: ...
    @property
    def location(self) -> str: ...
    async def open(self) -> None: ...
    async def close(self) -> None: ...
    def transaction(self) -> AbstractAsyncContextManager[Tx]: ...
    def read(self) -> AbstractAsyncContextManager[Reader]: ...
    async def migrate(self) -> list[str]: ...
    async def require_current(self) -> None: ...
    async def schema_matches(self) -> bool: ...
    async def schema_version(self) -> int: ...
    async def quick_check(self) -> None: ...
    async def truncate_wal(self) -> bool: ...
    async def backup_to(self, target: Path) -> None: ...


class SqliteDatabase:
    """One connection shared by the whole process.

    SQLite serialises writers anyway; one lock around every transaction keeps concurrent handlers
    from interleaving statements on the shared connection.
    """

    dialect = SQLITE

    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None
        self._watches: list[WriteWatch] = []

    @property
    def location(self) -> str:
        return str(self.path)

    def watch_writes(self, tables: Iterable[str]) -> WriteWatch:
        watch = WriteWatch(tables)
        self._watches.append(watch)
        return watch

    async def open(self) -> None:
        make_private_folders(self.path.parent)
        # Created 0600 before SQLite sees it: SQLite gives -wal and -shm the same mode.
        create_private_file(self.path)
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        try:
            conn.row_factory = aiosqlite.Row
            await conn.execute("PRAGMA journal_mode=WAL")
            await conn.execute("PRAGMA foreign_keys=ON")
            await conn.execute("PRAGMA busy_timeout=10000")
            await conn.execute("PRAGMA synchronous=NORMAL")
            # Erased rows are overwritten with zeros, not left in free space, whatever SQLite was built with.
            await conn.execute("PRAGMA secure_delete=ON")
            await conn.execute(f"PRAGMA journal_size_limit={JOURNAL_SIZE_LIMIT}")
        except sqlite3.DatabaseError as exc:
            await conn.close()
            if _is_damage(exc):
                raise DatabaseDamaged(self.path, str(exc)) from exc
            raise
        except BaseException:
            await conn.close()
            raise
        self._conn = conn

    async def close(self) -> None:
        if self._conn is not None:
            await self._conn.close()
            self._conn = None

    @property
    def conn(self) -> aiosqlite.Connection:
        if self._conn is None:
            raise RuntimeError("database is not open")
        return self._conn

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Tx]:
        """BEGIN IMMEDIATE … COMMIT; rolled back on any exception, including cancellation."""
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            # Waiting for our own lock would hang forever: fail loudly instead.
            raise RuntimeError("nested transaction: pass the open Tx instead of opening another")
        async with self._lock:
            self._owner = task
            try:
                conn = self.conn
                await conn.execute("BEGIN IMMEDIATE")
                tx = SqliteTx(conn, self._watches)
                try:
                    try:
                        yield tx
                    except BaseException:
                        await _roll_back(conn)
                        raise
                    try:
                        await conn.execute("COMMIT")
                    except BaseException:
                        # A COMMIT that fails (busy, I/O error) can leave the transaction open; every later BEGIN
                        # would then fail for good, so end it here and let the caller retry the whole unit.
                        await _roll_back(conn)
                        raise
                finally:
                    # Still under the lock: no read can come between the commit and the watches moving on.
                    tx.ended()
            finally:
                self._owner = None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Reader]:
        """Reads without BEGIN … COMMIT, under the same lock, so nobody's transaction runs in between."""
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            raise RuntimeError("nested read: use the open Tx")
        async with self._lock:
            reader = SqliteTx(self.conn, self._watches)
            try:
                yield reader
            finally:
                reader.ended()

    @asynccontextmanager
    async def _exclusive(self) -> AsyncIterator[aiosqlite.Connection]:
        """The connection, outside any transaction, with nobody else's statements in between."""
        if self._owner is not None and self._owner is asyncio.current_task():
            raise RuntimeError("call this outside a transaction")
        async with self._lock:
            yield self.conn

    async def quick_check(self) -> None:
        """SQLite's structural check of every page; raises DatabaseDamaged when it finds anything."""
        try:
            async with self._exclusive() as conn, conn.execute("PRAGMA quick_check") as cursor:
                found = [str(row[0]) for row in await cursor.fetchall()]
        except sqlite3.DatabaseError as exc:
            if _is_damage(exc):
                raise DatabaseDamaged(self.path, str(exc)) from exc
            raise
        if found != ["ok"]:
            # One line for the person reading it: SQLite's first finding, squeezed, and how many followed.
            first = " ".join((found[0] if found else "no answer").split()).removeprefix("*** in database main *** ")
            first = first[:160]
            more = f" and {len(found) - 1} more" if len(found) > 1 else ""
            raise DatabaseDamaged(self.path, f"quick_check: {first}{more}")

    async def truncate_wal(self) -> bool:
        """Copy the WAL into the database and cut it to zero bytes; False if a reader kept it from finishing.

        After an erasure the old versions of the erased rows still sit in the WAL's earlier frames; this is
        what removes them from the disk (secure_delete already zeroes them in the database file).
        """
        async with self._exclusive() as conn, conn.execute("PRAGMA wal_checkpoint(TRUNCATE)") as cursor:
            row = await cursor.fetchone()
        complete = row is not None and int(row[0]) == 0
        if not complete:
            log.warning("the WAL could not be emptied now (another reader); it is emptied at the next erasure")
        return complete

    async def migrate(self) -> list[str]:
        """Apply every migration not yet applied, each in its own transaction. Returns their names.

        Refuses (DatabaseTooNew) a database that holds a migration this code does not know: a newer version
        changed it, and running older code against it could corrupt what that version relies on.
        """
        conn = self.conn
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        applied: list[str] = []
        async with self._lock:
            for version, name, sql in await self._pending(conn):
                await conn.execute("BEGIN IMMEDIATE")
                try:
                    # executescript would COMMIT on its own; run statement by statement instead.
                    for statement in split_sql(sql):
                        await conn.execute(statement)
                    await conn.execute(
                        "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                        (version, name, to_db(datetime.now(UTC))),
                    )
                except BaseException:
                    await conn.execute("ROLLBACK")
                    raise
                await conn.execute("COMMIT")
                log.info("applied migration %s", name)
                applied.append(name)
            if applied:
                for watch in self._watches:  # a migration may change any table
                    watch.version += 1
        return applied

    async def require_current(self) -> None:
        """For commands that work beside a running bot: the schema must be this code's, without changing it."""
        async with self._exclusive() as conn:
            pending = await self._pending(conn)
        if pending:
            names = ", ".join(name for _, name, _ in pending)
            raise DatabaseRefused(
                self.path,
                f"the database {self.path} needs upgrading ({names}) and a bot is running on it; "
                "stop the bot, run samenspel migrate, and start it again",
            )

    async def schema_matches(self) -> bool:
        try:
            async with self._exclusive() as conn:
                return not await self._pending(conn)
        except DatabaseTooNew:
            return False

    async def _pending(self, conn: aiosqlite.Connection) -> list[tuple[int, str, str]]:
        """Migrations not applied yet; DatabaseTooNew when the file holds one this code does not know."""
        migrations = available_migrations()
        try:
            async with conn.execute("SELECT version FROM schema_migrations") as cursor:
                done = {int(row[0]) for row in await cursor.fetchall()}
        except sqlite3.OperationalError:  # no table yet: a new file
            done = set()
        unknown = sorted(done - {version for version, _, _ in migrations})
        if unknown:
            raise DatabaseTooNew(self.path, unknown)
        return [migration for migration in migrations if migration[0] not in done]

    async def schema_version(self) -> int:
        async with self.conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def backup_to(self, target: Path) -> None:
        """Copy the live database with SQLite's online backup API (safe while the bot writes)."""
        await backup_file(self.path, target)


async def _roll_back(conn: aiosqlite.Connection) -> None:
    """Roll back what is open; SQLite may already have done so itself (after an I/O error, say)."""
    if not conn.in_transaction:
        return
    try:
        await conn.execute("ROLLBACK")
    except sqlite3.Error:
        log.warning("rollback failed; the connection's transaction state is left to SQLite", exc_info=True)


def split_sql(script: str) -> list[str]:
    """Split a migration into statements; complete_statement respects strings and triggers."""
    statements: list[str] = []
    current: list[str] = []
    for line in script.splitlines(keepends=True):
        if not current and (not line.strip() or line.lstrip().startswith("--")):
            continue
        current.append(line)
        candidate = "".join(current)
        if sqlite3.complete_statement(candidate):
            statements.append(candidate.strip())
            current = []
    if "".join(current).strip():
        raise ValueError("migration ends in an incomplete statement")
    return statements
