"""The words of one whole check-in alert, pure: a line per flag from its evidence (bot/services/checkins/render),
and the alert around them (bot/services/escalations/render), in both languages and at Telegram's limit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.escalation import Escalation, Kind, State, Urgency
from bot.domain.wellbeing import Evidence, Finding, Flag
from bot.sandbox.markup import parse_html, utf16_len
from bot.services.checkins.render import alert_body
from bot.services.escalations import render
from bot.services.escalations.render import MESSAGE_LIMIT, Viewer

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
CREATED = datetime(2026, 12, 14, 18, 12, tzinfo=UTC)  # Monday 19:12 in Amsterdam, ISO week 2026-W51
PIET, VERA = 2, 4
WEEK = "2026-W51"

ALERT = Escalation(
    id=9,
    kind=Kind.WELLBEING,
    volunteer_id=VERA,
    link_id=None,
    client_alias=None,
    category="checkin",
    urgency=Urgency.CONCERN,
    body=None,
    state=State.OPEN,
    level=0,
    owner_id=None,
    handoff_from=None,
    handoff_to=None,
    next_step_at=None,
    created_at=CREATED,
)


def lines(findings: list[Finding], lang: str = "nl", comment: str | None = None) -> list[str]:
    return alert_body(findings, "Vera", comment, lang, WEEK).split("\n")


def test_each_flag_says_what_was_seen_in_plain_words() -> None:
    assert lines(
        [
            Finding(Flag.MISSED, {"missed": 3}),
            Finding(Flag.COMPETENCE, {"count": 1, "days": 28}),
            Finding(Flag.PRIVATE_LIFE, {"count": 3, "days": 28}),
            Finding(Flag.BOUNDARIES, {"count": 2, "days": 28}),
            Finding(Flag.ENERGY, {"latest": 2, "previous": 2, "in_a_row": 2}),
            Finding(Flag.TIME_OVERLOAD, {"window_hours": 30.5, "agreed_hours": 16, "weeks": 4}),
        ]
    ) == [  # in the order of the questions, whatever the order found
        "• 30,5 uur in de afgelopen 4 weken, afgesproken 16 in die tijd",
        "• Weinig energie bij de laatste 2 check-ins (nu 2 van 5)",
        "• 2 keer in 28 dagen contact buiten de afgesproken tijden",
        "• 3 keer in 28 dagen: cliënt leunt op het privéleven",
        "• Gevraagd iets te doen dat buiten de rol valt",
        "• De laatste 3 check-ins niet ingevuld",
    ]


def test_hours_say_this_week_only_for_the_week_of_the_check_in() -> None:
    this_week = Finding(
        Flag.TIME_OVERLOAD, {"week_hours": 20, "agreed_weekly": 4, "week": WEEK, "until": "2026-12-14", "checkins": 1}
    )
    assert lines([this_week]) == ["• 20 uur deze week, afgesproken 4"]
    earlier = Finding(
        Flag.TIME_OVERLOAD,
        {"week_hours": 9.5, "agreed_weekly": 2.5, "week": "2026-W50", "until": "2026-12-10", "checkins": 1},
    )
    assert lines([earlier]) == ["• 9,5 uur voor de check-in van 10 dec, afgesproken 2,5"]
    assert lines([earlier], "en") == ["• 9.5 hours for the check-in of 10 Dec, 2.5 agreed"]
    two = Finding(Flag.TIME_OVERLOAD, {**earlier.evidence, "checkins": 2})
    assert lines([two]) == ["• 9,5 uur voor de 2 check-ins tot en met 10 dec, afgesproken 2,5"]


def test_energy_and_private_life_read_right_for_one_strong_answer() -> None:
    assert lines([Finding(Flag.ENERGY, {"latest": 1, "strong": 1})]) == ["• Energie 1 van 5"]
    drop: Evidence = {"latest": 2, "lowest": 4, "highest": 5, "answers": 6}
    assert lines([Finding(Flag.ENERGY, drop)]) == ["• Energie 2 van 5, bij de 6 check-ins ervoor tussen 4 en 5"]
    assert lines([Finding(Flag.ENERGY, drop)], "en") == [
        "• Energy 2 out of 5, between 4 and 5 at the 6 check-ins before"
    ]
    steady: Evidence = {"latest": 3, "lowest": 5, "highest": 5, "answers": 4}
    assert lines([Finding(Flag.ENERGY, steady)]) == ["• Energie 3 van 5, bij de 4 check-ins ervoor steeds 5"]
    assert lines([Finding(Flag.ENERGY, {"latest": 1, "in_a_row": 1})]) == [
        "• Weinig energie bij de laatste check-in (nu 1 van 5)"
    ]
    assert lines([Finding(Flag.PRIVATE_LIFE, {"count": 1, "days": 28, "strong": 1})]) == [
        "• Cliënt leunt op het privéleven (thuis, familie, geld, sociale media)"
    ]
    assert lines([Finding(Flag.BOUNDARIES, {"count": 1, "days": 28, "latest": "several"})], "en") == [
        "• A client got in touch several times outside the agreed times"
    ]


def test_the_comment_comes_last_in_the_volunteers_words() -> None:
    found = [Finding(Flag.COMPETENCE, {"count": 1, "days": 28})]
    assert lines(found, comment="Het wordt me te veel.")[-1] == "Vera schreef: “Het wordt me te veel.”"
    assert lines(found, "en", comment="Too much.")[-1] == "Vera wrote: “Too much.”"
    assert lines([], comment="Alleen dit.") == ["Vera schreef: “Alleen dit.”"]


def test_the_alert_has_the_check_in_header_and_its_lines_unquoted_and_escaped() -> None:
    body = alert_body([Finding(Flag.ENERGY, {"latest": 1, "strong": 1})], "Vera", "<b>nee</b> & zo", "nl", WEEK)
    alert = replace(ALERT, body=body)
    text, keyboard = render.alert(alert, Viewer(PIET, "nl", AMSTERDAM), {VERA: "Vera"}, CREATED + timedelta(hours=14))
    assert text == (
        "🟠 Check-in van Vera (gisteren 19:12) vraagt aandacht\n"
        "• Energie 1 van 5\n"
        "Vera schreef: “&lt;b&gt;nee&lt;/b&gt; &amp; zo”"
    )
    assert keyboard is not None and [b["text"] for row in keyboard for b in row] == [
        "Ik pak het op",
        "Overdragen",
        "Afronden",
    ]
    en, _ = render.alert(alert, Viewer(PIET, "en", AMSTERDAM), {VERA: "Vera"}, CREATED)
    assert en.startswith("🟠 Check-in from Vera (today 19:12) needs attention\n• Energie 1 van 5\n")


def test_a_long_comment_is_trimmed_within_telegrams_limit() -> None:
    body = alert_body([Finding(Flag.ENERGY, {"latest": 1, "strong": 1})], "Vera", "😀" * 1990, "nl", WEEK)
    text, _ = render.alert(replace(ALERT, body=body), Viewer(PIET, "nl", AMSTERDAM), {VERA: "Vera"}, CREATED)
    plain_text = parse_html(text).text
    assert utf16_len(plain_text) <= MESSAGE_LIMIT and "(ingekort" in plain_text
