"""Connection, PRAGMAs, transactions and the migration runner."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

log = logging.getLogger(__name__)

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")

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


class Tx:
    """One open transaction. Repository functions take it as their first argument."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn

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

    async def one(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Row | None:
        async with self._conn.execute(sql, params) as cursor:
            row = await cursor.fetchone()
            return row

    async def all(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> list[Row]:
        async with self._conn.execute(sql, params) as cursor:
            return list(await cursor.fetchall())

    async def scalar(self, sql: str, params: Sequence[Any] | dict[str, Any] = ()) -> Any:
        row = await self.one(sql, params)
        return None if row is None else row[0]


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
        if self.path.parent and not self.path.parent.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = await aiosqlite.connect(self.path, isolation_level=None)
        conn.row_factory = aiosqlite.Row
        await conn.execute("PRAGMA journal_mode=WAL")
        await conn.execute("PRAGMA foreign_keys=ON")
        await conn.execute("PRAGMA busy_timeout=10000")
        await conn.execute("PRAGMA synchronous=NORMAL")
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
                    await conn.execute("ROLLBACK")
                    raise
                else:
                    await conn.execute("COMMIT")
            finally:
                self._owner = None

    async def migrate(self) -> list[str]:
        """Apply every migration not yet applied, each in its own transaction. Returns their names."""
        conn = self.conn
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)"
        )
        applied: list[str] = []
        async with self._lock:
            async with conn.execute("SELECT version FROM schema_migrations") as cursor:
                done = {int(row[0]) for row in await cursor.fetchall()}
            for version, name, sql in available_migrations():
                if version in done:
                    continue
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

    async def schema_version(self) -> int:
        async with self.conn.execute("SELECT COALESCE(MAX(version), 0) FROM schema_migrations") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    async def backup_to(self, target: Path) -> None:
        """Copy the live database with SQLite's online backup API (safe while the bot writes)."""
        await backup_file(self.path, target)


async def backup_file(source: Path, target: Path) -> None:
    def _copy() -> None:
        target.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(source)
        try:
            src.execute("PRAGMA busy_timeout=10000")
            dest = sqlite3.connect(target)
            try:
                src.backup(dest)
            finally:
                dest.close()
        finally:
            src.close()

    await asyncio.to_thread(_copy)


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
