"""What check-in messages offer and what a wellbeing alert says. Pure: values in, text and buttons out."""

from __future__ import annotations

from datetime import date

from bot.domain.callbacks import pack
from bot.domain.wellbeing import Finding, Flag
from bot.i18n import Amount, plain, say_number

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


# The order the alert lists what was seen in: the order of the questions.
LINE_ORDER = (Flag.TIME_OVERLOAD, Flag.ENERGY, Flag.BOUNDARIES, Flag.PRIVATE_LIFE, Flag.COMPETENCE, Flag.MISSED)


def alert_body(findings: list[Finding], name: str, comment: str | None, lang: str, week_of_checkin: str) -> str:
    """The words of one check-in's wellbeing alert: a line per flag, in the order of the questions, and the
    volunteer's comment. week_of_checkin is the ISO week ("2026-W50") of the period the check-in answers:
    hours for that week are said as "this week", those of another week by its latest check-in."""
    by_flag = {finding.flag: finding for finding in findings}
    lines = [_line(by_flag[flag], lang, week_of_checkin) for flag in LINE_ORDER if flag in by_flag]
    if comment:
        lines.append(plain(lang, "wb.line.comment", name=name, text=comment))
    return "\n".join(lines)


def _line(finding: Finding, lang: str, week_of_checkin: str) -> str:
    """What one flag saw, in a few plain words and the numbers behind it."""
    ev = dict(finding.evidence)
    days = Amount("amount.days", ev.get("days", 28))
    if finding.flag is Flag.TIME_OVERLOAD:
        if "window_hours" in ev:
            hours, weeks = Amount("amount.hours", ev["window_hours"]), Amount("amount.weeks", ev.get("weeks", 4))
            agreed = _number(ev["agreed_hours"], lang)
            return plain(lang, "wb.line.time_window", hours=hours, weeks=weeks, agreed=agreed)
        hours, week = Amount("amount.hours", ev["week_hours"]), str(ev["week"])
        agreed = _number(ev["agreed_weekly"], lang)
        if week == week_of_checkin:
            return plain(lang, "wb.line.time_this_week", hours=hours, agreed=agreed)
        until = date.fromisoformat(str(ev["until"]))
        month = plain(lang, f"month.{until.month}")
        count = ev.get("checkins", 1)
        return plain(lang, "wb.line.time_week", hours=hours, agreed=agreed, day=until.day, month=month, count=count)
    if finding.flag is Flag.ENERGY:
        if "lowest" in ev:
            key = "wb.line.energy_drop" if ev["lowest"] != ev["highest"] else "wb.line.energy_drop_steady"
            range_ = {"lowest": ev["lowest"], "highest": ev["highest"], "count": ev["answers"]}
            return plain(lang, key, latest=ev["latest"], **range_)
        if "in_a_row" in ev:
            return plain(lang, "wb.line.energy_low", latest=ev["latest"], count=ev["in_a_row"])
        return plain(lang, "wb.line.energy", latest=ev["latest"])
    if finding.flag is Flag.BOUNDARIES:
        if ev.get("latest") == "several":
            return plain(lang, "wb.line.boundaries_several")
        return plain(lang, "wb.line.boundaries", count=ev.get("count", 1), days=days)
    if finding.flag is Flag.PRIVATE_LIFE:
        if "strong" in ev:
            return plain(lang, "wb.line.private_life_now")
        return plain(lang, "wb.line.private_life", count=ev.get("count", 1), days=days)
    if finding.flag is Flag.COMPETENCE:
        return plain(lang, "wb.line.competence")
    return plain(lang, "wb.line.missed", count=ev.get("missed", 2))


def _number(value: float | int | str, lang: str) -> str:
    """A number from the evidence as the language writes it ("2,5")."""
    return value if isinstance(value, str) else say_number(value, lang)
