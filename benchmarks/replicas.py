"""Replica chaos (issue 16): three `samenspel run --webhook` processes on one PostgreSQL, fed by the fake
Telegram's webhook sender (spread over them as a load balancer would), while volunteers report signals
(some urgent, which climb while nobody picks them up), ask for backup, check in and run visits, and
professionals pick alerts up with the alert's button. Meanwhile a random replica is killed with SIGKILL every
~20 s (and started again a moment later), the replica holding the sender lease is stopped once with SIGSTOP
for longer than its lease (then SIGCONT), and random bot connections are ended with pg_terminate_backend.

Everything it prints is computed afterwards from what the fake Telegram recorded and from the database:

- confirmed actions lost: a signal or backup request confirmed as sent that is not stored or reached no
  professional, a pick-up confirmed but not recorded, a check-in thanked for but not stored, a visit start or
  end confirmed but not stored, an outbox message that never arrived;
- unmarked duplicates: a message that arrived in a chat more than once without the repeat mark;
- escalation steps applied twice: the same step (notified or skipped, per person and level) twice in the
  audit trail;
- order violations: a chat's messages arriving out of their outbox order, a person's updates handled out of
  the order Telegram numbered them;
- timer lateness of the escalation climbs (when each level was told against when it was due), the sender
  failover time (the sender killed or stopped until the first message sent by its successor), and counts.

The exit status is 1 when a correctness figure is not 0. Without SAMENSPEL_TEST_POSTGRESQL it starts a
throw-away cluster of its own (a unix socket in a temporary folder, no TCP port) and removes it afterwards;
with it, it works in a schema of its own on that server. Every process it started is stopped, whatever happens.

    python -m benchmarks.replicas                    # about 3 minutes
    python -m benchmarks.replicas --quick            # the system test's size, about 12 s
    python -m benchmarks.replicas --seconds 30 --seed 7
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import aiohttp
import psycopg
from psycopg.rows import dict_row

from benchmarks.common import with_options
from bot.domain.models import Role
from bot.sandbox.state import FakeUser
from bot.sandbox.webhook_sender import WebhookSender
from storage.db import from_db
from tests.support.delivery_audit import audit_outbox
from tests.support.faulty_bot_api import FaultyBotApi
from tests.support.paths import ROOT
from tests.support.postgres import URL_VARIABLE, fresh_schema
from tests.support.processes import seed
from tests.support.workload import BODY, Ledger, professional, volunteer

SECRET = "replica-chaos-secret-0123456789"
COORDINATOR = FakeUser(id=4001, first_name="Anna")
PROFESSIONALS = [FakeUser(id=4002, first_name="Piet"), FakeUser(id=4003, first_name="Fatima")]
# An urgent signal nobody picks up climbs after this long (Piet, then Fatima, then Anna).
URGENT_WAIT_SECONDS = 3.0
ACTIONS = ("signal", "signal", "backup", "checkin", "visit")


@dataclass(frozen=True)
class ChaosConfig:
    seconds: float = 150.0  # the workload under chaos; a drain and the checks follow
    volunteers: int = 6
    replicas: int = 3
    kill_every: float = 20.0  # seconds between SIGKILLs of a random replica (±25 %)
    restart_after: float = 1.0  # a killed replica starts again after this long
    terminate_every: float = 7.0  # seconds between pg_terminate_backend of a random bot connection
    stop_at: float = 0.4  # the share of the run at which the sender gets its SIGSTOP
    lease_seconds: float = 3.0  # [delivery] sender_lease_seconds and [webhook] lease_seconds
    step_timeout: float = 8.0  # how long a person waits for each answer before giving a flow up
    seed: int = 20261201

    @classmethod
    def quick(cls) -> ChaosConfig:
        """The system test's size (about 12 s): one kill, one SIGSTOP past a 2 s lease, one terminated connection."""
        return cls(
            seconds=6.0,
            volunteers=3,
            kill_every=4.0,  # one kill, 3 to 5 s in
            restart_after=0.5,
            terminate_every=6.0,  # one terminated connection, 3 s in
            stop_at=0.25,  # the SIGSTOP 1.5 s in, for the lease and 2 s more
            lease_seconds=2.0,
            step_timeout=6.0,
        )


