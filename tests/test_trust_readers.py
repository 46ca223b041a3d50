"""Trust (issue 9, items 5 and 6): analysts read and never write, and what people open in
a spreadsheet shows names, never runs them.

One real run over the local portal builds a working and a published warehouse in which a
department is named like a spreadsheet formula (served by the portal itself through its
``replaced_text`` fault) and another like a link (renamed in the warehouse, then
republished). Every command goes through the real CLI entry point."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import openpyxl
import pytest
from typer.testing import CliRunner

from fake_portal.server import FakePortal
from pipelines.cli import app
from pipelines.definitions import defs
from pipelines.resources import PortalResource, WarehouseResource
from warehouse.connection import connect_reader
from warehouse.publish import publish, published_path

pytestmark = pytest.mark.integration
runner = CliRunner()

FORMULA_NAME = '=HYPERLINK("http://example.invalid/","Sở Tư pháp")'
LINK_NAME = "http://example.invalid/so-y-te"


@dataclass(frozen=True)
class Built:
    """The warehouses of one real run and a file outside them."""

    working: Path
    published: Path
    outside: Path

    def snapshot(self) -> tuple[str, str, dict[str, list[tuple]]]:
        """Bytes of both files and every row of the working warehouse's raw and core
        tables (the mart tables are derived from them)."""
        digests = [
            hashlib.sha256(p.read_bytes()).hexdigest() for p in (self.working, self.published)
        ]
        with duckdb.connect(str(self.working), read_only=True) as con:
            tables = [
                f"{schema}.{name}"
                for schema, name in con.execute(
                    """SELECT schema_name, table_name FROM duckdb_tables()
                       WHERE schema_name IN ('raw', 'core', 'mart') ORDER BY ALL"""
                ).fetchall()
            ]
            rows = {
                t: sorted(map(repr, con.execute(f"SELECT * FROM {t}").fetchall())) for t in tables
            }
        assert rows["raw.captures"] and rows["core.units"]
        return digests[0], digests[1], rows


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """2026-10 of H44 through every asset (published), with two hostile unit names."""
    root = tmp_path_factory.mktemp("trust")
    warehouse = WarehouseResource(path=str(root / "w.duckdb"), raw_store_dir=str(root / "raw"))
    with FakePortal(host="127.0.0.1", port=0, today=date(2026, 11, 23)) as portal:
        portal.faults.add("*", "replaced_text", times=1000, old="Sở Tư pháp", new=FORMULA_NAME)
        result = dg.materialize(
            list(defs.assets or []),
            resources={
                "portal": PortalResource(base_url=portal.url, delay_s=0, jitter_s=0),
                "warehouse": warehouse,
            },
            run_config={
                "ops": {
                    "raw_portal__captures": {
                        "config": {"today": portal.today.isoformat(), "provinces": ["H44"]}
                    }
                }
            },
            tags={
                "dagster/asset_partition_range_start": "2026-10-01",
                "dagster/asset_partition_range_end": "2026-10-01",
            },
        )
    assert result.success
    with warehouse.connect() as con:
        (unit_id,) = con.execute(
            """SELECT unit_id FROM core.units
               WHERE unit_level = 'department' AND unit_name LIKE 'Sở Y tế%'"""
        ).fetchone()
        named = con.execute(
            """SELECT schema_name, table_name FROM duckdb_columns()
               JOIN duckdb_tables() USING (schema_name, table_name)
               WHERE column_name = 'unit_name'"""
        ).fetchall()
        for schema, table in named:  # identifiers from the catalog, values as parameters
            con.execute(
                f'UPDATE "{schema}"."{table}" SET unit_name = ? WHERE unit_id = ?',
                [LINK_NAME, unit_id],
            )
    publish(warehouse.path)
    outside = root / "outside.csv"
    outside.write_text("secret\n42\n", encoding="utf-8")
    return Built(Path(warehouse.path), published_path(warehouse.path), outside)


@pytest.fixture
def env(built: Built, monkeypatch: pytest.MonkeyPatch) -> Iterator[Built]:
    """The CLI pointed at the built warehouse (its reader path is the publication)."""
    monkeypatch.setenv("DVC766_WAREHOUSE", str(built.working))
    monkeypatch.setenv("DVC766_RAW_STORE", str(built.working.parent / "raw"))
    yield built


# ---------------------------------------------------------------------------------------
# Item 5: analysts can read, never write


def hostile_statements(built: Built, tmp: Path) -> dict[str, str]:
    """Each way a reader's SQL could write or reach beyond its file (no network: the
    extension sources are local paths)."""
    return {
        "attach_working_read_write": (
            f"ATTACH '{built.working}' AS working (READ_WRITE); DELETE FROM working.raw.captures"
        ),
        "copy_over_working": f"COPY (SELECT 1 AS x) TO '{built.working}' (FORMAT csv)",
        "copy_to_a_new_file": f"COPY mart.unit_period_scores TO '{tmp / 'leak.csv'}'",
        "install_extension": f"INSTALL httpfs FROM '{tmp / 'repository'}'",
        "load_extension": f"LOAD '{tmp / 'evil.duckdb_extension'}'",
        "set_external_access": "SET enable_external_access = true",
        "set_memory_limit": "SET memory_limit = '1GB'",
        "read_csv_of_another_file": f"SELECT * FROM read_csv('{built.outside}')",
        "scan_of_another_file": f"SELECT * FROM '{built.outside}'",
    }


CASES = [
    "attach_working_read_write",
    "copy_over_working",
    "copy_to_a_new_file",
    "install_extension",
    "load_extension",
    "set_external_access",
    "set_memory_limit",
    "read_csv_of_another_file",
    "scan_of_another_file",
]


@pytest.mark.parametrize("case", CASES)
def test_query_refuses_what_is_not_reading(env: Built, tmp_path: Path, case: str) -> None:
    sql = hostile_statements(env, tmp_path)[case]
    before = env.snapshot()
    result = runner.invoke(app, ["query", sql])
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "bị từ chối" in lines[0], result.output
    assert "Traceback" not in result.output
    assert env.snapshot() == before
    assert not (tmp_path / "leak.csv").exists()


def test_query_on_the_working_file_cannot_write_it(env: Built) -> None:
    before = env.snapshot()
    result = runner.invoke(
        app, ["query", "--database", str(env.working), "DELETE FROM raw.captures"]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Lỗi SQL: bị từ chối lệnh DELETE — `query` chỉ đọc (SELECT, EXPLAIN, CALL, PRAGMA chỉ "
        "đọc như table_info); không ghi, không đặt cấu hình (SET, PRAGMA … = …), không ATTACH, "
        "COPY, INSTALL hay LOAD."
    ]
    assert env.snapshot() == before


@pytest.mark.parametrize("case", CASES)
def test_the_reader_connection_itself_refuses(built: Built, tmp_path: Path, case: str) -> None:
    """The guarantee is the connection's (status, report and chart use it too), not only
    the ``query`` command's check of statement kinds."""
    sql = hostile_statements(built, tmp_path)[case]
    before = built.snapshot()
    locked = case.startswith("set_")
    expected = duckdb.InvalidInputException if locked else duckdb.PermissionException
    with (
        connect_reader(built.published) as con,
        pytest.raises(expected, match="locked" if locked else "disabled"),
    ):
        con.execute(sql)
    assert built.snapshot() == before
    assert not (tmp_path / "leak.csv").exists()


