"""After each answer and each missed check-in: the wellbeing rules on the volunteer's history, and an alert
to their professional for each new flag (never a second one while one for that flag is open)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.domain.escalation import Kind, Urgency
from bot.domain.wellbeing import CheckInRecord, ContactOutside, Finding, evaluate
from bot.services.checkins.render import describe
from bot.services.escalations import EscalationService
from storage import checkins, escalations, links, people
from storage.checkins import CheckIn
from storage.db import Database


@dataclass(frozen=True)
class WellbeingWatch:
    db: Database
    clock: Clock
    settings: Settings
    escalations: EscalationService

    async def evaluate(self, volunteer_id: int) -> list[Finding]:
        """Run the wellbeing rules; raise an alert per new flag. Returns the findings raised."""
        now = self.clock.now()
        thresholds = self.settings.wellbeing.thresholds()
        async with self.db.transaction() as tx:
            volunteer = await people.get(tx, volunteer_id)
            if volunteer is None or not volunteer.active:
                return []
            rows = await checkins.history(tx, volunteer_id, now - timedelta(days=thresholds.window_days * 3))
            agreement = await links.agreement(tx, volunteer_id)
            open_flags = await escalations.open_wellbeing_flags(tx, volunteer_id)
        findings = evaluate(
            [_record(row) for row in rows],
            agreed_hours_per_week=agreement.hours_per_week if agreement else None,
            now=now,
            zone=self.settings.app.timezone,
            thresholds=thresholds,
        )
        raised = []
        for finding in findings:
            if finding.flag.value in open_flags:
                continue
            result = await self.escalations.raise_item(
                volunteer,
                kind=Kind.WELLBEING,
                link_id=None,
                category=finding.flag.value,
                urgency=Urgency.CONCERN,
                # In the organisation's language: the alert's words are stored once, for every reader.
                body=describe(finding, volunteer.name, self.settings.app.language),
            )
            if result is not None:
                raised.append(finding)
        return raised


def _record(row: CheckIn) -> CheckInRecord:
    """A check-in as the rules see it: only an answered one has answers."""
    answered = row.state == "answered"
    return CheckInRecord(
        at=row.answered_at or row.created_at,
        missed=row.state == "missed",
        hours=row.hours if answered else None,
        energy=row.energy if answered else None,
        contact_outside=ContactOutside(row.contact_outside) if row.contact_outside else None,
        private_life=row.private_life,
        beyond_role=row.beyond_role,
    )
