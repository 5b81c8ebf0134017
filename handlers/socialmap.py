"""/map: the social map. Everyone with the command browses it by category and searches it by a word;
coordinators also add, edit and remove entries, step by step, and answer the monthly review.

Adding walks name → category → offer → phone → website → address → opening hours → area; editing picks one
field and walks only that step. Removing asks first. The review's buttons ("klopt nog", "aanpassen") need no
draft: they name the entry, and the service re-checks who presses them.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Annotated, Any, Literal, get_args

from bot.domain.callbacks import Bounds, CallbackData, Chosen
from bot.domain.escalation import CATEGORIES
from bot.domain.socialmap import (
    EditEntry,
    EntryFields,
    EntryStillRight,
    FieldProblem,
    MapEntry,
    category_of,
    clean_field,
)
from bot.i18n import Markup, plain, t
from bot.services.errors import Refused
from bot.services.socialmap import category_label, category_labels, entry_text
from handlers.common import Button, Rows, drop_rows
from handlers.flow import ROUTER, Flow, FlowTurn, Toasts, Turn, given

Optional = Literal["phone", "website", "address", "hours"]
Field = Literal["name", "category", "offer", "phone", "website", "address", "hours", "area"]
FIELDS: tuple[Field, ...] = get_args(Field)
TYPED: frozenset[str] = frozenset({"name", "offer", "phone", "website", "address", "hours"})
SKIPPABLE: frozenset[str] = frozenset(get_args(Optional))
LIST_LIMIT = 12  # entries in one message (a phone screen or two); searching narrows it down
CATEGORY_CHOICES = 60  # buttons in one keyboard: Telegram takes 100
MESSAGE_ROOM = 3800  # of Telegram's 4096 characters: the rest for the "and N more" line
TEAM_CHOICES = 20


@dataclass(frozen=True)
class MapDraft:
    """The categories the menu showed (buttons name them by place), and the entry being added or edited."""

    categories: tuple[str, ...] = ()
    entry: int | None = None  # editing or removing this one; None: adding
    name: str | None = None
    category: str | None = None
    offer: str | None = None
    phone: str = ""
    website: str = ""
    address: str = ""
    hours: str = ""


socialmap = Flow("map", MapDraft, command="map", refusals=Toasts(), elsewhere_cancel=True)


class MenuAction(CallbackData, prefix="map", action="m"):
    choice: Literal["search", "add"]


class FieldChosen(CallbackData, prefix="map", action="f"):
    field: Field


class Skipped(CallbackData, prefix="map", action="skip"):
    """An optional field left empty; it names the field, so an older question's button skips nothing else."""

    field: Optional


class Placed(CallbackData):
    """One of the choices a step showed, by its place in the list the draft keeps (a category, say)."""

    place: Annotated[int, Bounds(0, 999)]


class AreaPicked(CallbackData, prefix="map", action="a"):
    team: int | Literal["city"]


CategoryShown, CategoryPicked = Placed.at("map", "c"), Placed.at("map", "k")
EditPressed, RemovePressed, RemoveConfirmed = Chosen.at("map", "e"), Chosen.at("map", "x"), Chosen.at("map", "y")


def _coordinator(turn: Turn) -> None:
    """Keeping the map is the coordinators' (a forged button of theirs pressed by anyone else is refused)."""
    if not turn.person.is_coordinator:
        raise Refused("not_allowed", roles=plain(turn.lang, "roles.coordinator"))


async def _entry_blocks(turn: Turn, entries: list[MapEntry]) -> list[Markup]:
    """Each entry as a phone shows it, its area by the team's name."""
    names = await turn.services.socialmap.team_names()
    return [entry_text(turn.lang, e, names.get(e.team_id) if e.team_id is not None else None) for e in entries]


async def _entry_block(turn: Turn, entry: MapEntry) -> Markup:
    [block] = await _entry_blocks(turn, [entry])
    return block


