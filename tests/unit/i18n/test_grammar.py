"""Grammar the catalogue asks for by name: possessives by the language's spelling, a team named once."""

from __future__ import annotations

import pytest

from bot.i18n import plain, t
from bot.i18n.grammar import possessive


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Piet", "Piets"),
        ("Jan", "Jans"),
        ("Vera", "Vera's"),
        ("Mo", "Mo's"),
        ("Eddy", "Eddy's"),
        ("José", "José's"),
        ("Kees", "Kees'"),
        ("Max", "Max'"),
        ("Inez", "Inez'"),
        ("Mieke", "Miekes"),
        ("Marie", "Maries"),
        ("Lou", "Lous"),
    ],
)
def test_dutch_possessive_by_how_the_name_ends(name: str, expected: str) -> None:
    assert possessive("nl", name) == expected


def test_english_always_adds_apostrophe_s() -> None:
    assert [possessive("en", n) for n in ("Piet", "Kees", "Vera")] == ["Piet's", "Kees's", "Vera's"]


def test_a_message_uses_the_possessive_of_its_language_and_still_escapes_the_name() -> None:
    assert plain("nl", "le.note", volunteer="Kees", text="x") == "Kees' overdracht: “x”"
    assert plain("en", "le.note", volunteer="Kees", text="x") == "Kees's hand-over note: “x”"
    assert t("nl", "le.note", volunteer="Piet <b>", text="x") == "Piet &lt;b&gt;'s overdracht: “x”"


def test_a_team_is_named_once_whether_or_not_its_name_says_team() -> None:
    assert plain("nl", "teams.moved_notice", team="Oost") == "Je coördinator heeft je in team Oost gezet."
    assert plain("nl", "teams.moved_notice", team="Team Oost") == "Je coördinator heeft je in Team Oost gezet."
    assert plain("en", "teams.moved_notice", team="Buurtteam Overvecht") == (
        "Your coordinator has put you in Buurtteam Overvecht."
    )
