"""Logs never carry what people wrote (issue 10, item 5): a whole run at DEBUG, and libraries turned up to
DEBUG by hand, log no name and no text."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from bot.logging_setup import setup_logging
from bot.sandbox.state import FakeUser
from tests.support.harness import PIET, VERA, alerts, running_bot, seed_organisation, send_signal
from tests.support.logs import configured_logging

STRANGER = FakeUser(id=7777, first_name="Sanne", username="sannedewit")
STRANGER_TEXT = "Hoi, ik ben Sanne de Wit uit Kanaleneiland"
SIGNAL_TEXT = "Mevrouw Bakker is gevallen op de trap en eet slecht sinds haar man overleed"
REPLY_TEXT = "Ik ga morgen met de huisarts van mevrouw bellen"
# Who and what may not be in any log line: names as whole words (a timestamp can hold no name).
SECRETS = [STRANGER.first_name, "sannedewit", "Sanne de Wit", "Kanaleneiland", VERA.first_name, PIET.first_name]
SECRETS += [SIGNAL_TEXT, "Mevrouw Bakker", "huisarts", REPLY_TEXT]


def leaks(log: str) -> list[str]:
    return [s for s in SECRETS if re.search(rf"(?<!\w){re.escape(s)}(?!\w)", log)]


async def stranger_and_signal(tmp_path: Path) -> None:
    """A stranger writes; Vera sends a signal in her words; Piet picks it up and answers in his."""
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        h.api.register_user(STRANGER)
        [answer] = await h.send(STRANGER, STRANGER_TEXT)
        assert "uitnodigingslink" in answer.text
        await send_signal(h, text=SIGNAL_TEXT)
        [alert] = alerts(h, PIET)
        assert SIGNAL_TEXT in alert.text
        picked = await h.tap(PIET, alert, "Ik pak het op")
        await h.tap(PIET, picked, "Afronden")
        [done] = await h.send(PIET, REPLY_TEXT)
        assert "Afgerond" in done.text
        assert REPLY_TEXT in h.texts(VERA)[-1]


async def test_a_run_at_debug_logs_neither_names_nor_texts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with configured_logging():
        setup_logging("DEBUG")  # as `samenspel run` does with log_level = "DEBUG"
        assert logging.getLogger("bot.app").isEnabledFor(logging.DEBUG)
        await stranger_and_signal(tmp_path)
    log = capsys.readouterr().err
    assert "INFO bot.app: Samenspel is running as @" in log  # the log was captured
    assert leaks(log) == [], log


async def test_what_a_library_logs_at_debug_is_redacted_anyway(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The handler is the last line: with the libraries turned up to DEBUG by hand, PTB logs every update
    and API call and aiosqlite every statement with its values, and still no name or text gets out."""
    with configured_logging():
        setup_logging("DEBUG")
        for name in ("telegram", "aiosqlite", "httpx", "httpcore"):
            logging.getLogger(name).setLevel(logging.DEBUG)
        await stranger_and_signal(tmp_path)
    log = capsys.readouterr().err
    # The records did come through (redacted), so the test saw them.
    assert "DEBUG telegram.ext.ExtBot: Calling Bot API endpoint `<redacted>` with parameters `<redacted>`" in log
    assert "DEBUG telegram.ext.Application: Processing update <redacted>" in log
    assert "DEBUG aiosqlite: executing <redacted>" in log
    assert leaks(log) == [], [line for line in log.splitlines() if leaks(line)][:5]
