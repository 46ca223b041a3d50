"""Normalise recorded captures into the core tables.

Each capture's valid replies are read back from the raw store (raw is the source of
truth), parsed, and loaded with their provenance (response, capture, period, capture
time). Loading a capture first deletes whatever core rows it had, in the same
transaction, so re-normalising the same bytes leaves the tables unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import duckdb
import polars as pl

from pipelines.sources.portal.endpoints import ENDPOINTS_BY_NAME, SOURCE
from pipelines.sources.portal.parse import (
    PARSER_VERSION,
    ParsedReply,
    parse_group_reply,
    parse_national_reply,
)
from warehouse.connection import transaction
from warehouse.raw_store import RawStore
from warehouse.sql_files import read_sql

_PROVENANCE = {
    "response_id": pl.String,
    "capture_id": pl.String,
    "period_type": pl.String,
    "period_start": pl.Date,
    "captured_at": pl.Datetime("us", "UTC"),
}
CORE_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "unit_sightings": {
        "response_id": pl.String(),
        "capture_id": pl.String(),
        "unit_id": pl.String(),
        "unit_code": pl.String(),
        "unit_name": pl.String(),
        "unit_type": pl.String(),
        "unit_level": pl.String(),
        "parent_unit_id": pl.String(),
        "province_unit_id": pl.String(),
        "captured_at": pl.Datetime("us", "UTC"),
    },
    "group_scores": {
        **_PROVENANCE,
        "unit_id": pl.String,
        "group_code": pl.String,
        "score": pl.Float64,
        "max_score": pl.Float64,
        "ratio": pl.Float64,
        "score_delta": pl.Float64,
        "is_root": pl.Boolean,
    },
    "metric_values": {
        **_PROVENANCE,
        "unit_id": pl.String,
        "group_code": pl.String,
        "metric_code": pl.String,
        "metric_name": pl.String,
        "numerator": pl.Float64,
        "denominator": pl.Float64,
        "ratio": pl.Float64,
        "score": pl.Float64,
        "max_score": pl.Float64,
        "data_quality_status": pl.String,
        "data_quality_message": pl.String,
    },
    "group_parameters": {
        **_PROVENANCE,
        "unit_id": pl.String,
        "group_code": pl.String,
        "parameter": pl.String,
        "value": pl.Float64,
    },
    "reported_totals": {
        **_PROVENANCE,
        "unit_id": pl.String,
        "total_score": pl.Float64,
        "total_max_score": pl.Float64,
        "ratio": pl.Float64,
        "score_delta": pl.Float64,
        "reported_rank": pl.Int32,
    },
}


@dataclass
class NormaliseStats:
    """Counts of what a normalisation loaded."""

    captures: int = 0
    replies: int = 0
    rows: dict[str, int] | None = None

    def add(self, table: str, count: int) -> None:
        """Count ``count`` rows loaded into ``table``."""
        self.rows = self.rows or {}
        self.rows[table] = self.rows.get(table, 0) + count


def captures_to_normalise(
    con: duckdb.DuckDBPyConnection, partition_months: Sequence, *, force: bool = False
) -> list[str]:
    """Captures recorded under these partition months that core does not hold yet
    (or, with ``force``, all of them)."""
    rows = con.execute(
        """
        SELECT c.capture_id
        FROM raw.captures AS c
        LEFT JOIN ops.normalisations AS n
          ON n.capture_id = c.capture_id AND n.parser_version = ?
        WHERE list_contains(?, c.partition_month) AND (? OR n.capture_id IS NULL)
        ORDER BY c.captured_at, c.capture_id
        """,
        [PARSER_VERSION, list(partition_months), force],
    ).fetchall()
    return [row[0] for row in rows]


ResponseParser = Callable[[RawStore, str, str, str], ParsedReply]
"""Parses a stored reply: (store, endpoint, sha256, root unit id) → rows."""


def _parse_portal_api(store: RawStore, endpoint: str, sha256: str, root: str) -> ParsedReply:
    content = store.get(sha256)
    spec = ENDPOINTS_BY_NAME[endpoint]
    if spec.shape == "national":
        return parse_national_reply(content)
    return parse_group_reply(spec, content, root)


# One parser per raw source (raw.responses.source). Other sources register theirs here.
PARSERS: dict[str, ResponseParser] = {SOURCE: _parse_portal_api}


def register_parser(source: str, parser: ResponseParser) -> None:
    """Make ``normalise_captures`` read replies of ``source`` with ``parser``."""
    PARSERS[source] = parser


def normalise_captures(
    con: duckdb.DuckDBPyConnection,
    store: RawStore,
    capture_ids: Iterable[str],
    *,
    batch_size: int = 40,
) -> NormaliseStats:
    """Load the given captures into core, ``batch_size`` captures per transaction."""
    stats = NormaliseStats()
    ids = list(capture_ids)
    for start in range(0, len(ids), batch_size):
        _normalise_batch(con, store, ids[start : start + batch_size], stats)
    with transaction(con):
        con.execute(read_sql("core/units_refresh.sql"))
    return stats


def _normalise_batch(
    con: duckdb.DuckDBPyConnection, store: RawStore, batch: list[str], stats: NormaliseStats
) -> None:
    responses = con.execute(
        """
        SELECT response_id, capture_id, source, endpoint, sha256, root_unit_id, period_type,
               period_start, captured_at
        FROM raw.responses
        WHERE list_contains(?, capture_id) AND validation = 'valid'
        ORDER BY capture_id, endpoint
        """,
        [batch],
    ).fetchall()
    tables: dict[str, list[dict]] = {name: [] for name in CORE_SCHEMAS}
    per_capture: dict[str, list[int]] = {cid: [0, 0] for cid in batch}
    for (
        response_id,
        capture_id,
        source,
        endpoint,
        sha,
        root,
        ptype,
        pstart,
        captured_at,
    ) in responses:
        parsed = PARSERS[source](store, endpoint, sha, root)
        provenance = {
            "response_id": response_id,
            "capture_id": capture_id,
            "period_type": ptype,
            "period_start": pstart,
            "captured_at": captured_at,
        }
        for name in CORE_SCHEMAS:
            rows = getattr(parsed, name)
            if name == "unit_sightings":
                extra = {
                    "response_id": response_id,
                    "capture_id": capture_id,
                    "captured_at": captured_at,
                }
                tables[name].extend({**row, **extra} for row in rows)
            else:
                tables[name].extend({**row, **provenance} for row in rows)
        per_capture[capture_id][0] += len(parsed.group_scores)
        per_capture[capture_id][1] += len(parsed.metric_values)
        stats.replies += 1
    now = datetime.now(UTC)
    with transaction(con):
        for name, schema in CORE_SCHEMAS.items():
            # ``name`` is an identifier from the fixed CORE_SCHEMAS allowlist, not a value.
            con.execute(
                f"DELETE FROM core.{name} WHERE list_contains(?, capture_id)",  # noqa: S608
                [batch],
            )
            if tables[name]:
                con.register("core_frame", pl.from_dicts(tables[name], schema=schema))
                try:
                    con.execute(f"INSERT INTO core.{name} BY NAME SELECT * FROM core_frame")  # noqa: S608
                finally:
                    con.unregister("core_frame")
            stats.add(name, len(tables[name]))
        con.execute("DELETE FROM ops.normalisations WHERE list_contains(?, capture_id)", [batch])
        con.executemany(
            "INSERT INTO ops.normalisations VALUES (?, ?, ?, ?, ?)",
            [[cid, PARSER_VERSION, now, gs, mv] for cid, (gs, mv) in per_capture.items()],
        )
    stats.captures += len(batch)
