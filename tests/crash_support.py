"""Shared by the crash tests: seed a database, run `samenspel run` as a process, kill and restart it."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from bot.clock import SystemClock
from bot.config import load_settings
from bot.domain.models import Role
from bot.i18n import Markup, t
from bot.sandbox.markup import parse
from bot.services.people import PeopleService
from storage.db import Database
from tests.harness import ROOT
from tests.support.fake_bot_api import FakeBotApi, FakeUser, SentMessage


async def seed(db_path: Path, users: dict[str, tuple[FakeUser, Role]], clients: dict[str, str]) -> dict[str, int]:
    """Register people straight through the services; clients maps volunteer name -> alias.
    Every volunteer gets the first professional as responsible and the second as backup."""
    settings = load_settings(None, storage={"path": db_path})
    ids: dict[str, int] = {}
    async with Database(db_path) as db:
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
        )
        self.process: asyncio.subprocess.Process | None = None
        self.kills = 0
        self.starts = 0
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

    async def wait_ready(self, limit: float = 30.0) -> None:
        """Until the current process polls Telegram (so it has installed its signal handlers)."""
        before = len(self.api.calls_to("getUpdates"))
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while len(self.api.calls_to("getUpdates")) <= before:
            if loop.time() > deadline:
                raise AssertionError("samenspel run did not start polling")
            await asyncio.sleep(0.05)

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


# ------------------------------------------------------------------------ outbox against what arrived


@dataclass
class DeliveryAudit:
    """The outbox compared with what each chat received: what arrived, what twice, what never."""

    messages: int = 0  # outbox messages (not edits) that should have arrived
    delivered: int = 0  # ... and did, with the recorded Telegram message id
    edits: int = 0  # latest edits that should show
    by_purpose: Counter[str] = field(default_factory=Counter)
    copies_marked: int = 0  # copies that arrived with the repeat mark
    arrived_twice: int = 0  # copies beyond the messages that say the same (each must be marked)
    lost: list[str] = field(default_factory=list)  # never arrived, failed, or still queued
    unmarked_duplicates: list[str] = field(default_factory=list)
    stale_edits: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return [*self.lost, *self.unmarked_duplicates, *self.stale_edits]


def rows(db_path: Path, sql: str, *params: object) -> list[sqlite3.Row]:
    """Read the database the way an outside observer would: its own connection, nothing cached."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def _plain(text: str) -> str:
    return parse(text, "HTML").text


def _first_version(message: SentMessage) -> str:
    return message.history[0] if message.history else message.text


def audit_delivery(db_path: Path, api: FakeBotApi) -> DeliveryAudit:
    """Every outbox message arrived (the copy whose id the database recorded says what the row says,
    marked as a possible repeat when the row says so), any extra copy of it carries the repeat mark,
    nothing is failed or still queued, and each message shows its latest edit."""
    conn = sqlite3.connect(db_path)
    conn.row_factory = sqlite3.Row
    try:
        rows = conn.execute("SELECT * FROM outbox ORDER BY id").fetchall()
    finally:
        conn.close()
    report = DeliveryAudit()
    chats: dict[int, list[SentMessage]] = {}
    # (chat, text without mark) -> how many outbox messages say it; each may arrive unmarked once.
    expected_unmarked: Counter[tuple[int, str]] = Counter()
    originals = {row["id"]: row for row in rows if row["edit_of"] is None}
    marked_as: dict[tuple[int, str], str] = {}
    for row in rows:
        if row["status"] == "pending" or (row["status"] == "failed" and row["edit_of"] is None):
            report.lost.append(f"outbox {row['id']} ({row['purpose']}) is {row['status']}: {row['last_error']}")
        if row["status"] == "dropped" and row["last_error"] != "superseded":
            report.lost.append(f"outbox {row['id']} dropped: {row['last_error']}")
        if row["edit_of"] is not None or row["status"] != "sent":
            continue
        chat = row["chat_id"]
        messages = chats.setdefault(chat, api.messages(chat))
        plain = _plain(row["text"])
        marked = _plain(t(row["language"], "delivery.repeat", text=Markup(row["text"])))
        report.messages += 1
        report.by_purpose[row["purpose"]] += 1
        expected_unmarked[(chat, plain)] += 1
        recorded = next((m for m in messages if m.message_id == row["telegram_message_id"]), None)
        want = marked if row["maybe_delivered"] else plain
        if recorded is None or _first_version(recorded) not in (plain, marked):
            report.lost.append(f"outbox {row['id']} ({row['purpose']}) to chat {chat} did not arrive: {plain[:80]!r}")
            continue
        if _first_version(recorded) != want:
            report.unmarked_duplicates.append(
                f"outbox {row['id']} to chat {chat} was sent again without its repeat mark: {plain[:80]!r}"
                if row["maybe_delivered"]
                else f"outbox {row['id']} to chat {chat} carries a repeat mark it should not: {plain[:80]!r}"
            )
        report.delivered += 1
        marked_as[(chat, plain)] = marked
    for (chat, plain), allowed in expected_unmarked.items():
        # Several messages may say the same; copies beyond their number arrived twice.
        unmarked = sum(_first_version(m) == plain for m in chats[chat])
        marked_copies = sum(_first_version(m) == marked_as.get((chat, plain)) for m in chats[chat])
        report.copies_marked += marked_copies
        report.arrived_twice += max(0, unmarked + marked_copies - allowed)
        if unmarked > allowed:
            report.unmarked_duplicates.append(f"chat {chat} got {unmarked} unmarked copies of {plain[:80]!r}")
    latest: dict[int, sqlite3.Row] = {}
    for row in rows:
        if row["edit_of"] is not None and row["status"] == "sent":
            latest[row["edit_of"]] = row  # ordered by id: the newest wins
    for target_id, edit in latest.items():
        target = originals[target_id]
        report.edits += 1
        text = edit["text"]
        if target["maybe_delivered"]:
            text = t(edit["language"], "delivery.repeat", text=Markup(text))
        shown = next(
            (
                m
                for m in chats.get(target["chat_id"], api.messages(target["chat_id"]))
                if m.message_id == target["telegram_message_id"]
            ),
            None,
        )
        if shown is None or shown.text != _plain(text):
            report.stale_edits.append(
                f"outbox {target_id} in chat {target['chat_id']} does not show edit {edit['id']}: "
                f"{(shown.text if shown else None)!r:.80}"
            )
    return report