@dataclass
class Chaos:
    """What was done to the replicas, and when (time.monotonic())."""

    kills: int = 0
    stops: int = 0
    terminated: int = 0
    starts: int = 0
    takeovers: int = 0
    senders_gone: int = 0  # times the lease holder was killed or stopped (each gets a failover figure)
    failovers: list[float] = field(default_factory=list)  # seconds: sender gone -> successor's first send
    lease_taken: list[float] = field(default_factory=list)  # seconds: sender gone -> lease taken over


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k not in params] + list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A PostgreSQL URL to work in: a fresh schema on SAMENSPEL_TEST_POSTGRESQL's server, else a throw-away
    cluster of our own (as .ci/run starts one), stopped and removed afterwards."""
    if os.environ.get(URL_VARIABLE):
        with fresh_schema() as url:
            yield url
        return
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if not found:
        raise SystemExit(f"no PostgreSQL server: install Debian's postgresql, or set {URL_VARIABLE}")
    bin_dir = found[-1].parent
    folder = Path(tempfile.mkdtemp(prefix="samenspel-replicas-pg-"))
    as_postgres: list[str] = []
    if os.getuid() == 0:  # the server refuses to run as root
        shutil.chown(folder, "postgres")
        as_postgres = ["runuser", "-u", "postgres", "--"]
    data = folder / "data"
    pg_ctl = [*as_postgres, str(bin_dir / "pg_ctl"), "-D", str(data)]
    try:
        initdb = [*as_postgres, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"]
        subprocess.run([*initdb, "--locale=C.UTF-8", "-E", "UTF8"], check=True, capture_output=True)
        # Nothing in it outlives the run: no fsync; only the socket in its own folder, no TCP port.
        options = f"-k {folder} -c listen_addresses='' -c max_connections=200 -c fsync=off -c synchronous_commit=off"
        log = str(folder / "server.log")
        subprocess.run([*pg_ctl, "-l", log, "-w", "-o", options, "start"], check=True, capture_output=True)
        yield f"postgresql://postgres@/postgres?host={folder}"
    finally:
        subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)


class Replica:
    """One `samenspel run --webhook` in a process group of its own; killed, stopped and started at will."""

    def __init__(self, index: int, api: FaultyBotApi, url: str, folder: Path, cfg: ChaosConfig) -> None:
        self.index = index
        self.port = _free_port()
        self.hook = f"http://127.0.0.1:{self.port}/telegram"
        self.config = folder / f"replica{index}.toml"
        self.log = folder / f"replica{index}.log"
        self.config.write_text(
            "[telegram]\n"
            f'token = "{api.token}"\n'
            f'base_url = "{api.base_url}"\n'
            "request_timeout_seconds = 3\n"
            "max_messages_per_second = 1000\n"
            "[storage]\n"
            f'url = "{url}"\n'
            "[app]\n"
            'organisation = "Buurtteam Overvecht"\n'
            "tick_seconds = 0.5\n"
            'log_level = "WARNING"\n'
            "updates_burst = 0\n"
            # Around the clock, so that what a volunteer sends at night reaches someone now (else it waits for
            # working hours, past the end of the run).
            "[escalation.urgent]\n"
            f"wait_minutes = {URGENT_WAIT_SECONDS / 60}\n"
            "[escalation.concern]\n"
            "working_hours_only = false\n"
            "[escalation.info]\n"
            "working_hours_only = false\n"
            "[reports]\n"
            "digest = false\n"
            "monthly_summary = false\n"
            "[webhook]\n"
            f"port = {self.port}\n"
            f'secret = "{SECRET}"\n'
            f"lease_seconds = {cfg.lease_seconds}\n"
            "[delivery]\n"
            f"sender_lease_seconds = {cfg.lease_seconds}\n"
            "[ops]\n"
            "port = 0\n"
        )
        self.process: subprocess.Popen[bytes] | None = None
        self.stopped = False

    def start(self) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("SAMENSPEL_")}
        env["PYTHONPATH"] = str(ROOT)
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run", "--webhook", "--config", str(self.config)],
                env=env,
                stdout=out,
                stderr=out,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # its own process group: killpg reaches it and nothing of ours
            )

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process is not None and self.process.poll() is None else None

    def signal(self, number: signal.Signals) -> None:
        if self.process is not None and self.process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, number)

    async def kill(self) -> None:
        self.signal(signal.SIGKILL)
        await self.wait(5.0)

    async def wait(self, limit: float) -> int | None:
        if self.process is None:
            return None
        with contextlib.suppress(subprocess.TimeoutExpired):
            await asyncio.to_thread(self.process.wait, limit)
        return self.process.poll()

    async def listening(self) -> bool:
        """Whether its webhook takes connections (so it has its SIGTERM handler: `run` installs it first)."""
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError:
            return False
        writer.close()
        return True

    async def terminate(self, limit: float = 20.0) -> int | None:
        """SIGTERM, as an orchestrator stops it: it drains and exits 0; killed if it takes longer than `limit`.
        A replica still starting (restarted after a kill) is given until it listens: SIGTERM before the handler
        is installed ends it by the signal instead."""
        self.signal(signal.SIGCONT)
        with contextlib.suppress(AssertionError):
            await _until(lambda: self.process is None or self.process.poll() is not None or self.listening(), 30, "")
        self.signal(signal.SIGTERM)
        status = await self.wait(limit)
        if status is None:
            self.signal(signal.SIGKILL)
            status = await self.wait(5.0)
        return status

    def close(self) -> None:
        self.signal(signal.SIGCONT)
        self.signal(signal.SIGKILL)
        if self.process is not None:
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(5)


async def _until(condition: Any, limit: float, what: str, interval: float = 0.05) -> None:
    """Wait for `condition()` (sync or async) with a deadline: these are real processes on a real clock."""
    deadline = time.monotonic() + limit
    while True:
        result = condition()
        if asyncio.iscoroutine(result):
            result = await result
        if result:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {limit:.0f} s")
        await asyncio.sleep(interval)


class Observer:
    """Reads the bot's database from outside, on a connection of its own (never a bot connection)."""

    def __init__(self, url: str) -> None:
        self.url = _with_query(url, application_name="chaos-observer")
        self.conn: psycopg.AsyncConnection[dict[str, Any]] | None = None

    async def __aenter__(self) -> Observer:
        self.conn = await psycopg.AsyncConnection.connect(self.url, autocommit=True, row_factory=dict_row)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self.conn is not None:
            await self.conn.close()

    async def rows(self, sql: str, *params: object) -> list[dict[str, Any]]:
        assert self.conn is not None
        cursor = await self.conn.execute(sql, params)
        return await cursor.fetchall()

    async def lease_holder(self) -> tuple[str, int] | None:
        found = await self.rows("SELECT holder, epoch FROM sender_lease")
        return (str(found[0]["holder"]), int(found[0]["epoch"])) if found else None

    async def terminate_one(self, rng: random.Random, application: str) -> bool:
        """End one random bot connection (pg_terminate_backend); False when none was open."""
        found = await self.rows(
            "SELECT pid FROM pg_stat_activity WHERE application_name LIKE %s AND pid <> pg_backend_pid()",
            application + "%",
        )
        if not found:
            return False
        await self.rows("SELECT pg_terminate_backend(%s)", rng.choice(found)["pid"])
        return True


