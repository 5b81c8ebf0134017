"""Delivers the outbox to Telegram: retries, RetryAfter, blocked users, edits in place."""

from __future__ import annotations

import asyncio
import contextlib
import html
import logging
import random
import re
from collections import defaultdict
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut

from bot.clock import Clock, SystemClock
from bot.i18n import Markup, t
from storage import outbox, people
from storage.db import Database
from storage.outbox import OutboxMessage

log = logging.getLogger(__name__)

UnreachableHook = Callable[[int], Awaitable[None]]

MAX_BACKOFF_SECONDS = 300.0


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


def retry_after_seconds(exc: RetryAfter) -> float:
    value = exc._retry_after  # the timedelta PTB keeps; the public int form is deprecated
    return max(1.0, value.total_seconds())


class Delivery:
    """The outbox sender. Transport timing uses real time, whatever clock the domain runs on."""

    def __init__(
        self,
        db: Database,
        bot: Bot,
        *,
        clock: Clock | None = None,
        batch_size: int = 100,
        concurrency: int = 16,
    ) -> None:
        self._db = db
        self._bot = bot
        self.clock: Clock = clock or SystemClock()
        self._batch_size = batch_size
        self._concurrency = concurrency
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self.unreachable_hooks: list[UnreachableHook] = []
        self.sent_count = 0

    def wake(self) -> None:
        self._wake.set()

    async def start(self) -> None:
        async with self._db.transaction() as tx:
            recovered = await outbox.recover_in_flight(tx)
        if recovered:
            log.warning(
                "%d message(s) were being sent when the bot stopped; they will be sent again, marked",
                recovered,
            )
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="samenspel-delivery")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            try:
                await asyncio.wait_for(self._task, timeout=5)
            except TimeoutError:
                log.warning("delivery did not finish in time; unfinished messages are sent after restart")
            self._task = None

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                processed = await self.run_once()
            except Exception:
                log.exception("delivery round failed; trying again")
                processed = 0
                await asyncio.sleep(1)
            if processed:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=await self._idle_seconds())

    async def _idle_seconds(self) -> float:
        async with self._db.transaction() as tx:
            due = await outbox.next_due_at(tx)
        if due is None:
            return 1.0
        wait = (due - self.clock.now()).total_seconds()
        return min(1.0, max(0.01, wait))

    async def run_once(self) -> int:
        """Deliver what is due now. Returns how many messages were attempted."""
        async with self._db.transaction() as tx:
            due = await outbox.claim_due(tx, self.clock.now(), self._batch_size)
        if not due:
            return 0
        by_chat: dict[int, list[OutboxMessage]] = defaultdict(list)
        for message in due:
            by_chat[message.chat_id].append(message)
        limit = asyncio.Semaphore(self._concurrency)

        sent: list[tuple[int, int | None]] = []

        async def one_chat(messages: list[OutboxMessage]) -> None:
            async with limit:
                for message in messages:  # in order within a chat
                    if (result := await self._deliver(message)) is not None:
                        sent.append((message.id, result[0]))

        try:
            await asyncio.gather(*(one_chat(m) for m in by_chat.values()))
        finally:
            # One transaction for the whole batch: delivery does not queue for the lock per message.
            # A crash before it leaves the rows in flight, so they are resent marked as repeats.
            if sent:
                async with self._db.transaction() as tx:
                    for message_id, telegram_id in sent:
                        await outbox.mark_sent(tx, message_id, telegram_id, self.clock.now())
                self.sent_count += len(sent)
        return len(due)

    async def _deliver(self, message: OutboxMessage) -> tuple[int | None] | None:
        """Send one message; (telegram message id,) when it went out, None when it did not."""
        now = self.clock.now
        try:
            telegram_id = await self._send(message)
        except RetryAfter as exc:
            await self._retry(message, now() + timedelta(seconds=retry_after_seconds(exc)), "429", False)
        except Forbidden as exc:
            await self._unreachable(message, str(exc))
        except BadRequest as exc:
            await self._bad_request(message, exc)
        except TimedOut as exc:
            await self._retry(message, now() + timedelta(seconds=backoff(message.attempts)), f"timeout {exc}", True)
        except NetworkError as exc:
            await self._retry(message, now() + timedelta(seconds=backoff(message.attempts)), f"network {exc}", True)
        except TelegramError as exc:
            await self._retry(message, now() + timedelta(seconds=backoff(message.attempts)), str(exc), True)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # never lose a message to a bug in one send
            log.exception("unexpected error delivering outbox message %d", message.id)
            await self._retry(message, now() + timedelta(seconds=backoff(message.attempts)), repr(exc), True)
        else:
            return (telegram_id,)
        return None

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
                )
            except BadRequest as exc:
                if "not modified" in str(exc).lower():
                    return None
                raise
            return None
        sent = await self._bot.send_message(
            chat_id=message.chat_id, text=text, parse_mode=parse_mode, reply_markup=markup
        )
        return sent.message_id

    async def _retry(self, message: OutboxMessage, at: datetime, error: str, maybe_delivered: bool) -> None:
        log.info("outbox message %d: %s; retrying", message.id, error)
        async with self._db.transaction() as tx:
            await outbox.retry_later(tx, message.id, at=at, error=error[:200], maybe_delivered=maybe_delivered)

    async def _bad_request(self, message: OutboxMessage, exc: BadRequest) -> None:
        text = str(exc).lower()
        if "chat not found" in text or "user is deactivated" in text:
            await self._unreachable(message, str(exc))
            return
        if "can't parse entities" in text:
            # A rendering bug must not lose the message: send it once more without markup.
            log.error("outbox message %d did not parse as HTML; sending it as plain text", message.id)
            try:
                telegram_id = await self._send(message, plain=True)
            except TelegramError as again:
                async with self._db.transaction() as tx:
                    await outbox.mark_failed(tx, message.id, f"bad request: {again}"[:200])
                return
            async with self._db.transaction() as tx:
                await outbox.mark_sent(tx, message.id, telegram_id, self.clock.now())
            return
        log.error("outbox message %d refused by Telegram: %s", message.id, exc)
        async with self._db.transaction() as tx:
            await outbox.mark_failed(tx, message.id, f"bad request: {exc}"[:200])

    async def _unreachable(self, message: OutboxMessage, error: str) -> None:
        news = False
        async with self._db.transaction() as tx:
            await outbox.mark_failed(tx, message.id, f"unreachable: {error}"[:200])
            await outbox.fail_pending_for_chat(tx, message.chat_id, "unreachable")
            if message.person_id is not None:
                news = await people.mark_unreachable(tx, message.person_id, self.clock.now())
        if message.person_id is not None and news:
            log.warning("person %d cannot be reached (blocked the bot or account gone)", message.person_id)
            for hook in self.unreachable_hooks:
                try:
                    await hook(message.person_id)
                except Exception:
                    log.exception("unreachable hook failed for person %d", message.person_id)
