"""Dates in free text, and which of them are dates of birth."""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from bot.domain.dates import MONTH_NAMES
from bot.domain.screening.findings import FindingKind, Span

# Screening also reads "febr" (typed dates do not), and not "maa" (typed dates do).
_MONTHS = {**MONTH_NAMES, "febr": 2}
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
class DateFound:
    start: int
    end: int
    explicit_year: bool  # four digits or '48
    year: int
    real: bool  # a real calendar date (day-month or month-day)


def dates_in(text: str, current_year: int) -> list[DateFound]:
    dates: list[DateFound] = []
    for m in _DATE_NUMERIC.finditer(text):
        year, explicit = _full_year(m.group(4), current_year)
        a, b = int(m.group(1)), int(m.group(3))
        real = _real_date(year, b, a) or _real_date(year, a, b)
        dates.append(DateFound(m.start(), m.end(), explicit, year, real))
    for m in _DATE_ISO.finditer(text):
        year = int(m.group(1))
        dates.append(DateFound(m.start(), m.end(), True, year, _real_date(year, int(m.group(3)), int(m.group(4)))))
    for m in _DATE_WORDS.finditer(text):
        year, explicit = _full_year(m.group(3) + m.group(4), current_year)
        month = _MONTHS.get(m.group(2).lower(), 0)
        dates.append(DateFound(m.start(), m.end(), explicit, year, _real_date(year, month, int(m.group(1)))))
    for m in _DATE_MONTH_FIRST.finditer(text):
        year = int(m.group(3))
        month = _MONTHS.get(m.group(1).lower(), 0)
        dates.append(DateFound(m.start(), m.end(), True, year, _real_date(year, month, int(m.group(2)))))
    return dates


def birth_dates_in(text: str, dates: list[DateFound], current_year: int) -> list[Span]:
    keyword_ends = [m.end() for m in _BIRTH_WORDS.finditer(text)]
    found: list[Span] = []
    for date in dates:
        if not date.real or date.year > current_year:
            continue
        i = bisect_left(keyword_ends, date.start - _KEYWORD_REACH)
        near_keyword = i < len(keyword_ends) and keyword_ends[i] <= date.start
        if near_keyword or (date.explicit_year and date.year >= 1900):
            found.append((FindingKind.BIRTH_DATE, date.start, date.end))
    return found
