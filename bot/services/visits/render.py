"""What a visit's messages say and offer: the "all good?" buttons and the alert's words. Pure."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.callbacks import pack
from bot.domain.visits import Action, Visit, clock_text
from bot.i18n import plain

Keyboard = list[list[dict[str, str]]]


def answer_keyboard(lang: str, visit_id: int, prompt: int, longer: bool) -> Keyboard:
    """All good, (30 minutes longer,) I need help; each button names the question it answers."""

    def button(key: str, action: Action) -> dict[str, str]:
        return {"text": plain(lang, key), "data": pack("vis", action.value, visit_id, max(prompt, 0))}

    first = [button("button.visit.ok", Action.OK)]
    if longer:
        first.append(button("button.visit.more", Action.MORE))
    return [first, [button("button.visit.help", Action.HELP)]]


def alert_body(step: str, lang: str, zone: ZoneInfo, volunteer: str, visit: Visit, moment: datetime) -> str:
    """Plain words for the alert ("help" or "overdue"); stored once, for everyone, so in the
    organisation's language and time zone."""
    key = f"visit.body.{step}" if visit.client_alias else f"visit.body.{step}_general"
    return plain(lang, key, volunteer=volunteer, client=visit.client_alias or "", time=clock_text(moment, zone))
