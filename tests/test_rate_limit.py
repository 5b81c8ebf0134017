"""The per-person update limit: a pure sliding window, and end to end one flooding person does not hold up others."""

from __future__ import annotations

from pathlib import Path

from bot.domain.ratelimit import UpdateLimiter, Verdict
from tests.harness import ANNA, VERA, running_bot, seed_organisation


def test_allows_the_limit_then_says_so_once_then_drops_quietly() -> None:
    limiter = UpdateLimiter(per_minute=3)
    verdicts = [limiter.check(1, now=float(i)) for i in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.REFUSE_AND_SAY, Verdict.REFUSE, Verdict.REFUSE]


def test_the_window_slides() -> None:
    limiter = UpdateLimiter(per_minute=2)
    assert limiter.check(1, 0.0) is Verdict.ALLOW
    assert limiter.check(1, 30.0) is Verdict.ALLOW
    assert limiter.check(1, 59.0) is Verdict.REFUSE_AND_SAY
    assert limiter.check(1, 60.5) is Verdict.ALLOW  # the first one has left the window
    assert limiter.check(1, 61.0) is Verdict.REFUSE_AND_SAY  # a new episode gets a new notice


def test_senders_are_counted_apart_and_forgotten_when_quiet() -> None:
    limiter = UpdateLimiter(per_minute=1)
    assert limiter.check(1, 0.0) is Verdict.ALLOW
    assert limiter.check(2, 0.0) is Verdict.ALLOW
    assert limiter.check(1, 1.0) is Verdict.REFUSE_AND_SAY
    assert limiter.tracked() == 2
    assert limiter.check(3, 200.0) is Verdict.ALLOW
    assert limiter.tracked() == 1  # 1 and 2 were quiet for a whole window: nothing about them is kept


def test_zero_turns_it_off() -> None:
    limiter = UpdateLimiter(per_minute=0)
    assert all(limiter.check(1, 0.0) is Verdict.ALLOW for _ in range(1000))


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
