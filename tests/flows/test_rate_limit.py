"""The per-person update limit end to end: a flooding person is told once and holds up nobody else."""

from __future__ import annotations

from pathlib import Path

from tests.support.harness import ANNA, VERA, running_bot, seed_organisation


async def test_a_flooding_volunteer_is_told_once_and_others_are_not_held_up(tmp_path: Path) -> None:
    async with running_bot(tmp_path, updates_burst=20) as bot:
        bot.services.monotonic = lambda: 0.0  # the flood arrives at one instant: no token comes back meanwhile
        await seed_organisation(bot)
        before_vera = len(bot.api.messages(VERA.id))
        for i in range(300):
            bot.api.send_text(VERA, f"/help {i}")
        # Anna writes after the whole flood is queued; she is answered before Vera's backlog is worked off.
        anna_before = len(bot.api.messages(ANNA.id))
        bot.api.send_text(ANNA, "/help")
        await bot.api.wait_for(ANNA.id, "/invite", after=anna_before)
        await bot.settle()
        vera = bot.texts(VERA)[before_vera:]
        notices = [text for text in vera if "gaat wat snel" in text]
        assert len(notices) == 1
        assert len(vera) - len(notices) == 20  # the burst answered, the rest dropped quietly
        assert not [text for text in vera if "ging iets mis" in text]


async def test_a_flooded_button_is_answered_with_what_to_do(tmp_path: Path) -> None:
    async with running_bot(tmp_path, updates_burst=2) as bot:
        bot.services.monotonic = lambda: 0.0
        await seed_organisation(bot)
        ids = [bot.api.press_data(VERA, None, "x:cancel:none") for _ in range(5)]
        await bot.settle()
        answers = [(bot.api.callback_answer_for(update_id) or {}).get("text", "") for update_id in ids]
        assert all(answers)
        toast = "Dat ging te snel: er is niets veranderd. Wacht een paar tellen en tik dan opnieuw op de knop."
        assert answers.count(toast) == 3  # every refused tap is told, on its own button
