"""Times as people say them: "vandaag 14:30", "maandag 19:00", "4 dec 09:00"."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import plain


def say_time(moment: datetime, now: datetime, zone: ZoneInfo, language: str) -> str:
    local = moment.astimezone(zone)
    today = now.astimezone(zone).date()
    clock = local.strftime("%H:%M")
    delta = (local.date() - today).days
    if delta == 0:
        return plain(language, "time.today", clock=clock)
    if delta == 1:
        return plain(language, "time.tomorrow", clock=clock)
    if delta == -1:
        return plain(language, "time.yesterday", clock=clock)
    if 1 < delta < 7:
        return plain(language, f"time.weekday.{local.weekday()}", clock=clock)
    month = plain(language, f"month.{local.month}")
    if local.year != today.year:
        return plain(language, "time.date_year", day=local.day, month=month, year=local.year, clock=clock)
    return plain(language, "time.date", day=local.day, month=month, clock=clock)


def say_duration(minutes: int, language: str) -> str:
    """The age of an item: "5 min", "2 uur", "3 dagen"."""
    if minutes < 60:
        return plain(language, "duration.minutes", n=max(0, minutes))
    hours = minutes // 60
    if hours < 48:
        return plain(language, "duration.hours", n=hours)
    return plain(language, "duration.days", n=hours // 24)
