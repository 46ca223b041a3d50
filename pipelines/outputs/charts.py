"""Charts for the letter and the UI: a unit's monthly total against the band thresholds,
a rank bump chart of a cohort, and group scores against their maxima. Each as a PNG
(matplotlib) and an interactive HTML page (plotly). The HTML pages of a folder share one
``plotly.min.js`` written beside them, so they work offline without carrying plotly each.

The functions draw what they are given: labels (Vietnamese periods), titles, thresholds
and which units to highlight come from :mod:`pipelines.outputs.chart_data`."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import plotly.graph_objects as go
import polars as pl
from matplotlib.ticker import MaxNLocator

LABEL_POINTS = 7.5
"""Font size of the unit names at the end of a bump chart's lines."""


@dataclass(frozen=True)
class ChartFiles:
    """The files of one chart and the series it plots."""

    png: Path
    html: Path
    series: dict[str, list]
    title: str = ""


def _save(
    fig_png, fig_html: go.Figure, out: Path, stem: str, series: dict, title: str
) -> ChartFiles:
    """Write the PNG and the HTML page; plotly.js goes once into ``out/plotly.min.js``."""
    out.mkdir(parents=True, exist_ok=True)
    png, html = out / f"{stem}.png", out / f"{stem}.html"
    fig_png.savefig(png, dpi=120, bbox_inches="tight")
    plt.close(fig_png)
    fig_html.write_html(html, include_plotlyjs="directory", full_html=True)
    return ChartFiles(png, html, series, title)


def _web_title(title: str) -> str:
    """A plotly title: the first line as the title, the next ones smaller."""
    first, *rest = title.split("\n")
    return first + "".join(f"<br><sup>{line}</sup>" for line in rest)


def total_chart(
    history: pl.DataFrame,
    title: str,
    out: Path,
    stem: str,
    thresholds: Sequence[tuple[float, str]],
) -> ChartFiles:
    """Monthly total of one unit (columns label, total_score, in order) with the band
    thresholds ``(lowest score, band name)`` as dashed lines."""
    x = history["label"].to_list()
    y = history["total_score"].to_list()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.plot(x, y, marker="o", color="#1f4e79", label="Tổng điểm")
    for value, label in thresholds:
        ax.axhline(value, color="#999999", linestyle="--", linewidth=0.8)
        ax.text(
            0.995,
            value + 0.4,
            label,
            transform=ax.get_yaxis_transform(),
            fontsize=8,
            color="#555555",
            ha="right",
        )
    lowest = min([v for v in y if v is not None] + [v for v, _ in thresholds] + [100])
    ax.set_ylim(max(0, lowest - 5), 100)
    ax.set_title(title)
    ax.set_ylabel("Điểm (trên 100)")
    if len(x) > 6:
        ax.tick_params(axis="x", rotation=45)
        for tick in ax.get_xticklabels():
            tick.set_horizontalalignment("right")
    web = go.Figure(go.Scatter(x=x, y=y, mode="lines+markers", name="Tổng điểm"))
    for value, label in thresholds:
        web.add_hline(y=value, line_dash="dash", annotation_text=label)
    web.update_layout(title=_web_title(title), yaxis_range=[0, 100])
    return _save(fig, web, out, stem, {"x": x, "total_score": y}, title)


def _spread(positions: list[float], gap: float) -> list[float]:
    """Label heights (data units, increasing downwards) at least ``gap`` apart, each as
    close to its line's end as the ones above it allow."""
    placed: list[float] = []
    for y in positions:
        placed.append(max(y, placed[-1] + gap) if placed else y)
    return placed


def _colour(index: int) -> tuple[float, ...]:
    """The ``index``-th line colour: tab20's ten dark shades first, then its light ones."""
    shade = index % 20
    return plt.get_cmap("tab20")(2 * shade if shade < 10 else 2 * (shade - 10) + 1)


