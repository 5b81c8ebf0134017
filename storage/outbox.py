"""The outbox: durable messages to people, delivered by bot.delivery."""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from bot.domain.lanes import Lane, lane_of
from storage.db import Row, Tx, from_db, to_db


@dataclass(frozen=True)
class OutboxMessage:
    id: int
    person_id: int | None
    chat_id: int
    language: str
    text: str
    keyboard: list[list[dict[str, str]]] | None
    subject_type: str | None
    subject_id: int | None
    purpose: str
    attempts: int
    maybe_delivered: bool
    edit_of: int | None
    edit_target_message_id: int | None
    # The message being edited went out marked as a possible repeat: its edits keep the mark.
    edit_target_maybe_delivered: bool
    status: str
    telegram_message_id: int | None
    lane: Lane = Lane.SOON
    # The sender's holder#epoch while in flight (storage/leases.py): its marks match on it.
    claim_token: str | None = None


def _message(row: Row) -> OutboxMessage:
    keys = row.keys()
    return OutboxMessage(
        id=row["id"],
        person_id=row["person_id"],
        chat_id=row["chat_id"],
        language=row["language"],
        text=row["text"],
        keyboard=json.loads(row["keyboard"]) if row["keyboard"] else None,
        subject_type=row["subject_type"],
        subject_id=row["subject_id"],
        purpose=row["purpose"],
        attempts=row["attempts"],
        maybe_delivered=bool(row["maybe_delivered"]),
        edit_of=row["edit_of"],
        edit_target_message_id=row["target_message_id"] if "target_message_id" in keys else None,
        edit_target_maybe_delivered=bool(row["target_maybe_delivered"]) if "target_maybe_delivered" in keys else False,
        status=row["status"],
        telegram_message_id=row["telegram_message_id"],
        lane=Lane(row["lane"]),
        claim_token=row["claim_token"],
    )


def _keyboard(keyboard: list[list[dict[str, str]]] | None) -> str | None:
    return None if keyboard is None else json.dumps(keyboard, ensure_ascii=False)


async def enqueue(
    tx: Tx,
    *,
    chat_id: int,
    text: str,
    now: datetime,
    language: str = "nl",
    person_id: int | None = None,
    keyboard: list[list[dict[str, str]]] | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    purpose: str = "notice",
    lane: Lane | None = None,
) -> int:
    """Queue a message; its lane follows from its purpose unless the caller knows more (an alert's urgency).

    The chat's older pending messages move up to this lane: they go first (a chat's messages never overtake each
    other), so an urgent alert must not wait for the chat's bulk to have its turn in the bulk lane."""
    chosen = lane_of(purpose) if lane is None else lane
    if chosen < Lane.BULK:
        await tx.execute(
            "UPDATE outbox SET lane = ? WHERE chat_id = ? AND status = 'pending' AND edit_of IS NULL AND lane > ?",
            (int(chosen), chat_id, int(chosen)),
        )
    return await tx.execute(
        "INSERT INTO outbox (person_id, chat_id, language, text, keyboard, subject_type, subject_id, purpose,"
        " lane, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            person_id,
            chat_id,
            language,
            text,
            _keyboard(keyboard),
            subject_type,
            subject_id,
            purpose,
            int(chosen),
            to_db(now),
        ),
    )


