"""Publish a read-only copy of the warehouse for analysts.

The working file belongs to the pipeline. After a successful run the publisher, holding
the writer lock (so no write is in flight), checkpoints the working file, copies it next
to the publication, and renames the copy over the published file. ``rename`` is atomic:
a reader that has the old file open keeps reading the old state (its inode stays alive),
a new connection sees the new state, and nobody ever sees a half-written month. Every
published mart of the registry (``warehouse/marts.py``) is also exported to Parquet,
partitioned by period, swapped in as a whole folder.

A whole publication (copy and export) holds the publication lock of its folder
(``.publication.lock``), so when a publish starts, the ``.publish-*.duckdb`` copies and
``.parquet-*`` staging folders it finds there were left by a publish that died (killed,
power cut) and are removed.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb

from warehouse.connection import write_lock
from warehouse.marts import published_marts

_COPY_PREFIX, _COPY_SUFFIX, _EXPORT_PREFIX = ".publish-", ".duckdb", ".parquet-"
# The names tempfile.mkstemp/mkdtemp give our copies and staging folders (8 random
# characters from tempfile's alphabet): nothing else in the folder matches.
_LEFTOVER_COPY = re.compile(re.escape(_COPY_PREFIX) + r"[a-z0-9_]{8}" + re.escape(_COPY_SUFFIX))
_LEFTOVER_EXPORT = re.compile(re.escape(_EXPORT_PREFIX) + r"[a-z0-9_]{8}")
log = logging.getLogger(__name__)


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
    with write_lock(target.parent / ".publication"):
        remove_leftovers(target.parent)
        with write_lock(working):
            con = duckdb.connect(str(working))
            try:
                con.execute("CHECKPOINT")
            finally:
                con.close()
            fd, tmp_name = tempfile.mkstemp(
                dir=target.parent, prefix=_COPY_PREFIX, suffix=_COPY_SUFFIX
            )
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


def remove_leftovers(folder: Path) -> list[Path]:
    """Remove the copies (``.publish-*.duckdb`` files) and Parquet staging folders
    (``.parquet-*``) that dead publishes left in ``folder``; return what was removed.

    Call it only holding the folder's publication lock: a live publish holds it for its
    whole length, so whatever is found then is a dead publish's. Only names this module
    gives are touched, and never through a symbolic link."""
    removed = []
    for entry in sorted(folder.iterdir()):
        if entry.is_symlink():
            continue
        if _LEFTOVER_COPY.fullmatch(entry.name) and entry.is_file():
            entry.unlink(missing_ok=True)
        elif _LEFTOVER_EXPORT.fullmatch(entry.name) and entry.is_dir():
            shutil.rmtree(entry, ignore_errors=True)
        else:
            continue
        removed.append(entry)
        log.info("removed %s, left by an interrupted publish", entry)
    return removed


def export_parquet(database: Path, out_dir: Path) -> tuple[Path, int]:
    """Export the published marts of ``database`` to ``out_dir/<mart>/`` partitioned by
    period, replacing the previous export as a whole."""
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=_EXPORT_PREFIX))
    staging.chmod(0o755)
    con = duckdb.connect(str(database), read_only=True)
    try:
        existing = {
            row[0]
            for row in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'mart' "
                "UNION ALL SELECT view_name FROM duckdb_views() WHERE schema_name = 'mart'"
            ).fetchall()
        }
        for mart in published_marts():
            if mart.name not in existing:  # a warehouse from before the mart existed
                continue
            # The mart's name comes from the registry; the path is quoted by DuckDB's COPY
            # syntax and built only from our own folder names.
            destination = str(staging / mart.name).replace("'", "''")
            con.execute(
                f"COPY (SELECT * FROM {mart.qualified_name}) TO '{destination}' "  # noqa: S608
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
