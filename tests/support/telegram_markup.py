"""Telegram's text parsing moved into the product as ``bot.sandbox.markup``; tests keep importing it here."""

from bot.sandbox.markup import (
    EntityParseError,
    ParsedText,
    UnsupportedParseModeError,
    parse,
    parse_html,
    parse_markdown,
    parse_markdown_v2,
    strip_text,
    utf16_len,
)

__all__ = [
    "EntityParseError",
    "ParsedText",
    "UnsupportedParseModeError",
    "parse",
    "parse_html",
    "parse_markdown",
    "parse_markdown_v2",
    "strip_text",
    "utf16_len",
]
