"""Derive the marts (schema ``mart``) from core, in SQL.

Each mart's logic lives once, in ``sql/mart/<name>_as_of.sql``, as a DuckDB table macro
taking a data cut-off (``TIMESTAMPTZ``). The materialised tables hold the same macros
evaluated with ``cutoff = 'infinity'``, i.e. every value's latest complete capture
(``sql/mart/refresh.sql``). :func:`rebuild_marts` refreshes them in one transaction;
:func:`query_as_of` evaluates a mart as the portal stood at a stated cut-off.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dtime
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from warehouse.connection import transaction
from warehouse.sql_files import read_sql

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")

# The materialised marts, in refresh order (changes and counts read the tables before them).
MART_TABLES: tuple[str, ...] = (
    "unit_period_scores",
    "group_ranks",
    "score_changes",
    "band_counts",
    "movement_counts",
    "revisions",
)

# Marts that can be evaluated as of a cut-off: name → table macro taking the cut-off.
AS_OF_MACROS: dict[str, str] = {
    "unit_period_scores": "mart.unit_period_scores_as_of",
    "group_ranks": "mart.group_ranks_as_of",
    "score_changes": "mart.score_changes_as_of",
    "band_counts": "mart.band_counts_as_of",
    "movement_counts": "mart.movement_counts_as_of",
    "revisions": "mart.revisions_as_of",
    "band_count_table": "mart.band_count_table_as_of",
}


@dataclass(frozen=True)
class RebuildStats:
    """What a rebuild produced: rows per mart table and the time it took."""

    row_counts: dict[str, int]
    seconds: float


def rebuild_marts(con: duckdb.DuckDBPyConnection) -> RebuildStats:
    """Rebuild every materialised mart table from core in one transaction.

    The marts are a pure function of core, raw.captures, the methodology tables and
    mart.unit_lineage, so re-running gives the same tables (idempotent). A failure rolls
    the whole rebuild back: readers never see a half-rebuilt set of marts.
    """
    started = time.perf_counter()
    with transaction(con):
        con.execute(read_sql("mart/refresh.sql"))
        counts = mart_row_counts(con)
    return RebuildStats(row_counts=counts, seconds=time.perf_counter() - started)


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Number of rows of each materialised mart table."""
    counts: dict[str, int] = {}
    for name in MART_TABLES:
        # ``name`` comes from the fixed MART_TABLES allowlist, never from input.
        row = con.execute(f"SELECT count(*) FROM mart.{name}").fetchone()  # noqa: S608
        counts[name] = int(row[0]) if row else 0
    return counts


def to_cutoff(value: datetime | date | str) -> datetime:
    """A timezone-aware cut-off from a datetime, a date or an ISO string.

    Letters state cut-offs in Vietnam time ("16h ngày 23/11/2023"), so a naive datetime
    or string is read as Asia/Ho_Chi_Minh; a bare date means the end of that day there.
    """
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):  # a date: the end of that day in Vietnam
        value = datetime.combine(value, dtime.max)
    if value.tzinfo is None:
        value = value.replace(tzinfo=TIMEZONE)
    return value


def query_as_of(
    con: duckdb.DuckDBPyConnection, mart_name: str, cutoff: datetime | date | str
) -> pl.DataFrame:
    """Evaluate the mart ``mart_name`` as the portal stood at ``cutoff``.

    ``mart_name`` is one of :data:`AS_OF_MACROS` (``unit_period_scores``,
    ``score_changes``, ``band_counts``, …; a ``mart.`` prefix is allowed). Only complete
    captures taken at or before the cut-off count. Example:
    ``query_as_of(con, "unit_period_scores", "2023-11-23 16:00")`` gives the values of a
    letter whose data cut-off was 16h on 23/11/2023.
    """
    try:
        macro = AS_OF_MACROS[mart_name.removeprefix("mart.")]
    except KeyError:
        known = ", ".join(sorted(AS_OF_MACROS))
        raise ValueError(f"unknown mart {mart_name!r}; expected one of: {known}") from None
    # ``macro`` is an identifier from the fixed allowlist; the cut-off is a parameter.
    query = f"SELECT * FROM {macro}(?)"  # noqa: S608
    return con.sql(query, params=[to_cutoff(cutoff)]).pl()
