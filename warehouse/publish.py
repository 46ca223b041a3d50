"""Publish a read-only copy of the warehouse for analysts.

The working file belongs to the pipeline. After a successful run the publisher, holding
the writer lock (so no write is in flight), checkpoints the working file, copies it next
to the publication, and renames the copy over the published file. ``rename`` is atomic:
a reader that has the old file open keeps reading the old state (its inode stays alive),
a new connection sees the new state, and nobody ever sees a half-written month. Every
published mart of the registry (``warehouse/marts.py``) is also exported to Parquet,
partitioned by period, from the same locked working file while it is being copied, and
swapped in as a whole folder.

A whole publication (copy and export) holds the publication lock of its folder
(``.publication.lock``), so when a publish starts, the ``.publish-*.duckdb`` copies and
``.parquet-*`` staging folders it finds there were left by a publish that died (killed,
power cut) and are removed.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb

from warehouse.connection import write_lock
from warehouse.derive import period_filter
from warehouse.marts import PERIOD_KEYS, Mart, published_marts

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
    """Copy the working warehouse to its published place atomically, and export Parquet.

    Holding the writer lock (so the working file does not change), the copy runs on a
    helper thread while the Parquet export reads the same file: the two read one state,
    and the copy's time is hidden behind the export's. The copy is renamed over the
    published file first, then the export is swapped in."""
    working = Path(working).resolve()
    target = Path(target).resolve() if target else published_path(working)
    target.parent.mkdir(parents=True, exist_ok=True)
    with write_lock(target.parent / ".publication"):
        remove_leftovers(target.parent)
        with write_lock(working), ThreadPoolExecutor(1, thread_name_prefix="publish") as pool:
            con = duckdb.connect(str(working))
            try:
                con.execute("CHECKPOINT")
            finally:
                con.close()
            fd, tmp_name = tempfile.mkstemp(
                dir=target.parent, prefix=_COPY_PREFIX, suffix=_COPY_SUFFIX
            )
            os.close(fd)
            copied = pool.submit(shutil.copyfile, working, tmp_name)
            try:
                staging, files = stage_parquet(working, target.parent / "parquet")
            except BaseException:
                wait([copied])  # the export's error is the one raised
                Path(tmp_name).unlink(missing_ok=True)
                raise
            try:
                copied.result()
                os.chmod(tmp_name, 0o444)
                os.replace(tmp_name, target)
            except BaseException:
                Path(tmp_name).unlink(missing_ok=True)
                shutil.rmtree(staging, ignore_errors=True)
                raise
        parquet_dir = swap_in(staging, target.parent / "parquet")
    return Publication(target, parquet_dir, target.stat().st_size, files)


def _export_mart(
    con: duckdb.DuckDBPyConnection, mart: Mart, destination: Path, previous: Path
) -> None:
    """Write ``mart`` to ``destination``: only the periods whose rows changed since
    ``previous`` (its last export, when it has a manifest); the rest are linked.

    Every published mart has the period columns it is partitioned by (:data:`PERIOD_KEYS`),
    whether or not its refresh is incremental: a table refreshed in full every night
    (``mart.since_yesterday``) or a view changes only some periods' rows, and only those
    are written again."""
    # The mart's name and columns come from the registry; the path is quoted by DuckDB's
    # COPY syntax and built only from our own folder names.
    target = str(destination).replace("'", "''")
    type_column, start_column = mart.period_keys or PERIOD_KEYS
    options = f"(FORMAT parquet, PARTITION_BY ({type_column}, {start_column}))"
    columns = json.dumps(
        con.execute(
            "SELECT column_name, data_type FROM duckdb_columns() "
            "WHERE schema_name = 'mart' AND table_name = ? ORDER BY column_index",
            [mart.name],
        ).fetchall()
    )
    periods: dict[str, tuple[str, date]] = {}
    hashes: dict[str, str] = {}
    for period_type, period_start, digest in con.execute(
        _PERIOD_HASHES_SQL.format(
            type_column=type_column, start_column=start_column, table=mart.qualified_name
        )
    ).fetchall():
        key = f"{period_type}/{period_start.isoformat()}"
        periods[key], hashes[key] = (period_type, period_start), digest
    before = _read_manifest(previous, columns)
    changed = [key for key, digest in hashes.items() if before.get(key) != digest]
    if changed:
        where, params = period_filter(type_column, start_column, [periods[k] for k in changed])
        con.execute(
            f"COPY (SELECT * FROM {mart.qualified_name} WHERE {where}) "  # noqa: S608
            f"TO '{target}' {options}",
            params,
        )
    destination.mkdir(exist_ok=True)
    for key in hashes.keys() - set(changed):
        period_type, period_start = periods[key]
        folder = Path(f"period_type={period_type}") / f"period_start={period_start.isoformat()}"
        (destination / folder).mkdir(parents=True)
        for file in (previous / folder).iterdir():
            if file.is_file() and not file.is_symlink():
                os.link(file, destination / folder / file.name)
    manifest = {"columns": columns, "periods": hashes}
    (destination / PERIODS_MANIFEST).write_text(json.dumps(manifest, sort_keys=True))


def _read_manifest(folder: Path, columns: str) -> dict[str, str]:
    """The period hashes of a previous export of one mart; empty when there is none,
    when its columns were not ``columns`` (a changed definition) or when its folders are
    not all there: everything is then written again."""
    try:
        manifest = json.loads((folder / PERIODS_MANIFEST).read_text())
        hashes = manifest["periods"] if manifest["columns"] == columns else {}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    for key in hashes:
        period_type, period_start = key.split("/")
        if not (folder / f"period_type={period_type}" / f"period_start={period_start}").is_dir():
            return {}
    return hashes


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


PERIODS_MANIFEST = "_periods.json"
"""In each exported mart's folder: the hash of each period's rows when it was written,
so the next export writes only the periods whose rows changed."""

_PERIOD_HASHES_SQL = """
SELECT {type_column}, {start_column}, count(*) || '/' || sum(hash(t))
FROM {table} AS t GROUP BY ALL
"""


def stage_parquet(database: Path, out_dir: Path) -> tuple[Path, int]:
    """Write the published marts of ``database`` to a staging folder beside ``out_dir``;
    return it and the number of Parquet files in it.

    A mart table keyed by period (``Mart.period_keys``) is written only for the periods
    whose rows differ from the previous export in ``out_dir`` (by a hash of the rows kept
    in ``<mart>/_periods.json``); the files of the other periods are hard links to the
    previous export's (Parquet files are never written in place, so they are shared
    safely). The same holds for views and the tables refreshed in full: their periods
    whose rows did not change are linked too."""
    staging = Path(tempfile.mkdtemp(dir=out_dir.parent, prefix=_EXPORT_PREFIX))
    try:
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
                _export_mart(con, mart, staging / mart.name, out_dir / mart.name)
        finally:
            con.close()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging, sum(1 for _ in staging.rglob("*.parquet"))


def swap_in(staging: Path, out_dir: Path) -> Path:
    """Put a staged export in place of ``out_dir`` (two renames; the old one is removed)."""
    old = out_dir.with_name(out_dir.name + ".old")
    shutil.rmtree(old, ignore_errors=True)
    if out_dir.exists():
        os.replace(out_dir, old)
    os.replace(staging, out_dir)
    shutil.rmtree(old, ignore_errors=True)
    return out_dir
