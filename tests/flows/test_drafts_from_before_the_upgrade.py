"""Drafts stored by a version before the flow router (issue 11, item 2): answered as expired, never misread;
a scheduled prompt needs no draft."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.domain.models import Draft
from bot.i18n import plain
from storage import drafts
from tests.support.harness import PIET, VERA, running_bot, seed_organisation


async def _put_draft(h: Any, person_id: int, flow: str, step: str, data: dict[str, object]) -> None:
    async with h.services.db.transaction() as tx:
        await drafts.put(tx, person_id, Draft(flow=flow, step=step, data=data), h.clock.now())


async def _draft_of(h: Any, person_id: int) -> tuple[str, str, str] | None:
    async with h.services.db.transaction() as tx:
        row = await tx.one("SELECT flow, step, data FROM drafts WHERE person_id = ?", (person_id,))
    return None if row is None else (row["flow"], row["step"], row["data"])


async def test_a_draft_from_before_the_upgrade_is_answered_as_expired(tmp_path: Path) -> None:
    """The check-in's old 'buttons' step, or a payload of another shape: the stale-button toast, nothing
    changes; typed text to such a draft gets the "don't know what you mean" answer."""
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        [start] = await h.send(VERA, "/checkin")
        checkin = int(start.buttons()[0][1].split(":")[2])
        expired = plain("nl", "button.expired")
        cases: list[tuple[str, str, dict[str, object], str]] = [
            ("checkin", "buttons", {"checkin": checkin, "q": "e"}, f"ci:e:{checkin}:3"),
            ("signal", "category", {"link": "C-12"}, "sig:k:money"),
            ("checkin", "energy", {"checkin": str(checkin)}, f"ci:e:{checkin}:3"),
        ]
        for flow, step, data, press in cases:
            await _put_draft(h, ids["Vera"], flow, step, data)
            before = await _draft_of(h, ids["Vera"])
            update = await h.tap_data(VERA, None, press)
            assert (h.api.callback_answer_for(update) or {}).get("text") == expired, (flow, step)
            assert await _draft_of(h, ids["Vera"]) == before
        async with h.services.db.transaction() as tx:
            assert await tx.scalar("SELECT energy FROM checkins WHERE id = ?", (checkin,)) is None
        await _put_draft(h, ids["Piet"], "resolve", "reply", {"escalation": "twelve"})
        [said] = await h.send(PIET, "Ik bel haar morgen.")
        assert said.text == plain("nl", "no_flow_text")
        assert json.loads((await _draft_of(h, ids["Piet"]) or ("", "", "{}"))[2]) == {"escalation": "twelve"}


async def test_a_scheduled_prompt_is_answered_without_a_draft_and_not_after_its_hours(tmp_path: Path) -> None:
    """The hours button is free (a scheduled prompt has no draft), but once this check-in has moved past
    the hours, an hours button of it is stale."""
    async with running_bot(tmp_path) as h:
        ids = await seed_organisation(h)
        [start] = await h.send(VERA, "/checkin")
        hours = start.buttons()[0][1]
        checkin = int(hours.split(":")[2])
        await h.send(VERA, "/cancel")  # no draft at all, as after a scheduled prompt
        assert await _draft_of(h, ids["Vera"]) is None
        update = await h.tap_data(VERA, start, hours)
        assert (h.api.callback_answer_for(update) or {}).get("text") in (None, "")
        assert (await _draft_of(h, ids["Vera"]) or ("", ""))[:2] == ("checkin", "energy")
        assert hours == f"ci:h:{checkin}:0"
        again = await h.tap_data(VERA, start, f"ci:h:{checkin}:5-8")
        assert (h.api.callback_answer_for(again) or {}).get("text") == plain("nl", "ci.hours_answered")
        async with h.services.db.transaction() as tx:
            assert await tx.scalar("SELECT hours FROM checkins WHERE id = ?", (checkin,)) == 0.0
