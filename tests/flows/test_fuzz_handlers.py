"""Input discipline (issue 5, item 5): hypothesis throws arbitrary input at every step of every flow.

Each example puts a person at one step of one flow through the real buttons (signal, backup, check-in,
visit; invite, assign, link, agreement, schedule as coordinator; resolve and hand-off as professional;
or idle), sends one fuzzed input (unicode text with control characters, RTL, emoji and NULs, texts of
5,000+ characters, commands with junk arguments, random callback data up to 64 bytes and known prefixes
with junk after them, photos, voice, stickers, locations and files), and then /cancel. After each:
- nothing reached the error handler and nothing was logged at ERROR;
- the bot answered: a message or an answered button press, never "something went wrong";
- no partial write: the database passes its integrity and foreign-key checks, every escalation was
  raised whole (with its audit row), stored texts keep their caps, drafts are well formed, and /cancel
  leaves no draft behind.

One bot per test function (starting one per example is too slow), driven from hypothesis's thread:
the bot's event loop runs in its own thread. Examples are derandomized, so CI sees the same inputs.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import sqlite3
import threading
import time
from collections.abc import Awaitable, Callable, Coroutine, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.callbacks import MAX_BYTES, pack
from bot.domain.escalation import BODY_LIMIT, REPLY_LIMIT, Kind, Urgency
from bot.domain.models import Role
from bot.domain.onboarding import ALIAS_LIMIT, CONTACT_LIMIT, NAME_LIMIT, TEAM_LIMIT
from bot.sandbox.state import FakeUser
from bot.services.checkins import COMMENT_LIMIT
from tests.support.harness import ANNA, PIET, VERA, Harness, running_bot
from tests.support.matrix import (
    FLOW_COMMAND,
    Matrix,
    World,
    _normal,
    _template,
    all_commands,
    build_world,
    chat_changes,
    chat_state,
    watching_errors,
)

T = TypeVar("T")
ERROR_TEXT = _template("error.generic")
FUZZ = settings(
    max_examples=110,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- a bot in its own thread --------------------------------------------------------------------------


class BotThread:
    """The running bot and its world on an event loop of their own, driven synchronously."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.examples = 0
        self.inputs: dict[str, int] = {}

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout)

    @contextmanager
    def running(self) -> Iterator[Fuzzer]:
        self.thread.start()
        context = running_bot(self.tmp_path)
        try:
            h = self.run(context.__aenter__())
            world = self.run(build_world(h))
            with watching_errors(h) as watch:
                yield Fuzzer(h, Matrix(h, watch, self.tmp_path / "samenspel.db"), world, self)
        finally:
            self.run(context.__aexit__(None, None, None))
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(10)
            self.loop.close()


# --- where an example starts: a step of a flow ---------------------------------------------------------

Move = Callable[["Fuzzer"], Awaitable[None]]


def say(user: FakeUser, text: str) -> Move:
    async def move(f: Fuzzer) -> None:
        await f.m.send(user, text)

    return move


def tap(user: FakeUser, data: Callable[[Fuzzer], str]) -> Move:
    async def move(f: Fuzzer) -> None:
        await f.m.tap_data(user, None, data(f))

    return move


def skip(field: str) -> Move:
    """Anna leaves an optional field of a social map entry empty."""
    return tap(ANNA, lambda f: pack("map", "skip", field))


def raise_for_piet(then: str) -> Move:
    """A fresh item from Vera that Piet is told about, and Piet's press on it."""

    async def move(f: Fuzzer) -> None:
        vera = await f.h.services.people.get(f.w.ids["Vera"])
        assert vera is not None
        raised = await f.h.services.escalations.raise_item(
            vera, kind=Kind.SIGNAL, link_id=f.w.links["Vera"], category="money", urgency=Urgency.CONCERN, body="x"
        )
        assert raised is not None
        await f.m.wait([])
        await f.m.tap_data(PIET, None, pack("esc", then, raised.escalation.id))

    return move


