"""Wellbeing rules on synthetic volunteers: alerts that are not there, before and after issue 17.

Runs the pure rules (`bot.domain.wellbeing.evaluate`) after every answer of simulated volunteers, each with a
weekly check-in at 19:00 on a weekday of their own (Europe/Amsterdam), for 12 weeks from Monday 7 September 2026
(across the change to winter time), in groups of 30, and counts the alerts each rule raises: a check-in whose
evaluation shows a flag that the volunteer's previous check-in did not (a flag still showing is the alert already
sent, as the combined check-in alert does not raise an open flag again).

1. Late answers. Volunteers who keep to their agreement (2, 3, 4, 6 or 8 hours a week): every week within 20%
   of it, rounded down to half hours, so no week is above 120% and no four weeks above 125% of it, and every
   "Veel uren" alert is false. Each check-in is answered 0 to 3 days late (it closes after 72 hours).
2. Restless energy. Volunteers whose energy wanders between 2 and 5 from week to week (each week any of
   2, 3, 4, 5), answering 0 to 2 days late. A drop-rule alert is false for them by construction; two low
   answers in a row stay an alert by design, and are counted apart.
3. and 4. What must still be caught: volunteers who do 2.5 times their agreement in week 7 (late answers as
   in 1), and steady volunteers (energy 4 or 5) whose energy falls to 2 in week 10 (for the single 2; how many
   of the 30 are alerted at that check-in).

"Before" is the rules as they were before issue 17 (bot/domain/wellbeing.py at 315c64a): for the hour rules
that is the same rules fed the answers by their answer times (records without a period), for the energy drop
the mean of the window's earlier energies minus 2 (`_old_energy` below, the only rule this script re-states).

    python -m benchmarks.wellbeing               # 10 groups (seeds 0-9) of 30 volunteers, 12 weeks
    python -m benchmarks.wellbeing --groups 3 --seed 100
"""

from __future__ import annotations

import argparse
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from statistics import fmean
from zoneinfo import ZoneInfo

from bot.domain.wellbeing import CheckInRecord, Finding, Flag, evaluate

ZONE = "Europe/Amsterdam"
FIRST_MONDAY = datetime(2026, 9, 7, 19, 0, tzinfo=ZoneInfo(ZONE))
AGREEMENTS = (2.0, 3.0, 4.0, 6.0, 8.0)
HEAVY_WEEK = 6  # 0-based: week 7
LOW_WEEK = 9  # 0-based: week 10


@dataclass(frozen=True)
class Config:
    volunteers: int = 30
    weeks: int = 12
    groups: int = 10
    seed: int = 0


@dataclass(frozen=True)
class Volunteer:
    agreed: float | None
    records: list[CheckInRecord]  # in the order they were answered, each with its period


@dataclass
class Figures:
    """One count per group, before and after."""

    before: list[int]
    after: list[int]

    def add(self, before: int, after: int) -> None:
        self.before.append(before)
        self.after.append(after)


def _weekly(
    rng: random.Random, config: Config, late_days: float, answer: Callable[[int], tuple[float, int]]
) -> list[CheckInRecord]:
    """A weekly check-in on a random weekday, each answered up to `late_days` late with the (hours, energy) of
    `answer(week)`."""
    first = FIRST_MONDAY + timedelta(days=rng.randrange(7))
    records = []
    for week in range(config.weeks):
        period = first + timedelta(weeks=week)  # the same wall-clock time every week
        late = timedelta(minutes=rng.uniform(1, late_days * 24 * 60))
        hours, energy = answer(week)
        records.append(CheckInRecord(at=period + late, period=period, hours=hours, energy=energy))
    return records


def _within_agreement(rng: random.Random, agreed: float) -> float:
    return int(agreed * rng.uniform(0.8, 1.2) * 2) / 2


def _old_energy(known: Sequence[CheckInRecord], now: datetime) -> str | None:
    """Which part of the energy rule fired before issue 17 (defaults: low 2 twice in a row; the latest at least 2
    below the mean of at least two earlier energies in the 28-day window; energy 1)."""
    rated = [r for r in known if not r.missed and r.energy is not None]
    if not rated:
        return None
    energies = [r.energy for r in rated if r.energy is not None]
    if len(energies) >= 2 and all(energy <= 2 for energy in energies[-2:]):
        return "in a row"
    baseline = [r.energy for r in rated[:-1] if r.energy is not None and r.at > now - timedelta(days=28)]
    if len(baseline) >= 2 and energies[-1] <= fmean(baseline) - 2 + 1e-9:
        return "drop"
    return "energy 1" if energies[-1] <= 1 else None


def _energy_part(found: list[Finding]) -> str | None:
    """Which part of today's energy rule fired, from its evidence."""
    evidence = next((f.evidence for f in found if f.flag is Flag.ENERGY), None)
    if evidence is None:
        return None
    return "in a row" if "in_a_row" in evidence else "drop" if "lowest" in evidence else "energy 1"


def _after_each_answer(
    volunteer: Volunteer, judge: Callable[[list[CheckInRecord], datetime], str | None]
) -> list[str | None]:
    """What `judge` says after each answer, on everything answered so far, at that answer's time."""
    return [judge(volunteer.records[: i + 1], record.at) for i, record in enumerate(volunteer.records)]


def _raised(seen: list[str | None], part: str) -> int:
    """Check-ins at which `part` shows where the check-in before did not."""
    return sum(1 for i, now in enumerate(seen) if now == part and (i == 0 or seen[i - 1] != part))


