"""mart_portal__*: the analyst marts (schema ``mart``) derived in SQL from core, with
blocking asset checks.

The marts are refreshed in one transaction (``warehouse.derive.refresh_marts``): only the
periods whose captures changed since the last refresh, and the periods that depend on
them, are derived again, so a nightly tick costs what changed, not the whole history;
the first refresh of a warehouse is a full one. Each monthly
partition depends on its own and the previous month of core (the previous period is
what score changes compare with), never on the mart itself.

The assets come from the registry of marts (``warehouse/marts.py``): one asset per mart
table, except the tables ``reported_with`` another, whose row counts that asset reports.
"""

import dagster as dg

from pipelines.assets.metadata import table_metadata
from pipelines.assets.sql_checks import SqlCheck, check_specs, run_checks, scoped_to_periods
from pipelines.partitions import monthly_partitions
from pipelines.resources import WarehouseResource
from warehouse.derive import checks_scope, record_checks, refresh_marts
from warehouse.marts import MartKind, of_kind

# Extra mart tables rebuilt with an asset, reported in its metadata: table → asset's table.
COMPANION_TABLES: dict[str, str] = {
    m.name: m.reported_with for m in of_kind(MartKind.TABLE) if m.reported_with
}
# The mart tables that are assets: name → description (naming the companions it rebuilds).
MART_ASSETS: dict[str, str] = {
    m.name: " ".join(
        [m.description]
        + [f"Also rebuilds mart.{c}." for c, owner in COMPANION_TABLES.items() if owner == m.name]
    )
    for m in of_kind(MartKind.TABLE)
    if m.reported_with is None
}
CORE_DEPS: tuple[str, ...] = (
    "core_portal__group_scores",
    "core_portal__unit_sightings",
    "core_portal__units",
    "core_portal__reported_totals",
)


def mart_key(table: str) -> dg.AssetKey:
    """The asset key of the mart table ``table``."""
    return dg.AssetKey(f"mart_portal__{table}")


# (check name, asset, description, SQL returning the number of offending rows)
MART_CHECKS: tuple[SqlCheck, ...] = tuple(
    SqlCheck(*check)
    for check in (
        (
            "total_within_100",
            "unit_period_scores",
            "Every total lies in [0, 100].",
            """SELECT count(*) FROM mart.unit_period_scores
           WHERE total_score < 0 OR total_score > 100""",
        ),
        (
            "groups_within_max",
            "unit_period_scores",
            "Every group score lies in [0, its methodology maximum] (to the portal's rounding).",
            """SELECT count(*)
           FROM (SELECT methodology_version, unnest(map_entries(group_scores), recursive := true)
                 FROM mart.unit_period_scores) AS s
           LEFT JOIN methodology.groups AS g
             ON g.version_id = s.methodology_version AND g.group_code = s.key
           WHERE s.value < 0 OR s.value > coalesce(g.max_score, 100) + 0.005""",
        ),
        (
            "unique_unit_period",
            "unit_period_scores",
            "One row per (unit, period type, period start).",
            """SELECT count(*) FROM (SELECT 1 FROM mart.unit_period_scores
           GROUP BY unit_id, period_type, period_start HAVING count(*) > 1)""",
        ),
        (
            "rank_within_cohort",
            "unit_period_scores",
            "A unit has a rank exactly when rank_null_reason is null, never without a total (a "
            "score, for group ranks), the rank lies in 1..cohort_size, and it is the "
            "competition rank (1, 2, 2, 4) of its total among the ranked units of its cohort "
            "(level, parent, period).",
            """SELECT
             (SELECT count(*) FROM (
                SELECT *, rank() OVER cohort AS expected
                FROM mart.unit_period_scores
                WINDOW cohort AS (
                    PARTITION BY unit_level, parent_unit_id, period_type, period_start,
                                 rank_null_reason IS NULL
                    ORDER BY total_score DESC)
              )
              WHERE (rank_null_reason IS NULL) = (rank IS NULL)
                 OR (rank IS NULL) <> (cohort_size IS NULL)
                 OR (total_score IS NULL AND rank IS NOT NULL) OR rank < 1 OR rank > cohort_size
                 OR rank <> expected)
           + (SELECT count(*) FROM (
                SELECT *, rank() OVER cohort AS expected
                FROM mart.group_ranks
                WINDOW cohort AS (
                    PARTITION BY group_code, unit_level, parent_unit_id, period_type,
                                 period_start, rank_null_reason IS NULL
                    ORDER BY round(score, 2) DESC)
              )
              WHERE (rank_null_reason IS NULL) = (rank IS NULL)
                 OR (rank IS NULL) <> (cohort_size IS NULL)
                 OR (score IS NULL AND rank IS NOT NULL) OR rank < 1 OR rank > cohort_size
                 OR rank <> expected)""",
        ),
        (
            "band_matches_total",
            "unit_period_scores",
            "The band is the methodology band whose [min, max) interval holds the total.",
            """SELECT count(*) FROM mart.unit_period_scores AS s
           LEFT JOIN methodology.bands AS b
             ON b.version_id = s.methodology_version
             AND s.total_score >= b.min_score AND s.total_score < b.max_score
           WHERE b.band_code IS DISTINCT FROM s.band_code OR b.name_vi IS DISTINCT FROM s.band""",
        ),
        (
            "unique_unit_period_changes",
            "score_changes",
            "One row per (unit, period type, period start), the same keys as unit_period_scores.",
            """SELECT
             (SELECT count(*) FROM (SELECT 1 FROM mart.score_changes
              GROUP BY unit_id, period_type, period_start HAVING count(*) > 1))
           + (SELECT count(*) FROM mart.score_changes AS c
              FULL JOIN mart.unit_period_scores AS s
                USING (unit_id, period_type, period_start)
              WHERE c.unit_id IS NULL OR s.unit_id IS NULL)""",
        ),
        (
            "band_counts_sum_to_cohort",
            "band_counts",
            "Each scope has one row per band of its methodology version, its counts sum to its "
            "cohort size, and that size is the number of banded units of the scope (a unit "
            "its cohort's capture does not list is not counted).",
            """WITH scopes AS (
             SELECT period_type, period_start, unit_level, parent_unit_id,
                    count(*) AS band_rows, sum(unit_count) AS counted,
                    min(cohort_size) AS size_min, max(cohort_size) AS size_max
             FROM mart.band_counts GROUP BY ALL
           ),
           banded AS (
             SELECT period_type, period_start, unit_level, parent_unit_id, methodology_version
             FROM mart.unit_period_scores
             WHERE band_code IS NOT NULL AND rank_null_reason IS DISTINCT FROM 'not_in_cohort'
           ),
           expected AS (
             SELECT period_type, period_start, unit_level, scope_parent AS parent_unit_id,
                    any_value(methodology_version) AS version_id, count(*) AS units
             FROM (SELECT *, parent_unit_id AS scope_parent FROM banded
                   WHERE parent_unit_id IS NOT NULL
                   UNION ALL
                   SELECT *, NULL AS scope_parent FROM banded)
             GROUP BY ALL
           ),
           band_rows AS (
             SELECT version_id, count(*) AS bands FROM methodology.bands GROUP BY ALL
           )
           SELECT count(*) FROM scopes AS s
           FULL JOIN expected AS e
             ON e.period_type = s.period_type AND e.period_start = s.period_start
             AND e.unit_level IS NOT DISTINCT FROM s.unit_level
             AND e.parent_unit_id IS NOT DISTINCT FROM s.parent_unit_id
           LEFT JOIN band_rows AS b ON b.version_id = e.version_id
           WHERE s.counted IS DISTINCT FROM e.units
              OR s.size_min IS DISTINCT FROM e.units OR s.size_max IS DISTINCT FROM e.units
              OR s.band_rows IS DISTINCT FROM b.bands""",
        ),
        (
            "revisions_end_at_current",
            "revisions",
            "The last revision of each (unit, period, group) is its current value.",
            """WITH last_revisions AS (  -- the value(s) of the latest capture of each key
             SELECT * FROM mart.revisions
             QUALIFY captured_at = max(captured_at) OVER (
               PARTITION BY unit_id, period_type, period_start, group_code)
           )
           SELECT
             (SELECT count(*) FROM mart.group_ranks AS g
              WHERE NOT EXISTS (
                SELECT 1 FROM last_revisions AS r
                WHERE r.unit_id = g.unit_id AND r.period_type = g.period_type
                  AND r.period_start = g.period_start AND r.group_code = g.group_code
                  AND r.value IS NOT DISTINCT FROM g.score))
           + (SELECT count(*) FROM
                (SELECT DISTINCT unit_id, period_type, period_start, group_code
                 FROM mart.revisions) AS r
              ANTI JOIN mart.group_ranks AS g
                USING (unit_id, period_type, period_start, group_code))""",
        ),
    )
)


