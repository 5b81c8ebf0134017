"""Connection, PRAGMAs, transactions and the migration runner."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

from storage.files import PRIVATE_FILE, create_private_file, make_private_folders, open_private

log = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
# The WAL is cut back to this size whenever it starts over, so old page versions do not pile up on disk.
JOURNAL_SIZE_LIMIT = 1024 * 1024
RESTORE_HELP = 'see "Backups and restore" in README.md'
_DAMAGE_CODES = frozenset({sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB})

Row = aiosqlite.Row


def to_db(moment: datetime) -> str:
    """Store instants as UTC ISO-8601 with a fixed width, so that text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to storage")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def opt_from_db(text: str | None) -> datetime | None:
    return None if text is None else from_db(text)


class Reader:
    """Statements that only read. Each is one round trip to SQLite's thread (execute and fetch together): the
    bot's time goes to those hand-overs more than to SQLite. Outside a transaction (`Database.read`), or as
    part of one (`Tx`)."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

    async def one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Row | None:
        """The first row of a query that finds one (or a few: all are fetched in the same trip)."""
        return next(iter(await self._conn.execute_fetchall(sql, params)), None)

    async def all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Row]:
        return list(await self._conn.execute_fetchall(sql, params))

    async def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = await self.one(sql, params)
        return None if row is None else row[0]


class Tx(Reader):
    """One open transaction. Repository functions take it as their first argument."""

    async def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run a statement; returns lastrowid for inserts (0 otherwise)."""
        cursor = await self._conn.execute(sql, params)
        try:
            return cursor.lastrowid or 0
        finally:
            await cursor.close()

    async def changes(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> int:
        """Run a statement; returns the number of rows it changed."""
        cursor = await self._conn.execute(sql, params)
        try:
            return cursor.rowcount
        finally:
            await cursor.close()

    async def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> None:
        await self._conn.executemany(sql, params)


class DatabaseRefused(Exception):
    """The file at `path` cannot be used as this version's database; the message says why and what to do."""

    def __init__(self, path: Path, message: str) -> None:
        super().__init__(message)
        self.path = path


class DatabaseDamaged(DatabaseRefused):
    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(path, f"the database {path} is damaged ({detail}). Restore the latest backup: {RESTORE_HELP}.")


class DatabaseTooNew(DatabaseRefused):
    def __init__(self, path: Path, unknown: list[int]) -> None:
        numbers = ", ".join(f"{v:04d}" for v in unknown)
        super().__init__(
            path,
            f"the database {path} was upgraded by a newer Samenspel (migration {numbers} is unknown to this "
            f"version). Install that version again, or restore a backup made before the upgrade: {RESTORE_HELP}.",
        )


class NotSamenspelDatabase(DatabaseRefused):
    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(path, f"{path} is not a Samenspel database ({detail}); check [storage] path")


def _is_damage(error: sqlite3.DatabaseError) -> bool:
    code = getattr(error, "sqlite_errorcode", None)
    return isinstance(code, int) and code & 0xFF in _DAMAGE_CODES


class Database:
    """One connection shared by the whole process.

    SQLite serialises writers anyway; one lock around every transaction keeps concurrent handlers
    from interleaving statements on the shared connection.
    """

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._conn: aiosqlite.Connection | None = None
        self._lock = asyncio.Lock()
        self._owner: asyncio.Task[object] | None = None

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

    async def __aenter__(self) -> Database:
        await self.open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

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
                try:
                    yield Tx(conn)
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
                self._owner = None

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Reader]:
        """Reads without BEGIN … COMMIT: each statement sees what is committed, and nobody's transaction runs in
        between (the same lock). For a lookup on every update, at a third of a transaction's round trips."""
        task = asyncio.current_task()
        if task is not None and self._owner is task:
            raise RuntimeError("nested read: use the open Tx")
        async with self._lock:
            yield Reader(self.conn)

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


async def backup_file(source: Path, target: Path) -> None:
    """Copy a Samenspel database with SQLite's online backup API into a new file only this user can read.

    The source is opened read-only and must hold the migrations table, so that a mistyped path fails
    (NotSamenspelDatabase) instead of creating an empty database and "backing it up". The copy is written
    next to the target and renamed over it once complete: the target is never half a backup.
    """

    def _copy() -> None:
        if target.resolve() == source.resolve():
            raise DatabaseRefused(target, f"{target} is the database itself; choose another path for the backup")
        src = _open_read_only(source)
        try:
            make_private_folders(target.parent)
            partial = target.with_name(f".{target.name}.{os.getpid()}.partial")
            os.close(open_private(partial, os.O_WRONLY | os.O_TRUNC))
            try:
                os.chmod(partial, PRIVATE_FILE)  # a leftover from an earlier attempt may be wider
                dest = sqlite3.connect(partial)
                try:
                    src.backup(dest)
                finally:
                    dest.close()
                os.replace(partial, target)
            except BaseException:
                partial.unlink(missing_ok=True)
                raise
        finally:
            src.close()

    await asyncio.to_thread(_copy)


def _open_read_only(path: Path) -> sqlite3.Connection:
    """A read-only connection to a Samenspel database; NotSamenspelDatabase for anything else."""
    if not path.is_file():
        raise NotSamenspelDatabase(path, "no such file")
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        conn.execute("PRAGMA busy_timeout=10000")
        found = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"
        ).fetchone()
    except sqlite3.DatabaseError as exc:
        conn.close()
        raise NotSamenspelDatabase(path, str(exc)) from exc
    if found is None:
        conn.close()
        raise NotSamenspelDatabase(path, "no schema_migrations table")
    return conn


def available_migrations() -> list[tuple[int, str, str]]:
    folder = resources.files("storage") / "migrations"
    found: list[tuple[int, str, str]] = []
    for entry in folder.iterdir():
        match = MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match.group(1)), entry.name, entry.read_text(encoding="utf-8")))
    found.sort()
    versions = [v for v, _, _ in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError("two migrations share a number")
    return found


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
