"""Issue 12 item 8: the per-person limit never stops a person at human pace; a flood still gets one notice.

The limiter is on in these tests (the harness turns it off elsewhere), with the product's defaults, and its
time is the fake clock's: every update is sent after moving the clock, never after a sleep.
"""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path

import pytest

from bot.config import DEFAULT_UPDATES_BURST, DEFAULT_UPDATES_PER_SECOND, load_settings
from bot.domain.models import Role
from bot.domain.ratelimit import UpdateLimiter, Verdict
from bot.i18n import plain
from tests.harness import Harness, running_bot
from tests.support.fake_bot_api import FakeUser, SentMessage

ANNA = FakeUser(id=2001, first_name="Anna", language_code="nl")
NEWCOMERS = (  # (user, role button)
    (FakeUser(id=2002, first_name="Piet", language_code="nl"), "Beroepskracht"),
    (FakeUser(id=2003, first_name="Fatima", language_code="nl"), "Beroepskracht"),
    (FakeUser(id=2004, first_name="Vera", language_code="nl"), "Vrijwilliger"),
    (FakeUser(id=2005, first_name="Noor", language_code="nl"), "Vrijwilliger"),
    (FakeUser(id=2006, first_name="Kees", language_code="nl"), "Vrijwilliger"),
)
PACE = timedelta(seconds=0.7)
LIMIT_ON = {"updates_burst": DEFAULT_UPDATES_BURST, "updates_per_second": DEFAULT_UPDATES_PER_SECOND}


# --- the bucket, pure --------------------------------------------------------------------------------


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


# --- the settings, and an old config.toml ------------------------------------------------------------


def _app_from(tmp_path: Path, lines: str) -> tuple[int, float]:
    config = tmp_path / "config.toml"
    config.write_text(f"[app]\n{lines}\n")
    app = load_settings(config).app
    return app.updates_burst, app.updates_per_second


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("", (30, 1.0)),
        ("updates_burst = 50\nupdates_per_second = 2", (50, 2.0)),
        ("updates_burst = 0", (0, 1.0)),
        # Older config.toml files: they load, 0 keeps the limit off, the old 20 no longer stops anyone.
        ("updates_per_minute = 20", (30, 1.0)),
        ("updates_per_minute = 0", (0, 1.0)),
        ("updates_per_minute = 120", (120, 2.0)),
        ("updates_per_minute = 0\nupdates_burst = 40", (40, 1.0)),  # the new key wins
    ],
)
def test_limit_settings_and_the_old_key(tmp_path: Path, lines: str, expected: tuple[int, float]) -> None:
    assert _app_from(tmp_path, lines) == expected


def test_the_old_key_is_named_in_a_warning(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.config"):
        _app_from(tmp_path, "updates_per_minute = 20")
    assert "updates_per_minute is obsolete: replace it with updates_burst = 30 and updates_per_second = 1" in (
        caplog.text
    )
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="bot.config"):
        _app_from(tmp_path, "updates_burst = 30")
    assert not caplog.text


def test_the_example_config_sets_the_new_keys_only() -> None:
    example = (Path(__file__).resolve().parents[1] / "config.example.toml").read_text(encoding="utf-8")
    assert "\nupdates_burst = 30\n" in example and "\nupdates_per_second = 1.0\n" in example
    assert "\nupdates_per_minute" not in example


# --- end to end: a coordinator at a brisk pace ---------------------------------------------------------


class Pace:
    """Anna acting once every 0.7 s of fake time: the clock moves before every message and every tap."""

    def __init__(self, h: Harness) -> None:
        self.h = h
        self.updates = 0
        self.taps: list[int] = []
        h.services.monotonic = lambda: h.clock.now().timestamp()

    def _step(self) -> None:
        self.h.clock.advance(PACE)
        self.updates += 1

    async def send(self, text: str) -> SentMessage:
        self._step()
        [answer] = await self.h.send(ANNA, text)
        return answer

    async def tap(self, message: SentMessage, label: str) -> SentMessage:
        self._step()
        before = len(self.h.api.messages(ANNA.id))
        self.taps.append(self.h.api.press(ANNA, message, label))
        await self.h.settle()
        return self.h.latest(ANNA, before, message.message_id)


