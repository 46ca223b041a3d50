"""What the pages show, read by SQL from the published warehouse (the marts).

Everything here is a read through one connection opened by
``warehouse.connection.connect_reader``. The new marts of issue 14 (``since_yesterday``,
``points_lost``, ``peers``, ``what_it_takes``) are read only when the file has them; a
page shows "chưa có dữ liệu" otherwise.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

import duckdb

from warehouse.periods import Period

OPTIONAL_MARTS = ("since_yesterday", "points_lost", "peers", "what_it_takes")
"""Marts the pages use when present (issue 14); absent ones are shown as no data."""

REORGANISATION = date(2025, 7, 1)
"""First day of the 2025 reorganisation (63 → 34 provinces, districts ended)."""

Row = dict[str, Any]


def plain(value: Any) -> Any:
    """A value as JSON can hold it: dates and times as ISO text, decimals as floats."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[Row]:
    """The rows of ``sql`` as dictionaries of JSON-ready values."""
    cursor = con.execute(sql, params or [])
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, (plain(v) for v in row), strict=True)) for row in cursor.fetchall()]


def mart_names(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The tables and views of schema ``mart`` in the file."""
    found = con.execute(
        """SELECT table_name FROM duckdb_tables() WHERE schema_name = 'mart'
           UNION SELECT view_name FROM duckdb_views() WHERE schema_name = 'mart'"""
    ).fetchall()
    return {name for (name,) in found}


@dataclass
class PeriodData:
    """Everything the pages of one period show, keyed for the renderer."""

    period: Period
    groups: list[Row]
    bands: list[Row]
    units: dict[str, Row]
    group_scores: dict[str, dict[str, Row]]
    indicators: dict[str, list[Row]]
    history: History
    optional: dict[str, dict[str, list[Row]] | None] = field(default_factory=dict)
    captured_at: str | None = None

    def children(self, unit_id: str) -> list[Row]:
        """The units whose cohort is under ``unit_id`` (a province's departments, communes
        or districts), best rank first, unranked last."""
        found = [u for u in self.units.values() if u["parent_unit_id"] == unit_id]
        return sorted(found, key=_rank_order)

    def provinces(self) -> list[Row]:
        """The provinces, best rank first, unranked last."""
        found = [u for u in self.units.values() if u["unit_level"] == "province"]
        return sorted(found, key=_rank_order)

    def mart_rows(self, mart: str, unit_id: str) -> list[Row] | None:
        """The rows of an optional mart for ``unit_id``; None when the file lacks it."""
        by_unit = self.optional.get(mart)
        if by_unit is None:
            return None
        return by_unit.get(unit_id, [])


def _rank_order(unit: Row) -> tuple:
    return (unit["rank"] is None, unit["rank"] or 0, unit["unit_name"] or "")


_SOURCES = itertools.count()
"""Numbers the sources of one process, so two sources at different cut-offs on one
connection never share a temp table."""


@dataclass(frozen=True)
class Source:
    """Where the figures come from: the marts as they are (``cutoff`` None) or as they
    stood at a data cut-off (their ``_as_of`` macros). Relations are registry names
    written into SQL; the cut-off is always a parameter.

    At a cut-off, an ``_as_of`` macro derives the whole history whatever filter follows
    it, so a site of many periods paid the whole history again for each period. The
    first read of a relation uses the macro itself (a site of one period costs what it
    did); from the second on, the relation is evaluated once into a temp table of the
    connection, which the later reads use."""

    con: duckdb.DuckDBPyConnection
    cutoff: datetime | None = None
    _read: set[tuple[str, str]] = field(default_factory=set, init=False, repr=False, compare=False)
    _at_cutoff: dict[tuple[str, str], str] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _number: int = field(
        default_factory=lambda: next(_SOURCES), init=False, repr=False, compare=False
    )

    def relation(self, name: str, schema: str = "mart") -> tuple[str, list[Any]]:
        """``<schema>.<name>``, or at a cut-off ``<schema>.<name>_as_of(?)`` with its
        parameter the first time and then the temp table holding it (no parameter)."""
        if self.cutoff is None:
            return f"{schema}.{name}", []
        key = (schema, name)
        macro = f"{schema}.{name}_as_of(?::TIMESTAMPTZ)"
        if key not in self._read:
            self._read.add(key)
            return macro, [self.cutoff]
        table = self._at_cutoff.get(key)
        if table is None:
            table = f"at_cutoff_{self._number}_{schema}_{name}"
            # Schema and name come from this module and the registry, never from input;
            # the cut-off is a parameter.
            self.con.execute(
                f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM {macro}",  # noqa: S608
                [self.cutoff],
            )
            self._at_cutoff[key] = table
        return table, []

    def has(self, name: str) -> bool:
        """Whether the file has the mart (its ``_as_of`` macro when at a cut-off)."""
        if self.cutoff is None:
            return name in mart_names(self.con)
        found = self.con.execute(
            """SELECT count(*) FROM duckdb_functions()
               WHERE schema_name = 'mart' AND function_name = ?""",
            [f"{name}_as_of"],
        ).fetchone()[0]
        return bool(found)

    def has_column(self, schema: str, table: str, column: str) -> bool:
        """Whether ``schema.table`` (a table or view) has ``column``."""
        found = self.con.execute(
            """SELECT count(*) FROM duckdb_columns()
               WHERE schema_name = ? AND table_name = ? AND column_name = ?""",
            [schema, table, column],
        ).fetchone()[0]
        return bool(found)

    def rows(self, sql: str, params: list[Any] | None = None) -> list[Row]:
        """The rows of ``sql`` (see :func:`rows`)."""
        return rows(self.con, sql, params)

    def periods(self) -> list[Period]:
        """Every period with scores, oldest first (months before quarters before years
        on the same first day)."""
        scores, params = self.relation("unit_period_scores")
        found = self.con.execute(
            f"SELECT DISTINCT period_type, period_start FROM {scores}",  # noqa: S608
            params,
        ).fetchall()
        return sorted(
            (Period(kind, start) for kind, start in found),
            key=lambda p: (p.start, _PERIOD_ORDER.get(p.period_type, 9)),
        )

    def latest_capture(self) -> str | None:
        """The latest capture time of any score (the site's data cut-off)."""
        scores, params = self.relation("unit_period_scores")
        (value,) = self.con.execute(
            f"SELECT max(captured_at) FROM {scores}",  # noqa: S608
            params,
        ).fetchone()
        return plain(value)


_PERIOD_ORDER = {"month": 0, "quarter": 1, "half": 2, "year": 3}

_UNITS = """
SELECT s.unit_id, s.unit_code, s.unit_name, s.unit_level, s.parent_unit_id,
       s.total_score, s.missing_groups, s.band, s.band_code, s.rank, s.cohort_size,
       s.captured_at, {provisional} AS is_provisional, c.prev_total_score, c.delta_points,
       c.delta_pct, c.prev_rank, c.rank_move, c.prev_band, c.band_transition,
       c.comparable, c.not_comparable_reason
FROM {scores} AS s
LEFT JOIN {changes} AS c USING (unit_id, period_type, period_start)
WHERE s.period_type = ? AND s.period_start = ?
"""

_GROUP_SCORES = """
SELECT unit_id, group_code, score, rank, cohort_size
FROM {group_ranks} WHERE period_type = ? AND period_start = ?
"""

# The indicators of the capture that gave each group value (unit_id is the unit's one
# identity; metric_values keep the id the reply used, source_unit_id when the file has it).
_INDICATORS = """
SELECT g.unit_id, m.group_code, m.metric_code, m.metric_name, m.numerator, m.denominator,
       m.ratio, m.score, m.max_score, round(m.max_score - m.score, 2) AS points_lost
FROM core.metric_values AS m
JOIN {group_scores} AS g
  ON g.capture_id = m.capture_id AND g.{source_unit} = m.unit_id
 AND g.group_code = m.group_code
 AND g.period_type = m.period_type AND g.period_start = m.period_start
WHERE m.period_type = ? AND m.period_start = ?
ORDER BY g.unit_id, m.group_code, m.metric_code
"""

_HISTORY = """
SELECT unit_id, period_type, period_start, total_score, rank, cohort_size, band
FROM {scores}
ORDER BY unit_id, period_type, period_start
"""

_METHODOLOGY = """
SELECT {columns}
FROM methodology.{table} AS t JOIN methodology.versions AS v USING (version_id)
WHERE v.kind = 'portal' AND v.effective_from <= ?
  AND (v.effective_to IS NULL OR v.effective_to >= ?)
ORDER BY t.sort_order
"""


class History:
    """Every unit's totals and ranks over all periods (read once for the whole site)."""

    def __init__(self, source: Source) -> None:
        """Read the history from ``source``."""
        self._series: dict[tuple[str, str], list[Row]] = defaultdict(list)
        scores, params = source.relation("unit_period_scores")
        for row in source.rows(_HISTORY.format(scores=scores), params):
            self._series[(row.pop("unit_id"), row.pop("period_type"))].append(row)

    def series(self, unit_id: str, period_type: str, upto: date) -> list[Row]:
        """The unit's rows of ``period_type`` that started on or before ``upto``, oldest
        first (a page of a period shows the history up to it, so a later period does not
        change it)."""
        bound = upto.isoformat()
        return [
            r for r in self._series.get((unit_id, period_type), []) if r["period_start"] <= bound
        ]


def _by_unit(found: list[Row]) -> dict[str, list[Row]]:
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in found:
        grouped[row["unit_id"]].append(row)
    return dict(grouped)


def period_data(source: Source, period: Period, history: History) -> PeriodData:
    """Read everything the pages of ``period`` show (a few bulk queries)."""
    key = [period.period_type, period.start]
    scores, scores_params = source.relation("unit_period_scores")
    changes, changes_params = source.relation("score_changes")
    # mart.unit_period_scores.is_provisional (issue 11) when the file has it; else NULL
    # and the pages decide from the capture time (pipelines.site.build).
    flag = source.has_column("mart", "unit_period_scores", "is_provisional")
    units_sql = _UNITS.format(
        provisional="s.is_provisional" if flag else "NULL", scores=scores, changes=changes
    )
    units = {
        u["unit_id"]: u for u in source.rows(units_sql, [*scores_params, *changes_params, *key])
    }
    group_scores: dict[str, dict[str, Row]] = defaultdict(dict)
    ranks, ranks_params = source.relation("group_ranks")
    for row in source.rows(_GROUP_SCORES.format(group_ranks=ranks), [*ranks_params, *key]):
        group_scores[row.pop("unit_id")][row["group_code"]] = row
    if source.cutoff is None:
        values, values_params = "core.current_group_scores", []
    else:
        values, values_params = source.relation("group_scores", schema="core")
    source_unit = (
        "source_unit_id"
        if source.has_column("core", "current_group_scores", "source_unit_id")
        else "unit_id"
    )
    indicators: dict[str, list[Row]] = defaultdict(list)
    found = source.rows(
        _INDICATORS.format(group_scores=values, source_unit=source_unit), [*values_params, *key]
    )
    for row in found:
        indicators[row.pop("unit_id")].append(row)
    when = [period.start, period.start]
    groups = source.rows(
        _METHODOLOGY.format(
            columns="t.group_code, t.name_vi, t.max_score::DOUBLE AS max_score", table="groups"
        ),
        when,
    )
    bands = source.rows(
        _METHODOLOGY.format(
            columns="t.band_code, t.name_vi, t.min_score::DOUBLE AS min_score", table="bands"
        ),
        when,
    )
    optional: dict[str, dict[str, list[Row]] | None] = {}
    for mart in OPTIONAL_MARTS:
        if not source.has(mart):
            optional[mart] = None
            continue
        relation, params = source.relation(mart)
        optional[mart] = _by_unit(
            source.rows(
                f"SELECT * FROM {relation} WHERE period_type = ? AND period_start = ?",  # noqa: S608
                [*params, *key],
            )
        )
    captured = [u["captured_at"] for u in units.values() if u["captured_at"]]
    return PeriodData(
        period=period,
        groups=groups,
        bands=bands,
        units=units,
        group_scores=dict(group_scores),
        indicators=dict(indicators),
        history=history,
        optional=optional,
        captured_at=max(captured) if captured else None,
    )
