"""Ranks over whole cohorts only, what sources report (reported_rank), and which source
wins when the portal and a letter give a value for the same unit and period: on real
DuckDB files, with portal captures run through Dagster against the local portal, letters
recorded and normalised as ``dvc766 ingest`` does, and the report through the CLI."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.outputs.excel import write_letter_workbook
from pipelines.outputs.letter_data import load_letter_data
from pipelines.outputs.summary import summary_text
from pipelines.resources import WarehouseResource
from pipelines.sources.files.ingest import IngestOptions
from tests.conftest import SEEDS, requires_seeds
from tests.file_ingest import ingest_bytes
from tests.helpers import materialize, province_id
from tests.test_derive import CoreWriter, P, by_unit, dept, prov, rows
from warehouse.derive import query_as_of, rebuild_marts
from warehouse.periods import Period
from warehouse.publish import published_path

VN = timezone(timedelta(hours=7))
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "files"
JUL26, AUG26, SEP26 = ("month", "2026-07-01"), ("month", "2026-08-01"), ("month", "2026-09-01")
HEADER = (
    "STT;Tỉnh, thành phố;Công khai, minh bạch;Tiến độ, kết quả giải quyết;"
    "Dịch vụ công trực tuyến;Thanh toán trực tuyến;Mức độ hài lòng;Số hóa hồ sơ"
)


def _province_table(title: str, *lines: str) -> bytes:
    """A letter's table of provinces (the six groups, in points), as a CSV."""
    return "\n".join([title, HEADER, *lines]).encode()


def _vn(moment: datetime) -> str:
    """``YYYY-MM-DD HH:MM`` in Vietnam time, as ``--cutoff`` takes it."""
    return moment.astimezone(VN).strftime("%Y-%m-%d %H:%M")


# --- which source wins ---------------------------------------------------------------------


@pytest.mark.integration
def test_the_portal_value_wins_over_a_letter_even_when_the_letter_is_later(
    portal, warehouse: WarehouseResource
) -> None:
    assert materialize(portal, warehouse, "2026-10", ["H50"]).success
    unit = province_id(portal, "H50")
    october = ("month", "2026-10-01")
    with warehouse.connect() as con:
        rebuild_marts(con)
        portal_row = by_unit(con, "unit_period_scores", october)[unit]
        (captured_at,) = con.execute(
            "SELECT max(captured_at) FROM raw.captures WHERE source = 'portal_api'"
        ).fetchone()
        title = "Kết quả các tỉnh, thành phố trực thuộc Trung ương tháng 10/2026"
        # a letter from before the capture, and one whose cut-off is after it
        early = ingest_bytes(
            con,
            warehouse.store(),
            "som.csv",
            _province_table(title, "1;Quảng Trị;2;18;9;8;17;16"),
            IngestOptions(cutoff="2026-11-05 16:00"),
        )
        late = ingest_bytes(
            con,
            warehouse.store(),
            "muon.csv",
            _province_table(title, "1;Quảng Trị;1;18;9;8;17;16"),
            IngestOptions(cutoff=_vn(captured_at + timedelta(days=1))),
            now=captured_at + timedelta(days=2),  # ingested after its cut-off
        )
        assert early.outcome == late.outcome == "ingested"
        rebuild_marts(con)
        now = by_unit(con, "unit_period_scores", october)[unit]
        # the portal's values stay the values, though the later letter's cut-off is later
        assert (now["ckmb"], now["tdgq"], now["total_score"]) == (
            portal_row["ckmb"],
            portal_row["tdgq"],
            portal_row["total_score"],
        )
        assert now["ckmb"] not in (1.0, 2.0)
        # the national capture lists all 34 provinces: a whole cohort, ranked, beside the
        # portal's own rank out of the 34 its reply lists
        assert (now["cohort_size"], now["rank_null_reason"], now["reported_cohort_size"]) == (
            34,
            None,
            34,
        )
        assert now["rank"] == portal_row["rank"] and now["reported_rank"] is not None
        departments = rows(
            con,
            """SELECT count(*) AS n, count(rank) AS ranked, max(cohort_size) AS size
               FROM mart.unit_period_scores WHERE parent_unit_id = ?
                 AND unit_level = 'department' AND period_start = DATE '2026-10-01'""",
            [unit],
        )
        assert departments[0]["n"] > 0 and departments[0]["ranked"] == departments[0]["size"]
        sources = rows(
            con,
            """SELECT DISTINCT source_id FROM mart.group_values_as_of('infinity'::TIMESTAMPTZ)
               WHERE unit_id = ? AND period_start = DATE '2026-10-01'""",
            [unit],
        )
        assert sources == [{"source_id": "portal_api"}]
        # before the portal captured it, the early letter was all there was: its value
        before = query_as_of(con, "unit_period_scores", "2026-11-06 08:00")
        assert before.filter(before["unit_id"] == unit)["ckmb"].to_list() == [2.0]
        # the letter's value stays queryable, beside the portal's, with the difference
        disagreements = rows(
            con,
            """SELECT group_code, score, source_id, file_score, file_source_id, difference,
                      within_rounding
               FROM mart.source_disagreements WHERE unit_id = ? ORDER BY group_code""",
            [unit],
        )
        ckmb = [d for d in disagreements if d["group_code"] == "CKMB"]
        assert ckmb == [
            {
                "group_code": "CKMB",
                "score": portal_row["ckmb"],
                "source_id": "portal_api",
                "file_score": 1.0,
                "file_source_id": "file_table",
                "difference": round(1.0 - portal_row["ckmb"], 2),
                "within_rounding": False,
            }
        ]
        # as of the early letter's day, its value disagreed with nothing yet
        assert query_as_of(con, "source_disagreements", "2026-11-06 08:00").height == 0


