"""Where each person is in a multi-step flow; stored, so that a restart mid-flow loses nothing."""

from __future__ import annotations

from bot.clock import Clock
from bot.domain.models import Draft
from storage import drafts
from storage.db import Database


class DraftService:
    def __init__(self, db: Database, clock: Clock) -> None:
        self._db = db
        self._clock = clock
        # Text that screening flagged as possibly personal data, kept only in memory until the
        # person chooses to edit or send it anyway: nothing of it is written before that choice.
        self._held: dict[int, str] = {}

    def hold(self, person_id: int, text: str) -> None:
        self._held[person_id] = text

    def take(self, person_id: int) -> str | None:
        return self._held.pop(person_id, None)

    async def get(self, person_id: int) -> Draft | None:
        async with self._db.transaction() as tx:
            return await drafts.get(tx, person_id)

    async def put(self, person_id: int, flow: str, step: str, **data: object) -> Draft:
        draft = Draft(flow=flow, step=step, data=dict(data))
        async with self._db.transaction() as tx:
            await drafts.put(tx, person_id, draft, self._clock.now())
        return draft

    async def clear(self, person_id: int) -> bool:
        async with self._db.transaction() as tx:
            return await drafts.clear(tx, person_id)