def _sends(api: FaultyBotApi) -> int:
    return sum(1 for name, _ in list(api.calls) if name == "sendMessage")


async def _watch_failover(api: FaultyBotApi, db: Observer, gone: str, since: float, chaos: Chaos) -> None:
    """From the moment the sender `gone` was killed or stopped: when the lease changed hands, and when its
    successor sent its first message."""
    deadline = since + 60
    while time.monotonic() < deadline:
        holder = await db.lease_holder()
        if holder is not None and holder[0] != gone:
            chaos.lease_taken.append(time.monotonic() - since)
            mark = _sends(api)
            while time.monotonic() < deadline:
                if _sends(api) > mark:
                    chaos.failovers.append(time.monotonic() - since)
                    return
                await asyncio.sleep(0.02)
        await asyncio.sleep(0.02)


def _replica_of(replicas: list[Replica], holder: str) -> Replica | None:
    """The live replica whose process holds the lease (its holder name is host:pid:random)."""
    pid = int(holder.split(":")[1])
    return next((r for r in replicas if r.pid == pid), None)


async def _chaos(
    api: FaultyBotApi,
    db: Observer,
    replicas: list[Replica],
    cfg: ChaosConfig,
    rng: random.Random,
    chaos: Chaos,
    application: str,
    done: asyncio.Event,
) -> None:
    """The kills, the one SIGSTOP of the sender and the terminated connections, on their own timetables."""
    began = time.monotonic()
    watchers: list[asyncio.Task[None]] = []

    def sender_gone(holder: str) -> None:
        chaos.senders_gone += 1
        watchers.append(asyncio.create_task(_watch_failover(api, db, holder, time.monotonic(), chaos)))

    async def kills() -> None:
        at = began
        while True:
            at += cfg.kill_every * rng.uniform(0.75, 1.25)
            if at > began + cfg.seconds:
                return
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            replica = rng.choice([r for r in replicas if not r.stopped])
            holder = await db.lease_holder()
            was_sender = holder is not None and _replica_of(replicas, holder[0]) is replica
            await replica.kill()
            chaos.kills += 1
            if holder is not None and was_sender:
                sender_gone(holder[0])
            await asyncio.sleep(cfg.restart_after)
            replica.start()
            chaos.starts += 1

    async def stop_the_sender() -> None:
        await asyncio.sleep(max(0.0, began + cfg.seconds * cfg.stop_at - time.monotonic()))
        # The lease may still name a replica just killed: wait for a live sender.
        while True:
            holder = await db.lease_holder()
            replica = _replica_of(replicas, holder[0]) if holder else None
            if holder is not None and replica is not None:
                break
            await asyncio.sleep(0.1)
        replica.stopped = True
        replica.signal(signal.SIGSTOP)
        chaos.stops += 1
        sender_gone(holder[0])
        await asyncio.sleep(cfg.lease_seconds + 2)  # past its lease: another replica takes over meanwhile
        replica.signal(signal.SIGCONT)
        replica.stopped = False

    async def terminations() -> None:
        at = began + cfg.terminate_every / 2
        while at < began + cfg.seconds:
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            if await db.terminate_one(rng, application):
                chaos.terminated += 1
            at += cfg.terminate_every * rng.uniform(0.75, 1.25)

    try:
        await asyncio.gather(kills(), stop_the_sender(), terminations())
        await done.wait()
        if watchers:
            await asyncio.wait(watchers, timeout=30)
    finally:
        for task in watchers:
            task.cancel()


