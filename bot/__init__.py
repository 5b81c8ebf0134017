"""Samenspel: a Telegram bot for volunteers and professionals in the social domain."""

__version__ = "0.1.0"

import os as _os

# Opt in to PTB's timedelta form of time periods (RetryAfter.retry_after); the int form is deprecated.
_os.environ.setdefault("PTB_TIMEDELTA", "1")
