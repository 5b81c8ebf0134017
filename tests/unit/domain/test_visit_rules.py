"""Visit safety timer, the pure parts: durations as people type them, deadlines, who may press what."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.visits import (
    GRACE,
    MAX_MINUTES,
    MIN_MINUTES,
    Action,
    Visit,
    VisitState,
    answer_deadline,
    clock_text,
    extended_end,
    help_key,
    overdue_key,
    parse_minutes,
    planned_end,
    press_refusal,
)

AMS = ZoneInfo("Europe/Amsterdam")
START = datetime(2026, 11, 23, 13, 30, tzinfo=UTC)  # 14:30 in Amsterdam


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("45", 45),
        (" 45 ", 45),
        ("45 min", 45),
        ("45min", 45),
        ("45 minuten", 45),
        ("90 min", 90),
        ("90 Minutes", 90),
        ("1,5 uur", 90),
        ("1.5 uur", 90),
        ("1,5u", 90),
        ("2 uur", 120),
        ("2 UUR.", 120),
        ("1 hour", 60),
        ("1.5 hours", 90),
        ("1,25 uur", 75),
        ("1:30", 90),
        ("1 uur 30", 90),
        ("1 uur en 15 min", 75),
        ("1u30", 90),
        ("anderhalf uur", 90),
        ("een half uur", 30),
        ("half an hour", 30),
        ("5", MIN_MINUTES),
        ("8 uur", MAX_MINUTES),
        ("480", MAX_MINUTES),
    ],
)
def test_durations_as_people_type_them(text: str, minutes: int) -> None:
    assert parse_minutes(text) == minutes


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "straks",
        "een tijdje",
        "0",
        "4",  # below the shortest visit
        "-10",
        "481",  # above the longest visit
        "9 uur",
        "1,5",  # a bare fraction: minutes or hours? not guessed
        "45 dagen",
        "1:75",
        "1 uur 60",
        "45 45",
        "٤٥",  # other digit systems are not read as numbers
        "1e2",
        "12345",
    ],
)
def test_what_is_not_a_duration(text: str) -> None:
    assert parse_minutes(text) is None


@given(st.text(max_size=30))
def test_parsing_never_fails_and_stays_in_range(text: str) -> None:
    minutes = parse_minutes(text)
    assert minutes is None or MIN_MINUTES <= minutes <= MAX_MINUTES


@given(st.integers(min_value=MIN_MINUTES, max_value=MAX_MINUTES))
def test_every_whole_number_of_minutes_in_range_is_read_back(minutes: int) -> None:
    assert parse_minutes(str(minutes)) == minutes
    assert parse_minutes(f"{minutes} min") == minutes


def test_deadlines() -> None:
    end = planned_end(START, 60)
    assert end == START + timedelta(hours=1)
    assert clock_text(end, AMS) == "15:30"
    # Asked on time: the volunteer has the grace period after the planned end.
    assert answer_deadline(end, end) == end + GRACE == START + timedelta(minutes=70)
    assert answer_deadline(end, end, timedelta(minutes=5)) == end + timedelta(minutes=5)
    # Asked late (the bot was down): still the whole grace period from the question.
    late = end + timedelta(minutes=25)
    assert answer_deadline(end, late) == late + GRACE
    # "30 min longer" counts from the answer, never from a time already past.
    assert extended_end(end, end + timedelta(minutes=3)) == end + timedelta(minutes=33)
    assert extended_end(end, end - timedelta(minutes=5)) == end + timedelta(minutes=30)
    # Across midnight and daylight saving time: instants are UTC, only the display is local.
    night = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)  # 02:30 CEST, clocks go back at 03:00
    assert clock_text(planned_end(night, 60), AMS) == "02:30"


def test_deadline_inputs_are_checked() -> None:
    with pytest.raises(ValueError):
        planned_end(datetime(2026, 11, 23, 13, 30), 60)  # naive on purpose
    with pytest.raises(ValueError):
        planned_end(START, MAX_MINUTES + 1)
    with pytest.raises(ValueError):
        answer_deadline(START, datetime(2026, 11, 23, 13, 30))


VISIT = Visit(
    id=7,
    volunteer_id=4,
    link_id=1,
    client_alias="C-12",
    state=VisitState.ASKED,
    minutes=60,
    started_at=START,
    ends_at=START + timedelta(hours=1),
    due_at=START + timedelta(minutes=70),
    prompts=2,
    escalation_id=None,
    alerted_at=None,
    ended_at=None,
)


def test_only_the_own_volunteer_and_only_an_active_visit() -> None:
    for action in Action:
        assert press_refusal(None, 4, action, 2) == "button.expired"
        assert press_refusal(VISIT, 5, action, 2) == "button.expired"
        assert press_refusal(VISIT, 4, action, 2) is None
    for state in (VisitState.DONE, VisitState.HELP):
        ended = replace(VISIT, state=state)
        assert press_refusal(ended, 4, Action.OK, 2) == "visit.over"
        assert press_refusal(ended, 4, Action.MORE, 2) == "visit.over"
        # A help button that can no longer work says where help is instead.
        assert press_refusal(ended, 4, Action.HELP, 2) == "visit.help_over"


def test_longer_only_answers_the_current_question() -> None:
    assert press_refusal(VISIT, 4, Action.MORE, 1) == "button.expired"  # an older question
    assert press_refusal(VISIT, 4, Action.MORE, None) == "button.expired"
    running = replace(VISIT, state=VisitState.RUNNING)
    assert press_refusal(running, 4, Action.MORE, 2) == "button.expired"  # already extended
    overdue = replace(VISIT, state=VisitState.OVERDUE)
    assert press_refusal(overdue, 4, Action.MORE, 2) == "visit.extend_too_late"
    # "All good" and "help" still work once the professional has been alerted.
    assert press_refusal(overdue, 4, Action.OK, 0) is None
    assert press_refusal(overdue, 4, Action.HELP, 0) is None
    assert press_refusal(running, 4, Action.OK, 0) is None


def test_dedupe_keys_per_visit_and_step() -> None:
    assert overdue_key(12) == "visit:12:overdue"
    assert help_key(12) == "visit:12:help"
