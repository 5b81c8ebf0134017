"""Issue 12 item 10, wording end to end: what the volunteer reads when her item waits for working hours names
who gets it, and a backup request is not thanked for reporting (the catalogue's wording rules:
tests/unit/i18n/test_wording.py)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from tests.support.harness import PIET, VERA, Harness, running_bot, seed_organisation


async def _in_the_evening(h: Harness) -> None:
    await seed_organisation(h)
    h.clock.advance(timedelta(hours=10))  # Monday 20:00 in Amsterdam: Piet's working hours are over


async def test_a_signal_held_for_working_hours_names_who_gets_it(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await _in_the_evening(h)
        [ask_client] = await h.send(VERA, "/signal")
        step = await h.tap(VERA, ask_client, "C-12")
        step = await h.tap(VERA, step, "Gezondheid")
        await h.tap(VERA, step, "Zorgelijk")
        [summary] = await h.send(VERA, "Ze eet slecht de laatste tijd.")
        sent = await h.tap(VERA, summary, "Versturen")
        assert sent.text == (
            "Opgeslagen. Het komt morgen 08:30 bij Piet, binnen werktijd. "
            "Je hoort het zodra iemand het oppakt. Dank je dat je dit meldt."
        )


async def test_a_backup_request_held_for_working_hours_names_who_gets_it_and_is_not_thanked_for_reporting(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path) as h:
        await _in_the_evening(h)
        [ask_kind] = await h.send(VERA, "/backup")
        ask_client = await h.tap(VERA, ask_kind, "Advies: bel of app me")
        await h.tap(VERA, ask_client, "C-12")
        [summary] = await h.send(VERA, "Ik weet niet hoe ik moet reageren als hij over geld begint.")
        sent = await h.tap(VERA, summary, "Versturen")
        assert sent.text == (
            "Opgeslagen. Je vraag komt morgen 08:30 bij Piet, binnen werktijd. Je hoort het zodra iemand het oppakt."
        )
        await h.advance(timedelta(hours=12, minutes=30))
        assert any("vraag om backup van Vera" in text for text in h.texts(PIET))
