"""Where the checkout and the tests' output live."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Figures and screenshots the system tests leave for people to look at (kept out of git by its .gitignore).
ARTIFACTS = ROOT / "tests" / "artifacts"
