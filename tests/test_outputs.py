"""What people receive: the published warehouse, the letter's Excel appendices and
summary, and the charts — built from a real run over the local portal."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest

from fake_portal.server import FakePortal
from pipelines.definitions import defs
from pipelines.outputs.chart_data import make_chart
from pipelines.outputs.excel import SHEETS, write_letter_workbook
from pipelines.outputs.letter_data import load_letter_data
from pipelines.outputs.summary import summary_text
from pipelines.resources import PortalResource, WarehouseResource
from warehouse.periods import Period
from warehouse.publish import published_path

pytestmark = pytest.mark.integration
ALL_ASSETS = list(defs.assets or [])


def run_months(
    portal: FakePortal, warehouse: WarehouseResource, first: str, last: str, provinces: list[str]
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        ALL_ASSETS,
        resources={
            "portal": PortalResource(base_url=portal.url, delay_s=0, jitter_s=0),
            "warehouse": warehouse,
        },
        run_config={
            "ops": {
                "raw_portal__captures": {
                    "config": {"today": portal.today.isoformat(), "provinces": provinces}
                }
            }
        },
        tags={
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last,
        },
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> WarehouseResource:
    """Two months (2026-09, 2026-10) of H44 and H01 through every asset, published."""
    root = tmp_path_factory.mktemp("outputs")
    warehouse = WarehouseResource(path=str(root / "dvc766.duckdb"), raw_store_dir=str(root / "raw"))
    with FakePortal(today=date(2026, 11, 23)) as portal:
        assert run_months(portal, warehouse, "2026-09-01", "2026-10-01", ["H44", "H01"]).success
    return warehouse


def test_charts_asset_drew_the_top_province(built) -> None:
    published = published_path(built.path)
    with duckdb.connect(str(published), read_only=True) as con:
        (top,) = con.execute(
            """SELECT unit_code FROM mart.unit_period_scores
               WHERE unit_level = 'province' AND period_type = 'month'
                 AND period_start = DATE '2026-10-01' AND rank IS NOT NULL
               ORDER BY rank, unit_code LIMIT 1"""
        ).fetchone()
    charts = published.parent / "charts" / "2026-10"
    names = {p.name for p in charts.iterdir()}
    for stem in ("thu-hang-toan-quoc", f"tong-diem-{top}", f"nhom-{top}-2026-10"):
        assert {f"{stem}.png", f"{stem}.html"} <= names
    assert "plotly.min.js" in names


def test_published_file_is_read_only_and_parquet_is_partitioned(built) -> None:
    published = published_path(built.path)
    assert published.exists() and not published.stat().st_mode & 0o222
    parquet = published.parent / "parquet" / "unit_period_scores"
    assert any(parquet.glob("period_type=month/period_start=2026-10-01/*.parquet"))
    with duckdb.connect(str(published), read_only=True) as con:
        n = con.execute("SELECT count(*) FROM mart.unit_period_scores").fetchone()[0]
        m = con.execute(
            "SELECT count(*) FROM read_parquet(?, hive_partitioning = true)",
            [str(parquet / "**" / "*.parquet")],
        ).fetchone()[0]
    assert n == m > 0


def test_excel_appendices_match_the_marts(built, tmp_path: Path) -> None:
    cutoff = datetime.now(UTC)
    with duckdb.connect(str(published_path(built.path)), read_only=True) as con:
        data = load_letter_data(con, "H44", Period.parse("2026-10"), cutoff)
        marts = con.execute(
            """SELECT s.unit_name, s.total_score, s.rank FROM mart.unit_period_scores AS s
               JOIN core.units AS p ON p.unit_id = s.parent_unit_id
               WHERE p.unit_code = 'H44' AND s.unit_level = 'department'
                 AND s.period_type = 'month' AND s.period_start = DATE '2026-10-01'
               ORDER BY s.rank, s.unit_name"""
        ).fetchall()
        province = con.execute(
            """SELECT s.total_score, s.rank, s.band, c.prev_rank FROM mart.unit_period_scores s
               JOIN mart.score_changes c USING (unit_id, period_type, period_start)
               JOIN core.units u USING (unit_id)
               WHERE u.unit_code = 'H44' AND s.period_type = 'month'
                 AND s.period_start = DATE '2026-10-01'"""
        ).fetchone()
    path = write_letter_workbook(data, tmp_path / "phu-luc.xlsx")
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == list(SHEETS)
    for sheet in book.worksheets:
        assert str(sheet["A3"].value).startswith("Thời điểm chốt số liệu:")
        assert "dichvucong.gov.vn" in sheet["A3"].value
    appendix = book["Phụ lục 1 - Sở ngành"]
    headers = [c.value for c in appendix[5]]
    assert headers[:3] == ["STT", "Tên cơ quan, đơn vị", "Công khai, minh bạch (18)"]
    rows = [[c.value for c in row] for row in appendix.iter_rows(min_row=6)]
    assert [(r[1], r[8], r[10]) for r in rows] == marts
    summary = book["Tổng hợp tỉnh"]
    assert summary["B6"].value == province[0]
    assert [c.value for c in summary[10]][:3] == [
        "Xếp loại",
        province[2],
        data.province["prev_band"],
    ]
    text = summary_text(data)
    assert "UBND tỉnh Phú Thọ" in text and f"xếp hạng {province[1]}/34" in text
    assert f"xếp hạng {province[3]})" in text
    assert "Sở, ban, ngành cấp tỉnh:" in text and "Thời điểm chốt số liệu:" in text


def test_letter_as_of_a_cutoff_before_the_data_refuses_clearly(built) -> None:
    from pipelines.outputs.letter_data import LetterDataError

    with (
        duckdb.connect(str(published_path(built.path)), read_only=True) as con,
        pytest.raises(LetterDataError, match="chưa có số liệu"),
    ):
        load_letter_data(con, "H44", Period.parse("2026-10"), datetime(2020, 1, 1, tzinfo=UTC))


@pytest.mark.parametrize(
    ("kind", "unit", "extra"),
    [
        ("total", "H44", {}),
        ("bump", "H44", {"level": "department"}),
        ("groups", "H44", {"period": "2026-10"}),
    ],
)
def test_charts_exist_and_hold_their_series(built, tmp_path: Path, kind, unit, extra) -> None:
    with duckdb.connect(str(published_path(built.path)), read_only=True) as con:
        files = make_chart(con, kind, unit, out_dir=tmp_path, **extra)
    assert files.png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    html = files.html.read_text(encoding="utf-8")
    assert "plotly" in html.lower()
    if kind == "total":
        assert files.series["x"] == ["tháng 9/2026", "tháng 10/2026"]
        assert str(files.series["total_score"][-1]) in html
    elif kind == "bump":
        assert len(files.series) >= 10
        assert all(r >= 1 for ranks in files.series.values() for r in ranks)
    else:
        assert files.series["max"] == [18.0, 20.0, 12.0, 10.0, 18.0, 22.0]


def test_reader_holding_the_published_file_sees_the_old_state(built, tmp_path) -> None:
    published = published_path(built.path)
    reader = duckdb.connect(str(published), read_only=True)
    try:
        before = reader.execute("SELECT count(*) FROM raw.captures").fetchone()[0]
        with FakePortal(today=date(2026, 11, 23)) as portal:
            assert run_months(portal, built, "2026-08-01", "2026-08-01", ["H44"]).success
        assert reader.execute("SELECT count(*) FROM raw.captures").fetchone()[0] == before
    finally:
        reader.close()
    with duckdb.connect(str(published), read_only=True) as fresh:
        assert fresh.execute("SELECT count(*) FROM raw.captures").fetchone()[0] > before


def test_cli_report_status_and_query(built, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from pipelines.cli import app

    runner = CliRunner()
    database = str(published_path(built.path))
    out = tmp_path / "bao-cao.xlsx"
    result = runner.invoke(
        app,
        [
            "report",
            "--province",
            "H44",
            "--period",
            "2026-10",
            "--cutoff",
            "2030-01-01 16:00",
            "--out",
            str(out),
            "--database",
            database,
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.exists() and out.with_suffix(".txt").read_text(encoding="utf-8").startswith(
        "Điểm số tháng 10/2026 của UBND tỉnh Phú Thọ"
    )
    assert "16h00 ngày 01/01/2030" in result.output
    status = runner.invoke(app, ["status", "--database", database])
    assert status.exit_code == 0 and "Các kỳ gần nhất" in status.output
    query = runner.invoke(
        app,
        ["query", "--database", database, "--csv", "SELECT count(*) AS n FROM mart.band_counts"],
    )
    assert query.exit_code == 0 and query.output.startswith("n\n")
    refused = runner.invoke(app, ["query", "--database", database, "DROP TABLE core.units"])
    assert refused.exit_code == 1 and "Lỗi SQL" in refused.output
