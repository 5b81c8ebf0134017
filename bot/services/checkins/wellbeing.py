"""After each answer and each missed check-in: the wellbeing rules on the volunteer's history, and one alert to
their professional with every new flag of that check-in (a flag is not raised again while an alert holding it
is open).

Nothing is lost in between: the answer (or the miss) marks its check-in as due for evaluation in its own
transaction, and the mark is cleared only in the transaction that records the alert's flags, or that found
nothing to raise. The scheduler's tick evaluates whatever is still due. Raising the alert is a transaction of
its own (the escalation engine's), so its dedupe key is the check-in: a retry after a crash in between finds
the alert raised before instead of raising a second one.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import timedelta

from bot.clock import Clock
from bot.config import Settings
from bot.domain.escalation import Kind, Urgency
from bot.domain.models import Person
from bot.domain.wellbeing import CheckInRecord, ContactOutside, Finding, evaluate
from bot.services.checkins.render import alert_body
from bot.services.escalations import EscalationService
from bot.services.notify import spoken_list
from storage import checkins, escalations, links, people
from storage.checkins import CheckIn
from storage.db import Database, Tx

log = logging.getLogger(__name__)

BATCH = 100
# The history the rules see: enough for every window, also one that reaches back over a long pause.
HISTORY_DAYS = 366
HISTORY_LIMIT = 200
CATEGORY = "checkin"  # a wellbeing alert's category: what it holds is in its flags


@dataclass(frozen=True)
class Concern:
    """A check-in that asks for attention, for the volunteer's thank-you."""

    professional: str | None  # who hears of it (a name, or names); None: nobody known by name
    new: bool  # False: an alert still open already holds every flag, so the professional knows


@dataclass(frozen=True)
class _Evaluation:
    """What the first transaction found: the check-ins it covers, what is new, and who should hear of it."""

    volunteer: Person
    due: list[int]
    new: list[Finding]
    body: str
    professional: str | None
    raised_before: int | None  # an alert raised for these check-ins whose flags were never recorded


def dedupe_key(checkin_id: int) -> str:
    return f"checkin:{checkin_id}:wellbeing"


