"""E-mail as a second channel: delivers the `emails` rows to the mail server in `[notify]`.

Rows are written by the escalation engine in the transaction that finds a life-safety item stalled on Telegram
(storage/emails.py), so a crash loses none. A loop of its own (not the scheduler tick: a slow mail server must
not hold up the timers) looks for due rows every second; a round claims them, sends them over one connection
and records each outcome. A failure is tried again with back-off in the domain's time; a row found in flight at
start was cut off mid-attempt and is tried again. The loop never stops on an error, and supervision restarts it
should it end anyway.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from datetime import timedelta
from email.message import EmailMessage

import aiosmtplib

from bot.clock import Clock
from bot.config import NotifySettings, Settings
from bot.supervision import task_failure
from storage import emails
from storage.db import Database
from storage.emails import Email

log = logging.getLogger(__name__)

BATCH = 20
# Back-off between attempts: 30 s, 1, 2, 4 … minutes, at most half an hour; given up only after a day or so.
FIRST_RETRY = timedelta(seconds=30)
MAX_RETRY = timedelta(minutes=30)
MAX_ATTEMPTS = 60
STOP_WAIT_SECONDS = 5.0
POLL_SECONDS = 1.0


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the attempts so far have failed."""
    factor: int = 2 ** min(max(attempts - 1, 0), 16)
    return min(MAX_RETRY, FIRST_RETRY * factor)


def tls_context(config: NotifySettings) -> ssl.SSLContext:
    """Certificates checked against the system's CAs, or only against smtp_ca_file when it is set."""
    if config.smtp_ca_file is not None:
        return ssl.create_default_context(cafile=str(config.smtp_ca_file))
    return ssl.create_default_context()


def message(config: NotifySettings, email: Email) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = config.sender
    mail["To"] = ", ".join(email.recipients)
    mail["Subject"] = email.subject
    mail.set_content(email.body)
    return mail


class EmailService:
    def __init__(self, db: Database, clock: Clock, settings: Settings) -> None:
        self._db = db
        self._clock = clock
        self._config = settings.notify
        self._task: asyncio.Task[None] | None = None
        self._stopping = False
        self._wake = asyncio.Event()
        self._round = asyncio.Lock()  # one round at a time: the loop's, or a caller's `flush`

    @property
    def enabled(self) -> bool:
        return bool(self._config.email)

    async def start(self) -> None:
        """Attempts under way when the bot stopped are tried again; then the loop runs (if e-mail is set up)."""
        async with self._db.transaction() as tx:
            recovered = await emails.recover_in_flight(tx)
        if recovered:
            log.warning("%d e-mail(s) were being sent when the bot stopped; they are sent again", recovered)
        self._stopping = False
        if self.enabled:
            self.restart()

    def restart(self) -> None:
        self._task = asyncio.create_task(self._run(), name="samenspel-email")

    def failure(self) -> BaseException | None:
        """Why the loop ended while it should be running; None while it runs, after `stop()`, or when off."""
        return None if self._stopping or self._task is None else task_failure(self._task)

    def wake(self) -> None:
        """Mail may be due: look now rather than at the next poll."""
        self._wake.set()

    async def stop(self) -> None:
        """Let a round under way finish, briefly; one cut off is sent again after the next start."""
        self._stopping = True
        self._wake.set()
        task, self._task = self._task, None
        if task is None or task.done():
            return
        done, _ = await asyncio.wait({task}, timeout=STOP_WAIT_SECONDS)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                await self.flush()
            except Exception:  # a database error: the rows stay and the next round tries again
                log.exception("e-mail round failed; trying again shortly")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=POLL_SECONDS)

    async def flush(self) -> int:
        """One round now (after a round under way): every due e-mail. Returns how many the server took."""
        async with self._round:
            return await self._send_due()

    async def _send_due(self) -> int:
        async with self._db.transaction() as tx:
            due = await emails.claim_due(tx, self._clock.now(), BATCH)
        if not due:
            return 0
        try:
            sent = await self._deliver(due)
        except Exception as exc:  # the connection or the login failed: every claimed row is tried again later
            await self._record(due, set(), f"{type(exc).__name__}: {exc}")
            return 0
        await self._record(due, sent, "")
        return len(sent)

    async def _deliver(self, due: list[Email]) -> set[int]:
        config = self._config
        assert config.smtp_host is not None  # the settings refuse addresses without a server
        client = aiosmtplib.SMTP(
            hostname=config.smtp_host,
            port=config.port,
            use_tls=config.smtp_tls == "implicit",
            start_tls=config.smtp_tls == "starttls",
            tls_context=tls_context(config) if config.smtp_tls != "none" else None,
            timeout=config.smtp_timeout_seconds,
        )
        sent: set[int] = set()
        async with client:
            if config.smtp_username is not None and config.smtp_password is not None:
                await client.login(config.smtp_username, config.smtp_password.get_secret_value())
            for email in due:
                try:
                    await client.send_message(message(config, email))
                except aiosmtplib.SMTPException as exc:
                    log.error("e-mail %d about escalation %d was refused: %s", email.id, email.escalation_id, exc)
                    continue
                sent.add(email.id)
        return sent

    async def _record(self, due: list[Email], sent: set[int], error: str) -> None:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            for email in due:
                if email.id in sent:
                    await emails.mark_sent(tx, email.id, now)
                    log.info("e-mail %d about escalation %d sent", email.id, email.escalation_id)
                elif email.attempts >= MAX_ATTEMPTS:
                    await emails.mark_failed(tx, email.id, error or "refused")
                    log.critical(
                        "e-mail %d about escalation %d given up after %d attempts",
                        email.id,
                        email.escalation_id,
                        email.attempts,
                    )
                else:
                    delay = retry_delay(email.attempts)
                    await emails.retry_later(tx, email.id, at=now + delay, error=error or "refused")
                    log.error("e-mail %d not sent (%s); trying again in %s", email.id, error or "refused", delay)
