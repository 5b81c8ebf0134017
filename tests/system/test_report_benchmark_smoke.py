"""`python -m benchmarks.report` runs end to end at a small size and produces its figures (no timing asserts: the
goals are the benchmark's own)."""

from __future__ import annotations

from benchmarks import report


def test_report_benchmark_builds_all_three() -> None:
    config = report.Config(volunteers=60, weeks=12, items=2, repeat=1)
    result = report.run(config, progress=lambda _: None)
    assert result.checkins == 60 * 12 and result.items == 60 * 2
    assert result.lines == 60
    assert set(result.timings) == {"overview", "review", "review chart", "report", "report chart"}
    assert result.peak_rss_kib > 0
    assert report.report(result).splitlines()[-1].startswith("report benchmark: overview best=")
