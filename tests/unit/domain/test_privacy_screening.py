"""Screening free text for personal data (`bot.domain.screening`): true and false positives per kind, masks,
overlaps, and no runaway on adversarial text (its timing goal is `python -m benchmarks.screening`)."""

from __future__ import annotations

import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from benchmarks.screening import ADVERSARIAL
from bot.domain.screening import (
    PRECEDENCE,
    Finding,
    FindingKind,
    bsn_valid,
    iban_valid,
    masked,
    screen,
)
from tests.support.paths import ROOT

YEAR = 2026
K = FindingKind


def found(text: str) -> list[tuple[FindingKind, str]]:
    return [(f.kind, f.text) for f in screen(text, current_year=YEAR)]


def kinds(text: str) -> set[FindingKind]:
    return {f.kind for f in screen(text, current_year=YEAR)}


# --- checksums ----------------------------------------------------------------------------------------


def test_bsn_eleven_check() -> None:
    # 111222333: 9+8+7+12+10+8+9+6-3 = 66 = 6*11; 123456789: 156-9 = 147 = 13*11+4.
    assert bsn_valid("111222333")
    assert not bsn_valid("123456789")
    assert bsn_valid("123456782")
    assert bsn_valid("1234.56.782")
    assert bsn_valid("123 456 782")
    assert not bsn_valid("000000000")
    assert not bsn_valid("12345678")  # eight digits
    assert not bsn_valid("1112223330")
    assert not bsn_valid("１１１２２２３３３")  # full-width digits are not digits
    assert not bsn_valid("")


def test_iban_mod_97() -> None:
    assert iban_valid("NL91ABNA0417164300")
    assert iban_valid("NL91 ABNA 0417 1643 00")
    assert iban_valid("nl91abna0417164300")
    assert iban_valid("DE89 3704 0044 0532 0130 00")
    assert iban_valid("GB82 WEST 1234 5698 7654 32")
    assert iban_valid("BE68 5390 0754 7034")
    assert not iban_valid("NL91ABNA0417164301")  # one digit changed
    assert not iban_valid("NL92ABNA0417164300")
    assert not iban_valid("NL91ABNA04171643000")  # NL is 18 characters
    assert not iban_valid("XX91ABNA0417164300")  # no such country
    assert not iban_valid("NL91ABNA041716430０")
    assert not iban_valid("")


# --- BSN ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, match",
    [
        ("bsn 111222333 van mevrouw", "111222333"),
        ("BSN: 1234.56.782", "1234.56.782"),
        ("bsn 123 456 782.", "123 456 782"),
        ("123-456-782", "123-456-782"),
    ],
)
def test_bsn_found(text: str, match: str) -> None:
    assert found(text) == [(K.BSN, match)]


@pytest.mark.parametrize(
    "text",
    [
        "nummer 123456789",  # fails the 11-check
        "000000000",
        "1112223330",  # ten digits
        "12.111222333",  # part of a larger number
        "１１１２２２３３３",  # full-width digits
        "11122233",
        "111 222333",  # mixed grouping
    ],
)
def test_bsn_not_found(text: str) -> None:
    assert K.BSN not in kinds(text)


# --- IBAN -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, match",
    [
        ("IBAN NL91ABNA0417164300 graag", "NL91ABNA0417164300"),
        ("rekening NL91 ABNA 0417 1643 00.", "NL91 ABNA 0417 1643 00"),
        ("nl91abna0417164300", "nl91abna0417164300"),
        ("IBAN: DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00"),
        ("BE68 5390 0754 7034 naar de bank", "BE68 5390 0754 7034"),
    ],
)
def test_iban_found(text: str, match: str) -> None:
    assert found(text) == [(K.IBAN, match)]


@pytest.mark.parametrize(
    "text",
    [
        "NL91ABNA0417164301",
        "NL91 ABNA 0417 1643 01",
        "NL91ABNA04171643001",
        "NL91ABNA041716430",
        "XX91ABNA0417164300",
    ],
)
def test_iban_not_found(text: str) -> None:
    assert K.IBAN not in kinds(text)


