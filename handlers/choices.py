"""What several flows ask for: the volunteer's clients, a day typed after a command, pages of people."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, TypeAlias, TypeVar

from bot.domain.callbacks import CallbackData, Page
from bot.domain.dates import parse_date
from bot.domain.models import Person
from bot.i18n import Markup, plain
from handlers.common import Button, Rows, command_arguments, pick_rows, say_day, until_after
from handlers.flow import Flow, FlowTurn, Turn

P = TypeVar("P")
Prompt: TypeAlias = Callable[[FlowTurn[P], P, int], Awaitable[None]]  # shows the step's question at a page

ClientChoice = int | Literal["none"]  # a link id, or "no particular client"
CLIENT_CHOICES = 20


async def client_rows(turn: Turn, choice: Callable[[ClientChoice], CallbackData], cancel: list[Button]) -> Rows:
    """One button per client of the volunteer (by alias), then "no particular client" and cancel."""
    links = await turn.services.people.links_of(turn.person)
    rows: Rows = [[(link.client_alias, choice(link.id))] for link in links[:CLIENT_CHOICES]]
    rows.append([(plain(turn.lang, "button.no_client"), choice("none"))])
    rows.append(cancel)
    return rows


async def own_client(turn: Turn, choice: ClientChoice) -> bool:
    """Whether a client button names one of the presser's own links (or no client): not a forged id."""
    if choice == "none":
        return True
    return choice in {link.id for link in await turn.services.people.links_of(turn.person)}


def link_of(choice: ClientChoice) -> int | None:
    return None if choice == "none" else choice


async def until_typed_day(
    turn: Turn, key: str, store: Callable[[datetime | None], Awaitable[object]], *, past: str | None = None
) -> None:
    """`/away`, `/pause`: until further notice (None), or through the day typed after the command.

    The answers are `<key>.set_open`, `<key>.set`, `<key>.bad` and, for a day already past, `past`
    (`<key>.past` unless given).
    """
    if not command_arguments(turn.update):
        await store(None)
        return await turn.reply(f"{key}.set_open")
    zone = turn.services.settings.app.zone
    today = turn.services.clock.now().astimezone(zone).date()
    day = parse_date(command_arguments(turn.update), today)
    if day is None or day < today:
        return await turn.reply(f"{key}.bad" if day is None else past or f"{key}.past")
    await store(until_after(day, zone))
    await turn.reply(f"{key}.set", until=say_day(turn.lang, day))


class PickPage(CallbackData):
    """Another page of a list of people: `<prefix>:pg:<step>:<page>`."""

    step: str
    page: Page


@dataclass(frozen=True)
class Picker:
    """A list of people to pick one from, a page at a time, at one step of a flow."""

    flow: Flow[Any]
    step: str
    choose: Callable[[int], CallbackData]  # a person's button
    paging: type[PickPage]

    async def show(
        self, turn: Turn, people: list[Person], question: Markup, page: int = 0, extra: Sequence[Button] = ()
    ) -> None:
        options = [(p.name, self.choose(p.id)) for p in people]
        page_data: Callable[[int], CallbackData] = lambda n: self.paging(self.step, n)  # noqa: E731
        await turn.show(
            question, pick_rows(turn.lang, self.flow.name, options, page=page, page_data=page_data, extra=extra)
        )


def paged(flow: Flow[P], paging: type[PickPage], prompts: Mapping[str, Prompt[P]]) -> None:
    """The paging buttons of a flow's pickers, one prompt per step: the same question, another page."""

    async def turn_page(turn: FlowTurn[P], press: PickPage, draft: P) -> None:
        """Another page of the list on screen (not of a list from an earlier step)."""
        if press.step != turn.step:
            return await turn.expired()
        await turn.answer()
        await prompts[press.step](turn, draft, press.page)

    flow.button(paging, *prompts)(turn_page)
