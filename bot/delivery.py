"""Delivers the outbox to Telegram: retries, RetryAfter, blocked users, edits in place.

The sender never stops on its own: a round that fails (a locked database, an I/O error) is tried again
with back-off, and what became of messages already attempted is kept in memory until it is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import random
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.ext import ExtBot

from bot import metrics
from bot.clock import Clock, SystemClock
from bot.domain.lanes import Lane
from bot.i18n import Markup, t
from bot.sender_lease import STANDBY_POLL_SECONDS, SenderLease
from bot.supervision import task_failure
from bot.telegram_http import NotSent
from storage import outbox, people
from storage.db import Database, Tx
from storage.outbox import OutboxMessage

log = logging.getLogger(__name__)

UnreachableHook = Callable[[int], Awaitable[None]]

MAX_BACKOFF_SECONDS = 300.0
# A failed round is tried again after 0.25, 0.5, 1 … seconds, at most this long: an urgent alert waits
# no longer than that once the database works again.
MAX_ROUND_BACKOFF_SECONDS = 10.0
# A round claims what the rate budget sends in about this long: a message of a lower lane queued meanwhile
# waits for the round to end (and then for no more than a turn in the shared limiter), never for a long batch.
ROUND_SECONDS = 0.5
MIN_BATCH, MAX_BATCH = 16, 100
# Mid-round claims for the first lane at most this often: every commit wakes the sender, and a claim per commit
# would cost more than the wait it saves.
EXPRESS_EVERY_SECONDS = 0.1
# The claim token of a sender without a lease (tests, tools): the only sender there is.
SOLE_SENDER = "sole#0"


def keyboard_markup(rows: list[list[dict[str, str]]] | None) -> InlineKeyboardMarkup | None:
    if not rows:
        return None
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(b["text"], callback_data=b["data"]) for b in row] for row in rows]
    )


_TAG = re.compile(r"<[^>]+>")


def html_to_plain(text: str) -> str:
    return html.unescape(_TAG.sub("", text))


def backoff(attempts: int) -> float:
    """Exponential back-off with jitter: 1, 2, 4 … seconds, at most five minutes."""
    base: float = min(MAX_BACKOFF_SECONDS, 2.0 ** max(0, attempts - 1))
    return base * random.uniform(0.8, 1.2)


def local_backoff(failures: int, cap: float) -> float:
    """For retrying our own work (a round, a hook) rather than Telegram: 0.25, 0.5, 1 … seconds, at most cap."""
    return float(min(cap, 0.25 * 2 ** min(failures - 1, 20)))


def retry_after_seconds(exc: RetryAfter) -> float:
    value = exc._retry_after  # the timedelta PTB keeps; the public int form is deprecated
    return max(1.0, value.total_seconds())


OutcomeKind = Literal["sent", "retry", "failed", "unreachable"]


@dataclass(frozen=True)
class Outcome:
    """What became of one attempt. Until it is written its row stays in flight: never claimed again
    meanwhile, and after a crash sent again, marked as a possible repeat."""

    message: OutboxMessage
    kind: OutcomeKind
    telegram_id: int | None = None
    retry_at: datetime | None = None
    error: str = ""
    maybe_delivered: bool = False

    @classmethod
    def sent(cls, message: OutboxMessage, telegram_id: int | None) -> Outcome:
        return cls(message, "sent", telegram_id=telegram_id)

    @classmethod
    def retry(cls, message: OutboxMessage, at: datetime, error: str, *, maybe_delivered: bool) -> Outcome:
        return cls(message, "retry", retry_at=at, error=error[:200], maybe_delivered=maybe_delivered)

    @classmethod
    def failed(cls, message: OutboxMessage, error: str) -> Outcome:
        return cls(message, "failed", error=error[:200])

    @classmethod
    def unreachable(cls, message: OutboxMessage, error: str) -> Outcome:
        return cls(message, "unreachable", error=f"unreachable: {error}"[:200])


@dataclass
class _OwedHook:
    """An unreachable hook not yet run (or failed) for a person; tried again from `due` on."""

    hook: UnreachableHook
    person_id: int
    attempts: int = 0
    due: float = 0.0  # time.monotonic()


class Delivery:
    """The outbox sender. Transport timing uses real time, whatever clock the domain runs on."""

    def __init__(
        self,
        db: Database,
        bot: ExtBot[int],
        *,
        clock: Clock | None = None,
        batch_size: int = 100,
        concurrency: int = 16,
        lease: SenderLease | None = None,
    ) -> None:
        self._db = db
        # With a lease only the replica holding it sends (bot/sender_lease.py); without one, this sender always does.
        self.lease = lease
        self._standing_by = False
        self._bot = bot
        self.clock: Clock = clock or SystemClock()
        self._batch_size = batch_size
        self._concurrency = concurrency
        self._wake = asyncio.Event()
        self._stopped = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._unwritten: list[Outcome] = []
        self._owed: list[_OwedHook] = []
        self.unreachable_hooks: list[UnreachableHook] = []
        self.sent_count = 0

    @staticmethod
    def batch_for(messages_per_second: float) -> int:
        """How many rows a round claims at this sending rate (see ROUND_SECONDS)."""
        return int(min(MAX_BATCH, max(MIN_BATCH, messages_per_second * ROUND_SECONDS)))

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        # With a lease, rows in flight are recovered by whoever takes it over: here they may be a live sender's.
        recovered = 0
        if self.lease is None:
            async with self._db.transaction() as tx:
                recovered = await outbox.recover_in_flight(tx)
        if recovered:
            log.warning(
                "%d message(s) were being sent when the bot stopped; they will be sent again, marked",
                recovered,
            )
        self._stopping = False
        self._stopped.clear()
        self.restart()

    def restart(self) -> None:
        """Run the loop (again). Rows in flight are not recovered here: in this process they are exactly
        the ones whose results are kept in memory, and the first round writes those."""
        self._task = asyncio.create_task(self._run(), name="samenspel-delivery")

    def failure(self) -> BaseException | None:
        """Why the loop ended while it should be running; None while it runs or after `stop()`."""
        return None if self._stopping else task_failure(self._task)

    async def stop(self) -> None:
        self._stopping = True
        self._stopped.set()
        self._wake.set()
        task, self._task = self._task, None
        if task is not None:
            done, _ = await asyncio.wait({task}, timeout=5)
            if not done:
                log.warning("delivery did not finish in time; unfinished messages are sent after restart")
                task.cancel()
                await asyncio.wait({task})
            elif not task.cancelled() and (error := task.exception()) is not None:
                log.error("delivery had ended with an error: %r", error)
        try:
            await self._settle()  # so that a clean stop sends nothing twice
        except Exception:
            log.exception("could not write the last delivery results; those messages are resent, marked")
        if self.lease is not None:
            try:
                async with self._db.transaction() as tx:
                    await self.lease.release(tx)
            except Exception:
                log.exception("could not give up the sender lease; another replica takes over when it runs out")

    async def _run(self) -> None:
        """Rounds until stopped. Every await is inside the retry: a failed round waits and tries again."""
        failures = 0
        while not self._stopping:
            self._wake.clear()
            try:
                if not await self.run_once():
                    await self._idle()
            except Exception as exc:
                failures += 1
                delay = local_backoff(failures, MAX_ROUND_BACKOFF_SECONDS)
                if failures == 1:
                    log.exception("delivery round failed; trying again in %.1f s", delay)
                else:
                    log.error("delivery round failed again (%d in a row: %r); next try in %.1f s", failures, exc, delay)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._stopped.wait(), timeout=delay)
            else:
                if failures:
                    log.warning("delivery works again after %d failed round(s)", failures)
                failures = 0

    async def _idle(self) -> None:
        """Until woken, or until the next message or owed hook falls due (a second at most)."""
        timeout = STANDBY_POLL_SECONDS if self._standing_by else await self._idle_seconds()
        if self._owed:
            timeout = min(timeout, max(0.01, min(o.due for o in self._owed) - time.monotonic()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=timeout)

    async def _idle_seconds(self) -> float:
        async with self._db.transaction() as tx:
            due = await outbox.next_due_at(tx)
        if due is None:
            return 1.0
        wait = (due - self.clock.now()).total_seconds()
        return min(1.0, max(0.01, wait))

    async def run_once(self) -> int:
        """Deliver what is due now. Returns how many messages were attempted.

        Results that an earlier round could not write are written first, before anything is claimed. While the
        round's sends wait for their turns, a wake (a commit that queued messages) claims what is due in the
        first lane and sends it in this round: an urgent alert does not wait for a round of bulk to end."""
        await self._settle()
        due = await self._claim(None)
        if not due:
            return 0
        # At most one new message per chat (its oldest pending one; edits aside), so sends cannot overtake each other.
        limit = asyncio.Semaphore(self._concurrency)
        outcomes: list[Outcome] = []

        async def one(message: OutboxMessage, *, express: bool = False) -> None:
            if express:  # few, and first in the limiter's queue: not behind the round's slots either
                outcomes.append(await self._deliver(message))
                return
            async with limit:
                outcomes.append(await self._deliver(message))

        sends = {asyncio.ensure_future(one(m)) for m in due}
        attempted = len(due)
        claimed_at = time.monotonic()
        woken = asyncio.ensure_future(self._wake.wait())
        try:
            while sends:
                done, _ = await asyncio.wait({*sends, woken}, return_when=asyncio.FIRST_COMPLETED)
                sends -= done
                if woken in done and sends:  # (with nothing left to send, the next round claims it)
                    pause = EXPRESS_EVERY_SECONDS - (time.monotonic() - claimed_at)
                    if pause > 0:
                        await asyncio.wait(sends, timeout=pause)  # the wake stays set: claimed after the pause
                        continue
                    self._wake.clear()  # before the claim: a commit during it wakes us again
                    woken = asyncio.ensure_future(self._wake.wait())
                    claimed_at = time.monotonic()
                    express = await self._claim_express()
                    sends |= {asyncio.ensure_future(one(m, express=True)) for m in express}
                    attempted += len(express)
        except BaseException:
            for send in sends:
                send.cancel()
            await asyncio.gather(*sends, return_exceptions=True)
            raise
        finally:
            woken.cancel()
            # Kept until written, also when the write fails or we are cancelled half-way.
            self._unwritten.extend(outcomes)
        await self._settle()
        return attempted

    async def _claim(self, up_to: Lane | None) -> list[OutboxMessage]:
        async with self._db.transaction() as tx:
            # The lease is renewed in the claim's own transaction: rows are claimed only while it is ours.
            token = SOLE_SENDER if self.lease is None else await self.lease.hold(tx)
            self._standing_by = token is None
            if token is None:
                return []
            return await outbox.claim_due(tx, self.clock.now(), self._batch_size, up_to=up_to, claim_token=token)

    async def _claim_express(self) -> list[OutboxMessage]:
        """What is due in the first lane, claimed in the middle of a round; a failure waits for the next round."""
        try:
            return await self._claim(Lane.NOW)
        except Exception:
            log.exception("could not claim urgent messages mid-round; the next round claims them")
            return []

    async def _settle(self) -> None:
        """Write the results kept in memory, then run the unreachable hooks that are owed."""
        if self._unwritten:
            await self._write_outcomes()
        await self._announce_unreachable()

    async def _write_outcomes(self) -> None:
        # One transaction for the whole batch: delivery does not queue for the lock per message.
        outcomes = list(self._unwritten)
        newly_unreachable: list[int] = []
        async with self._db.transaction() as tx:
            for outcome in outcomes:
                if await self._write(tx, outcome) and outcome.message.person_id is not None:
                    newly_unreachable.append(outcome.message.person_id)
        # Forgotten only once committed.
        del self._unwritten[: len(outcomes)]
        self.sent_count += sum(o.kind == "sent" for o in outcomes)
        metrics.record_outcomes(outcomes)
        for person_id in newly_unreachable:
            log.warning("person %d cannot be reached (blocked the bot or account gone)", person_id)
            self._owed.extend(_OwedHook(hook, person_id) for hook in self.unreachable_hooks)

    async def _write(self, tx: Tx, outcome: Outcome) -> bool:
        """Record one outcome; True when it is news that its person cannot be reached."""
        message, now, token = outcome.message, self.clock.now(), outcome.message.claim_token
        if outcome.kind == "sent":
            written = await outbox.mark_sent(tx, message.id, outcome.telegram_id, now, claim_token=token)
        elif outcome.kind == "retry":
            written = await outbox.retry_later(
                tx,
                message.id,
                at=outcome.retry_at or now,
                error=outcome.error,
                maybe_delivered=outcome.maybe_delivered,
                claim_token=token,
            )
        else:
            written = await outbox.mark_failed(tx, message.id, outcome.error, claim_token=token)
            if written and outcome.kind == "unreachable":
                await outbox.fail_pending_for_chat(tx, message.chat_id, "unreachable")
                if message.person_id is not None:
                    return await people.mark_unreachable(tx, message.person_id, now)
        if not written:
            # Another sender took the lease over while this one had the row in flight: the row is its now.
            log.warning("outbox message %d was taken over by another sender; its result here is dropped", message.id)
        return False

    async def _announce_unreachable(self) -> None:
        """Run the hooks owed for people found unreachable; one that fails is tried again with back-off."""
        for owed in list(self._owed):
            if owed.due > time.monotonic():
                continue
            try:
                await owed.hook(owed.person_id)
            except Exception:
                owed.attempts += 1
                delay = local_backoff(owed.attempts, MAX_BACKOFF_SECONDS)
                owed.due = time.monotonic() + delay
                log.exception("unreachable hook failed for person %d; trying again in %.1f s", owed.person_id, delay)
            else:
                self._owed.remove(owed)

    async def _deliver(self, message: OutboxMessage) -> Outcome:
        """Send one message and say what became of it; never raises but for cancellation."""
        if self.lease is not None and not self.lease.still_mine():
            # Not renewed for long (a slow round, a frozen process): another replica may own the row by now.
            return self._retry(message, 0.0, "sender lease not renewed", maybe_delivered=False)
        try:
            return await self._attempt(message)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # never lose a message to a bug in one send
            log.exception("unexpected error delivering outbox message %d", message.id)
            return self._retry(message, backoff(message.attempts), repr(exc), maybe_delivered=True)

    async def _attempt(self, message: OutboxMessage) -> Outcome:
        try:
            telegram_id = await self._send(message)
        except RetryAfter as exc:
            return self._retry(message, retry_after_seconds(exc), "429", maybe_delivered=False)
        except Forbidden as exc:
            return Outcome.unreachable(message, str(exc))
        except BadRequest as exc:
            return await self._after_bad_request(message, exc)
        except NotSent as exc:
            return self._retry(message, backoff(message.attempts), str(exc), maybe_delivered=False)
        except TimedOut as exc:
            return self._retry(message, backoff(message.attempts), f"timeout {exc}", maybe_delivered=True)
        except NetworkError as exc:
            return self._retry(message, backoff(message.attempts), f"network {exc}", maybe_delivered=True)
        except TelegramError as exc:
            return self._retry(message, backoff(message.attempts), str(exc), maybe_delivered=True)
        return Outcome.sent(message, telegram_id)

    async def _send(self, message: OutboxMessage, *, plain: bool = False) -> int | None:
        markup = keyboard_markup(message.keyboard)
        text = message.text
        repeat = message.edit_target_maybe_delivered if message.edit_of is not None else message.maybe_delivered
        if repeat:
            text = t(message.language, "delivery.repeat", text=Markup(text))
        parse_mode: str | None = ParseMode.HTML
        if plain:
            text, parse_mode = html_to_plain(text), None
        if message.edit_of is not None:
            if message.edit_target_message_id is None:
                return None
            try:
                await self._bot.edit_message_text(
                    chat_id=message.chat_id,
                    message_id=message.edit_target_message_id,
                    text=text,
                    parse_mode=parse_mode,
                    reply_markup=markup,
                    rate_limit_args=message.lane,
                )
            except BadRequest as exc:
                if "not modified" in str(exc).lower():
                    return None
                raise
            return None
        sent = await self._bot.send_message(
            chat_id=message.chat_id, text=text, parse_mode=parse_mode, reply_markup=markup, rate_limit_args=message.lane
        )
        return sent.message_id

    def _retry(self, message: OutboxMessage, seconds: float, error: str, *, maybe_delivered: bool) -> Outcome:
        log.info("outbox message %d: %s; retrying", message.id, error)
        at = self.clock.now() + timedelta(seconds=seconds)
        return Outcome.retry(message, at, error, maybe_delivered=maybe_delivered)

    async def _after_bad_request(self, message: OutboxMessage, exc: BadRequest) -> Outcome:
        text = str(exc).lower()
        if "chat not found" in text or "user is deactivated" in text:
            return Outcome.unreachable(message, str(exc))
        if "can't parse entities" in text:
            # A rendering bug must not lose the message: send it once more without markup.
            log.error("outbox message %d did not parse as HTML; sending it as plain text", message.id)
            try:
                return Outcome.sent(message, await self._send(message, plain=True))
            except TelegramError as again:
                return Outcome.failed(message, f"bad request: {again}")
        log.error("outbox message %d refused by Telegram: %s", message.id, exc)
        return Outcome.failed(message, f"bad request: {exc}")
