"""The social map's pure rules (bot/domain/socialmap.py): reading the CSV coordinators keep it in, what fits
a signal and in which order, searching, and which entries are old."""

from __future__ import annotations

from datetime import date
from importlib import resources

import pytest

from bot.domain.socialmap import (
    EntryFields,
    FieldProblem,
    MapEntry,
    clean_field,
    describe,
    months_before,
    offer,
    parse_csv,
    search,
    stale,
    to_csv,
)

TODAY = date(2026, 12, 1)
LABELS = {"money": ("Geld en schulden", "Money and debt"), "safety": ("Veiligheid en geweld", "Safety and violence")}
TEAMS = {"team oost": 3}


def test_a_dutch_excel_file_with_bom_and_semicolons_reads() -> None:
    text = (
        "\ufeffNaam;Categorie;Aanbod;Telefoon;Website;Adres;Openingstijden;Wijk;Crisislijn;Gecontroleerd\r\n"
        'Schuldhulp;Geld en schulden;"Hulp bij schulden; gratis";030-123 45 67;schuldhulp.nl;;ma-vr;Team Oost;nee;'
        "31-5-2026\r\n"
        "\r\n"
    )
    parsed = parse_csv(text.encode("utf-8"), teams=TEAMS, labels=LABELS, today=TODAY)
    assert parsed.problems == []
    [row] = parsed.rows
    assert row.line == 2 and row.entry_id is None
    assert row.fields == EntryFields(
        name="Schuldhulp",
        category="money",
        offer="Hulp bij schulden; gratis",
        phone="030-123 45 67",
        website="schuldhulp.nl",
        hours="ma-vr",
        team_id=3,
        checked_on=date(2026, 5, 31),
    )


def test_commas_english_labels_and_an_own_category_read() -> None:
    text = "name,category,offer,area\nBuddy,Money and debt,Een maatje,\nVoedselbank,Voedselhulp,Pakketten,stad\n"
    parsed = parse_csv(text.encode(), teams=TEAMS, labels=LABELS, today=TODAY)
    assert [(r.fields.category, r.fields.team_id, r.fields.checked_on) for r in parsed.rows] == [
        ("money", None, TODAY),
        ("Voedselhulp", None, TODAY),
    ]


BAD_LINES = {
    17: ("telefoon", "bel me", "phone"),
    101: ("naam", " ", "empty"),
    250: ("wijk", "Team Nergens", "unknown_area"),
    333: ("gecontroleerd", "2027-01-01", "future"),
    480: ("gecontroleerd", "gisteren", "date"),
    512: ("aanbod", "x" * 201, "too_long"),
    640: ("website", "kapot adres", "website"),
    777: ("extra", "", "too_many_cells"),
    901: ("crisislijn", "misschien", "yes_no"),
    999: ("categorie", "", "empty"),
}


def test_a_thousand_lines_with_ten_bad_ones_import_nothing_and_name_all_ten() -> None:
    header = ["naam", "categorie", "aanbod", "telefoon", "website", "wijk", "crisislijn", "gecontroleerd"]
    lines = [";".join(header)]
    for line in range(2, 1001):
        cells = dict(
            zip(header, [f"Loket {line}", "money", "Hulp", "030-1234567", "", "", "nee", "2026-01-01"], strict=True)
        )
        column, value, _ = BAD_LINES.get(line, ("", "", ""))
        if column == "extra":
            cells["extra"] = "een cel te veel"
        elif column:
            cells[column] = value
        lines.append(";".join(cells.values()))
    parsed = parse_csv("\r\n".join(lines).encode(), teams=TEAMS, labels=LABELS, today=TODAY)
    assert len(lines) == 1000
    assert parsed.rows == []
    assert {p.line: p.code for p in parsed.problems} == {line: code for line, (_, _, code) in BAD_LINES.items()}
    assert describe(next(p for p in parsed.problems if p.line == 17)) == (
        "line 17, phone: 'bel me' is not a phone number (digits, spaces, + and - only)"
    )


def test_a_header_with_an_unknown_or_a_missing_column_is_refused() -> None:
    parsed = parse_csv(b"naam,kleur\nA,rood\n", teams=TEAMS, labels=LABELS, today=TODAY)
    assert [(p.line, p.column, p.code) for p in parsed.problems] == [
        (1, "kleur", "unknown_column"),
        (1, "category", "column_missing"),
        (1, "offer", "column_missing"),
    ]


def test_a_file_that_is_not_utf8_names_its_lines() -> None:
    data = "naam;categorie;aanbod\nCafé;money;Hulp\nGoed;money;Hulp\nZoë;money;Hulp\n".encode("cp1252")
    parsed = parse_csv(data, teams=TEAMS, labels=LABELS, today=TODAY)
    assert [(p.line, p.code) for p in parsed.problems] == [(2, "not_utf8"), (4, "not_utf8")]