def end_a_link_of_vera() -> Move:
    """A fresh link of Vera's, ended by Anna: Vera is at the step that takes her hand-over note."""
    aliases = itertools.count(1)

    async def move(f: Fuzzer) -> None:
        anna = await f.h.services.people.get(f.w.ids["Anna"])
        assert anna is not None
        made, _, _ = await f.h.services.people.link_client(
            anna, volunteer_id=f.w.ids["Vera"], alias=f"N-{next(aliases)}", professional_id=None
        )
        await f.h.services.handover.end_link(anna, made.id)
        await f.m.wait([])

    return move


def open_invite_for_joop() -> Move:
    """A fresh volunteer invite of Anna's, open (and so listed in /invites, and to be prepared)."""

    async def move(f: Fuzzer) -> None:
        anna = await f.h.services.people.get(f.w.ids["Anna"])
        issued = await f.h.services.people.create_invite(by=anna, role=Role.VOLUNTEER, name="Joop", team_id=None)
        f.invite = issued.id

    return move


def checkin_id(f: Fuzzer) -> int:
    db = f.db()
    try:
        return int(db.execute("SELECT MAX(id) FROM checkins WHERE state = 'open'").fetchone()[0] or 0)
    finally:
        db.close()


# Each flow: who walks it and the moves from idle to each of its steps (step k = the first k moves).
FLOWS: dict[str, tuple[FakeUser, list[Move]]] = {
    "map": (
        ANNA,
        [
            say(ANNA, "/map"),
            tap(ANNA, lambda f: pack("map", "m", "add")),
            say(ANNA, "Schuldhulp Oost"),
            tap(ANNA, lambda f: pack("map", "k", 1)),
            say(ANNA, "Hulp bij schulden"),
            *[skip(field) for field in ("phone", "website", "address", "hours")],
        ],
    ),
    "map search": (VERA, [say(VERA, "/map"), tap(VERA, lambda f: pack("map", "m", "search"))]),
    "idle volunteer": (VERA, []),
    "idle professional": (PIET, []),
    "idle coordinator": (ANNA, []),
    "signal": (
        VERA,
        [
            say(VERA, "/signal"),
            tap(VERA, lambda f: pack("sig", "c", f.w.links["Vera"])),
            tap(VERA, lambda f: pack("sig", "k", "money")),
            tap(VERA, lambda f: pack("sig", "u", "concern")),
            say(VERA, "Mevrouw maakt zich zorgen over de huur"),
        ],
    ),
    "signal screened": (
        VERA,
        [
            say(VERA, "/signal"),
            tap(VERA, lambda f: pack("sig", "c", "none")),
            tap(VERA, lambda f: pack("sig", "k", "health")),
            tap(VERA, lambda f: pack("sig", "u", "info")),
            say(VERA, "Bel haar op 06-12345678"),
        ],
    ),
    "backup": (
        VERA,
        [
            say(VERA, "/backup"),
            tap(VERA, lambda f: pack("bkp", "k", "advise")),
            tap(VERA, lambda f: pack("bkp", "c", "none")),
            say(VERA, "Kun je meedenken?"),
        ],
    ),
    "checkin": (
        VERA,
        [
            say(VERA, "/checkin"),
            tap(VERA, lambda f: pack("ci", "h", checkin_id(f), "1-2")),
            tap(VERA, lambda f: pack("ci", "e", checkin_id(f), 3)),
            tap(VERA, lambda f: pack("ci", "c", checkin_id(f), "no")),
            tap(VERA, lambda f: pack("ci", "p", checkin_id(f), 0)),
            tap(VERA, lambda f: pack("ci", "r", checkin_id(f), 0)),
        ],
    ),
    "visit": (
        VERA,
        [say(VERA, "/visit"), tap(VERA, lambda f: pack("vis", "c", "none")), tap(VERA, lambda f: pack("vis", "d", 30))],
    ),
    "invite": (
        ANNA,
        [
            say(ANNA, "/invite"),
            tap(ANNA, lambda f: pack("inv", "r", "volunteer")),
            say(ANNA, "Joop"),
            tap(ANNA, lambda f: pack("inv", "t", "new")),
        ],
    ),
    "assign": (
        ANNA,
        [
            say(ANNA, "/assign"),
            tap(ANNA, lambda f: pack("asg", "v", f.w.ids["Vera"])),
            tap(ANNA, lambda f: pack("asg", "p", f.w.ids["Piet"])),
        ],
    ),
    "link": (
        ANNA,
        [say(ANNA, "/link"), tap(ANNA, lambda f: pack("lnk", "v", f.w.ids["Wim"])), say(ANNA, "Z-9")],
    ),
    "agreement": (
        ANNA,
        [say(ANNA, "/agreement"), tap(ANNA, lambda f: pack("agr", "v", f.w.ids["Vera"])), say(ANNA, "4")],
    ),
    "schedule": (
        ANNA,
        [
            say(ANNA, "/schedule"),
            tap(ANNA, lambda f: pack("sch", "add", "new")),
            tap(ANNA, lambda f: pack("sch", "a", "everyone")),
            tap(ANNA, lambda f: pack("sch", "d", 0)),
            tap(ANNA, lambda f: pack("sch", "d", "next")),
        ],
    ),
    "remove": (ANNA, [say(ANNA, "/remove"), tap(ANNA, lambda f: pack("rm", "p", f.w.ids["Aafke"]))]),
    "invites": (
        ANNA,
        [open_invite_for_joop(), say(ANNA, "/invites"), tap(ANNA, lambda f: pack("ivl", "r", f.invite))],
    ),
    "prepare": (
        ANNA,
        [
            open_invite_for_joop(),
            tap(ANNA, lambda f: pack("prep", "i", f.invite)),
            tap(ANNA, lambda f: pack("prep", "p", f.w.ids["Piet"])),
            tap(ANNA, lambda f: pack("prep", "b", "none")),
            say(ANNA, "J-1"),
        ],
    ),
    "teams": (
        ANNA,
        [
            say(ANNA, "/teams"),
            tap(ANNA, lambda f: pack("tm", "a", "move")),
            tap(ANNA, lambda f: pack("tm", "p", f.w.ids["Vera"])),
        ],
    ),
    "team manage": (ANNA, [say(ANNA, "/teams"), tap(ANNA, lambda f: pack("tm", "m", f.w.team))]),
    "unlink": (
        ANNA,
        [
            say(ANNA, "/unlink"),
            tap(ANNA, lambda f: pack("unl", "v", f.w.ids["Wim"])),
            tap(ANNA, lambda f: pack("unl", "l", f.w.links["Wim"])),
        ],
    ),
    "handover note": (VERA, [end_a_link_of_vera()]),
    # Issue 14: free buttons over the coordinator's lists, fuzzed from the message that carries them.
    "overview": (ANNA, [say(ANNA, "/overview"), tap(ANNA, lambda f: pack("ov", "v", f.w.ids["Vera"]))]),
    "review": (PIET, [say(PIET, "/review")]),
    "report": (ANNA, [say(ANNA, "/report"), tap(ANNA, lambda f: pack("rp", "m", 202610))]),
    "resolve": (PIET, [raise_for_piet("r")]),
    "handoff": (PIET, [raise_for_piet("h")]),
}
STARTS = [(flow, k) for flow, (_, moves) in FLOWS.items() for k in range(len(moves) + 1)]

