"""The outbox against what each chat received: every message arrived, extra copies carry the repeat mark,
nothing is failed or still queued, and each message shows its latest edit (the crash and fault tests)."""

from __future__ import annotations

import sqlite3
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.i18n import Markup, t
from bot.sandbox.botapi import FakeBotApi
from bot.sandbox.markup import parse
from bot.sandbox.state import SentMessage


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
    return audit_outbox(rows, api)


def audit_outbox(rows: Sequence[Mapping[str, Any]], api: FakeBotApi) -> DeliveryAudit:
    """`audit_delivery` on outbox rows already read (by id), from either backend."""
    report = DeliveryAudit()
    chats: dict[int, list[SentMessage]] = {}

    def received(chat: int) -> list[SentMessage]:
        # Read each chat once: `messages()` copies every message, and there is a row per message.
        if chat not in chats:
            chats[chat] = api.messages(chat)
        return chats[chat]

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
        messages = received(chat)
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
    latest: dict[int, Mapping[str, Any]] = {}
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
            (m for m in received(target["chat_id"]) if m.message_id == target["telegram_message_id"]),
            None,
        )
        if shown is None or shown.text != _plain(text):
            report.stale_edits.append(
                f"outbox {target_id} in chat {target['chat_id']} does not show edit {edit['id']}: "
                f"{(shown.text if shown else None)!r:.80}"
            )
    return report
