"""Which lane of the outbox a message travels in: what people wait for goes first, bulk after, strangers last.

Telegram lets one bot send about 30 messages a second, so a check-in fan-out can hold the whole budget for
minutes. The sender serves lower lanes first (oldest first within a lane), and direct replies take their lane
from the same scale when they ask the shared rate limiter for a turn.
"""

from __future__ import annotations

from enum import IntEnum

from bot.domain.escalation import Kind, Urgency


class Lane(IntEnum):
    NOW = 0  # emergencies, urgent alerts, overdue-visit alerts, replies someone is waiting for
    SOON = 1  # concern and info alerts, notices
    BULK = 2  # check-in prompts and reminders, digests
    STRANGER = 3  # the one polite answer to someone we do not know (direct only, with a global budget)


# Outbox purposes. An edit travels in the lane of the message it edits (see `storage.outbox.enqueue_edit`).
REPLY = "reply"  # the answer to something the person just did, sent through the outbox
ADVICE = "advice"  # a volunteer who may be in danger told to call 112 (her item found nobody yet)
ALERT_PURPOSES = frozenset({"alert", "reminder"})  # an escalation reaching someone who must act on it
BULK_PURPOSES = frozenset({"checkin.prompt", "checkin.reminder", "digest"})

_NOW_URGENCIES = frozenset({Urgency.URGENT, Urgency.EMERGENCY})


def lane_of(purpose: str, *, urgency: Urgency | None = None, kind: Kind | None = None) -> Lane:
    """The lane of a message, from what it is: its purpose and, for an alert, the item's urgency and kind."""
    if purpose in (REPLY, ADVICE):
        return Lane.NOW
    if purpose in ALERT_PURPOSES and (urgency in _NOW_URGENCIES or kind is Kind.VISIT):
        return Lane.NOW  # a visit overdue means nobody knows whether the volunteer is safe
    if purpose in BULK_PURPOSES:
        return Lane.BULK
    return Lane.SOON
