"""Plain values for the pure tests of how an item reads and what happens to it: Vera's urgent signal about
C-12, created on a Monday morning, and the person ids those tests use."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.escalation import Escalation, Kind, State, Urgency

CREATED = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
ANNA, PIET, FATIMA, VERA, KEES = 1, 2, 3, 4, 5  # coordinator, holds it, also told, the volunteer, asked to take over

SIGNAL = Escalation(
    id=7,
    kind=Kind.SIGNAL,
    volunteer_id=VERA,
    link_id=3,
    client_alias="C-12",
    category="health",
    urgency=Urgency.URGENT,
    body="Ze is gevallen.",
    state=State.OPEN,
    level=0,
    owner_id=None,
    handoff_from=None,
    handoff_to=None,
    next_step_at=CREATED + timedelta(minutes=10),
    created_at=CREATED,
)
