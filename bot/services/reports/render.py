"""The words of the evaluation talk's pack and of the month's report, in the reader's language. Pure: figures
in, Telegram HTML out."""

from __future__ import annotations

from datetime import date

from bot.domain.onboarding import format_hours
from bot.domain.overview import VolunteerLine
from bot.i18n import Markup, plain, t
from bot.services.reports.service import MonthReport, ReviewPack
from bot.services.reports.words import hours, say_date
from storage.overview import VolunteerRow


def pack_text(lang: str, pack: ReviewPack, talk: tuple[date | None, str | None]) -> Markup:
    nobody = plain(lang, "review.nothing")
    months = [
        str(
            t(
                lang,
                "review.month",
                month=str(m.month),
                hours=format_hours(m.hours, lang),
                agreed=format_hours(m.agreed, lang) if m.agreed is not None else "–",
            )
        )
        for m in pack.months
    ]
    flags = [
        str(
            t(
                lang,
                "review.flag_line",
                day=say_date(lang, f.raised.date()),
                flags=", ".join(plain(lang, f"flag.{flag}") for flag in f.flags) or nobody,
                outcome=t(lang, "review.resolved", day=say_date(lang, f.resolved.date()), how=f.resolution or "–")
                if f.resolved
                else t(lang, "review.still_open"),
            )
        )
        for f in pack.flags
    ]
    categories = [
        str(
            t(
                lang,
                "review.category_line",
                kind=plain(lang, f"kind.{c.kind}"),
                category=plain(lang, f"cat.{c.category}" if c.kind == "signal" else f"bk.{c.category}"),
                count=c.count,
                median=format_hours(c.median_pickup_hours, lang) if c.median_pickup_hours is not None else "–",
            )
        )
        for c in pack.categories
    ]
    latest = pack.energy[-1].energy if pack.energy else None
    day, wishes = talk
    return t(
        lang,
        "review.pack",
        name=pack.volunteer.name,
        days=(pack.until - pack.since).days,
        months=Markup("\n".join(months) or nobody),
        answers=len(pack.energy),
        latest=latest if latest is not None else "–",
        trend=t(lang, trend_key(pack.trend)),
        flags=Markup("\n".join(flags) or nobody),
        categories=Markup("\n".join(categories) or nobody),
        talk=say_date(lang, day) if day else plain(lang, "review.no_talk"),
        wishes=wishes or nobody,
    )


def trend_key(trend: float | None) -> str:
    if trend is None:
        return "review.trend.unknown"
    if trend >= 0.5:
        return "review.trend.up"
    if trend <= -0.5:
        return "review.trend.down"
    return "review.trend.steady"


def report_text(lang: str, report: MonthReport) -> Markup:
    nobody = plain(lang, "review.nothing")
    pickups = [
        str(
            t(
                lang,
                "report.pickup_line",
                urgency=plain(lang, f"urg.{p.urgency}"),
                count=p.count,
                p50=hours(lang, p.p50_hours),
                p90=hours(lang, p.p90_hours),
            )
        )
        for p in report.pickups
    ]
    teams = [
        str(
            t(
                lang,
                "report.team_line",
                team=team.team or plain(lang, "people.no_team"),
                hours=hours(lang, team.hours),
                volunteers=team.volunteers,
            )
        )
        for team in report.teams
    ]
    return t(
        lang,
        "report.text",
        month=str(report.month),
        answered=report.answered,
        asked=report.asked,
        pickups=Markup("\n".join(pickups)),
        held=report.held_too_long,
        teams=Markup("\n".join(teams) or nobody),
        raised=report.flags_raised,
        resolved=report.flags_resolved,
        under_use=", ".join(report.under_use) or nobody,
    )


# --- /overview ----------------------------------------------------------------------------------------


def hours_part(lang: str, line: VolunteerLine) -> Markup:
    hours = format_hours(line.hours, lang)
    if line.agreed is None:
        return t(lang, "overview.hours_no_agreement", hours=hours)
    return t(lang, "overview.hours", hours=hours, agreed=format_hours(line.agreed, lang))


def answered_part(lang: str, line: VolunteerLine) -> Markup:
    if line.days_since_answer is None:
        return t(lang, "overview.never_answered")
    return t(lang, "overview.answered_days", days=line.days_since_answer)


def marks(lang: str, line: VolunteerLine) -> str:
    found = [plain(lang, f"overview.status.{status.value}") for status in line.statuses]
    if line.under_use:
        found.append(plain(lang, "overview.under_use"))
    return "".join(f" · {mark}" for mark in found)


def figures(lang: str, line: VolunteerLine) -> dict[str, object]:
    """What a line and a card both say about the volunteer."""
    return {
        "hours": hours_part(lang, line),
        "clients": line.clients,
        "items": line.open_items,
        "flags": line.open_flags,
        "answered": answered_part(lang, line),
        "marks": marks(lang, line),
    }


def line_text(lang: str, number: int, line: VolunteerLine) -> Markup:
    return t(lang, "overview.line", number=number, name=line.name, **figures(lang, line))


def card_text(lang: str, row: VolunteerRow, line: VolunteerLine) -> Markup:
    nobody = plain(lang, "people.nobody")
    agreement = format_hours(row.agreed_hours, lang) if row.agreed_hours is not None else nobody
    return t(
        lang,
        "overview.card",
        name=row.name,
        team=row.team or plain(lang, "people.no_team"),
        professional=row.professional_name or nobody,
        agreement=agreement,
        **figures(lang, line),
    )