async def _anna_joins(h: Harness) -> Pace:
    """Anna opens her coordinator invite: her first update, at the pace."""
    issued = await h.services.people.create_invite(by=None, role=Role.COORDINATOR, name="Anna", team_id=None)
    h.api.register_user(ANNA)
    anna = Pace(h)
    welcome = await anna.send(f"/start {issued.code}")
    assert "Welkom bij Buurtteam Overvecht, Anna!" in welcome.text
    return anna


async def _invite(anna: Pace, user: FakeUser, role: str) -> str:
    ask_role = await anna.send("/invite")
    ask_name = await anna.tap(ask_role, role)
    assert "Hoe heet" in ask_name.text, ask_name.text
    ask_team = await anna.send(user.first_name)
    link = await anna.tap(ask_team, "Geen team")
    assert "?start=" in link.text, link.text
    return link.text.split("?start=")[1].split()[0]


async def test_a_coordinator_tapping_every_0_7_s_through_five_invites_an_assignment_and_a_link_is_never_refused(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, **LIMIT_ON) as h:
        anna = await _anna_joins(h)

        for user, role in NEWCOMERS:
            code = await _invite(anna, user, role)
            [joined] = await h.send(user, f"/start {code}")
            assert f"Welkom bij Buurtteam Overvecht, {user.first_name}!" in joined.text

        pick_volunteer = await anna.send("/assign")
        pick_professional = await anna.tap(pick_volunteer, "Vera")
        pick_backup = await anna.tap(pick_professional, "Piet")
        assigned = await anna.tap(pick_backup, "Fatima")
        assert "Piet is verantwoordelijk voor Vera, met Fatima als backup" in assigned.text

        pick_volunteer = await anna.send("/link")
        ask_alias = await anna.tap(pick_volunteer, "Vera")
        assert "Gebruik nooit een volledige naam" in ask_alias.text
        pick_link_professional = await anna.send("C-12")
        linked = await anna.tap(pick_link_professional, "Zelfde als vrijwilliger")
        assert "Vera helpt C-12. Verantwoordelijk: Piet." in linked.text

        # 29 updates in 20 s: the old limit (20 a minute) refused the 21st, the last tap of the fifth invite.
        assert anna.updates == 29
        notice, toast = plain("nl", "rate_limited"), plain("nl", "rate_limited.button")
        assert notice not in h.texts(ANNA)
        answers = [(h.api.callback_answer_for(tap) or {}).get("text") for tap in anna.taps]
        assert toast not in answers and len(answers) == 15
        assert h.services.limiter.refused == 0


async def test_past_the_burst_a_message_gets_one_notice_and_a_tap_a_toast_that_says_what_to_do(
    tmp_path: Path,
) -> None:
    async with running_bot(tmp_path, **LIMIT_ON) as h:
        anna = await _anna_joins(h)
        menu = await anna.send("/invite")  # a message with buttons, for the taps below
        before = len(h.api.messages(ANNA.id))
        for _ in range(DEFAULT_UPDATES_BURST + 10):  # all at one instant
            h.api.send_text(ANNA, "/help")
        taps = [h.api.press(ANNA, menu, "Vrijwilliger") for _ in range(3)]
        await h.settle()
        answers = h.texts(ANNA)[before:]
        assert answers.count(plain("nl", "rate_limited")) == 1
        assert len(answers) == (DEFAULT_UPDATES_BURST - 2) + 1  # /start and /invite took 2 of the burst
        toasts = [(h.api.callback_answer_for(tap) or {}).get("text") for tap in taps]
        assert toasts == [plain("nl", "rate_limited.button")] * 3
        # A second later one token is back: the tap works and the flow goes on.
        h.clock.advance(timedelta(seconds=1))
        ask_name = await h.tap(ANNA, menu, "Vrijwilliger")
        assert "Hoe heet" in ask_name.text
