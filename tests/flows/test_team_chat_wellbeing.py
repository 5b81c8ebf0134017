"""The team group chat never hears of a wellbeing alert: the volunteer it is about may be in that group."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.domain.escalation import Kind, Urgency
from storage import escalations
from tests.support.harness import ANNA, running_bot, seed_organisation

TEAM_CHAT = -100555


async def test_a_wellbeing_alert_reaching_the_coordinators_is_not_posted_to_the_team_chat(tmp_path: Path) -> None:
    async with running_bot(tmp_path, escalation={"alert_chat_id": TEAM_CHAT}) as h:
        ids = await seed_organisation(h)
        h.api.send_group_text(ANNA, TEAM_CHAT, "hallo")  # the group exists; the bot answers it once
        await h.settle()
        before = len(h.api.messages(TEAM_CHAT))
        vera = await h.services.people.get(ids["Vera"])
        assert vera is not None
        raised = await h.services.escalations.raise_item(
            vera, kind=Kind.WELLBEING, link_id=None, category="energy", urgency=Urgency.CONCERN, body="Weinig energie."
        )
        assert raised is not None
        # A concern climbs in working time: Fatima after four working hours, the coordinators on Tuesday.
        await h.advance(timedelta(hours=4))
        await h.advance(timedelta(hours=20))
        async with h.services.db.transaction() as tx:
            told = {r.person_id: r.level for r in await escalations.recipients(tx, raised.escalation.id)}
        assert told == {ids["Piet"]: 0, ids["Fatima"]: 1, ids["Anna"]: 2}
        assert any("Check-in van Vera" in m.text for m in h.api.messages(ANNA.id))
        assert h.api.messages(TEAM_CHAT)[before:] == []
