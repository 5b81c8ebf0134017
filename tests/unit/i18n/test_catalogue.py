"""The message catalogue: complete in both languages, every message valid Telegram HTML, real plural forms."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from bot.domain.models import Person, Role
from bot.i18n import CATALOGUE, LANGUAGES, Amount, Markup, placeholders, plain, say_number, t
from bot.i18n.catalogue import LOCALE_DIR, CatalogueError, Entry, load
from bot.sandbox.markup import parse_html, utf16_len
from bot.services.escalations import Routing
from handlers.reports import routing_text

NASTY = "<b>&amp; *_[x](y) 🙂 \\ </i>"
KEYS = sorted(CATALOGUE.entries)
PLURAL_KEYS = sorted(key for key, entry in CATALOGUE.entries.items() if entry.count is not None)


def _hostile(entry: Entry, count: int = 2) -> dict[str, object]:
    """NASTY in every placeholder; the count, which must be a number, gets `count`."""
    return {name: count if name == entry.count else NASTY for name in entry.placeholders}


@pytest.mark.parametrize("key", KEYS)
def test_every_message_in_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = CATALOGUE.entries[key]
    assert set(entry.texts) == set(LANGUAGES), key
    for lang in LANGUAGES:
        for form in entry.texts[lang]:
            # A form may leave the count out ("once"), nothing else.
            assert placeholders(form) in (entry.placeholders, entry.placeholders - {entry.count}), (key, lang, form)
            assert form.strip(), key


@pytest.mark.parametrize("key", KEYS)
def test_every_message_renders_as_valid_telegram_html_even_with_hostile_values(key: str) -> None:
    entry = CATALOGUE.entries[key]
    for lang in LANGUAGES:
        values = _hostile(entry)
        rendered = t(lang, key, **values)
        parsed = parse_html(rendered)  # raises on what Telegram would refuse
        assert utf16_len(parsed.text) <= 4096
        if set(values) - {entry.count}:
            assert NASTY in parsed.text  # arrives intact, as text


@pytest.mark.parametrize("key", PLURAL_KEYS)
def test_every_plural_message_renders_for_0_1_and_2_as_valid_telegram_html(key: str) -> None:
    entry = CATALOGUE.entries[key]
    for lang in LANGUAGES:
        for count in (0, 1, 2):
            parsed = parse_html(t(lang, key, **_hostile(entry, count)))
            form = CATALOGUE.template(lang, key, str(count))
            assert f"{{{entry.count}}}" not in form or str(count) in parsed.text, (key, lang, count)


@pytest.mark.parametrize("key", PLURAL_KEYS)
def test_plural_messages_differ_between_1_and_2_where_the_language_does(key: str) -> None:
    entry = CATALOGUE.entries[key]
    one, two = (CATALOGUE.template("en", key, n) for n in ("1", "2"))
    assert one != two, f"{key}: English says every counted word differently for 1 and 2"
    one, two = (CATALOGUE.template("nl", key, n) for n in ("1", "2"))
    if one == two:
        # Dutch keeps "uur" and "keer" after a number ("2 uur", "3 keer"); anything else changes.
        assert re.search(rf"\{{{entry.count}\}} (uur|keer)\b", one), f"{key}: the same Dutch text for 1 and 2"


def test_counts_read_right_for_one() -> None:
    """The bot said "1 minuten", "1 werkuren" and "1 hours"."""
    assert plain("nl", "wait.minutes", n=1) == "1 minuut"
    assert plain("nl", "wait.working_hours", n=1) == "1 werkuur"
    assert plain("en", "wait.hours", n=1) == "1 hour"
    assert plain("en", "wait.minutes", n=2) == "2 minutes"
    assert plain("en", "agreement.done", volunteer="Vera", hours="1", contact="wo") == (
        "Done: Vera — 1 hour a week; contact: wo."
    )
    assert plain("nl", "wb.line.missed", count=1) == "• De laatste check-in niet ingevuld"
    assert plain("en", "visit.prompt", name="Vera", grace=1).endswith(
        "within 1 minute, I'll alert your professional.</i>"
    )


def test_a_fraction_takes_the_plural_form_and_the_languages_decimal_mark() -> None:
    assert plain("nl", "wait.hours", n=1.5) == "1,5 uur"
    assert plain("en", "wait.hours", n=1.5) == "1.5 hours"
    assert plain("nl", "wait.working_hours", n=1.5) == "1,5 werkuren"
    assert plain("en", "wait.working_hours", n=Decimal("0.5")) == "0.5 working hours"
    # A count already written out keeps its text; only its number picks the form.
    assert plain("nl", "me.answered", when="gisteren", hours="1,5") == "• gisteren: 1,5 uur"
    assert plain("en", "me.answered", when="yesterday", hours="1.5") == "• yesterday: 1.5 hours"
    assert plain("en", "me.answered", when="yesterday", hours="1.0") == "• yesterday: 1.0 hours"  # as CLDR says
    assert plain("en", "me.answered", when="yesterday", hours=1.0) == "• yesterday: 1 hour"  # shown as 1
    assert say_number(2.25, "nl") == "2,25" and say_number(12345.5, "nl") == "12345,5" and say_number(7, "en") == "7"


def test_a_count_must_be_a_number() -> None:
    for nonsense in ("veel", NASTY, None, True):
        with pytest.raises((ValueError, TypeError, KeyError)):
            t("nl", "wait.minutes", n=nonsense)
    with pytest.raises(KeyError, match="needs its count"):
        t("en", "wb.line.missed")


def test_an_amount_says_number_and_unit_in_the_readers_language() -> None:
    short = {"min": 5, "max": Amount("amount.hours", 1)}
    assert plain("en", "visit.bad_duration", **short).endswith("A visit lasts 5 minutes to 1 hour.")
    assert plain("nl", "visit.bad_duration", **short).endswith("Een bezoek duurt 5 minuten tot 1 uur.")
    days = Amount("amount.days", 1)
    assert plain("en", "wb.line.boundaries", count=1, days=days) == "• Contact outside the agreed times once in 1 day"
    assert plain("nl", "wb.line.private_life", count=3, days=Amount("amount.days", 28)).startswith(
        "• 3 keer in 28 dagen: "
    )
    window = {"hours": Amount("amount.hours", "9,5"), "agreed": "1", "weeks": Amount("amount.weeks", 1)}
    assert plain("nl", "wb.line.time_window", **window) == "• 9,5 uur in de afgelopen 1 week, afgesproken 1 in die tijd"
    assert plain("en", "wb.line.time_window", **window) == "• 9,5 hours in the last 1 week, 1 agreed for that time"
    with pytest.raises(ValueError):  # an amount's number is a count: text that is not a number is refused
        t("en", "visit.bad_duration", min=5, max=Amount("amount.hours", "<b>"))


def test_markup_values_are_not_escaped_twice() -> None:
    inner = t("nl", "help.section.everyone")
    outer = t("nl", "welcome", organisation="A & B", name="Vera", roles="vrijwilliger", help=inner)
    assert "&amp;amp;" not in outer and "A &amp; B" in outer and "<b>Altijd</b>" in outer
    assert isinstance(outer, Markup)


def test_button_labels_fit_and_are_plain() -> None:
    for key, entry in CATALOGUE.entries.items():
        if key.startswith("button."):
            for lang in LANGUAGES:
                values: dict[str, object] = {name: "Piet" for name in entry.placeholders}
                if entry.count is not None:
                    values[entry.count] = 12
                label = plain(lang, key, **values)
                assert len(label) <= 64 and not re.search(r"<[a-z/]", label), key


def test_dutch_uses_informal_je_not_u() -> None:
    for key, entry in CATALOGUE.entries.items():
        for form in entry.texts["nl"]:
            assert not re.search(r"\b(U|u) (bent|kunt|heeft|wilt)\b", form), key


def test_every_translation_is_of_the_current_dutch_text() -> None:
    """msgid is the Dutch source in every file: a stale one means the translation needs another look."""
    for key, entry in CATALOGUE.entries.items():
        dutch = entry.texts["nl"]
        for lang in LANGUAGES:
            assert entry.sources[lang] == dutch[:2], f"{lang}.po: {key} translates an older Dutch text"


def test_the_sandbox_page_gets_its_texts_and_no_plural_message() -> None:
    texts = CATALOGUE.plain_texts("sandbox.")
    assert texts["sandbox.clock.plus15"] == {"nl": "+15 minuten", "en": "+15 minutes"}
    with pytest.raises(ValueError, match="plural"):
        CATALOGUE.plain_texts("wait.")


# --- the routing text works out how long someone has before it moves on -------------------------------


def _routing(wait: timedelta, working_time: bool) -> Routing:
    piet = Person(1, "Piet", 11, frozenset({Role.PROFESSIONAL}), "nl")
    fatima = Person(2, "Fatima", 12, frozenset({Role.PROFESSIONAL}), "nl")
    return Routing(
        first=[piet],
        first_level=0,
        deferred_until=None,
        next_people=[fatima],
        next_level=1,
        wait=wait,
        all_at_once=False,
        working_time=working_time,
        nobody=False,
    )


@pytest.mark.parametrize(
    ("wait", "working_time", "lang", "said"),
    [
        (timedelta(hours=1), True, "nl", "binnen 1 werkuur,"),
        (timedelta(minutes=90), True, "nl", "binnen 1,5 werkuren,"),
        (timedelta(minutes=90), True, "en", "within 1.5 working hours,"),
        (timedelta(hours=2), False, "en", "within 2 hours,"),
        (timedelta(minutes=150), False, "nl", "binnen 2,5 uur,"),
        (timedelta(minutes=1), False, "nl", "binnen 1 minuut,"),
    ],
)
def test_the_routing_text_says_the_wait_with_its_plural(
    wait: timedelta, working_time: bool, lang: str, said: str
) -> None:
    assert said in routing_text(lang, _routing(wait, working_time), None)


# --- the files: checked when loaded, and by the standard tools ------------------------------------------

HEADER = (
    'msgid ""\nmsgstr ""\n"Language: {lang}\\n"\n"Content-Type: text/plain; charset=UTF-8\\n"\n'
    '"Plural-Forms: {forms}\\n"\n\n'
)
TWO_FORMS = "nplurals=2; plural=(n != 1);"
POLISH = "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);"
WAIT_NL = (
    '#. Plural form by {n}.\nmsgctxt "wait"\nmsgid "{n} minuut"\nmsgid_plural "{n} minuten"\n'
    'msgstr[0] "{n} minuut"\nmsgstr[1] "{n} minuten"\n\n'
)
HELLO_NL = 'msgctxt "hello"\nmsgid "Hoi {name}"\nmsgstr "Hoi {name}"\n\n'


def _write(folder: Path, lang: str, body: str, forms: str = TWO_FORMS) -> None:
    (folder / f"{lang}.po").write_text(HEADER.format(lang=lang, forms=forms) + body, encoding="utf-8")


def _load_with(folder: Path, en_body: str, nl_body: str = WAIT_NL + HELLO_NL) -> None:
    _write(folder, "nl", nl_body)
    _write(folder, "en", en_body)
    load(folder, ("nl", "en"))


WAIT_EN = WAIT_NL.replace(
    'msgstr[0] "{n} minuut"\nmsgstr[1] "{n} minuten"', 'msgstr[0] "{n} minute"\nmsgstr[1] "{n} minutes"'
)
HELLO_EN = HELLO_NL.replace('msgstr "Hoi {name}"', 'msgstr "Hi {name}"')
WAIT_SINGULAR = '#. Plural form by {n}.\nmsgctxt "wait"\nmsgid "{n} minuut"\nmsgstr "{n} minute"\n\n'


def test_a_complete_pair_of_files_loads(tmp_path: Path) -> None:
    _load_with(tmp_path, WAIT_EN + HELLO_EN)


@pytest.mark.parametrize(
    ("en_body", "complaint"),
    [
        (WAIT_EN, r"en\.po lacks \['hello'\]"),
        (WAIT_EN + HELLO_EN.replace("Hi {name}", "Hi {naam}"), "placeholders differ"),
        (WAIT_EN + HELLO_EN.replace("Hi {name}", "Hi {name.__class__}"), "plain"),
        (WAIT_EN + HELLO_EN.replace("Hi {name}", "Hi {0}"), "plain"),
        (WAIT_EN + HELLO_EN.replace("Hi {name}", "Hi {name"), "hello"),
        (WAIT_EN + HELLO_EN.replace("Hi {name}", ""), "no text"),
        (WAIT_EN + "#, fuzzy\n" + HELLO_EN, "fuzzy"),
        (WAIT_EN.replace("{n}.", "{name}.") + HELLO_EN, "different counts"),
        (WAIT_EN.replace('msgstr[1] "{n} minutes"', 'msgstr[1] "minutes"') + HELLO_EN, "placeholders differ"),
        (WAIT_SINGULAR + HELLO_EN, "plural in"),
        (WAIT_EN + HELLO_EN.replace('msgctxt "hello"\n', ""), "no msgctxt"),
        (WAIT_EN + HELLO_EN + HELLO_EN.replace('msgid "Hoi', 'msgid "Hallo'), "twice"),
    ],
)
def test_a_broken_file_is_refused_when_loaded(tmp_path: Path, en_body: str, complaint: str) -> None:
    with pytest.raises(CatalogueError, match=complaint):
        _load_with(tmp_path, en_body)


def test_a_plural_message_must_name_its_count(tmp_path: Path) -> None:
    uncounted = WAIT_NL.replace("#. Plural form by {n}.\n", "")
    with pytest.raises(CatalogueError, match="needs '#\\. Plural form by"):
        _load_with(tmp_path, WAIT_EN.replace("#. Plural form by {n}.\n", "") + HELLO_EN, uncounted + HELLO_NL)


def test_a_file_must_say_its_language(tmp_path: Path) -> None:
    _write(tmp_path, "nl", WAIT_NL + HELLO_NL)
    (tmp_path / "en.po").write_text(HEADER.format(lang="de", forms=TWO_FORMS) + WAIT_EN + HELLO_EN, "utf-8")
    with pytest.raises(CatalogueError, match="Language header says de"):
        load(tmp_path, ("nl", "en"))


def test_the_plural_form_follows_the_files_plural_forms_header(tmp_path: Path) -> None:
    """A language with three forms (Polish): gettext's formula for whole numbers, CLDR for fractions."""
    _write(tmp_path, "nl", WAIT_NL)
    polish = WAIT_NL.replace('msgstr[1] "{n} minuten"', 'msgstr[1] "{n} minuty"\nmsgstr[2] "{n} minut"')
    _write(tmp_path, "pl", polish.replace('msgstr[0] "{n} minuut"', 'msgstr[0] "{n} minuta"'), POLISH)
    catalogue = load(tmp_path, ("nl", "pl"))
    said = {n: catalogue.template("pl", "wait", n).format(n=n) for n in ("1", "2", "5", "22", "112", "1,5")}
    assert said == {
        "1": "1 minuta",
        "2": "2 minuty",
        "5": "5 minut",
        "22": "22 minuty",
        "112": "112 minut",
        "1,5": "1,5 minuty",
    }
    _write(tmp_path, "pl", WAIT_NL, POLISH.replace("nplurals=3", "nplurals=2"))  # the formula gives form 2
    with pytest.raises(CatalogueError, match="Plural-Forms"):
        load(tmp_path, ("nl", "pl"))


@pytest.mark.skipif(shutil.which("msgfmt") is None, reason="Debian's gettext (msgfmt) is not installed")
@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_files_pass_msgfmt_check(lang: str) -> None:
    """msgfmt --check also compares every msgstr's {placeholders} with the Dutch msgid's."""
    done = subprocess.run(
        ["msgfmt", "--check", "--output-file=/dev/null", str(LOCALE_DIR / f"{lang}.po")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and not done.stderr, done.stderr


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_files_compile_with_babel(lang: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "compile",
            "--statistics",
            "-l",
            lang,
            "-i",
            str(LOCALE_DIR / f"{lang}.po"),
            "-o",
            str(tmp_path / f"{lang}.mo"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0 and "error" not in done.stderr.lower(), done.stderr
    assert f"{len(CATALOGUE.entries)} of {len(CATALOGUE.entries)} messages (100%) translated" in done.stderr
