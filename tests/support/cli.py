"""`samenspel ARGS` run by `bot.cli.main` in this process, as `python -m bot ARGS` runs it: the same exit
status, output and errors, without a Python start of its own (the process itself: tests/system)."""

from __future__ import annotations

import io
import os
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from bot.cli import main
from tests.support.logs import configured_logging


def run_cli(*args: str, env: dict[str, str] | None = None, cwd: Path) -> subprocess.CompletedProcess[str]:
    """With only the SAMENSPEL_ settings in `env` and `cwd` as working directory, both put back after."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, configured_logging(), redirect_stdout(out), redirect_stderr(err):
        for key in [key for key in os.environ if key.startswith("SAMENSPEL_")]:
            patch.delenv(key)
        for key, value in (env or {}).items():
            patch.setenv(key, value)
        patch.chdir(cwd)
        try:
            status = main(list(args))
        except SystemExit as exit:  # argparse refusing the arguments
            status = exit.code if isinstance(exit.code, int) else 0 if exit.code is None else 1
    return subprocess.CompletedProcess(["samenspel", *args], status, out.getvalue(), err.getvalue())
