"""File ingestion: letters (text/Markdown/TSV), saved portal pages (HTML), spreadsheets
(Excel, CSV) become captures like any other; what cannot be read is quarantined with a
reason; the inbox sensor asks for one run per new content; the CLI speaks Vietnamese."""

from __future__ import annotations

import json
import os
import shutil
import time
import unicodedata
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest
import typer
import xlsxwriter
from typer.testing import CliRunner

from pipelines.assets.files import plan_files
from pipelines.cli_ingest import ingest
from pipelines.definitions import defs
from pipelines.resources import WarehouseResource
from pipelines.runner import ingest_files
from pipelines.sensors import inbox_sensor
from pipelines.settings import Settings
from pipelines.sources.files import ingest as ingest_module
from pipelines.sources.files.ingest import IngestOptions
from pipelines.sources.registry import SOURCES
from tests.conftest import SEEDS, requires_seeds
from tests.file_ingest import ingest_bytes, ingest_path
from warehouse.derive import query_as_of, rebuild_marts
from warehouse.load_core import normalise_captures
from warehouse.publish import published_path

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "files"
QUANG_TRI_2023 = SEEDS / "002_505eb6b581a23fd8.txt"
QUANG_NAM_NEWS_08_2024 = SEEDS / "003_6c79a760a865dc18.txt"
VN = ZoneInfo("Asia/Ho_Chi_Minh")
QUANG_TRI_2026 = "019d2be3-6a88-732b-8b20-29251b1ac762"
CORE = ("unit_sightings", "group_scores", "metric_values", "reported_totals")


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


# --- Quảng Trị, 2023: two appendix tables and the province's group scores ----------------


@requires_seeds
def test_quang_tri_2023_letter_loads_through_the_file_path(warehouse: WarehouseResource) -> None:
    with warehouse.connect() as con:
        result = ingest_path(con, warehouse.store(), QUANG_TRI_2023)
        assert result.outcome == "ingested", result
        assert (result.source, result.format, result.root_unit_id) == (
            "file_letter",
            "text",
            "pre2025:45",
        )
        cutoff = datetime(2023, 11, 23, 16, 0, tzinfo=VN)
        capture = _rows(
            con,
            """SELECT scope, source, period_type, period_start, root_unit_id, status,
                      captured_at FROM raw.captures""",
        )
        assert capture == [
            ("file", "file_letter", "year", date(2023, 1, 1), "pre2025:45", "complete", cutoff)
        ]
        response = _rows(
            con,
            """SELECT endpoint, url, method, http_status, content_type, sha256, validation,
                      captured_at, request_body FROM raw.responses""",
        )[0]
        assert response[:5] == ("text", "file:002_505eb6b581a23fd8.txt", "POST", 200, "text/plain")
        assert response[5] == result.sha256 and response[6] == "valid" and response[7] == cutoff
        assert warehouse.store().get(result.sha256) == QUANG_TRI_2023.read_bytes()
        body = json.loads(response[8])
        assert body["file_name"] == "002_505eb6b581a23fd8.txt"
        assert (
            body["cutoff"] == "2023-11-23T16:00:00+07:00" and body["cutoff_source"] == "file:minute"
        )
        assert body["period"] == "2023" and body["options"] == {}

        levels = dict(
            _rows(
                con,
                """SELECT unit_level, count(*) FROM core.unit_sightings
                   WHERE unit_id <> 'pre2025:45' GROUP BY ALL""",
            )
        )
        assert levels == {"department": 18, "district": 9}
        # rates stay rates: five groups for 27 units, "100%" read as 100
        rates = _rows(
            con,
            """SELECT count(*), count(*) FILTER (ratio = 100), count(numerator),
                      count(denominator), count(score)
               FROM core.metric_values WHERE metric_code LIKE '%\\_RATE' ESCAPE '\\'""",
        )
        assert rates == [(135, 6 + 9, 0, 0, 0)]  # 6 departments' cells, 9 districts' "100%"
        hai_long = _rows(
            con,
            """SELECT DISTINCT ratio FROM core.metric_values AS m
               JOIN core.unit_sightings AS s USING (response_id, unit_id)
               WHERE s.unit_level = 'district' AND m.metric_code = 'MDHL_RATE'""",
        )
        assert hai_long == [(100.0,)]
        # the province's group scores as the letter states them, at its cut-off
        province = _rows(
            con,
            """SELECT group_code, score, max_score, is_root, captured_at FROM core.group_scores
               WHERE unit_id = 'pre2025:45' ORDER BY group_code""",
        )
        assert province == [
            ("CKMB", 12.2, 18.0, True, cutoff),
            ("CLGQ", 5.8, 12.0, True, cutoff),
            ("MDHL", 18.0, 18.0, True, cutoff),
            ("MDSH", 15.5, 22.0, True, cutoff),
            ("TDGQ", 18.5, 20.0, True, cutoff),
        ]
        assert _rows(con, "SELECT unit_name FROM core.units WHERE unit_id = 'pre2025:45'") == [
            ("Quảng Trị",)
        ]


