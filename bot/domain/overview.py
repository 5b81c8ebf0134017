"""The overview's lines and who needs attention first; the figures the talk and the report share. Pure."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import NamedTuple


class Status(StrEnum):
    """What stands in the way of the volunteer being looked after, in order of weight."""

    NO_PROFESSIONAL = "no_professional"
    UNREACHABLE = "unreachable"
    PROFESSIONAL_AWAY = "professional_away"
    PAUSED = "paused"


class VolunteerLine(NamedTuple):
    """One volunteer in the overview. A tuple (as storage.overview.VolunteerRow, for the same reason: the
    overview makes one for every volunteer, and the collector leaves tuples of plain values alone)."""

    id: int
    name: str
    team: str | None
    hours: float | int  # in the last four weeks (by period)
    agreed: float | int | None  # for those four weeks; None: no agreement
    clients: int
    open_items: int
    open_flags: int
    days_since_answer: int | None  # None: never answered
    statuses: tuple[Status, ...]
    under_use: bool

    @property
    def over_agreement(self) -> bool:
        return self.agreed is not None and self.agreed > 0 and self.hours > self.agreed


def statuses(*, professional: bool, unreachable: bool, professional_away: bool, paused: bool) -> tuple[Status, ...]:
    # In Status order, without walking the enum (the overview asks for every volunteer's).
    found = (
        (Status.NO_PROFESSIONAL, not professional),
        (Status.UNREACHABLE, unreachable),
        (Status.PROFESSIONAL_AWAY, professional and professional_away),
        (Status.PAUSED, paused),
    )
    return tuple(status for status, holds in found if holds)


QUIET_DAYS = 21  # no answer for three weeks while not paused: worth a look


def attention(line: VolunteerLine) -> tuple[object, ...]:
    """The sort key: who needs attention first. Open wellbeing flags, then a volunteer nobody looks after or
    nobody can reach, open items, silence (not while paused), under-use and going over the agreement; ties by
    name, so the order is stable."""
    paused = Status.PAUSED in line.statuses
    silent = not paused and (line.days_since_answer is None or line.days_since_answer >= QUIET_DAYS)
    return (
        -line.open_flags,
        Status.NO_PROFESSIONAL not in line.statuses,
        Status.UNREACHABLE not in line.statuses,
        -line.open_items,
        not silent,
        not line.under_use,
        not line.over_agreement,
        Status.PROFESSIONAL_AWAY not in line.statuses,
        line.name.casefold(),
        line.id,
    )


def by_attention(lines: Sequence[VolunteerLine]) -> list[VolunteerLine]:
    return sorted(lines, key=attention)


def percentile(values: Sequence[float], share: float) -> float | None:
    """The `share` (0..1) percentile by linear interpolation between the closest ranks; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = share * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def median(values: Sequence[float]) -> float | None:
    return percentile(values, 0.5)


def hours_between(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds() / 3600


@dataclass(frozen=True)
class Month:
    """A calendar month, `2026-11`."""

    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        """`YYYY-MM`; ValueError otherwise."""
        parts = text.strip().split("-")
        if len(parts) != 2 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
            raise ValueError(f"not a month (YYYY-MM): {text!r}")
        year, month = int(parts[0]), int(parts[1])
        if not 1 <= month <= 12:
            raise ValueError(f"not a month (YYYY-MM): {text!r}")
        return cls(year, month)

    @classmethod
    def of(cls, moment: datetime) -> Month:
        return cls(moment.year, moment.month)

    def previous(self) -> Month:
        return Month(self.year - 1, 12) if self.month == 1 else Month(self.year, self.month - 1)

    def next(self) -> Month:
        return Month(self.year + 1, 1) if self.month == 12 else Month(self.year, self.month + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"