async def enqueue_edit(
    tx: Tx, *, target_id: int, text: str, keyboard: list[list[dict[str, str]]] | None, now: datetime
) -> None:
    """Change what an earlier message says: rewrite it if not yet sent, otherwise queue an edit."""
    target = await tx.one("SELECT * FROM outbox WHERE id = ?", (target_id,))
    if target is None or target["status"] in ("failed", "dropped"):
        return
    if target["status"] == "pending" and target["edit_of"] is None and not target["in_flight"]:
        await tx.execute(
            "UPDATE outbox SET text = ?, keyboard = ? WHERE id = ?", (text, _keyboard(keyboard), target_id)
        )
        return
    # An edit travels in the lane of the message it edits: an urgent alert's "picked up" is as urgent.
    # Supersede edits of the same message that have not gone out yet: only the newest state matters.
    await tx.execute(
        "UPDATE outbox SET status = 'dropped', last_error = 'superseded'"
        " WHERE edit_of = ? AND status = 'pending' AND in_flight = 0",
        (target_id,),
    )
    await tx.execute(
        "INSERT INTO outbox (person_id, chat_id, language, text, keyboard, subject_type, subject_id,"
        " purpose, lane, edit_of, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'edit', ?, ?, ?)",
        (
            target["person_id"],
            target["chat_id"],
            target["language"],
            text,
            _keyboard(keyboard),
            target["subject_type"],
            target["subject_id"],
            target["lane"],
            target_id,
            to_db(now),
        ),
    )


# A message may go only when it is its chat's oldest pending message: a chat's messages never overtake each
# other, also not when the oldest waits for a retry after a 429 or a timeout (or is in flight), so it holds the
# rest. An edit changes a message already there rather than adding one: it waits only for that message to be sent.
_READY = (
    "o.status = 'pending' AND o.in_flight = 0 AND CASE WHEN o.edit_of IS NULL"
    " THEN o.id = (SELECT MIN(p.id) FROM outbox p WHERE p.chat_id = o.chat_id AND p.status = 'pending'"
    " AND p.edit_of IS NULL) ELSE t.status = 'sent' END"
)


async def claim_due(
    tx: Tx, now: datetime, limit: int, *, up_to: Lane | None = None, claim_token: str | None = None
) -> list[OutboxMessage]:
    """Due rows, lowest lane first and oldest first within a lane (only lanes up to `up_to`, if given), at most
    one new message per chat (its oldest pending one), marked in flight under `claim_token` (so a crash
    mid-send is noticed on restart, and a sender that lost its lease cannot mark them afterwards)."""
    # An edit of a message that will never be sent (failed, dropped) cannot be carried out: dropped, so that
    # it does not hold its chat's queue for ever.
    await tx.execute(
        "UPDATE outbox SET status = 'dropped', last_error = 'edited message not sent'"
        " WHERE status = 'pending' AND in_flight = 0 AND edit_of IS NOT NULL"
        " AND (SELECT t.status FROM outbox t WHERE t.id = outbox.edit_of) IN ('failed', 'dropped')"
    )
    rows = await tx.claim(
        "SELECT o.*, t.telegram_message_id AS target_message_id, t.maybe_delivered AS target_maybe_delivered"
        " FROM outbox o INDEXED BY outbox_queue"
        " LEFT JOIN outbox t ON t.id = o.edit_of"
        f" WHERE {_READY} AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= ?) AND o.lane <= ?"
        " ORDER BY o.lane, o.id LIMIT ?",
        (to_db(now), int(max(Lane) if up_to is None else up_to), limit),
        of="o",
    )
    if rows:
        ids = [r["id"] for r in rows]
        marks = ",".join("?" * len(ids))
        await tx.execute(
            f"UPDATE outbox SET in_flight = 1, attempts = attempts + 1, claim_token = ? WHERE id IN ({marks})",
            [claim_token, *ids],
        )
    return [replace(_message(r), claim_token=claim_token) for r in rows]


# The marks below, given the sender's claim token, change a row only while it is in flight under that token:
# False means the row was taken over meanwhile (its sender froze past its lease) and the mark changed nothing.
# Without a token (tests, tools) they change the row whatever claimed it.
_FENCE = " AND in_flight = 1 AND claim_token = ?"


def _fenced(sql: str, params: tuple[object, ...], claim_token: str | None) -> tuple[str, tuple[object, ...]]:
    return (sql + _FENCE, (*params, claim_token)) if claim_token is not None else (sql, params)


