"""Screening free text for personal data before it is stored. Pure functions.

Volunteers type signals and comments; before anything is stored the bot warns when the text seems to
contain a BSN, phone number, e-mail address, IBAN, date of birth or street address. The detectors are
heuristics tuned for Dutch text: they err on the side of warning, but avoid the usual false alarms
("2 uur", "week 12", "om 14:30", "10-16 uur", "112").

Only ASCII digits count as digits: full-width and other non-ASCII digits are treated as other characters.
Every pattern is linear or bounded per start position, so long or hostile input stays fast.

Overlaps: when two findings overlap, the more specific one wins, in this order:
EMAIL > IBAN > BSN > PHONE > BIRTH_DATE > ADDRESS. An e-mail address comes first because anything
inside an e-mail address is part of that address; IBAN and BSN carry a checksum; a phone number is
more specific than a date, and a date more than the street heuristics.
"""

from __future__ import annotations

import re
from bisect import bisect_left

from bot.domain.screening.addresses import masked_address, postcodes_in, streets_in
from bot.domain.screening.birth_dates import birth_dates_in, dates_in
from bot.domain.screening.checksums import IBAN_LENGTHS, bsn_valid, iban_valid
from bot.domain.screening.findings import (
    ELLIPSIS,
    PRECEDENCE,
    RANK,
    Finding,
    FindingKind,
    is_ascii_alnum,
    overlaps,
)
from bot.domain.screening.numbers import bsns_in, emails_in, ibans_in, phones_in

__all__ = [
    "IBAN_LENGTHS",
    "PRECEDENCE",
    "Finding",
    "FindingKind",
    "bsn_valid",
    "iban_valid",
    "masked",
    "screen",
]


def screen(text: str, *, current_year: int) -> list[Finding]:
    """All personal data found, sorted by start and without overlaps (see PRECEDENCE)."""
    dates = dates_in(text, current_year)
    date_spans = [(d.start, d.end) for d in dates if d.real]
    candidates = [
        *emails_in(text),
        *ibans_in(text),
        *bsns_in(text),
        *phones_in(text, date_spans),
        *birth_dates_in(text, dates, current_year),
        *streets_in(text),
        *postcodes_in(text),
    ]
    candidates.sort(key=lambda c: (RANK[c[0]], c[1], c[1] - c[2]))
    taken: list[tuple[int, int]] = []
    findings: list[Finding] = []
    for kind, start, end in candidates:
        if start >= end or overlaps(taken, start, end):
            continue
        taken.insert(bisect_left(taken, (start, end)), (start, end))
        findings.append(Finding(kind, start, end, text[start:end]))
    findings.sort(key=lambda f: f.start)
    return findings


_YEAR = re.compile(r"[0-9]{4}", re.ASCII)


def masked(finding: Finding) -> str:
    """What the volunteer is shown: recognisable, but never a copy of the data."""
    text = finding.text
    digits = "".join(ch for ch in text if "0" <= ch <= "9")
    kind = finding.kind
    if kind is FindingKind.BSN:
        return ELLIPSIS + digits[-3:]
    if kind is FindingKind.PHONE:
        prefix = "+31" if text.startswith("+") or digits.startswith("0031") else digits[:2]
        return f"{prefix}-{ELLIPSIS}{digits[-2:]}"
    if kind is FindingKind.IBAN:
        compact = "".join(ch for ch in text if is_ascii_alnum(ch)).upper()
        return compact[:4] + ELLIPSIS + compact[-2:]
    if kind is FindingKind.EMAIL:
        local, _, domain = text.rpartition("@")
        return f"{local[:1]}{ELLIPSIS}@{ELLIPSIS}{domain.rpartition('.')[2]}"
    if kind is FindingKind.BIRTH_DATE:
        year = _YEAR.search(text)
        return ELLIPSIS + (year.group()[-2:] if year else text[-2:])  # "…48"
    if kind is FindingKind.ADDRESS:
        return masked_address(text)
    return ELLIPSIS