@pytest.mark.integration
def test_a_letter_disagreeing_with_the_portal_is_no_revision_and_blocks_nothing(
    portal, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``dvc766 ingest`` of a letter stating another October CKMB for Quảng Trị than the
    portal's: the run's marts and their blocking checks pass and are published; the
    portal's value stands, with no revision of it; the letter's is a disagreement."""
    working = tmp_path / "kho" / "w.duckdb"
    monkeypatch.setenv("DVC766_WAREHOUSE", str(working))
    monkeypatch.setenv("DVC766_RAW_STORE", str(working.parent / "raw"))
    resource = WarehouseResource(path=str(working), raw_store_dir=str(working.parent / "raw"))
    assert materialize(portal, resource, "2026-10", ["H50"]).success
    unit = province_id(portal, "H50")
    title = "Kết quả các tỉnh, thành phố trực thuộc Trung ương tháng 10/2026"
    letter = tmp_path / "cong-van.csv"
    letter.write_bytes(_province_table(title, "1;Quảng Trị;1;18;9;8;17;16"))
    done = CliRunner().invoke(app, ["ingest", str(letter), "--cutoff", "2026-11-05 16:00"])
    assert done.exit_code == 0, done.output
    with duckdb.connect(str(published_path(working)), read_only=True) as con:
        ckmb = con.execute(
            """SELECT ckmb FROM mart.unit_period_scores
               WHERE unit_id = ? AND period_type = 'month' AND period_start = '2026-10-01'""",
            [unit],
        ).fetchone()[0]
        revised = con.execute(
            """SELECT count(*) FROM mart.revisions
               WHERE unit_id = ? AND group_code = 'CKMB' AND is_revision""",
            [unit],
        ).fetchone()[0]
        disagreement = con.execute(
            """SELECT file_score FROM mart.source_disagreements
               WHERE unit_id = ? AND group_code = 'CKMB'""",
            [unit],
        ).fetchall()
    assert ckmb is not None and ckmb != 1.0
    assert revised == 0
    assert disagreement == [(1.0,)]


def test_a_later_letter_never_replaces_the_portal_value_of_the_same_unit(
    warehouse: WarehouseResource,
) -> None:
    with warehouse.connect() as con:
        core = CoreWriter(con)
        core.capture(AUG26, [dept("d1", 80), dept("d2", 70)], at="2026-09-02 04:00")
        letter = core.capture(
            AUG26, [dept("d1", 60)], at="2026-09-20 16:00", scope="file", reported={"d1": 60.0}
        )
        con.execute("UPDATE raw.captures SET source = 'file_letter' WHERE capture_id = ?", [letter])
        rebuild_marts(con)
        s = by_unit(con, "unit_period_scores", AUG26)
        assert (s["d1"]["total_score"], s["d1"]["rank"]) == (80.0, 1)
        values = rows(
            con,
            """SELECT DISTINCT source_id, capture_id FROM mart.group_values_as_of(
                   'infinity'::TIMESTAMPTZ) WHERE unit_id = 'd1'""",
        )
        assert values == [{"source_id": "test", "capture_id": "cap0001"}]
        listed = rows(
            con,
            """SELECT group_code, score, file_score, file_capture_id, difference
               FROM mart.source_disagreements WHERE unit_id = 'd1' ORDER BY group_code""",
        )
        assert {r["file_capture_id"] for r in listed} == {letter}
        groups = [r for r in listed if r["group_code"] != "TOTAL"]
        assert len(groups) == 6
        assert sum(r["score"] for r in groups) == 80 and sum(r["file_score"] for r in groups) == 60
        # the total the letter states, against the total of the portal's values
        total = [r for r in listed if r["group_code"] == "TOTAL"]
        assert total == [
            {
                "group_code": "TOTAL",
                "score": 80.0,
                "file_score": 60.0,
                "file_capture_id": letter,
                "difference": -20.0,
            }
        ]


# --- ranks only over whole cohorts ---------------------------------------------------------


@pytest.fixture
def con(warehouse: WarehouseResource):
    """A write connection to a fresh warehouse file."""
    with warehouse.connect() as connection:
        yield connection


def _set_reported_ranks(con: duckdb.DuckDBPyConnection, capture_id: str, ranks: dict) -> None:
    """What the portal's national reply states as each province's rank (stt)."""
    for unit_id, rank in ranks.items():
        con.execute(
            "UPDATE core.reported_totals SET reported_rank = ? "
            "WHERE capture_id = ? AND unit_id = ?",
            [rank, capture_id, unit_id],
        )


def test_a_national_cohort_missing_a_total_is_not_ranked_and_keeps_the_reported_ranks(
    con,
) -> None:
    core = CoreWriter(con)
    totals = {"p1": 80.0, "p2": 70.0, "p3": 60.0}
    complete = core.capture(
        JUL26,
        [prov(u, t) for u, t in totals.items()],
        at="2026-08-02 04:00",
        scope="national",
        root="VN",
        reported=totals,
    )
    _set_reported_ranks(con, complete, {"p1": 1, "p2": 2, "p3": 3})
    # August: p3's satisfaction score is missing, so p3 has no total
    gap = core.capture(
        AUG26,
        [prov("p1", 81), prov("p2", 71), prov("p3", groups=[10, 10, 6, 5, None, 11])],
        at="2026-09-02 04:00",
        scope="national",
        root="VN",
        reported={"p1": 81, "p2": 71, "p3": 50},
    )
    _set_reported_ranks(con, gap, {"p1": 1, "p2": 2, "p3": 3})
    rebuild_marts(con)

    def ranks(period: tuple[str, str]) -> dict:
        found = by_unit(con, "unit_period_scores", period)
        return {
            u: (
                r["rank"],
                r["cohort_size"],
                r["rank_null_reason"],
                r["reported_rank"],
                r["reported_cohort_size"],
            )
            for u, r in found.items()
        }

    # the whole cohort is ranked as before, beside what the portal said
    assert ranks(JUL26) == {
        "p1": (1, 3, None, 1, 3),
        "p2": (2, 3, None, 2, 3),
        "p3": (3, 3, None, 3, 3),
    }
    # a province without a total: nobody is ranked, the portal's ranks are kept
    assert ranks(AUG26) == {
        "p1": (None, None, "incomplete_cohort", 1, 3),
        "p2": (None, None, "incomplete_cohort", 2, 3),
        "p3": (None, None, "no_total", 3, 3),
    }
    groups = {
        (r["unit_id"], r["group_code"]): (r["rank"], r["cohort_size"], r["rank_null_reason"])
        for r in rows(
            con,
            """SELECT * FROM mart.group_ranks WHERE period_start = DATE '2026-08-01'
               AND group_code IN ('CKMB', 'MDHL')""",
        )
    }
    assert groups[("p1", "CKMB")] == (1, 3, None)  # every province has CKMB
    assert groups[("p1", "MDHL")] == (None, None, "incomplete_cohort")
    assert groups[("p3", "MDHL")] == (None, None, "no_score")
    changes = by_unit(con, "score_changes", AUG26)
    assert changes["p1"]["rank"] is None and changes["p1"]["prev_rank"] == 1


def test_a_province_named_only_by_a_letter_is_not_ranked_one_of_one(con, tmp_path: Path) -> None:
    """A news article gives Quảng Nam's month (72,8 điểm, "xếp hạng 21"): that is no
    cohort. The rank it states is reported_rank; rank stays null."""
    core = CoreWriter(con)
    letter = core.capture(SEP26, [prov(P, 72.8)], at="2026-10-05 16:00", scope="file", root=P)
    con.execute("UPDATE raw.captures SET source = 'file_letter' WHERE capture_id = ?", [letter])
    con.execute(
        """INSERT INTO core.reported_totals (response_id, capture_id, unit_id, period_type,
               period_start, total_score, reported_rank, reported_cohort_size, captured_at)
           VALUES (? || ':r', ?, ?, 'month', DATE '2026-09-01', 72.8, 21, 63,
                   TIMESTAMPTZ '2026-10-05 16:00+07')""",
        [letter, letter, P],
    )
    # a province capture of the same month lists its departments: they form a cohort,
    # the province itself is still ranked only nationally
    core.capture(SEP26, [prov(P, 72.8), dept("d1", 80), dept("d2", 70)], at="2026-10-06 04:00")
    rebuild_marts(con)
    s = by_unit(con, "unit_period_scores", SEP26)
    assert (s[P]["rank"], s[P]["cohort_size"], s[P]["rank_null_reason"]) == (
        None,
        None,
        "cohort_not_captured",
    )
    assert (s[P]["reported_rank"], s[P]["reported_cohort_size"]) == (21, 63)
    assert [(s[u]["rank"], s[u]["cohort_size"]) for u in ("d1", "d2")] == [(1, 2), (2, 2)]
    tops = rows(con, "SELECT DISTINCT unit_level FROM mart.top_bottom(5)")
    assert tops == [{"unit_level": "department"}]  # the province is at no end of anything
    # the letter's text and its workbook give the stated rank as stated, never as ours
    data = load_letter_data(con, P, Period("month", date(2026, 9, 1)), datetime.now(VN))
    assert "xếp hạng 21/63 theo nguồn" in summary_text(data)
    write_letter_workbook(data, tmp_path / "bao-cao.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "bao-cao.xlsx")["Tổng hợp tỉnh"]
    rank_rows = [
        [c.value for c in r][:2]
        for r in sheet.iter_rows()
        if str(r[0].value or "").startswith("Xếp hạng")
    ]
    assert rank_rows == [["Xếp hạng theo nguồn (trên 63)", 21]]


def test_a_unit_the_provinces_reply_does_not_list_is_outside_the_cohort(con) -> None:
    core = CoreWriter(con)
    core.capture(SEP26, [dept("d1", 80), dept("d2", 70)], at="2026-10-06 04:00")
    # a letter names another department of the same province
    letter = core.capture(SEP26, [dept("d9", 90)], at="2026-10-07 04:00", scope="file")
    con.execute("UPDATE raw.captures SET source = 'file_letter' WHERE capture_id = ?", [letter])
    rebuild_marts(con)
    s = by_unit(con, "unit_period_scores", SEP26)
    assert {u: (s[u]["rank"], s[u]["cohort_size"], s[u]["rank_null_reason"]) for u in s} == {
        "d1": (1, 2, None),
        "d2": (2, 2, None),
        "d9": (None, None, "not_in_cohort"),
    }


# --- letters reach the published file and the report ----------------------------------------


def _ingest_and_report(tmp_path: Path, letter: Path) -> tuple[Path, str]:
    """``dvc766 ingest`` the letter, then ``dvc766 report --province H50 --period 2023``;
    returns the working warehouse and the report's text."""
    working = tmp_path / "kho" / "w.duckdb"
    runner = CliRunner()
    done = runner.invoke(app, ["ingest", str(letter), "--warehouse", str(working)])
    assert done.exit_code == 0, done.output
    out = tmp_path / "bao-cao.xlsx"
    report = runner.invoke(
        app,
        [
            "report",
            "--province",
            "H50",
            "--period",
            "2023",
            "--out",
            str(out),
            "--warehouse",
            str(working),
        ],
    )
    assert report.exit_code == 0, report.output
    return working, out.with_suffix(".txt").read_text(encoding="utf-8")


def _published_h50_2023(working: Path) -> dict:
    with duckdb.connect(str(published_path(working)), read_only=True) as con:
        return rows(
            con,
            """SELECT unit_code, ckmb, total_score, band, rank, cohort_size, rank_null_reason,
                      reported_rank
               FROM mart.unit_period_scores
               WHERE unit_code = 'H50' AND period_type = 'year'
                 AND period_start = DATE '2023-01-01'""",
        )


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Dagster instance of the test's own (never the project's)."""
    folder = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(folder))
    for name in ("DVC766_WAREHOUSE", "DVC766_RAW_STORE", "DVC766_TODAY", "DVC766_PORTAL_URL"):
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.mark.integration
def test_a_letters_year_reaches_the_published_file_and_the_report(
    tmp_path: Path, home: Path, portal
) -> None:
    # the warehouse also holds today's Quảng Trị (code H50 too, after the 2025 merger):
    # the report of 2023 must find the province the letter is about
    working = tmp_path / "kho" / "w.duckdb"
    today = WarehouseResource(path=str(working), raw_store_dir=str(working.parent / "raw"))
    assert materialize(portal, today, "2026-10", ["H50"]).success
    working, text = _ingest_and_report(tmp_path, FIXTURES / "quang_tri_2023_groups_letter.txt")
    assert _published_h50_2023(working) == [
        {
            "unit_code": "H50",
            "ckmb": 12.2,
            "total_score": 76.0,
            "band": "Khá",
            "rank": None,  # one province from one letter is no ranking
            "cohort_size": None,
            "rank_null_reason": "cohort_not_captured",
            "reported_rank": None,
        }
    ]
    assert "Điểm số năm 2023" in text and "của Quảng Trị đạt 76/100 điểm, xếp loại Khá" in text
    assert "chưa xếp hạng" in text and "1/1" not in text and "None" not in text
    # figures only a letter gave are never attributed to the portal, in the text or the sheets
    assert "Nguồn: công văn, tệp số liệu đã nhập vào kho (không lấy từ Cổng)" in text
    assert "Cổng Dịch vụ công quốc gia" not in text
    sheet = openpyxl.load_workbook(tmp_path / "bao-cao.xlsx").worksheets[0]
    assert "không lấy từ Cổng" in sheet.cell(3, 1).value


@requires_seeds
@pytest.mark.integration
def test_quang_tri_2023_letter_reaches_the_published_file_and_the_report(
    tmp_path: Path, home: Path
) -> None:
    """The letter of Quảng Trị (H50, năm 2023) states five of the six groups: the report
    shows them and says the total cannot be made; no rank is made up from one letter."""
    (letter,) = SEEDS.glob("002_*.txt")
    working, text = _ingest_and_report(tmp_path, letter)
    (row,) = _published_h50_2023(working)
    assert (row["ckmb"], row["total_score"]) == (12.2, None)
    assert (row["rank"], row["cohort_size"], row["rank_null_reason"]) == (None, None, "no_total")
    assert "Quảng Trị: chưa đủ số liệu để tính tổng điểm năm 2023" in text
