"""What both backends share: the `Tx` API the storage modules use, rows, instants as text, the errors that
refuse a database, and the list of migrations. storage/db.py (SQLite and the `Database` facade) and
storage/postgres.py build on it; the storage modules import it through storage/db.py."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any, Protocol

from storage.dialect import Backend, Dialect

MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
RESTORE_HELP = 'see "Backups and restore" in README.md'
# Positional (`?`) or named (`:name`) parameters of one statement.
Params = Sequence[Any] | dict[str, Any]


class Row(Protocol):
    """A result row, readable by position and by column name (sqlite3.Row and storage.postgres.PgRow)."""

    def __getitem__(self, key: int | str, /) -> Any: ...
    def __len__(self) -> int: ...
    def __iter__(self) -> Iterator[Any]: ...
    def keys(self) -> list[str]: ...


class TransactionConflict(Exception):
    """PostgreSQL gave up this transaction because a concurrent one changed what it read (serialization
    failure, 40001) or they deadlocked (40P01). Nothing of it was kept; the whole unit may run again.

    `Database.unit` does that; elsewhere it reaches the supervised loops and the handlers' error path as any
    failure does, and the person or the next tick tries again.
    """


def to_db(moment: datetime) -> str:
    """Store instants as UTC ISO-8601 with a fixed width, so that text order is time order."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime given to storage")
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def from_db(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def opt_from_db(text: str | None) -> datetime | None:
    return None if text is None else from_db(text)


class Reader(ABC):
    """Statements that only read: as part of a transaction (`Tx`), or outside one (`Database.read`, for a
    lookup on every update at less than a transaction's round trips)."""

    dialect: Dialect

    @abstractmethod
    async def one(self, sql: str, params: Params = ()) -> Row | None: ...

    @abstractmethod
    async def all(self, sql: str, params: Params = ()) -> list[Row]: ...

    async def scalar(self, sql: str, params: Params = ()) -> Any:
        row = await self.one(sql, params)
        return None if row is None else row[0]


class Tx(Reader):
    """One open transaction. Repository functions take it as their first argument."""

    @abstractmethod
    async def execute(self, sql: str, params: Params = ()) -> int:
        """Run a statement; returns the new row's id for inserts into a table with one (0 otherwise)."""

    @abstractmethod
    async def changes(self, sql: str, params: Params = ()) -> int:
        """Run a statement; returns the number of rows it changed."""

    @abstractmethod
    async def executemany(self, sql: str, params: Iterable[Sequence[Any]]) -> None: ...

    async def claim(self, sql: str, params: Params = (), *, of: str | None = None) -> list[Row]:
        """The rows of a claim (due timers, outbox rows): on PostgreSQL locked for this transaction, and rows
        another replica is claiming right now skipped rather than waited for. `of`: the alias to lock when
        the SELECT joins other tables."""
        return await self.all(sql + self.dialect.skip_locked(of), params)


class DatabaseRefused(Exception):
    """The file at `path` cannot be used as this version's database; the message says why and what to do."""

    def __init__(self, path: Path | str, message: str) -> None:
        super().__init__(message)
        # The SQLite file, or PostgreSQL's URL without its password.
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


def available_migrations(backend: Backend = Backend.SQLITE) -> list[tuple[int, str, str]]:
    """(number, file name, SQL) of every migration of this code for `backend`, in order."""
    folder = resources.files("storage") / "migrations"
    if backend is Backend.POSTGRESQL:
        folder = folder / "postgresql"
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
