"""Under-use ("ondervraagd?"): under half the agreed hours for weeks in a row. Shown in the overview, never
alerted; a pure rule beside the wellbeing rules of `bot.domain.wellbeing`, on the same records and the same ground
rules of time (records belong to their period, pauses count for nothing and break every run).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from operator import itemgetter
from typing import NamedTuple

from bot.domain.wellbeing import (
    _EPSILON,
    CheckInRecord,
    _hours,
    _number,
    _order,
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
    history: Sequence[CheckInRecord],
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
    _require_aware(now, "now")
    return _under_use(_known(history, now), agreed_hours_per_week, weeks, ratio)


def _known(history: Sequence[CheckInRecord], now: datetime) -> list[CheckInRecord]:
    """The records up to now in `_order`: sorted by its first two parts, and by all of it only when two records
    tie on those (the same order, cheaper for the overview's many volunteers)."""
    known = sorted((r for r in history if r.at <= now), key=lambda r: (r.belongs_to, r.at))
    if any((a.belongs_to, a.at) == (b.belongs_to, b.at) for a, b in pairwise(known)):
        known.sort(key=_order)
    return known


def _under_use(
    known: list[CheckInRecord], agreed_hours_per_week: float | None, weeks: int, ratio: float
) -> UnderUse | None:
    if weeks < 1 or not 0 < ratio <= 1:
        raise ValueError(f"under-use needs weeks >= 1 and 0 < ratio <= 1, got {weeks!r}, {ratio!r}")
    if agreed_hours_per_week is None or not math.isfinite(agreed_hours_per_week) or agreed_hours_per_week <= 0:
        return None
    if not known or known[-1].paused:
        return None
    end = known[-1].belongs_to
    start = end - timedelta(weeks=weeks)
    inside = [r for r in known if r.belongs_to > start]
    before = [r for r in known if r.belongs_to <= start]
    if not before or before[-1].paused or any(not r.answered for r in inside):
        return None  # the span's start is not told for, or a pause or a miss lies in it
    per_period: dict[datetime, float] = {}  # answers for the same period report its hours together
    for record in inside:
        per_period[record.belongs_to] = per_period.get(record.belongs_to, 0.0) + (record.hours or 0.0)
    previous = before[-1].belongs_to
    for period, hours in per_period.items():
        covered = (period - previous) / timedelta(weeks=1)
        if hours >= ratio * agreed_hours_per_week * covered - _EPSILON:
            return None
        previous = period
    return UnderUse(
        weeks=weeks,
        hours=_number(_hours(inside)),
        agreed=_number(agreed_hours_per_week * weeks),
        checkins=len(inside),
    )


def window_hours(history: Sequence[CheckInRecord], *, now: datetime, days: int) -> float | int:
    """The hours of the answered check-ins whose period lies in the `days` days before now (reaching back over
    paused time, as the window of `evaluate` does): what the overview shows against the agreement."""
    _require_aware(now, "now")
    return _window_hours(_known(history, now), now, days)


def _window_hours(known: list[CheckInRecord], now: datetime, days: int) -> float | int:
    end = max([now, *(r.belongs_to for r in known)])
    since = _reach_back(end, days, _pauses(known))
    return _number(_hours([r for r in known if not r.paused and r.belongs_to > since]))


def overview_figures(
    history: Sequence[CheckInRecord],
    *,
    agreed_hours_per_week: float | None,
    now: datetime,
    days: int,
    weeks: int,
    ratio: float,
) -> tuple[float | int, UnderUse | None]:
    """`window_hours` and `under_use` together, the history put in order once (the overview runs both for
    every volunteer)."""
    _require_aware(now, "now")
    known = _known(history, now)
    return _window_hours(known, now, days), _under_use(known, agreed_hours_per_week, weeks, ratio)


class CheckInFacts(NamedTuple):
    """What `window_hours` and `under_use` read of a check-in, a tuple: the overview and the month's report read
    tens of thousands, and a `CheckInRecord` costs several times as much to build (its checks, its properties).
    `belongs_to` is its period, or its own time when it answers none; `hours` only for an answer."""

    belongs_to: datetime
    at: datetime
    missed: bool
    paused: bool
    hours: float | None

    @property
    def answered(self) -> bool:
        return not self.missed and not self.paused

    def record(self) -> CheckInRecord:
        """The same check-in as the wellbeing rules take it (its period is `belongs_to`: the same moment)."""
        return CheckInRecord(
            at=self.at, missed=self.missed, hours=self.hours, period=self.belongs_to, paused=self.paused
        )


_PERIOD_AND_TIME = itemgetter(0, 1)
_PERIOD = itemgetter(0)
_MISSED = itemgetter(2)
_PAUSED = itemgetter(3)
_WEEK = timedelta(weeks=1)


def _in_order(history: Sequence[CheckInFacts], now: datetime) -> tuple[list[CheckInFacts], bool]:
    """The facts up to now in (period, time) order, and whether that is the rules' whole order (`_order`): it is
    unless two tie on period and time (rare: the same answer time to the microsecond), and then the full rule
    decides."""
    _require_aware(now, "now")
    now = now.astimezone(UTC)  # as the facts' times: comparing times in two zones asks each for its offset
    known = [f for f in history if f.at <= now]
    known.sort(key=_PERIOD_AND_TIME)
    return known, len(set(map(_PERIOD_AND_TIME, known))) == len(known)


def under_use_of_facts(
    history: Sequence[CheckInFacts],
    *,
    agreed_hours_per_week: float | None,
    now: datetime,
    weeks: int = 4,
    ratio: float = 0.5,
) -> UnderUse | None:
    """`under_use` of the same check-ins as facts, with the same result (tests/unit/domain/
    test_under_use_facts.py checks on random histories)."""
    known, ordered = _in_order(history, now)
    if not ordered:
        records = [f.record() for f in known]
        return under_use(records, agreed_hours_per_week=agreed_hours_per_week, now=now, weeks=weeks, ratio=ratio)
    return _under_use_of_facts(known, agreed_hours_per_week, weeks, ratio)


def overview_figures_of_facts(
    history: Sequence[CheckInFacts],
    *,
    agreed_hours_per_week: float | None,
    now: datetime,
    days: int,
    weeks: int,
    ratio: float,
) -> tuple[float | int, UnderUse | None]:
    """`overview_figures` of the same check-ins as facts, with the same results (as `under_use_of_facts`)."""
    known, ordered = _in_order(history, now)
    if not ordered:
        records = [f.record() for f in known]
        agreed = agreed_hours_per_week
        return overview_figures(records, agreed_hours_per_week=agreed, now=now, days=days, weeks=weeks, ratio=ratio)
    end = known[-1].belongs_to if known and known[-1].belongs_to > now else now
    since = _reach_back(end, days, _pauses(known)) if any(map(_PAUSED, known)) else end - timedelta(days=days)
    # In period order the window is the facts after the first one inside it.
    window = known[bisect_right(known, since, key=_PERIOD) :]
    hours = math.fsum([f.hours for f in window if f.hours is not None and not f.missed and not f.paused])
    return _number(hours), _under_use_of_facts(known, agreed_hours_per_week, weeks, ratio)


def _under_use_of_facts(
    known: list[CheckInFacts], agreed_hours_per_week: float | None, weeks: int, ratio: float
) -> UnderUse | None:
    """`_under_use` for facts in the rules' order: the same steps, the same sums in the same order."""
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
    # Facts of one period lie next to each other: their hours are added in `_under_use`'s order.
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
