"""Rules that watch over a volunteer: too many hours, blurred boundaries, low energy. Pure functions.

After each check-in (and when one is missed) the bot hands a volunteer's recent history to
`evaluate`, which returns what deserves a gentle word, each with the numbers behind it. What each rule
means for a coordinator is in docs/wellbeing.md.

Common ground for every rule:

* `now` and every record's times are timezone-aware (ValueError otherwise); `now` is a parameter,
  never read from a clock.
* A record belongs to its period: the due time of the scheduled check-in it answers (`period`), however
  early or late it was answered. One that answers no scheduled check-in belongs to its own time `at`.
* History may come in any order: it is put in the order of the periods, then of `at`, then of the
  answers themselves (a total order), so the order records arrive in never changes the result.
* Records with `at` after `now` are ignored everywhere: they had not happened yet at `now`. An early
  answer (`at` before now, its period still ahead) is known.
* Paused records (the volunteer had paused check-ins with /pause, so the check-in did not ask them) are
  neither answered nor missed: no rule counts them. Each one's pause runs from the period of the record
  before it to its own period (one with nothing before it: as long as the gap to the record after it).
* Windows end at `now`, or at the latest known period when that lies ahead (an early answer). A window
  of N days holds the records whose period lies in the N days before its end, paused time not
  counted: the window reaches back over every pause. A record exactly N unpaused days old is out.
* "In a row" never reaches over a pause, and the first answer after a pause is not compared with the
  answers before it.
* "The latest" rules look at the newest records up to `now`, however old; they are not bounded by
  the window. "Answered" means neither missed nor paused. The answer fields of other records are
  ignored.
* Limits are strict: a value exactly at a threshold ratio does not fire. Hour sums are compared
  with a tolerance of 1e-9 hours, so float rounding (0.1 + 0.2) cannot push "exactly at" over.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain.schedule import zone_info

ENERGY_MIN = 1
ENERGY_MAX = 5
# Strong answers: one such check-in is enough to alert, without waiting for a repeat.
STRONG_LOW_ENERGY = ENERGY_MIN  # energy this low (or lower)
_EPSILON = 1e-9


@dataclass(frozen=True)
class WellbeingThresholds:
    """Tunable limits (TOML `[wellbeing]`). Validated on creation: ValueError with the field name."""

    window_days: int = 28
    rolling_hours_ratio: float = 1.25
    single_week_ratio: float = 2.0
    boundary_repeat: int = 2
    private_life_repeat: int = 2
    low_energy: int = 2
    low_energy_in_a_row: int = 2
    energy_drop: float = 2.0  # how far below the lowest of the volunteer's own recent answers
    energy_range_days: int = 56  # how far back those recent answers reach (paused time not counted)
    energy_range_answers: int = 3  # the fewest earlier answers that make up a range of one's own
    missed_in_a_row: int = 2

    def __post_init__(self) -> None:
        for item in fields(self):
            value = getattr(self, item.name)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"wellbeing.{item.name} must be a number, got {value!r}")
            if item.type in ("int", int) and not isinstance(value, int):
                raise ValueError(f"wellbeing.{item.name} must be a whole number, got {value!r}")
            if not math.isfinite(value):
                raise ValueError(f"wellbeing.{item.name} must be finite, got {value!r}")
        counts = (
            "window_days",
            "boundary_repeat",
            "private_life_repeat",
            "low_energy_in_a_row",
            "energy_range_days",
            "energy_range_answers",
            "missed_in_a_row",
        )
        for name in counts:
            if getattr(self, name) < 1:
                raise ValueError(f"wellbeing.{name} must be at least 1, got {getattr(self, name)!r}")
        for name in ("rolling_hours_ratio", "single_week_ratio"):
            if getattr(self, name) <= 0:
                raise ValueError(f"wellbeing.{name} must be above 0, got {getattr(self, name)!r}")
        if not ENERGY_MIN <= self.low_energy <= ENERGY_MAX:
            raise ValueError(f"wellbeing.low_energy must be {ENERGY_MIN} to {ENERGY_MAX}, got {self.low_energy!r}")
        if self.energy_drop <= 0:
            raise ValueError(f"wellbeing.energy_drop must be above 0, got {self.energy_drop!r}")


DEFAULT_THRESHOLDS = WellbeingThresholds()


class ContactOutside(StrEnum):
    NO = "no"
    ONCE = "once"
    SEVERAL = "several"


def _require_aware(moment: datetime | None, what: str) -> None:
    if type(moment) is datetime and moment.tzinfo is UTC:
        return  # the common case (times as stored), checked cheaply: the overview builds many records
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware, got {moment!r}")


@dataclass(frozen=True)
class CheckInRecord:
    """One check-in: answered at `at`, missed (then `at` is when it closed), or paused (the volunteer had
    paused check-ins, so it did not ask them; `at` is when it was set aside). Only answered records have
    answers: the answer fields of the others are ignored.

    `period` is when the check-in it answers was due (the scheduled occurrence; for an answer given early,
    the one it counts for); None when it answers none, and then it belongs to `at`. `hours` are the hours
    volunteered since the previous check-in (None: not answered, counts as 0); `energy` is 1 (empty) to
    5 (full). Other None answers mean "not asked / skipped".
    """

    at: datetime
    missed: bool = False
    hours: float | None = None
    energy: int | None = None
    contact_outside: ContactOutside | None = None
    private_life: bool | None = None
    beyond_role: bool | None = None
    period: datetime | None = None
    paused: bool = False

    def __post_init__(self) -> None:
        _require_aware(self.at, "a check-in's time")
        if self.period is not None:
            _require_aware(self.period, "a check-in's period")
        if self.missed and self.paused:
            raise ValueError("a check-in is missed or paused, not both")
        hours = self.hours
        # The usual values pass the first test; anything else gets the full one.
        if (
            hours is not None
            and not (type(hours) is float and 0 <= hours < math.inf)
            and (
                isinstance(self.hours, bool)
                or not isinstance(self.hours, int | float)
                or not math.isfinite(self.hours)
                or self.hours < 0
            )
        ):
            raise ValueError(f"hours must be a finite number of 0 or more, got {self.hours!r}")
        energy = self.energy
        if (
            energy is not None
            and not (type(energy) is int and ENERGY_MIN <= energy <= ENERGY_MAX)
            and (
                isinstance(self.energy, bool)
                or not isinstance(self.energy, int)
                or not ENERGY_MIN <= self.energy <= ENERGY_MAX
            )
        ):
            raise ValueError(f"energy must be a whole number {ENERGY_MIN} to {ENERGY_MAX}, got {self.energy!r}")
        if self.contact_outside is not None:
            object.__setattr__(self, "contact_outside", ContactOutside(self.contact_outside))

    @property
    def belongs_to(self) -> datetime:
        """The moment this record counts at: its period, or its own time when it answers no scheduled one."""
        return self.at if self.period is None else self.period

    @property
    def answered(self) -> bool:
        return not self.missed and not self.paused


class Flag(StrEnum):
    TIME_OVERLOAD = "time_overload"
    BOUNDARIES = "boundaries"
    PRIVATE_LIFE = "private_life"
    COMPETENCE = "competence"
    ENERGY = "energy"
    MISSED = "missed"


Evidence = dict[str, float | int | str]


@dataclass(frozen=True)
class Finding:
    """A flag and the recent numbers behind it, for a message in plain words."""

    flag: Flag
    evidence: Evidence = field(default_factory=dict)


def _optional(value: object) -> tuple[int, object]:
    """None before any value, for a sort key."""
    return (0, 0) if value is None else (1, value)


def _order(record: CheckInRecord) -> tuple[object, ...]:
    """A total order: records that tie on it are equal for every rule, so input order cannot matter."""
    contact = None if record.contact_outside is None else record.contact_outside.value
    return (
        record.belongs_to,
        record.at,
        record.missed,
        record.paused,
        _optional(record.hours),
        _optional(record.energy),
        _optional(contact),
        _optional(record.private_life),
        _optional(record.beyond_role),
    )


@dataclass(frozen=True)
class _History:
    """The records known at `now` in order (paused ones too), and where the window and the energy range
    begin (each reaching back over the paused time)."""

    known: list[CheckInRecord]
    window_since: datetime
    range_since: datetime

    @property
    def window(self) -> list[CheckInRecord]:
        """The answered and missed records in the window."""
        return [r for r in self.known if not r.paused and r.belongs_to > self.window_since]

    @property
    def latest_answered(self) -> CheckInRecord | None:
        return next((r for r in reversed(self.known) if r.answered), None)


class Placed(Protocol):
    """What `_pauses` reads of a record: a CheckInRecord, or the lighter facts of bot.domain.under_use."""

    @property
    def belongs_to(self) -> datetime: ...

    @property
    def paused(self) -> bool: ...


def _pauses(known: Sequence[Placed]) -> list[tuple[datetime, datetime]]:
    """The paused time: each paused record's, from the record before it to its own period, merged."""
    spans: list[tuple[datetime, datetime]] = []
    for i, record in enumerate(known):
        if not record.paused:
            continue
        end = record.belongs_to
        if i > 0:
            start = known[i - 1].belongs_to
        else:  # nothing before it: as long as the gap to the record after it
            start = end - (known[1].belongs_to - end if len(known) > 1 else timedelta(0))
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(spans[-1][1], end))
        elif start < end:
            spans.append((start, end))
    return spans


