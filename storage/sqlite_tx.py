"""SQLite's `Tx`: each statement one trip to aiosqlite's thread, and the `WriteWatch`es it moves on."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Awaitable, Callable, Iterable, Sequence
from typing import Any, cast

import aiosqlite

from storage.core import Params, Row, Tx
from storage.dialect import SQLITE

# A statement that may change rows: what a WriteWatch looks at (a SELECT never moves one on).
_WRITE_VERB = re.compile(r"\b(?:INSERT|UPDATE|DELETE|REPLACE)\b", re.IGNORECASE)


class WriteWatch:
    """Counts the transactions that wrote one of `tables`, for a copy of their rows kept in memory: when
    `version` has moved on since the copy was read, the copy may be stale.

    A statement counts when it writes and names one of the tables anywhere (a write elsewhere that only reads
    them in a subquery counts too: one needless refresh, never a missed one). Rows changed behind the SQL's back
    (a trigger, a foreign key's ON DELETE action) are not seen: the watched tables must have none. Only this
    process's own writes are seen, so only SQLite (one process per file) offers watches.
    """

    def __init__(self, tables: Iterable[str]) -> None:
        names = "|".join(re.escape(table) for table in tables)
        self._names = re.compile(rf"\b(?:{names})\b", re.IGNORECASE)
        self.version = 0

    def sees(self, sql: str) -> bool:
        return self._names.search(sql) is not None and _WRITE_VERB.search(sql) is not None


class SqliteTx(Tx):
    dialect = SQLITE

    def __init__(self, conn: aiosqlite.Connection, watches: Sequence[WriteWatch] = ()) -> None:
        self._conn = conn
        self._watches = watches
        self.touched: set[WriteWatch] = set()  # moved on when the transaction ends, committed or not

    def _note(self, sql: str) -> None:
        for watch in self._watches:
            if watch not in self.touched and watch.sees(sql):
                self.touched.add(watch)

    def ended(self) -> None:
        for watch in self.touched:
            watch.version += 1

    # Each statement is one round trip to SQLite's thread (execute, read the result, close the cursor together):
    # the bot's time goes to those hand-overs more than to SQLite itself. aiosqlite's own execute() is a trip for
    # the statement and another for closing its cursor, so writes go through its queue (`_execute`) directly.
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; returns lastrowid for inserts (0 otherwise)."""
        self._note(sql)
        return await self._on_thread(_lastrowid, sql, params)

    async def changes(self, sql: str, params: Params = ()) -> int:
        """Run a statement; returns the number of rows it changed."""
        self._note(sql)
        return await self._on_thread(_rowcount, sql, params)

    async def _on_thread(self, work: Callable[[sqlite3.Connection, str, Params], int], sql: str, params: Params) -> int:
        run = cast(Callable[..., Awaitable[int]], self._conn._execute)  # aiosqlite's queue to its thread (untyped)
        return await run(work, self._conn._conn, sql, params)

    async def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> None:
        self._note(sql)
        await self._conn.executemany(sql, params)

    async def one(self, sql: str, params: Params = ()) -> Row | None:
        """The first row of a query that finds one (or a few: all are fetched in the same trip)."""
        self._note(sql)  # an INSERT … RETURNING reads its row back
        return next(iter(await self._conn.execute_fetchall(sql, params)), None)

    async def all(self, sql: str, params: Params = ()) -> list[Row]:
        self._note(sql)
        return list(await self._conn.execute_fetchall(sql, params))


# These two run on aiosqlite's thread, with its sqlite3 connection.
def _lastrowid(conn: sqlite3.Connection, sql: str, params: Params) -> int:
    cursor = conn.execute(sql, params)
    try:
        return cursor.lastrowid or 0
    finally:
        cursor.close()


def _rowcount(conn: sqlite3.Connection, sql: str, params: Params) -> int:
    cursor = conn.execute(sql, params)
    try:
        return cursor.rowcount
    finally:
        cursor.close()
