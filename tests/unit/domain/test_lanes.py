"""Which lane each kind of message travels in (bot.domain.lanes)."""

from __future__ import annotations

import pytest

from bot.domain.escalation import Kind, Urgency
from bot.domain.lanes import ADVICE, REPLY, Lane, lane_of


@pytest.mark.parametrize("purpose", ["alert", "reminder"])
@pytest.mark.parametrize("urgency", [Urgency.URGENT, Urgency.EMERGENCY])
def test_urgent_and_emergency_alerts_go_first(purpose: str, urgency: Urgency) -> None:
    assert lane_of(purpose, urgency=urgency, kind=Kind.SIGNAL) is Lane.NOW


def test_an_overdue_visit_goes_first_whatever_its_urgency_says() -> None:
    assert lane_of("alert", urgency=Urgency.CONCERN, kind=Kind.VISIT) is Lane.NOW


def test_a_reply_sent_through_the_outbox_and_the_advice_to_call_112_go_first() -> None:
    assert lane_of(REPLY) is Lane.NOW
    assert lane_of(ADVICE) is Lane.NOW


@pytest.mark.parametrize("urgency", [Urgency.CONCERN, Urgency.INFO])
def test_concern_and_info_alerts_come_after_the_urgent(urgency: Urgency) -> None:
    assert lane_of("alert", urgency=urgency, kind=Kind.SIGNAL) is Lane.SOON
    assert lane_of("alert", urgency=urgency, kind=Kind.WELLBEING) is Lane.SOON


@pytest.mark.parametrize("purpose", ["notice", "note", "followup", "team", "visit.prompt", "visit.overdue", "?"])
def test_notices_and_anything_unknown_go_in_the_middle(purpose: str) -> None:
    # A follow-up question or the team chat's copy of an urgent item: someone already holds it, or is alerted.
    assert lane_of(purpose, urgency=Urgency.URGENT, kind=Kind.SIGNAL) is Lane.SOON


@pytest.mark.parametrize("purpose", ["checkin.prompt", "checkin.reminder", "digest"])
def test_check_in_prompts_reminders_and_digests_are_bulk(purpose: str) -> None:
    assert lane_of(purpose) is Lane.BULK


def test_the_lanes_are_ordered_as_the_sender_serves_them() -> None:
    assert Lane.NOW < Lane.SOON < Lane.BULK < Lane.STRANGER
