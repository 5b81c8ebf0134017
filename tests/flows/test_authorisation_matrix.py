"""The authorisation matrix (issue 5, item 4), end to end through the fake Bot API.

Every command in ROLE_COMMANDS / EVERYONE_COMMANDS / STRANGER_COMMANDS and every callback prefix the
Application registers is tried by every kind of actor: coordinators, professionals (responsible,
backup, unrelated), volunteers (the owner and another one), someone with two roles, an unknown user
and a removed user. Nothing here is a hand-copied list of who may do what: commands come from
`bot.domain.commands`, callback prefixes from the running Application's handlers, and the roles a
button needs from the command whose flow it belongs to (the router's registry, `handlers.flow.ROUTER`).

Each cell checks, on the server side only:
- allowed iff the stored roles (and for an item: ownership, the stored draft step) permit it;
- a refusal is answered (the button's spinner stops), reads as a refusal, changes no table and logs no
  error; an unknown user gets only the one polite stranger answer and nothing about them is stored;
- forged callback data (edited ids, other prefixes, missing or extra parts, 64-byte maxima, odd unicode)
  and buttons from old messages (a step already passed, an alert already handled, a removed person's
  buttons) change nothing.

KNOWN_GAPS lists cells that fail today and are waiting for a fix in a file this test does not own;
each is run on its own, and the test fails when such a cell starts passing, so the list cannot rot.
"""

from __future__ import annotations

import asyncio
import html
import inspect
import logging
import re
import sqlite3
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

import bot.domain.visits as domain_visits
import handlers  # noqa: F401 -- importing the package files every flow in ROUTER
from bot.domain.callbacks import MAX_BYTES, pack
from bot.domain.commands import EVERYONE_COMMANDS, ROLE_COMMANDS, STRANGER_COMMANDS, roles_for_command
from bot.domain.escalation import Kind, Urgency
from bot.domain.models import Role
from bot.domain.wellbeing import Flag
from bot.i18n import CATALOGUE, LANGUAGES, placeholders, plain
from bot.sandbox.state import FakeUser, SentMessage
from handlers.flow import ROUTER
from storage.db import to_db
from tests.support.harness import ANNA, FATIMA, KEES, PIET, VERA, Harness, running_bot, seed_organisation
from tests.support.paths import ROOT

# Cells that fail today, each waiting for a fix outside this test's files (see the report in the commit).
# A cell listed here is run on its own; the test fails if it passes, so the entry must then be removed.
KNOWN_GAPS: set[str] = set()

# --- who acts -------------------------------------------------------------------------------------

CORA = FakeUser(id=1011, first_name="Cora")  # a second coordinator: owns none of Anna's drafts
WIM = FakeUser(id=1012, first_name="Wim")  # a second volunteer (Kees's), client W-3
MO = FakeUser(id=1013, first_name="Mo")  # volunteer and professional at once, client M-1
RIK = FakeUser(id=1014, first_name="Rik")  # volunteer, removed after he got buttons
AAFKE = FakeUser(id=1015, first_name="Aafke")  # volunteer the coordinator removes in the /remove walk
LOTTE = FakeUser(id=1016, first_name="Lotte")  # coordinator and volunteer at once, client L-5
STRANGER = FakeUser(id=6666, first_name="Onbekend", username="nieuwsgierig")
FILLERS = [FakeUser(id=1100 + n, first_name=f"Zwaan {n}") for n in range(1, 8)]  # pickers get a second page

C, P, V = Role.COORDINATOR, Role.PROFESSIONAL, Role.VOLUNTEER


@dataclass(frozen=True)
class Actor:
    key: str
    user: FakeUser
    roles: frozenset[Role]
    registered: bool = True


ACTORS: tuple[Actor, ...] = (
    Actor("coordinator", ANNA, frozenset({C})),
    Actor("coordinator-2", CORA, frozenset({C})),
    Actor("professional-responsible", PIET, frozenset({P})),
    Actor("professional-backup", FATIMA, frozenset({P})),
    Actor("professional-unrelated", KEES, frozenset({P})),
    Actor("volunteer", VERA, frozenset({V})),
    Actor("volunteer-2", WIM, frozenset({V})),
    Actor("volunteer+professional", MO, frozenset({V, P})),
    Actor("coordinator+volunteer", LOTTE, frozenset({C, V})),
    Actor("unknown", STRANGER, frozenset(), registered=False),
    Actor("removed", RIK, frozenset({V}), registered=False),
)
BY_USER = {a.user.id: a for a in ACTORS}


def actor(user: FakeUser) -> Actor:
    """One of the actors, or a volunteer who owns a walk's buttons (and is erased in it)."""
    return BY_USER.get(user.id) or Actor(f"owner {user.first_name}", user, frozenset({V}))


# The flow (command) each callback prefix belongs to, from the router's registry (every Flow names its
# command): a button needs the roles of its command.
FLOW_COMMAND: dict[str, str] = ROUTER.prefix_commands()


def all_commands() -> list[str]:
    """Every command the bot offers anyone, in menu order, from the one source of truth."""
    seen: list[str] = []
    for commands in (*ROLE_COMMANDS.values(), EVERYONE_COMMANDS, STRANGER_COMMANDS):
        seen.extend(c for c in commands if c not in seen)
    return seen


def may_use(who: Actor, command: str) -> bool:
    if not who.registered:
        return False
    if command in STRANGER_COMMANDS:
        return True  # /start without a code: a registered person is greeted again
    roles = roles_for_command(command)
    return roles is None or bool(roles & who.roles)


def gate_outcome(who: Actor, prefix: str) -> str | None:
    """What the gate and the role check decide before ownership is looked at; None: they let it through."""
    if not who.registered:
        return "stranger"
    command = FLOW_COMMAND.get(prefix)
    roles = roles_for_command(command) if command else None
    if roles is not None and not roles & who.roles:
        return "role"
    return None


def registered_commands(app: Any) -> set[str]:
    return {
        command
        for group in app.handlers.values()
        for handler in group
        if isinstance(handler, CommandHandler)
        for command in handler.commands
    }


def registered_prefixes(app: Any) -> set[str]:
    prefixes: set[str] = set()
    for group in app.handlers.values():
        for handler in group:
            if isinstance(handler, CallbackQueryHandler) and handler.pattern is not None:
                pattern = handler.pattern.pattern if isinstance(handler.pattern, re.Pattern) else handler.pattern
                match = re.fullmatch(r"\^([A-Za-z0-9_]+):", str(pattern))
                assert match, f"callback pattern {pattern!r} is not of the form ^prefix: (teach this test)"
                prefixes.add(match.group(1))
    return prefixes


# --- what an answer says --------------------------------------------------------------------------


def _normal(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def _template(key: str) -> re.Pattern[str]:
    """The message in either language, any values in the placeholders."""
    sentinel = "\x00"
    alternatives = []
    for lang in LANGUAGES:
        for form in CATALOGUE.entries[key].texts[lang]:  # every plural form
            filled = form.format(**dict.fromkeys(placeholders(form), sentinel))
            alternatives.append(".*?".join(re.escape(p) for p in _normal(filled).split(sentinel)))
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.S)


def _refusal_keys() -> set[str]:
    """Every catalogue key the code refuses with: Refused("…") in handlers and services, the visit rules."""
    keys = {"button.expired", "not_allowed", "stranger", "schedule.need_day"}
    for path in [*ROOT.glob("handlers/*.py"), *ROOT.glob("bot/services/*.py")]:
        keys |= set(re.findall(r"Refused\(\s*\"([\w.]+)\"", path.read_text(encoding="utf-8")))
    keys |= set(re.findall(r"return \"([\w.]+)\"", inspect.getsource(domain_visits.press_refusal)))
    return {k for k in keys if k in CATALOGUE.entries}


