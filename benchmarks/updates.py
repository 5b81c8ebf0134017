"""Per-update cost benchmark: the real bot against a bare python-telegram-bot echo bot, in one run.

Both run side by side in this process, each against its own local fake Telegram Bot API over real HTTP on
127.0.0.1 (each in its own thread): a bare PTB `Application` whose only handler answers `/help` with a copy
of it, and Samenspel's real `Application` (the gate, the per-person limit, the person's lookup, the router,
the catalogue, SQLite through aiosqlite's thread). ``--volunteers`` registered volunteers (20) each send
``/help`` ``--rounds`` times (100), in waves: every volunteer once, then wait for every answer; the two bots'
waves alternate, so a machine busy with other work weighs on both alike.

CPU per update is the process's CPU time (every thread: the event loop, aiosqlite's, the HTTP client's) minus
the fake API threads' own, over a bot's waves, divided by its updates (the other bot idles meanwhile).
The goal is the real bot at most 1.5 times the echo bot.

    python -m benchmarks.updates             # 20 volunteers x 100 rounds = 2,000 updates per bot
    python -m benchmarks.updates --quick     # 5 volunteers x 10 rounds
    python -m benchmarks.updates --profile out.html   # also profile the real bot's phase (pyinstrument)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from telegram import Update
from telegram.ext import Application, CommandHandler, ContextTypes

from benchmarks.common import bot_settings, with_options
from benchmarks.escalation import RecordingBotApi, ScaledClock, running_bot, settle
from benchmarks.fanout import SETUP_AT, register_volunteers
from bot.app import services_of
from bot.config import Settings
from bot.sandbox.state import FakeUser
from tests.support.faulty_bot_api import FaultyBotApi

GOAL_RATIO = 1.5


class CountingBotApi(RecordingBotApi):
    """The fake Bot API, waking whoever waits for a number of sendMessage calls (`sent_total`)."""

    def __init__(self) -> None:
        super().__init__()
        self._waiter: tuple[asyncio.AbstractEventLoop, asyncio.Future[None], int] | None = None

    def _record(self, chat_id: int, text: str, received: float) -> None:
        super()._record(chat_id, text, received)
        with self._receipt_lock:
            waiter = self._waiter
            if waiter is not None and self.sent_total >= waiter[2]:
                self._waiter = None
                waiter[0].call_soon_threadsafe(_done, waiter[1])

    async def until_sent(self, count: int, timeout: float = 30.0) -> None:  # noqa: ASYNC109
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        with self._receipt_lock:
            if self.sent_total >= count:
                return
            self._waiter = (loop, future, count)
        await asyncio.wait_for(future, timeout)

    def thread_cpu(self) -> float:
        """CPU seconds the fake API's own thread has used."""
        thread = self._thread
        assert thread is not None and thread.ident is not None
        return time.clock_gettime(time.pthread_getcpuclockid(thread.ident))


