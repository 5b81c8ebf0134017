"""Priority benchmark: urgent alerts during a check-in fan-out at Telegram's real rate, with a flood of strangers.

Runs the real Application (PTB long polling, the JobQueue scheduler tick, the outbox sender and the shared
lane-aware rate limiter, SQLite in a temporary directory) against the local fake Telegram Bot API over real
HTTP on 127.0.0.1 (its own thread, same process). Once set up, the fake API answers sendMessage above
``--rate`` (30 a second, Telegram's limit) with 429; the bot's ``max_messages_per_second`` is the same.

- A check-in schedule fires for ``--volunteers`` volunteers (3,000: the whole budget for 100 seconds).
- ``--signals`` urgent signals (20) are raised through the escalation service at random moments during the
  fan-out; each is timed from the call until the fake API receives the professional's alert.
- ``--strangers`` strangers (1,500) write at once in the middle of the fan-out; they share one reply budget
  (``[app] stranger_replies_burst``, about one a second), the rest get no answer.

It prints the signal-to-alert time (p50, p99, max; goal p99 <= 2 s), prompts lost and duplicated (goal 0),
the fan-out's rate against the limit (every sendMessage between the first and the last prompt; goal >= 0.95),
and the stranger replies sent.

    python -m benchmarks.priority            # 3,000 volunteers at 30/s, 20 signals, 1,500 strangers (~2 min)
    python -m benchmarks.priority --quick    # 600 volunteers at 60/s, 10 signals, 300 strangers

Exit status 1 if a prompt was lost or duplicated or an alert never arrived; a missed timing goal is a
measurement, not a failure.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import random
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import bot_settings, warning_lines, with_options
from benchmarks.escalation import (
    CATEGORY,
    TIMER,
    ScaledClock,
    Team,
    _WarningCounter,
    percentile,
    running_bot,
    seed,
    settle,
)
from benchmarks.fanout import (
    FIRE_AT,
    FIRE_LOCAL,
    GOAL_RATIO,
    SETUP_AT,
    PromptRecordingApi,
    register_volunteers,
    wait_for_prompts,
)
from bot.app import Services, services_of
from bot.config import Settings
from bot.domain.escalation import Kind, Urgency
from bot.sandbox.botapi import FakeBotApi
from bot.sandbox.state import FakeUser

GOAL_ALERT_P99_S = 2.0
FIRST_STRANGER_ID = 9_000_000


class LaneRecordingApi(PromptRecordingApi):
    """The fake Bot API, also noting when each sendMessage arrived and to which chat."""

    def __init__(self) -> None:
        super().__init__()
        self.sends: list[tuple[float, int]] = []  # (perf_counter, chat id)
        self._sends_lock = threading.Lock()

    def _record(self, chat_id: int, text: str, received: float) -> None:
        super()._record(chat_id, text, received)
        with self._sends_lock:
            self.sends.append((received, chat_id))

    def sends_snapshot(self) -> list[tuple[float, int]]:
        with self._sends_lock:
            return list(self.sends)


@dataclass(frozen=True)
class Config:
    volunteers: int = 3000
    rate: float = 30.0  # messages/s: the fake API's limit and the bot's max_messages_per_second
    signals: int = 20
    strangers: int = 1500
    stranger_burst: int = 5  # [app] stranger_replies_burst (the product's default)
    seed: int = 13
    tick_seconds: float | None = None  # None: the app's default

    @classmethod
    def quick(cls) -> Config:
        return cls(volunteers=600, rate=60.0, signals=10, strangers=300)

    @property
    def fan_out_seconds(self) -> float:
        """How long the prompts take at the limit: the window the signals and strangers fall into."""
        return self.volunteers / self.rate


@dataclass
class Result:
    config: Config
    port: int = 0
    tick_seconds: float = 0.0
    alert_seconds: list[float] = field(default_factory=list)  # signal raised -> professional's alert received
    alerts_missing: int = 0
    prompts: int = 0
    lost: int = 0
    duplicates: int = 0
    fan_out_seconds: float = 0.0  # first to last prompt
    sent_during_fan_out: int = 0  # every sendMessage in that window (prompts, alerts, stranger replies)
    stranger_replies: int = 0
    strangers_at: float = 0.0  # seconds after the clock moved
    rate_limited: int = 0  # 429s the fake API gave
    retried: int = 0  # outbox rows that needed more than one attempt
    phases: dict[str, float] = field(default_factory=dict)
    warnings: Counter[str] = field(default_factory=Counter)

    @property
    def rate(self) -> float:
        seconds = self.fan_out_seconds
        return (self.sent_during_fan_out - 1) / seconds if seconds > 0 else float("nan")

    @property
    def ratio(self) -> float:
        return self.rate / self.config.rate

    @property
    def prompt_rate(self) -> float:
        seconds = self.fan_out_seconds
        return (self.prompts - 1) / seconds if seconds > 0 else float("nan")


def make_settings(api: FakeBotApi, db_path: Path, config: Config) -> Settings:
    # The fake API's own limit: the bot paces itself under it.
    return bot_settings(
        api,
        db_path,
        max_messages_per_second=config.rate,
        tick_seconds=config.tick_seconds,
        stranger_replies_burst=config.stranger_burst,
    )


async def raise_signals(
    services: Services, api: LaneRecordingApi, teams: list[Team], moments: list[float], started: float
) -> tuple[list[float], int]:
    """Raise an urgent signal at each moment (seconds after `started`); the time each took to reach the
    professional, and how many never did."""

    async def one(number: int, moment: float) -> float | None:
        await asyncio.sleep(max(0.0, started + moment - time.perf_counter()))
        team = teams[number % len(teams)]
        expected = api.expect((team.professional.id, TIMER, number))
        raised_at = time.perf_counter()
        await services.escalations.raise_item(
            team.person,
            kind=Kind.SIGNAL,
            link_id=team.link_id,
            category=CATEGORY,
            urgency=Urgency.URGENT,
            body=f"bench {number}",
        )
        try:
            received = await asyncio.wait_for(expected, timeout=60)
        except TimeoutError:
            return None
        return received - raised_at

    timings = await asyncio.gather(*(one(n, moment) for n, moment in enumerate(moments)))
    found = [value for value in timings if value is not None]
    return found, len(timings) - len(found)


async def strangers_write(api: FakeBotApi, strangers: list[FakeUser], at: float, started: float) -> None:
    await asyncio.sleep(max(0.0, started + at - time.perf_counter()))
    for user in strangers:
        api.send_text(user, "Hallo, wie is dit?")


async def run(config: Config, progress: Callable[[str], None] | None = None) -> Result:
    say = progress or (lambda line: print(line, file=sys.stderr, flush=True))
    started = time.perf_counter()
    result = Result(config=config)
    counter = _WarningCounter(result.warnings)
    logging.getLogger().addHandler(counter)
    rng = random.Random(config.seed)
    api = LaneRecordingApi()
    await asyncio.to_thread(api.start_in_thread)
    try:
        with tempfile.TemporaryDirectory(prefix="samenspel-bench-") as tmp:
            settings = make_settings(api, Path(tmp) / "samenspel.db", config)
            result.port, result.tick_seconds = api.port, settings.app.tick_seconds
            clock = ScaledClock(SETUP_AT, speed=1.0)  # stays frozen: only moved by hand
            async with running_bot(settings, clock) as app:
                services = services_of(app)
                teams = await seed(api, services, max(1, min(config.signals, 20)))
                users = await register_volunteers(api, services, config.volunteers - len(teams))
                await services.checkins.add_schedule(
                    None, audience="everyone", weekdays=frozenset({0}), local_time=FIRE_LOCAL
                )
                strangers = [FakeUser(id=FIRST_STRANGER_ID + n, first_name=f"S{n}") for n in range(config.strangers)]
                for stranger in strangers:
                    api.register_user(stranger)
                await settle(app, api)
                result.phases["setup"] = time.perf_counter() - started
                volunteer_chats = {user.id for user in users} | {team.volunteer.id for team in teams}
                say(
                    f"setup: {len(volunteer_chats)} volunteers ({result.phases['setup']:.0f} s); firing the "
                    f"schedule at {config.rate:g} messages/s with {config.signals} signals and "
                    f"{config.strangers} strangers …"
                )

                # Only now does the fake API start refusing: setup traffic does not drain its bucket.
                api.rate_limit_per_second = config.rate
                window = config.fan_out_seconds
                moments = sorted(rng.uniform(0.05 * window, 0.9 * window) for _ in range(config.signals))
                result.strangers_at = window / 2
                clock.freeze(FIRE_AT)
                moved = time.perf_counter()
                flood = asyncio.create_task(strangers_write(api, strangers, result.strangers_at, moved))
                result.alert_seconds, result.alerts_missing = await raise_signals(services, api, teams, moments, moved)
                await flood
                await wait_for_prompts(api, len(volunteer_chats), stall_seconds=30.0)
                await settle(app, api, limit=120.0, quiet=1.5)
                result.phases["fan-out"] = time.perf_counter() - moved

                receipts = api.receipt_times()
                with api._receipt_lock:
                    per_chat = Counter({chat: len(times) for chat, times in api.prompts.items()})
                result.prompts = len(receipts)
                result.lost = sum(1 for chat in volunteer_chats if per_chat[chat] == 0)
                result.duplicates = sum(max(0, n - 1) for n in per_chat.values())
                result.duplicates += sum(n for chat, n in per_chat.items() if chat not in volunteer_chats)
                sends = api.sends_snapshot()
                if receipts:
                    first, last = receipts[0], receipts[-1]
                    result.fan_out_seconds = last - first
                    result.sent_during_fan_out = sum(1 for at, _ in sends if first <= at <= last)
                stranger_ids = {stranger.id for stranger in strangers}
                result.stranger_replies = sum(1 for _, chat in sends if chat in stranger_ids)
                result.rate_limited = api.rate_limited
                async with services.db.transaction() as tx:
                    result.retried = int(await tx.scalar("SELECT COUNT(*) FROM outbox WHERE attempts > 1"))
    finally:
        await asyncio.to_thread(api.stop_thread)
        logging.getLogger().removeHandler(counter)
    result.phases["total"] = time.perf_counter() - started
    return result


def report(result: Result) -> str:
    config = result.config
    alerts = result.alert_seconds
    lines = [
        "Samenspel priority benchmark",
        f"  real HTTP to the fake Bot API on 127.0.0.1:{result.port} (own thread, same process); "
        f"sendMessage limited to {config.rate:g}/s (429 above it); bot max_messages_per_second={config.rate:g} "
        f"(one lane-aware limiter for the outbox and direct replies); scheduler tick {result.tick_seconds:g} s",
        f"  one schedule firing for {config.volunteers} volunteers (~{config.fan_out_seconds:.0f} s at the limit); "
        f"{config.signals} urgent signals raised at random moments in it (seed {config.seed}); "
        f"{config.strangers} strangers writing at once {result.strangers_at:.0f} s in "
        f"(reply budget: burst {config.stranger_burst}, then 1/s)",
        "",
        f"  signal -> alert at the professional: p50 {percentile(alerts, 50):.2f} s, "
        f"p99 {percentile(alerts, 99):.2f} s, max {max(alerts, default=float('nan')):.2f} s "
        f"(goal p99 <= {GOAL_ALERT_P99_S:g} s); "
        f"{len(alerts)} of {config.signals} arrived",
        f"  prompts: {result.prompts} received; lost {result.lost}; duplicated {result.duplicates}",
        f"  fan-out: first to last prompt {result.fan_out_seconds:.1f} s; {result.sent_during_fan_out} messages in it "
        f"= {result.rate:.1f}/s = {result.ratio:.3f} of the limit (goal >= {GOAL_RATIO:g}); prompts alone "
        f"{result.prompt_rate:.1f}/s",
        f"  stranger replies sent: {result.stranger_replies} of {config.strangers} strangers",
        f"  429s from the fake API: {result.rate_limited}; outbox rows needing more than one attempt: {result.retried}",
        "  wall time: " + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.phases.items()),
    ]
    lines += warning_lines(result.warnings)
    lines.append(
        f"priority benchmark: alert p99={percentile(alerts, 99):.2f} s (goal <= {GOAL_ALERT_P99_S:g}); "
        f"fan-out {result.ratio:.2f} of {config.rate:g}/s (goal >= {GOAL_RATIO:g}); lost={result.lost}; "
        f"duplicates={result.duplicates}; stranger replies={result.stranger_replies}"
    )
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> Config:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.priority", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="600 volunteers at 60/s, 10 signals, 300 strangers")
    parser.add_argument("--volunteers", type=int, help="volunteers the schedule fires for (default 3000)")
    parser.add_argument("--rate", type=float, help="messages/s limit of the fake API and the bot (default 30)")
    parser.add_argument("--signals", type=int, help="urgent signals during the fan-out (default 20, at most 20 teams)")
    parser.add_argument("--strangers", type=int, help="strangers writing at once mid-way (default 1500)")
    parser.add_argument("--seed", type=int, help="the random moments of the signals (default 13)")
    parser.add_argument("--tick", type=float, help="scheduler tick in real seconds (default: the app's)")
    args = parser.parse_args(argv)
    options = {
        "volunteers": args.volunteers,
        "rate": args.rate,
        "signals": args.signals,
        "strangers": args.strangers,
        "seed": args.seed,
        "tick_seconds": args.tick,
    }
    config = with_options(Config.quick() if args.quick else Config(), options)
    if config.volunteers <= config.signals or config.rate <= 0 or config.signals < 1:
        parser.error("need more volunteers than signals, at least one signal and a positive rate")
    return config


def main(argv: Sequence[str] | None = None) -> int:
    config = parse_args(argv)
    result = asyncio.run(run(config))
    print(report(result))
    if result.lost or result.duplicates or result.alerts_missing:
        raise SystemExit(1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
