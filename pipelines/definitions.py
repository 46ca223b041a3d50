"""The dvc766 Dagster code location: assembles assets, checks, jobs, schedules and
resources. Load it with ``dagster dev -m pipelines.definitions``."""

from __future__ import annotations

import dagster as dg

from pipelines.assets.charts import out_portal__charts
from pipelines.assets.core import core_portal
from pipelines.assets.files import raw_files__captures
from pipelines.assets.mart import mart_portal
from pipelines.assets.outcome import ops_portal__capture_outcome
from pipelines.assets.publish import published_warehouse
from pipelines.assets.raw import raw_portal__captures
from pipelines.assets.site import out_portal__site
from pipelines.jobs import JOBS
from pipelines.resources import default_resources
from pipelines.schedules import nightly_portal_capture
from pipelines.sensors import inbox_sensor

defs = dg.Definitions(
    assets=[
        raw_portal__captures,
        raw_files__captures,
        core_portal,
        mart_portal,
        published_warehouse,
        out_portal__charts,
        out_portal__site,
        ops_portal__capture_outcome,
    ],
    jobs=list(JOBS),
    schedules=[nightly_portal_capture],
    sensors=[inbox_sensor],
    resources=default_resources(),
)