@requires_seeds
def test_rates_become_points_only_where_the_methodology_says_how(
    warehouse: WarehouseResource,
) -> None:
    with warehouse.connect() as con:
        ingest_path(con, warehouse.store(), QUANG_TRI_2023)
        tu_phap = _rows(
            con,
            """SELECT group_code, score, max_score, ratio FROM core.group_scores
               WHERE unit_id = 'pre2025:45:so-tu-phap' ORDER BY group_code""",
        )
        # the rule of Đồng Nai, quý II/2024 for departments: points = rate × group max / 100
        assert tu_phap == [
            ("CLGQ", 4.2, 12.0, 35.0),
            ("MDHL", 5.994, 18.0, 33.3),
            ("MDSH", 21.7976, 22.0, 99.08),
            ("TDGQ", 18.844, 20.0, 94.22),
            ("TTTT", 0.15, 10.0, 1.5),
        ]
        districts = _rows(
            con,
            """SELECT count(*) FROM core.group_scores AS g
               JOIN core.unit_sightings AS s USING (response_id, unit_id)
               WHERE s.unit_level = 'district'""",
        )
        assert districts == [(0,)]  # district points are the portal's own: not derivable
        rule = _rows(
            con,
            """SELECT rule FROM methodology.rate_to_points
               WHERE version_id = 'PORTAL-6G-2022' AND unit_level = 'district'
                 AND group_code = 'TDGQ'""",
        )
        assert rule == [("not_derivable",)]
        rebuild_marts(con)
        marts = {
            r[0]: r[1:]
            for r in _rows(
                con,
                """SELECT unit_id, total_score, missing_groups, band
                   FROM mart.unit_period_scores WHERE period_start = DATE '2023-01-01'""",
            )
        }
        # Quảng Trị kept its name and code in 2025: the marts hold it under its one id
        ((quang_tri,),) = _rows(
            con, "SELECT unit_id FROM core.unit_identities WHERE source_unit_id = 'pre2025:45'"
        )
        # five groups stated (no payment): never a partial total
        assert marts[quang_tri] == (None, ["TTTT"], None)
        assert marts["pre2025:45:so-tu-phap"] == (None, ["CKMB"], None)
        before = query_as_of(con, "unit_period_scores", "2023-11-23 15:59")
        at = query_as_of(con, "unit_period_scores", "2023-11-23 16:00")
        assert quang_tri not in before["unit_id"].to_list()
        assert quang_tri in at["unit_id"].to_list()


def test_no_rule_no_points_for_a_2026_letter(warehouse: WarehouseResource) -> None:
    letter = (
        "CÁC CƠ QUAN, ĐƠN VỊ CẤP TỈNH THÁNG 8/2026\n\n"
        "STT\tTên cơ quan/ đơn vị\tSố hóa hồ sơ (%)\n1\tSở Tư pháp\t90\n"
    ).encode()
    with warehouse.connect() as con:
        result = ingest_bytes(
            con, warehouse.store(), "t8.txt", letter, IngestOptions(province="H50")
        )
        assert result.outcome == "ingested" and result.period is not None
        assert (result.period.label, result.root_unit_id) == ("2026-08", QUANG_TRI_2026)
        assert _rows(con, "SELECT metric_code, ratio FROM core.metric_values") == [
            ("MDSH_RATE", 90.0)
        ]
        # the 2026 sheet scores indicators, not group rates: no rule, no points
        assert _rows(con, "SELECT count(*) FROM core.group_scores") == [(0,)]


