"""The message catalogue: every user-facing string, in Dutch and English.

Messages are Telegram HTML. Values passed to `t` are escaped unless wrapped in `Markup`,
so a volunteer's `<`, `&` or `*` can never break a message.
"""

from __future__ import annotations

import html
import string
from typing import Final

from bot.i18n.catalogue import MESSAGES

LANGUAGES: Final = ("nl", "en")
DEFAULT_LANGUAGE: Final = "nl"


class Markup(str):
    """Text that is already valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


def language_for(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The first language for a new person, from Telegram's language_code."""
    if code:
        short = code.split("-")[0].lower()
        if short in LANGUAGES:
            return short
    return default


def _lookup(lang: str, key: str) -> str:
    try:
        entry = MESSAGES[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in the catalogue") from None
    return entry.get(lang) or entry[DEFAULT_LANGUAGE]


def t(lang: str, key: str, /, **values: object) -> Markup:
    """A message as Telegram HTML, with values escaped."""
    safe = {k: v if isinstance(v, Markup) else html.escape(str(v), quote=False) for k, v in values.items()}
    return Markup(_lookup(lang, key).format(**safe))


def plain(lang: str, key: str, /, **values: object) -> str:
    """A message as plain text (button labels, callback answers: no parse mode there)."""
    return _lookup(lang, key).format(**{k: str(v) for k, v in values.items()})


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
