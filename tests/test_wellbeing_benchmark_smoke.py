"""The wellbeing benchmark at its smallest: it runs and reports every figure for one group (no figures asserted:
they are measurements, see python -m benchmarks.wellbeing)."""

from __future__ import annotations

from benchmarks.wellbeing import Config, report, run


def test_the_wellbeing_benchmark_reports_every_figure_before_and_after() -> None:
    config = Config(volunteers=3, weeks=12, groups=1)
    figures = run(config)
    assert all(len(counts.before) == len(counts.after) == 1 for counts in figures.values())
    lines = report(config, figures).splitlines()
    assert lines[0] == "wellbeing rules: 1 group of 3 volunteers, 12 weeks (seed 0)"
    assert [line.split("  ")[0] for line in lines[2:]] == list(figures)
