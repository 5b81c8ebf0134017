"""The log formatter and levels (`bot.logging_setup`): names, texts and tokens redacted, frames kept,
libraries held at INFO or above."""

from __future__ import annotations

import logging

import pytest

from bot.logging_setup import RedactingFormatter, setup_logging
from tests.support.logs import configured_logging


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
