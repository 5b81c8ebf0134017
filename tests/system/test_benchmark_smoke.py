"""The benchmarks run, lose nothing and produce numbers (no timing asserts: the timing goals are the benchmarks'
own, `python -m benchmarks.… [--quick]`). The sizes here are smaller than `--quick`: what is proven is that
every phase works end to end, not the figures."""

from __future__ import annotations

import math
from dataclasses import replace

from benchmarks import escalation, fanout, priority, screening, updates, wellbeing


async def test_escalation_benchmark_loses_nothing() -> None:
    # 40 escalations over a simulated hour that takes a second, 5 signals through the flow.
    config = replace(escalation.Config.quick(), count=40, speed=3600.0, signals=5, volunteers=5, rate=0.0)
    result = await escalation.run(config, progress=lambda _: None)
    assert result.lost == 0
    assert result.refused == 0 and result.burst > 0  # the per-person limit was on and refused nobody
    assert result.created == config.count and len(result.lateness) == config.count
    assert result.signals_sent == config.signals and len(result.signal_latency) == config.signals
    assert all(math.isfinite(value) for value in [*result.lateness, *result.signal_latency])
    assert result.peak_rss_kib > 0
    summary = escalation.report(result).splitlines()[-1]
    assert summary.startswith("escalation benchmark: timer lateness p50=") and summary.endswith("lost=0")


async def test_fanout_benchmark_loses_and_duplicates_nothing() -> None:
    config = replace(fanout.Config.quick(), volunteers=200)
    result = await fanout.run(config, progress=lambda _: None)
    assert result.volunteers == config.volunteers
    assert result.lost == 0
    assert result.duplicates == 0
    assert result.delivered == config.volunteers
    assert result.fan_out_tick is not None and result.fan_out_tick.queued == config.volunteers
    summary = fanout.report(result).splitlines()[-1]
    assert summary.startswith(f"fanout benchmark: {config.volunteers} prompts at ")
    assert "lost=0; duplicates=0;" in summary


async def test_priority_benchmark_delivers_every_alert_and_prompt_once_and_budgets_the_strangers() -> None:
    # 60 volunteers at 200/s (a fan-out of 0.3 s), 3 urgent signals in it, 30 strangers at once in the middle.
    config = priority.Config(volunteers=60, rate=200.0, signals=3, strangers=30)
    result = await priority.run(config, progress=lambda _: None)
    assert result.lost == 0 and result.duplicates == 0 and result.prompts == config.volunteers
    assert len(result.alert_seconds) == config.signals and result.alerts_missing == 0
    assert 0 < result.stranger_replies < config.strangers  # the budget answered some, and dropped the rest
    summary = priority.report(result).splitlines()[-1]
    assert summary.startswith("priority benchmark: alert p99=") and "lost=0; duplicates=0;" in summary


async def test_updates_benchmark_measures_both_bots() -> None:
    config = updates.Config(volunteers=3, rounds=3, repeats=2, warmup_rounds=1)
    result = await updates.run(config, progress=lambda _: None)
    assert result.echo_cpu > 0 and result.real_cpu > 0
    assert len(result.block_ratios) == 2 and all(ratio > 0 for ratio in result.block_ratios)  # rounds 2 + 1
    summary = updates.report(result).splitlines()[-1]
    assert summary.startswith("updates benchmark: ") and summary.endswith("(goal <= 1.5)")


def test_screening_benchmark_measures_every_text() -> None:
    result = screening.run(runs=1)
    assert set(result.mean_ms) == set(screening.ADVERSARIAL)
    assert all(math.isfinite(value) and value > 0 for value in result.mean_ms.values())
    assert all(len(text) == screening.LENGTH for text in screening.ADVERSARIAL.values())
    summary = screening.report(result).splitlines()[-1]
    assert summary.startswith("screening benchmark: worst mean ") and "goal every mean <= 20 ms" in summary


def test_the_wellbeing_benchmark_reports_every_figure_before_and_after() -> None:
    # One group of 3 volunteers (the benchmark runs 10 of 30): its figures are measurements, not asserted.
    config = wellbeing.Config(volunteers=3, weeks=12, groups=1)
    figures = wellbeing.run(config)
    assert all(len(counts.before) == len(counts.after) == 1 for counts in figures.values())
    lines = wellbeing.report(config, figures).splitlines()
    assert lines[0] == "wellbeing rules: 1 group of 3 volunteers, 12 weeks (seed 0)"
    assert [line.split("  ")[0] for line in lines[2:]] == list(figures)