@requires_seeds
def test_quang_nam_news_08_2024_group_scores_with_a_stated_cutoff_give_a_band(
    warehouse: WarehouseResource,
) -> None:
    with warehouse.connect() as con:
        result = ingest_path(
            con, warehouse.store(), QUANG_NAM_NEWS_08_2024, IngestOptions(cutoff="2024-08-20 17:00")
        )
        assert result.outcome == "ingested"
        assert result.root_unit_id == "pre2025:49" and result.period is not None
        assert result.period.label == "2024" and result.cutoff_source == "option"
        scores = dict(
            _rows(
                con,
                "SELECT group_code, score FROM core.group_scores WHERE unit_id = 'pre2025:49'",
            )
        )
        assert scores == {
            "CKMB": 13.2,
            "TDGQ": 18.4,
            "CLGQ": 7.7,
            "TTTT": 7.6,
            "MDHL": 17.6,
            "MDSH": 15.6,
        }
        assert _rows(con, "SELECT captured_at FROM raw.captures") == [
            (datetime(2024, 8, 20, 17, 0, tzinfo=VN),)
        ]
        rebuild_marts(con)
        assert _rows(
            con,
            """SELECT total_score, band, missing_groups FROM mart.unit_period_scores
               WHERE unit_id = 'pre2025:49'""",
        ) == [(80.1, "Tốt", [])]


def test_without_a_stated_cutoff_the_ingestion_time_is_used(
    warehouse: WarehouseResource,
) -> None:
    # Quảng Nam's news of 08/2024 states its date (a "date 2024-08" header): a letter stating none
    letter = "UBND TỈNH QUẢNG NAM\n\nChỉ số Công khai, minh bạch năm 2024 đạt 13,2/18 điểm.\n"
    now = datetime(2026, 11, 23, 4, 30, tzinfo=UTC)
    with warehouse.connect() as con:
        result = ingest_bytes(con, warehouse.store(), "tin.txt", letter.encode(), now=now)
        assert result.cutoff_source == "ingested_at" and result.captured_at == now
        body = json.loads(_rows(con, "SELECT request_body FROM raw.responses")[0][0])
        assert body["cutoff_source"] == "ingested_at" and body["stated_cutoffs"] == []
        assert body["cutoff_stated"] is False


@requires_seeds
def test_the_same_bytes_are_never_ingested_twice(
    warehouse: WarehouseResource, tmp_path: Path
) -> None:
    copy = tmp_path / "ban-sao-cong-van.txt"
    shutil.copyfile(QUANG_TRI_2023, copy)
    with warehouse.connect() as con:
        first = ingest_path(con, warehouse.store(), QUANG_TRI_2023)
        again = ingest_path(con, warehouse.store(), copy)
        assert (first.outcome, again.outcome) == ("ingested", "duplicate")
        assert again.capture_id == first.capture_id
        assert _rows(con, "SELECT count(*) FROM raw.captures") == [(1,)]
        assert copy.exists() and QUANG_TRI_2023.exists()  # files are never moved


def test_renormalising_a_file_capture_gives_the_same_rows(warehouse: WarehouseResource) -> None:
    query = """SELECT unit_id, group_code, score FROM core.group_scores
               UNION ALL SELECT unit_id, metric_code, ratio FROM core.metric_values
               ORDER BY ALL"""
    with warehouse.connect() as con:
        result = ingest_path(con, warehouse.store(), FIXTURES / "quang_tri_2023_abbreviated.md")
        before = _rows(con, query)
        review = _rows(con, "SELECT name_given, unit_id, status FROM core.unit_match_review")
        normalise_captures(con, warehouse.store(), [result.capture_id], SOURCES)  # matches again
        assert _rows(con, query) == before
        assert (
            _rows(con, "SELECT name_given, unit_id, status FROM core.unit_match_review") == review
        )


# --- spreadsheets and saved pages ---------------------------------------------------------


