"""E-mail addresses, IBANs, BSNs and Dutch phone numbers in free text."""

from __future__ import annotations

import re

from bot.domain.screening.checksums import IBAN_LENGTHS, bsn_valid, iban_valid
from bot.domain.screening.findings import FindingKind, Span, is_ascii_alnum, merged_spans, overlaps

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]++@[A-Za-z0-9\-]++(?:\.[A-Za-z0-9\-]++)*+",
    re.ASCII,
)
_EMAIL_TLD = re.compile(r"\.[A-Za-z]{2,}", re.ASCII)


def emails_in(text: str) -> list[Span]:
    found: list[Span] = []
    for match in _EMAIL.finditer(text):
        domain = match.group().rpartition("@")[2]
        last = domain.rpartition(".")
        if last[1] and _EMAIL_TLD.fullmatch("." + last[2]):
            found.append((FindingKind.EMAIL, match.start(), match.end()))
    return found


_IBAN_START = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{2}[0-9]{2}", re.ASCII)


def ibans_in(text: str) -> list[Span]:
    found: list[Span] = []
    size = len(text)
    for match in _IBAN_START.finditer(text):
        length = IBAN_LENGTHS.get(match.group()[:2].upper())
        if length is None:
            continue
        need, i = length - 4, match.end()
        while need and i < size:
            if is_ascii_alnum(text[i]):
                need -= 1
                i += 1
            elif text[i] == " " and i + 1 < size and is_ascii_alnum(text[i + 1]):
                i += 1
            else:
                break
        if need or (i < size and is_ascii_alnum(text[i])):
            continue
        if iban_valid(text[match.start() : i]):
            found.append((FindingKind.IBAN, match.start(), i))
    return found


# 9 digits, or groups 3-3-3, 4-2-3 or 2-2-2-3 with one separator used throughout.
_BSN = re.compile(
    r"(?<![0-9A-Za-z+])(?<![0-9][.,\-])(?<!\+31[ \-.])(?<!0031[ \-.])"
    r"(?:[0-9]{9}"
    r"|[0-9]{3}(?P<a>[ .\-])[0-9]{3}(?P=a)[0-9]{3}"
    r"|[0-9]{4}(?P<b>[ .\-])[0-9]{2}(?P=b)[0-9]{3}"
    r"|[0-9]{2}(?P<c>[ .\-])[0-9]{2}(?P=c)[0-9]{2}(?P=c)[0-9]{3})"
    r"(?![0-9A-Za-z])(?![.,\-][0-9])",
    re.ASCII,
)


def bsns_in(text: str) -> list[Span]:
    return [(FindingKind.BSN, m.start(), m.end()) for m in _BSN.finditer(text) if bsn_valid(m.group())]


# A phone number starts with +31, (0..), 06 or a trunk 0 with at least two more digits (an area code;
# this keeps dates such as "01-02-2023 12" out), and goes on as digits with short runs of separators.
_PHONE = re.compile(
    r"(?<![0-9A-Za-z+(])(?=("
    r"(?:\+31|\(0[0-9]{1,3}\)|06|0[0-9]{2})"
    r"(?:[ \-./()]{0,3}+[0-9]){4,13}"
    r"))",
    re.ASCII,
)
_SERVICE_PREFIXES = ("800", "900", "906", "909")
_DIGIT_RUN = re.compile(r"[0-9]+", re.ASCII)


def _phone_end(candidate: str) -> int | None:
    """End of the longest prefix of a candidate (cut only between digit runs) that is a Dutch number.

    The national number (without trunk 0, +31, 0031 or "(0)") has nine digits, or 7 to 10 for
    0800/0900/0906/0909 service numbers.
    """
    runs = list(_DIGIT_RUN.finditer(candidate))
    digits = "".join(run.group() for run in runs)
    if candidate.startswith("+"):
        skip = 2
    elif digits.startswith("0031"):
        skip = 4
    elif digits.startswith("00"):
        return None  # another country
    else:
        skip = 1
    if skip > 1 and digits[skip : skip + 1] == "0":
        skip += 1  # +31 (0)6 ...
    national = digits[skip:]
    if not national or national[0] == "0":
        return None
    service = national.startswith(_SERVICE_PREFIXES)
    count, best = -skip, None
    for run in runs:
        count += run.end() - run.start()
        if count == 9 or (service and 7 <= count <= 10):
            best = run.end()
    return best


def phones_in(text: str, dates: list[tuple[int, int]]) -> list[Span]:
    """Phone numbers, except digits that are part of a date ("06-03-2023 12:00")."""
    blocked = merged_spans(dates)
    found: list[Span] = []
    last_end = 0
    for match in _PHONE.finditer(text):
        start = match.start()
        if start < last_end:
            continue  # inside the number found before
        end = _phone_end(match.group(1))
        if end is None:
            continue
        end += start
        if end < len(text) and is_ascii_alnum(text[end]):
            continue
        if overlaps(blocked, start, end):
            continue
        found.append((FindingKind.PHONE, start, end))
        last_end = end
    return found
