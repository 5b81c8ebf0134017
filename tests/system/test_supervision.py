"""No long-lived part of the bot dies of a database error, or ends unnoticed (issue 10, item 1).

The fault points are derived from the code, not listed by hand: every transaction that the sender's loop
(with the hooks it runs) and each scheduler task can open, found by following `self.…` references from
the entry points on the live objects. Each point gets its own test: a scenario that reaches it, a
database error injected there, and afterwards nothing is left in flight, nothing was sent twice, and a
new urgent signal from Vera still reaches Piet.
"""

from __future__ import annotations

import ast
import asyncio
import inspect
import logging
import sqlite3
import sys
import textwrap
import types
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from telegram.error import InvalidToken

import bot.app
from bot.app import Services, build_application, services_of
from bot.config import ReportSettings, load_settings
from bot.domain.escalation import Kind, Urgency
from bot.sandbox.state import FakeUser
from bot.supervision import PartEnded
from storage import checkins, outbox
from storage.db import Database, Tx
from tests.support.faulty_bot_api import FaultyBotApi
from tests.support.harness import ANNA, FATIMA, KEES, PIET, Harness, alerts, running_bot, seed_organisation, send_signal

# --- the fault points, derived from the code -------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """Where a transaction is opened: the function, and the line of its `transaction()` call."""

    function: str
    filename: str
    line: int
    ordinal: int  # the n-th transaction in that function: a test id that survives edits elsewhere

    def __str__(self) -> str:
        return f"{self.function}#{self.ordinal}"


def _resolve(owner: object, name: str) -> object | None:
    """`owner.name` without running properties (a closed database must not be asked for its connection)."""
    try:
        value = inspect.getattr_static(owner, name)
    except AttributeError:
        return None
    return types.MethodType(value, owner) if isinstance(value, types.FunctionType) else value


def _referenced_method(node: ast.Attribute, owner: object) -> types.MethodType | None:
    """The method that `self.x` or `self.x.y` names, on the live object."""
    base = node.value
    if isinstance(base, ast.Name) and base.id == "self":
        target = _resolve(owner, node.attr)
    elif isinstance(base, ast.Attribute) and isinstance(base.value, ast.Name) and base.value.id == "self":
        inner = _resolve(owner, base.attr)
        target = None if inner is None else _resolve(inner, node.attr)
    else:
        return None
    if isinstance(target, types.MethodType) and isinstance(target.__func__, types.FunctionType):
        return target
    return None


def _method(entry: object) -> types.MethodType:
    """An entry point: a bound method of a live object (the sender's loop, a hook, a scheduler task)."""
    assert isinstance(entry, types.MethodType), f"{entry!r} is not a bound method: teach this test to follow it"
    return entry


def transaction_sites(entry: object, seen: set[types.FunctionType] | None = None) -> list[Site]:
    """Every transaction `entry` can open: its own and those of every method it reaches through `self`."""
    seen = set() if seen is None else seen
    entry = _method(entry)
    function = entry.__func__
    if not isinstance(function, types.FunctionType) or function in seen:
        return []
    seen.add(function)
    code = function.__code__
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    lines = sorted(
        {
            code.co_firstlineno + node.lineno - 1
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "transaction"
        }
    )
    sites = [Site(code.co_qualname, code.co_filename, line, n) for n, line in enumerate(lines, 1)]
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and (method := _referenced_method(node, entry.__self__)) is not None:
            sites += transaction_sites(method, seen)
    return sites


def _offline_services() -> Services:
    """The real wiring, never started: only to find the entry points and what they reach."""
    settings = load_settings(None, telegram={"token": "1:offline"}, storage={"path": "never-opened.db"})
    return services_of(build_application(settings))


_WIRED = _offline_services()
# The sender's loop, and the unreachable hooks it runs. Only the sender opens these transactions, so a
# fault at one needs no entry point to count below (which would miss work it hands to child tasks).
SENDER_LOOP = _WIRED.delivery._run


def _sender_points() -> list[Site]:
    seen: set[types.FunctionType] = set()
    return [
        site for entry in (SENDER_LOOP, *_WIRED.delivery.unreachable_hooks) for site in transaction_sites(entry, seen)
    ]


