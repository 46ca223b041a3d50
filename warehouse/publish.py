"""Publish a read-only copy of the warehouse for analysts.

The working file belongs to the pipeline. After a successful run the publisher, holding
the writer lock (so no write is in flight), checkpoints the working file, copies it next
to the publication, and renames the copy over the published file. ``rename`` is atomic:
a reader that has the old file open keeps reading the old state (its inode stays alive),
a new connection sees the new state, and nobody ever sees a half-written month. Marts are
also exported to Parquet, partitioned by period, swapped in as a whole folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.connection import write_lock

PARQUET_TABLES: tuple[str, ...] = (
    "unit_period_scores",
    "score_changes",
    "band_counts",
    "revisions",
)


@dataclass(frozen=True)
class Publication:
    """Where a publication went and what it holds."""

    database: Path
    parquet_dir: Path
    bytes: int
    parquet_files: int


def published_path(working: Path | str) -> Path:
    """The published file for a working warehouse: ``<dir>/published/<name>``."""
    working = Path(working).resolve()
    return working.parent / "published" / working.name


def publish(working: Path | str, target: Path | str | None = None) -> Publication:
    """Copy the working warehouse to its published place atomically, then export Parquet."""
    working = Path(working).resolve()
    target = Path(target).resolve() if target else published_path(working)
    target.parent.mkdir(parents=True, exist_ok=True)
    with write_lock(working):
        con = duckdb.connect(str(working))
        try:
            con.execute("CHECKPOINT")
        finally:
            con.close()
        fd, tmp_name = tempfile.mkstemp(dir=target.parent, prefix=".publish-", suffix=".duckdb")
        os.close(fd)
        try:
            shutil.copyfile(working, tmp_name)
            os.chmod(tmp_name, 0o444)
            os.replace(tmp_name, target)
        except BaseException:
            Path(tmp_name).unlink(missing_ok=True)
            raise
    parquet_dir, files = export_parquet(target, target.parent / "parquet")
    return Publication(target, parquet_dir, target.stat().st_size, files)


def export_parquet(database: Path, out_dir: Path) -> tuple[Path, int]:
    """Export the mart tables of ``database`` to ``out_dir/<table>/`` partitioned by
    period, replacing the previous export as a whole."""
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=".parquet-"))
    staging.chmod(0o755)
    con = duckdb.connect(str(database), read_only=True)
    try:
        existing = {
            row[0]
            for row in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'mart'"
            ).fetchall()
        }
        for table in PARQUET_TABLES:
            if table not in existing:
                continue
            # ``table`` comes from the fixed PARQUET_TABLES allowlist; the path is quoted
            # by DuckDB's COPY syntax and built only from our own folder names.
            destination = str(staging / table).replace("'", "''")
            con.execute(
                f"COPY mart.{table} TO '{destination}' "
                "(FORMAT parquet, PARTITION_BY (period_type, period_start))"
            )
    finally:
        con.close()
    files = sum(1 for _ in staging.rglob("*.parquet"))
    old = out_dir.with_name(out_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return out_dir, files
