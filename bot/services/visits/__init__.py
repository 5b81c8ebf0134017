"""The visit safety timer: `service` (the volunteer's answers and the timer) and `render` (its messages)."""

from bot.services.visits.service import Finished, VisitService

__all__ = ["Finished", "VisitService"]
