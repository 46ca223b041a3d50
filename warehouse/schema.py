"""Create or upgrade the warehouse schema from the DDL files in ``sql/``.

Every DDL file is idempotent (``CREATE … IF NOT EXISTS``, ``INSERT OR REPLACE`` for the
methodology seeds), so applying the schema to an existing warehouse changes nothing.
"""

from __future__ import annotations

import duckdb

from warehouse.sql_files import read_sql

# Order matters only across layers; within a layer each file stands alone.
DDL_FILES: tuple[str, ...] = (
    "schemas.sql",
    "raw/captures.sql",
    "raw/responses.sql",
    "raw/quarantine.sql",
    "ops/fetch_attempts.sql",
    "ops/normalisations.sql",
    "ops/raw_store_faults.sql",
    "ops/run_captures.sql",
    "ops/rejected_captures.sql",
    "methodology/versions.sql",
    "methodology/groups.sql",
    "methodology/indicators.sql",
    "methodology/bands.sql",
    "methodology/rate_to_points.sql",
    "core/unit_sightings.sql",
    "core/units.sql",
    "core/group_scores.sql",
    "core/metric_values.sql",
    "core/group_parameters.sql",
    "core/reported_totals.sql",
    "core/current_group_scores.sql",
    "core/group_scores_as_of.sql",
    "core/reorganisation_2025.sql",
    "core/reference_units.sql",
    "core/unit_match_review.sql",
    "mart/period_length.sql",
    "mart/unit_lineage.sql",
    "mart/unit_lineage_2025.sql",
    "mart/unit_levels.sql",
    "mart/group_values_as_of.sql",
    "mart/unit_period_scores_as_of.sql",
    "mart/unit_period_scores.sql",
    "mart/merged_province_scores.sql",
    "mart/group_ranks_as_of.sql",
    "mart/group_ranks.sql",
    "mart/score_changes_of.sql",
    "mart/score_changes_as_of.sql",
    "mart/score_changes.sql",
    "mart/band_counts_of.sql",
    "mart/band_counts_as_of.sql",
    "mart/band_counts.sql",
    "mart/movement_counts_of.sql",
    "mart/movement_counts_as_of.sql",
    "mart/movement_counts.sql",
    "mart/revisions_as_of.sql",
    "mart/revisions.sql",
    "mart/band_count_table_of.sql",
    "mart/band_count_table.sql",
    "mart/band_count_table_as_of.sql",
    "mart/top_bottom_of.sql",
    "mart/top_bottom.sql",
    "mart/top_bottom_as_of.sql",
    "comments/core_raw.sql",
    "comments/ops.sql",
)


def apply_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Apply every DDL file in order inside one transaction."""
    con.execute("BEGIN TRANSACTION")
    try:
        for name in DDL_FILES:
            con.execute(read_sql(name))
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
