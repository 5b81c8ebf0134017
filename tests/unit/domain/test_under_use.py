"""The under-use rule ("ondervraagd?"): under half the agreed hours for four weeks in a row, by the same rules
of time as the alerting rules (periods, pauses, records after now)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.domain.under_use import CheckInFacts, UnderUse, under_use
from bot.domain.wellbeing import CheckInRecord

NOW = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)
AGREED = 4.0


def weekly(hours: list[float | None], *, late_days: float = 0) -> list[CheckInRecord]:
    """One check-in a week, the newest first, each answered `late_days` after its period (None: missed)."""
    records = []
    for back, value in enumerate(reversed(hours)):
        period = NOW - timedelta(weeks=back)
        at = min(period + timedelta(days=late_days), NOW)
        records.append(CheckInRecord(at=at, period=period, hours=value, missed=value is None))
    return records


def found(history: list[CheckInRecord], agreed: float | None = AGREED) -> UnderUse | None:
    return under_use([CheckInFacts.of(r) for r in history], agreed_hours_per_week=agreed, now=NOW)


def test_four_weeks_under_half_is_under_use() -> None:
    result = found(weekly([1, 1, 1.5, 0, 1]))
    assert result == UnderUse(weeks=4, hours=3.5, agreed=16, checkins=4)


def test_one_week_at_half_breaks_it() -> None:
    assert found(weekly([1, 2, 1, 1, 1])) is None  # exactly half is not under
    assert found(weekly([1, 1.99, 1, 1, 1])) is not None


def test_too_short_a_history_says_nothing() -> None:
    assert found(weekly([0, 0, 0, 0])) is None  # the first answer's hours reach back before the span
    assert found(weekly([0, 0, 0, 0, 0])) is not None


def test_needs_an_agreement() -> None:
    history = weekly([0, 0, 0, 0, 0])
    assert found(history, agreed=None) is None
    assert found(history, agreed=0) is None


def test_a_missed_check_in_leaves_the_hours_unknown() -> None:
    assert found(weekly([0, 0, None, 0, 0])) is None


def test_a_pause_breaks_the_run() -> None:
    history = weekly([0, 0, 0, 0, 0, 0])
    history[3] = CheckInRecord(at=history[3].at, period=history[3].period, paused=True)
    assert found(history) is None
    history = weekly([0, 0, 0, 0, 0, 0, 0])
    history[5] = CheckInRecord(at=history[5].at, period=history[5].period, paused=True)
    assert found(history) is not None  # the pause lies before the span's start record


def test_hours_count_for_their_period_not_their_answer() -> None:
    late = weekly([1, 1, 1, 1, 1], late_days=3)
    assert found(late) == found(weekly([1, 1, 1, 1, 1]))


def test_a_check_in_every_two_weeks_reports_two_weeks() -> None:
    def every_two(hours: float) -> list[CheckInRecord]:
        return [
            CheckInRecord(at=NOW - timedelta(weeks=w), period=NOW - timedelta(weeks=w), hours=hours) for w in (0, 2, 4)
        ]

    assert found(every_two(3)) == UnderUse(weeks=4, hours=6, agreed=16, checkins=2)  # 1.5 a week
    assert found(every_two(4)) is None  # 4 hours for two weeks: exactly half


def test_records_after_now_are_ignored() -> None:
    history = weekly([0, 0, 0, 0, 0])
    ahead = CheckInRecord(at=NOW + timedelta(days=1), period=NOW + timedelta(days=7), hours=30)
    assert found([*history, ahead]) is not None


def test_order_does_not_matter() -> None:
    history = weekly([1, 0, 1, 0.5, 0])
    assert found(list(reversed(history))) == found(history)


def test_naive_now_is_refused() -> None:
    with pytest.raises(ValueError):
        under_use([], agreed_hours_per_week=4, now=datetime(2026, 11, 27))
