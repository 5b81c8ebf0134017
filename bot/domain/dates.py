"""Dates as people type them: "12-12", "12/12/2026", "2026-12-12", "12 dec", "12 december"."""

from __future__ import annotations

import re
from datetime import date

MONTHS = {
    "jan": 1, "januari": 1, "january": 1,
    "feb": 2, "februari": 2, "february": 2,
    "mrt": 3, "maa": 3, "maart": 3, "mar": 3, "march": 3,
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