def test_csv_with_a_two_row_header_reproduces_band_counts(warehouse: WarehouseResource) -> None:
    with warehouse.connect() as con:
        result = ingest_path(con, warehouse.store(), FIXTURES / "dong_nai_2024_q2_districts.csv")
        assert result.outcome == "ingested", result
        assert (result.source, result.root_unit_id) == ("file_table", "pre2025:75")
        assert result.period is not None and result.period.label == "2024-Q2"
        review = {
            r[0]: r[1:]
            for r in _rows(con, "SELECT name_given, status, method FROM core.unit_match_review")
        }
        assert all(status == "matched" for status, _ in review.values())
        assert review["Huyen Dinh Quan"] == ("matched", "fuzzy")
        assert review["UBND TP. Biên Hòa"] == ("matched", "normalised_name")
        totals = _rows(
            con,
            """SELECT total_score, total_max_score FROM core.reported_totals
               WHERE unit_id = 'pre2025:75:thanh-pho-bien-hoa'""",
        )
        assert totals == [(75.8, 100.0)]
        rebuild_marts(con)
        counts = dict(
            _rows(
                con,
                """SELECT band_code, unit_count FROM mart.band_counts
                   WHERE unit_level = 'district'
                     AND parent_unit_id = (SELECT unit_id FROM core.unit_identities
                                           WHERE source_unit_id = 'pre2025:75')
                     AND period_type = 'quarter' AND period_start = DATE '2024-04-01'""",
            )
        )
    # Đồng Nai, quý II/2024: "Có 02/11 cơ quan xếp loại Khá. Có 9/11 cơ quan xếp loại Trung bình."
    assert counts == {"XUAT_SAC": 0, "TOT": 0, "KHA": 2, "TRUNG_BINH": 9, "YEU": 0}


def _xlsx(path: Path, *, resolvable: bool) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Phụ lục 1")
    percent = workbook.add_format({"num_format": "0.00%"})
    groups = [
        "Tiến độ giải quyết",
        "Dịch vụ công trực tuyến",
        "Thanh toán trực tuyến",
        "Mức độ hài lòng",
        "Số hóa hồ sơ",
    ]
    if resolvable:
        sheet.merge_range(
            "A1:H1", "KẾT QUẢ CỦA CÁC CƠ QUAN, ĐƠN VỊ CẤP TỈNH TỈNH QUẢNG TRỊ NĂM 2023"
        )
        sheet.merge_range("A2:A3", "STT")
        sheet.merge_range("B2:B3", "Tên cơ quan/ đơn vị")
        sheet.merge_range("C2:G2", "Tỷ lệ đạt được của nhóm chỉ số (%)")
        sheet.merge_range("H2:H3", "Ghi chú")
        for col, label in enumerate(groups, start=2):
            sheet.write(2, col, label)
        sheet.write_row(3, 0, [1, "Sở Tư pháp"])
        for col, value in enumerate([0.9422, 0.35, 0.015, 0.333, 0.9908], start=2):
            sheet.write_number(3, col, value, percent)
        sheet.write_row(4, 0, [2, "Sở Xây dựng", "71,56%", "85,5%", "58,95%", "24,1%", "100%"])
        sheet.merge_range("A6:H6", "* Thời điểm chốt số liệu: 16h ngày 23/11/2023.")
    else:
        sheet.write_row(0, 0, ["STT", "Tên đơn vị"])
        sheet.merge_range("C1:H1", "Điểm các nhóm chỉ số")
        sheet.write_row(1, 0, [1, "Sở Tư pháp", 12, 18, 6, 5, 17, 20])
        sheet.write_row(2, 0, [2, "Sở Xây dựng", 11, 17, 7, 4, 16, 19])
    workbook.close()
    return path


def test_excel_with_merged_headers_and_percent_cells(
    warehouse: WarehouseResource, tmp_path: Path
) -> None:
    path = _xlsx(tmp_path / "phu-luc.xlsx", resolvable=True)
    with warehouse.connect() as con:
        result = ingest_path(con, warehouse.store(), path, IngestOptions(province="H50"))
        assert result.outcome == "ingested", result
        assert (result.source, result.format) == ("file_table", "xlsx")
        assert result.captured_at == datetime(2023, 11, 23, 16, 0, tzinfo=VN)
        rates = dict(
            _rows(
                con,
                """SELECT metric_code, ratio FROM core.metric_values
                   WHERE unit_id = 'pre2025:45:so-tu-phap'""",
            )
        )
        assert rates == {
            "TDGQ_RATE": 94.22,
            "CLGQ_RATE": 35.0,
            "TTTT_RATE": 1.5,
            "MDHL_RATE": 33.3,
            "MDSH_RATE": 99.08,
        }
        assert _rows(
            con,
            """SELECT ratio FROM core.metric_values
               WHERE unit_id = 'pre2025:45:so-xay-dung' AND metric_code = 'MDSH_RATE'""",
        ) == [(100.0,)]


