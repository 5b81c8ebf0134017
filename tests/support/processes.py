"""`samenspel` as a separate process against the fake Bot API: one command (`samenspel_cli`, `cli`), a bot
that runs until stopped (`samenspel_run`), or one killed and restarted at will (`BotProcess`, on a database
`seed` prepared)."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.clock import SystemClock
from bot.config import load_settings
from bot.domain.models import Role
from bot.sandbox.botapi import FakeBotApi
from bot.sandbox.state import FakeUser
from bot.services.people import PeopleService
from storage.db import Database
from tests.support.paths import ROOT


async def seed(
    db_path: Path, users: dict[str, tuple[FakeUser, Role]], clients: dict[str, str], *, storage_url: str | None = None
) -> dict[str, int]:
    """Register people straight through the services; clients maps volunteer name -> alias.
    Every volunteer gets the first professional as responsible and the second as backup.
    storage_url: on PostgreSQL (db_path is then not used)."""
    settings = load_settings(None, storage={"path": db_path})
    ids: dict[str, int] = {}
    async with Database(db_path, url=storage_url) as db:
        await db.migrate()
        service = PeopleService(db, SystemClock(), settings, lambda: None)
        for name, (user, role) in users.items():
            issued = await service.create_invite(by=None, role=role, name=name, team_id=None)
            outcome = await service.redeem(telegram_id=user.id, language_code="nl", code=issued.code)
            assert outcome.person is not None
            ids[name] = outcome.person.id
        coordinator_name = next(n for n, (_, r) in users.items() if r is Role.COORDINATOR)
        coordinator = await service.get(ids[coordinator_name])
        professionals = [ids[n] for n, (_, r) in users.items() if r is Role.PROFESSIONAL]
        assert coordinator is not None
        for volunteer, alias in clients.items():
            await service.assign(
                coordinator,
                volunteer_id=ids[volunteer],
                professional_id=professionals[0],
                backup_id=professionals[1],
            )
            await service.link_client(coordinator, volunteer_id=ids[volunteer], alias=alias, professional_id=None)
    return ids


class BotProcess:
    """`samenspel run` against the fake API; SIGKILL and restart on demand."""

    def __init__(self, api: FakeBotApi, tmp_path: Path) -> None:
        self.api = api
        self.tmp_path = tmp_path
        self.config = tmp_path / "config.toml"
        self.config.write_text(
            "[telegram]\n"
            f'token = "{api.token}"\n'
            f'base_url = "{api.base_url}"\n'
            "poll_timeout_seconds = 1\n"
            "request_timeout_seconds = 3\n"
            "max_messages_per_second = 1000\n"
            "[storage]\n"
            f'path = "{tmp_path / "samenspel.db"}"\n'
            "[app]\n"
            'organisation = "Buurtteam Overvecht"\n'
            "tick_seconds = 0.5\n"
            'log_level = "WARNING"\n'
            "updates_burst = 0\n"
            # The digest and the thank-you come by the calendar: not in these tests' chats.
            "[reports]\n"
            "digest = false\n"
            "monthly_summary = false\n"
        )
        self.process: asyncio.subprocess.Process | None = None
        self.kills = 0
        self.starts = 0
        self._started_at = 0.0
        self._polls_at_start = 0
        self._log = (tmp_path / "bot.log").open("ab")

    async def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAMENSPEL_")}
        env["PYTHONPATH"] = str(ROOT)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            "--config",
            str(self.config),
            env=env,
            stdout=self._log,
            stderr=self._log,
        )
        self.starts += 1
        self._started_at = asyncio.get_running_loop().time()
        self._polls_at_start = self._polls()

    def _polls(self) -> int:
        return sum(1 for name, _ in self.api.calls if name == "getUpdates")

    @property
    def ready(self) -> bool:
        """The current process has polled Telegram (so it has installed its signal handlers)."""
        return self._polls() > self._polls_at_start

    async def wait_ready(self, limit: float = 30.0) -> float:
        """Until the current process polls Telegram; how long it took since it was started, in seconds."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while not self.ready:
            if loop.time() > deadline:
                raise AssertionError("samenspel run did not start polling")
            await asyncio.sleep(0.02)
        return loop.time() - self._started_at

    async def kill(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGKILL)
            await self.process.wait()
            self.kills += 1

    async def stop(self) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                return await asyncio.wait_for(self.process.wait(), timeout=20)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()
                return -9
        return self.process.returncode

    def close(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.kill()
        self._log.close()


def samenspel_cli(*args: str, env: dict[str, str] | None = None, cwd: Path) -> subprocess.CompletedProcess[str]:
    """`samenspel ARGS` as a process (blocking), with no SAMENSPEL_ setting of this process leaking in."""
    base = {k: v for k, v in os.environ.items() if not k.startswith("SAMENSPEL_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env={**base, "PYTHONPATH": str(ROOT), **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
    )


async def cli(api: FakeBotApi, db_path: Path, *args: str, storage_url: str | None = None, status: int = 0) -> str:
    """Run `samenspel` as a subprocess against the fake API without blocking the event loop; its output
    (stdout, and stderr too when it is expected to fail with `status`). storage_url: on PostgreSQL."""
    env = {
        "SAMENSPEL_TELEGRAM__TOKEN": api.token,
        "SAMENSPEL_TELEGRAM__BASE_URL": api.base_url,
        "SAMENSPEL_STORAGE__PATH": str(db_path),
        "PYTHONPATH": str(ROOT),
        "PATH": "/usr/bin:/bin",
    }
    if storage_url is not None:
        env["SAMENSPEL_STORAGE__URL"] = storage_url
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=env,
        cwd=db_path.parent,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), timeout=60)
    assert process.returncode == status, err.decode()
    return out.decode() if status == 0 else out.decode() + err.decode()


def invite_code(cli_output: str) -> str:
    return next(line for line in cli_output.splitlines() if line.startswith("Code: ")).removeprefix("Code: ")


@asynccontextmanager
async def samenspel_run(
    api: FakeBotApi, tmp_path: Path, *, storage_url: str | None = None
) -> AsyncIterator[asyncio.subprocess.Process]:
    """`samenspel run` against `api` on tmp_path/samenspel.db (or PostgreSQL at storage_url), its output in
    tmp_path/run.log; stopped with SIGTERM at the end (killed if it does not stop within 20 s)."""
    config = tmp_path / "config.toml"
    config.write_text(
        "[telegram]\n"
        f'token = "{api.token}"\n'
        f'base_url = "{api.base_url}"\n'
        "poll_timeout_seconds = 1\n"
        "[storage]\n"
        f'path = "{tmp_path / "samenspel.db"}"\n' + (f'url = "{storage_url}"\n' if storage_url else "") + "[app]\n"
        'organisation = "Buurtteam Overvecht"\n'
        "tick_seconds = 1\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMENSPEL_")}
    env["PYTHONPATH"] = str(ROOT)
    log = (tmp_path / "run.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(config), env=env, stdout=log, stderr=log
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), timeout=20)
            except TimeoutError:
                process.kill()
                await process.wait()
        log.close()
