"""Load the current API's replies into core in SQL: DuckDB parses each verified reply
once, with the schema of the reply shapes, and the statements in ``sql/core/load/``
build the core rows. The Python parser in ``tests/portal_oracle.py`` is the reference a
parity test holds this loader to."""

from __future__ import annotations

import json
from collections.abc import Sequence

import duckdb
import polars as pl

from pipelines.sources.portal.endpoints import ENDPOINTS_BY_NAME, PARAMETER_FIELDS
from warehouse.load_core import run_sql_script
from warehouse.records import StoredReply
from warehouse.sql_files import read_sql

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
    # every group the reply scores, whatever the methodology version: the loader keeps
    # those of the version in force
    "groupScores": "MAP(VARCHAR, DOUBLE)",
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


def load_portal_replies(con: duckdb.DuckDBPyConnection, replies: Sequence[StoredReply]) -> dict:
    """Insert the core rows of current-API replies; return the rows per core table.

    The bytes are those the raw store verified and the validator decoded: DuckDB reads
    them from this batch, never from the file system."""
    batch = pl.DataFrame(
        [
            {
                "response_id": r.response_id,
                "capture_id": r.capture_id,
                "endpoint": r.endpoint,
                "group_code": ENDPOINTS_BY_NAME[r.endpoint].group_code,
                "shape": ENDPOINTS_BY_NAME[r.endpoint].shape,
                "page": r.page,
                "root_unit_id": r.root_unit_id,
                "period_type": r.period_type,
                "period_start": r.period_start,
                "captured_at": r.captured_at,
                "content": r.content.decode("utf-8"),
            }
            for r in replies
        ],
        schema_overrides={"group_code": pl.String, "captured_at": pl.Datetime("us", "UTC")},
    )
    con.register("portal_batch", batch)
    try:
        run_sql_script(con, read_sql("core/load/portal_docs.sql"), [REPLY_SCHEMA])
        return run_sql_script(con, read_sql("core/load/portal_rows.sql"))
    finally:
        con.unregister("portal_batch")
