"""Who is on an item's route: the people on each level, and what the policy needs to know about them now."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, time

from bot.config import EscalationSettings, Settings
from bot.domain.escalation import Candidate, Escalation, Situation, WorkingHours, levels_for
from bot.domain.models import Link, Person, Role
from bot.services.base import load_people, zone_of
from bot.services.errors import Refused
from storage import escalations, links, people
from storage.db import Tx
from storage.escalations import AvailabilityRow


@dataclass(frozen=True)
class Loaded:
    """An item's route as it stands: the volunteer, everyone on it or told, and the policy's view."""

    volunteer: Person
    by_id: dict[int, Person]
    situation: Situation
    last_level: int


class Route:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def levels(self, tx: Tx, volunteer: Person, link: Link | None) -> list[list[Person]]:
        """The active people on each level: the link's (or the volunteer's) professional, the backup, the
        coordinators; never the volunteer themselves."""
        responsible = link.professional_id if link and link.professional_id else volunteer.responsible_professional_id
        coordinators = [c.id for c in await people.active_with_role(tx, Role.COORDINATOR)]
        ids = levels_for(responsible, volunteer.backup_professional_id, coordinators)
        found = await load_people(tx, [person_id for level in ids for person_id in level])
        return [
            [person for i in level if (person := found.get(i)) is not None and person.active and i != volunteer.id]
            for level in ids
        ]

    def hours(self, person: Person, row: AvailabilityRow | None) -> WorkingHours:
        """The person's working hours in their time zone."""
        days, start, end = hours_of(row, self._settings.escalation)
        return WorkingHours(days=days, start=start, end=end, zone=str(zone_of(person, self._settings)))

    async def candidates(self, tx: Tx, levels: list[list[Person]], now: datetime) -> list[list[Candidate]]:
        rows = await escalations.availability(tx, [p.id for level in levels for p in level])
        return [
            [
                Candidate(
                    person_id=p.id,
                    away=(row := rows.get(p.id)) is not None and row.away_until is not None and row.away_until > now,
                    reachable=not p.unreachable and p.telegram_id is not None,
                    hours=self.hours(p, row),
                )
                for p in level
            ]
            for level in levels
        ]

    async def follow_up_at(self, tx: Tx, escalation: Escalation, holder: Person, now: datetime) -> datetime:
        """When the holder of an item picked up now is asked how it stands."""
        rows = await escalations.availability(tx, [holder.id])
        policy = self._settings.escalation.policy(escalation.urgency)
        return policy.follow_up_at(now, self.hours(holder, rows.get(holder.id)))

    async def load(self, tx: Tx, escalation: Escalation, now: datetime) -> Loaded:
        """Who is on each level now, who was told, and the policy's view of it."""
        volunteer = await people.get(tx, escalation.volunteer_id)
        assert volunteer is not None
        link = await links.get(tx, escalation.link_id) if escalation.link_id else None
        level_people = await self.levels(tx, volunteer, link)
        by_id = {p.id: p for level in level_people for p in level}
        told = await escalations.recipients(tx, escalation.id)
        by_id.update(await load_people(tx, [r.person_id for r in told if r.person_id not in by_id]))
        situation = Situation(
            urgency=escalation.urgency,
            state=escalation.state,
            level=escalation.level,
            levels=await self.candidates(tx, level_people, now),
            told=frozenset(r.person_id for r in told),
            told_at_level=frozenset(r.person_id for r in told if r.level == escalation.level),
        )
        return Loaded(volunteer, by_id, situation, len(level_people) - 1)


def next_level(
    candidates: Sequence[Sequence[Candidate]], by_id: Mapping[int, Person], after: int
) -> tuple[list[Person], int | None]:
    """Who the item goes to if nobody at level `after` picks it up: the next level with someone available."""
    for index in range(after + 1, len(candidates)):
        eligible = [by_id[c.person_id] for c in candidates[index] if c.eligible and c.person_id in by_id]
        if eligible:
            return eligible, index
    return [], None


def covering(candidates: Sequence[Sequence[Candidate]], by_id: Mapping[int, Person], level: int) -> list[Person]:
    """Who is away on the levels before `level`: whoever gets an item at `level` stands in for them."""
    return [by_id[c.person_id] for lv in candidates[: max(level, 0)] for c in lv if c.away and c.person_id in by_id]


def level_of(candidates: Sequence[Sequence[Candidate]], people: Sequence[Person]) -> int:
    """The first level holding one of these people (-1: none)."""
    ids = {p.id for p in people}
    return next((i for i, level in enumerate(candidates) if any(c.person_id in ids for c in level)), -1)


def hours_of(row: AvailabilityRow | None, config: EscalationSettings) -> tuple[frozenset[int], time, time]:
    """Working days, start and end: the person's own (/workhours), else the configured default."""
    if row is None:
        return frozenset(config.work_days), config.work_start, config.work_end
    return row.work_days, row.work_start, row.work_end


async def own_link(tx: Tx, volunteer: Person, link_id: int | None) -> Link | None:
    """The volunteer's own active link, or None for none; anyone else's (a forged button) is refused."""
    if link_id is None:
        return None
    link = await links.get(tx, link_id)
    if link is None or not link.active or link.volunteer_id != volunteer.id:
        raise Refused("button.expired")
    return link
