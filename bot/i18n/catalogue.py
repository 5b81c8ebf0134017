"""The message catalogue: one gettext .po file per language in `locale/`, read and checked once at import.

An entry's msgctxt is the key the code asks for (`signal.sent`), its msgid the Dutch source text and its
msgstr the text in the file's language; a message that counts something has a msgid_plural and one msgstr
per plural form of that language. Its translator comment `#. Plural form by {name}.` names the value that
picks the form. Texts are Telegram HTML with `{name}` placeholders (str.format, nothing but plain names).

Loading refuses a catalogue that would fail at run time: a key missing in a language, placeholders that
differ between languages or forms, a plural message without its count, a wrong number of forms.
"""

from __future__ import annotations

import gettext
import re
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Final

from babel import Locale
from babel.messages.catalog import Message
from babel.messages.pofile import PoFileError, read_po

from bot.i18n.grammar import SPECS

LOCALE_DIR: Final = Path(__file__).resolve().parent / "locale"
SOURCE_LANGUAGE: Final = "nl"  # msgid holds the Dutch text in every file

_COUNT_COMMENT: Final = re.compile(r"Plural form by \{(\w+)\}\.?")
_NUMBER: Final = re.compile(r"(\d+)(?:[.,](\d+))?")


class CatalogueError(ValueError):
    """A .po file the bot cannot use as it is."""


def placeholders(text: str) -> set[str]:
    """The names of a text's `{name}` fields."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@dataclass(frozen=True, slots=True)
class Entry:
    """One message in every language."""

    key: str
    count: str | None  # the value whose number picks the plural form; None for a message without plurals
    texts: Mapping[str, tuple[str, ...]]  # language -> the text, or one text per plural form
    sources: Mapping[str, tuple[str, ...]]  # language -> the Dutch msgid (and msgid_plural) its file translates

    @property
    def placeholders(self) -> set[str]:
        return set().union(*(placeholders(form) for forms in self.texts.values() for form in forms))


@dataclass(frozen=True, slots=True)
class Plurals:
    """How a language picks a plural form: gettext's Plural-Forms for whole numbers, CLDR for fractions."""

    forms: int
    whole: Callable[[int], int]  # gettext's Plural-Forms expression
    by_category: Mapping[str, int]  # CLDR category -> form, for counts with a fraction ("1,5")
    locale: Locale
    single: frozenset[int]  # forms for one number only, which may leave the number out ("once")

    def form(self, number: Decimal, fraction: bool) -> int:
        if not fraction:
            return self.whole(int(number))
        # gettext's formula is defined for whole numbers only; CLDR says which category 1,5 is in, and the
        # form gettext gives a whole number of that category is the one to use ("1,5 uur", "1.5 hours").
        # A category only fractions have (Polish, Russian, Czech "other") reads like the form of 2 there.
        return self.by_category.get(self.locale.plural_form(number), self.whole(2))


def _plurals(locale: Locale, forms: int, expression: str) -> Plurals:
    whole = gettext.c2py(expression)
    by_category: dict[str, int] = {}
    numbers = [0] * forms  # how many of 0..999 each form is for
    for n in range(1000):
        form = whole(n)
        if not 0 <= form < forms:
            raise ValueError(f"{expression} gives form {form} for {n}, but nplurals={forms}")
        numbers[form] += 1
        by_category.setdefault(locale.plural_form(n), form)
    single = frozenset(form for form, used in enumerate(numbers) if used == 1)
    return Plurals(forms, whole, by_category, locale, single)


@dataclass(frozen=True, slots=True)
class Catalogue:
    languages: Mapping[str, Plurals]
    entries: Mapping[str, Entry]

    def template(self, lang: str, key: str, count: str | None = None) -> str:
        """The text to fill in: for a plural message, the form for `count`, the number as it is shown."""
        entry = self.entries[key]
        forms = entry.texts[lang]
        if entry.count is None:
            return forms[0]
        if count is None:
            raise KeyError(f"{key} needs its count {{{entry.count}}}")
        number, fraction = count_value(count, f"{key}: {{{entry.count}}}")
        return forms[self.languages[lang].form(number, fraction)]

    def plain_texts(self, prefix: str) -> dict[str, dict[str, str]]:
        """Key -> {language: text} of every message under `prefix`, for a page that fills them in itself."""
        found = {key: entry for key, entry in self.entries.items() if key.startswith(prefix)}
        counted = sorted(key for key, entry in found.items() if entry.count is not None)
        if counted:
            raise ValueError(f"plural messages cannot be handed out as plain texts: {counted}")
        return {key: {lang: forms[0] for lang, forms in entry.texts.items()} for key, entry in found.items()}


def count_value(shown: str, what: str) -> tuple[Decimal, bool]:
    """The number a count shows, and whether it is shown with a fraction: "2", "1,5", "1.5"."""
    match = _NUMBER.fullmatch(shown.strip())
    if match is None:
        raise ValueError(f"{what} must be a number, not {shown!r}")
    whole, fraction = match.groups()
    return Decimal(f"{whole}.{fraction}" if fraction else whole), fraction is not None


