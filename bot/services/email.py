"""E-mail as a second channel: delivers the `emails` rows to the mail server in `[notify]`.

Rows are written by the escalation engine in the transaction that finds a life-safety item stalled on Telegram
(storage/emails.py), so a crash loses none. Each scheduler tick starts a sending round in the background when
none is running (a slow mail server must not hold up the timers); a round claims the due rows, sends them over
one connection and records each outcome. A failure is tried again with back-off in the domain's time; a row
found in flight at start was cut off mid-attempt and is tried again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage

import aiosmtplib

from bot.clock import Clock
from bot.config import NotifySettings, Settings
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
        self._round: asyncio.Task[int] | None = None

    @property
    def enabled(self) -> bool:
        return bool(self._config.email)

    async def start(self) -> None:
        """After a crash: attempts that were under way are tried again."""
        async with self._db.transaction() as tx:
            recovered = await emails.recover_in_flight(tx)
        if recovered:
            log.warning("%d e-mail(s) were being sent when the bot stopped; they are sent again", recovered)

    async def tick(self, now: datetime) -> int:
        """A scheduler task: start a sending round when mail is due and none is running. Returns 1 if started."""
        if not self.enabled or (self._round is not None and not self._round.done()):
            return 0
        async with self._db.transaction() as tx:
            if not await emails.due_count(tx, now):
                return 0
        self._round = asyncio.create_task(self.send_due(), name="samenspel-email")
        return 1

    async def idle(self) -> None:
        """Until the running round (if any) has finished."""
        if self._round is not None:
            with contextlib.suppress(Exception):
                await asyncio.shield(self._round)

    async def stop(self) -> None:
        """Let a running round finish, briefly; one cut off is sent again after the next start."""
        task, self._round = self._round, None
        if task is None or task.done():
            return
        done, _ = await asyncio.wait({task}, timeout=STOP_WAIT_SECONDS)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def send_due(self) -> int:
        """One round: every due e-mail, over one connection. Returns how many the server took."""
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
