"""Letters as sources: every figure a letter states in its sentences and small tables is
loaded (province totals for the year and for months, with a stated rank and the cohort it
is out of, group scores, units per level and band), as of the cut-off the letter states;
a figure that cannot be loaded as stated is rejected with its reason, the others kept.

The five provincial letters are read in place (../shared/seeds) through the real command; the
same sentence forms are covered by short letters written here, so the logic is tested
without them."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb
import pytest
import typer
from typer.testing import CliRunner

from pipelines.cli_ingest import ingest
from pipelines.resources import WarehouseResource
from pipelines.sources.files.ingest import read_bytes
from tests.conftest import SEEDS, requires_seeds
from tests.file_ingest import ingest_bytes, ingest_path
from tests.helpers import materialize
from warehouse.derive import rebuild_marts
from warehouse.publish import published_path

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "files"
QUANG_NAM, DONG_NAI, QUANG_TRI = "pre2025:49", "pre2025:75", "pre2025:45"
END_OF_DAY = (23, 59, 59, 999999)
BANDS = ("XUAT_SAC", "TOT", "KHA", "TRUNG_BINH", "YEU")


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def _totals(con: duckdb.DuckDBPyConnection, unit_id: str) -> list[tuple]:
    return _rows(
        con,
        """SELECT period_type, period_start, total_score, total_max_score, reported_rank,
                  reported_cohort_size, captured_at
           FROM core.reported_totals WHERE unit_id = ? ORDER BY period_start, period_type""",
        [unit_id],
    )


def _counts(con: duckdb.DuckDBPyConnection, unit_id: str) -> dict[tuple, tuple]:
    """{(level, period_type, period_start): (counts in band order, level_total)}."""
    rows = _rows(
        con,
        """SELECT unit_level, period_type, period_start, band_code, unit_count, level_total
           FROM core.reported_band_counts WHERE unit_id = ?""",
        [unit_id],
    )
    out: dict[tuple, dict] = {}
    totals: dict[tuple, set] = {}
    for level, ptype, start, band, count, total in rows:
        out.setdefault((level, ptype, start), {})[band] = count
        totals.setdefault((level, ptype, start), set()).add(total)
    return {key: (tuple(bands.get(b) for b in BANDS), *totals[key]) for key, bands in out.items()}


def _root_groups(con: duckdb.DuckDBPyConnection, unit_id: str) -> dict[str, float]:
    return dict(
        _rows(
            con,
            "SELECT group_code, score FROM core.group_scores WHERE unit_id = ? AND is_root",
            [unit_id],
        )
    )


def _cli() -> typer.Typer:
    app = typer.Typer()
    app.command()(ingest)
    return app


def _cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("DVC766_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("DVC766_RAW_STORE", str(tmp_path / "raw"))
    return tmp_path / "w.duckdb"


# --- the five provincial letters, through `dvc766 ingest` ------------------------------------


@requires_seeds
def test_every_seed_letter_loads_its_figures_as_of_its_cutoff(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _cli_env(tmp_path, monkeypatch)
    seeds = sorted(SEEDS.glob("00[0-4]_*.txt"))
    assert len(seeds) == 5
    run = CliRunner().invoke(_cli(), [str(s) for s in seeds])
    assert run.exit_code == 0, run.output
    assert run.output.count(": đã nhập") == 5, run.output
    assert "bị cách ly" not in run.output
    # the cut-off of Quảng Nam's news of 08/2024 is its "date 2024-08" header, no longer the
    # time of ingestion
    assert "chốt số liệu 2024-08-31 23:59 +0700 (theo ngày của bản tin, hết tháng)" in run.output
    with duckdb.connect(str(path), read_only=True) as con:
        cutoffs = {
            (root, ptype, start): (at, json.loads(body)["cutoff_source"])
            for root, ptype, start, at, body in _rows(
                con,
                """SELECT root_unit_id, period_type, period_start, captured_at, request_body
                   FROM raw.responses""",
            )
        }
        assert cutoffs == {
            # Quảng Nam, 11/2023: "đến thời điểm ngày 27/11/2023"
            (QUANG_NAM, "year", date(2023, 1, 1)): (
                datetime(2023, 11, 27, *END_OF_DAY, tzinfo=VN),
                "file:day",
            ),
            # Đồng Nai, quý II/2024: "lúc 11 giờ 00 phút ngày 08/7/2024"
            (DONG_NAI, "quarter", date(2024, 4, 1)): (
                datetime(2024, 7, 8, 11, 0, tzinfo=VN),
                "file:minute",
            ),
            # Quảng Trị, 2023: "16h ngày 23/11/2023"
            (QUANG_TRI, "year", date(2023, 1, 1)): (
                datetime(2023, 11, 23, 16, 0, tzinfo=VN),
                "file:minute",
            ),
            # Quảng Nam, news of 08/2024: "date 2024-08"
            (QUANG_NAM, "year", date(2024, 1, 1)): (
                datetime(2024, 8, 31, *END_OF_DAY, tzinfo=VN),
                "file:month",
            ),
            # Quảng Nam, 11/2022: "tính đến 18/11/2022"
            (QUANG_NAM, "year", date(2022, 1, 1)): (
                datetime(2022, 11, 18, *END_OF_DAY, tzinfo=VN),
                "file:day",
            ),
        }
        qn_2023 = datetime(2023, 11, 27, *END_OF_DAY, tzinfo=VN)
        assert _totals(con, QUANG_NAM) == [
            # "đứng thứ 43/63 tỉnh, thành phố, đạt 48,13 điểm"
            (
                "year",
                date(2022, 1, 1),
                48.13,
                100.0,
                43,
                63,
                datetime(2022, 11, 18, *END_OF_DAY, tzinfo=VN),
            ),
            ("year", date(2023, 1, 1), 67.9, 100.0, None, None, qn_2023),  # "67,9/100 điểm"
            # "tháng 10/2023 (đạt 71,5 điểm, xếp hạng 21)"
            ("month", date(2023, 10, 1), 71.5, 100.0, 21, None, qn_2023),
            ("month", date(2023, 11, 1), 72.8, 100.0, None, None, qn_2023),  # "đạt 72,8/100"
        ]
        assert _totals(con, DONG_NAI) == [] and _totals(con, QUANG_TRI) == []
        assert _counts(con, QUANG_NAM) == {
            # the band table of Quảng Nam, 11/2023
            ("department", "year", date(2023, 1, 1)): ((0, 2, 7, 9, 0), 18),
            ("district", "year", date(2023, 1, 1)): ((0, 0, 0, 18, 0), 18),
            # Quảng Nam, 08/2024: "8 sở được xếp loại tốt", "13 địa phương được xếp loại tốt"
            ("department", "year", date(2024, 1, 1)): ((None, 8, None, None, None), None),
            ("district", "year", date(2024, 1, 1)): ((None, 13, None, None, None), None),
        }
        assert _counts(con, DONG_NAI) == {
            # "Có 02/17 cơ quan xếp loại Tốt", "Không có cơ quan xếp loại Xuất sắc" …
            ("department", "quarter", date(2024, 4, 1)): ((0, 2, 4, 11, 0), 17),
            ("district", "quarter", date(2024, 4, 1)): ((0, 0, 2, 9, 0), 11),
            ("commune", "quarter", date(2024, 4, 1)): ((0, 0, 18, 150, 2), 170),
        }
        assert _root_groups(con, QUANG_NAM) == {
            "CKMB": 13.2,
            "TDGQ": 18.4,
            "CLGQ": 7.7,
            "TTTT": 7.6,
            "MDHL": 17.6,
            "MDSH": 15.6,
        }
        assert _root_groups(con, QUANG_TRI) == {
            "CKMB": 12.2,
            "TDGQ": 18.5,
            "CLGQ": 5.8,
            "MDSH": 15.5,
            "MDHL": 18.0,
        }
    with duckdb.connect(str(published_path(path)), read_only=True) as con:
        published = _rows(
            con,
            """SELECT unit_level, band_code, reported_unit_count, reported_level_total,
                      cutoff_stated
               FROM mart.reported_band_counts
               WHERE source_unit_id = ? AND period_type = 'quarter' AND unit_level = 'commune'
               ORDER BY band_code""",
            [DONG_NAI],
        )
        assert published == [
            ("commune", "KHA", 18, 170, True),
            ("commune", "TOT", 0, 170, True),
            ("commune", "TRUNG_BINH", 150, 170, True),
            ("commune", "XUAT_SAC", 0, 170, True),
            ("commune", "YEU", 2, 170, True),
        ]


# --- the same sentence forms, in letters written here --------------------------------------

SENTENCES = """UBND TỈNH QUẢNG NAM
VĂN PHÒNG

