"""published_warehouse: the read-only copy analysts open, plus the marts as Parquet,
replaced atomically by every run whose marts were derived: also a run with incomplete
captures, whose complete ones are published before its last step
(``ops_portal__capture_outcome``) fails it. A failed step or blocking check upstream
leaves the last good publication in place."""

import dagster as dg

from pipelines.assets.mart import MART_ASSETS, mart_key
from pipelines.partitions import monthly_partitions
from pipelines.resources import WarehouseResource
from warehouse.publish import publish


@dg.asset(
    key="published_warehouse",
    group_name="publish",
    deps=[mart_key(name) for name in MART_ASSETS],
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",
    kinds={"duckdb", "parquet"},
    owners=["team:dvc766"],
    description=(
        "Read-only copy of the warehouse for analysts (warehouse/published/dvc766.duckdb) "
        "and every published mart as Parquet partitioned by period "
        "(warehouse/published/parquet/)."
    ),
)
def published_warehouse(warehouse: WarehouseResource) -> dg.MaterializeResult:
    """Publish the working warehouse."""
    publication = publish(warehouse.path)
    return dg.MaterializeResult(
        metadata={
            "path": dg.MetadataValue.path(str(publication.database)),
            "parquet_dir": dg.MetadataValue.path(str(publication.parquet_dir)),
            "bytes": publication.bytes,
            "parquet_files": publication.parquet_files,
        }
    )