class WellbeingWatch:
    def __init__(self, db: Database, clock: Clock, settings: Settings, escalation_service: EscalationService) -> None:
        self.db = db
        self.clock = clock
        self.settings = settings
        self.escalations = escalation_service
        # One evaluation at a time (one process, one loop): the tick's retry and a volunteer's answer must not
        # both raise an alert for the same flags between raising and recording it.
        self._lock = asyncio.Lock()

    async def evaluate_due(self) -> int:
        """The tick: evaluate every check-in still due (its evaluation failed or was cut off). Returns how many
        volunteers were evaluated."""
        async with self.db.transaction() as tx:
            due = await checkins.volunteers_due_evaluation(tx, BATCH)
        done = 0
        for volunteer_id in due:
            try:
                await self.evaluate(volunteer_id)
                done += 1
            except Exception:
                # One volunteer's failure must not hold up the others; theirs is still due next tick.
                log.exception("volunteer %s: wellbeing evaluation failed; tried again next tick", volunteer_id)
        return done

    def exclusive(self) -> asyncio.Lock:
        """Held from an answer's commit to its evaluation (`evaluate_held`), so that the tick cannot evaluate
        it in between and leave the volunteer's thank-you without what it found."""
        return self._lock

    async def evaluate(self, volunteer_id: int) -> Concern | None:
        """Run the rules over this volunteer's history for the check-ins due, and raise one alert with every
        new flag. None: nothing asks for attention."""
        async with self._lock:
            return await self.evaluate_held(volunteer_id)

    async def evaluate_held(self, volunteer_id: int) -> Concern | None:
        """As `evaluate`, by a caller that holds `exclusive()`."""
        found = await self._evaluate(volunteer_id)
        if isinstance(found, Concern) or found is None:
            return found
        told: list[Person] = []
        if found.raised_before is None:
            raised = await self.escalations.raise_item(
                found.volunteer,
                kind=Kind.WELLBEING,
                link_id=None,
                category=CATEGORY,
                urgency=Urgency.CONCERN,
                body=found.body,
                dedupe_key=dedupe_key(found.due[-1]),
            )
            told = raised.told if raised is not None else []
        await self._record(found)
        lang = found.volunteer.language
        named = spoken_list(lang, [p.name for p in told]) if told else found.professional
        return Concern(professional=named, new=True)

    async def _evaluate(self, volunteer_id: int) -> _Evaluation | Concern | None:
        """The rules, in one transaction; what needs no alert is marked evaluated in it."""
        now = self.clock.now()
        thresholds = self.settings.wellbeing.thresholds()
        async with self.db.transaction() as tx:
            due = await checkins.due_evaluation(tx, volunteer_id)
            volunteer = await people.get(tx, volunteer_id)
            if not due or volunteer is None or not volunteer.active:
                if due:
                    await checkins.mark_evaluated(tx, due)
                return None
            rows = await checkins.history(tx, volunteer_id, now - timedelta(days=HISTORY_DAYS), HISTORY_LIMIT)
            agreement = await links.agreement(tx, volunteer_id)
            findings = evaluate(
                [_as_record(row) for row in rows],
                agreed_hours_per_week=agreement.hours_per_week if agreement else None,
                now=now,
                zone=self.settings.app.timezone,
                thresholds=thresholds,
            )
            open_flags = await escalations.open_wellbeing_flags(tx, volunteer_id)
            new = [finding for finding in findings if finding.flag.value not in open_flags]
            raised_before = await checkins.alert_by_key(tx, [dedupe_key(i) for i in due])
            professional = await self._professional(tx, volunteer)
            if not new and raised_before is None:
                await checkins.mark_evaluated(tx, due)
                return Concern(professional=professional, new=False) if findings else None
            latest = await checkins.get(tx, due[-1])
        assert latest is not None
        return _Evaluation(
            volunteer=volunteer,
            due=due,
            new=new,
            body=self._body(new, volunteer, latest),
            professional=professional,
            raised_before=raised_before,
        )

    async def _record(self, found: _Evaluation) -> None:
        """The alert's flags, and the check-ins evaluated, in one transaction."""
        async with self.db.transaction() as tx:
            escalation_id = found.raised_before or await checkins.alert_by_key(tx, [dedupe_key(found.due[-1])])
            if escalation_id is not None:  # None: the engine refused it (the volunteer's own link was gone)
                await checkins.add_alert_flags(tx, escalation_id, [finding.flag.value for finding in found.new])
            await checkins.mark_evaluated(tx, found.due)

    def _body(self, new: list[Finding], volunteer: Person, checkin: CheckIn) -> str:
        """In the organisation's language: the alert's words are stored once, for every reader. "This week" is
        the week of the period the check-in answers."""
        settings = self.settings.app
        at = (checkin.period_at or checkin.answered_at or checkin.created_at).astimezone(settings.zone).isocalendar()
        comment = checkin.comment if checkin.state == "answered" else None
        return alert_body(new, volunteer.name, comment, settings.language, f"{at.year}-W{at.week:02d}")

    @staticmethod
    async def _professional(tx: Tx, volunteer: Person) -> str | None:
        """The volunteer's own professional, the first to hear of a wellbeing alert."""
        professional = await people.get(tx, volunteer.responsible_professional_id or 0)
        return professional.name if professional is not None and professional.active else None


def _as_record(row: CheckIn) -> CheckInRecord:
    """A check-in as the rules see it: only an answered one has answers; an excused one was paused."""
    answered = row.state == "answered"
    return CheckInRecord(
        at=row.answered_at or row.created_at,
        period=row.period_at,
        missed=row.state == "missed",
        paused=row.state == "excused",
        hours=row.hours if answered else None,
        energy=row.energy if answered else None,
        contact_outside=ContactOutside(row.contact_outside) if row.contact_outside else None,
        private_life=row.private_life,
        beyond_role=row.beyond_role,
    )
