"""Issue 12, the item's life after it arrives, end to end with the fake clock: follow-up of picked-up items and
reopening, the volunteer kept informed (climbs, nobody yet, hand-offs, 112 and the emergency lines), buttons of
superseded copies, and items held for working hours in /open and /mine."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.domain.callbacks import pack
from bot.sandbox.state import FakeUser, SentMessage
from storage import audit, escalations
from tests.support.harness import (
    ANNA,
    FATIMA,
    KEES,
    PIET,
    VERA,
    Harness,
    alerts,
    ask_help_now,
    only_escalation,
    report_signal,
    running_bot,
    seed_organisation,
    send_emergency,
    send_signal,
)

CONTACTS: dict[str, Any] = {"emergency_contacts": [{"name": "Coördinator Anna", "phone": "030-123 45 67"}]}


def copies(h: Harness, user: FakeUser) -> list[SentMessage]:
    """Every message about Vera's items in this chat: alerts, reminders, hand-over requests, follow-ups."""
    return [m for m in h.api.messages(user.id) if "van Vera" in m.text or "Vera's" in m.text]


def newest(h: Harness, user: FakeUser) -> SentMessage:
    return copies(h, user)[-1]


async def events(h: Harness, escalation_id: int) -> list[str]:
    async with h.services.db.transaction() as tx:
        return [e.event for e in await audit.for_subject(tx, "escalation", escalation_id)]


async def press(h: Harness, user: FakeUser, message: SentMessage | None, data: str) -> str:
    """Press this data (as from an old message); the toast it got."""
    answer = h.api.callback_answer_for(await h.tap_data(user, message, data))
    assert answer is not None
    return str(answer.get("text") or "")


