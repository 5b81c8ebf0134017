"""The sandbox's own parts (`bot.sandbox.server`): the next weekly moment across DST, a token per sandbox."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from bot.sandbox.server import Sandbox, next_weekly

AMSTERDAM = ZoneInfo("Europe/Amsterdam")


def test_next_weekly_is_strictly_later_and_keeps_the_wall_clock_across_dst() -> None:
    monday_morning = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)  # Monday 10:00 in Amsterdam
    assert next_weekly(monday_morning, 0, time(19), AMSTERDAM) == datetime(2026, 11, 23, 19, 0, tzinfo=AMSTERDAM)
    monday_evening = datetime(2026, 11, 23, 18, 0, tzinfo=UTC)  # Monday 19:00 exactly: the next week
    assert next_weekly(monday_evening, 0, time(19), AMSTERDAM) == datetime(2026, 11, 30, 19, 0, tzinfo=AMSTERDAM)
    before_spring = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # Friday; clocks go forward on Sunday
    target = next_weekly(before_spring, 0, time(19), AMSTERDAM)
    assert target.astimezone(AMSTERDAM).hour == 19 and target.utcoffset() is not None
    assert target.astimezone(UTC).hour == 17


def test_every_sandbox_has_a_token_of_its_own() -> None:

    tokens = {Sandbox(port=0).api.token for _ in range(3)}
    assert len(tokens) == 3
    assert all(re.fullmatch(r"\d+:[A-Za-z0-9_-]{35}", token) for token in tokens)
