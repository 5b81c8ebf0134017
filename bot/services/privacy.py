"""Subject rights and retention: /mydata, /forget, a coordinator's offboarding, and the daily erasure."""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from bot.clock import Clock
from bot.config import Settings
from bot.domain.lanes import REPLY
from bot.domain.models import Person, Role
from bot.domain.schedule import next_daily_run
from bot.i18n import Markup, plain, t
from bot.services.base import Service, Trail, coordinators_only
from bot.services.errors import Refused
from bot.services.escalations import EscalationService
from bot.services.escalations.handover import NoteState
from bot.services.handover import HandoverService
from storage import audit, outbox, people, privacy, recognition, talks
from storage.db import Database, Tx

log = logging.getLogger(__name__)
PERSONS = Trail("person")


class PrivacyService(Service):
    def __init__(
        self,
        db: Database,
        clock: Clock,
        settings: Settings,
        escalations: EscalationService,
        wake_delivery: Callable[[], None],
    ) -> None:
        super().__init__(db, clock, settings, wake_delivery)
        self._escalations = escalations
        self._handover = HandoverService(db, clock, settings, wake_delivery, escalations)
        # In memory on purpose: every start runs the erasure once, then daily at the configured hour.
        self._next_retention: datetime | None = None

    # --- /mydata ------------------------------------------------------------------------------------

    async def export(self, person: Person) -> tuple[str, bytes]:
        """A file name and a JSON document with everything stored about the person."""
        now = self._clock.now()
        document = await self._document(person, now, exported=True)
        local: date = now.astimezone(self._settings.app.zone).date()
        name = f"samenspel-{local.isoformat()}.json"
        return name, json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")

    async def _document(self, person: Person, now: datetime, *, exported: bool = False) -> dict[str, Any]:
        async with self._db.transaction() as tx:
            stored = await privacy.export_person(tx, person.id)
            talk = await talks.of(tx, person.id)
            summary_on = await recognition.summary_on(tx, person.id)
            if exported:
                await PERSONS.record(tx, now, "person.exported", person.id, actor=person.id)
        return {
            "organisation": self._settings.app.organisation,
            "exported_at": now.isoformat(),
            "retain_days": self._settings.privacy.retain_days,
            **stored,
            "evaluation_talk": None if talk is None else {"talk_on": talk.talk_on, "wishes": talk.wishes},
            "monthly_summary": summary_on,
        }

    async def readable(self, person: Person) -> Markup:
        """/mydata in words: what is stored about the person, and for how long (the JSON holds every row)."""
        stored = await self._document(person, self._clock.now())
        lang, keep = person.language, self._settings.privacy
        kinds = [r.get("kind") for r in stored["reports"]]
        return t(
            lang,
            "mydata.summary",
            organisation=self._settings.app.organisation,
            name=person.name,
            roles=", ".join(plain(lang, f"roles.{role}") for role in stored["roles"]),
            clients=len(stored["clients"]),
            signals=kinds.count("signal"),
            backups=kinds.count("backup"),
            others=len(kinds) - kinds.count("signal") - kinds.count("backup"),
            handled=len(stored["reports_handled"]),
            checkins=len(stored["checkins"]),
            visits=len(stored["visits"]),
            messages=len(stored["messages_to_you"]),
            drafts=len(stored["unfinished_input"]),
            log=len(stored["activity_log"]),
            retain=keep.retain_days,
            draft_days=keep.draft_days,
        )

    # --- /forget and offboarding --------------------------------------------------------------------

    async def check_may_leave(self, person: Person) -> None:
        """Asked before the confirmation; checked again in the erasing transaction."""
        async with self._db.transaction() as tx:
            await self._may_leave_in(tx, person)

    @staticmethod
    async def _may_leave_in(tx: Tx, person: Person) -> None:
        """The last coordinator cannot leave: nobody could invite or link people any more."""
        if not person.is_coordinator:
            return
        others = [c for c in await people.active_with_role(tx, Role.COORDINATOR) if c.id != person.id]
        if not others:
            raise Refused("forget.last_coordinator")

    async def forget(self, person: Person) -> int:
        """The person erases themselves; returns how many open items were handed over first."""
        return await self._erase(person.id, actor_id=person.id, event="person.forgotten", tell=False)

    async def offboard(self, by: Person, person_id: int) -> tuple[str, int]:
        """A coordinator erases someone who left; returns their (former) name and items handed over."""
        coordinators_only(by)
        if person_id == by.id:
            raise Refused("remove.self")
        async with self._db.transaction() as tx:
            target = await people.get(tx, person_id)
        if target is None or target.name == privacy.erased_name(person_id):
            raise Refused("flow.person_gone")
        handed = await self._erase(person_id, actor_id=by.id, event="person.offboarded", tell=target.active)
        return target.name, handed

    async def _erase(self, person_id: int, *, actor_id: int, event: str, tell: bool = True) -> int:
        now = self._clock.now()
        async with self._db.transaction() as tx:
            person = await people.get(tx, person_id)
            if person is None:
                raise Refused("flow.person_gone")
            await self._may_leave_in(tx, person)
            # Deactivated first, so that nothing routes to them while their items find a new home.
            await people.deactivate(tx, person_id, now)
            handed = await self._rehome_items(tx, person, now)
            await privacy.erase_person(tx, person_id, now)
            await talks.erase(tx, person_id)  # what she wrote for her evaluation talk (issue 14)
            if tell and person.telegram_id is not None:
                # Queued after the erasure (which drops what was pending for them); the next daily run
                # blanks it, chat id included, once it has gone out.
                await outbox.enqueue(
                    tx,
                    chat_id=person.telegram_id,
                    person_id=person.id,
                    language=person.language,
                    text=t(person.language, "forget.done", organisation=self._settings.app.organisation),
                    purpose=REPLY,  # the answer to their own /forget, which they are waiting for
                    now=now,
                )
            actor = actor_id if actor_id != person_id else None
            await PERSONS.record(tx, now, event, person_id, actor=actor, handed_over=handed)
        # Committed: now the rows' old versions leave the WAL too, while the bot keeps running.
        await self._db.truncate_wal()
        self._wake()
        return handed

    async def _rehome_items(self, tx: Tx, person: Person, now: datetime) -> int:
        """Open items they raised go to their professional, with the words, before those are erased; then they
        leave as a removed person does: their links end (the professional hears, without a note), what they
        held goes to a colleague, and the coordinators get the volunteers left without a professional."""
        handed = 0
        for escalation_id in await privacy.raised_open_items(tx, person.id):
            if await self._escalations.engine.hand_over_in(tx, escalation_id, now, leaving=person):
                handed += 1
        await self._handover.leave_in(tx, person, now, note=NoteState.ERASED)
        return handed

    # --- retention ----------------------------------------------------------------------------------

    async def retention_tick(self, now: datetime) -> privacy.Erased | None:
        if self._next_retention is not None and now < self._next_retention:
            return None
        erased = await self.erase_expired(now)
        self._next_retention = next_daily_run(now, self._settings.privacy.retention_hour, self._settings.app.zone)
        return erased

    async def erase_expired(self, now: datetime) -> privacy.Erased:
        config = self._settings.privacy
        before = now - timedelta(days=config.retain_days)
        async with self._db.transaction() as tx:
            erased = await privacy.erase_old_text(
                tx, before=before, drafts_before=now - timedelta(days=config.draft_days)
            )
            removed = await privacy.removed_before(tx, before)
            for person_id in removed:
                await privacy.erase_person(tx, person_id, now)
            erased = dataclasses.replace(erased, people=len(removed))
            if any(erased.as_dict().values()):
                await audit.record(tx, now=now, event="privacy.retention", detail=erased.as_dict())
        if any(erased.as_dict().values()):
            await self._db.truncate_wal()
        log.info("retention: erased %s", erased.as_dict())
        return erased