REFUSALS = [_template(k) for k in sorted(_refusal_keys())]
NOT_ALLOWED = _template("not_allowed")
STRANGER_TEXT = _normal(plain("nl", "stranger", organisation="Buurtteam Overvecht"))
NEVER_WHEN_ALLOWED = [*REFUSALS, _template("error.generic"), _template("unknown_command")]
if "rate_limited" in CATALOGUE.entries:
    NEVER_WHEN_ALLOWED.append(_template("rate_limited"))


def is_refusal(text: str) -> bool:
    return any(p.fullmatch(_normal(text)) for p in REFUSALS)


def looks_refused(text: str) -> bool:
    return any(p.fullmatch(_normal(text)) for p in NEVER_WHEN_ALLOWED)


# --- what the bot did -----------------------------------------------------------------------------


class ErrorWatch(logging.Handler):
    """ERROR log records anywhere, and every call of the Application's error handlers."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[str] = []
        self.by_update: dict[int, list[str]] = {}

    def emit(self, record: logging.LogRecord) -> None:
        if record.name == "handlers.errors":
            return  # the error handler's own log line: counted in on_error, with its update
        error = record.exc_info[1] if record.exc_info else None
        self.records.append(f"{record.name}: {record.getMessage()} {error!r}")

    async def on_error(self, update: object, context: Any) -> None:
        if isinstance(update, Update):
            self.by_update.setdefault(update.update_id, []).append(repr(context.error))
        else:
            self.records.append(f"error handler: {context.error!r}")

    def count(self) -> int:
        return len(self.records) + sum(len(v) for v in self.by_update.values())


@contextmanager
def watching_errors(h: Harness) -> Iterator[ErrorWatch]:
    watch = ErrorWatch()
    root = logging.getLogger()
    root.addHandler(watch)
    h.app.add_error_handler(watch.on_error)
    try:
        yield watch
    finally:
        root.removeHandler(watch)
        h.app.remove_error_handler(watch.on_error)


Snapshot = dict[str, list[tuple[Any, ...]]]
# Delivery works through the outbox in the background: what is queued counts, how far sending got does not.
DUE = (  # as storage.outbox.due_count: being sent, or due now
    "SELECT COUNT(*) FROM outbox o LEFT JOIN outbox t ON t.id = o.edit_of WHERE o.status = 'pending'"
    " AND (o.in_flight = 1 OR ((o.next_attempt_at IS NULL OR o.next_attempt_at <= ?)"
    " AND (o.edit_of IS NULL OR t.status = 'sent')))"
)
COLUMNS = {"outbox": "id, person_id, chat_id, language, text, keyboard, subject_type, subject_id, purpose, edit_of"}


def snapshot(db_path: Path) -> Snapshot:
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
                " AND name != 'schema_migrations' ORDER BY name"
            )
        ]
        return {
            t: sorted((tuple(r) for r in conn.execute(f"SELECT {COLUMNS.get(t, '*')} FROM {t}")), key=repr)
            for t in tables
        }
    finally:
        conn.close()


def diff(before: Snapshot, after: Snapshot) -> str:
    lines: list[str] = []
    for table in sorted(set(before) | set(after)):
        old, new = before.get(table, []), after.get(table, [])
        if old != new:
            gone = [r for r in old if r not in new]
            came = [r for r in new if r not in old]
            lines.append(f"{table}: -{gone[:3]} +{came[:3]}")
    return "; ".join(lines)


def rows_mentioning(db_path: Path, *needles: object) -> list[tuple[str, tuple[Any, ...]]]:
    found: list[tuple[str, tuple[Any, ...]]] = []
    # As a whole token: a random invite hash may well contain "6666".
    patterns = [re.compile(rf"(?<![0-9A-Za-z]){re.escape(str(n))}(?![0-9A-Za-z])") for n in needles]
    for table, rows in snapshot(db_path).items():
        for row in rows:
            if any(v == n for v in row for n in needles) or any(
                isinstance(v, str) and p.search(v) for v in row for p in patterns
            ):
                found.append((table, row))
    return found


ChatState = dict[int, tuple[str, tuple[tuple[str, str], ...]]]


def chat_state(h: Harness, user: FakeUser) -> ChatState:
    """What the person sees: each message's text and buttons (read in place: `messages()` deep-copies)."""
    api: Any = h.api
    with api._lock:
        return {m.message_id: (m.text, tuple(m.buttons())) for m in api._messages.get(user.id, [])}


def chat_changes_by_id(before: ChatState, after: ChatState) -> list[tuple[int, str]]:
    return [(mid, text) for mid, (text, buttons) in after.items() if before.get(mid) != (text, buttons)]


def chat_changes(before: ChatState, after: ChatState) -> list[str]:
    return [text for _, text in chat_changes_by_id(before, after)]


def changed_since(h: Harness, user: FakeUser, before: ChatState) -> list[str]:
    return chat_changes(before, chat_state(h, user))


# --- the matrix -----------------------------------------------------------------------------------


@dataclass
class Press:
    cell: str
    who: Actor
    data: str
    expect: str  # "stranger" | "role" | "refused" | "harmless" (answered, nothing stored) | "allowed"
    message: SentMessage | None = None
    changes: bool = False  # allowed: must store something
    quiet_ok: bool = False  # allowed: may show nothing new (the same page or setting again)


