"""What the services share: what they are built from, who may use the coordinator's tools, audit rows,
loading people, a person's time zone."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.clock import Clock
from bot.config import Settings
from bot.domain.models import Person
from bot.services.errors import Refused
from storage import audit, people
from storage.db import Database, Tx


class Service:
    """A use case's dependencies: the database, the domain clock, the settings, and a nudge for delivery
    (called after a commit that queued messages)."""

    def __init__(self, db: Database, clock: Clock, settings: Settings, wake_delivery: Callable[[], None]) -> None:
        self._db = db
        self._clock = clock
        self._settings = settings
        self._wake = wake_delivery


def coordinators_only(by: Person | None) -> None:
    """The coordinator's tools refuse anyone else; by None is the administrator on the command line."""
    if by is not None and not by.is_coordinator:
        raise Refused("not_allowed")


@dataclass(frozen=True)
class Trail:
    """Audit rows about one kind of subject ("escalation", "visit", "schedule", ...)."""

    subject_type: str

    async def record(
        self, tx: Tx, now: datetime, event: str, subject_id: int, *, actor: int | None = None, **detail: object
    ) -> None:
        """One row: what happened (event) to which subject, by whom (None: the bot's own timer or the command
        line), with details."""
        await audit.record(
            tx,
            now=now,
            event=event,
            actor_id=actor,
            subject_type=self.subject_type,
            subject_id=subject_id,
            detail=detail,
        )


async def load_people(tx: Tx, ids: Iterable[int]) -> dict[int, Person]:
    """The people with these ids, in the order given; ids with no row are left out."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    loaded = await people.get_many(tx, wanted)
    return {person_id: loaded[person_id] for person_id in wanted if person_id in loaded}


def zone_of(person: Person, settings: Settings) -> ZoneInfo:
    """The person's own time zone when they have a valid one, otherwise the organisation's."""
    try:
        return ZoneInfo(person.timezone) if person.timezone else settings.app.zone
    except (KeyError, ValueError):
        return settings.app.zone