def test_ids_update_known_entries_only_and_once() -> None:
    text = "id,name,category,offer\n4,A,money,x\n9,B,money,x\n4,C,money,x\n"
    parsed = parse_csv(text.encode(), teams=TEAMS, labels=LABELS, today=TODAY, known_ids=[4])
    assert [(p.line, p.code) for p in parsed.problems] == [(3, "unknown_id"), (4, "twice")]


def test_a_quoted_cell_over_two_lines_keeps_the_next_line_numbers_right() -> None:
    text = 'name,category,offer\n"Twee\nregels",money,x\nGoed,,x\n'
    parsed = parse_csv(text.encode(), teams=TEAMS, labels=LABELS, today=TODAY)
    assert [(p.line, p.column, p.code) for p in parsed.problems] == [(4, "category", "empty")]


def test_export_reads_back_as_the_same_entries() -> None:
    entries = [
        MapEntry(
            id=7,
            name='Loket "Oost"; met komma, en puntkomma',
            category="Voedselhulp",
            offer="Pakketten",
            phone="+31 30 123",
            website="https://x.nl/a?b=1",
            address="Straat 1",
            hours="ma 9-12",
            team_id=3,
            crisis=True,
            checked_on=date(2026, 4, 2),
        ),
        MapEntry(id=9, name="Stad", category="money", offer="Hulp", checked_on=date(2026, 1, 1)),
    ]
    text = to_csv(entries, {3: "Team Oost"})
    parsed = parse_csv(text.encode(), teams=TEAMS, labels=LABELS, today=TODAY, known_ids=[7, 9])
    assert parsed.problems == []
    assert [(r.entry_id, r.fields) for r in parsed.rows] == [(e.id, e.fields) for e in entries]


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("name", "  ", "empty"),
        ("phone", "+31", "phone"),
        ("phone", "030-12a", "phone"),
        ("website", "geen site", "website"),
        ("offer", "x" * 201, "too_long"),
    ],
)
def test_bad_fields_are_named(field: str, value: str, code: str) -> None:
    with pytest.raises(FieldProblem) as raised:
        clean_field(field, value)
    assert raised.value.code == code


def test_a_field_is_one_line() -> None:
    assert clean_field("offer", "Hulp\nbij  schulden ") == "Hulp bij schulden"
    assert clean_field("phone", "") == ""


def entry(n: int, category: str, team: int | None = None, crisis: bool = False, name: str = "") -> MapEntry:
    return MapEntry(id=n, name=name or f"E{n}", category=category, offer="o", team_id=team, crisis=crisis)


def test_a_signal_gets_its_teams_entries_first_then_the_citys_three_at_most() -> None:
    entries = [
        entry(1, "money", name="A city"),
        entry(2, "money", team=3, name="Z own"),
        entry(3, "money", team=5, name="B other"),
        entry(4, "money", name="C city"),
        entry(5, "money", name="D city"),
        entry(6, "health"),
    ]
    crisis, local = offer(entries, "money", 3)
    assert crisis == [] and [e.name for e in local] == ["Z own", "A city", "C city"]
    assert [e.name for e in offer(entries, "money", None)[1]] == ["A city", "C city", "D city"]


def test_safety_and_mental_signals_always_get_the_crisis_lines() -> None:
    entries = [entry(1, "safety", crisis=True), entry(2, "mental", crisis=True), entry(3, "safety")]
    for category in ("safety", "mental"):
        crisis, _ = offer(entries, category, None)
        assert [e.id for e in crisis] == [1, 2]
    assert offer(entries, "safety", None)[1] == [entries[2]]
    assert offer(entries, "money", None) == ([], [])


def test_search_needs_every_word_in_any_case() -> None:
    entries = [MapEntry(id=1, name="Schuldhulp", category="money", offer="Post op orde", address="Hof 1")]
    labels = {"money": "Geld en schulden"}
    assert search(entries, "POST hof", labels) == entries
    assert search(entries, "geld", labels) == entries
    assert search(entries, "post tandarts", labels) == []
    assert search(entries, "   ", labels) == []


def test_entries_unchecked_for_six_months_are_old() -> None:
    entries = [
        MapEntry(id=1, name="a", category="c", offer="o", checked_on=date(2026, 6, 1)),
        MapEntry(id=2, name="b", category="c", offer="o", checked_on=date(2026, 6, 2)),
    ]
    assert [e.id for e in stale(entries, TODAY)] == [1]
    assert months_before(date(2026, 8, 31), 6) == date(2026, 2, 28)


def test_the_shipped_national_defaults_parse() -> None:
    data = (resources.files("bot") / "data" / "social_map_nl.csv").read_bytes()
    parsed = parse_csv(data, teams={}, labels=LABELS, today=TODAY)
    assert parsed.problems == []
    assert {(r.fields.name, r.fields.phone, r.fields.crisis) for r in parsed.rows} == {
        ("112 (alarmnummer)", "112", True),
        ("113 Zelfmoordpreventie", "0800-0113", True),
        ("Veilig Thuis", "0800-2000", True),
    }
