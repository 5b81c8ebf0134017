"""Check-in fan-out benchmark: one schedule firing for 10,000 volunteers against a rate-limited Bot API.

Runs the real Application (PTB long polling, the JobQueue scheduler tick, the outbox sender with PTB's
shared lane-aware rate limiter, SQLite in a temporary directory) against the local fake Telegram Bot API over real HTTP
on 127.0.0.1 (its own thread, same process). The fake API answers sendMessage above
``rate_limit_per_second`` with 429 (retry_after 1); the bot's ``max_messages_per_second`` is set to the
same limit, so the bot is expected to pace itself rather than be refused. Measures:

- prompts per second from the first prompt received to the last, ``(count - 1) / duration``, against
  the limit (goal >= 0.95), and how many 429s the fake API had to give;
- prompts lost and duplicated (every volunteer must receive exactly one "even inchecken");
- wall time, and the time from the scheduler tick that fans out to all prompts queued in the outbox;
- peak RSS of the process (bot and fake API together) and its growth during the fan-out.

Volunteers are registered through ``PeopleService.create_invite`` + ``redeem`` and the schedule through
``CheckInService.add_schedule``; the schedule fires when the (frozen) clock is moved to its fire time and
the app's own JobQueue tick runs (the benchmark never calls ``tick`` itself).

    python -m benchmarks.fanout                  # 10,000 volunteers, 1000 messages/s
    python -m benchmarks.fanout --rate 30        # Telegram's real limit (takes about 6 minutes)
    python -m benchmarks.fanout --quick          # 500 volunteers at 500 messages/s (CI size)

Exit status 1 if a prompt was lost or duplicated; a missed rate goal is a measurement, not a failure.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import logging
import resource
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from datetime import time as clock_time
from pathlib import Path

from benchmarks.common import bot_settings, warning_lines, with_options
from benchmarks.escalation import (
    BenchmarkError,
    RecordingBotApi,
    ScaledClock,
    _WarningCounter,
    running_bot,
    settle,
)
from bot.app import SamenspelApp, Services, services_of
from bot.config import Settings
from bot.domain.models import Role
from bot.sandbox.botapi import FakeBotApi
from bot.sandbox.state import FakeUser

# Monday 23 November 2026. Setup at 10:00 in Amsterdam; the schedule fires Mondays at 19:00 local
# (18:00 UTC), outside the quiet hours (21:00-08:00), so every prompt is due at once.
SETUP_AT = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
FIRE_LOCAL = clock_time(19, 0)
FIRE_AT = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)
PROMPT_MARK = "even inchecken"  # ci.prompt in Dutch
FIRST_VOLUNTEER_ID = 7_000_000
GOAL_RATIO = 0.95
MIB = 1024 * 1024


# ---------------------------------------------------------------------------------------- fake API


class PromptRecordingApi(RecordingBotApi):
    """The fake Bot API, noting the real time (perf_counter) at which each check-in prompt arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.prompts: dict[int, list[float]] = {}  # chat id -> receipt times of "even inchecken"
        self.other_messages = 0

    def _record(self, chat_id: int, text: str, received: float) -> None:
        super()._record(chat_id, text, received)
        with self._receipt_lock:
            if PROMPT_MARK in text:
                self.prompts.setdefault(chat_id, []).append(received)
            else:
                self.other_messages += 1

    def prompt_count(self) -> int:
        with self._receipt_lock:
            return sum(len(times) for times in self.prompts.values())

    def prompted_chats(self) -> int:
        with self._receipt_lock:
            return len(self.prompts)

    def receipt_times(self) -> list[float]:
        with self._receipt_lock:
            return sorted(t for times in self.prompts.values() for t in times)


# -------------------------------------------------------------------------------------------- memory


