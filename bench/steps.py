"""Single benchmark steps, each run in its own process so its peak memory is its own:
``python -m bench.steps rebuild|write_floor|read_text|json_loads ...`` prints one JSON
line."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path


def rebuild(database: str, raw_store: str) -> dict:
    """Drop core and marts, then rebuild both from the raw store."""
    from pipelines.sources.registry import SOURCES
    from warehouse.connection import connect
    from warehouse.derive import rebuild_marts
    from warehouse.load_core import CORE_SCHEMAS, normalise_captures
    from warehouse.raw_store import RawStore

    with connect(database) as con:
        for table in CORE_SCHEMAS:
            con.execute(f"DELETE FROM core.{table}")  # noqa: S608 (fixed table names)
        con.execute("DELETE FROM ops.normalisations")
        con.execute("CHECKPOINT")
        captures = [
            row[0]
            for row in con.execute(
                "SELECT capture_id FROM raw.captures ORDER BY captured_at"
            ).fetchall()
        ]
        t0 = time.perf_counter()
        stats = normalise_captures(con, RawStore(raw_store), captures, SOURCES)
        t1 = time.perf_counter()
        rebuild_marts(con)
        t2 = time.perf_counter()
        mart_rows = sum(
            con.execute(f"SELECT count(*) FROM mart.{t}").fetchone()[0]  # noqa: S608
            for t in ("unit_period_scores", "score_changes", "band_counts", "revisions")
        )
    core_rows = sum((stats.rows or {}).values())
    return {
        "core_s": t1 - t0,
        "marts_s": t2 - t1,
        "rebuild_s": t2 - t0,
        "core_rows": core_rows,
        "mart_rows": mart_rows,
        "captures": len(captures),
    }


def write_floor(database: str, copy: str) -> dict:
    """What writing the rebuild's results costs, with nothing computed: every core table
    and every materialised mart of ``database`` copied into a new warehouse file ``copy``
    (the pipeline's connection settings, one transaction, then a checkpoint). A rebuild
    writes these rows, so it cannot take less than this."""
    import duckdb

    from warehouse.connection import writer_config
    from warehouse.derive import MART_TABLES
    from warehouse.load_core import CORE_SCHEMAS

    tables = [("core", name) for name in CORE_SCHEMAS] + [("mart", name) for name in MART_TABLES]
    Path(copy).unlink(missing_ok=True)
    con = duckdb.connect(copy, config=writer_config())
    try:
        con.execute("ATTACH ? AS source (READ_ONLY)", [database])
        t0 = time.perf_counter()
        con.execute("BEGIN TRANSACTION")
        for schema, name in tables:
            # fixed names: the core tables and the mart registry
            con.execute(f"CREATE TABLE {schema}_{name} AS FROM source.{schema}.{name}")
        con.execute("COMMIT")
        con.execute("CHECKPOINT")
        seconds = time.perf_counter() - t0
        rows = sum(
            con.execute(f"SELECT count(*) FROM {schema}_{name}").fetchone()[0]  # noqa: S608
            for schema, name in tables
        )
    finally:
        con.close()
    Path(copy).unlink(missing_ok=True)
    return {"seconds": seconds, "rows": rows}


def read_text(list_file: str) -> dict:
    """The floor, DuckDB side: read every raw file into a table, nothing else."""
    import duckdb

    files = Path(list_file).read_text().split("\n")
    t0 = time.perf_counter()
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM read_text(?)", [files])
    return {"seconds": time.perf_counter() - t0}


def json_loads(list_file: str) -> dict:
    """The floor, Python side: json.loads of every raw file, nothing else."""
    files = Path(list_file).read_text().split("\n")
    t0 = time.perf_counter()
    for name in files:
        json.loads(Path(name).read_bytes())
    return {"seconds": time.perf_counter() - t0}


if __name__ == "__main__":
    step, *args = sys.argv[1:]
    print(
        json.dumps(
            {
                "rebuild": rebuild,
                "write_floor": write_floor,
                "read_text": read_text,
                "json_loads": json_loads,
            }[step](*args)
        )
    )