@dataclass
class Matrix:
    h: Harness
    watch: ErrorWatch
    db_path: Path
    cells: Counter[str] = field(default_factory=Counter)
    ran: set[str] = field(default_factory=set)
    failures: dict[str, str] = field(default_factory=dict)
    tracking: dict[int, FakeUser] = field(default_factory=dict)
    done: list[tuple[int, Snapshot, ChatState]] = field(default_factory=list)  # in the order handled
    completed: set[int] = field(default_factory=set)
    _reader: sqlite3.Connection | None = None
    _last: tuple[int, Snapshot] | None = None

    def __post_init__(self) -> None:
        """After each update of a tracked person: the tables and that person's chat. One person's updates
        run one after another, so each press's own effect can be told apart."""
        inner = self.h.app.process_update

        async def tracked(update: object) -> None:
            try:
                await inner(update)
            finally:
                if isinstance(update, Update):
                    self.completed.add(update.update_id)
                if isinstance(update, Update) and update.effective_user is not None:
                    user = self.tracking.get(update.effective_user.id)
                    if user is not None:
                        self.done.append((update.update_id, self.tables(), chat_state(self.h, user)))

        self.h.app.process_update = tracked  # type: ignore[method-assign]

    def tables(self) -> Snapshot:
        """The snapshot, taken again only when another connection committed since (PRAGMA data_version)."""
        if self._reader is None:
            self._reader = sqlite3.connect(f"file:{self.db_path}?mode=ro", uri=True)
        version = self._reader.execute("PRAGMA data_version").fetchone()[0]
        if self._last is None or self._last[0] != version:
            self._last = (version, snapshot(self.db_path))
        return self._last[1]

    async def wait(self, update_ids: Iterable[int], limit: float = 10.0) -> None:
        """Until these updates are handled and the outbox has nothing due. Harness.settle waits for quiet
        windows on the fake API; knowing which updates to wait for is much quicker."""
        h = self.h
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        wanted = set(update_ids)
        quiet = 0
        while quiet < 2:
            if loop.time() > deadline:
                raise AssertionError(f"bot did not settle: {sorted(wanted - self.completed)} not handled")
            await asyncio.sleep(0.002)
            busy = bool(wanted - self.completed) or h._processing or h.app.update_queue.qsize() or self.due()
            quiet = 0 if busy else quiet + 1

    def due(self) -> int:
        self.tables()
        assert self._reader is not None
        now = to_db(self.h.services.delivery.clock.now())
        row = self._reader.execute(DUE, (now,)).fetchone()
        return int(row[0])

    async def send(self, user: FakeUser, text: str) -> list[SentMessage]:
        before = len(self.h.api.messages(user.id))
        await self.wait([self.h.api.send_text(user, text)])
        return self.h.api.messages(user.id)[before:]

    async def tap_data(self, user: FakeUser, message: SentMessage | None, data: str) -> None:
        await self.wait([self.h.api.press_data(user, message, data)])

    def outbox_messages(self, chat_id: int) -> set[int]:
        """Messages the outbox sent (and may edit later, in the background)."""
        self.tables()
        assert self._reader is not None
        rows = self._reader.execute(
            "SELECT telegram_message_id FROM outbox WHERE chat_id = ? AND telegram_message_id IS NOT NULL", (chat_id,)
        )
        return {r[0] for r in rows}

    def record(self, cell: str, problem: str | None) -> None:
        self.cells[cell.split("|", 1)[0]] += 1
        self.ran.add(cell)
        if problem:
            self.failures.setdefault(cell, problem)

    # presses ----------------------------------------------------------------------------------------

    async def refused(self, presses: list[Press]) -> None:
        await self.run(presses)

    async def allowed(self, press: Press, *, changes: bool, quiet_ok: bool = False) -> None:
        press.changes, press.quiet_ok = changes, quiet_ok
        await self.run([press])

    async def run(self, presses: list[Press]) -> None:
        """Send every press at once (one person's in order, different people side by side), then judge
        each by what it alone changed: the tables since the update handled before it, the presser's chat
        since their previous update. A KNOWN_GAPS cell runs on its own."""
        batch: list[Press] = []
        for press in presses:
            if press.cell in KNOWN_GAPS:
                if batch:
                    await self._run(batch)
                batch = []
                await self._run([press])
            else:
                batch.append(press)
        if batch:
            await self._run(batch)

    async def _run(self, presses: list[Press]) -> None:
        h = self.h
        self.tracking = {p.who.user.id: p.who.user for p in presses}
        chats = {uid: chat_state(h, user) for uid, user in self.tracking.items()}
        tables = self.tables()
        self.done = []
        stray = len(self.watch.records)
        try:
            sent = {h.api.press_data(p.who.user, p.message, p.data): p for p in presses}
            await self.wait(sent)
        finally:
            self.tracking = {}
        handled = set()
        for update_id, after, chat in self.done:
            press = sent[update_id]
            handled.add(update_id)
            uid = press.who.user.id
            changed, said = diff(tables, after), chat_changes(chats[uid], chat)
            if press.expect != "allowed":  # the outbox's own sends and edits arrive in the background
                background = self.outbox_messages(uid)
                said = [t for mid, t in chat_changes_by_id(chats[uid], chat) if mid not in background or is_refusal(t)]
            tables, chats[uid] = after, chat
            answer = h.api.callback_answer_for(update_id)
            problems = self._allowed(press, answer, said, changed) if press.expect == "allowed" else []
            if press.expect != "allowed":
                problems = self._judge(press, answer, said)
                if changed:
                    problems.append(f"tables changed: {changed}")
            if errors := self.watch.by_update.get(update_id):
                problems.append(f"errors: {errors[:2]}")
            if logged := self.watch.records[stray:]:
                problems.append(f"errors logged: {logged[:2]}")
            self.record(press.cell, "; ".join(problems) or None)
        for update_id, press in sent.items():
            if update_id not in handled:
                self.record(press.cell, "the update was never handled")

    def _allowed(self, press: Press, answer: dict[str, Any] | None, said: list[str], changed: str) -> list[str]:
        problems: list[str] = []
        text = str((answer or {}).get("text") or "")
        if answer is None:
            problems.append("the button press was never answered")
        responses = [r for r in [text, *said] if r]
        if not responses and not press.quiet_ok:
            problems.append("no visible answer")
        if bad := [r for r in responses if looks_refused(r)]:
            problems.append(f"refused or failed: {bad!r}")
        if press.changes and not changed:
            problems.append("nothing was stored")
        return problems

    def _judge(self, press: Press, answer: dict[str, Any] | None, chat: list[str]) -> list[str]:
        problems: list[str] = []
        text = str((answer or {}).get("text") or "")
        if answer is None:
            problems.append("the button press was never answered")
        if press.expect == "harmless":  # a page of a list the presser may see anyway: only no change
            return problems
        elif press.expect == "stranger":
            if _normal(text) != STRANGER_TEXT or chat:
                problems.append(f"a stranger got {text!r} and {chat!r}")
        elif press.expect == "role":
            if not NOT_ALLOWED.fullmatch(_normal(text)):
                problems.append(f"no role refusal but {text!r}")
        elif text and not is_refusal(text):
            problems.append(f"answered {text!r}, not a refusal")
        elif not text and not any(is_refusal(c) for c in chat):
            problems.append(f"silent answer and no refusal in the chat: {chat!r}")
        if press.expect != "stranger" and [c for c in chat if not is_refusal(c)]:
            problems.append(f"the chat got more than a refusal: {[c for c in chat if not is_refusal(c)]!r}")
        return problems

    def _attribute(self, verdicts: list[tuple[str, list[str]]], changed: str, logged: list[str]) -> None:
        """A change or an error in a batch is laid at the cells that were answered wrongly; when all were
        answered as refusals, at every cell of the batch (a silent write)."""
        wrong = [cell for cell, problems in verdicts if problems] or [cell for cell, _ in verdicts]
        for cell, problems in verdicts:
            if cell in wrong and changed:
                problems.append(f"tables changed: {changed}")
            if cell in wrong and logged:
                problems.append(f"errors logged: {logged[:2]}")
            self.record(cell, "; ".join(problems) or None)

    # commands ---------------------------------------------------------------------------------------

    async def commands_refused(self, cells: list[tuple[str, Actor, str]]) -> None:
        h = self.h
        chats = {who.user.id: chat_state(h, who.user) for _, who, _ in cells}
        before, errors = self.tables(), len(self.watch.records)
        sent = [h.api.send_text(who.user, text) for _, who, text in cells]
        await self.wait(sent)
        changed = diff(before, self.tables())
        logged = self.watch.records[errors:]
        verdicts: list[tuple[str, list[str]]] = []
        for (cell, who, _), update_id in zip(cells, sent, strict=True):
            said = changed_since(h, who.user, chats[who.user.id])
            problems: list[str] = [f"errors: {e}"] if (e := self.watch.by_update.get(update_id)) else []
            expected = STRANGER_TEXT if not who.registered else None
            if len(said) != 1:
                problems.append(f"expected one answer, got {said!r}")
            elif expected is not None and _normal(said[0]) != expected:
                problems.append(f"a stranger got {said[0]!r}")
            elif expected is None and not NOT_ALLOWED.fullmatch(_normal(said[0])):
                problems.append(f"no role refusal but {said[0]!r}")
            verdicts.append((cell, problems))
        self._attribute(verdicts, changed, logged)

    async def commands_allowed(self, cells: list[tuple[str, Actor, str]]) -> None:
        h = self.h
        chats = {who.user.id: chat_state(h, who.user) for _, who, _ in cells}
        errors = len(self.watch.records)
        sent = [h.api.send_text(who.user, text) for _, who, text in cells]
        await self.wait(sent)
        logged = self.watch.records[errors:]
        for (cell, who, _), update_id in zip(cells, sent, strict=True):
            said = changed_since(h, who.user, chats[who.user.id])
            problems = [f"errors logged: {logged[:2]}"] if logged else []
            if errors_here := self.watch.by_update.get(update_id):
                problems.append(f"errors: {errors_here}")
            if not said:
                problems.append("no answer")
            if bad := [s for s in said if looks_refused(s) or _normal(s) == STRANGER_TEXT]:
                problems.append(f"refused or failed: {bad!r}")
            self.record(cell, "; ".join(problems) or None)

    def verdict(self, minimum: int, label: str) -> None:
        if self._reader is not None:
            self._reader.close()
        total = sum(self.cells.values())
        by_kind = ", ".join(f"{k} {n}" for k, n in sorted(self.cells.items()))
        print(f"\n{label}: {total} matrix cells checked ({by_kind})")
        unexpected = {c: why for c, why in self.failures.items() if c not in KNOWN_GAPS}
        healed = sorted(c for c in KNOWN_GAPS & self.ran if c not in self.failures)
        report = "\n".join(f"  {c}: {why}" for c, why in sorted(unexpected.items()))
        assert not unexpected, f"{len(unexpected)} cells failed:\n{report}"
        assert not healed, f"KNOWN_GAPS cells now pass, remove them from KNOWN_GAPS: {healed}"
        assert total >= minimum, f"only {total} cells checked, the enumeration yields {minimum}"