Quảng Nam, ngày 20 tháng 12 năm 2023
V/v kết quả Bộ chỉ số phục vụ người dân, doanh nghiệp

1. Tổng số điểm năm 2023 của tỉnh đến thời điểm (ngày 15/12/2023) là 70,4/100 điểm. Điểm số
tháng 11/2023 đạt 74,1/100, tăng so với điểm số tháng 10/2023 (đạt 69,5 điểm, xếp hạng 30).
Tính đến 15/12/2023 tỉnh đứng thứ 25/63 tỉnh, thành phố, đạt 70,4 điểm.

2. Chỉ số Công khai, minh bạch đạt 13,1/18 điểm; Chỉ số Mức độ hài lòng đạt 17,2/18 điểm.
Sở Tư pháp đạt 85,5/100 điểm, xếp thứ 1/19; UBND huyện Duy Xuyên có tổng điểm 80,2/100 điểm.

3. Kết quả xếp loại:
- Cấp tỉnh:
+ Không có cơ quan xếp loại Xuất sắc.
+ Có 03/19 cơ quan xếp loại Tốt.
+ Có 16/19 cơ quan xếp loại Khá.
- Cấp huyện:
+ Có 05/18 UBND cấp huyện xếp loại Khá.
+ Có 13/18 UBND cấp huyện xếp loại Trung bình.
"""

BAND_TABLE = """UBND TỈNH QUẢNG NAM

