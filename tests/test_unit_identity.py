"""One identity per real unit across eras: a province captured from the legacy API before
the 2025 switch and from the current API after it is one series; a letter naming the
province joins the same unit; ``core.units_on(day)`` answers a code lookup with one row;
a merged province's territory change is flagged. Real Dagster materializations against
the local legacy and current portals over HTTP on 127.0.0.1, real DuckDB files."""

from __future__ import annotations

from datetime import date

import duckdb
import pytest

from fake_portal.server import FakePortal
from pipelines.resources import WarehouseResource
from pipelines.sources.legacy import endpoints as ep
from tests.file_ingest import ingest_bytes
from tests.helpers import materialize
from warehouse.derive import rebuild_marts
from warehouse.sql_files import read_sql

pytestmark = pytest.mark.integration

QUANG_TRI_BEFORE = "pre2025:45"  # core.reorganisation_2025: Quảng Trị until 30/6/2025
QUANG_BINH_BEFORE = "pre2025:44"


def capture(
    portal: FakePortal, warehouse: WarehouseResource, month: str, code: str, source: str
) -> None:
    """Capture one month of one province through a real Dagster run (raw + core)."""
    config = {"source": "legacy"} if source == "legacy" else {}
    result = materialize(portal, warehouse, month, [code], periods=[month], **config)
    assert result.success


def province_series(con: duckdb.DuckDBPyConnection, code: str) -> list[tuple]:
    return con.execute(
        """SELECT period_start, unit_id, total_score
           FROM mart.unit_period_scores
           WHERE unit_level = 'province' AND unit_code = ? AND period_type = 'month'
           ORDER BY period_start""",
        [code],
    ).fetchall()


def letter(month: str, rows: dict[str, float]) -> bytes:
    """A letter's table of provinces for a month (the shape test_reorganisation uses)."""
    lines = [
        f"Kết quả các tỉnh, thành phố trực thuộc Trung ương tháng {month}",
        "STT;Tỉnh, thành phố;Công khai, minh bạch;Tiến độ, kết quả giải quyết;"
        "Dịch vụ công trực tuyến;Thanh toán trực tuyến;Mức độ hài lòng;Số hóa hồ sơ",
    ]
    for index, (name, ckmb) in enumerate(rows.items(), start=1):
        lines.append(f"{index};{name};{ckmb};18;9;8;17;16")
    return "\n".join(lines).encode()


def test_a_province_is_one_series_across_the_api_switch(
    portal: FakePortal, warehouse: WarehouseResource
) -> None:
    # Hà Nội (unchanged in 2025): May 2025 only from the legacy API, August 2025 from the
    # current API (and the legacy API, which serves it in its post-merger form).
    capture(portal, warehouse, "2025-05", "H26", "legacy")
    capture(portal, warehouse, "2025-08", "H26", "legacy")
    capture(portal, warehouse, "2025-08", "H26", "current")
    current_id = portal.dataset.province_by_code("H26").id
    legacy_id = ep.unit_id(portal.legacy.old_province("H26").id)
    with warehouse.connect() as con:
        rebuild_marts(con)
        series = province_series(con, "H26")
        # one series: May (legacy API only) and August under the current API's id
        assert [(s[0], s[1]) for s in series] == [
            (date(2025, 5, 1), current_id),
            (date(2025, 8, 1), current_id),
        ]
        assert all(s[2] is not None for s in series)  # a total in both eras
        sources = dict(
            con.execute(
                """SELECT source_unit_id, method FROM core.unit_identities
                   WHERE unit_id = ? ORDER BY ALL""",
                [current_id],
            ).fetchall()
        )
    # the legacy id is kept as evidence, mapped by the reorganisation (unchanged province:
    # the reference list's id, then the current API's) and by code and name after it
    assert sources[legacy_id] in {"reorganisation", "same_code_and_name"}
    with warehouse.connect() as con:
        eras = con.execute(
            """SELECT method, valid_from, valid_to FROM core.unit_identities
               WHERE source_unit_id = ? ORDER BY valid_to NULLS LAST""",
            [legacy_id],
        ).fetchall()
    assert eras == [
        ("reorganisation", None, date(2025, 6, 30)),
        ("same_code_and_name", date(2025, 7, 1), None),
    ]


