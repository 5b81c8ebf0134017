"""The figures of the evaluation talk and of the monthly report, from plain records. Pure: time is a parameter."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.overview import Month, hours_between, median, percentile

URGENCIES = ("info", "concern", "urgent", "emergency")


@dataclass(frozen=True)
class ItemFacts:
    """An item as the figures need it."""

    kind: str
    category: str
    urgency: str
    created_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    resolution: str | None
    flags: tuple[str, ...]
    held_since: datetime | None = None
    follow_ups: int = 0


@dataclass(frozen=True)
class MonthHours:
    month: Month
    hours: float
    agreed: float | None  # the agreement for the part of the month inside the span


@dataclass(frozen=True)
class EnergyPoint:
    at: datetime
    energy: int


@dataclass(frozen=True)
class CategoryFigures:
    kind: str  # signal or backup
    category: str
    count: int
    median_pickup_hours: float | None  # None: none picked up yet


@dataclass(frozen=True)
class FlagOutcome:
    raised: datetime
    flags: tuple[str, ...]
    resolved: datetime | None
    resolution: str | None


def local_month(moment: datetime, zone: ZoneInfo) -> Month:
    return Month.of(moment.astimezone(zone))


def month_start(month: Month, zone: ZoneInfo) -> datetime:
    return datetime(month.year, month.month, 1, tzinfo=zone)


def hours_per_month(
    answers: Iterable[tuple[datetime, float]],
    *,
    since: datetime,
    until: datetime,
    agreed_per_week: float | None,
    zone: ZoneInfo,
) -> list[MonthHours]:
    """Hours by the local month of their period, every month the span touches, with the agreement for the part
    of each month inside the span."""
    totals: dict[Month, float] = defaultdict(float)
    for at, hours in answers:
        totals[local_month(at, zone)] += hours
    months: list[MonthHours] = []
    month = local_month(since, zone)
    last = local_month(until, zone)
    while (month.year, month.month) <= (last.year, last.month):
        start = max(month_start(month, zone), since)
        end = min(month_start(month.next(), zone), until)
        agreed = (
            None if agreed_per_week is None else round(agreed_per_week * max(0.0, hours_between(start, end)) / 168, 1)
        )
        months.append(MonthHours(month, round(totals.get(month, 0.0), 2), agreed))
        month = month.next()
    return months


def energy_trend(points: Sequence[EnergyPoint]) -> float | None:
    """The mean of the later half of the answers minus that of the earlier half (None under four answers):
    above 0 rising, below falling."""
    if len(points) < 4:
        return None
    ordered = [p.energy for p in sorted(points, key=lambda p: p.at)]
    half = len(ordered) // 2
    early, late = ordered[:half], ordered[-half:]
    return round(sum(late) / len(late) - sum(early) / len(early), 2)


def pickup_hours(item: ItemFacts) -> float | None:
    return None if item.acknowledged_at is None else hours_between(item.created_at, item.acknowledged_at)


def by_category(items: Iterable[ItemFacts]) -> list[CategoryFigures]:
    """Signals and backup requests per (kind, category), with the median time to pick-up."""
    grouped: dict[tuple[str, str], list[ItemFacts]] = defaultdict(list)
    for item in items:
        if item.kind in ("signal", "backup"):
            grouped[(item.kind, item.category)].append(item)
    figures = []
    for (kind, category), members in sorted(grouped.items()):
        waits = [w for w in (pickup_hours(m) for m in members) if w is not None]
        figures.append(CategoryFigures(kind, category, len(members), _round(median(waits))))
    return figures


def flag_outcomes(items: Iterable[ItemFacts]) -> list[FlagOutcome]:
    return [
        FlagOutcome(i.created_at, i.flags, i.resolved_at, i.resolution)
        for i in sorted(items, key=lambda i: i.created_at)
        if i.kind == "wellbeing"
    ]


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


@dataclass(frozen=True)
class UrgencyPickup:
    urgency: str
    count: int
    p50_hours: float | None
    p90_hours: float | None


def pickup_by_urgency(items: Iterable[ItemFacts]) -> list[UrgencyPickup]:
    """Time to pick-up by urgency over the items picked up (every urgency listed, also without items)."""
    waits: dict[str, list[float]] = {u: [] for u in URGENCIES}
    counts: dict[str, int] = dict.fromkeys(URGENCIES, 0)
    for item in items:
        if item.urgency not in counts:
            continue
        counts[item.urgency] += 1
        if (wait := pickup_hours(item)) is not None:
            waits[item.urgency].append(wait)
    return [
        UrgencyPickup(u, counts[u], _round(percentile(waits[u], 0.5)), _round(percentile(waits[u], 0.9)))
        for u in URGENCIES
    ]


def held_too_long(items: Iterable[ItemFacts], *, follow_up_hours: dict[str, float], now: datetime) -> int:
    """Items held (picked up, not resolved) longer than their urgency's follow-up time, at the end of the month
    or when resolved: one follow-up question already asked counts as too long too."""
    count = 0
    for item in items:
        start = item.held_since or item.acknowledged_at
        limit = follow_up_hours.get(item.urgency)
        if start is None or limit is None:
            continue
        end = min(item.resolved_at or now, now)
        if item.follow_ups > 0 or hours_between(start, end) > limit:
            count += 1
    return count


def month_bounds(month: Month, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """[start, end) of the local month, as aware moments."""
    return month_start(month, zone), month_start(month.next(), zone)


def days_before(day: date, days: int) -> date:
    return day - timedelta(days=days)
