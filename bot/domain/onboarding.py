"""Invite codes and the checks on what coordinators type. Pure functions."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from datetime import datetime, timedelta
from enum import StrEnum

from bot.domain.models import Invite

NAME_LIMIT = 60
TEAM_LIMIT = 60
ALIAS_LIMIT = 30
CONTACT_LIMIT = 200
MAX_HOURS_PER_WEEK = 60.0

# Deep-link payloads allow A-Z, a-z, 0-9, _ and - up to 64 characters.
CODE_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class InviteState(StrEnum):
    VALID = "valid"
    USED = "used"
    EXPIRED = "expired"
    REVOKED = "revoked"


def hash_code(code: str) -> str:
    """Only the hash is stored: a leaked database does not hand out working invites."""
    return hashlib.sha256(code.encode("ascii", "replace")).hexdigest()


def is_well_formed_code(code: str) -> bool:
    return bool(CODE_PATTERN.match(code))


def invite_state(invite: Invite, now: datetime) -> InviteState:
    """Where an invite stands. Revoked and expired codes are answered as unknown ones (nothing to learn from)."""
    if invite.used_at is not None:
        return InviteState.USED
    if invite.revoked_at is not None:
        return InviteState.REVOKED
    if now >= invite.expires_at:
        return InviteState.EXPIRED
    return InviteState.VALID


def single_line(text: str) -> str:
    """Collapse white space and drop control characters (they have no place in names)."""
    cleaned = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in " \t\n")
    return " ".join(cleaned.split())


def clean_name(text: str, limit: int = NAME_LIMIT) -> str | None:
    name = single_line(text)
    if not name or len(name) > limit or name.startswith("/"):
        return None
    return name


def clean_alias(text: str) -> str | None:
    if "\n" in text.strip():
        return None
    return clean_name(text, ALIAS_LIMIT)


_NAME_WORD = re.compile(r"^[A-ZÀ-Þ][a-zß-ÿ]{2,}$")


def looks_like_full_name(alias: str) -> bool:
    """Two or more capitalised words of three letters or more, e.g. "Jannie Smit": not an alias."""
    words = [w for w in alias.replace("-", " ").split() if w.lower() not in {"van", "de", "der", "den", "ter"}]
    return len(words) >= 2 and all(_NAME_WORD.match(w) for w in words)


def parse_hours(text: str, limit: float = MAX_HOURS_PER_WEEK) -> float | None:
    """'4', '2,5', '2.5' or '2,5 uur' -> hours; None if it is not a number from 0 to limit."""
    match = re.fullmatch(
        r"\s*(\d{1,3}(?:[.,]\d{1,2})?)\s*(?:u|uur|h|hours?|hrs?)?\.?\s*", text, re.IGNORECASE | re.ASCII
    )
    if not match:
        return None
    value = float(match.group(1).replace(",", "."))
    if value < 0 or value > limit:
        return None
    return value


def format_hours(hours: float, language: str) -> str:
    text = f"{hours:g}"
    return text.replace(".", ",") if language == "nl" else text


# The maker hears this long before an unused invite expires.
EXPIRY_NOTICE_BEFORE = timedelta(days=1)


def expiry_notice_at(created_at: datetime, expires_at: datetime) -> datetime | None:
    """When to remind the maker of an unused invite; None when it is valid for a day or less."""
    due = expires_at - EXPIRY_NOTICE_BEFORE
    return due if due > created_at else None
