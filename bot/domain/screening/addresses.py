"""Street addresses (a street name and house number) and postcodes in free text."""

from __future__ import annotations

import re

from bot.domain.screening.findings import ELLIPSIS, FindingKind, Span

# Postcodes: 4 digits (not starting with 0) and two letters, never SA, SD or SS.
_POSTCODE = re.compile(
    r"(?<![0-9A-Za-z])[1-9][0-9]{3}(?:[ ](?!SA|SD|SS)[A-Z]{2}|(?!SA|SD|SS)[A-Z]{2}|[a-z]{2})(?![0-9A-Za-z])",
    re.ASCII,
)
# Lower-case letters right after four digits are usually a unit ("1000km"), not a postcode.
_POSTCODE_NOT = {"km", "kg", "mg", "ml", "cm", "mm", "kb", "mb", "gb", "tb", "cc", "hz", "kw", "pk", "ms"}

STREET_SUFFIXES = (
    "straat", "laan", "weg", "plein", "gracht", "kade", "singel", "dijk", "pad", "hof", "steeg", "markt",
    "dreef", "park", "plantsoen", "baan", "wal", "haven", "boulevard", "allee", "dwarsweg", "ring", "brink",
    "burgwal", "erf", "hoven", "promenade",
)  # fmt: skip
# Suffixes distinctive enough to accept a lower-case compound such as "kerkstraat".
_LOWER_CASE_SUFFIXES = (
    "straat", "laan", "gracht", "kade", "singel", "dijk", "steeg", "dreef", "plantsoen", "plein", "boulevard",
    "allee", "burgwal",
)  # fmt: skip
_PARTICLES = {
    "van", "de", "der", "den", "het", "'t", "’t", "ter", "ten", "te", "op", "aan", "in", "naar", "over",
    "bij", "la", "le", "du", "des", "'s", "’s", "en", "onder", "achter", "voor",
}  # fmt: skip
# Capitalised words that start sentences or name people rather than streets.
_NOT_STREET_WORDS = {
    "ik", "hij", "zij", "ze", "we", "wij", "jij", "je", "u", "hun", "haar", "zijn", "mijn", "onze", "ons",
    "uw", "deze", "die", "dit", "dat", "het", "de", "een", "in", "op", "aan", "naar", "bij", "van", "via",
    "met", "om", "voor", "achter", "tegenover", "naast", "langs", "over", "uit", "en", "of", "maar", "ook",
    "woont", "wonend", "adres", "mevrouw", "meneer", "mevr", "mw", "dhr", "hr", "the", "at", "on", "lives",
    "address", "to", "from", "is", "nu", "sinds", "gaat", "ging", "verhuisd", "naam", "cliënt", "client",
}  # fmt: skip
_WORD = re.compile(r"['’]?[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_HOUSE_NUMBER = re.compile(
    r"[ \t\u00a0]{1,3}([1-9][0-9]{0,3})(?![0-9])"
    r"(?:[ ]?-[ ]?(?:[0-9]{1,4}|[A-Za-z]{1,4})(?![0-9A-Za-z])"
    r"|(?:bis|hs|[A-Za-z])(?![0-9A-Za-z])"
    r"|[ ](?:I{1,3}|IV|hs|bis|[A-Z])(?![0-9A-Za-z]))?",
    re.ASCII,
)
_AFTER_NUMBER = re.compile(
    r"[.,:][0-9]|[ \t]*(?:-[ \t]*[0-9]{1,4}[ \t]*)?"
    r"(?:uur|u|h|keer|x|min|minuten|minuut|sec|seconden|jaar|jr|jaren|dagen|dag|weken|week|maanden|maand"
    r"|euro|eur|procent|kg|km|m|cm|mm|ml|l|mg|gram|g|personen|mensen|kinderen|stuks|keren|times|hours?"
    r"|days?|weeks?|months?|years?|minutes?|pm|am)(?![A-Za-z])|[ \t]*%",
    re.ASCII | re.IGNORECASE,
)


def _house_number_end(text: str, pos: int) -> int | None:
    """End of the house number (with addition) that follows position pos, or None."""
    match = _HOUSE_NUMBER.match(text, pos)
    if not match:
        return None
    number = match.group(1)
    if len(number) == 4 and number.startswith(("19", "20")):
        return None  # a year: "Plein 1944", "Amsterdam 2024"
    if _AFTER_NUMBER.match(text, match.end(1)) or _AFTER_NUMBER.match(text, match.end()):
        return None  # "Markt 2 uur", "Park 10-16 uur", "Markt 14:30"
    return match.end()


def _capitalised(word: str) -> bool:
    """'Kerkstraat', and also "'s-Gravendijkwal"."""
    return any(part[:1].isupper() for part in word.lstrip("'’").split("-")[:2])


def _street_word(word: str) -> bool:
    lower = word.lower()
    if not lower.endswith(STREET_SUFFIXES):
        return False
    if _capitalised(word):
        return True
    return any(lower.endswith(s) and len(lower) > len(s) + 1 for s in _LOWER_CASE_SUFFIXES)


def _name_word(word: str) -> bool:
    """A word that may be part of a street name around the word with the street suffix."""
    return word.lower() in _PARTICLES or (_capitalised(word) and word.lower() not in _NOT_STREET_WORDS)


def _single_space(text: str, end: int, start: int) -> bool:
    return start - end == 1 and text[end] in " \u00a0"


def streets_in(text: str) -> list[Span]:
    words = list(_WORD.finditer(text))
    found: list[Span] = []
    for i, word in enumerate(words):
        if not _street_word(word.group()):
            continue
        end = _house_number_end(text, word.end())
        first = last = i
        if end is None and _capitalised(word.group()) and word.group().lower() in STREET_SUFFIXES:
            # "Laan van Nieuw Guinea 4-A": the suffix word first, then up to three words.
            for j in range(i + 1, min(i + 4, len(words))):
                if not _single_space(text, words[j - 1].end(), words[j].start()):
                    break
                if not _name_word(words[j].group()):
                    break
                end = _house_number_end(text, words[j].end())
                if end is not None:
                    last = j
                    break
            if words[last].group().lower() in _PARTICLES:
                end = None
        if end is None:
            continue
        # Up to three words before it: "Burgemeester Reigerstraat", "Van Heutszstraat".
        while (
            first > 0
            and i - first < 3
            and _single_space(text, words[first - 1].end(), words[first].start())
            and _name_word(words[first - 1].group())
        ):
            first -= 1
        while first < i and (
            not _capitalised(words[first].group()) or words[first].group().lower() in _NOT_STREET_WORDS
        ):
            first += 1  # no leading "op de", "In de"
        found.append((FindingKind.ADDRESS, words[first].start(), end))
    return found


def postcodes_in(text: str) -> list[Span]:
    return [
        (FindingKind.ADDRESS, m.start(), m.end())
        for m in _POSTCODE.finditer(text)
        if m.group()[-2:] not in _POSTCODE_NOT
    ]


_POSTCODE_DIGITS = re.compile(r"[1-9][0-9]{3}", re.ASCII)


def masked_address(text: str) -> str:
    if _POSTCODE_DIGITS.match(text):
        return text[:4] + " " + ELLIPSIS  # "3511 …"
    words: list[str] = []
    for word in text.split():
        if word[:1].isascii() and word[:1].isdigit():
            break
        words.append(word)
    for i, word in enumerate(words):
        if word.lower().endswith(STREET_SUFFIXES):
            return " ".join(words[i:]) + " " + ELLIPSIS  # "Kerkstraat …", "Laan van Nieuw Guinea …"
    return ELLIPSIS
