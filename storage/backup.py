"""`samenspel backup`: a SQLite database copied with SQLite's online backup API, safely next to the running bot.
(PostgreSQL is backed up with pg_dump.)"""

from __future__ import annotations

import asyncio
import os
import sqlite3
from pathlib import Path

from storage.core import DatabaseRefused, NotSamenspelDatabase
from storage.files import PRIVATE_FILE, make_private_folders, open_private


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
