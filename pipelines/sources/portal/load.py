"""Load the current API's replies into core in SQL: DuckDB parses each verified reply
once, with the schema of the reply shapes, and the statements in ``sql/core/load/``
build the core rows. The Python parser in ``tests/portal_oracle.py`` is the reference a
parity test holds this loader to."""

from __future__ import annotations

import json
from collections.abc import Sequence

import duckdb
import pyarrow as pa

from pipelines.sources.portal.endpoints import ENDPOINTS_BY_NAME, PARAMETER_FIELDS
from warehouse.load_core import run_sql_script
from warehouse.records import StoredReply
from warehouse.sql_files import read_sql

# The fields DuckDB reads of each unit entry and indicator, and the type it reads them as.
# The validator (validate.py) holds every reply to the same schema first: DuckDB's
# from_json would quietly read "7" as 7, true as 1, 1.6 as a rank of 2 and anything
# unreadable as NULL.
METRIC_SCHEMA = {
    "code": "VARCHAR",
    "name": "VARCHAR",
    **dict.fromkeys(("numerator", "denominator", "ratio", "score", "maxScore"), "DOUBLE"),
    "dataQualityStatus": "VARCHAR",
    "dataQualityMessage": "VARCHAR",
}
ITEM_SCHEMA = {
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
    # every group the reply scores, whatever the methodology version: the loader keeps
    # those of the version in force
    "groupScores": "MAP(VARCHAR, DOUBLE)",
    "metrics": [METRIC_SCHEMA],
    **dict.fromkeys(PARAMETER_FIELDS, "DOUBLE"),
}
# The JSON structure DuckDB parses every current-API reply into, in one pass.
REPLY_SCHEMA = json.dumps(
    {
        "data": {
            "overview": ITEM_SCHEMA,
            "parent": ITEM_SCHEMA,
            "evaluation": [ITEM_SCHEMA],
            "children": [ITEM_SCHEMA],
        }
    }
)


_BATCH_SCHEMA = pa.schema(
    [
        ("response_id", pa.string()),
        ("capture_id", pa.string()),
        ("endpoint", pa.string()),
        ("group_code", pa.string()),
        ("shape", pa.string()),
        ("page", pa.int64()),
        ("root_unit_id", pa.string()),
        ("period_type", pa.string()),
        ("period_start", pa.date32()),
        ("captured_at", pa.timestamp("us", tz="UTC")),
        ("content", pa.binary()),
    ]
)
PARSE_CHUNK_ROWS = 64
"""Replies per Arrow record batch handed to DuckDB: it scans a registered Arrow table one
record batch per task, so small batches let every thread parse replies (one batch of
the whole load would be parsed by one thread)."""


def reply_batch(replies: Sequence[StoredReply]) -> pa.Table:
    """The replies as the Arrow table ``sql/core/load/portal_docs.sql`` reads
    (``portal_batch``), in record batches of :data:`PARSE_CHUNK_ROWS`. The content stays
    the verified bytes; DuckDB decodes them (UTF-8, an error if they are not) before
    parsing."""
    endpoints = [ENDPOINTS_BY_NAME[r.endpoint] for r in replies]
    columns: dict[str, list] = {
        "response_id": [r.response_id for r in replies],
        "capture_id": [r.capture_id for r in replies],
        "endpoint": [r.endpoint for r in replies],
        "group_code": [e.group_code for e in endpoints],
        "shape": [e.shape for e in endpoints],
        "page": [r.page for r in replies],
        "root_unit_id": [r.root_unit_id for r in replies],
        "period_type": [r.period_type for r in replies],
        "period_start": [r.period_start for r in replies],
        "captured_at": [r.captured_at for r in replies],
        "content": [r.content for r in replies],
    }
    # The system allocator gives the batch's memory back once it is freed (Arrow's
    # default pool keeps it for reuse, raising a rebuild's peak by about a batch).
    pool = pa.system_memory_pool()
    table = pa.Table.from_arrays(
        [pa.array(columns[f.name], f.type, memory_pool=pool) for f in _BATCH_SCHEMA],
        schema=_BATCH_SCHEMA,
    )
    return pa.Table.from_batches(
        table.to_batches(max_chunksize=PARSE_CHUNK_ROWS), schema=_BATCH_SCHEMA
    )


def load_portal_replies(con: duckdb.DuckDBPyConnection, replies: Sequence[StoredReply]) -> dict:
    """Insert the core rows of current-API replies; return the rows per core table.

    The bytes are those the raw store verified and the validator decoded: DuckDB reads
    them from this batch, never from the file system."""
    con.register("portal_batch", reply_batch(replies))
    try:
        run_sql_script(con, read_sql("core/load/portal_docs.sql"), [REPLY_SCHEMA])
        return run_sql_script(con, read_sql("core/load/portal_rows.sql"))
    finally:
        con.unregister("portal_batch")
