"""What a start of the bot imports: the heavy libraries only the few who need them pay for (matplotlib for a
chart, half a second; psycopg only where PostgreSQL is configured). Every start and restart pays for the rest."""

from __future__ import annotations

import subprocess
import sys


def test_starting_the_bot_imports_neither_matplotlib_nor_psycopg() -> None:
    probe = "import sys, bot.app; print(sorted(m for m in ('matplotlib', 'psycopg', 'fpdf') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert out.stdout.strip() == "[]"