@dataclass
class Figures:
    lost: list[str] = field(default_factory=list)
    unmarked_duplicates: list[str] = field(default_factory=list)
    double_steps: list[str] = field(default_factory=list)
    order_violations: list[str] = field(default_factory=list)
    lateness: list[float] = field(default_factory=list)  # seconds, one per escalation climb
    counts: dict[str, Any] = field(default_factory=dict)

    @property
    def correct(self) -> bool:
        return not (self.lost or self.unmarked_duplicates or self.double_steps or self.order_violations)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


async def _confirmed_lost(api: FaultyBotApi, db: Observer, ledger: Ledger, volunteers: list[FakeUser]) -> list[str]:
    problems: list[str] = []
    items = await db.rows("SELECT id, kind, body, acknowledged_at FROM escalations WHERE kind IN ('signal', 'backup')")
    for kind, confirmed in (("signal", ledger.signals), ("backup", ledger.backups)):
        stored = Counter(r["body"] for r in items if r["kind"] == kind)
        problems += [f"confirmed {kind} {b!r} is not in the database" for b in confirmed - set(stored)]
        problems += [f"{kind} {b!r} stored {n} times" for b, n in stored.items() if n > 1]
    # Every stored item reached a professional: a recipient's alert sent, and it is in that chat.
    told = await db.rows(
        "SELECT e.body, p.telegram_id FROM escalations e JOIN escalation_recipients r ON r.escalation_id = e.id"
        " JOIN outbox o ON o.id = r.outbox_id JOIN people p ON p.id = r.person_id WHERE o.status = 'sent'"
    )
    arrived: set[str] = set()
    for person in [*PROFESSIONALS, COORDINATOR]:
        bodies = {row["body"] for row in told if row["telegram_id"] == person.id}
        for message in api.messages(person.id):
            found = BODY.search(message.history[0] if message.history else message.text)
            if found and found.group(1) in bodies:
                arrived.add(found.group(1))
    problems += [f"stored item {r['body']!r} reached no professional" for r in items if r["body"] not in arrived]
    acknowledged = {r["body"] for r in items if r["acknowledged_at"] is not None}
    problems += [f"confirmed pick-up of {b!r} is not recorded" for b in ledger.acks - acknowledged]
    answered = {
        r["id"]
        for r in await db.rows(
            "SELECT id FROM checkins WHERE state = 'answered' AND hours = 3.5 AND energy = 4"
            " AND contact_outside = 'no' AND private_life = 0 AND beyond_role = 0"
        )
    }
    problems += [f"confirmed check-in {c} is not stored as answered" for c in ledger.checkins - answered]
    for v in volunteers:
        visits = await db.rows(
            "SELECT v.state FROM visits v JOIN people p ON p.id = v.volunteer_id WHERE p.telegram_id = %s", v.id
        )
        if len(visits) < ledger.visit_starts[v.id]:
            problems.append(f"{v.first_name}: {ledger.visit_starts[v.id]} visits confirmed, {len(visits)} stored")
        if sum(r["state"] == "done" for r in visits) < ledger.visit_ends[v.id]:
            problems.append(f"{v.first_name}: {ledger.visit_ends[v.id]} visit ends confirmed, fewer stored")
    return problems