# --- phone ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "match",
    [
        "06-12345678",
        "06 1234 5678",
        "0612345678",
        "06 12 34 56 78",
        "+31 6 12345678",
        "+31612345678",
        "+31 (0)6 12345678",
        "0031 6 12345678",
        "0031612345678",
        "030-1234567",
        "020 123 4567",
        "(030) 123 45 67",
        "+31 20 123 4567",
        "0800-1234",
        "0900 1234567",
    ],
)
def test_phone_found(match: str) -> None:
    assert found(f"bel haar op {match}, liefst 's ochtends") == [(K.PHONE, match)]


@pytest.mark.parametrize(
    "text",
    [
        "bel 112",
        "kamer C-12",
        "open 10-16 uur",
        "om 14:30",
        "3 keer",
        "klantnummer 1234567890",  # ten digits, not starting with 0
        "bel 06-1234567",  # too short
        "06-123456789",  # too long
        "0044 20 1234 5678",  # another country
        "op 01-02-2023 12:00",
        "op 06-03-2023 12:00",
        "0 612345678",
        "٠٦١٢٣٤٥٦٧٨",  # Arabic-Indic digits are not digits here
        "０６１２３４５６７８",  # nor are full-width digits
        "06-12345678abc",
    ],
)
def test_phone_not_found(text: str) -> None:
    assert K.PHONE not in kinds(text)


def test_plus_31_number_is_a_phone_not_a_bsn() -> None:
    # 611222334 passes the 11-check on its own, but after "+31 " it is the rest of a phone number.
    assert bsn_valid("611222334")
    assert found("+31 611222334") == [(K.PHONE, "+31 611222334")]
    assert found("0031 611222334") == [(K.PHONE, "0031 611222334")]


# --- e-mail ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, match",
    [
        ("mail jan.jansen@example.nl.", "jan.jansen@example.nl"),
        ("<j+zorg@mail.buurt-team.org>", "j+zorg@mail.buurt-team.org"),
        ("A.B@C.D.COM", "A.B@C.D.COM"),
    ],
)
def test_email_found(text: str, match: str) -> None:
    assert found(text) == [(K.EMAIL, match)]


@pytest.mark.parametrize("text", ["x@y", "jan@", "@example.nl", "jan@example.n1", "om 10 @ het buurthuis"])
def test_email_not_found(text: str) -> None:
    assert K.EMAIL not in kinds(text)


# --- dates of birth -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, match",
    [
        ("geboren 3-4-1948", "3-4-1948"),
        ("op 03/04/1948", "03/04/1948"),
        ("3.4.1948", "3.4.1948"),
        ("1948-04-03", "1948-04-03"),
        ("3 maart 1948", "3 maart 1948"),
        ("3 march 1948", "3 march 1948"),
        ("March 3, 1948", "March 3, 1948"),
        ("12 mrt '48", "12 mrt '48"),
        ("geb. 3-4-48", "3-4-48"),
        ("geboortedatum: 03-04-48", "03-04-48"),
        ("DOB 3/4/48", "3/4/48"),
        ("born on 29-02-52", "29-02-52"),
        ("geboren op 12-3-1890", "12-3-1890"),  # before 1900, but next to "geboren"
    ],
)
def test_birth_date_found(text: str, match: str) -> None:
    assert found(text) == [(K.BIRTH_DATE, match)]


@pytest.mark.parametrize(
    "text",
    [
        "afspraak 3-4",
        "vrijdag 3 mei",
        "van 10-16",
        "10-16 uur",
        "om 14:30",
        "op 3-4-48",  # two-digit year without a birth word
        "3-4-2030",  # after the current year
        "30-02-1948",  # no such day
        "geboren 30-02-48",
        "12-3-1890",  # before 1900
        "versie 1.2.2024.1",
        "geboren in Utrecht, op 3 mei",
    ],
)
def test_birth_date_not_found(text: str) -> None:
    assert K.BIRTH_DATE not in kinds(text)


