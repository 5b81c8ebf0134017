"""Issue 12 item 10, wording in the catalogue: "beroepskracht" in Dutch, a capital after a full stop, and a
backup request that is not thanked for reporting (names where known: tests/flows/test_wording.py).

The catalogue checks read every Dutch text there is: the Dutch msgstr in nl.po and the Dutch msgid that each
file translates. Real exceptions are listed here, each with its reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from bot.i18n import CATALOGUE, LANGUAGES

# Keys whose Dutch may say "professional": none today. Placeholder names such as {professional} are not text.
PROFESSIONAL_ALLOWED: frozenset[str] = frozenset()
# Text in which a lower-case letter may follow ". ", "! " or "? ": abbreviations and the like (none today).
LOWER_AFTER_STOP_ALLOWED: frozenset[tuple[str, str]] = frozenset()  # (key, the few characters around it)

_PLACEHOLDER = re.compile(r"\{\w+(?::\w+)?\}")
_TAG = re.compile(r"<[^>]+>")
_LOWER_AFTER_STOP = re.compile(r"[.!?]\s+([a-zà-ÿ])")


def _dutch_texts() -> Iterator[tuple[str, str]]:
    for key, entry in sorted(CATALOGUE.entries.items()):
        for form in entry.texts["nl"]:
            yield key, form
        for lang in LANGUAGES:
            for source in entry.sources[lang]:
                yield key, source


def _all_texts() -> Iterator[tuple[str, str]]:
    yield from _dutch_texts()
    for key, entry in sorted(CATALOGUE.entries.items()):
        for lang in LANGUAGES:
            for form in entry.texts[lang]:
                yield key, form


def test_dutch_says_beroepskracht_not_professional() -> None:
    found = {
        key
        for key, text in _dutch_texts()
        if "professional" in _PLACEHOLDER.sub("", text).lower() and key not in PROFESSIONAL_ALLOWED
    }
    assert not found, f"Dutch texts saying 'professional' (write 'beroepskracht'): {sorted(found)}"


def test_a_sentence_starts_with_a_capital_in_every_text() -> None:
    found = set()
    for key, text in _all_texts():
        plain_text = _TAG.sub("", text)
        for match in _LOWER_AFTER_STOP.finditer(plain_text):
            around = plain_text[max(0, match.start() - 12) : match.end() + 12]
            if (key, around) not in LOWER_AFTER_STOP_ALLOWED:
                found.add((key, around))
    assert not found, f"a lower-case letter after a full stop: {sorted(found)}"


def test_the_guards_catch_what_they_are_for() -> None:
    """The checks above are not vacuous: the texts this issue found would fail them."""
    assert _LOWER_AFTER_STOP.search("Opgeslagen. je beroepskracht krijgt het morgen.")
    assert not _LOWER_AFTER_STOP.search("Opgeslagen. Piet krijgt het om 08:30. 112 bellen kan altijd.")
    assert "professional" in _PLACEHOLDER.sub("", "geef ik eerst aan je professional").lower()
    assert "professional" not in _PLACEHOLDER.sub("", "{professional} is vanaf nu je beroepskracht").lower()


def test_only_a_signal_is_thanked_for_reporting() -> None:
    thanked = {key for key, text in _dutch_texts() if "dat je dit meldt" in text}
    assert thanked == {"signal.sent", "signal.sent_later"}


# {names} and {before} are spoken lists ("Anna en Bram"): a verb right after one would have to agree with
# however many people it holds, so the sentence is built around them ("het gaat nu naar {names}").
_VERB_AFTER_LIST = re.compile(r"\{(?:names|before)\} (?:krijgt|heeft|hoort|reageerde|is|gaat|wil|kan|gets|has|hears)\b")


def test_no_singular_verb_after_a_list_of_people() -> None:
    found = [
        (key, lang, form)
        for key, entry in sorted(CATALOGUE.entries.items())
        if entry.count is None  # a counted message picks its form by the number of people
        for lang in LANGUAGES
        for form in entry.texts[lang]
        if _VERB_AFTER_LIST.search(form)
    ]
    assert found == []