def test_plain_reads_still_work(env: Built) -> None:
    result = runner.invoke(
        app,
        [
            "query",
            "--csv",
            "SELECT count(*) AS n FROM core.units WHERE unit_level = 'province'; ",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.output == "n\n34\n"
    described = runner.invoke(app, ["query", "DESCRIBE mart.unit_period_scores"])
    assert described.exit_code == 0 and "total_score" in described.output
    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0 and f"Kho: {env.published}" in status.output


def test_a_missing_database_is_a_clear_error(env: Built, tmp_path: Path) -> None:
    missing = tmp_path / "none.duckdb"
    result = runner.invoke(app, ["query", "--database", str(missing), "SELECT 1"])
    assert result.exit_code == 1
    assert result.output.strip() == f"Không có tệp kho dữ liệu: {missing}"
    assert not missing.exists()


# ---------------------------------------------------------------------------------------
# Item 6: spreadsheets show names, never run them


def test_report_writes_every_name_as_text(env: Built, tmp_path: Path) -> None:
    out = tmp_path / "bao-cao.xlsx"
    result = runner.invoke(
        app,
        ["report", "--province", "H44", "--period", "2026-10", "--cutoff", "2030-01-01 16:00",
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    book = openpyxl.load_workbook(out)
    texts: dict[str, list[str]] = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                assert cell.hyperlink is None, (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    texts.setdefault(ws.title, []).append(cell.value)
    appendix = texts["Phụ lục 1 - Sở ngành"]
    assert FORMULA_NAME in appendix and LINK_NAME in appendix


def test_query_csv_neutralises_formulas_and_writes_nested_values_as_json(env: Built) -> None:
    sql = """SELECT unit_name, total_score, -1.5 AS negative, [rank, cohort_size] AS ranks,
                    {'name': unit_name, 'rank': rank} AS detail
             FROM mart.unit_period_scores
             WHERE unit_name IN (:formula, :link) AND period_type = 'month'
               AND period_start = DATE '2026-10-01'
             ORDER BY unit_name"""
    sql = sql.replace(":formula", f"'{FORMULA_NAME}'").replace(":link", f"'{LINK_NAME}'")
    result = runner.invoke(app, ["query", "--csv", sql])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    assert [r["unit_name"] for r in rows] == ["'" + FORMULA_NAME, LINK_NAME]
    with connect_reader(env.published) as con:
        expected = con.execute(
            """SELECT total_score, rank, cohort_size FROM mart.unit_period_scores
               WHERE unit_name = ? AND period_type = 'month'
                 AND period_start = DATE '2026-10-01'""",
            [FORMULA_NAME],
        ).fetchone()
    first = rows[0]
    assert float(first["total_score"]) == pytest.approx(float(expected[0]))
    assert first["negative"] == "-1.5"
    assert json.loads(first["ranks"]) == [expected[1], expected[2]]
    assert json.loads(first["detail"]) == {"name": FORMULA_NAME, "rank": expected[1]}