Quảng Nam, ngày 05 tháng 12 năm 2023
V/v công bố kết quả Bộ chỉ số năm 2023

Văn phòng công bố kết quả đến thời điểm ngày 04/12/2023 như sau:

TT Cấp hành
chính Xuất sắc Tốt Khá Trung bình Yếu Tổng

1 Sở, ban, ngành
cấp tỉnh 1 03 08 7 0 19

2
UBND huyện,
thị xã, thành phố

0 1 4 12 1 18

Tổng số đơn vị 1 04 12 19 1 37
Tỷ lệ 2,7% 10,8% 32,4% 51,4% 2,7% 100%
"""

NEWS = """ date 2024-05 Trung tâm hành chính tỉnh Quảng Nam cho biết năm 2024 các chỉ số có điểm
đạt như sau: Chỉ số Tiến độ giải quyết đạt 18,9/20 điểm; Chỉ số Số hóa hồ sơ 16,1/22 điểm.
"""


def test_sentence_forms_load_totals_ranks_groups_and_counts(
    warehouse: WarehouseResource,
) -> None:
    with warehouse.connect() as con:
        result = ingest_bytes(con, warehouse.store(), "cong-van.txt", SENTENCES.encode())
        assert result.outcome == "ingested", result
        assert result.root_unit_id == QUANG_NAM and result.period is not None
        assert result.period.label == "2023" and result.warnings == []
        cutoff = datetime(2023, 12, 15, *END_OF_DAY, tzinfo=VN)
        assert (result.captured_at, result.cutoff_source) == (cutoff, "file:day")
        assert _totals(con, QUANG_NAM) == [
            # the year's total, stated twice the same, the second time with its rank; a
            # department's and a district's totals are not the province's
            ("year", date(2023, 1, 1), 70.4, 100.0, 25, 63, cutoff),
            ("month", date(2023, 10, 1), 69.5, 100.0, 30, None, cutoff),
            ("month", date(2023, 11, 1), 74.1, 100.0, None, None, cutoff),
        ]
        assert _root_groups(con, QUANG_NAM) == {"CKMB": 13.1, "MDHL": 17.2}
        assert _counts(con, QUANG_NAM) == {
            ("department", "year", date(2023, 1, 1)): ((0, 3, 16, None, None), 19),
            ("district", "year", date(2023, 1, 1)): ((None, None, 5, 13, None), 18),
        }


def test_a_band_table_written_as_text_loads_per_level(warehouse: WarehouseResource) -> None:
    with warehouse.connect() as con:
        result = ingest_bytes(con, warehouse.store(), "bang.txt", BAND_TABLE.encode())
        assert result.outcome == "ingested", result
        assert result.captured_at == datetime(2023, 12, 4, *END_OF_DAY, tzinfo=VN)
        assert result.rows["reported_band_counts"] == 10
        assert _counts(con, QUANG_NAM) == {
            ("department", "year", date(2023, 1, 1)): ((1, 3, 8, 7, 0), 19),
            ("district", "year", date(2023, 1, 1)): ((0, 1, 4, 12, 1), 18),
        }


def test_a_dated_header_is_the_cutoff_and_flagged_as_stated(
    warehouse: WarehouseResource,
) -> None:
    now = datetime(2026, 12, 6, 1, 0, tzinfo=UTC)
    with warehouse.connect() as con:
        result = ingest_bytes(con, warehouse.store(), "tin.txt", NEWS.encode(), now=now)
        assert result.outcome == "ingested", result
        assert result.cutoff_source == "file:month"
        assert result.captured_at == datetime(2024, 5, 31, *END_OF_DAY, tzinfo=VN)
        body = json.loads(_rows(con, "SELECT request_body FROM raw.responses")[0][0])
        assert body["cutoff_stated"] is True
        assert _root_groups(con, QUANG_NAM) == {"TDGQ": 18.9, "MDSH": 16.1}


# --- hostile letters: the bad figure is rejected with its reason, nothing else is lost ------

HOSTILE = """UBND TỈNH QUẢNG NAM

