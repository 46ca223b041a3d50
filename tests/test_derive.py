"""The marts (schema ``mart``), on core rows inserted by hand into a fresh warehouse, with
hand-computed expectations (the letters of Quảng Nam, 11/2023 and Đồng Nai, quý II/2024
among them)."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

import dagster as dg
import duckdb
import polars as pl
import pytest

from pipelines.assets.mart import MART_CHECKS, mart_portal
from pipelines.outputs.letter_data import load_letter_data
from pipelines.outputs.summary import summary_text
from pipelines.resources import WarehouseResource
from warehouse.derive import MART_TABLES, query_as_of, rebuild_marts, to_cutoff
from warehouse.periods import Period
from warehouse.sql_files import read_sql

GROUPS = ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH")
MAXIMA = (18, 20, 12, 10, 18, 22)
VN = timezone(timedelta(hours=7))
P = "prov-qn"  # a province (Quảng Nam in the tests of its letters)


def split_total(total: float) -> list[float]:
    """Six group scores within their maxima whose sum is ``total`` at two decimals."""
    parts = [round(m * total / 100, 2) for m in MAXIMA[:-1]]
    return [*parts, round(total - sum(parts), 2)]


@dataclass
class Unit:
    """A unit's values in one capture: a total (split over the six groups) or the groups."""

    unit_id: str
    total: float | None = None
    level: str = "department"
    parent: str | None = P
    groups: Sequence[float | None] | None = None
    name: str | None = None

    def scores(self) -> Sequence[float | None]:
        if self.groups is not None:
            return self.groups
        assert self.total is not None
        return split_total(self.total)


def dept(unit_id: str, total: float | None = None, parent: str = P, **kw) -> Unit:
    return Unit(unit_id, total, "department", parent, **kw)


def prov(unit_id: str, total: float | None = None, **kw) -> Unit:
    return Unit(unit_id, total, "province", None, **kw)


class CoreWriter:
    """Insert captures straight into raw.captures and the core tables."""

    def __init__(self, con: duckdb.DuckDBPyConnection, *, refresh_units: bool = True) -> None:
        self.con = con
        self.n = 0
        self.refresh_units = refresh_units

    def capture(
        self,
        period: tuple[str, str],
        units: Sequence[Unit],
        *,
        at: datetime | str,
        scope: str = "province",
        status: str = "complete",
        root: str = P,
        reported: dict[str, float] | None = None,
        sightings: bool = True,
    ) -> str:
        """One capture of ``units`` for ``period`` = (period_type, period_start) taken ``at``
        (an ISO string is Vietnam time). Returns its capture_id."""
        self.n += 1
        capture_id = f"cap{self.n:04d}"
        response_id = f"{capture_id}:r"
        captured_at = datetime.fromisoformat(at) if isinstance(at, str) else at
        if captured_at.tzinfo is None:
            captured_at = captured_at.replace(tzinfo=VN)
        period_type, period_start = period
        self.con.execute(
            "INSERT INTO raw.captures VALUES (?, 'test', ?, ?, ?, ?, ?, NULL, 6, 6, ?, ?, ?, 't')",
            [
                capture_id,
                scope,
                period_type,
                period_start,
                root,
                status,
                capture_id,
                captured_at,
                period_start,
            ],
        )
        scores = [
            (
                response_id,
                capture_id,
                unit.unit_id,
                period_type,
                period_start,
                code,
                score,
                unit.level == "province" and scope == "province",
                captured_at,
            )
            for unit in units
            for code, score in zip(GROUPS, unit.scores(), strict=True)
        ]
        self._insert(
            "core.group_scores",
            "response_id, capture_id, unit_id, period_type, period_start, group_code, score, "
            "is_root, captured_at",
            scores,
        )
        if sightings:
            self._insert(
                "core.unit_sightings",
                "response_id, capture_id, unit_id, unit_code, unit_name, unit_level, "
                "parent_unit_id, province_unit_id, captured_at",
                [
                    (
                        response_id,
                        capture_id,
                        u.unit_id,
                        u.unit_id.upper(),
                        u.name or f"Đơn vị {u.unit_id}",
                        u.level,
                        u.parent,
                        u.parent or u.unit_id,
                        captured_at,
                    )
                    for u in units
                ],
            )
        self._insert(
            "core.reported_totals",
            "response_id, capture_id, unit_id, period_type, period_start, total_score, "
            "total_max_score, captured_at",
            [
                (
                    response_id,
                    capture_id,
                    unit_id,
                    period_type,
                    period_start,
                    total,
                    100,
                    captured_at,
                )
                for unit_id, total in (reported or {}).items()
            ],
        )
        if self.refresh_units:  # as the loader does after normalising
            self.con.execute(read_sql("core/units_refresh.sql"))
        return capture_id

    def _insert(self, table: str, columns: str, values: list[tuple]) -> None:
        """Insert rows in one statement (``table`` and ``columns`` are test constants)."""
        if not values:
            return
        width = len(values[0])
        placeholders = ", ".join(["(" + ", ".join(["?"] * width) + ")"] * len(values))
        flat = [value for row in values for value in row]
        self.con.execute(f"INSERT INTO {table} ({columns}) VALUES {placeholders}", flat)


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence | None = None) -> list[dict]:
    """Query results as dicts."""
    cur = con.execute(sql, list(params or []))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def by_unit(con: duckdb.DuckDBPyConnection, table: str, period: tuple[str, str]) -> dict:
    """Rows of a mart for one period, keyed by unit_id."""
    found = rows(
        con, f"SELECT * FROM mart.{table} WHERE period_type = ? AND period_start = ?", period
    )
    return {row["unit_id"]: row for row in found}


