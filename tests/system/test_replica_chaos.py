"""benchmarks.replicas at a small size: 3 `samenspel run --webhook` replicas on one PostgreSQL while
volunteers report, ask for backup, check in and run visits and professionals pick up; one SIGKILL, one
SIGSTOP of the sender past its (short) lease, one terminated connection. Nothing confirmed is lost, no copy
arrives twice unmarked, no escalation step is applied twice, nothing arrives or is handled out of order."""

from __future__ import annotations

import pytest

from benchmarks.replicas import ChaosConfig, chaos_run, report
from tests.support.postgres import fresh_schema

pytestmark = pytest.mark.subprocess

SMALL = ChaosConfig(
    seconds=6.0,
    volunteers=3,
    kill_every=4.0,  # one kill, 3 to 5 s in
    restart_after=0.5,
    terminate_every=6.0,  # one terminated connection, 3 s in
    stop_at=0.25,  # the SIGSTOP 1.5 s in, for the lease and 2 s more
    lease_seconds=2.0,
    step_timeout=6.0,
)


async def test_three_replicas_under_kills_a_frozen_sender_and_dropped_connections_lose_nothing() -> None:
    with fresh_schema() as url:
        async with chaos_run(SMALL, url) as figures:
            print(report(figures, SMALL))
    counts = figures.counts
    assert (counts["kills"], counts["sigstops"]) == (1, 1), counts
    assert counts["connections_terminated"] >= 1, counts
    assert figures.lost == []
    assert figures.unmarked_duplicates == []
    assert figures.double_steps == []
    assert figures.order_violations == []
    # The frozen sender was replaced: the lease changed hands and the successor sent.
    assert counts["lease_takeovers"] >= 1 and counts["failover_seconds"], counts
    # The workload really ran through the chaos, and every replica stopped cleanly at the end.
    confirmed = counts["confirmed"]
    assert confirmed["signals"] and confirmed["checkins"], counts
    assert counts["exit_statuses"] == [0, 0, 0], counts
