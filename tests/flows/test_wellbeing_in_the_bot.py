"""Issue 17 through the fake Bot API with the fake clock: a late answer, an early one and a pause reach the
wellbeing rules as the periods they answer, so the professional gets no alert for what is not there, and
still gets one for two low answers in a row after a pause."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from bot.domain.models import Person
from bot.sandbox.state import SentMessage
from tests.support.harness import PIET, VERA, Harness, running_bot, seed_organisation

# The harness starts on Monday 23 November 2026, 10:00 in Amsterdam (UTC+1 all through these tests).


async def prepare(h: Harness, weekday: int, hours_per_week: float | None = None) -> Person:
    """Vera's organisation, a check-in every week on `weekday` at 19:00, and her agreement."""
    ids = await seed_organisation(h)
    anna = await h.services.people.get(ids["Anna"])
    assert anna is not None
    if hours_per_week is not None:
        await h.services.people.set_agreement(
            anna, volunteer_id=ids["Vera"], hours_per_week=hours_per_week, contact_times=""
        )
    await h.services.checkins.add_schedule(
        anna, audience="everyone", weekdays=frozenset({weekday}), local_time=time(19)
    )
    await h.settle()
    vera = await h.services.people.get(ids["Vera"])
    assert vera is not None
    return vera


async def until(h: Harness, local: datetime) -> None:
    """Move the clock to this Amsterdam wall time (winter: UTC+1)."""
    await h.advance(local - timedelta(hours=1) - h.clock.now().replace(tzinfo=None))


def latest_question(h: Harness) -> SentMessage:
    return [m for m in h.api.messages(VERA.id) if "even inchecken" in m.text or "nog open" in m.text][-1]


async def answer(h: Harness, question: SentMessage, *, hours: str = "3-4", energy: str = "4") -> SentMessage:
    """Hours and energy by button, "Nee" to the rest, no comment. Returns the thank-you."""
    message = await h.tap(VERA, await h.tap(VERA, question, hours), energy)
    for _ in range(3):
        message = await h.tap(VERA, message, "Nee")
    return await h.tap(VERA, message, "Nee, klaar")


async def wellbeing_flags(h: Harness) -> list[str]:
    """The flags of every wellbeing alert raised so far, one string per alert."""
    async with h.services.db.transaction() as tx:
        rows = await tx.all(
            "SELECT GROUP_CONCAT(f.flag, ',') AS flags FROM escalations e JOIN escalation_flags f"
            " ON f.escalation_id = e.id WHERE e.kind = 'wellbeing' GROUP BY e.id ORDER BY e.id"
        )
    return [r["flags"] for r in rows]


async def test_friday_answered_on_monday_and_the_next_friday_on_time_raise_no_hours_alert(tmp_path: Path) -> None:
    """6,5 and 3,5 hours against 4 a week, both given in ISO week 49: two periods, neither above twice 4."""
    async with running_bot(tmp_path) as h:
        await prepare(h, weekday=4, hours_per_week=4)
        await until(h, datetime(2026, 11, 27, 19, 0))  # Friday: the check-in
        await until(h, datetime(2026, 11, 30, 10, 0))  # answered on Monday morning, before it closes
        await answer(h, latest_question(h), hours="5-8")
        await until(h, datetime(2026, 12, 4, 19, 0))  # the next Friday, answered at once
        thanks = await answer(h, latest_question(h), hours="3-4")
        assert thanks.text.startswith("Dank je wel, Vera! Deze maand 3,5 van de")
        assert await wellbeing_flags(h) == []


async def test_an_early_answer_counts_for_the_next_check_in_and_raises_no_hours_alert(tmp_path: Path) -> None:
    """Monday's 6,5 hours, then on Saturday /checkin with 3,5 for the coming Monday: not 10 in one week."""
    async with running_bot(tmp_path) as h:
        vera = await prepare(h, weekday=0, hours_per_week=4)
        await until(h, datetime(2026, 11, 23, 19, 0))
        await answer(h, latest_question(h), hours="5-8")
        await until(h, datetime(2026, 11, 28, 11, 0))  # Saturday
        [question] = await h.send(VERA, "/checkin")
        await answer(h, question, hours="3-4")
        assert await wellbeing_flags(h) == []
        asked = len(h.api.messages(VERA.id))
        await until(h, datetime(2026, 11, 30, 19, 0))  # Monday: it counted for this one, no question
        assert len(h.api.messages(VERA.id)) == asked
        [early, monday] = await h.services.checkins.recent(vera, limit=2)
        assert early.period_at == datetime(2026, 11, 30, 18, 0, tzinfo=UTC) and early.occurrence_id is not None
        assert monday.period_at == datetime(2026, 11, 23, 18, 0, tzinfo=UTC)


async def test_after_a_pause_one_low_answer_is_not_a_drop_but_two_in_a_row_alert(tmp_path: Path) -> None:
    """4, 5, 4, 5, then a week paused, then 2: before issue 17 "a drop against 4,5 on average"; now the first
    answer after a pause is not compared with the weeks before it. The next 2 is low twice in a row."""
    async with running_bot(tmp_path) as h:
        await prepare(h, weekday=0)
        for week, energy in enumerate(("4", "5 😄", "4", "5 😄")):
            await until(h, datetime(2026, 11, 23, 19, 0) + timedelta(weeks=week))
            await answer(h, latest_question(h), energy=energy)
        [paused] = await h.send(VERA, "/pause")
        assert "pauze" in paused.text
        await until(h, datetime(2026, 12, 22, 10, 0))  # Monday 21 December passed while paused
        [resumed] = await h.send(VERA, "/resume")
        assert "weer aan" in resumed.text
        await until(h, datetime(2026, 12, 28, 19, 0))
        await answer(h, latest_question(h), energy="2")
        assert await wellbeing_flags(h) == []
        await until(h, datetime(2027, 1, 4, 19, 0))
        await answer(h, latest_question(h), energy="2")
        assert await wellbeing_flags(h) == ["energy"]
        await until(h, datetime(2027, 1, 5, 8, 30))  # the professional's working hours
        [alert] = [m for m in h.api.messages(PIET.id) if m.text.startswith("🟠 Check-in van Vera")]
        assert "• Weinig energie bij de laatste 2 check-ins (nu 2 van 5)" in alert.text
