"""/review (the evaluation talk's pack about one volunteer) and /report (the organisation's month).

Who may read what: a review is for the volunteer's own professional or a coordinator, never about the viewer
herself; the month's report is for coordinators (or the command line), and leaves out the items and flags about
the coordinator who reads it, so nobody reads a wellbeing alert about herself.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.domain.models import Person
from bot.domain.overview import Month
from bot.domain.reports import (
    URGENCIES,
    CategoryFigures,
    EnergyPoint,
    FlagOutcome,
    MonthHours,
    UrgencyPickup,
    by_category,
    energy_trend,
    flag_outcomes,
    held_too_long,
    hours_per_month,
    month_bounds,
    pickup_by_urgency,
)
from bot.domain.schedule import QuietHours, in_quiet_hours
from bot.domain.screening import screen
from bot.domain.under_use import under_use
from bot.i18n import t
from bot.services.base import Service, coordinators_only
from bot.services.errors import Refused
from bot.services.overview import LOOKBACK_DAYS, may_see, records, volunteers_of, with_history
from bot.services.reports.words import say_date
from storage import overview, people, recognition, talks
from storage.overview import VolunteerRow


@dataclass(frozen=True)
class ReviewPack:
    volunteer: VolunteerRow
    since: datetime
    until: datetime
    months: list[MonthHours]
    energy: list[EnergyPoint]
    trend: float | None
    flags: list[FlagOutcome]
    categories: list[CategoryFigures]


@dataclass(frozen=True)
class TeamHours:
    team: str | None
    hours: float
    volunteers: int


@dataclass(frozen=True)
class MonthReport:
    month: Month
    asked: int
    answered: int
    pickups: list[UrgencyPickup]
    held_too_long: int
    teams: list[TeamHours]
    flags_raised: int
    flags_resolved: int
    under_use: list[str]  # names


class ReportService(Service):
    async def reviewable(self, viewer: Person) -> list[VolunteerRow]:
        """The volunteers the viewer may hold an evaluation talk with, by name."""
        async with self._db.read() as reader:
            rows = await volunteers_of(reader, viewer, self._clock.now())
        return sorted(rows, key=lambda r: (r.name.casefold(), r.id))

    async def review(self, viewer: Person, volunteer_id: int) -> ReviewPack:
        """The talk's pack over the last `review_days` days; refused unless the volunteer is the viewer's."""
        now = self._clock.now()
        zone = self._settings.app.zone
        since = now - timedelta(days=self._settings.reports.review_days)
        async with self._db.transaction() as tx:
            row = await overview.volunteer(tx, volunteer_id, viewer_id=viewer.id, now=now)
            if row is None or not may_see(viewer, row):
                raise Refused("review.not_yours")
            checkins = await overview.checkins_of(tx, [row.id], since)
            items = await overview.items_of(tx, row.id, since)
        answered = [c for c in records(checkins).get(row.id, []) if c.answered and c.belongs_to <= now]
        months = hours_per_month(
            ((c.belongs_to, c.hours or 0.0) for c in answered),
            since=since,
            until=now,
            agreed_per_week=row.agreed_hours,
            zone=zone,
        )
        energy = sorted(
            (EnergyPoint(c.belongs_to, c.energy) for c in answered if c.energy is not None), key=lambda p: p.at
        )
        return ReviewPack(
            volunteer=row,
            since=since,
            until=now,
            months=months,
            energy=energy,
            trend=energy_trend(energy),
            flags=flag_outcomes(items),
            categories=by_category(items),
        )

    async def month(self, viewer: Person | None, month: Month) -> MonthReport:
        """The organisation's figures for one local month (viewer None: the command line)."""
        coordinators_only(viewer)
        zone = self._settings.app.zone
        start, end = month_bounds(month, zone)
        now = min(self._clock.now(), end)
        viewer_id = viewer.id if viewer is not None else 0
        async with self._db.transaction() as tx:
            rows = await overview.checkins_between(tx, start, end)
            items = await overview.items_between(tx, start, end, viewer_id=viewer_id)
            resolved = await overview.flags_resolved_between(tx, start, end, viewer_id=viewer_id)
            agreed = await overview.agreements(tx, viewer_id=viewer_id)
        asked = sum(r["n"] for r in rows if r["state"] in ("answered", "missed"))
        answered = [r for r in rows if r["state"] == "answered"]
        follow_up = {u: getattr(self._settings.escalation, u).follow_up_hours for u in URGENCIES}
        settings = self._settings.reports
        since = now - timedelta(days=LOOKBACK_DAYS)
        under = sorted(
            [
                name
                async for (_, name, hours_per_week), history in with_history(self._db, agreed, _id, since, until=now)
                if under_use(
                    history,
                    agreed_hours_per_week=hours_per_week,
                    now=now,
                    weeks=settings.under_use_weeks,
                    ratio=settings.under_use_ratio,
                )
                is not None
            ],
            key=str.casefold,
        )
        return MonthReport(
            month=month,
            asked=asked,
            answered=sum(r["n"] for r in answered),
            pickups=pickup_by_urgency(items),
            held_too_long=held_too_long(items, follow_up_hours=follow_up, now=now),
            teams=sorted(
                (TeamHours(r["team"], round(float(r["hours"]), 2), r["volunteers"]) for r in answered),
                key=lambda t: (t.team is None, (t.team or "").casefold()),
            ),
            flags_raised=sum(len(i.flags) for i in items if i.kind == "wellbeing"),
            flags_resolved=resolved,
            under_use=under,
        )


