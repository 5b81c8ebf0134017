"""`samenspel report --month YYYY-MM [--csv FILE]`: the month's figures on the command line."""

from __future__ import annotations

import csv
import stat
from pathlib import Path

from tests.support.cli import run_cli


def test_report_prints_the_month_and_writes_a_private_csv(tmp_path: Path) -> None:
    env = {"SAMENSPEL_STORAGE__PATH": str(tmp_path / "s.db")}
    target = tmp_path / "nov.csv"
    done = run_cli("report", "--month", "2026-11", "--csv", str(target), env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Maandcijfers 2026-11" in done.stdout and "Check-ins ingevuld: 0 van 0" in done.stdout
    assert "<b>" not in done.stdout
    rows = list(csv.reader(target.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0] == ["month", "section", "key", "value"] and ["2026-11", "checkins", "asked", "0"] in rows
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    bad = run_cli("report", "--month", "november", env=env, cwd=tmp_path)
    assert bad.returncode == 2 and "YYYY-MM" in bad.stderr
