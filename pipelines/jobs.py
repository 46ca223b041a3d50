"""Jobs: capture and normalise the portal over a range of monthly partitions."""

from __future__ import annotations

import dagster as dg

from pipelines.partitions import monthly_partitions

portal_job = dg.define_asset_job(
    name="portal_job",
    selection=dg.AssetSelection.groups("raw", "core"),
    partitions_def=monthly_partitions,
    description="Capture the portal for the selected months and normalise into core.",
)
