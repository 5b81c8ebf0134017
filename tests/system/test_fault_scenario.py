"""Telegram misbehaving at scale: with a fifth of all send/edit calls failing (429 with retry_after, 500,
502, timeouts, and answers lost after the message did arrive), 200 signals, their acknowledgements and
climbs, and a check-in schedule firing for 200 volunteers (answers and reminders) all reach their chats.
Nothing is lost, and every copy that arrived twice carries the repeat mark.

The figures are printed (``-s``) and written to tests/artifacts/fault_scenario.json.
``FAULT_SEED=n`` varies which calls fail."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Callable
from datetime import time, timedelta
from pathlib import Path

from bot.domain.callbacks import pack
from bot.domain.escalation import Kind, Urgency
from bot.domain.models import Role
from bot.sandbox.state import FakeUser
from storage import links, people
from tests.support.delivery_audit import audit_delivery, rows
from tests.support.faulty_bot_api import FaultyBotApi
from tests.support.harness import Harness, running_bot
from tests.support.paths import ARTIFACTS

VOLUNTEERS = 200
PROFESSIONALS = 10
FAULT_RATE = 0.2
FAULT_KINDS = ("429", "500", "502", "timeout", "lost")
ANNA = FakeUser(id=70_000, first_name="Anna")
PROS = [FakeUser(id=70_100 + i, first_name=f"Prof{i}") for i in range(PROFESSIONALS)]
VOLS = [FakeUser(id=71_000 + i, first_name=f"Vrijwilliger{i}") for i in range(VOLUNTEERS)]


def body(i: int) -> str:
    return f"storingstest signaal {i}"


async def seed(h: Harness) -> dict[int, int]:
    """Anna, ten professionals and 200 volunteers (each with a professional, a backup and a client), written
    straight into the database like an organisation that has been running a while: onboarding and its 1,200
    welcomes and notices are the flows tests' subject, and none of them would be sent under faults here."""
    ids: dict[int, int] = {}
    now = h.clock.now()
    async with h.services.db.transaction() as tx:
        for user, role in [(ANNA, Role.COORDINATOR), *((p, Role.PROFESSIONAL) for p in PROS)] + [
            (v, Role.VOLUNTEER) for v in VOLS
        ]:
            h.api.register_user(user)
            ids[user.id] = await people.create(
                tx, name=user.first_name, telegram_id=user.id, language="nl", team_id=None, now=now
            )
            await people.add_role(tx, ids[user.id], role)
        for i, volunteer in enumerate(VOLS):
            professional, backup = PROS[i % PROFESSIONALS], PROS[(i + 1) % PROFESSIONALS]
            await people.assign(tx, ids[volunteer.id], ids[professional.id], ids[backup.id])
            await links.create(tx, volunteer_id=ids[volunteer.id], client_alias=f"C-{i}", professional_id=None, now=now)
    return ids


def count(db_path: Path, sql: str, *params: object) -> int:
    return int(rows(db_path, sql, *params)[0][0])


