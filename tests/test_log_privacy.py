"""Logs never carry what people wrote (issue 10, item 5): not at DEBUG, not from a library, not in a traceback."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from bot.logging_setup import LIBRARY_FLOORS, OWN_LOGGERS, RedactingFormatter, setup_logging
from tests.harness import PIET, VERA, running_bot, seed_organisation
from tests.support.fake_bot_api import FakeUser
from tests.test_e2e_escalations import alerts, send_signal

STRANGER = FakeUser(id=7777, first_name="Sanne", username="sannedewit")
STRANGER_TEXT = "Hoi, ik ben Sanne de Wit uit Kanaleneiland"
SIGNAL_TEXT = "Mevrouw Bakker is gevallen op de trap en eet slecht sinds haar man overleed"
REPLY_TEXT = "Ik ga morgen met de huisarts van mevrouw bellen"
# Who and what may not be in any log line: names as whole words (a timestamp can hold no name).
SECRETS = [STRANGER.first_name, "sannedewit", "Sanne de Wit", "Kanaleneiland", VERA.first_name, PIET.first_name]
SECRETS += [SIGNAL_TEXT, "Mevrouw Bakker", "huisarts", REPLY_TEXT]
LOGGERS = ("", *OWN_LOGGERS, *LIBRARY_FLOORS)


@contextmanager
def configured_logging() -> Iterator[None]:
    """Let the test call setup_logging as `samenspel run` does, and put logging back afterwards (within the
    test's own phase, so pytest's capture handlers come and go as they should)."""
    saved_handlers = logging.getLogger().handlers[:]
    saved_levels = {name: logging.getLogger(name).level for name in LOGGERS}
    try:
        yield
    finally:
        logging.getLogger().handlers[:] = saved_handlers
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)


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


def formatted(name: str, message: str, *args: object, error: BaseException | None = None) -> str:
    exc_info = (type(error), error, error.__traceback__) if error is not None else None
    record = logging.LogRecord(name, logging.ERROR, __file__, 1, message, args, exc_info)
    return RedactingFormatter("%(levelname)s %(name)s: %(message)s").format(record)


def raised(error: BaseException) -> BaseException:
    try:
        raise error
    except BaseException as caught:
        return caught


@pytest.mark.parametrize(
    ("name", "message", "args", "gone", "kept"),
    [
        # Our own line that (carelessly) logs a model: its name and text fields go, the ids stay.
        ("bot.services.x", "person %s", ("Person(id=4, name='Vera', telegram_id=1004)",), "Vera", "id=4"),
        ("handlers.x", "draft %s", ({"step": "text", "text": "Ze is gevallen"},), "Ze is gevallen", "'step': 'text'"),
        # The webhook's raw JSON, and JSON inside a JSON string.
        ("telegram.ext", "Webhook received data: %s", ('{"message": {"text": "hallo daar"}}',), "hallo", "Webhook"),
        ("bot.x", "%s", ('{"reply_markup": "{\\"text\\": \\"Piet\\"}"}',), "Piet", "reply_markup"),
        # A form-encoded body, and a message cut short in the middle of a quoted text.
        ("bot.x", "body %s", ("chat_id=5&text=Ze+is+gevallen&parse_mode=HTML",), "gevallen", "chat_id=5"),
        ("bot.x", "%s", ("Message(chat_id=5, text='Ze is geva",), "geva", "chat_id=5"),
        # Any string a library puts in its message, whatever it is called; numbers stay.
        ("telegram.ext.Application", "update %s from %d", ("Vera schreef iets", 1004), "Vera", "from 1004"),
        ("asyncio", "Task exception was never retrieved: Update(message='hallo daar')", (), "hallo", "Task"),
        # A bot token in a URL.
        (
            "bot.x",
            "GET %s",
            ("https://api.telegram.org/bot123456789:AAEabcdefghijklmnopqrstuvwxyz/x",),
            "AAE",
            "<token>",
        ),
    ],
)
def test_the_formatter_redacts_names_texts_and_tokens(
    name: str, message: str, args: tuple[object, ...], gone: str, kept: str
) -> None:
    line = formatted(name, message, *args)
    assert gone not in line and kept in line, line


def test_tracebacks_keep_their_frames_and_lose_the_values_they_quote() -> None:
    def parse_hours(text: str) -> int:
        return int(text)

    words = "vier uur bij mevrouw Bakker"
    try:
        parse_hours(words)
    except ValueError as error:
        line = formatted("bot.services.checkins", "could not read the hours", error=error)
    update = "Update(message=Message(text='hallo daar', from_user=User(first_name='Sanne', id=5)))"
    wrapped = raised(RuntimeError(f"while handling {update}"))
    nested = formatted("telegram.ext.Application", "no error handler", error=wrapped)
    assert "Bakker" not in line and "ValueError: invalid literal for int() with base 10: <redacted>" in line
    assert 'File "' in line and "in parse_hours" in line and "return int(text)" in line
    assert "hallo" not in nested and "Sanne" not in nested and "RuntimeError: while handling" in nested


def test_libraries_stay_at_info_or_above_whatever_the_level() -> None:
    with configured_logging():
        setup_logging("DEBUG")
        for name in ("telegram", "telegram.ext.Application", "httpx", "apscheduler", "aiohttp.access", "aiosqlite"):
            assert not logging.getLogger(name).isEnabledFor(logging.DEBUG), name
        assert not logging.getLogger("some.other.library").isEnabledFor(logging.DEBUG)
        assert logging.getLogger("storage.db").isEnabledFor(logging.DEBUG)
        assert logging.getLogger("handlers.gate").isEnabledFor(logging.DEBUG)
        setup_logging("ERROR")
        assert not logging.getLogger("telegram").isEnabledFor(logging.WARNING)
        assert not logging.getLogger("bot.app").isEnabledFor(logging.WARNING)


def test_other_handlers_see_the_record_unchanged() -> None:
    """The formatter redacts its own output only: a record is not altered for, say, a test's capture."""
    record = logging.LogRecord("telegram", logging.INFO, __file__, 1, "update %s", ("Vera",), None)
    RedactingFormatter().format(record)
    assert record.getMessage() == "update Vera"
