"""The database's files on disk: who may read them, and one bot process per database.

No SQL here. SQLite keeps `-wal` and `-shm` files beside the database and gives them the database file's
own permissions, so creating the database file 0600 before SQLite opens it makes all three private
without touching the process-wide umask (which other threads could be relying on at that moment).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
from pathlib import Path
from types import TracebackType

PRIVATE_FILE = 0o600
PRIVATE_FOLDER = 0o700
# What SQLite writes beside the database in WAL mode; they hold the same data as the file itself.
SIDE_SUFFIXES = ("-wal", "-shm")


def side_files(database: Path) -> list[Path]:
    """The database and the files SQLite keeps beside it."""
    return [database, *(database.with_name(database.name + suffix) for suffix in SIDE_SUFFIXES)]


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def make_private_folders(folder: Path) -> None:
    """Create `folder` and any missing parents, each 0700. Existing folders are left as they are."""
    missing: list[Path] = []
    current = folder
    while not current.exists():
        missing.append(current)
        if current.parent == current:
            break
        current = current.parent
    for path in reversed(missing):
        # mkdir's mode passes through the umask, which can only take bits away from 0700.
        with contextlib.suppress(FileExistsError):
            path.mkdir(mode=PRIVATE_FOLDER)


def open_private(path: Path, flags: int) -> int:
    """os.open a file that, if this call creates it, is born at most 0600 (the umask only takes bits away):
    there is no moment it is readable by others."""
    return os.open(path, flags | os.O_CREAT | os.O_CLOEXEC, PRIVATE_FILE)


def create_private_file(path: Path) -> bool:
    """Create an empty file only this user can read, unless it exists; True when it was created."""
    try:
        descriptor = open_private(path, os.O_WRONLY | os.O_EXCL)
    except FileExistsError:
        return False
    try:
        os.fchmod(descriptor, PRIVATE_FILE)  # exactly 0600 under any umask, so SQLite can write it
    finally:
        os.close(descriptor)
    return True


def open_to_others(database: Path) -> list[tuple[Path, int]]:
    """The database's files that other users (group or world) may read or write, with their modes."""
    found: list[tuple[Path, int]] = []
    for path in side_files(database):
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            continue
        if mode & 0o077:
            found.append((path, mode))
    return found


def open_to_others_warning(database: Path) -> str | None:
    """One line for the person starting the bot, or None when the files are private."""
    exposed = open_to_others(database)
    if not exposed:
        return None
    listed = ", ".join(f"{path} ({mode:04o})" for path, mode in exposed)
    paths = " ".join(str(path) for path in side_files(database) if path.exists())
    return f"warning: other users on this machine can read the database: {listed}. Fix it with: chmod 600 {paths}"


class DatabaseInUse(Exception):
    """Another process holds the database's lock; `pid` is what it wrote into the lock file (None if unreadable)."""

    def __init__(self, database: Path, pid: int | None) -> None:
        holder = f"pid {pid}" if pid is not None else "pid unknown"
        super().__init__(f"{database} is in use by another Samenspel process ({holder}, see {lock_path(database)})")
        self.database = database
        self.pid = pid


class InstanceLock:
    """An exclusive `flock` on `<database>.lock`, held until release() or the process ends.

    The kernel drops the lock when the process dies, even by SIGKILL, so a crash never leaves it stale.
    The holder writes its pid into the file so that a refused process can say who holds it.
    """

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = lock_path(database)
        self._descriptor: int | None = None

    @property
    def held(self) -> bool:
        return self._descriptor is not None

    def acquire(self) -> None:
        """Take the lock at once or raise DatabaseInUse; never waits."""
        if self._descriptor is not None:
            return
        make_private_folders(self.path.parent)
        descriptor = open_private(self.path, os.O_RDWR)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(descriptor)
            os.close(descriptor)
            raise DatabaseInUse(self.database, pid) from None
        except BaseException:
            os.close(descriptor)
            raise
        os.ftruncate(descriptor, 0)
        os.pwrite(descriptor, f"{os.getpid()}\n".encode(), 0)
        self._descriptor = descriptor

    def release(self) -> None:
        descriptor, self._descriptor = self._descriptor, None
        if descriptor is None:
            return
        try:
            os.ftruncate(descriptor, 0)  # no stale pid for whoever looks next
            fcntl.flock(descriptor, fcntl.LOCK_UN)
        finally:
            os.close(descriptor)

    def __enter__(self) -> InstanceLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.release()


def held_elsewhere(database: Path) -> bool:
    """Whether another process holds the database's lock right now (a running bot)."""
    probe = InstanceLock(database)
    try:
        probe.acquire()
    except DatabaseInUse:
        return True
    probe.release()
    return False


def _read_pid(descriptor: int) -> int | None:
    try:
        text = os.pread(descriptor, 32, 0).decode("ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None
    return int(text) if text.isdigit() else None