async def _list_text(turn: Turn, entries: list[MapEntry], header: Markup) -> tuple[Markup, Rows]:
    """Entries one below the other, as many as fit one message; for coordinators an edit button each."""
    blocks, shown = [str(header)], 0
    for block in await _entry_blocks(turn, entries[:LIST_LIMIT]):
        if sum(len(b) + 2 for b in blocks) + len(block) > MESSAGE_ROOM:
            break
        blocks.append(block)
        shown += 1
    if len(entries) > shown:
        blocks.append(t(turn.lang, "map.more", count=len(entries) - shown))
    rows: Rows = []
    if turn.person.is_coordinator:
        label = "button.map.edit_entry"
        rows = [[(plain(turn.lang, label, name=e.name[:40]), EditPressed(e.id))] for e in entries[:shown]]
    return Markup("\n\n".join(blocks)), rows


async def offer_below_signal(turn: Turn, category: str) -> None:
    """After a signal: the crisis lines (safety, psychological problems) and up to three entries of its
    category, her team's wijk first, with the advice to talk it over with her professional first."""
    crisis, local = await turn.services.socialmap.for_signal(turn.person, category)
    if not crisis and not local:
        return
    blocks: list[str] = []
    for header, entries in (("map.offer.crisis", crisis), ("map.offer.local", local)):
        if entries:
            blocks += [t(turn.lang, header), *await _entry_blocks(turn, entries)]
    blocks.append(t(turn.lang, "map.offer.consult"))
    for message in _messages(blocks):  # long entries: a second message rather than one Telegram refuses
        await turn.say(message)


def _messages(blocks: list[str]) -> list[Markup]:
    """The blocks in as few messages as fit Telegram's limit, in order, none split."""
    messages: list[list[str]] = [[]]
    for block in blocks:
        if messages[-1] and sum(len(b) + 2 for b in messages[-1]) + len(block) > MESSAGE_ROOM:
            messages.append([])
        messages[-1].append(block)
    return [Markup("\n\n".join(m)) for m in messages]


@ROUTER.command("map")
async def map_command(turn: Turn) -> None:
    """The map's categories, a search button, and for coordinators an add button."""
    lang, categories = turn.lang, tuple((await turn.services.socialmap.categories())[:CATEGORY_CHOICES])
    rows: Rows = [[(category_label(lang, c)[:40], CategoryShown(i))] for i, c in enumerate(categories)]
    rows.append([(plain(lang, "button.map.search"), MenuAction("search"))])
    if turn.person.is_coordinator:
        rows.append([(plain(lang, "button.map.add"), MenuAction("add"))])
    await socialmap.start(turn, "menu", MapDraft(categories=categories))
    await turn.reply("map.menu" if categories else "map.empty", [*rows, socialmap.cancel_row(lang)])


def _shown(press: Placed, draft: MapDraft) -> bool:
    return press.place < len(draft.categories)


@socialmap.button(CategoryShown, "menu", "search", when=_shown)
async def category_shown(turn: FlowTurn[MapDraft], press: Placed, draft: MapDraft) -> None:
    """One category's entries, the reader's own wijk first, in a message of its own below the menu."""
    category = draft.categories[press.place]
    entries = await turn.services.socialmap.in_category(category, turn.person.team_id)
    await turn.answer()
    header = t(turn.lang, "map.category", category=category_label(turn.lang, category), count=len(entries))
    await turn.say(*await _list_text(turn, entries, header))


@socialmap.button(MenuAction, "menu")
async def menu_action(turn: FlowTurn[MapDraft], press: MenuAction, draft: MapDraft) -> None:
    """Search: ask the word. Add (coordinators): ask the name."""
    if press.choice == "add":
        _coordinator(turn)
    await turn.answer()
    if press.choice == "search":
        await turn.go("search", draft)
        return await turn.reply("map.ask_search", [turn.cancel_row()])
    await turn.go("name", MapDraft(categories=draft.categories))
    await turn.reply("map.ask.name", [turn.cancel_row()])


@socialmap.text("search")
async def search_typed(turn: FlowTurn[MapDraft], text: str, draft: MapDraft) -> None:
    """The entries holding every word typed; another word searches again."""
    found = await turn.services.socialmap.search(text, turn.lang)
    if not found:
        return await turn.reply("map.found_none", [turn.cancel_row()], words=text.strip()[:60])
    message, rows = await _list_text(turn, found, t(turn.lang, "map.found", count=len(found)))
    await turn.say(message, [*rows, turn.cancel_row()])


# --- adding and editing ---------------------------------------------------------------------------


