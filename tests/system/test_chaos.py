"""Chaos: `samenspel run` is killed with SIGKILL 30 times at random moments while volunteers report
signals, check in and run visits (/visit … /done) and a professional picks alerts up with the alert's
button. Every action the bot confirmed to a person (the fake Telegram sees each confirmation) must be in
the database afterwards, and what it announced must have reached its recipients: nothing lost, no item
stored twice, no copy arriving twice without the repeat mark.

The moments follow the bot, not the wall clock (see `kill_moment`), so a slow machine gets the same test
as a fast one; the kills go on past 30, within bounds, until every kind of action was confirmed at least
once.

``CRASH_SEED=n`` varies the moments and the workload (the seed is printed); ``CHAOS_KILLS=n`` the number
of kills. The figures are printed (``-s``) and written to tests/artifacts/chaos.json."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import random
from collections import Counter
from pathlib import Path

import pytest

from bot.domain.models import Role
from bot.sandbox.state import FakeUser
from tests.support.delivery_audit import audit_delivery, rows
from tests.support.faulty_bot_api import FaultyBotApi
from tests.support.paths import ARTIFACTS
from tests.support.processes import BotProcess, seed
from tests.support.workload import BODY, Ledger, professional, volunteer

pytestmark = pytest.mark.subprocess

ANNA = FakeUser(id=3001, first_name="Anna")
PIET = FakeUser(id=3002, first_name="Piet")
FATIMA = FakeUser(id=3003, first_name="Fatima")
VOLUNTEERS = [FakeUser(id=3010 + i, first_name=f"Vrijwilliger{i}") for i in range(4)]
ALIAS = {v.id: f"C-{i + 1}" for i, v in enumerate(VOLUNTEERS)}
KILLS = int(os.environ.get("CHAOS_KILLS", "30"))
# Bounds for a slow machine: the kills go on past KILLS until every kind of action was confirmed, but no
# further than this many kills or this many seconds of killing.
MAX_KILLS = 3 * KILLS
CHAOS_SECONDS = 150.0
START_UP_KILLS = 0.3  # the share of kills aimed at start-up and recovery; the rest land while it works
WORK_CALLS = (1, 40)  # a kill while working comes after this many Bot API calls (uniform) of the incarnation
STEP_TIMEOUT = 3.0


async def kill_moment(api: FaultyBotApi, bot: BotProcess, rng: random.Random, start_ups: list[float]) -> str:
    """Wait for a random moment to kill the current incarnation; says what it was doing.

    The moment is measured in what the bot did, not in seconds since it was started: on a loaded machine
    `samenspel run` needs seconds just to import, and kills at wall-clock moments then hit it before it ever
    polls, so hardly any action gets confirmed (the test once saw 4 in 30 kills). Start-up kills take a
    random moment within the start-up time last measured (`start_ups`); kills while working wait until this
    incarnation polls (its start-up time is added to `start_ups`) and has made a random number of Bot API
    calls other than polls (sends, edits, answers to button presses), plus up to 0.15 s.
    """
    if rng.random() < START_UP_KILLS:
        await asyncio.sleep(rng.uniform(0.0, start_ups[-1]))
        return "start-up"
    start_ups.append(await bot.wait_ready())
    mark, wanted = len(api.calls), rng.randint(*WORK_CALLS)
    loop = asyncio.get_running_loop()
    idle_until = loop.time() + 2 * STEP_TIMEOUT  # the workload never stops, but a kill must not wait forever
    while sum(name != "getUpdates" for name, _ in api.calls[mark:]) < wanted:
        remaining = idle_until - loop.time()
        if remaining <= 0:
            break
        await api.wait_change(api.version, min(remaining, 0.05))
    await asyncio.sleep(rng.uniform(0.0, 0.15))
    return "work"


async def test_thirty_sigkills_during_a_mixed_workload_lose_nothing_confirmed(tmp_path: Path) -> None:
    seed_value = int(os.environ.get("CRASH_SEED", "20261127"))
    print(f"\nCRASH_SEED={seed_value} CHAOS_KILLS={KILLS}")
    rng = random.Random(seed_value)
    db_path = tmp_path / "samenspel.db"
    users: dict[str, tuple[FakeUser, Role]] = {
        "Anna": (ANNA, Role.COORDINATOR),
        "Piet": (PIET, Role.PROFESSIONAL),
        "Fatima": (FATIMA, Role.PROFESSIONAL),
        **{v.first_name: (v, Role.VOLUNTEER) for v in VOLUNTEERS},
    }
    await seed(db_path, users, {v.first_name: ALIAS[v.id] for v in VOLUNTEERS})
    ledger = Ledger(ALIAS, step_timeout=STEP_TIMEOUT)
    loop = asyncio.get_running_loop()
    started = loop.time()
    async with FaultyBotApi() as api:
        # Each message is carried out a moment before Telegram answers: a kill in between leaves a
        # message that arrived but was not recorded as sent (it must come again, marked as a repeat).
        api.response_delay = float(os.environ.get("CHAOS_DELAY", "0.02"))
        for user, _ in users.values():
            api.register_user(user)
        bot = BotProcess(api, tmp_path)
        await bot.start()
        start_ups = [await bot.wait_ready()]
        moments: Counter[str] = Counter()
        done = asyncio.Event()
        tasks = [asyncio.create_task(volunteer(api, v, random.Random(rng.random()), ledger, done)) for v in VOLUNTEERS]
        tasks.append(asyncio.create_task(professional(api, PIET, random.Random(rng.random()), ledger, done)))
        killing_until = loop.time() + CHAOS_SECONDS
        try:
            # At least KILLS kills; more while some kind of action has not been confirmed yet, within bounds.
            while (bot.kills < KILLS or not ledger.every_kind()) and bot.kills < MAX_KILLS:
                if bot.kills >= KILLS and loop.time() > killing_until:
                    break
                moments[await kill_moment(api, bot, rng, start_ups)] += 1
                await bot.kill()
                await asyncio.sleep(rng.uniform(0.0, 0.3))
                await bot.start()
            start_ups.append(await bot.wait_ready())
            await asyncio.sleep(1.0)  # the flows under way finish on the last incarnation
        finally:
            done.set()
            for task in tasks:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        # The last incarnation runs until everything queued has gone out, then stops cleanly.
        for _ in range(150):
            if not rows(db_path, "SELECT 1 FROM outbox WHERE status = 'pending'") and api.pending_updates == 0:
                break
            await asyncio.sleep(0.1)
        stopped = await bot.stop()
        bot.close()
    elapsed = loop.time() - started

    problems: list[str] = []
    # Signals: each confirmed one is stored, once; every stored one reached Piet.
    stored = Counter(r["body"] for r in rows(db_path, "SELECT body FROM escalations WHERE kind = 'signal'"))
    problems += [f"confirmed signal {b!r} is not in the database" for b in ledger.signals - set(stored)]
    problems += [f"signal {b!r} stored {n} times" for b, n in stored.items() if n > 1]
    told = {
        r["body"]
        for r in rows(
            db_path,
            "SELECT e.body FROM escalations e JOIN escalation_recipients r ON r.escalation_id = e.id"
            " JOIN outbox o ON o.id = r.outbox_id JOIN people p ON p.id = r.person_id"
            " WHERE o.status = 'sent' AND p.telegram_id = ?",
            PIET.id,
        )
    }
    alerts = [
        (found.group(1), m.text.startswith("🔁"))
        for m in api.messages(PIET.id)
        if (found := BODY.search(m.history[0] if m.history else m.text)) and "signaal van" in m.text
    ]
    arrived = {b for b, _ in alerts}
    problems += [f"stored signal {b!r} never reached Piet" for b in set(stored) - (told & arrived)]
    unmarked = Counter(b for b, marked in alerts if not marked)
    problems += [f"Piet got {n} unmarked copies of {b!r}" for b, n in unmarked.items() if n > 1]
    # Acknowledgements: each confirmed one is stored; every volunteer heard of every pick-up.
    acknowledged = {r["body"] for r in rows(db_path, "SELECT body FROM escalations WHERE acknowledged_at IS NOT NULL")}
    problems += [f"confirmed pick-up of {b!r} is not in the database" for b in ledger.acks - acknowledged]
    for v in VOLUNTEERS:
        picked = sum(1 for b in acknowledged if b.startswith(f"chaos-{v.first_name}-"))
        heard = sum("heeft je signaal over" in m.text for m in api.messages(v.id))
        if heard < picked:
            problems.append(f"{v.first_name} heard of {heard} pick-ups, {picked} happened")
    # Check-ins: each one thanked for is stored as answered, with the answers given.
    answered = {
        r["id"]
        for r in rows(
            db_path,
            "SELECT id FROM checkins WHERE state = 'answered' AND hours = 3.5 AND energy = 4"
            " AND contact_outside = 'no' AND private_life = 0 AND beyond_role = 0",
        )
    }
    problems += [f"confirmed check-in {c} is not stored as answered" for c in ledger.checkins - answered]
    # Visits: as many stored as were confirmed started, as many ended as were confirmed ended.
    for v in VOLUNTEERS:
        visits = rows(
            db_path,
            "SELECT v.state FROM visits v JOIN people p ON p.id = v.volunteer_id WHERE p.telegram_id = ?",
            v.id,
        )
        if len(visits) < ledger.visit_starts[v.id]:
            problems.append(f"{v.first_name}: {ledger.visit_starts[v.id]} visits confirmed, {len(visits)} stored")
        if sum(r["state"] == "done" for r in visits) < ledger.visit_ends[v.id]:
            problems.append(f"{v.first_name}: {ledger.visit_ends[v.id]} visit ends confirmed, fewer stored")
    # Everything the outbox holds arrived; extra copies carry the repeat mark.
    audit = audit_delivery(db_path, api)
    problems += audit.problems()

    figures = {
        "seed": seed_value,
        "kills_survived": bot.kills,
        "kill_moments": dict(sorted(moments.items())),
        "start_up_seconds": {"min": round(min(start_ups), 2), "max": round(max(start_ups), 2)},
        "starts": bot.starts,
        "attempts": dict(sorted(ledger.attempts.items())),
        "confirmed": {
            "signals": len(ledger.signals),
            "acknowledgements": len(ledger.acks),
            "checkins": len(ledger.checkins),
            "visit_starts": sum(ledger.visit_starts.values()),
            "visit_ends": sum(ledger.visit_ends.values()),
        },
        "confirmed_total": ledger.total(),
        "signals_stored": len(stored),
        "outbox_messages": audit.messages,
        "delivered": audit.delivered,
        "arrived_twice": audit.arrived_twice,
        "copies_marked_as_repeat": audit.copies_marked,
        "lost": len(problems),
        "seconds": round(elapsed, 1),
    }
    print("chaos:", json.dumps(figures, ensure_ascii=False))
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "chaos.json").write_text(json.dumps(figures, indent=2, ensure_ascii=False) + "\n")

    assert problems == [], "\n".join(problems[:30])
    assert stopped == 0, "the last incarnation did not stop cleanly"
    assert bot.kills >= KILLS, "the test must actually kill the bot"
    # The workload really ran between the kills: every kind of action was confirmed at least once.
    assert ledger.signals and ledger.acks and ledger.checkins, figures
    assert sum(ledger.visit_starts.values()) and sum(ledger.visit_ends.values()), figures
