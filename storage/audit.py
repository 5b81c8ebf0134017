"""The audit trail: every transition, with who and when."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from storage.db import Tx, from_db, to_db


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor_id: int | None
    event: str
    subject_type: str | None
    subject_id: int | None
    detail: dict[str, object]


async def record(
    tx: Tx,
    *,
    now: datetime,
    event: str,
    actor_id: int | None = None,
    subject_type: str | None = None,
    subject_id: int | None = None,
    detail: dict[str, object] | None = None,
) -> None:
    await tx.execute(
        "INSERT INTO audit (at, actor_id, event, subject_type, subject_id, detail) VALUES (?, ?, ?, ?, ?, ?)",
        (to_db(now), actor_id, event, subject_type, subject_id, json.dumps(detail or {}, ensure_ascii=False)),
    )


async def for_subject(tx: Tx, subject_type: str, subject_id: int) -> list[AuditEntry]:
    rows = await tx.all(
        "SELECT * FROM audit WHERE subject_type = ? AND subject_id = ? ORDER BY id",
        (subject_type, subject_id),
    )
    return [
        AuditEntry(
            at=from_db(r["at"]),
            actor_id=r["actor_id"],
            event=r["event"],
            subject_type=r["subject_type"],
            subject_id=r["subject_id"],
            detail=json.loads(r["detail"]),
        )
        for r in rows
    ]
