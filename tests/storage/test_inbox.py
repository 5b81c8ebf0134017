"""The inbox's claim: per-sender order across replicas, leases that expire, a dead replica's update swept up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import inbox
from storage.db import Database

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LEASE = timedelta(seconds=30)


async def _store(db: Database, update_id: int, sender: int) -> bool:
    async with db.transaction() as tx:
        return await inbox.store(tx, update_id, sender, {"update_id": update_id}, NOW)


async def _claim(db: Database, holder: str, now: datetime, limit: int = 10) -> list[int]:
    async with db.transaction() as tx:
        return [u.update_id for u in await inbox.claim(tx, holder, now, now + LEASE, limit)]


async def _finish(db: Database, update_id: int, holder: str, now: datetime) -> bool:
    async with db.transaction() as tx:
        return await inbox.finish(tx, update_id, holder, now)


async def test_an_update_sent_again_is_stored_once(db: Database) -> None:
    assert await _store(db, 1, 100)
    assert not await _store(db, 1, 100)
    async with db.transaction() as tx:
        assert (await inbox.backlog(tx)).unfinished == 1


async def test_only_the_oldest_unfinished_update_of_each_sender_is_claimed(db: Database) -> None:
    for update_id, sender in ((1, 100), (2, 100), (3, 200), (4, 100), (5, 200)):
        await _store(db, update_id, sender)
    assert await _claim(db, "a", NOW) == [1, 3]
    # A second replica finds nothing: each sender's oldest is in the first one's hands.
    assert await _claim(db, "b", NOW) == []
    assert await _finish(db, 1, "a", NOW)
    assert await _claim(db, "b", NOW) == [2]
    assert await _claim(db, "a", NOW) == []


async def test_a_replica_that_died_mid_update_leaves_it_to_another_once_the_lease_expires(db: Database) -> None:
    await _store(db, 1, 100)
    await _store(db, 2, 100)
    assert await _claim(db, "dead", NOW) == [1]
    # Until the lease runs out, nobody takes the update over, nor the sender's next one.
    assert await _claim(db, "alive", NOW + LEASE - timedelta(milliseconds=1)) == []
    assert await _claim(db, "alive", NOW + LEASE) == [1]
    async with db.transaction() as tx:
        row = await inbox.get(tx, 1)
    assert row is not None and row["lease_holder"] == "alive" and row["attempts"] == 2
    # The dead replica wakes up and finishes too late: it learns that its lease was taken.
    assert not await _finish(db, 1, "dead", NOW + LEASE)
    assert await _claim(db, "alive", NOW + LEASE) == [2]


async def test_a_renewed_lease_is_not_taken_over(db: Database) -> None:
    await _store(db, 1, 100)
    assert await _claim(db, "a", NOW) == [1]
    async with db.transaction() as tx:
        assert await inbox.renew(tx, "a", [1], NOW + 2 * LEASE) == 1
        assert await inbox.renew(tx, "b", [1], NOW + 3 * LEASE) == 0  # only its holder renews a lease
    assert await _claim(db, "b", NOW + LEASE) == []
    assert await _claim(db, "b", NOW + 2 * LEASE) == [1]


async def test_released_leases_are_free_at_once_and_handled_updates_are_pruned_later(db: Database) -> None:
    await _store(db, 1, 100)
    await _store(db, 2, 200)
    assert await _claim(db, "a", NOW) == [1, 2]
    assert await _finish(db, 2, "a", NOW)
    async with db.transaction() as tx:
        assert await inbox.release(tx, "a") == 1
    assert await _claim(db, "b", NOW) == [1]
    async with db.transaction() as tx:
        assert await inbox.prune(tx, NOW) == 0  # handled at NOW: still kept
        assert await inbox.prune(tx, NOW + timedelta(seconds=1)) == 1
        assert await inbox.get(tx, 2) is None
        assert (await inbox.backlog(tx)).oldest_received_at == NOW
