"""Messages of privacy and subject rights (/mydata, /forget, offboarding, limits), merged into the catalogue."""

from __future__ import annotations

from typing import Final

PRIVACY_MESSAGES: Final[dict[str, dict[str, str]]] = {
    "rate_limited": {
        "nl": "Ho, dat gaat wat snel! Ik kan even niet alles bijhouden. Wacht een minuutje en probeer het dan opnieuw. Bij direct gevaar: bel 112.",
        "en": "Whoa, that's a bit fast! I can't keep up for a moment. Wait a minute and try again. In immediate danger: call 112.",
    },
}
