"""Overview, review and report benchmark: /overview, one /review and a month's /report over 10,000 volunteers
and 1,000,000 check-ins.

A temporary SQLite file is migrated by the real runner, then filled with bulk SQL (INSERT ... SELECT over
recursive CTEs, in a child process so that its memory is not this one's): 200 professionals, 10,000 volunteers in
20 teams with agreements and clients, 100 weekly check-ins each (about a tenth missed, some paused), 3 items each
(signals, backup requests, wellbeing alerts with flags). Then, each `--repeat` times, what the bot does for a
coordinator: the overview's lines and first page, a volunteer's review pack with its chart, and last month's
report with its chart and CSV. Prints the time of each (the goal: under 1 s) and the process's peak RSS (the goal:
under 150 MB).

    python -m benchmarks.report            # 10,000 volunteers, 1,000,000 check-ins
    python -m benchmarks.report --quick    # 500 volunteers, 50,000 check-ins

Exit status 1 when a goal is missed.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import resource
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from bot.config import Settings, load_settings
from bot.domain.models import Person, Role
from bot.domain.overview import Month
from bot.i18n import plain
from bot.services.overview import OverviewService
from bot.services.reports import ReportService
from bot.services.reports.charts import ReportChartWords, ReviewChartWords, report_chart, review_chart
from bot.services.reports.render import line_text, pack_text, report_text
from bot.services.reports.service import report_csv
from storage.db import Database, to_db

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
COORDINATOR = 1
FIRST_PROFESSIONAL = 2
PROFESSIONALS = 200
FIRST_VOLUNTEER = 1001
TEAMS = 20
GOAL_SECONDS = 1.0
GOAL_RSS_MIB = 150.0
MIB = 1024 * 1024


@dataclass(frozen=True)
class Config:
    volunteers: int = 10_000
    weeks: int = 100  # check-ins per volunteer
    items: int = 3  # per volunteer
    repeat: int = 3

    @classmethod
    def quick(cls) -> Config:
        return cls(volunteers=500, weeks=100, items=3, repeat=2)


@dataclass
class Result:
    config: Config
    checkins: int = 0
    items: int = 0
    generate_seconds: float = 0.0
    timings: dict[str, list[float]] = field(default_factory=dict)
    cpu: dict[str, list[float]] = field(default_factory=dict)
    lines: int = 0
    peak_rss_kib: int = 0

    def best(self, name: str) -> float:
        return min(self.timings[name])

    @property
    def ok(self) -> bool:
        """Each whole build (its chart included) under the goal, and the memory."""
        builds = ("overview", "review", "report")
        return all(self.best(n) < GOAL_SECONDS for n in builds) and self.peak_rss_kib / 1024 < GOAL_RSS_MIB


class FixedClock:
    def now(self) -> datetime:
        return NOW


def _stamp(days: str) -> str:
    """SQL for NOW minus `days` days (an SQL expression), in storage's text form (to_db)."""
    return f"strftime('%Y-%m-%dT%H:%M:%f', '{NOW:%Y-%m-%d %H:%M:%S}', '-' || ({days}) || ' days') || '000+00:00'"


