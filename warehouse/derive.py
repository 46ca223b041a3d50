"""Derive the marts (schema ``mart``) from core, in SQL.

Each mart's logic lives once, in ``sql/mart/<name>.sql``, as a DuckDB table macro taking
a data cut-off (``TIMESTAMPTZ``). The materialised tables hold the same macros evaluated
with ``cutoff = 'infinity'``, i.e. every value's latest complete capture (the refresh
query of each table in the registry, ``warehouse/marts.py``). :func:`rebuild_marts`
refreshes them in one transaction; :func:`refresh_marts` derives only the periods whose
inputs changed since the last refresh (what a nightly run needs); :func:`query_as_of`
evaluates a mart as the portal stood at a stated cut-off.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from datetime import time as dtime
from zoneinfo import ZoneInfo

import duckdb
import polars as pl

from warehouse.connection import transaction
from warehouse.marts import MARTS, Mart, MartKind, by_name, of_kind

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")

# The materialised marts, in refresh order (changes and counts read the tables before them).
MART_TABLES: tuple[str, ...] = tuple(m.name for m in of_kind(MartKind.TABLE))


PeriodKey = tuple[str, date]
"""A period as the marts key it: (period_type, period_start)."""

INPUTS_HASH_SQL = """
SELECT concat_ws(':',
    (SELECT count(*) || '/' || coalesce(sum(hash(v)), 0) FROM methodology.versions AS v),
    (SELECT count(*) || '/' || coalesce(sum(hash(g)), 0) FROM methodology.groups AS g),
    (SELECT count(*) || '/' || coalesce(sum(hash(b)), 0) FROM methodology.bands AS b),
    (SELECT count(*) || '/' || coalesce(sum(hash(l)), 0) FROM mart.unit_lineage AS l)
)
"""
"""A hash of the inputs every period of the marts reads (methodology, unit lineage):
when it changes, no period can be left as it was."""

UNIT_INPUTS_SQL = """
SELECT unit_id, hash(unit_id, unit_code, unit_name, unit_level, parent_unit_id)
FROM core.units
"""
"""The attributes of each unit the marts read from core.units (mart.group_values falls
back to them), hashed: kept in ``ops.mart_unit_inputs`` by each refresh."""

CHANGED_UNITS_SQL = f"""
WITH now_units AS ({UNIT_INPUTS_SQL})
SELECT coalesce(n.unit_id, o.unit_id) AS unit_id
FROM now_units AS n (unit_id, attributes_hash)
FULL JOIN ops.mart_unit_inputs AS o USING (unit_id)
WHERE n.attributes_hash IS DISTINCT FROM o.attributes_hash
"""  # noqa: S608 (a constant of this module)
"""The units whose attributes changed (or appeared, or went) since the last refresh."""

CHANGED_CAPTURES_SQL = """
SELECT capture_id FROM ops.normalisations WHERE normalised_at >= ?
UNION SELECT capture_id FROM ops.rejected_captures WHERE rejected_at >= ?
UNION SELECT capture_id FROM ops.raw_store_faults
    WHERE detected_at >= ? AND capture_id IS NOT NULL
