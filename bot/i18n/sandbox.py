"""Messages of the sandbox web page (``samenspel sandbox``), merged into the catalogue. Dutch first."""

from __future__ import annotations

from typing import Final

SANDBOX_MESSAGES: Final[dict[str, dict[str, str]]] = {}
