"""The `samenspel` command line as a process: help, check-config and run without a token (the commands
themselves: tests/unit/test_cli.py)."""

from __future__ import annotations

import json
from pathlib import Path

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