def test_code_lookup_gives_one_unit_a_day_after_a_letter_names_it(
    portal: FakePortal, warehouse: WarehouseResource
) -> None:
    # Quảng Trị (H50): October 2023 from the legacy API, after the merger from the current
    # API, and a letter's table of November 2023 naming "Quảng Trị".
    capture(portal, warehouse, "2023-10", "H50", "legacy")
    capture(portal, warehouse, "2025-08", "H50", "current")
    current_id = portal.dataset.province_by_code("H50").id
    with warehouse.connect() as con:
        result = ingest_bytes(
            con, warehouse.store(), "thang-11.csv", letter("11/2023", {"Quảng Trị": 12.5})
        )
        assert result.outcome == "ingested"
        # the documented lookup of old returns several rows now
        assert (
            con.execute("SELECT count(*) FROM core.units WHERE unit_code = 'H50'").fetchone()[0] > 1
        )
        on_day = {
            day: con.execute(
                "SELECT unit_id FROM core.units_on(?::DATE) WHERE unit_code = 'H50'", [day]
            ).fetchall()
            for day in ("2023-11-15", "2025-06-30", "2025-08-15", "2026-11-23")
        }
        lookup = con.execute(
            """SELECT (SELECT unit_id FROM core.units_on(DATE '2023-11-15')
                       WHERE unit_code = 'H50')"""
        ).fetchone()[0]
        rebuild_marts(con)
        series = province_series(con, "H50")
    # Quảng Trị kept its name and code in the merger: one unit on every day
    assert on_day == {
        "2023-11-15": [(current_id,)],
        "2025-06-30": [(current_id,)],
        "2025-08-15": [(current_id,)],
        "2026-11-23": [(current_id,)],
    }
    assert lookup == current_id
    # the legacy API's October, the letter's November and the current API's August are
    # one series
    assert [(s[0], s[1]) for s in series] == [
        (date(2023, 10, 1), current_id),
        (date(2023, 11, 1), current_id),
        (date(2025, 8, 1), current_id),
    ]
    assert series[1][2] == 12.5 + 18 + 9 + 8 + 17 + 16


def test_a_reviewed_name_joins_the_series(portal: FakePortal, warehouse: WarehouseResource) -> None:
    capture(portal, warehouse, "2023-10", "H50", "legacy")
    with warehouse.connect() as con:
        result = ingest_bytes(
            con, warehouse.store(), "thang-11.csv", letter("11/2023", {"Tỉnh Q.T": 11.0})
        )
        assert result.outcome == "ingested"
        (provisional, status) = con.execute(
            "SELECT provisional_unit_id, status FROM core.unit_match_review WHERE capture_id = ?",
            [result.capture_id],
        ).fetchone()
        assert status != "matched"  # queued for review
        rebuild_marts(con)
        before = province_series(con, "H50")
        # a reviewer decides: the name is Quảng Trị before the merger
        con.execute(
            """UPDATE core.unit_match_review SET status = 'matched', unit_id = ?,
                      note = 'duyệt tay' WHERE capture_id = ?""",
            [QUANG_TRI_BEFORE, result.capture_id],
        )
        con.execute(read_sql("core/units_refresh.sql"))
        rebuild_marts(con)
        after = con.execute(
            """SELECT period_start, total_score FROM mart.unit_period_scores
               WHERE unit_id = (SELECT unit_id FROM core.units_on(DATE '2023-11-15')
                                WHERE unit_code = 'H50')
                 AND period_type = 'month' ORDER BY period_start"""
        ).fetchall()
        assert [b[0] for b in before] == [date(2023, 10, 1)]
        assert [a[0] for a in after] == [date(2023, 10, 1), date(2023, 11, 1)]
        assert after[1][1] == 11.0 + 18 + 9 + 8 + 17 + 16
        method = con.execute(
            "SELECT method FROM core.unit_identities WHERE source_unit_id = ?", [provisional]
        ).fetchone()
    assert method == ("reviewed_match",)


def test_a_merged_provinces_territory_change_is_flagged(
    portal: FakePortal, warehouse: WarehouseResource
) -> None:
    # Quảng Trị took in Quảng Bình on 1/7/2025 and kept its name and code: June from the
    # legacy API (the pre-merger provinces), July and August from the current API.
    capture(portal, warehouse, "2025-06", "H50", "legacy")
    capture(portal, warehouse, "2025-06", "H46", "legacy")  # Quảng Bình, absorbed
    capture(portal, warehouse, "2025-07", "H50", "current")
    capture(portal, warehouse, "2025-08", "H50", "current")
    current_id = portal.dataset.province_by_code("H50").id
    with warehouse.connect() as con:
        rebuild_marts(con)
        series = con.execute(
            """SELECT period_start, unit_id, territory_changed, total_score
               FROM mart.unit_period_scores
               WHERE unit_level = 'province' AND unit_code = 'H50' AND period_type = 'month'
               ORDER BY period_start"""
        ).fetchall()
        quang_binh = con.execute(
            """SELECT period_start, unit_id FROM mart.unit_period_scores
               WHERE unit_level = 'province' AND unit_name LIKE '%Quảng Bình%'
                 AND period_type = 'month'"""
        ).fetchall()
        unchanged = con.execute(
            """SELECT count(*) FILTER (WHERE territory_changed), count(*)
               FROM mart.unit_period_scores WHERE unit_level = 'province'
                 AND unit_code = 'H26' AND period_type = 'month'"""
        ).fetchone()
        change = con.execute(
            """SELECT effective_date, old_unit_ids FROM core.unit_territory_changes
               WHERE unit_id = ?""",
            [current_id],
        ).fetchall()
        july = con.execute(
            """SELECT prev_total_score, comparable, not_comparable_reason
               FROM mart.score_changes
               WHERE unit_id = ? AND period_type = 'month' AND period_start = DATE '2025-07-01'""",
            [current_id],
        ).fetchone()
        identity = con.execute(
            "SELECT unit_id, valid_to, method FROM core.unit_identities WHERE source_unit_id = ?",
            [QUANG_TRI_BEFORE],
        ).fetchall()
    # one series under the merged province's id, flagged where its territory changed
    assert [s[:3] for s in series] == [
        (date(2025, 6, 1), current_id, False),
        (date(2025, 7, 1), current_id, True),  # a different territory from here on
        (date(2025, 8, 1), current_id, False),
    ]
    assert identity == [(current_id, date(2025, 6, 30), "reorganisation")]
    # the change at 07/2025 has June's total but is never comparable
    assert july == (series[0][3], False, "unit_reorganised")
    assert series[0][3] is not None
    # the absorbed province keeps its own id and ends in June
    assert quang_binh == [(date(2025, 6, 1), QUANG_BINH_BEFORE)]
    assert change == [(date(2025, 7, 1), [QUANG_BINH_BEFORE, QUANG_TRI_BEFORE])]
    assert unchanged == (0, 3)  # Hà Nội (unchanged in 2025), in the national rankings


