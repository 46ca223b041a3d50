"""Jobs: every run that writes the warehouse is one of these, so the Dagster UI names what
it did. Each goes through the same core, marts, publication and outcome; they differ only
in where the captures come from."""

from __future__ import annotations

import dagster as dg

from pipelines.settings import WAREHOUSE_WRITE_TAGS

PORTAL_CAPTURES = dg.AssetSelection.assets("raw_portal__captures")
FILE_CAPTURES = dg.AssetSelection.assets("raw_files__captures")
_DOWNSTREAM = dg.AssetSelection.groups("core", "mart", "publish", "ops")

portal_job = dg.define_asset_job(
    name="portal_job",
    tags=WAREHOUSE_WRITE_TAGS,
    selection=PORTAL_CAPTURES | _DOWNSTREAM,
    description=(
        "Capture the portal for the selected months, normalise into core, derive the marts "
        "and publish the read-only warehouse; the run fails at the end if any capture it "
        "asked for is not complete."
    ),
)
files_job = dg.define_asset_job(
    name="files_job",
    tags={"dvc766/source": "file", **WAREHOUSE_WRITE_TAGS},
    selection=FILE_CAPTURES | _DOWNSTREAM,
    description=(
        "Record files (letters, spreadsheets, saved portal pages) as captures of the "
        "months they are about, then the same core, marts and publication as the portal's; "
        "the run fails at the end if a file did not become a complete capture "
        "(dvc766 ingest, inbox_sensor)."
    ),
)
rebuild_job = dg.define_asset_job(
    name="rebuild_job",
    tags=WAREHOUSE_WRITE_TAGS,
    selection=_DOWNSTREAM,
    description=(
        "Normalise the selected months again from the raw store (config force=true: every "
        "capture, not only new ones), derive the marts and publish (dvc766 rebuild)."
    ),
)
JOBS = (portal_job, files_job, rebuild_job)
