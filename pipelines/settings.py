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
| DVC766_INBOX | folder the inbox sensor watches for files to ingest | warehouse/inbox |
| DVC766_SITE | folder of the static site built after each publication | unset: not built |
| DVC766_WEBHOOK_URL | URL the nightly summary is posted to (``{"text": …}``) | unset |
| DVC766_WEBHOOK_PROVINCES | provinces (codes, comma-separated) summarised in that post | unset |
| DVC766_WEBHOOK_TIMEOUT | seconds the post may take (one attempt, failures logged) | 10 |

A command builds one :class:`Settings` from its options and these variables and passes it
to the run it starts; the functions below read the environment alone.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

TIMEZONE = "Asia/Ho_Chi_Minh"
FIRST_MONTH = "2022-08-01"  # the index in operation from 1/8/2022 (legacy API)
DEFAULT_WAREHOUSE = "warehouse/dvc766.duckdb"
DEFAULT_RAW_STORE = "warehouse/raw"
DEFAULT_PORTAL_URL = "https://dichvucong.gov.vn"
DEFAULT_INBOX = "warehouse/inbox"


@dataclass(frozen=True)
class Settings:
    """What a run takes from its surroundings, read once: the command's options override
    the ``DVC766_*`` variables, which override the defaults. Resources are built from it
    (``pipelines.resources.default_resources``); nothing writes it back to the
    environment."""

    warehouse: str = DEFAULT_WAREHOUSE
    raw_store: str = DEFAULT_RAW_STORE
    portal_url: str = DEFAULT_PORTAL_URL
    today_override: date | None = None
    request_delay: float = 1.0
    request_backoff: float = 2.0
    request_deadline: float = 60.0

    @classmethod
    def load(
        cls,
        *,
        warehouse: str | None = None,
        portal_url: str | None = None,
        today: str | date | None = None,
        environ: Mapping[str, str] | None = None,
    ) -> Settings:
        """The settings from the options given and the environment (``os.environ`` by
        default). A ``warehouse`` option keeps its raw store beside it unless
        ``DVC766_RAW_STORE`` says otherwise; ``today`` is an ISO date (``ValueError``)."""
        env = os.environ if environ is None else environ
        raw_store = env.get("DVC766_RAW_STORE") or (
            str(Path(warehouse).resolve().parent / "raw") if warehouse else DEFAULT_RAW_STORE
        )
        day = today if today is not None else env.get("DVC766_TODAY") or None
        return cls(
            warehouse=warehouse or env.get("DVC766_WAREHOUSE", DEFAULT_WAREHOUSE),
            raw_store=raw_store,
            portal_url=portal_url or env.get("DVC766_PORTAL_URL", DEFAULT_PORTAL_URL),
            today_override=date.fromisoformat(day) if isinstance(day, str) else day,
            request_delay=float(env.get("DVC766_REQUEST_DELAY", "1.0")),
            request_backoff=float(env.get("DVC766_REQUEST_BACKOFF", "2.0")),
            request_deadline=float(env.get("DVC766_REQUEST_DEADLINE", "60")),
        )

    def today(self) -> date:
        """Today in Vietnam, or the day given (``--today``, ``DVC766_TODAY``)."""
        return self.today_override or datetime.now(ZoneInfo(TIMEZONE)).date()


def warehouse_path() -> str:
    """Path of the working warehouse file (from the environment)."""
    return Settings.load().warehouse


def inbox_path() -> Path:
    """The folder ``inbox_sensor`` watches (``DVC766_INBOX``)."""
    return Path(os.environ.get("DVC766_INBOX", DEFAULT_INBOX))


def site_dir() -> Path | None:
    """The folder the pipeline builds the static site into after each publication
    (``DVC766_SITE``); None when unset: the site is then built on demand only
    (``dvc766 site --out DIR``)."""
    configured = os.environ.get("DVC766_SITE", "").strip()
    return Path(configured) if configured else None


@dataclass(frozen=True)
class Webhook:
    """Where the nightly summary is posted (``DVC766_WEBHOOK_*``)."""

    url: str
    provinces: tuple[str, ...]
    timeout_s: float = 10.0


def webhook() -> Webhook | None:
    """The configured webhook, or None when ``DVC766_WEBHOOK_URL`` is unset or empty."""
    url = os.environ.get("DVC766_WEBHOOK_URL", "").strip()
    if not url:
        return None
    provinces = os.environ.get("DVC766_WEBHOOK_PROVINCES", "")
    return Webhook(
        url=url,
        provinces=tuple(p.strip() for p in provinces.split(",") if p.strip()),
        timeout_s=float(os.environ.get("DVC766_WEBHOOK_TIMEOUT", "10")),
    )


def nightly_hour() -> int:
    """Hour of the nightly capture in Asia/Ho_Chi_Minh (the portal refreshes near 02:00)."""
    hour = int(os.environ.get("DVC766_NIGHTLY_HOUR", "4"))
    if not 0 <= hour <= 23:
        raise ValueError(f"DVC766_NIGHTLY_HOUR must be 0-23, got {hour}")
    return hour


def today() -> date:
    """Today in Vietnam, or DVC766_TODAY when set (for replays and tests)."""
    return Settings.load().today()


# Every run that writes the warehouse carries this tag; the production instance profile
# (deploy/dagster.production.yaml) queues such runs one at a time.
WAREHOUSE_WRITE_TAGS = {"dvc766/warehouse": "write"}
