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