"""
"""The captures whose core rows may have changed since a time: normalised (loaded, or
loaded again), rejected by a core check (rows deleted) or found damaged (rows deleted)."""

PERIOD_INPUTS_SQL = """
SELECT g.period_type, g.period_start, sum(hash(
    g.unit_id, g.group_code, g.score, g.captured_at, g.capture_id, g.response_id, c.status
)) AS scores_hash
FROM core.group_scores AS g
JOIN raw.captures AS c USING (capture_id)
GROUP BY g.period_type, g.period_start
"""
"""Per period, a hash of its group scores (with their captures' status): kept in
``ops.mart_period_inputs`` by each refresh, so a score changed in core by any road (a
normalisation, a rejection, a repair by hand) makes its period part of the next refresh."""

CHANGED_SCORE_PERIODS_SQL = f"""
WITH now_periods AS ({PERIOD_INPUTS_SQL})
SELECT coalesce(n.period_type, o.period_type), coalesce(n.period_start, o.period_start)
FROM now_periods AS n
FULL JOIN ops.mart_period_inputs AS o USING (period_type, period_start)
WHERE n.scores_hash IS DISTINCT FROM o.scores_hash
"""  # noqa: S608 (a constant of this module)
"""The periods whose group scores changed (or appeared, or went) since the last refresh."""

CHANGED_PERIODS_SQL = """
WITH
changed AS (SELECT unnest(?::VARCHAR[]) AS capture_id),
changed_units AS (SELECT unnest(?::VARCHAR[]) AS unit_id),
periods AS (
    SELECT unnest(?::VARCHAR[]) AS period_type, unnest(?::DATE[]) AS period_start
    UNION SELECT period_type, period_start FROM raw.captures WHERE capture_id IN (FROM changed)
    UNION SELECT period_type, period_start FROM core.group_scores
        WHERE capture_id IN (FROM changed)
    UNION SELECT period_type, period_start FROM core.reported_totals
        WHERE capture_id IN (FROM changed)
    UNION SELECT period_type, period_start FROM core.group_scores
        WHERE unit_id IN (FROM changed_units)
),
following AS (   -- each changed period and the ``?`` periods of its type after it
    SELECT
        p.period_type,
        (p.period_start + n * mart.period_length(p.period_type))::DATE AS period_start
    FROM periods AS p, range(0, ? + 1) AS steps(n)
)
SELECT DISTINCT period_type, period_start FROM following ORDER BY ALL
"""


@dataclass(frozen=True)
class Changes:
    """What changed in the marts' inputs since the last refresh."""

    capture_ids: tuple[str, ...] = ()
    """Captures normalised, rejected or found damaged since."""
    unit_ids: tuple[str, ...] = ()
    """Units whose attributes in core.units changed."""
    periods: tuple[PeriodKey, ...] = ()
    """Periods whose group scores changed (by whatever road)."""

    def __bool__(self) -> bool:
        return bool(self.capture_ids or self.unit_ids or self.periods)


def affected_periods(
    con: duckdb.DuckDBPyConnection, changes: Changes, *, following: int = 1
) -> list[PeriodKey]:
    """The periods to derive again after ``changes``: each changed capture's own period
    and the periods of its core rows, each period a changed unit has values in, each
    period whose scores changed, and the ``following`` periods of the
    same type after each (mart.score_changes compares a period with the one before it,
    so a changed month changes the next month's changes, rank moves and movement counts).
    No mart derives a period from another type's periods (a quarter is the portal's own
    quarter, never a sum of months), so a month does not make its quarter or year
    affected."""
    params = [
        list(changes.capture_ids),
        list(changes.unit_ids),
        [period_type for period_type, _ in changes.periods],
        [period_start for _, period_start in changes.periods],
        following,
    ]
    rows = con.execute(CHANGED_PERIODS_SQL, params).fetchall()
    return [(period_type, period_start) for period_type, period_start in rows]


AffectedPeriods = Callable[[duckdb.DuckDBPyConnection, Changes], list[PeriodKey]]
"""How :func:`refresh_marts` turns what changed into the periods to derive."""


@dataclass(frozen=True)
class RebuildStats:
    """What a rebuild produced: rows per mart table and the time it took; for an
    incremental refresh, the periods it derived (None: every period)."""

    row_counts: dict[str, int]
    seconds: float
    periods: tuple[PeriodKey, ...] | None = None

    @property
    def mode(self) -> str:
        """``full`` or ``incremental``."""
        return "full" if self.periods is None else "incremental"


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
        _record_refresh(con, None, started)
    return RebuildStats(row_counts=counts, seconds=time.perf_counter() - started)


def refresh_marts(
    con: duckdb.DuckDBPyConnection,
    *,
    affected: AffectedPeriods = affected_periods,
    marts: Sequence[Mart] = MARTS,
) -> RebuildStats:
    """Bring the mart tables up to date with core, deriving only what changed.

    The captures normalised, rejected or found damaged since the last refresh started
    (``ops.mart_refreshes``), the units whose attributes changed
    (``ops.mart_unit_inputs``) and the periods whose scores changed
    (``ops.mart_period_inputs``) give the periods to derive (``affected``: by default
    :func:`affected_periods`). In one transaction, each table mart keyed by period
    (:attr:`~warehouse.marts.Mart.period_keys`) loses those periods' rows and gets them
    again from its refresh query filtered to those periods; the others are refreshed in
    full. With no earlier refresh, or when the inputs every period reads changed
    (:data:`INPUTS_HASH_SQL`), it is :func:`rebuild_marts`. The result equals a full
    rebuild (``tests/test_incremental_marts.py``).
    """
    last = con.execute(
        "SELECT refreshed_at, inputs_hash FROM ops.mart_refreshes "
        "ORDER BY refreshed_at DESC LIMIT 1"
    ).fetchone()
    if last is None or last[1] != _inputs_hash(con):
        return rebuild_marts(con)
    started = time.perf_counter()
    since = last[0]
    changes = Changes(
        capture_ids=tuple(r[0] for r in con.execute(CHANGED_CAPTURES_SQL, [since] * 3).fetchall()),
        unit_ids=tuple(r[0] for r in con.execute(CHANGED_UNITS_SQL).fetchall()),
        periods=tuple((r[0], r[1]) for r in con.execute(CHANGED_SCORE_PERIODS_SQL).fetchall()),
    )
    periods = affected(con, changes) if changes else []
    with transaction(con):
        if periods:
            types = [period_type for period_type, _ in periods]
            starts = [period_start for _, period_start in periods]
            for mart in of_kind(MartKind.TABLE, marts):
                _refresh_table(con, mart, types, starts, marts)
        counts = mart_row_counts(con)
        _record_refresh(con, len(periods), started)
    return RebuildStats(
        row_counts=counts, seconds=time.perf_counter() - started, periods=tuple(periods)
    )


def _refresh_table(
    con: duckdb.DuckDBPyConnection,
    mart: Mart,
    types: list[str],
    starts: list[date],
    marts: Sequence[Mart] = MARTS,
) -> None:
    """Derive the rows of ``mart`` for the periods ``types``/``starts`` again (all rows
    when the mart is not keyed by period).

    The periods are given as a list of parameters (:func:`period_filter`), which DuckDB
    pushes through the marts' window functions (partitioned by period) down to the scans
    of core. A mart refreshed from another mart's table (``refresh_of``) is handed only
    those periods' rows of it, and the period before each when it compares with it
    (:attr:`~warehouse.marts.Mart.compares_previous`). A mart with
    :attr:`~warehouse.marts.Mart.stale_periods` also derives the periods its
    ``_stale(table)`` macro names."""
    query, params = mart.refresh_query()
    if mart.period_keys is None:
        # Table names come from the registry, never from input.
        con.execute(f"DELETE FROM {mart.qualified_name}")  # noqa: S608
        con.execute(f"INSERT INTO {mart.qualified_name} BY NAME {query}", params)
        return
    periods = sorted(set(zip(types, starts, strict=True)))
    if mart.stale_periods:
        # The registry name gives the macro; it reads the table before its refresh.
        stale = con.execute(
            f"SELECT DISTINCT period_type, period_start FROM mart.{mart.name}_stale(?)",  # noqa: S608
            [mart.qualified_name],
        ).fetchall()
        periods = sorted(set(periods) | {(t, s) for t, s in stale})
    source = by_name(mart.refresh_of, marts) if mart.refresh_of else None
    if source is not None and source.period_keys is not None:
        # An ``_of`` macro reads a relation by name: hand it these periods' rows only.
        read = periods
        if mart.compares_previous:
            before = con.execute(
                "SELECT DISTINCT t, (s - mart.period_length(t))::DATE "
                "FROM (SELECT unnest(?::VARCHAR[]) AS t, unnest(?::DATE[]) AS s)",
                [types, starts],
            ).fetchall()
            read = sorted(set(periods) | {(t, s) for t, s in before})
        where, where_params = period_filter(*source.period_keys, read)
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE refresh_input AS "  # noqa: S608
            f"SELECT * FROM {source.qualified_name} WHERE {where}",
            where_params,
        )
        params = ["refresh_input"]
    where, where_params = period_filter(*mart.period_keys, periods)
    # Column and table names come from the registry; the periods are parameters.
    con.execute(f"DELETE FROM {mart.qualified_name} WHERE {where}", where_params)  # noqa: S608
    con.execute(
        f"INSERT INTO {mart.qualified_name} BY NAME SELECT * FROM ({query}) WHERE {where}",  # noqa: S608
        [*params, *where_params],
    )
    con.execute("DROP TABLE IF EXISTS temp.refresh_input")