# --- inputs ----------------------------------------------------------------------------------------

ODD_CHARS = ["\x00", "\x07", "\x1b", "\u200b", "\u200f", "\u202e", "\ufeff", "\U0001f600", "ﷺ", "é", "<b>", "&amp;"]
texts = st.one_of(
    st.text(min_size=1, max_size=60),
    st.text(st.characters(max_codepoint=0x1F), min_size=1, max_size=20),  # control characters
    st.text(st.characters(min_codepoint=0x590, max_codepoint=0x6FF), min_size=1, max_size=40),  # RTL
    st.lists(st.sampled_from(ODD_CHARS), min_size=1, max_size=30).map("".join),
    st.builds(lambda c, n: c * n, st.sampled_from(["a", "é", "🙂", "\u202e", "\x00b", "1 "]), st.integers(4000, 6000)),
    st.sampled_from(["4", "19:00", "0", "-1", "1e9", "nan", "12+", "C-12", "06-12345678", " ", "\n\n"]),
)
commands = st.builds(
    lambda c, args: f"/{c} {args}" if args else f"/{c}",
    st.sampled_from([*all_commands(), "start", "nonsense", "signal@samenspel_test_bot"]),
    st.one_of(st.just(""), texts),
)


def _fits(data: str) -> bool:
    return 0 < len(data.encode("utf-8")) <= MAX_BYTES