async def mark_sent(
    tx: Tx, message_id: int, telegram_message_id: int | None, now: datetime, *, claim_token: str | None = None
) -> bool:
    return bool(
        await tx.changes(
            *_fenced(
                "UPDATE outbox SET status = 'sent', in_flight = 0, sent_at = ?,"
                " telegram_message_id = COALESCE(?, telegram_message_id), last_error = NULL WHERE id = ?",
                (to_db(now), telegram_message_id, message_id),
                claim_token,
            )
        )
    )


async def retry_later(
    tx: Tx, message_id: int, *, at: datetime, error: str, maybe_delivered: bool, claim_token: str | None = None
) -> bool:
    return bool(
        await tx.changes(
            *_fenced(
                "UPDATE outbox SET in_flight = 0, next_attempt_at = ?, last_error = ?,"
                " maybe_delivered = MAX(maybe_delivered, ?) WHERE id = ?",
                (to_db(at), error, int(maybe_delivered), message_id),
                claim_token,
            )
        )
    )


async def mark_failed(tx: Tx, message_id: int, error: str, *, claim_token: str | None = None) -> bool:
    return bool(
        await tx.changes(
            *_fenced(
                "UPDATE outbox SET status = 'failed', in_flight = 0, last_error = ? WHERE id = ?",
                (error, message_id),
                claim_token,
            )
        )
    )


async def fail_pending_for_chat(tx: Tx, chat_id: int, error: str) -> int:
    """A blocked chat: everything still queued for it cannot be delivered either."""
    return await tx.changes(
        "UPDATE outbox SET status = 'failed', last_error = ? WHERE chat_id = ? AND status = 'pending'"
        " AND in_flight = 0",
        (error, chat_id),
    )


async def recover_in_flight(tx: Tx) -> int:
    """After a crash, or a takeover of the sender lease: attempts that were under way may or may not have
    reached Telegram. Their claim token goes, so the sender that had them cannot mark them any more."""
    return await tx.changes(
        "UPDATE outbox SET in_flight = 0, maybe_delivered = 1, claim_token = NULL"
        " WHERE in_flight = 1 AND status = 'pending'"
    )


async def next_due_at(tx: Tx) -> datetime | None:
    """When the next message is due; the distant past for 'now'; None when nothing waits."""
    row = await tx.one(
        "SELECT COUNT(*) AS n, MIN(COALESCE(o.next_attempt_at, '')) AS due FROM outbox o INDEXED BY outbox_queue"
        f" LEFT JOIN outbox t ON t.id = o.edit_of WHERE {_READY}"
    )
    if row is None or not row["n"]:
        return None
    return from_db(row["due"]) if row["due"] else datetime.min.replace(tzinfo=UTC)


async def for_subject(tx: Tx, subject_type: str, subject_id: int, purpose: str | None = None) -> list[OutboxMessage]:
    sql = "SELECT * FROM outbox WHERE subject_type = ? AND subject_id = ? AND edit_of IS NULL"
    params: list[object] = [subject_type, subject_id]
    if purpose is not None:
        sql += " AND purpose = ?"
        params.append(purpose)
    rows = await tx.all(sql + " ORDER BY id", params)
    return [_message(r) for r in rows]


async def pending_count(tx: Tx) -> int:
    return int(await tx.scalar("SELECT COUNT(*) FROM outbox WHERE status = 'pending'"))


async def due_count(tx: Tx, now: datetime) -> int:
    """Messages being sent or due to be sent now (edits count once their message is out, a message once it is
    its chat's oldest pending one)."""
    return int(
        await tx.scalar(
            "SELECT COUNT(*) FROM outbox o INDEXED BY outbox_queue LEFT JOIN outbox t ON t.id = o.edit_of"
            " WHERE o.status = 'pending'"
            f" AND (o.in_flight = 1 OR ((o.next_attempt_at IS NULL OR o.next_attempt_at <= ?) AND {_READY}))",
            (to_db(now),),
        )
    )
