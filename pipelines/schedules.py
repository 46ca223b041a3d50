"""The nightly capture: the open month, quarter and year, plus the closed periods the
portal still revises (the previous two months and the previous quarter)."""

from datetime import date

import dagster as dg

from pipelines import settings
from pipelines.jobs import portal_job
from pipelines.partitions import key_of_month
from warehouse.periods import Period


def nightly_month_range(today: date) -> tuple[str, str]:
    """First and last partition keys the nightly run covers.

    From the earlier of two months back and the last month of the previous quarter, to
    the open month. The last month of the previous quarter also captures that quarter.
    """
    current = Period("month", today.replace(day=1))
    two_back = current.previous().previous()
    previous_quarter = Period.quarter_of(today).previous()
    quarter_close = Period("month", previous_quarter.end.replace(day=1))
    first = min(two_back, quarter_close)
    return key_of_month(first.start), key_of_month(current.start)


@dg.schedule(
    name="nightly_portal_capture",
    cron_schedule=f"0 {settings.nightly_hour()} * * *",
    execution_timezone=settings.TIMEZONE,
    job=portal_job,
    default_status=dg.DefaultScheduleStatus.STOPPED,
    description="Re-capture the open and recently closed periods every night.",
)
def nightly_portal_capture(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """One run over the nightly range of months (single-run backfill policy)."""
    tick = context.scheduled_execution_time
    today = tick.date() if tick is not None else settings.today()
    start, end = nightly_month_range(today)
    return dg.RunRequest(
        run_key=f"nightly-{today.isoformat()}",
        tags={
            "dagster/asset_partition_range_start": start,
            "dagster/asset_partition_range_end": end,
        },
        run_config={"ops": {"raw_portal__captures": {"config": {"today": today.isoformat()}}}},
    )