async def _steps(db: Observer) -> tuple[list[str], list[float]]:
    """Escalation steps applied twice, and the lateness of each climb, from the audit trail."""
    trail = await db.rows(
        "SELECT a.subject_id, a.event, a.detail, a.at, e.urgency, e.created_at FROM audit a"
        " JOIN escalations e ON e.id = a.subject_id"
        " WHERE a.subject_type = 'escalation' AND a.event IN ('escalation.notified', 'escalation.skipped')"
        " ORDER BY a.id"
    )
    applied = Counter((r["subject_id"], r["event"], r["detail"]) for r in trail)
    doubles = [f"escalation {s}: {e} {d} applied {n} times" for (s, e, d), n in applied.items() if n > 1]
    # Level L was due URGENT_WAIT_SECONDS after level L-1 was told (level 0 when the item was raised).
    told_at: dict[int, dict[int, datetime]] = {}
    for r in trail:
        if r["urgency"] == "urgent":
            level = int(json.loads(r["detail"])["level"])
            told_at.setdefault(r["subject_id"], {}).setdefault(level, from_db(r["at"]))
    lateness: list[float] = []
    for levels in told_at.values():
        ordered = sorted(levels)
        for before, after in itertools.pairwise(ordered):
            due = levels[before].timestamp() + URGENT_WAIT_SECONDS
            lateness.append(max(0.0, levels[after].timestamp() - due))
    return doubles, lateness


async def _order(db: Observer) -> list[str]:
    """A chat's messages in their outbox order; a person's updates handled in Telegram's order."""
    problems: list[str] = []
    sent = await db.rows(
        "SELECT id, chat_id, telegram_message_id FROM outbox WHERE status = 'sent' AND edit_of IS NULL ORDER BY id"
    )
    last: dict[int, tuple[int, int]] = {}
    for row in sent:
        previous = last.get(row["chat_id"])
        if previous is not None and row["telegram_message_id"] < previous[1]:
            problems.append(f"chat {row['chat_id']}: outbox {row['id']} arrived before outbox {previous[0]}")
        last[row["chat_id"]] = (row["id"], row["telegram_message_id"])
    handled = await db.rows(
        "SELECT update_id, sender_id, done_at FROM inbox WHERE done_at IS NOT NULL ORDER BY update_id"
    )
    latest: dict[int, tuple[int, datetime]] = {}
    for row in handled:
        at = from_db(row["done_at"])
        previous_update = latest.get(row["sender_id"])
        if previous_update is not None and at < previous_update[1]:
            problems.append(f"sender {row['sender_id']}: update {row['update_id']} handled before {previous_update[0]}")
        latest[row["sender_id"]] = (row["update_id"], at)
    unfinished = await db.rows("SELECT update_id FROM inbox WHERE done_at IS NULL")
    problems += [f"update {r['update_id']} was never handled" for r in unfinished]
    return problems