def load_synthetic_national(
    con: duckdb.DuckDBPyConnection,
    *,
    provinces: int = 34,
    departments: int = 20,
    communes: int = 97,
    months: int = 36,
    seed: float = 0.42,
) -> int:
    """A synthetic national dataset: each month, one national capture (provinces, with
    reported totals) and one capture per province (root, departments, communes) with one
    reply per group, as the real loader writes them; the last month is re-captured with
    revised satisfaction scores. Returns the number of group score rows."""
    con.execute("SELECT setseed(?)", [seed])
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE syn_units AS
        WITH p AS (SELECT 'P' || lpad(i::VARCHAR, 2, '0') AS pid FROM range(?) AS t(i))
        SELECT pid AS unit_id, 'province' AS unit_level, NULL::VARCHAR AS parent, pid AS province
        FROM p
        UNION ALL
        SELECT pid || '.D' || i, 'department', pid, pid FROM p, range(?) AS t(i)
        UNION ALL
        SELECT pid || '.C' || i, 'commune', pid, pid FROM p, range(?) AS t(i)
        """,
        [provinces, departments, communes],
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE syn_groups AS
        SELECT * FROM (VALUES ('CKMB', 18), ('TDGQ', 20), ('CLGQ', 12), ('TTTT', 10),
                              ('MDHL', 18), ('MDSH', 22)) AS g(group_code, max_score)
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE syn_months AS
        SELECT (DATE '2024-01-01' + INTERVAL (i) MONTH)::DATE AS period_start,
               (DATE '2024-01-01' + INTERVAL (i + 1) MONTH)::TIMESTAMPTZ
                   + INTERVAL 4 HOUR AS captured_at,
               i = ? - 1 AS is_last
        FROM range(?) AS t(i)
        """,
        [months, months],
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE syn_scores AS
        SELECT u.*, m.period_start, m.captured_at, m.is_last, g.group_code,
               round(g.max_score * (0.35 + 0.65 * random()), 2) AS score
        FROM syn_units AS u, syn_months AS m, syn_groups AS g
        """
    )
    # Captures: per month, national ('N:'), each province ('P..:'), and a re-capture
    # ('R:') of the last month's provinces a day later.
    con.execute(
        """
        INSERT INTO raw.captures
        SELECT 'N:' || period_start, 'synthetic', 'national', 'month', period_start, 'VN',
               'complete', NULL, 1, 1, 'N:' || period_start, captured_at - INTERVAL 1 HOUR,
               period_start, 'syn'
        FROM syn_months
        UNION ALL
        SELECT province || ':' || period_start, 'synthetic', 'province', 'month', period_start,
               province, 'complete', NULL, 6, 6, province || ':' || period_start, captured_at,
               period_start, 'syn'
        FROM (SELECT DISTINCT province FROM syn_units), syn_months
        UNION ALL
        SELECT 'R:' || province || ':' || period_start, 'synthetic', 'province', 'month',
               period_start, province, 'complete', NULL, 6, 6, 'R:' || province,
               captured_at + INTERVAL 1 DAY, period_start, 'syn'
        FROM (SELECT DISTINCT province FROM syn_units), syn_months WHERE is_last
        """
    )
    con.execute(
        """
        INSERT INTO core.group_scores
        SELECT 'N:' || period_start || ':r', 'N:' || period_start, unit_id, 'month', period_start,
               group_code, score, max_score, NULL, NULL, false, captured_at - INTERVAL 1 HOUR
        FROM syn_scores JOIN syn_groups USING (group_code) WHERE unit_level = 'province'
        UNION ALL
        SELECT province || ':' || period_start || ':' || group_code,
               province || ':' || period_start, unit_id, 'month', period_start, group_code,
               score, max_score, NULL, NULL, unit_level = 'province', captured_at
        FROM syn_scores JOIN syn_groups USING (group_code)
        UNION ALL
        SELECT 'R:' || province || ':' || period_start || ':' || group_code,
               'R:' || province || ':' || period_start, unit_id, 'month', period_start,
               group_code, CASE WHEN group_code = 'MDHL' THEN least(18, score + 1) ELSE score END,
               max_score, NULL, NULL, unit_level = 'province', captured_at + INTERVAL 1 DAY
        FROM syn_scores JOIN syn_groups USING (group_code) WHERE is_last
        """
    )
    con.execute(
        """
        INSERT INTO core.unit_sightings
        SELECT 'N:' || period_start || ':r', 'N:' || period_start, unit_id, unit_id,
               'Tỉnh ' || unit_id, 'PROVINCE', 'province', NULL, unit_id,
               captured_at - INTERVAL 1 HOUR
        FROM syn_units, syn_months WHERE unit_level = 'province'
        UNION ALL
        SELECT c.capture_id || ':' || g.group_code, c.capture_id, u.unit_id, u.unit_id,
               'Đơn vị ' || u.unit_id, NULL, u.unit_level, u.parent, u.province, c.captured_at
        FROM raw.captures AS c
        JOIN syn_units AS u ON u.province = c.root_unit_id
        CROSS JOIN syn_groups AS g
        WHERE c.scope = 'province'
        """
    )
    con.execute(
        """
        INSERT INTO core.reported_totals
        SELECT 'N:' || period_start || ':r', 'N:' || period_start, unit_id, 'month', period_start,
               round(sum(score), 2), 100, NULL, NULL, NULL,
               any_value(captured_at) - INTERVAL 1 HOUR, NULL
        FROM syn_scores WHERE unit_level = 'province'
        GROUP BY unit_id, period_start
        """
    )
    con.execute(
        """
        INSERT INTO core.units
        SELECT unit_id, unit_id, 'Đơn vị ' || unit_id, NULL, unit_level, parent, province,
               TIMESTAMPTZ '2024-02-01 04:00+00', TIMESTAMPTZ '2024-02-01 04:00+00'
        FROM syn_units
        """
    )
    return con.execute("SELECT count(*) FROM core.group_scores").fetchone()[0]


def check_failures(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Offending rows of every mart asset check."""
    return {check.name: con.execute(check.sql).fetchone()[0] for check in MART_CHECKS}


@pytest.fixture
def con(warehouse: WarehouseResource):
    """A write connection to a fresh warehouse."""
    with warehouse.connect() as connection:
        yield connection


AUG26 = ("month", "2026-08-01")
JUL26 = ("month", "2026-07-01")


# --- totals, ranks, bands ------------------------------------------------------------


