"""For tests of reading and matching files: record a file and normalise its capture at
once, on the connection given. The pipeline does the second step in ``core_portal`` with
its checks (a run of ``files_job``, tests/test_one_road.py); tests of the parsers and of
unit matching only need the core rows."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb

from pipelines.sources.files.ingest import (
    IngestOptions,
    IngestResult,
    describe_loaded,
    record_bytes,
    record_path,
)
from pipelines.sources.registry import SOURCES
from warehouse.load_core import normalise_captures
from warehouse.raw_store import RawStore


def _normalised(
    con: duckdb.DuckDBPyConnection, store: RawStore, result: IngestResult
) -> IngestResult:
    if result.outcome == "ingested" and result.is_new and result.capture_id:
        normalise_captures(con, store, [result.capture_id], SOURCES)
    return describe_loaded(con, result)


def ingest_path(
    con: duckdb.DuckDBPyConnection,
    store: RawStore,
    path: Path,
    options: IngestOptions | None = None,
    *,
    run_id: str | None = None,
    now: datetime | None = None,
    inbox: Path | None = None,
) -> IngestResult:
    """Record the file at ``path`` and normalise its capture."""
    result = record_path(con, store, path, options, run_id=run_id, now=now, inbox=inbox)
    return _normalised(con, store, result)


def ingest_bytes(
    con: duckdb.DuckDBPyConnection,
    store: RawStore,
    file_name: str,
    content: bytes,
    options: IngestOptions | None = None,
    *,
    run_id: str | None = None,
    now: datetime | None = None,
) -> IngestResult:
    """Record one file's bytes and normalise its capture."""
    result = record_bytes(con, store, file_name, content, options, run_id=run_id, now=now)
    return _normalised(con, store, result)
