"""Monthly partitions of the pipeline: keys ``YYYY-MM-01`` from 2022-08 (the legacy
API's history), the open (current) month included."""

from __future__ import annotations

from datetime import date

import dagster as dg

from pipelines.settings import FIRST_MONTH, TIMEZONE

monthly_partitions = dg.MonthlyPartitionsDefinition(
    start_date=FIRST_MONTH, timezone=TIMEZONE, end_offset=1
)


def month_of_key(partition_key: str) -> date:
    """The first day of the month a partition key stands for."""
    return date.fromisoformat(partition_key)


def key_of_month(month: date) -> str:
    """The partition key of the month containing ``month``."""
    return month.replace(day=1).isoformat()
