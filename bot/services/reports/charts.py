"""PNG charts for the evaluation talk and the monthly report, drawn with matplotlib on its Agg backend (no display,
no files: the image is built in memory). The words on them come from the caller, in the reader's language."""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from matplotlib.figure import Figure

BAR = "#4C78A8"
AGREED = "#F58518"
ENERGY = "#54A24B"


@dataclass(frozen=True)
class ReviewChartWords:
    title: str
    hours: str
    agreed: str
    energy: str


def drawable(text: str) -> str:
    """The text without symbols such as emoji: the chart's font (DejaVu Sans, shipped with matplotlib) has none,
    and a team or person's name may hold one. Letters with accents (ë, é, ï) stay."""
    kept = "".join(c for c in text if unicodedata.category(c) not in ("So", "Cs", "Co", "Cn"))
    return " ".join(kept.split())


def _new_figure(width: float, height: float) -> Figure:
    """A figure drawn on the Agg backend (no display: into memory). matplotlib is imported here, on the first
    chart, not when the bot starts: it takes half a second, and every start (and restart) would pay it."""
    import matplotlib

    matplotlib.use("Agg")  # before pyplot could be imported: a server has no display
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    # Margins set by hand: tight_layout and bbox_inches="tight" each draw the figure once more to measure it.
    figure.savefig(out, format="png", dpi=100)
    return out.getvalue()


def review_chart(
    months: Sequence[str],
    hours: Sequence[float],
    agreed: Sequence[float | None],
    energy: Sequence[tuple[datetime, int]],
    words: ReviewChartWords,
) -> bytes:
    """Hours per month as bars against the agreement (a line), and the energy answers on a second axis."""
    words = ReviewChartWords(*(drawable(w) for w in (words.title, words.hours, words.agreed, words.energy)))
    figure = _new_figure(7, 3.6)
    axis: Any = figure.add_subplot(1, 2, 1)
    positions = list(range(len(months)))
    axis.bar(positions, hours, color=BAR, label=words.hours)
    if any(a is not None for a in agreed):
        axis.plot(positions, [a if a is not None else 0 for a in agreed], color=AGREED, marker="o", label=words.agreed)
    axis.set_xticks(positions, list(months))
    axis.tick_params(axis="x", labelrotation=30, labelsize=8)
    axis.set_title(words.hours)
    axis.legend(loc="upper center", bbox_to_anchor=(0.5, -0.2), ncol=2, fontsize=8)
    right: Any = figure.add_subplot(1, 2, 2)
    if energy:
        right.plot([at for at, _ in energy], [e for _, e in energy], color=ENERGY, marker="o")
    right.set_ylim(0.5, 5.5)
    right.set_yticks([1, 2, 3, 4, 5])
    right.set_title(words.energy)
    right.tick_params(axis="x", labelrotation=30, labelsize=7)
    figure.suptitle(words.title)
    figure.subplots_adjust(left=0.08, right=0.98, bottom=0.3, top=0.86, wspace=0.25)
    return _png(figure)


@dataclass(frozen=True)
class ReportChartWords:
    title: str
    hours_per_team: str
    pickup: str
    p50: str
    p90: str


def report_chart(
    teams: Sequence[str],
    team_hours: Sequence[float],
    urgencies: Sequence[str],
    p50: Sequence[float | None],
    p90: Sequence[float | None],
    words: ReportChartWords,
) -> bytes:
    """Hours per team, and time to pick-up (hours) by urgency, p50 and p90 side by side."""
    teams, urgencies = [drawable(team) for team in teams], [drawable(u) for u in urgencies]
    words = ReportChartWords(
        *(drawable(w) for w in (words.title, words.hours_per_team, words.pickup, words.p50, words.p90))
    )
    figure = _new_figure(8, 3.6)
    left: Any = figure.add_subplot(1, 2, 1)
    left.barh(list(teams) or ["-"], list(team_hours) or [0], color=BAR)
    left.set_title(words.hours_per_team)
    right: Any = figure.add_subplot(1, 2, 2)
    positions = list(range(len(urgencies)))
    right.bar([p - 0.2 for p in positions], [v or 0 for v in p50], width=0.4, color=BAR, label=words.p50)
    right.bar([p + 0.2 for p in positions], [v or 0 for v in p90], width=0.4, color=AGREED, label=words.p90)
    right.set_xticks(positions, list(urgencies))
    right.tick_params(axis="x", labelsize=8)
    right.set_title(words.pickup)
    right.legend(fontsize=8)
    figure.suptitle(words.title)
    figure.subplots_adjust(left=0.2, right=0.98, bottom=0.12, top=0.86, wspace=0.3)
    return _png(figure)
