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


def test_invites_listed_revoked_and_prepared_from_the_command_line(tmp_path: Path) -> None:
    env = {"SAMENSPEL_STORAGE__PATH": str(tmp_path / "s.db")}
    piet = run_cli("invite", "--role", "professional", "--name", "Piet", env=env, cwd=tmp_path)
    assert piet.returncode == 0 and piet.stdout.startswith("Invite 1 for Piet (professional)"), piet.stdout
    prepared = run_cli(
        "invite", "--role", "volunteer", "--name", "Joop", "--team", "Oost", "--client", "J-1", "--hours", "4",
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert prepared.returncode == 0, prepared.stderr
    assert "Prepared: professional -, clients J-1." in prepared.stdout
    listed = run_cli("invite", "--list", env=env, cwd=tmp_path).stdout.splitlines()
    assert [line.split(", made by")[0] for line in listed] == [
        "1: Piet (professional)",
        "2: Joop (volunteer, Oost) (prepared)",
    ]
    assert all("made by the administrator, valid until " in line for line in listed)
    revoked = run_cli("invite", "--revoke", "1", env=env, cwd=tmp_path)
    assert revoked.returncode == 0 and "invite 1 for Piet revoked" in revoked.stdout
    assert [line[:2] for line in run_cli("invite", "--list", env=env, cwd=tmp_path).stdout.splitlines()] == ["2:"]
    again = run_cli("invite", "--revoke", "1", env=env, cwd=tmp_path)
    assert again.returncode == 2 and "no longer open" in again.stderr
    unknown = run_cli(
        "invite", "--role", "volunteer", "--name", "Kim", "--professional", "Nobody", env=env, cwd=tmp_path
    )
    assert unknown.returncode == 2 and "no professional called 'Nobody'" in unknown.stderr
    not_a_volunteer = run_cli(
        "invite", "--role", "coordinator", "--name", "Kim", "--client", "K-1", env=env, cwd=tmp_path
    )
    assert not_a_volunteer.returncode == 2 and "Only a volunteer" in not_a_volunteer.stderr
    assert run_cli("invite", env=env, cwd=tmp_path).returncode == 2
