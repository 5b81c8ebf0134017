"""The per-person update limit: a pure token bucket, and end to end one flooding person does not hold up others."""

from __future__ import annotations

from pathlib import Path

from bot.domain.ratelimit import UpdateLimiter, Verdict
from tests.harness import ANNA, VERA, running_bot, seed_organisation


def test_allows_the_burst_then_says_so_once_then_drops_quietly() -> None:
    limiter = UpdateLimiter(burst=3, per_second=1.0)
    verdicts = [limiter.check(1, now=0.0) for _ in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.REFUSE_AND_SAY, Verdict.REFUSE, Verdict.REFUSE]


def test_the_bucket_refills() -> None:
    limiter = UpdateLimiter(burst=2, per_second=0.5)
    assert limiter.check(1, 0.0) is Verdict.ALLOW
    assert limiter.check(1, 0.0) is Verdict.ALLOW
    assert limiter.check(1, 1.0) is Verdict.REFUSE_AND_SAY  # half a token back
    assert limiter.check(1, 2.0) is Verdict.ALLOW  # a whole one
    assert limiter.check(1, 2.0) is Verdict.REFUSE  # the same flood: no second notice
    assert limiter.check(1, 6.5) is Verdict.ALLOW  # full again after 4 s quiet
    assert limiter.check(1, 6.5) is Verdict.ALLOW
    assert limiter.check(1, 6.5) is Verdict.REFUSE_AND_SAY  # a new flood gets a new notice


def test_senders_are_counted_apart_and_forgotten_when_full_again() -> None:
    limiter = UpdateLimiter(burst=1, per_second=1.0)
    assert limiter.check(1, 0.0) is Verdict.ALLOW
    assert limiter.check(2, 0.0) is Verdict.ALLOW
    assert limiter.check(1, 0.5) is Verdict.REFUSE_AND_SAY
    assert limiter.tracked() == 2
    assert limiter.check(3, 200.0) is Verdict.ALLOW
    assert limiter.tracked() == 1  # 1 and 2 have full buckets again: nothing about them is kept


def test_zero_turns_it_off() -> None:
    limiter = UpdateLimiter(burst=0, per_second=1.0)
    assert all(limiter.check(1, 0.0) is Verdict.ALLOW for _ in range(1000))


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