def test_ties_rank_1_2_2_4_and_a_missing_group_gets_no_total(con) -> None:
    core = CoreWriter(con)
    d5 = dept("d5", groups=[16, 18, 10, 8, None, 20])  # MDHL missing
    core.capture(
        AUG26,
        [prov(P, 70), dept("d1", 80), dept("d2", 75.5), dept("d3", 75.5), dept("d4", 60), d5],
        at="2026-08-20 04:00",
    )
    rebuild_marts(con)
    s = by_unit(con, "unit_period_scores", AUG26)
    assert {u: s[u]["total_score"] for u in ("d1", "d2", "d3", "d4", "d5")} == {
        "d1": 80.0,
        "d2": 75.5,
        "d3": 75.5,
        "d4": 60.0,
        "d5": None,
    }
    # d5 has no total, so the cohort is not whole: nobody is ranked, and each says why
    assert {u: (s[u]["rank"], s[u]["cohort_size"], s[u]["rank_null_reason"]) for u in s} == {
        "d1": (None, None, "incomplete_cohort"),
        "d2": (None, None, "incomplete_cohort"),
        "d3": (None, None, "incomplete_cohort"),
        "d4": (None, None, "incomplete_cohort"),
        "d5": (None, None, "no_total"),
        # a province capture is no national ranking: not "1 of 1"
        P: (None, None, "cohort_not_captured"),
    }
    assert s["d5"]["missing_groups"] == ["MDHL"] and s["d1"]["missing_groups"] == []
    assert s["d5"]["band"] is None and s["d5"]["mdhl"] is None and s["d5"]["ckmb"] == 16
    assert s["d1"]["parent_unit_id"] == P and s["d1"]["unit_level"] == "department"
    assert s[P]["parent_unit_id"] is None  # ranked nationally, not among its departments
    assert s[P]["methodology_version"] == "PORTAL-6G-2026"

    ranks = rows(
        con,
        """SELECT unit_id, group_code, rank, cohort_size FROM mart.group_ranks
                         WHERE unit_level = 'department' AND group_code IN ('CKMB', 'MDHL')""",
    )
    ckmb = {r["unit_id"]: r["rank"] for r in ranks if r["group_code"] == "CKMB"}
    mdhl = {r["unit_id"]: (r["rank"], r["cohort_size"]) for r in ranks if r["group_code"] == "MDHL"}
    # CKMB: d5 16, d1 14.4, d2 = d3 13.59, d4 10.8
    assert ckmb == {"d5": 1, "d1": 2, "d2": 3, "d3": 3, "d4": 5}  # every unit has CKMB
    assert mdhl["d5"] == (None, None) and mdhl["d1"] == (None, None)  # d5 has no MDHL

    changes = by_unit(con, "score_changes", AUG26)
    assert changes["d5"]["not_comparable_reason"] == "no_current_value"

    # the same province's whole reply, every unit with a total: ties rank 1, 2, 2, 4
    core.capture(
        JUL26,
        [prov(P, 70), dept("d1", 80), dept("d2", 75.5), dept("d3", 75.5), dept("d4", 60)],
        at="2026-08-02 04:00",
    )
    rebuild_marts(con)
    july = by_unit(con, "unit_period_scores", JUL26)
    assert {u: (july[u]["rank"], july[u]["cohort_size"]) for u in ("d1", "d2", "d3", "d4")} == {
        "d1": (1, 4),
        "d2": (2, 4),
        "d3": (2, 4),
        "d4": (4, 4),
    }
    assert july["d1"]["rank_null_reason"] is None


def test_band_boundaries_are_exact(con) -> None:
    totals = {
        "b1": 100,
        "b2": 90,
        "b3": 89.99,
        "b4": 80,
        "b5": 79.99,
        "b6": 70,
        "b7": 50,
        "b8": 49.99,
    }
    CoreWriter(con).capture(AUG26, [dept(u, t) for u, t in totals.items()], at="2026-08-20 04:00")
    rebuild_marts(con)
    s = by_unit(con, "unit_period_scores", AUG26)
    assert {u: s[u]["total_score"] for u in totals} == totals
    assert {u: s[u]["band"] for u in totals} == {
        "b1": "Xuất sắc",
        "b2": "Xuất sắc",
        "b3": "Tốt",
        "b4": "Tốt",
        "b5": "Khá",
        "b6": "Khá",
        "b7": "Trung bình",
        "b8": "Yếu",
    }
    assert s["b3"]["band_code"] == "TOT" and s["b8"]["band_code"] == "YEU"
    assert all(unicodedata.is_normalized("NFC", s[u]["band"]) for u in totals)
    counts = rows(
        con,
        """SELECT parent_unit_id, band_code, unit_count, cohort_size, share_pct
                          FROM mart.band_counts WHERE unit_level = 'department'""",
    )
    for scope in (P, None):  # the province and the national scope agree here
        got = {
            r["band_code"]: (r["unit_count"], r["cohort_size"], r["share_pct"])
            for r in counts
            if r["parent_unit_id"] == scope
        }
        assert got == {
            "XUAT_SAC": (2, 8, 25.0),
            "TOT": (2, 8, 25.0),
            "KHA": (2, 8, 25.0),
            "TRUNG_BINH": (1, 8, 12.5),
            "YEU": (1, 8, 12.5),
        }


def test_total_mismatch_against_the_portals_own_total(con) -> None:
    core = CoreWriter(con)
    core.capture(
        AUG26,
        [prov("p1", 80), prov("p2", 70), prov("p3", 60)],
        at="2026-08-20 03:00",
        scope="national",
        root="VN",
        reported={"p1": 80.02, "p2": 70.01},
    )
    core.capture(
        AUG26, [prov("p1", 80), dept("d1", 75, parent="p1")], at="2026-08-20 04:00", root="p1"
    )
    rebuild_marts(con)
    s = by_unit(con, "unit_period_scores", AUG26)
    assert (s["p1"]["reported_total_score"], s["p1"]["total_mismatch"]) == (80.02, True)
    assert (s["p2"]["reported_total_score"], s["p2"]["total_mismatch"]) == (70.01, False)
    assert (s["p3"]["reported_total_score"], s["p3"]["total_mismatch"]) == (None, None)
    assert s["d1"]["total_mismatch"] is None
    assert [s[u]["rank"] for u in ("p1", "p2", "p3")] == [1, 2, 3]


