"""The things Samenspel talks about, as plain immutable values."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Role(StrEnum):
    VOLUNTEER = "volunteer"
    PROFESSIONAL = "professional"
    COORDINATOR = "coordinator"


@dataclass(frozen=True)
class Team:
    id: int
    name: str


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    telegram_id: int | None
    roles: frozenset[Role]
    language: str
    team_id: int | None = None
    timezone: str | None = None
    active: bool = True
    unreachable: bool = False
    responsible_professional_id: int | None = None
    backup_professional_id: int | None = None

    def has(self, role: Role) -> bool:
        return role in self.roles

    @property
    def is_volunteer(self) -> bool:
        return Role.VOLUNTEER in self.roles

    @property
    def is_professional(self) -> bool:
        return Role.PROFESSIONAL in self.roles

    @property
    def is_coordinator(self) -> bool:
        return Role.COORDINATOR in self.roles


@dataclass(frozen=True)
class Prepared:
    """What a new volunteer arrives with: their professional and backup, client links and agreement."""

    professional_id: int | None = None
    backup_id: int | None = None
    clients: tuple[str, ...] = ()
    hours_per_week: float | None = None
    contact_times: str = ""

    @property
    def empty(self) -> bool:
        return self.professional_id is None and not self.clients and self.hours_per_week is None


@dataclass(frozen=True)
class Invite:
    id: int
    role: Role
    name: str
    team_id: int | None
    created_by: int | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None
    used_by: int | None = None
    revoked_at: datetime | None = None
    prepared: Prepared = field(default_factory=Prepared)


@dataclass(frozen=True)
class Agreement:
    """What a volunteer and the organisation agreed: hours a week and when clients may make contact."""

    volunteer_id: int
    hours_per_week: float
    contact_times: str


@dataclass(frozen=True)
class Link:
    """A koppeling: a volunteer helps a client (known only by alias), under a responsible professional.

    professional_id None means: whoever is the volunteer's responsible professional at the time.
    """

    id: int
    volunteer_id: int
    client_alias: str
    professional_id: int | None
    active: bool = True


@dataclass(frozen=True)
class Draft:
    """Where a person is in a multi-step conversation; kept in the database so a restart loses nothing."""

    flow: str
    step: str
    data: dict[str, object] = field(default_factory=dict)
