"""raw_portal__captures: the portal's replies for each monthly partition, stored as
received in the raw store with a manifest row each."""

from datetime import date

import dagster as dg
from pydantic import Field

from pipelines import settings
from pipelines.capturing import SOURCES, PeriodCaptureSummary, capture_period
from pipelines.partitions import month_of_key, monthly_partitions
from pipelines.resources import PortalResource, WarehouseResource
from pipelines.sources.fetching import CaptureStopped
from warehouse.outcome import record_run_captures
from warehouse.periods import Period, periods_for_month


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
    """Capture every period of the partitions in this run. When the portal answers
    403/429 no further request is sent; what was recorded stays, the run goes on to
    normalise and publish it, and its last step fails with the stop
    (``ops_portal__capture_outcome``)."""
    today = date.fromisoformat(config.today) if config.today else settings.today()
    run_id = context.run.run_id
    if config.source not in SOURCES:
        raise dg.Failure(
            description=f"unknown source {config.source!r}: expected one of {', '.join(SOURCES)}"
        )
    legacy = config.source == "legacy"
    plan: list[tuple[str, date, Period]] = []
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
        plan.extend((key, month, period) for period in periods)
    summaries: list[PeriodCaptureSummary] = []
    stopped: CaptureStopped | None = None
    with portal.client() as client:
        for key, month, period in plan:
            context.log.info(f"Capturing {period} (partition {key})")
            summary = PeriodCaptureSummary(period)
            summaries.append(summary)
            try:
                capture_period(
                    client,
                    warehouse,
                    period,
                    provinces=config.provinces,
                    partition_month=month,
                    run_id=run_id,
                    source=config.source,
                    today=today,
                    summary=summary,
                )
            except CaptureStopped as stop:
                stopped = stop
                context.log.error(f"Capture stopped during {period}: {stop}")
            finally:  # whatever ends the period, the run's outcome knows what it recorded
                _note_run_captures(warehouse, run_id, summary, stopped)
            if stopped is not None:
                break
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
            "stopped": dg.MetadataValue.text(str(stopped) if stopped else ""),
        }
    )


def _note_run_captures(
    warehouse: WarehouseResource,
    run_id: str,
    summary: PeriodCaptureSummary,
    stopped: CaptureStopped | None,
) -> None:
    """Note the captures of ``summary`` as this run's (``ops.run_captures``); when the
    portal stopped the run, the last one recorded is the capture it stopped."""
    if not summary.records:
        return
    records = [(record.capture_id, record.is_new) for record in summary.records]
    stop = (summary.records[-1].capture_id, str(stopped)) if stopped is not None else None
    with warehouse.connect() as con:
        record_run_captures(con, run_id, records, stopped=stop)
