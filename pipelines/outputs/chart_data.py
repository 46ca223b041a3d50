"""Read the series a chart needs from the marts and draw it: Vietnamese period labels,
titles that say what the chart covers (national or a province's units) and when its
figures are provisional, band thresholds from ``methodology.bands``, and the units a bump
chart names from ``mart.top_bottom``."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import polars as pl

from pipelines.outputs.charts import ChartFiles, bump_chart, groups_chart, total_chart
from pipelines.outputs.letter_data import LEVEL_LABELS, group_score, period_groups
from pipelines.outputs.provisional import provisional_note
from warehouse.periods import Period, period_label

BUMP_ENDS = 5
"""A bump chart of a larger cohort than ``BUMP_ALL_UP_TO`` names the first and the last
``BUMP_ENDS`` units (ties at the cut kept, as ``mart.top_bottom`` gives them)."""
BUMP_ALL_UP_TO = 20
"""Largest cohort a bump chart draws and names whole."""
NATIONAL_BUMP_TITLE = "Thứ hạng các tỉnh, thành phố trên toàn quốc theo tháng"


class ChartDataError(LookupError):
    """No data for the requested chart."""


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> pl.DataFrame:
    return pl.from_arrow(con.sql(sql, params=params).to_arrow_table())


def _month(start: date) -> Period:
    return Period("month", start)


def latest_closed_month(con: duckdb.DuckDBPyConnection, unit_id: str) -> Period | None:
    """The latest month of ``unit_id`` whose figures were taken after it closed."""
    row = con.execute(
        """SELECT max(period_start) FROM mart.unit_period_scores
           WHERE unit_id = ? AND period_type = 'month' AND NOT is_provisional""",
        [unit_id],
    ).fetchall()
    return _month(row[0][0]) if row[0][0] is not None else None


@dataclass(frozen=True)
class ChartUnit:
    """A unit a chart is drawn for, as :func:`find_unit` resolved it."""

    unit_id: str
    name: str
    code: str


def find_unit(con: duckdb.DuckDBPyConnection, code: str) -> ChartUnit:
    """The unit a code or id names: one canonical unit per code (``core.units_on``), the
    unit as it stands today, else the one seen nearest to today (a province merged in
    2025 keeps its own series). Resolve once and pass the result to each
    :func:`make_chart` of the same unit: the lookup reads every sighting."""
    row = con.execute(
        "SELECT unit_id, unit_name, unit_code FROM core.units_on(current_date) "
        "WHERE unit_code = ? OR unit_id = ?",
        [code.strip().upper(), code.strip()],
    ).fetchall()
    if not row:
        raise ChartDataError(f"không tìm thấy đơn vị {code!r}")
    return ChartUnit(*row[0])


def make_chart(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    unit: str | ChartUnit | None,
    *,
    out_dir: Path | str,
    period: str | None = None,
    level: str = "department",
    months: int | None = None,
) -> ChartFiles:
    """Draw chart ``kind`` ("total", "bump" or "groups") for ``unit`` (a code or id, or
    a unit :func:`find_unit` resolved).

    ``bump`` ranks the units of ``level`` under the province ``unit``, or the provinces
    nationally when ``level`` is "province" (``unit`` is then not needed), over every
    month, or the latest ``months`` months when given. ``groups`` without ``period``
    draws the latest month that had closed when it was captured.

    The reads run on a cursor of ``con`` (same database, same locked settings), so a
    result the caller left unfetched on ``con`` does not get in their way.
    """
    out = Path(out_dir)
    if kind not in ("total", "bump", "groups"):
        raise ValueError(f"loại biểu đồ không hợp lệ: {kind} (total | bump | groups)")
    with con.cursor() as cur:
        if kind == "bump" and level == "province":
            return _bump(cur, None, "", "toan-quoc", out, level, months)
        if unit is None:
            raise ChartDataError(f"biểu đồ {kind} cần mã đơn vị (--unit)")
        found = unit if isinstance(unit, ChartUnit) else find_unit(cur, unit)
        unit_id, name, code = found.unit_id, found.name, found.code
        if kind == "total":
            return _total(cur, unit_id, name, out, f"tong-diem-{code}")
        if kind == "bump":
            return _bump(cur, unit_id, name, f"{code}-{level}", out, level, months)
        return _groups(cur, unit_id, name, code, out, period)


def _total(
    con: duckdb.DuckDBPyConnection, unit_id: str, name: str, out: Path, stem: str
) -> ChartFiles:
    """A unit's monthly totals; provisional months are starred and named in the title."""
    history = _frame(
        con,
        """SELECT period_start, total_score, captured_at, is_provisional, methodology_version
           FROM mart.unit_period_scores
           WHERE unit_id = ? AND period_type = 'month' ORDER BY period_start""",
        [unit_id],
    )
    if history.is_empty():
        raise ChartDataError(f"chưa có điểm theo tháng của {name}")
    labels, notes = [], []
    for row in history.iter_rows(named=True):
        month = _month(row["period_start"])
        label = period_label("month", month.start)
        note = provisional_note(row["is_provisional"], row["captured_at"])
        labels.append(f"{label}*" if note else label)
        if note:
            notes.append(f"* {label}: {note}")
    thresholds = con.execute(
        """SELECT min_score::DOUBLE, name_vi FROM methodology.bands
           WHERE version_id = ? AND min_score > 0 ORDER BY min_score DESC""",
        [history["methodology_version"][-1]],
    ).fetchall()
    title = "\n".join([f"Tổng điểm theo tháng — {name}", *notes])
    return total_chart(
        history.with_columns(pl.Series("label", labels)), title, out, stem, thresholds
    )


