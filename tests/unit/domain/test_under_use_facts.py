"""Issue 14, item 6: the window's hours and under-use run on `CheckInFacts` (the overview and the month's report
read tens of thousands of check-ins), found by bisection in period order. On any history they must say exactly
what the rules say read the plain way, record by record: the reference below, the rules as they were written
before they ran on facts (hypothesis, derandomized, so CI sees the same inputs).

Histories are drawn to reach every branch: check-ins on a coarse grid (so periods and times tie), answered,
missed or paused, answered late, early (their period still ahead) or after `now`, some answering no scheduled
check-in, hours that do not add up exactly in floating point (0.1 + 0.7 is just under 0.8), agreements of none,
0 or some hours.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.under_use import CheckInFacts, UnderUse, overview_figures, under_use
from bot.domain.wellbeing import _EPSILON, CheckInRecord, _hours, _number, _order, _pauses, _reach_back

NOW = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
FAST = settings(max_examples=400, deadline=None, derandomize=True, database=None)


@st.composite
def records(draw: st.DrawFn, *, period: datetime | None = None) -> CheckInRecord:
    kind = draw(st.sampled_from(["answered"] * 4 + ["missed", "paused"]))
    if period is None:
        # Half-day steps over ten weeks around now: ties on period and time are common, so is "exactly 4 weeks".
        period = NOW + timedelta(hours=12 * draw(st.integers(-140, 6)))
    at = period + timedelta(hours=12 * draw(st.integers(-2, 6)))
    hours = draw(st.sampled_from([0.0, 0.1, 0.2, 0.5, 0.7, 1.0, 2.0, 3.5, 8.0])) if kind == "answered" else None
    return CheckInRecord(
        at=at,
        period=None if draw(st.integers(0, 9)) == 0 else period,
        missed=kind == "missed",
        paused=kind == "paused",
        hours=hours,
    )


@st.composite
def histories(draw: st.DrawFn) -> list[CheckInRecord]:
    """A check-in every one or two weeks up to about now (as the bot asks), and a few anywhere."""
    step = timedelta(weeks=draw(st.sampled_from([1, 2])))
    last = NOW - timedelta(hours=12 * draw(st.integers(0, 20)))
    scheduled = [draw(records(period=last - i * step)) for i in range(draw(st.integers(0, 9)))]
    return scheduled + draw(st.lists(records(), max_size=4))


def as_facts(history: list[CheckInRecord]) -> list[CheckInFacts]:
    """As bot.services.overview.facts reads them: only an answer has hours."""
    return [CheckInFacts.of(r) for r in history]


def reference(
    history: list[CheckInRecord], agreed: float | None, days: int, weeks: int, ratio: float
) -> tuple[float | int, UnderUse | None]:
    """The window's hours and under-use read record by record, in the wellbeing rules' whole order: each step as
    `under_use`'s docstring says it."""
    known = sorted((r for r in history if r.at <= NOW), key=_order)
    end = max([NOW, *(r.belongs_to for r in known)])
    since = _reach_back(end, days, _pauses(known))
    window = _number(_hours([r for r in known if not r.paused and r.belongs_to > since]))
    if agreed is None or agreed <= 0 or not known or known[-1].paused:
        return window, None
    start = known[-1].belongs_to - timedelta(weeks=weeks)
    inside = [r for r in known if r.belongs_to > start]
    before = [r for r in known if r.belongs_to <= start]
    if not before or before[-1].paused or any(not r.answered for r in inside):
        return window, None
    per_period: dict[datetime, float] = {}
    for record in inside:
        per_period[record.belongs_to] = per_period.get(record.belongs_to, 0.0) + (record.hours or 0.0)
    previous = before[-1].belongs_to
    for period, hours in per_period.items():
        if hours >= ratio * agreed * ((period - previous) / timedelta(weeks=1)) - _EPSILON:
            return window, None
        previous = period
    found = UnderUse(weeks=weeks, hours=_number(_hours(inside)), agreed=_number(agreed * weeks), checkins=len(inside))
    return window, found


@FAST
@given(
    history=histories(),
    agreed=st.sampled_from([None, 0.0, 0.5, 1.6, 2.0, 4.0, 7.5]),
    days=st.sampled_from([7, 28]),
    weeks=st.integers(1, 5),
    ratio=st.sampled_from([0.25, 0.5, 1.0]),
)
def test_the_rules_on_facts_say_what_the_plain_reading_says(
    history: list[CheckInRecord], agreed: float | None, days: int, weeks: int, ratio: float
) -> None:
    expected = reference(history, agreed, days, weeks, ratio)
    facts = as_facts(history)
    figures = overview_figures(facts, agreed_hours_per_week=agreed, now=NOW, days=days, weeks=weeks, ratio=ratio)
    assert figures == expected
    # Input order cannot matter, ties on period and time included.
    backwards = facts[::-1]
    assert under_use(backwards, agreed_hours_per_week=agreed, now=NOW, weeks=weeks, ratio=ratio) == expected[1]


def test_a_plain_history_under_half_is_found_by_the_rule_and_the_reference() -> None:
    """A fixed case beside the random ones: five weekly answers of 1 hour against 4 agreed, one of them paused
    before the span (the window reaches back over it)."""
    history = [CheckInRecord(at=NOW - timedelta(weeks=w), period=NOW - timedelta(weeks=w), hours=1.0) for w in range(5)]
    history.append(CheckInRecord(at=NOW - timedelta(weeks=5), period=NOW - timedelta(weeks=5), paused=True))
    found = overview_figures(as_facts(history), agreed_hours_per_week=4.0, now=NOW, days=28, weeks=4, ratio=0.5)
    assert found == reference(history, 4.0, 28, 4, 0.5)
    assert found[0] == 4 and found[1] is not None and found[1].checkins == 4


def test_bad_limits_are_refused() -> None:
    facts = as_facts([CheckInRecord(at=NOW, period=NOW, hours=1.0)])
    with pytest.raises(ValueError):
        under_use(facts, agreed_hours_per_week=4.0, now=NOW, weeks=0)
    with pytest.raises(ValueError):
        under_use(facts, agreed_hours_per_week=4.0, now=datetime(2026, 12, 1))


def test_exactly_half_in_floating_point_is_not_under_by_the_rule_and_the_reference() -> None:
    """0.1 + 0.7 hours for one week is 0.7999999999999999, just under half of 1.6: the tolerance says exactly half,
    so not under use, by the rule and by the reference."""
    history = [CheckInRecord(at=NOW - timedelta(weeks=w), period=NOW - timedelta(weeks=w), hours=0.7) for w in range(5)]
    history.append(CheckInRecord(at=NOW + timedelta(hours=-1), period=NOW, hours=0.1))
    assert under_use(as_facts(history), agreed_hours_per_week=1.6, now=NOW) is None
    assert reference(history, 1.6, 28, 4, 0.5)[1] is None


def test_a_pause_tied_with_an_answer_orders_as_the_full_rule_orders_it() -> None:
    """A paused check-in and an answer with the same period and time: the rules' order puts the pause last, so
    at the span's start it breaks the run, whichever came first in the history."""
    answers = [CheckInRecord(at=NOW - timedelta(weeks=w), period=NOW - timedelta(weeks=w), hours=0.0) for w in range(5)]
    start = NOW - timedelta(weeks=4)
    paused = CheckInRecord(at=start, period=start, paused=True)
    for history in ([paused, *answers], [*answers, paused]):
        assert under_use(as_facts(history), agreed_hours_per_week=4.0, now=NOW) is None
        assert reference(history, 4.0, 28, 4, 0.5)[1] is None
