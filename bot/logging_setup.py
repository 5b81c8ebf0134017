"""Logging that never carries a bot token or what people wrote.

Two layers. The configured level (`[app] log_level`) opens up Samenspel's own loggers only: every
library stays at INFO or above, because at DEBUG python-telegram-bot logs each update and each API call
with its parameters (names, report texts), aiosqlite each statement with its values, and httpx each
URL (with the token in it). And the one handler's formatter redacts, whatever the level, anything
shaped like people's words that reaches it anyway: values of name and text fields in reprs, dicts and
JSON, every string a library puts in a message, and the quoted values in exception messages.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Mapping

OWN_LOGGERS = ("bot", "handlers", "storage")
# Libraries that log people's words or the token below these levels, held there whatever the setting.
LIBRARY_FLOORS = {
    "telegram": logging.INFO,  # DEBUG: every update and every Bot API call with its parameters
    "aiosqlite": logging.INFO,  # DEBUG: every statement with its values
    "aiohttp": logging.INFO,  # the sandbox's web server
    "apscheduler": logging.WARNING,  # INFO: a line for every tick of the job queue
    "httpx": logging.WARNING,  # INFO: every request URL, which holds the token
    "httpcore": logging.WARNING,
}
REDACTED = "<redacted>"

_TOKEN = re.compile(r"\d{5,}:[A-Za-z0-9_-]{20,}")
# Fields that hold what people wrote or are called, in PTB's and our own models: first_name, username,
# text, caption, client_alias, body, resolution, comment, callback data, ...
_FIELD_NAMES = (
    r"\w*(?:name|text|caption|alias|body|comment|note|resolution|reply|title|query|question|explanation"
    r"|contact_times|phone_number|vcard|address|bio|data)"
)
_QUOTED = (
    r"'(?:[^'\\\n]|\\.)*'"  # a Python repr
    r'|"(?:[^"\\\n]|\\.)*"'  # JSON, or a repr of a string with a quote in it
    r'|\\"(?:[^"\\\n]|\\[^"\n])*\\"'  # JSON inside a JSON string
    r"|['\"][^\n]*"  # a quote left open (a message cut short): to the end of the line
)
# name='Vera', 'text': 'hallo', "first_name": "Vera", \"text\": \"…\", text=hallo+daar&…
_FIELD = re.compile(
    rf"(?P<key>(?<![\w\\'\"])(?P<q>\\?['\"]?)\b{_FIELD_NAMES}\b(?P=q)\s*[:=]\s*)"
    rf"(?:{_QUOTED}|[^\s&,;)\]}}'\"]+)"
)
_LITERAL = re.compile(_QUOTED)
# A lower-case identifier before a colon is a key of a dict or JSON object ('chat_id': 5): it stays.
_KEY = re.compile(r"""(?P<q>['"])[a-z_][a-z0-9_]*(?P=q)\s*:""")
_FRAME = re.compile(r"^[ |]*File \"")


def redact_fields(text: str) -> str:
    """Tokens out, and the value of every name or text field (in whatever notation) out."""
    return _FIELD.sub(lambda m: m.group("key") + REDACTED, _TOKEN.sub("<token>", text))


def redact_strings(text: str) -> str:
    """Every quoted string out but keys: for library messages, where any string may be someone's words."""

    def one(match: re.Match[str]) -> str:
        key = _KEY.match(text, match.start())
        return match.group(0) if key is not None and key.end() > match.end() else REDACTED

    return _LITERAL.sub(one, text)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" |"))


def redact_traceback(text: str) -> str:
    """Exception messages quote what failed to parse or was not found: those strings out. The frames
    (file, line, the line of code) stay, so the traceback still says where it happened."""
    out: list[str] = []
    frame: int | None = None  # the indent of the frame line just above
    for line in text.split("\n"):
        if _FRAME.match(line):
            out.append(line)
            frame = _indent(line)
            continue
        # Indented below its frame: the line of code (or its ^^^ marks). Otherwise an exception's message.
        out.append(line if frame is not None and _indent(line) > frame else redact_strings(line))
        frame = None
    return "\n".join(out)


def _number_or_redacted(value: object) -> object:
    return value if value is None or isinstance(value, int | float) else REDACTED


def _without_strings(args: object) -> object:
    """A library's log arguments with everything but numbers replaced: any string, update or request
    could be (or contain) what someone wrote."""
    if isinstance(args, Mapping):
        return {key: _number_or_redacted(value) for key, value in args.items()}
    if isinstance(args, tuple):
        return tuple(_number_or_redacted(value) for value in args)
    return args


def _is_own(name: str) -> bool:
    return any(name == own or name.startswith(own + ".") for own in OWN_LOGGERS)


class RedactingFormatter(logging.Formatter):
    """The last line of defence: whatever a library (or a careless line of ours) logs, names, texts and
    tokens do not reach the output."""

    def format(self, record: logging.LogRecord) -> str:
        # A copy: other handlers (a test's capture) see the record unchanged, and the exception text is
        # formatted here, never taken from another formatter's cache.
        record = copy.copy(record)
        record.exc_text = None
        if not _is_own(record.name):
            record.args = _without_strings(record.args)  # type: ignore[assignment]
        return redact_fields(super().format(record))

    def formatMessage(self, record: logging.LogRecord) -> str:
        if not _is_own(record.name):
            record.message = redact_strings(record.message)
        return super().formatMessage(record)

    def formatException(self, ei: logging._SysExcInfoType) -> str:
        return redact_traceback(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:
        return redact_traceback(super().formatStack(stack_info))


def setup_logging(level: str) -> None:
    """One handler on the root logger (stderr); `level` for Samenspel's own loggers, at least INFO for the rest."""
    configured = logging.getLevelNamesMapping()[level.upper()]
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    # Libraries not named below inherit this: at least INFO.
    root.setLevel(max(configured, logging.INFO))
    for name in OWN_LOGGERS:
        logging.getLogger(name).setLevel(configured)
    for name, floor in LIBRARY_FLOORS.items():
        logging.getLogger(name).setLevel(max(configured, floor))
