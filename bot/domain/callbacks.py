"""Callback data for inline buttons: short, colon-separated, never trusted.

Telegram allows 64 bytes. Every press is re-authorised against stored state; the data only says
which button was pressed, never what the sender may do.
"""

from __future__ import annotations

import re

MAX_BYTES = 64
_DIGITS = re.compile(r"[0-9]{1,12}")


def pack(*parts: str | int) -> str:
    texts = [str(p) for p in parts]
    for text in texts:
        if ":" in text or not text:
            raise ValueError(f"callback part {text!r} must be non-empty and free of ':'")
    data = ":".join(texts)
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback data {data!r} exceeds {MAX_BYTES} bytes")
    return data


def unpack(data: str | None, prefix: str, arity: int) -> list[str] | None:
    """The parts after `prefix`, if data has exactly that shape; otherwise None."""
    try:
        if not data or len(data.encode("utf-8")) > MAX_BYTES:
            return None
    except UnicodeEncodeError:  # a lone surrogate: no real button carries one
        return None
    parts = data.split(":")
    if parts[0] != prefix or len(parts) != arity + 1 or any(not p for p in parts):
        return None
    return parts[1:]


def as_id(text: str) -> int | None:
    """A positive database id, or None for anything else (forged data)."""
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value > 0 else None


def as_page(text: str) -> int | None:
    """A page number 0-9999, or None."""
    if not _DIGITS.fullmatch(text) or len(text) > 4:
        return None
    return int(text)
