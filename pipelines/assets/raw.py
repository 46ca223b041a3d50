"""raw_portal__captures: the portal's replies for each monthly partition, stored as
received in the raw store with a manifest row each."""

from datetime import date

import dagster as dg
from pydantic import Field

from pipelines import settings
from pipelines.capturing import SOURCES, capture_period
from pipelines.partitions import month_of_key, monthly_partitions
from pipelines.periods import Period, periods_for_month
from pipelines.resources import PortalResource, WarehouseResource
from pipelines.sources.portal.capture import CaptureStopped


class CaptureConfig(dg.Config):
    """Which source, periods and provinces to capture.

    By default a month partition captures the month itself, its quarter when the month
    closes it or is still open, (legacy only) its half-year likewise, and its year (to
    date) when the month is December or still open. ``periods`` (labels like
    ``2026-Q3``, ``2023-H1``) replaces that choice. ``source``: ``current`` (the current
    API) or ``legacy`` (``/jsp/rest.jsp``, history from 2022, half-years, districts).
    """

    periods: list[str] = Field(default_factory=list)
    provinces: list[str] = Field(default_factory=list)
    today: str | None = None  # ISO date standing for today; default: settings.today()
    source: str = "current"


@dg.asset(
    key="raw_portal__captures",
    group_name="raw",
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",
    kinds={"python", "duckdb"},
    owners=["team:dvc766"],
    description=(
        "Replies of the portal's current API (service-results and the six group endpoints "
        "of every province), or with source=legacy of its legacy API (the ranking of "
        "provinces, then each province's departments, districts and communes), for the "
        "partition's periods, stored immutably and "
        "content-addressed, with a manifest in raw.captures / raw.responses."
    ),
)
def raw_portal__captures(
    context: dg.AssetExecutionContext,
    config: CaptureConfig,
    portal: PortalResource,
    warehouse: WarehouseResource,
) -> dg.MaterializeResult:
    """Capture every period of the partitions in this run."""
    today = date.fromisoformat(config.today) if config.today else settings.today()
    run_id = context.run.run_id
    if config.source not in SOURCES:
        raise dg.Failure(
            description=f"unknown source {config.source!r}: expected one of {', '.join(SOURCES)}"
        )
    legacy = config.source == "legacy"
    summaries = []
    with portal.client() as client:
        for key in context.partition_keys:
            month = month_of_key(key)
            periods = (
                [Period.parse(label) for label in config.periods]
                if config.periods
                else periods_for_month(month, today, with_half=legacy)
            )
            if not legacy and any(p.period_type == "half" for p in periods):
                raise dg.Failure(
                    description="half-year periods exist only on the legacy API (source=legacy)"
                )
            for period in periods:
                context.log.info(f"Capturing {period} (partition {key})")
                try:
                    summary = capture_period(
                        client,
                        warehouse,
                        period,
                        provinces=config.provinces,
                        partition_month=month,
                        run_id=run_id,
                        source=config.source,
                        today=today,
                    )
                except CaptureStopped as stop:
                    raise dg.Failure(
                        description=f"Capture stopped during {period}: {stop}",
                        metadata={"period": period.label},
                    ) from stop
                summaries.append(summary)
                context.log.info(
                    f"{period}: {summary.complete}/{len(summary.records)} complete, "
                    f"{summary.new} new, {summary.bytes / 1e6:.1f} MB"
                )
    incomplete = [r for s in summaries for r in s.incomplete]
    for record in incomplete[:20]:
        context.log.warning(f"incomplete capture {record.capture_id}: {record.reason}")
    return dg.MaterializeResult(
        metadata={
            "source": config.source,
            "periods": dg.MetadataValue.text(", ".join(s.period.label for s in summaries)),
            "captures": sum(len(s.records) for s in summaries),
            "complete_captures": sum(s.complete for s in summaries),
            "incomplete_captures": len(incomplete),
            "new_captures": sum(s.new for s in summaries),
            "bytes_received": sum(s.bytes for s in summaries),
        }
    )