PREFIXES = sorted(FLOW_COMMAND)
callback_data = st.one_of(
    st.text(max_size=64).filter(_fits),
    st.builds(lambda p, junk: f"{p}:{junk}", st.sampled_from(PREFIXES), st.text(max_size=40)).filter(_fits),
    st.builds(
        lambda p, a, n: f"{p}:{a}:{n}",
        st.sampled_from(PREFIXES),
        st.sampled_from(["a", "c", "k", "u", "s", "v", "p", "b", "t", "d", "h", "e", "m", "r", "x", "pg", "yes"]),
        st.one_of(st.integers(-5, 10**13).map(str), st.sampled_from(["none", "send", "edit", "anyway", "new", "٣"])),
    ).filter(_fits),
)
MEDIA = ["photo", "voice", "sticker", "location", "document"]

# --- judging ---------------------------------------------------------------------------------------


@dataclass
class Fuzzer:
    h: Harness
    m: Matrix
    w: World
    bot: BotThread
    problems: list[str] = field(default_factory=list)
    invite: int = 0  # the open invite the invites and prepare starts made

    async def reach(self, flow: str, k: int) -> FakeUser:
        user, moves = FLOWS[flow]
        for move in moves[:k]:
            await move(self)
        return user

    def send_input(self, user: FakeUser, kind: str, value: str) -> int:
        api = self.h.api
        if kind in ("text", "command"):
            return api.send_text(user, value)
        if kind == "callback":
            return api.press_data(user, None, value)
        senders: dict[str, Callable[[], int]] = {
            "photo": lambda: api.send_photo(user, caption="foto"),
            "voice": lambda: api.send_voice(user),
            "sticker": lambda: api.send_sticker(user),
            "location": lambda: api.send_location(user),
            "document": lambda: api.send_document(user),
        }
        return senders[value]()

    async def example(self, flow: str, k: int, kind: str, value: str) -> list[str]:
        problems: list[str] = []
        user = await self.reach(flow, k)
        errors = self.m.watch.count()
        chat = chat_state(self.h, user)
        update_id = self.send_input(user, kind, value)
        await self.m.wait([update_id])
        said = chat_changes(chat, chat_state(self.h, user))
        answer = self.h.api.callback_answer_for(update_id) if kind == "callback" else None
        if self.m.watch.count() != errors:
            problems.append(f"errors: {self.m.watch.by_update.get(update_id)} {self.m.watch.records[-2:]}")
        if kind == "callback" and answer is None:
            problems.append("the button press was never answered")
        if kind != "callback" and not said:
            problems.append("no answer")
        texts = [*said, str((answer or {}).get("text") or "")]
        if any(ERROR_TEXT.fullmatch(_normal(t)) for t in texts if t):
            problems.append(f"answered with the error message: {texts!r}")
        problems += self.consistency()
        # /cancel leaves every flow cleanly.
        cancelled = await self.m.send(user, "/cancel")
        if not cancelled:
            problems.append("/cancel got no answer")
        if self.draft_of(user) is not None:
            problems.append(f"a draft remains after /cancel: {self.draft_of(user)}")
        return problems

    def draft_of(self, user: FakeUser) -> tuple[Any, ...] | None:
        db = self.db()
        try:
            row = db.execute(
                "SELECT d.flow, d.step FROM drafts d JOIN people p ON p.id = d.person_id WHERE p.telegram_id = ?",
                (user.id,),
            ).fetchone()
            return tuple(row) if row else None
        finally:
            db.close()

    def db(self) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{self.m.db_path}?mode=ro", uri=True)

    def consistency(self) -> list[str]:
        """No partial write: whole rows only, caps kept, drafts well formed."""
        problems: list[str] = []
        db = self.db()
        try:
            if (ok := db.execute("PRAGMA integrity_check").fetchone()[0]) != "ok":
                problems.append(f"integrity: {ok}")
            if broken := db.execute("PRAGMA foreign_key_check").fetchall():
                problems.append(f"foreign keys: {broken[:3]}")
            half = db.execute(
                "SELECT e.id FROM escalations e WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.subject_type ="
                " 'escalation' AND a.subject_id = e.id AND a.event = 'escalation.created')"
            ).fetchall()
            if half:
                problems.append(f"escalations without their creation: {half}")
            caps = [
                ("escalations", "body", BODY_LIMIT),
                ("escalations", "resolution", REPLY_LIMIT),
                ("checkins", "comment", COMMENT_LIMIT),
                ("links", "client_alias", ALIAS_LIMIT),
                ("people", "name", NAME_LIMIT),
                ("teams", "name", TEAM_LIMIT),
                ("invites", "name", NAME_LIMIT),
                ("agreements", "contact_times", CONTACT_LIMIT),
            ]
            for table, column, limit in caps:
                longest = db.execute(f"SELECT MAX(LENGTH({column})) FROM {table}").fetchone()[0] or 0
                if longest > limit:
                    problems.append(f"{table}.{column} holds {longest} characters, the cap is {limit}")
            for flow, step, data in db.execute("SELECT flow, step, data FROM drafts"):
                if not isinstance(json.loads(data), dict) or not flow or not step:
                    problems.append(f"malformed draft {flow}/{step}: {data[:80]}")
        finally:
            db.close()
        return problems