V/v kết quả Bộ chỉ số năm 2023

Tính đến 15/12/2023:
- Chỉ số Công khai, minh bạch đạt 19,5/18 điểm.
- Chỉ số Tiến độ giải quyết đạt 18,4/20 điểm.
- Tỉnh đứng thứ 70/63 tỉnh, thành phố, đạt 61,2 điểm.

- Cấp tỉnh:
+ Có 20/17 cơ quan xếp loại Tốt.
+ Có 05/17 cơ quan xếp loại Khá.
"""

TWO_CUTOFFS = """UBND TỈNH QUẢNG NAM

V/v kết quả Bộ chỉ số năm 2023

Số liệu tính đến 15/12/2023. Chỉ số Tiến độ giải quyết đạt 18,4/20 điểm.

* Thời điểm chốt số liệu: 16h ngày 20/12/2023.
"""


def test_hostile_figures_are_rejected_one_by_one(warehouse: WarehouseResource) -> None:
    with warehouse.connect() as con:
        result = ingest_bytes(con, warehouse.store(), "xau.txt", HOSTILE.encode())
        assert result.outcome == "ingested", result
        assert result.warnings == [
            "bỏ số liệu «đứng thứ 70/63 tỉnh, thành phố, đạt 61,2 điểm»: thứ hạng 70 lớn "
            "hơn số đơn vị được xếp hạng (63)",
            "bỏ số liệu «Chỉ số Công khai, minh bạch đạt 19,5/18 điểm»: điểm 19,5 lớn hơn điểm "
            "tối đa 18",
            "bỏ số liệu «Có 20/17 cơ quan xếp loại Tốt»: số đơn vị 20 lớn hơn tổng số 17",
        ]
        body = json.loads(_rows(con, "SELECT request_body FROM raw.responses")[0][0])
        assert [f["reason"] for f in body["rejected_figures"]] == [
            "thứ hạng 70 lớn hơn số đơn vị được xếp hạng (63)",
            "điểm 19,5 lớn hơn điểm tối đa 18",
            "số đơn vị 20 lớn hơn tổng số 17",
        ]
        # what the letter states correctly is loaded
        assert _root_groups(con, QUANG_NAM) == {"TDGQ": 18.4}
        assert _totals(con, QUANG_NAM) == []
        assert _counts(con, QUANG_NAM) == {
            ("department", "year", date(2023, 1, 1)): ((None, None, 5, None, None), 17)
        }


def test_counts_that_do_not_add_up_are_rejected_per_level() -> None:
    letter = BAND_TABLE.replace("0 1 4 12 1 18", "0 1 4 12 1 20").encode()
    reading = read_bytes("bang.txt", letter)
    content = reading.file_content
    assert content is not None
    assert {(c.unit_level, c.band_code, c.unit_count) for c in content.band_counts} == {
        ("department", b, n) for b, n in zip(BANDS, (1, 3, 8, 7, 0), strict=True)
    }
    assert [r.reason for r in content.rejected] == ["tổng các loại (18) khác cột Tổng (20)"]
    over = SENTENCES.replace("Có 16/19 cơ quan xếp loại Khá", "Có 17/19 cơ quan xếp loại Khá")
    content = read_bytes("cv.txt", over.encode()).file_content
    assert content is not None
    assert {c.unit_level for c in content.band_counts} == {"district"}
    assert {r.reason for r in content.rejected} == {"tổng số đơn vị các loại vượt tổng số 19"}


def test_a_letter_with_only_bad_figures_is_quarantined(warehouse: WarehouseResource) -> None:
    letter = "UBND TỈNH QUẢNG NAM\n\nV/v năm 2023\n\nCó 20/17 cơ quan cấp tỉnh xếp loại Tốt.\n"
    with warehouse.connect() as con:
        result = ingest_bytes(con, warehouse.store(), "xau.txt", letter.encode())
        assert result.outcome == "quarantined"
        assert result.reason == "không có số liệu hợp lệ trong tệp"
        assert "«Có 20/17 cơ quan cấp tỉnh xếp loại Tốt»: số đơn vị 20 lớn hơn tổng số 17" in (
            result.detail or ""
        )


def test_two_different_cutoffs_quarantine_the_letter_not_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _cli_env(tmp_path, monkeypatch)
    two = tmp_path / "hai-moc.txt"
    two.write_text(TWO_CUTOFFS, encoding="utf-8")
    good = tmp_path / "cong-van.txt"
    good.write_text(SENTENCES, encoding="utf-8")
    hostile = tmp_path / "xau.txt"
    hostile.write_text(HOSTILE, encoding="utf-8")
    runner = CliRunner()
    run = runner.invoke(_cli(), [str(two), str(good), str(hostile)])
    assert run.exit_code == 1, run.output
    assert "✗ hai-moc.txt: bị cách ly" in run.output
    assert "Lý do: tệp nêu nhiều thời điểm chốt số liệu khác nhau" in run.output
    assert "15/12/2023, 20/12/2023: dùng --cutoff" in run.output
    assert "✓ cong-van.txt: đã nhập" in run.output and "✓ xau.txt: đã nhập" in run.output
    assert "Lưu ý: bỏ số liệu «Có 20/17 cơ quan xếp loại Tốt»" in run.output
    with duckdb.connect(str(path), read_only=True) as con:
        assert _rows(con, "SELECT reason FROM raw.quarantine") == [
            ("tệp nêu nhiều thời điểm chốt số liệu khác nhau",)
        ]
        assert _rows(
            con,
            """SELECT period_type, period_start, total_score FROM core.reported_totals
               ORDER BY ALL""",
        ) == [
            ("month", date(2023, 10, 1), 69.5),
            ("month", date(2023, 11, 1), 74.1),
            ("year", date(2023, 1, 1), 70.4),
        ]
    # the user settles the cut-off: the letter loads
    chosen = runner.invoke(_cli(), [str(two), "--cutoff", "2023-12-20 16:00"])
    assert chosen.exit_code == 0, chosen.output
    assert "chốt số liệu 2023-12-20 16:00 +0700 (theo --cutoff)" in chosen.output


# --- the letter's counts beside the derived ones ---------------------------------------------

DONG_NAI_LETTER = """Đồng Nai, ngày 10 tháng 7 năm 2024

