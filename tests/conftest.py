"""Shared by every layer: a migrated database file, and the order the tests run in."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.db import Database


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "samenspel.db")
    await database.open()
    await database.migrate()
    try:
        yield database
    finally:
        await database.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The system tests first: they are the long ones (processes, chaos, faults at volume), and started
    first they overlap with everything else on the other worker instead of running alone at the end."""
    items.sort(key=lambda item: not item.nodeid.startswith("tests/system/"))
