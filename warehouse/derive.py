"""Derive the marts (schema ``mart``) from core, in SQL.

Each mart's logic lives once, in ``sql/mart/<name>.sql``, as a DuckDB table macro taking
a data cut-off (``TIMESTAMPTZ``). The materialised tables hold the same macros evaluated
with ``cutoff = 'infinity'``, i.e. every value's latest complete capture (the refresh
query of each table in the registry, ``warehouse/marts.py``). :func:`rebuild_marts`
refreshes them in one transaction; :func:`query_as_of` evaluates a mart as the portal
stood at a stated cut-off.
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
from warehouse.marts import MARTS, MartKind, by_name, of_kind

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")

# The materialised marts, in refresh order (changes and counts read the tables before them).
MART_TABLES: tuple[str, ...] = tuple(m.name for m in of_kind(MartKind.TABLE))


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
        for mart in of_kind(MartKind.TABLE):
            query, params = mart.refresh_query()
            # Table names come from the registry, never from input.
            con.execute(f"DELETE FROM {mart.qualified_name}")  # noqa: S608
            con.execute(f"INSERT INTO {mart.qualified_name} BY NAME {query}", params)
        counts = mart_row_counts(con)
    return RebuildStats(row_counts=counts, seconds=time.perf_counter() - started)


def mart_row_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Number of rows of each materialised mart table."""
    counts: dict[str, int] = {}
    for name in MART_TABLES:
        # ``name`` comes from the registry of marts, never from input.
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

    ``mart_name`` is a mart of the registry with an as-of macro (``unit_period_scores``,
    ``score_changes``, ``band_counts``, …; a ``mart.`` prefix is allowed). Only complete
    captures taken at or before the cut-off count. Example:
    ``query_as_of(con, "unit_period_scores", "2023-11-23 16:00")`` gives the values of a
    letter whose data cut-off was 16h on 23/11/2023.
    """
    try:
        macro = by_name(mart_name).as_of_macro
    except KeyError:
        macro = None
    if macro is None:
        known = ", ".join(sorted(m.name for m in MARTS if m.as_of))
        raise ValueError(f"unknown mart {mart_name!r}; expected one of: {known}")
    # ``macro`` is an identifier from the registry; the cut-off is a parameter.
    query = f"SELECT * FROM {macro}(?)"  # noqa: S608
    return con.sql(query, params=[to_cutoff(cutoff)]).pl()