def test_saved_portal_page_of_provinces(warehouse: WarehouseResource) -> None:
    with warehouse.connect() as con:
        result = ingest_path(con, warehouse.store(), FIXTURES / "provinces_2024.html")
        assert result.outcome == "ingested", result
        assert (result.source, result.format, result.root_unit_id) == ("file_html", "html", "VN")
        assert result.units == 7 and result.matches is not None and result.matches.matched == 7
        quang_nam = _rows(
            con,
            """SELECT group_code, score FROM core.group_scores
               WHERE unit_id = 'pre2025:49' ORDER BY group_code""",
        )
        assert quang_nam == [
            ("CKMB", 13.2),
            ("CLGQ", 7.7),
            ("MDHL", 17.6),
            ("MDSH", 15.6),
            ("TDGQ", 18.4),
            ("TTTT", 7.6),
        ]


def test_saved_group_page_gives_that_groups_points(warehouse: WarehouseResource) -> None:
    with warehouse.connect() as con:
        result = ingest_path(con, warehouse.store(), FIXTURES / "group_page_ckmb.html")
        assert result.outcome == "ingested", result
        assert result.period is not None and result.period.label == "2024-10"
        assert result.root_unit_id == "pre2025:45"
        scores = _rows(
            con, "SELECT unit_id, group_code, score, max_score FROM core.group_scores ORDER BY 1"
        )
        assert scores == [
            ("pre2025:45:so-tu-phap", "CKMB", 15.8, 18.0),
            ("pre2025:45:so-y-te", "CKMB", 14.2, 18.0),
        ]
        # the indicator columns stay in the stored page: not guessed into metrics
        assert _rows(con, "SELECT count(*) FROM core.metric_values") == [(0,)]


# --- what cannot be read is quarantined with a reason -------------------------------------

