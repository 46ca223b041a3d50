"""Short-lived, serialised connections to the working warehouse file.

DuckDB allows one read-write process per file. Writers take an advisory file lock
(``<warehouse>.lock``) and wait for it instead of failing, so a CLI capture and a
scheduled run queue up rather than crash. Connections are opened per unit of work and
closed promptly; nothing connects at import time.
"""

from __future__ import annotations

import fcntl
import logging
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from warehouse.schema import apply_schema, schema_is_current

_SCHEMA_APPLIED: set[Path] = set()
log = logging.getLogger(__name__)


class WarehouseLockTimeout(RuntimeError):
    """Another process held the warehouse write lock for too long."""


@contextmanager
def write_lock(db_path: Path, timeout_s: float = 600.0) -> Iterator[None]:
    """Hold the exclusive advisory lock of the warehouse at ``db_path``, waiting (checking
    every 0.2 s, saying so once) while another process holds it."""
    lock_path = db_path.with_name(db_path.name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+") as handle:
        deadline = time.monotonic() + timeout_s
        waited = False
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waited:
                    log.warning(
                        "Đang chờ khóa ghi của kho dữ liệu %s: một tiến trình khác đang ghi "
                        "(chờ tối đa %.0f giây) …",
                        db_path,
                        timeout_s,
                    )
                    waited = True
                if time.monotonic() > deadline:
                    raise WarehouseLockTimeout(
                        f"the warehouse {db_path} is locked by another writer "
                        f"for more than {timeout_s:.0f} s"
                    ) from None
                time.sleep(0.2)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def writer_config() -> dict[str, str | bool]:
    """DuckDB settings of the pipeline's connections: a memory ceiling (spilling to disk
    beyond it) so a national rebuild fits a small machine; insertion order is not kept
    (every query that needs an order says so)."""
    return {
        "memory_limit": os.environ.get("DVC766_DUCKDB_MEMORY_LIMIT", "1500MB"),
        "preserve_insertion_order": False,
    }


@contextmanager
def connect(db_path: Path | str, *, read_only: bool = False) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the warehouse; writers hold the write lock and get an up-to-date schema
    (applied once per process, and only when the warehouse's ``ops.schema_version`` is not
    this code's)."""
    path = Path(db_path).resolve()
    if read_only:
        con = duckdb.connect(str(path), read_only=True)
        try:
            yield con
        finally:
            con.close()
        return
    with write_lock(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        con = duckdb.connect(str(path), config=writer_config())
        try:
            if path not in _SCHEMA_APPLIED:
                if not schema_is_current(con):
                    apply_schema(con)
                _SCHEMA_APPLIED.add(path)
            yield con
        finally:
            con.close()


def reader_config() -> dict[str, str | bool]:
    """DuckDB settings of every analyst/reader connection: the opened file is the only
    thing it can touch. No other file or URL (ATTACH, COPY, EXPORT, ``read_csv`` and the
    other readers, INSTALL), no extension loading, no scans of Python variables, and the
    configuration locked so that no ``SET``/``RESET``/``PRAGMA`` can lift any of it."""
    return {
        "enable_external_access": False,
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "python_enable_replacements": False,
        "lock_configuration": True,
    }


@contextmanager
def connect_reader(db_path: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open ``db_path`` for reading only (the analysts' and outputs' connection).

    The file is opened read-only with :func:`reader_config`, so a reader's SQL can read
    that file and nothing else: it can neither write it nor reach any other file. Raises
    ``FileNotFoundError`` when the file does not exist (DuckDB would otherwise try to
    create it)."""
    path = Path(db_path).resolve()
    if not path.is_file():
        raise FileNotFoundError(path)
    con = duckdb.connect(str(path), read_only=True, config=reader_config())
    try:
        yield con
    finally:
        con.close()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run a block in one transaction: commit on success, roll back on any error."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")
