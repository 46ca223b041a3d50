"""Runtime settings read from the environment, with the embedded defaults.

| variable | meaning | default |
|---|---|---|
| DVC766_WAREHOUSE | working DuckDB file | warehouse/dvc766.duckdb |
| DVC766_RAW_STORE | content-addressed raw store folder | warehouse/raw |
| DVC766_PORTAL_URL | portal base URL | https://dichvucong.gov.vn |
| DVC766_TODAY | the date the pipeline treats as today (ISO) | today in Asia/Ho_Chi_Minh |
| DVC766_NIGHTLY_HOUR | hour (0-23, Asia/Ho_Chi_Minh) of the nightly capture | 4 |
| DVC766_REQUEST_DELAY | seconds between requests (jitter is half of it) | 1.0 |
| DVC766_REQUEST_BACKOFF | seconds before the first retry (doubling after) | 2.0 |
| DVC766_REQUEST_DEADLINE | seconds one request may take in all, body included | 60 |
"""

from __future__ import annotations

import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

TIMEZONE = "Asia/Ho_Chi_Minh"
FIRST_MONTH = "2022-08-01"  # the index in operation from 1/8/2022 (legacy API)
DEFAULT_WAREHOUSE = "warehouse/dvc766.duckdb"
DEFAULT_RAW_STORE = "warehouse/raw"
DEFAULT_PORTAL_URL = "https://dichvucong.gov.vn"


def warehouse_path() -> str:
    """Path of the working warehouse file."""
    return os.environ.get("DVC766_WAREHOUSE", DEFAULT_WAREHOUSE)


def raw_store_path() -> str:
    """Folder of the raw store."""
    return os.environ.get("DVC766_RAW_STORE", DEFAULT_RAW_STORE)


def portal_url() -> str:
    """Base URL of the portal."""
    return os.environ.get("DVC766_PORTAL_URL", DEFAULT_PORTAL_URL)


def request_delay() -> float:
    """Seconds to wait between two requests to the portal."""
    return float(os.environ.get("DVC766_REQUEST_DELAY", "1.0"))


def nightly_hour() -> int:
    """Hour of the nightly capture in Asia/Ho_Chi_Minh (the portal refreshes near 02:00)."""
    hour = int(os.environ.get("DVC766_NIGHTLY_HOUR", "4"))
    if not 0 <= hour <= 23:
        raise ValueError(f"DVC766_NIGHTLY_HOUR must be 0-23, got {hour}")
    return hour


def today() -> date:
    """Today in Vietnam, or DVC766_TODAY when set (for replays and tests)."""
    override = os.environ.get("DVC766_TODAY")
    if override:
        return date.fromisoformat(override)
    return datetime.now(ZoneInfo(TIMEZONE)).date()


# Every run that writes the warehouse carries this tag; the production instance profile
# (deploy/dagster.production.yaml) queues such runs one at a time.
WAREHOUSE_WRITE_TAGS = {"dvc766/warehouse": "write"}


def request_backoff() -> float:
    """Seconds of the first retry's backoff (doubling after each failed attempt)."""
    return float(os.environ.get("DVC766_REQUEST_BACKOFF", "2.0"))


def request_deadline() -> float:
    """Seconds one request may take in all, its reply read to the end included."""
    return float(os.environ.get("DVC766_REQUEST_DEADLINE", "60"))
