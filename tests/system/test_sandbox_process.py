"""`samenspel sandbox` as a process, on a fresh machine's terms (no token, no config file): it comes up and
stops on Ctrl-C."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from tests.support.paths import ROOT


@pytest.mark.subprocess
async def test_samenspel_sandbox_comes_up_as_a_process_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SAMENSPEL_")}
    env["PYTHONPATH"] = str(ROOT)
    # Port 0: the OS picks a free one and the ready line names it. An empty folder: no config.toml.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sandbox",
        "--port",
        "0",
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), timeout=30)).decode()
        assert "De proeftuin draait: open http://127.0.0.1:" in line, line
        url = line.split("open ", 1)[1].split(" ", 1)[0]
        async with aiohttp.ClientSession() as session, session.get(url) as response:
            assert response.status == 200
        process.send_signal(signal.SIGINT)
        out, err = await asyncio.wait_for(process.communicate(), timeout=20)
        assert process.returncode == 0, err.decode()
        assert "Proeftuin gestopt" in out.decode()
        assert "Traceback" not in err.decode()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
