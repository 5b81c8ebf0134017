"""Dates as people type them: "12-12", "12/12/2026", "2026-12-12", "12 dec", "12 december"."""

from __future__ import annotations

import re
from datetime import date, time

# Month names and abbreviations, Dutch and English, as people type them: read here and by the screening
# (`bot.domain.screening`), each adding the one abbreviation only it takes.
MONTH_NAMES = {
    "jan": 1, "januari": 1, "january": 1,
    "feb": 2, "februari": 2, "february": 2,
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
MONTHS = {**MONTH_NAMES, "maa": 3}

_NUMERIC = re.compile(r"(\d{1,2})[-/.](\d{1,2})(?:[-/.](\d{2}|\d{4}))?", re.ASCII)
_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})", re.ASCII)
_WORDS = re.compile(r"(\d{1,2})\s+([a-z]+)\.?(?:\s+(\d{4}))?", re.ASCII)


def parse_date(text: str, today: date) -> date | None:
    """A calendar date; without a year, the next such date from today on. None if not a real date."""
    cleaned = text.strip().lower().removeprefix("tot ").removeprefix("until ").strip()
    day = month = 0
    year: int | None = None
    if match := _ISO.fullmatch(cleaned):
        year, month, day = int(match.group(1)), int(match.group(2)), int(match.group(3))
    elif match := _NUMERIC.fullmatch(cleaned):
        day, month = int(match.group(1)), int(match.group(2))
        if match.group(3):
            year = int(match.group(3))
            year += 2000 if year < 100 else 0
    elif (match := _WORDS.fullmatch(cleaned)) and match.group(2) in MONTHS:
        day, month = int(match.group(1)), MONTHS[match.group(2)]
        year = int(match.group(3)) if match.group(3) else None
    else:
        return None
    try:
        if year is not None:
            return date(year, month, day)
        candidate = date(today.year, month, day)
        return candidate if candidate >= today else date(today.year + 1, month, day)
    except ValueError:
        return None


DAY_NAMES = {
    "ma": 0, "maandag": 0, "mon": 0, "monday": 0,
    "di": 1, "dinsdag": 1, "tue": 1, "tuesday": 1,
    "wo": 2, "woensdag": 2, "wed": 2, "wednesday": 2,
    "do": 3, "donderdag": 3, "thu": 3, "thursday": 3,
    "vr": 4, "vrijdag": 4, "fri": 4, "friday": 4,
    "za": 5, "zaterdag": 5, "sat": 5, "saturday": 5,
    "zo": 6, "zondag": 6, "sun": 6, "sunday": 6,
}  # fmt: skip

_CLOCK = r"(\d{1,2})(?:[:.](\d{2}))?"
_HOURS = re.compile(rf"{_CLOCK}\s*(?:-|tot|to|t/m)\s*{_CLOCK}", re.ASCII)


def _clock(hour: str, minute: str | None) -> time | None:
    h, m = int(hour), int(minute or 0)
    if h == 24 and m == 0:
        return time(23, 59)
    if not (0 <= h <= 23 and 0 <= m <= 59):
        return None
    return time(h, m)


def parse_working_hours(text: str) -> tuple[frozenset[int], time, time] | None:
    """'ma-vr 08:30-17:00', 'ma,di,do 9-17', 'mon-fri 8.30-16' -> (days, start, end); None if unclear."""
    cleaned = text.strip().lower().replace(" t/m ", "-").replace(" tot ", "-")
    match = _HOURS.search(cleaned)
    if match is None:
        return None
    start, end = _clock(match.group(1), match.group(2)), _clock(match.group(3), match.group(4))
    if start is None or end is None or start >= end:
        return None
    spec = cleaned[: match.start()].strip().replace(" ", "")
    days: set[int] = set()
    for part in filter(None, spec.split(",")):
        if "-" in part:
            first, _, last = part.partition("-")
            if first not in DAY_NAMES or last not in DAY_NAMES:
                return None
            a, b = DAY_NAMES[first], DAY_NAMES[last]
            days.update(range(a, b + 1) if a <= b else [*range(a, 7), *range(0, b + 1)])
        elif part in DAY_NAMES:
            days.add(DAY_NAMES[part])
        else:
            return None
    if not days:
        return None
    return frozenset(days), start, end