def current_rss() -> int:
    """Resident set size of this process in bytes (Linux /proc; else the peak so far)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as handle:
            pages = int(handle.read().split()[1])
        return pages * resource.getpagesize()
    except (OSError, ValueError, IndexError):
        return peak_rss()


def peak_rss() -> int:
    """ru_maxrss in bytes (Linux reports KiB, macOS bytes)."""
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value if sys.platform == "darwin" else value * 1024


class RssSampler:
    """Samples the process RSS on its own thread, so a busy event loop does not hide a peak."""

    def __init__(self, interval: float = 0.02) -> None:
        self._interval = interval
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._window_peak = 0
        self._thread = threading.Thread(target=self._run, name="rss-sampler", daemon=True)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(2)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            rss = current_rss()
            with self._lock:
                self._window_peak = max(self._window_peak, rss)

    def restart_window(self) -> int:
        """Start a new measuring window; returns the RSS now."""
        rss = current_rss()
        with self._lock:
            self._window_peak = rss
        return rss

    def window_peak(self) -> int:
        with self._lock:
            return max(self._window_peak, current_rss())


# ------------------------------------------------------------------------------------ config, result


@dataclass(frozen=True)
class Config:
    volunteers: int = 10_000
    rate: float = 1000.0  # messages/s: the fake API's limit and the bot's max_messages_per_second
    tick_seconds: float | None = None  # None: the app's default
    quiet_seconds: float = 1.5  # nothing more may arrive for this long before the run is judged

    @classmethod
    def quick(cls) -> Config:
        return cls(volunteers=500, rate=500.0, quiet_seconds=1.0)


@dataclass
class Tick:
    started: float
    ended: float = 0.0
    queued: int = 0  # prompts queued in the outbox (check-ins marked prompted) when the tick ended


@dataclass
class Result:
    config: Config
    port: int = 0
    tick_seconds: float = 0.0
    volunteers: int = 0
    clock_moved: float = 0.0  # perf_counter when the clock reached the fire time
    fan_out_tick: Tick | None = None
    receipts: list[float] = field(default_factory=list)  # every prompt, sorted (perf_counter)
    per_chat: Counter[int] = field(default_factory=Counter)  # prompts per volunteer chat
    lost: int = 0
    duplicates: int = 0
    rate_limited: int = 0  # 429s the fake API gave
    retried: int = 0  # outbox rows that needed more than one attempt
    other_messages: int = 0  # non-prompt sendMessage calls during the fan-out
    phases: dict[str, float] = field(default_factory=dict)  # real seconds
    rss: dict[str, int] = field(default_factory=dict)  # bytes
    warnings: Counter[str] = field(default_factory=Counter)

    @property
    def delivered(self) -> int:
        return len(self.receipts)

    @property
    def send_seconds(self) -> float:
        return self.receipts[-1] - self.receipts[0] if len(self.receipts) > 1 else 0.0

    @property
    def achieved_rate(self) -> float:
        seconds = self.send_seconds
        return (len(self.receipts) - 1) / seconds if seconds > 0 else float("nan")

    @property
    def ratio(self) -> float:
        return self.achieved_rate / self.config.rate

    def rate_between(self, first: int, last: int) -> float:
        """Messages per second between the `first`-th and `last`-th receipt (0-based, inclusive)."""
        last = min(last, len(self.receipts) - 1)
        if last <= first:
            return float("nan")
        seconds = self.receipts[last] - self.receipts[first]
        return (last - first) / seconds if seconds > 0 else float("nan")


# ---------------------------------------------------------------------------------------------- setup


def make_settings(api: FakeBotApi, db_path: Path, rate: float, tick_seconds: float | None) -> Settings:
    # The same limit as the fake API's: the bot's rate limiter must pace itself under it.
    return bot_settings(api, db_path, max_messages_per_second=rate, tick_seconds=tick_seconds)


async def register_volunteers(api: FakeBotApi, services: Services, count: int) -> list[FakeUser]:
    """`count` volunteers, each through an invite and its redemption, as the services do it."""
    people = services.people
    users = [FakeUser(id=FIRST_VOLUNTEER_ID + n, first_name=f"V{n}") for n in range(count)]
    for user in users:
        api.register_user(user)
        issued = await people.create_invite(by=None, role=Role.VOLUNTEER, name=user.first_name, team_id=None)
        outcome = await people.redeem(telegram_id=user.id, language_code="nl", code=issued.code)
        if outcome.person is None:
            raise BenchmarkError(f"volunteer {user.first_name} could not redeem the invite: {outcome.result}")
    return users


def watch_ticks(services: Services, since: Callable[[], float | None]) -> list[Tick]:
    """Note the real start and end of every scheduler tick once `since()` is set (observation only:
    the JobQueue job looks up ``scheduler.tick`` on every run, so wrapping it changes no behaviour)."""
    scheduler = services.scheduler
    original = scheduler.tick
    ticks: list[Tick] = []

    async def observed() -> None:
        if since() is None:
            await original()
            return
        tick = Tick(started=time.perf_counter())
        ticks.append(tick)
        await original()
        tick.ended = time.perf_counter()
        async with services.db.transaction() as tx:
            # Reading a count only: check-ins are marked prompted in the transaction that queues the prompt.
            tick.queued = int(await tx.scalar("SELECT COUNT(*) FROM checkins WHERE prompted_at IS NOT NULL"))

    scheduler.tick = observed  # type: ignore[method-assign]
    return ticks


async def wait_for_prompts(api: PromptRecordingApi, expected: int, stall_seconds: float) -> None:
    """Until every volunteer has a prompt, or nothing new arrived for `stall_seconds`."""
    last_count = -1
    progress_at = time.perf_counter()
    while True:
        count = api.prompted_chats()
        now = time.perf_counter()
        if count >= expected:
            return
        if count != last_count:
            last_count, progress_at = count, now
        elif now - progress_at > stall_seconds:
            return
        await asyncio.sleep(0.02)


async def count_retried(app: SamenspelApp) -> int:
    async with services_of(app).db.transaction() as tx:
        return int(await tx.scalar("SELECT COUNT(*) FROM outbox WHERE attempts > 1"))


# ---------------------------------------------------------------------------------------------- run


async def run(config: Config, progress: Callable[[str], None] | None = None) -> Result:
    say = progress or (lambda line: print(line, file=sys.stderr, flush=True))
    started = time.perf_counter()
    result = Result(config=config)
    counter = _WarningCounter(result.warnings)
    logging.getLogger().addHandler(counter)
    api = PromptRecordingApi()
    with RssSampler() as sampler:
        result.rss["start"] = current_rss()
        await asyncio.to_thread(api.start_in_thread)
        try:
            with tempfile.TemporaryDirectory(prefix="samenspel-bench-") as tmp:
                settings = make_settings(api, Path(tmp) / "samenspel.db", config.rate, config.tick_seconds)
                result.port, result.tick_seconds = api.port, settings.app.tick_seconds
                clock = ScaledClock(SETUP_AT, speed=1.0)  # stays frozen: only moved by hand
                async with running_bot(settings, clock) as app:
                    services = services_of(app)
                    ticks = watch_ticks(services, lambda: result.clock_moved or None)
                    result.rss["bot started"] = current_rss()

                    mark = time.perf_counter()
                    users = await register_volunteers(api, services, config.volunteers)
                    await services.checkins.add_schedule(
                        None, audience="everyone", weekdays=frozenset({0}), local_time=FIRE_LOCAL
                    )
                    await settle(app, api)
                    result.volunteers = len(users)
                    result.phases["register volunteers"] = time.perf_counter() - mark
                    say(
                        f"setup: {len(users)} volunteers registered through invites in "
                        f"{result.phases['register volunteers']:.1f} s; firing the schedule "
                        f"(limit {config.rate:g} messages/s) …"
                    )

                    # Only now does the fake API start refusing: setup traffic does not drain its bucket.
                    api.rate_limit_per_second = config.rate
                    result.rss["before fire"] = sampler.restart_window()
                    sent_before = api.other_messages
                    clock.freeze(FIRE_AT)
                    result.clock_moved = time.perf_counter()
                    await wait_for_prompts(api, len(users), stall_seconds=30.0)
                    await settle(app, api, limit=120.0, quiet=config.quiet_seconds)
                    result.phases["fan-out (clock moved to all sent)"] = time.perf_counter() - result.clock_moved
                    result.rss["peak during fan-out"] = sampler.window_peak()
                    result.rss["after fan-out"] = current_rss()

                    result.fan_out_tick = next((tick for tick in ticks if tick.queued), None)
                    result.rate_limited = api.rate_limited
                    result.retried = await count_retried(app)
                    result.other_messages = api.other_messages - sent_before
                    result.receipts = api.receipt_times()
                    with api._receipt_lock:
                        result.per_chat = Counter({chat: len(times) for chat, times in api.prompts.items()})
                    expected = {user.id for user in users}
                    result.lost = sum(1 for chat in expected if result.per_chat[chat] == 0)
                    result.duplicates = sum(max(0, n - 1) for n in result.per_chat.values())
                    result.duplicates += sum(n for chat, n in result.per_chat.items() if chat not in expected)
        finally:
            await asyncio.to_thread(api.stop_thread)
            logging.getLogger().removeHandler(counter)
    result.phases["total"] = time.perf_counter() - started
    result.rss["peak (ru_maxrss)"] = peak_rss()
    return result


# ------------------------------------------------------------------------------------------- report


def report(result: Result) -> str:
    config = result.config
    tick = result.fan_out_tick
    n = result.delivered
    lines = [
        "Samenspel check-in fan-out benchmark",
        f"  real HTTP to the fake Bot API on 127.0.0.1:{result.port} (own thread, same process); "
        f"sendMessage limited to {config.rate:g}/s (429 retry_after=1 above it)",
        f"  bot: max_messages_per_second={config.rate:g} (bot.pacing.LanePacer, no retries; the outbox "
        f"retries 429s); scheduler tick {result.tick_seconds:g} s",
        f"  one schedule (everyone, Monday 19:00) firing for {result.volunteers} volunteers",
        "",
        f"  prompts received: {n} of {result.volunteers}; lost {result.lost}; duplicates {result.duplicates}; "
        f"other messages during the fan-out {result.other_messages}",
        f"  429s from the fake API: {result.rate_limited}; outbox rows needing more than one attempt: {result.retried}",
    ]
    if n > 1:
        burst = int(config.rate)
        lines += [
            f"  first to last prompt: {result.send_seconds:.2f} s; rate {result.achieved_rate:.0f}/s = "
            f"{result.ratio:.3f} of {config.rate:g}/s (goal >= {GOAL_RATIO:g})",
            f"  rate by stretch: first {min(burst, n)} prompts (the limiter's initial burst allowance) "
            f"{result.rate_between(0, burst):.0f}/s; after them {result.rate_between(burst, n - 1):.0f}/s; "
            f"middle 80% {result.rate_between(n // 10, n - 1 - n // 10):.0f}/s",
        ]
    if tick is not None:
        queued = tick.ended - tick.started
        first = result.receipts[0] - tick.started if result.receipts else float("nan")
        lines.append(
            f"  fan-out tick: started {tick.started - result.clock_moved:.2f} s after the clock moved; "
            f"{tick.queued} prompts queued in the outbox {queued:.2f} s after it started; "
            f"first prompt received {first:.2f} s after it started"
        )
        during = bisect.bisect_right(result.receipts, tick.ended)
        if 1 < during < n:
            lines.append(
                f"  rate while the tick was still queueing: {during} prompts at "
                f"{result.rate_between(0, during - 1):.0f}/s; after it: {n - during} prompts at "
                f"{result.rate_between(during, n - 1):.0f}/s"
            )
    else:
        lines.append("  fan-out tick: no tick queued any prompt")
    lines.append("  wall time: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.phases.items()))
    rss = result.rss
    growth = rss.get("peak during fan-out", 0) - rss.get("before fire", 0)
    lines.append(
        "  RSS (bot + in-process fake API): "
        + ", ".join(f"{name} {value / MIB:.0f} MiB" for name, value in rss.items())
        + f"; growth during fan-out {growth / MIB:.0f} MiB"
    )
    lines += warning_lines(result.warnings)
    lines.append(
        f"fanout benchmark: {n} prompts at {result.achieved_rate:.0f}/s = {result.ratio:.2f} of {config.rate:g}/s "
        f"(goal >= {GOAL_RATIO:g}); lost={result.lost}; duplicates={result.duplicates}; "
        f"429s={result.rate_limited}; peak RSS={rss['peak (ru_maxrss)'] / MIB:.0f} MiB"
    )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> Config:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fanout", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="CI size: 500 volunteers at 500 messages/s")
    parser.add_argument("--volunteers", type=int, help="volunteers the schedule fires for (default 10000)")
    parser.add_argument("--rate", type=float, help="messages/s limit of the fake API and the bot (default 1000)")
    parser.add_argument("--tick", type=float, help="scheduler tick in real seconds (default: the app's)")
    args = parser.parse_args(argv)
    options = {"volunteers": args.volunteers, "rate": args.rate, "tick_seconds": args.tick}
    config = with_options(Config.quick() if args.quick else Config(), options)
    if config.volunteers < 1 or config.rate <= 0:
        parser.error("volunteers must be at least 1 and rate positive")
    return config


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_args(argv)
    result = asyncio.run(run(config))
    print(report(result))
    return 1 if result.lost or result.duplicates else 0


if __name__ == "__main__":
    sys.exit(main())
