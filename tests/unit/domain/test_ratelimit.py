"""The per-person update limit (`bot.domain.ratelimit`): a pure token bucket, and at a person's pace with the
product's defaults."""

from __future__ import annotations

from bot.config import DEFAULT_UPDATES_BURST, DEFAULT_UPDATES_PER_SECOND
from bot.domain.ratelimit import UpdateLimiter, Verdict


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


# --- at a person's pace, with the product's defaults (issue 12 item 8) ---------------------------------


def _defaults() -> UpdateLimiter:
    return UpdateLimiter(DEFAULT_UPDATES_BURST, DEFAULT_UPDATES_PER_SECOND)


def test_a_tap_a_second_is_never_refused() -> None:
    limiter = _defaults()
    assert all(limiter.check(1, float(second)) is Verdict.ALLOW for second in range(3600))


def test_a_brisk_tap_every_0_7_s_lasts_about_a_hundred_updates() -> None:
    """30 to start with, 0.7 back per tap: the bucket runs dry after some 98 updates (68 s without a pause)."""
    limiter = _defaults()
    verdicts = [limiter.check(1, 0.7 * n) for n in range(120)]
    first_refused = verdicts.index(Verdict.REFUSE_AND_SAY)
    assert 95 <= first_refused <= 100
    assert verdicts[:first_refused] == [Verdict.ALLOW] * first_refused


def test_a_steady_flood_gets_one_notice_though_a_token_trickles_in_every_second() -> None:
    limiter = _defaults()
    verdicts = [limiter.check(1, n / 10) for n in range(600)]  # ten a second for a minute
    assert verdicts.count(Verdict.REFUSE_AND_SAY) == 1
    # The burst, then about one a second: the flood is mostly dropped.
    assert DEFAULT_UPDATES_BURST + 55 <= verdicts.count(Verdict.ALLOW) <= DEFAULT_UPDATES_BURST + 61
    assert limiter.refused == verdicts.count(Verdict.REFUSE) + 1


def test_a_clock_that_steps_back_refills_nothing() -> None:
    limiter = UpdateLimiter(burst=1, per_second=1.0)
    assert limiter.check(1, 100.0) is Verdict.ALLOW
    assert limiter.check(1, 50.0) is Verdict.REFUSE_AND_SAY
    assert limiter.check(1, 100.5) is Verdict.REFUSE
    assert limiter.check(1, 101.0) is Verdict.ALLOW
