"""Issue 12, items 3 and 4, from plain values: the end of an absence as professionals type it, how an item a
link raised reads in each state of the volunteer's note, and who whoever gets an item stands in for (what the
database does for a hand-over is in tests/storage/test_handover.py)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.absence import AwayEnd, UntilBack, parse_away_end
from bot.domain.escalation import Candidate, Kind, State, Urgency
from bot.domain.models import Person, Role
from bot.services.escalations import render
from bot.services.escalations.render import Viewer
from bot.services.escalations.route import covering, level_of
from tests.support.items import CREATED, PIET, SIGNAL, VERA

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=AMSTERDAM)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> AwayEnd:
    return AwayEnd(datetime(2026, month, day, hour, minute, tzinfo=AMSTERDAM))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("tot vrijdag", at(27, 17)),  # through Friday's working day
        ("vrijdag", at(27, 17)),
        ("tot en met woensdag", at(25, 17)),
        ("vr 12:00", at(27, 12)),
        ("vrijdag om 12", at(27, 12)),
        ("tot maandag", at(30, 17)),  # said on a Monday: the next one
        ("morgen", at(24, 17)),
        ("tot morgen 9u", at(24, 9)),
        ("overmorgen", at(25, 17)),
        ("tot 15:00", at(23, 15)),
        ("om 15", at(23, 15)),
        ("12-12", at(12, 17, month=12)),
        ("12.12", at(12, 17, month=12)),  # a date, as /pause reads it, not a time
        ("tot 4 dec 12:30", at(4, 12, 30, month=12)),
        ("2026-12-12", at(12, 17, month=12)),
        ("until friday", at(27, 17)),
        ("tomorrow 8:30", at(24, 8, 30)),
        ("tot ik terug ben", UntilBack()),
        ("until I am back", UntilBack()),
        ("tot nader bericht", UntilBack()),
        ("Onbepaald.", UntilBack()),
        ("morgen-ish", None),
        ("12", None),
        ("vrijdag 25:00", None),
        ("31-02", None),
        ("", None),
    ],
)
def test_the_end_of_an_absence_as_professionals_type_it(typed: str, expected: AwayEnd | UntilBack | None) -> None:
    assert parse_away_end(typed, MONDAY.astimezone(UTC), AMSTERDAM, time(17, 0)) == expected


def test_a_day_ends_when_the_persons_working_hours_do_and_a_date_gone_by_is_returned_as_past() -> None:
    assert parse_away_end("vrijdag", MONDAY, AMSTERDAM, time(13, 30)) == at(27, 13, 30)
    past = parse_away_end("1-1-2026", MONDAY, AMSTERDAM, time(17, 0))
    assert isinstance(past, AwayEnd) and past.at < MONDAY


# Vera's signal of the render tests, as the item her ended link with C-12 raised.
ENDED = replace(
    SIGNAL, id=9, kind=Kind.LINK_ENDED, category="note", urgency=Urgency.CONCERN, body="Ze houdt van koffie & <taart>."
)
NAMES = {PIET: "Piet", VERA: "Vera"}


@pytest.mark.parametrize(
    ("category", "body", "line"),
    [
        ("note", "Ze houdt van koffie & <taart>.", "Vera's overdracht: “Ze houdt van koffie &amp; &lt;taart&gt;.”"),
        ("note", None, "De overdracht is niet meer bewaard."),  # erased since
        ("asked", None, "Vera is gevraagd om een korte overdracht; die komt hier zodra Vera hem stuurt."),
        ("skipped", None, "Vera schreef geen overdracht."),
        ("removed", None, "Vera is afgemeld; er is geen overdracht."),
        ("erased", None, "De vrijwilliger is gestopt en heeft de gegevens laten wissen; er is geen overdracht."),
    ],
)
def test_an_ended_link_reads_with_where_the_note_stands(category: str, body: str | None, line: str) -> None:
    item = replace(ENDED, category=category, body=body)
    text, keyboard = render.alert(item, Viewer(PIET, "nl", AMSTERDAM), NAMES, CREATED)
    assert text == f"🟠 C-12 heeft geen vrijwilliger meer. {line}"
    assert keyboard is not None and [b["text"] for row in keyboard for b in row] == [
        "Ik pak het op",
        "Overdragen",
        "Afronden",
    ]
    english, _ = render.alert(item, Viewer(PIET, "en", AMSTERDAM), NAMES, CREATED)
    assert english.startswith("🟠 C-12 has no volunteer any more. ")


def test_an_ended_link_picked_up_does_not_say_the_volunteer_was_told() -> None:
    held = replace(
        ENDED,
        state=State.ACKNOWLEDGED,
        owner_id=PIET,
        acknowledged_at=CREATED,
        held_since=CREATED,
        follow_up_at=CREATED + timedelta(days=3),
    )
    text, _ = render.current(held, Viewer(PIET, "nl", AMSTERDAM), NAMES, CREATED)
    assert text.endswith("🟢 Opgepakt door jou om 10:00. Ik vraag je donderdag 10:00 hoe het staat.")
    assert "op de hoogte" not in text
    assert not held.tells_volunteer and not held.life_safety


def person(person_id: int, name: str) -> Person:
    return Person(id=person_id, name=name, telegram_id=person_id, roles=frozenset({Role.PROFESSIONAL}), language="nl")


def test_who_gets_an_item_stands_in_for_those_away_on_the_levels_before() -> None:
    by_id = {1: person(1, "Piet"), 2: person(2, "Fatima"), 3: person(3, "Anna")}
    levels = [[Candidate(1, away=True)], [Candidate(2, away=True)], [Candidate(3)]]
    assert [p.name for p in covering(levels, by_id, 2)] == ["Piet", "Fatima"]
    assert [p.name for p in covering(levels, by_id, 1)] == ["Piet"]
    assert covering(levels, by_id, 0) == [] and covering(levels, by_id, -1) == []
    unreachable = [[Candidate(1, reachable=False)], [Candidate(2)], [Candidate(3)]]
    assert covering(unreachable, by_id, 1) == []  # not away: nobody is stood in for
    assert level_of(levels, [by_id[3]]) == 2 and level_of(levels, []) == -1
