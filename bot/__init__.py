"""Samenspel: a Telegram bot for volunteers and professionals in the social domain."""

__version__ = "0.1.0"
