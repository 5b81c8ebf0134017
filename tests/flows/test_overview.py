"""/overview end to end: who sees whom, who comes first, under-use, paging and the card; nobody reads her own
flags."""

from __future__ import annotations

from pathlib import Path

from bot.config import ReportSettings
from bot.domain.callbacks import pack
from bot.domain.models import Role
from bot.sandbox.state import FakeUser
from tests.support.harness import ANNA, KEES, PIET, VERA, running_bot, seed_organisation
from tests.support.history import agreed_hours, answered_weekly, wellbeing_alert
from tests.support.matrix import LOTTE, WIM, join

NOT_ALLOWED = "Dat kan ik niet voor je doen"


async def test_coordinators_see_everyone_professionals_their_own_and_volunteers_nothing(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        wim = await join(h, WIM, Role.VOLUNTEER)
        anna = await h.services.people.get(ids["Anna"])
        assert anna is not None
        await h.services.people.assign(anna, volunteer_id=wim, professional_id=ids["Kees"], backup_id=None)
        [everyone] = await h.send(ANNA, "/overview")
        assert "Vera" in everyone.text and "Wim" in everyone.text and "2 vrijwilligers" in everyone.text
        [piets] = await h.send(PIET, "/overview")
        assert "Vera" in piets.text and "Wim" not in piets.text
        assert [label for label, _ in piets.buttons()] == ["Vera"]
        [kees] = await h.send(KEES, "/overview")
        assert "Wim" in kees.text and "Vera" not in kees.text
        [refused] = await h.send(VERA, "/overview")
        assert NOT_ALLOWED in refused.text
        # Piet forging Wim's card gets a refusal, and his message stays as it was.
        update = await h.tap_data(PIET, piets, pack("ov", "v", wim))
        assert h.api.messages(PIET.id)[-1].text == piets.text
        assert "niet (meer) onder jou" in str((h.api.callback_answer_for(update) or {}).get("text"))


async def test_under_use_is_shown_not_alerted_and_flags_come_first(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        await agreed_hours(h, ids, 4)
        await answered_weekly(h, ids["Vera"], [1, 0.5, 1, 1.5, 0])  # under half of 4 for four weeks
        wim = await join(h, WIM, Role.VOLUNTEER)  # no professional, never answered
        lotte = await join(h, LOTTE, Role.VOLUNTEER)
        await wellbeing_alert(h, lotte, ["energy", "missed"])
        async with h.services.db.transaction() as tx:
            before = await tx.scalar("SELECT COUNT(*) FROM escalations")
        [page] = await h.send(ANNA, "/overview")
        lines = page.text.splitlines()[1:]
        assert lines[0].startswith("1. Lotte") and "vlaggen 2" in lines[0]
        assert lines[1].startswith("2. Wim") and "geen beroepskracht" in lines[1] and "nog geen check-in" in lines[1]
        assert lines[2].startswith("3. Vera") and "ondervraagd?" in lines[2]
        assert "3 van 16 uur in 4 weken" in lines[2]
        async with h.services.db.transaction() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM escalations") == before  # shown, never alerted
        assert wim


async def test_a_coordinator_who_volunteers_does_not_see_her_own_flags(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        lotte = await join(h, LOTTE, Role.COORDINATOR)
        assert await join(h, LOTTE, Role.VOLUNTEER) == lotte
        await wellbeing_alert(h, lotte, ["energy"])
        [anna_sees] = await h.send(ANNA, "/overview")
        assert "Lotte" in anna_sees.text and "vlaggen 1" in anna_sees.text
        [own] = await h.send(LOTTE, "/overview")
        assert "Lotte" not in own.text and "Vera" in own.text
        update = await h.tap_data(LOTTE, own, pack("ov", "v", lotte))  # her own card, forged
        assert h.api.messages(LOTTE.id)[-1].text == own.text
        assert "niet (meer) onder jou" in str((h.api.callback_answer_for(update) or {}).get("text"))


async def test_pages_and_the_card(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        h.services.settings.reports = ReportSettings(page_size=3)
        for n in range(4):
            await join(h, FakeUser(id=1200 + n, first_name=f"Zwaan {n}"), Role.VOLUNTEER)
        [first] = await h.send(ANNA, "/overview")
        assert "blad 1 van 2" in first.text and "Meer ›" in first.button_texts()
        second = await h.tap(ANNA, first, "Meer ›")
        assert "blad 2 van 2" in second.text and second.message_id == first.message_id
        assert "4." in second.text and "Vera" in second.text
        card = await h.tap(ANNA, second, "Vera")
        assert "Beroepskracht: Piet" in card.text and "Laatste check-in: nog geen check-in" in card.text
        back = await h.tap(ANNA, card, "« Overzicht")
        assert "blad 1 van 2" in back.text
        assert ids
