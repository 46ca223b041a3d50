"""Issue 11 remainders in the marts: ``is_provisional`` (a period that had not closed at the
data cut-off of the row's values) in mart.unit_period_scores, mart.score_changes,
mart.band_counts and mart.band_count_table, and their ``_as_of`` macros; and
mart.band_count_table with integer counts, the province code and the shares in their own
DOUBLE columns. Core rows are inserted by hand (tests.test_derive.CoreWriter)."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb
import pytest

from pipelines.resources import WarehouseResource
from tests.test_derive import VN, CoreWriter, Unit, dept, prov
from warehouse.derive import rebuild_marts

P = "prov-qn"
OCT, NOV = ("month", "2026-10-01"), ("month", "2026-11-01")
Q4, Y26 = ("quarter", "2026-10-01"), ("year", "2026-01-01")
PROVISIONAL_MARTS = ("unit_period_scores", "score_changes", "band_counts", "band_count_table")


@pytest.fixture
def con(warehouse: WarehouseResource):
    """A write connection to a fresh warehouse."""
    with warehouse.connect() as connection:
        yield connection


def _units(total: float) -> list[Unit]:
    return [prov(P, total, name="Tỉnh Quảng Nam"), dept("d1", total - 1), dept("d2", total - 9)]


def _flags(con: duckdb.DuckDBPyConnection, relation: str, params: list | None = None) -> dict:
    """is_provisional of each (period_type, period_start) in ``relation`` (one value each)."""
    rows = con.execute(
        f"SELECT DISTINCT period_type, period_start::VARCHAR, is_provisional FROM {relation}",
        params or [],
    ).fetchall()
    flags: dict[tuple[str, str], bool] = {}
    for period_type, start, flag in rows:
        assert (period_type, start) not in flags, f"{relation}: two values for {start}"
        flags[period_type, start] = flag
    return flags


def test_is_provisional_follows_the_vietnam_day_of_the_capture(con) -> None:
    core = CoreWriter(con)
    # October taken at 00:30 on 1/11 in Vietnam (17:30 UTC on 31/10): October had closed
    core.capture(OCT, _units(80), at=datetime(2026, 10, 31, 17, 30, tzinfo=UTC))
    # November taken at 23:59 on its last day: still open
    core.capture(NOV, _units(70), at="2026-11-30 23:59")
    core.capture(Q4, _units(75), at="2026-12-06 04:00")  # the quarter runs to 31/12
    core.capture(Y26, _units(76), at="2026-12-31 08:00")  # the year's last day: still open
    rebuild_marts(con)
    expected = {OCT: False, NOV: True, Q4: True, Y26: True}
    for mart in PROVISIONAL_MARTS:
        assert _flags(con, f"mart.{mart}") == expected, mart
    # as of 1/12: October and November as they stood then (the quarter and year not yet taken)
    cutoff = datetime(2026, 12, 1, 9, tzinfo=VN)
    for mart in PROVISIONAL_MARTS:
        got = _flags(con, f"mart.{mart}_as_of(?::TIMESTAMPTZ)", [cutoff])
        assert got == {OCT: False, NOV: True}, mart
    # November taken again after it closed: the current value is final, the old one is not
    core.capture(NOV, _units(71), at="2026-12-01 00:05")
    rebuild_marts(con)
    for mart in PROVISIONAL_MARTS:
        assert _flags(con, f"mart.{mart}")[NOV] is False, mart
        before = datetime(2026, 11, 30, 23, 59, 30, tzinfo=VN)
        old = _flags(con, f"mart.{mart}_as_of(?::TIMESTAMPTZ)", [before])
        assert old[NOV] is True, mart


def test_is_provisional_is_a_documented_boolean(con) -> None:
    rows = con.execute(
        """SELECT table_name, data_type, comment FROM duckdb_columns()
           WHERE schema_name = 'mart' AND column_name = 'is_provisional'"""
    ).fetchall()
    found = {table: (kind, comment) for table, kind, comment in rows}
    for mart in PROVISIONAL_MARTS:
        kind, comment = found[mart]
        assert kind == "BOOLEAN", mart
        assert comment and "not closed at the data cut-off" in comment, mart


def test_band_count_table_counts_are_integers_with_the_province_code(con) -> None:
    """The table of Quảng Nam, 11/2023: 0/02/07/9/0 departments of 18, 18 districts in
    Trung bình; the Tỷ lệ row of the letter is the (%) columns of Tổng số đơn vị, in their
    own columns."""
    departments = [85, 82, 78, 77, 76, 75, 74, 73, 71, 69, 68, 65, 62, 60, 58, 55, 52, 51]
    units = [prov(P, 72.8, name="Tỉnh Quảng Nam")]
    units += [dept(f"s{i}", t) for i, t in enumerate(departments)]
    units += [Unit(f"h{i}", 50 + i, "district", P) for i in range(18)]
    CoreWriter(con).capture(("month", "2023-11-01"), units, at="2023-11-27 04:00")
    rebuild_marts(con)
    counts = ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu", "Tổng"]
    shares = ["Xuất sắc (%)", "Tốt (%)", "Khá (%)", "Trung bình (%)", "Yếu (%)"]
    types = dict(
        con.execute(
            """SELECT column_name, data_type FROM duckdb_columns()
               WHERE schema_name = 'mart' AND table_name = 'band_count_table'"""
        ).fetchall()
    )
    assert {c: types[c] for c in counts} == dict.fromkeys(counts, "INTEGER")
    assert {c: types[c] for c in shares} == dict.fromkeys(shares, "DOUBLE")
    assert types["province_code"] == "VARCHAR"
    quoted = ", ".join(f'"{c}"' for c in ["Cấp hành chính", *counts, *shares])
    table = con.execute(
        f"""SELECT province_code, {quoted} FROM mart.band_count_table
            WHERE period_type = 'month' AND period_start = DATE '2023-11-01'
              AND province_code = 'PROV-QN'
            ORDER BY row_order"""
    ).fetchall()
    assert table == [
        ("PROV-QN", "Sở, ban, ngành cấp tỉnh", 0, 2, 7, 9, 0, 18, 0, 11.11, 38.89, 50, 0),
        ("PROV-QN", "UBND huyện, thị xã, thành phố", 0, 0, 0, 18, 0, 18, 0, 0, 0, 100, 0),
        ("PROV-QN", "Tổng số đơn vị", 0, 2, 7, 27, 0, 36, 0, 5.56, 19.44, 75, 0),
    ]
    assert all(isinstance(v, int) for row in table for v in row[2:8])
    national = con.execute(
        """SELECT DISTINCT province_code, scope_name FROM mart.band_count_table
           WHERE parent_unit_id IS NULL"""
    ).fetchall()
    assert national == [(None, "Toàn quốc")]
