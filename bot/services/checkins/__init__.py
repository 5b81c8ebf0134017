"""Check-ins: `service` (answers, and the one object callers use), `schedules`, `rounds` (the timer's
fan-out, prompts, reminders and closing), `wellbeing` (alerts from the answers) and `render` (pure)."""

from bot.services.checkins.render import HOURS_BUCKETS, hours_keyboard
from bot.services.checkins.service import COMMENT_LIMIT, MAX_TYPED_HOURS, CheckInService, Recognition

__all__ = [
    "COMMENT_LIMIT",
    "HOURS_BUCKETS",
    "MAX_TYPED_HOURS",
    "CheckInService",
    "Recognition",
    "hours_keyboard",
]
