"""Messages of privacy and subject rights (/mydata, /forget, offboarding, limits), merged into the catalogue."""

from __future__ import annotations

from typing import Final

PRIVACY_MESSAGES: Final[dict[str, dict[str, str]]] = {}