def period_filter(
    type_column: str, start_column: str, periods: Sequence[PeriodKey]
) -> tuple[str, list[object]]:
    """A WHERE condition (and its parameters) keeping the rows of ``periods``: the period
    starts as an IN list (a filter DuckDB applies to the scan, skipping other row groups)
    and the (type, start) pairs, one pair of placeholders each, which DuckDB pushes
    through window functions partitioned by period. Only placeholders are written into
    the SQL; the columns are registry identifiers."""
    if not periods:
        return "false", []
    dates = sorted({start for _, start in periods})
    condition = (
        f"{start_column} IN ({', '.join('?' for _ in dates)}) AND "
        f"({type_column}, {start_column}) IN ({', '.join('(?, ?)' for _ in periods)})"
    )
    return condition, [*dates, *(value for pair in periods for value in pair)]


def checks_scope(
    con: duckdb.DuckDBPyConnection, stats: RebuildStats, marts: Sequence[Mart] = MARTS
) -> tuple[tuple[PeriodKey, ...], tuple[tuple[str, tuple[str, str]], ...]] | None:
    """What the checks after the refresh ``stats`` may look at: the periods it derived
    and the tables keyed by period, or None for everything. Scoped only after an
    incremental refresh when the checks after the refresh before it passed (so every
    other period was checked and is unchanged); otherwise a failure found earlier and
    still in the tables would go unseen."""
    if stats.periods is None:
        return None
    row = con.execute(
        "SELECT checks_passed FROM ops.mart_refreshes ORDER BY refreshed_at DESC LIMIT 1 OFFSET 1"
    ).fetchone()
    if row is None or row[0] is not True:
        return None
    tables = tuple((m.name, m.period_keys) for m in of_kind(MartKind.TABLE, marts) if m.period_keys)
    return stats.periods, tables


