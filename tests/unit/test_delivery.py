"""The outbox sender's pure parts (`bot.delivery`): back-off and plain text from HTML."""

from __future__ import annotations

from bot.delivery import backoff, html_to_plain


def test_backoff_grows_and_is_capped() -> None:
    assert 0.8 <= backoff(1) <= 1.2
    assert 3.2 <= backoff(3) <= 4.8
    assert backoff(40) <= 300 * 1.2
    assert html_to_plain("<b>a &amp; b</b>") == "a & b"
