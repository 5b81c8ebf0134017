"""The `samenspel` commands (`bot.cli`), run in this process: migrate, invite and check-in schedules."""

from __future__ import annotations

from pathlib import Path

from storage.db import available_migrations
from tests.support.cli import run_cli


def test_migrate_and_invite_from_the_command_line(tmp_path: Path) -> None:
    env = {"SAMENSPEL_STORAGE__PATH": str(tmp_path / "s.db")}
    migrated = run_cli("migrate", env=env, cwd=tmp_path)
    latest = available_migrations()[-1][0]
    assert migrated.returncode == 0 and f"version {latest}" in migrated.stdout
    invited = run_cli("invite", "--role", "coordinator", "--name", "Anna", env=env, cwd=tmp_path)
    assert invited.returncode == 0, invited.stderr
    code_line = next(line for line in invited.stdout.splitlines() if line.startswith("Code: "))
    assert len(code_line.removeprefix("Code: ")) >= 22
    refused = run_cli("invite", "--role", "coordinator", "--name", "   ", env=env, cwd=tmp_path)
    assert refused.returncode == 2


def test_schedules_from_the_command_line(tmp_path: Path) -> None:
    env = {"SAMENSPEL_STORAGE__PATH": str(tmp_path / "s.db")}
    added = run_cli("schedule", "add", "--days", "ma,do", "--time", "19:00", env=env, cwd=tmp_path)
    assert added.returncode == 0 and "schedule 1 added; first check-in" in added.stdout
    listed = run_cli("schedule", "list", env=env, cwd=tmp_path)
    assert "1: everyone days=0,3 at 19:00 every 1 week(s), next" in listed.stdout
    assert run_cli("schedule", "pause", "1", env=env, cwd=tmp_path).returncode == 0
    assert "paused" in run_cli("schedule", "list", env=env, cwd=tmp_path).stdout
    gone = run_cli("schedule", "delete", "7", env=env, cwd=tmp_path)
    assert gone.returncode == 2 and "does not exist" in gone.stderr
    bad = run_cli("schedule", "add", "--days", "someday", "--time", "19:00", env=env, cwd=tmp_path)
    assert bad.returncode == 2
