"""A chat's messages arrive in the order they were queued, also when a fifth of all sends fail (429, server
errors, timeouts, answers lost after the message arrived) and the messages travel in different lanes."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from bot.domain.lanes import REPLY
from bot.sandbox.state import FakeUser
from storage import outbox
from tests.support.delivery_audit import rows
from tests.support.harness import running_bot

CHATS = [FakeUser(id=80_000 + i, first_name=f"Lid{i}") for i in range(6)]
PER_CHAT = 10
PURPOSES = ["checkin.prompt", "notice", REPLY]  # bulk, the middle lane and the first: lanes must not reorder a chat
NUMBERED = re.compile(r"bericht (\d+)")


async def test_per_chat_order_holds_when_a_fifth_of_sends_fail(tmp_path: Path, short_backoff: None) -> None:
    async with running_bot(tmp_path, telegram={"request_timeout_seconds": 0.5}) as h:
        h.api.timeout_hold = 1
        for user in CHATS:
            h.api.register_user(user)
        h.api.set_failure_rate(0.2, seed=13, kinds=("429", "500", "502", "timeout", "lost"))
        async with h.services.db.transaction() as tx:
            for n in range(PER_CHAT):
                for user in CHATS:
                    purpose = PURPOSES[(n + user.id) % len(PURPOSES)]
                    await outbox.enqueue(tx, chat_id=user.id, text=f"bericht {n}", purpose=purpose, now=h.clock.now())
        h.services.delivery.wake()
        db_path = h.services.settings.storage.path
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 90
        while rows(db_path, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'")[0][0]:
            assert loop.time() < deadline, "the outbox did not empty within 90 s"
            await asyncio.sleep(0.1)
        assert h.api.faults_injected >= len(CHATS) * PER_CHAT // 10  # the faults did happen
        for user in CHATS:
            arrived = [int(m.group(1)) for sent in h.api.messages(user.id) if (m := NUMBERED.search(sent.text))]
            first_arrivals = list(dict.fromkeys(arrived))  # a repeat copy (marked) may come later: it is no overtaking
            assert first_arrivals == list(range(PER_CHAT)), f"chat {user.id} received {arrived}"
