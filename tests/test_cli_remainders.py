"""Issue 11 remainders of the operator's and analyst's everyday: ``rebuild --from/--to``
typos in one Vietnamese line (exit 2), ``query`` readable in an 80-column terminal, and
``query`` on a file a run is writing in one line (exit 1), through the real entry point."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from pipelines.cli import app
from warehouse.schema import apply_schema

PROJECT_ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _lines(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.strip()]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--from", "2026-1"], '--from "2026-1"'),
        (["--to", "2026/06"], '--to "2026/06"'),
        (["--from", "2026-Q1", "--to", "2026-06"], "nhận một tháng"),
        (["--from", "2026-06", "--to", "2026-01"], "--to 2026-01 trước --from 2026-06"),
        (["--from", "2021-05"], "trước tháng 08/2022"),
    ],
)
def test_a_rebuild_month_typo_is_one_vietnamese_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], says: str
) -> None:
    monkeypatch.setenv("DVC766_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    result = runner.invoke(app, ["rebuild", *args])
    assert result.exit_code == 2, result.output
    (line,) = _lines(result.output)
    assert line.startswith("Lỗi: ") and says in line, line
    assert "Dạng nhận" in line or "Ví dụ: " in line, line  # the accepted forms, an example
    assert "Usage" not in result.output and "Traceback" not in result.output
    assert not (tmp_path / "w.duckdb").exists() and not (tmp_path / "dagster_home").exists()


@pytest.fixture
def reader_file(tmp_path: Path) -> Path:
    """A warehouse file with the schema (no captures) for ``query --database``."""
    path = tmp_path / "w.duckdb"
    with duckdb.connect(str(path)) as con:
        apply_schema(con)
    return path


WIDE = (
    "SELECT 'H44' AS unit_code, 'UBND tỉnh Phú Thọ' AS unit_name, 'province' AS unit_level, "
    "'month' AS period_type, DATE '2026-10-01' AS period_start, 16.5 AS ckmb, 18.25 AS tdgq, "
    "11.0 AS clgq, 9.5 AS tttt, 15.75 AS mdhl, 20.5 AS mdsh, 91.5 AS total_score, "
    "'Xuất sắc' AS band, 3 AS rank, 34 AS cohort_size, ['CKMB', 'TDGQ'] AS missing_groups "
    "FROM range(3)"
)


def test_wide_results_are_printed_column_by_column_in_80_columns(
    reader_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = runner.invoke(app, ["query", "--database", str(reader_file), WIDE])
    assert result.exit_code == 0, result.output
    lines = _lines(result.output)
    assert all(cell_len(line) <= 80 for line in lines), result.output
    heading = " ".join(lines[: lines.index("── dòng 1 ──")])
    assert heading.startswith("3 dòng") and "--csv" in heading, heading
    assert [line for line in lines if line.startswith("── dòng")] == [
        "── dòng 1 ──",
        "── dòng 2 ──",
        "── dòng 3 ──",
    ]
    first = lines.index("── dòng 1 ──") + 1
    records = {
        line.split(" : ", 1)[0].strip(): line.split(" : ", 1)[1]
        for line in lines[first : lines.index("── dòng 2 ──")]
    }
    assert records["unit_name"] == "UBND tỉnh Phú Thọ"  # whole, never squeezed
    assert records["total_score"] == "91.5" and records["band"] == "Xuất sắc"
    assert records["missing_groups"] == "['CKMB', 'TDGQ']"
    assert len(records) == 16  # every column


def test_narrow_results_stay_a_table(reader_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    sql = "SELECT 'H44' AS unit_code, 'UBND tỉnh Phú Thọ' AS unit_name, 91.5 AS total_score"
    result = runner.invoke(app, ["query", "--database", str(reader_file), sql])
    assert result.exit_code == 0, result.output
    assert "UBND tỉnh Phú Thọ" in result.output and "── dòng" not in result.output
    assert any("unit_code" in line and "total_score" in line for line in _lines(result.output))


def test_query_on_a_file_a_run_is_writing_is_one_line(reader_file: Path, tmp_path: Path) -> None:
    """This process holds the file open for writing, as a capture run does; ``dvc766
    query`` from another process says so in one line and exits 1."""
    with duckdb.connect(str(reader_file)) as writer:
        writer.execute("SELECT 1").fetchall()
        done = subprocess.run(
            [sys.executable, "-m", "pipelines.cli", "query", "--database", str(reader_file),
             "SELECT count(*) FROM core.units"],
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            encoding="utf-8",
            timeout=300,
            env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "COLUMNS": "80"},
        )  # fmt: skip
    assert done.returncode == 1, done.stderr
    (line,) = _lines(done.stderr)
    assert line.startswith(f"Lỗi: tệp kho {reader_file.resolve()} đang được một lần chạy khác ghi")
    assert "Chờ lần chạy đó xong rồi thử lại" in line
    assert "Traceback" not in done.stderr and done.stdout == ""
