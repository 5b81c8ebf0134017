"""The process's Prometheus counters, which the sender, the scheduler and the webhook call in one line each.

What lives in the database (outbox and inbox backlogs) is not counted here: `/metrics` reads it at scrape time
(`bot/ops.py`), so every replica reports the same truth. Counters are process-wide, as Prometheus expects.
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

REGISTRY = CollectorRegistry(auto_describe=True)

SENDS = Counter(
    "samenspel_sends", "Outbox send attempts by what became of them", ["result"], registry=REGISTRY
)  # result: sent, retry, failed, unreachable
RATE_LIMITED = Counter("samenspel_telegram_429", "Sends Telegram refused with 429 Too Many Requests", registry=REGISTRY)
REPEAT_MARKED = Counter(
    "samenspel_repeat_marked_sends",
    "Messages sent with the possible-repeat mark (an earlier try may have arrived)",
    registry=REGISTRY,
)
TIMER_LATENESS = Histogram(
    "samenspel_timer_lateness_seconds",
    "Per scheduler tick, the most a deadline it acted on can have waited: since the previous tick looked",
    buckets=(0.25, 0.5, 1, 2, 5, 10, 30, 60, 300),
    registry=REGISTRY,
)
SERIALIZATION_RETRIES = Counter(
    "samenspel_serialization_retries",
    "Units of work run again after a serialization failure or deadlock (PostgreSQL; always 0 on SQLite)",
    registry=REGISTRY,
)
WEBHOOK_UPDATES = Counter(
    "samenspel_webhook_updates",
    "Updates Telegram posted, by what the webhook did with them",
    ["result"],
    registry=REGISTRY,
)  # result: stored, duplicate, refused, draining, failed
SENDER = Gauge(
    "samenspel_outbox_sender",
    "1 while this replica holds the sender lease (the one replica sending for the bot token), else 0",
    registry=REGISTRY,
)
LEASE_TAKEOVERS = Counter(
    "samenspel_sender_lease_takeovers",
    "Times this replica took the sender lease over from another holder whose lease had run out",
    registry=REGISTRY,
)


class _Message(Protocol):
    @property
    def maybe_delivered(self) -> bool: ...
    @property
    def edit_of(self) -> int | None: ...
    @property
    def edit_target_maybe_delivered(self) -> bool: ...


class _Outcome(Protocol):
    @property
    def message(self) -> _Message: ...
    @property
    def kind(self) -> str: ...
    @property
    def error(self) -> str | None: ...


def record_outcomes(outcomes: Iterable[_Outcome]) -> None:
    """Count a batch of outbox results once they are written (bot/delivery.py)."""
    for outcome in outcomes:
        SENDS.labels(result=outcome.kind).inc()
        if outcome.error == "429":
            RATE_LIMITED.inc()
        message = outcome.message
        repeat = message.edit_target_maybe_delivered if message.edit_of is not None else message.maybe_delivered
        if outcome.kind == "sent" and repeat:
            REPEAT_MARKED.inc()


# When each scheduler's previous tick looked (by its clock); weak, so schedulers of finished tests go away.
_previous_tick: weakref.WeakKeyDictionary[object, datetime] = weakref.WeakKeyDictionary()


def tick_done(scheduler: object, looked_at: datetime, finished_at: datetime) -> None:
    """A scheduler tick that looked at `looked_at` finished at `finished_at` (bot/scheduler.py).

    A deadline that fell due just after the previous tick looked was first seen by this tick and acted on by
    `finished_at`: that span bounds the lateness of every timer this tick handled. The first tick after start
    catches up on downtime, which is not lateness of the running bot, so it only sets the baseline."""
    previous = _previous_tick.get(scheduler)
    _previous_tick[scheduler] = looked_at
    if previous is not None:
        TIMER_LATENESS.observe(max(0.0, (finished_at - previous).total_seconds()))


def serialization_retry() -> None:
    """A unit of work is run again after a serialization failure (the PostgreSQL backend calls this)."""
    SERIALIZATION_RETRIES.inc()


def sender_lease(*, held: bool, took_over: bool = False) -> None:
    """Whether this replica is the sender after a round's lease check (bot/sender_lease.py)."""
    SENDER.set(1 if held else 0)
    if took_over:
        LEASE_TAKEOVERS.inc()
