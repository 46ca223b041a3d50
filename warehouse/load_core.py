"""Normalise recorded captures into the core tables.

Each capture's valid replies are read back from the raw store (raw is the source of
truth), parsed, and loaded with their provenance (response, capture, period, capture
time). Loading a capture first deletes whatever core rows it had, in the same
transaction, so re-normalising the same bytes leaves the tables unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from pipelines.sources.portal.endpoints import (
    ENDPOINTS_BY_NAME,
    GROUP_CODES,
    PARAMETER_FIELDS,
    SOURCE,
)
from pipelines.sources.portal.parse import PARSER_VERSION, ParsedReply
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
    post_load: dict[str, Any] = field(default_factory=dict)

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


_METRIC_SCHEMA = {
    "code": "VARCHAR",
    "name": "VARCHAR",
    **dict.fromkeys(("numerator", "denominator", "ratio", "score", "maxScore"), "DOUBLE"),
    "dataQualityStatus": "VARCHAR",
    "dataQualityMessage": "VARCHAR",
}
_ITEM_SCHEMA = {
    **dict.fromkeys(
        (
            "departmentId",
            "departmentName",
            "departmentCode",
            "departmentType",
            "departmentLevel",
            "level",
        ),
        "VARCHAR",
    ),
    "stt": "INTEGER",
    **dict.fromkeys(
        ("totalScore", "totalMaxScore", "score", "maxScore", "ratio", "scoreDelta"), "DOUBLE"
    ),
    "groupScores": dict.fromkeys(GROUP_CODES, "DOUBLE"),
    "metrics": [_METRIC_SCHEMA],
    **dict.fromkeys(PARAMETER_FIELDS, "DOUBLE"),
}
# The JSON structure DuckDB parses every current-API reply into, in one pass.
REPLY_SCHEMA = json.dumps(
    {
        "data": {
            "overview": _ITEM_SCHEMA,
            "parent": _ITEM_SCHEMA,
            "evaluation": [_ITEM_SCHEMA],
            "children": [_ITEM_SCHEMA],
        }
    }
)

ResponseParser = Callable[[RawStore, str, str, str], ParsedReply]
"""Parses a stored reply: (store, endpoint, sha256, root unit id) → rows."""


# Parsers of the sources read in Python (raw.responses.source → parser). The current
# portal API is loaded in SQL (sql/core/load/); other sources register theirs here.
PARSERS: dict[str, ResponseParser] = {}


def register_parser(source: str, parser: ResponseParser) -> None:
    """Make ``normalise_captures`` read replies of ``source`` with ``parser``."""
    PARSERS[source] = parser


PostLoad = Callable[[duckdb.DuckDBPyConnection, list[str]], Any]
"""Runs after a batch of captures of one source is loaded: (connection, capture ids)."""
POST_LOADS: dict[str, PostLoad] = {}


def register_post_load(source: str, step: PostLoad) -> None:
    """Run ``step`` after every normalisation of ``source``'s captures (e.g. matching the
    units of file captures), so a re-normalisation reproduces the whole result."""
    POST_LOADS[source] = step


def normalise_captures(
    con: duckdb.DuckDBPyConnection,
    store: RawStore,
    capture_ids: Iterable[str],
    *,
    batch_size: int = 200,
) -> NormaliseStats:
    """Load the given captures into core, ``batch_size`` captures per transaction."""
    stats = NormaliseStats()
    ids = list(capture_ids)
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        _normalise_batch(con, store, batch, stats)
        by_source = con.execute(
            """SELECT source, list(capture_id ORDER BY capture_id) FROM raw.captures
               WHERE list_contains(?, capture_id) GROUP BY source""",
            [batch],
        ).fetchall()
        for source, source_ids in by_source:
            if source in POST_LOADS:
                stats.post_load[source] = POST_LOADS[source](con, source_ids)
    with transaction(con):
        con.execute(read_sql("core/units_refresh.sql"))
    return stats


def run_sql_script(
    con: duckdb.DuckDBPyConnection, script: str, first_params: list | None = None
) -> dict[str, int]:
    """Run each statement of ``script`` in order (parameters go to the first one only);
    return the rows inserted per target table."""
    inserted: dict[str, int] = {}
    for index, statement in enumerate(con.extract_statements(script)):
        params = first_params if index == 0 and first_params is not None else None
        rows = con.execute(statement.query, params).fetchall()
        if statement.type == duckdb.StatementType.INSERT:
            target = statement.query.split("INTO", 1)[1].split()[0].split(".")[-1]
            inserted[target] = inserted.get(target, 0) + int(rows[0][0])
    return inserted


def _load_portal_replies(
    con: duckdb.DuckDBPyConnection, store: RawStore, responses: list[dict]
) -> dict[str, int]:
    """Load current-API replies in SQL: DuckDB reads and parses the stored bytes."""
    batch = pl.DataFrame(
        [
            {
                **{
                    k: r[k]
                    for k in (
                        "response_id",
                        "capture_id",
                        "endpoint",
                        "root_unit_id",
                        "period_type",
                        "period_start",
                        "captured_at",
                    )
                },
                "group_code": ENDPOINTS_BY_NAME[r["endpoint"]].group_code,
                "shape": ENDPOINTS_BY_NAME[r["endpoint"]].shape,
                "path": str(store.path_for(r["sha256"])),
            }
            for r in responses
        ],
        schema_overrides={"group_code": pl.String},
    )
    con.register("portal_batch", batch)
    try:
        run_sql_script(
            con, read_sql("core/load/portal_docs.sql"), [REPLY_SCHEMA, batch["path"].to_list()]
        )
        return run_sql_script(con, read_sql("core/load/portal_rows.sql"))
    finally:
        con.unregister("portal_batch")


def _load_parsed_replies(
    con: duckdb.DuckDBPyConnection, store: RawStore, responses: list[dict]
) -> dict[str, int]:
    """Load replies of sources parsed in Python (registered with ``register_parser``)."""
    tables: dict[str, list[dict]] = {name: [] for name in CORE_SCHEMAS}
    for r in responses:
        parsed = PARSERS[r["source"]](store, r["endpoint"], r["sha256"], r["root_unit_id"])
        provenance = {k: r[k] for k in ("response_id", "capture_id", "captured_at")}
        period = {"period_type": r["period_type"], "period_start": r["period_start"]}
        for name in CORE_SCHEMAS:
            extra = provenance if name == "unit_sightings" else {**provenance, **period}
            tables[name].extend({**row, **extra} for row in getattr(parsed, name))
    for name, schema in CORE_SCHEMAS.items():
        if tables[name]:
            con.register("core_frame", pl.from_dicts(tables[name], schema=schema))
            try:
                # ``name`` is an identifier from the fixed CORE_SCHEMAS allowlist.
                con.execute(f"INSERT INTO core.{name} BY NAME SELECT * FROM core_frame")  # noqa: S608
            finally:
                con.unregister("core_frame")
    return {name: len(rows) for name, rows in tables.items()}


def _normalise_batch(
    con: duckdb.DuckDBPyConnection, store: RawStore, batch: list[str], stats: NormaliseStats
) -> None:
    cursor = con.execute(
        """
        SELECT response_id, capture_id, source, endpoint, sha256, root_unit_id, period_type,
               period_start, captured_at
        FROM raw.responses
        WHERE list_contains(?, capture_id) AND validation = 'valid'
        ORDER BY capture_id, endpoint
        """,
        [batch],
    )
    columns = [d[0] for d in cursor.description]
    responses = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
    portal = [r for r in responses if r["source"] == SOURCE]
    parsed = [r for r in responses if r["source"] != SOURCE]
    with transaction(con):
        already = con.execute(
            "SELECT count(*) FROM ops.normalisations WHERE list_contains(?, capture_id)", [batch]
        ).fetchall()[0][0]
        if already:
            for name in CORE_SCHEMAS:
                con.execute(
                    f"DELETE FROM core.{name} WHERE list_contains(?, capture_id)",  # noqa: S608
                    [batch],
                )
            con.execute(
                "DELETE FROM ops.normalisations WHERE list_contains(?, capture_id)", [batch]
            )
        for loaded in (
            _load_portal_replies(con, store, portal) if portal else {},
            _load_parsed_replies(con, store, parsed) if parsed else {},
        ):
            for table, count in loaded.items():
                stats.add(table, count)
        con.execute(
            """
            INSERT INTO ops.normalisations
            SELECT c.capture_id, ?, now(),
                   (SELECT count(*) FROM core.group_scores AS g WHERE g.capture_id = c.capture_id),
                   (SELECT count(*) FROM core.metric_values AS m WHERE m.capture_id = c.capture_id)
            FROM unnest(?::VARCHAR[]) AS c(capture_id)
            """,
            [PARSER_VERSION, batch],
        )
    stats.captures += len(batch)
    stats.replies += len(responses)
