"""Updates of different people are handled side by side; one person's updates strictly one after another.

A person's flow lives in a stored draft, so two of their updates must not race; but one person flooding
the bot (or a slow reply to them) must not hold up anyone else, which PTB's sequential default would do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def sender_of(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


class PerSenderUpdateProcessor(BaseUpdateProcessor):
    def __init__(self, max_concurrent_updates: int) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int | None, asyncio.Lock] = {}
        self._waiting: dict[int | None, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        # PTB takes a concurrency slot before this runs, so a flood waiting on its sender's lock holds slots:
        # the bound is set high (the rate limit drops a flood's updates within microseconds each).
        key = sender_of(update)
        lock = self._locks.get(key)
        if lock is None:  # not setdefault: that would build a lock on every update
            lock = self._locks[key] = asyncio.Lock()
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:
                del self._waiting[key]
                del self._locks[key]

    async def initialize(self) -> None:
        pass

    async def shutdown(self) -> None:
        pass
