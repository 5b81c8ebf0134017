"""Alerts as messages: queued in the outbox with the change that causes them, and edited as the item moves.

The texts come from `render` (pure); this module looks up what rendering needs (names, a viewer's language
and time zone) and writes the outbox rows and the recipients who were told.
"""

from __future__ import annotations

from datetime import datetime

from bot.config import Settings
from bot.domain.escalation import Escalation, Kind
from bot.domain.models import Person
from bot.i18n import Markup, t
from bot.services.base import load_people, zone_of
from bot.services.escalations import render
from bot.services.escalations.render import Keyboard, Viewer
from storage import escalations, outbox
from storage.db import Tx

SUBJECT = "escalation"


class Alerts:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def viewer(self, person: Person) -> Viewer:
        return Viewer(person_id=person.id, language=person.language, zone=zone_of(person, self._settings))

    async def send(
        self,
        tx: Tx,
        escalation: Escalation,
        person: Person,
        volunteer: Person,
        now: datetime,
        *,
        level: int,
        handoff_from: Person | None = None,
    ) -> None:
        """Alert one person and remember the message, so its status can be edited in later."""
        text, keyboard = render.alert(
            escalation,
            self.viewer(person),
            {volunteer.id: volunteer.name},
            now,
            handoff_from=handoff_from.name if handoff_from else None,
        )
        outbox_id = await self._enqueue(tx, escalation, person, text, keyboard, "alert", now)
        await escalations.add_recipient(tx, escalation.id, person.id, level=level, outbox_id=outbox_id, now=now)

    async def remind(self, tx: Tx, escalation: Escalation, person: Person, volunteer: Person, now: datetime) -> None:
        """A new message (not an edit) for someone told before: nobody has picked it up yet."""
        text, keyboard = render.alert(
            escalation, self.viewer(person), {volunteer.id: volunteer.name}, now, reminder=True
        )
        await self._enqueue(tx, escalation, person, text, keyboard, "reminder", now)
        await escalations.count_reminder(tx, escalation.id, person.id)

    async def current(
        self, tx: Tx, escalation: Escalation, person: Person, now: datetime
    ) -> tuple[Markup, Keyboard | None]:
        """The item as it stands, for this person."""
        names = await self._names(tx, escalation)
        return render.current(escalation, self.viewer(person), names, now)

    async def refresh(
        self,
        tx: Tx,
        escalation: Escalation,
        now: datetime,
        *,
        skip: int | None = None,
        expired_handoff: Person | None = None,
    ) -> None:
        """Edit every recipient's first alert to show the current state (who picked it up, done)."""
        recipients = await escalations.recipients(tx, escalation.id)
        firsts = {r.person_id: r.outbox_id for r in recipients if r.outbox_id is not None and r.person_id != skip}
        viewers = await load_people(tx, firsts)
        names = await self._names(tx, escalation)
        expired = expired_handoff.name if expired_handoff else None
        for person_id, outbox_id in firsts.items():
            viewer = viewers.get(person_id)
            if viewer is None or not viewer.active or viewer.telegram_id is None:
                continue  # left (or erased): nothing of theirs is edited any more
            text, keyboard = render.current(escalation, self.viewer(viewer), names, now, expired_handoff=expired)
            await outbox.enqueue_edit(tx, target_id=outbox_id, text=text, keyboard=keyboard, now=now)

    async def tell_team_chat(self, tx: Tx, escalation: Escalation, volunteer: Person, now: datetime) -> None:
        """The team group hears (without buttons) that an item reached the coordinators. Never of a wellbeing
        alert: it is about a volunteer, who may be a member of that group."""
        chat_id = self._settings.escalation.alert_chat_id
        if chat_id is None or escalation.kind is Kind.WELLBEING:
            return
        lang = self._settings.app.language
        header = render.header(escalation, volunteer.name, lang, now, self._settings.app.zone)
        await outbox.enqueue(
            tx,
            chat_id=chat_id,
            language=lang,
            text=t(lang, "alert.team", header=header),
            subject_type=SUBJECT,
            subject_id=escalation.id,
            purpose="team",
            now=now,
        )

    async def _names(self, tx: Tx, escalation: Escalation) -> dict[int, str]:
        return {i: p.name for i, p in (await load_people(tx, render.names_needed(escalation))).items()}

    @staticmethod
    async def _enqueue(
        tx: Tx,
        escalation: Escalation,
        person: Person,
        text: Markup,
        keyboard: Keyboard | None,
        purpose: str,
        now: datetime,
    ) -> int:
        """Queue an alert (or a reminder of it) about this item to one person."""
        return await outbox.enqueue(
            tx,
            chat_id=person.telegram_id or 0,
            person_id=person.id,
            language=person.language,
            text=text,
            keyboard=keyboard,
            subject_type=SUBJECT,
            subject_id=escalation.id,
            purpose=purpose,
            now=now,
        )
