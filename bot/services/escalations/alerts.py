"""Alerts as messages: queued in the outbox with the change that causes them, and edited as the item moves.

The texts come from `render` (pure); this module looks up what rendering needs (names, a viewer's language
and time zone) and writes the outbox rows and the recipients who were told.
"""

from __future__ import annotations

import json
from datetime import datetime

from bot.config import Settings
from bot.domain.escalation import Escalation, Kind
from bot.domain.lanes import lane_of
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
    ) -> int:
        """Alert one person and remember the message, so its status can be edited in later; its outbox id."""
        text, keyboard = render.alert(
            escalation,
            self.viewer(person),
            {volunteer.id: volunteer.name},
            now,
            handoff_from=handoff_from.name if handoff_from else None,
        )
        outbox_id = await self._enqueue(tx, escalation, person, text, keyboard, "alert", now)
        await escalations.add_recipient(tx, escalation.id, person.id, level=level, outbox_id=outbox_id, now=now)
        return outbox_id

    async def remind(self, tx: Tx, escalation: Escalation, person: Person, volunteer: Person, now: datetime) -> None:
        """A new message (not an edit) for someone told before: nobody has picked it up yet. Their earlier
        copies lose their buttons: the newest one carries them."""
        text, keyboard = render.alert(
            escalation, self.viewer(person), {volunteer.id: volunteer.name}, now, reminder=True
        )
        outbox_id = await self._enqueue(tx, escalation, person, text, keyboard, "reminder", now)
        await escalations.count_reminder(tx, escalation.id, person.id)
        await self.refresh(tx, escalation, now, only=person.id, skip=outbox_id)

    async def ask_holder(
        self, tx: Tx, escalation: Escalation, holder: Person, volunteer: Person, now: datetime, *, deadline: datetime
    ) -> None:
        """The follow-up question to the holder, with the item and the buttons to answer it."""
        text, keyboard = render.follow_up(
            escalation, self.viewer(holder), {volunteer.id: volunteer.name}, now, deadline=deadline
        )
        outbox_id = await self._enqueue(tx, escalation, holder, text, keyboard, "followup", now)
        await self.refresh(tx, escalation, now, only=holder.id, skip=outbox_id)

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
        only: int | None = None,
        expired_handoff: Person | None = None,
        reopened_from: Person | None = None,
    ) -> None:
        """Edit every copy sent about the item (each alert, reminder, hand-over request and follow-up question,
        in every chat) to show where it stands. Only each person's newest copy keeps buttons, and only those
        that still apply; an old copy then says what became of the item.

        skip: a copy just queued that already reads right (a hand-over request, a reminder); only: one person's
        copies."""
        copies = [c for c in await escalations.copies(tx, escalation.id) if only is None or c.person_id == only]
        newest = {c.person_id: c.outbox_id for c in copies}  # oldest first: the last one wins
        viewers = await load_people(tx, newest)
        names = await self._names(tx, escalation)
        expired = expired_handoff.name if expired_handoff else None
        reopened = reopened_from.name if reopened_from else None
        for copy in copies:
            viewer = viewers.get(copy.person_id)
            if copy.outbox_id == skip or viewer is None or not viewer.active or viewer.telegram_id is None:
                continue  # left (or erased): nothing of theirs is edited any more
            text, keyboard = render.current(
                escalation, self.viewer(viewer), names, now, expired_handoff=expired, reopened_from=reopened
            )
            if copy.outbox_id != newest[copy.person_id]:
                keyboard = None
            if text == copy.text and keyboard == (json.loads(copy.keyboard) if copy.keyboard else None):
                continue  # reads so already: no edit
            await outbox.enqueue_edit(tx, target_id=copy.outbox_id, text=text, keyboard=keyboard, now=now)

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
            lane=lane_of(purpose, urgency=escalation.urgency, kind=escalation.kind),
            now=now,
        )