def _reach_back(end: datetime, days: int, pauses: Iterable[tuple[datetime, datetime]]) -> datetime:
    """The start of a window of `days` days ending at `end`, paused time not counted. `pauses` are
    (start, end) spans, oldest first, not overlapping."""
    remaining = timedelta(days=days)
    cursor = end
    for start, stop in reversed([span for span in pauses if span[0] < end]):
        gap = cursor - min(stop, cursor)
        if gap >= remaining:
            break
        remaining -= gap
        cursor = min(start, cursor)
    return cursor - remaining


def evaluate(
    history: Sequence[CheckInRecord],
    *,
    agreed_hours_per_week: float | None,
    now: datetime,
    zone: str,
    thresholds: WellbeingThresholds = DEFAULT_THRESHOLDS,
) -> list[Finding]:
    """Every rule that fires for this history at `now`: at most one Finding per flag, in Flag order.

    `zone` is the volunteer's IANA time zone, used for ISO weeks. See the module docstring for the
    ground rules and each `_check_*` function for its rule.
    """
    _require_aware(now, "now")
    tz = zone_info(zone)
    known = sorted((r for r in history if r.at <= now), key=_order)
    end = max([now, *(r.belongs_to for r in known)])
    pauses = _pauses(known)
    data = _History(
        known=known,
        window_since=_reach_back(end, thresholds.window_days, pauses),
        range_since=_reach_back(end, thresholds.energy_range_days, pauses),
    )
    checks = {
        Flag.TIME_OVERLOAD: _check_time(data, agreed_hours_per_week, tz, thresholds),
        Flag.BOUNDARIES: _check_boundaries(data, thresholds),
        Flag.PRIVATE_LIFE: _check_private_life(data, thresholds),
        Flag.COMPETENCE: _check_competence(data, thresholds),
        Flag.ENERGY: _check_energy(data, thresholds),
        Flag.MISSED: _check_missed(data, thresholds),
    }
    return [Finding(flag, evidence) for flag in Flag if (evidence := checks[flag]) is not None]


