"""The database's files (`storage/db.py`, `storage/files.py`): every connection zeroes what it deletes and caps
the WAL; database, WAL, shared memory and backups are private whatever the umask."""

from __future__ import annotations

from pathlib import Path

from storage.db import Database, backup_file
from tests.support.files import mode, umask


async def test_every_connection_zeroes_what_it_deletes_and_caps_the_wal(tmp_path: Path) -> None:
    async with Database(tmp_path / "samenspel.db") as db, db.transaction() as tx:
        secure_delete = await tx.scalar("PRAGMA secure_delete")
        limit = await tx.scalar("PRAGMA journal_size_limit")
    # SQLite's default limit is -1 (none), and secure_delete is off unless SQLite was built with it.
    assert secure_delete == 1 and 0 < limit <= 4 * 1024 * 1024


async def test_database_and_backup_files_are_private_under_umask_022(tmp_path: Path) -> None:
    db_path = tmp_path / "new" / "data" / "samenspel.db"
    with umask(0o022):
        async with Database(db_path) as db:
            await db.migrate()
            wal, shm = (db_path.with_name(db_path.name + suffix) for suffix in ("-wal", "-shm"))
            assert [mode(p) for p in (db_path, wal, shm)] == [0o600, 0o600, 0o600]
            assert mode(db_path.parent) == 0o700 and mode(db_path.parent.parent) == 0o700
        target = tmp_path / "backups" / "nightly" / "copy.db"
        await backup_file(db_path, target)
        assert mode(target) == 0o600 and mode(target.parent) == 0o700
        target.chmod(0o644)  # last night's copy, made by hand: overwritten, it becomes private
        await backup_file(db_path, target)
        assert mode(target) == 0o600
    assert [p.name for p in target.parent.iterdir()] == ["copy.db"]  # no partial copy left behind