SENDER_POINTS = _sender_points()


@dataclass(frozen=True)
class TickPoint:
    task: str  # the scheduler task's name
    entry: types.CodeType  # the task's own code: the fault only counts below it
    site: Site

    def __str__(self) -> str:
        return f"{self.task}:{self.site}"


TICK_POINTS = [
    TickPoint(name, _method(task).__func__.__code__, site)
    for name, task in _WIRED.scheduler.tasks
    for site in transaction_sites(task)
]


# --- the fault injector ----------------------------------------------------------------------------

FAULTS = ("locked", "disk-io")


@asynccontextmanager
async def _failing(real: Callable[[], AbstractAsyncContextManager[Tx]], fault: str) -> AsyncIterator[Tx]:
    if fault == "locked":  # BEGIN IMMEDIATE gave up waiting for another writer
        raise sqlite3.OperationalError("database is locked")
    async with real() as tx:
        yield tx
        raise sqlite3.OperationalError("disk I/O error")  # instead of COMMIT: the body's writes roll back


def _opened_at(frame: types.FrameType, site: Site) -> bool:
    return frame.f_code.co_filename == site.filename and frame.f_lineno == site.line


def _below(frame: types.FrameType | None, entry: types.CodeType | None) -> bool:
    if entry is None:
        return True
    while frame is not None:
        if frame.f_code is entry:
            return True
        frame = frame.f_back
    return False


