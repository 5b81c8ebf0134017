"""Escalation engine benchmark: timer lateness and signal-to-alert latency.

Runs the real Application (PTB long polling, the JobQueue scheduler tick, the outbox sender, SQLite in a
temporary directory) against the local fake Telegram Bot API over real HTTP on 127.0.0.1, and measures:

1. Timer lateness. Urgent signals whose first-level wait (10 min) expires at instants spread uniformly
   over one simulated hour. Lateness = the real time at which the fake API received the backup
   professional's alert minus the real time at which the simulated clock reached the escalation's
   ``next_step_at``. A ``ScaledClock`` makes the hour pass ``--speed`` times faster; the app's own
   scheduler tick drives the engine (the benchmark never calls ``tick`` itself).
2. Signal-to-alert processing. The volunteer's final "Versturen" tap of /signal, injected into the fake
   API as a callback_query, until the fake API receives the professional's alert. One at a time.

    python -m benchmarks.escalation             # 1,000 escalations, speed 60 (the hour takes 60 s)
    python -m benchmarks.escalation --quick     # 100 escalations at speed 600 (CI size)

Once set up, the fake API answers sendMessage above ``--rate`` (30 a second, Telegram's limit) with 429, and the
bot's ``max_messages_per_second`` is the same, so the alerts share Telegram's real budget with the edits and
notices around them (``--rate 0``: no limit, the bot may send 1000 a second: the engine alone).
The per-person limit stays on, but its burst is the benchmark's own (sized to
the updates its busiest simulated person sends, since they act at machine speed, not at a person's pace;
`--burst 30` runs it with the product's default instead); the report says how many updates it refused.
Exit status 1 only if an expected alert never arrived; a missed goal is a measurement, not a failure.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import math
import re
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Collection, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

from benchmarks.common import bot_settings, warning_lines, with_options
from bot.app import SamenspelApp, Services, build_application, serve, services_of
from bot.config import DEFAULT_UPDATES_BURST, Settings
from bot.domain.escalation import Kind, Urgency
from bot.domain.models import Person, Role
from bot.sandbox.botapi import FakeBotApi
from bot.sandbox.state import FakeUser, SentMessage
from storage import outbox
from tests.support.faulty_bot_api import FaultyBotApi

T = TypeVar("T")

# A Monday, 10:00 in Amsterdam: inside working hours (irrelevant for urgent signals, but realistic).
HOUR_START = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
SETUP_AT = HOUR_START - timedelta(hours=1)
HOUR = timedelta(hours=1)
CATEGORY = "health"
CATEGORY_LABEL = "Gezondheid"  # cat.health in Dutch
URGENT_LABEL = "Dringend"  # a unique part of "🔴 Dringend"
SEND_LABEL = "Versturen"
PICK_UP_LABEL = "Ik pak het op"
GOAL_LATENESS_P99_S = 0.5
GOAL_SIGNAL_P99_MS = 100.0

# "bench 12" marks timer item 12; "bench signal 12" marks signal 12 (both unique in every chat).
_TOKEN = re.compile(r"\bbench (signal )?(\d+)\b")
TIMER = "timer"
SIGNAL = "signal"
Key = tuple[int, str, int]  # (chat id, TIMER or SIGNAL, number)


class BenchmarkError(Exception):
    pass


# ------------------------------------------------------------------------------------------- clock


class ScaledClock:
    """A `bot.clock.Clock` whose simulated time runs `speed` times faster than real time.

    Running: simulated = anchor + (real elapsed since the anchor) × speed. It can also be frozen at any
    instant (setup only may move it backwards), and converts a simulated instant back to real time.
    Real time is `time.perf_counter()`, the same scale the fake API's receipts use.
    """

    def __init__(self, start: datetime, speed: float) -> None:
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.speed = speed
        self._lock = threading.Lock()
        self._anchor_sim = start.astimezone(UTC)
        self._anchor_real = time.perf_counter()
        self._running = False

    def now(self) -> datetime:
        with self._lock:
            return self._sim_at(time.perf_counter())

    def _sim_at(self, real: float) -> datetime:
        if not self._running:
            return self._anchor_sim
        return self._anchor_sim + timedelta(seconds=(real - self._anchor_real) * self.speed)

    @property
    def running(self) -> bool:
        with self._lock:
            return self._running

    def freeze(self, at: datetime | None = None) -> datetime:
        """Stand still at `at`, or at the current simulated time. Returns that instant."""
        with self._lock:
            moment = self._sim_at(time.perf_counter()) if at is None else at.astimezone(UTC)
            self._anchor_sim = moment
            self._running = False
            return moment

    def run(self) -> float:
        """Let simulated time run on from where it stands. Returns the real start (perf_counter)."""
        with self._lock:
            self._anchor_real = time.perf_counter()
            self._running = True
            return self._anchor_real

    def real_seconds_until(self, moment: datetime) -> float:
        """How far `moment` is in real seconds (the scheduler wakes for it); frozen: never reached."""
        if not self.running:
            return math.inf
        return self.real_at(moment) - time.perf_counter()

    def real_at(self, moment: datetime) -> float:
        """The perf_counter value at which the running clock reaches `moment`."""
        with self._lock:
            if not self._running:
                raise RuntimeError("the clock is frozen")
            return self._anchor_real + (moment - self._anchor_sim).total_seconds() / self.speed


# ---------------------------------------------------------------------------------------- fake API


class RecordingBotApi(FaultyBotApi):
    """The fake Bot API, noting the real time at which each benchmark item's sendMessage arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.receipts: dict[Key, float] = {}
        self.sent_total = 0
        self._receipt_lock = threading.Lock()
        self._waiters: dict[Key, tuple[asyncio.AbstractEventLoop, asyncio.Future[float]]] = {}
        self._watch: tuple[asyncio.AbstractEventLoop, asyncio.Queue[SentMessage], frozenset[int], str] | None = None

    def _store_bot_message(self, chat_id: int, params: Any, method: str, **kwargs: Any) -> Any:
        received = time.perf_counter()
        message = super()._store_bot_message(chat_id, params, method, **kwargs)
        if method == "sendMessage":
            self._record(chat_id, str(message.get("text") or ""), received)
            self._offer(chat_id, int(message["message_id"]))
        return message

    def watch(self, chats: Collection[int], label: str) -> asyncio.Queue[SentMessage]:
        """From now on, every message sent to one of `chats` with a button labelled `label` (a snapshot as
        sent), in order. Instead of polling `messages()`, which copies every message of a chat on each call."""
        queue: asyncio.Queue[SentMessage] = asyncio.Queue()
        with self._lock:
            self._watch = (asyncio.get_running_loop(), queue, frozenset(chats), label)
        return queue

    def unwatch(self) -> None:
        with self._lock:
            self._watch = None

    def _offer(self, chat_id: int, message_id: int) -> None:
        watch = self._watch  # called with the fake API's lock held (it stores the message)
        if watch is None or chat_id not in watch[2]:
            return
        loop, queue, _, label = watch
        sent = self._snapshot(self._by_id[(chat_id, message_id)])
        if has_button(sent, label):
            loop.call_soon_threadsafe(queue.put_nowait, sent)

    def _record(self, chat_id: int, text: str, received: float) -> None:
        with self._receipt_lock:
            self.sent_total += 1
            for match in _TOKEN.finditer(text):
                key = (chat_id, SIGNAL if match.group(1) else TIMER, int(match.group(2)))
                if key in self.receipts:
                    continue
                self.receipts[key] = received
                waiter = self._waiters.pop(key, None)
                if waiter is not None:
                    loop, future = waiter
                    loop.call_soon_threadsafe(_resolve, future, received)

    def expect(self, key: Key) -> asyncio.Future[float]:
        """A future resolved with the receipt time of `key` (at once if it already arrived)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[float] = loop.create_future()
        with self._receipt_lock:
            if key in self.receipts:
                future.set_result(self.receipts[key])
            else:
                self._waiters[key] = (loop, future)
        return future

    def received(self, key: Key) -> float | None:
        with self._receipt_lock:
            return self.receipts.get(key)


def _resolve(future: asyncio.Future[float], value: float) -> None:
    if not future.done():
        future.set_result(value)


# ------------------------------------------------------------------------------------ config, result


@dataclass(frozen=True)
class Config:
    count: int = 1000  # escalations whose first-level wait expires during the simulated hour
    speed: float = 60.0  # simulated seconds per real second
    signals: int = 200  # signal-to-alert samples
    volunteers: int = 50  # each with their own professional and backup
    tick_seconds: float | None = None  # None: the app's default
    burst: int | None = None  # the per-person limit's burst; None: sized to the load (updates_burst_for)
    grace_seconds: float = 30.0  # real seconds to wait past the simulated hour for late alerts
    rate: float = 30.0  # messages/s: the fake API's limit during the hour and the bot's; 0: no limit

    @classmethod
    def quick(cls) -> Config:
        return cls(count=100, speed=600.0, signals=20, volunteers=10, grace_seconds=10.0)


@dataclass
class Result:
    config: Config
    tick_seconds: float
    port: int
    lateness: list[float] = field(default_factory=list)  # seconds
    signal_latency: list[float] = field(default_factory=list)  # seconds
    created: int = 0
    signals_sent: int = 0
    first_level_received: int = 0
    backup_received: int = 0
    signal_received: int = 0
    hour_messages: int = 0  # every sendMessage during the timer phase (alerts, climbs, reminders)
    phases: dict[str, float] = field(default_factory=dict)  # real seconds
    peak_rss_kib: int = 0
    warnings: Counter[str] = field(default_factory=Counter)
    burst: int = 0  # the per-person limit's burst in this run
    per_second: float = 0.0  # and its refill
    refused: int = 0  # updates the per-person limit refused
    rate_limited: int = 0  # 429s the fake API gave

    @property
    def expected(self) -> int:
        return 2 * self.created + self.signals_sent

    @property
    def received(self) -> int:
        return self.first_level_received + self.backup_received + self.signal_received

    @property
    def lost(self) -> int:
        return self.expected - self.received


class _WarningCounter(logging.Handler):
    """Counts warnings and errors logged while the benchmark runs (instead of printing each one)."""

    def __init__(self, counter: Counter[str]) -> None:
        super().__init__(logging.WARNING)
        self.counter = counter

    def emit(self, record: logging.LogRecord) -> None:
        self.counter[f"{record.levelname} {record.name}: {str(record.msg)[:90]}"] += 1


# ------------------------------------------------------------------------------------- organisation


@dataclass(frozen=True)
class Team:
    number: int
    volunteer: FakeUser
    professional: FakeUser
    backup: FakeUser
    person: Person  # the volunteer, as stored after assignment
    link_id: int
    alias: str


async def seed(api: FakeBotApi, services: Services, size: int) -> list[Team]:
    """One coordinator and `size` volunteers, each with their own professional, backup and client."""
    people = services.people

    async def register(user: FakeUser, role: Role) -> int:
        api.register_user(user)
        issued = await people.create_invite(by=None, role=role, name=user.first_name, team_id=None)
        outcome = await people.redeem(telegram_id=user.id, language_code="nl", code=issued.code)
        if outcome.person is None:
            raise BenchmarkError(f"could not register {user.first_name}: {outcome}")
        return outcome.person.id

    coordinator_id = await register(FakeUser(id=900_001, first_name="Coordinator"), Role.COORDINATOR)
    coordinator = await people.get(coordinator_id)
    assert coordinator is not None
    teams: list[Team] = []
    for number in range(1, size + 1):
        volunteer = FakeUser(id=100_000 + number, first_name=f"Vrijwilliger {number}")
        professional = FakeUser(id=200_000 + number, first_name=f"Professional {number}")
        backup = FakeUser(id=300_000 + number, first_name=f"Backup {number}")
        volunteer_id = await register(volunteer, Role.VOLUNTEER)
        professional_id = await register(professional, Role.PROFESSIONAL)
        backup_id = await register(backup, Role.PROFESSIONAL)
        await people.assign(
            coordinator, volunteer_id=volunteer_id, professional_id=professional_id, backup_id=backup_id
        )
        alias = f"C-{number}"
        link, _, _ = await people.link_client(coordinator, volunteer_id=volunteer_id, alias=alias, professional_id=None)
        person = await people.get(volunteer_id)
        assert person is not None
        teams.append(Team(number, volunteer, professional, backup, person, link.id, alias))
    return teams


# ------------------------------------------------------------------------------------------ helpers


def updates_burst_for(config: Config) -> int:
    """A per-person burst the benchmark's simulated people stay inside with room to spare: they send at machine
    speed what a person would spread over minutes. The busiest is a volunteer (six updates a signal round:
    /signal, three taps, the words, Versturen) or a backup (a tap on each alert, and on any reminder)."""
    rounds = math.ceil(config.signals / config.volunteers)
    alerts = math.ceil(config.count / config.volunteers)
    return 2 * max(6 * rounds, alerts) + DEFAULT_UPDATES_BURST


def make_settings(api: FakeBotApi, db_path: Path, config: Config) -> Settings:
    burst = config.burst if config.burst is not None else updates_burst_for(config)
    # Telegram's budget (the fake API refuses above it once set up), or none: the engine alone.
    return bot_settings(
        api, db_path, max_messages_per_second=config.rate or 1000, tick_seconds=config.tick_seconds, updates_burst=burst
    )


@asynccontextmanager
async def running_bot(settings: Settings, clock: ScaledClock) -> AsyncIterator[SamenspelApp]:
    app = build_application(settings, clock=clock)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(app, stop))
    try:
        for _ in range(1000):
            if app.running and app.updater is not None and app.updater.running:
                break
            if task.done():
                task.result()
            await asyncio.sleep(0.01)
        else:
            raise BenchmarkError("the bot did not start within 10 s")
        yield app
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


async def settle(app: SamenspelApp, api: RecordingBotApi, limit: float = 60.0, quiet: float = 0.3) -> None:
    """Until nothing is pending in the outbox or the update queue and nothing was sent for `quiet` s."""
    services = services_of(app)
    deadline = time.perf_counter() + limit
    last_sent = -1
    calm_since = time.perf_counter()
    while True:
        async with services.db.transaction() as tx:
            pending = await outbox.pending_count(tx)
        now = time.perf_counter()
        busy = pending or app.update_queue.qsize() or api.pending_updates
        if busy or api.sent_total != last_sent:
            last_sent = api.sent_total
            calm_since = now
        elif now - calm_since >= quiet:
            return
        if now > deadline:
            raise BenchmarkError(f"the bot did not settle within {limit:.0f} s ({pending} pending)")
        await asyncio.sleep(0.02)


async def each(items: Sequence[T], probe: Callable[[T], SentMessage | None], what: str) -> list[SentMessage]:
    """Wait until `probe` finds a message for every item; returns them in order."""
    found: list[SentMessage | None] = [None] * len(items)
    deadline = time.perf_counter() + 30.0
    while True:
        for index, item in enumerate(items):
            if found[index] is None:
                found[index] = probe(item)
        if all(message is not None for message in found):
            return [message for message in found if message is not None]
        if time.perf_counter() > deadline:
            raise BenchmarkError(f"timed out waiting for {what}")
        await asyncio.sleep(0.01)


def newest(
    api: FakeBotApi, chat_id: int, predicate: Callable[[SentMessage], bool], after: int = 0
) -> SentMessage | None:
    return next((m for m in reversed(api.messages(chat_id)[after:]) if predicate(m)), None)


def by_id(api: FakeBotApi, chat_id: int, message_id: int) -> SentMessage | None:
    return next((m for m in api.messages(chat_id) if m.message_id == message_id), None)


def has_button(message: SentMessage, label: str) -> bool:
    return any(label in text for text in message.button_texts())


def percentile(values: Sequence[float], p: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * p / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


# ------------------------------------------------------------------------------------------- phases


async def raise_escalations(
    app: SamenspelApp, api: RecordingBotApi, clock: ScaledClock, teams: list[Team], count: int
) -> dict[int, datetime]:
    """Raise `count` urgent signals whose first-level wait expires uniformly over the simulated hour.

    They are raised latest first, each with the clock frozen at its own creation instant, so that no
    deadline has passed while the clock is still being moved about.
    """
    services = services_of(app)
    wait = timedelta(minutes=services.settings.escalation.urgent.wait_minutes)
    deadlines: dict[int, datetime] = {}
    for number in reversed(range(count)):
        due = HOUR_START + HOUR * ((number + 0.5) / count)
        clock.freeze(due - wait)
        team = teams[number % len(teams)]
        raised = await services.escalations.raise_item(
            team.person,
            kind=Kind.SIGNAL,
            link_id=team.link_id,
            category=CATEGORY,
            urgency=Urgency.URGENT,
            body=f"bench {number}",
        )
        if raised is None or raised.escalation.next_step_at is None:
            raise BenchmarkError(f"escalation {number} has no next step")
        deadlines[number] = raised.escalation.next_step_at
    clock.freeze(HOUR_START)
    return deadlines


async def timer_phase(
    api: RecordingBotApi,
    clock: ScaledClock,
    teams: list[Team],
    deadlines: dict[int, datetime],
    grace: float,
) -> tuple[list[float], int]:
    """Let the simulated hour run; returns the lateness of every backup alert that arrived."""
    keys = {n: (teams[n % len(teams)].backup.id, TIMER, n) for n in deadlines}
    sent_before = api.sent_total
    backups = {team.backup.id: team.backup for team in teams}
    alerts = api.watch(backups, PICK_UP_LABEL)

    async def acknowledge() -> None:
        """A responsive backup picks each alert up as it arrives: the measured timers do not cascade into
        reminders every ten simulated minutes (60x faster than real, that would be a stress test)."""
        while True:
            message = await alerts.get()
            api.press(backups[message.chat_id], message, PICK_UP_LABEL)

    acknowledger = asyncio.create_task(acknowledge())
    clock.run()
    real_due = {n: clock.real_at(moment) for n, moment in deadlines.items()}
    give_up = clock.real_at(HOUR_START + HOUR) + grace
    while time.perf_counter() < give_up:
        if all(api.received(key) is not None for key in keys.values()):
            break
        await asyncio.sleep(0.1)
    acknowledger.cancel()
    api.unwatch()
    clock.freeze()
    lateness = [received - real_due[n] for n, key in keys.items() if (received := api.received(key)) is not None]
    return lateness, api.sent_total - sent_before


async def drive_to_confirm(api: RecordingBotApi, teams: list[Team], numbers: list[int]) -> list[SentMessage]:
    """Each volunteer goes through /signal up to the confirmation screen, as through the app."""
    before = {team.volunteer.id: len(api.messages(team.volunteer.id)) for team in teams}
    for team in teams:
        api.send_text(team.volunteer, "/signal")
    prompts = await each(
        teams,
        lambda t: newest(api, t.volunteer.id, lambda m: has_button(m, t.alias), before[t.volunteer.id]),
        "the client question",
    )
    steps = ((lambda t: t.alias), CATEGORY_LABEL), ((lambda t: CATEGORY_LABEL), URGENT_LABEL)
    for label_of, following in steps:
        for team, prompt in zip(teams, prompts, strict=True):
            api.press(team.volunteer, prompt, label_of(team))

        def offers(pair: tuple[Team, SentMessage], want: str = following) -> SentMessage | None:
            return _edited_with(api, pair, want)

        prompts = await each(list(zip(teams, prompts, strict=True)), offers, f"buttons with {following!r}")
    for team, prompt in zip(teams, prompts, strict=True):
        api.press(team.volunteer, prompt, URGENT_LABEL)
    await each(
        list(zip(teams, prompts, strict=True)),
        lambda pair: _edited_without(api, pair, URGENT_LABEL),
        "the request for the volunteer's words",
    )
    before = {team.volunteer.id: len(api.messages(team.volunteer.id)) for team in teams}
    for team, number in zip(teams, numbers, strict=True):
        api.send_text(team.volunteer, f"bench signal {number}: ze is gevallen en de koelkast is leeg.")
    return await each(
        teams,
        lambda t: newest(api, t.volunteer.id, lambda m: has_button(m, SEND_LABEL), before[t.volunteer.id]),
        "the confirmation screen",
    )


def _edited_with(api: FakeBotApi, pair: tuple[Team, SentMessage], label: str) -> SentMessage | None:
    team, prompt = pair
    current = by_id(api, team.volunteer.id, prompt.message_id)
    return current if current is not None and has_button(current, label) else None


def _edited_without(api: FakeBotApi, pair: tuple[Team, SentMessage], label: str) -> SentMessage | None:
    team, prompt = pair
    current = by_id(api, team.volunteer.id, prompt.message_id)
    return current if current is not None and not has_button(current, label) else None


async def signal_phase(
    app: SamenspelApp, api: RecordingBotApi, teams: list[Team], count: int
) -> tuple[list[float], int]:
    """`count` final taps, one at a time; returns the tap-to-alert latencies and how many were sent."""
    latencies: list[float] = []
    sent = 0
    for first in range(0, count, len(teams)):
        numbers = list(range(first, min(count, first + len(teams))))
        group = [teams[n % len(teams)] for n in numbers]
        summaries = await drive_to_confirm(api, group, numbers)
        await settle(app, api)
        for team, summary, number in zip(group, summaries, numbers, strict=True):
            arrival = api.expect((team.professional.id, SIGNAL, number))
            injected = time.perf_counter()
            api.press(team.volunteer, summary, SEND_LABEL)
            sent += 1
            try:
                received = await asyncio.wait_for(arrival, timeout=10)
            except TimeoutError:
                continue
            latencies.append(received - injected)
            # Let this update finish (its summary becomes "Verstuurd …") before the next tap.
            await each([(team, summary)], lambda tp: _edited_without(api, tp, SEND_LABEL), "the sent note")
    return latencies, sent


async def run(config: Config, progress: Callable[[str], None] | None = None) -> Result:
    say = progress or (lambda line: print(line, file=sys.stderr, flush=True))
    started = time.perf_counter()
    warnings: Counter[str] = Counter()
    counter = _WarningCounter(warnings)
    logging.getLogger().addHandler(counter)
    api = RecordingBotApi()
    await asyncio.to_thread(api.start_in_thread)
    try:
        with tempfile.TemporaryDirectory(prefix="samenspel-bench-") as tmp:
            settings = make_settings(api, Path(tmp) / "samenspel.db", config)
            clock = ScaledClock(SETUP_AT, config.speed)
            result = Result(config=config, tick_seconds=settings.app.tick_seconds, port=api.port)
            result.burst, result.per_second = settings.app.updates_burst, settings.app.updates_per_second
            async with running_bot(settings, clock) as app:
                teams = await seed(api, services_of(app), config.volunteers)
                deadlines = await raise_escalations(app, api, clock, teams, config.count)
                result.created = len(deadlines)
                await settle(app, api)
                result.first_level_received = sum(
                    api.received((teams[n % len(teams)].professional.id, TIMER, n)) is not None for n in deadlines
                )
                early = sum(api.received((teams[n % len(teams)].backup.id, TIMER, n)) is not None for n in deadlines)
                if early:
                    raise BenchmarkError(f"{early} backup alert(s) went out before the hour started")
                result.phases["setup"] = time.perf_counter() - started
                say(
                    f"setup: {len(teams)} volunteers, {result.created} escalations raised, "
                    f"{result.first_level_received} first-level alerts delivered "
                    f"({result.phases['setup']:.1f} s); running the simulated hour at {config.speed:g}x …"
                )

                api.rate_limit_per_second = config.rate or None  # setup traffic did not drain the bucket
                mark = time.perf_counter()
                result.lateness, result.hour_messages = await timer_phase(
                    api, clock, teams, deadlines, config.grace_seconds
                )
                result.backup_received = len(result.lateness)
                await settle(app, api)
                result.phases["timer"] = time.perf_counter() - mark
                say(f"timer phase: {result.backup_received}/{result.created} backup alerts; signals …")

                mark = time.perf_counter()
                result.signal_latency, result.signals_sent = await signal_phase(app, api, teams, config.signals)
                result.signal_received = len(result.signal_latency)
                await settle(app, api)
                result.phases["signals"] = time.perf_counter() - mark
                result.refused = services_of(app).limiter.refused
                result.rate_limited = api.rate_limited
    finally:
        await asyncio.to_thread(api.stop_thread)
        logging.getLogger().removeHandler(counter)
    result.phases["total"] = time.perf_counter() - started
    result.peak_rss_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result.warnings = warnings
    return result


# ------------------------------------------------------------------------------------------- report


def report(result: Result) -> str:
    config = result.config
    late = result.lateness
    signal_ms = [value * 1000 for value in result.signal_latency]
    real_hour = 3600 / config.speed
    lines = [
        "Samenspel escalation benchmark",
        f"  real HTTP to the fake Bot API on 127.0.0.1:{result.port} (own thread, same process); "
        + (
            f"sendMessage limited to {config.rate:g}/s after setup (429 above it), app max_messages_per_second="
            f"{config.rate:g}; 429s: {result.rate_limited}"
            if config.rate
            else "no rate limit in the fake API, app max_messages_per_second=1000: the engine alone"
        ),
        f"  {result.created} urgent signals, first-level wait 10 min, deadlines spread over 1 simulated hour "
        f"at {config.speed:g}x ({real_hour:g} s real); scheduler tick {result.tick_seconds:g} s real;",
        f"  {config.volunteers} volunteers, each with own professional and backup; 1 coordinator;"
        " each backup acknowledges its alert",
        f"  per-person limit: burst {result.burst}, {result.per_second:g} a second back "
        f"(the product's default is {DEFAULT_UPDATES_BURST}); updates refused: {result.refused}",
        "",
        f"  {'metric':<24}{'n':>6}{'p50':>9}{'p90':>9}{'p99':>9}{'max':>9}  goal",
    ]
    for name, values, goal in (
        ("timer lateness (s)", late, f"p99 <= {GOAL_LATENESS_P99_S:g} s"),
        ("signal-to-alert (ms)", signal_ms, f"p99 <= {GOAL_SIGNAL_P99_MS:g} ms"),
    ):
        figures = "".join(f"{percentile(values, p):>9.3f}" for p in (50, 90, 99, 100))
        lines.append(f"  {name:<24}{len(values):>6}{figures}  {goal}")
    lines += [
        "",
        f"  escalations created: {result.created} (+ {result.signals_sent} signals through the UI)",
        f"  alerts received: first level {result.first_level_received}/{result.created}, "
        f"backup {result.backup_received}/{result.created}, signal {result.signal_received}/"
        f"{result.signals_sent}; expected {result.expected}, received {result.received}, lost {result.lost}",
        f"  messages sent during the hour (backup + coordinator alerts, reminders): {result.hour_messages}",
        "  wall time: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.phases.items()),
        f"  peak RSS of this process (bot + in-process fake API): {result.peak_rss_kib / 1024:.0f} MiB",
    ]
    lines += warning_lines(result.warnings)
    lines.append(
        f"escalation benchmark: timer lateness p50={percentile(late, 50):.3f} "
        f"p99={percentile(late, 99):.3f} s "
        f"(goal p99 <= {GOAL_LATENESS_P99_S:g} s); signal-to-alert p50={percentile(signal_ms, 50):.1f} "
        f"p99={percentile(signal_ms, 99):.1f} ms (goal p99 <= {GOAL_SIGNAL_P99_MS:g} ms); lost={result.lost}"
    )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> Config:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.escalation", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="CI size: 100 items at speed 600, 20 signals")
    parser.add_argument("--count", type=int, help="escalations due during the hour (default 1000)")
    parser.add_argument("--speed", type=float, help="simulated seconds per real second (default 60)")
    parser.add_argument("--signals", type=int, help="signal-to-alert samples (default 200)")
    parser.add_argument("--volunteers", type=int, help="volunteers, each with professional and backup (50)")
    parser.add_argument("--tick", type=float, help="scheduler tick in real seconds (default: the app's)")
    parser.add_argument("--burst", type=int, help="per-person limit's burst (default: sized to the load; 0 = off)")
    parser.add_argument("--rate", type=float, help="messages/s limit of the fake API and the bot (30; 0 = none)")
    args = parser.parse_args(argv)
    options = {
        "count": args.count,
        "speed": args.speed,
        "signals": args.signals,
        "volunteers": args.volunteers,
        "tick_seconds": args.tick,
        "burst": args.burst,
        "rate": args.rate,
    }
    config = with_options(Config.quick() if args.quick else Config(), options)
    if config.count < 1 or config.volunteers < 1 or config.signals < 0 or config.speed <= 0 or config.rate < 0:
        parser.error("count and volunteers must be at least 1, signals at least 0, speed positive")
    return config


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_args(argv)
    result = asyncio.run(run(config))
    print(report(result))
    return 1 if result.lost else 0


if __name__ == "__main__":
    sys.exit(main())
