"""Screening benchmark: how long `bot.domain.screening.screen` takes on texts built to provoke its detectors.

Each text is 2,000 characters (more than a report may hold) of one pattern that comes close to a detector
again and again: digit runs, separators, area codes, at signs, dates, street names, IBAN starts. The
figure is the mean time of one `screen` call over ``--runs`` calls, per text, after one call to warm the
regex cache. The goal: every mean at most 20 ms, so screening never holds up a person's flow.

    python -m benchmarks.screening              # 20 runs per text
    python -m benchmarks.screening --quick      # 3 runs per text (CI size)

Exit status 0 whatever the times: a missed goal is a measurement, not a failure. That catastrophic
backtracking cannot creep in is the test suite's job (tests/unit/domain/test_privacy_screening.py), without
a clock.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.screening import screen

YEAR = 2026
LENGTH = 2000
GOAL_MEAN_MS = 20.0

_PATTERNS = {
    "ones": "1 " * 1000,
    "letters": "a" * 2000,
    "digits": "0123456789" * 200,
    "separators": "0-1.2 3/4(5)" * 170,
    "zeros": "0 " * 1000,
    "area codes": "010-" * 500,
    "mobile": "06 " * 667,
    "at signs": "a@" * 1000,
    "dots": "a." * 1000,
    "long local part": "a" * 1000 + "@" + "b." * 500,
    "dates": "1-2-1950 " * 223,
    "streets": "Kerkstraat " * 182,
    "street heads": "Laan van " * 223,
    "iban starts": "NL91 " * 400,
    "words": "De Kerkstraat van de " * 100,
}
# The texts, each cut to LENGTH characters.
ADVERSARIAL = {name: text[:LENGTH] for name, text in _PATTERNS.items()}


@dataclass(frozen=True)
class Result:
    runs: int
    mean_ms: dict[str, float]  # text name -> mean milliseconds per screen() call

    @property
    def worst(self) -> tuple[str, float]:
        name = max(self.mean_ms, key=self.mean_ms.__getitem__)
        return name, self.mean_ms[name]


def run(runs: int) -> Result:
    means: dict[str, float] = {}
    for name, text in ADVERSARIAL.items():
        screen(text, current_year=YEAR)  # warm up the regex cache
        started = time.perf_counter()
        for _ in range(runs):
            screen(text, current_year=YEAR)
        means[name] = (time.perf_counter() - started) / runs * 1000
    return Result(runs=runs, mean_ms=means)


def report(result: Result) -> str:
    lines = [
        "Samenspel screening benchmark",
        f"  bot.domain.screening.screen on {len(ADVERSARIAL)} adversarial texts of {LENGTH} characters, "
        f"mean of {result.runs} calls each",
        "",
        f"  {'text':<18}{'mean (ms)':>10}",
    ]
    lines += [f"  {name:<18}{mean:>10.2f}" for name, mean in result.mean_ms.items()]
    name, worst = result.worst
    met = "met" if worst <= GOAL_MEAN_MS else "MISSED"
    lines.append(
        f"screening benchmark: worst mean {worst:.2f} ms ({name}); goal every mean <= {GOAL_MEAN_MS:g} ms: {met}"
    )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.screening", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="CI size: 3 runs per text")
    parser.add_argument("--runs", type=int, help="screen() calls per text (default 20)")
    args = parser.parse_args(argv)
    runs: int = args.runs if args.runs is not None else 3 if args.quick else 20
    if runs < 1:
        parser.error("runs must be at least 1")
    return runs


def main(argv: Sequence[str] | None = None) -> int:
    print(report(run(parse_args(argv))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
