"""ops_portal__capture_outcome: the last step of a capture run, failing the run when
anything it asked for is short of complete, after what was complete has been derived
and published.

A run ends SUCCESS only when every capture it asked for is complete and in core; one
incomplete capture, a stop by the portal (403/429), a capture rejected by a core check
or a stored reply that cannot be read makes it end FAILURE, naming them, so that the
Dagster UI, ``dvc766 status`` and the CLI's exit code say the same thing.
"""

import dagster as dg

from pipelines.partitions import month_of_key, monthly_partitions
from pipelines.resources import WarehouseResource
from pipelines.sources.registry import SOURCES
from warehouse.outcome import failure_headline, read_run_outcome, summary_lines

OUTCOME_KEY = "ops_portal__capture_outcome"


@dg.asset(
    key=OUTCOME_KEY,
    group_name="ops",
    deps=[dg.AssetKey("published_warehouse")],
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",
    kinds={"duckdb"},
    owners=["team:dvc766"],
    description=(
        "The run's outcome: materialised when every capture the run asked for is complete "
        "and in core; otherwise fails the run (after publication) naming the incomplete "
        "captures and why, a stop by the portal (403/429), the captures core checks "
        "quarantined and the stored replies that could not be read."
    ),
)
def ops_portal__capture_outcome(
    context: dg.AssetExecutionContext, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Read this run's outcome; fail the run unless it is complete."""
    months = [month_of_key(key) for key in context.partition_keys]
    with warehouse.connect() as con:
        outcome = read_run_outcome(con, context.run.run_id, months, SOURCES)
    lines = summary_lines(outcome)
    metadata = {
        "complete_captures": outcome.complete,
        "incomplete_captures": len(outcome.incomplete),
        "rejected_captures": len(outcome.rejected),
        "raw_store_faults": len(outcome.faults),
        "stopped": dg.MetadataValue.text(outcome.stopped.reason or "" if outcome.stopped else ""),
        "summary": dg.MetadataValue.md("\n".join(f"- {line.strip()}" for line in lines)),
    }
    if not outcome.ok:
        raise dg.Failure(
            description="\n".join([failure_headline(outcome), *lines]),
            metadata=metadata,
            allow_retries=False,
        )
    return dg.MaterializeResult(metadata=metadata)
