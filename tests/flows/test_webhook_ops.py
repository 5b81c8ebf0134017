"""The operations port of a bot in webhook mode: health, readiness (draining, the schema), metrics; a replica
restarted after one died sweeps up the update the dead one left; SIGTERM's drain, in this process."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import aiohttp

from bot.sandbox.webhook_sender import SECRET_HEADER
from storage import inbox, outbox
from storage.db import Database
from tests.support.clock import FakeClock
from tests.support.faulty_bot_api import FaultyBotApi
from tests.support.harness import PIET, START, VERA, seed_organisation
from tests.support.webhook import SECRET, hold_updates, running_webhook_bot


async def _get(session: aiohttp.ClientSession, url: str) -> tuple[int, str]:
    async with session.get(url) as response:
        return response.status, await response.text()


async def test_healthz_answers_and_readyz_says_ready_only_with_the_codes_schema(tmp_path: Path) -> None:
    async with running_webhook_bot(tmp_path) as (h, _), aiohttp.ClientSession() as session:
        ops = h.mode.ops.url
        assert await _get(session, f"{ops}/healthz") == (200, "ok\n")
        assert await _get(session, f"{ops}/readyz") == (200, "ready\n")
        async with h.services.db.transaction() as tx:  # a newer replica migrated the database
            await tx.execute("INSERT INTO schema_migrations VALUES (9999, '9999_newer.sql', '2026-12-01')")
        status, text = await _get(session, f"{ops}/readyz")
        assert status == 503 and "schema does not match" in text
        async with h.services.db.transaction() as tx:  # the database lags behind the code
            await tx.execute("DELETE FROM schema_migrations WHERE version = 9999")
            newest = await tx.one("SELECT * FROM schema_migrations ORDER BY version DESC LIMIT 1")
            assert newest is not None
            await tx.execute("DELETE FROM schema_migrations WHERE version = ?", (newest["version"],))
        status, text = await _get(session, f"{ops}/readyz")
        assert status == 503 and "needs upgrading" in text
        async with h.services.db.transaction() as tx:
            await tx.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)", tuple(newest))
        assert (await _get(session, f"{ops}/readyz"))[0] == 200


async def test_stopping_drains_not_ready_503_to_telegram_and_the_update_in_hand_finished(tmp_path: Path) -> None:
    async with running_webhook_bot(tmp_path) as (h, _), aiohttp.ClientSession() as session:
        await seed_organisation(h)
        handling, release = hold_updates(h)
        h.api.send_text(VERA, "/help")
        await handling.wait()
        h.stop.set()  # what SIGTERM does in samenspel run
        ops = h.mode.ops.url
        for _ in range(500):
            if h.mode.readiness.draining:
                break
            await asyncio.sleep(0.01)
        assert await _get(session, f"{ops}/readyz") == (503, "not ready: draining\n")
        assert (await _get(session, f"{ops}/healthz"))[0] == 200
        update = {"update_id": 999, "message": {"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"}}}
        async with session.post(h.mode.webhook.url, json=update, headers={SECRET_HEADER: SECRET}) as response:
            assert response.status == 503  # Telegram sends it again, to another replica
        assert h.served is not None and not h.served.done(), "stopped without finishing the update in hand"
        before = len(h.api.messages(VERA.id))
        release.set()
        await asyncio.wait_for(h.served, timeout=20)
        assert len(h.api.messages(VERA.id)) > before, "the update in hand was not finished"
    async with Database(tmp_path / "samenspel.db") as db, db.transaction() as tx:
        assert (await inbox.backlog(tx)).unfinished == 0
        assert await inbox.get(tx, 999) is None


async def test_a_replica_restarted_after_one_died_mid_update_handles_what_it_left(tmp_path: Path) -> None:
    clock = FakeClock(START)
    async with FaultyBotApi() as api:
        async with running_webhook_bot(tmp_path, api=api, clock=clock) as (h, _):
            await seed_organisation(h)
        # The replica that died: it had stored Vera's /help and claimed it, and was killed before finishing.
        async with Database(tmp_path / "samenspel.db") as db:
            async with db.transaction() as tx:
                body = {"update_id": 500, **_message(VERA.id, "/help")}
                await inbox.store(tx, 500, VERA.id, body, clock.now())
                [claimed] = await inbox.claim(tx, "dead-replica", clock.now(), clock.now() + timedelta(seconds=30), 1)
            assert claimed.update_id == 500
        async with running_webhook_bot(tmp_path, api=api, clock=clock, settle=False) as (h, _):
            before = len(h.api.messages(VERA.id))
            assert await h.mode.worker.run_once() == 0  # the dead replica's lease still holds
            clock.advance(timedelta(seconds=30))
            h.mode.worker.wake()
            await h.settle()
            assert len(h.api.messages(VERA.id)) > before, "the update the dead replica left was lost"
            async with h.services.db.transaction() as tx:
                row = await inbox.get(tx, 500)
            assert row is not None and row["done_at"] is not None
            assert row["lease_holder"] == h.mode.worker.holder and row["attempts"] == 2


def _message(user_id: int, text: str) -> dict[str, object]:
    person = {"id": user_id, "is_bot": False, "first_name": "Vera"}
    chat = {"id": user_id, "type": "private", "first_name": "Vera"}
    return {"message": {"message_id": 77, "date": 1_700_000_000, "chat": chat, "from": person, "text": text}}


async def test_metrics_expose_the_named_series_with_the_backlogs_read_from_the_database(tmp_path: Path) -> None:
    async with running_webhook_bot(tmp_path) as (h, _), aiohttp.ClientSession() as session:
        await seed_organisation(h)
        await h.send(VERA, "/help")
        h.api.fail_next("sendMessage", "429", retry_after=1)
        async with h.services.db.transaction() as tx:
            await outbox.enqueue(tx, chat_id=VERA.id, text="Eerste bericht", now=h.clock.now())
            # Another chat: Vera's waits out its 429 and holds her queue (per-chat order).
            repeat = await outbox.enqueue(tx, chat_id=PIET.id, text="Misschien al ontvangen", now=h.clock.now())
            await tx.execute("UPDATE outbox SET maybe_delivered = 1 WHERE id = ?", (repeat,))
        h.services.delivery.wake()
        await h.settle()
        handling, release = hold_updates(h)
        h.api.send_text(VERA, "/me")
        await handling.wait()
        h.clock.advance(timedelta(seconds=12))
        status, text = await _get(session, f"{h.mode.ops.url}/metrics")
        release.set()
        await h.settle()
    assert status == 200
    lines = text.splitlines()
    for series in (
        "samenspel_outbox_pending",
        "samenspel_outbox_oldest_pending_age_seconds",
        "samenspel_timer_lateness_seconds_bucket",
        "samenspel_serialization_retries_total",
        "samenspel_repeat_marked_sends_total",
        "samenspel_database_up 1.0",
        "samenspel_inbox_backlog 1.0",  # /me, held in the handler
        "samenspel_inbox_oldest_age_seconds 12.0",
    ):
        assert any(line.startswith(series) for line in lines), f"{series} missing from /metrics"
    assert _value(lines, "samenspel_telegram_429_total") >= 1
    assert _value(lines, 'samenspel_sends_total{result="sent"}') >= 1
    assert _value(lines, 'samenspel_sends_total{result="retry"}') >= 1
    assert _value(lines, 'samenspel_webhook_updates_total{result="stored"}') >= 2
    assert _value(lines, "samenspel_repeat_marked_sends_total") >= 1


def _value(lines: list[str], series: str) -> float:
    found = [line for line in lines if line.startswith(series + " ")]
    assert found, f"{series} missing from /metrics"
    return float(found[0].rsplit(" ", 1)[1])


async def test_an_update_in_hand_is_not_handled_again_when_the_clock_passes_its_lease(tmp_path: Path) -> None:
    async with running_webhook_bot(tmp_path) as (h, _):
        await seed_organisation(h)
        started: list[object] = []
        handling, release = asyncio.Event(), asyncio.Event()
        original = h.mode.worker._handle

        async def held(body: dict[str, object]) -> None:
            started.append(body["update_id"])
            handling.set()
            await release.wait()
            await original(body)

        h.mode.worker._handle = held
        h.api.send_text(VERA, "/help")
        await handling.wait()
        h.clock.advance(timedelta(seconds=31))  # past the 30 s lease: a round renews what it holds, then claims
        await h.mode.worker.run_once()
        release.set()
        await h.settle()
        assert len(started) == 1, "the replica took its own update in hand over and handled it twice"
