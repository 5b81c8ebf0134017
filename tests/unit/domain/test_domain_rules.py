"""Pure domain logic: invites, input checks, callback data, command lists, time phrases."""

from __future__ import annotations

import ast
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain import callbacks
from bot.domain.commands import commands_for, roles_for_command
from bot.domain.models import Invite, Role
from bot.domain.onboarding import (
    InviteState,
    clean_alias,
    clean_name,
    format_hours,
    hash_code,
    invite_state,
    is_well_formed_code,
    looks_like_full_name,
    parse_hours,
)
from bot.domain.timefmt import say_duration, say_time
from bot.services.invites import new_invite_code
from tests.support.paths import ROOT

AMS = ZoneInfo("Europe/Amsterdam")
NOW = datetime(2026, 11, 27, 13, 0, tzinfo=UTC)


def test_domain_imports_neither_telegram_nor_aiosqlite() -> None:
    for path in (ROOT / "bot" / "domain").rglob("*.py"):
        tree = ast.parse(path.read_text())
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in {"telegram", "aiosqlite", "storage", "handlers"}, (
                    path,
                    name,
                )
    # And at run time: importing every domain module pulls in neither package.
    code = (
        "import pkgutil, importlib, sys, bot.domain as d\n"
        "[importlib.import_module('bot.domain.' + m.name) for m in pkgutil.iter_modules(d.__path__)]\n"
        "print(sorted(k for k in sys.modules if k.split('.')[0] in ('telegram', 'aiosqlite')))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _invite(**changes: object) -> Invite:
    base: dict[str, object] = dict(
        id=1,
        role=Role.VOLUNTEER,
        name="Vera",
        team_id=None,
        created_by=None,
        created_at=NOW,
        expires_at=NOW + timedelta(days=7),
    )
    base.update(changes)
    return Invite(**base)  # type: ignore[arg-type]


def test_invite_state_edges() -> None:
    invite = _invite()
    assert invite_state(invite, NOW) is InviteState.VALID
    assert invite_state(invite, NOW + timedelta(days=7) - timedelta(microseconds=1)) is InviteState.VALID
    assert invite_state(invite, NOW + timedelta(days=7)) is InviteState.EXPIRED
    assert invite_state(_invite(used_at=NOW), NOW) is InviteState.USED


def test_invite_codes_are_long_random_and_deep_link_safe() -> None:
    codes = {new_invite_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert is_well_formed_code(code)
        assert 32 <= len(code) <= 64  # 24 bytes = 192 bits >= 128
    assert hash_code("abc") != hash_code("abd") and len(hash_code("abc")) == 64
    assert not is_well_formed_code("has space")
    assert not is_well_formed_code("x" * 65)
    assert not is_well_formed_code("ünïcode")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vera", "Vera"),
        ("  Vera   B. ", "Vera B."),
        ("", None),
        ("   ", None),
        ("/start", None),
        ("x" * 60, "x" * 60),
        ("x" * 61, None),
        ("Ve\x00ra", "Vera"),
    ],
)
def test_clean_name(text: str, expected: str | None) -> None:
    assert clean_name(text) == expected


def test_alias_rules() -> None:
    assert clean_alias("C-12") == "C-12"
    assert clean_alias("mevr. J.") == "mevr. J."
    assert clean_alias("two\nlines") is None
    assert clean_alias("x" * 31) is None
    assert looks_like_full_name("Jannie Smit")
    assert looks_like_full_name("Piet van der Berg")
    assert not looks_like_full_name("mevr. J.")
    assert not looks_like_full_name("C-12")
    assert not looks_like_full_name("Jannie")
    assert not looks_like_full_name("Mw Jo")


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("4", 4.0),
        ("2,5", 2.5),
        ("2.5", 2.5),
        (" 3 uur ", 3.0),
        ("0", 0.0),
        ("60", 60.0),
        ("61", None),
        ("-1", None),
        ("veel", None),
        ("", None),
        ("1e3", None),
        ("2,555", None),
        ("４", None),
    ],
)
def test_parse_hours(text: str, hours: float | None) -> None:
    assert parse_hours(text) == hours


