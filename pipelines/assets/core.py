"""core_portal__*: the normalised core tables, loaded from the raw store, with blocking
asset checks."""

import dagster as dg

from pipelines.assets.metadata import table_metadata
from pipelines.assets.sql_checks import SqlCheck, check_specs, run_checks
from pipelines.partitions import month_of_key, monthly_partitions
from pipelines.resources import WarehouseResource
from pipelines.sources import legacy  # noqa: F401  (registers the legacy API's parser)
from pipelines.sources.files import parse as file_parsers  # noqa: F401  (file parsers)
from warehouse.load_core import captures_to_normalise, normalise_captures

CORE_TABLES: dict[str, str] = {
    "units": "One row per unit (portal departmentId): code, NFC name, type, level, parent, "
    "province, first and last seen.",
    "unit_sightings": "Every appearance of a unit in a valid reply, with what that reply said.",
    "group_scores": "The portal's score of a unit in one group for one period, per reply.",
    "metric_values": "Indicators (metrics[]) per unit and reply: numerator, denominator, "
    "ratio, score, max, data-quality flag and message.",
    "group_parameters": "Other numeric fields of a unit in a reply (totalReceived, fullCount…).",
    "reported_totals": "Totals and rank positions the portal reports in service-results.",
}
RAW_KEY = dg.AssetKey("raw_portal__captures")


def _key(table: str) -> dg.AssetKey:
    return dg.AssetKey(f"core_portal__{table}")


# (check name, asset, description, SQL returning the number of offending rows)
CORE_CHECKS: tuple[SqlCheck, ...] = tuple(
    SqlCheck(*check)
    for check in (
        (
            "unique_group_scores",
            "group_scores",
            "One row per (response, unit, group).",
            """SELECT count(*) FROM (SELECT 1 FROM core.group_scores
           GROUP BY response_id, unit_id, group_code HAVING count(*) > 1)""",
        ),
        (
            "unique_metric_values",
            "metric_values",
            "One row per (response, unit, metric).",
            """SELECT count(*) FROM (SELECT 1 FROM core.metric_values
           GROUP BY response_id, unit_id, metric_code HAVING count(*) > 1)""",
        ),
        (
            "scores_within_max",
            "group_scores",
            "Every group score lies in [0, max] (to the portal's rounding).",
            """SELECT count(*) FROM core.group_scores
           WHERE score < 0 OR (max_score IS NOT NULL AND score > max_score + 0.005)""",
        ),
        (
            "metric_scores_within_max",
            "metric_values",
            "Every indicator score lies in [0, max] (to the portal's rounding).",
            """SELECT count(*) FROM core.metric_values
           WHERE score < 0 OR (max_score IS NOT NULL AND score > max_score + 0.005)""",
        ),
        (
            "traceable_to_valid_raw",
            "group_scores",
            "Every core row points at a valid stored reply.",
            """SELECT count(*) FROM core.group_scores AS g
           LEFT JOIN raw.responses AS r
             ON r.response_id = g.response_id AND r.validation = 'valid'
           WHERE r.response_id IS NULL""",
        ),
        (
            "complete_captures_have_six_groups",
            "group_scores",
            "Each complete province capture of the current API holds its root's six groups "
            "(the legacy API lists a province's own scores only in its national ranking).",
            """SELECT count(*) FROM raw.captures AS c
           JOIN ops.normalisations AS n USING (capture_id)
           WHERE c.scope = 'province' AND c.status = 'complete' AND c.source = 'portal_api'
             AND (SELECT count(DISTINCT group_code) FROM core.group_scores AS g
                  WHERE g.capture_id = c.capture_id AND g.is_root) <> 6""",
        ),
        (
            "unit_names_nfc",
            "units",
            "Unit names are NFC-normalised.",
            "SELECT count(*) FROM core.units WHERE unit_name <> nfc_normalize(unit_name)",
        ),
        (
            "unique_units",
            "units",
            "One row per unit id.",
            """SELECT count(*) FROM (SELECT 1 FROM core.units GROUP BY unit_id
           HAVING count(*) > 1)""",
        ),
    )
)


@dg.multi_asset(
    name="core_portal",
    specs=[
        dg.AssetSpec(
            _key(table),
            deps=[RAW_KEY],
            description=description,
            group_name="core",
            kinds={"duckdb"},
            owners=["team:dvc766"],
            skippable=False,
        )
        for table, description in CORE_TABLES.items()
    ],
    check_specs=check_specs(CORE_CHECKS, _key),
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",
)
def core_portal(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    """Normalise the partitions' captures not yet in core, then check the core tables."""
    months = [month_of_key(key) for key in context.partition_keys]
    with warehouse.connect() as con:
        pending = captures_to_normalise(con, months)
        context.log.info(f"Normalising {len(pending)} captures")
        stats = normalise_captures(con, warehouse.store(), pending)
        metadata = {table: table_metadata(con, "core", table) for table in CORE_TABLES}
        results = run_checks(con, CORE_CHECKS, _key)
    loaded = stats.rows or {}
    for table in CORE_TABLES:
        yield dg.MaterializeResult(
            asset_key=_key(table),
            metadata={
                **metadata[table],
                "rows_loaded_this_run": loaded.get(table, 0),
                "captures_normalised": stats.captures,
            },
        )
    yield from results