@dg.multi_asset(
    name="mart_portal",
    specs=[
        dg.AssetSpec(
            mart_key(table),
            deps=[
                dg.AssetDep(
                    key,
                    partition_mapping=dg.TimeWindowPartitionMapping(start_offset=-1),
                )
                for key in CORE_DEPS
            ],
            description=description,
            group_name="mart",
            kinds={"duckdb", "sql"},
            owners=["team:dvc766"],
            skippable=False,
        )
        for table, description in MART_ASSETS.items()
    ],
    check_specs=check_specs(MART_CHECKS, mart_key),
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",
)
def mart_portal(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Derive the marts from core in one transaction (only the periods whose inputs
    changed since the last refresh), then check the marts."""
    keys = context.partition_keys
    context.log.info(f"Refreshing the marts (partitions {keys[0]} … {keys[-1]})")
    with warehouse.connect() as con:
        stats = refresh_marts(con)
        scope = checks_scope(con, stats)
        if scope is None:
            results = run_checks(con, MART_CHECKS, mart_key)
        else:  # only the periods just derived: the others passed before, unchanged
            with scoped_to_periods(con, *scope) as rewrite:
                results = run_checks(con, MART_CHECKS, mart_key, rewrite=rewrite)
        record_checks(con, all(result.passed for result in results))
        described = {table: table_metadata(con, "mart", table) for table in MART_ASSETS}
    derived = "every period" if stats.periods is None else f"{len(stats.periods)} periods"
    context.log.info(f"Marts refreshed ({derived}) in {stats.seconds:.2f} s: {stats.row_counts}")
    for table in MART_ASSETS:
        metadata: dict[str, object] = {
            **described[table],
            "rebuild_seconds": round(stats.seconds, 3),
            "refresh_mode": stats.mode,
            "periods_derived": -1 if stats.periods is None else len(stats.periods),
            "checks_scope": "every period" if scope is None else f"{len(scope[0])} periods",
            "partition_range": f"{keys[0]} … {keys[-1]}",
        }
        for companion, owner in COMPANION_TABLES.items():
            if owner == table:
                metadata[f"{companion}_row_count"] = stats.row_counts[companion]
        yield dg.MaterializeResult(asset_key=mart_key(table), metadata=metadata)
    yield from results
