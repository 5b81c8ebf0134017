"""Issue 12, the item's life after it arrives, from plain values: follow-up times, which items are life-safety
or held, the follow-up question and its buttons, the e-mail's words, the e-mail back-off."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.config import load_settings
from bot.domain.escalation import DEFAULT_POLICIES, Kind, Policy, State, Urgency, WorkingHours
from bot.services.email import retry_delay
from bot.services.escalations import render
from bot.services.escalations.render import Viewer
from tests.support.items import PIET, SIGNAL, VERA

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
FRIDAY = datetime(2026, 11, 27, 15, 0, tzinfo=UTC)  # 16:00 in Amsterdam
ITEM = replace(
    SIGNAL,
    body="<b>Ze</b> is gevallen & bang.",
    state=State.ACKNOWLEDGED,
    owner_id=PIET,
    next_step_at=None,
    created_at=FRIDAY - timedelta(days=1),
    acknowledged_at=FRIDAY - timedelta(days=1),
    held_since=FRIDAY - timedelta(days=1),
)


def test_the_follow_up_of_working_hours_items_counts_working_time() -> None:
    hours = WorkingHours()
    concern, urgent = DEFAULT_POLICIES[Urgency.CONCERN], DEFAULT_POLICIES[Urgency.URGENT]
    # Friday 16:00 + three working days of 8.5 hours: an hour on Friday, Monday, Tuesday, 7.5 hours on Wednesday.
    assert concern.follow_up_at(FRIDAY, hours) == datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    assert urgent.follow_up_at(FRIDAY, hours) == FRIDAY + timedelta(hours=24)  # clock hours, weekend or not
    with pytest.raises(ValueError):
        Policy(wait=timedelta(minutes=5), follow_up=timedelta())


def test_the_configured_follow_ups_match_the_issue() -> None:
    settings = load_settings(None)
    hours = {u: settings.escalation.policy(u).follow_up for u in Urgency}
    assert hours == {
        Urgency.EMERGENCY: timedelta(hours=2),
        Urgency.URGENT: timedelta(hours=24),
        Urgency.CONCERN: timedelta(hours=25, minutes=30),  # three working days
        Urgency.INFO: timedelta(hours=42, minutes=30),  # a working week
    }
    assert {u: p.follow_up for u, p in DEFAULT_POLICIES.items()} == hours
    tuned = load_settings(None, escalation={"concern": {"follow_up_hours": 8.5}})
    assert tuned.escalation.policy(Urgency.CONCERN).follow_up == timedelta(hours=8, minutes=30)
    assert tuned.escalation.policy(Urgency.CONCERN).working_hours_only  # the other keys keep their defaults


@pytest.mark.parametrize(
    ("kind", "urgency", "category", "life_safety"),
    [
        (Kind.SIGNAL, Urgency.EMERGENCY, "safety", True),
        (Kind.SIGNAL, Urgency.URGENT, "safety", False),
        (Kind.BACKUP, Urgency.URGENT, "now", True),
        (Kind.BACKUP, Urgency.CONCERN, "takeback", False),
        (Kind.VISIT, Urgency.URGENT, "overdue", True),
        (Kind.WELLBEING, Urgency.CONCERN, "hours", False),
    ],
)
def test_which_items_are_life_safety(kind: Kind, urgency: Urgency, category: str, life_safety: bool) -> None:
    assert replace(ITEM, kind=kind, urgency=urgency, category=category).life_safety is life_safety


def test_held_means_waiting_for_working_hours_before_anyone_was_told() -> None:
    waiting = replace(ITEM, state=State.OPEN, owner_id=None, level=-1, next_step_at=FRIDAY)
    assert waiting.held
    assert not replace(waiting, nobody_warned=True).held  # nobody reachable is another matter
    assert not replace(waiting, level=0).held and not ITEM.held


@pytest.mark.parametrize(
    ("lang", "question", "deadline", "labels"),
    [
        (
            "nl",
            "🕒 Je pakte gisteren 16:00 Vera's signaal over C-12 op. Hoe staat het?",
            "Hoor ik voor morgen 16:00 niets van je, dan zet ik het weer open en gaat het naar de volgende.",
            [["Afronden", "Overdragen"], ["Ik ben er nog mee bezig"]],
        ),
        (
            "en",
            "🕒 You picked up Vera's signal about C-12 yesterday 16:00. How is it going?",
            "If I hear nothing from you before tomorrow 16:00, I open it again and it goes to the next person.",
            [["Resolve", "Hand off"], ["I'm still on it"]],
        ),
    ],
)
def test_the_follow_up_question(lang: str, question: str, deadline: str, labels: list[list[str]]) -> None:
    asked = replace(ITEM, follow_ups=1, follow_up_at=FRIDAY + timedelta(days=1))
    text, keyboard = render.follow_up(
        asked, Viewer(PIET, lang, AMSTERDAM), {VERA: "Vera"}, FRIDAY, deadline=FRIDAY + timedelta(days=1)
    )
    first, *_, last = text.split("\n")
    assert (first, last) == (question, deadline)
    assert "&lt;b&gt;Ze&lt;/b&gt; is gevallen &amp; bang." in text
    assert keyboard is not None and [[b["text"] for b in row] for row in keyboard] == labels
    assert keyboard[1][0]["data"] == "esc:w:7"
    # Answered: the holder's copies say when the next question comes, without the button.
    answered = replace(asked, follow_ups=0)
    status = render.status(answered, Viewer(PIET, "nl", AMSTERDAM), {VERA: "Vera"}, FRIDAY, expired_handoff=None)
    assert status == "🟢 Opgepakt door jou om 16:00. Vera is op de hoogte. Ik vraag je morgen 16:00 hoe het staat."
    assert render.keyboard(answered, Viewer(PIET, "nl", AMSTERDAM)) == [
        [{"text": "Afronden", "data": "esc:r:7"}, {"text": "Overdragen", "data": "esc:h:7"}]
    ]
    assert render.keyboard(asked, Viewer(VERA + 1, "nl", AMSTERDAM)) is None  # only the holder answers it


def test_the_email_is_plain_text_and_says_no_more_than_the_alert() -> None:
    visit = replace(
        ITEM,
        kind=Kind.VISIT,
        category="overdue",
        state=State.OPEN,
        owner_id=None,
        body="Vera's bezoek aan C-12 had om 15:30 klaar moeten zijn; geen reactie.",
    )
    subject, body = render.email(
        visit,
        reason="unpicked",
        volunteer="Vera",
        told=["Piet", "Fatima"],
        unreachable=[],
        lang="nl",
        zone=AMSTERDAM,
        now=FRIDAY,
        organisation="Buurtteam <Oost> & co",
    )
    assert subject == "Buurtteam <Oost> & co: nog niemand pakte een bezoekmelding over C-12 op"
    assert "“Vera's bezoek aan C-12 had om 15:30 klaar moeten zijn; geen reactie.”" in body
    assert "Gewaarschuwd via Telegram: Piet, Fatima.\nNiet bereikbaar via Telegram: niemand." in body
    assert "<" not in body.replace("<Oost>", "") and "&amp;" not in body


def test_email_retries_back_off_to_half_an_hour() -> None:
    assert [retry_delay(n).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(50) == timedelta(minutes=30)
