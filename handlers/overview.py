"""/overview: a page of volunteers, who needs attention first, with a button per name for her card.

The buttons are free (no draft): each names a page or a volunteer, and the service checks again on every press
that the presser may see that volunteer, so an old or forged button shows nothing that is not hers to see.
"""

from __future__ import annotations

from typing import Annotated

from bot.domain.callbacks import Bounds, CallbackData, Chosen
from bot.i18n import Markup, plain, t
from bot.services.reports.render import card_text, line_text
from handlers.common import Button, Rows
from handlers.flow import ROUTER, Empty, Flow, FlowTurn, Toasts, Turn

overview = Flow("overview", Empty, command="overview", refusals=Toasts(alert=frozenset({"overview.not_yours"})))


class OverviewPage(CallbackData, prefix="ov", action="pg"):
    page: Annotated[int, Bounds(0, 9999)]


VolunteerCard = Chosen.at("ov", "v")


async def show_page(turn: Turn, page: int, *, edit: bool) -> None:
    """The page (the last one for a number past the end); a press also hears which page it is."""
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
    if edit:
        await turn.toast("overview.page_toast", page=page + 1, pages=pages)
        return await turn.show(text, rows)
    await turn.say(text, rows)


@ROUTER.command("overview")
async def overview_command(turn: Turn) -> None:
    """The first page of the viewer's volunteers."""
    await show_page(turn, 0, edit=False)


@overview.free(OverviewPage)
async def page_pressed(turn: FlowTurn[Empty], press: OverviewPage) -> None:
    """Another page (built again: the list may have changed since)."""
    await show_page(turn, press.page, edit=True)


@overview.free(VolunteerCard)
async def card_pressed(turn: FlowTurn[Empty], press: Chosen) -> None:
    """The volunteer's card, if she is still the presser's to see."""
    row, line = await turn.services.overview.card(turn.person, press.id)
    await turn.answer()
    await turn.show(card_text(turn.lang, row, line), [[(plain(turn.lang, "button.overview.back"), OverviewPage(0))]])
