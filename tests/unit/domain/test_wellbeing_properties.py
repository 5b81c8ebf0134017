"""Issue 17: invariants of the wellbeing rules (pure, bot/domain/wellbeing.py), checked with hypothesis.

A volunteer is asked on a weekly schedule (any weekday and hour, across a change to winter time); each check-in
is answered (0 to 3 days late, or up to 3 days early, as an answer on their own initiative counts for the
next one), missed, or set aside while paused. Examples are derandomized, so CI sees the same inputs.

* Shifting every answer by up to three days never changes an hours flag (nor its evidence).
* A volunteer whose every answer is within their agreement never gets an hours flag (default thresholds).
* The order records arrive in never changes the result, ties and duplicates included.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.domain.wellbeing import CheckInRecord, ContactOutside, Finding, Flag, WellbeingThresholds, evaluate

ZONE = "Europe/Amsterdam"
AMS = ZoneInfo(ZONE)
FAST = settings(max_examples=200, deadline=None, derandomize=True, database=None)
THREE_DAYS = 3 * 24 * 60  # minutes


@dataclass(frozen=True)
class Volunteer:
    agreed: float
    records: list[CheckInRecord]
    now: datetime


@st.composite
def volunteers(draw: st.DrawFn, *, within_agreement: bool = False) -> Volunteer:
    """Weekly check-ins starting in September or October 2026 (the clocks go back on 25 October)."""
    first = datetime(2026, 9, 1, draw(st.integers(0, 23)), draw(st.sampled_from([0, 30])), tzinfo=AMS)
    first += timedelta(days=draw(st.integers(0, 50)))
    agreed = draw(st.floats(0.5, 40))
    weeks = draw(st.integers(1, 14))
    records: list[CheckInRecord] = []
    for week in range(weeks):
        period = first + timedelta(weeks=week)  # the same wall-clock time every week
        kind = draw(st.sampled_from(["answered"] * 6 + ["missed", "paused"]))
        if kind == "paused":
            records.append(CheckInRecord(at=period, period=period, paused=True))
            continue
        shift = timedelta(minutes=draw(st.integers(-THREE_DAYS if kind == "answered" else 0, THREE_DAYS)))
        # Often exactly the agreement: the edge the hour limits must hold at.
        hours = draw(st.just(agreed) | st.floats(0, agreed) if within_agreement else st.floats(0, 3 * agreed))
        records.append(
            CheckInRecord(
                at=period + shift,
                period=period,
                missed=kind == "missed",
                hours=hours,
                energy=draw(st.none() | st.integers(1, 5)),
            )
        )
    # After every answer, however late: a moment when all of them are known.
    now = first + timedelta(weeks=weeks - 1, minutes=THREE_DAYS + draw(st.integers(0, 40 * 24 * 60)))
    return Volunteer(agreed=agreed, records=records, now=now)


def hours_flag(volunteer: Volunteer, records: list[CheckInRecord]) -> Finding | None:
    found = evaluate(records, agreed_hours_per_week=volunteer.agreed, now=volunteer.now, zone=ZONE)
    return next((f for f in found if f.flag is Flag.TIME_OVERLOAD), None)


@FAST
@given(volunteer=volunteers(), data=st.data())
def test_shifting_every_answer_by_up_to_three_days_never_changes_an_hours_flag(
    volunteer: Volunteer, data: st.DataObject
) -> None:
    count = len(volunteer.records)
    shifts = data.draw(st.lists(st.integers(-THREE_DAYS, THREE_DAYS), min_size=count, max_size=count))
    on_time = [replace(r, at=r.belongs_to) for r in volunteer.records]
    shifted = [replace(r, at=r.belongs_to + timedelta(minutes=m)) for r, m in zip(on_time, shifts, strict=True)]
    assert hours_flag(volunteer, shifted) == hours_flag(volunteer, on_time) == hours_flag(volunteer, volunteer.records)


@FAST
@given(volunteer=volunteers(within_agreement=True))
def test_a_volunteer_whose_every_answer_is_within_their_agreement_never_gets_an_hours_flag(
    volunteer: Volunteer,
) -> None:
    assert hours_flag(volunteer, volunteer.records) is None


# A handful of instants (so ties are common), each in either of two zones (the same instant written twice).
moments = st.builds(
    lambda days, zone: (datetime(2026, 11, 1, 18, 0, tzinfo=UTC) + timedelta(days=days)).astimezone(zone),
    st.sampled_from([0, 3, 7, 14, 21, 28]),
    st.sampled_from([UTC, AMS]),
)
records = st.builds(
    CheckInRecord,
    at=moments,
    missed=st.booleans(),
    hours=st.none() | st.sampled_from([0.0, 1.5, 3.5, 6.5, 13.0]),
    energy=st.none() | st.integers(1, 5),
    contact_outside=st.none() | st.sampled_from(ContactOutside),
    private_life=st.none() | st.booleans(),
    beyond_role=st.none() | st.booleans(),
    period=st.none() | moments,
) | st.builds(CheckInRecord, at=moments, period=st.none() | moments, paused=st.just(True))
thresholds = st.builds(
    WellbeingThresholds,
    window_days=st.integers(1, 60),
    low_energy_in_a_row=st.integers(1, 4),
    energy_range_days=st.integers(1, 90),
    energy_range_answers=st.integers(1, 5),
    missed_in_a_row=st.integers(1, 4),
)


@FAST
@given(
    history=st.lists(records, max_size=24),
    agreed=st.none() | st.floats(0.5, 40),
    limits=thresholds,
    data=st.data(),
)
def test_the_order_records_arrive_in_never_changes_the_result(
    history: list[CheckInRecord], agreed: float | None, limits: WellbeingThresholds, data: st.DataObject
) -> None:
    now = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
    shuffled = data.draw(st.permutations(history))

    def run(records: list[CheckInRecord]) -> list[Finding]:
        return evaluate(records, agreed_hours_per_week=agreed, now=now, zone=ZONE, thresholds=limits)

    assert run(list(shuffled)) == run(history) == run(history[::-1])