async def _ask(turn: FlowTurn[MapDraft], field: Field, draft: MapDraft, current: MapEntry | None = None) -> None:
    """Put the flow at `field` and ask for it (editing: saying what it holds now)."""
    await turn.go(field, draft)
    lang = turn.lang
    rows: Rows = []
    if field == "category":
        rows = [[(category_label(lang, c)[:40], CategoryPicked(i))] for i, c in enumerate(draft.categories)]
    elif field == "area":
        teams = (await turn.services.people.teams())[:TEAM_CHOICES]
        rows = [[(plain(lang, "button.map.city"), AreaPicked("city"))]]
        rows += [[(team.name, AreaPicked(team.id))] for team in teams]
    elif field in SKIPPABLE:
        label = plain(lang, "button.map.skip" if current is None else "button.map.clear")
        rows = [[(label, Skipped(field))]]  # type: ignore[arg-type]
    text = t(lang, f"map.ask.{field}")
    if current is not None:
        now = _current(lang, current, field, await turn.services.socialmap.team_names())
        text = Markup(text + "\n" + t(lang, "map.now", value=now or plain(lang, "map.now_empty")))
    await turn.say(text, [*rows, turn.cancel_row()])


def _current(lang: str, entry: MapEntry, field: Field, teams: dict[int, str]) -> str:
    if field == "category":
        return category_label(lang, entry.category)
    if field == "area":
        return teams.get(entry.team_id, "") if entry.team_id is not None else plain(lang, "button.map.city")
    return str(getattr(entry, field))


def _with_categories(draft: MapDraft, categories: list[str]) -> MapDraft:
    """The signal categories, then the organisation's own ones: what the category step offers."""
    return replace(draft, categories=tuple(dict.fromkeys([*CATEGORIES, *categories]))[:CATEGORY_CHOICES])


async def _after(turn: FlowTurn[MapDraft], draft: MapDraft, field: str, value: str) -> None:
    """A field is known: editing saves it; adding asks the next field."""
    changes: dict[str, Any] = {field: value}
    if draft.entry is not None:
        return await _save_edit(turn, draft.entry, changes)
    draft = replace(draft, **changes)
    following = FIELDS[FIELDS.index(field) + 1]
    if following == "category":
        draft = _with_categories(draft, await turn.services.socialmap.categories())
    await _ask(turn, following, draft)


async def _save_new(turn: FlowTurn[MapDraft], draft: MapDraft, team: int | None) -> None:
    entry = EntryFields(
        name=given(draft.name),
        category=given(draft.category),
        offer=given(draft.offer),
        phone=draft.phone,
        website=draft.website,
        address=draft.address,
        hours=draft.hours,
        team_id=team,
    )
    added = await turn.services.socialmap.add(turn.person, entry)
    await turn.end()
    await turn.say(Markup(t(turn.lang, "map.added") + "\n\n" + await _entry_block(turn, added)))


async def _save_edit(turn: FlowTurn[MapDraft], entry_id: int, changes: dict[str, Any]) -> None:
    service = turn.services.socialmap
    updated = await service.update(turn.person, entry_id, replace((await service.entry(entry_id)).fields, **changes))
    await turn.end()
    await turn.say(Markup(t(turn.lang, "map.changed") + "\n\n" + await _entry_block(turn, updated)))


@socialmap.text(*TYPED)
async def field_typed(turn: FlowTurn[MapDraft], text: str, draft: MapDraft) -> None:
    """A typed field, checked as the CSV import checks it; on to the next step."""
    _coordinator(turn)
    field = given(turn.step)
    try:
        value = clean_field(field, text)
    except FieldProblem as problem:
        return await turn.reply(f"map.bad.{problem.code}", [turn.cancel_row()], limit=problem.limit)
    await _after(turn, draft, field, value)


@socialmap.text("category")
async def category_typed(turn: FlowTurn[MapDraft], text: str, draft: MapDraft) -> None:
    """A category of the organisation's own (or a signal category's name typed out)."""
    _coordinator(turn)
    try:
        category = category_of(text, category_labels())
    except FieldProblem as problem:
        return await turn.reply(f"map.bad.{problem.code}", [turn.cancel_row()], limit=problem.limit)
    await _after(turn, draft, "category", category)


@socialmap.button(CategoryPicked, "category", when=_shown)
async def category_picked(turn: FlowTurn[MapDraft], press: Placed, draft: MapDraft) -> None:
    """A category tapped: on to the next step."""
    _coordinator(turn)
    await turn.answer()
    await _after(turn, draft, "category", draft.categories[press.place])


