"""The fan-out benchmark at CI size: every volunteer gets exactly one prompt (no timing asserts)."""

from __future__ import annotations

from benchmarks.fanout import Config, report, run


async def test_quick_fanout_benchmark_loses_and_duplicates_nothing() -> None:
    config = Config.quick()
    result = await run(config, progress=lambda _: None)
    assert result.volunteers == config.volunteers
    assert result.lost == 0
    assert result.duplicates == 0
    assert result.delivered == config.volunteers
    assert result.fan_out_tick is not None and result.fan_out_tick.queued == config.volunteers
    summary = report(result).splitlines()[-1]
    assert summary.startswith(f"fanout benchmark: {config.volunteers} prompts at ")
    assert "lost=0; duplicates=0;" in summary
