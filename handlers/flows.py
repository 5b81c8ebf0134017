"""Typed input goes to the flow the person is in (their stored draft)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeAlias

from telegram import Update

from bot.context import Context
from bot.domain.models import Draft, Person

TextStep: TypeAlias = Callable[[Update, Context, Person, Draft, str], Awaitable[None]]

TEXT_STEPS: dict[str, TextStep] = {}


def text_step(flow: str) -> Callable[[TextStep], TextStep]:
    def register(func: TextStep) -> TextStep:
        if flow in TEXT_STEPS:
            raise RuntimeError(f"flow {flow} already has a text step")
        TEXT_STEPS[flow] = func
        return func

    return register
