"""Telegram faults on the way out: RetryAfter honoured, server errors retried, timeouts resent marked."""

from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from bot.delivery import backoff, html_to_plain
from tests.harness import ANNA, FATIMA, PIET, VERA, running_bot, seed_organisation
from tests.test_e2e_escalations import alerts, report_signal, send_signal


def test_backoff_grows_and_is_capped() -> None:
    assert 0.8 <= backoff(1) <= 1.2
    assert 3.2 <= backoff(3) <= 4.8
    assert backoff(40) <= 300 * 1.2
    assert html_to_plain("<b>a &amp; b</b>") == "a & b"


async def test_retry_after_is_honoured_and_the_alert_still_arrives(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        summary = await report_signal(h)
        h.api.fail_next("sendMessage", "429", retry_after=1)  # the alert is the next message sent
        started = time.monotonic()
        await h.tap(VERA, summary, "Versturen")
        alert = await h.api.wait_for(PIET.id, "signaal van Vera", timeout=10)
        # The first send of something got 429: nothing was delivered before Telegram's wait was over.
        assert time.monotonic() - started >= 0.9
        assert not alert.text.startswith("🔁")  # a 429 means it did not arrive: no repeat mark
        assert h.api.faults_injected == 1


async def test_server_errors_are_retried_with_a_repeat_mark(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        summary = await report_signal(h)
        h.api.fail_next("sendMessage", "500", count=2)
        await h.tap(VERA, summary, "Versturen")
        alert = await h.api.wait_for(PIET.id, "signaal van Vera", timeout=15)
        assert alert.text.startswith("🔁 Herhaling")  # it may have arrived before: say so
        assert len(alerts(h, PIET)) == 1


async def test_a_timed_out_send_is_resent_marked_as_a_possible_repeat(tmp_path: Path) -> None:
    async with running_bot(tmp_path, telegram={"request_timeout_seconds": 1}) as h:
        await seed_organisation(h)
        h.api.timeout_hold = 3
        summary = await report_signal(h)
        h.api.fail_next("sendMessage", "timeout")
        await h.tap(VERA, summary, "Versturen")
        alert = await h.api.wait_for(PIET.id, "signaal van Vera", timeout=15)
        assert "Herhaling: dit bericht kwam misschien al eerder aan." in alert.text
        # Acknowledging edits the copy that arrived, and the edit keeps the mark.
        await h.tap(PIET, alert, "Ik pak het op")
        edited = next(m for m in h.api.messages(PIET.id) if m.message_id == alert.message_id)
        assert edited.text.startswith("🔁") and "Opgepakt door jou" in edited.text


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


async def test_a_direct_reply_is_retried_and_a_lost_one_is_owned_up_to(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        # One refused send of the question: retried, the volunteer never notices.
        h.api.fail_next("sendMessage", "500")
        [ask_client] = await h.send(VERA, "/signal")
        assert "Over wie gaat het?" in ask_client.text
        step = await h.tap(VERA, ask_client, "C-12")
        step = await h.tap(VERA, step, "Gezondheid")
        step = await h.tap(VERA, step, "Dringend")
        [summary] = await h.send(VERA, "Ze is gevallen.")
        # Telegram keeps refusing the "Verstuurd" edit: it comes as a new message instead.
        h.api.fail_next("editMessageText", "502", count=3)
        sent = await h.tap(VERA, summary, "Versturen")
        assert "Verstuurd naar Piet" in sent.text and sent.message_id != summary.message_id
        # And when even that fails, the volunteer hears that Telegram faltered, not that nothing changed:
        # the report is stored and alerted all the same.
        summary = await report_signal(h, text="Nog een keer gevallen.")
        h.api.fail_next("editMessageText", "502", count=3, chat_id=VERA.id)
        h.api.fail_next("sendMessage", "502", count=3, chat_id=VERA.id)
        await h.tap(VERA, summary, "Versturen")
        told = h.texts(VERA)[-1]
        assert "Telegram haperde" in told and "niets veranderd" not in told
        await h.api.wait_for(PIET.id, "Nog een keer gevallen")
        async with h.services.db.transaction() as tx:
            assert await tx.scalar("SELECT COUNT(*) FROM escalations") == 2