def test_birth_date_year_bound_is_the_parameter() -> None:
    assert screen("3-4-2030", current_year=2030)[0].kind is K.BIRTH_DATE
    assert screen("3-4-2030", current_year=2029) == []


# --- addresses ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, match",
    [
        ("woont Kerkstraat 12 sinds mei", "Kerkstraat 12"),
        ("Oudegracht 123bis", "Oudegracht 123bis"),
        ("Laan van Nieuw Guinea 4-A", "Laan van Nieuw Guinea 4-A"),
        ("Burgemeester Reigerstraat 7 II", "Burgemeester Reigerstraat 7 II"),
        ("In de Kerkstraat 12 woont ze", "Kerkstraat 12"),
        ("woont op de kerkstraat 12", "kerkstraat 12"),
        ("'s-Gravendijkwal 12", "'s-Gravendijkwal 12"),
        ("Rijksstraatweg 1250", "Rijksstraatweg 1250"),
        ("postcode 3511 AB", "3511 AB"),
        ("3511AB", "3511AB"),
        ("3511ab", "3511ab"),
    ],
)
def test_address_found(text: str, match: str) -> None:
    assert found(text) == [(K.ADDRESS, match)]


@pytest.mark.parametrize(
    "text",
    [
        "2 uur",
        "4 keer",
        "week 12",
        "Week 12",
        "€ 12",
        "kamer C-12",
        "om 14:30",
        "10-16 uur",
        "Markt 10-16 uur",
        "Vondelpark 3 keer",
        "Park 2 uur",
        "Markt 14:30",
        "Amsterdam 2024",
        "in 2024 is",
        "1000km",
        "3511 SA",
        "0123 AB",
        "de hele straat 3 keer",
    ],
)
def test_address_not_found(text: str) -> None:
    assert K.ADDRESS not in kinds(text)


# --- masks ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, mask",
    [
        ("06-12345678", "06-…78"),
        ("+31 6 12345678", "+31-…78"),
        ("NL91 ABNA 0417 1643 00", "NL91…00"),
        ("jan@example.nl", "j…@…nl"),
        ("111222333", "…333"),
        ("Kerkstraat 12", "Kerkstraat …"),
        ("Burgemeester Reigerstraat 7 II", "Reigerstraat …"),
        ("3511 AB", "3511 …"),
        ("geboren 3-4-1948", "…48"),
        ("1948-04-03", "…48"),
    ],
)
def test_masked(text: str, mask: str) -> None:
    (finding,) = screen(text, current_year=YEAR)
    assert masked(finding) == mask


SAMPLE = (
    "Mevrouw (geb. 3-4-48) woont Kerkstraat 12, 3511 AB Utrecht. BSN 111222333, tel 06-12345678 of "
    "030 123 45 67, mail j.jansen@example.nl, IBAN NL91 ABNA 0417 1643 00. Geboren 12 mrt 1948."
)


def test_sample_text_all_kinds_in_order() -> None:
    assert found(SAMPLE) == [
        (K.BIRTH_DATE, "3-4-48"),
        (K.ADDRESS, "Kerkstraat 12"),
        (K.ADDRESS, "3511 AB"),
        (K.BSN, "111222333"),
        (K.PHONE, "06-12345678"),
        (K.PHONE, "030 123 45 67"),
        (K.EMAIL, "j.jansen@example.nl"),
        (K.IBAN, "NL91 ABNA 0417 1643 00"),
        (K.BIRTH_DATE, "12 mrt 1948"),
    ]


def test_masks_never_contain_the_original() -> None:
    findings = screen(SAMPLE, current_year=YEAR)
    assert findings
    for finding in findings:
        mask = masked(finding)
        assert finding.text not in mask
        assert "…" in mask


def test_masked_never_raises_on_odd_findings() -> None:
    for kind in FindingKind:
        for text in ("", "@", "…", "x", "\x00"):
            assert isinstance(masked(Finding(kind, 0, len(text), text)), str)


# --- overlaps -------------------------------------------------------------------------------------------


