"""Check-in schedule maths and quiet hours, especially across daylight-saving changes."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.schedule import (
    QuietHours,
    ScheduleRule,
    after_quiet_hours,
    fires_on,
    in_quiet_hours,
    local_fire_time,
    next_occurrence,
    occurrences,
    previous_occurrence,
)

AMS_NAME = "Europe/Amsterdam"
AMS = ZoneInfo(AMS_NAME)
MON, TUE, WED, THU, FRI, SAT, SUN = range(7)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[arg-type, misc]


def ams(*parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, tzinfo=AMS, fold=fold)  # type: ignore[arg-type, misc]


def monday_19(**changes: object) -> ScheduleRule:
    base: dict[str, object] = dict(weekdays=frozenset({MON}), local_time=time(19, 0), zone=AMS_NAME)
    base.update(changes)
    return ScheduleRule(**base)  # type: ignore[arg-type]


# --- validation -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"weekdays": frozenset()},
        {"weekdays": frozenset({7})},
        {"weekdays": frozenset({-1})},
        {"weekdays": frozenset({True})},
        {"local_time": time(19, 0, tzinfo=UTC)},
        {"zone": "Europe/Atlantis"},
        {"zone": ""},
        {"zone": "Europe"},
        {"every_weeks": 0},
        {"every_weeks": 9},
        {"anchor": datetime(2024, 1, 1)},
    ],
)
def test_invalid_rules_are_refused_with_value_error(changes: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        monday_19(**changes)


def test_rule_defaults_and_weekday_coercion() -> None:
    rule = ScheduleRule(weekdays={TUE, THU}, local_time=time(18, 30))  # type: ignore[arg-type]
    assert rule.weekdays == frozenset({TUE, THU})
    assert rule.zone == AMS_NAME
    assert rule.every_weeks == 1
    assert rule.anchor == date(2024, 1, 1)


def test_naive_instants_are_refused() -> None:
    rule = monday_19()
    with pytest.raises(ValueError):
        next_occurrence(rule, datetime(2026, 1, 1, 12, 0))
    with pytest.raises(ValueError):
        occurrences(rule, datetime(2026, 1, 1), utc(2026, 2, 1))
    with pytest.raises(ValueError):
        in_quiet_hours(datetime(2026, 1, 1, 23, 0), QuietHours(), AMS_NAME)


# --- fire times -------------------------------------------------------------------------------


def test_monday_evening_is_18_utc_in_winter_and_17_utc_in_summer() -> None:
    rule = monday_19()
    winter = next_occurrence(rule, utc(2026, 1, 1))
    assert winter == utc(2026, 1, 5, 18, 0)
    assert winter.tzinfo is UTC
    assert next_occurrence(rule, utc(2026, 7, 1)) == utc(2026, 7, 6, 17, 0)


@pytest.mark.parametrize(
    ("start", "expected_utc_hours"),
    [
        (utc(2026, 3, 16), [18, 18, 17, 17]),  # change on Sunday 29 March 2026
        (utc(2026, 10, 12), [17, 17, 18, 18]),  # change on Sunday 25 October 2026
        (utc(2027, 3, 15), [18, 18, 17, 17]),  # change on Sunday 28 March 2027
        (utc(2027, 10, 18), [17, 17, 18, 18]),  # change on Sunday 31 October 2027
    ],
)
def test_weekly_occurrences_stay_at_19_local_across_changes(start: datetime, expected_utc_hours: list[int]) -> None:
    found = occurrences(monday_19(), start, start + timedelta(weeks=4))
    assert [t.hour for t in found] == expected_utc_hours
    for moment in found:
        local = moment.astimezone(AMS)
        assert (local.weekday(), local.time()) == (MON, time(19, 0))
        assert moment.tzinfo is UTC
    assert [b - a for a, b in pairwise(found)].count(timedelta(weeks=1)) == 2


def test_wall_time_in_the_spring_gap_moves_forward_by_the_gap() -> None:
    rule = ScheduleRule(weekdays=frozenset({SUN}), local_time=time(2, 30), zone=AMS_NAME)
    assert local_fire_time(rule, date(2026, 3, 29)) == utc(2026, 3, 29, 1, 30)
    assert utc(2026, 3, 29, 1, 30).astimezone(AMS).time() == time(3, 30)
    assert next_occurrence(rule, utc(2026, 3, 28)) == utc(2026, 3, 29, 1, 30)
    # The Sundays around it are ordinary.
    assert local_fire_time(rule, date(2026, 3, 22)) == utc(2026, 3, 22, 1, 30)
    assert local_fire_time(rule, date(2026, 4, 5)) == utc(2026, 4, 5, 0, 30)


def test_ambiguous_autumn_wall_time_fires_once_the_first_time() -> None:
    rule = ScheduleRule(weekdays=frozenset({SUN}), local_time=time(2, 30), zone=AMS_NAME)
    assert local_fire_time(rule, date(2026, 10, 25)) == utc(2026, 10, 25, 0, 30)
    that_night = occurrences(rule, utc(2026, 10, 24, 12), utc(2026, 10, 25, 12))
    assert that_night == [utc(2026, 10, 25, 0, 30)]
    # Asked between the first and the second 02:30, the next one is a week later.
    assert next_occurrence(rule, utc(2026, 10, 25, 1, 0)) == utc(2026, 11, 1, 1, 30)


def test_every_two_weeks_counts_from_the_anchor_week() -> None:
    # Anchor on a Thursday: its week (Monday 5 January 2026) is week 0 and fires.
    rule = monday_19(every_weeks=2, anchor=date(2026, 1, 8))
    found = occurrences(rule, utc(2025, 12, 20), utc(2026, 2, 10))
    assert [t.date() for t in found] == [
        date(2025, 12, 22),
        date(2026, 1, 5),
        date(2026, 1, 19),
        date(2026, 2, 2),
    ]
    assert not fires_on(rule, date(2026, 1, 12))
    assert not fires_on(rule, date(2025, 12, 29))


def test_several_weekdays_every_two_weeks() -> None:
    rule = ScheduleRule(
        weekdays=frozenset({TUE, THU}),
        local_time=time(18, 30),
        zone=AMS_NAME,
        every_weeks=2,
        anchor=date(2026, 3, 2),
    )
    found = occurrences(rule, utc(2026, 3, 1), utc(2026, 4, 1))
    local = [t.astimezone(AMS) for t in found]
    assert [d.date() for d in local] == [
        date(2026, 3, 3),
        date(2026, 3, 5),
        date(2026, 3, 17),
        date(2026, 3, 19),
        date(2026, 3, 31),
    ]
    assert {d.time() for d in local} == {time(18, 30)}
    assert found[-1] == utc(2026, 3, 31, 16, 30)  # summer time by then


def test_occurrence_bounds_are_exclusive_start_inclusive_end() -> None:
    rule = monday_19()
    fire = utc(2026, 1, 5, 18, 0)
    assert occurrences(rule, fire, fire + timedelta(days=6)) == []
    assert occurrences(rule, fire - timedelta(microseconds=1), fire) == [fire]
    assert occurrences(rule, fire - timedelta(days=6), fire) == [fire]
    assert occurrences(rule, fire, fire) == []
    assert occurrences(rule, fire + timedelta(days=1), fire) == []


def test_next_occurrence_at_a_fire_time_returns_the_following_one() -> None:
    rule = monday_19()
    fire = utc(2026, 1, 5, 18, 0)
    assert next_occurrence(rule, fire - timedelta(microseconds=1)) == fire
    assert next_occurrence(rule, fire) == utc(2026, 1, 12, 18, 0)


def test_previous_occurrence_includes_the_instant_itself() -> None:
    rule = monday_19()
    fire = utc(2026, 1, 5, 18, 0)
    assert previous_occurrence(rule, fire) == fire
    assert previous_occurrence(rule, fire - timedelta(microseconds=1)) == utc(2025, 12, 29, 18, 0)
    # Eight-weekly: the previous one may be almost eight weeks back, across a DST change.
    sparse = monday_19(every_weeks=8, anchor=date(2026, 3, 2))
    assert previous_occurrence(sparse, utc(2026, 4, 27, 16, 59)) == utc(2026, 3, 2, 18, 0)
    assert previous_occurrence(sparse, utc(2026, 4, 27, 17, 0)) == utc(2026, 4, 27, 17, 0)


def test_instants_in_other_offsets_are_accepted() -> None:
    rule = monday_19()
    new_york = datetime(2026, 1, 5, 12, 59, tzinfo=ZoneInfo("America/New_York"))  # 17:59 UTC
    assert next_occurrence(rule, new_york) == utc(2026, 1, 5, 18, 0)


# --- quiet hours ------------------------------------------------------------------------------

LATE = QuietHours(start=time(22, 30), end=time(8, 0))


def test_default_quiet_hours() -> None:
    assert QuietHours() == QuietHours(time(21, 0), time(8, 0))
    assert in_quiet_hours(ams(2026, 1, 6, 21, 0), QuietHours(), AMS_NAME)
    assert not in_quiet_hours(ams(2026, 1, 6, 20, 59), QuietHours(), AMS_NAME)


def test_quiet_hours_wrap_midnight_with_start_in_and_end_out() -> None:
    assert not in_quiet_hours(ams(2026, 1, 6, 22, 29, 59), LATE, AMS_NAME)
    assert in_quiet_hours(ams(2026, 1, 6, 22, 30), LATE, AMS_NAME)
    assert in_quiet_hours(ams(2026, 1, 7, 0, 0), LATE, AMS_NAME)
    assert in_quiet_hours(ams(2026, 1, 7, 7, 59, 59), LATE, AMS_NAME)
    assert not in_quiet_hours(ams(2026, 1, 7, 8, 0), LATE, AMS_NAME)
    assert not in_quiet_hours(ams(2026, 1, 7, 12, 0), LATE, AMS_NAME)


def test_after_quiet_hours_moves_to_the_end_of_the_span() -> None:
    evening = ams(2026, 1, 6, 23, 15)
    assert after_quiet_hours(evening, LATE, AMS_NAME) == utc(2026, 1, 7, 7, 0)
    early = ams(2026, 1, 7, 5, 0)
    assert after_quiet_hours(early, LATE, AMS_NAME) == utc(2026, 1, 7, 7, 0)
    midday = ams(2026, 1, 7, 12, 0)
    assert after_quiet_hours(midday, LATE, AMS_NAME) == midday
    assert after_quiet_hours(midday, LATE, AMS_NAME).tzinfo is UTC


def test_after_quiet_hours_on_change_nights() -> None:
    # Spring: 23:00 CET (22:00 UTC) -> 08:00 CEST (06:00 UTC); the night is an hour shorter.
    assert after_quiet_hours(utc(2026, 3, 28, 22, 0), LATE, AMS_NAME) == utc(2026, 3, 29, 6, 0)
    # Autumn: 23:00 CEST (21:00 UTC) -> 08:00 CET (07:00 UTC); the night is an hour longer.
    assert after_quiet_hours(utc(2026, 10, 24, 21, 0), LATE, AMS_NAME) == utc(2026, 10, 25, 7, 0)
    # Inside the repeated hour itself.
    assert after_quiet_hours(ams(2026, 10, 25, 2, 30, fold=1), LATE, AMS_NAME) == utc(2026, 10, 25, 7, 0)


def test_quiet_end_inside_the_spring_gap_ends_at_the_jump() -> None:
    quiet = QuietHours(start=time(21, 0), end=time(2, 30))
    end = after_quiet_hours(utc(2026, 3, 28, 22, 0), quiet, AMS_NAME)
    assert end == utc(2026, 3, 29, 1, 0)  # 03:00 CEST: the clock jumps over 02:30
    assert not in_quiet_hours(end, quiet, AMS_NAME)
    assert in_quiet_hours(end - timedelta(seconds=1), quiet, AMS_NAME)


def test_quiet_end_that_happens_twice() -> None:
    quiet = QuietHours(start=time(21, 0), end=time(2, 30))
    # Before the first 02:30 (CEST): ends then.
    assert after_quiet_hours(ams(2026, 10, 25, 2, 15), quiet, AMS_NAME) == utc(2026, 10, 25, 0, 30)
    # Between 02:30 CEST and the second 02:00 (CET) the clock is out of quiet hours...
    assert not in_quiet_hours(ams(2026, 10, 25, 2, 45), quiet, AMS_NAME)
    # ...and the second 02:15 is quiet again, until the second 02:30.
    assert after_quiet_hours(ams(2026, 10, 25, 2, 15, fold=1), quiet, AMS_NAME) == utc(2026, 10, 25, 1, 30)


def test_quiet_hours_within_one_day_and_disabled() -> None:
    lunch = QuietHours(start=time(12, 0), end=time(13, 0))
    assert in_quiet_hours(ams(2026, 1, 6, 12, 30), lunch, AMS_NAME)
    assert not in_quiet_hours(ams(2026, 1, 6, 23, 0), lunch, AMS_NAME)
    assert after_quiet_hours(ams(2026, 1, 6, 12, 30), lunch, AMS_NAME) == utc(2026, 1, 6, 12, 0)
    off = QuietHours(start=time(8, 0), end=time(8, 0))
    assert not off.enabled
    for hour in range(24):
        moment = ams(2026, 1, 6, hour, 0)
        assert not in_quiet_hours(moment, off, AMS_NAME)
        assert after_quiet_hours(moment, off, AMS_NAME) == moment


def test_quiet_hours_refuse_aware_times() -> None:
    with pytest.raises(ValueError):
        QuietHours(start=time(21, 0, tzinfo=UTC))


# --- properties -------------------------------------------------------------------------------

# Zones with an hour of DST, half an hour (Lord Howe), DST at midnight (São Paulo until 2019),
# the southern hemisphere, and none at all.
ZONES = [
    "Europe/Amsterdam",
    "America/New_York",
    "America/Sao_Paulo",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "UTC",
]

rules = st.builds(
    ScheduleRule,
    weekdays=st.frozensets(st.integers(0, 6), min_size=1),
    local_time=st.times(),
    zone=st.sampled_from(ZONES),
    every_weeks=st.integers(1, 8),
    anchor=st.dates(date(2000, 1, 1), date(2035, 12, 31)),
)
instants = st.datetimes(datetime(2000, 1, 1), datetime(2036, 12, 31), timezones=st.just(UTC))


def _wall_exists(day: date, wall: time, zone: ZoneInfo) -> bool:
    naive = datetime.combine(day, wall)
    return naive.replace(tzinfo=zone).astimezone(UTC).astimezone(zone).replace(tzinfo=None) == naive


@settings(max_examples=150, deadline=None)
@given(rule=rules, after=instants)
def test_next_occurrence_properties(rule: ScheduleRule, after: datetime) -> None:
    zone = ZoneInfo(rule.zone)
    following = next_occurrence(rule, after)
    assert following > after
    assert following.tzinfo is UTC
    local = following.astimezone(zone)
    if local.time() == rule.local_time:
        assert local.weekday() in rule.weekdays
        assert fires_on(rule, local.date())
    else:
        # Only a wall time the clock skipped may fire at another time, on the day it was meant for.
        meant = [
            day
            for day in (local.date(), local.date() - timedelta(days=1))
            if fires_on(rule, day) and not _wall_exists(day, rule.local_time, zone)
        ]
        assert any(local_fire_time(rule, day) == following for day in meant)
    assert occurrences(rule, after, following) == [following]


@settings(max_examples=100, deadline=None)
@given(rule=rules, at=instants)
def test_previous_occurrence_properties(rule: ScheduleRule, at: datetime) -> None:
    before = previous_occurrence(rule, at)
    assert before is not None
    assert before <= at
    assert occurrences(rule, before, at) == []
    assert next_occurrence(rule, before) > at


@settings(max_examples=150, deadline=None)
@given(
    moment=instants,
    start=st.times(),
    end=st.times(),
    zone=st.sampled_from(ZONES),
)
def test_after_quiet_hours_properties(moment: datetime, start: time, end: time, zone: str) -> None:
    quiet = QuietHours(start=start, end=end)
    released = after_quiet_hours(moment, quiet, zone)
    assert released.tzinfo is UTC
    assert not in_quiet_hours(released, quiet, zone)
    if in_quiet_hours(moment, quiet, zone):
        assert released > moment
        assert released - moment < timedelta(days=1, hours=1)
        assert in_quiet_hours(max(moment, released - timedelta(seconds=1)), quiet, zone)
    else:
        assert released == moment


def test_next_daily_run_is_the_next_local_hour_across_dst() -> None:
    from bot.domain.schedule import next_daily_run

    zone = ZoneInfo("Europe/Amsterdam")
    assert next_daily_run(datetime(2026, 11, 23, 9, 0, tzinfo=UTC), 3, zone) == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    assert next_daily_run(datetime(2026, 11, 23, 1, 0, tzinfo=UTC), 3, zone) == datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
    # Strictly after: at 03:00 local exactly, the next run is tomorrow.
    assert next_daily_run(datetime(2026, 11, 23, 2, 0, tzinfo=UTC), 3, zone) == datetime(2026, 11, 24, 2, 0, tzinfo=UTC)
    # Spring forward: 02:00 does not exist that night, the run is at 03:00 summer time, once.
    assert next_daily_run(datetime(2026, 3, 28, 12, 0, tzinfo=UTC), 2, zone) == datetime(2026, 3, 29, 1, 0, tzinfo=UTC)
    # Fall back: 02:00 happens twice; the first one counts.
    assert next_daily_run(datetime(2026, 10, 24, 12, 0, tzinfo=UTC), 2, zone) == datetime(
        2026, 10, 25, 0, 0, tzinfo=UTC
    )


@given(
    st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)),
    st.integers(0, 23),
)
def test_next_daily_run_is_within_a_day_and_at_the_hour(after: datetime, hour: int) -> None:
    from bot.domain.schedule import next_daily_run

    zone = ZoneInfo("Europe/Amsterdam")
    run = next_daily_run(after, hour, zone)
    assert after < run <= after + timedelta(hours=25)
    local = run.astimezone(zone)
    assert local.minute == 0 and (local.hour == hour or (hour == 2 and local.hour == 3))