def _bump(
    con: duckdb.DuckDBPyConnection,
    parent_id: str | None,
    name: str,
    stem: str,
    out: Path,
    level: str,
    months: int | None = None,
) -> ChartFiles:
    """Monthly ranks of the units of ``level`` under ``parent_id`` (None: the provinces,
    nationally), of every month or of the latest ``months``; a large cohort names its
    first and last units of the latest month."""
    ranks = _frame(
        con,
        """WITH ranked AS (
               SELECT unit_id, unit_name, period_start, rank, cohort_size, captured_at,
                      is_provisional
               FROM mart.unit_period_scores
               WHERE period_type = 'month' AND unit_level = ?
                 AND parent_unit_id IS NOT DISTINCT FROM ? AND rank IS NOT NULL
           )
           SELECT * FROM ranked
           WHERE ?::INTEGER IS NULL
              OR period_start > (SELECT max(period_start) FROM ranked) - to_months(?::INTEGER)
           ORDER BY period_start""",
        [level, parent_id, months, months],
    )
    scope = "toàn quốc" if parent_id is None else name
    if ranks.is_empty():
        raise ChartDataError(f"chưa có thứ hạng cấp {level} ({scope})")
    latest = _month(ranks["period_start"].max())
    current = ranks.filter(pl.col("period_start") == latest.start)
    ranks = ranks.with_columns(
        pl.col("period_start")
        .map_elements(lambda d: period_label("month", d), return_dtype=pl.String)
        .alias("label")
    )
    if parent_id is None:
        title = NATIONAL_BUMP_TITLE
    else:
        title = f"Thứ hạng theo tháng — {LEVEL_LABELS.get(level, level)}, {name}"
    subtitle = []
    top = bottom = None
    if current.height > BUMP_ALL_UP_TO:
        ends = _frame(
            con,
            """SELECT position, unit_id FROM mart.top_bottom(?)
               WHERE period_type = 'month' AND period_start = ? AND unit_level = ?
                 AND parent_unit_id IS NOT DISTINCT FROM ?
               ORDER BY rank, unit_name""",
            [BUMP_ENDS, latest.start, level, parent_id],
        )
        top = ends.filter(pl.col("position") == "top")["unit_id"].to_list()
        bottom = ends.filter(pl.col("position") == "bottom")["unit_id"].to_list()
        subtitle.append(
            f"{BUMP_ENDS} đơn vị dẫn đầu và {BUMP_ENDS} đơn vị cuối bảng "
            f"{period_label('month', latest.start)} (trên {current.height})"
        )
    note = provisional_note(current["is_provisional"].any(), current["captured_at"].max())
    if note:
        subtitle.append(f"{period_label('month', latest.start)} {note}")
    return bump_chart(
        ranks,
        "\n".join([title, *(["; ".join(subtitle)] if subtitle else [])]),
        out,
        f"thu-hang-{stem}",
        top=top,
        bottom=bottom,
    )


def _groups(
    con: duckdb.DuckDBPyConnection,
    unit_id: str,
    name: str,
    code: str,
    out: Path,
    period: str | None,
) -> ChartFiles:
    """A unit's group scores of ``period`` (default: the latest closed month)."""
    if period is None:
        p = latest_closed_month(con, unit_id)
        if p is None:
            raise ChartDataError(f"chưa có tháng nào đã kết thúc của {name}; chọn kỳ bằng --period")
    else:
        p = Period.parse(period)
    scores = _frame(
        con,
        """SELECT * FROM mart.unit_period_scores
           WHERE unit_id = ? AND period_type = ? AND period_start = ?""",
        [unit_id, p.period_type, p.start],
    )
    label = period_label(p.period_type, p.start)
    if scores.is_empty():
        raise ChartDataError(f"chưa có điểm {label} của {name}")
    row = scores.row(0, named=True)
    groups = period_groups(con, p)
    groups = groups.with_columns(
        pl.Series("score", [group_score(row, g) for g in groups["group_code"]], dtype=pl.Float64)
    )
    note = provisional_note(row["is_provisional"], row["captured_at"])
    title = f"Điểm các nhóm chỉ số {label}{f' ({note})' if note else ''} — {name}"
    return groups_chart(groups, title, out, f"nhom-{code}-{p.label}")
