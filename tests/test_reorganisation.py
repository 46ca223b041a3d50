"""The 2025 reorganisation as data: 63 → 34 provinces, districts ended, lineage by id, and
pre-merger totals aggregated onto the merged province (derived, never joined by name)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pipelines.resources import WarehouseResource
from pipelines.sources.files.ingest import IngestOptions
from tests.conftest import SAMPLES
from tests.file_ingest import ingest_bytes, ingest_path
from tests.helpers import materialize
from warehouse.derive import rebuild_marts
from warehouse.schema import apply_schema

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "files"
DA_NANG = "019d2be3-6a85-74ec-a33d-803cf2496575"
QUANG_TRI = "019d2be3-6a88-732b-8b20-29251b1ac762"
PHU_THO = "019d2be3-6a88-732b-8b17-b68020c8553a"
HA_NOI = "019d2be3-6a86-70a8-a0af-76e986804225"

# DOMAIN.md §6: new GSO code → the provinces merged into it.
MERGERS = {
    "48": {"Đà Nẵng", "Quảng Nam"},
    "44": {"Quảng Bình", "Quảng Trị"},
    "75": {"Bình Phước", "Đồng Nai"},
    "08": {"Hà Giang", "Tuyên Quang"},
    "15": {"Yên Bái", "Lào Cai"},
    "19": {"Bắc Kạn", "Thái Nguyên"},
    "25": {"Vĩnh Phúc", "Hòa Bình", "Phú Thọ"},
    "24": {"Bắc Giang", "Bắc Ninh"},
    "33": {"Thái Bình", "Hưng Yên"},
    "31": {"Hải Dương", "Hải Phòng"},
    "37": {"Hà Nam", "Nam Định", "Ninh Bình"},
    "51": {"Kon Tum", "Quảng Ngãi"},
    "52": {"Bình Định", "Gia Lai"},
    "56": {"Ninh Thuận", "Khánh Hòa"},
    "66": {"Phú Yên", "Đắk Lắk"},
    "68": {"Đắk Nông", "Bình Thuận", "Lâm Đồng"},
    "79": {"Hồ Chí Minh", "Bà Rịa - Vũng Tàu", "Bình Dương"},
    "80": {"Long An", "Tây Ninh"},
    "82": {"Tiền Giang", "Đồng Tháp"},
    "86": {"Bến Tre", "Trà Vinh", "Vĩnh Long"},
    "91": {"Kiên Giang", "An Giang"},
    "92": {"Cần Thơ", "Sóc Trăng", "Hậu Giang"},
    "96": {"Bạc Liêu", "Cà Mau"},
}
UNCHANGED = {"01", "04", "11", "12", "14", "20", "22", "38", "40", "42", "46"}


def test_63_provinces_become_34(warehouse: WarehouseResource) -> None:
    with warehouse.connect() as con:
        rows = con.execute(
            """SELECT old_unit_id, old_name, old_code, old_gso_code, new_unit_id, new_code,
                      new_gso_code, relation, effective_date
               FROM core.reorganisation_2025 WHERE unit_level = 'province'"""
        ).fetchall()
    assert len(rows) == 63
    assert len({r[3] for r in rows}) == 63  # every old GSO code once
    assert len({r[4] for r in rows}) == 34
    assert {r[8] for r in rows} == {date(2025, 7, 1)}
    merged: dict[str, set[str]] = {}
    for old_id, old_name, _, old_gso, new_id, _, new_gso, relation, _ in rows:
        if relation == "merged":
            merged.setdefault(new_gso, set()).add(old_name)
            assert old_id == f"pre2025:{old_gso}" and new_id != old_id
        else:
            assert relation == "unchanged" and old_id == new_id and new_gso in UNCHANGED
    assert merged == MERGERS
    by_name = {r[1]: r for r in rows}
    assert by_name["Quảng Nam"][4:7] == (DA_NANG, "H17", "48")
    assert by_name["Quảng Bình"][4:7] == (QUANG_TRI, "H50", "44")
    # the surviving province keeps its agency code; other old codes are not guessed
    assert by_name["Quảng Trị"][2] == "H50" and by_name["Đồng Nai"][2] == "H19"
    assert by_name["Quảng Nam"][2] is None and by_name["Quảng Bình"][2] is None


def test_new_units_are_the_portals_provinces(warehouse: WarehouseResource) -> None:
    listed = json.loads((SAMPLES / "provinces.json").read_text("utf-8"))
    portal = {p["departmentId"]: p["departmentCode"] for p in listed["provinces"]}
    with warehouse.connect() as con:
        ours = dict(
            con.execute(
                """SELECT DISTINCT new_unit_id, new_code FROM core.reorganisation_2025
                   WHERE unit_level = 'province'"""
            ).fetchall()
        )
    assert ours == portal


def test_districts_end_on_30_june_2025(warehouse: WarehouseResource) -> None:
    with warehouse.connect() as con:
        per_province = dict(
            con.execute(
                """SELECT old_province_unit_id, count(*) FROM core.reorganisation_2025
                   WHERE unit_level = 'district' AND relation = 'ended'
                     AND new_unit_id IS NULL AND effective_date = DATE '2025-07-01'
                   GROUP BY ALL"""
            ).fetchall()
        )
        valid_to = con.execute(
            "SELECT DISTINCT valid_to FROM core.reference_units WHERE unit_level = 'district'"
        ).fetchall()
    # Quảng Nam's 18 districts (its letter of 11/2023), Quảng Trị's 10, Đồng Nai's 11 (its
    # letter of quý II/2024)
    assert per_province == {"pre2025:49": 18, "pre2025:45": 10, "pre2025:75": 11}
    assert valid_to == [(date(2025, 6, 30),)]


def test_lineage_is_filled_by_id_and_idempotent(warehouse: WarehouseResource) -> None:
    with warehouse.connect() as con:
        apply_schema(con)  # re-applying the schema adds nothing
        counts = dict(
            con.execute("SELECT relation, count(*) FROM mart.unit_lineage GROUP BY ALL").fetchall()
        )
        quang_nam = con.execute(
            "SELECT new_unit_id, effective_date FROM mart.unit_lineage WHERE old_unit_id = ?",
            ["pre2025:49"],
        ).fetchall()
    assert counts == {"merged": 52, "ended": 39}
    assert quang_nam == [(DA_NANG, date(2025, 7, 1))]


def test_merged_province_scores_are_derived_means_of_members(
    warehouse: WarehouseResource,
) -> None:
    with warehouse.connect() as con:
        result = ingest_path(con, warehouse.store(), FIXTURES / "provinces_2024.html")
        assert result.outcome == "ingested" and result.root_unit_id == "VN"
        matched = dict(
            con.execute(
                """SELECT name_given, unit_id FROM core.unit_match_review
                   WHERE capture_id = ? AND status = 'matched'""",
                [result.capture_id],
            ).fetchall()
        )
        assert matched == {
            "UBND Thành phố Đà Nẵng": "pre2025:48",
            "UBND tỉnh Quảng Nam": "pre2025:49",
            "UBND tỉnh Quảng Bình": "pre2025:44",
            "UBND tỉnh Quảng Trị": "pre2025:45",
            "UBND tỉnh Vĩnh Phúc": "pre2025:26",
            "UBND tỉnh Phú Thọ": "pre2025:25",
            "UBND Thành phố Hà Nội": HA_NOI,  # unchanged: the same unit before and after
        }
        rebuild_marts(con)
        rows = {
            r[0]: r[1:]
            for r in con.execute(
                """SELECT unit_id, period_type, period_start, total_score, is_derived,
                          members_with_total, members_expected, is_complete,
                          [m.unit_id FOR m IN members]
                   FROM mart.merged_province_scores"""
            ).fetchall()
        }
    assert set(rows) == {DA_NANG, QUANG_TRI, PHU_THO}
    assert rows[DA_NANG] == (
        "year",
        date(2024, 1, 1),
        85.15,  # mean of 90.2 and 80.1
        True,
        2,
        2,
        True,
        ["pre2025:48", "pre2025:49"],
    )
    assert rows[QUANG_TRI][2:7] == (77.0, True, 2, 2, True)
    # Hòa Bình is missing: no mean of some members
    assert rows[PHU_THO][2:] == (
        None,
        True,
        2,
        3,
        False,
        ["pre2025:17", "pre2025:25", "pre2025:26"],
    )


@pytest.mark.integration
def test_merged_province_scores_sit_beside_the_merged_provinces_own_series(
    warehouse: WarehouseResource, portal
) -> None:
    """The derived pre-merger series is keyed by the merged province's canonical unit, the
    id its own values have in mart.unit_period_scores, so the two read side by side."""
    assert materialize(portal, warehouse, "2026-10", ["H50", "H17"]).success
    with warehouse.connect() as con:
        ingest_path(con, warehouse.store(), FIXTURES / "provinces_2024.html")
        rebuild_marts(con)
        beside = con.execute(
            """SELECT s.unit_code, m.total_score, s.total_score IS NOT NULL
               FROM mart.merged_province_scores AS m
               JOIN mart.unit_period_scores AS s
                   ON s.unit_id = m.unit_id
                   AND s.period_type = 'month' AND s.period_start = DATE '2026-10-01'
               ORDER BY s.unit_code"""
        ).fetchall()
        canonical = dict(
            con.execute(
                "SELECT source_unit_id, unit_id FROM core.unit_identities "
                "WHERE source_unit_id IN (?, ?)",
                [DA_NANG, QUANG_TRI],
            ).fetchall()
        )
    # the portal's ids of the merged provinces stand for other canonical units: the join
    # above only holds if the view maps them as every other mart does
    assert set(canonical) == {DA_NANG, QUANG_TRI}
    assert all(canonical[u] != u for u in canonical)
    # Đà Nẵng and Quảng Trị have their means; Phú Thọ (H44) lacks Hòa Bình, so no mean
    assert beside == [("H17", 85.15, True), ("H44", None, True), ("H50", 77.0, True)]


def _province_table(month: str, total_by_name: dict[str, float]) -> bytes:
    lines = [
        f"Kết quả các tỉnh, thành phố trực thuộc Trung ương tháng {month}",
        "STT;Tỉnh, thành phố;Công khai, minh bạch;Tiến độ, kết quả giải quyết;"
        "Dịch vụ công trực tuyến;Thanh toán trực tuyến;Mức độ hài lòng;Số hóa hồ sơ",
    ]
    for index, (name, ckmb) in enumerate(total_by_name.items(), start=1):
        lines.append(f"{index};{name};{ckmb};18;9;8;17;16")
    return "\n".join(lines).encode()


def test_a_series_across_the_merger_is_never_joined_by_name(
    warehouse: WarehouseResource,
) -> None:
    # Quảng Trị kept its name and code when it took in Quảng Bình on 1/7/2025: its series
    # runs on under the merged province's id (one id, by the reorganisation data, never by
    # name), flagged and never comparable at 07/2025; Quảng Bình keeps its own id and ends.
    with warehouse.connect() as con:
        june = ingest_bytes(
            con,
            warehouse.store(),
            "thang-6.csv",
            _province_table("6/2025", {"Quảng Trị": 12.0, "Quảng Bình": 10.0, "Hà Nội": 15.0}),
        )
        july = ingest_bytes(
            con,
            warehouse.store(),
            "thang-7.csv",
            _province_table("7/2025", {"Quảng Trị": 13.0, "Hà Nội": 15.5}),
            IngestOptions(cutoff="2025-08-02 09:00"),
        )
        assert june.outcome == july.outcome == "ingested"
        ids = con.execute(
            """SELECT r.capture_id, m.unit_id FROM core.unit_match_review AS m
               JOIN raw.captures AS r USING (capture_id)
               WHERE m.name_given = 'Quảng Trị' ORDER BY r.period_start"""
        ).fetchall()
        # the letters' names match the unit of their date (evidence kept as given)
        assert [unit for _, unit in ids] == ["pre2025:45", QUANG_TRI]
        rebuild_marts(con)
        series = con.execute(
            """SELECT unit_id, period_start, total_score, territory_changed
               FROM mart.unit_period_scores
               WHERE period_type = 'month' AND unit_id IN (?, 'pre2025:44', 'pre2025:45')
               ORDER BY unit_id, period_start""",
            [QUANG_TRI],
        ).fetchall()
        changes = {
            r[0]: r[1:]
            for r in con.execute(
                """SELECT unit_id, prev_total_score, delta_points, comparable,
                          not_comparable_reason
                   FROM mart.score_changes
                   WHERE period_type = 'month' AND period_start = DATE '2025-07-01'"""
            ).fetchall()
        }
    assert series == [
        # the surviving province: one series, its own June total (80), not Quảng Bình's (78)
        (QUANG_TRI, date(2025, 6, 1), 80.0, False),
        (QUANG_TRI, date(2025, 7, 1), 81.0, True),  # a different territory from here on
        ("pre2025:44", date(2025, 6, 1), 78.0, False),  # the absorbed province ends in June
    ]
    # joined under one id, flagged: the delta is shown but never comparable
    assert changes[QUANG_TRI] == (80.0, 1.0, False, "unit_reorganised")
    assert "pre2025:44" not in changes and "pre2025:45" not in changes
    assert changes[HA_NOI][:2] == (83.0, 0.5)  # unchanged province: the same unit, one series
    assert changes[HA_NOI][3] != "unit_reorganised"
