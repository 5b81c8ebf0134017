"""The fake Bot API moved into the product as ``bot.sandbox.botapi``; tests keep importing it from here."""

from bot.sandbox.botapi import (
    CALLBACK_DATA_LIMIT,
    CAPTION_LIMIT,
    DEFAULT_SPEC_PATH,
    FAULT_KINDS,
    MESSAGE_LIMIT,
    FakeBotApi,
    FakeUser,
    JSONDict,
    SentMessage,
)

__all__ = [
    "CALLBACK_DATA_LIMIT",
    "CAPTION_LIMIT",
    "DEFAULT_SPEC_PATH",
    "FAULT_KINDS",
    "MESSAGE_LIMIT",
    "FakeBotApi",
    "FakeUser",
    "JSONDict",
    "SentMessage",
]