async def run(cfg: ChaosConfig, url: str, folder: Path) -> Figures:
    """The whole run against PostgreSQL at `url`, its logs and configs in `folder`; the figures."""
    rng = random.Random(cfg.seed)
    volunteers = [FakeUser(id=4100 + i, first_name=f"Vrijwilliger{i}") for i in range(cfg.volunteers)]
    alias = {v.id: f"C-{i + 1}" for i, v in enumerate(volunteers)}
    users: dict[str, tuple[FakeUser, Role]] = {COORDINATOR.first_name: (COORDINATOR, Role.COORDINATOR)}
    users |= {p.first_name: (p, Role.PROFESSIONAL) for p in PROFESSIONALS}
    users |= {v.first_name: (v, Role.VOLUNTEER) for v in volunteers}
    await seed(folder / "unused.db", users, {v.first_name: alias[v.id] for v in volunteers}, storage_url=url)
    application = f"chaos-{os.getpid()}-"
    ledger = Ledger(alias, step_timeout=cfg.step_timeout, urgencies=("Dringend", "Dringend", "Zorgelijk"))
    chaos = Chaos()
    figures = Figures()
    began = time.monotonic()
    async with FaultyBotApi() as api, Observer(url) as db:
        # Each message is carried out a moment before Telegram answers: a kill or freeze in between leaves a
        # message that arrived but was not recorded as sent (its next copy must carry the repeat mark).
        api.response_delay = 0.02
        for user, _ in users.values():
            api.register_user(user)
        replicas = [
            Replica(i, api, _with_query(url, application_name=f"{application}{i}"), folder, cfg)
            for i in range(cfg.replicas)
        ]
        sender = WebhookSender(api, urls=[r.hook for r in replicas], timeout=2.0)
        tasks: list[asyncio.Task[None]] = []
        done = asyncio.Event()
        try:
            for replica in replicas:
                replica.start()
            chaos.starts += len(replicas)
            async with aiohttp.ClientSession() as session:
                registered = {"url": replicas[0].hook, "secret_token": SECRET}
                async with session.post(f"{api.base_url}{api.token}/setWebhook", json=registered) as response:
                    assert response.status == 200, await response.text()
            await sender.start()
            await _until(lambda: db.lease_holder(), 60, "a replica to take the sender lease")
            started_up = time.monotonic() - began
            workload = [
                asyncio.create_task(volunteer(api, v, random.Random(rng.random()), ledger, done, ACTIONS))
                for v in volunteers
            ]
            workload += [
                asyncio.create_task(professional(api, p, random.Random(rng.random()), ledger, done, share))
                for p, share in zip(PROFESSIONALS, (0.5, 0.6), strict=True)
            ]
            tasks += workload
            tasks.append(
                asyncio.create_task(_chaos(api, db, replicas, cfg, rng, chaos, application, done)),
            )
            await asyncio.sleep(cfg.seconds)
            # People go on until every sender killed or stopped has a successor that sent: on a slow machine the
            # takeover can come at the end of the planned workload, with nothing left for the successor to send.
            await _until(lambda: len(chaos.failovers) >= chaos.senders_gone, 30, "the new sender's first message")
            # People stop where they are: a flow cut off was not confirmed, so it owes nothing.
            done.set()
            for task in workload:
                task.cancel()

            # Drained: Telegram has nothing left to post, the inbox nothing to handle, the outbox nothing to send.
            async def drained() -> bool:
                backlog = await db.rows(
                    "SELECT (SELECT count(*) FROM outbox WHERE status = 'pending') AS outbox,"
                    " (SELECT count(*) FROM inbox WHERE done_at IS NULL) AS inbox"
                )
                return api.pending_updates == 0 and backlog[0]["outbox"] == 0 and backlog[0]["inbox"] == 0

            await _until(drained, 60, "the replicas to drain")
            await asyncio.wait(tasks, timeout=30)
            statuses = list(await asyncio.gather(*(r.terminate() for r in replicas)))
        finally:
            done.set()
            for task in tasks:
                task.cancel()
            await sender.stop()
            for replica in replicas:
                replica.close()
        lease = await db.rows("SELECT epoch FROM sender_lease")
        chaos.takeovers = int(lease[0]["epoch"]) - 1 if lease else 0
        outbox_rows = await db.rows("SELECT * FROM outbox ORDER BY id")
        audit = audit_outbox(outbox_rows, api)
        figures.lost = await _confirmed_lost(api, db, ledger, volunteers) + audit.lost
        figures.unmarked_duplicates = audit.unmarked_duplicates + audit.stale_edits
        figures.double_steps, figures.lateness = await _steps(db)
        figures.order_violations = await _order(db)
        updates = await db.rows("SELECT count(*) AS n, count(*) FILTER (WHERE attempts > 1) AS again FROM inbox")
        figures.counts = {
            "seconds": round(time.monotonic() - began, 1),
            "start_up_seconds": round(started_up, 1),
            "updates": int(updates[0]["n"]),
            # Claimed more than once: a replica died or froze holding it and another took it over.
            "updates_taken_over": int(updates[0]["again"]),
            "sends": _sends(api),
            "outbox_messages": audit.messages,
            "copies_marked_as_repeat": audit.copies_marked,
            "kills": chaos.kills,
            "sigstops": chaos.stops,
            "connections_terminated": chaos.terminated,
            "starts": chaos.starts,
            "lease_takeovers": chaos.takeovers,
            "failover_seconds": [round(s, 2) for s in chaos.failovers],
            "lease_taken_after_seconds": [round(s, 2) for s in chaos.lease_taken],
            "exit_statuses": statuses,
            "confirmed": {
                "signals": len(ledger.signals),
                "backups": len(ledger.backups),
                "pick_ups": len(ledger.acks),
                "checkins": len(ledger.checkins),
                "visit_starts": sum(ledger.visit_starts.values()),
                "visit_ends": sum(ledger.visit_ends.values()),
            },
            "attempts": dict(sorted(ledger.attempts.items())),
        }
    return figures


