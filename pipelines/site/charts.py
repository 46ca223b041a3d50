"""Trend and rank-history charts as inline SVG drawn in Python (no library, no network).

A line breaks where a period is missing or has no value, and at the 2025 reorganisation
(a labelled dashed rule), so nothing is joined across a gap or across the merger.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from markupsafe import Markup, escape

from pipelines.site.data import REORGANISATION

WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 400, 170, 30, 10, 14, 24
_PER_YEAR = {"month": 12, "quarter": 4, "half": 2, "year": 1}


def ordinal(period_type: str, start: date) -> int:
    """The period's position on a continuous axis of its type (consecutive periods
    differ by one)."""
    per_year = _PER_YEAR[period_type]
    return start.year * per_year + (start.month - 1) * per_year // 12


def short_label(period_type: str, start: date) -> str:
    """An axis label: ``10/26``, ``Q3/26``, ``H1/23``, ``2026``."""
    if period_type == "month":
        return f"{start.month}/{start.year % 100:02d}"
    if period_type == "quarter":
        return f"Q{(start.month - 1) // 3 + 1}/{start.year % 100:02d}"
    if period_type == "half":
        return f"H{1 if start.month <= 6 else 2}/{start.year % 100:02d}"
    return str(start.year)


def segments(
    points: list[tuple[date, float | None]], period_type: str
) -> list[list[tuple[date, float]]]:
    """The runs of ``points`` drawn as one line: a run ends at a missing period, a
    missing value, or the 2025 reorganisation."""
    runs: list[list[tuple[date, float]]] = []
    previous: date | None = None
    for start, value in sorted(points):
        if value is None:
            previous = None
            continue
        joined = (
            previous is not None
            and ordinal(period_type, start) - ordinal(period_type, previous) == 1
            and not previous < REORGANISATION <= start
        )
        if joined:
            runs[-1].append((start, value))
        else:
            runs.append([(start, value)])
        previous = start
    return runs


def line_chart(
    points: list[tuple[date, float | None]],
    period_type: str,
    *,
    title: str,
    y_max: float,
    y_min: float = 0.0,
    inverted: bool = False,
) -> Markup:
    """An SVG line chart of ``points`` (first day, value or None) on a continuous axis
    of ``period_type``; ``inverted`` puts small values on top (ranks)."""
    if not any(v is not None for _, v in points):
        return Markup('<p class="missing">chưa có dữ liệu</p>')
    first = min(ordinal(period_type, d) for d, _ in points)
    last = max(ordinal(period_type, d) for d, _ in points)
    span = max(last - first, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    y_span = (y_max - y_min) or 1.0

    def x(day: date) -> float:
        return LEFT + plot_w * (ordinal(period_type, day) - first) / span

    def y(value: float) -> float:
        share = (value - y_min) / y_span
        return TOP + plot_h * (share if inverted else 1 - share)

    parts: list[str] = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>'
    ]
    for tick in (y_min, (y_min + y_max) / 2, y_max):
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}"/><text class="tick" x="{LEFT - 4}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end">{tick:g}</text>'
        )
    days = sorted(d for d, _ in points)
    if days[0] < REORGANISATION <= days[-1]:
        rule = LEFT + plot_w * (ordinal(period_type, REORGANISATION) - first - 0.5) / span
        parts.append(
            f'<line class="reorg" x1="{rule:.1f}" x2="{rule:.1f}" y1="{TOP}" '
            f'y2="{HEIGHT - BOTTOM}"/><text class="reorg-label" x="{rule + 3:.1f}" '
            f'y="{TOP + 9}">Sắp xếp 7/2025</text>'
        )
    step = max(1, len(days) // 8)
    for day in days[::step]:
        # the label at the right edge ends there, so it is not cut off
        anchor = "end" if x(day) > WIDTH - RIGHT - 15 else "middle"
        parts.append(
            f'<text class="tick" x="{x(day):.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}">'
            f"{escape(short_label(period_type, day))}</text>"
        )
    for run in segments(points, period_type):
        coords = " ".join(f"{x(d):.1f},{y(v):.1f}" for d, v in run)
        if len(run) > 1:
            parts.append(f'<polyline class="line" points="{coords}"/>')
        for d, v in run:
            parts.append(
                f'<circle class="dot" cx="{x(d):.1f}" cy="{y(v):.1f}" r="3">'
                f"<title>{escape(short_label(period_type, d))}: {v:g}</title></circle>"
            )
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_charts(series: dict[str, list[dict[str, Any]]]) -> list[dict[str, Any]]:
    """One total-score chart per period type that has values, months first."""
    titles = {
        "month": "Theo tháng",
        "quarter": "Theo quý",
        "half": "Theo 6 tháng",
        "year": "Theo năm",
    }
    charts = []
    for kind, title in titles.items():
        found = series.get(kind) or []
        if not found:
            continue
        points = [(date.fromisoformat(r["period_start"]), r["total_score"]) for r in found]
        charts.append(
            {
                "title": title,
                "svg": line_chart(points, kind, title=f"Tổng điểm {title.lower()}", y_max=100),
            }
        )
    return charts


def rank_chart(found: list[dict[str, Any]], period_type: str) -> Markup:
    """The rank history of one unit (rank 1 on top)."""
    points = [(date.fromisoformat(r["period_start"]), r["rank"]) for r in found]
    sizes = [r["cohort_size"] for r in found if r["cohort_size"]]
    return line_chart(
        points,
        period_type,
        title="Thứ hạng",
        y_min=1,
        y_max=float(max(sizes or [1])),
        inverted=True,
    )
