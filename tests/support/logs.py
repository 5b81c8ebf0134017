"""Logging set up as `samenspel run` does it inside a test, and put back afterwards."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from bot.logging_setup import LIBRARY_FLOORS, OWN_LOGGERS

LOGGERS = ("", *OWN_LOGGERS, *LIBRARY_FLOORS)


@contextmanager
def configured_logging() -> Iterator[None]:
    """Let the test call setup_logging as `samenspel run` does, and put logging back afterwards (within the
    test's own phase, so pytest's capture handlers come and go as they should)."""
    saved_handlers = logging.getLogger().handlers[:]
    saved_levels = {name: logging.getLogger(name).level for name in LOGGERS}
    try:
        yield
    finally:
        logging.getLogger().handlers[:] = saved_handlers
        for name, level in saved_levels.items():
            logging.getLogger(name).setLevel(level)
