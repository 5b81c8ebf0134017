"""The checksums that tell a BSN and an IBAN from any other run of digits and letters."""

from __future__ import annotations

import re

_BSN_WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)
_BSN_DIGITS = re.compile(r"[0-9]{9}", re.ASCII)


def bsn_valid(digits: str) -> bool:
    """The 11-check (elfproef) on nine ASCII digits; spaces, dots and hyphens are ignored."""
    compact = digits.replace(" ", "").replace(".", "").replace("-", "")
    if not _BSN_DIGITS.fullmatch(compact) or compact == "000000000":
        return False
    return sum(w * int(d) for w, d in zip(_BSN_WEIGHTS, compact, strict=True)) % 11 == 0


# ISO 13616 lengths per country (SWIFT IBAN registry).
IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16, "BG": 22, "BH": 22, "BI": 27,
    "BR": 29, "BY": 28, "CH": 21, "CR": 22, "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28,
    "EE": 20, "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22, "GE": 22, "GI": 23,
    "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21, "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26,
    "IT": 27, "JO": 30, "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20, "LV": 21,
    "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20, "MR": 27, "MT": 31, "MU": 30, "NI": 28,
    "NL": 18, "NO": 15, "OM": 23, "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24, "SM": 27, "SO": 23, "ST": 25,
    "SV": 28, "TL": 23, "TN": 24, "TR": 26, "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+", re.ASCII)


def iban_valid(text: str) -> bool:
    """ISO 13616: a known country, the length for that country and the mod-97 check == 1.

    Spaces are ignored and lower case is accepted ("nl91 abna 0417 1643 00").
    """
    compact = text.replace(" ", "")
    if not compact.isascii():
        return False
    compact = compact.upper()
    if not _IBAN_SHAPE.fullmatch(compact) or IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1
