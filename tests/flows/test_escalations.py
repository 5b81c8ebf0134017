"""Signals and backup requests through the fake Bot API with a controllable clock."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest

from bot.domain.escalation import Kind, State, Urgency
from bot.services.errors import Refused
from storage import audit, escalations
from tests.support.harness import (
    ANNA,
    FATIMA,
    KEES,
    PIET,
    VERA,
    alerts,
    only_escalation,
    report_signal,
    running_bot,
    seed_organisation,
    send_signal,
)


async def test_signal_reaches_the_professional_who_picks_it_up(tmp_path: Path, storage_url: str | None) -> None:
    async with running_bot(tmp_path, storage_url=storage_url) as h:
        await seed_organisation(h)
        summary = await report_signal(h)
        assert "🔴 Dringend · Gezondheid · C-12" in summary.text
        assert "Piet (je beroepskracht) krijgt dit meteen." in summary.text
        assert "Reageert Piet niet binnen 10 minuten, dan gaat het naar Fatima." in summary.text
        assert summary.button_texts() == ["Versturen", "Aanpassen", "Annuleren"]
        sent = await h.tap(VERA, summary, "Versturen")
        assert "Verstuurd naar Piet" in sent.text and "Dank je dat je dit meldt" in sent.text

        [alert] = alerts(h, PIET)
        assert alert.text.startswith("🔴 Dringend: signaal van Vera · C-12 · Gezondheid · vandaag 10:00")
        assert "“Ze is gevallen en durft niet meer naar buiten, koelkast is leeg.”" in alert.text
        assert alert.button_texts() == ["Ik pak het op", "Overdragen", "Afronden"]
        assert alerts(h, FATIMA) == [] and alerts(h, ANNA) == []

        h.clock.advance(timedelta(minutes=4))
        await h.tap(PIET, alert, "Ik pak het op")
        edited = next(m for m in h.api.messages(PIET.id) if m.message_id == alert.message_id)
        assert "🟢 Opgepakt door jou om 10:04. Vera is op de hoogte." in edited.text
        assert edited.button_texts() == ["Afronden", "Overdragen"]
        picked_up = "🟢 Piet heeft je signaal over C-12 opgepakt (10:04). Je hoort het als Piet het afrondt."
        assert picked_up in h.texts(VERA)

        # Acknowledged: the climb has stopped.
        await h.advance(timedelta(minutes=30))
        assert alerts(h, FATIMA) == []
        # A double tap is harmless.
        update_id = h.api.press(PIET, edited, "Afronden")
        await h.settle()
        assert h.api.callback_answer_for(update_id) is not None
        assert any("Wat wil je Vera laten weten?" in m.text for m in h.api.messages(PIET.id))
        [done] = await h.send(PIET, "Ik bel haar vanmiddag en regel boodschappen. Fijn dat je het zag!")
        assert "Afgerond" in done.text
        assert h.texts(VERA)[-1] == (
            "Piet reageerde op je signaal over C-12: "
            "“Ik bel haar vanmiddag en regel boodschappen. Fijn dat je het zag!”\n"
            "Dit is nu afgerond. Is er nog iets? Meld het met /signal of vraag hulp met /backup."
        )
        escalation_id = await only_escalation(h)
        async with h.services.db.transaction() as tx:
            item = await escalations.get(tx, escalation_id)
            events = [e.event for e in await audit.for_subject(tx, "escalation", escalation_id)]
        assert item is not None and item.state is State.RESOLVED
        assert item.acknowledged_at is not None and item.acknowledged_at - item.created_at == timedelta(minutes=4)
        assert events == [
            "escalation.created",
            "escalation.notified",
            "escalation.acknowledged",
            "escalation.resolved",
        ]

        [mine] = await h.send(VERA, "/mine")
        assert "afgerond door Piet: “Ik bel haar vanmiddag" in mine.text


async def test_unanswered_signal_climbs_to_backup_then_coordinators(tmp_path: Path, storage_url: str | None) -> None:
    async with running_bot(tmp_path, storage_url=storage_url) as h:
        await seed_organisation(h)
        await send_signal(h)
        await h.advance(timedelta(minutes=9))
        assert alerts(h, FATIMA) == []
        await h.advance(timedelta(minutes=1))
        [fatima_alert] = alerts(h, FATIMA)
        assert alerts(h, ANNA) == []
        await h.advance(timedelta(minutes=10))
        [anna_alert] = alerts(h, ANNA)
        assert "Ik pak het op" in anna_alert.button_texts()
        # Nobody new to tell: everyone told is reminded after the next wait, marked as a reminder.
        await h.advance(timedelta(minutes=10))
        assert any("Herinnering" in m.text for m in alerts(h, PIET))
        # Fatima picks it up from her reminder (the newest copy carries the buttons): every other copy says
        # who took it, and the reminders stop.
        assert fatima_alert.message_id != alerts(h, FATIMA)[-1].message_id
        await h.tap(FATIMA, alerts(h, FATIMA)[-1], "Ik pak het op")
        piet_first = alerts(h, PIET)[0]
        assert "🟢 Opgepakt door Fatima om 10:30." in piet_first.text and piet_first.button_texts() == []
        assert (
            "🟢 Opgepakt door Fatima"
            in next(m for m in h.api.messages(ANNA.id) if m.message_id == anna_alert.message_id).text
        )
        count = len(h.api.messages(PIET.id))
        await h.advance(timedelta(hours=1))
        assert len(h.api.messages(PIET.id)) == count
        assert "🟢 Fatima heeft je signaal over C-12 opgepakt (10:30). Je hoort het als Fatima het afrondt." in h.texts(
            VERA
        )


async def test_emergency_tells_everyone_at_once_after_the_112_advice(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        [ask_client] = await h.send(VERA, "/signal")
        ask_category = await h.tap(VERA, ask_client, "C-12")
        ask_urgency = await h.tap(VERA, ask_category, "Veiligheid en geweld")
        advice = await h.tap(VERA, ask_urgency, "Nood")
        assert "Bel eerst 112" in advice.text
        [summary] = await h.send(VERA, "Haar ex staat voor de deur en schreeuwt.")
        assert "Iedereen krijgt dit tegelijk" in summary.text
        await h.tap(VERA, summary, "Versturen")
        for user in (PIET, FATIMA, ANNA):
            [alert] = alerts(h, user)
            assert alert.text.startswith("🚨 Nood: signaal van Vera") and "112" in alert.text
        assert alerts(h, KEES) == []
        await h.advance(timedelta(minutes=5))
        for user in (PIET, FATIMA, ANNA):
            assert len(alerts(h, user)) == 2 and "Herinnering" in alerts(h, user)[-1].text
        await h.tap(ANNA, alerts(h, ANNA)[-1], "Ik pak het op")  # the reminder: the newest copy has the buttons
        await h.advance(timedelta(minutes=15))
        assert len(alerts(h, PIET)) == 2


async def test_blocked_professional_is_skipped_at_once_and_coordinators_told(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        h.api.block(PIET.id)
        await send_signal(h)
        await h.settle()
        assert alerts(h, PIET) == []
        # No waiting out ten minutes for someone who cannot be reached.
        [fatima_alert] = alerts(h, FATIMA)
        assert any("Piet (beroepskracht) is niet bereikbaar via Telegram" in t for t in h.texts(ANNA))
        first_id = await only_escalation(h)
        async with h.services.db.transaction() as tx:
            events = [e.event for e in await audit.for_subject(tx, "escalation", first_id)]
        assert "escalation.recipient_unreachable" in events
        # A new signal skips Piet straight away, with the reason recorded.
        await send_signal(h, category="Wonen", urgency="Dringend", text="Tweede melding")
        assert len(alerts(h, FATIMA)) == 2
        second_id = await only_escalation(h)
        async with h.services.db.transaction() as tx:
            entries = await audit.for_subject(tx, "escalation", second_id)
        assert any(
            e.event == "escalation.skipped" and e.detail == {"level": 0, "reason": "unreachable"} for e in entries
        )
        # Piet writes to the bot again: reachable again.
        h.api.unblock(PIET.id)
        await h.send(PIET, "/help")
        piet = await h.services.people.identify(PIET.id)
        assert piet is not None and not piet.unreachable
        del fatima_alert


async def test_away_professional_is_skipped_and_back_again(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        [away] = await h.send(PIET, "/away 4-12")
        assert "Je bent afwezig tot 4 dec 17:00." in away.text
        summary = await report_signal(h)
        assert "Fatima (vervangt Piet) krijgt dit meteen." in summary.text
        await h.tap(VERA, summary, "Versturen")
        assert alerts(h, PIET) == [] and len(alerts(h, FATIMA)) == 1
        [bad] = await h.send(PIET, "/away morgen-ish")
        assert "Dat begrijp ik niet. Typ bijvoorbeeld /away tot vrijdag" in bad.text
        [back] = await h.send(PIET, "/back")
        assert "Welkom terug" in back.text
        await send_signal(h, text="Na terugkomst")
        assert len(alerts(h, PIET)) == 1


async def test_hand_off_accepted_and_hand_off_timed_out(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        await send_signal(h)
        [alert] = alerts(h, PIET)
        pick = await h.tap(PIET, alert, "Overdragen")
        assert "Aan wie wil je dit overdragen?" in pick.text and "Kees" in pick.button_texts()
        done = await h.tap(PIET, pick, "Kees")
        assert "Overgedragen aan Kees" in done.text
        [kees_alert] = alerts(h, KEES)
        assert "Piet vraagt jou dit over te nemen" in kees_alert.text
        assert kees_alert.button_texts() == ["Ik neem het over", "Afronden"]
        await h.tap(KEES, kees_alert, "Ik neem het over")
        assert "🟢 Kees heeft je signaal over C-12 opgepakt" in h.texts(VERA)[-1]
        assert "🟢 Opgepakt door Kees" in alerts(h, PIET)[0].text

        # A second signal: handed to Kees, who does not react in time: it climbs on.
        await send_signal(h, text="Nog een melding")
        second = alerts(h, PIET)[-1]
        pick = await h.tap(PIET, second, "Overdragen")
        await h.tap(PIET, pick, "Kees")
        await h.advance(timedelta(minutes=10))
        assert "nam het niet op tijd over" in alerts(h, PIET)[-1].text
        assert len(alerts(h, FATIMA)) == 1


async def test_forged_and_foreign_buttons_change_nothing(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        await send_signal(h)
        escalation_id = await only_escalation(h)
        [alert] = alerts(h, PIET)
        # The volunteer crafts an acknowledge button; Kees (not involved) presses one.
        for user, data in (
            (VERA, f"esc:a:{escalation_id}"),
            (KEES, f"esc:a:{escalation_id}"),
            (KEES, f"esc:r:{escalation_id}"),
            (KEES, f"esc:t:{escalation_id}:{4}"),
            (PIET, "esc:a:999999"),
            (PIET, "esc:a:-1"),
            (PIET, "esc:a:1:2:3"),
            (PIET, "esc:zz:1"),
        ):
            update_id = await h.tap_data(user, alert if user is PIET else None, data)
            answer = h.api.callback_answer_for(update_id)
            assert answer is not None, data
        async with h.services.db.transaction() as tx:
            item = await escalations.get(tx, escalation_id)
        assert item is not None and item.state is State.OPEN and item.owner_id is None
        assert not any("opgepakt" in t for t in h.texts(VERA))


async def test_markup_characters_arrive_intact(tmp_path: Path) -> None:
    nasty = "<b>niet vet</b> & *ster* _lijn_ [link](x) 🙂 \\ 5 > 3 < 4 &amp;"
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        await send_signal(h, text=nasty)
        [alert] = alerts(h, PIET)
        assert f"“{nasty}”" in alert.text
        long_text = ("Lang verhaal <&> " * 200)[:2000]
        await send_signal(h, text=long_text)
        assert f"“{long_text}”" in alerts(h, PIET)[-1].text
        [too_long] = await h.send(VERA, "/signal")
        step = await h.tap(VERA, too_long, "C-12")
        step = await h.tap(VERA, step, "Wonen")
        await h.tap(VERA, step, "Dringend")
        [refused] = await h.send(VERA, "x" * 2001)
        assert "maximaal 2000 tekens" in refused.text


async def test_text_typed_where_the_signal_asks_for_a_button_points_to_the_buttons_and_keeps_the_signal(
    tmp_path: Path,
) -> None:
    """On a bus with one thumb: Vera types her story where the bot asked which client. She is told to tap a
    button (or /cancel), not sent to /help, and the signal she started is still there: C-12 goes on."""
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        [ask_client] = await h.send(VERA, "/signal")
        [hint] = await h.send(VERA, "Ze is gevallen en durft niet meer naar buiten.")
        assert hint.text == "Tik een van de knoppen bij de vraag hierboven. Stoppen kan met /cancel."
        ask_category = await h.tap(VERA, ask_client, "C-12")
        assert "Veiligheid en geweld" in [label for label, _ in ask_category.buttons()]


async def test_concern_in_the_evening_waits_for_working_hours(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        h.clock.advance(timedelta(hours=10))  # 20:00 local
        summary = await report_signal(h, urgency="Zorgelijk")
        assert "Piet (je beroepskracht) krijgt dit morgen 08:30, binnen werktijd." in summary.text
        sent = await h.tap(VERA, summary, "Versturen")
        assert "morgen 08:30" in sent.text
        assert alerts(h, PIET) == []
        await h.advance(timedelta(hours=12, minutes=29))
        assert alerts(h, PIET) == []
        await h.advance(timedelta(minutes=1))
        assert len(alerts(h, PIET)) == 1


async def test_backup_request_and_open_overview(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        [ask_kind] = await h.send(VERA, "/backup")
        assert ask_kind.button_texts()[:4] == [
            "Advies: bel of app me",
            "Samen op bezoek",
            "Neem deze casus terug",
            "Ik heb nu hulp nodig",
        ]
        ask_client = await h.tap(VERA, ask_kind, "Ik heb nu hulp nodig")
        ask_text = await h.tap(VERA, ask_client, "C-12")
        assert "Bel 112" in ask_text.text
        [summary] = await h.send(VERA, "Hij wordt boos en ik weet niet wat ik moet doen.")
        assert "🔴 Dringend · Ik heb nu hulp nodig · C-12" in summary.text
        sent = await h.tap(VERA, summary, "Versturen")
        assert "Je vraag is verstuurd naar Piet" in sent.text
        [alert] = alerts(h, PIET)
        assert alert.text.startswith("🔴 Dringend: vraag om backup van Vera")
        opened = await h.send(PIET, "/open")
        assert "Open meldingen: 1" in opened[0].text and "wacht op iemand" in opened[1].text
        await h.tap(PIET, opened[1], "Ik pak het op")
        [kees_open] = await h.send(KEES, "/open")
        assert "Er staat niets open" in kees_open.text
        anna_open = await h.send(ANNA, "/open")
        assert "in behandeling bij Piet, al 0 min" in anna_open[1].text


async def test_overdue_steps_fire_on_the_first_tick_after_a_restart(tmp_path: Path, storage_url: str | None) -> None:
    from tests.support.clock import FakeClock
    from tests.support.faulty_bot_api import FaultyBotApi
    from tests.support.harness import START

    api = FaultyBotApi()
    clock = FakeClock(START)
    async with api:
        async with running_bot(tmp_path, storage_url=storage_url, api=api, clock=clock) as h:
            await seed_organisation(h)
            await send_signal(h)
            assert len(alerts(h, PIET)) == 1
        # Down for half an hour: Fatima's and the coordinators' turns passed while nobody ran.
        clock.advance(timedelta(minutes=30))
        async with running_bot(tmp_path, storage_url=storage_url, api=api, clock=clock) as h:
            # No advance(): the JobQueue's first tick at start-up does it.
            for _ in range(100):
                if alerts(h, FATIMA):
                    break
                await asyncio.sleep(0.05)
            await h.settle()
            assert len(alerts(h, FATIMA)) == 1
            # One level at a time: Fatima gets her full wait before the coordinators are told.
            await h.services.scheduler.tick()
            await h.settle()
            assert alerts(h, ANNA) == []
            await h.advance(timedelta(minutes=10))
            assert len(alerts(h, ANNA)) == 1


async def test_personal_data_in_the_text_is_flagged_before_anything_is_stored(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        [ask_client] = await h.send(VERA, "/signal")
        step = await h.tap(VERA, ask_client, "C-12")
        step = await h.tap(VERA, step, "Geld en schulden")
        await h.tap(VERA, step, "Zorgelijk")
        secret = "Haar BSN is 111222333 en ze woont Kerkstraat 12, bel 06-12345678."
        [warning] = await h.send(VERA, secret)
        assert "op persoonsgegevens lijkt" in warning.text and "BSN (…333)" in warning.text
        assert "telefoonnummer" in warning.text and "adres" in warning.text
        assert "111222333" not in warning.text and "Er is nog niets opgeslagen" in warning.text
        async with h.services.db.transaction() as tx:
            stored = await tx.scalar("SELECT COUNT(*) FROM drafts WHERE data LIKE '%111222333%'")
        assert stored == 0  # not even in the draft
        ask_again = await h.tap(VERA, warning, "Aanpassen")
        assert "eigen woorden" in ask_again.text
        [summary] = await h.send(VERA, "Ze heeft een brief van de deurwaarder gekregen.")
        assert "Klopt dit?" in summary.text
        # Sending anyway is the volunteer's choice.
        [ask_client] = await h.send(VERA, "/signal")
        step = await h.tap(VERA, ask_client, "C-12")
        step = await h.tap(VERA, step, "Geld en schulden")
        await h.tap(VERA, step, "Zorgelijk")
        [warning] = await h.send(VERA, "Mail haar op jannie@example.nl")
        summary = await h.tap(VERA, warning, "Toch versturen")
        assert "jannie@example.nl" in summary.text and "Klopt dit?" in summary.text


async def test_a_confirmed_report_consumes_its_draft_in_the_same_transaction(tmp_path: Path) -> None:
    """If the bot dies after storing a report but before saying "Verstuurd", pressing "Versturen"
    again must not raise it twice: the draft went with the report's own transaction."""
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        summary = await report_signal(h)
        vera = await h.services.people.identify(VERA.id)
        assert vera is not None
        raised = await h.services.escalations.raise_item(
            vera,
            kind=Kind.SIGNAL,
            link_id=None,
            category="health",
            urgency=Urgency.URGENT,
            body="stored, then the bot died",
            consume_draft=True,
        )
        assert raised is not None
        after = await h.tap(VERA, summary, "Versturen")  # the old summary, pressed again after the restart
        assert "Verstuurd" not in after.text
        async with h.services.db.transaction() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM escalations") == 1
        with pytest.raises(Refused):
            await h.services.escalations.raise_item(
                vera,
                kind=Kind.SIGNAL,
                link_id=None,
                category="health",
                urgency=Urgency.URGENT,
                body="x",
                consume_draft=True,
            )


