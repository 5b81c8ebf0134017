"""What /metrics reads from the database at scrape time, so that every replica reports the same backlog."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Tx, opt_from_db


@dataclass(frozen=True)
class OutboxBacklog:
    pending: int
    oldest_created_at: datetime | None


async def outbox_backlog(tx: Tx) -> OutboxBacklog:
    """Messages not sent yet (waiting, retrying or in flight), and when the oldest of them was queued."""
    row = await tx.one("SELECT COUNT(*), MIN(created_at) FROM outbox WHERE status = 'pending'")
    assert row is not None
    return OutboxBacklog(int(row[0]), opt_from_db(row[1]))
