"""Jobs: capture and normalise the portal over a range of monthly partitions."""

from __future__ import annotations

import dagster as dg

from pipelines.settings import WAREHOUSE_WRITE_TAGS

portal_job = dg.define_asset_job(
    name="portal_job",
    tags=WAREHOUSE_WRITE_TAGS,
    selection=dg.AssetSelection.groups("raw", "core", "mart", "publish", "ops"),
    description=(
        "Capture the portal for the selected months, normalise into core, derive the marts "
        "and publish the read-only warehouse; the run fails at the end if any capture it "
        "asked for is not complete."
    ),
)
