"""Small pieces of wording the talk, the report and their messages share."""

from __future__ import annotations

from datetime import date

from bot.domain.onboarding import format_hours
from bot.i18n import Markup, plain, t


def say_date(lang: str, day: date) -> Markup:
    """A date with its year: the pack reaches back months, and a talk may lie in the next year."""
    return t(lang, "report.date", day=day.day, month=plain(lang, f"month.{day.month}"), year=day.year)


def hours(lang: str, value: float | None) -> str:
    return "–" if value is None else format_hours(value, lang)


def plain_date(lang: str, day: date) -> str:
    """As say_date, as plain text (for a PDF or a chart)."""
    return plain(lang, "report.date", day=day.day, month=plain(lang, f"month.{day.month}"), year=day.year)