@contextlib.asynccontextmanager
async def chaos_run(cfg: ChaosConfig, url: str | None = None) -> AsyncIterator[Figures]:
    """The run on `url` (a schema of the tests' server) or on a server of its own; its folder removed after."""
    folder = Path(tempfile.mkdtemp(prefix="samenspel-replicas-"))
    try:
        if url is not None:
            yield await run(cfg, url, folder)
        else:
            with postgres_server() as own:
                yield await run(cfg, own, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def report(figures: Figures, cfg: ChaosConfig) -> str:
    c = figures.counts
    failovers = c["failover_seconds"]
    lines = [
        f"replica chaos: {cfg.replicas} replicas on PostgreSQL, {cfg.volunteers} volunteers, {cfg.seconds:.0f} s,"
        f" seed {cfg.seed}",
        f"  confirmed actions lost      {len(figures.lost)}",
        f"  unmarked duplicates         {len(figures.unmarked_duplicates)}",
        f"  escalation steps twice      {len(figures.double_steps)}",
        f"  order violations            {len(figures.order_violations)}",
        f"  timer lateness (climbs)     p50 {_percentile(figures.lateness, 0.5):.2f} s"
        f"  p99 {_percentile(figures.lateness, 0.99):.2f} s  max {max(figures.lateness, default=0.0):.2f} s"
        f"  ({len(figures.lateness)} climbs)",
        "  sender failover             "
        + (f"{statistics.median(failovers):.2f} s median, {max(failovers):.2f} s max" if failovers else "none seen")
        + f" (lease taken after {c['lease_taken_after_seconds']} s)",
        f"  counts                      {json.dumps({k: v for k, v in c.items() if 'seconds' not in k})}",
        f"  took {c['seconds']} s (start-up {c['start_up_seconds']} s)",
    ]
    for name, problems in (
        ("lost", figures.lost),
        ("unmarked duplicate", figures.unmarked_duplicates),
        ("step twice", figures.double_steps),
        ("order", figures.order_violations),
    ):
        lines += [f"  {name}: {p}" for p in problems[:10]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], prog="python -m benchmarks.replicas")
    parser.add_argument("--quick", action="store_true", help="the system test's size: 3 volunteers for 6 s")
    parser.add_argument("--seconds", type=float, help="the workload under chaos (default 150)")
    parser.add_argument("--volunteers", type=int, help="volunteers (default 6)")
    parser.add_argument("--kill-every", type=float, dest="kill_every", help="seconds between SIGKILLs (default 20)")
    parser.add_argument("--lease-seconds", type=float, dest="lease_seconds", help="the sender lease (default 3)")
    parser.add_argument("--seed", type=int)
    options = vars(parser.parse_args(argv))
    cfg = with_options(ChaosConfig.quick() if options.pop("quick") else ChaosConfig(), options)

    async def go() -> int:
        async with chaos_run(cfg) as figures:
            print(report(figures, cfg))
            return 0 if figures.correct else 1

    return asyncio.run(go())


if __name__ == "__main__":
    sys.exit(main())
