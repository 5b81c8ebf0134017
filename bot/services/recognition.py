"""Recognition for volunteers: the monthly thank-you (her hours, her signals and backup requests, who picked them
up and what they replied; never a word about wellbeing alerts about her) and the hours statement as a PDF.

The thank-you goes out on the first of the month, outside quiet hours, once per volunteer and month: the claim
(`periodic_sends`) and the message share a transaction, so a second tick or a restart never sends it twice, and a
bot that was down on the first catches up in the month's first week. A month without hours or reports gets none.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from bot.domain.models import Person, Role
from bot.domain.overview import Month
from bot.domain.reports import hours_per_month, month_bounds
from bot.domain.schedule import QuietHours, in_quiet_hours
from bot.i18n import Markup, plain, t
from bot.services.base import Service
from bot.services.errors import Refused
from bot.services.reports.words import hours as say_hours
from bot.services.reports.words import plain_date
from storage import people, recognition
from storage.db import Tx

BATCH = 200
# The thank-you goes out in the first days of the month: a bot that was down on the first catches up, but one
# installed (or back) later in the month does not thank for a month long gone.
SUMMARY_DAYS = 7
STATEMENT_MONTHS = 12


@dataclass(frozen=True)
class Statement:
    """The hours statement (verklaring van inzet): who, for whom, over which months."""

    name: str
    organisation: str
    start: date
    end: date
    months: list[tuple[str, float]]  # (YYYY-MM, hours)
    issued: date

    @property
    def total(self) -> float:
        return round(sum(h for _, h in self.months), 2)


class RecognitionService(Service):
    async def set_summary(self, person: Person, *, on: bool) -> None:
        if not person.is_volunteer:
            raise Refused("not_allowed")
        async with self._db.transaction() as tx:
            await recognition.set_summary(tx, person.id, on=on, now=self._clock.now())

    async def statement(self, volunteer: Person) -> Statement:
        """Her hours per month over the last twelve months, this one included."""
        now = self._clock.now()
        zone = self._settings.app.zone
        first = Month.of(now.astimezone(zone))
        for _ in range(STATEMENT_MONTHS - 1):
            first = first.previous()
        start, _ = month_bounds(first, zone)
        async with self._db.transaction() as tx:
            answers = await recognition.hours_by_period(tx, volunteer.id, start, now + timedelta(seconds=1))
        months = hours_per_month(answers, since=start, until=now, agreed_per_week=None, zone=zone)
        while len(months) > 1 and months[0].hours == 0:  # from her first month with hours
            months = months[1:]
        first_day = date(months[0].month.year, months[0].month.month, 1)
        return Statement(
            name=volunteer.name,
            organisation=self._settings.app.organisation,
            start=first_day,
            end=now.astimezone(zone).date(),
            months=[(str(m.month), m.hours) for m in months],
            issued=now.astimezone(zone).date(),
        )

    async def tick(self, now: datetime) -> int:
        """Last month's thank-you to every volunteer who has not had it (and wants it), outside quiet hours."""
        config = self._settings.checkins
        if not self._settings.reports.monthly_summary:
            return 0
        quiet = in_quiet_hours(now, QuietHours(config.quiet_start, config.quiet_end), self._settings.app.timezone)
        zone = self._settings.app.zone
        month = Month.of(now.astimezone(zone)).previous()
        start, end = month_bounds(month, zone)
        sent = 0
        async with self._db.transaction() as tx:  # the claims and the messages of one batch together
            if quiet or now.astimezone(zone).day > SUMMARY_DAYS:
                return 0
            for volunteer_id in await recognition.unsent(tx, "summary", str(month), Role.VOLUNTEER.value, BATCH):
                volunteer = await people.get(tx, volunteer_id)
                if volunteer is None or volunteer.telegram_id is None:
                    continue
                if not await recognition.claim(tx, "summary", volunteer_id, str(month), now):
                    continue
                text = await self._thanks(tx, volunteer, month, start, end)
                if text is None:
                    continue  # nothing to thank for this month (claimed all the same: looked at once)
                await recognition.queue_periodic(tx, volunteer, text, now)
                sent += 1
        if sent:
            self._wake()
        return sent

    async def _thanks(self, tx: Tx, volunteer: Person, month: Month, start: datetime, end: datetime) -> str | None:
        """The month's thank-you; None when she gave no hours and raised nothing that month."""
        lang = volunteer.language
        hours = math.fsum(h for _, h in await recognition.hours_by_period(tx, volunteer.id, start, end))
        items = await recognition.own_items(tx, volunteer.id, start, end)
        if hours == 0 and not items:
            return None
        lines = []
        for item in items:
            category = plain(lang, f"cat.{item.category}" if item.kind == "signal" else f"bk.{item.category}")
            who = item.picked_up_by or plain(lang, "summary.nobody_yet")
            reply = t(lang, "summary.reply", reply=item.reply) if item.reply else Markup("")
            lines.append(
                str(
                    t(
                        lang,
                        "summary.item",
                        kind=plain(lang, f"kind.{item.kind}"),
                        category=category,
                        who=who,
                        reply=reply,
                    )
                )
            )
        return str(
            t(
                lang,
                "summary.text",
                name=volunteer.name,
                month=plain(lang, f"month.{month.month}"),
                hours=say_hours(lang, hours),
                count=len(items),
                items=Markup("\n".join(lines) or plain(lang, "summary.no_items")),
                organisation=self._settings.app.organisation,
            )
        )


def font_folder() -> Path:
    """DejaVu Sans, which matplotlib ships (and the charts use): it covers every Dutch letter."""
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf"


def statement_pdf(lang: str, statement: Statement, font_folder: Path) -> bytes:
    """The statement as a one-page A4 PDF, in DejaVu Sans (Dutch letters such as ë and é print)."""
    from fpdf import FPDF  # imported here: only /hours needs it

    pdf = FPDF(format="A4")
    pdf.set_title(plain(lang, "hours.pdf.title"))
    pdf.set_creator("Samenspel")
    pdf.add_font("DejaVu", "", str(font_folder / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(font_folder / "DejaVuSans-Bold.ttf"))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 18)
    pdf.cell(0, 12, plain(lang, "hours.pdf.title"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    intro = plain(
        lang,
        "hours.pdf.intro",
        name=statement.name,
        organisation=statement.organisation,
        start=plain_date(lang, statement.start),
        end=plain_date(lang, statement.end),
    )
    pdf.multi_cell(0, 6, intro, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(60, 8, plain(lang, "hours.pdf.month"), border="B")
    pdf.cell(40, 8, plain(lang, "hours.pdf.hours"), border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    for month, value in statement.months:
        year, number = month.split("-")
        pdf.cell(60, 7, f"{plain(lang, f'month.{int(number)}')} {year}")
        pdf.cell(40, 7, say_hours(lang, value), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(60, 8, plain(lang, "hours.pdf.total"), border="T")
    pdf.cell(40, 8, say_hours(lang, statement.total), border="T", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("DejaVu", "", 9)
    issued = plain_date(lang, statement.issued)
    pdf.multi_cell(0, 5, plain(lang, "hours.pdf.footer", organisation=statement.organisation, issued=issued))
    return bytes(pdf.output())
