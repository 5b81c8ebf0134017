"""One outbox sender per bot token (bot/sender_lease.py, storage/leases.py), on both backends.

Two replicas are two `Database` objects on the same database, each with its own `Delivery` and lease. Time is
the fake clock's on both backends (the lease accepts the caller's time), so a freeze past the lease is played by
moving the clock while one sender's send hangs, never by sleeping.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import pytest
from telegram.ext import ExtBot

from bot import metrics
from bot.config import DeliverySettings
from bot.delivery import Delivery
from bot.i18n import Markup, t
from bot.scheduler import Scheduler
from bot.sender_lease import SenderLease
from bot.telegram_http import NotSent
from storage import leases, outbox
from storage.db import Database
from tests.support.clock import FakeClock

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LEASE = "bot:test"
LEASE_SECONDS = DeliverySettings().sender_lease_seconds


@dataclass
class _Sent:
    message_id: int


@dataclass
class RecordingBot:
    """Telegram as far as the sender needs it: records each text; `hold` makes the next send hang until set."""

    name: str
    texts: list[str] = field(default_factory=list)
    hold: asyncio.Event | None = None
    sending: asyncio.Event = field(default_factory=asyncio.Event)

    async def send_message(self, *, chat_id: int, text: str, **_: Any) -> _Sent:
        self.sending.set()
        if self.hold is not None:
            await self.hold.wait()
        self.texts.append(text)
        return _Sent(len(self.texts) + (1000 if self.name == "b" else 0))


@dataclass
class Replica:
    db: Database
    bot: RecordingBot
    delivery: Delivery


@pytest.fixture
async def replicas(tmp_path: Path, storage_url: str | None) -> AsyncIterator[tuple[Replica, Replica, FakeClock]]:
    clock = FakeClock(NOW)
    made: list[Replica] = []
    for name in ("a", "b"):
        db = Database(tmp_path / "samenspel.db", url=storage_url)
        await db.open()
        await db.migrate()
        bot = RecordingBot(name)
        lease = SenderLease(LEASE, f"replica-{name}", ttl=timedelta(seconds=LEASE_SECONDS), clock=clock)
        made.append(Replica(db, bot, Delivery(db, cast("ExtBot[int]", bot), clock=clock, lease=lease)))
    try:
        yield made[0], made[1], clock
    finally:
        for replica in made:
            await replica.db.close()


async def _enqueue(db: Database, text: str) -> int:
    async with db.transaction() as tx:
        return await outbox.enqueue(tx, chat_id=42, text=text, now=NOW)


async def _row(db: Database, message_id: int) -> dict[str, Any]:
    async with db.transaction() as tx:
        row = await tx.one(
            "SELECT status, in_flight, maybe_delivered, telegram_message_id, claim_token FROM outbox WHERE id = ?",
            (message_id,),
        )
    assert row is not None
    return dict(zip(row.keys(), row, strict=True))


async def test_a_second_sender_does_not_send_while_the_first_holds_the_lease(
    replicas: tuple[Replica, Replica, FakeClock],
) -> None:
    a, b, clock = replicas
    await _enqueue(a.db, "eerste")
    assert await a.delivery.run_once() == 1
    await _enqueue(a.db, "tweede")
    assert await b.delivery.run_once() == 0  # b stands by: a's lease runs
    clock.advance(timedelta(seconds=LEASE_SECONDS * 0.6))
    assert await b.delivery.run_once() == 0
    assert await a.delivery.run_once() == 1  # a renews as it goes on sending
    clock.advance(timedelta(seconds=LEASE_SECONDS * 0.6))  # past a's first lease, not past its renewal
    await _enqueue(a.db, "derde")
    assert await b.delivery.run_once() == 0
    assert await a.delivery.run_once() == 1
    assert a.bot.texts == ["eerste", "tweede", "derde"]
    assert b.bot.texts == []


async def test_a_sender_that_froze_past_its_lease_is_fenced_and_its_rows_go_out_again_marked(
    replicas: tuple[Replica, Replica, FakeClock],
) -> None:
    a, b, clock = replicas
    message = await _enqueue(a.db, "Sanne heeft hulp nodig")
    a.bot.hold = asyncio.Event()
    frozen = asyncio.create_task(a.delivery.run_once())  # a claims the row and hangs in the send: frozen
    try:
        await _frozen_past_its_lease(a, b, clock, message, frozen)
    finally:
        a.bot.hold.set()
        frozen.cancel()


async def _frozen_past_its_lease(
    a: Replica, b: Replica, clock: FakeClock, message: int, frozen: asyncio.Task[int]
) -> None:
    assert a.bot.hold is not None
    await a.bot.sending.wait()
    assert (await _row(a.db, message))["claim_token"] == "replica-a#1"

    clock.advance(timedelta(seconds=LEASE_SECONDS + 1))
    takeovers = _takeovers()
    assert await b.delivery.run_once() == 1  # b takes over and sends the row a had in flight
    assert _takeovers() == takeovers + 1
    assert metrics.REGISTRY.get_sample_value("samenspel_outbox_sender") == 1
    assert b.delivery.lease is not None and b.delivery.lease.current is not None
    assert b.delivery.lease.current.epoch == 2
    assert b.bot.texts == [t("nl", "delivery.repeat", text=Markup("Sanne heeft hulp nodig"))]
    taken = await _row(b.db, message)
    assert taken["status"] == "sent" and taken["telegram_message_id"] == 1001 and taken["maybe_delivered"] == 1

    a.bot.hold.set()  # a wakes up: its send completes and it writes what it believes
    assert await frozen == 1
    assert await _row(a.db, message) == taken  # its late mark changed nothing
    assert await a.delivery.run_once() == 0  # and it stands by now
    assert a.delivery.lease is not None and a.delivery.lease.current is None


def _takeovers() -> float:
    return metrics.REGISTRY.get_sample_value("samenspel_sender_lease_takeovers_total") or 0.0


async def test_a_late_retry_mark_of_a_fenced_sender_changes_nothing(db: Database) -> None:
    async with db.transaction() as tx:
        message = await outbox.enqueue(tx, chat_id=7, text="x", now=NOW)
        (claimed,) = await outbox.claim_due(tx, NOW, 10, claim_token="old#1")
        assert await outbox.recover_in_flight(tx) == 1  # the takeover
        (again,) = await outbox.claim_due(tx, NOW, 10, claim_token="new#2")
        assert again.maybe_delivered
        late = await outbox.retry_later(
            tx, message, at=NOW + timedelta(hours=1), error="timeout", maybe_delivered=True, claim_token="old#1"
        )
        assert late is False
        assert await outbox.mark_failed(tx, message, "bad request", claim_token="old#1") is False
        assert await outbox.mark_sent(tx, message, 9, NOW, claim_token="new#2") is True
        assert claimed.claim_token == "old#1"


async def test_stopping_gives_the_lease_up_for_the_next_replica_at_once(
    replicas: tuple[Replica, Replica, FakeClock],
) -> None:
    a, b, _ = replicas
    await _enqueue(a.db, "eerste")
    assert await a.delivery.run_once() == 1
    await a.delivery.stop()
    await _enqueue(a.db, "tweede")
    assert await b.delivery.run_once() == 1  # no waiting for the lease to run out
    assert b.bot.texts == ["tweede"]  # nothing was in flight: no repeat mark


async def test_on_postgresql_the_lease_runs_on_the_database_clock(db: Database, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has no clock of its own")
    ttl = timedelta(seconds=30)
    async with db.transaction() as tx:
        mine = await leases.acquire(tx, LEASE, "a", ttl, None)
        database_now = await leases.database_now(tx, None)
    assert mine is not None and mine.epoch == 1
    assert abs((mine.expires_at - (database_now + ttl)).total_seconds()) < 5
    async with db.transaction() as tx:
        assert await leases.acquire(tx, LEASE, "b", ttl, None) is None
        assert await leases.holds(tx, LEASE, "a", 1, None)


async def test_a_once_job_runs_in_one_replica_at_a_time(tmp_path: Path, storage_url: str | None, backend: str) -> None:
    if backend != "postgresql":
        pytest.skip("SQLite has one process: the gate always lets it run")
    clock = FakeClock(NOW)
    started, finish = asyncio.Event(), asyncio.Event()
    runs: list[str] = []
    databases = [Database(tmp_path / "x.db", url=storage_url) for _ in range(2)]
    schedulers: list[Scheduler] = []
    for index, db in enumerate(databases):
        await db.open()

        async def retention(now: datetime, who: str = f"replica {index}") -> None:
            runs.append(who)
            started.set()
            await finish.wait()

        def gate(job: str, db: Database = db) -> Any:
            return leases.once_per_deployment(db, job)

        scheduler = Scheduler(clock, once_gate=gate)
        scheduler.register("retention", retention, once=True)
        schedulers.append(scheduler)
    try:
        first = asyncio.create_task(schedulers[0].tick())
        await started.wait()
        # The same moment in the other replica: the lock is taken, so it skips. (Without the gate it would wait
        # for `finish` in the job; the bound only keeps such a failure from hanging the suite.)
        await asyncio.wait_for(schedulers[1].tick(), timeout=30)
        finish.set()
        await first
        assert runs == ["replica 0"]
        await schedulers[1].tick()  # once the first is done the job may run again (it finds its work done)
        assert runs == ["replica 0", "replica 1"]
    finally:
        finish.set()
        for db in databases:
            await db.close()


def test_on_sqlite_the_bot_sends_without_a_lease_and_on_postgresql_with_one(tmp_path: Path) -> None:
    """SQLite allows one process per file (the instance lock): a lease there could only expire under a long round
    and make the process take its own messages over, sending them again (seen in benchmarks.escalation, whose
    clock runs 60 times real time: 82 results dropped, 3 takeovers of its own lease)."""
    from bot.app import build_application, services_of
    from bot.config import load_settings

    on_sqlite = load_settings(None, telegram={"token": "1:offline"}, storage={"path": str(tmp_path / "x.db")})
    assert services_of(build_application(on_sqlite)).delivery.lease is None
    on_postgresql = load_settings(
        None, telegram={"token": "1:offline"}, storage={"url": "postgresql://nobody@localhost/never-opened"}
    )
    assert isinstance(services_of(build_application(on_postgresql)).delivery.lease, SenderLease)


def test_sender_lease_seconds_is_the_length_of_the_lease_the_bot_takes(tmp_path: Path) -> None:
    """`[delivery] sender_lease_seconds` (the chaos run uses a short one) is the ttl the sender's lease runs on."""
    from bot.app import build_application, services_of
    from bot.config import load_settings

    settings = load_settings(
        None,
        telegram={"token": "1:offline"},
        storage={"url": "postgresql://nobody@localhost/never-opened"},
        delivery={"sender_lease_seconds": 3},
    )
    lease = services_of(build_application(settings)).delivery.lease
    assert isinstance(lease, SenderLease)
    assert lease._ttl == timedelta(seconds=3)
    assert DeliverySettings().sender_lease_seconds == 15


