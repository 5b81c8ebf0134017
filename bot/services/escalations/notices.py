"""What the volunteer hears while her item moves without a pick-up (who has it now, what happens next, the
advice to call 112 for someone who may be in danger), and the e-mail that backs up Telegram for life-safety
items. The engine decides when; this module says what and to whom."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum

from bot.config import Settings
from bot.domain.escalation import Escalation, SkipReason, Step
from bot.domain.lanes import ADVICE
from bot.domain.models import Person
from bot.i18n import Markup, plain, t
from bot.services.base import Trail
from bot.services.escalations import render
from bot.services.escalations.alerts import SUBJECT
from bot.services.escalations.route import Loaded, next_level
from bot.services.notify import notify, spoken_list
from storage import emails, escalations
from storage.db import Tx

TRAIL = Trail(SUBJECT)
NOTHING = Markup("")


class Moved(StrEnum):
    """Why an item moves on without a pick-up: what the volunteer is told."""

    TIMER = "timer"  # the wait passed
    UNREACHABLE = "unreachable"  # those told cannot be reached on Telegram
    HANDOFF = "handoff"  # the colleague asked to take it over did not in time
    FOLLOW_UP = "follow_up"  # the holder answered no follow-up question


# The volunteer's notice when her item climbs, by why it moved.
CLIMBED = {
    Moved.TIMER: "vol.climbed",
    Moved.HANDOFF: "vol.climbed",
    Moved.UNREACHABLE: "vol.climbed_unreachable",
    Moved.FOLLOW_UP: "vol.climbed_follow_up",
}


class Notices:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    async def tell(
        self,
        tx: Tx,
        volunteer: Person,
        escalation: Escalation,
        key: str,
        now: datetime,
        *,
        before: str = "",
        names: str = "",
        following: Markup = NOTHING,
        advise: bool = False,
    ) -> None:
        """A notice to the volunteer about her item, naming its kind and client, and for someone who may be in
        danger the advice to call 112 and the organisation's own lines. before: who did not pick it up; names:
        who has it now; following: what happens next; advise: give the advice whatever the item."""
        lang = volunteer.language
        contacts = [(c.name, c.phone) for c in self._settings.app.emergency_contacts]
        advice = Markup(" " + render.advice(lang, contacts)) if advise or escalation.life_safety else NOTHING
        kind = plain(lang, f"kind.{escalation.kind.value}")
        client = render.client(escalation, lang)
        await notify(
            tx,
            volunteer,
            key,
            now,
            purpose=ADVICE if advice else "notice",  # the advice to call 112 goes in the first lane
            kind=kind,
            client=client,
            advice=advice,
            before=before,
            names=names,
            next=following,
        )

    async def keep_informed(
        self,
        tx: Tx,
        escalation: Escalation,
        loaded: Loaded,
        step: Step,
        now: datetime,
        *,
        moved: Moved,
        passed_over: Sequence[Person],
    ) -> None:
        """The volunteer hears when her item climbs past someone, reopens, or has reached everyone without a
        pick-up; each notice says who has it now and what happens next. Not at the first alert (her "sent"
        says it), never for a wellbeing alert."""
        if not escalation.tells_volunteer or escalation.level < 0:
            return
        volunteer, by_id = loaded.volunteer, loaded.by_id
        lang = volunteer.language
        before = list(passed_over) or [by_id[i] for i in sorted(loaded.situation.told_at_level) if i in by_id]
        before_names = spoken_list(lang, [p.name for p in before])
        if step.tell and step.level > escalation.level:
            names = [by_id[i].name for i in step.tell]
            following = self._what_next(escalation, loaded, step, names, lang)
            key = CLIMBED[moved] if before else "vol.climbed_plain"
            await self.tell(
                tx,
                volunteer,
                escalation,
                key,
                now,
                before=before_names,
                names=spoken_list(lang, names),
                following=following,
            )
        elif moved is Moved.FOLLOW_UP:
            await self.tell(tx, volunteer, escalation, "vol.reopened", now, before=before_names)
        elif step.remind and not step.tell and escalation.unpicked_told_at is None:
            await self.tell(tx, volunteer, escalation, "vol.unpicked", now)
            await escalations.set_unpicked_told(tx, escalation.id, now)

    def _what_next(self, escalation: Escalation, loaded: Loaded, step: Step, names: list[str], lang: str) -> Markup:
        """After a climb: who gets it if the people told now do not react in time, or that they are reminded."""
        policy = self._settings.escalation.policy(escalation.urgency)
        if not policy.climb:
            return NOTHING
        people_next, level = next_level(loaded.situation.levels, loaded.by_id, step.level)
        if not people_next:
            return t(lang, "vol.next_last")
        following = (
            plain(lang, "routing.coordinators")
            if level == loaded.last_level
            else spoken_list(lang, [p.name for p in people_next])
        )
        wait = render.wait_text(lang, policy.wait, policy.working_hours_only)
        return t(lang, "routing.next", name=spoken_list(lang, names), wait=wait, next=following)

    async def second_channel(
        self, tx: Tx, escalation: Escalation, loaded: Loaded, step: Step, now: datetime, *, moved: Moved
    ) -> None:
        """A life-safety item that nobody picked up at the last level, or that cannot reach a level on Telegram,
        is also e-mailed to the organisation's addresses: once per reason."""
        config = self._settings.notify
        if not config.email or not escalation.life_safety:
            return
        unreachable_level = any(reason is SkipReason.UNREACHABLE for _, reason in step.skipped)
        reasons = ["unpicked"] if step.remind else []
        if unreachable_level or moved is Moved.UNREACHABLE or step.nobody_reachable:
            reasons.append("unreachable")
        if not reasons:
            return
        by_id, situation = loaded.by_id, loaded.situation
        route = [c.person_id for level in situation.levels for c in level]
        told_ids = situation.told | set(step.tell)
        cut_off = [c.person_id for level in situation.levels for c in level if not c.reachable]
        ordered = [*route, *sorted(told_ids - set(route))]
        told = [by_id[i].name for i in ordered if i in told_ids and i in by_id and i not in cut_off]
        lang, app = self._settings.app.language, self._settings.app
        for reason in reasons:
            subject, body = render.email(
                escalation,
                reason=reason,
                volunteer=loaded.volunteer.name,
                told=told,
                unreachable=[by_id[i].name for i in cut_off],
                lang=lang,
                zone=app.zone,
                now=now,
                organisation=app.organisation,
            )
            written = await emails.enqueue(
                tx,
                escalation_id=escalation.id,
                reason=reason,
                recipients=list(config.email),
                subject=subject,
                body=body,
                now=now,
            )
            if written is not None:
                await TRAIL.record(tx, now, "escalation.emailed", escalation.id, reason=reason, email=written)
