"""Refusals a use case can give; handlers turn them into catalogue messages."""

from __future__ import annotations


class Refused(Exception):
    """The request is not allowed or no longer fits the current state. Nothing was changed."""

    def __init__(self, reason: str, **values: object) -> None:
        super().__init__(reason)
        self.reason = reason  # a catalogue key
        self.values = values