# --- the world ------------------------------------------------------------------------------------


@dataclass
class World:
    ids: dict[str, int]
    links: dict[str, int]
    team: int
    rik_buttons: list[tuple[SentMessage, str]]


async def join(h: Harness, user: FakeUser, role: Role) -> int:
    people = h.services.people
    h.api.register_user(user)
    issued = await people.create_invite(by=None, role=role, name=user.first_name, team_id=None)
    outcome = await people.redeem(telegram_id=user.id, language_code="nl", code=issued.code)
    assert outcome.person is not None
    return outcome.person.id


async def build_world(h: Harness) -> World:
    ids = await seed_organisation(h)
    people = h.services.people
    links = {"Vera": ids.pop("C-12")}
    ids["Cora"] = await join(h, CORA, C)
    ids["Wim"] = await join(h, WIM, V)
    ids["Mo"] = await join(h, MO, P)
    assert await join(h, MO, V) == ids["Mo"]
    ids["Lotte"] = await join(h, LOTTE, C)
    assert await join(h, LOTTE, V) == ids["Lotte"]
    ids["Rik"] = await join(h, RIK, V)
    ids["Aafke"] = await join(h, AAFKE, V)
    for filler in FILLERS:
        await join(h, filler, V)
    anna = await people.get(ids["Anna"])
    assert anna is not None
    await people.assign(anna, volunteer_id=ids["Wim"], professional_id=ids["Kees"], backup_id=None)
    for name, alias in (("Wim", "W-3"), ("Mo", "M-1"), ("Rik", "R-7"), ("Lotte", "L-5")):
        link, _, _ = await people.link_client(anna, volunteer_id=ids[name], alias=alias, professional_id=None)
        links[name] = link.id
    team = await people.create_team(anna, "Team Oost")
    # Rik gets real buttons, then is removed: his old buttons must be worth nothing.
    [rik_signal] = await h.send(RIK, "/signal")
    [rik_checkin] = await h.send(RIK, "/checkin")
    await people.remove(anna, ids["Rik"])
    await h.settle()
    rik_buttons = [(rik_signal, pack("sig", "c", links["Rik"])), (rik_checkin, rik_checkin.buttons()[0][1])]
    assert all(data in [d for _, d in m.buttons()] for m, data in rik_buttons)
    return World(ids=ids, links=links, team=team.id, rik_buttons=rik_buttons)


# --- forged data ----------------------------------------------------------------------------------

ODD = ("٣", "²", "\u202e1", "\x00", "\U0010ffff", "🙂", " 1", "1 ", "0x1")


def forgeries(data: str, prefixes: Iterable[str], ignored: Iterable[int] = ()) -> list[str]:
    """Variants of a real button's data that no button of ours carries (`ignored`: parts the server
    ignores by design, left alone)."""
    head, *rest = data.split(":")
    out: list[str] = []
    for i, part in enumerate(rest):
        if i in ignored:
            continue
        swaps = [str(int(part) + 7919), "9" * 13, "٣"] if part.isdigit() else [part.upper() + "x"]
        for swap in swaps:
            out.append(":".join([head, *rest[:i], swap, *rest[i + 1 :]]))
    out.append(":".join([head, *rest[:-1]]))  # a part missing
    out.append(f"{data}:1")  # a part too many
    out.append(data.upper())
    out += [":".join([other, *rest]) for other in sorted(prefixes) if other != head][:1]
    pad = MAX_BYTES - len(data.encode()) - 1
    if pad > 0:
        out.append(f"{data}:{'x' * pad}")  # exactly 64 bytes
    out.append(f"{data}{'9' * (MAX_BYTES + 1 - len(data.encode()))}")  # 65 bytes, digits
    out.append(f"{data}\x00")
    return list(dict.fromkeys(d for d in out if d != data))


