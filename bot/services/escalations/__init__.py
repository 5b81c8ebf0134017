"""Signals, backup requests and alerts: raise, route, climb, acknowledge, hand off, resolve.

- `engine`: raising an item and moving it along its route (the timer, unreachable recipients, people leaving).
- `actions`: what people do with an item (pick up, hand off, resolve) and the bot closing one.
- `render`: how an alert reads for one viewer, pure.
- `handover`: items changing hands inside a caller's transaction (someone away or leaving, a link that ends).
- `alerts` and `route`: the outbox side of alerts, and who is on an item's route; shared by the parts above.
- `service`: `EscalationService`, the one object callers use.
"""

from bot.services.escalations.engine import Raised, Routing
from bot.services.escalations.service import EscalationService

__all__ = ["EscalationService", "Raised", "Routing"]
