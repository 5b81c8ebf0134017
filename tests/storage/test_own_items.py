"""Nobody's overview holds an item about themselves (issue 10, item 6), down to the query and its count."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.escalation import Kind, Urgency
from bot.domain.models import Role
from storage import escalations, people
from storage.db import Database

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


async def test_no_overview_holds_an_item_about_its_viewer(db: Database) -> None:
    async with db.transaction() as tx:
        mo = await people.create(tx, name="Mo", telegram_id=201, language="nl", team_id=None, now=NOW)
        wim = await people.create(tx, name="Wim", telegram_id=202, language="nl", team_id=None, now=NOW)
        for role in (Role.VOLUNTEER, Role.PROFESSIONAL, Role.COORDINATOR):
            await people.add_role(tx, mo, role)
        kees = await people.create(tx, name="Kees", telegram_id=203, language="nl", team_id=None, now=NOW)
        await people.add_role(tx, wim, Role.VOLUNTEER)
        await people.add_role(tx, kees, Role.PROFESSIONAL)

        async def item(volunteer_id: int, kind: Kind, minutes: int) -> int:
            created = await escalations.create(
                tx,
                kind=kind,
                volunteer_id=volunteer_id,
                link_id=None,
                client_alias=None,
                category="energy",
                urgency=Urgency.CONCERN,
                body="weinig energie",
                now=NOW + timedelta(minutes=minutes),
            )
            assert created is not None
            return created

        about_mo = [await item(mo, Kind.WELLBEING, 0), await item(mo, Kind.SIGNAL, 1)]
        about_wim = [
            await item(wim, Kind.WELLBEING, 2),
            await item(wim, Kind.SIGNAL, 3),
            await item(wim, Kind.BACKUP, 4),
        ]
        # Told about, holding and asked to take over his own items too: no route does that, the query holds anyway.
        for escalation_id in [*about_mo, *about_wim]:
            await escalations.add_recipient(tx, escalation_id, mo, level=0, outbox_id=None, now=NOW)
        await escalations.acknowledge(tx, about_mo[0], mo, NOW)
        await escalations.start_handoff(tx, about_mo[1], from_id=kees, to_id=mo, deadline=NOW + timedelta(hours=4))

    async with db.transaction() as tx:
        for everything in (True, False):  # as a coordinator (every item) and as a professional (his)
            listed = await escalations.open_overview(tx, mo, everything=everything, limit=2)
            assert [e.id for e in listed] == about_wim[:2]
            assert await escalations.count_overview(tx, mo, everything=everything) == len(about_wim)
        # Seen by Wim, as if he were a coordinator: Mo's items only; as a professional told about none: none.
        assert await escalations.count_overview(tx, wim, everything=True) == len(about_mo)
        assert await escalations.count_overview(tx, wim, everything=False) == 0
