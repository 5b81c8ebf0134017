"""Group chats the bot has already told that it only works in private chats."""

from __future__ import annotations

from datetime import datetime

from storage.db import Tx, to_db


async def note_once(tx: Tx, chat_id: int, now: datetime) -> bool:
    """True the first time for this group chat."""
    changed = await tx.changes(
        "INSERT OR IGNORE INTO group_notices (chat_id, noticed_at) VALUES (?, ?)", (chat_id, to_db(now))
    )
    return changed == 1