def _id(agreement: tuple[int, str, float]) -> int:
    return agreement[0]


ASK_DAYS_BEFORE = 7
ASK_BATCH = 100
WISHES_LIMIT = 1000


class TalkService(Service):
    """The evaluation talk's date, the question a week before it, and what the volunteer wants to discuss."""

    async def plan(self, viewer: Person, volunteer_id: int, day: date) -> None:
        """Her professional or a coordinator sets the date; a date in the past is refused."""
        now = self._clock.now()
        if day < now.astimezone(self._settings.app.zone).date():
            raise Refused("review.talk_past")
        async with self._db.transaction() as tx:
            row = await overview.volunteer(tx, volunteer_id, viewer_id=viewer.id, now=now)
            if row is None or not may_see(viewer, row):
                raise Refused("review.not_yours")
            await talks.plan(tx, volunteer_id, day, by=viewer.id, now=now)

    async def of(self, volunteer_id: int) -> tuple[date | None, str | None]:
        """The planned date and what she wrote (for the pack; the caller has checked who may read it)."""
        async with self._db.transaction() as tx:
            talk = await talks.of(tx, volunteer_id)
        return (None, None) if talk is None else (talk.talk_on, talk.wishes)

    async def write(self, volunteer: Person, text: str) -> date:
        """What she wants to discuss, screened like every free text; refused without a planned talk."""
        now = self._clock.now()
        cleaned = text.strip()
        if not cleaned or len(cleaned) > WISHES_LIMIT:
            raise Refused("talk.bad_length", limit=WISHES_LIMIT)
        if screen(cleaned, current_year=now.year):
            raise Refused("talk.personal_data")
        async with self._db.transaction() as tx:
            talk = await talks.of(tx, volunteer.id)
            if talk is None or not await talks.write_wishes(tx, volunteer.id, cleaned, now):
                raise Refused("talk.none_planned")
        return talk.talk_on

    async def tick(self, now: datetime) -> int:
        """Ask each volunteer whose talk lies a week or less ahead what she wants to discuss, once (the mark
        and the message share a transaction), outside quiet hours."""
        config = self._settings.checkins
        quiet = in_quiet_hours(now, QuietHours(config.quiet_start, config.quiet_end), self._settings.app.timezone)
        today = now.astimezone(self._settings.app.zone).date()
        asked = 0
        async with self._db.transaction() as tx:
            # What volunteers wrote for talks long past goes, quiet hours or not; the questions wait for the day.
            await talks.blank_old_wishes(tx, today - timedelta(days=self._settings.privacy.retain_days))
            if quiet:
                return 0
            for talk in await talks.due_asks(tx, today + timedelta(days=ASK_DAYS_BEFORE), today, ASK_BATCH):
                volunteer = await people.get(tx, talk.volunteer_id)
                if not await talks.mark_asked(tx, talk.volunteer_id, now):
                    continue
                if volunteer is None or not volunteer.active or volunteer.telegram_id is None:
                    continue
                lang = volunteer.language
                text = t(lang, "talk.ask", name=volunteer.name, day=say_date(lang, talk.talk_on))
                await recognition.queue_periodic(tx, volunteer, str(text), now)
                asked += 1
        if asked:
            self._wake()
        return asked


def report_csv(report: MonthReport, *, no_team: str) -> bytes:
    """The month's figures as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read ë and é)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["month", "section", "key", "value"])
    m = str(report.month)
    writer.writerow([m, "checkins", "asked", report.asked])
    writer.writerow([m, "checkins", "answered", report.answered])
    for p in report.pickups:
        writer.writerow([m, "pickup_hours_p50", p.urgency, "" if p.p50_hours is None else p.p50_hours])
        writer.writerow([m, "pickup_hours_p90", p.urgency, "" if p.p90_hours is None else p.p90_hours])
        writer.writerow([m, "items", p.urgency, p.count])
    writer.writerow([m, "items", "held_too_long", report.held_too_long])
    for team in report.teams:
        writer.writerow([m, "hours_per_team", team.team or no_team, team.hours])
    writer.writerow([m, "flags", "raised", report.flags_raised])
    writer.writerow([m, "flags", "resolved", report.flags_resolved])
    for name in report.under_use:
        writer.writerow([m, "under_use", "volunteer", name])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