def test_precedence_is_documented_order() -> None:
    assert PRECEDENCE == (K.EMAIL, K.IBAN, K.BSN, K.PHONE, K.BIRTH_DATE, K.ADDRESS)


def test_email_wins_over_the_phone_number_inside_it() -> None:
    assert found("0612345678@example.nl") == [(K.EMAIL, "0612345678@example.nl")]


def test_email_wins_over_the_bsn_inside_it() -> None:
    assert found("111222333@example.nl") == [(K.EMAIL, "111222333@example.nl")]


def test_birth_date_wins_over_house_number() -> None:
    # "Kerkstraat 12-3" would be an address; "12-3-1948" is a date and more specific.
    assert found("Kerkstraat 12-3-1948") == [(K.BIRTH_DATE, "12-3-1948")]


def test_date_digits_are_not_a_phone_number() -> None:
    assert found("06-03-1990 12:00") == [(K.BIRTH_DATE, "06-03-1990")]


# --- robustness -----------------------------------------------------------------------------------------

# Fragments that come close to every detector, so the properties are not only tested on noise.
FRAGMENTS = [
    *"0123456789 -./()+@:'’aAbBeEkKlLnNrRsStT\n\x00１٣é€",
    *["straat", "Laan", "van", "NL91", "06", "+31", "geboren ", "maart", "mrt", "uur", "keer", "II", "bis"],
]
RELEVANT = st.lists(st.sampled_from(FRAGMENTS), max_size=120).map("".join)


def check_invariants(text: str) -> None:
    findings = screen(text, current_year=YEAR)
    previous_end = 0
    for finding in findings:
        assert 0 <= finding.start < finding.end <= len(text)
        assert finding.start >= previous_end  # sorted and not overlapping
        assert text[finding.start : finding.end] == finding.text
        assert finding.text not in masked(finding)
        if finding.kind is K.BSN:
            assert bsn_valid(finding.text)
        if finding.kind is K.IBAN:
            assert iban_valid(finding.text)
        previous_end = finding.end


@given(st.text(max_size=500))
def test_screen_never_raises_on_arbitrary_text(text: str) -> None:
    check_invariants(text)


@settings(max_examples=300)
@given(RELEVANT)
def test_screen_invariants_on_text_near_the_patterns(text: str) -> None:
    check_invariants(text)


@given(st.text(max_size=40))
def test_checksums_never_raise(text: str) -> None:
    assert isinstance(bsn_valid(text), bool)
    assert isinstance(iban_valid(text), bool)


def test_long_text_with_control_characters() -> None:
    text = ("Kerkstraat 12\x00\x1b 06-12345678\u202e 111222333 \ufeff１２３ " * 2000)[:100_000]
    findings = screen(text, current_year=YEAR)
    assert len(findings) > 1000
    check_invariants(text[:2000])


# Far longer than anything a person types (a report holds 2,000 characters): screening grows linearly with
# the text, well under a second for all of them together here; catastrophic backtracking (exponential, or quadratic
# in a detector) turns a text this long into minutes or more.
HUGE = 100_000
# Not a timing goal (benchmarks/screening.py has that): a bound so generous that only a runaway can reach it,
# on any machine under any load. The work runs in a child process, so a runaway is stopped and not waited for.
RUNAWAY_SECONDS = 30
_SCREEN_STDIN = f"import sys; from bot.domain.screening import screen; screen(sys.stdin.read(), current_year={YEAR})"


@pytest.mark.parametrize("text", ADVERSARIAL.values(), ids=ADVERSARIAL.keys())
def test_adversarial_text_never_sends_screening_into_a_runaway(text: str) -> None:
    huge = (text * (HUGE // len(text) + 1))[:HUGE]
    try:
        done = subprocess.run(
            [sys.executable, "-c", _SCREEN_STDIN],
            input=huge,
            capture_output=True,
            text=True,
            timeout=RUNAWAY_SECONDS,
            cwd=ROOT,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"screening {HUGE:,} characters of {text[:20]!r}… did not end within {RUNAWAY_SECONDS} s")
    assert done.returncode == 0, done.stderr