def test_level_and_parent_from_the_replys_sighting_else_core_units(con) -> None:
    con.execute("""INSERT INTO core.units VALUES
        ('x1', 'X1', 'Sở Tư pháp', NULL, 'department', 'p1', 'p1', now(), now()),
        ('x2', 'X2', 'Sở cũ', NULL, 'department', 'p-old', 'p-old', now(), now())""")
    core = CoreWriter(con, refresh_units=False)
    core.capture(AUG26, [dept("x1", 80, parent="p1")], at="2026-08-20 04:00", sightings=False)
    core.capture(AUG26, [dept("x2", 70, parent="p1", name="Sở Nội vụ")], at="2026-08-20 05:00")
    rebuild_marts(con)
    s = by_unit(con, "unit_period_scores", AUG26)
    assert (s["x1"]["unit_level"], s["x1"]["parent_unit_id"], s["x1"]["unit_name"]) == (
        "department",
        "p1",
        "Sở Tư pháp",
    )
    assert (s["x2"]["parent_unit_id"], s["x2"]["unit_name"]) == ("p1", "Sở Nội vụ")
    # no capture of p1's own reply lists its departments: no whole cohort, no rank
    assert [(s[u]["rank"], s[u]["rank_null_reason"]) for u in ("x1", "x2")] == [
        (None, "cohort_not_captured"),
        (None, "cohort_not_captured"),
    ]


# --- changes against the previous period ----------------------------------------------


def test_first_period_has_no_previous_value(con) -> None:
    CoreWriter(con).capture(AUG26, [dept("d1", 80), dept("d2", 70)], at="2026-08-20 04:00")
    rebuild_marts(con)
    for row in by_unit(con, "score_changes", AUG26).values():
        assert row["comparable"] is False
        assert row["not_comparable_reason"] == "no_previous_value"
        assert row["prev_total_score"] is None and row["delta_points"] is None
        assert row["rank_move"] is None and row["band_transition"] is None


def test_a_cohort_that_gained_a_unit_is_not_comparable(con) -> None:
    core = CoreWriter(con)
    # each province's reply is its own capture (a cohort is ranked over its whole reply)
    core.capture(JUL26, [dept("d1", 80), dept("d2", 70), dept("d3", 60)], at="2026-08-02 04:00")
    core.capture(
        JUL26,
        [dept("e1", 80, parent="P2"), dept("e2", 70, parent="P2")],
        at="2026-08-02 04:00",
        root="P2",
    )
    core.capture(
        AUG26,
        [dept("d1", 81), dept("d2", 71), dept("d3", 61), dept("d4", 90)],
        at="2026-09-02 04:00",
    )
    core.capture(
        AUG26,
        [dept("e1", 82, parent="P2"), dept("e2", 69, parent="P2")],
        at="2026-09-02 04:00",
        root="P2",
    )
    rebuild_marts(con)
    c = by_unit(con, "score_changes", AUG26)
    assert (c["d1"]["comparable"], c["d1"]["not_comparable_reason"]) == (False, "cohort_changed")
    assert (c["d1"]["prev_rank"], c["d1"]["rank"], c["d1"]["rank_move"]) == (1, 2, -1)
    assert c["d4"]["not_comparable_reason"] == "no_previous_value"
    # the other province's cohort is unchanged
    assert (c["e1"]["comparable"], c["e1"]["not_comparable_reason"]) == (True, None)
    assert (c["e1"]["delta_points"], c["e1"]["delta_pct"], c["e1"]["rank_move"]) == (2.0, 2.5, 0)
    assert (c["e2"]["delta_points"], c["e2"]["delta_pct"]) == (-1.0, -1.43)
    moves = {
        r["parent_unit_id"]: (
            r["units"],
            r["moved_up"],
            r["moved_down"],
            r["stayed"],
            r["not_comparable"],
        )
        for r in rows(
            con,
            """SELECT * FROM mart.movement_counts WHERE period_start = ?
                                   AND unit_level = 'department'""",
            [AUG26[1]],
        )
    }
    assert moves == {P: (4, 0, 0, 0, 4), "P2": (2, 0, 0, 2, 0), None: (6, 0, 0, 2, 4)}


def test_methodology_change_on_2026_01_01_is_not_comparable(con) -> None:
    core = CoreWriter(con)
    periods = [
        ("month", "2025-12-01"),
        ("month", "2026-01-01"),
        ("quarter", "2025-10-01"),
        ("quarter", "2026-01-01"),
        ("quarter", "2026-04-01"),
        ("year", "2024-01-01"),
        ("year", "2025-01-01"),
        ("year", "2026-01-01"),
        ("half", "2024-01-01"),
        ("half", "2024-07-01"),
    ]
    for i, period in enumerate(periods):
        core.capture(period, [dept("d1", 70 + i)], at="2026-06-01 04:00")
    rebuild_marts(con)
    got = {
        (r["period_type"], str(r["period_start"])): (
            r["not_comparable_reason"],
            r["prev_total_score"],
        )
        for r in rows(con, "SELECT * FROM mart.score_changes")
    }
    assert got == {
        ("month", "2025-12-01"): ("no_previous_value", None),
        ("month", "2026-01-01"): ("methodology_changed", 70.0),
        ("quarter", "2025-10-01"): ("no_previous_value", None),
        ("quarter", "2026-01-01"): ("methodology_changed", 72.0),
        ("quarter", "2026-04-01"): (None, 73.0),  # QoQ: Q1 → Q2 of the same version
        ("year", "2024-01-01"): ("no_previous_value", None),
        ("year", "2025-01-01"): (None, 75.0),
        ("year", "2026-01-01"): ("methodology_changed", 76.0),
        ("half", "2024-01-01"): ("no_previous_value", None),  # legacy API half-years
        ("half", "2024-07-01"): (None, 78.0),
    }
    versions = dict(
        con.execute("""SELECT period_start::VARCHAR, methodology_version
        FROM mart.unit_period_scores WHERE period_type = 'month'""").fetchall()
    )
    assert versions == {"2025-12-01": "PORTAL-6G-2022", "2026-01-01": "PORTAL-6G-2026"}


