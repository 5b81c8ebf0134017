"""What the system tests share: the outbox's back-off at a tenth of its scale."""

from __future__ import annotations

import pytest

import bot.delivery as delivery_module


@pytest.fixture
def short_backoff(monkeypatch: pytest.MonkeyPatch) -> None:
    """The outbox's back-off after a failed send, its shape kept and its scale a tenth (1, 2, 4 … seconds
    become 0.1, 0.2, 0.4 …): what these tests prove does not depend on how long the sender waits, and
    `tests/unit/test_delivery.py` checks the real scale."""
    real_backoff = delivery_module.backoff
    monkeypatch.setattr(delivery_module, "backoff", lambda attempts: real_backoff(attempts) / 10)
