"""The per-person update limit (`bot.domain.ratelimit`): a pure sliding window."""

from __future__ import annotations

from bot.domain.ratelimit import UpdateLimiter, Verdict


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