async def test_a_picked_up_item_is_followed_up_then_reopens_and_climbs(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        await send_signal(h)
        item = await only_escalation(h)
        h.clock.advance(timedelta(minutes=7))  # 10:07
        await h.tap(PIET, alerts(h, PIET)[0], "Ik pak het op")
        assert "Ik vraag je morgen 10:07 hoe het staat." in alerts(h, PIET)[0].text
        [mine] = await h.send(VERA, "/mine")
        assert (
            "🔴 Dringend · vandaag 10:00 · signaal · C-12 · Gezondheid\n   in behandeling bij Piet sinds vandaag 10:07"
            in (mine.text)
        )

        # 24 hours later (urgent): Piet is asked how it stands; his alert keeps no buttons.
        await h.advance(timedelta(hours=23, minutes=59))
        assert len(copies(h, PIET)) == 1
        await h.advance(timedelta(minutes=1))
        question = newest(h, PIET)
        assert question.text.startswith(
            "🕒 Je pakte gisteren 10:07 Vera's signaal over C-12 op. Hoe staat het?\n"
            "🔴 Dringend: signaal van Vera · C-12 · Gezondheid · gisteren 10:00\n"
        )
        assert question.text.endswith(
            "Hoor ik voor morgen 10:07 niets van je, dan zet ik het weer open en gaat het naar de volgende."
        )
        assert question.button_texts() == ["Afronden", "Overdragen", "Ik ben er nog mee bezig"]
        assert alerts(h, PIET)[0].button_texts() == []
        [open_item] = (await h.send(PIET, "/open"))[1:]
        assert open_item.text.endswith("in behandeling bij Piet, al 24 uur · gemeld 24 uur geleden")

        # Still on it: asked again a day later; the old button then says it was answered.
        still = h.api.press(PIET, question, "Ik ben er nog mee bezig")
        await h.settle()
        assert h.api.callback_answer_for(still)["text"] == "Goed. Ik vraag het je weer morgen 10:07."  # type: ignore[index]
        question = next(m for m in h.api.messages(PIET.id) if m.message_id == question.message_id)
        assert question.button_texts() == ["Afronden", "Overdragen"]
        assert "Ik vraag je morgen 10:07 hoe het staat." in question.text
        again = await press(h, PIET, question, pack("esc", "w", item))
        assert again == "Je liet al weten dat je ermee bezig bent. Ik vraag het je weer morgen 10:07."

        # Asked again, and no answer by the next follow-up time: open again, on to Fatima, Anna hears.
        await h.advance(timedelta(hours=24))
        second = newest(h, PIET)
        assert second.message_id != question.message_id and "Hoe staat het?" in second.text
        vera_before = len(h.texts(VERA))
        await h.advance(timedelta(hours=24))
        [fatima_alert] = alerts(h, FATIMA)
        assert fatima_alert.button_texts() == ["Ik pak het op", "Overdragen", "Afronden"]
        assert h.texts(VERA)[vera_before:] == [
            "Je signaal over C-12 is door Piet nog niet afgerond. Het gaat nu naar Fatima."
            " Reageert Fatima niet binnen 10 minuten, dan gaat het naar de coördinatoren."
        ]
        assert h.texts(ANNA)[-1] == (
            "🕒 Piet liet niet weten hoe het staat met Vera's signaal over C-12 (opgepakt 23 nov 10:07)."
            " Het staat weer open: het gaat nu naar Fatima. Bekijk het met /open."
        )
        reopened = next(m for m in h.api.messages(PIET.id) if m.message_id == second.message_id)
        assert reopened.text.endswith("🕒 Piet liet niet weten hoe het staat; het staat weer open.")
        stale = await press(h, PIET, None, pack("esc", "w", item))
        assert stale.startswith("Dit staat weer open: je liet niet op tijd weten hoe het stond.")
        assert (await events(h, item))[-5:] == [
            "escalation.follow_up_asked",
            "escalation.still_working",
            "escalation.follow_up_asked",
            "escalation.follow_up_unanswered",
            "escalation.notified",
        ]
        # Fatima picks it up: her follow-up time starts afresh, and the first pick-up time stays for the reports.
        await h.tap(FATIMA, fatima_alert, "Ik pak het op")
        async with h.services.db.transaction() as tx:
            stored = await escalations.get(tx, item)
        assert stored is not None and stored.owner_id is not None and stored.follow_ups == 0
        assert stored.acknowledged_at == stored.created_at + timedelta(minutes=7)
        assert stored.held_since == h.clock.now() and stored.follow_up_at == h.clock.now() + timedelta(hours=24)


async def test_concern_follow_up_counts_the_holders_working_days(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        h.clock.advance(timedelta(days=4))  # Friday 27 Nov, 10:00
        await send_signal(h, urgency="Zorgelijk")
        await h.tap(PIET, alerts(h, PIET)[0], "Ik pak het op")
        # Three working days of 8.5 hours from Friday 10:00 skip the weekend: Wednesday 10:00, not Monday (72 h).
        await h.advance(timedelta(days=3))
        await h.advance(timedelta(days=1, hours=23, minutes=59))
        assert len(copies(h, PIET)) == 1
        await h.advance(timedelta(minutes=1))
        assert newest(h, PIET).text.startswith("🕒 Je pakte 27 nov 10:00 Vera's signaal over C-12 op. Hoe staat het?")
        assert newest(h, PIET).text.endswith(
            "Hoor ik voor maandag 10:00 niets van je, dan zet ik het weer open en gaat het naar de volgende."
        )


async def test_the_volunteer_hears_every_climb_and_what_comes_next(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        sent = await send_signal(h)
        assert sent.text == (
            "Verstuurd naar Piet. Je hoort het zodra iemand het oppakt."
            " Reageert Piet niet binnen 10 minuten, dan gaat het naar Fatima. Dank je dat je dit meldt."
        )
        before = len(h.texts(VERA))
        await h.advance(timedelta(minutes=10))
        await h.advance(timedelta(minutes=10))
        await h.advance(timedelta(minutes=10))
        await h.advance(timedelta(minutes=10))
        assert h.texts(VERA)[before:] == [
            "Nog geen reactie van Piet. Je signaal over C-12 gaat nu naar Fatima."
            " Reageert Fatima niet binnen 10 minuten, dan gaat het naar de coördinatoren.",
            "Nog geen reactie van Fatima. Je signaal over C-12 gaat nu naar Anna."
            " Ik blijf het vragen tot iemand het oppakt; je hoort het dan meteen.",
            "Nog niemand heeft je signaal over C-12 opgepakt. Iedereen die het kan oppakken heeft het;"
            " ik blijf het vragen en je hoort het zodra iemand het oppakt.",
        ]  # an ordinary urgent signal: no 112 advice; the "nobody yet" notice comes once
        await h.tap(ANNA, newest(h, ANNA), "Ik pak het op")
        assert (
            h.texts(VERA)[-1]
            == "🟢 Anna heeft je signaal over C-12 opgepakt (10:40). Je hoort het als Anna het afrondt."
        )


async def test_help_now_unpicked_after_the_first_level_gets_112_and_the_emergency_line(tmp_path: Path) -> None:
    async with running_bot(tmp_path, **CONTACTS) as h:
        await seed_organisation(h)
        sent = await ask_help_now(h)
        assert sent.text == (
            "Je vraag is verstuurd naar Piet. Je hoort het zodra iemand het oppakt."
            " Reageert Piet niet binnen 10 minuten, dan gaat het naar Fatima."
        )
        await h.advance(timedelta(minutes=10))
        assert h.texts(VERA)[-1] == (
            "Nog geen reactie van Piet. Je vraag om backup over C-12 gaat nu naar Fatima."
            " Reageert Fatima niet binnen 10 minuten, dan gaat het naar de coördinatoren."
            " Is er gevaar? Bel 112. Coördinator Anna: 030-123 45 67."
        )
        await h.advance(timedelta(minutes=10))
        await h.advance(timedelta(minutes=10))
        assert h.texts(VERA)[-1] == (
            "Nog niemand heeft je vraag om backup over C-12 opgepakt. Iedereen die het kan oppakken heeft het;"
            " ik blijf het vragen en je hoort het zodra iemand het oppakt. Is er gevaar? Bel 112."
            " Coördinator Anna: 030-123 45 67."
        )


async def test_an_emergency_unpicked_after_the_first_round_gets_the_advice_without_lines_configured(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        sent = await send_emergency(h)
        assert sent.text == (
            "Verstuurd naar Piet, Fatima en Anna. Je hoort het zodra iemand het oppakt."
            " Ik herinner iedereen elke 5 minuten tot iemand het oppakt. Dank je dat je dit meldt."
        )
        await h.advance(timedelta(minutes=5))
        assert h.texts(VERA)[-1] == (
            "Nog niemand heeft je signaal over C-12 opgepakt. Iedereen die het kan oppakken heeft het;"
            " ik blijf het vragen en je hoort het zodra iemand het oppakt. Is er gevaar? Bel 112."
        )


async def test_a_hand_off_is_told_and_so_is_its_expiry(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        await send_signal(h)
        pick = await h.tap(PIET, alerts(h, PIET)[0], "Overdragen")
        await h.tap(PIET, pick, "Kees")
        assert (
            h.texts(VERA)[-1] == "↪️ Piet geeft je signaal over C-12 door aan Kees. Je hoort het zodra Kees het oppakt."
        )
        await h.advance(timedelta(minutes=10))
        assert h.texts(VERA)[-1] == (
            "Nog geen reactie van Kees. Je signaal over C-12 gaat nu naar Fatima."
            " Reageert Fatima niet binnen 10 minuten, dan gaat het naar de coördinatoren."
        )


async def test_superseded_copies_lose_their_buttons_and_say_what_became_of_the_item(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        await send_signal(h)
        item = await only_escalation(h)
        for _ in range(3):  # Fatima and Anna told, then everyone reminded
            await h.advance(timedelta(minutes=10))
        for user in (PIET, FATIMA, ANNA):
            *older, latest = copies(h, user)
            assert older and all(m.button_texts() == [] for m in older), user
            assert latest.button_texts() == ["Ik pak het op", "Overdragen", "Afronden"]
        # Piet asks Kees to take it over; Fatima picks it up meanwhile from her reminder.
        pick = await h.tap(PIET, newest(h, PIET), "Overdragen")
        await h.tap(PIET, pick, "Kees")
        [request] = copies(h, KEES)
        assert request.button_texts() == ["Ik neem het over", "Afronden"]
        h.clock.advance(timedelta(minutes=1))  # 10:31
        await h.tap(FATIMA, newest(h, FATIMA), "Ik pak het op")
        for user in (PIET, ANNA, KEES):
            for copy in copies(h, user):
                assert copy.button_texts() == [] and "🟢 Opgepakt door Fatima om 10:31." in copy.text, user
        assert await press(h, KEES, request, pack("esc", "a", item)) == "Fatima heeft dit al opgepakt (10:31)."
        assert (
            await press(h, PIET, copies(h, PIET)[0], pack("esc", "a", item)) == "Fatima heeft dit al opgepakt (10:31)."
        )
        # Resolved: Fatima's copies too lose their buttons; old buttons say who closed it.
        await h.tap(FATIMA, newest(h, FATIMA), "Afronden")
        await h.send(FATIMA, "Ik ga vanmiddag langs.")
        assert all(m.button_texts() == [] for m in copies(h, FATIMA))
        assert (
            await press(h, ANNA, copies(h, ANNA)[0], pack("esc", "a", item)) == "Dit is afgerond door Fatima (10:31)."
        )
        answer = await press(h, KEES, request, pack("esc", "r", item))
        assert answer == "Dit is afgerond door Fatima (10:31)."
        assert await press(h, FATIMA, None, pack("esc", "h", item)) == "Je hebt dit al afgerond (10:31)."
        del ids


async def test_held_items_show_when_they_arrive(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        h.clock.advance(timedelta(hours=10))  # Monday 20:00
        summary = await report_signal(h, urgency="Zorgelijk")
        sent = await h.tap(VERA, summary, "Versturen")
        assert sent.text.startswith("Opgeslagen. Het komt morgen 08:30 bij Piet, binnen werktijd.")
        [mine] = await h.send(VERA, "/mine")
        assert mine.text.endswith("   komt morgen 08:30 bij Piet binnen (werktijd)")
        header, held = await h.send(PIET, "/open")
        assert header.text == "Open meldingen: 1"
        assert held.text.endswith("wacht op werktijd: komt morgen 08:30 bij Piet binnen · gemeld 0 min geleden")
        assert held.button_texts() == []  # it reaches him at 08:30; he acts on it then
        [fatima_open] = await h.send(FATIMA, "/open")
        [kees_open] = await h.send(KEES, "/open")
        assert fatima_open.text == kees_open.text == "Er staat niets open. 🟢"
        anna_open = await h.send(ANNA, "/open")
        assert anna_open[1].text.endswith("wacht op werktijd: komt morgen 08:30 bij Piet binnen · gemeld 0 min geleden")
        # Piet away tomorrow: it will reach Fatima, and her /open says so.
        await h.send(PIET, "/away 24-11")
        header, held = await h.send(FATIMA, "/open")
        assert held.text.endswith("wacht op werktijd: komt morgen 08:30 bij Fatima binnen · gemeld 0 min geleden")
        [piet_open] = await h.send(PIET, "/open")
        assert piet_open.text == "Er staat niets open. 🟢"
        before = len(h.api.messages(FATIMA.id))
        await h.advance(timedelta(hours=12, minutes=30))
        [alert] = h.api.messages(FATIMA.id)[before:]
        assert alert.button_texts() == ["Ik pak het op", "Overdragen", "Afronden"]
        [mine] = await h.send(VERA, "/mine")
        assert mine.text.endswith("   nog niet opgepakt")
