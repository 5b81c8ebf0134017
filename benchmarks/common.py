"""What the benchmarks share: the bot's settings against a fake Bot API, and options over a config's defaults."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from bot.config import Settings, load_settings
from bot.sandbox.botapi import FakeBotApi

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

    C = TypeVar("C", bound=DataclassInstance)
else:
    C = TypeVar("C")


def bot_settings(
    api: FakeBotApi, db_path: Path, *, max_messages_per_second: float, tick_seconds: float | None = None, **app: Any
) -> Settings:
    """The bot against this fake API (its token and addresses, a short long poll), its database at `db_path`,
    and the benchmark's own `[app]` settings for the load it generates."""
    values: dict[str, Any] = {"organisation": "Benchmark", **app}
    if tick_seconds is not None:
        values["tick_seconds"] = tick_seconds
    return load_settings(
        None,
        telegram={
            "token": api.token,
            "base_url": api.base_url,
            "base_file_url": api.base_file_url,
            "poll_timeout_seconds": 5,
            "request_timeout_seconds": 10,
            "max_messages_per_second": max_messages_per_second,
        },
        storage={"path": db_path},
        app=values,
    )


def with_options(config: C, options: Mapping[str, object]) -> C:
    """The config with every option the command line gave (None: not given, the config's value stays)."""
    return dataclasses.replace(config, **{name: value for name, value in options.items() if value is not None})


def warning_lines(warnings: Counter[str]) -> list[str]:
    """The report's lines for what was logged at WARNING or above, most frequent first."""
    if not warnings:
        return []
    return ["  warnings logged:", *(f"    {count:>5} × {text}" for text, count in warnings.most_common(8))]
