"""Rules that watch over a volunteer: too many hours, blurred boundaries, low energy. Pure functions.

After each check-in (and when one is missed) the bot hands a volunteer's recent history to
`evaluate`, which returns what deserves a gentle word, each with the numbers behind it.

Common ground for every rule:

* `now` and every record's `at` are timezone-aware (ValueError otherwise); `now` is a parameter,
  never read from a clock.
* History may come in any order; it is sorted by `at` (stable, so ties keep their input order).
* Records after `now` are ignored everywhere: they had not happened yet at `now`.
* Window rules count records with `at` in (now - window_days, now]: a record exactly window_days
  old is out, one at `now` is in.
* "The latest" rules look at the newest records up to `now`, however old; they are not bounded by
  the window. "Answered" means not missed. The answer fields of a missed record are ignored.
* Limits are strict: a value exactly at a threshold ratio does not fire. Hour sums are compared
  with a tolerance of 1e-9 hours, so float rounding (0.1 + 0.2) cannot push "exactly at" over.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from datetime import datetime, timedelta
from enum import StrEnum
from statistics import fmean
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
    energy_drop: float = 2.0
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


@dataclass(frozen=True)
class CheckInRecord:
    """One check-in: answered at `at`, or missed (then `at` is when it closed, and answers are ignored).

    `hours` are the hours volunteered since the previous check-in (None: not answered, counts as 0);
    `energy` is 1 (empty) to 5 (full). Other None answers mean "not asked / skipped".
    """

    at: datetime
    missed: bool = False
    hours: float | None = None
    energy: int | None = None
    contact_outside: ContactOutside | None = None
    private_life: bool | None = None
    beyond_role: bool | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.at, datetime) or self.at.tzinfo is None or self.at.utcoffset() is None:
            raise ValueError(f"a check-in's time must be timezone-aware, got {self.at!r}")
        if self.hours is not None and (
            isinstance(self.hours, bool)
            or not isinstance(self.hours, int | float)
            or not math.isfinite(self.hours)
            or self.hours < 0
        ):
            raise ValueError(f"hours must be a finite number of 0 or more, got {self.hours!r}")
        if self.energy is not None and (
            isinstance(self.energy, bool)
            or not isinstance(self.energy, int)
            or not ENERGY_MIN <= self.energy <= ENERGY_MAX
        ):
            raise ValueError(f"energy must be a whole number {ENERGY_MIN} to {ENERGY_MAX}, got {self.energy!r}")
        if self.contact_outside is not None:
            object.__setattr__(self, "contact_outside", ContactOutside(self.contact_outside))


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


@dataclass(frozen=True)
class _History:
    """The records known at `now`, oldest first; the window is the tail from `window_start` on."""

    known: list[CheckInRecord]
    window_start: int

    @property
    def window(self) -> list[CheckInRecord]:
        return self.known[self.window_start :]

    @property
    def answered(self) -> list[CheckInRecord]:
        return [r for r in self.known if not r.missed]

    @property
    def latest_answered(self) -> CheckInRecord | None:
        answered = self.answered
        return answered[-1] if answered else None


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
    if not isinstance(now, datetime) or now.tzinfo is None or now.utcoffset() is None:
        raise ValueError(f"now must be timezone-aware, got {now!r}")
    tz = zone_info(zone)
    known = sorted((r for r in history if r.at <= now), key=lambda r: r.at)
    since = now - timedelta(days=thresholds.window_days)
    window_start = next((i for i, r in enumerate(known) if r.at > since), len(known))
    data = _History(known=known, window_start=window_start)
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
    return math.fsum(r.hours for r in records if not r.missed and r.hours is not None)


def _number(value: float) -> float | int:
    """4.0 -> 4 and 2.499999999 -> 2.5, so evidence reads well in a message."""
    rounded = round(value, 2)
    return int(rounded) if rounded.is_integer() else rounded


def _check_time(data: _History, agreed: float | None, zone: ZoneInfo, limits: WellbeingThresholds) -> Evidence | None:
    """TIME_OVERLOAD: more hours than agreed, over the window or in one week. Needs agreed > 0.

    Fires when the window's hours > rolling_hours_ratio * agreed * window_days / 7 (evidence:
    window_hours, agreed_hours for the window, weeks), else when one ISO week, taken in the
    volunteer's zone, has > single_week_ratio * agreed hours (evidence: week_hours, agreed_weekly,
    week as "2026-W47"; the heaviest week, the latest on a tie). A week only partly inside the
    window counts only its records inside the window. Missed records and unanswered hours add 0.
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
        iso = record.at.astimezone(zone).isocalendar()
        per_week.setdefault((iso.year, iso.week), []).append(record)
    totals = sorted(((_hours(records), key) for key, records in per_week.items()), reverse=True)
    if totals and totals[0][0] > limits.single_week_ratio * agreed + _EPSILON:
        week_hours, (year, week) = totals[0]
        return {
            "week_hours": _number(week_hours),
            "agreed_weekly": _number(agreed),
            "week": f"{year}-W{week:02d}",
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
        1 for r in data.window if not r.missed and r.contact_outside in (ContactOutside.ONCE, ContactOutside.SEVERAL)
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
    count = sum(1 for r in data.window if not r.missed and r.private_life is True)
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
    count = sum(1 for r in data.window if not r.missed and r.beyond_role is True)
    return {"count": count, "days": limits.window_days}


def _check_energy(data: _History, limits: WellbeingThresholds) -> Evidence | None:
    """ENERGY: low energy for a while, or a sharp drop.

    Only answered records with an energy value take part; missed records and skipped energy
    questions are passed over (they neither break nor extend a run, and are never "low").
    Fires when the latest low_energy_in_a_row such records all have energy <= low_energy
    (evidence: latest, previous [when in_a_row >= 2], in_a_row), else when the latest energy
    <= the mean of the earlier energies in the window - energy_drop, with at least 2 earlier ones
    (evidence: latest, average), else when the latest energy alone is <= STRONG_LOW_ENERGY (a strong
    answer; evidence: latest, strong=1). The run is not bounded by the window; the baseline is.
    """
    rated = [(i, r.energy) for i, r in enumerate(data.known) if not r.missed and r.energy is not None]
    energies = [energy for _, energy in rated]
    if not energies:
        return None
    run = energies[-limits.low_energy_in_a_row :]
    if len(run) == limits.low_energy_in_a_row and all(e <= limits.low_energy for e in run):
        evidence: Evidence = {"latest": run[-1]}
        if len(run) >= 2:
            evidence["previous"] = run[-2]
        evidence["in_a_row"] = len(run)
        return evidence
    baseline = [energy for i, energy in rated[:-1] if i >= data.window_start]
    if len(baseline) >= 2:
        average = fmean(baseline)
        if energies[-1] <= average - limits.energy_drop + _EPSILON:
            return {"latest": energies[-1], "average": _number(average)}
    if energies[-1] <= STRONG_LOW_ENERGY:
        return {"latest": energies[-1], "strong": 1}
    return None


def _check_missed(data: _History, limits: WellbeingThresholds) -> Evidence | None:
    """MISSED: the latest missed_in_a_row records were all missed. Evidence: missed (the whole run)."""
    run = 0
    for record in reversed(data.known):
        if not record.missed:
            break
        run += 1
    if run < limits.missed_in_a_row:
        return None
    return {"missed": run}