def test_reorganised_unit_or_parent_is_not_comparable(con) -> None:
    con.execute(
        """INSERT INTO mart.unit_lineage VALUES
        ('P-old', ?, 'merged', DATE '2025-07-01'), ('c1', 'c9', 'merged', DATE '2025-07-01')""",
        [P],
    )
    core = CoreWriter(con)
    jun, jul, aug = ("month", "2025-06-01"), ("month", "2025-07-01"), ("month", "2025-08-01")
    core.capture(
        jun,
        [dept("d1", 70), dept("e1", 70, parent="P2"), Unit("c1", 60, "commune", "P-old")],
        at="2025-07-02 04:00",
    )
    core.capture(
        jul,
        [dept("d1", 72), dept("e1", 72, parent="P2"), Unit("c9", 65, "commune", P)],
        at="2025-08-02 04:00",
    )
    core.capture(
        aug,
        [dept("d1", 73), dept("e1", 73, parent="P2"), Unit("c9", 66, "commune", P)],
        at="2025-09-02 04:00",
    )
    rebuild_marts(con)
    july = by_unit(con, "score_changes", jul)
    assert july["d1"]["not_comparable_reason"] == "unit_reorganised"  # its parent merged
    assert july["c9"]["not_comparable_reason"] == "unit_reorganised"  # new merged commune
    # e1 (another province's, which no capture lists whole) is never ranked: its change is
    # not comparable for that, never for a reorganisation
    assert july["e1"]["not_comparable_reason"] == "not_ranked"
    august = by_unit(con, "score_changes", aug)
    assert august["d1"]["comparable"] is True and august["c9"]["comparable"] is True


def test_rank_moves_movement_counts_and_top_bottom(con) -> None:
    core = CoreWriter(con)
    core.capture(
        JUL26,
        [dept(u, t) for u, t in {"a": 90, "b": 80, "c": 70, "d": 60, "e": 50}.items()],
        at="2026-08-02 04:00",
    )
    core.capture(
        AUG26,
        [dept(u, t) for u, t in {"a": 85, "b": 88, "c": 70, "d": 40, "e": 55}.items()],
        at="2026-09-02 04:00",
    )
    rebuild_marts(con)
    c = by_unit(con, "score_changes", AUG26)
    assert {u: c[u]["rank_move"] for u in "abcde"} == {"a": -1, "b": 1, "c": 0, "d": -1, "e": 1}
    assert {u: c[u]["band_transition"] for u in "abcde"} == {
        "a": "Xuất sắc → Tốt",
        "b": "giữ nguyên",
        "c": "giữ nguyên",
        "d": "Trung bình → Yếu",
        "e": "giữ nguyên",
    }
    moves = rows(
        con,
        """SELECT * FROM mart.movement_counts WHERE period_start = ?
                         AND parent_unit_id = ?""",
        [AUG26[1], P],
    )
    assert [
        (m["units"], m["moved_up"], m["moved_down"], m["stayed"], m["not_comparable"])
        for m in moves
    ] == [(5, 2, 2, 1, 0)]
    ends = rows(
        con,
        """SELECT position, unit_id, rank, rank_from_bottom FROM mart.top_bottom(2)
                        WHERE period_start = ? ORDER BY position DESC, rank""",
        [AUG26[1]],
    )
    assert [(e["position"], e["unit_id"]) for e in ends] == [
        ("top", "b"),
        ("top", "a"),
        ("bottom", "e"),
        ("bottom", "d"),
    ]
    assert {e["unit_id"]: e["rank_from_bottom"] for e in ends if e["position"] == "bottom"} == {
        "d": 1,
        "e": 2,
    }


# --- revisions, cut-offs, incomplete captures -------------------------------------------


def test_revision_after_close_and_as_of_cutoff_gives_the_pre_revision_value(con) -> None:
    aug25 = ("month", "2025-08-01")
    before = [15, 18, 10, 8, 9.2, 20]  # 80.2
    after = [15, 18, 10, 8, 15.2, 20]  # 86.2: satisfaction revised on 16/10
    core = CoreWriter(con)
    core.capture(aug25, [prov(P, groups=before)], at="2025-08-20 10:00")  # open month
    core.capture(aug25, [prov(P, groups=before)], at="2025-09-02 04:00")  # same values
    core.capture(aug25, [prov(P, groups=after)], at="2025-10-16 04:00")  # revised
    core.capture(
        aug25, [prov(P, groups=[1, 1, 1, 1, 1, 1])], at="2025-10-20 04:00", status="incomplete"
    )
    # revised at 17:00 UTC on 31/8, already 1/9 in Vietnam; at 16:59 UTC, still 31/8
    core.capture(aug25, [prov("p2", 70)], at="2025-08-20 10:00")
    core.capture(aug25, [prov("p3", 70)], at="2025-08-20 10:00")
    core.capture(aug25, [prov("p2", 76)], at=datetime(2025, 8, 31, 17, 0, tzinfo=UTC))
    core.capture(aug25, [prov("p3", 76)], at=datetime(2025, 8, 31, 16, 59, tzinfo=UTC))
    # first seen long after the month closed: a first sighting, not a revision
    core.capture(aug25, [prov("p4", 70)], at="2025-10-20 04:00")
    rebuild_marts(con)

    revs = rows(
        con,
        """SELECT group_code, captured_at, value, previous_value, is_revision, after_close
                        FROM mart.revisions WHERE unit_id = ? ORDER BY captured_at, group_code""",
        [P],
    )
    assert len(revs) == 7
    assert all(
        r["previous_value"] is None and not r["is_revision"] and not r["after_close"]
        for r in revs[:6]
    )
    last = revs[6]
    assert (
        last["group_code"],
        last["value"],
        last["previous_value"],
        last["is_revision"],
        last["after_close"],
    ) == ("MDHL", 15.2, 9.2, True, True)
    assert last["captured_at"] == datetime(2025, 10, 16, 4, 0, tzinfo=VN)
    closes = dict(
        con.execute("""SELECT unit_id, bool_or(after_close) FROM mart.revisions
                                 WHERE unit_id IN ('p2', 'p3', 'p4') GROUP BY ALL""").fetchall()
    )
    assert closes == {"p2": True, "p3": False, "p4": False}
    first_seen = con.execute(
        "SELECT bool_or(is_revision) FROM mart.revisions WHERE unit_id = 'p4'"
    ).fetchone()[0]
    assert first_seen is False

    current = by_unit(con, "unit_period_scores", aug25)[P]
    assert current["total_score"] == 86.2  # the incomplete capture never became current
    assert current["captured_at"] == datetime(2025, 10, 16, 4, 0, tzinfo=VN)
    as_of = query_as_of(con, "unit_period_scores", "2025-10-15 16:00").filter(
        pl.col("unit_id") == P
    )
    assert as_of["total_score"].to_list() == [80.2]
    assert as_of["captured_at"].to_list()[0] == datetime(2025, 9, 2, 4, 0, tzinfo=VN)
    assert (
        query_as_of(con, "revisions", "2025-10-15 16:00").filter(pl.col("unit_id") == P).height == 6
    )
    assert query_as_of(con, "unit_period_scores", "2025-08-01").height == 0


