"""The escalation policy: who is told, when the next step is due, what is skipped and why."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.escalation import (
    DEFAULT_POLICIES,
    RETRY_NOBODY,
    Candidate,
    Policy,
    Situation,
    SkipReason,
    State,
    Step,
    Urgency,
    WorkingHours,
    climb_now,
    next_step,
)

# Tuesday 24 Nov 2026, 10:00 in Amsterdam (09:00 UTC): inside default working hours.
WORKDAY = datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
EVENING = datetime(2026, 11, 24, 19, 0, tzinfo=UTC)  # 20:00 local

PIET, FATIMA, ANNA, BOB = 1, 2, 3, 4


def levels(*, piet: Candidate | None = None, fatima: Candidate | None = None) -> list[list[Candidate]]:
    return [
        [piet or Candidate(PIET)],
        [fatima or Candidate(FATIMA)],
        [Candidate(ANNA), Candidate(BOB)],
    ]


def situation(
    urgency: Urgency,
    *,
    level: int = -1,
    told: set[int] | None = None,
    at_level: set[int] | None = None,
    state: State = State.OPEN,
    lv: list[list[Candidate]] | None = None,
) -> Situation:
    return Situation(
        urgency=urgency,
        state=state,
        level=level,
        levels=lv or levels(),
        told=frozenset(told or set()),
        told_at_level=frozenset(at_level or set()),
    )


def step(s: Situation, now: datetime = WORKDAY) -> Step:
    return next_step(s, DEFAULT_POLICIES[s.urgency], now)


def test_urgent_climbs_a_level_every_ten_minutes_then_reminds() -> None:
    first = step(situation(Urgency.URGENT))
    assert (first.tell, first.level, first.next_at) == ((PIET,), 0, WORKDAY + timedelta(minutes=10))
    later = WORKDAY + timedelta(minutes=10)
    second = step(situation(Urgency.URGENT, level=0, told={PIET}, at_level={PIET}), later)
    assert (second.tell, second.level, second.next_at) == ((FATIMA,), 1, later + timedelta(minutes=10))
    third = step(situation(Urgency.URGENT, level=1, told={PIET, FATIMA}, at_level={FATIMA}), later)
    assert third.tell == (ANNA, BOB) and third.level == 2
    fourth = step(situation(Urgency.URGENT, level=2, told={PIET, FATIMA, ANNA, BOB}, at_level={ANNA, BOB}), later)
    assert fourth.tell == () and set(fourth.remind) == {PIET, FATIMA, ANNA, BOB}
    assert fourth.next_at == later + timedelta(minutes=10)


def test_emergency_tells_every_level_at_once_and_repeats_every_five_minutes() -> None:
    first = step(situation(Urgency.EMERGENCY))
    assert first.tell == (PIET, FATIMA, ANNA, BOB) and first.next_at == WORKDAY + timedelta(minutes=5)
    again = step(situation(Urgency.EMERGENCY, level=2, told={PIET, FATIMA, ANNA, BOB}), WORKDAY + timedelta(minutes=5))
    assert again.tell == () and again.remind == (PIET, FATIMA, ANNA, BOB)
    assert again.next_at == WORKDAY + timedelta(minutes=10)


def test_emergency_at_night_does_not_wait_for_working_hours() -> None:
    assert step(situation(Urgency.EMERGENCY), EVENING).tell == (PIET, FATIMA, ANNA, BOB)
    assert step(situation(Urgency.URGENT), EVENING).tell == (PIET,)


def test_info_goes_to_the_professional_and_does_not_climb() -> None:
    first = step(situation(Urgency.INFO))
    assert first.tell == (PIET,) and first.next_at is None
    # If the professional becomes unreachable, info still moves on: nothing is lost.
    lv = levels(piet=Candidate(PIET, reachable=False))
    s = situation(Urgency.INFO, level=0, told={PIET}, at_level={PIET}, lv=lv)
    assert climb_now(s)
    assert step(s).tell == (FATIMA,)


def test_concern_waits_four_working_hours_and_for_working_hours_to_begin() -> None:
    first = step(situation(Urgency.CONCERN))
    assert first.tell == (PIET,) and first.next_at == WORKDAY + timedelta(hours=4)
    # Told at 16:00 local: 1 working hour today, 3 tomorrow from 08:30 -> 11:30 local = 10:30 UTC.
    late = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
    assert step(situation(Urgency.CONCERN), late).next_at == datetime(2026, 11, 25, 10, 30, tzinfo=UTC)
    # Reported in the evening: nobody is told until 08:30 local the next morning.
    evening = step(situation(Urgency.CONCERN), EVENING)
    assert evening.tell == () and evening.next_at == datetime(2026, 11, 25, 7, 30, tzinfo=UTC)
    # Friday evening waits until Monday morning.
    friday = datetime(2026, 11, 27, 18, 0, tzinfo=UTC)
    assert step(situation(Urgency.CONCERN), friday).next_at == datetime(2026, 11, 30, 7, 30, tzinfo=UTC)


def test_away_and_unreachable_levels_are_skipped_at_once_with_the_reason() -> None:
    away = step(situation(Urgency.URGENT, lv=levels(piet=Candidate(PIET, away=True))))
    assert away.tell == (FATIMA,) and away.level == 1 and away.skipped == ((0, SkipReason.AWAY),)
    blocked = step(situation(Urgency.URGENT, lv=levels(piet=Candidate(PIET, reachable=False))))
    assert blocked.skipped == ((0, SkipReason.UNREACHABLE),)
    no_backup = [[Candidate(PIET, away=True)], [], [Candidate(ANNA)]]
    result = step(situation(Urgency.URGENT, lv=no_backup))
    assert result.tell == (ANNA,) and result.skipped == ((0, SkipReason.AWAY), (1, SkipReason.NOBODY))


def test_nobody_reachable_keeps_the_item_and_looks_again() -> None:
    lv = [[Candidate(PIET, reachable=False)], [], [Candidate(ANNA, away=True)]]
    result = step(situation(Urgency.URGENT, lv=lv))
    assert result.nobody_reachable and result.tell == () and result.next_at == WORKDAY + RETRY_NOBODY
    emergency = step(situation(Urgency.EMERGENCY, lv=lv))
    assert emergency.nobody_reachable and emergency.next_at == WORKDAY + RETRY_NOBODY


def test_acknowledged_and_resolved_items_never_move() -> None:
    for state in (State.ACKNOWLEDGED, State.RESOLVED):
        result = step(situation(Urgency.EMERGENCY, level=2, told={PIET}, state=state))
        assert result.tell == () and result.remind == () and result.next_at is None


def test_climb_now_only_when_everyone_told_at_the_level_is_unreachable() -> None:
    lv = [
        [Candidate(PIET, reachable=False)],
        [Candidate(FATIMA)],
        [Candidate(ANNA), Candidate(BOB, reachable=False)],
    ]
    assert climb_now(situation(Urgency.URGENT, level=0, told={PIET}, at_level={PIET}, lv=lv))
    assert not climb_now(situation(Urgency.URGENT, level=2, told={ANNA, BOB}, at_level={ANNA, BOB}, lv=lv))
    assert not climb_now(situation(Urgency.URGENT, level=-1, lv=lv))


def test_working_hours_arithmetic_across_dst_and_weekends() -> None:
    hours = WorkingHours()
    # Friday 27 March 2026 16:00 local (15:00 UTC) + 4 working hours
    # = Monday 30 March 11:30 local (09:30 UTC, summer time).
    assert hours.add(datetime(2026, 3, 27, 15, 0, tzinfo=UTC), timedelta(hours=4)) == datetime(
        2026, 3, 30, 9, 30, tzinfo=UTC
    )
    assert hours.contains(datetime(2026, 11, 24, 7, 30, tzinfo=UTC))  # 08:30 local
    assert not hours.contains(datetime(2026, 11, 24, 16, 0, tzinfo=UTC))  # 17:00 local: closed
    custom = WorkingHours(days=frozenset({5}), start=time(10), end=time(12))
    assert custom.next_start(WORKDAY) == datetime(2026, 11, 28, 9, 0, tzinfo=UTC)
    with pytest.raises(ValueError):
        WorkingHours(start=time(17), end=time(9))
    with pytest.raises(ValueError):
        Policy(wait=timedelta())


@given(
    urgency=st.sampled_from(list(Urgency)),
    minutes=st.integers(min_value=0, max_value=60 * 24 * 14),
    away=st.lists(st.booleans(), min_size=4, max_size=4),
    reachable=st.lists(st.booleans(), min_size=4, max_size=4),
    level=st.integers(min_value=-1, max_value=2),
)
def test_policy_properties(urgency: Urgency, minutes: int, away: list[bool], reachable: list[bool], level: int) -> None:
    now = WORKDAY + timedelta(minutes=minutes)
    people = [Candidate(i + 1, away=away[i], reachable=reachable[i]) for i in range(4)]
    lv = [[people[0]], [people[1]], [people[2], people[3]]]
    told = {c.person_id for index in range(level + 1) for c in lv[index]}
    s = Situation(
        urgency=urgency,
        state=State.OPEN,
        level=level,
        levels=lv,
        told=frozenset(told),
        told_at_level=frozenset(c.person_id for c in lv[level]) if level >= 0 else frozenset(),
    )
    result = next_step(s, DEFAULT_POLICIES[urgency], now)
    eligible = {c.person_id for c in people if c.eligible}
    assert set(result.tell) <= eligible and not set(result.tell) & told  # only new, available, reachable people
    assert set(result.remind) <= eligible & told
    assert result.next_at is None or result.next_at > now  # never a step in the past: no busy loop
    if urgency is Urgency.EMERGENCY:
        assert set(result.tell) | set(result.remind) == eligible
    if not eligible:
        assert result.nobody_reachable or result.next_at is not None or urgency is Urgency.INFO