def test_a_letter_and_a_legacy_capture_of_one_province_are_compared(
    portal: FakePortal, warehouse: WarehouseResource
) -> None:
    # Quảng Trị, October 2023: the legacy API (legacy:<ID>) and a letter naming "Quảng Trị"
    # (matched to pre2025:45) are one unit: where the letter's figure differs it is shown.
    capture(portal, warehouse, "2023-10", "H50", "legacy")
    with warehouse.connect() as con:
        rebuild_marts(con)
        portal_values = dict(
            con.execute(
                """SELECT group_code, score FROM mart.group_values_as_of('infinity'::TIMESTAMPTZ)
                   WHERE unit_code = 'H50' AND period_type = 'month'
                     AND period_start = DATE '2023-10-01'"""
            ).fetchall()
        )
        order = ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH")  # the letter's columns
        stated = {**portal_values, "CKMB": 12.0}  # the letter differs on one group only
        lines = [
            "Kết quả các tỉnh, thành phố trực thuộc Trung ương tháng 10/2023",
            "STT;Tỉnh, thành phố;Công khai, minh bạch;Tiến độ, kết quả giải quyết;"
            "Dịch vụ công trực tuyến;Thanh toán trực tuyến;Mức độ hài lòng;Số hóa hồ sơ",
            "1;Quảng Trị;" + ";".join(str(stated[g]) for g in order),
        ]
        result = ingest_bytes(con, warehouse.store(), "thang-10.csv", "\n".join(lines).encode())
        assert result.outcome == "ingested"
        letter_unit = con.execute(
            """SELECT unit_id FROM core.unit_match_review
               WHERE capture_id = ? AND status = 'matched'""",
            [result.capture_id],
        ).fetchall()
        rebuild_marts(con)
        canonical = con.execute(
            """SELECT DISTINCT unit_id FROM mart.unit_period_scores
               WHERE unit_code = 'H50' AND period_start = DATE '2023-10-01'"""
        ).fetchall()
        rows = con.execute(
            """SELECT unit_id, group_code, score, source_id, file_score, file_source_id,
                      difference
               FROM mart.source_disagreements"""
        ).fetchall()
    assert letter_unit == [(QUANG_TRI_BEFORE,)]  # the letter's own id, kept as evidence
    assert len(canonical) == 1
    assert rows == [
        (
            canonical[0][0],
            "CKMB",
            portal_values["CKMB"],
            "portal_legacy",
            12.0,
            "file_table",
            round(12.0 - portal_values["CKMB"], 2),
        ),
    ]


def test_a_pre_merger_scope_is_named(warehouse: WarehouseResource) -> None:
    # Band counts of the departments of Quảng Bình (pre2025:44, absorbed on 1/7/2025: no
    # source names it under that id, so it is not in core.units) and of a parent nobody
    # knows: the scope is named from the reorganisation data, never guessed.
    with warehouse.connect() as con:
        con.execute(
            """CREATE TEMP TABLE counts AS
               SELECT * FROM mart.band_counts LIMIT 0"""
        )
        for parent, band, count in (
            (QUANG_BINH_BEFORE, "KHA", 3),
            (QUANG_BINH_BEFORE, "TOT", 1),
            ("unknown-parent", "KHA", 2),
        ):
            con.execute(
                """INSERT INTO counts BY NAME
                   SELECT 'month' AS period_type, DATE '2024-03-01' AS period_start,
                          ? AS parent_unit_id, 'department' AS unit_level, ? AS band_code,
                          ? AS unit_count, false AS is_provisional""",
                [parent, band, count],
            )
        assert (
            con.execute(
                "SELECT count(*) FROM core.units WHERE unit_id = ?", [QUANG_BINH_BEFORE]
            ).fetchone()[0]
            == 0
        )
        scopes = con.execute(
            """SELECT DISTINCT parent_unit_id, province_code, scope_name
               FROM mart.band_count_table_of('counts') ORDER BY parent_unit_id"""
        ).fetchall()
    assert scopes == [
        (QUANG_BINH_BEFORE, None, "Quảng Bình"),  # its agency code is not verified: none
        ("unknown-parent", None, None),
    ]