def fuzz(tmp_path: Path, strategy: st.SearchStrategy[tuple[str, str]], label: str) -> None:
    started = time.perf_counter()
    bot = BotThread(tmp_path)
    failures: list[str] = []
    with bot.running() as f:

        @FUZZ
        @given(start=st.sampled_from(STARTS), given_input=strategy)
        def one(start: tuple[str, int], given_input: tuple[str, str]) -> None:
            (flow, k), (kind, value) = start, given_input
            bot.examples += 1
            bot.inputs[kind] = bot.inputs.get(kind, 0) + 1
            problems = bot.run(f.example(flow, k, kind, value))
            if problems:
                failures.append(f"{flow} step {k}, {kind} {value[:80]!r}: {problems}")
            assert not problems, problems

        try:
            one()
        finally:
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(bot.inputs.items()))
            print(f"\n{label}: {bot.examples} fuzz examples run ({kinds}) in {time.perf_counter() - started:.1f}s")
    assert bot.examples >= FUZZ.max_examples // 2, f"only {bot.examples} examples ran"


def test_fuzz_text_and_commands_at_every_step(tmp_path: Path) -> None:
    fuzz(tmp_path, st.one_of(st.tuples(st.just("text"), texts), st.tuples(st.just("command"), commands)), "text")


def test_fuzz_callbacks_and_media_at_every_step(tmp_path: Path) -> None:
    strategy = st.one_of(
        st.tuples(st.just("callback"), callback_data), st.tuples(st.just("media"), st.sampled_from(MEDIA))
    )
    fuzz(tmp_path, strategy, "callbacks and media")


def test_every_flow_is_fuzzed() -> None:
    """Every flow a callback prefix belongs to has fuzz starts (the cancel, language, /open and /forget
    buttons are covered from the idle starts and by the random callback data)."""
    started = {text.split()[0].lstrip("/") for _, moves in FLOWS.values() for text in _said(moves)}
    started |= {"open"}  # the resolve and hand-off starts press an alert's buttons
    missing = set(FLOW_COMMAND.values()) - started - {"cancel", "language", "forget"}
    assert not missing, f"flows without a fuzz start: {missing}"


def _said(moves: list[Move]) -> list[str]:
    out: list[str] = []
    for move in moves:
        for cell in move.__closure__ or ():
            if isinstance(cell.cell_contents, str) and cell.cell_contents.startswith("/"):
                out.append(cell.cell_contents)
    return out
