"""What screening finds: the kinds, a finding, which kind wins an overlap, and the span helpers."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from enum import StrEnum


class FindingKind(StrEnum):
    BSN = "bsn"
    PHONE = "phone"
    EMAIL = "email"
    IBAN = "iban"
    BIRTH_DATE = "birth_date"
    ADDRESS = "address"


@dataclass(frozen=True)
class Finding:
    kind: FindingKind
    start: int  # index in the text
    end: int
    text: str  # the matched text as found


PRECEDENCE: tuple[FindingKind, ...] = (
    FindingKind.EMAIL,
    FindingKind.IBAN,
    FindingKind.BSN,
    FindingKind.PHONE,
    FindingKind.BIRTH_DATE,
    FindingKind.ADDRESS,
)
RANK = {kind: rank for rank, kind in enumerate(PRECEDENCE)}

ELLIPSIS = "…"


Span = tuple[FindingKind, int, int]  # a candidate finding: kind, start, end


def is_ascii_alnum(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def merged_spans(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start < merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def overlaps(taken: list[tuple[int, int]], start: int, end: int) -> bool:
    """taken is sorted and non-overlapping, so only the neighbours need a look."""
    i = bisect_left(taken, (start, end))
    if i < len(taken) and taken[i][0] < end:
        return True
    return i > 0 and taken[i - 1][1] > start