def load(directory: Path, languages: Iterable[str]) -> Catalogue:
    """Read `<language>.po` for each language from `directory` and check them together."""
    codes = list(languages)
    if SOURCE_LANGUAGE not in codes:
        raise CatalogueError(f"the source language {SOURCE_LANGUAGE!r} must be among {codes}")
    per_language: dict[str, dict[str, Message]] = {}
    plurals: dict[str, Plurals] = {}
    for code in codes:
        path = directory / f"{code}.po"
        try:
            with path.open("rb") as file:
                catalog = read_po(file, abort_invalid=True)
        except (OSError, PoFileError) as error:
            raise CatalogueError(f"{path}: {error}") from error
        locale = catalog.locale
        if locale is None or str(locale) != code:
            raise CatalogueError(f"{path}: its Language header says {locale}, not {code}")
        try:
            plurals[code] = _plurals(locale, catalog.num_plurals, catalog.plural_expr)
        except ValueError as error:
            raise CatalogueError(f"{path}: Plural-Forms: {error}") from error
        messages: dict[str, Message] = {}
        for message in catalog:
            if not message.id:
                continue  # the header
            where = f"{path.name}: {message.context or message.id!r}"
            if not message.context:
                raise CatalogueError(f"{where}: no msgctxt; it holds the message's key")
            if message.context in messages:
                raise CatalogueError(f"{where}: the key is there twice")
            messages[message.context] = message
        per_language[code] = messages
    keys = per_language[SOURCE_LANGUAGE]
    for code, messages in per_language.items():
        if missing := sorted(keys.keys() - messages.keys()):
            raise CatalogueError(f"{code}.po lacks {missing}")
        if extra := sorted(messages.keys() - keys.keys()):
            raise CatalogueError(f"{code}.po has keys {SOURCE_LANGUAGE}.po does not: {extra}")
    entries = {key: _entry(key, {code: per_language[code][key] for code in codes}, plurals) for key in keys}
    return Catalogue(plurals, entries)


def _forms(value: str | tuple[str, ...] | list[str] | None) -> tuple[str, ...]:
    if value is None:
        return ("",)
    return (value,) if isinstance(value, str) else tuple(value)


def _entry(key: str, messages: Mapping[str, Message], plurals: Mapping[str, Plurals]) -> Entry:
    plural = {code for code, message in messages.items() if message.pluralizable}
    if plural and plural != set(messages):
        raise CatalogueError(f"{key}: plural in {sorted(plural)} but not in {sorted(set(messages) - plural)}")
    counts = set()
    for message in messages.values():
        counts |= {m.group(1) for c in message.auto_comments if (m := _COUNT_COMMENT.fullmatch(c.strip()))}
    if len(counts) > 1:
        raise CatalogueError(f"{key}: the files name different counts {sorted(counts)}")
    count = next(iter(counts), None)
    if plural and count is None:
        raise CatalogueError(f"{key}: a plural message needs '#. Plural form by {{name}}.'")
    if not plural and count is not None:
        raise CatalogueError(f"{key}: names a count but has no plural forms")
    texts = {code: _forms(message.string) for code, message in messages.items()}
    for code, forms in texts.items():
        if plural and len(forms) != plurals[code].forms:
            raise CatalogueError(f"{key}: {len(forms)} forms in {code}.po, its Plural-Forms says {plurals[code].forms}")
        if messages[code].fuzzy:
            raise CatalogueError(f"{key}: fuzzy in {code}.po; check the text and remove the flag")
        if not all(form.strip() for form in forms):
            raise CatalogueError(f"{key}: no text in {code}.po")
    _check_placeholders(key, texts, count, plurals)
    sources = {code: _forms(message.id) for code, message in messages.items()}
    return Entry(key, count, texts, sources)


def _check_placeholders(
    key: str, texts: Mapping[str, tuple[str, ...]], count: str | None, plurals: Mapping[str, Plurals]
) -> None:
    """Every form has the same `{name}` fields. Like msgfmt, a form for one number only may leave the count
    out ("once", "de laatste check-in"); the form for 2, 3 … must show it."""
    found: dict[str, set[str]] = {}
    countless: set[str] = set()  # the forms allowed to leave the count out
    for code, forms in texts.items():
        for index, form in enumerate(forms):
            where = f"{key} ({code}, form {index})" if len(forms) > 1 else f"{key} ({code})"
            try:
                fields = list(string.Formatter().parse(form))
            except ValueError as error:
                raise CatalogueError(f"{where}: {error}") from None
            for _, name, spec, conversion in fields:
                if name is None:
                    continue
                # Plain names only: `{0}` would take no value, and `{name.attr}` would let a text reach into
                # the value's attributes. The one spec is the grammar the renderer knows (bot.i18n.grammar).
                if not name.isidentifier() or (spec and spec not in SPECS) or conversion:
                    raise CatalogueError(
                        f"{where}: {{{name}}} must be a plain {{name}} or use a spec of {sorted(SPECS)}"
                    )
            found[where] = placeholders(form)
            if count is not None and index in plurals[code].single:
                countless.add(where)
    every = set().union(*found.values())
    if count is not None and count not in every:
        raise CatalogueError(f"{key}: the count {{{count}}} is in no form")
    for where, names in found.items():
        if names != every and not (where in countless and names == every - {count}):
            raise CatalogueError(f"{key}: placeholders differ: {where} has {sorted(names)}, all have {sorted(every)}")
