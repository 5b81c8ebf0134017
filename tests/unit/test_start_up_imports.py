"""What a start of the bot imports: the heavy libraries only the few who need them pay for (matplotlib for a
chart, half a second; psycopg only where PostgreSQL is configured). Every start and restart pays for the rest."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def test_starting_the_bot_imports_neither_matplotlib_nor_psycopg() -> None:
    probe = "import sys, bot.app; print(sorted(m for m in ('matplotlib', 'psycopg', 'fpdf') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"


def test_samenspel_run_in_polling_mode_does_not_import_the_webhook_server(tmp_path: Path) -> None:
    """`samenspel run` up to serving, in a process of its own: polling (every start, every restart after a
    crash) leaves aiohttp, the webhook mode's web server, unimported; webhook mode itself still imports it
    (tests/system/test_webhook_process.py runs it)."""
    probe = (
        "import asyncio, sys\n"
        "import bot.app, bot.cli\n"
        "from bot.config import load_settings\n"
        "seen = []\n"
        "async def serve(app, stop):\n"
        "    seen.append(sorted(m for m in ('aiohttp', 'matplotlib', 'psycopg', 'fpdf') if m in sys.modules))\n"
        "bot.app.serve = serve\n"
        "settings = load_settings(None, telegram={'token': '123:abc'}, storage={'path': sys.argv[1]})\n"
        "assert asyncio.run(bot.cli._run(settings)) == 0\n"
        "print(seen)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "samenspel.db")],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    assert out.stdout.strip() == "[[]]", out.stderr


def test_python_m_bot_leaves_trio_unimported_where_it_is_installed(tmp_path: Path) -> None:
    """`python -m bot` with an HTTP client built (delete-webhook, against a port nobody listens on): httpcore
    is imported, trio (here because selenium needs it, absent from the product's install) is not."""
    probe = (
        "import atexit, runpy, sys\n"
        "atexit.register(lambda: print(sys.modules.get('trio'), 'httpcore' in sys.modules))\n"
        "sys.argv = ['samenspel', 'delete-webhook']\n"
        "runpy.run_module('bot', run_name='__main__', alter_sys=True)\n"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "SAMENSPEL_TELEGRAM__TOKEN": "123:abc",
        "SAMENSPEL_TELEGRAM__BASE_URL": "http://127.0.0.1:1/bot",
        "SAMENSPEL_STORAGE__PATH": str(tmp_path / "samenspel.db"),
    }
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert out.returncode == 2 and "refused the webhook" in out.stderr, out.stderr
    assert out.stdout.strip() == "None True"