def test_incomplete_capture_never_becomes_current(con) -> None:
    core = CoreWriter(con)
    core.capture(AUG26, [dept("d1", 80)], at="2026-08-20 04:00")
    core.capture(AUG26, [dept("d1", 95)], at="2026-08-21 04:00", status="incomplete")
    rebuild_marts(con)
    assert by_unit(con, "unit_period_scores", AUG26)["d1"]["total_score"] == 80.0
    assert query_as_of(con, "unit_period_scores", "2030-01-01")["total_score"].to_list() == [80.0]
    assert con.execute("SELECT count(*) FROM mart.revisions").fetchone()[0] == 6


# --- the provincial letters ---------------------------------------------------------


def national(totals: dict[str, float]) -> list[Unit]:
    return [prov(u, t) for u, t in totals.items()]


def test_quang_nam_11_2023_71_5_to_72_8_rank_21_to_20_as_of_the_cutoff(con) -> None:
    """Quảng Nam, 11/2023: "Điểm số tháng 11/2023 đến thời điểm trích xuất dữ liệu đạt 72,8/100 tạm
    xếp trong nhóm 20 …, tăng 1,8% so với điểm số tháng 10/2023 (đạt 71,5 điểm, xếp hạng
    21)" and "Tổng số điểm năm 2023 … là 67,9/100 điểm … xếp loại Trung bình khá"."""
    above = {f"A{i:02d}": 80 + i * 0.5 for i in range(20)}  # 20 provinces above Quảng Nam
    below = {f"B{i:02d}": 65 - i * 0.25 for i in range(42)}  # 42 below: 63 in all
    october = {**above, P: 71.5, **below}
    november = {**above, "A19": 70, P: 72.8, **below}  # A19 falls below Quảng Nam
    core = CoreWriter(con)
    oct23, nov23, y23 = ("month", "2023-10-01"), ("month", "2023-11-01"), ("year", "2023-01-01")
    core.capture(
        oct23,
        national(october),
        at="2023-11-02 04:00",
        scope="national",
        root="VN",
        reported=october,
    )
    core.capture(
        nov23,
        national(november),
        at="2023-11-27 04:00",
        scope="national",
        root="VN",
        reported=november,
    )
    core.capture(y23, [prov(P, 67.9)], at="2023-11-27 04:00")
    later = {**november, P: 74.0}  # the open month moves on after the letter's cut-off
    core.capture(
        nov23, national(later), at="2023-11-30 04:00", scope="national", root="VN", reported=later
    )
    rebuild_marts(con)

    letter = query_as_of(con, "score_changes", datetime(2023, 11, 27, 16, 0, tzinfo=VN))
    qn = letter.filter(
        (pl.col("unit_id") == P)
        & (pl.col("period_type") == "month")
        & (pl.col("period_start") == datetime(2023, 11, 1).date())
    ).row(0, named=True)
    assert (qn["prev_total_score"], qn["total_score"]) == (71.5, 72.8)
    assert (qn["delta_points"], qn["delta_pct"]) == (1.3, 1.82)
    assert f"{round(qn['delta_pct'], 1):.1f}".replace(".", ",") == "1,8"  # "tăng 1,8%"
    assert (qn["prev_rank"], qn["rank"], qn["rank_move"]) == (21, 20, 1)
    assert (qn["comparable"], qn["band_transition"]) == (True, "giữ nguyên")
    a19 = letter.filter(
        (pl.col("unit_id") == "A19")
        & (pl.col("period_type") == "month")
        & (pl.col("period_start") == datetime(2023, 11, 1).date())
    )
    assert a19["band_transition"].to_list() == ["Tốt → Khá"]

    current = by_unit(con, "score_changes", nov23)[P]
    assert (current["total_score"], current["rank"]) == (74.0, 20)
    scores = by_unit(con, "unit_period_scores", nov23)[P]
    assert (scores["reported_total_score"], scores["total_mismatch"]) == (74.0, False)
    assert scores["cohort_size"] == 63
    year = by_unit(con, "unit_period_scores", y23)[P]
    assert (year["total_score"], year["band"]) == (67.9, "Trung bình")  # "Trung bình khá"


def test_quang_nam_11_2023_band_count_table(con) -> None:
    """The table of Quảng Nam, 11/2023: Sở, ban, ngành 0/02/07/9/0 of 18; UBND huyện
    0/0/0/18/0 of 18; Tổng số đơn vị 0/02/07/27/0 of 36; Tỷ lệ 0 %, 5,5 %, 19,5 %, 75 %,
    0 %, 100 % (the "(%)" columns of Tổng số đơn vị; the letter truncates 5,56 and rounds
    19,44 up; the mart rounds to 2 decimals)."""
    departments = [85, 82, 78, 77, 76, 75, 74, 73, 71, 69, 68, 65, 62, 60, 58, 55, 52, 51]
    units = [prov(P, 72.8, name="Tỉnh Quảng Nam")]
    units += [dept(f"s{i}", t) for i, t in enumerate(departments)]
    units += [Unit(f"h{i}", 50 + i, "district", P) for i in range(18)]
    CoreWriter(con).capture(("month", "2023-11-01"), units, at="2023-11-27 04:00")
    rebuild_marts(con)
    table = con.execute(
        """SELECT "Cấp hành chính", "Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu", "Tổng"
           FROM mart.band_count_table
           WHERE period_type = 'month' AND period_start = DATE '2023-11-01'
             AND parent_unit_id = ?
           ORDER BY row_order""",
        [P],
    ).fetchall()
    assert table == [
        ("Sở, ban, ngành cấp tỉnh", 0, 2, 7, 9, 0, 18),
        ("UBND huyện, thị xã, thành phố", 0, 0, 0, 18, 0, 18),
        ("Tổng số đơn vị", 0, 2, 7, 27, 0, 36),
    ]
    shares = con.execute(
        """SELECT "Xuất sắc (%)", "Tốt (%)", "Khá (%)", "Trung bình (%)", "Yếu (%)"
           FROM mart.band_count_table
           WHERE period_type = 'month' AND period_start = DATE '2023-11-01'
             AND parent_unit_id = ? AND "Cấp hành chính" = 'Tổng số đơn vị'""",
        [P],
    ).fetchall()
    assert shares == [(0, 5.56, 19.44, 75, 0)]  # the letter's Tỷ lệ row
    scope = con.execute(
        "SELECT DISTINCT scope_name FROM mart.band_count_table WHERE parent_unit_id = ?", [P]
    ).fetchall()
    assert scope == [("Tỉnh Quảng Nam",)]
    as_of = (
        query_as_of(con, "band_count_table", "2023-11-28")
        .filter(pl.col("parent_unit_id") == P)
        .sort("row_order")
    )
    assert as_of["Tổng"].to_list() == [18, 18, 36]