def test_a_sender_lease_shorter_than_two_seconds_is_refused() -> None:
    from bot.config import ConfigError, load_settings

    with pytest.raises(ConfigError, match="sender_lease_seconds"):
        load_settings(None, telegram={"token": "1:offline"}, delivery={"sender_lease_seconds": 0.5})


@dataclass
class BusyBot(RecordingBot):
    """Telegram with every connection busy for the first `busy` sends: each waits for a slot and is not sent."""

    busy: int = 1

    async def send_message(self, *, chat_id: int, text: str, **kwargs: Any) -> _Sent:
        if self.busy > 0:
            self.busy -= 1
            raise NotSent("every connection to Telegram is busy; the request was not sent")
        return await super().send_message(chat_id=chat_id, text=text, **kwargs)


async def test_a_send_that_never_got_a_connection_goes_again_without_the_repeat_mark(db: Database) -> None:
    clock = FakeClock(NOW)
    bot = BusyBot("a")
    delivery = Delivery(db, cast("ExtBot[int]", bot), clock=clock)
    message = await _enqueue(db, "Sanne heeft hulp nodig")
    assert await delivery.run_once() == 1  # tried: no connection came free, so not sent, retried later
    assert bot.texts == []
    assert (await _row(db, message))["status"] == "pending"
    assert (await _row(db, message))["maybe_delivered"] == 0
    clock.advance(timedelta(minutes=5))
    assert await delivery.run_once() == 1
    assert bot.texts == ["Sanne heeft hulp nodig"]  # not "(again) ...": it never arrived the first time
