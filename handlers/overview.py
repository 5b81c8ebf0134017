"""/overview: a page of volunteers, who needs attention first, with a button per name for her card.

The buttons are free (no draft): each names a page or a volunteer, and the service checks again on every press
that the presser may see that volunteer, so an old or forged button shows nothing that is not hers to see.
"""

from __future__ import annotations

from typing import Annotated

from bot.domain.callbacks import Bounds, CallbackData, Chosen
from bot.domain.onboarding import format_hours
from bot.domain.overview import VolunteerLine
from bot.i18n import Markup, plain, t
from handlers.common import Button, Rows
from handlers.flow import ROUTER, Empty, Flow, FlowTurn, Toasts, Turn
from storage.overview import VolunteerRow

overview = Flow("overview", Empty, command="overview", refusals=Toasts(alert=frozenset({"overview.not_yours"})))


class OverviewPage(CallbackData, prefix="ov", action="pg"):
    page: Annotated[int, Bounds(0, 9999)]


VolunteerCard = Chosen.at("ov", "v")


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


def line_text(lang: str, number: int, line: VolunteerLine) -> Markup:
    return t(
        lang,
        "overview.line",
        number=number,
        name=line.name,
        hours=hours_part(lang, line),
        clients=line.clients,
        items=line.open_items,
        flags=line.open_flags,
        answered=answered_part(lang, line),
        marks=marks(lang, line),
    )


async def show_page(turn: Turn, page: int, *, edit: bool) -> None:
    lines = await turn.services.overview.lines(turn.person)
    size = turn.services.settings.reports.page_size
    pages = max(1, -(-len(lines) // size))
    page = min(page, pages - 1)
    chunk = lines[page * size : (page + 1) * size]
    body = [str(line_text(turn.lang, page * size + i + 1, line)) for i, line in enumerate(chunk)]
    header = t(turn.lang, "overview.header", count=len(lines), page=page + 1, pages=pages)
    text = Markup("\n".join([str(header), *(body or [str(t(turn.lang, "overview.none"))])]))
    rows: Rows = [[(line.name, VolunteerCard(line.id)) for line in chunk[i : i + 2]] for i in range(0, len(chunk), 2)]
    nav: list[Button] = [(plain(turn.lang, "button.back_page"), OverviewPage(page - 1))] if page > 0 else []
    if page + 1 < pages:
        nav.append((plain(turn.lang, "button.more"), OverviewPage(page + 1)))
    rows += [nav] if nav else []
    await (turn.show(text, rows) if edit else turn.say(text, rows))


@ROUTER.command("overview")
async def overview_command(turn: Turn) -> None:
    """The first page of the viewer's volunteers."""
    await show_page(turn, 0, edit=False)


@overview.free(OverviewPage)
async def page_pressed(turn: FlowTurn[Empty], press: OverviewPage) -> None:
    """Another page (built again: the list may have changed since)."""
    await turn.answer()
    await show_page(turn, press.page, edit=True)


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
        hours=hours_part(lang, line),
        clients=line.clients,
        items=line.open_items,
        flags=line.open_flags,
        answered=answered_part(lang, line),
        marks=marks(lang, line),
    )


@overview.free(VolunteerCard)
async def card_pressed(turn: FlowTurn[Empty], press: Chosen) -> None:
    """The volunteer's card, if she is still the presser's to see."""
    row, line = await turn.services.overview.card(turn.person, press.id)
    await turn.answer()
    await turn.show(card_text(turn.lang, row, line), [[(plain(turn.lang, "button.overview.back"), OverviewPage(0))]])