def test_dong_nai_q2_2024_counts(con) -> None:
    """Đồng Nai, quý II/2024: "Có 02/17 cơ quan xếp loại Tốt", 04/17 Khá, 11/17 Trung bình;
    districts 02/11 Khá, 9/11 Trung bình; communes 18/170 Khá, 150/170 Trung bình, 02/170 Yếu."""
    dn = "prov-dn"
    q2 = ("quarter", "2024-04-01")
    departments = [85, 81, 79, 75, 72, 70] + [69 - i for i in range(11)]
    districts = [75, 71] + [60 + i for i in range(9)]
    communes = (
        [70 + (i % 10) * 0.5 for i in range(18)]
        + [50 + (i % 40) * 0.45 for i in range(150)]
        + [45, 49.99]
    )
    units = [prov(dn, 68)]
    units += [dept(f"s{i}", t, parent=dn) for i, t in enumerate(departments)]
    units += [Unit(f"h{i}", t, "district", dn) for i, t in enumerate(districts)]
    units += [Unit(f"x{i}", t, "commune", dn) for i, t in enumerate(communes)]
    CoreWriter(con).capture(q2, units, at="2024-07-08 11:00", root=dn)
    rebuild_marts(con)
    counts = {
        (r["unit_level"], r["band_code"]): (r["unit_count"], r["cohort_size"])
        for r in rows(
            con,
            """SELECT * FROM mart.band_counts WHERE period_type = 'quarter'
                                    AND period_start = DATE '2024-04-01' AND parent_unit_id = ?""",
            [dn],
        )
    }
    assert counts == {
        ("department", "XUAT_SAC"): (0, 17),
        ("department", "TOT"): (2, 17),
        ("department", "KHA"): (4, 17),
        ("department", "TRUNG_BINH"): (11, 17),
        ("department", "YEU"): (0, 17),
        ("district", "XUAT_SAC"): (0, 11),
        ("district", "TOT"): (0, 11),
        ("district", "KHA"): (2, 11),
        ("district", "TRUNG_BINH"): (9, 11),
        ("district", "YEU"): (0, 11),
        ("commune", "XUAT_SAC"): (0, 170),
        ("commune", "TOT"): (0, 170),
        ("commune", "KHA"): (18, 170),
        ("commune", "TRUNG_BINH"): (150, 170),
        ("commune", "YEU"): (2, 170),
    }
    n, size = counts[("department", "TOT")]
    assert f"Có {n:02d}/{size} cơ quan xếp loại Tốt" == "Có 02/17 cơ quan xếp loại Tốt"


# --- the rebuild, the checks, the Dagster asset -------------------------------------------


def test_rebuild_is_idempotent_and_equals_the_macros_at_infinity(con) -> None:
    load_synthetic_national(con, provinces=3, departments=4, communes=6, months=4)
    rebuild_marts(con)
    snapshot = {
        t: con.execute(f"SELECT * FROM mart.{t} ORDER BY ALL").fetchall() for t in MART_TABLES
    }
    stats = rebuild_marts(con)
    assert {
        t: con.execute(f"SELECT * FROM mart.{t} ORDER BY ALL").fetchall() for t in MART_TABLES
    } == snapshot
    assert stats.row_counts["unit_period_scores"] == 3 * (1 + 4 + 6) * 4
    for table in (*MART_TABLES, "band_count_table"):
        diff = con.execute(f"""SELECT count(*) FROM (
            (SELECT * FROM mart.{table} EXCEPT ALL
             SELECT * FROM mart.{table}_as_of('infinity'::TIMESTAMPTZ))
            UNION ALL
            (SELECT * FROM mart.{table}_as_of('infinity'::TIMESTAMPTZ) EXCEPT ALL
             SELECT * FROM mart.{table}))""").fetchone()[0]
        assert diff == 0, table
    assert check_failures(con) == {name: 0 for name, *_ in MART_CHECKS}


def test_checks_catch_scores_over_their_maxima(con) -> None:
    CoreWriter(con).capture(
        AUG26, [dept("d1", groups=[25, 20, 12, 10, 18, 22])], at="2026-08-20 04:00"
    )
    rebuild_marts(con)
    failures = check_failures(con)
    assert failures["groups_within_max"] == 1 and failures["total_within_100"] == 1
    assert sum(failures.values()) == 2


def test_query_as_of_takes_vietnam_time_and_known_marts_only(con) -> None:
    assert to_cutoff("2023-11-23 16:00") == datetime(2023, 11, 23, 16, 0, tzinfo=VN)
    assert to_cutoff(datetime(2023, 11, 23, 9, 0, tzinfo=UTC)) == datetime(
        2023, 11, 23, 16, 0, tzinfo=VN
    )
    with pytest.raises(ValueError, match="unknown mart"):
        query_as_of(con, "unit_period_scores; DROP TABLE core.units", "2023-11-23")
    frame = query_as_of(con, "mart.score_changes", "2023-11-23")
    assert isinstance(frame, pl.DataFrame) and frame.height == 0
    assert "not_comparable_reason" in frame.columns


