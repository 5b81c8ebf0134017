"""E-mails to the organisation's addresses: durable rows, delivered by bot.services.email."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from storage.db import Row, Tx, to_db


@dataclass(frozen=True)
class Email:
    id: int
    escalation_id: int
    reason: str
    recipients: list[str]
    subject: str
    body: str
    attempts: int


def _email(row: Row) -> Email:
    return Email(
        id=row["id"],
        escalation_id=row["escalation_id"],
        reason=row["reason"],
        recipients=json.loads(row["recipients"]),
        subject=row["subject"],
        body=row["body"],
        attempts=row["attempts"],
    )


async def enqueue(
    tx: Tx, *, escalation_id: int, reason: str, recipients: list[str], subject: str, body: str, now: datetime
) -> int | None:
    """The new row's id; None when this item already has an e-mail for this reason (never two)."""
    changed = await tx.changes(
        "INSERT INTO emails (escalation_id, reason, recipients, subject, body, created_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (escalation_id, reason) DO NOTHING",
        (escalation_id, reason, json.dumps(recipients), subject, body, to_db(now)),
    )
    if changed != 1:
        return None
    return int(await tx.scalar("SELECT id FROM emails WHERE escalation_id = ? AND reason = ?", (escalation_id, reason)))


async def claim_due(tx: Tx, now: datetime, limit: int) -> list[Email]:
    """Due rows, oldest first, marked in flight (so that a crash mid-send is noticed at the next start)."""
    rows = await tx.claim(
        "SELECT * FROM emails WHERE status = 'pending' AND in_flight = 0"
        " AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT ?",
        (to_db(now), limit),
    )
    if rows:
        ids = [r["id"] for r in rows]
        marks = ",".join("?" * len(ids))
        await tx.execute(f"UPDATE emails SET in_flight = 1, attempts = attempts + 1 WHERE id IN ({marks})", ids)
    return [_email(r) for r in rows]


async def mark_sent(tx: Tx, email_id: int, now: datetime) -> None:
    """Taken by the mail server: the words are not kept any longer."""
    await tx.execute(
        "UPDATE emails SET status = 'sent', in_flight = 0, sent_at = ?, body = '', last_error = NULL WHERE id = ?",
        (to_db(now), email_id),
    )


async def retry_later(tx: Tx, email_id: int, *, at: datetime, error: str) -> None:
    await tx.execute(
        "UPDATE emails SET in_flight = 0, next_attempt_at = ?, last_error = ? WHERE id = ?",
        (to_db(at), error[:200], email_id),
    )


async def mark_failed(tx: Tx, email_id: int, error: str) -> None:
    await tx.execute(
        "UPDATE emails SET status = 'failed', in_flight = 0, last_error = ? WHERE id = ?", (error[:200], email_id)
    )


async def recover_in_flight(tx: Tx) -> int:
    """At start: attempts under way when the bot stopped are tried again."""
    return await tx.changes("UPDATE emails SET in_flight = 0 WHERE in_flight = 1 AND status = 'pending'")


async def due_count(tx: Tx, now: datetime) -> int:
    """E-mails being sent or due now."""
    return int(
        await tx.scalar(
            "SELECT COUNT(*) FROM emails WHERE status = 'pending'"
            " AND (in_flight = 1 OR next_attempt_at IS NULL OR next_attempt_at <= ?)",
            (to_db(now),),
        )
    )


async def for_escalation(tx: Tx, escalation_id: int) -> list[tuple[str, str]]:
    """(reason, status) of each e-mail about this item."""
    rows = await tx.all("SELECT reason, status FROM emails WHERE escalation_id = ? ORDER BY id", (escalation_id,))
    return [(r["reason"], r["status"]) for r in rows]
