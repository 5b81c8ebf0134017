"""The social map (sociale kaart): where to turn. Pure: checking an entry's fields, reading and writing the
CSV coordinators keep it in, which entries fit a signal, searching, and which entries are due for a check.

An entry's area is a team's (the buurtteam working in that wijk) or the whole city (`team_id` None). A
volunteer is offered her own team's entries first, then the city's; another team's wijk is not hers, so its
entries are never offered to her (she still finds them by browsing or searching).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date

from bot.domain.callbacks import Chosen
from bot.domain.escalation import CATEGORIES

# Signals about these always show the crisis lines (112, 113, Veilig Thuis), whatever else fits.
CRISIS_CATEGORIES = frozenset({"safety", "mental"})
OFFER_LIMIT = 3
STALE_MONTHS = 6
LIMITS = {"name": 80, "category": 40, "offer": 200, "phone": 20, "website": 200, "address": 200, "hours": 200}
TEXT_FIELDS = ("name", "offer", "phone", "website", "address", "hours")
OPTIONAL = frozenset({"phone", "website", "address", "hours"})
CITY_WORDS = frozenset({"", "stad", "heel de stad", "hele stad", "city", "whole city"})
_PHONE = re.compile(r"\+?[0-9][0-9 ()-]*[0-9]", re.ASCII)
_WEBSITE = re.compile(r"(https?://)?[a-z0-9-]+(\.[a-z0-9-]+)+(:[0-9]+)?([/?#]\S*)?", re.ASCII | re.IGNORECASE)
# The buttons of the monthly review: free buttons (no draft), outliving any flow; the service re-checks them.
EntryStillRight, EditEntry = Chosen.at("map", "ok"), Chosen.at("map", "ed")
_YES, _NO = frozenset({"ja", "yes", "j", "y", "1", "x"}), frozenset({"nee", "no", "n", "0", ""})

# The columns of the CSV file, by the names a header may use (English as exported, or Dutch).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("id", "nummer"),
    "name": ("name", "naam"),
    "category": ("category", "categorie"),
    "offer": ("offer", "aanbod"),
    "phone": ("phone", "telefoon"),
    "website": ("website", "site"),
    "address": ("address", "adres"),
    "hours": ("hours", "openingstijden"),
    "area": ("area", "wijk", "gebied"),
    "crisis": ("crisis", "crisislijn"),
    "checked": ("checked", "gecontroleerd", "laatst gecontroleerd"),
}
REQUIRED_COLUMNS = ("name", "category", "offer")


@dataclass(frozen=True)
class EntryFields:
    """What an entry says; `team_id` None is the whole city."""

    name: str
    category: str
    offer: str
    phone: str = ""
    website: str = ""
    address: str = ""
    hours: str = ""
    team_id: int | None = None
    crisis: bool = False
    checked_on: date | None = None  # None: today, when it is stored


@dataclass(frozen=True)
class MapEntry(EntryFields):
    id: int = 0

    @property
    def fields(self) -> EntryFields:
        return EntryFields(**{f.name: getattr(self, f.name) for f in fields(EntryFields)})


class FieldProblem(ValueError):
    """A value that does not fit its field; `code` names what is wrong (a catalogue key's last part)."""

    def __init__(self, code: str, limit: int = 0) -> None:
        super().__init__(code)
        self.code = code
        self.limit = limit


def clean_field(name: str, value: str) -> str:
    """A text field's value, trimmed and checked; raises FieldProblem."""
    value = " ".join(value.split())  # one line: what a phone shows in one go
    if not value:
        if name in OPTIONAL:
            return ""
        raise FieldProblem("empty")
    if len(value) > LIMITS[name]:
        raise FieldProblem("too_long", LIMITS[name])
    if name == "phone" and (not _PHONE.fullmatch(value) or sum(c.isdigit() for c in value) < 3):
        raise FieldProblem("phone")
    if name == "website" and not _WEBSITE.fullmatch(value):
        raise FieldProblem("website")
    return value


def category_of(value: str, labels: Mapping[str, Collection[str]]) -> str:
    """A category as typed: a signal category by its key or label (any language), or the organisation's own."""
    value = " ".join(value.split())
    if not value:
        raise FieldProblem("empty")
    folded = value.casefold()
    for key in CATEGORIES:
        if folded == key or folded in {label.casefold() for label in labels.get(key, ())}:
            return key
    if len(value) > LIMITS["category"]:
        raise FieldProblem("too_long", LIMITS["category"])
    return value


def is_signal_category(category: str) -> bool:
    return category in CATEGORIES


def website_link(website: str) -> str:
    """The address with its scheme, so that Telegram makes it a link the phone opens."""
    return website if website.lower().startswith(("http://", "https://")) else f"https://{website}"


# --- fitting entries to a signal, searching, checking ------------------------------------------------


def for_area(entries: Iterable[MapEntry], team_id: int | None) -> list[MapEntry]:
    """The entries a member of this team may be offered: her team's first, then the whole city's; by name."""
    own = [e for e in entries if team_id is not None and e.team_id == team_id]
    city = [e for e in entries if e.team_id is None]
    return sorted(own, key=_by_name) + sorted(city, key=_by_name)


def offer(entries: Iterable[MapEntry], category: str, team_id: int | None) -> tuple[list[MapEntry], list[MapEntry]]:
    """What fits a signal: the crisis lines (for safety and psychological problems, always) and up to three
    other entries of its category."""
    fitting = for_area(entries, team_id)
    crisis = [e for e in fitting if e.crisis] if category in CRISIS_CATEGORIES else []
    shown = {e.id for e in crisis}
    local = [e for e in fitting if e.category == category and e.id not in shown][:OFFER_LIMIT]
    return crisis, local


def search(entries: Iterable[MapEntry], words: str, labels: Mapping[str, str]) -> list[MapEntry]:
    """Entries whose name, offer, address or category holds every word typed (any case)."""
    wanted = words.casefold().split()
    found = []
    for entry in entries:
        haystack = " ".join(
            (entry.name, entry.offer, entry.address, entry.category, labels.get(entry.category, ""))
        ).casefold()
        if wanted and all(w in haystack for w in wanted):
            found.append(entry)
    return sorted(found, key=_by_name)


def months_before(day: date, months: int) -> date:
    """The same day `months` earlier (the month's last day when that month is shorter)."""
    year, month = divmod(day.year * 12 + day.month - 1 - months, 12)
    month += 1
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise AssertionError("unreachable")


def stale(entries: Iterable[MapEntry], today: date, months: int = STALE_MONTHS) -> list[MapEntry]:
    """Entries not checked for `months` or longer: the coordinators are asked whether they still hold."""
    limit = months_before(today, months)
    return sorted((e for e in entries if e.checked_on is not None and e.checked_on <= limit), key=_by_name)


def review_key(today: date) -> str:
    """The month a review belongs to: one review a month, whenever the bot runs."""
    return f"{today.year:04d}-{today.month:02d}"


def _by_name(entry: MapEntry) -> tuple[str, int]:
    return entry.name.casefold(), entry.id


# --- CSV -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineProblem:
    line: int
    column: str  # "" for the line as a whole
    code: str
    value: str = ""
    limit: int = 0


@dataclass(frozen=True)
class ImportRow:
    line: int
    entry_id: int | None  # an exported entry being updated; None: a new one
    fields: EntryFields


@dataclass(frozen=True)
class ParsedFile:
    rows: list[ImportRow]
    problems: list[LineProblem]


def decode(data: bytes) -> tuple[str, list[LineProblem]]:
    """UTF-8 with or without a BOM (as Excel saves "CSV UTF-8"); a line that is not UTF-8 is named."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError:
        problems = []
        for number, line in enumerate(data.split(b"\n"), 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                problems.append(LineProblem(number, "", "not_utf8"))
        return "", problems


def delimiter_of(header: str) -> str:
    """Dutch Excel writes semicolons (the comma is the decimal sign there); others write commas."""
    try:
        return csv.Sniffer().sniff(header, delimiters=",;").delimiter
    except csv.Error:
        return ";" if header.count(";") > header.count(",") else ","


def parse_csv(
    data: bytes,
    *,
    teams: Mapping[str, int],
    labels: Mapping[str, Collection[str]],
    today: date,
    known_ids: Iterable[int] = (),
) -> ParsedFile:
    """Every row of the file, or every problem in it, each with its line number (the header is line 1).

    `teams`: team names (casefolded) to ids, for the area column; `labels`: each signal category's labels;
    `known_ids`: the entries stored now, which rows with an id update."""
    text, problems = decode(data)
    if problems:
        return ParsedFile([], problems)
    first = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter_of(first))
    header = next(reader, None)
    columns, problems = _columns(header or [])
    if problems:
        return ParsedFile([], problems)
    rows: list[ImportRow] = []
    known, seen_ids = set(known_ids), set[int]()
    start = reader.line_num + 1
    for cells in reader:
        line, start = start, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue  # an empty line (Excel adds them at the end)
        row, found = _row(line, cells, columns, teams, labels, today)
        if row is not None and row.entry_id is not None:
            if row.entry_id not in known:
                found.append(LineProblem(line, "id", "unknown_id", str(row.entry_id)))
            elif row.entry_id in seen_ids:
                found.append(LineProblem(line, "id", "twice", str(row.entry_id)))
            seen_ids.add(row.entry_id)
        problems += found
        if row is not None and not found:
            rows.append(row)
    return ParsedFile(rows if not problems else [], problems)


def _columns(header: Sequence[str]) -> tuple[dict[str, int], list[LineProblem]]:
    names = {alias: column for column, aliases in COLUMNS.items() for alias in aliases}
    columns: dict[str, int] = {}
    problems: list[LineProblem] = []
    for index, raw in enumerate(header):
        column = names.get(raw.strip().casefold())
        if column is None:
            problems.append(LineProblem(1, raw.strip(), "unknown_column"))
        elif column in columns:
            problems.append(LineProblem(1, raw.strip(), "column_twice"))
        else:
            columns[column] = index
    problems += [LineProblem(1, c, "column_missing") for c in REQUIRED_COLUMNS if c not in columns]
    return columns, problems


def _row(
    line: int,
    cells: Sequence[str],
    columns: Mapping[str, int],
    teams: Mapping[str, int],
    labels: Mapping[str, Collection[str]],
    today: date,
) -> tuple[ImportRow | None, list[LineProblem]]:
    problems: list[LineProblem] = []
    if len(cells) > len(columns):
        problems.append(LineProblem(line, "", "too_many_cells", str(len(cells))))

    def cell(column: str) -> str:
        index = columns.get(column)
        return cells[index].strip() if index is not None and index < len(cells) else ""

    values: dict[str, object] = {}
    for name in TEXT_FIELDS:
        try:
            values[name] = clean_field(name, cell(name))
        except FieldProblem as problem:
            problems.append(LineProblem(line, name, problem.code, cell(name), problem.limit))
    try:
        values["category"] = category_of(cell("category"), labels)
    except FieldProblem as problem:
        problems.append(LineProblem(line, "category", problem.code, cell("category"), problem.limit))
    area = cell("area")
    if area.casefold() in CITY_WORDS:
        values["team_id"] = None
    elif area.casefold() in teams:
        values["team_id"] = teams[area.casefold()]
    else:
        problems.append(LineProblem(line, "area", "unknown_area", area))
    crisis = cell("crisis").casefold()
    if crisis not in _YES | _NO:
        problems.append(LineProblem(line, "crisis", "yes_no", cell("crisis")))
    values["crisis"] = crisis in _YES
    checked = _date(cell("checked"), today)
    if isinstance(checked, LineProblem):
        problems.append(replace(checked, line=line))
    else:
        values["checked_on"] = checked
    entry_id = cell("id")
    if entry_id and not (entry_id.isascii() and entry_id.isdigit()):
        problems.append(LineProblem(line, "id", "id", entry_id))
    if problems:
        return None, problems
    number = int(entry_id) if entry_id else None
    return ImportRow(line, number, EntryFields(**values)), []  # type: ignore[arg-type]


def _date(value: str, today: date) -> date | LineProblem:
    """2026-05-31 as exported, or 31-5-2026 as Dutch Excel shows it; empty is today; never after today."""
    if not value:
        return today
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", value)
    dutch = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})", value)
    try:
        if iso:
            day = date(int(iso[1]), int(iso[2]), int(iso[3]))
        elif dutch:
            day = date(int(dutch[3]), int(dutch[2]), int(dutch[1]))
        else:
            return LineProblem(0, "checked", "date", value)
    except ValueError:
        return LineProblem(0, "checked", "date", value)
    return day if day <= today else LineProblem(0, "checked", "future", value)


EXPORT_COLUMNS = (
    "id",
    "name",
    "category",
    "offer",
    "phone",
    "website",
    "address",
    "hours",
    "area",
    "crisis",
    "checked",
)


def to_csv(entries: Iterable[MapEntry], team_names: Mapping[int, str]) -> str:
    """The map as a CSV file that imports back as it is (ids kept, so an import updates these entries)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for e in sorted(entries, key=lambda entry: entry.id):
        area = team_names.get(e.team_id, "") if e.team_id is not None else ""
        checked = e.checked_on.isoformat() if e.checked_on else ""
        crisis = "ja" if e.crisis else "nee"
        writer.writerow(
            (e.id, e.name, e.category, e.offer, e.phone, e.website, e.address, e.hours, area, crisis, checked)
        )
    return out.getvalue()


_PROBLEMS = {
    "not_utf8": 'is not UTF-8 (save the file as "CSV UTF-8")',
    "unknown_column": "is not a column of the social map",
    "column_twice": "is in the header twice",
    "column_missing": "is missing from the header",
    "too_many_cells": "has more cells ({value}) than the header has columns",
    "empty": "is empty",
    "too_long": "is longer than {limit} characters",
    "phone": "{value!r} is not a phone number (digits, spaces, + and - only)",
    "website": "{value!r} is not a web address",
    "unknown_area": "{value!r} is neither a team's name nor the whole city (leave it empty for the city)",
    "yes_no": "{value!r} is not ja/nee (yes/no)",
    "date": "{value!r} is not a date (2026-05-31 or 31-5-2026)",
    "future": "{value!r} is a day still to come",
    "id": "{value!r} is not a number",
    "unknown_id": "no entry has number {value} (leave it empty for a new entry)",
    "twice": "entry {value} appears twice in the file",
}


def describe(problem: LineProblem) -> str:
    """One bad line for the person at the command line: "line 12, phone: 'bel me' is not a phone number"."""
    where = f"line {problem.line}" + (f", {problem.column}" if problem.column else "")
    return f"{where}: " + _PROBLEMS[problem.code].format(value=problem.value, limit=problem.limit)