V/v công khai kết quả Bộ chỉ số quý II/2024

- Thời điểm đánh giá, xếp loại vào lúc 11 giờ 00 phút ngày 08/7/2024.
- Cấp huyện:
+ Không có UBND cấp huyện xếp loại Tốt.
+ Có {kha}/11 cơ quan xếp loại Khá.
+ Có {tb}/11 cơ quan xếp loại Trung bình.
"""


def test_reported_band_counts_show_where_letter_and_captures_disagree(
    warehouse: WarehouseResource,
) -> None:
    with warehouse.connect() as con:
        # district scores of Đồng Nai, quý II/2024: 2 Khá, 9 Trung bình once derived
        table = ingest_path(con, warehouse.store(), FIXTURES / "dong_nai_2024_q2_districts.csv")
        assert table.outcome == "ingested", table
        wrong = DONG_NAI_LETTER.format(kha="03", tb="8").encode()
        letter = ingest_bytes(con, warehouse.store(), "cv.txt", wrong)
        assert letter.outcome == "ingested", letter
        rebuild_marts(con)
        rows = _rows(
            con,
            """SELECT band_code, reported_unit_count, reported_level_total, derived_unit_count,
                      derived_cohort_size, counts_disagree, captured_at, cutoff_stated
               FROM mart.reported_band_counts
               WHERE source_unit_id = ? AND unit_level = 'district' AND period_type = 'quarter'
                 AND period_start = DATE '2024-04-01'
               ORDER BY band_code""",
            [DONG_NAI],
        )
        at = datetime(2024, 7, 8, 11, 0, tzinfo=VN)
        assert rows == [
            ("KHA", 3, 11, 2, 11, True, at, True),
            ("TOT", 0, 11, 0, 11, False, at, True),
            ("TRUNG_BINH", 8, 11, 9, 11, True, at, True),
        ]
        # a letter that says what the captures say agrees everywhere
        right = DONG_NAI_LETTER.format(kha="02", tb="9").replace("10 tháng 7", "11 tháng 7")
        ingest_bytes(con, warehouse.store(), "cv2.txt", right.encode())
        rebuild_marts(con)
        agree = _rows(
            con,
            """SELECT band_code, counts_disagree FROM mart.reported_band_counts
               WHERE source_unit_id = ? AND reported_unit_count IN (2, 9) ORDER BY band_code""",
            [DONG_NAI],
        )
        assert agree == [("KHA", False), ("TRUNG_BINH", False)]


@pytest.mark.integration
def test_reported_band_counts_are_keyed_by_the_canonical_province(
    warehouse: WarehouseResource, portal
) -> None:
    """Once the portal's Đồng Nai (H19, which kept its name and code in the 2025 merger)
    is captured, the pre-merger Đồng Nai of a 2024 letter is that canonical unit: the
    letter's counts are under the id mart.band_counts uses, the letter's own id beside."""
    assert materialize(portal, warehouse, "2026-10", ["H19"]).success
    with warehouse.connect() as con:
        ingest_path(con, warehouse.store(), FIXTURES / "dong_nai_2024_q2_districts.csv")
        letter = DONG_NAI_LETTER.format(kha="03", tb="8").encode()
        assert ingest_bytes(con, warehouse.store(), "cv.txt", letter).outcome == "ingested"
        rebuild_marts(con)
        (canonical,) = con.execute(
            "SELECT unit_id FROM core.unit_identities WHERE source_unit_id = ?", [DONG_NAI]
        ).fetchone()
        assert canonical != DONG_NAI
        rows = _rows(
            con,
            """SELECT r.unit_id, r.source_unit_id, r.band_code, r.reported_unit_count,
                      d.unit_count
               FROM mart.reported_band_counts AS r
               JOIN mart.band_counts AS d
                   ON d.parent_unit_id = r.unit_id AND d.unit_level = r.unit_level
                   AND d.period_type = r.period_type AND d.period_start = r.period_start
                   AND d.band_code = r.band_code
               WHERE r.unit_level = 'district'
               ORDER BY r.band_code""",
        )
    assert rows == [
        (canonical, DONG_NAI, "KHA", 3, 2),
        (canonical, DONG_NAI, "TOT", 0, 0),
        (canonical, DONG_NAI, "TRUNG_BINH", 8, 9),
    ]