async def test_team_chat_hears_when_the_coordinators_are_reached(tmp_path: Path) -> None:
    team_chat = -100555
    async with running_bot(tmp_path, escalation={"alert_chat_id": team_chat}) as h:
        await seed_organisation(h)
        h.api.send_group_text(ANNA, team_chat, "hallo")  # the group exists; the bot answers it once
        await h.settle()
        before = len(h.api.messages(team_chat))
        await send_signal(h)
        await h.advance(timedelta(minutes=10))
        assert h.api.messages(team_chat)[before:] == []  # not yet: only when the coordinators are reached
        await h.advance(timedelta(minutes=10))
        assert alerts(h, FATIMA) and alerts(h, ANNA)
        team = h.api.messages(team_chat)[before:]
        assert len(team) == 1 and "Nog niemand heeft dit opgepakt" in team[0].text
        assert team[0].buttons() == []  # no buttons in a group: acting happens in private


async def test_workhours_are_set_by_the_professional(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        [shown] = await h.send(PIET, "/workhours")
        assert "Je werktijden: maandag, dinsdag, woensdag, donderdag, vrijdag, 08:30-17:00." in shown.text
        [bad] = await h.send(PIET, "/workhours altijd")
        assert "begrijp ik niet" in bad.text
        [saved] = await h.send(PIET, "/workhours ma,di 12-16")
        assert "Je werktijden: maandag, dinsdag, 12:00-16:00." in saved.text
        # A concern on Monday 10:00 local now waits until 12:00 for Piet.
        summary = await report_signal(h, urgency="Zorgelijk")
        assert "Piet (je beroepskracht) krijgt dit vandaag 12:00, binnen werktijd." in summary.text
