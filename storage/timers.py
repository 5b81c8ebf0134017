"""When the next durable deadline falls: what the scheduler wakes for between its regular ticks.

Only the deadlines someone waits on to the second (an escalation's next step or follow-up, a visit's question or
alert); the regular tick still finds everything else, and the rows stay the source of truth.
"""

from __future__ import annotations

from datetime import datetime

from storage.db import Reader, opt_from_db

# Each part takes the first row of its partial index; MIN skips the parts with nothing pending (NULL).
_NEXT = (
    "SELECT MIN(at) FROM ("
    " SELECT (SELECT next_step_at FROM escalations WHERE next_step_at IS NOT NULL AND state IN ('open', 'handoff')"
    "  ORDER BY next_step_at LIMIT 1) AS at"
    " UNION ALL SELECT (SELECT follow_up_at FROM escalations WHERE follow_up_at IS NOT NULL AND state = 'acknowledged'"
    "  ORDER BY follow_up_at LIMIT 1)"
    " UNION ALL SELECT (SELECT due_at FROM visits WHERE due_at IS NOT NULL AND state IN ('running', 'asked')"
    "  ORDER BY due_at LIMIT 1))"
)


async def next_deadline(tx: Reader) -> datetime | None:
    row = await tx.one(_NEXT)
    return None if row is None else opt_from_db(row[0])
