"""The message catalogue: complete in both languages, and every message is valid Telegram HTML."""

from __future__ import annotations

import re

import pytest

from bot.i18n import LANGUAGES, Markup, placeholders, plain, t
from bot.i18n.catalogue import MESSAGES
from tests.support.telegram_markup import parse_html, utf16_len

NASTY = "<b>&amp; *_[x](y) 🙂 \\ </i>"


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_in_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = MESSAGES[key]
    assert set(entry) == set(LANGUAGES), key
    assert placeholders(entry["nl"]) == placeholders(entry["en"]), key
    for lang in LANGUAGES:
        assert entry[lang].strip(), key


@pytest.mark.parametrize("key", sorted(MESSAGES))
def test_every_message_renders_as_valid_telegram_html_even_with_hostile_values(key: str) -> None:
    for lang in LANGUAGES:
        values = {name: NASTY for name in placeholders(MESSAGES[key][lang])}
        rendered = t(lang, key, **values)
        parsed = parse_html(rendered)  # raises on what Telegram would refuse
        assert utf16_len(parsed.text) <= 4096
        if values:
            assert NASTY in parsed.text  # arrives intact, as text


def test_markup_values_are_not_escaped_twice() -> None:
    inner = t("nl", "help.section.everyone")
    outer = t("nl", "welcome", organisation="A & B", name="Vera", roles="vrijwilliger", help=inner)
    assert "&amp;amp;" not in outer and "A &amp; B" in outer and "<b>Altijd</b>" in outer
    assert isinstance(outer, Markup)


def test_button_labels_fit_and_are_plain() -> None:
    for key in MESSAGES:
        if key.startswith("button."):
            for lang in LANGUAGES:
                label = plain(lang, key, **{name: "Piet" for name in placeholders(MESSAGES[key][lang])})
                assert len(label) <= 64 and not re.search(r"<[a-z/]", label), key


def test_dutch_uses_informal_je_not_u() -> None:
    for key, entry in MESSAGES.items():
        assert not re.search(r"\b(U|u) (bent|kunt|heeft|wilt)\b", entry["nl"]), key