def _hours(records: Sequence[CheckInRecord]) -> float:
    return math.fsum(r.hours for r in records if r.answered and r.hours is not None)


def _number(value: float) -> float | int:
    """4.0 -> 4 and 2.499999999 -> 2.5, so evidence reads well in a message."""
    rounded = round(float(value), 2)
    return int(rounded) if rounded.is_integer() else rounded


def _check_time(data: _History, agreed: float | None, zone: ZoneInfo, limits: WellbeingThresholds) -> Evidence | None:
    """TIME_OVERLOAD: more hours than agreed, over the window or in one week. Needs agreed > 0.

    Hours count for their period, not for when they were given. Fires when the window's hours >
    rolling_hours_ratio * agreed * window_days / 7 (evidence: window_hours, agreed_hours for the window,
    weeks), else when the periods of one ISO week, taken in the volunteer's zone, have > single_week_ratio
    * agreed hours (evidence: week_hours, agreed_weekly, week as "2026-W47", until as the local date of the
    week's latest period, "2026-11-20", checkins: how many answers; the heaviest week, the latest on a tie).
    A week only partly inside the window counts only its records inside the window. Missed records and
    unanswered hours add 0.
    """
    if agreed is None or not math.isfinite(agreed) or agreed <= 0:
        return None
    weeks = limits.window_days / 7
    window_hours = _hours(data.window)
    if window_hours > limits.rolling_hours_ratio * agreed * weeks + _EPSILON:
        return {
            "window_hours": _number(window_hours),
            "agreed_hours": _number(agreed * weeks),
            "weeks": _number(weeks),
        }
    per_week: dict[tuple[int, int], list[CheckInRecord]] = {}
    for record in data.window:
        iso = record.belongs_to.astimezone(zone).isocalendar()
        per_week.setdefault((iso.year, iso.week), []).append(record)
    totals = sorted(((_hours(records), key) for key, records in per_week.items()), reverse=True)
    if totals and totals[0][0] > limits.single_week_ratio * agreed + _EPSILON:
        week_hours, (year, week) = totals[0]
        records = per_week[(year, week)]
        return {
            "week_hours": _number(week_hours),
            "agreed_weekly": _number(agreed),
            "week": f"{year}-W{week:02d}",
            "until": records[-1].belongs_to.astimezone(zone).date().isoformat(),
            "checkins": sum(1 for r in records if r.answered),
        }
    return None