class FaultInjector:
    """Stands in for `Database.transaction`. The first transaction opened at the armed site (below the
    armed entry point, when one is given) fails; every other one runs for real. Notes which functions'
    real transactions were refused and which committed."""

    def __init__(self, db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
        self._real = db.transaction
        monkeypatch.setattr(db, "transaction", self._transaction)
        self._armed: tuple[Site, types.CodeType | None, str] | None = None
        self._before: tuple[str, Callable[[], Awaitable[None]]] | None = None
        self.injected: list[Site] = []
        self.refused: list[str] = []  # functions whose real transaction raised OperationalError
        self.committed: list[str] = []  # functions whose real transaction committed, in order
        self.committed_before_fault = 0

    def arm(self, site: Site, entry: types.CodeType | None, fault: str) -> None:
        self._armed = (site, entry, fault)

    def before_opening(self, opener: str, action: Callable[[], Awaitable[None]]) -> None:
        """Await `action` once, just before the next transaction that function `opener` opens."""
        self._before = (opener, action)

    def _transaction(self) -> AbstractAsyncContextManager[Tx]:
        opener = sys._getframe(1)
        armed = self._armed
        if armed is not None and _opened_at(opener, armed[0]) and _below(opener, armed[1]):
            self._armed = None
            self.injected.append(armed[0])
            self.committed_before_fault = len(self.committed)
            return _failing(self._real, armed[2])
        return self._observed(opener.f_code.co_qualname)

    @asynccontextmanager
    async def _observed(self, opener: str) -> AsyncIterator[Tx]:
        if self._before is not None and self._before[0] == opener:
            action, self._before = self._before[1], None
            await action()
        try:
            async with self._real() as tx:
                yield tx
        except sqlite3.OperationalError:
            self.refused.append(opener)
            raise
        self.committed.append(opener)

    def done_again(self, site: Site) -> bool:
        """The function that was refused at `site` has since committed a transaction after all."""
        return site.function in self.committed[self.committed_before_fault :]


# --- helpers ---------------------------------------------------------------------------------------


async def eventually(condition: Callable[[], bool], what: str, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"never happened: {what}")
        await asyncio.sleep(0.02)


async def rows_in_flight(h: Harness) -> int:
    async with h.services.db.transaction() as tx:
        return int(await tx.scalar("SELECT COUNT(*) FROM outbox WHERE in_flight = 1"))


async def urgent_signal_reaches_piet(h: Harness) -> None:
    """Vera reports an urgent signal now: Piet gets the alert, and nothing is left in flight."""
    before = len(alerts(h, PIET))
    sent = await send_signal(h, text="Nieuwe melding na de storing.")
    assert "Verstuurd naar Piet" in sent.text
    await h.api.wait_for(PIET.id, "Nieuwe melding na de storing.")
    assert len(alerts(h, PIET)) == before + 1
    assert await rows_in_flight(h) == 0


# --- the sender ------------------------------------------------------------------------------------

TOO_LONG = 5000  # characters; Telegram takes 4096


@dataclass(frozen=True)
class Planned:
    user: FakeUser
    text: str
    status: str  # what the row must end as


# One round with every kind of result: sent, to be retried after a 429 (in a minute: not within the
# test), the chat blocked, sent as plain text after an HTML error, refused also as plain text, refused
# outright; plus an edit of an earlier message.
ROUND = {
    "plain": Planned(ANNA, "Gewoon bericht.", "sent"),
    "after_429": Planned(FATIMA, "Na een 429.", "pending"),
    "blocked": Planned(KEES, "Voor Kees.", "failed"),
    "bad_html": Planned(ANNA, "<b>Kapotte opmaak.", "sent"),
    "bad_html_too_long": Planned(ANNA, "<b" + "x" * TOO_LONG, "failed"),
    "too_long": Planned(ANNA, "y" * TOO_LONG, "failed"),
}


async def queue(h: Harness, ids: dict[str, int], planned: list[Planned], *, edit: int | None = None) -> list[int]:
    """Queue messages in one transaction, as a service would (and an edit of message `edit`)."""
    now = h.clock.now()
    async with h.services.db.transaction() as tx:
        queued = [
            await outbox.enqueue(tx, chat_id=p.user.id, text=p.text, now=now, person_id=ids[p.user.first_name])
            for p in planned
        ]
        if edit is not None:
            await outbox.enqueue_edit(tx, target_id=edit, text="Bewerkt.", keyboard=None, now=now)
    return queued


@pytest.mark.parametrize("fault", FAULTS)
@pytest.mark.parametrize("site", SENDER_POINTS, ids=str)
async def test_the_sender_survives_a_database_error_at(
    site: Site, fault: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        [to_edit] = await queue(h, ids, [Planned(FATIMA, "Dit wordt zo bewerkt.", "sent")])
        h.services.delivery.wake()  # as a service does after queueing (else the sender's idle second passes)
        await h.settle()
        injector = FaultInjector(h.services.db, monkeypatch)
        h.api.block(KEES.id)
        h.api.fail_next("sendMessage", "429", retry_after=60, chat_id=FATIMA.id)
        queued = dict(zip(ROUND, await queue(h, ids, list(ROUND.values()), edit=to_edit), strict=True))
        injector.arm(site, None, fault)
        h.services.delivery.wake()
        await h.settle()
        await h.api.wait_for(ANNA.id, "Kees (beroepskracht) is niet bereikbaar", timeout=10)
        assert injector.injected == [site], "the scenario did not reach this point"
        # What failed was done after all (a failed hook is tried again after a quarter of a second).
        await eventually(lambda: injector.done_again(site), f"{site.function} done after all")
        await h.settle()

        async with h.services.db.transaction() as tx:
            rows = {r["id"]: r for r in await tx.all("SELECT * FROM outbox")}
        assert not [r["id"] for r in rows.values() if r["in_flight"]]
        assert {name: rows[queued[name]]["status"] for name in ROUND} == {n: p.status for n, p in ROUND.items()}
        [edit] = [r for r in rows.values() if r["edit_of"] == to_edit]
        assert edit["status"] == "sent"
        # Each went out once, and nothing again as a possible repeat.
        assert h.texts(ANNA).count("Gewoon bericht.") == 1 and h.texts(ANNA).count("Kapotte opmaak.") == 1
        assert rows[queued["after_429"]]["last_error"] == "429" and "Na een 429." not in h.texts(FATIMA)
        edited = rows[to_edit]["telegram_message_id"]
        assert [m.text for m in h.api.messages(FATIMA.id) if m.message_id == edited] == ["Bewerkt."]
        assert sum("niet bereikbaar" in text for text in h.texts(ANNA)) == 1
        assert [r["id"] for r in rows.values() if r["maybe_delivered"]] == []

        await urgent_signal_reaches_piet(h)


def _lock_exclusively(path: Path) -> sqlite3.Connection:
    outside = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=5)
    outside.execute("BEGIN EXCLUSIVE")
    return outside


def _release(outside: sqlite3.Connection) -> None:
    outside.execute("ROLLBACK")
    outside.close()


async def test_an_outside_exclusive_lock_across_the_idle_wait_does_not_stop_the_sender(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reproduction from the issue, shortened: another process takes the database between a round and
    the sender's idle wait, and holds it until that wait has given up; afterwards alerts go out as ever."""
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        injector = FaultInjector(h.services.db, monkeypatch)  # injects nothing here: it times the lock and watches
        async with h.services.db.transaction() as tx:
            await tx.execute("PRAGMA busy_timeout = 100")  # give up on a locked database after 0.1 s, not 10
        outside: list[sqlite3.Connection] = []

        async def lock_outside() -> None:
            outside.append(await asyncio.to_thread(_lock_exclusively, h.services.db.path))

        injector.before_opening("Delivery._idle_seconds", lock_outside)
        try:
            await eventually(lambda: "Delivery._idle_seconds" in injector.refused, "the idle wait met the lock")
        finally:
            for connection in outside:
                await asyncio.to_thread(_release, connection)
        await urgent_signal_reaches_piet(h)


# --- the scheduler tick ----------------------------------------------------------------------------

T = datetime(2026, 11, 24, 2, 0, tzinfo=UTC)  # Tuesday 03:00 in Amsterdam, the daily retention hour


async def reach_every_tick_point(h: Harness, ids: dict[str, int]) -> None:
    """Arrange that the tick at T has work for every transaction of every scheduler task: a signal due to
    climb, a visit whose "all good?" went unanswered, a schedule firing, a second check-in in a row
    closing unanswered (a wellbeing alert), and the daily retention run. The weekly digest and the monthly
    thank-you, which the harness turns off, are on (issue 14)."""
    h.services.settings.reports = ReportSettings()
    people, vera_id = h.services.people, ids["Vera"]
    anna, vera = await people.get(ids["Anna"]), await people.get(vera_id)
    assert anna is not None and vera is not None
    for hour in (1, 2, 3):  # on Tuesdays, each open for an hour: the one at 03:00 fires at T
        await h.services.checkins.add_schedule(
            anna,
            audience="everyone",
            weekdays=frozenset({1}),
            local_time=time(hour, 0),
            remind_after_minutes=30,
            close_after_minutes=60,
        )
    await h.advance(T - timedelta(hours=2) - h.clock.now())  # 01:00: the first check-in opens
    await h.advance(timedelta(minutes=50))
    await h.services.visits.start(vera, ids["C-12"], 60)  # 01:50 until 02:50
    await h.advance(timedelta(minutes=10))  # 02:00: the first check-in closes missed, the second opens
    await h.advance(timedelta(minutes=50))  # 02:50: the visit is over, "all good?"; ten minutes to answer
    await h.services.escalations.raise_item(
        vera, kind=Kind.SIGNAL, link_id=ids["C-12"], category="health", urgency=Urgency.URGENT, body="Om 02:50."
    )
    await h.settle()


async def run_tick_job(h: Harness) -> None:
    """The JobQueue's tick job, run as APScheduler runs it."""
    assert h.app.job_queue is not None
    [job] = h.app.job_queue.get_jobs_by_name("tick")
    await job.run(h.app)


@pytest.mark.parametrize("point", TICK_POINTS, ids=str)
async def test_the_tick_survives_a_database_error_at(
    point: TickPoint, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        await reach_every_tick_point(h, ids)
        injector = FaultInjector(h.services.db, monkeypatch)
        injector.arm(point.site, point.entry, "disk-io")
        h.clock.set(T)
        await run_tick_job(h)
        assert injector.injected == [point.site], "the scenario did not reach this point"
        await run_tick_job(h)  # the next tick does what the failed one left
        await h.settle()
        # Nothing the tick owed is lost: the signal climbed, the visit alert went out, the schedule fired.
        assert [a.text for a in alerts(h, FATIMA)] and "Om 02:50." in alerts(h, FATIMA)[0].text
        assert sum("bezoekmelding van Vera" in text for text in h.texts(PIET)) == 1
        async with h.services.db.transaction() as tx:
            fired = [s for s in await checkins.schedules(tx) if s.next_fire_at is not None and s.next_fire_at > T]
        assert len(fired) == 3
        await urgent_signal_reaches_piet(h)
        # Last: the second missed check-in in a row raised its wellbeing alert, once.
        async with h.services.db.transaction() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM escalations WHERE kind = 'wellbeing'") == 1


# --- supervision: a part that ends anyway ----------------------------------------------------------


@pytest.fixture
def quick_supervision(monkeypatch: pytest.MonkeyPatch) -> None:
    """`serve()` looks at its parts ten times a second instead of once: what these tests prove (a part that
    ended is noticed and restarted, or stops the bot) does not depend on how often it looks."""
    monkeypatch.setattr(bot.app, "SUPERVISION_PERIOD_SECONDS", 0.1)


def running_task(name: str) -> asyncio.Task[object] | None:
    return next((t for t in asyncio.all_tasks() if t.get_name() == name and not t.done()), None)


async def test_a_sender_that_ends_anyway_is_restarted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, quick_supervision: None
) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        sender = running_task("samenspel-delivery")
        assert sender is not None
        sender.cancel()  # stands for whatever ends the loop in spite of its retries
        await eventually(lambda: running_task("samenspel-delivery") not in (None, sender), "a new sender")
        await urgent_signal_reaches_piet(h)
    assert [r for r in caplog.records if r.levelno == logging.CRITICAL and "outbox sender ended" in r.getMessage()]


async def test_a_tick_job_that_is_gone_is_scheduled_again(tmp_path: Path, quick_supervision: None) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        await send_signal(h)
        assert h.app.job_queue is not None
        [job] = h.app.job_queue.get_jobs_by_name("tick")
        job.schedule_removal()
        h.clock.advance(timedelta(minutes=10))  # Piet did not react: only a tick can climb to Fatima
        await h.api.wait_for(FATIMA.id, "signaal van Vera", timeout=10)
        assert h.app.job_queue.get_jobs_by_name("tick")


async def test_polling_refused_for_good_stops_the_bot_with_the_token_error(
    tmp_path: Path, quick_supervision: None
) -> None:
    """Polling cannot be restarted with a revoked token: the bot stops by itself, and `samenspel run`
    exits with the token message instead of running on without reading anyone's messages."""
    stopped_by_itself = False
    async with FaultyBotApi() as api:
        with pytest.raises(InvalidToken):
            async with running_bot(tmp_path, api=api) as h:
                api.token = "1:revoked"  # BotFather revoked it while the bot runs
                await eventually(lambda: not h.app.running, "the bot stopped", timeout=15)
                stopped_by_itself = True
    assert stopped_by_itself


async def test_update_processing_that_ends_stops_the_bot(tmp_path: Path, quick_supervision: None) -> None:
    stopped_by_itself = False
    async with FaultyBotApi() as api:
        with pytest.raises(PartEnded):
            async with running_bot(tmp_path, api=api) as h:
                fetcher = running_task(f"Application:{h.app.bot.id}:update_fetcher")
                assert fetcher is not None
                fetcher.cancel()
                await eventually(lambda: not h.app.running, "the bot stopped")
                stopped_by_itself = True
    assert stopped_by_itself


async def test_samenspel_run_says_why_and_exits_non_zero_when_a_part_ended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`samenspel run` turns supervision's PartEnded into one line and exit status 3, so a service manager
    restarts it (and no traceback reaches the terminal)."""
    from bot import cli

    async def serve_that_gives_up(app: object, stop: asyncio.Event) -> None:
        raise PartEnded("update processing ended")

    monkeypatch.setattr(bot.app, "serve", serve_that_gives_up)
    async with FaultyBotApi() as api:
        settings = load_settings(
            None,
            telegram={"token": api.token, "base_url": api.base_url, "base_file_url": api.base_file_url},
            storage={"path": tmp_path / "samenspel.db"},
        )
        assert await cli._run(settings) == cli.EXIT_FAILED == 3
    err = capsys.readouterr().err
    assert err.strip().splitlines() == ["samenspel: stopped: update processing ended (the log above says why)"]
