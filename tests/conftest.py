"""Shared by every layer: a migrated database on each backend, and the order the tests run in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from storage.db import Database
from tests.support.postgres import fresh_schema
from tests.support.template_db import migrated_sqlite

BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    """Which backend the test runs on; every test using `db` (or `storage_url`) runs on both."""
    return str(request.param)


@pytest.fixture
def storage_url(backend: str) -> Iterator[str | None]:
    """None for SQLite (a file under tmp_path), or the URL of an empty PostgreSQL schema of this test's own
    (migrated by whoever opens it: the `db` fixture, the bot's start)."""
    if backend == "sqlite":
        yield None
        return
    with fresh_schema() as url:
        yield url


@pytest.fixture
async def db(tmp_path: Path, storage_url: str | None) -> AsyncIterator[Database]:
    if storage_url is None:
        await migrated_sqlite(tmp_path / "samenspel.db")
    database = Database(tmp_path / "samenspel.db", url=storage_url)
    await database.open()
    await database.migrate()
    try:
        yield database
    finally:
        await database.close()


@pytest.fixture
async def sqlite_db(tmp_path: Path) -> AsyncIterator[Database]:
    """For what only SQLite has: its file, its connection, its backup."""
    await migrated_sqlite(tmp_path / "samenspel.db")
    async with Database(tmp_path / "samenspel.db") as database:
        await database.migrate()
        yield database


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The system tests first: they are the long ones (processes, chaos, faults at volume), and started
    first they overlap with everything else on the other worker instead of running alone at the end."""
    items.sort(key=lambda item: not item.nodeid.startswith("tests/system/"))