def _bump_panel(ax, lines: list[dict], heading: str, periods: int) -> None:
    """Draw ``lines`` (name, x, rank) on ``ax`` with ranks downwards and each unit's rank
    and name at the right of its last point."""
    ranks = [r for line in lines for r in line["rank"]]
    low, high = min(ranks) - 0.5, max(ranks) + 0.5
    for index, line in enumerate(lines):
        ax.plot(line["x"], line["rank"], marker="o", linewidth=1.6, color=_colour(index))
    ax.set_ylim(high, low)
    ax.set_xlim(-0.3, periods - 0.7)
    if high - low <= 21:
        ax.set_yticks(range(min(ranks), max(ranks) + 1))
    else:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("Xếp hạng")
    ax.grid(axis="y", color="#eeeeee")
    if heading:
        ax.set_title(heading, loc="left", fontsize=10)
    figure = ax.get_figure()
    height_points = ax.get_position().height * figure.get_size_inches()[1] * 72
    gap = LABEL_POINTS * 1.35 / height_points * (high - low)
    ends = sorted(
        ((line["rank"][-1], line["x"][-1], index, line) for index, line in enumerate(lines)),
        key=lambda end: (end[0], end[3]["name"]),
    )
    heights = _spread([end[0] for end in ends], gap)
    for (rank, x, index, line), height in zip(ends, heights, strict=True):
        ax.annotate(
            f"{rank}. {line['name']}",
            xy=(x, rank),
            xytext=(1.02, height),
            textcoords=("axes fraction", "data"),
            fontsize=LABEL_POINTS,
            color=_colour(index),
            va="center",
            annotation_clip=False,
            arrowprops={"arrowstyle": "-", "color": "#bbbbbb", "linewidth": 0.6},
        )


def bump_chart(
    ranks: pl.DataFrame,
    title: str,
    out: Path,
    stem: str,
    *,
    top: Sequence[str] | None = None,
    bottom: Sequence[str] | None = None,
) -> ChartFiles:
    """Ranks of a cohort over periods (columns unit_id, unit_name, period_start, label,
    rank). With ``top`` and ``bottom`` (unit ids, best first), the PNG draws those two
    groups as two panels and the HTML shows them, the other units a click away in the
    legend; without, every unit is drawn and named."""
    ranks = ranks.sort(["period_start", "rank"])
    periods = ranks.select("period_start", "label").unique().sort("period_start")
    position = {d: i for i, d in enumerate(periods["period_start"].to_list())}
    labels = periods["label"].to_list()
    lines: dict[str, dict] = {}
    for (unit_id,), part in ranks.group_by(["unit_id"], maintain_order=True):
        lines[unit_id] = {
            "name": part["unit_name"][-1],
            "x": [position[d] for d in part["period_start"].to_list()],
            "rank": part["rank"].to_list(),
        }
    panels = (
        [("", list(lines))]
        if top is None or bottom is None
        else [("Dẫn đầu", list(top)), ("Cuối bảng", list(bottom))]
    )
    shown = [unit_id for _, ids in panels for unit_id in ids]
    height = max(4.5, 0.32 * len(lines) + 1.5) if len(panels) == 1 else 8.0
    fig, axes = plt.subplots(len(panels), 1, figsize=(11, height), squeeze=False)
    for ax, (heading, ids) in zip(axes[:, 0], panels, strict=True):
        _bump_panel(ax, [lines[i] for i in ids if i in lines], heading, len(labels))
        ax.set_xticks(range(len(labels)), labels, rotation=45 if len(labels) > 6 else 0)
    fig.suptitle(title, fontsize=12)
    fig.tight_layout()
    web = go.Figure()
    order = shown + [unit_id for unit_id in lines if unit_id not in shown]
    for unit_id in dict.fromkeys(order):
        line = lines[unit_id]
        web.add_trace(
            go.Scatter(
                x=[labels[i] for i in line["x"]],
                y=line["rank"],
                mode="lines+markers",
                name=line["name"],
                visible=True if unit_id in shown else "legendonly",
            )
        )
    web.update_layout(title=_web_title(title), yaxis={"autorange": "reversed", "title": "Xếp hạng"})
    series: dict[str, list] = {}
    for line in lines.values():
        name = line["name"] if line["name"] not in series else f"{line['name']} ({len(series)})"
        series[name] = line["rank"]
    return _save(fig, web, out, stem, series, title)


def groups_chart(groups: pl.DataFrame, title: str, out: Path, stem: str) -> ChartFiles:
    """Group scores against their maxima (columns name_vi, score, max_score)."""
    names = groups["name_vi"].to_list()
    scores = groups["score"].to_list()
    maxima = groups["max_score"].to_list()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.barh(names, maxima, color="#d9d9d9", label="Điểm tối đa")
    ax.barh(names, [s or 0 for s in scores], color="#2e75b6", label="Điểm đạt")
    ax.invert_yaxis()
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False)
    ax.set_title(title)
    web = go.Figure(
        [
            go.Bar(y=names, x=maxima, orientation="h", name="Điểm tối đa", marker_color="#d9d9d9"),
            go.Bar(y=names, x=scores, orientation="h", name="Điểm đạt", marker_color="#2e75b6"),
        ]
    )
    web.update_layout(title=_web_title(title), barmode="overlay", yaxis={"autorange": "reversed"})
    return _save(fig, web, out, stem, {"group": names, "score": scores, "max": maxima}, title)
