"""out_portal__charts: charts of the latest month in the run, written next to the
publication (PNG + interactive HTML sharing one plotly.min.js in the folder) and previewed
in the Dagster UI. A month still open when captured is titled "tạm tính"."""

import base64
import json

import dagster as dg
import duckdb
from pydantic import Field

from pipelines.partitions import month_of_key, monthly_partitions
from pipelines.resources import WarehouseResource
from warehouse.periods import Period
from warehouse.publish import published_path


class ChartsConfig(dg.Config):
    """Units to chart besides the national ranking (codes such as H44); default: the
    province ranked first in the run's last month."""

    units: list[str] = Field(default_factory=list)


def _preview(png: bytes, title: str) -> dg.MetadataValue:
    encoded = base64.b64encode(png).decode("ascii")
    return dg.MetadataValue.md(f"**{title}**\n\n![{title}](data:image/png;base64,{encoded})")


@dg.asset(
    key="out_portal__charts",
    group_name="publish",
    deps=[dg.AssetKey("published_warehouse")],
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"python", "html"},
    owners=["team:dvc766"],
    description=(
        "Charts for people (PNG and interactive HTML, one shared plotly.min.js) of the run's "
        "last month: the national rank bump chart of provinces over the last 13 months, and "
        "a unit's monthly total against the band thresholds and its group scores against "
        "their maxima; a month not yet closed when captured is titled as provisional "
        "(tạm tính)."
    ),
)
def out_portal__charts(
    context: dg.AssetExecutionContext, config: ChartsConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Draw the charts from the published warehouse, unless what they show (the
    month's and the earlier months' scores) is what the last drawing showed."""
    month = Period("month", month_of_key(context.partition_keys[-1]))
    database = published_path(warehouse.path)
    out = database.parent / "charts" / month.label
    metadata: dict[str, dg.MetadataValue] = {"folder": dg.MetadataValue.path(str(out))}
    with duckdb.connect(str(database), read_only=True) as con:
        drawn = _fingerprint(con, month, config.units)
        stamp = out / CHARTS_FINGERPRINT
        if stamp.is_file() and stamp.read_text(encoding="utf-8") == drawn:
            context.log.info(f"Charts of {month} unchanged: not drawn again")
            metadata["unchanged"] = dg.MetadataValue.bool(True)
            return dg.MaterializeResult(metadata=metadata)
        # plotly and matplotlib are imported only when charts are drawn (start-up stays lean)
        from pipelines.outputs.chart_data import NATIONAL_BUMP_TITLE, find_unit, make_chart

        units = config.units or [
            row[0]
            for row in con.execute(
                """SELECT unit_code FROM mart.unit_period_scores
                   WHERE unit_level = 'province' AND period_type = 'month'
                     AND period_start = ? AND rank IS NOT NULL
                   ORDER BY rank, unit_code LIMIT 1""",
                [month.start],
            ).fetchall()
        ]
        if not units:
            context.log.warning(f"No ranked province in {month}: no charts drawn")
            return dg.MaterializeResult(metadata=metadata)
        bump = make_chart(con, "bump", None, out_dir=out, level="province", months=BUMP_MONTHS)
        metadata["bump_chart"] = _preview(bump.png.read_bytes(), NATIONAL_BUMP_TITLE)
        for code in units:
            unit = find_unit(con, code)  # once for both charts
            total = make_chart(con, "total", unit, out_dir=out)
            groups = make_chart(con, "groups", unit, out_dir=out, period=month.label)
            metadata[f"total_{code}"] = _preview(total.png.read_bytes(), f"Tổng điểm — {code}")
            metadata[f"groups_{code}"] = _preview(groups.png.read_bytes(), f"Nhóm — {code}")
        stamp.write_text(drawn, encoding="utf-8")
    return dg.MaterializeResult(metadata=metadata)


BUMP_MONTHS = 13
"""Months of the run's bump chart: the latest and the twelve before it (the same month a
year earlier is on it), so drawing it does not grow with the history (the CLI's
``chart bump`` draws every month)."""

CHARTS_FINGERPRINT = ".drawn-from"
"""In a month's chart folder: what its charts were drawn from (:func:`_fingerprint`)."""


def _fingerprint(con: duckdb.DuckDBPyConnection, month: Period, units: list[str]) -> str:
    """The units asked for and a hash of the monthly scores up to ``month`` (what the
    bump, total and group charts show)."""
    row = con.execute(
        """SELECT count(*) || '/' || coalesce(sum(hash(s)), 0) FROM mart.unit_period_scores AS s
           WHERE period_type = 'month' AND period_start <= ?""",
        [month.start],
    ).fetchone()
    return json.dumps({"units": sorted(units), "scores": row[0] if row else ""})
