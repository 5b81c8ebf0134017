"""/report: the organisation's month for coordinators, as text (edited in place as they step through the months),
a chart and a CSV file of the same figures."""

from __future__ import annotations

from typing import Annotated

from telegram import InputFile

from bot.domain.callbacks import Bounds, CallbackData
from bot.domain.overview import Month
from bot.i18n import plain
from bot.services.reports import MonthReport
from bot.services.reports.charts import ReportChartWords, report_chart
from bot.services.reports.render import report_text
from bot.services.reports.service import report_csv
from handlers.common import Button, command_arguments
from handlers.flow import ROUTER, Empty, Flow, FlowTurn, Turn

monthly = Flow("report", Empty, command="report")


class MonthChosen(CallbackData, prefix="rp", action="m"):
    month: Annotated[int, Bounds(200001, 209912)]  # YYYYMM


def chosen(month: Month) -> MonthChosen:
    return MonthChosen(month.year * 100 + month.month)


@ROUTER.command("report")
async def report_command(turn: Turn) -> None:
    """This month so far (or the month typed, YYYY-MM), with buttons to step back."""
    services = turn.services
    current = Month.of(services.clock.now().astimezone(services.settings.app.zone))
    try:
        month = Month.parse(command_arguments(turn.update)) if command_arguments(turn.update) else current
    except ValueError:
        return await turn.reply("report.bad_month")
    await send_month(turn, month, edit=False)


@monthly.free(MonthChosen)
async def month_pressed(turn: FlowTurn[Empty], press: MonthChosen) -> None:
    """Another month: the text in place, its chart and file as new messages."""
    if not 1 <= press.month % 100 <= 12:
        return await turn.expired()
    await turn.answer()
    await send_month(turn, Month(press.month // 100, press.month % 100), edit=True)


async def send_month(turn: Turn, month: Month, *, edit: bool) -> None:
    services = turn.services
    report = await services.reports.month(turn.person, month)
    current = Month.of(services.clock.now().astimezone(services.settings.app.zone))
    nav: list[Button] = [
        (plain(turn.lang, "button.report.previous", month=str(month.previous())), chosen(month.previous()))
    ]
    if (month.year, month.month) < (current.year, current.month):
        nav.append((plain(turn.lang, "button.report.next", month=str(month.next())), chosen(month.next())))
    text = report_text(turn.lang, report)
    await (turn.show(text, [nav]) if edit else turn.say(text, [nav]))
    await send_files(turn, report)


async def send_files(turn: Turn, report: MonthReport) -> None:
    chat = turn.update.effective_chat
    assert chat is not None
    lang = turn.lang
    words = ReportChartWords(
        title=plain(lang, "report.chart.title", month=str(report.month)),
        hours_per_team=plain(lang, "report.chart.hours_per_team"),
        pickup=plain(lang, "report.chart.pickup"),
        p50=plain(lang, "report.chart.p50"),
        p90=plain(lang, "report.chart.p90"),
    )
    no_team = plain(lang, "people.no_team")
    image = report_chart(
        [team.team or no_team for team in report.teams],
        [team.hours for team in report.teams],
        [plain(lang, f"urg.{p.urgency}") for p in report.pickups],
        [p.p50_hours for p in report.pickups],
        [p.p90_hours for p in report.pickups],
        words,
    )
    await turn.context.bot.send_photo(
        chat.id, InputFile(image, filename=f"report-{report.month}.png"), caption=words.title
    )
    document = InputFile(report_csv(report, no_team=no_team), filename=f"samenspel-{report.month}.csv")
    await turn.context.bot.send_document(
        chat.id, document, caption=plain(lang, "report.csv_caption", month=str(report.month))
    )