def record_checks(con: duckdb.DuckDBPyConnection, passed: bool) -> None:
    """Record whether the mart checks passed after the latest refresh."""
    con.execute(
        """UPDATE ops.mart_refreshes SET checks_passed = ?
           WHERE refreshed_at = (SELECT max(refreshed_at) FROM ops.mart_refreshes)""",
        [passed],
    )


def _inputs_hash(con: duckdb.DuckDBPyConnection) -> str:
    """The current :data:`INPUTS_HASH_SQL`."""
    row = con.execute(INPUTS_HASH_SQL).fetchone()
    return str(row[0]) if row else ""


def _record_refresh(con: duckdb.DuckDBPyConnection, periods: int | None, started: float) -> None:
    """Record a refresh in ``ops.mart_refreshes`` (inside its transaction, whose start
    time it keeps: what is normalised after that is the next refresh's to derive) and the
    units' attributes it read in ``ops.mart_unit_inputs``."""
    con.execute("DELETE FROM ops.mart_unit_inputs")
    con.execute(f"INSERT INTO ops.mart_unit_inputs {UNIT_INPUTS_SQL}")
    con.execute("DELETE FROM ops.mart_period_inputs")
    con.execute(f"INSERT INTO ops.mart_period_inputs {PERIOD_INPUTS_SQL}")
    con.execute(
        "INSERT INTO ops.mart_refreshes (refreshed_at, mode, periods, inputs_hash, seconds) "
        "VALUES (now(), ?, ?, ?, ?)",
        [
            "full" if periods is None else "incremental",
            periods,
            _inputs_hash(con),
            time.perf_counter() - started,
        ],
    )


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
