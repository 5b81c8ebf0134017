"""Telegram faults on the way out: RetryAfter honoured, server errors retried, timeouts resent marked, a
direct reply retried and a lost one owned up to."""

from __future__ import annotations

import time
from pathlib import Path

from tests.support.harness import (
    PIET,
    VERA,
    alerts,
    report_signal,
    running_bot,
    seed_organisation,
)


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


async def test_server_errors_are_retried_with_a_repeat_mark(tmp_path: Path, short_backoff: None) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        summary = await report_signal(h)
        h.api.fail_next("sendMessage", "500", count=2)
        await h.tap(VERA, summary, "Versturen")
        alert = await h.api.wait_for(PIET.id, "signaal van Vera", timeout=15)
        assert alert.text.startswith("🔁 Herhaling")  # it may have arrived before: say so
        assert len(alerts(h, PIET)) == 1


async def test_a_timed_out_send_is_resent_marked_as_a_possible_repeat(tmp_path: Path, short_backoff: None) -> None:
    async with running_bot(tmp_path, telegram={"request_timeout_seconds": 0.5}) as h:
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
