"""Screening free text for personal data before it is stored. Pure functions.

Volunteers type signals and comments; before anything is stored the bot warns when the text seems to
contain a BSN, phone number, e-mail address, IBAN, date of birth or street address. The detectors are
heuristics tuned for Dutch text: they err on the side of warning, but avoid the usual false alarms
("2 uur", "week 12", "om 14:30", "10-16 uur", "112").

Only ASCII digits count as digits: full-width and other non-ASCII digits are treated as other characters.
Every pattern is linear or bounded per start position, so long or hostile input stays fast.

Overlaps: when two findings overlap, the more specific one wins, in this order:
EMAIL > IBAN > BSN > PHONE > BIRTH_DATE > ADDRESS. An e-mail address comes first because anything
inside an e-mail address is part of that address; IBAN and BSN carry a checksum; a phone number is
more specific than a date, and a date more than the street heuristics.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from enum import StrEnum


class FindingKind(StrEnum):
    BSN = "bsn"
    PHONE = "phone"
    EMAIL = "email"
    IBAN = "iban"
    BIRTH_DATE = "birth_date"
    ADDRESS = "address"


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    start: int  # index in the text
    end: int
    text: str  # the matched text as found


PRECEDENCE: tuple[FindingKind, ...] = (
    FindingKind.EMAIL,
    FindingKind.IBAN,
    FindingKind.BSN,
    FindingKind.PHONE,
    FindingKind.BIRTH_DATE,
    FindingKind.ADDRESS,
)
_RANK = {kind: rank for rank, kind in enumerate(PRECEDENCE)}

ELLIPSIS = "…"


# --- checksums ----------------------------------------------------------------------------------------

_BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
_BSN_DIGITS = re.compile(r"[0-9]{9}", re.ASCII)


def bsn_valid(digits: str) -> bool:
    """The 11-check (elfproef) on nine ASCII digits; spaces, dots and hyphens are ignored."""
    compact = digits.replace(" ", "").replace(".", "").replace("-", "")
    if not _BSN_DIGITS.fullmatch(compact) or compact == "000000000":
        return False
    return sum(w * int(d) for w, d in zip(_BSN_WEIGHTS, compact, strict=True)) % 11 == 0


# ISO 13616 lengths per country (SWIFT IBAN registry).
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
    "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+", re.ASCII)


def iban_valid(text: str) -> bool:
    """ISO 13616: a known country, the length for that country and the mod-97 check == 1.

    Spaces are ignored and lower case is accepted ("nl91 abna 0417 1643 00").
    """
    compact = text.replace(" ", "")
    if not compact.isascii():
        return False
    compact = compact.upper()
    if not _IBAN_SHAPE.fullmatch(compact) or IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


# --- detectors ----------------------------------------------------------------------------------------

_Span = tuple[FindingKind, int, int]

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]++@[A-Za-z0-9\-]++(?:\.[A-Za-z0-9\-]++)*+",
    re.ASCII,
)
_EMAIL_TLD = re.compile(r"\.[A-Za-z]{2,}", re.ASCII)


def _emails(text: str) -> list[_Span]:
    found: list[_Span] = []
    for match in _EMAIL.finditer(text):
        domain = match.group().rpartition("@")[2]
        last = domain.rpartition(".")
        if last[1] and _EMAIL_TLD.fullmatch("." + last[2]):
            found.append((FindingKind.EMAIL, match.start(), match.end()))
    return found


_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}", re.ASCII)


def _is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def _ibans(text: str) -> list[_Span]:
    found: list[_Span] = []
    size = len(text)
    for match in _IBAN_START.finditer(text):
        length = IBAN_LENGTHS.get(match.group()[:2].upper())
        if length is None:
            continue
        need, i = length - 4, match.end()
        while need and i < size:
            if _is_ascii_alnum(text[i]):
                need -= 1
                i += 1
            elif text[i] == " " and i + 1 < size and _is_ascii_alnum(text[i + 1]):
                i += 1
            else:
                break
        if need or (i < size and _is_ascii_alnum(text[i])):
            continue
        if iban_valid(text[match.start() : i]):
            found.append((FindingKind.IBAN, match.start(), i))
    return found


# 9 digits, or groups 3-3-3, 4-2-3 or 2-2-2-3 with one separator used throughout.
_BSN = re.compile(
    r"(?<![0-9A-Za-z+])(?<![0-9][.,\-])(?<!\+31[ \-.])(?<!0031[ \-.])"
    r"(?:[0-9]{9}"
    r"|[0-9]{3}(?P<a>[ .\-])[0-9]{3}(?P=a)[0-9]{3}"
    r"|[0-9]{4}(?P<b>[ .\-])[0-9]{2}(?P=b)[0-9]{3}"
    r"|[0-9]{2}(?P<c>[ .\-])[0-9]{2}(?P=c)[0-9]{2}(?P=c)[0-9]{3})"
    r"(?![0-9A-Za-z])(?![.,\-][0-9])",
    re.ASCII,
)


def _bsns(text: str) -> list[_Span]:
    return [(FindingKind.BSN, m.start(), m.end()) for m in _BSN.finditer(text) if bsn_valid(m.group())]


# A phone number starts with +31, (0..), 06 or a trunk 0 with at least two more digits (an area code;
# this keeps dates such as "01-02-2023 12" out), and goes on as digits with short runs of separators.
_PHONE = re.compile(
    r"(?<![0-9A-Za-z+(])(?=("
    r"(?:\+31|\(0[0-9]{1,3}\)|06|0[0-9]{2})"
    r"(?:[ \-./()]{0,3}+[0-9]){4,13}"
    r"))",
    re.ASCII,
)
_SERVICE_PREFIXES = ("800", "900", "906", "909")
_DIGIT_RUN = re.compile(r"[0-9]+", re.ASCII)


def _phone_end(candidate: str) -> int | None:
    """End of the longest prefix of a candidate (cut only between digit runs) that is a Dutch number.

    The national number (without trunk 0, +31, 0031 or "(0)") has nine digits, or 7 to 10 for
    0800/0900/0906/0909 service numbers.
    """
    runs = list(_DIGIT_RUN.finditer(candidate))
    digits = "".join(run.group() for run in runs)
    if candidate.startswith("+"):
        skip = 2
    elif digits.startswith("0031"):
        skip = 4
    elif digits.startswith("00"):
        return None  # another country
    else:
        skip = 1
    if skip > 1 and digits[skip : skip + 1] == "0":
        skip += 1  # +31 (0)6 ...
    national = digits[skip:]
    if not national or national[0] == "0":
        return None
    service = national.startswith(_SERVICE_PREFIXES)
    count, best = -skip, None
    for run in runs:
        count += run.end() - run.start()
        if count == 9 or (service and 7 <= count <= 10):
            best = run.end()
    return best


def _merged(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def _phones(text: str, dates: list[tuple[int, int]]) -> list[_Span]:
    """Phone numbers, except digits that are part of a date ("06-03-2023 12:00")."""
    blocked = _merged(dates)
    found: list[_Span] = []
    last_end = 0
    for match in _PHONE.finditer(text):
        start = match.start()
        if start < last_end:
            continue  # inside the number found before
        end = _phone_end(match.group(1))
        if end is None:
            continue
        end += start
        if end < len(text) and _is_ascii_alnum(text[end]):
            continue
        if _overlaps(blocked, start, end):
            continue
        found.append((FindingKind.PHONE, start, end))
        last_end = end
    return found


_MONTHS = {
    "jan": 1, "januari": 1, "january": 1,
    "feb": 2, "febr": 2, "februari": 2, "february": 2,
    "mrt": 3, "maart": 3, "mar": 3, "march": 3,
    "apr": 4, "april": 4,
    "mei": 5, "may": 5,
    "jun": 6, "juni": 6, "june": 6,
    "jul": 7, "juli": 7, "july": 7,
    "aug": 8, "augustus": 8, "august": 8,
    "sep": 9, "sept": 9, "september": 9,
    "okt": 10, "oct": 10, "oktober": 10, "october": 10,
    "nov": 11, "november": 11,
    "dec": 12, "december": 12,
}  # fmt: skip
_MONTH_NAMES = "|".join(sorted(_MONTHS, key=len, reverse=True))
_FLAGS = re.ASCII | re.IGNORECASE

_DATE_NUMERIC = re.compile(
    r"(?<![0-9])(?<![0-9][\-./])([0-9]{1,2})([\-./])([0-9]{1,2})\2(['’]?[0-9]{4}|['’]?[0-9]{2})"
    r"(?![0-9])(?![\-./][0-9])",
    _FLAGS,
)
_DATE_ISO = re.compile(
    r"(?<![0-9])(?<![0-9][\-./])([0-9]{4})([\-./])([0-9]{1,2})\2([0-9]{1,2})(?![0-9])(?![\-./][0-9])", _FLAGS
)
_DATE_WORDS = re.compile(
    rf"(?<![0-9A-Za-z])([0-9]{{1,2}})(?:e|ste|de|st|nd|rd|th)?[ \t]+(?:of[ \t]+)?({_MONTH_NAMES})\b\.?,?"
    rf"[ \t]+(['’]?)([0-9]{{4}}|[0-9]{{2}})(?![0-9])",
    _FLAGS,
)
_DATE_MONTH_FIRST = re.compile(
    rf"(?<![0-9A-Za-z])({_MONTH_NAMES})\b\.?[ \t]+([0-9]{{1,2}})(?:st|nd|rd|th)?,?[ \t]+"
    r"([0-9]{4})(?![0-9])",
    _FLAGS,
)
_BIRTH_WORDS = re.compile(
    r"\b(?:geboren|geb\b\.?|geboortedatum|geboorte[ \-]datum|geb\.?[ \-]?datum|born|dob\b|d\.o\.b\.?"
    r"|date[ \t]+of[ \t]+birth|birth[ \t]?date|birthday|verjaardag|jarig)",
    _FLAGS,
)
_KEYWORD_REACH = 40  # characters between the end of "geboren" and the start of the date


def _days_in_month(year: int, month: int) -> int:
    if month == 2:
        return 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28
    return 30 if month in (4, 6, 9, 11) else 31


def _real_date(year: int, month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= _days_in_month(year, month)


def _full_year(text: str, current_year: int) -> tuple[int, bool]:
    """The year and whether it was written with four digits or an apostrophe ('48)."""
    explicit = text.startswith(("'", "’"))
    digits = text.lstrip("'’")
    year = int(digits)
    if len(digits) == 2:
        year += 2000 if 2000 + year <= current_year else 1900
        return year, explicit
    return year, True


@dataclass(frozen=True)
class _Date:
    start: int
    end: int
    explicit_year: bool  # four digits or '48
    year: int
    real: bool  # a real calendar date (day-month or month-day)


def _dates(text: str, current_year: int) -> list[_Date]:
    dates: list[_Date] = []
    for m in _DATE_NUMERIC.finditer(text):
        year, explicit = _full_year(m.group(4), current_year)
        a, b = int(m.group(1)), int(m.group(3))
        real = _real_date(year, b, a) or _real_date(year, a, b)
        dates.append(_Date(m.start(), m.end(), explicit, year, real))
    for m in _DATE_ISO.finditer(text):
        year = int(m.group(1))
        dates.append(_Date(m.start(), m.end(), True, year, _real_date(year, int(m.group(3)), int(m.group(4)))))
    for m in _DATE_WORDS.finditer(text):
        year, explicit = _full_year(m.group(3) + m.group(4), current_year)
        month = _MONTHS.get(m.group(2).lower(), 0)
        dates.append(_Date(m.start(), m.end(), explicit, year, _real_date(year, month, int(m.group(1)))))
    for m in _DATE_MONTH_FIRST.finditer(text):
        year = int(m.group(3))
        month = _MONTHS.get(m.group(1).lower(), 0)
        dates.append(_Date(m.start(), m.end(), True, year, _real_date(year, month, int(m.group(2)))))
    return dates


def _birth_dates(text: str, dates: list[_Date], current_year: int) -> list[_Span]:
    keyword_ends = [m.end() for m in _BIRTH_WORDS.finditer(text)]
    found: list[_Span] = []
    for date in dates:
        if not date.real or date.year > current_year:
            continue
        i = bisect_left(keyword_ends, date.start - _KEYWORD_REACH)
        near_keyword = i < len(keyword_ends) and keyword_ends[i] <= date.start
        if near_keyword or (date.explicit_year and date.year >= 1900):
            found.append((FindingKind.BIRTH_DATE, date.start, date.end))
    return found


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
    _FLAGS,
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


def _streets(text: str) -> list[_Span]:
    words = list(_WORD.finditer(text))
    found: list[_Span] = []
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


def _postcodes(text: str) -> list[_Span]:
    return [
        (FindingKind.ADDRESS, m.start(), m.end())
        for m in _POSTCODE.finditer(text)
        if m.group()[-2:] not in _POSTCODE_NOT
    ]


# --- screening ----------------------------------------------------------------------------------------


def screen(text: str, *, current_year: int) -> list[Finding]:
    """All personal data found, sorted by start and without overlaps (see PRECEDENCE)."""
    dates = _dates(text, current_year)
    date_spans = [(d.start, d.end) for d in dates if d.real]
    candidates = [
        *_emails(text),
        *_ibans(text),
        *_bsns(text),
        *_phones(text, date_spans),
        *_birth_dates(text, dates, current_year),
        *_streets(text),
        *_postcodes(text),
    ]
    candidates.sort(key=lambda c: (_RANK[c[0]], c[1], c[1] - c[2]))
    taken: list[tuple[int, int]] = []
    findings: list[Finding] = []
    for kind, start, end in candidates:
        if start >= end or _overlaps(taken, start, end):
            continue
        taken.insert(bisect_left(taken, (start, end)), (start, end))
        findings.append(Finding(kind, start, end, text[start:end]))
    findings.sort(key=lambda f: f.start)
    return findings


def _overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """taken is sorted and non-overlapping, so only the neighbours need a look."""
    i = bisect_left(taken, (start, end))
    if i < len(taken) and taken[i][0] < end:
        return True
    return i > 0 and taken[i - 1][1] > start


def masked(finding: Finding) -> str:
    """What the volunteer is shown: recognisable, but never a copy of the data."""
    text = finding.text
    digits = "".join(ch for ch in text if "0" <= ch <= "9")
    kind = finding.kind
    if kind is FindingKind.BSN:
        return ELLIPSIS + digits[-3:]
    if kind is FindingKind.PHONE:
        prefix = "+31" if text.startswith("+") or digits.startswith("0031") else digits[:2]
        return f"{prefix}-{ELLIPSIS}{digits[-2:]}"
    if kind is FindingKind.IBAN:
        compact = "".join(ch for ch in text if _is_ascii_alnum(ch)).upper()
        return compact[:4] + ELLIPSIS + compact[-2:]
    if kind is FindingKind.EMAIL:
        local, _, domain = text.rpartition("@")
        return f"{local[:1]}{ELLIPSIS}@{ELLIPSIS}{domain.rpartition('.')[2]}"
    if kind is FindingKind.BIRTH_DATE:
        year = _YEAR.search(text)
        return ELLIPSIS + (year.group()[-2:] if year else text[-2:])  # "…48"
    if kind is FindingKind.ADDRESS:
        return _masked_address(text)
    return ELLIPSIS


_YEAR = re.compile(r"[0-9]{4}", re.ASCII)
_POSTCODE_DIGITS = re.compile(r"[1-9][0-9]{3}", re.ASCII)


def _masked_address(text: str) -> str:
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