def junk(prefix: str) -> list[str]:
    """Data any registered prefix must survive, whatever its actions are."""
    out = [prefix, f"{prefix}:", f"{prefix}::", f"{prefix}:?", f"{prefix}:a:b:c:d:e", f"{prefix}:1:2:3"]
    out += [f"{prefix}:{odd}" for odd in ODD]
    out += [f"{prefix}:{odd}:{odd}" for odd in ODD[:3]]
    out.append(f"{prefix}:" + "x" * (MAX_BYTES - len(prefix) - 1))
    out.append(f"{prefix}:" + "é" * ((MAX_BYTES - len(prefix) - 1) // 2))
    out.append(f"{prefix}:" + "9" * (MAX_BYTES - len(prefix) - 1))
    return out


# --- walking the flows ----------------------------------------------------------------------------

Expect = Callable[[Actor], str]


@dataclass
class Walker:
    m: Matrix
    w: World
    prefixes: set[str]
    covered: set[str] = field(default_factory=set)  # "prefix:action" pairs pressed legitimately

    @property
    def h(self) -> Harness:
        return self.m.h

    def data_like(self, owner: FakeUser, start: str) -> str:
        """The data of the newest button in the owner's chat that starts so (its numbers come from the bot)."""
        for message in reversed(self.h.api.messages(owner.id)):
            for _, data in message.buttons():
                if data.startswith(start):
                    return data
        raise AssertionError(f"no button {start}… for {owner.first_name}:\n{self.h.api.describe(owner.id)}")

    def button(self, owner: FakeUser, data: str) -> SentMessage | None:
        """The newest message in the owner's chat that carries this very button."""
        for message in reversed(self.h.api.messages(owner.id)):
            if data in [d for _, d in message.buttons()]:
                return message
        return None

    def expectation(self, owner: FakeUser, prefix: str, others: Callable[[Actor], str] | None) -> Expect:
        def expect(who: Actor) -> str:
            outcome = gate_outcome(who, prefix)
            if outcome is not None:
                return outcome
            if others is not None and who.user.id != owner.id:
                return others(who)
            return "refused"

        return expect

    async def step(
        self,
        name: str,
        owner: FakeUser,
        data: str,
        *,
        changes: bool = True,
        replay: str = "refused",
        constructed: bool = False,
        others: Callable[[Actor], str] | None = None,
        also: bool = True,
        foreign: Iterable[str | tuple[str, str]] = (),
        ignored: Iterable[int] = (),
    ) -> None:
        """One real button: everyone else and forged variants first (nothing may change), then the
        owner's press (allowed), then the same button again (an old message)."""
        prefix = data.split(":")[0]
        message = self.button(owner, data)
        if message is None and not constructed:
            self.m.record(f"button|{name}|{actor(owner).key}|legit", f"no real button {data!r} in the chat")
            return
        expect = self.expectation(owner, prefix, others)
        presses = [
            Press(f"button|{name}|{who.key}|other", who, data, expect(who))
            for who in ACTORS
            if who.user.id != owner.id and expect(who) != "allowed"
        ]
        me = actor(owner)
        shown = {d for _, d in message.buttons()} if message else set()
        # A forged page number only shows another (maybe empty) page of a list the owner may see.
        forged_outcome = "harmless" if ":pg:" in data else "refused"
        presses += [
            Press(f"forged|{name}|{me.key}|{forged!r}", me, forged, forged_outcome, message)
            for forged in forgeries(data, self.prefixes, ignored)
            if forged not in shown
        ]
        for item in foreign:  # valid in shape, naming something that is not the owner's (or not offered)
            label, forged = item if isinstance(item, tuple) else (repr(item), item)
            presses.append(Press(f"forged|{name}|{me.key}|foreign {label}", me, forged, "refused", message))
        await self.m.run(presses)
        # The owner's own press, then the same button once more (as from an old message), in order.
        legit = [Press(f"button|{name}|{me.key}|legit", me, data, "allowed", message, changes=changes)]
        if replay in ("refused", "stranger"):
            legit.append(Press(f"stale|{name}|{me.key}|again", me, data, replay, message))
        elif replay == "allowed":  # the same page or setting again
            legit.append(Press(f"stale|{name}|{me.key}|again", me, data, "allowed", message, quiet_ok=True))
        await self.m.run(legit)
        self.covered.add(":".join(data.split(":")[:2]))
        for who in ACTORS if also else ():
            if who.user.id != owner.id and expect(who) == "allowed":
                await self.m.allowed(Press(f"button|{name}|{who.key}|also", who, data, "allowed"), changes=False)

    async def say(self, user: FakeUser, text: str) -> list[SentMessage]:
        return await self.m.send(user, text)

    async def cancel_all(self) -> None:
        await self.m.wait([self.h.api.send_text(who.user, "/cancel") for who in ACTORS if who.registered])


def everyone_registered(who: Actor) -> str:
    return "allowed"


# The walks: each drives the owner through a flow with real buttons, one step at a time.


async def walk_common(k: Walker) -> None:
    await k.say(VERA, "/language")
    await k.step("lang:nl", VERA, pack("lang", "nl"), changes=False, replay="allowed", others=everyone_registered)
    await k.say(ANNA, "/language")
    await k.step("lang:en", ANNA, pack("lang", "en"), replay="allowed", others=everyone_registered, also=False)
    await k.say(ANNA, "/language")
    await k.step("lang:nl (back)", ANNA, pack("lang", "nl"), replay="allowed", others=everyone_registered, also=False)
    await k.say(VERA, "/signal")
    await k.step("x:cancel", VERA, pack("x", "cancel", "signal"))
    await k.say(ANNA, "/remove")
    await k.say(ANNA, "/assign")  # a newer flow: the older flow's cancel button must not stop it
    stale_cancel = pack("x", "cancel", "remove")
    await k.m.refused(
        [Press("stale|x:cancel of an older flow|coordinator|again", actor(ANNA), stale_cancel, "refused")]
    )
    await k.cancel_all()


async def walk_invite(k: Walker) -> None:
    await k.say(ANNA, "/invite")
    await k.step("inv:r", ANNA, pack("inv", "r", "volunteer"))
    await k.say(ANNA, "Joop de Vries")
    await k.step("inv:pg", ANNA, pack("inv", "pg", 0), changes=False, constructed=True, replay="allowed")
    await k.step("inv:t:new", ANNA, pack("inv", "t", "new"))
    await k.say(ANNA, "Team West")
    await k.say(ANNA, "/invite")
    await k.step("inv:r professional", ANNA, pack("inv", "r", "professional"))
    await k.say(ANNA, "Ria")
    await k.step("inv:t:none", ANNA, pack("inv", "t", "none"))
    await k.say(ANNA, "/invite")
    await k.step("inv:r coordinator", ANNA, pack("inv", "r", "coordinator"))
    await k.say(ANNA, "Henk")
    await k.step("inv:t:<team>", ANNA, pack("inv", "t", k.w.team), foreign=[pack("inv", "t", k.w.team + 7919)])


async def walk_assign(k: Walker) -> None:
    ids = k.w.ids
    await k.say(ANNA, "/assign")
    await k.step("asg:pg", ANNA, pack("asg", "pg", "v", 1), changes=False, replay="allowed")
    await k.step("asg:pg back", ANNA, pack("asg", "pg", "v", 0), changes=False, replay="allowed")
    not_volunteers = [pack("asg", "v", ids["Piet"]), pack("asg", "v", ids["Rik"]), pack("asg", "v", ids["Anna"])]
    await k.step("asg:v", ANNA, pack("asg", "v", ids["Vera"]), foreign=not_volunteers)
    not_professionals = [pack("asg", "p", ids["Vera"]), pack("asg", "p", ids["Anna"])]
    await k.step("asg:p", ANNA, pack("asg", "p", ids["Piet"]), foreign=not_professionals)
    await k.step("asg:b", ANNA, pack("asg", "b", ids["Fatima"]), foreign=[pack("asg", "b", ids["Wim"])])
    await k.say(ANNA, "/assign")
    await k.step("asg:v again", ANNA, pack("asg", "v", ids["Vera"]))
    await k.step("asg:p again", ANNA, pack("asg", "p", ids["Piet"]))
    await k.step("asg:b:none", ANNA, pack("asg", "b", "none"))
    # Vera's backup again, as the later walks expect.
    anna = await k.h.services.people.get(ids["Anna"])
    assert anna is not None
    await k.h.services.people.assign(
        anna, volunteer_id=ids["Vera"], professional_id=ids["Piet"], backup_id=ids["Fatima"]
    )
    await k.h.settle()


async def walk_link(k: Walker) -> None:
    ids = k.w.ids
    await k.say(ANNA, "/link")
    await k.step("lnk:pg", ANNA, pack("lnk", "pg", "v", 1), changes=False, replay="allowed")
    await k.step("lnk:pg back", ANNA, pack("lnk", "pg", "v", 0), changes=False, replay="allowed")
    await k.step("lnk:v", ANNA, pack("lnk", "v", ids["Vera"]), foreign=[pack("lnk", "v", ids["Kees"])])
    await k.say(ANNA, "D-4")
    await k.step("lnk:p:same", ANNA, pack("lnk", "p", "same"))
    await k.say(ANNA, "/link")
    await k.step("lnk:v again", ANNA, pack("lnk", "v", ids["Wim"]))
    await k.say(ANNA, "E-5")
    not_professionals = [pack("lnk", "p", ids["Wim"]), pack("lnk", "p", ids["Anna"])]
    await k.step("lnk:p", ANNA, pack("lnk", "p", ids["Kees"]), foreign=not_professionals)
    # A client the volunteer already has: the last press is refused by the rule, and nothing changes.
    await k.say(ANNA, "/link")
    await k.m.tap_data(ANNA, None, pack("lnk", "v", ids["Vera"]))
    await k.say(ANNA, "C-12")
    duplicate = pack("lnk", "p", "same")
    await k.m.refused([Press("button|lnk:p duplicate alias|coordinator|refused", actor(ANNA), duplicate, "refused")])


async def walk_agreement(k: Walker) -> None:
    ids = k.w.ids
    await k.say(ANNA, "/agreement")
    await k.step("agr:pg", ANNA, pack("agr", "pg", "v", 1), changes=False, replay="allowed")
    await k.step("agr:pg back", ANNA, pack("agr", "pg", "v", 0), changes=False, replay="allowed")
    await k.step("agr:v", ANNA, pack("agr", "v", ids["Vera"]), foreign=[pack("agr", "v", ids["Piet"])])
    await k.say(ANNA, "4")
    await k.step("agr:c:none", ANNA, pack("agr", "c", "none"))


async def walk_remove(k: Walker) -> None:
    ids = k.w.ids
    await k.say(ANNA, "/remove")
    await k.step("rm:pg", ANNA, pack("rm", "pg", "p", 1), changes=False, replay="allowed")
    await k.step("rm:pg back", ANNA, pack("rm", "pg", "p", 0), changes=False, replay="allowed")
    await k.step("rm:p", ANNA, pack("rm", "p", ids["Aafke"]), foreign=[pack("rm", "p", ids["Rik"])])
    await k.step("rm:y", ANNA, pack("rm", "y", ids["Aafke"]), foreign=[pack("rm", "y", ids["Vera"])])


async def walk_schedule(k: Walker) -> None:
    ids = k.w.ids
    await k.say(ANNA, "/schedule")
    await k.step("sch:add", ANNA, pack("sch", "add", "new"))
    await k.step("sch:a everyone", ANNA, pack("sch", "a", "everyone"))
    await k.step("sch:d", ANNA, pack("sch", "d", 0), replay="allowed")  # a toggle: pressing again unticks
    await k.step("sch:d again", ANNA, pack("sch", "d", 3), replay="allowed")
    await k.say(ANNA, "/schedule")
    await k.step("sch:add again", ANNA, pack("sch", "add", "new"))
    await k.step("sch:a volunteer", ANNA, pack("sch", "a", "volunteer"))
    not_volunteers = [pack("sch", "v", ids["Piet"]), pack("sch", "v", ids["Rik"])]
    await k.step("sch:v", ANNA, pack("sch", "v", ids["Vera"]), foreign=not_volunteers)
    await k.step("sch:d volunteer", ANNA, pack("sch", "d", 1), replay="none")
    await k.step("sch:d:next", ANNA, pack("sch", "d", "next"))
    await k.step("sch:h", ANNA, pack("sch", "h", "1900"))
    await k.step("sch:e", ANNA, pack("sch", "e", 1))
    await k.say(ANNA, "/schedule")
    await k.step("sch:add team", ANNA, pack("sch", "add", "new"))
    await k.step("sch:a team", ANNA, pack("sch", "a", "team"))
    await k.step("sch:t", ANNA, pack("sch", "t", k.w.team), foreign=[pack("sch", "t", k.w.team + 7919)])
    await k.cancel_all()
    async with k.h.services.db.transaction() as tx:
        schedule_id = int(await tx.scalar("SELECT MAX(id) FROM schedules"))
    for action, name in (("p", "pause"), ("r", "resume"), ("x", "delete")):
        await k.say(ANNA, "/schedule")
        await k.step(
            f"sch:m ({name})", ANNA, pack("sch", "m", schedule_id), foreign=[pack("sch", "m", schedule_id + 7919)]
        )
        await k.step(f"sch:{action}", ANNA, pack("sch", action, schedule_id))


async def signal_to_text(k: Walker, *, steps: bool) -> None:
    """Vera's /signal up to the text question (the taps as checked steps, or just done)."""
    links = k.w.links
    await k.say(VERA, "/signal")
    taps = (
        ("sig:c", pack("sig", "c", links["Vera"])),
        ("sig:k", pack("sig", "k", "money")),
        ("sig:u", pack("sig", "u", "concern")),
    )
    for name, data in taps:
        if steps:
            foreign = [pack("sig", "c", links[n]) for n in ("Wim", "Rik", "Mo")] if name == "sig:c" else []
            await k.step(name, VERA, data, foreign=foreign)
        else:
            await k.m.tap_data(VERA, k.button(VERA, data), data)


async def walk_reports(k: Walker) -> None:
    """/signal and /backup for Vera. Wim and Mo sit at the client step with signals of their own (a
    client button names a link, which must be the presser's own)."""
    links = k.w.links
    for user in (WIM, MO):
        await k.say(user, "/signal")
    await signal_to_text(k, steps=True)
    await k.say(VERA, "Bel haar op 06-12345678 over de huur")  # screening: edit or send anyway
    await k.step("sig:s:edit (screen)", VERA, pack("sig", "s", "edit"))
    await k.say(VERA, "Mevrouw maakt zich zorgen over de huur van deze maand")
    await k.step("sig:s:send", VERA, pack("sig", "s", "send"))
    await k.cancel_all()
    await signal_to_text(k, steps=False)
    await k.say(VERA, "Bel haar op 06-12345678 over de huur")
    await k.step("sig:s:anyway", VERA, pack("sig", "s", "anyway"))
    await k.step("sig:s:edit", VERA, pack("sig", "s", "edit"))
    # Typing the text again after Edit must work (and change nothing before Send).
    errors = k.m.watch.count()
    said = await k.say(VERA, "Mevrouw maakt zich zorgen over de huur")
    problem = (
        None if k.m.watch.count() == errors and said else f"errors {k.m.watch.by_update} / {[m.text for m in said]}"
    )
    k.m.record("text|signal text after Edit|volunteer|legit", problem)
    await k.cancel_all()
    await k.say(VERA, "/backup")
    await k.step("bkp:k", VERA, pack("bkp", "k", "advise"))
    bkp_others = [pack("bkp", "c", links["Wim"]), pack("bkp", "c", links["Rik"])]
    await k.step("bkp:c", VERA, pack("bkp", "c", "none"), foreign=bkp_others)
    await k.say(VERA, "Kun je meedenken over een afspraak?")
    await k.step("bkp:s:send", VERA, pack("bkp", "s", "send"))
    await k.cancel_all()


def escalation_rules(item_told: set[str]) -> Callable[[Actor], str]:
    """Who besides the owner may act on an item: coordinators always, professionals told or responsible."""

    def others(who: Actor) -> str:
        if C in who.roles or who.user.first_name in item_told:
            return "allowed"
        return "refused"

    return others


async def raise_as_vera(k: Walker, urgency: Urgency = Urgency.CONCERN) -> int:
    vera = await k.h.services.people.get(k.w.ids["Vera"])
    assert vera is not None
    raised = await k.h.services.escalations.raise_item(
        vera, kind=Kind.SIGNAL, link_id=k.w.links["Vera"], category="money", urgency=urgency, body="Huur"
    )
    assert raised is not None
    await k.h.settle()
    return raised.escalation.id


async def walk_escalation(k: Walker) -> None:
    ids = k.w.ids
    item = await raise_as_vera(k)
    # Told at the first level: Piet (responsible). Coordinators may act on everything (pressed on fresh
    # items below, so that they do not take this one); Fatima (backup, not yet told), Kees and Mo may not.
    told_piet = escalation_rules({"Piet"})
    await k.step("esc:a", PIET, pack("esc", "a", item), others=told_piet, also=False)
    await k.step("esc:h", PIET, pack("esc", "h", item), replay="allowed", others=told_piet, also=False)
    not_colleagues = [pack("esc", "t", item, ids["Vera"]), pack("esc", "t", item, ids["Rik"])]
    await k.step("esc:t", PIET, pack("esc", "t", item, ids["Fatima"]), foreign=not_colleagues)
    # Fatima now holds the hand-off: her alert has its own buttons; she resolves with a reply.
    told_both = escalation_rules({"Piet", "Fatima"})
    await k.step("esc:r", FATIMA, pack("esc", "r", item), replay="allowed", others=told_both, also=False)
    await k.say(FATIMA, "Ik bel mevrouw morgen.")
    await k.m.refused(
        [
            Press(f"stale|esc:{action} on a resolved item|{who.key}|again", who, pack("esc", action, item), "refused")
            for action in ("a", "h", "r")
            for who in (actor(PIET), actor(FATIMA), actor(ANNA))
        ]
    )
    # Everyone on fresh items: only coordinators and the told professional may act.
    for action in ("a", "h", "r"):
        fresh = await raise_as_vera(k)
        presses = [
            Press(f"button|esc:{action} (fresh)|{who.key}|other", who, pack("esc", action, fresh), "") for who in ACTORS
        ]
        for press in presses:
            press.expect = gate_outcome(press.who, "esc") or told_piet(press.who)
        await k.m.refused([p for p in presses if p.expect != "allowed"])
        for press in [p for p in presses if p.expect == "allowed"]:
            press.data = pack("esc", action, await raise_as_vera(k))
            await k.m.allowed(press, changes=True)
        await k.cancel_all()
    # Mo (volunteer and professional) raises an item; nobody may hand it to Mo himself.
    mo = await k.h.services.people.get(ids["Mo"])
    assert mo is not None
    raised = await k.h.services.escalations.raise_item(
        mo, kind=Kind.SIGNAL, link_id=k.w.links["Mo"], category="money", urgency=Urgency.CONCERN, body="Huur"
    )
    assert raised is not None
    await k.h.settle()
    await k.m.tap_data(ANNA, None, pack("esc", "h", raised.escalation.id))
    to_himself = pack("esc", "t", raised.escalation.id, ids["Mo"])
    await k.m.refused(
        [Press("forged|esc:t to the item's own volunteer|coordinator|foreign", actor(ANNA), to_himself, "refused")]
    )
    await k.cancel_all()
    # Items that do not exist.
    await k.m.refused(
        [
            Press(f"forged|esc:{a} unknown item|{actor(u).key}|7919", actor(u), pack("esc", a, 7919), "refused")
            for u in (PIET, ANNA)
            for a in "ahr"
        ]
    )


async def walk_own_wellbeing_alert(k: Walker) -> None:
    """A wellbeing alert about Lotte (coordinator and volunteer): the other coordinators see it in /open and
    may act on it; Lotte's /open leaves it out (also from its count), and her forged presses on it are refused."""
    ids = k.w.ids
    lotte = await k.h.services.people.get(ids["Lotte"])
    assert lotte is not None
    about_lotte = "Lotte gaf drie keer na elkaar aan dat ze weinig energie heeft"
    raised = await k.h.services.escalations.raise_item(
        lotte, kind=Kind.WELLBEING, link_id=None, category=Flag.ENERGY.value, urgency=Urgency.CONCERN, body=about_lotte
    )
    assert raised is not None
    await k.h.settle()
    item = raised.escalation.id

    async def overview(user: FakeUser) -> tuple[int, bool]:
        """The count in the /open header (0: nothing open) and whether the alert about Lotte is shown."""
        said = [_normal(m.text) for m in await k.say(user, "/open")]
        counts = [int(c) for text in said for c in re.findall(r"Open meldingen: (\d+)", text)]
        return (counts[0] if counts else 0), any("weinig energie" in text for text in said)

    shown = {user.first_name: await overview(user) for user in (ANNA, CORA, LOTTE)}
    for user in (ANNA, CORA):
        count, listed = shown[user.first_name]
        cell = f"open|wellbeing alert about a colleague listed|{actor(user).key}"
        k.m.record(cell, None if listed else f"not among the {count} items listed")
    (own_count, own_listed), others_count = shown["Lotte"], shown["Anna"][0]
    k.m.record(
        "open|own wellbeing alert not listed|coordinator+volunteer",
        "her own wellbeing alert is shown to her" if own_listed else None,
    )
    k.m.record(
        "open|own wellbeing alert not counted|coordinator+volunteer",
        None if own_count == others_count - 1 else f"her header counts {own_count}, Anna's {others_count}",
    )
    own = actor(LOTTE)
    forged = [pack("esc", a, item) for a in ("a", "h", "r")] + [pack("esc", "t", item, ids["Piet"])]
    await k.m.refused(
        [Press(f"forged|{d} on her own wellbeing alert|{own.key}|own", own, d, "refused") for d in forged]
    )
    # Anna picks it up from the alert she got; Lotte's press on that button is refused like the forged ones.
    coordinators = escalation_rules(set())
    await k.step(
        "esc:a (wellbeing alert about a coordinator)",
        ANNA,
        pack("esc", "a", item),
        others=lambda who: "refused" if who.user.id == LOTTE.id else coordinators(who),
        also=False,
    )
    await k.cancel_all()


async def walk_checkin(k: Walker) -> None:
    await k.say(WIM, "/checkin")  # Wim has an open check-in of his own
    async with k.h.services.db.transaction() as tx:
        wim_checkin = int(await tx.scalar("SELECT MAX(id) FROM checkins"))
    await k.say(VERA, "/checkin")
    async with k.h.services.db.transaction() as tx:
        ci = int(await tx.scalar("SELECT MAX(id) FROM checkins"))
    await k.step(
        "ci:h", VERA, pack("ci", "h", ci, "1-2"), foreign=[("Wim's check-in", pack("ci", "h", wim_checkin, "1-2"))]
    )
    old_step = ("an hours button after the hours question", pack("ci", "h", ci, "5-8"))
    await k.step(
        "ci:e", VERA, pack("ci", "e", ci, 3), foreign=[("Wim's check-in", pack("ci", "e", wim_checkin, 3)), old_step]
    )
    await k.step("ci:c", VERA, pack("ci", "c", ci, "no"))
    await k.step("ci:p", VERA, pack("ci", "p", ci, 0))
    await k.step("ci:r", VERA, pack("ci", "r", ci, 1))
    await k.step("ci:b:no", VERA, pack("ci", "b", ci, "no"))
    await k.step(
        "ci:d", VERA, pack("ci", "d", ci, "done"), foreign=[("Wim's check-in", pack("ci", "d", wim_checkin, "done"))]
    )
    await k.say(VERA, "/checkin")
    async with k.h.services.db.transaction() as tx:
        ci = int(await tx.scalar("SELECT MAX(id) FROM checkins"))
    await k.step("ci:h second", VERA, pack("ci", "h", ci, "0"))
    for step, value in (("e", 2), ("c", "once"), ("p", 1), ("r", 1)):
        await k.m.tap_data(VERA, k.button(VERA, pack("ci", step, ci, value)), pack("ci", step, ci, value))
    await k.step("ci:b:yes", VERA, pack("ci", "b", ci, "yes"))
    await k.cancel_all()


async def walk_visit(k: Walker) -> None:
    links = k.w.links
    await k.say(WIM, "/visit")
    await k.m.tap_data(WIM, None, pack("vis", "c", "none"))
    await k.m.tap_data(WIM, None, pack("vis", "d", 120))
    async with k.h.services.db.transaction() as tx:
        wim_visit = int(await tx.scalar("SELECT MAX(id) FROM visits"))
    await k.say(VERA, "/visit")
    await k.step(
        "vis:c", VERA, pack("vis", "c", links["Vera"]), foreign=[("Wim's client", pack("vis", "c", links["Wim"]))]
    )
    await k.step("vis:d", VERA, pack("vis", "d", 60), foreign=[pack("vis", "d", 45)])
    async with k.h.services.db.transaction() as tx:
        visit = int(await tx.scalar("SELECT MAX(id) FROM visits"))
    await k.say(VERA, "/visit")
    await k.step("vis:end", VERA, pack("vis", "end", visit), foreign=[("Wim's visit", pack("vis", "end", wim_visit))])
    # A visit that asks "all good?": longer, then help.
    await k.say(VERA, "/visit")
    await k.m.tap_data(VERA, None, pack("vis", "c", "none"))
    await k.m.tap_data(VERA, None, pack("vis", "d", 30))
    async with k.h.services.db.transaction() as tx:
        visit = int(await tx.scalar("SELECT MAX(id) FROM visits"))
    await k.h.advance(timedelta(minutes=30))
    more = k.data_like(VERA, f"vis:more:{visit}:")
    await k.step("vis:more", VERA, more, foreign=[("Wim's visit", more.replace(f":{visit}:", f":{wim_visit}:"))])
    await k.h.advance(timedelta(minutes=30))
    helping = k.data_like(VERA, f"vis:help:{visit}:")
    # "Help" and "all good" hold for the whole visit, whichever question they sit under: the prompt is ignored.
    wims = ("Wim's visit", helping.replace(f":{visit}:", f":{wim_visit}:"))
    await k.step("vis:help", VERA, helping, foreign=[wims], ignored=[2])
    await k.say(VERA, "/visit")
    await k.m.tap_data(VERA, None, pack("vis", "c", "none"))
    await k.m.tap_data(VERA, None, pack("vis", "d", 30))
    async with k.h.services.db.transaction() as tx:
        visit = int(await tx.scalar("SELECT MAX(id) FROM visits"))
    await k.h.advance(timedelta(minutes=30))
    ok = k.data_like(VERA, f"vis:ok:{visit}:")
    await k.step("vis:ok", VERA, ok, foreign=[("Wim's visit", ok.replace(f":{visit}:", f":{wim_visit}:"))], ignored=[2])
    await k.cancel_all()


async def walk_forget(k: Walker) -> None:
    """/forget for everyone: only the person's own confirmation erases them; afterwards they are a stranger."""
    leaving = FILLERS[0]
    await k.say(leaving, "/forget")
    await k.step("fg:yes", leaving, pack("fg", "yes"), replay="stranger")


WALKS: dict[str, list[Callable[[Walker], Awaitable[None]]]] = {
    "coordinator": [
        walk_common,
        walk_invite,
        walk_assign,
        walk_link,
        walk_agreement,
        walk_remove,
        walk_schedule,
        walk_forget,
    ],
    "volunteer": [walk_own_wellbeing_alert, walk_reports, walk_escalation, walk_checkin, walk_visit],
}


async def junk_for_every_prefix(k: Walker, prefixes: set[str]) -> None:
    """Whatever the actions of a prefix (also one added later), junk after it changes nothing."""
    presses: list[Press] = []
    for prefix in sorted(prefixes | {"zz", "SIG", ""}):
        full = 0
        for who in ACTORS:
            outcome = gate_outcome(who, prefix) or "refused"
            datas = junk(prefix) if outcome == "refused" and full < 1 else junk(prefix)[1:3]
            full += outcome == "refused"
            for d in datas:  # without "prefix:" the fallback answers: only the gate's verdict still holds
                expect = outcome if d.startswith(f"{prefix}:") or outcome == "stranger" else "refused"
                presses.append(Press(f"forged|junk {d!r}|{who.key}|junk", who, d, expect))
    # Not UTF-8 at all (a lone surrogate; the Bot API would not pass it on, a forged update might).
    presses.append(Press("forged|lone surrogate|volunteer|junk", actor(VERA), "sig:\ud800", "refused"))
    await k.m.refused(presses)


async def removed_persons_buttons(k: Walker) -> None:
    rik = actor(RIK)
    await k.m.refused(
        [
            Press(f"stale|removed person's {d!r}|removed|old message", rik, d, "stranger", msg)
            for msg, d in k.w.rik_buttons
        ]
    )


# --- the tests ------------------------------------------------------------------------------------


async def test_every_command_for_every_actor(tmp_path: Path) -> None:
    started = time.perf_counter()
    async with running_bot(tmp_path) as h:
        await build_world(h)
        db_path = tmp_path / "samenspel.db"
        with watching_errors(h) as watch:
            m = Matrix(h, watch, db_path)
            commands = all_commands()
            registered = registered_commands(h.app)
            for command in commands:
                m.record(f"coverage|/{command} registered", None if command in registered else "no CommandHandler")
            for command in commands:
                text = f"/{command}"
                cells = [(f"command|{text}|{who.key}", who, text) for who in ACTORS]
                await m.commands_refused([c for c in cells if not may_use(c[1], command)])
                await m.commands_allowed([c for c in cells if may_use(c[1], command)])
                # Every allowed one leaves its actor registered and idle.
                await m.wait([h.api.send_text(who.user, "/cancel") for who in ACTORS if who.registered])
                for who in ACTORS:
                    if who.registered and await h.services.people.identify(who.user.id) is None:
                        m.record(f"command|{text}|{who.key}|still registered", "the actor was erased at once")
            # A stranger (and a removed person) trying an invite code that does not exist.
            bogus = "/start " + "A" * 32
            for who in (actor(STRANGER), actor(RIK)):
                before = snapshot(db_path)
                [said] = await m.send(who.user, bogus)
                m.record(
                    f"command|/start <bogus code>|{who.key}",
                    None
                    if _template("invite.unknown").fullmatch(_normal(said.text))
                    and diff(before, snapshot(db_path)) == ""
                    else f"got {said.text!r}, {diff(before, snapshot(db_path))}",
                )
        stored = rows_mentioning(db_path, STRANGER.id, STRANGER.username, STRANGER.first_name)
        m.record("command|nothing stored about the unknown user|unknown", f"{stored[:3]}" if stored else None)
    minimum = len(commands) * (len(ACTORS) + 1)
    m.verdict(minimum, f"commands ({time.perf_counter() - started:.1f}s)")


async def _callbacks(tmp_path: Path, walks: str) -> None:
    started = time.perf_counter()
    async with running_bot(tmp_path) as h:
        world = await build_world(h)
        with watching_errors(h) as watch:
            m = Matrix(h, watch, tmp_path / "samenspel.db")
            prefixes = registered_prefixes(h.app)
            # Every registered prefix (also one added later) needs a flow command and a walk in this file.
            sources = {name: "".join(inspect.getsource(w) for w in ws) for name, ws in WALKS.items()}
            for prefix in sorted(prefixes):
                walked = any(f'pack("{prefix}"' in source for source in sources.values())
                m.record(f"coverage|prefix {prefix} has a walk", None if walked else "add a walk for it")
                flow = None if prefix in FLOW_COMMAND else "add it to FLOW_COMMAND"
                m.record(f"coverage|prefix {prefix} has a flow", flow)
            k = Walker(m, world, prefixes)
            for walk in WALKS[walks]:
                try:
                    await walk(k)
                except Exception as exc:  # a broken walk is a failed cell, the other walks still run
                    m.record(f"walk|{walk.__name__}|crashed", repr(exc))
                await k.cancel_all()
            if walks == "coordinator":
                await junk_for_every_prefix(k, prefixes)
            await removed_persons_buttons(k)
            mine = {p for p in prefixes if f'pack("{p}"' in sources[walks]}
            for prefix in sorted(mine):
                pressed = any(c.startswith(f"{prefix}:") for c in k.covered)
                m.record(f"coverage|prefix {prefix} pressed legitimately", None if pressed else "never pressed")
        stored = rows_mentioning(tmp_path / "samenspel.db", STRANGER.id, STRANGER.username)
        m.record("button|nothing stored about the unknown user|unknown", f"{stored[:3]}" if stored else None)
    minimum = len(mine) * len(ACTORS)
    m.verdict(minimum, f"callbacks, {walks} flows ({time.perf_counter() - started:.1f}s)")


async def test_every_coordinator_button_for_every_actor(tmp_path: Path) -> None:
    await _callbacks(tmp_path, "coordinator")


async def test_every_volunteer_and_professional_button_for_every_actor(tmp_path: Path) -> None:
    await _callbacks(tmp_path, "volunteer")
