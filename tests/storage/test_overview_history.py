"""The overview and the month's report read check-ins a few volunteers at a time (issue 14, item 6: 10,000
volunteers' records at once were tens of MiB), and each volunteer still gets exactly her own."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from contextlib import aclosing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.config import load_settings
from bot.domain.models import Person, Role
from bot.domain.overview import Month
from bot.services import overview as overview_service
from bot.services.overview import HISTORY_CHUNK, LOOKBACK_DAYS, OverviewService, with_history
from bot.services.reports import ReportService
from storage import links, overview, people
from storage.db import Database, Reader, Row, to_db

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
SINCE = NOW - timedelta(days=LOOKBACK_DAYS)


class FixedClock:
    def now(self) -> datetime:
        return NOW


async def _volunteers(db: Database, count: int) -> list[int]:
    """`count` volunteers; volunteer i answered i % 4 weekly check-ins of i hours in the last weeks, missed one
    before them, and has an answer older than the look-back and one not yet due at NOW."""
    found: list[int] = []
    async with db.transaction() as tx:
        for i in range(count):
            volunteer = await people.create(
                tx, name=f"V{i:03d}", telegram_id=9000 + i, language="nl", team_id=None, now=NOW
            )
            await people.add_role(tx, volunteer, Role.VOLUNTEER)
            await links.set_agreement(tx, volunteer_id=volunteer, hours_per_week=10, contact_times="", by=None, now=NOW)
            answers: list[tuple[str, datetime, float | None]] = [
                ("answered", NOW - timedelta(weeks=w), float(i)) for w in range(i % 4)
            ]
            answers += [
                ("missed", NOW - timedelta(weeks=i % 4), None),
                ("answered", NOW - timedelta(days=LOOKBACK_DAYS + 3), 99.0),  # before the look-back
                ("answered", NOW + timedelta(days=2), 77.0),  # after NOW
            ]
            for state, at, hours in answers:
                await tx.execute(
                    "INSERT INTO checkins (volunteer_id, state, answered_at, hours, energy, created_at, period_at)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (
                        volunteer,
                        state,
                        to_db(at) if state == "answered" else None,
                        hours,
                        3 if state == "answered" else None,
                        to_db(at),
                        to_db(at),
                    ),
                )
            found.append(volunteer)
    return found


def _spy(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many volunteers each read of check-ins asked for."""
    asked: list[int] = []
    real = overview.checkins_of

    async def counting(
        reader: Reader, volunteer_ids: Sequence[int], since: datetime, *, until: datetime | None = None
    ) -> list[Row]:
        asked.append(len(volunteer_ids))
        return await real(reader, volunteer_ids, since, until=until)

    monkeypatch.setattr(overview, "checkins_of", counting)
    return asked


async def test_each_volunteer_gets_her_own_history_across_chunks(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    ids = await _volunteers(db, 7)
    async with db.read() as reader:
        whole = overview_service.facts(await overview.checkins_of(reader, ids, SINCE, until=NOW))
    asked = _spy(monkeypatch)
    seen = [(v, history) async for v, history in with_history(db, ids, int, SINCE, until=NOW, chunk=3)]
    assert asked == [3, 3, 1]
    assert [v for v, _ in seen] == ids
    for i, (volunteer, history) in enumerate(seen):
        assert sorted(history, key=lambda r: r.at) == sorted(whole.get(volunteer, []), key=lambda r: r.at)
        # Her i % 4 answers of i hours and her miss; nothing before the look-back or after `until`.
        assert [r.hours for r in history if not r.missed and not r.paused] == [float(i)] * (i % 4)
        assert sum(r.missed for r in history) == 1


async def test_the_overview_and_report_of_many_never_read_everyones_checkins_at_once(
    db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    count = HISTORY_CHUNK + 7
    ids = await _volunteers(db, count)
    settings = load_settings(None, storage={"path": tmp_path / "unused.db"})
    coordinator = Person(id=10**6, name="Anna", telegram_id=1, roles=frozenset({Role.COORDINATOR}), language="nl")
    asked = _spy(monkeypatch)
    lines = await OverviewService(db, FixedClock(), settings, lambda: None).lines(coordinator)
    assert asked == [HISTORY_CHUNK, 7]
    hours = {line.id: line.hours for line in lines}
    assert hours == {v: i * (i % 4) for i, v in enumerate(ids)}  # each her own, none of another's
    asked.clear()
    await ReportService(db, FixedClock(), settings, lambda: None).month(coordinator, Month(2026, 11))
    assert asked == [HISTORY_CHUNK, 7]


async def test_a_caller_that_stops_early_leaves_no_read_behind(db: Database) -> None:
    """with_history asks for the next chunk before handing out this one; a caller that stops after the first
    volunteer gets back only when that read is over (nor is the database left locked)."""
    ids = await _volunteers(db, 7)
    async with aclosing(with_history(db, ids, int, SINCE, until=NOW, chunk=3)) as seen:
        async for volunteer, _ in seen:
            assert volunteer == ids[0]
            break
    names = {t: getattr(t.get_coro(), "__qualname__", "") for t in asyncio.all_tasks()}
    reads = [t for t, name in names.items() if name == "with_history.<locals>.read"]
    assert all(t.done() for t in reads)
    async with db.read() as reader:
        assert len(await overview.checkins_of(reader, ids, SINCE, until=NOW)) == sum(1 + i % 4 for i in range(7))
