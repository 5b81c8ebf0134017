"""The escalation benchmark at CI size: it runs, loses nothing and produces numbers (no timing asserts)."""

from __future__ import annotations

import math

from benchmarks.escalation import Config, report, run


async def test_quick_escalation_benchmark_loses_nothing() -> None:
    config = Config.quick()
    result = await run(config, progress=lambda _: None)
    assert result.lost == 0
    assert result.refused == 0 and result.burst > 0  # the per-person limit was on and refused nobody
    assert result.created == config.count and len(result.lateness) == config.count
    assert result.signals_sent == config.signals and len(result.signal_latency) == config.signals
    assert all(math.isfinite(value) for value in [*result.lateness, *result.signal_latency])
    assert result.peak_rss_kib > 0
    summary = report(result).splitlines()[-1]
    assert summary.startswith("escalation benchmark: timer lateness p50=") and summary.endswith("lost=0")
