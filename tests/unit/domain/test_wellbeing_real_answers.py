"""Issue 17: the wellbeing rules on how people really answer (pure, bot/domain/wellbeing.py).

Late and early answers count for the period they answer, a restless energy scale is judged against the
volunteer's own range, and paused check-ins are neither missed nor silence. Most cases also show what the
rules make of the same answers without what this issue added to the records (`unaware`: answer times only, no
paused check-ins), which for the hour rules is exactly how they counted before it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.wellbeing import CheckInRecord, ContactOutside, Finding, Flag, evaluate

ZONE = "Europe/Amsterdam"
AMS = ZoneInfo(ZONE)
WEEK = timedelta(days=7)
AGREED = 4.0
# Mondays and Fridays at 19:00 in Amsterdam, in November 2026 (winter time, no DST change in the tests).
MONDAY = datetime(2026, 11, 2, 19, 0, tzinfo=AMS)  # ISO week 2026-W45
FRIDAY = datetime(2026, 11, 13, 19, 0, tzinfo=AMS)  # ISO week 2026-W46


def due(start: datetime, week: int) -> datetime:
    return start + week * WEEK


def answer(period: datetime, late: timedelta = timedelta(minutes=10), **answers: object) -> CheckInRecord:
    """The scheduled check-in due at `period`, answered `late` after it."""
    return CheckInRecord(at=period + late, period=period, **answers)  # type: ignore[arg-type]


def paused(period: datetime) -> CheckInRecord:
    """The scheduled check-in due at `period`, set aside because the volunteer had paused."""
    return CheckInRecord(at=period, period=period, paused=True)


def findings(history: list[CheckInRecord], now: datetime, agreed: float | None = AGREED) -> dict[Flag, Finding]:
    found = evaluate(history, agreed_hours_per_week=agreed, now=now, zone=ZONE)
    return {finding.flag: finding for finding in found}


def unaware(history: list[CheckInRecord]) -> list[CheckInRecord]:
    """The same answers as the rules saw them before issue 17: by answer time, without the paused check-ins."""
    return [replace(r, period=None) for r in history if not r.paused]


# --- hours belong to the period they cover ------------------------------------------------------------


def test_a_late_answer_and_the_next_on_time_are_two_periods_not_one_heavy_week() -> None:
    """Friday's check-in answered on Monday, the next Friday's on time: two answers in one ISO week."""
    late = answer(due(FRIDAY, 0), late=timedelta(days=2, hours=15), hours=5.0)  # Monday 16 Nov, W47
    on_time = answer(due(FRIDAY, 1), hours=3.5)  # Friday 20 Nov, W47
    now = on_time.at
    assert Flag.TIME_OVERLOAD not in findings([late, on_time], now)
    assert findings(unaware([late, on_time]), now)[Flag.TIME_OVERLOAD].evidence["week_hours"] == 8.5


def test_a_late_answer_four_weeks_ago_does_not_make_five_weeks_in_the_window() -> None:
    """At 125% every week: four periods fill the 28-day window exactly, however late the oldest was given."""
    history = [answer(due(MONDAY, 0), late=timedelta(days=3), hours=5.0)]
    history += [answer(due(MONDAY, week), hours=5.0) for week in range(1, 5)]
    now = history[-1].at
    assert Flag.TIME_OVERLOAD not in findings(history, now)
    assert findings(unaware(history), now)[Flag.TIME_OVERLOAD].evidence["window_hours"] == 25


def test_an_early_answer_counts_for_the_check_in_it_answers() -> None:
    """Monday's check-in on time, then /checkin on Saturday for next Monday's (which it will count for)."""
    monday = answer(due(MONDAY, 2), hours=6.5)  # Monday 16 Nov, W47
    saturday = due(MONDAY, 2) + timedelta(days=4, hours=-3)  # Saturday 21 Nov 16:00, W47
    early = CheckInRecord(at=saturday, period=due(MONDAY, 3), hours=3.5)
    assert Flag.TIME_OVERLOAD not in findings([monday, early], saturday)
    assert Flag.TIME_OVERLOAD in findings(unaware([monday, early]), saturday)


def test_a_week_heavy_by_its_own_periods_still_fires_and_names_its_latest_check_in() -> None:
    """Two check-ins a week (Monday and Thursday): their hours add up to the week's, late or not."""
    history = [
        answer(due(MONDAY, 2), late=timedelta(days=2), hours=4.5),
        answer(due(MONDAY, 2) + timedelta(days=3), late=timedelta(days=1), hours=4.0),
    ]
    found = findings(history, history[-1].at)[Flag.TIME_OVERLOAD]
    assert found.evidence == {
        "week_hours": 8.5,
        "agreed_weekly": 4,
        "week": "2026-W47",
        "until": "2026-11-19",
        "checkins": 2,
    }


def test_an_answer_for_no_scheduled_check_in_belongs_to_its_own_time() -> None:
    history = [
        CheckInRecord(at=datetime(2026, 11, 16, 20, 0, tzinfo=AMS), hours=4.0),
        CheckInRecord(at=datetime(2026, 11, 20, 20, 0, tzinfo=AMS), hours=4.5),
    ]
    assert findings(history, history[-1].at)[Flag.TIME_OVERLOAD].evidence["week"] == "2026-W47"


# --- energy against the volunteer's own range ---------------------------------------------------------


def energies(*values: int) -> list[CheckInRecord]:
    """One weekly answer per value, oldest first (by answer time only: periods change nothing for energy)."""
    return [CheckInRecord(at=due(MONDAY, week), energy=value) for week, value in enumerate(values)]


