"""The person behind an update is kept in memory between updates (bot.services.people.KnownPeople): every change
to them is seen by the very next update all the same."""

from __future__ import annotations

from pathlib import Path

from bot.domain.models import Person, Role
from tests.support.harness import ANNA, VERA, Harness, running_bot, seed_organisation


async def _vera(h: Harness) -> Person:
    person = await h.services.people.identify(VERA.id)
    assert person is not None
    return person


async def _help(h: Harness) -> str:
    [answer] = await h.send(VERA, "/help")
    return answer.text


async def test_a_language_a_new_role_and_an_erasure_are_seen_by_the_next_update(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        await seed_organisation(h)
        dutch = await _help(h)
        assert await _help(h) == dutch  # answered from the kept copy: no lookup in between
        known = h.services.people.known
        assert known is not None and known.get(VERA.id) is not None

        await h.services.people.set_language(await _vera(h), "en")
        english = await _help(h)
        assert english != dutch

        anna = await h.services.people.identify(ANNA.id)
        issued = await h.services.people.create_invite(by=anna, role=Role.COORDINATOR, name="Vera", team_id=None)
        await h.send(VERA, f"/start {issued.code}")  # a second role, by invite
        as_coordinator = await _help(h)
        assert as_coordinator not in (english, dutch)
        assert (await _vera(h)).roles == {Role.VOLUNTEER, Role.COORDINATOR}

        await h.services.privacy.forget(await _vera(h))
        [stranger] = await h.send(VERA, "/help")
        assert "uitnodigingslink" in stranger.text or "invite link" in stranger.text
        assert await h.services.people.identify(VERA.id) is None


async def test_removal_by_a_coordinator_is_seen_by_the_next_update(tmp_path: Path) -> None:
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        await _help(h)
        anna = await h.services.people.identify(ANNA.id)
        assert anna is not None
        await h.services.privacy.offboard(anna, ids["Vera"])
        await h.settle()  # her goodbye goes out first
        [stranger] = await h.send(VERA, "/help")
        assert "uitnodigingslink" in stranger.text
