"""The letter's outputs (issue 11 "The officer and the analyst", issue 10 "outputs read the
marts"): the workbook shows the marts' rows as they are (ties at the top/bottom cut, the
band table), every sheet freezes and prints its header, the open month says "tạm tính",
and the charts are readable: Vietnamese periods, national titles, the ends of a large
cohort named, one shared plotly.min.js.

One real run over the local portal captures H44 for last month (closed when captured) and
this month (open: the portal's "today" is the real day, because capture times are the real
clock). Two ties are then seeded in the warehouse (a department copies the scores of the
one ranked 5th, a commune those of the one 5th from the bottom), the marts are rebuilt and
published. Workbooks and charts are read back from the files."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from fake_portal.server import FakePortal
from pipelines.cli import app
from pipelines.definitions import defs
from pipelines.outputs.chart_data import ChartDataError, find_unit, make_chart
from pipelines.outputs.excel import SHEETS
from pipelines.outputs.provisional import provisional_note
from pipelines.resources import PortalResource, WarehouseResource
from warehouse.derive import rebuild_marts
from warehouse.periods import Period
from warehouse.publish import publish, published_path

pytestmark = pytest.mark.integration
runner = CliRunner()
VN = ZoneInfo("Asia/Ho_Chi_Minh")
ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


@dataclass(frozen=True)
class Built:
    """A published warehouse with an open and a closed month of H44, and the seeded ties."""

    published: Path
    open_month: Period
    closed_month: Period
    province_id: str
    top_tie: tuple[str, str]
    bottom_tie: tuple[str, str]


def _tie(con: duckdb.DuckDBPyConnection, province_id: str, level: str, month: Period, end: str):
    """Give the unit 6th from ``end`` ("top" or "bottom") the group scores of the 5th, so
    the two tie at the cut of a top/bottom 5; returns their names."""
    order = "DESC" if end == "top" else "ASC"
    rows = con.execute(
        f"""SELECT unit_id, unit_name, total_score FROM mart.unit_period_scores
            WHERE parent_unit_id = ? AND unit_level = ? AND period_type = 'month'
              AND period_start = ? AND rank IS NOT NULL
            ORDER BY total_score {order}, unit_id""",
        [province_id, level, month.start],
    ).fetchall()
    (fifth_id, fifth, fifth_total), (sixth_id, sixth, sixth_total) = rows[4], rows[5]
    assert fifth_total != sixth_total, "the generated data already ties here"
    con.execute(
        """UPDATE core.group_scores AS g SET score = k.score
           FROM core.group_scores AS k
           WHERE g.unit_id = ? AND k.unit_id = ? AND g.group_code = k.group_code
             AND g.period_type = k.period_type AND g.period_start = k.period_start
             AND g.period_type = 'month' AND g.period_start = ?""",
        [sixth_id, fifth_id, month.start],
    )
    return fifth, sixth


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Last month and this month of H44 through every asset, ties seeded, republished."""
    root = tmp_path_factory.mktemp("letter")
    today = datetime.now(VN).date()
    open_month = Period.month(today.year, today.month)
    closed_month = open_month.previous()
    warehouse = WarehouseResource(path=str(root / "w.duckdb"), raw_store_dir=str(root / "raw"))
    with FakePortal(host="127.0.0.1", port=0, today=today) as portal:
        result = dg.materialize(
            list(defs.assets or []),
            resources={
                "portal": PortalResource(base_url=portal.url, delay_s=0, jitter_s=0),
                "warehouse": warehouse,
            },
            run_config={
                "ops": {
                    "raw_portal__captures": {
                        "config": {"today": today.isoformat(), "provinces": ["H44"]}
                    }
                }
            },
            tags={
                "dagster/asset_partition_range_start": closed_month.start.isoformat(),
                "dagster/asset_partition_range_end": open_month.start.isoformat(),
            },
        )
    assert result.success
    with warehouse.connect() as con:
        (province_id,) = con.execute(
            "SELECT unit_id FROM core.units WHERE unit_code = 'H44' AND unit_level = 'province'"
        ).fetchone()
        top_tie = _tie(con, province_id, "department", closed_month, "top")
        bottom_tie = _tie(con, province_id, "commune", closed_month, "bottom")
        rebuild_marts(con)
    publish(warehouse.path)
    return Built(
        published_path(warehouse.path), open_month, closed_month, province_id, top_tie, bottom_tie
    )


