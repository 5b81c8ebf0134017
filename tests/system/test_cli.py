"""The `samenspel` command line as a process: help, check-config, run without a token, migrate, invite and
schedules."""

from __future__ import annotations

import json
from pathlib import Path

from storage.db import available_migrations
from tests.support.processes import samenspel_cli


def test_cli_help_check_config_and_errors(tmp_path: Path) -> None:
    helped = samenspel_cli("--help", cwd=tmp_path)
    assert helped.returncode == 0
    for command in ("run", "migrate", "check-config", "invite", "backup"):
        assert command in helped.stdout
    shown = samenspel_cli(
        "check-config", env={"SAMENSPEL_TELEGRAM__TOKEN": "123456789:AAverysecretvalue"}, cwd=tmp_path
    )
    assert shown.returncode == 0 and "verysecret" not in shown.stdout + shown.stderr
    assert json.loads(shown.stdout)["app"]["timezone"] == "Europe/Amsterdam"
    bad = samenspel_cli("check-config", env={"SAMENSPEL_APP__TIMEZONE": "Nowhere"}, cwd=tmp_path)
    assert bad.returncode == 2
    assert bad.stderr.strip().count("\n") == 0 and "app.timezone" in bad.stderr


def test_run_without_token_exits_2_and_explains(tmp_path: Path) -> None:
    result = samenspel_cli("run", cwd=tmp_path)
    assert result.returncode == 2
    assert "@BotFather" in result.stderr and "SAMENSPEL_TELEGRAM__TOKEN" in result.stderr
    assert not (tmp_path / "samenspel.db").exists()


def test_migrate_and_invite_from_the_command_line(tmp_path: Path) -> None:
    env = {"SAMENSPEL_STORAGE__PATH": str(tmp_path / "s.db")}
    migrated = samenspel_cli("migrate", env=env, cwd=tmp_path)
    latest = available_migrations()[-1][0]
    assert migrated.returncode == 0 and f"version {latest}" in migrated.stdout
    invited = samenspel_cli("invite", "--role", "coordinator", "--name", "Anna", env=env, cwd=tmp_path)
    assert invited.returncode == 0, invited.stderr
    code_line = next(line for line in invited.stdout.splitlines() if line.startswith("Code: "))
    assert len(code_line.removeprefix("Code: ")) >= 22
    refused = samenspel_cli("invite", "--role", "coordinator", "--name", "   ", env=env, cwd=tmp_path)
    assert refused.returncode == 2


def test_schedules_from_the_command_line(tmp_path: Path) -> None:
    env = {"SAMENSPEL_STORAGE__PATH": str(tmp_path / "s.db")}
    added = samenspel_cli("schedule", "add", "--days", "ma,do", "--time", "19:00", env=env, cwd=tmp_path)
    assert added.returncode == 0 and "schedule 1 added; first check-in" in added.stdout
    listed = samenspel_cli("schedule", "list", env=env, cwd=tmp_path)
    assert "1: everyone days=0,3 at 19:00 every 1 week(s), next" in listed.stdout
    assert samenspel_cli("schedule", "pause", "1", env=env, cwd=tmp_path).returncode == 0
    assert "paused" in samenspel_cli("schedule", "list", env=env, cwd=tmp_path).stdout
    gone = samenspel_cli("schedule", "delete", "7", env=env, cwd=tmp_path)
    assert gone.returncode == 2 and "does not exist" in gone.stderr
    bad = samenspel_cli("schedule", "add", "--days", "someday", "--time", "19:00", env=env, cwd=tmp_path)
    assert bad.returncode == 2
