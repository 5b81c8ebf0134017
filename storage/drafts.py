"""Conversation drafts: where each person is in a multi-step flow, durable across restarts."""

from __future__ import annotations

import json
from datetime import datetime

from bot.domain.models import Draft
from storage.db import Tx, to_db


async def get(tx: Tx, person_id: int) -> Draft | None:
    row = await tx.one("SELECT flow, step, data FROM drafts WHERE person_id = ?", (person_id,))
    if row is None:
        return None
    return Draft(flow=row["flow"], step=row["step"], data=json.loads(row["data"]))


async def put(tx: Tx, person_id: int, draft: Draft, now: datetime) -> None:
    await tx.execute(
        "INSERT INTO drafts (person_id, flow, step, data, updated_at) VALUES (?, ?, ?, ?, ?)"
        " ON CONFLICT (person_id) DO UPDATE SET flow = excluded.flow, step = excluded.step,"
        " data = excluded.data, updated_at = excluded.updated_at",
        (person_id, draft.flow, draft.step, json.dumps(draft.data, ensure_ascii=False), to_db(now)),
    )


async def clear(tx: Tx, person_id: int) -> bool:
    return await tx.changes("DELETE FROM drafts WHERE person_id = ?", (person_id,)) > 0


async def put_if_absent(tx: Tx, person_id: int, draft: Draft, now: datetime) -> bool:
    """Start a flow only if the person is not in the middle of another one."""
    changed = await tx.changes(
        "INSERT OR IGNORE INTO drafts (person_id, flow, step, data, updated_at) VALUES (?, ?, ?, ?, ?)",
        (person_id, draft.flow, draft.step, json.dumps(draft.data, ensure_ascii=False), to_db(now)),
    )
    return changed == 1