@socialmap.button(Skipped, *SKIPPABLE)
async def field_skipped(turn: FlowTurn[MapDraft], press: Skipped, draft: MapDraft) -> None:
    """An optional field left empty (editing: emptied)."""
    _coordinator(turn)
    if press.field != turn.step:  # the button of an earlier question
        return await turn.expired()
    await turn.answer()
    await _after(turn, draft, press.field, "")


@socialmap.button(AreaPicked, "area")
async def area_picked(turn: FlowTurn[MapDraft], press: AreaPicked, draft: MapDraft) -> None:
    """The whole city or a team's wijk: the entry is saved."""
    _coordinator(turn)
    team = None if press.team == "city" else press.team
    if team is not None and await turn.services.people.team(team) is None:
        return await turn.expired()
    await turn.answer()
    if draft.entry is not None:
        return await _save_edit(turn, draft.entry, {"team_id": team})
    await _save_new(turn, draft, team)


async def _edit_menu(turn: FlowTurn[MapDraft], entry_id: int) -> None:
    """Which field to change, or remove the entry."""
    _coordinator(turn)
    entry = await turn.services.socialmap.entry(entry_id)
    categories = await turn.services.socialmap.categories()
    await turn.answer()
    await socialmap.start(turn, "edit", _with_categories(MapDraft(entry=entry.id), categories))
    lang = turn.lang
    buttons: list[Button] = [(plain(lang, f"map.field.{f}"), FieldChosen(f)) for f in FIELDS]
    rows: Rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(plain(lang, "button.map.remove"), RemovePressed(entry.id))])
    text = Markup(t(lang, "map.ask_edit") + "\n\n" + await _entry_block(turn, entry))
    await turn.say(text, [*rows, socialmap.cancel_row(lang)])


@socialmap.button(EditPressed, "menu", "search")
async def edit_pressed(turn: FlowTurn[MapDraft], press: Chosen, draft: MapDraft) -> None:
    """An entry from a list, to change (coordinators)."""
    await _edit_menu(turn, press.id)


@socialmap.free(EditEntry)
async def edit_from_review(turn: FlowTurn[MapDraft], press: Chosen) -> None:
    """An entry from the monthly review, to change (coordinators)."""
    await _edit_menu(turn, press.id)


@socialmap.free(EntryStillRight)
async def still_right(turn: FlowTurn[MapDraft], press: Chosen) -> None:
    """The monthly review: the entry still holds, checked today."""
    _coordinator(turn)
    entry = await turn.services.socialmap.still_right(turn.person, press.id)
    await turn.toast("map.still_right", name=entry.name[:60])
    await drop_rows(turn.update, pressed=[press])


@socialmap.button(FieldChosen, "edit")
async def field_chosen(turn: FlowTurn[MapDraft], press: FieldChosen, draft: MapDraft) -> None:
    """The field to change: ask for it, saying what it holds now."""
    _coordinator(turn)
    entry = await turn.services.socialmap.entry(given(draft.entry))
    await turn.answer()
    await _ask(turn, press.field, draft, entry)


def _this_entry(press: Chosen, draft: MapDraft) -> bool:
    return press.id == draft.entry


@socialmap.button(RemovePressed, "edit", when=_this_entry)
async def remove_pressed(turn: FlowTurn[MapDraft], press: Chosen, draft: MapDraft) -> None:
    """Remove it? Asked first."""
    _coordinator(turn)
    entry = await turn.services.socialmap.entry(press.id)
    await turn.answer()
    await turn.go("remove", draft)
    rows: Rows = [[(plain(turn.lang, "button.map.remove_yes"), RemoveConfirmed(entry.id))], turn.cancel_row()]
    await turn.show(t(turn.lang, "map.ask_remove", name=entry.name), rows)


@socialmap.button(RemoveConfirmed, "remove", when=_this_entry)
async def remove_confirmed(turn: FlowTurn[MapDraft], press: Chosen, draft: MapDraft) -> None:
    """The entry is removed from the map."""
    _coordinator(turn)
    removed = await turn.services.socialmap.remove(turn.person, press.id)
    await turn.end()
    await turn.answer()
    await turn.show(t(turn.lang, "map.removed", name=removed.name))
