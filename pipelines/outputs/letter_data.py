"""The figures of a provincial letter, read from the marts as of a data cut-off.

Everything comes from the marts as of the letter's data cut-off, so a letter regenerated
later (after the portal revised the month) shows the numbers as they stood at its cut-off.
The scores are derived once per letter, for its periods only (the period, and the one
before it that the changes compare with; the same for the year to date) into temp tables
of the letter's own cursor, and handed to the marts' ``*_of`` macros: a letter costs the
same whatever the length of the history, and its rows are those of the
``mart.*_as_of(cutoff)`` macros for the same periods.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from pipelines.outputs.provisional import provisional_note
from warehouse.periods import Period

LEVEL_LABELS = {
    "province": "Tỉnh, thành phố",
    "department": "Sở, ban, ngành cấp tỉnh",
    "district": "UBND cấp huyện",
    "commune": "UBND cấp xã",
}
TOP_BOTTOM_N = 5
"""How many units the letter names at each end of a cohort (ties at the cut are kept)."""


class LetterDataError(LookupError):
    """The warehouse has no data for the requested province or period."""


@dataclass
class LetterData:
    """Everything a monthly/quarterly letter of one province needs."""

    province_id: str
    province_code: str
    province_name: str
    period: Period
    cutoff: datetime
    province: dict
    province_change: dict | None
    year_to_date: dict | None
    groups: pl.DataFrame
    departments: pl.DataFrame
    local_units: pl.DataFrame
    local_level: str
    band_counts: pl.DataFrame
    indicators: pl.DataFrame
    bands: tuple[str, ...]
    band_table: pl.DataFrame
    top_bottom: pl.DataFrame
    data_cutoff: datetime
    sources: tuple[str, ...] = ()
    """The sources (``raw.captures.source``) that gave the values shown: the portal's
    APIs, or files people ingested (``file_*``), so the report names where they came from."""

    @property
    def provisional_label(self) -> str | None:
        """``tạm tính đến ngày dd/mm/yyyy`` when the mart marks the province's figures
        provisional (``is_provisional``: the period had not closed when they were taken,
        ``data_cutoff``), else None."""
        return provisional_note(self.province.get("is_provisional"), self.data_cutoff)


def _frame(con: duckdb.DuckDBPyConnection, sql: str, params: list) -> pl.DataFrame:
    return pl.from_arrow(con.sql(sql, params=params).to_arrow_table())


_VALUES_OF_PERIODS = """
CREATE OR REPLACE TEMP TABLE {name}_values AS
WITH letter_periods AS (
    SELECT unnest(?::VARCHAR[]) AS period_type, unnest(?::DATE[]) AS period_start
)
SELECT * FROM mart.group_values_in(?::TIMESTAMPTZ, 'letter_periods')
"""
_SCORES_OF_VALUES = """
CREATE OR REPLACE TEMP TABLE {name}_scores AS
SELECT * FROM mart.unit_period_scores_of('{name}_values', cutoff := ?::TIMESTAMPTZ)
"""


def _score_periods(
    con: duckdb.DuckDBPyConnection, name: str, periods: list[Period], cutoff: datetime
) -> None:
    """Derive the group values and scores of ``periods`` as of ``cutoff`` into the temp
    tables ``<name>_values`` and ``<name>_scores`` of ``con`` (``name``: a constant of this
    module). Their rows are those of ``mart.group_values_as_of`` and
    ``mart.unit_period_scores_as_of`` for those periods (every value, total, rank and
    cohort of a period comes from that period's captures), at the cost of those periods
    instead of the whole history."""
    types, starts = [p.period_type for p in periods], [p.start for p in periods]
    # ``name`` is one of this module's constants; the periods and cut-off are parameters.
    con.execute(_VALUES_OF_PERIODS.format(name=name), [types, starts, cutoff])
    con.execute(_SCORES_OF_VALUES.format(name=name), [cutoff])


UNIT_COLUMNS = """
s.unit_id, s.unit_code, s.unit_name, s.unit_level,
s.group_scores, s.total_score, s.missing_groups,
s.band, s.rank, s.cohort_size, s.is_provisional,
s.rank_null_reason, s.reported_rank, s.reported_cohort_size,
c.prev_total_score, c.delta_points, c.delta_pct, c.prev_rank, c.rank_move,
c.prev_band, c.band_transition, c.comparable, c.not_comparable_reason,
s.captured_at
"""
"""What a letter reads of each unit: its scores (``s``, shaped like
mart.unit_period_scores) and its changes (``c``, shaped like mart.score_changes)."""

_UNITS_WITH_CHANGES = f"""
SELECT {UNIT_COLUMNS}
FROM {{name}}_scores AS s
LEFT JOIN mart.score_changes_of('{{name}}_scores') AS c
  USING (unit_id, period_type, period_start)
WHERE s.period_type = ? AND s.period_start = ?
"""  # noqa: S608 (a constant of this module)
"""The units of the temp table ``<name>_scores`` (:func:`_score_periods`) with their
changes against the period before (``mart.score_changes_of``), for one period
(parameters: period type, period start) and a filter of units the caller appends."""


def period_groups(con: duckdb.DuckDBPyConnection, period: Period) -> pl.DataFrame:
    """The groups of the methodology version in force for ``period`` (``group_code``,
    ``name_vi``, ``max_score``, ``sort_order``), in their published order: what a report
    shows as group columns (seven under a seven-group version, six before)."""
    return _frame(
        con,
        """SELECT group_code, name_vi, max_score::DOUBLE AS max_score, sort_order
           FROM methodology.groups
           WHERE version_id = methodology.portal_version_on(?::DATE)
           ORDER BY sort_order""",
        [period.start],
    )


def province_rank(row: dict) -> tuple[int | None, int | None, bool]:
    """(rank, out of how many, stated) of a unit row: its rank over a whole cohort; else
    the rank a source stated (``reported_rank``, stated True); else no rank."""
    stated = row.get("reported_rank")
    if row["rank"] is None and stated is not None:
        return stated, row.get("reported_cohort_size"), True
    return row["rank"], row["cohort_size"], False


def group_score(row: dict, group_code: str) -> float | None:
    """A unit row's score in ``group_code``, read from its ``group_scores`` map (None when
    the unit has no value in that group or the group is not of the row's version)."""
    return (row.get("group_scores") or {}).get(group_code)


def load_letter_data(
    con: duckdb.DuckDBPyConnection, province: str, period: Period, cutoff: datetime
) -> LetterData:
    """Collect a letter's figures for ``province`` (code or id) and ``period`` as of
    ``cutoff``. The reads run on a cursor of ``con`` (same database, same locked
    settings), so a result the caller left unfetched on ``con`` does not get in their way,
    and the letter's temp tables (:func:`_score_periods`) go with the cursor.
    """
    with con.cursor() as cur:
        return _load(cur, province, period, cutoff)


def _load(
    con: duckdb.DuckDBPyConnection, province: str, period: Period, cutoff: datetime
) -> LetterData:
    found = con.execute(
        # the province as it stood in the period: one canonical unit per code (core.units_on)
        """SELECT unit_id, unit_code, unit_name FROM core.units_on(?::DATE)
           WHERE unit_level = 'province' AND (unit_code = ? OR unit_id = ?)""",
        [period.end, province.strip().upper(), province.strip()],
    ).fetchall()
    if not found:
        raise LetterDataError(f"không tìm thấy tỉnh {province!r} trong kho dữ liệu")
    province_id, code, name = found[0]
    # the period, and the one before it that its changes compare with
    _score_periods(con, "letter", [period, period.previous()], cutoff)
    units = _frame(
        con,
        _UNITS_WITH_CHANGES.format(name="letter") + " AND (s.unit_id = ? OR s.parent_unit_id = ?)",
        [period.period_type, period.start, province_id, province_id],
    )
    own = units.filter(pl.col("unit_id") == province_id)
    if own.is_empty():
        raise LetterDataError(
            f"chưa có số liệu {period.label} của {name} tại thời điểm chốt {cutoff:%Y-%m-%d %H:%M}"
        )
    row = own.row(0, named=True)
    ytd = None
    if period.period_type != "year":
        year = Period("year", period.start.replace(month=1, day=1))
        _score_periods(con, "year", [year, year.previous()], cutoff)
        ytd_frame = _frame(
            con,
            _UNITS_WITH_CHANGES.format(name="year") + " AND s.unit_id = ?",
            [year.period_type, year.start, province_id],
        )
        ytd = ytd_frame.row(0, named=True) if ytd_frame.height else None
    groups = period_groups(con, period)
    bands = tuple(
        name
        for (name,) in con.execute(
            """SELECT name_vi FROM methodology.bands
               WHERE version_id = methodology.portal_version_on(?::DATE)
               ORDER BY sort_order""",
            [period.start],
        ).fetchall()
    )
    children = units.filter(pl.col("unit_id") != province_id)
    departments = children.filter(pl.col("unit_level") == "department").sort(
        ["rank", "unit_name"], nulls_last=True
    )
    local_level = (
        "district" if children.filter(pl.col("unit_level") == "district").height else ("commune")
    )
    local_units = children.filter(pl.col("unit_level") == local_level).sort(
        ["rank", "unit_name"], nulls_last=True
    )
    in_period = [period.period_type, period.start, province_id]
    # derived once: the band counts and the band table read them
    con.execute(
        "CREATE OR REPLACE TEMP TABLE letter_band_counts AS "
        "SELECT * FROM mart.band_counts_of('letter_scores')"
    )
    band_counts = _frame(
        con,
        """SELECT unit_level, band, unit_count, cohort_size, share_pct
           FROM letter_band_counts
           WHERE period_type = ? AND period_start = ? AND parent_unit_id = ?
           ORDER BY unit_level, band""",
        in_period,
    )
    band_table = _frame(
        con,
        """SELECT * FROM mart.band_count_table_of('letter_band_counts')
           WHERE period_type = ? AND period_start = ? AND parent_unit_id = ?
           ORDER BY row_order""",
        in_period,
    )
    top_bottom = _frame(
        con,
        """SELECT position, unit_level, unit_id, unit_code, unit_name, total_score, band,
                  rank, rank_from_bottom, cohort_size
           FROM mart.top_bottom_of('letter_scores', ?)
           WHERE period_type = ? AND period_start = ? AND parent_unit_id = ?
           ORDER BY unit_level, CASE position WHEN 'top' THEN 0 ELSE 1 END, rank, unit_name""",
        [TOP_BOTTOM_N, *in_period],
    )
    sources = tuple(
        source
        for (source,) in con.execute(
            """SELECT DISTINCT source_id FROM letter_values
               WHERE period_type = ? AND period_start = ? AND (unit_id = ? OR parent_unit_id = ?)
               ORDER BY source_id""",
            [*in_period, province_id],
        ).fetchall()
    )
    indicators = _frame(
        con,
        """WITH capture AS (
               SELECT capture_id FROM raw.captures
               WHERE scope = 'province' AND status = 'complete' AND root_unit_id = ?
                 AND period_type = ? AND period_start = ? AND captured_at <= ?::TIMESTAMPTZ
               ORDER BY captured_at DESC LIMIT 1)
           SELECT m.group_code, m.metric_code, m.metric_name, m.numerator, m.denominator,
                  m.ratio, m.score, m.max_score, m.data_quality_status,
                  m.data_quality_message
           FROM core.metric_values AS m JOIN capture USING (capture_id)
           WHERE m.unit_id = ?
           ORDER BY m.group_code, m.metric_code""",
        [province_id, period.period_type, period.start, cutoff, province_id],
    )
    return LetterData(
        province_id=province_id,
        province_code=code,
        province_name=name,
        period=period,
        cutoff=cutoff,
        province=row,
        province_change=row if row.get("prev_total_score") is not None else None,
        year_to_date=ytd,
        groups=groups,
        departments=departments,
        local_units=local_units,
        local_level=local_level,
        band_counts=band_counts,
        indicators=indicators,
        bands=bands,
        band_table=band_table,
        top_bottom=top_bottom,
        data_cutoff=row["captured_at"] or cutoff,
        sources=sources,
    )
