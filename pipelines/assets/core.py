"""core_portal__*: the normalised core tables, loaded from the raw store, with blocking
asset checks."""

import dagster as dg

from pipelines.assets.metadata import table_metadata
from pipelines.assets.sql_checks import SqlCheck, check_specs, offending_captures, run_checks
from pipelines.partitions import month_of_key, monthly_partitions
from pipelines.resources import WarehouseResource
from pipelines.sources.registry import SOURCES
from warehouse.load_core import normalise_captures
from warehouse.rejections import captures_to_load, settle_checked_captures

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
RAW_KEYS = [dg.AssetKey("raw_portal__captures"), dg.AssetKey("raw_files__captures")]
"""Every source's captures: core loads the pending captures of its partitions, whatever
their source."""


def _key(table: str) -> dg.AssetKey:
    return dg.AssetKey(f"core_portal__{table}")


def _unique_check(
    name: str, table: str, key: str, reason: str, columns: tuple[str, ...]
) -> tuple[str, str, str, str, str]:
    """A per-capture check that ``table`` holds one row per ``columns`` in each capture
    (the tables' unique keys, checked rather than indexed so bulk loads stay fast).
    ``table`` and ``columns`` are identifiers from this module, never input."""
    group_by = ", ".join(("capture_id", *columns))
    sql = f"""SELECT capture_id, count(*) FROM (
             SELECT capture_id FROM core.{table}
             WHERE capture_id IN (SELECT unnest(?::VARCHAR[]))
             GROUP BY {group_by} HAVING count(*) > 1)
           GROUP BY capture_id"""  # noqa: S608
    return (name, table, f"One row per {key} in each capture loaded by the run.", reason, sql)


