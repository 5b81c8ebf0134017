"""An empty, migrated SQLite database made once per test process and copied for each test that wants one:
migrating a new file costs some 35 ms of CPU and over a thousand tests start from one, a copy costs well
under a millisecond. Tests of migrating itself open their own new files."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from storage.db import Database
from storage.files import create_private_file

_template: Path | None = None


async def _made() -> Path:
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="samenspel-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        template = folder / "samenspel.db"
        async with Database(template) as database:
            await database.migrate()
        # Closed, SQLite has moved the WAL into the file: the one file is the whole database.
        assert not template.with_name(template.name + "-wal").exists()
        _template = template
    return _template


async def migrated_sqlite(path: Path) -> None:
    """A migrated, empty database at `path`, private (0600) as the bot makes its own; left alone if one is
    there already (a test that restarts the bot on its file)."""
    _copy(await _made(), path)


def _copy(template: Path, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if create_private_file(path):  # born 0600; copying into it keeps its mode
        shutil.copyfile(template, path)
