"""Check-in history and wellbeing alerts written straight into the tables, for the overview and report tests:
weeks of answers the bot would otherwise need weeks of fake time and taps to collect."""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.db import to_db
from tests.support.harness import Harness


async def agreed_hours(h: Harness, ids: dict[str, int], hours: float) -> None:
    """Anna records Vera's agreement; Vera has heard of it before the test goes on."""
    anna = await h.services.people.get(ids["Anna"])
    assert anna is not None
    await h.services.people.set_agreement(anna, volunteer_id=ids["Vera"], hours_per_week=hours, contact_times="")
    await h.settle()


async def answered_weekly(
    h: Harness, volunteer_id: int, hours: list[float], *, energy: list[int] | None = None, until: datetime | None = None
) -> None:
    """One answered check-in a week for this volunteer, the newest (last in `hours`) at `until` (default now)."""
    end = until or h.clock.now()
    async with h.services.db.transaction() as tx:
        for back, value in enumerate(reversed(hours)):
            period = end - timedelta(weeks=back)
            level = energy[len(hours) - 1 - back] if energy else 4
            await tx.execute(
                "INSERT INTO checkins (volunteer_id, state, answered_at, hours, energy, created_at, period_at)"
                " VALUES (?, 'answered', ?, ?, ?, ?, ?)",
                (volunteer_id, to_db(period), value, level, to_db(period), to_db(period)),
            )


async def wellbeing_alert(h: Harness, volunteer_id: int, flags: list[str], *, resolved: bool = False) -> int:
    """An open (or resolved) wellbeing alert about this volunteer holding these flags."""
    now = h.clock.now()
    async with h.services.db.transaction() as tx:
        item = await tx.execute(
            "INSERT INTO escalations (kind, volunteer_id, category, urgency, body, state, created_at, resolved_at,"
            " resolution) VALUES ('wellbeing', ?, 'checkin', 'concern', 'x', ?, ?, ?, ?)",
            (
                volunteer_id,
                "resolved" if resolved else "open",
                to_db(now - timedelta(days=2)),
                to_db(now - timedelta(days=1)) if resolved else None,
                "Gesproken, gaat beter" if resolved else None,
            ),
        )
        await tx.executemany(
            "INSERT INTO escalation_flags (escalation_id, flag) VALUES (?, ?)", [(item, f) for f in flags]
        )
    return item
