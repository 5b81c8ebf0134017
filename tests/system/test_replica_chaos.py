"""benchmarks.replicas at a small size: 3 `samenspel run --webhook` replicas on one PostgreSQL while
volunteers report, ask for backup, check in and run visits and professionals pick up; one SIGKILL, one
SIGSTOP of the sender past its (short) lease, one terminated connection. Nothing confirmed is lost, no copy
arrives twice unmarked, no escalation step is applied twice, nothing arrives or is handled out of order."""

from __future__ import annotations

import pytest

from benchmarks.replicas import ChaosConfig, chaos_run, report
from tests.support.postgres import fresh_schema

pytestmark = pytest.mark.subprocess

SMALL = ChaosConfig.quick()


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
    # The workload really ran through the chaos (at this size a loaded machine confirms a few actions, not
    # every kind), and every replica stopped cleanly at the end.
    confirmed = counts["confirmed"]
    assert confirmed["signals"] + confirmed["backups"] >= 1 and sum(confirmed.values()) >= 3, counts
    assert counts["exit_statuses"] == [0, 0, 0], counts