def _report(built: Built, period: Period, out: Path) -> tuple[openpyxl.Workbook, str]:
    """``dvc766 report`` through the CLI; the workbook and the summary text it wrote."""
    result = runner.invoke(
        app,
        ["report", "--province", "H44", "--period", period.label, "--out", str(out),
         "--database", str(built.published)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return openpyxl.load_workbook(out), out.with_suffix(".txt").read_text(encoding="utf-8")


def _table(ws, first_row: int = 5) -> list[tuple]:
    """The rows of a sheet from its header row down."""
    return [tuple(row) for row in ws.iter_rows(min_row=first_row, values_only=True)]


def _captured_day(built: Built, period: Period) -> str:
    with duckdb.connect(str(built.published), read_only=True) as con:
        (captured_at,) = con.execute(
            """SELECT captured_at FROM mart.unit_period_scores
               WHERE unit_id = ? AND period_type = ? AND period_start = ?""",
            [built.province_id, period.period_type, period.start],
        ).fetchone()
    return f"{captured_at.astimezone(VN):%d/%m/%Y}"


# ---------------------------------------------------------------------------------------
# The workbook reads the marts


def test_top_bottom_sheet_keeps_the_ties_the_mart_keeps(built: Built, tmp_path: Path) -> None:
    book, _ = _report(built, built.closed_month, tmp_path / "bc.xlsx")
    with duckdb.connect(str(built.published), read_only=True) as con:
        mart = con.execute(
            """SELECT unit_level, position, rank, unit_name, total_score, band
               FROM mart.top_bottom(5)
               WHERE parent_unit_id = ? AND period_type = 'month' AND period_start = ?
               ORDER BY CASE unit_level WHEN 'department' THEN 0 ELSE 1 END,
                        CASE position WHEN 'top' THEN 0 ELSE 1 END, rank, unit_name""",
            [built.province_id, built.closed_month.start],
        ).fetchall()
    labels = {
        ("department", "top"): "Sở, ban, ngành cấp tỉnh — Dẫn đầu",
        ("department", "bottom"): "Sở, ban, ngành cấp tỉnh — Cuối bảng",
        ("commune", "top"): "UBND cấp xã — Dẫn đầu",
        ("commune", "bottom"): "UBND cấp xã — Cuối bảng",
    }
    expected = [(labels[level, end], *rest) for level, end, *rest in mart]
    rows = _table(book[SHEETS[4]])
    assert rows[0] == ("Nhóm", "Xếp hạng", "Tên cơ quan, đơn vị", "Tổng điểm", "Xếp loại")
    assert rows[1:] == expected
    for (level, end), tie in (
        (("department", "top"), built.top_tie),
        (("commune", "bottom"), built.bottom_tie),
    ):
        at_end = [r for r in rows[1:] if r[0] == labels[level, end]]
        tied = [r for r in at_end if r[2] in tie]
        assert len(at_end) > 5, (level, end)  # both units tied at the cut are listed
        assert len(tied) == 2 and tied[0][1] == tied[1][1] and tied[0][3] == tied[1][3]


def test_band_sheet_is_the_band_count_table_as_it_is(built: Built, tmp_path: Path) -> None:
    book, _ = _report(built, built.closed_month, tmp_path / "bc.xlsx")
    columns = ["Cấp hành chính", "Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu", "Tổng"]
    with duckdb.connect(str(built.published), read_only=True) as con:
        mart = con.execute(
            f"""SELECT {", ".join(f'"{c}"' for c in columns)} FROM mart.band_count_table
                WHERE parent_unit_id = ? AND period_type = 'month' AND period_start = ?
                ORDER BY row_order""",
            [built.province_id, built.closed_month.start],
        ).fetchall()
        shares = con.execute(
            """SELECT "Xuất sắc (%)", "Tốt (%)", "Khá (%)", "Trung bình (%)", "Yếu (%)"
               FROM mart.band_count_table
               WHERE parent_unit_id = ? AND period_type = 'month' AND period_start = ?
                 AND "Cấp hành chính" = 'Tổng số đơn vị'""",
            [built.province_id, built.closed_month.start],
        ).fetchone()
    rows = _table(book[SHEETS[3]])
    assert rows[0] == tuple(columns)
    assert rows[1:-1] == mart  # the mart's rows as they are: integer counts
    assert all(isinstance(v, int) for row in mart for v in row[1:])
    assert [r[0] for r in rows[-2:]] == ["Tổng số đơn vị", "Tỷ lệ"]
    assert rows[-1] == ("Tỷ lệ", *shares, 100)  # the (%) columns of Tổng số đơn vị
    assert any(isinstance(v, float) and v != int(v) for v in rows[-1][1:])  # 2-decimal shares


def test_every_sheet_freezes_and_prints_its_header_row(built: Built, tmp_path: Path) -> None:
    book, _ = _report(built, built.closed_month, tmp_path / "bc.xlsx")
    assert book.sheetnames == list(SHEETS)
    for ws in book.worksheets:
        appendix = ws.title in (SHEETS[1], SHEETS[2])
        assert ws.freeze_panes == ("C6" if appendix else "A6"), ws.title
        assert ws.print_title_rows == "$5:$5", ws.title
        assert ws["A5"].value and ws["A5"].font.bold, ws.title  # row 5 is the header
    first = book[SHEETS[1]]
    assert [c.value for c in first[5]][:2] == ["STT", "Tên cơ quan, đơn vị"]
    assert first["A6"].value == 1


# ---------------------------------------------------------------------------------------
# Provisional periods


def test_provisional_note_words_the_marts_flag_on_the_vietnam_day() -> None:
    """Whether a row is provisional is the marts' is_provisional (tests/test_provisional_marts);
    the note words it, dated by the Vietnam day of the capture."""
    last_evening = datetime.combine(date(2026, 11, 30), time(23, 59), tzinfo=VN)
    assert provisional_note(True, last_evening) == "tạm tính đến ngày 30/11/2026"
    assert provisional_note(False, last_evening) is None
    assert provisional_note(None, last_evening) is None
    # 17:30 UTC on 29/11 is already 30 November in Vietnam
    assert provisional_note(True, datetime(2026, 11, 29, 17, 30, tzinfo=UTC)) == (
        "tạm tính đến ngày 30/11/2026"
    )


def test_open_month_says_provisional_in_the_summary_and_every_sheet(
    built: Built, tmp_path: Path
) -> None:
    month = built.open_month
    note = f"tạm tính đến ngày {_captured_day(built, month)}"
    book, text = _report(built, month, tmp_path / "open.xlsx")
    label = f"tháng {month.start.month}/{month.year}"
    assert text.startswith(f"Điểm số {label} ({note}) của UBND tỉnh Phú Thọ đạt ")
    for ws in book.worksheets:
        assert ws["A2"].value == f"UBND tỉnh Phú Thọ — kỳ {label} ({note})", ws.title
    assert note in book[SHEETS[6]]["A6"].value

    book, text = _report(built, built.closed_month, tmp_path / "closed.xlsx")
    cells = [
        str(v) for ws in book.worksheets for row in ws.iter_rows(values_only=True) for v in row
    ]
    assert "tạm tính" not in text and not any("tạm tính" in c for c in cells)
    # figures the portal gave name the portal as their source, and only the portal
    source = "Nguồn: Cổng Dịch vụ công quốc gia (dichvucong.gov.vn), tổng hợp bằng dvc766."
    assert source in text
    assert "công văn" not in text and source in book.worksheets[0]["A3"].value


# ---------------------------------------------------------------------------------------
# Charts


def _plotly(path: Path) -> tuple[list[dict], dict]:
    """The traces and layout of a plotly HTML page."""
    text = path.read_text(encoding="utf-8")
    position = text.index("Plotly.newPlot(") + len("Plotly.newPlot(")
    decoder, values = json.JSONDecoder(), []
    for _ in range(3):  # div id, traces, layout
        while text[position] in " \n\t,":
            position += 1
        value, position = decoder.raw_decode(text, position)
        values.append(value)
    return values[1], values[2]


def _title(path: Path) -> str:
    return _plotly(path)[1]["title"]["text"]


def _ends(built: Built, level: str, parent_id: str | None) -> set[str]:
    """Names of the top and bottom 5 of the open month, from mart.top_bottom."""
    with duckdb.connect(str(built.published), read_only=True) as con:
        rows = con.execute(
            """SELECT unit_name FROM mart.top_bottom(5)
               WHERE period_type = 'month' AND period_start = ? AND unit_level = ?
                 AND parent_unit_id IS NOT DISTINCT FROM ?""",
            [built.open_month.start, level, parent_id],
        ).fetchall()
    return {name for (name,) in rows}


def test_charts_share_one_local_plotly_script(built: Built, tmp_path: Path) -> None:
    out = tmp_path / "charts"
    for args in (
        ["total"],
        ["bump", "--level", "department"],
        ["bump", "--level", "province"],
        ["groups", "--period", built.closed_month.label],
    ):
        result = runner.invoke(
            app,
            ["chart", args[0], "--unit", "H44", "--out", str(out), "--database",
             str(built.published), *args[1:]],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
    pages = sorted(out.glob("*.html"))
    assert len(pages) == 4
    assert [p.name for p in out.glob("*.js")] == ["plotly.min.js"]
    assert (out / "plotly.min.js").stat().st_size > 1_000_000
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert page.stat().st_size < 100_000, page.name  # not 4.8 MB of plotly each
        assert '<script charset="utf-8" src="plotly.min.js"></script>' in text
        assert "cdn.plot.ly" not in text and 'src="http' not in text
        png = page.with_suffix(".png").read_bytes()
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000, page.name


def test_national_bump_chart_is_titled_national_and_names_the_ends(
    built: Built, tmp_path: Path
) -> None:
    with duckdb.connect(str(built.published), read_only=True) as con:
        files = make_chart(con, "bump", "H44", out_dir=tmp_path, level="province")
    assert files.html.name == "thu-hang-toan-quoc.html"
    month = f"tháng {built.open_month.start.month}/{built.open_month.year}"
    title = _title(files.html)
    assert title.startswith("Thứ hạng các tỉnh, thành phố trên toàn quốc theo tháng")
    assert f"5 đơn vị dẫn đầu và 5 đơn vị cuối bảng {month} (trên 34)" in title
    assert "Phú Thọ" not in title.split("<br>")[0]
    traces, _ = _plotly(files.html)
    assert len(traces) == 34
    shown = {t["name"] for t in traces if t.get("visible", True) is True}
    assert shown == _ends(built, "province", None)
    assert all(t["visible"] == "legendonly" for t in traces if t["name"] not in shown)
    assert {t["x"][-1] for t in traces} == {month}


def test_a_bump_chart_of_the_latest_months_draws_those_months_only(
    built: Built, tmp_path: Path
) -> None:
    """``months`` keeps the latest months of the bump chart (the run's chart keeps 13), the
    same ranks as the chart of every month for those months."""
    with duckdb.connect(str(built.published), read_only=True) as con:
        every = make_chart(con, "bump", None, out_dir=tmp_path / "all", level="province")
        latest = make_chart(con, "bump", None, out_dir=tmp_path / "one", level="province", months=1)
    all_traces, _ = _plotly(every.html)
    one_traces, _ = _plotly(latest.html)
    months = sorted({x for t in all_traces for x in t["x"]}, key=all_traces[0]["x"].index)
    assert len(months) > 1
    assert {x for t in one_traces for x in t["x"]} == {months[-1]}
    assert len(one_traces) == len(all_traces)
    by_name = {t["name"]: dict(zip(t["x"], t["y"], strict=True)) for t in all_traces}
    for trace in one_traces:
        assert dict(zip(trace["x"], trace["y"], strict=True)) == {
            x: by_name[trace["name"]][x] for x in trace["x"]
        }


def test_bump_chart_names_the_ends_of_70_communes_and_all_15_departments(
    built: Built, tmp_path: Path
) -> None:
    with duckdb.connect(str(built.published), read_only=True) as con:
        communes = make_chart(con, "bump", "H44", out_dir=tmp_path, level="commune")
        departments = make_chart(con, "bump", "H44", out_dir=tmp_path, level="department")
    traces, _ = _plotly(communes.html)
    assert len(traces) == 70
    shown = {t["name"] for t in traces if t.get("visible", True) is True}
    assert shown == _ends(built, "commune", built.province_id) and 10 <= len(shown) < 70
    assert "5 đơn vị dẫn đầu và 5 đơn vị cuối bảng" in _title(communes.html)
    traces, _ = _plotly(departments.html)
    assert len(traces) == 15 and all(t.get("visible", True) is True for t in traces)
    assert _title(departments.html).startswith(
        "Thứ hạng theo tháng — Sở, ban, ngành cấp tỉnh, UBND tỉnh Phú Thọ"
    )


def test_chart_periods_are_vietnamese_and_the_open_month_is_provisional(
    built: Built, tmp_path: Path
) -> None:
    closed, open_ = built.closed_month, built.open_month
    note = f"tạm tính đến ngày {_captured_day(built, open_)}"
    quarter = Period.quarter_of(open_.start)
    with duckdb.connect(str(built.published), read_only=True) as con:
        total = make_chart(con, "total", "H44", out_dir=tmp_path)
        by_quarter = make_chart(con, "groups", "H44", out_dir=tmp_path, period=quarter.label)
        by_year = make_chart(con, "groups", "H44", out_dir=tmp_path, period=str(open_.year))
        by_month = make_chart(con, "groups", "H44", out_dir=tmp_path, period=closed.label)
    assert total.series["x"] == [
        f"tháng {closed.start.month}/{closed.year}",
        f"tháng {open_.start.month}/{open_.year}*",
    ]
    assert f"* tháng {open_.start.month}/{open_.year}: {note}" in _title(total.html)
    assert _title(by_quarter.html).startswith(
        f"Điểm các nhóm chỉ số quý {ROMAN[quarter.quarter]}/{quarter.year} ({note})"
    )
    assert _title(by_year.html).startswith(f"Điểm các nhóm chỉ số năm {open_.year} ({note})")
    assert _title(by_month.html) == (
        f"Điểm các nhóm chỉ số tháng {closed.start.month}/{closed.year} — UBND tỉnh Phú Thọ"
    )
    assert by_month.title == _title(by_month.html)


def test_groups_chart_without_period_draws_the_latest_closed_month(
    built: Built, tmp_path: Path
) -> None:
    result = runner.invoke(
        app,
        ["chart", "groups", "--unit", "H44", "--out", str(tmp_path), "--database",
         str(built.published)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.glob("nhom-*")) == [
        f"nhom-H44-{built.closed_month.label}.html",
        f"nhom-H44-{built.closed_month.label}.png",
    ]


def test_a_unit_resolved_once_draws_what_its_code_draws(built: Built, tmp_path: Path) -> None:
    """The run's charts resolve their unit once (``find_unit``) for the total and the
    groups chart: the same files, series and titles as charts asked for by code; an unknown
    code is refused in Vietnamese."""
    with duckdb.connect(str(built.published), read_only=True) as con:
        unit = find_unit(con, " h44 ")
        assert (unit.code, unit.name) == ("H44", "UBND tỉnh Phú Thọ")
        for kind in ("total", "groups"):
            by_code = make_chart(con, kind, "H44", out_dir=tmp_path / "code")
            resolved = make_chart(con, kind, unit, out_dir=tmp_path / "unit")
            assert resolved.png.name == by_code.png.name
            assert (resolved.series, resolved.title) == (by_code.series, by_code.title)
        with pytest.raises(ChartDataError, match="không tìm thấy đơn vị"):
            find_unit(con, "H99")
