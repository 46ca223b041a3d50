"""Dagster resources: the portal client and the warehouse."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

from pipelines import settings
from pipelines.settings import Settings
from pipelines.sources.portal.client import PolitenessPolicy, PortalClient
from warehouse.connection import connect
from warehouse.raw_store import RawStore


class PortalResource(dg.ConfigurableResource):
    """The portal's current API, reached politely over HTTP."""

    base_url: str = settings.DEFAULT_PORTAL_URL
    timeout_s: float = 30.0
    deadline_s: float = 60.0
    max_bytes: int = 20 * 1024 * 1024
    max_retries: int = 3
    backoff_s: float = 2.0
    delay_s: float = 1.0
    jitter_s: float = 0.5

    def client(self) -> PortalClient:
        """A new client (use it as a context manager)."""
        return PortalClient(
            base_url=self.base_url,
            policy=PolitenessPolicy(
                timeout_s=self.timeout_s,
                deadline_s=self.deadline_s,
                max_bytes=self.max_bytes,
                max_retries=self.max_retries,
                backoff_s=self.backoff_s,
                delay_s=self.delay_s,
                jitter_s=self.jitter_s,
            ),
        )


class WarehouseResource(dg.ConfigurableResource):
    """The working DuckDB file and the raw store beside it."""

    path: str = settings.DEFAULT_WAREHOUSE
    raw_store_dir: str = settings.DEFAULT_RAW_STORE

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A short-lived write connection (holding the writer lock)."""
        with connect(self.path) as con:
            yield con

    def store(self) -> RawStore:
        """The raw store."""
        return RawStore(self.raw_store_dir)


def default_resources(options: Settings | None = None) -> dict[str, dg.ConfigurableResource]:
    """Resources built from ``options`` (by default the environment's settings, see
    ``pipelines.settings.Settings``)."""
    options = options or Settings.load()
    return {
        "portal": PortalResource(
            base_url=options.portal_url,
            delay_s=options.request_delay,
            jitter_s=options.request_delay / 2,
            backoff_s=options.request_backoff,
            deadline_s=options.request_deadline,
        ),
        "warehouse": WarehouseResource(path=options.warehouse, raw_store_dir=options.raw_store),
    }