_HEADER = "STT;Tên đơn vị;Số hóa hồ sơ (%)\n"
MALFORMED: list[tuple[str, bytes, str]] = [
    ("trong.txt", b"", "tệp rỗng"),
    ("khoang-trang.csv", b"  \n\n  ", "tệp rỗng"),
    ("sai-ma.txt", b"STT\tT\x81n \x8d\x90n v\x9d\n1\tS\x81\t9\x8f\n", "sai mã hóa ký tự"),
    (
        "thieu-cot-ten.csv",
        "STT;Công khai, minh bạch;Tiến độ giải quyết\n1;12;18\n".encode(),
        "bảng thiếu cột tên đơn vị",
    ),
    (
        "thieu-o.tsv",
        "STT\tTên đơn vị\tSố hóa hồ sơ (%)\tMức độ hài lòng (%)\n"
        "1\tSở Tư pháp\t90\t80\n2\tSở Y tế\t85\n".encode(),
        "bảng thiếu cột",
    ),
    (
        "khong-so.csv",
        (_HEADER + "1;Sở Tư pháp;90\n2;Sở Y tế;chín mươi\n").encode(),
        "giá trị không phải là số",
    ),
    ("qua-100.csv", (_HEADER + "1;Sở Tư pháp;120\n").encode(), "giá trị ngoài khoảng"),
    (
        "khong-bang.html",
        "<html><body><h1>Cổng Dịch vụ công</h1><p>Đang tải…</p></body></html>".encode(),
        "trang HTML không có bảng nào",
    ),
    (
        "bang-menu.html",
        "<table><tr><td>Trang chủ</td><td>Tra cứu</td></tr></table>".encode(),
        "trang HTML không có bảng điểm đơn vị",
    ),
    ("cong-van.pdf", b"%PDF-1.4\n...", "định dạng tệp không được hỗ trợ"),
    ("cu.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "định dạng tệp không được hỗ trợ"),
]


@pytest.mark.parametrize(("name", "content", "reason"), MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_files_are_quarantined_with_a_reason(
    warehouse: WarehouseResource, name: str, content: bytes, reason: str
) -> None:
    with warehouse.connect() as con:
        result = ingest_bytes(
            con, warehouse.store(), name, content, IngestOptions(period="2023", province="H50")
        )
        assert (result.outcome, result.reason) == ("quarantined", reason), result
        quarantined = _rows(con, "SELECT reason, detail, sha256 FROM raw.quarantine")
        assert [(q[0], q[2]) for q in quarantined] == [(reason, result.sha256)]
        assert quarantined[0][1]  # a readable detail
        for table in CORE:
            assert _rows(con, f"SELECT count(*) FROM core.{table}") == [(0,)]
        captures = _rows(con, "SELECT status FROM raw.captures")
        responses = _rows(con, "SELECT validation, validation_error FROM raw.responses")
    assert captures in ([], [("incomplete",)])
    if captures:  # a file read as a capture: its response is invalid, with the reason
        assert responses[0][0] == "invalid" and reason in responses[0][1]
    assert warehouse.store().get(result.sha256) == content  # the bytes are kept


def test_excel_with_unresolvable_merged_header_cells(
    warehouse: WarehouseResource, tmp_path: Path
) -> None:
    path = _xlsx(tmp_path / "gop-o.xlsx", resolvable=False)
    with warehouse.connect() as con:
        result = ingest_path(con, warehouse.store(), path, IngestOptions("2023", "H50"))
        assert result.outcome == "quarantined"
        assert result.reason == "ô tiêu đề gộp không phân giải được"
        assert result.detail is not None and "C–H" in result.detail
        assert _rows(con, "SELECT status FROM raw.captures") == [("incomplete",)]
        assert _rows(con, "SELECT count(*) FROM raw.quarantine WHERE capture_id IS NOT NULL") == [
            (1,)
        ]


def test_a_file_over_the_size_cap_is_quarantined_unread(
    warehouse: WarehouseResource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ingest_module, "MAX_FILE_BYTES", 1000)
    path = tmp_path / "lon.csv"
    path.write_bytes(b"x" * 2000)
    with warehouse.connect() as con:
        result = ingest_path(con, warehouse.store(), path)
        assert (result.outcome, result.reason) == ("quarantined", "tệp quá lớn")
        assert _rows(con, "SELECT capture_id, sha256 FROM raw.quarantine") == [
            (None, result.sha256)
        ]
    assert not warehouse.store().path_for(result.sha256).exists()


def test_without_period_or_province_a_file_is_refused_not_guessed(
    warehouse: WarehouseResource,
) -> None:
    table = (_HEADER + "1;Sở Tư pháp;90\n").encode()
    with warehouse.connect() as con:
        no_period = ingest_bytes(con, warehouse.store(), "a.csv", table)
        assert (no_period.outcome, no_period.reason) == (
            "quarantined",
            "không xác định được kỳ báo cáo",
        )
        assert no_period.detail is not None and "--period" in no_period.detail
        no_province = ingest_bytes(
            con, warehouse.store(), "a.csv", table, IngestOptions(period="2023")
        )
        assert no_province.reason == "không xác định được tỉnh"
        assert _rows(con, "SELECT count(*) FROM raw.captures") == [(0,)]
        assert _rows(con, "SELECT count(*) FROM raw.quarantine") == [(2,)]
        # stated by the user, the same bytes are read
        given = ingest_bytes(
            con, warehouse.store(), "a.csv", table, IngestOptions("2023", "Quảng Trị")
        )
        assert given.outcome == "ingested" and given.root_unit_id == "pre2025:45"


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese Windows writes it: vowels with their quality marks
    precomposed (â, ơ, ư…), tone marks as separate combining characters."""
    out = []
    for char in unicodedata.normalize("NFC", text):
        parts = unicodedata.normalize("NFD", char)
        tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
        base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
        out.append(base + tones)
    return "".join(out).encode("cp1258")


_LETTER = (
    "UBND TỈNH QUẢNG TRỊ\n\nKẾT QUẢ CỦA UBND CẤP HUYỆN NĂM 2023\n\n"
    "STT\tTên cơ quan/ đơn vị\tTiến độ giải quyết\tSố hóa\n"
    "\t\tđúng hạn (%)\thồ sơ (%)\n"
    "1\tUBND huyện Hướng Hoá\t98,16\t38,11\n"
    "2\tUBND thị xã Quảng Trị\t98,4\t86,63\n"
    "* Thời điểm chốt số liệu: 16h ngày 23/11/2023.\n"
)


@pytest.mark.parametrize(
    ("encoded", "name"),
    [
        (_LETTER.encode("utf-8-sig"), "utf8-bom.txt"),
        (_LETTER.encode("utf-16"), "utf16.txt"),
        (_LETTER.encode("utf-16-le"), "utf16le-khong-bom.tsv"),
        (_cp1258(_LETTER), "windows-1258.txt"),
        (unicodedata.normalize("NFD", _LETTER).encode(), "nfd.txt"),
    ],
)
def test_letters_in_any_vietnamese_encoding_read_the_same(
    warehouse: WarehouseResource, encoded: bytes, name: str
) -> None:
    with warehouse.connect() as con:
        result = ingest_bytes(con, warehouse.store(), name, encoded)
        assert result.outcome == "ingested", result
        assert result.captured_at == datetime(2023, 11, 23, 16, 0, tzinfo=VN)
        rates = _rows(
            con,
            """SELECT unit_id, metric_code, metric_name, ratio FROM core.metric_values
               ORDER BY ALL""",
        )
    assert rates == [
        ("pre2025:45:huyen-huong-hoa", "MDSH_RATE", "Số hóa hồ sơ (%)", 38.11),
        ("pre2025:45:huyen-huong-hoa", "TDGQ_RATE", "Tiến độ giải quyết đúng hạn (%)", 98.16),
        ("pre2025:45:thi-xa-quang-tri", "MDSH_RATE", "Số hóa hồ sơ (%)", 86.63),
        ("pre2025:45:thi-xa-quang-tri", "TDGQ_RATE", "Tiến độ giải quyết đúng hạn (%)", 98.4),
    ]


# --- the CLI --------------------------------------------------------------------------------


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(ingest)
    return app


@requires_seeds
def test_cli_ingests_files_in_vietnamese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("DVC766_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("DVC766_RAW_STORE", str(tmp_path / "raw"))
    bad = tmp_path / "trong.txt"
    bad.write_bytes(b"")
    runner = CliRunner()
    ok = runner.invoke(_cli(), [str(QUANG_TRI_2023)])
    assert ok.exit_code == 0, ok.output
    assert "✓ 002_505eb6b581a23fd8.txt: đã nhập" in ok.output
    assert "kỳ 2023, Quảng Trị, chốt số liệu 2023-11-23 16:00 +0700 (theo tệp)" in ok.output
    assert "27 đơn vị" in ok.output and "Khớp đơn vị: 27 khớp" in ok.output
    assert "Đã tính lại các bảng mart và công bố" in ok.output
    cut = runner.invoke(_cli(), [str(QUANG_NAM_NEWS_08_2024), "--cutoff", "2024-08-20 17:00"])
    assert cut.exit_code == 0, cut.output
    assert "Quảng Nam, chốt số liệu 2024-08-20 17:00 +0700 (theo --cutoff)" in cut.output
    again = runner.invoke(_cli(), [str(QUANG_NAM_NEWS_08_2024), "--cutoff", "2024-08-20 17:00"])
    assert again.exit_code == 0 and "đã nhập trước đó" in again.output
    failed = runner.invoke(_cli(), [str(bad), "--period", "2023", "--province", "H50"])
    assert failed.exit_code == 1 and "bị cách ly" in failed.output and "tệp rỗng" in failed.output
    wrong = runner.invoke(_cli(), [str(QUANG_TRI_2023), "--period", "2023-13"])
    assert wrong.exit_code == 2 and "kỳ không hợp lệ" in wrong.output
    missing = runner.invoke(_cli(), [str(tmp_path / "khong-co.txt")])
    assert missing.exit_code == 2 and "không tìm thấy tệp" in missing.output
    with duckdb.connect(str(published_path(tmp_path / "w.duckdb")), read_only=True) as con:
        assert _rows(con, "SELECT count(*) FROM mart.unit_period_scores") != [(0,)]


# --- the inbox sensor and its job -----------------------------------------------------------


def _settled(path: Path) -> Path:
    past = time.time() - 60
    os.utime(path, (past, past))
    return path


@requires_seeds
def test_sensor_requests_one_run_per_new_content(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    monkeypatch.setenv("DVC766_INBOX", str(inbox))
    with dg.instance_for_test() as instance:
        context = dg.build_sensor_context(instance=instance)
        assert not inbox_sensor(context).run_requests  # an empty inbox
        letter = inbox / "cong-van-694.txt"
        shutil.copyfile(QUANG_TRI_2023, letter)
        _settled(letter)
        (inbox / ".hidden.txt").write_text("x")
        (inbox / "dang-tai.xlsx.part").write_text("x")
        first = inbox_sensor(dg.build_sensor_context(instance=instance))
        assert len(first.run_requests) == 1
        request = first.run_requests[0]
        sha = ingest_module.sha256_of_path(letter)
        assert request.run_key == sha
        assert request.job_name in (None, "files_job")  # the sensor's own job
        config = request.run_config["ops"]["raw_files__captures"]["config"]
        assert config["files"] == [{"path": str(letter.resolve()), "sha256": sha}]
        # the Quảng Trị letter is about 2023, cut off on 23/11/2023 while the year was open: its
        # capture goes under November 2023's partition
        assert request.tags["dagster/asset_partition_range_start"] == "2023-11-01"
        assert request.tags["dagster/asset_partition_range_end"] == "2023-11-01"
        assert request.tags["dvc766/files"] == "cong-van-694.txt"
        assert request.tags["dvc766/periods"] == "2023"
        # the same file again, and the same bytes under another name: nothing new
        second = inbox_sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert not second.run_requests
        shutil.copyfile(letter, inbox / "ban-sao.txt")
        _settled(inbox / "ban-sao.txt")
        third = inbox_sensor(dg.build_sensor_context(instance=instance, cursor=second.cursor))
        assert not third.run_requests
        # a file still being written waits; once settled, new content is one run
        fresh = inbox / "moi.csv"
        fresh.write_bytes((FIXTURES / "dong_nai_2024_q2_districts.csv").read_bytes())
        waiting = inbox_sensor(dg.build_sensor_context(instance=instance, cursor=third.cursor))
        assert not waiting.run_requests
        _settled(fresh)
        fourth = inbox_sensor(dg.build_sensor_context(instance=instance, cursor=waiting.cursor))
        assert [r.run_key for r in fourth.run_requests] == [ingest_module.sha256_of_path(fresh)]
        assert letter.exists() and fresh.exists()  # nothing is moved


@requires_seeds
def test_files_job_runs_on_a_real_instance(warehouse: WarehouseResource, tmp_path: Path) -> None:
    empty = tmp_path / "trong.csv"
    empty.write_bytes(b"")
    options = Settings(warehouse=warehouse.path, raw_store=warehouse.raw_store_dir)
    with dg.instance_for_test() as instance:
        ok = ingest_files(plan_files([QUANG_TRI_2023]), options=options, instance=instance)
        assert ok.success
        assert ok.dagster_run.job_name == "files_job"
        bad = ingest_files(
            plan_files([empty], IngestOptions("2023", "H50")), options=options, instance=instance
        )
        assert not bad.success
        failure = next(e for e in bad.all_events if e.is_step_failure)
        assert failure.step_key == "ops_portal__capture_outcome"
        assert "năm 2023 · H50 Quảng Trị: csv: tệp rỗng" in failure.step_failure_data.error.message
    with warehouse.connect() as con:
        assert _rows(con, "SELECT source, status FROM raw.captures ORDER BY 1") == [
            ("file_letter", "complete"),
            ("file_table", "incomplete"),
        ]
        assert _rows(con, "SELECT reason FROM raw.quarantine") == [("tệp rỗng",)]
    with duckdb.connect(str(published_path(warehouse.path)), read_only=True) as con:
        assert _rows(con, "SELECT count(*) FROM mart.unit_period_scores") != [(0,)]


def test_the_job_and_sensor_load_in_a_code_location() -> None:
    dg.Definitions.validate_loadable(defs)
    assert defs.resolve_sensor_def("inbox_sensor").job_name == "files_job"
