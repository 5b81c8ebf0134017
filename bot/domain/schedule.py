"""Check-in schedules and quiet hours: wall-clock maths across daylight-saving changes. Pure functions.

Coordinators think in wall-clock time ("every Monday 19:00" in Europe/Amsterdam), the bot's job
queue thinks in instants. Everything here converts between the two without reading a clock:

* every instant going in must be timezone-aware (ValueError otherwise); every instant coming out is
  UTC-aware;
* a wall time that does not exist (the spring gap: in Amsterdam 02:00-03:00 on the last Sunday of
  March) fires later by the size of the gap, so 02:30 fires at 03:30 local (PEP 495, fold=0);
* a wall time that happens twice (the autumn overlap: 02:00-03:00 on the last Sunday of October)
  fires once, the first time, still in summer time (fold=0).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Europe/Amsterdam"
MAX_EVERY_WEEKS = 8
DEFAULT_ANCHOR = date(2024, 1, 1)

# The longest distance between two fire times is MAX_EVERY_WEEKS weeks of local days; the extra day
# absorbs UTC-offset changes (a DST hour, a spring-gap shift) between the two.
_HORIZON = timedelta(weeks=MAX_EVERY_WEEKS, days=1)
_DAY = timedelta(days=1)


def zone_info(name: str) -> ZoneInfo:
    """The ZoneInfo for an IANA name; ValueError (not KeyError or OSError) when there is none."""
    if not isinstance(name, str):
        raise ValueError(f"a time zone is an IANA name such as {DEFAULT_ZONE!r}, got {name!r}")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError) as exc:
        raise ValueError(f"unknown time zone {name!r}; use an IANA name such as {DEFAULT_ZONE!r}") from exc


def _require_aware(moment: datetime, what: str) -> None:
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be a timezone-aware datetime, got {moment!r}")


def _require_wall_time(value: time, what: str) -> None:
    if not isinstance(value, time) or value.tzinfo is not None:
        raise ValueError(f"{what} must be a naive wall-clock time (the zone is given separately), got {value!r}")


def _wall_exists(naive: datetime, zone: ZoneInfo) -> bool:
    """False for a wall time inside a spring gap: the clock never shows it."""
    back = naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone)
    return back.replace(tzinfo=None) == naive


@dataclass(frozen=True)
class ScheduleRule:
    """Fire at `local_time` (wall clock in `zone`) on each of `weekdays`, every `every_weeks` weeks.

    Weeks run Monday to Sunday. With every_weeks N the rule fires only in weeks whose Monday lies a
    multiple of N weeks from the Monday of `anchor`'s week (before or after it), so the anchor's own
    week always fires. `weekdays` may be any iterable of ints; it is stored as a frozenset.
    """

    weekdays: frozenset[int]
    local_time: time
    zone: str = DEFAULT_ZONE
    every_weeks: int = 1
    anchor: date = DEFAULT_ANCHOR

    def __post_init__(self) -> None:
        try:
            weekdays = frozenset(self.weekdays)
        except TypeError as exc:
            raise ValueError(
                f"weekdays must be a set of numbers 0 (Monday) to 6 (Sunday), got {self.weekdays!r}"
            ) from exc
        if not weekdays:
            raise ValueError("a schedule needs at least one weekday")
        if any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays):
            raise ValueError(f"weekdays must be numbers 0 (Monday) to 6 (Sunday), got {set(weekdays)!r}")
        object.__setattr__(self, "weekdays", weekdays)
        _require_wall_time(self.local_time, "local_time")
        object.__setattr__(self, "local_time", self.local_time.replace(fold=0))
        zone_info(self.zone)
        if (
            isinstance(self.every_weeks, bool)
            or not isinstance(self.every_weeks, int)
            or not 1 <= self.every_weeks <= MAX_EVERY_WEEKS
        ):
            raise ValueError(
                f"every_weeks must be a whole number from 1 to {MAX_EVERY_WEEKS}, got {self.every_weeks!r}"
            )
        if not isinstance(self.anchor, date) or isinstance(self.anchor, datetime):
            raise ValueError(f"anchor must be a date (not a datetime), got {self.anchor!r}")


def week_index(day: date, anchor: date) -> int:
    """Whole weeks from the Monday of `anchor`'s week to the Monday of `day`'s week (negative before)."""
    monday = day - timedelta(days=day.weekday())
    anchor_monday = anchor - timedelta(days=anchor.weekday())
    return (monday - anchor_monday).days // 7


def fires_on(rule: ScheduleRule, day: date) -> bool:
    """Whether the rule fires on this local date (right weekday, right week of the cycle)."""
    return day.weekday() in rule.weekdays and week_index(day, rule.anchor) % rule.every_weeks == 0


def _wall_to_utc(day: date, wall: time, zone: ZoneInfo) -> datetime:
    # fold=0: a gap time uses the offset from before the change (so it lands later by the gap),
    # an ambiguous time uses the first of its two offsets.
    return datetime.combine(day, wall.replace(fold=0), tzinfo=zone).astimezone(UTC)


def local_fire_time(rule: ScheduleRule, day: date) -> datetime:
    """The UTC instant at which `rule.local_time` happens on local date `day` in `rule.zone`.

    Does not check whether the rule fires on `day` (see `fires_on`). A wall time in the spring gap
    moves forward by the gap (02:30 -> 03:30 local); an ambiguous autumn time is the first (summer).
    """
    if not isinstance(day, date) or isinstance(day, datetime):
        raise ValueError(f"day must be a date (not a datetime), got {day!r}")
    return _wall_to_utc(day, rule.local_time, zone_info(rule.zone))


def occurrences(rule: ScheduleRule, start: datetime, end: datetime) -> list[datetime]:
    """All fire times t with start < t <= end, ascending, UTC-aware. Empty when end <= start."""
    _require_aware(start, "start")
    _require_aware(end, "end")
    if end <= start:
        return []
    zone = zone_info(rule.zone)
    # One local day of margin each side: a fire time can land on a neighbouring local date only
    # through a gap shift, and the bounds are checked on the instants anyway.
    day = start.astimezone(zone).date() - _DAY
    last = end.astimezone(zone).date() + _DAY
    found: set[datetime] = set()
    while day <= last:
        if fires_on(rule, day):
            moment = _wall_to_utc(day, rule.local_time, zone)
            if start < moment <= end:
                found.add(moment)
        day += _DAY
    return sorted(found)


def next_occurrence(rule: ScheduleRule, after: datetime) -> datetime:
    """The first fire time strictly after `after` (so a fire time itself gives the following one)."""
    _require_aware(after, "after")
    upcoming = occurrences(rule, after, after + _HORIZON)
    if not upcoming:  # pragma: no cover - a valid rule fires at least once in every horizon
        raise RuntimeError(f"no fire time within {_HORIZON} after {after.isoformat()} for {rule!r}")
    return upcoming[0]


def previous_occurrence(rule: ScheduleRule, at_or_before: datetime) -> datetime | None:
    """The last fire time t <= at_or_before, looking back at most MAX_EVERY_WEEKS weeks and a day.

    That window always holds a fire time for a valid rule; None is the answer only if it does not.
    """
    _require_aware(at_or_before, "at_or_before")
    earlier = occurrences(rule, at_or_before - _HORIZON, at_or_before)
    return earlier[-1] if earlier else None


@dataclass(frozen=True)
class QuietHours:
    """Wall-clock span with no messages: from `start` (included) to `end` (excluded).

    When start > end the span wraps past midnight (21:00-08:00); start == end means no quiet hours.
    """

    start: time = time(21, 0)
    end: time = time(8, 0)

    def __post_init__(self) -> None:
        _require_wall_time(self.start, "start")
        _require_wall_time(self.end, "end")

    @property
    def enabled(self) -> bool:
        return self.start != self.end

    def covers(self, wall: time) -> bool:
        """Whether a local wall-clock time falls in the quiet span."""
        if self.start == self.end:
            return False
        if self.start < self.end:
            return self.start <= wall < self.end
        return wall >= self.start or wall < self.end


def in_quiet_hours(moment: datetime, quiet: QuietHours, zone: str) -> bool:
    """Whether the local wall clock in `zone` at `moment` shows a quiet time (start <= t < end)."""
    _require_aware(moment, "moment")
    wall = moment.astimezone(zone_info(zone)).time()
    return quiet.covers(wall)


def after_quiet_hours(moment: datetime, quiet: QuietHours, zone: str) -> datetime:
    """`moment` (in UTC) if it is not in quiet hours, else the UTC instant the quiet span ends.

    The span ends when the local clock first shows `quiet.end` after `moment`: on the same local
    date, or the next one when the span wraps midnight and `moment` is before it. On a spring-gap
    night where `end` does not exist, the span ends at the jump itself (03:00 local for an end of
    02:30 in Amsterdam): from then on the clock shows a later time. When `end` happens twice in
    autumn it is the first one, unless `moment` is already past it (then the repeated one).
    The result is never in quiet hours and every instant from `moment` up to it is.
    """
    _require_aware(moment, "moment")
    tz = zone_info(zone)
    local = moment.astimezone(tz)
    if not quiet.covers(local.time()):
        return moment.astimezone(UTC)
    day = local.date()
    if quiet.start > quiet.end and local.time() >= quiet.start:
        day += _DAY
    return _clock_reaches(day, quiet.end, tz, moment)


def _clock_reaches(day: date, wall: time, zone: ZoneInfo, after: datetime) -> datetime:
    """The first UTC instant after `after` at which the clock on local `day` shows `wall` or later."""
    naive = datetime.combine(day, wall.replace(fold=0))
    first = naive.replace(tzinfo=zone, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=zone, fold=1).astimezone(UTC)
    if _wall_exists(naive, zone):
        return first if first > after else second
    # Spring gap: fold=1 gives an instant before the jump, fold=0 one after it. Bisect on whole
    # seconds (tzdata transitions are on whole seconds) for the first instant the clock is past `wall`.
    base = second.replace(microsecond=0)
    low, high = 0, int((first - base).total_seconds()) + 1
    while high - low > 1:
        mid = (low + high) // 2
        if (base + timedelta(seconds=mid)).astimezone(zone).replace(tzinfo=None) >= naive:
            high = mid
        else:
            low = mid
    return base + timedelta(seconds=high)


def next_daily_run(after: datetime, hour: int, zone: ZoneInfo) -> datetime:
    """The first moment strictly after `after` when the local clock in `zone` shows `hour`:00 (UTC).

    A daily job at 02:00 on the spring-forward day runs at 03:00, once; on the autumn day, once (the first).
    """
    _require_aware(after, "after")
    wall = time(hour, 0)
    local_day = after.astimezone(zone).date()
    for offset in range(3):
        moment = _clock_reaches(local_day + timedelta(days=offset), wall, zone, after)
        if moment > after and moment.astimezone(zone).date() == local_day + timedelta(days=offset):
            return moment
    raise AssertionError("unreachable: a local hour occurs within three days")