def test_format_hours_uses_decimal_comma_in_dutch() -> None:
    assert format_hours(2.5, "nl") == "2,5"
    assert format_hours(2.5, "en") == "2.5"
    assert format_hours(4.0, "nl") == "4"


def test_callback_pack_and_unpack() -> None:
    assert callbacks.pack("asg", "v", 12) == "asg:v:12"
    assert callbacks.unpack("asg:v:12", "asg", 2) == ["v", "12"]
    assert callbacks.unpack("asg:v:12", "asg", 3) is None
    assert callbacks.unpack("inv:v:12", "asg", 2) is None
    assert callbacks.unpack("asg::12", "asg", 2) is None
    assert callbacks.unpack(None, "asg", 2) is None
    assert callbacks.unpack("asg:" + "x" * 70, "asg", 1) is None
    with pytest.raises(ValueError):
        callbacks.pack("a", "b:c")
    with pytest.raises(ValueError):
        callbacks.pack("a", "x" * 63)
    assert callbacks.as_id("12") == 12
    for forged in ("0", "-1", "1e3", "", "x", "9" * 13, "１２"):
        assert callbacks.as_id(forged) is None


@given(st.text(max_size=80))
def test_unpack_never_raises_on_arbitrary_data(data: str) -> None:
    result = callbacks.unpack(data, "asg", 2)
    assert result is None or (len(result) == 2 and all(result))


def test_command_lists_per_role() -> None:
    assert commands_for(frozenset({Role.COORDINATOR}))[:3] == ["open", "invite", "people"]
    assert commands_for(frozenset())[-5:] == ["help", "language", "cancel", "mydata", "forget"]
    both = commands_for(frozenset({Role.COORDINATOR, Role.VOLUNTEER}))
    assert len(both) == len(set(both))
    assert roles_for_command("invite") == frozenset({Role.COORDINATOR})
    assert roles_for_command("help") is None


def test_times_said_as_people_say_them() -> None:
    morning = datetime(2026, 11, 27, 8, 0, tzinfo=UTC)  # Friday 09:00 in Amsterdam
    assert say_time(morning, morning, AMS, "nl") == "vandaag 09:00"
    assert say_time(morning + timedelta(days=1), morning, AMS, "en") == "tomorrow 09:00"
    assert say_time(morning + timedelta(days=3), morning, AMS, "nl") == "maandag 09:00"
    assert say_time(morning + timedelta(days=7), morning, AMS, "nl") == "4 dec 09:00"
    assert say_time(morning + timedelta(days=40), morning, AMS, "en") == "6 Jan 2027 09:00"
    # Summer time: 12:00 UTC is 14:00 in Amsterdam in July.
    assert say_time(datetime(2026, 7, 1, 12, tzinfo=UTC), datetime(2026, 7, 1, 6, tzinfo=UTC), AMS, "nl") == (
        "vandaag 14:00"
    )
    assert say_duration(5, "nl") == "5 min"
    assert say_duration(125, "nl") == "2 uur"
    assert say_duration(60 * 72, "en") == "3 days"


def test_dates_and_working_hours_as_people_type_them() -> None:
    from datetime import date, time

    from bot.domain.dates import parse_date, parse_working_hours

    today = date(2026, 11, 27)
    assert parse_date("12-12", today) == date(2026, 12, 12)
    assert parse_date("3 januari", today) == date(2027, 1, 3)  # no year: the next one
    assert parse_date("2026-12-05", today) == date(2026, 12, 5)
    assert parse_date("tot 5 mei", today) == date(2027, 5, 5)
    for bad in ("31-2", "morgen", "", "12-13", "1e3"):
        assert parse_date(bad, today) is None
    assert parse_working_hours("ma-vr 08:30-17:00") == (frozenset(range(5)), time(8, 30), time(17))
    assert parse_working_hours("ma,di,do 9-13") == (frozenset({0, 1, 3}), time(9), time(13))
    assert parse_working_hours("mon-fri 8.30-16") == (frozenset(range(5)), time(8, 30), time(16))
    for bad in ("ma 17-9", "altijd", "ma-vr", "xx 9-17", "ma 25-26"):
        assert parse_working_hours(bad) is None