def generate(path: str, config: Config) -> tuple[int, int]:
    """Fill the migrated database with bulk SQL; returns (check-ins, items)."""
    now = to_db(NOW)
    last_volunteer = FIRST_VOLUNTEER + config.volunteers - 1
    last_professional = FIRST_PROFESSIONAL + PROFESSIONALS - 1
    conn = sqlite3.connect(path)
    conn.executescript("PRAGMA journal_mode=WAL; PRAGMA synchronous=OFF; PRAGMA foreign_keys=OFF;")
    with conn:
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " INSERT INTO teams (id, name, created_at) SELECT i, 'Team ' || i, ? FROM n",
            (TEAMS, now),
        )
        conn.execute(
            "INSERT INTO people (id, telegram_id, name, created_at) VALUES (?, ?, 'Anna', ?)",
            (COORDINATOR, 5_000_000, now),
        )
        conn.execute("INSERT INTO person_roles VALUES (?, 'coordinator')", (COORDINATOR,))
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " INSERT INTO people (id, telegram_id, name, team_id, created_at)"
            " SELECT i, 5000000 + i, 'Beroepskracht ' || i, 1 + i % ?, ? FROM n",
            (FIRST_PROFESSIONAL, last_professional, TEAMS, now),
        )
        conn.execute(
            "INSERT INTO person_roles SELECT id, 'professional' FROM people WHERE id BETWEEN ? AND ?",
            (FIRST_PROFESSIONAL, last_professional),
        )
        conn.execute(
            "WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i < ?)"
            " INSERT INTO people (id, telegram_id, name, team_id, responsible_professional_id, created_at)"
            " SELECT i, 5000000 + i, 'Vrijwilliger ' || i, 1 + i % ?, ? + i % ?, ? FROM n",
            (FIRST_VOLUNTEER, last_volunteer, TEAMS, FIRST_PROFESSIONAL, PROFESSIONALS, now),
        )
        volunteers = "SELECT id FROM people WHERE id BETWEEN ? AND ?"
        span = (FIRST_VOLUNTEER, last_volunteer)
        conn.execute(f"INSERT INTO person_roles SELECT id, 'volunteer' FROM ({volunteers})", span)
        conn.execute(
            f"INSERT INTO agreements (volunteer_id, hours_per_week, updated_at) SELECT id, 2 + id % 6, ?"
            f" FROM ({volunteers})",
            (now, *span),
        )
        conn.execute(
            f"INSERT INTO links (volunteer_id, client_alias, created_at) SELECT id, 'C-' || id, ? FROM ({volunteers})",
            (now, *span),
        )
        # A tenth of the check-ins missed, one in twenty-five paused; a fifth of the volunteers do little.
        conn.execute(
            "WITH RECURSIVE w(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM w WHERE k < ?),"
            f" base AS (SELECT v.id AS vid, w.k AS k, {_stamp('w.k * 7')} AS at,"
            " CASE WHEN (v.id * 7 + w.k) % 10 = 0 THEN 'missed' WHEN (v.id + w.k) % 25 = 0 THEN 'excused'"
            " ELSE 'answered' END AS state FROM people v, w WHERE v.id BETWEEN ? AND ?)"
            " INSERT INTO checkins (volunteer_id, state, answered_at, hours, energy, created_at, period_at)"
            " SELECT vid, state, CASE WHEN state = 'answered' THEN at END,"
            " CASE WHEN state = 'answered' THEN (CASE WHEN vid % 5 = 0 THEN 0.5 ELSE (vid + k) % 9 * 0.5 END) END,"
            " CASE WHEN state = 'answered' THEN 1 + (vid + k) % 5 END, at, at FROM base",
            (config.weeks - 1, *span),
        )
        checkins = conn.execute("SELECT COUNT(*) FROM checkins").fetchone()[0]
        conn.execute(
            "WITH RECURSIVE j(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM j WHERE k < ?),"
            " x AS (SELECT v.id AS vid, v.responsible_professional_id AS pro, (v.id + j.k) % 3 AS kind,"
            " (v.id * 13 + j.k * 97) % 700 AS age FROM people v, j WHERE v.id BETWEEN ? AND ?)"
            " INSERT INTO escalations (kind, volunteer_id, client_alias, category, urgency, body, state, level,"
            " owner_id, created_at, acknowledged_at, held_since, resolved_at, resolution)"
            " SELECT CASE kind WHEN 0 THEN 'signal' WHEN 1 THEN 'backup' ELSE 'wellbeing' END, vid, 'C-' || vid,"
            " CASE kind WHEN 0 THEN 'health' WHEN 1 THEN 'advise' ELSE 'checkin' END,"
            " CASE vid % 4 WHEN 0 THEN 'info' WHEN 1 THEN 'concern' WHEN 2 THEN 'urgent' ELSE 'emergency' END,"
            " 'tekst', CASE WHEN age < 20 THEN 'open' ELSE 'resolved' END, 0, pro,"
            f" {_stamp('age')}, {_stamp('age - 0.1')}, {_stamp('age - 0.1')},"
            f" CASE WHEN age < 20 THEN NULL ELSE {_stamp('age - 2')} END,"
            " CASE WHEN age < 20 THEN NULL ELSE 'Besproken' END FROM x",
            (config.items - 1, *span),
        )
        conn.execute(
            "INSERT INTO escalation_flags (escalation_id, flag)"
            " SELECT id, CASE id % 3 WHEN 0 THEN 'energy' WHEN 1 THEN 'missed' ELSE 'time_overload' END"
            " FROM escalations WHERE kind = 'wellbeing'"
        )
        items = conn.execute("SELECT COUNT(*) FROM escalations").fetchone()[0]
    conn.execute("ANALYZE")
    conn.close()
    return int(checkins), int(items)


async def _migrate(path: Path) -> None:
    async with Database(path) as db:
        await db.migrate()


