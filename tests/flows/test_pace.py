"""Issue 12 item 8: the per-person limit never stops a person at human pace; a flood still gets one notice.

The limiter is on in these tests (the harness turns it off elsewhere), with the product's defaults, and its
time is the fake clock's: every update is sent after moving the clock, never after a sleep. The bucket at that
pace is in tests/unit/domain/test_ratelimit.py, its settings in tests/unit/test_config.py.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.config import DEFAULT_UPDATES_BURST, DEFAULT_UPDATES_PER_SECOND
from bot.domain.models import Role
from bot.i18n import plain
from bot.sandbox.state import FakeUser, SentMessage
from tests.support.harness import Harness, running_bot

ANNA = FakeUser(id=2001, first_name="Anna", language_code="nl")
NEWCOMERS = (  # (user, role button)
    (FakeUser(id=2002, first_name="Piet", language_code="nl"), "Beroepskracht"),
    (FakeUser(id=2003, first_name="Fatima", language_code="nl"), "Beroepskracht"),
    (FakeUser(id=2004, first_name="Vera", language_code="nl"), "Vrijwilliger"),
    (FakeUser(id=2005, first_name="Noor", language_code="nl"), "Vrijwilliger"),
    (FakeUser(id=2006, first_name="Kees", language_code="nl"), "Vrijwilliger"),
)
PACE = timedelta(seconds=0.7)
LIMIT_ON: dict[str, Any] = {"updates_burst": DEFAULT_UPDATES_BURST, "updates_per_second": DEFAULT_UPDATES_PER_SECOND}


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