# Per-capture checks: (name, asset, description, reason, SQL taking the capture ids
# loaded in this run and returning (capture_id, offending rows) per capture that fails).
# A capture they find is quarantined (warehouse.rejections) and the run goes on.
_PER_CAPTURE: tuple[tuple[str, str, str, str, str], ...] = (
    *(
        _unique_check(*spec)
        for spec in (
            (
                "unique_group_scores",
                "group_scores",
                "(response, unit, group)",
                "group score written twice for one unit",
                ("response_id", "unit_id", "group_code"),
            ),
            (
                "unique_metric_values",
                "metric_values",
                "(response, unit, metric)",
                "indicator written twice for one unit",
                ("response_id", "unit_id", "metric_code"),
            ),
            (
                "unique_unit_sightings",
                "unit_sightings",
                "(response, unit)",
                "unit listed twice in one reply",
                ("response_id", "unit_id"),
            ),
            (
                "unique_group_parameters",
                "group_parameters",
                "(response, unit, parameter)",
                "parameter written twice for one unit",
                ("response_id", "unit_id", "parameter"),
            ),
            (
                "unique_reported_totals",
                "reported_totals",
                "(response, unit, period)",
                "reported total written twice for one unit",
                ("response_id", "unit_id", "period_type", "period_start"),
            ),
        )
    ),
    (
        "scores_within_max",
        "group_scores",
        "Every group score of the captures loaded by the run lies in [0, max] (to the "
        "portal's rounding).",
        "group score outside [0, its maximum]",
        """SELECT capture_id, count(*) FROM core.group_scores
           WHERE capture_id IN (SELECT unnest(?::VARCHAR[]))
             AND (score < 0 OR (max_score IS NOT NULL AND score > max_score + 0.005))
           GROUP BY capture_id""",
    ),
    (
        "metric_scores_within_max",
        "metric_values",
        "Every indicator score of the captures loaded by the run lies in [0, max] (to the "
        "portal's rounding).",
        "indicator score outside [0, its maximum]",
        """SELECT capture_id, count(*) FROM core.metric_values
           WHERE capture_id IN (SELECT unnest(?::VARCHAR[]))
             AND (score < 0 OR (max_score IS NOT NULL AND score > max_score + 0.005))
           GROUP BY capture_id""",
    ),
    (
        "traceable_to_valid_raw",
        "group_scores",
        "Every core row of the captures loaded by the run points at a valid stored reply.",
        "core row without a valid stored reply",
        """SELECT g.capture_id, count(*) FROM core.group_scores AS g
           LEFT JOIN raw.responses AS r
             ON r.response_id = g.response_id AND r.validation = 'valid'
           WHERE g.capture_id IN (SELECT unnest(?::VARCHAR[])) AND r.response_id IS NULL
           GROUP BY g.capture_id""",
    ),
    (
        "complete_captures_have_their_groups",
        "group_scores",
        "Each complete province capture of the current API loaded by the run holds its "
        "root's score in every group it fetched (the legacy API lists a province's own "
        "scores only in its national ranking).",
        "complete capture without a root score for every group fetched",
        """SELECT c.capture_id, 1 FROM raw.captures AS c
           WHERE c.capture_id IN (SELECT unnest(?::VARCHAR[]))
             AND c.scope = 'province' AND c.status = 'complete' AND c.source = 'portal_api'
             AND (SELECT count(DISTINCT group_code) FROM core.group_scores AS g
                  WHERE g.capture_id = c.capture_id AND g.is_root)
                 <> (SELECT count(DISTINCT group_code) FROM raw.responses AS r
                     WHERE r.capture_id = c.capture_id AND r.group_code IS NOT NULL)""",
    ),
)
# Global checks, for what cannot be scoped to a capture: (name, asset, description, SQL
# returning the number of offending rows). A failure blocks the marts.
_GLOBAL: tuple[tuple[str, str, str, str], ...] = (
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
CORE_CHECKS: tuple[SqlCheck, ...] = tuple(
    SqlCheck(name, table, description, sql, reason)
    for name, table, description, reason, sql in _PER_CAPTURE
) + tuple(SqlCheck(*check) for check in _GLOBAL)


class CoreConfig(dg.Config):
    """``force``: normalise every capture of the partitions again, not only the new ones
    (``dvc766 rebuild``, after a parser change or a repair of the raw store)."""

    force: bool = False


@dg.multi_asset(
    name="core_portal",
    specs=[
        dg.AssetSpec(
            _key(table),
            deps=RAW_KEYS,
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
def core_portal(
    context: dg.AssetExecutionContext, config: CoreConfig, warehouse: WarehouseResource
):
    """Normalise the partitions' captures not yet in core (less those rejected under
    their current parser), check what this run loaded, quarantine the captures a
    per-capture check finds, then run the global checks."""
    months = [month_of_key(key) for key in context.partition_keys]
    with warehouse.connect() as con:
        pending = captures_to_load(con, months, SOURCES, force=config.force)
        context.log.info(f"Normalising {len(pending)} captures")
        stats = normalise_captures(con, warehouse.store(), pending, SOURCES)
        offences = offending_captures(con, CORE_CHECKS, stats.capture_ids)
        settle_checked_captures(
            con, stats.capture_ids, offences, SOURCES, run_id=context.run.run_id
        )
        metadata = {table: table_metadata(con, "core", table) for table in CORE_TABLES}
        results = run_checks(con, CORE_CHECKS, _key, quarantined=offences)
    for capture_id, found in sorted(offences.items()):
        checks = ", ".join(o.check_name for o in found)
        context.log.warning(f"capture {capture_id} quarantined by core checks: {checks}")
    for fault in stats.faults:
        context.log.warning(f"capture {fault.capture_id} not loaded: {fault}")
    loaded = stats.rows or {}
    for table in CORE_TABLES:
        yield dg.MaterializeResult(
            asset_key=_key(table),
            metadata={
                **metadata[table],
                "rows_loaded_this_run": loaded.get(table, 0),
                "captures_normalised": stats.captures - len(offences),
                "captures_quarantined": len(offences),
                "raw_store_faults": len(stats.faults),
            },
        )
    yield from results