def _check_boundaries(data: _History, limits: WellbeingThresholds) -> Evidence | None:
    """BOUNDARIES: contact outside the agreed times.

    Fires when the latest answered record says "several", or when records in the window saying
    "once" or "several" number at least boundary_repeat. Evidence: count (in the window), days;
    plus latest="several" when the latest answer says so. A latest answer that skipped the
    question (None) does not look further back.
    """
    count = sum(
        1 for r in data.window if r.answered and r.contact_outside in (ContactOutside.ONCE, ContactOutside.SEVERAL)
    )
    latest = data.latest_answered
    latest_several = latest is not None and latest.contact_outside is ContactOutside.SEVERAL
    if not latest_several and count < limits.boundary_repeat:
        return None
    evidence: Evidence = {"count": count, "days": limits.window_days}
    if latest_several:
        evidence["latest"] = ContactOutside.SEVERAL.value
    return evidence


def _check_private_life(data: _History, limits: WellbeingThresholds) -> Evidence | None:
    """PRIVATE_LIFE: "it touched my private life" at least private_life_repeat times in the window, or once
    in the latest answered record together with contact outside the agreed times "several" (a strong
    answer; evidence then also has strong=1)."""
    count = sum(1 for r in data.window if r.answered and r.private_life is True)
    latest = data.latest_answered
    strong = latest is not None and latest.private_life is True and latest.contact_outside is ContactOutside.SEVERAL
    if count < limits.private_life_repeat and not strong:
        return None
    evidence: Evidence = {"count": count, "days": limits.window_days}
    if strong:
        evidence["strong"] = 1
    return evidence


def _check_competence(data: _History, limits: WellbeingThresholds) -> Evidence | None:
    """COMPETENCE: the latest answered record says the volunteer did things beyond their role.

    Evidence: count of such answers in the window (at least 1 unless the latest is older), days.
    """
    latest = data.latest_answered
    if latest is None or latest.beyond_role is not True:
        return None
    count = sum(1 for r in data.window if r.answered and r.beyond_role is True)
    return {"count": count, "days": limits.window_days}


@dataclass(frozen=True)
class _Rated:
    """An answer with an energy value, and whether a pause came between it and the rated answer before."""

    record: CheckInRecord
    energy: int
    after_pause: bool


def _rated(known: Sequence[CheckInRecord]) -> list[_Rated]:
    rated: list[_Rated] = []
    paused = False
    for record in known:
        if record.paused:
            paused = True
        elif record.answered and record.energy is not None:
            rated.append(_Rated(record, record.energy, after_pause=paused and bool(rated)))
            paused = False
    return rated


def _check_energy(data: _History, limits: WellbeingThresholds) -> Evidence | None:
    """ENERGY: low energy for a while, a drop that is unusual for this volunteer, or energy 1.

    Only answered records with an energy value take part; missed records and skipped energy
    questions are passed over (they neither break nor extend a run, and are never "low"); a pause
    breaks a run. Fires when the latest low_energy_in_a_row such records, with no pause between them,
    all have energy <= low_energy (evidence: latest, previous [when in_a_row >= 2], in_a_row), else
    when the latest energy <= the lowest of the volunteer's own earlier energies in the range
    (energy_range_days back, reaching over pauses) - energy_drop, with at least energy_range_answers
    earlier ones and no pause just before the latest (evidence: latest, lowest, highest, answers), else
    when the latest energy alone is <= STRONG_LOW_ENERGY (a strong answer; evidence: latest, strong=1).
    The run is not bounded by the window; the range is.
    """
    rated = _rated(data.known)
    if not rated:
        return None
    latest = rated[-1]
    run = rated[-limits.low_energy_in_a_row :]
    if (
        len(run) == limits.low_energy_in_a_row
        and all(r.energy <= limits.low_energy for r in run)
        and not any(r.after_pause for r in run[1:])
    ):
        evidence: Evidence = {"latest": latest.energy}
        if len(run) >= 2:
            evidence["previous"] = run[-2].energy
        evidence["in_a_row"] = len(run)
        return evidence
    earlier = [r.energy for r in rated[:-1] if r.record.belongs_to > data.range_since]
    if (
        not latest.after_pause
        and len(earlier) >= limits.energy_range_answers
        and latest.energy <= min(earlier) - limits.energy_drop + _EPSILON
    ):
        return {"latest": latest.energy, "lowest": min(earlier), "highest": max(earlier), "answers": len(earlier)}
    if latest.energy <= STRONG_LOW_ENERGY:
        return {"latest": latest.energy, "strong": 1}
    return None


def _check_missed(data: _History, limits: WellbeingThresholds) -> Evidence | None:
    """MISSED: the latest missed_in_a_row records were all missed, with no pause between them. Evidence:
    missed (the whole run)."""
    run = 0
    for record in reversed(data.known):
        if not record.missed:
            break
        run += 1
    if run < limits.missed_in_a_row:
        return None
    return {"missed": run}