def _done(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@dataclass(frozen=True)
class Config:
    volunteers: int = 20
    rounds: int = 100
    repeats: int = 5  # the rounds in this many blocks, each with its own ratio: the spread shows the noise
    warmup_rounds: int = 5  # not counted: the first updates import modules, fill caches, open connections
    profile: Path | None = None  # write a pyinstrument profile of the real bot's phase here

    @classmethod
    def quick(cls) -> Config:
        return cls(volunteers=5, rounds=10, repeats=2, warmup_rounds=1)

    @property
    def updates(self) -> int:
        return self.volunteers * self.rounds


@dataclass
class Result:
    config: Config
    echo_cpu: float = 0.0  # seconds of the bot's CPU for all updates
    real_cpu: float = 0.0
    echo_wall: float = 0.0
    real_wall: float = 0.0
    block_ratios: list[float] = field(default_factory=list)  # the ratio over each block of rounds

    def per_update_ms(self, cpu: float) -> float:
        return 1000 * cpu / self.config.updates

    @property
    def ratio(self) -> float:
        return self.real_cpu / self.echo_cpu if self.echo_cpu > 0 else float("nan")


def make_settings(api: FaultyBotApi, db_path: Path) -> Settings:
    # No pacing (the echo bot has none either): this measures work. The simulated volunteers ask at machine speed
    # what a person asks in an hour: a burst that fits them. The timers' tick is work of its own, not of an
    # update: as rare as allowed (5 s), so little of it falls into the waves (of either bot alike: they alternate).
    return bot_settings(api, db_path, max_messages_per_second=1000, tick_seconds=5, updates_burst=10_000)


async def _help(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.message is not None and update.message.text is not None:
        await update.message.reply_text(update.message.text)


@contextlib.asynccontextmanager
async def echo_bot(api: FaultyBotApi) -> AsyncIterator[None]:
    """A bare python-telegram-bot application: long polling, one command handler, PTB's defaults."""
    app = Application.builder().token(api.token).base_url(api.base_url).build()
    app.add_handler(CommandHandler("help", _help))
    async with app:
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0.0, timeout=5)
        await app.start()
        try:
            yield
        finally:
            await app.updater.stop()
            await app.stop()


async def wave(api: CountingBotApi, users: list[FakeUser], apis: list[CountingBotApi]) -> tuple[float, float]:
    """Every volunteer sends /help once; until every answer is in. The bots' CPU (the process's, less every fake
    API thread's) and the wall time it took."""
    expected = api.sent_total + len(users)
    cpu, api_cpu, wall = time.process_time(), sum(a.thread_cpu() for a in apis), time.perf_counter()
    for user in users:
        api.send_text(user, "/help")
    await api.until_sent(expected)
    bot_cpu = (time.process_time() - cpu) - (sum(a.thread_cpu() for a in apis) - api_cpu)
    return bot_cpu, time.perf_counter() - wall


@contextlib.contextmanager
def profiled(target: Path | None) -> Iterator[None]:
    if target is None:
        yield
        return
    from pyinstrument import Profiler  # type: ignore[import-not-found, unused-ignore]

    profiler = Profiler(async_mode="enabled")
    profiler.start()
    try:
        yield
    finally:
        profiler.stop()
        target.write_text(profiler.output_html(), encoding="utf-8")


async def run(config: Config, progress: Callable[[str], None] | None = None) -> Result:
    """Both bots run side by side, each on its own fake API; their waves alternate, so that whatever else the
    machine is doing falls on both alike."""
    say = progress or (lambda line: print(line, file=sys.stderr, flush=True))
    result = Result(config=config)
    echo_api, real_api = CountingBotApi(), CountingBotApi()
    apis = [echo_api, real_api]
    for api in apis:
        await asyncio.to_thread(api.start_in_thread)
    try:
        with tempfile.TemporaryDirectory(prefix="samenspel-bench-") as tmp:
            settings = make_settings(real_api, Path(tmp) / "samenspel.db")
            async with running_bot(settings, ScaledClock(SETUP_AT, speed=1.0)) as app, echo_bot(echo_api):
                users = await register_volunteers(real_api, services_of(app), config.volunteers)
                for user in users:
                    echo_api.register_user(user)
                await settle(app, real_api)
                for _ in range(config.warmup_rounds):  # the first /help loads modules and fills caches
                    for api in apis:
                        await wave(api, users, apis)
                say(f"{len(users)} volunteers; {config.rounds} waves of /help to each bot in turn …")
                with profiled(config.profile):
                    for block in blocks(config.rounds, config.repeats):
                        echo_cpu = real_cpu = 0.0
                        for _ in range(block):
                            cpu, wall = await wave(echo_api, users, apis)
                            echo_cpu, result.echo_wall = echo_cpu + cpu, result.echo_wall + wall
                            cpu, wall = await wave(real_api, users, apis)
                            real_cpu, result.real_wall = real_cpu + cpu, result.real_wall + wall
                        result.echo_cpu += echo_cpu
                        result.real_cpu += real_cpu
                        result.block_ratios.append(real_cpu / echo_cpu if echo_cpu > 0 else float("nan"))
    finally:
        for api in apis:
            await asyncio.to_thread(api.stop_thread)
    return result


def blocks(rounds: int, repeats: int) -> list[int]:
    """`rounds` split into `repeats` blocks as even as can be (none empty)."""
    count = max(1, min(repeats, rounds))
    return [rounds // count + (1 if index < rounds % count else 0) for index in range(count)]


def report(result: Result) -> str:
    config = result.config
    echo, real = result.per_update_ms(result.echo_cpu), result.per_update_ms(result.real_cpu)
    lines = [
        "Samenspel per-update cost benchmark",
        f"  {config.volunteers} volunteers x {config.rounds} rounds of /help = {config.updates} updates per bot, "
        "alternating waves; real HTTP to a fake Bot API each on 127.0.0.1 (own threads; their CPU is not counted)",
        f"  bare python-telegram-bot echo bot: {echo:.2f} ms CPU per update ({result.echo_wall:.1f} s wall)",
        f"  Samenspel: {real:.2f} ms CPU per update ({result.real_wall:.1f} s wall)",
        f"  ratio in each of {len(result.block_ratios)} blocks of rounds: "
        + ", ".join(f"{ratio:.2f}" for ratio in result.block_ratios)
        + (
            f" (median {statistics.median(result.block_ratios):.2f}, "
            f"spread {min(result.block_ratios):.2f}-{max(result.block_ratios):.2f})"
            if result.block_ratios
            else ""
        ),
        f"updates benchmark: {real:.2f} ms against {echo:.2f} ms per update = {result.ratio:.2f} times "
        f"(goal <= {GOAL_RATIO:g})",
    ]
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> Config:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.updates", description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 volunteers x 10 rounds")
    parser.add_argument("--volunteers", type=int, help="volunteers sending /help (default 20)")
    parser.add_argument("--rounds", type=int, help="times each sends it (default 100)")
    parser.add_argument("--repeats", type=int, help="blocks of rounds, each with its own ratio (default 5)")
    parser.add_argument("--profile", type=Path, help="write a pyinstrument HTML profile of the real bot here")
    args = parser.parse_args(argv)
    options = {"volunteers": args.volunteers, "rounds": args.rounds, "repeats": args.repeats, "profile": args.profile}
    config = with_options(Config.quick() if args.quick else Config(), options)
    if config.volunteers < 1 or config.rounds < 1 or config.repeats < 1:
        parser.error("volunteers, rounds and repeats must be at least 1")
    return config


def main(argv: Sequence[str] | None = None) -> int:
    print(report(asyncio.run(run(parse_args(argv)))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
