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


# The longest tests (20 to 90 s each on a loaded 2-core machine, `--durations`), longest first. Handed out
# before anything else, they run beside the many short ones; one of them handed out late ran alone at the end.
LONGEST_FIRST = (
    "tests/system/test_chaos.py::",
    "tests/system/test_fault_scenario.py::",
    "tests/flows/test_authorisation_matrix.py::test_every_coordinator_button_for_every_actor",
    "tests/system/test_database_guards.py::test_a_second_bot_on_the_same_database_is_refused",
    "tests/flows/test_fuzz_handlers.py::",
    "tests/system/test_replica_chaos.py::",
    "tests/flows/test_authorisation_matrix.py::",
)


def _hand_out_order(item: pytest.Item) -> tuple[int, bool]:
    known = next((i for i, prefix in enumerate(LONGEST_FIRST) if item.nodeid.startswith(prefix)), len(LONGEST_FIRST))
    return known, not item.nodeid.startswith("tests/system/")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The known longest tests first, then the other system tests: they are the long ones (processes, chaos,
    faults at volume), and started first they overlap with everything else on the other workers instead of
    running alone at the end."""
    items.sort(key=_hand_out_order)
