"""Charts for the letter and the UI: a unit's monthly total against the band thresholds,
a rank bump chart of a cohort, and group scores against their maxima. Each as a PNG
(matplotlib) and an interactive HTML page (plotly, self-contained, works offline)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import plotly.graph_objects as go
import polars as pl

BAND_THRESHOLDS = ((90, "Xuất sắc"), (80, "Tốt"), (70, "Khá"), (50, "Trung bình"))


@dataclass(frozen=True)
class ChartFiles:
    """The files of one chart and the series it plots."""

    png: Path
    html: Path
    series: dict[str, list]


def _save(fig_png, fig_html: go.Figure, out: Path, stem: str, series: dict) -> ChartFiles:
    out.mkdir(parents=True, exist_ok=True)
    png, html = out / f"{stem}.png", out / f"{stem}.html"
    fig_png.savefig(png, dpi=120, bbox_inches="tight")
    plt.close(fig_png)
    fig_html.write_html(html, include_plotlyjs=True, full_html=True)
    return ChartFiles(png, html, series)


def total_chart(history: pl.DataFrame, unit_name: str, out: Path, stem: str) -> ChartFiles:
    """Monthly total of one unit (columns period_start, total_score) with band lines."""
    history = history.sort("period_start")
    x = [d.strftime("%m/%Y") for d in history["period_start"].to_list()]
    y = history["total_score"].to_list()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.plot(x, y, marker="o", color="#1f4e79", label="Tổng điểm")
    for value, label in BAND_THRESHOLDS:
        ax.axhline(value, color="#999999", linestyle="--", linewidth=0.8)
        ax.text(len(x) - 0.5, value + 0.4, label, fontsize=8, color="#555555", ha="right")
    ax.set_ylim(max(0, min([v for v in y if v is not None] + [50]) - 5), 100)
    ax.set_title(f"Tổng điểm theo tháng — {unit_name}")
    ax.set_ylabel("Điểm (trên 100)")
    ax.tick_params(axis="x", rotation=45)
    web = go.Figure(go.Scatter(x=x, y=y, mode="lines+markers", name="Tổng điểm"))
    for value, label in BAND_THRESHOLDS:
        web.add_hline(y=value, line_dash="dash", annotation_text=label)
    web.update_layout(title=f"Tổng điểm theo tháng — {unit_name}", yaxis_range=[0, 100])
    return _save(fig, web, out, stem, {"x": x, "total_score": y})


def bump_chart(ranks: pl.DataFrame, title: str, out: Path, stem: str) -> ChartFiles:
    """Ranks of a cohort over months (columns unit_name, period_start, rank)."""
    ranks = ranks.sort(["unit_name", "period_start"])
    fig, ax = plt.subplots(figsize=(10, 6))
    web = go.Figure()
    series: dict[str, list] = {}
    for (name,), part in ranks.group_by(["unit_name"], maintain_order=True):
        x = [d.strftime("%m/%Y") for d in part["period_start"].to_list()]
        y = part["rank"].to_list()
        series[name] = y
        ax.plot(x, y, marker="o", linewidth=1.2)
        ax.annotate(name, (x[-1], y[-1]), fontsize=7, xytext=(4, 0), textcoords="offset points")
        web.add_trace(go.Scatter(x=x, y=y, mode="lines+markers", name=name))
    ax.invert_yaxis()
    ax.set_title(title)
    ax.set_ylabel("Xếp hạng")
    web.update_layout(title=title, yaxis={"autorange": "reversed", "title": "Xếp hạng"})
    return _save(fig, web, out, stem, series)


def groups_chart(groups: pl.DataFrame, title: str, out: Path, stem: str) -> ChartFiles:
    """Group scores against their maxima (columns name_vi, score, max_score)."""
    names = groups["name_vi"].to_list()
    scores = groups["score"].to_list()
    maxima = groups["max_score"].to_list()
    fig, ax = plt.subplots(figsize=(9, 4.5))
    ax.barh(names, maxima, color="#d9d9d9", label="Điểm tối đa")
    ax.barh(names, [s or 0 for s in scores], color="#2e75b6", label="Điểm đạt")
    ax.invert_yaxis()
    ax.legend(loc="lower right")
    ax.set_title(title)
    web = go.Figure(
        [
            go.Bar(y=names, x=maxima, orientation="h", name="Điểm tối đa", marker_color="#d9d9d9"),
            go.Bar(y=names, x=scores, orientation="h", name="Điểm đạt", marker_color="#2e75b6"),
        ]
    )
    web.update_layout(title=title, barmode="overlay", yaxis={"autorange": "reversed"})
    return _save(fig, web, out, stem, {"group": names, "score": scores, "max": maxima})
