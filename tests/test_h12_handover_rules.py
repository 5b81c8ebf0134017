"""Issue 12, items 3 and 4, from plain values and a real SQLite file: the end of an absence as professionals type
it, how an item a link raised reads in each state of the volunteer's note, who whoever gets an item stands in
for, which items wait for someone who leaves, and migration 0007 upgrading a database that holds items."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.domain.absence import AwayEnd, UntilBack, parse_away_end
from bot.domain.escalation import Candidate, Kind, State, Urgency
from bot.domain.models import Person, Role
from bot.services.escalations import render
from bot.services.escalations.render import Viewer
from bot.services.escalations.route import covering, level_of
from storage import handover
from storage.db import Database, available_migrations, to_db
from tests.test_escalation_render import CREATED, PIET, SIGNAL, VERA

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


# --- storage --------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def _people(db: Database, *names: str) -> dict[str, int]:
    async with db.transaction() as tx:
        return {
            name: await tx.execute(
                "INSERT INTO people (name, telegram_id, created_at) VALUES (?, ?, ?)", (name, 100 + i, to_db(NOW))
            )
            for i, name in enumerate(names)
        }


async def _item(db: Database, volunteer: int, *, state: str = "open", level: int = 0, **columns: int) -> int:
    values = {"volunteer_id": volunteer, "state": state, "level": level, **columns}
    names, marks = ", ".join(values), ", ".join("?" * len(values))
    async with db.transaction() as tx:
        return await tx.execute(
            f"INSERT INTO escalations (kind, category, urgency, created_at, {names})"
            f" VALUES ('signal', 'health', 'urgent', ?, {marks})",
            (to_db(NOW), *values.values()),
        )


async def _tell(db: Database, item: int, person_id: int, level: int) -> None:
    async with db.transaction() as tx:
        await tx.execute(
            "INSERT INTO escalation_recipients (escalation_id, person_id, level, told_at) VALUES (?, ?, ?, ?)",
            (item, person_id, level, to_db(NOW)),
        )


async def test_the_items_that_wait_for_someone_who_leaves(db: Database) -> None:
    ids = await _people(db, "Piet", "Fatima", "Vera", "Anna")
    piet, fatima, vera, anna = ids["Piet"], ids["Fatima"], ids["Vera"], ids["Anna"]
    holds = await _item(db, vera, state="acknowledged", owner_id=piet)
    asked_to_take_over = await _item(db, vera, state="handoff", handoff_to=piet, handoff_from=fatima)
    alone = await _item(db, vera)
    await _tell(db, alone, piet, 0)
    with_others = await _item(db, vera, level=2)  # an emergency: everyone told at once
    for person_id in (piet, fatima, anna):
        await _tell(db, with_others, person_id, 2)
    climbed_past = await _item(db, vera, level=1)  # told at level 0, now waiting for Fatima
    await _tell(db, climbed_past, piet, 0)
    await _tell(db, climbed_past, fatima, 1)
    handed_by_him = await _item(db, vera, state="handoff", handoff_from=piet, handoff_to=fatima)
    resolved = await _item(db, vera, state="resolved", owner_id=piet)
    about_himself = await _item(db, piet, state="acknowledged", owner_id=piet)
    async with db.transaction() as tx:
        assert await handover.waiting_for(tx, piet) == [holds, asked_to_take_over, alone]
        # Told with someone who has left since: it waits for Piet alone.
        await tx.execute("UPDATE people SET active = 0 WHERE id IN (?, ?)", (fatima, anna))
        assert await handover.waiting_for(tx, piet) == [holds, asked_to_take_over, alone, with_others]
    del climbed_past, handed_by_him, resolved, about_himself


async def test_a_note_is_answered_once(db: Database) -> None:
    ids = await _people(db, "Vera")
    async with db.transaction() as tx:
        item = await tx.execute(
            "INSERT INTO escalations (kind, volunteer_id, category, urgency, created_at)"
            " VALUES ('link_ended', ?, 'asked', 'concern', ?)",
            (ids["Vera"], to_db(NOW)),
        )
        assert await handover.note_asked_of(tx, ids["Vera"]) == [item]
        assert await handover.set_note(tx, item, state="note", body="Koffie om tien uur")
        assert not await handover.set_note(tx, item, state="skipped", body=None)
        assert await handover.note_asked_of(tx, ids["Vera"]) == []
        row = await tx.one("SELECT category, body FROM escalations WHERE id = ?", (item,))
    assert row is not None and (row["category"], row["body"]) == ("note", "Koffie om tien uur")


async def test_migration_0007_keeps_every_item_and_what_refers_to_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "upgrade.db"
    every = available_migrations()
    monkeypatch.setattr("storage.db.available_migrations", lambda: [m for m in every if m[0] < 7])
    async with Database(path) as database:
        await database.migrate()
        ids = await _people(database, "Vera", "Piet")
        first = await _item(database, ids["Vera"], state="acknowledged", owner_id=ids["Piet"])
        second = await _item(database, ids["Vera"])
        await _tell(database, first, ids["Piet"], 0)
        async with database.transaction() as tx:
            await tx.execute("INSERT INTO escalation_flags (escalation_id, flag) VALUES (?, 'energy')", (second,))
            with pytest.raises(sqlite3.IntegrityError):  # before: no such kind
                await tx.execute(
                    "INSERT INTO escalations (kind, volunteer_id, category, urgency, created_at)"
                    " VALUES ('link_ended', ?, 'asked', 'concern', ?)",
                    (ids["Vera"], to_db(NOW)),
                )
        before = sqlite3.connect(path).execute("SELECT * FROM escalations ORDER BY id").fetchall()
    monkeypatch.setattr("storage.db.available_migrations", lambda: every)
    async with Database(path) as database:
        assert await database.migrate() == [name for version, name, _ in every if version >= 7]
        async with database.transaction() as tx:
            assert [tuple(r) for r in await tx.all("SELECT * FROM escalations ORDER BY id")] == before
            assert await tx.all("PRAGMA foreign_key_check") == []
            assert await tx.scalar("SELECT COUNT(*) FROM escalation_recipients WHERE escalation_id = ?", (first,)) == 1
            await tx.execute(
                "INSERT INTO escalations (kind, volunteer_id, category, urgency, created_at)"
                " VALUES ('link_ended', ?, 'asked', 'concern', ?)",
                (ids["Vera"], to_db(NOW)),
            )
            with pytest.raises(sqlite3.IntegrityError):  # references are still enforced
                await tx.execute(
                    "INSERT INTO escalation_recipients (escalation_id, person_id, level, told_at)"
                    " VALUES (999, ?, 0, ?)",
                    (ids["Piet"], to_db(NOW)),
                )
    indexes = {r[0] for r in sqlite3.connect(path).execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
    assert {"escalations_due", "escalations_volunteer", "escalations_state", "escalations_follow_up"} <= indexes
