"""Read the series a chart needs from the marts and draw it."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from pipelines.outputs.charts import ChartFiles, bump_chart, groups_chart, total_chart
from pipelines.sources.portal.endpoints import GROUP_CODES
from warehouse.periods import Period


class ChartDataError(LookupError):
    """No data for the requested chart."""


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> pl.DataFrame:
    return pl.from_arrow(con.sql(sql, params=params).to_arrow_table())


def _unit(con: duckdb.DuckDBPyConnection, code: str) -> tuple[str, str, str]:
    row = con.execute(
        "SELECT unit_id, unit_name, unit_code FROM core.units WHERE unit_code = ? OR unit_id = ?",
        [code.strip().upper(), code.strip()],
    ).fetchall()
    if not row:
        raise ChartDataError(f"không tìm thấy đơn vị {code!r}")
    return row[0]


def make_chart(
    con: duckdb.DuckDBPyConnection,
    kind: str,
    unit: str,
    *,
    out_dir: Path | str,
    period: str | None = None,
    level: str = "department",
) -> ChartFiles:
    """Draw chart ``kind`` ("total", "bump" or "groups") for ``unit``."""
    out = Path(out_dir)
    unit_id, name, code = _unit(con, unit)
    if kind == "total":
        history = _frame(
            con,
            """SELECT period_start, total_score FROM mart.unit_period_scores
               WHERE unit_id = ? AND period_type = 'month' ORDER BY period_start""",
            [unit_id],
        )
        if history.is_empty():
            raise ChartDataError(f"chưa có điểm theo tháng của {name}")
        return total_chart(history, name, out, f"tong-diem-{code}")
    if kind == "bump":
        where = "parent_unit_id IS NULL" if level == "province" else "parent_unit_id = ?"
        params = [level] if level == "province" else [level, unit_id]
        ranks = _frame(
            con,
            f"""SELECT unit_name, period_start, rank FROM mart.unit_period_scores
                WHERE period_type = 'month' AND unit_level = ? AND {where}
                  AND rank IS NOT NULL ORDER BY period_start""",  # noqa: S608 (fixed clauses)
            params,
        )
        if ranks.is_empty():
            raise ChartDataError(f"chưa có thứ hạng cấp {level} của {name}")
        return bump_chart(ranks, f"Thứ hạng theo tháng — {name}", out, f"thu-hang-{code}-{level}")
    if kind == "groups":
        if period is None:
            raise ChartDataError("biểu đồ groups cần --period")
        p = Period.parse(period)
        scores = _frame(
            con,
            """SELECT ckmb, tdgq, clgq, tttt, mdhl, mdsh, methodology_version
               FROM mart.unit_period_scores
               WHERE unit_id = ? AND period_type = ? AND period_start = ?""",
            [unit_id, p.period_type, p.start],
        )
        if scores.is_empty():
            raise ChartDataError(f"chưa có điểm {p.label} của {name}")
        row = scores.row(0, named=True)
        groups = _frame(
            con,
            """SELECT group_code, name_vi, max_score::DOUBLE AS max_score FROM methodology.groups
               WHERE version_id = ? ORDER BY sort_order""",
            [row["methodology_version"]],
        ).with_columns(
            pl.col("group_code")
            .replace_strict({c: row[c.lower()] for c in GROUP_CODES}, return_dtype=pl.Float64)
            .alias("score")
        )
        return groups_chart(
            groups, f"Điểm các nhóm chỉ số {p.label} — {name}", out, f"nhom-{code}-{p.label}"
        )
    raise ValueError(f"loại biểu đồ không hợp lệ: {kind} (total | bump | groups)")