def test_a_restless_volunteers_2_is_within_their_own_range() -> None:
    """3, 5, 4, 5, 3 and then a 2: before issue 17 the mean of the window (4) made it "a drop of 2"; their own
    range (3 to 5) says it is not unusual for them."""
    history = energies(3, 5, 4, 5, 3, 2)
    assert Flag.ENERGY not in findings(history, history[-1].at)
    wandering = energies(5, 2, 4, 3, 5, 4, 2)
    assert Flag.ENERGY not in findings(wandering, wandering[-1].at)


def test_a_drop_below_a_steady_range_fires_with_that_range() -> None:
    history = energies(4, 5, 4, 5, 4, 2)
    found = findings(history, history[-1].at)[Flag.ENERGY]
    assert found.evidence == {"latest": 2, "lowest": 4, "highest": 5, "answers": 5}
    steady = energies(5, 5, 5, 5, 3)
    assert findings(steady, steady[-1].at)[Flag.ENERGY].evidence == {
        "latest": 3,
        "lowest": 5,
        "highest": 5,
        "answers": 4,
    }


def test_a_range_needs_three_earlier_answers() -> None:
    short = energies(5, 5, 2)
    assert Flag.ENERGY not in findings(short, short[-1].at)
    enough = energies(5, 5, 5, 2)
    assert Flag.ENERGY in findings(enough, enough[-1].at)


def test_two_low_answers_in_a_row_and_energy_1_still_alert_for_a_restless_volunteer() -> None:
    twice = energies(3, 5, 2, 4, 2, 2)
    assert findings(twice, twice[-1].at)[Flag.ENERGY].evidence == {"latest": 2, "previous": 2, "in_a_row": 2}
    empty = energies(2, 5, 3, 4, 1)
    assert findings(empty, empty[-1].at)[Flag.ENERGY].evidence == {"latest": 1, "strong": 1}


# --- pauses are neither missed nor silence ------------------------------------------------------------


def test_the_window_reaches_back_over_paused_weeks() -> None:
    """Contact outside the agreed times five weeks ago and now, with two paused weeks between: 28 days of
    check-ins hold both."""
    history = [
        answer(due(MONDAY, 0), contact_outside=ContactOutside.ONCE),
        answer(due(MONDAY, 1), contact_outside=ContactOutside.NO),
        paused(due(MONDAY, 2)),
        paused(due(MONDAY, 3)),
        answer(due(MONDAY, 4), contact_outside=ContactOutside.NO),
        answer(due(MONDAY, 5), contact_outside=ContactOutside.ONCE),
    ]
    now = history[-1].at
    assert findings(history, now)[Flag.BOUNDARIES].evidence == {"count": 2, "days": 28}
    assert Flag.BOUNDARIES not in findings(unaware(history), now)


def test_hours_before_a_pause_still_count_for_the_window() -> None:
    history = [answer(due(MONDAY, week), hours=5.0) for week in range(4)]
    history += [paused(due(MONDAY, 4)), paused(due(MONDAY, 5)), answer(due(MONDAY, 6), hours=5.5)]
    now = history[-1].at
    assert findings(history, now)[Flag.TIME_OVERLOAD].evidence == {
        "window_hours": 20.5,
        "agreed_hours": 16,
        "weeks": 4,
    }
    assert Flag.TIME_OVERLOAD not in findings(unaware(history), now)


def test_the_first_answer_after_a_pause_is_not_compared_with_the_weeks_before_it() -> None:
    before = [answer(due(MONDAY, week), energy=value) for week, value in enumerate((4, 5, 4, 5))]
    history = [*before, paused(due(MONDAY, 4)), answer(due(MONDAY, 5), energy=2)]
    now = history[-1].at
    assert Flag.ENERGY not in findings(history, now)
    # Without the pause the same 2 is below this volunteer's range: it is the pause that holds it back.
    assert findings(unaware(history), now)[Flag.ENERGY].evidence["lowest"] == 4
    # The second answer after the pause is compared again, and two low ones after it are "in a row".
    again = [*history, answer(due(MONDAY, 6), energy=2)]
    assert findings(again, again[-1].at)[Flag.ENERGY].evidence == {"latest": 2, "previous": 2, "in_a_row": 2}


def test_nothing_is_in_a_row_across_a_pause() -> None:
    low = [answer(due(MONDAY, week), energy=value) for week, value in enumerate((4, 5, 4, 2))]
    low += [paused(due(MONDAY, 4)), answer(due(MONDAY, 5), energy=2)]
    assert Flag.ENERGY not in findings(low, low[-1].at)
    assert Flag.ENERGY in findings(unaware(low), low[-1].at)
    missed = [
        CheckInRecord(at=due(MONDAY, 0) + timedelta(days=3), period=due(MONDAY, 0), missed=True),
        paused(due(MONDAY, 1)),
        CheckInRecord(at=due(MONDAY, 2) + timedelta(days=3), period=due(MONDAY, 2), missed=True),
    ]
    assert Flag.MISSED not in findings(missed, missed[-1].at)
    assert findings(unaware(missed), missed[-1].at)[Flag.MISSED].evidence == {"missed": 2}


def test_a_paused_check_in_has_no_answers_and_is_never_missed() -> None:
    ignored = CheckInRecord(
        at=due(MONDAY, 1), period=due(MONDAY, 1), paused=True, hours=40.0, energy=1, beyond_role=True
    )
    history = [answer(due(MONDAY, 0), hours=1.0, energy=4), ignored, paused(due(MONDAY, 2))]
    assert findings(history, due(MONDAY, 2) + timedelta(days=1)) == {}
