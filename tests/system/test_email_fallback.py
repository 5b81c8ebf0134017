"""Issue 12, item 9: e-mail as a second channel for life-safety items, end to end with the fake clock and a real
SMTP server (aiosmtpd) on loopback: what arrives, when, once, after the server was down, over STARTTLS with a
login and over implicit TLS."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from bot.config import load_settings
from storage import emails
from tests.support.harness import (
    PIET,
    Harness,
    ask_help_now,
    running_bot,
    seed_organisation,
    send_emergency,
    send_signal,
)

DUTY = "dienst@buurtteam.example"


@dataclass
class Inbox:
    """What the mail server received."""

    mails: list[EmailMessage] = field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = field(default_factory=list)

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:  # aiosmtpd's name
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.mails.append(message_from_bytes(envelope.content, policy=default))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def mail_server(port: int, **options: Any) -> Iterator[Inbox]:
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def use_mail(monkeypatch: pytest.MonkeyPatch, port: int, **notify: str) -> None:
    """[notify] for the bot the test starts, through the environment (as an operator could set it)."""
    values = {"email": json.dumps([DUTY]), "smtp_host": "127.0.0.1", "smtp_port": str(port), "smtp_tls": "none"}
    values |= {"sender": "samenspel@buurtteam.example", **notify}
    for key, value in values.items():
        monkeypatch.setenv(f"SAMENSPEL_NOTIFY__{key.upper()}", value)


async def send_mail(h: Harness, delta: timedelta = timedelta()) -> None:
    """Move the clock and tick, then one e-mail round (after any the sender's loop has under way)."""
    await h.advance(delta)
    await h.services.email.flush()


def text(mail: EmailMessage) -> str:
    """The body as written (SMTP carries CRLF line ends)."""
    return str(mail.get_content()).replace("\r\n", "\n")


async def rows(h: Harness) -> list[tuple[Any, ...]]:
    async with h.services.db.transaction() as tx:
        found = await tx.all("SELECT reason, status, attempts, body FROM emails ORDER BY id")

    return [tuple(r) for r in found]


@asynccontextmanager
async def emergency_raised(tmp_path: Path) -> AsyncIterator[Harness]:
    """The bot (with [notify] set) right after Vera's emergency signal went to everyone."""
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        await send_emergency(h)
        yield h


async def test_an_emergency_nobody_picks_up_is_emailed_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    use_mail(monkeypatch, port)
    with mail_server(port) as inbox:
        async with emergency_raised(tmp_path) as h:
            await send_mail(h, timedelta(minutes=4))
            assert inbox.mails == []  # everyone has it on Telegram; the first round is not over yet
            await send_mail(h, timedelta(minutes=1))
            [mail] = inbox.mails
            assert inbox.envelopes == [("samenspel@buurtteam.example", [DUTY])]
            assert mail["To"] == DUTY
            assert mail["Subject"] == "Buurtteam Overvecht: nog niemand pakte een signaal over C-12 op"
            assert text(mail) == (
                "Dit bericht komt van Samenspel, de bot van Buurtteam Overvecht."
                " Via Telegram heeft nog niemand dit opgepakt:\n\n"
                "🚨 Nood: signaal van Vera · C-12 · Veiligheid en geweld · vandaag 10:00\n"
                "“Haar ex staat voor de deur en schreeuwt.”\n"
                "De vrijwilliger kreeg het advies eerst 112 te bellen bij direct gevaar.\n\n"
                "Gewaarschuwd via Telegram: Piet, Fatima, Anna.\n"
                "Niet bereikbaar via Telegram: niemand.\n\n"
                "Pak het op in Telegram (/open), of neem op de gewone manier contact op met de vrijwilliger"
                " of de coördinator. Bij direct gevaar: bel 112.\n"
            )
            # More reminder rounds, a restart of the sender: never a second e-mail for the same reason.
            for _ in range(3):
                await send_mail(h, timedelta(minutes=5))
            await h.services.email.stop()
            await h.services.email.start()
            await send_mail(h, timedelta(minutes=5))
            assert len(inbox.mails) == 1
            assert await rows(h) == [("unpicked", "sent", 1, "")]  # the words are not kept once sent


async def test_help_now_that_cannot_reach_its_professional_is_emailed_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    use_mail(monkeypatch, port)
    with mail_server(port) as inbox:
        async with running_bot(tmp_path) as h:
            await seed_organisation(h)
            h.api.block(PIET.id)  # the first alert to him finds out
            await ask_help_now(h)
            await send_mail(h)
            [mail] = inbox.mails
            assert (
                mail["Subject"] == "Buurtteam Overvecht: vraag om backup over C-12 bereikt niet iedereen via Telegram"
            )
            body = text(mail)
            assert "Niet bereikbaar via Telegram: Piet.\nGewaarschuwd via Telegram: Fatima." in body
            assert "🔴 Dringend: vraag om backup van Vera · C-12 · Ik heb nu hulp nodig · vandaag 10:00" in body
            # Later also unpicked at the last level: that is the second (and last) e-mail.
            for _ in range(3):
                await send_mail(h, timedelta(minutes=10))
            assert [m["Subject"].split(": ", 1)[1] for m in inbox.mails] == [
                "vraag om backup over C-12 bereikt niet iedereen via Telegram",
                "nog niemand pakte een vraag om backup over C-12 op",
            ]


async def test_an_ordinary_signal_is_never_emailed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    port = free_port()
    use_mail(monkeypatch, port)
    with mail_server(port) as inbox:
        async with running_bot(tmp_path) as h:
            await seed_organisation(h)
            h.api.block(PIET.id)
            await send_signal(h)  # urgent, not life-safety
            for _ in range(4):
                await send_mail(h, timedelta(minutes=10))
            assert inbox.mails == [] and await rows(h) == []


async def test_a_mail_server_that_is_down_gets_the_email_later_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    use_mail(monkeypatch, port)
    async with emergency_raised(tmp_path) as h:
        await send_mail(h, timedelta(minutes=5))  # nothing listens on the port
        [(reason, status, attempts, body)] = await rows(h)
        assert (reason, status, attempts) == ("unpicked", "pending", 1) and "Haar ex" in body
        await send_mail(h, timedelta(seconds=29))
        assert (await rows(h))[0][2] == 1  # backing off: not tried again yet
        with mail_server(port) as inbox:
            await send_mail(h, timedelta(seconds=1))
            await send_mail(h, timedelta(minutes=5))
            assert len(inbox.mails) == 1 and "Haar ex staat voor de deur" in text(inbox.mails[0])
        assert await rows(h) == [("unpicked", "sent", 2, "")]


async def test_an_attempt_cut_off_by_a_crash_is_tried_again_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    use_mail(monkeypatch, port)
    async with emergency_raised(tmp_path) as h:
        await h.advance(timedelta(minutes=5))
        await h.services.email.stop()
        async with h.services.db.transaction() as tx:  # as if the bot died mid-attempt
            await tx.execute("UPDATE emails SET in_flight = 1, next_attempt_at = NULL")
            assert await emails.claim_due(tx, h.clock.now(), 10) == []
        await h.services.email.start()
        with mail_server(port) as inbox:
            await send_mail(h)
            assert len(inbox.mails) == 1


def certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (the test trusts it as smtp_ca_file)."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert)),
            *("-days", "2", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def only_samenspel(server: object, session: object, envelope: object, mechanism: str, auth: object) -> AuthResult:
    ok = isinstance(auth, LoginPassword) and (auth.login, auth.password) == (b"samenspel", b"geheim wachtwoord")
    return AuthResult(success=ok)


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")  # see the implicit case below
@pytest.mark.parametrize("tls", ["starttls", "implicit"])
async def test_tls_and_a_login(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tls: str) -> None:
    cert, key = certificate(tmp_path)
    port = free_port()
    use_mail(monkeypatch, port, smtp_tls=tls, smtp_ca_file=str(cert), smtp_username="samenspel")
    monkeypatch.setenv("SAMENSPEL_NOTIFY__SMTP_PASSWORD", "geheim wachtwoord")
    context = server_context(cert, key)
    options: dict[str, Any] = {"authenticator": only_samenspel, "auth_required": True}
    if tls == "starttls":
        options |= {"tls_context": context, "require_starttls": True}
    else:  # aiosmtpd counts only STARTTLS as TLS for its AUTH rule; this whole connection is TLS
        options |= {"ssl_context": context, "auth_require_tls": False}
    with mail_server(port, **options) as inbox:
        async with emergency_raised(tmp_path) as h:
            await send_mail(h, timedelta(minutes=5))
            assert len(inbox.mails) == 1, await rows(h)
            assert "geheim" not in repr(h.services.settings.notify)  # the password is a SecretStr


def test_settings_refuse_mail_without_a_server_plaintext_away_from_this_machine_or_half_a_login() -> None:
    from bot.config import ConfigError

    for notify in (
        {"email": [DUTY]},
        {"email": [DUTY], "smtp_host": "smtp.example.nl", "smtp_tls": "none"},
        {"email": [DUTY], "smtp_host": "smtp.example.nl", "smtp_username": "samenspel"},
        {"email": ["geen adres"], "smtp_host": "smtp.example.nl"},
    ):
        with pytest.raises(ConfigError):
            load_settings(None, notify=notify)
    ok = load_settings(None, notify={"email": [DUTY], "smtp_host": "smtp.example.nl", "smtp_tls": "implicit"})
    assert ok.notify.port == 465 and load_settings(None).notify.email == []
