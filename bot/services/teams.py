"""Teams, the coordinator's side: create, rename, remove (only an empty one) and move people between them.

Schedules with audience "team" and `/people` read the team from the person's row, so a move is followed by
the next check-in and the next overview without anything else to update.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.models import Person, Team
from bot.services.base import Service, Trail, coordinators_only
from bot.services.errors import Refused
from bot.services.notify import notify, spoken_list
from storage import checkins, people
from storage.db import Tx

TEAMS = Trail("team")
PERSONS = Trail("person")


@dataclass(frozen=True)
class TeamRoster:
    team: Team
    members: list[Person]


class TeamService(Service):
    async def rosters(self) -> list[TeamRoster]:
        async with self._db.transaction() as tx:
            return [TeamRoster(team, await people.team_members(tx, team.id)) for team in await people.teams(tx)]

    async def roster(self, team_id: int) -> TeamRoster | None:
        async with self._db.transaction() as tx:
            team = await people.team(tx, team_id)
            return None if team is None else TeamRoster(team, await people.team_members(tx, team.id))

    async def create(self, by: Person | None, name: str) -> Team:
        """A new team; a name already in use is refused (the coordinator meant another one)."""
        coordinators_only(by)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            if await people.team_by_name(tx, name) is not None:
                raise Refused("teams.exists", name=name)
            team_id = await people.create_team(tx, name, now)
            await TEAMS.record(tx, now, "team.created", team_id, actor=by.id if by else None)
        return Team(id=team_id, name=name)

    async def rename(self, by: Person | None, team_id: int, name: str) -> tuple[Team, Team]:
        """The team before and after."""
        coordinators_only(by)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            team = await self._team(tx, team_id)
            other = await people.team_by_name(tx, name)
            if other is not None and other.id != team.id:
                raise Refused("teams.exists", name=name)
            await people.rename_team(tx, team.id, name)
            await TEAMS.record(tx, now, "team.renamed", team.id, actor=by.id if by else None)
        return team, Team(id=team.id, name=name)

    async def remove(self, by: Person | None, team_id: int) -> Team:
        """Only an empty team without schedules: the refusal names who is still in it."""
        coordinators_only(by)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            team = await self._team(tx, team_id)
            members = await people.team_members(tx, team.id)
            if members:
                names = spoken_list(by.language if by else "nl", [p.name for p in members])
                raise Refused("teams.not_empty", team=team.name, names=names, count=len(members))
            if schedules := await checkins.team_schedule_count(tx, team.id):
                raise Refused("teams.has_schedules", team=team.name, count=schedules)
            await people.remove_team(tx, team.id, now)
            await TEAMS.record(tx, now, "team.removed", team.id, actor=by.id if by else None)
        return team

    async def move(self, by: Person | None, person_id: int, team_id: int | None) -> tuple[Person, Team | None]:
        """The person now belongs to this team (None: to no team); they hear it."""
        coordinators_only(by)
        now = self._clock.now()
        async with self._db.transaction() as tx:
            person = await people.get(tx, person_id)
            if person is None or not person.active:
                raise Refused("flow.person_gone")
            team = await self._team(tx, team_id) if team_id is not None else None
            if person.team_id == team_id:
                return person, team
            await people.set_team(tx, person.id, team_id)
            await PERSONS.record(tx, now, "person.team", person.id, actor=by.id if by else None, team=team_id)
            if by is None or by.id != person.id:
                key = "teams.moved_notice" if team is not None else "teams.moved_out_notice"
                await notify(tx, person, key, now, team=team.name if team else "")
            moved = await people.get(tx, person.id)
        assert moved is not None
        self._wake()
        return moved, team

    async def _team(self, tx: Tx, team_id: int) -> Team:
        team = await people.team(tx, team_id)
        if team is None:
            raise Refused("teams.gone")
        return team
