"""The possessive of a name follows the language's spelling: Dutch by how the name ends."""

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