async def _timed(result: Result, name: str, work: Callable[[], Awaitable[object]]) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    await work()
    result.timings.setdefault(name, []).append(time.perf_counter() - started)
    # CPU time too: on a machine shared with other work the wall time says more about the neighbours.
    result.cpu.setdefault(name, []).append(time.process_time() - cpu)


async def measure(path: Path, config: Config, result: Result) -> None:
    settings: Settings = load_settings(None, storage={"path": path})
    coordinator = Person(
        id=COORDINATOR, name="Anna", telegram_id=5_000_000, roles=frozenset({Role.COORDINATOR}), language="nl"
    )
    async with Database(path) as db:
        clock = FixedClock()
        overview = OverviewService(db, clock, settings, lambda: None)
        reports = ReportService(db, clock, settings, lambda: None)
        volunteer = FIRST_VOLUNTEER + config.volunteers // 2

        async def overview_page() -> None:
            lines = await overview.lines(coordinator)
            result.lines = len(lines)
            "\n".join(str(line_text("nl", i + 1, line)) for i, line in enumerate(lines[: settings.reports.page_size]))

        async def review() -> None:
            pack = await reports.review(coordinator, volunteer)
            pack_text("nl", pack, (None, None))
            chart_started = time.perf_counter()
            words = ReviewChartWords("Review", "Uren", "Afgesproken", "Energie")
            review_chart(
                [str(m.month) for m in pack.months],
                [m.hours for m in pack.months],
                [m.agreed for m in pack.months],
                [(p.at, p.energy) for p in pack.energy],
                words,
            )
            result.timings.setdefault("review chart", []).append(time.perf_counter() - chart_started)

        async def month_report() -> None:
            report = await reports.month(coordinator, Month(2026, 11))
            report_text("nl", report)
            report_csv(report, no_team=plain("nl", "people.no_team"))
            chart_started = time.perf_counter()
            words = ReportChartWords("Maand", "Uren per team", "Oppakken", "p50", "p90")
            report_chart(
                [t.team or "-" for t in report.teams],
                [t.hours for t in report.teams],
                [p.urgency for p in report.pickups],
                [p.p50_hours for p in report.pickups],
                [p.p90_hours for p in report.pickups],
                words,
            )
            result.timings.setdefault("report chart", []).append(time.perf_counter() - chart_started)

        for _ in range(config.repeat):
            await _timed(result, "overview", overview_page)
            await _timed(result, "review", review)
            await _timed(result, "report", month_report)
    result.peak_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def run(config: Config, progress: Callable[[str], None] = print) -> Result:
    result = Result(config)
    with tempfile.TemporaryDirectory(prefix="samenspel-report-") as folder:
        path = Path(folder) / "report.db"
        asyncio.run(_migrate(path))
        started = time.perf_counter()
        progress(f"generating {config.volunteers} volunteers x {config.weeks} check-ins ...")
        # In a child process: the bulk inserts' memory is not the measured process's.
        with multiprocessing.get_context("spawn").Pool(1) as pool:
            result.checkins, result.items = pool.apply(generate, (str(path), config))
        result.generate_seconds = time.perf_counter() - started
        progress(f"generated {result.checkins} check-ins and {result.items} items in {result.generate_seconds:.1f}s")
        asyncio.run(measure(path, config, result))
    return result


def report(result: Result) -> str:
    parts = [
        f"{name} best={result.best(name):.3f}s median={statistics.median(times):.3f}s"
        + (f" (cpu {min(result.cpu[name]):.3f}s)" if name in result.cpu else "")
        for name, times in result.timings.items()
    ]
    return "\n".join(
        [
            f"data: {result.config.volunteers} volunteers, {result.checkins} check-ins, {result.items} items"
            f" (generated in {result.generate_seconds:.1f}s); overview lines: {result.lines}",
            f"report benchmark: {'; '.join(parts)}; peak RSS {result.peak_rss_kib / 1024:.0f} MiB"
            f" (goals: each < {GOAL_SECONDS:.0f} s, RSS < {GOAL_RSS_MIB:.0f} MiB)",
        ]
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="500 volunteers (CI size)")
    parser.add_argument("--volunteers", type=int, help="how many volunteers")
    parser.add_argument("--repeat", type=int, help="how many times each is built")
    args = parser.parse_args(argv)
    config = Config.quick() if args.quick else Config()
    if args.volunteers:
        config = Config(volunteers=args.volunteers, weeks=config.weeks, items=config.items, repeat=config.repeat)
    if args.repeat:
        config = Config(volunteers=config.volunteers, weeks=config.weeks, items=config.items, repeat=args.repeat)
    result = run(config)
    print(report(result))
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
