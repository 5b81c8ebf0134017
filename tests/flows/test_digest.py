"""The weekly digest end to end: Monday 09:00 local, once a week, a professional's own items and her volunteers'
flags, the organisation's for coordinators, never a flag about the reader herself; off when configured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.domain.models import Role
from tests.support.clock import FakeClock
from tests.support.harness import ANNA, KEES, PIET, running_bot, seed_organisation, send_signal
from tests.support.history import wellbeing_alert
from tests.support.matrix import LOTTE, join

SUNDAY = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
MONDAY_9 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # 09:00 in Amsterdam


def digests(texts: list[str]) -> list[str]:
    return [t for t in texts if t.startswith("Weekoverzicht")]


async def test_weekly_digest_once_a_week_with_own_items_and_flags(tmp_path: Path, storage_url: str | None) -> None:
    async with running_bot(tmp_path, storage_url=storage_url, clock=FakeClock(SUNDAY), reports={"digest": True}) as h:
        ids = await seed_organisation(h)
        lotte = await join(h, LOTTE, Role.COORDINATOR)
        await join(h, LOTTE, Role.VOLUNTEER)
        await wellbeing_alert(h, ids["Vera"], ["energy", "missed"])
        await wellbeing_alert(h, lotte, ["private_life"])
        await h.advance(MONDAY_9 - timedelta(minutes=1) - h.clock.now())
        assert digests(h.texts(PIET)) == []
        await send_signal(h)
        await h.advance(timedelta(minutes=1))
        [piet] = digests(h.texts(PIET))
        assert "Weekoverzicht 2026-W48" in piet and "Open bij jou (nog niet opgepakt): 1" in piet
        assert "• Vera: 2" in piet and "Lotte" not in piet
        [kees] = digests(h.texts(KEES))
        assert "Open bij jou (nog niet opgepakt): 0" in kees and "• geen" in kees
        [anna] = digests(h.texts(ANNA))
        assert "Open in de organisatie" in anna and "• Vera: 2" in anna and "• Lotte: 1" in anna
        [own] = digests(h.texts(LOTTE))
        assert "• Vera: 2" in own and "Lotte: 1" not in own  # never her own flags
        await h.advance(timedelta(hours=5))
        assert len(digests(h.texts(PIET))) == 1
        await h.advance(timedelta(days=7))
        assert len(digests(h.texts(PIET))) == 2 and "2026-W49" in digests(h.texts(PIET))[-1]


async def test_no_digest_when_turned_off(tmp_path: Path) -> None:
    async with running_bot(tmp_path, clock=FakeClock(SUNDAY)) as h:  # the harness turns it off
        await seed_organisation(h)
        await h.advance(timedelta(days=2))
        assert digests(h.texts(PIET)) == [] and digests(h.texts(ANNA)) == []