def test_mart_asset_materialises_with_passing_checks(warehouse: WarehouseResource) -> None:
    with warehouse.connect() as connection:
        core = CoreWriter(connection)
        core.capture(JUL26, [prov(P, 70), dept("d1", 80), dept("d2", 70)], at="2026-08-02 04:00")
        core.capture(AUG26, [prov(P, 72), dept("d1", 75), dept("d2", 78)], at="2026-09-02 04:00")
    result = dg.materialize(
        [mart_portal], partition_key="2026-08-01", resources={"warehouse": warehouse}
    )
    assert result.success
    evaluations = result.get_asset_check_evaluations()
    assert len(evaluations) == len(MART_CHECKS) and all(e.passed for e in evaluations)
    counts = {
        mat.asset_key.path[-1]: mat.metadata["dagster/row_count"].value
        for mat in result.asset_materializations_for_node("mart_portal")
    }
    assert counts == {
        # 3 units × 2 months × 6 groups, derived once for the scores and the group ranks
        "mart_portal__group_values": 36,
        "mart_portal__unit_period_scores": 6,
        "mart_portal__score_changes": 6,
        "mart_portal__band_counts": 30,
        "mart_portal__revisions": 36,
        # 3 units × 2 months; no indicator values: 6 groups each, all short of their maximum
        "mart_portal__since_yesterday": 6,
        "mart_portal__points_lost": 36,
        "mart_portal__peers": 6,
        "mart_portal__what_it_takes": 36,
    }
    with warehouse.connect() as connection:
        d2 = by_unit(connection, "score_changes", AUG26)["d2"]
    assert (d2["rank_move"], d2["comparable"]) == (1, True)


def test_failing_check_blocks_the_mart_run(warehouse: WarehouseResource) -> None:
    with warehouse.connect() as connection:
        CoreWriter(connection).capture(
            AUG26, [dept("d1", groups=[25, 20, 12, 10, 18, 22])], at="2026-08-20 04:00"
        )
    result = dg.materialize(
        [mart_portal],
        partition_key="2026-08-01",
        resources={"warehouse": warehouse},
        raise_on_error=False,
    )
    failed = {e.check_name for e in result.get_asset_check_evaluations() if not e.passed}
    assert failed == {"total_within_100", "groups_within_max"}
    assert not result.success


def test_mart_depends_on_this_and_the_previous_month_of_core() -> None:
    from pipelines.assets.core import core_portal

    defs = dg.Definitions(
        assets=[core_portal, mart_portal], resources={"warehouse": WarehouseResource()}
    )
    graph = defs.resolve_asset_graph()
    mart_key = dg.AssetKey("mart_portal__score_changes")
    parents = graph.get(mart_key).parent_keys
    assert dg.AssetKey("core_portal__group_scores") in parents
    assert not any(key.path[0].startswith("mart_portal") for key in parents)
    spec = next(s for s in mart_portal.specs if s.key == mart_key)
    mapping = {dep.asset_key: dep.partition_mapping for dep in spec.deps}
    assert mapping[dg.AssetKey("core_portal__group_scores")] == dg.TimeWindowPartitionMapping(
        start_offset=-1
    )


# --- changes where a period has no rank -------------------------------------------------


def test_a_change_without_a_rank_on_either_side_is_not_comparable(con) -> None:
    """d3 lacks a group in both months, so the departments are ranked in neither: the
    totals' change is given, but no rank movement; the movement counts add up."""
    gap = [10, 10, 10, 10, None, 10]
    units = [dept("d1", 85), dept("d2", 79), dept("d3", groups=gap)]
    core = CoreWriter(con)
    core.capture(JUL26, [prov(P, 80), *units], at="2026-08-02 04:10")
    core.capture(AUG26, [prov(P, 70), dept("d1", 70), *units[1:]], at="2026-09-02 04:10")
    rebuild_marts(con)
    changes = by_unit(con, "score_changes", AUG26)
    assert (changes["d1"]["delta_points"], changes["d1"]["rank_move"]) == (-15.0, None)
    assert [changes[u]["not_comparable_reason"] for u in ("d1", "d2")] == ["not_ranked"] * 2
    counts = rows(
        con,
        """SELECT units, moved_up + moved_down + stayed + not_comparable AS counted
           FROM mart.movement_counts WHERE period_start = DATE '2026-08-01'""",
    )
    assert counts and all(r["units"] == r["counted"] for r in counts)


def test_the_letter_never_says_a_rank_it_does_not_have(con) -> None:
    """No national ranking in either month: the summary gives the change of points, says
    why the ranks are not compared (in Vietnamese), and never prints None or "giữ nguyên
    thứ hạng" for a province that has no rank."""
    core = CoreWriter(con)
    core.capture(JUL26, [prov(P, 80), dept("d1", 85), dept("d2", 79)], at="2026-08-02 04:10")
    core.capture(AUG26, [prov(P, 81), dept("d1", 86), dept("d2", 80)], at="2026-09-02 04:10")
    rebuild_marts(con)
    data = load_letter_data(
        con, "PROV-QN", Period("month", date(2026, 8, 1)), to_cutoff("2026-09-10 16:00")
    )
    text = summary_text(data)
    # 80 → 81: +1 point, +1.25 % printed half up as the letters round, "1,3%"
    assert "tăng 1 điểm (1,3%) so với tháng 7/2026 (80 điểm)" in text
    assert "không so sánh được thứ hạng: một trong hai kỳ chưa xếp hạng" in text
    assert "None" not in text and "giữ nguyên thứ hạng" not in text


def test_band_counts_are_of_the_units_the_portal_lists(con) -> None:
    """A later reply of August no longer lists d3: the ranks are over d1 and d2, and so
    are the band counts (2 units, never d3's old Xuất sắc beside them)."""
    core = CoreWriter(con)
    core.capture(AUG26, [prov(P, 70), dept("d1", 85), dept("d2", 79), dept("d3", 95)],
                 at="2026-08-20 04:00")  # fmt: skip
    core.capture(AUG26, [prov(P, 70), dept("d1", 86), dept("d2", 80)], at="2026-09-02 04:00")
    rebuild_marts(con)
    scores = by_unit(con, "unit_period_scores", AUG26)
    assert scores["d3"]["rank_null_reason"] == "not_in_cohort"
    counts = {
        r["band_code"]: (r["unit_count"], r["cohort_size"])
        for r in rows(
            con,
            """SELECT band_code, unit_count, cohort_size FROM mart.band_counts
               WHERE period_start = DATE '2026-08-01' AND parent_unit_id = ?
                 AND unit_level = 'department'""",
            [P],
        )
    }
    assert counts["XUAT_SAC"] == (0, 2) and counts["TOT"] == (2, 2)
    assert check_failures(con)["band_counts_sum_to_cohort"] == 0
