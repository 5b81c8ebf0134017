"""How the bot talks HTTP to Telegram: its two clients (getUpdates and the rest) with the configured timeouts,
and one TLS context for both and for every Application in the process (loading the CA certificates costs
some 30 ms each time)."""

from __future__ import annotations

from pathlib import Path

from telegram.request import HTTPXRequest

from bot.app import build_application, tls_context
from bot.config import load_settings
from bot.telegram_http import MOST_CONNECTIONS


def _clients(tmp_path: Path) -> tuple[HTTPXRequest, HTTPXRequest]:
    settings = load_settings(
        None,
        telegram={"token": "1:offline", "request_timeout_seconds": 7, "poll_timeout_seconds": 20},
        storage={"path": str(tmp_path / "never-opened.db")},
    )
    updates, other = build_application(settings).bot._request
    assert isinstance(updates, HTTPXRequest) and isinstance(other, HTTPXRequest)
    return updates, other


def test_both_clients_have_the_configured_timeouts_and_pool_sizes(tmp_path: Path) -> None:
    updates, other = _clients(tmp_path)
    timeout = other._client.timeout
    assert (timeout.connect, timeout.read, timeout.write, timeout.pool) == (7, 7, 7, 7)
    assert updates._client.timeout.read == 27  # the long poll's 20 s, and the request timeout past it
    assert other._client._transport._pool._max_connections == MOST_CONNECTIONS  # type: ignore[attr-defined]
    assert updates._client._transport._pool._max_connections == 1  # type: ignore[attr-defined]


def test_every_client_in_the_process_shares_one_tls_context_that_verifies(tmp_path: Path) -> None:
    first, second = _clients(tmp_path), _clients(tmp_path)
    contexts = {id(c._client._transport._pool._ssl_context) for c in (*first, *second)}  # type: ignore[attr-defined]
    assert contexts == {id(tls_context())}
    assert tls_context().check_hostname and tls_context().verify_mode.name == "CERT_REQUIRED"
