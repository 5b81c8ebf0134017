"""The webhook inbox: updates stored before Telegram is answered, handled in order per sender under a lease."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from storage.db import Tx, opt_from_db, to_db


@dataclass(frozen=True)
class InboxUpdate:
    update_id: int
    sender_id: int
    body: dict[str, Any]
    attempts: int  # claims so far, this one included


@dataclass(frozen=True)
class Backlog:
    unfinished: int
    oldest_received_at: datetime | None


async def store(tx: Tx, update_id: int, sender_id: int, body: dict[str, Any], now: datetime) -> bool:
    """Keep an update Telegram posted; False when it was stored before (Telegram resent it)."""
    changed = await tx.changes(
        "INSERT INTO inbox (update_id, sender_id, body, received_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (update_id) DO NOTHING",
        (update_id, sender_id, json.dumps(body, ensure_ascii=False), to_db(now)),
    )
    return changed > 0


async def claim(tx: Tx, holder: str, now: datetime, lease_until: datetime, limit: int) -> list[InboxUpdate]:
    """Lease the oldest unfinished update of each sender whose oldest is free (never leased, or its lease expired).

    Only a sender's oldest unfinished update is ever claimed, and it stays their oldest until it is done, so
    while one replica holds it no replica can take that sender's next update: per-sender order holds across
    replicas. An expired lease is a replica that died (or froze) mid-update: the update is taken over.
    """
    # On PostgreSQL `tx.claim` ends this SELECT in `FOR UPDATE OF i SKIP LOCKED` (inside the SERIALIZABLE
    # transaction), so two replicas claiming at once skip each other's rows instead of waiting; the lease then
    # keeps the row from being claimed again after this transaction commits. SQLite has one writer (BEGIN
    # IMMEDIATE), so there the plain read-then-update cannot interleave with another claim.
    rows = await tx.claim(
        "SELECT i.update_id, i.sender_id, i.body, i.attempts FROM inbox i"
        " WHERE i.done_at IS NULL AND (i.lease_until IS NULL OR i.lease_until <= ?)"
        " AND NOT EXISTS (SELECT 1 FROM inbox o WHERE o.sender_id = i.sender_id AND o.done_at IS NULL"
        " AND o.update_id < i.update_id)"
        " ORDER BY i.update_id LIMIT ?",
        (to_db(now), limit),
        of="i",
    )
    await tx.executemany(
        "UPDATE inbox SET lease_holder = ?, lease_until = ?, attempts = attempts + 1 WHERE update_id = ?",
        [(holder, to_db(lease_until), row["update_id"]) for row in rows],
    )
    return [
        InboxUpdate(row["update_id"], row["sender_id"], json.loads(row["body"]), row["attempts"] + 1) for row in rows
    ]


async def renew(tx: Tx, holder: str, update_ids: list[int], lease_until: datetime) -> int:
    """Extend this holder's leases on updates still in hand; how many it still held."""
    renewed = 0
    for update_id in update_ids:
        renewed += await tx.changes(
            "UPDATE inbox SET lease_until = ? WHERE update_id = ? AND lease_holder = ? AND done_at IS NULL",
            (to_db(lease_until), update_id, holder),
        )
    return renewed


async def finish(tx: Tx, update_id: int, holder: str, now: datetime) -> bool:
    """Mark an update handled and blank its body; False when another holder had taken it over meanwhile."""
    held = await tx.scalar("SELECT lease_holder = ? FROM inbox WHERE update_id = ?", (holder, update_id))
    await tx.execute(
        "UPDATE inbox SET done_at = ?, body = '', lease_until = NULL WHERE update_id = ? AND done_at IS NULL",
        (to_db(now), update_id),
    )
    return bool(held)


async def release(tx: Tx, holder: str) -> int:
    """Give up this holder's leases on updates not finished (stopping): another replica may take them at once."""
    return await tx.changes(
        "UPDATE inbox SET lease_holder = NULL, lease_until = NULL WHERE lease_holder = ? AND done_at IS NULL",
        (holder,),
    )


async def prune(tx: Tx, done_before: datetime) -> int:
    """Forget updates handled before `done_before` (kept until then so that a late resend is still recognised)."""
    return await tx.changes("DELETE FROM inbox WHERE done_at IS NOT NULL AND done_at < ?", (to_db(done_before),))


async def backlog(tx: Tx) -> Backlog:
    """Updates stored and not handled yet, and when the oldest of them came in."""
    row = await tx.one("SELECT COUNT(*), MIN(received_at) FROM inbox WHERE done_at IS NULL")
    assert row is not None
    return Backlog(int(row[0]), opt_from_db(row[1]))


async def get(tx: Tx, update_id: int) -> dict[str, Any] | None:
    """One stored update's state (tests and diagnostics)."""
    row = await tx.one(
        "SELECT update_id, sender_id, body, lease_holder, lease_until, attempts, done_at FROM inbox"
        " WHERE update_id = ?",
        (update_id,),
    )
    return None if row is None else dict(row)
