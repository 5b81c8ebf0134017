"""What check-in messages offer and what a wellbeing alert says. Pure: values in, text and buttons out."""

from __future__ import annotations

from bot.domain.callbacks import pack
from bot.domain.onboarding import format_hours
from bot.domain.wellbeing import Finding, Flag
from bot.i18n import Amount, plain

# The hours question's buttons and the hours each counts as.
HOURS_BUCKETS: dict[str, float] = {"0": 0.0, "1-2": 1.5, "3-4": 3.5, "5-8": 6.5, "9-12": 10.5, "12+": 13.0}


def hours_keyboard(lang: str, checkin_id: int) -> list[list[dict[str, str]]]:
    labels = {
        "0": "0",
        "1-2": "1-2",
        "3-4": "3-4",
        "5-8": "5-8",
        "9-12": "9-12",
        "12+": plain(lang, "ci.more_than_12"),
    }
    keys = list(HOURS_BUCKETS)
    buttons = [{"text": labels[k], "data": pack("ci", "h", checkin_id, k.replace("+", "p"))} for k in keys]
    return [buttons[:3], buttons[3:]]


def describe(finding: Finding, name: str, lang: str) -> str:
    """What was seen, in plain words and the recent numbers (the body of the wellbeing alert)."""
    ev = dict(finding.evidence)

    def hours(key: str) -> str:
        return format_hours(float(ev[key]), lang)

    if finding.flag is Flag.TIME_OVERLOAD:
        if "window_hours" in ev:
            window = Amount("amount.hours", hours("window_hours"))
            agreed, weeks = hours("agreed_hours"), Amount("amount.weeks", ev.get("weeks", 4))
            return plain(lang, "wb.body.time_window", name=name, hours=window, agreed=agreed, weeks=weeks)
        week = Amount("amount.hours", hours("week_hours"))
        agreed = hours("agreed_weekly")
        return plain(lang, "wb.body.time_week", name=name, hours=week, agreed=agreed, week=ev.get("week", ""))
    if finding.flag is Flag.ENERGY:
        if "average" in ev and "in_a_row" not in ev:
            return plain(lang, "wb.body.energy_drop", name=name, latest=ev["latest"], average=hours("average"))
        return plain(lang, "wb.body.energy_low", name=name, latest=ev["latest"], count=ev.get("in_a_row", 2))
    if finding.flag is Flag.MISSED:
        return plain(lang, "wb.body.missed", name=name, count=ev.get("missed", 2))
    if finding.flag is Flag.BOUNDARIES and ev.get("latest") == "several":
        return plain(lang, "wb.body.boundaries_several", name=name)
    days = Amount("amount.days", ev.get("days", 28))
    return plain(lang, f"wb.body.{finding.flag.value}", name=name, count=ev.get("count", 1), days=days)
