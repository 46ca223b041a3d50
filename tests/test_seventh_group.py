"""The set of groups is data: a methodology version with a seventh group, entered as rows
of ``methodology.*`` over a date range, flows through capture, validation, core, the marts
and the report, while an older period keeps its six groups.

The local portal serves the new version from 2027-01-01 (``MethodologyChange``: a seventh
group "Dữ liệu số" scored in the national ranking, the six rescaled so the maxima sum to
100); the warehouse gets the same version as rows. Captures run through the CLI (real
Dagster runs over loopback HTTP into a real DuckDB file); the report is read back with
openpyxl.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import httpx
import openpyxl
import pytest
from typer.testing import CliRunner

from fake_portal import MethodologyChange
from fake_portal.server import FakePortal
from pipelines.cli import app
from pipelines.sources.portal.endpoints import SERVICE_RESULTS
from pipelines.sources.portal.validate import UNKNOWN_GROUPS, validate_national_reply
from warehouse.connection import connect
from warehouse.methodology import methodology_for
from warehouse.periods import Period
from warehouse.records import InvalidReply

VERSION = "PORTAL-7G-2027"
NEW_FROM = date(2027, 1, 1)
SEVENTH = ("DLSO", "Dữ liệu số")
GROUPS_7 = {
    "CKMB": ("Công khai, minh bạch", 16),
    "TDGQ": ("Tiến độ, kết quả giải quyết", 18),
    "CLGQ": ("Dịch vụ công trực tuyến", 11),
    "TTTT": ("Thanh toán trực tuyến", 9),
    "MDHL": ("Mức độ hài lòng", 16),
    "MDSH": ("Số hóa hồ sơ", 20),
    SEVENTH[0]: (SEVENTH[1], 10),
}
SIX = ["CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH"]
TODAY = date(2027, 2, 20)
runner = CliRunner()


def add_seven_group_version(database: Path) -> None:
    """Enter the seven-group version as rows: version, groups, bands (the same bands)."""
    with connect(database) as con:
        con.execute(
            """INSERT INTO methodology.versions VALUES
               (?, 'Cổng DVCQG: 7 nhóm chỉ số (thử nghiệm)', 'portal', ?, NULL,
                'tests/test_seventh_group.py', NULL)""",
            [VERSION, NEW_FROM],
        )
        for order, (code, (name, maximum)) in enumerate(GROUPS_7.items(), start=1):
            decision = "DVTT" if code in ("CLGQ", "TTTT") else code
            con.execute(
                "INSERT INTO methodology.groups VALUES (?, ?, ?, ?, ?, ?)",
                [VERSION, code, name, maximum, decision, order],
            )
        con.execute(
            """INSERT OR REPLACE INTO methodology.bands
               SELECT ?, band_code, name_vi, min_score, max_score, sort_order
               FROM methodology.bands WHERE version_id = 'PORTAL-6G-2026'""",
            [VERSION],
        )


@pytest.fixture
def seven_portal() -> FakePortal:
    """The local portal scoring seven groups from 2027-01-01."""
    change = MethodologyChange(NEW_FROM, {code: m for code, (_, m) in GROUPS_7.items()})
    with FakePortal(today=TODAY, methodology_changes=[change]) as running:
        yield running


@pytest.fixture
def env(tmp_path: Path, seven_portal: FakePortal, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh user's environment against the seven-group portal."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("DVC766_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("DVC766_RAW_STORE", str(tmp_path / "raw"))
    monkeypatch.setenv("DVC766_PORTAL_URL", seven_portal.url)
    monkeypatch.setenv("DVC766_REQUEST_DELAY", "0")
    monkeypatch.setenv("DVC766_TODAY", TODAY.isoformat())
    return tmp_path


def national_reply(portal: FakePortal, year: int, month: int) -> dict:
    """The ``service-results`` data of a month, fetched over loopback HTTP."""
    reply = httpx.post(
        f"{portal.url}{SERVICE_RESULTS.path}",
        json=SERVICE_RESULTS.request_body(Period.month(year, month)),
    )
    reply.raise_for_status()
    return reply.json()["data"]


def test_validator_asks_for_the_groups_of_the_version_in_force(
    tmp_path: Path, seven_portal: FakePortal
) -> None:
    """A seven-group reply is rejected while the warehouse knows only six groups (a group
    outside the version: the reason names it), valid once the version is entered; a
    six-group reply of an older period stays valid under its own version."""
    database = tmp_path / "w.duckdb"
    january, december = (
        national_reply(seven_portal, 2027, 1),
        national_reply(seven_portal, 2026, 12),
    )
    assert set(january["evaluation"][0]["groupScores"]) == set(GROUPS_7)
    assert set(december["evaluation"][0]["groupScores"]) == set(SIX)
    with connect(database) as con:
        six = methodology_for(con, NEW_FROM)
    assert six.group_codes == tuple(SIX)
    with pytest.raises(InvalidReply) as rejected:
        validate_national_reply(january, six)
    assert rejected.value.reason == UNKNOWN_GROUPS
    assert "DLSO" in str(rejected.value.detail)

    add_seven_group_version(database)
    with connect(database) as con:
        seven = methodology_for(con, NEW_FROM)
        older = methodology_for(con, date(2026, 12, 1))
    assert seven.version_id == VERSION and seven.group_codes == tuple(GROUPS_7)
    assert seven.total_max == 100
    assert len(validate_national_reply(january, seven)) == 34
    assert older.version_id == "PORTAL-6G-2026"
    assert len(validate_national_reply(december, older)) == 34
    with pytest.raises(InvalidReply) as lacking:  # the six-group reply under seven groups
        validate_national_reply(december, seven)
    assert lacking.value.reason == "groupScores lacks groups"


def sheet_headers(workbook: Path, sheet: str) -> list[str]:
    """The header row (row 5) of a sheet of the appendices workbook."""
    ws = openpyxl.load_workbook(workbook, read_only=True)[sheet]
    row = next(ws.iter_rows(min_row=5, max_row=5, values_only=True))
    return [value for value in row if value is not None]


def group_headers(headers: list[str]) -> list[str]:
    """The group columns: between the unit name and the total."""
    return headers[headers.index("Tên cơ quan, đơn vị") + 1 : headers.index("Tổng điểm (100)")]


@pytest.mark.integration
def test_a_seventh_group_from_2027_is_captured_derived_and_reported(env: Path) -> None:
    """January 2027 (seven groups) and December 2026 (six) of Phú Thọ: captured, derived,
    published and reported with seven resp. six group columns."""
    add_seven_group_version(env / "w.duckdb")
    for period in ("2027-01", "2026-12"):
        result = runner.invoke(app, ["capture", "--period", period, "--province", "H44"])
        assert result.exit_code == 0, result.output

    with duckdb.connect(str(env / "w.duckdb"), read_only=True) as con:
        provinces = con.execute(
            """SELECT period_start, unit_code, methodology_version, map_keys(group_scores),
                      list_sum(map_values(group_scores)), total_score, reported_total_score,
                      total_mismatch, missing_groups, band_code
               FROM mart.unit_period_scores
               WHERE unit_level = 'province' AND period_type = 'month'
               ORDER BY period_start, unit_code"""
        ).fetchall()
        bands = con.execute(
            """SELECT version_id, band_code, min_score, max_score FROM methodology.bands
               WHERE version_id IN (?, 'PORTAL-6G-2026')""",
            [VERSION],
        ).fetchall()
        seventh = [
            score
            for (score,) in con.execute(
                """SELECT group_scores['DLSO'] FROM mart.unit_period_scores
                   WHERE unit_level = 'province' AND period_start = ?""",
                [NEW_FROM],
            ).fetchall()
        ]
        departments = con.execute(
            """SELECT period_start, count(*), count(total_score),
                      list_distinct(list(missing_groups)),
                      list_distinct(list(cardinality(group_scores))),
                      count(*) FILTER (WHERE group_scores['DLSO'] IS NULL)
               FROM mart.unit_period_scores
               WHERE unit_level = 'department' AND period_type = 'month'
               GROUP BY period_start ORDER BY period_start"""
        ).fetchall()
    by_period: dict[date, list[tuple]] = {}
    for row in provinces:
        by_period.setdefault(row[0], []).append(row)
    assert sorted(by_period) == [date(2026, 12, 1), NEW_FROM]
    for period, version, keys in (
        (NEW_FROM, VERSION, list(GROUPS_7)),
        (date(2026, 12, 1), "PORTAL-6G-2026", SIX),
    ):
        rows = by_period[period]
        assert len(rows) == 34  # the national ranking
        for (
            _,
            code,
            got_version,
            got_keys,
            group_sum,
            total,
            reported,
            mismatch,
            missing,
            band,
        ) in rows:
            assert got_version == version, code
            assert got_keys == keys, code  # in the version's order
            assert missing == [], code
            assert total == pytest.approx(round(group_sum, 2)), code
            # the portal's own total is the sum of the version's groups
            assert total == pytest.approx(reported, abs=0.011) and mismatch is False, code
            expected = [
                b for v, b, lo, hi in bands if v == version and float(lo) <= total < float(hi)
            ]
            assert [band] == expected, code
    h44 = {r[0]: r for r in provinces if r[1] == "H44"}
    # the seventh group counts: every province scores in it, so six groups fall short
    assert all(r[3][-1] == "DLSO" for r in by_period[NEW_FROM])
    assert seventh and all(score is not None and 0 < score <= 10 for score in seventh)
    # departments have no value in the group without an endpoint: no total, never partial
    (dec, jan) = departments
    assert dec[0] == date(2026, 12, 1) and jan[0] == NEW_FROM
    assert dec[1] == dec[2] > 0 and dec[3] == [[]] and dec[4] == [6]
    assert jan[1] > 0 and jan[2] == 0 and jan[3] == [["DLSO"]] and jan[4] == [7]
    assert jan[5] == jan[1]

    for period, out in (("2027-01", "bc-2027-01.xlsx"), ("2026-12", "bc-2026-12.xlsx")):
        report = runner.invoke(
            app, ["report", "--province", "H44", "--period", period, "--out", out]
        )
        assert report.exit_code == 0, report.output
    names_7 = [f"{name} ({m:g})" for name, m in GROUPS_7.values()]
    names_6 = [
        "Công khai, minh bạch (18)",
        "Tiến độ, kết quả giải quyết (20)",
        "Dịch vụ công trực tuyến (12)",
        "Thanh toán trực tuyến (10)",
        "Mức độ hài lòng (18)",
        "Số hóa hồ sơ (22)",
    ]
    for out, expected in (("bc-2027-01.xlsx", names_7), ("bc-2026-12.xlsx", names_6)):
        for sheet in ("Phụ lục 1 - Sở ngành", "Phụ lục 2 - Cấp huyện, xã"):
            assert group_headers(sheet_headers(env / out, sheet)) == expected, (out, sheet)
    # the province summary lists every group of the version with the province's score
    ws = openpyxl.load_workbook(env / "bc-2027-01.xlsx", read_only=True)["Tổng hợp tỉnh"]
    cells = {row[0]: row[1] for row in ws.iter_rows(values_only=True) if row and row[0]}
    assert cells["Dữ liệu số (10)"] is not None and 0 < cells["Dữ liệu số (10)"] <= 10
    assert cells["Tổng điểm (100)"] == pytest.approx(h44[NEW_FROM][5])
