"""The per-person update limit end to end: a flooding person is told once and holds up nobody else."""

from __future__ import annotations

from pathlib import Path

from tests.support.harness import ANNA, VERA, running_bot, seed_organisation


async def test_a_flooding_volunteer_is_told_once_and_others_are_not_held_up(tmp_path: Path) -> None:
    async with running_bot(tmp_path, updates_per_minute=20) as bot:
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
        # At most 20 answered (some of the 20 may have been spent by seeding), the rest dropped quietly.
        assert len(vera) - len(notices) <= 20
        assert not [text for text in vera if "ging iets mis" in text]


async def test_a_flooded_button_is_answered_with_the_notice(tmp_path: Path) -> None:
    async with running_bot(tmp_path, updates_per_minute=2) as bot:
        await seed_organisation(bot)
        ids = [bot.api.press_data(VERA, None, "x:cancel:none") for _ in range(5)]
        await bot.settle()
        answers = [bot.api.callback_answer_for(update_id) for update_id in ids]
        assert all(answer is not None for answer in answers)
        assert sum("gaat wat snel" in (answer or {}).get("text", "") for answer in answers) >= 3
