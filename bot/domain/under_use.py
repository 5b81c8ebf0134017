"""Under-use ("ondervraagd?"): under half the agreed hours for weeks in a row. Shown in the overview, never
alerted; a pure rule beside the wellbeing rules of `bot.domain.wellbeing`, on the same records and the same ground
rules of time (records belong to their period, pauses count for nothing and break every run).

The rules run on `CheckInFacts`, the five things they read of a check-in, as a tuple: the overview and the
month's report read tens of thousands of check-ins, and a `CheckInRecord` costs several times as much to build
(`CheckInFacts.of` reads a record's).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import NamedTuple

from bot.domain.wellbeing import (
    _EPSILON,
    CheckInRecord,
    _number,
    _optional,
    _pauses,
    _reach_back,
    _require_aware,
)


@dataclass(frozen=True)
class UnderUse:
    """Under-use found: the hours of the check-ins covering the last `weeks` weeks against the agreement."""

    weeks: int
    hours: float | int
    agreed: float | int
    checkins: int


def under_use(
    history: Sequence[CheckInFacts],
    *,
    agreed_hours_per_week: float | None,
    now: datetime,
    weeks: int = 4,
    ratio: float = 0.5,
) -> UnderUse | None:
    """UNDER-USE ("ondervraagd?"): under `ratio` of the agreed hours for `weeks` weeks in a row. Not an alert:
    the overview shows it, so that a coordinator can ask whether the volunteer wants more to do.

    The same ground rules of time as `evaluate` (module docstring): records belong to their period, records
    after `now` are ignored, paused records count for nothing and "in a row" never reaches over a pause. The
    span is the `weeks` weeks up to the latest known record's period (the latest check-ins, however old), and
    every one of them must be told for:

    * a record (of any kind but paused) belongs at or before the span's start, so the span's first answer
      reports time that lies inside it, and no pause lies in the span or at its start;
    * every record in the span is answered: a missed check-in leaves its hours unknown, so no verdict;
    * each answer reports hours for the time since the record before it (a check-in every two weeks covers
      two weeks), and each is under `ratio` times the agreement for that time (strictly: exactly at the ratio
      is not under).

    Needs an agreement of more than 0 hours. Evidence: the span's weeks, hours and agreed hours, answers.
    """
    return _under_use(_in_order(history, _utc(now)), agreed_hours_per_week, weeks, ratio)


def overview_figures(
    history: Sequence[CheckInFacts],
    *,
    agreed_hours_per_week: float | None,
    now: datetime,
    days: int,
    weeks: int,
    ratio: float,
) -> tuple[float | int, UnderUse | None]:
    """The hours of the answered check-ins whose period lies in the `days` days before now (reaching back over
    paused time, as the window of `evaluate` does: what the overview shows against the agreement), and
    `under_use`, the history put in order once (the overview runs both for every volunteer)."""
    now = _utc(now)
    known = _in_order(history, now)
    return _window_hours(known, now, days), _under_use(known, agreed_hours_per_week, weeks, ratio)


class CheckInFacts(NamedTuple):
    """What the rules read of a check-in. `belongs_to` is its period, or its own time when it answers none;
    `hours` only for an answer."""

    belongs_to: datetime
    at: datetime
    missed: bool
    paused: bool
    hours: float | None

    @classmethod
    def of(cls, record: CheckInRecord) -> CheckInFacts:
        return cls(
            record.belongs_to, record.at, record.missed, record.paused, record.hours if record.answered else None
        )


_PERIOD_AND_TIME = itemgetter(0, 1)
_PERIOD = itemgetter(0)
_MISSED = itemgetter(2)
_PAUSED = itemgetter(3)
_WEEK = timedelta(weeks=1)


def _utc(now: datetime) -> datetime:
    _require_aware(now, "now")
    return now.astimezone(UTC)  # as the facts' times: comparing times in two zones asks each for its offset


def _in_order(history: Sequence[CheckInFacts], now: datetime) -> list[CheckInFacts]:
    """The facts up to now (UTC) in the wellbeing rules' order (`bot.domain.wellbeing._order`) as far as these
    rules can tell facts apart: by period and time, and where two tie on those (rare: the same answer time to
    the microsecond) by the rest, so that input order cannot matter. Sorting by all five only on a tie is the
    same order, cheaper."""
    known = [f for f in history if f.at <= now]
    known.sort(key=_PERIOD_AND_TIME)
    if len(set(map(_PERIOD_AND_TIME, known))) != len(known):
        known.sort(key=_whole_order)
    return known


def _whole_order(fact: CheckInFacts) -> tuple[object, ...]:
    return (fact.belongs_to, fact.at, fact.missed, fact.paused, _optional(fact.hours))


def _window_hours(known: list[CheckInFacts], now: datetime, days: int) -> float | int:
    """The hours answered for periods in the `days` days up to now or the latest period, paused time not
    counted (as the window of `evaluate`)."""
    end = known[-1].belongs_to if known and known[-1].belongs_to > now else now
    since = _reach_back(end, days, _pauses(known)) if any(map(_PAUSED, known)) else end - timedelta(days=days)
    # In period order the window is the facts after the first one inside it.
    window = known[bisect_right(known, since, key=_PERIOD) :]
    return _number(math.fsum([f.hours for f in window if f.hours is not None and not f.missed and not f.paused]))


def _under_use(
    known: list[CheckInFacts], agreed_hours_per_week: float | None, weeks: int, ratio: float
) -> UnderUse | None:
    """The rule of `under_use` on facts in the rules' order (`_in_order`)."""
    if weeks < 1 or not 0 < ratio <= 1:
        raise ValueError(f"under-use needs weeks >= 1 and 0 < ratio <= 1, got {weeks!r}, {ratio!r}")
    if agreed_hours_per_week is None or not math.isfinite(agreed_hours_per_week) or agreed_hours_per_week <= 0:
        return None
    if not known:
        return None
    first = bisect_right(known, known[-1].belongs_to - timedelta(weeks=weeks), key=_PERIOD)
    if first == 0 or known[first - 1].paused:
        return None  # the span's start is not told for, or a pause lies at it
    inside = known[first:]
    if any(map(_MISSED, inside)) or any(map(_PAUSED, inside)):
        return None  # a miss or a pause lies in the span (the latest record among them)
    limit = ratio * agreed_hours_per_week
    previous = known[first - 1].belongs_to
    # Facts of one period lie next to each other (period order): answers for the same period report its hours
    # together.
    period, hours = inside[0].belongs_to, 0.0
    for fact in inside:
        if fact.belongs_to != period:
            if hours >= limit * ((period - previous) / _WEEK) - _EPSILON:
                return None
            previous, period, hours = period, fact.belongs_to, 0.0
        hours += fact.hours or 0.0
    if hours >= limit * ((period - previous) / _WEEK) - _EPSILON:
        return None
    return UnderUse(
        weeks=weeks,
        hours=_number(math.fsum([f.hours for f in inside if f.hours is not None])),
        agreed=_number(agreed_hours_per_week * weeks),
        checkins=len(inside),
    )