async def until(condition: Callable[[], bool], what: str, limit: float = 90.0) -> None:
    """Poll (real time: retries wait real seconds) until condition() holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"not within {limit} s: {what}")
        await asyncio.sleep(0.1)


async def test_two_hundred_signals_and_check_ins_with_a_fifth_of_calls_failing(
    tmp_path: Path, short_backoff: None
) -> None:
    seed_value = int(os.environ.get("FAULT_SEED", "20261205"))
    print(f"\nFAULT_SEED={seed_value}")
    db_path = tmp_path / "samenspel.db"
    api = FaultyBotApi()
    api.timeout_hold = 0.8  # longer than the bot's request timeout: the bot gives up first
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with api, running_bot(tmp_path, api=api, telegram={"request_timeout_seconds": 0.5}) as h:
        ids = await seed(h)
        services = h.services
        anna = await services.people.get(ids[ANNA.id])
        # Monday 10:00 now; the schedule fires at 10:05, reminds after 30 minutes.
        await services.checkins.add_schedule(
            anna,
            audience="everyone",
            weekdays=frozenset({0}),
            local_time=time(10, 5),
            remind_after_minutes=30,
            close_after_minutes=24 * 60,
        )
        await h.settle(limit=60)
        before_faults = count(db_path, "SELECT COALESCE(MAX(id), 0) FROM outbox")

        api.set_failure_rate(FAULT_RATE, seed=seed_value, kinds=FAULT_KINDS)

        # 200 signals, raised as the volunteer's "Versturen" raises them.
        volunteers = [await services.people.get(ids[v.id]) for v in VOLS]
        links = {
            r["volunteer_id"]: r["id"]
            for r in rows(db_path, "SELECT id, volunteer_id FROM links WHERE client_alias LIKE 'C-%'")
        }
        for i, volunteer in enumerate(volunteers):
            assert volunteer is not None
            await services.escalations.raise_item(
                volunteer,
                kind=Kind.SIGNAL,
                link_id=links[volunteer.id],
                category="Gezondheid",
                urgency=Urgency.URGENT,
                body=body(i),
            )
        # 10:05: the schedule fires for all 200 volunteers.
        h.clock.advance(timedelta(minutes=5))
        await services.scheduler.tick()

        def alerts_and_prompts_out() -> bool:
            return (
                count(db_path, "SELECT COUNT(*) FROM outbox WHERE purpose = 'alert' AND status = 'sent'") == VOLUNTEERS
                and count(db_path, "SELECT COUNT(*) FROM checkins WHERE prompted_at IS NOT NULL") == VOLUNTEERS
                and count(db_path, "SELECT COUNT(*) FROM outbox WHERE keyboard LIKE '%ci:h:%' AND status = 'sent'")
                == VOLUNTEERS
            )

        await until(alerts_and_prompts_out, "the first alerts and the prompts arrive")

        # Half the alerts are picked up with the alert's own button; half the volunteers answer their
        # prompt (five taps and "done") through the real handlers, faults and all.
        for row in rows(
            db_path,
            "SELECT o.chat_id, o.telegram_message_id, e.body FROM outbox o JOIN escalations e ON e.id = o.subject_id"
            " WHERE o.purpose = 'alert' ORDER BY e.id",
        ):
            i = int(row["body"].rsplit(" ", 1)[1])
            if i % 2 == 0:
                professional = next(p for p in PROS if p.id == row["chat_id"])
                alert = next(m for m in api.messages(professional.id) if m.message_id == row["telegram_message_id"])
                api.press(professional, alert, "Ik pak het op")
        prompts = rows(
            db_path,
            "SELECT c.id, p.telegram_id, o.telegram_message_id FROM checkins c JOIN people p ON p.id = c.volunteer_id"
            " JOIN outbox o ON o.person_id = p.id AND o.keyboard LIKE '%ci:h:' || c.id || ':%'",
        )
        assert len(prompts) == VOLUNTEERS
        answering = {r["telegram_id"] for r in prompts if (r["telegram_id"] - VOLS[0].id) % 2 == 0}
        for row in prompts:
            if row["telegram_id"] not in answering:
                continue
            user = next(v for v in VOLS if v.id == row["telegram_id"])
            prompt = next(m for m in api.messages(user.id) if m.message_id == row["telegram_message_id"])
            checkin = row["id"]
            for step, value in (("h", "3-4"), ("e", "4"), ("c", "no"), ("p", "0"), ("r", "0"), ("d", "done")):
                api.press_data(user, prompt, pack("ci", step, checkin, value))
        await h.settle(limit=90)

        # 10:35: reminders for the unanswered check-ins; unacknowledged signals climb to the backup.
        h.clock.advance(timedelta(minutes=30))
        await services.scheduler.tick()

        def all_sent() -> bool:
            return count(db_path, "SELECT COUNT(*) FROM outbox WHERE status = 'pending'") == 0

        await until(all_sent, "the outbox is empty")
        api.set_failure_rate(0)
        await h.settle(limit=30)

    elapsed = loop.time() - started
    audit = audit_delivery(db_path, api)
    signals = count(db_path, "SELECT COUNT(*) FROM escalations WHERE kind = 'signal'")
    acknowledged = count(db_path, "SELECT COUNT(*) FROM escalations WHERE acknowledged_at IS NOT NULL")
    answered = count(db_path, "SELECT COUNT(*) FROM checkins WHERE state = 'answered'")
    prompted = count(db_path, "SELECT COUNT(*) FROM checkins WHERE prompted_at IS NOT NULL")
    reminded = count(db_path, "SELECT COUNT(*) FROM checkins WHERE reminded_at IS NOT NULL AND answered_at IS NULL")
    alerts_told = count(db_path, "SELECT COUNT(*) FROM escalation_recipients")
    under_faults = count(db_path, "SELECT COUNT(*) FROM outbox WHERE id > ?", before_faults)
    figures = {
        "seed": seed_value,
        "fault_rate": FAULT_RATE,
        "faults_injected": api.faults_injected,
        "faults_by_kind": dict(sorted(api.faults_by_kind.items())),
        "outbox_messages_under_faults": under_faults,
        "messages_delivered": audit.delivered,
        "messages_expected": audit.messages,
        "by_purpose": dict(sorted(audit.by_purpose.items())),
        "alerts_told": alerts_told,
        "prompts": prompted,
        "reminders": reminded,
        "edits_shown": audit.edits,
        "acknowledged": acknowledged,
        "answered": answered,
        "arrived_twice": audit.arrived_twice,
        "copies_marked_as_repeat": audit.copies_marked,
        "unmarked_duplicates": len(audit.unmarked_duplicates),
        "lost": len(audit.lost) + len(audit.stale_edits),
        "seconds": round(elapsed, 1),
    }
    print("fault scenario:", json.dumps(figures, ensure_ascii=False))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "fault_scenario.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")

    assert audit.problems() == [], "\n".join(audit.problems()[:20])
    assert signals == VOLUNTEERS and prompted == VOLUNTEERS
    assert acknowledged == VOLUNTEERS // 2 and answered == VOLUNTEERS // 2
    assert reminded == VOLUNTEERS // 2
    # 200 first alerts, and the 100 unacknowledged signals climbed to the backup.
    assert alerts_told == VOLUNTEERS + VOLUNTEERS // 2
    assert audit.by_purpose["alert"] == alerts_told
    assert audit.delivered == audit.messages
    # The faults really happened, of every kind, and some messages really arrived twice.
    assert set(api.faults_by_kind) == set(FAULT_KINDS)
    assert api.faults_injected >= 0.1 * under_faults
    assert audit.arrived_twice > 0 and audit.copies_marked >= audit.arrived_twice