def _hours_flag(records: list[CheckInRecord], now: datetime, agreed: float | None) -> str | None:
    found = evaluate(records, agreed_hours_per_week=agreed, now=now, zone=ZONE)
    return "hours" if any(f.flag is Flag.TIME_OVERLOAD for f in found) else None


def _hours_alerts(volunteer: Volunteer) -> tuple[list[str | None], list[str | None]]:
    """The hours flag after each answer, before (answer times only) and after issue 17 (periods)."""

    def before(records: list[CheckInRecord], now: datetime) -> str | None:
        return _hours_flag([replace(r, period=None) for r in records], now, volunteer.agreed)

    def after(records: list[CheckInRecord], now: datetime) -> str | None:
        return _hours_flag(records, now, volunteer.agreed)

    return _after_each_answer(volunteer, before), _after_each_answer(volunteer, after)


def _energy_alerts(volunteer: Volunteer) -> tuple[list[str | None], list[str | None]]:
    def after(records: list[CheckInRecord], now: datetime) -> str | None:
        return _energy_part(evaluate(records, agreed_hours_per_week=None, now=now, zone=ZONE))

    return _after_each_answer(volunteer, _old_energy), _after_each_answer(volunteer, after)


def late_answers(rng: random.Random, config: Config, heavy: bool = False) -> list[Volunteer]:
    group = []
    for _ in range(config.volunteers):
        agreed = rng.choice(AGREEMENTS)

        def answer(week: int, agreed: float = agreed) -> tuple[float, int]:
            return (agreed * 2.5 if heavy and week == HEAVY_WEEK else _within_agreement(rng, agreed)), 4

        group.append(Volunteer(agreed, _weekly(rng, config, 3, answer)))
    return group


def energies(rng: random.Random, config: Config, steady: bool = False) -> list[Volunteer]:
    def answer(week: int) -> tuple[float, int]:
        if steady:
            return 2.0, 2 if week == LOW_WEEK else rng.choice((4, 5))
        return 2.0, rng.choice((2, 3, 4, 5))

    return [Volunteer(None, _weekly(rng, config, 2, answer)) for _ in range(config.volunteers)]


def run(config: Config) -> dict[str, Figures]:
    figures = {
        "false 'Veel uren' alerts (late answers)": Figures([], []),
        "false energy-drop alerts (restless energy)": Figures([], []),
        "two-low-in-a-row alerts (restless energy, kept by design)": Figures([], []),
        "heavy weeks alerted, of the group (week 7 at 250%)": Figures([], []),
        "real drops alerted, of the group (steady, then a 2)": Figures([], []),
    }
    hours, drop, row, heavy, real = figures.values()
    for group in range(config.groups):
        rng = random.Random(config.seed + group)
        counted = [_hours_alerts(v) for v in late_answers(rng, config)]
        hours.add(*(sum(_raised(seen[i], "hours") for seen in counted) for i in (0, 1)))
        counted = [_energy_alerts(v) for v in energies(rng, config)]
        drop.add(*(sum(_raised(seen[i], "drop") for seen in counted) for i in (0, 1)))
        row.add(*(sum(_raised(seen[i], "in a row") for seen in counted) for i in (0, 1)))
        # Caught: the heavy week's answer (or the next, for a late one) shows it; the single 2 shows a drop.
        counted = [_hours_alerts(v) for v in late_answers(rng, config, heavy=True)]
        heavy.add(*(sum("hours" in seen[i][HEAVY_WEEK : HEAVY_WEEK + 2] for seen in counted) for i in (0, 1)))
        counted = [_energy_alerts(v) for v in energies(rng, config, steady=True)]
        real.add(*(sum(seen[i][LOW_WEEK] is not None for seen in counted) for i in (0, 1)))
    return figures


def _spread(counts: list[int]) -> str:
    low, high = min(counts), max(counts)
    middle = f"{low}" if low == high else f"{low}-{high}"
    return f"{middle} (mean {fmean(counts):.1f})"


def report(config: Config, figures: dict[str, Figures]) -> str:
    seeds = f"seed {config.seed}" if config.groups == 1 else f"seeds {config.seed}-{config.seed + config.groups - 1}"
    lines = [
        f"wellbeing rules: {config.groups} group{'s' if config.groups != 1 else ''} of {config.volunteers} volunteers,"
        f" {config.weeks} weeks ({seeds})",
        f"{'per group':<60} {'before':>20} {'after':>20}",
    ]
    for name, counts in figures.items():
        lines.append(f"{name:<60} {_spread(counts.before):>20} {_spread(counts.after):>20}")
    return "\n".join(lines)


def parse(argv: Sequence[str] | None) -> Config:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.wellbeing", description=__doc__.split("\n")[0])
    parser.add_argument("--groups", type=int, default=Config.groups, help="groups of volunteers, one seed each")
    parser.add_argument("--seed", type=int, default=Config.seed, help="the first group's seed")
    parser.add_argument("--volunteers", type=int, default=Config.volunteers, help="volunteers in a group")
    parser.add_argument("--weeks", type=int, default=Config.weeks)
    args = parser.parse_args(argv)
    return Config(volunteers=args.volunteers, weeks=args.weeks, groups=args.groups, seed=args.seed)


def main(argv: Sequence[str] | None = None) -> int:
    config = parse(argv)
    print(report(config, run(config)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
