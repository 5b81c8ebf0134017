"""Wellbeing rules: each one firing and not firing at its edges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.wellbeing import (
    CheckInRecord,
    ContactOutside,
    Finding,
    Flag,
    WellbeingThresholds,
    evaluate,
)

ZONE = "Europe/Amsterdam"
AMS = ZoneInfo(ZONE)
NOW = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)  # Friday of ISO week 2026-W48
AGREED = 4.0


def days_ago(days: float, **answers: object) -> CheckInRecord:
    return CheckInRecord(at=NOW - timedelta(days=days), **answers)  # type: ignore[arg-type]


def local(*parts: int, **answers: object) -> CheckInRecord:
    return CheckInRecord(at=datetime(*parts, tzinfo=AMS), **answers)  # type: ignore[arg-type, misc]


def run(
    history: list[CheckInRecord],
    agreed: float | None = AGREED,
    thresholds: WellbeingThresholds | None = None,
) -> list[Finding]:
    return evaluate(
        history,
        agreed_hours_per_week=agreed,
        now=NOW,
        zone=ZONE,
        thresholds=thresholds or WellbeingThresholds(),
    )


def flags(history: list[CheckInRecord], agreed: float | None = AGREED) -> list[Flag]:
    return [finding.flag for finding in run(history, agreed)]


def finding(history: list[CheckInRecord], flag: Flag, agreed: float | None = AGREED) -> Finding | None:
    return next((f for f in run(history, agreed) if f.flag is flag), None)


def test_empty_history_has_no_findings() -> None:
    assert run([]) == []
    assert run([], agreed=None) == []


def test_quiet_history_has_no_findings() -> None:
    history = [
        days_ago(d, hours=3.0, energy=4, contact_outside=ContactOutside.NO, private_life=False, beyond_role=False)
        for d in (1, 8, 15, 22)
    ]
    assert run(history) == []


# --- time overload ----------------------------------------------------------------------------


def _weekly(hours: list[float]) -> list[CheckInRecord]:
    """One check-in in each of five different local weeks, all inside the 28-day window."""
    return [days_ago(d, hours=h) for d, h in zip((1, 7, 14, 21, 27), hours, strict=True)]


def test_rolling_hours_exactly_at_125_percent_do_not_fire() -> None:
    # Agreed 4 h/week over 28 days is 16 h; 125% of that is 20.0.
    assert Flag.TIME_OVERLOAD not in flags(_weekly([4.0, 4.0, 4.0, 4.0, 4.0]))


def test_rolling_hours_over_125_percent_fire() -> None:
    found = finding(_weekly([4.5, 4.0, 4.0, 4.0, 4.0]), Flag.TIME_OVERLOAD)
    assert found == Finding(Flag.TIME_OVERLOAD, {"window_hours": 20.5, "agreed_hours": 16, "weeks": 4})


def test_rolling_hours_outside_the_window_do_not_count() -> None:
    history = [*_weekly([4.0, 4.0, 4.0, 4.0, 4.0]), days_ago(28, hours=4.0), days_ago(40, hours=30.0)]
    assert Flag.TIME_OVERLOAD not in flags(history)
    history.append(days_ago(27.999, hours=0.5))
    assert Flag.TIME_OVERLOAD in flags(history)


def test_single_week_exactly_at_200_percent_does_not_fire() -> None:
    history = [local(2026, 11, 16, 20, 0, hours=4.0), local(2026, 11, 20, 20, 0, hours=4.0)]
    assert flags(history) == []


def test_single_week_over_200_percent_fires() -> None:
    history = [local(2026, 11, 16, 20, 0, hours=4.0), local(2026, 11, 20, 20, 0, hours=4.5)]
    found = finding(history, Flag.TIME_OVERLOAD)
    assert found == Finding(
        Flag.TIME_OVERLOAD,
        {"week_hours": 8.5, "agreed_weekly": 4, "week": "2026-W47", "until": "2026-11-20", "checkins": 2},
    )


def test_weeks_are_iso_weeks_in_the_local_zone() -> None:
    # Monday 00:30 in Amsterdam is still Sunday in UTC: it belongs to the new local week.
    history = [local(2026, 11, 22, 20, 0, hours=4.5), local(2026, 11, 23, 0, 30, hours=4.0)]
    assert history[1].at.astimezone(UTC).isocalendar().week == 47
    assert Flag.TIME_OVERLOAD not in flags(history)


def test_float_sums_exactly_at_the_limit_do_not_fire() -> None:
    # 0.1 + 0.2 is 0.30000000000000004 in floats, just over 200% of an agreed 0.15 h/week.
    history = [local(2026, 11, 24, 20, 0, hours=0.1), local(2026, 11, 25, 20, 0, hours=0.2)]
    assert 0.1 + 0.2 > 2.0 * 0.15
    assert Flag.TIME_OVERLOAD not in flags(history, agreed=0.15)
    history.append(local(2026, 11, 26, 20, 0, hours=0.01))
    assert Flag.TIME_OVERLOAD in flags(history, agreed=0.15)


def test_no_agreement_means_no_time_flag() -> None:
    history = _weekly([40.0, 40.0, 40.0, 40.0, 40.0])
    assert Flag.TIME_OVERLOAD in flags(history)
    assert Flag.TIME_OVERLOAD not in flags(history, agreed=None)
    assert Flag.TIME_OVERLOAD not in flags(history, agreed=0.0)


def test_missed_records_add_no_hours() -> None:
    history = [local(2026, 11, 16, 20, 0, hours=4.0), local(2026, 11, 20, 20, 0, missed=True, hours=9.0)]
    assert Flag.TIME_OVERLOAD not in flags(history)


# --- boundaries -------------------------------------------------------------------------------


def test_boundaries_latest_several_fires_at_once() -> None:
    found = finding([days_ago(1, contact_outside=ContactOutside.SEVERAL)], Flag.BOUNDARIES)
    assert found == Finding(Flag.BOUNDARIES, {"count": 1, "days": 28, "latest": "several"})


def test_boundaries_single_once_does_not_fire_two_do() -> None:
    once = [days_ago(3, contact_outside=ContactOutside.NO), days_ago(1, contact_outside=ContactOutside.ONCE)]
    assert Flag.BOUNDARIES not in flags(once)
    twice = [
        days_ago(10, contact_outside=ContactOutside.ONCE),
        days_ago(1, contact_outside=ContactOutside.NO),
    ]
    twice.append(days_ago(20, contact_outside=ContactOutside.ONCE))
    assert finding(twice, Flag.BOUNDARIES) == Finding(Flag.BOUNDARIES, {"count": 2, "days": 28})


def test_boundaries_latest_means_latest_answered() -> None:
    several_then_missed = [days_ago(3, contact_outside=ContactOutside.SEVERAL), days_ago(1, missed=True)]
    assert Flag.BOUNDARIES in flags(several_then_missed)
    several_then_no = [days_ago(3, contact_outside=ContactOutside.SEVERAL), days_ago(1, contact_outside="no")]
    assert Flag.BOUNDARIES not in flags(several_then_no)
    old_once = [
        days_ago(28, contact_outside=ContactOutside.ONCE),
        days_ago(1, contact_outside=ContactOutside.ONCE),
    ]
    assert Flag.BOUNDARIES not in flags(old_once)


# --- private life -----------------------------------------------------------------------------


def test_private_life_needs_two_in_the_window() -> None:
    assert Flag.PRIVATE_LIFE not in flags([days_ago(1, private_life=True), days_ago(2, private_life=False)])
    edge = [days_ago(28, private_life=True), days_ago(1, private_life=True)]
    assert Flag.PRIVATE_LIFE not in flags(edge)  # exactly 28 days old is outside the window
    inside = [days_ago(28 - 1 / 86400, private_life=True), days_ago(1, private_life=True)]
    assert finding(inside, Flag.PRIVATE_LIFE) == Finding(Flag.PRIVATE_LIFE, {"count": 2, "days": 28})


def test_records_after_now_are_ignored_and_now_itself_counts() -> None:
    history = [days_ago(0, private_life=True), days_ago(-1, private_life=True), days_ago(-2, missed=True)]
    assert flags(history) == []
    history.append(days_ago(5, private_life=True))
    assert flags(history) == [Flag.PRIVATE_LIFE]


# --- competence -------------------------------------------------------------------------------


def test_competence_only_from_the_latest_answer() -> None:
    found = finding([days_ago(5, beyond_role=True), days_ago(1, beyond_role=True)], Flag.COMPETENCE)
    assert found == Finding(Flag.COMPETENCE, {"count": 2, "days": 28})
    assert Flag.COMPETENCE not in flags([days_ago(5, beyond_role=True), days_ago(1, beyond_role=False)])
    assert Flag.COMPETENCE not in flags([days_ago(5, beyond_role=True), days_ago(1, energy=4)])
    assert Flag.COMPETENCE in flags([days_ago(5, beyond_role=True), days_ago(1, missed=True)])


# --- energy -----------------------------------------------------------------------------------


def _energies(*values: int | None) -> list[CheckInRecord]:
    """Oldest first, one day apart; None is a missed check-in."""
    count = len(values)
    return [
        days_ago(count - i, missed=True) if value is None else days_ago(count - i, energy=value)
        for i, value in enumerate(values)
    ]


def test_low_energy_twice_in_a_row() -> None:
    assert finding(_energies(4, 2, 2), Flag.ENERGY) == Finding(Flag.ENERGY, {"latest": 2, "previous": 2, "in_a_row": 2})
    assert Flag.ENERGY not in flags(_energies(2))
    assert Flag.ENERGY not in flags(_energies(2, 3))
    assert Flag.ENERGY not in flags(_energies(3, 2))
    assert Flag.ENERGY not in flags(_energies(2, 3, 2))


def test_missed_check_ins_are_skipped_for_energy_runs() -> None:
    assert Flag.ENERGY in flags(_energies(2, None, 2))
    assert Flag.ENERGY not in flags(_energies(3, None, 2))
    skipped_question = [days_ago(3, energy=1), days_ago(2, hours=1.0), days_ago(1, energy=2)]
    assert Flag.ENERGY in flags(skipped_question)


def test_energy_drop_below_the_volunteers_own_range() -> None:
    # 2 below the lowest of at least three earlier answers in the range: fires ("at least").
    assert finding(_energies(4, 5, 4, 2), Flag.ENERGY) == Finding(
        Flag.ENERGY, {"latest": 2, "lowest": 4, "highest": 5, "answers": 3}
    )
    assert Flag.ENERGY in flags(_energies(5, 5, 5, 3))
    assert Flag.ENERGY not in flags(_energies(5, 4, 5, 3))  # only 1 below the lowest
    assert Flag.ENERGY not in flags(_energies(5, 5, 3))  # needs three earlier answers


def test_energy_range_only_from_its_own_days() -> None:
    old = [days_ago(60, energy=5), days_ago(58, energy=5), days_ago(57, energy=5), days_ago(1, energy=3)]
    assert Flag.ENERGY not in flags(old)
    recent = [days_ago(50, energy=5), days_ago(40, energy=5), days_ago(30, energy=5), days_ago(1, energy=3)]
    assert Flag.ENERGY in flags(recent)  # the range reaches 56 days back, further than the 28-day window


def test_energy_thresholds_are_tunable() -> None:
    strict = WellbeingThresholds(low_energy=3, low_energy_in_a_row=3)
    assert run(_energies(3, 3, 3), thresholds=strict) == [
        Finding(Flag.ENERGY, {"latest": 3, "previous": 3, "in_a_row": 3})
    ]
    assert run(_energies(4, 3, 3), thresholds=strict) == []
    single = WellbeingThresholds(low_energy_in_a_row=1)
    assert run(_energies(1), thresholds=single) == [Finding(Flag.ENERGY, {"latest": 1, "in_a_row": 1})]


# --- missed -----------------------------------------------------------------------------------


def test_missed_twice_in_a_row() -> None:
    assert finding(_energies(4, None, None), Flag.MISSED) == Finding(Flag.MISSED, {"missed": 2})
    assert finding(_energies(None, None, None), Flag.MISSED) == Finding(Flag.MISSED, {"missed": 3})
    assert Flag.MISSED not in flags(_energies(None, 4, None))
    assert Flag.MISSED not in flags(_energies(None))
    assert Flag.MISSED not in flags(_energies(None, None, 4))


# --- together ---------------------------------------------------------------------------------


def _everything() -> list[CheckInRecord]:
    return [
        days_ago(6, hours=30.0, energy=5, contact_outside=ContactOutside.ONCE, private_life=True),
        days_ago(5, energy=2, contact_outside=ContactOutside.SEVERAL, private_life=True, beyond_role=True),
        days_ago(4, energy=2, beyond_role=True),
        days_ago(2, missed=True),
        days_ago(1, missed=True),
    ]


def test_all_flags_in_flag_order() -> None:
    assert flags(_everything()) == list(Flag)


def test_unsorted_input_gives_the_same_findings() -> None:
    history = _everything()
    assert run(list(reversed(history))) == run(history)
    assert run([history[3], history[0], history[4], history[2], history[1]]) == run(history)


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"window_days": 0},
        {"window_days": 2.5},
        {"window_days": True},
        {"rolling_hours_ratio": 0},
        {"single_week_ratio": -1.0},
        {"low_energy": 6},
        {"low_energy_in_a_row": 0},
        {"energy_drop": 0},
        {"energy_drop": float("nan")},
        {"missed_in_a_row": 0},
        {"boundary_repeat": "2"},
    ],
)
def test_invalid_thresholds(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        WellbeingThresholds(**changes)  # type: ignore[arg-type]


def test_whole_numbers_are_fine_for_ratios() -> None:
    assert WellbeingThresholds(rolling_hours_ratio=1, energy_drop=3).rolling_hours_ratio == 1


@pytest.mark.parametrize(
    "changes",
    [
        {"at": datetime(2026, 11, 1, 12, 0)},
        {"energy": 0},
        {"energy": 6},
        {"energy": 2.5},
        {"hours": -1.0},
        {"hours": float("inf")},
        {"contact_outside": "maybe"},
    ],
)
def test_invalid_records(changes: dict[str, object]) -> None:
    base: dict[str, object] = {"at": NOW}
    base.update(changes)
    with pytest.raises(ValueError):
        CheckInRecord(**base)  # type: ignore[arg-type]


def test_naive_now_and_unknown_zone_are_refused() -> None:
    with pytest.raises(ValueError):
        evaluate([], agreed_hours_per_week=4.0, now=datetime(2026, 11, 27), zone=ZONE)
    with pytest.raises(ValueError):
        evaluate([], agreed_hours_per_week=4.0, now=NOW, zone="Mars/Olympus")


# --- properties -------------------------------------------------------------------------------

records = st.builds(
    CheckInRecord,
    at=st.datetimes(datetime(2026, 9, 1), datetime(2026, 12, 31), timezones=st.sampled_from([UTC, AMS])),
    missed=st.booleans(),
    hours=st.none() | st.floats(0, 80, allow_nan=False),
    energy=st.none() | st.integers(1, 5),
    contact_outside=st.none() | st.sampled_from(ContactOutside),
    private_life=st.none() | st.booleans(),
    beyond_role=st.none() | st.booleans(),
)
thresholds = st.builds(
    WellbeingThresholds,
    window_days=st.integers(1, 60),
    rolling_hours_ratio=st.floats(0.1, 5),
    single_week_ratio=st.floats(0.1, 5),
    boundary_repeat=st.integers(1, 5),
    private_life_repeat=st.integers(1, 5),
    low_energy=st.integers(1, 5),
    low_energy_in_a_row=st.integers(1, 5),
    energy_drop=st.floats(0.1, 4),
    missed_in_a_row=st.integers(1, 5),
)


@settings(max_examples=150, deadline=None)
@given(
    history=st.lists(records, max_size=30),
    agreed=st.none() | st.floats(0, 60, allow_nan=False),
    limits=thresholds,
    zone=st.sampled_from([ZONE, "UTC", "America/Sao_Paulo", "Asia/Kolkata"]),
)
def test_evaluate_never_raises_and_keeps_flag_order(
    history: list[CheckInRecord], agreed: float | None, limits: WellbeingThresholds, zone: str
) -> None:
    result = evaluate(history, agreed_hours_per_week=agreed, now=NOW, zone=zone, thresholds=limits)
    found = [f.flag for f in result]
    assert len(found) == len(set(found))
    assert found == [flag for flag in Flag if flag in found]
    for item in result:
        assert item.evidence
        assert all(isinstance(v, int | float | str) for v in item.evidence.values())


@settings(max_examples=75, deadline=None)
@given(history=st.lists(records, max_size=20, unique_by=lambda r: r.at), data=st.data())
def test_input_order_does_not_matter(history: list[CheckInRecord], data: st.DataObject) -> None:
    shuffled = data.draw(st.permutations(history))
    assert run(list(shuffled)) == run(history)
