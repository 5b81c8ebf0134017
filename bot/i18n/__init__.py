"""Every user-facing string, in Dutch and English: `t()` and `plain()` over the catalogue in `locale/*.po`.

Messages are Telegram HTML. Values passed to `t` are escaped unless wrapped in `Markup`, so a volunteer's
`<`, `&` or `*` can never break a message.

A message that counts something has plural forms; the value its entry names (`#. Plural form by {hours}.`)
picks the form. Pass it as a number (shown the language's way: 1,5 in Dutch, 1.5 in English) or as a number
already written out ("2,5"). A second count in the same sentence is an `Amount`: number and unit together.
"""

from __future__ import annotations

import functools
import html
import string
from dataclasses import dataclass
from decimal import Decimal
from typing import Final, TypeGuard

from babel.numbers import format_decimal

from bot.i18n.catalogue import LOCALE_DIR, Catalogue, load, placeholders
from bot.i18n.grammar import SPECS

__all__ = [
    "CATALOGUE",
    "DEFAULT_LANGUAGE",
    "LANGUAGES",
    "Amount",
    "Markup",
    "fill",
    "language_for",
    "placeholders",
    "plain",
    "say_number",
    "t",
]

LANGUAGES: Final = ("nl", "en")
DEFAULT_LANGUAGE: Final = "nl"
CATALOGUE: Final[Catalogue] = load(LOCALE_DIR, LANGUAGES)

Number = int | float | Decimal


class Markup(str):
    """Text that is already valid Telegram HTML and must not be escaped again."""

    __slots__ = ()


@dataclass(frozen=True, slots=True)
class Amount:
    """A number and its unit, said in the reader's language when the message is rendered: "8 uur", "8 hours".

    `key` is a plural message counted by `{n}` (amount.hours, amount.days, amount.weeks). For the counts of
    a sentence other than the one that picks its form, and for values given before the language is known
    (a service's `Refused`).
    """

    key: str
    n: Number | str


def language_for(code: str | None, default: str = DEFAULT_LANGUAGE) -> str:
    """The first language for a new person, from Telegram's language_code."""
    if code:
        short = code.split("-")[0].lower()
        if short in LANGUAGES:
            return short
    return default


def say_number(value: Number, lang: str) -> str:
    """A number as the language writes it: 2,5 in Dutch, 2.5 in English; no thousands separators."""
    if isinstance(value, int):
        return str(value)
    return format_decimal(value, locale=lang, group_separator=False)


def _render(lang: str, key: str, values: dict[str, object], escape: bool) -> str:
    try:
        entry = CATALOGUE.entries[key]
    except KeyError:
        raise KeyError(f"no message {key!r} in the catalogue") from None
    if lang not in entry.texts:
        lang = DEFAULT_LANGUAGE
    count: str | None = None
    filled: dict[str, str] = {}
    for name, value in values.items():
        if name == entry.count:
            if not (_is_number(value) or isinstance(value, str)):
                raise TypeError(f"the count {{{name}}} of {key} must be a number, not {value!r}")
            count = say_number(value, lang) if _is_number(value) else str(value)
            filled[name] = html.escape(count, quote=False) if escape and not isinstance(value, Markup) else count
        elif isinstance(value, Amount):
            filled[name] = _render(lang, value.key, {"n": value.n}, escape)
        elif isinstance(value, Markup) and escape:
            filled[name] = value
        else:
            filled[name] = html.escape(str(value), quote=False) if escape else str(value)
    return fill(lang, CATALOGUE.template(lang, key, count), filled, escape=escape)


class _Formatter(string.Formatter):
    """str.format plus the grammar a template asks for by name (`{volunteer:possessive}`, `{name:team}`)."""

    def __init__(self, lang: str, escape: bool) -> None:
        self._lang = lang
        self._escape = escape

    def format_field(self, value: object, format_spec: str) -> str:
        grammar = SPECS.get(format_spec)
        if grammar is None:
            return str(super().format_field(value, format_spec))
        text = str(value)
        if not self._escape:
            return grammar(self._lang, text)
        return html.escape(grammar(self._lang, html.unescape(text)), quote=False)


def fill(lang: str, template: str, values: dict[str, str], *, escape: bool = False) -> str:
    """A template with its values (already escaped where needed) in place, in the grammar of `lang`."""
    if not _asks_grammar(template):
        return template.format(**values)  # nearly every message: str.format, not the slower Python formatter
    return _Formatter(lang, escape).vformat(template, (), values)


@functools.cache
def _asks_grammar(template: str) -> bool:
    """Whether a template has a field such as `{volunteer:possessive}` (the catalogue allows no other spec)."""
    return any(spec for _, name, spec, _ in string.Formatter().parse(template) if name)


def _is_number(value: object) -> TypeGuard[Number]:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def t(lang: str, key: str, /, **values: object) -> Markup:
    """A message as Telegram HTML, with values escaped."""
    return Markup(_render(lang, key, values, escape=True))


def plain(lang: str, key: str, /, **values: object) -> str:
    """A message as plain text (button labels, callback answers: no parse mode there)."""
    return _render(lang, key, values, escape=False)
