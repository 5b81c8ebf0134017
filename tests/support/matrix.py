"""The authorisation matrix's machinery (tests/flows/test_authorisation_matrix.py, and the fuzz tests that
reuse it): the actors and their world, what an answer says (refusal, stranger, error), and `Matrix`, which
sends presses and commands and judges each by what it alone changed in the tables and the presser's chat.

KNOWN_GAPS lists cells that fail today and are waiting for a fix in a file the matrix does not own; each is
run on its own, and the matrix fails when such a cell starts passing, so the list cannot rot.
"""

from __future__ import annotations

import asyncio
import html
import inspect
import logging
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

import bot.domain.visits as domain_visits
import handlers  # noqa: F401 -- importing the package files every flow in ROUTER
from bot.domain.callbacks import pack
from bot.domain.commands import EVERYONE_COMMANDS, ROLE_COMMANDS, STRANGER_COMMANDS, roles_for_command
from bot.domain.models import Role
from bot.i18n import CATALOGUE, LANGUAGES, placeholders, plain
from bot.sandbox.state import FakeUser, SentMessage
from handlers.flow import ROUTER
from storage.db import to_db
from tests.support.harness import ANNA, FATIMA, KEES, PIET, VERA, Harness, seed_organisation
from tests.support.paths import ROOT

# Cells that fail today, each waiting for a fix outside this test's files (see the report in the commit).
# A cell listed here is run on its own; the test fails if it passes, so the entry must then be removed.
KNOWN_GAPS: set[str] = set()


C, P, V = Role.COORDINATOR, Role.PROFESSIONAL, Role.VOLUNTEER
CORA = FakeUser(id=1011, first_name="Cora")  # a second coordinator: owns none of Anna's drafts


WIM = FakeUser(id=1012, first_name="Wim")  # a second volunteer (Kees's), client W-3


MO = FakeUser(id=1013, first_name="Mo")  # volunteer and professional at once, client M-1


RIK = FakeUser(id=1014, first_name="Rik")  # volunteer, removed after he got buttons


AAFKE = FakeUser(id=1015, first_name="Aafke")  # volunteer the coordinator removes in the /remove walk


LOTTE = FakeUser(id=1016, first_name="Lotte")  # coordinator and volunteer at once, client L-5


STRANGER = FakeUser(id=6666, first_name="Onbekend", username="nieuwsgierig")


FILLERS = [FakeUser(id=1100 + n, first_name=f"Zwaan {n}") for n in range(1, 8)]  # pickers get a second page


BRAM = FakeUser(id=1017, first_name="Bram")  # professional the coordinator removes in the orphans walk


INA = FakeUser(id=1018, first_name="Ina")  # Bram's volunteer, left without a professional


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


def _normal(text: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", text)).strip()


def _template(key: str) -> re.Pattern[str]:
    """The message in either language, any values in the placeholders."""
    sentinel = "\x00"
    alternatives = []
    for lang in LANGUAGES:
        for form in CATALOGUE.entries[key].texts[lang]:  # every plural form
            bare = re.sub(r"\{(\w+):\w+\}", r"{\1}", form)  # "{name:possessive}": the ending is part of the value
            filled = bare.format(**dict.fromkeys(placeholders(form), sentinel))
            alternatives.append(".*?".join(re.escape(p) for p in _normal(filled).split(sentinel)))
    return re.compile("|".join(f"(?:{a})" for a in alternatives), re.S)


def _refusal_keys() -> set[str]:
    """Every catalogue key the code refuses with: Refused("…") in handlers and services, the visit rules."""
    keys = {"button.expired", "not_allowed", "stranger", "schedule.need_day"}
    for path in [*ROOT.glob("handlers/*.py"), *ROOT.glob("bot/services/**/*.py")]:
        keys |= set(re.findall(r"Refused\(\s*\"([\w.]+)\"", path.read_text(encoding="utf-8")))
    keys |= set(re.findall(r"return \"([\w.]+)\"", inspect.getsource(domain_visits.press_refusal)))
    return {k for k in keys if k in CATALOGUE.entries}


REFUSALS = [_template(k) for k in sorted(_refusal_keys())]


NOT_ALLOWED = _template("not_allowed")


STRANGER_TEXT = _normal(plain("nl", "stranger", organisation="Buurtteam Overvecht"))


NEVER_WHEN_ALLOWED = [
    *REFUSALS,
    *(_template(k) for k in ("error.generic", "unknown_command", "rate_limited", "rate_limited.button")),
]


def is_refusal(text: str) -> bool:
    return any(p.fullmatch(_normal(text)) for p in REFUSALS)


def looks_refused(text: str) -> bool:
    return any(p.fullmatch(_normal(text)) for p in NEVER_WHEN_ALLOWED)


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
    await h.services.handover.remove(anna, ids["Rik"])
    await h.settle()
    rik_buttons = [(rik_signal, pack("sig", "c", links["Rik"])), (rik_checkin, rik_checkin.buttons()[0][1])]
    assert all(data in [d for _, d in m.buttons()] for m, data in rik_buttons)
    return World(ids=ids, links=links, team=team.id, rik_buttons=rik_buttons)
