"""The dvc766 command line: real Dagster runs on a local instance, against the local
portal over HTTP."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app

pytestmark = pytest.mark.integration
runner = CliRunner()


def test_capture_a_quarter_for_two_provinces(cli_env: Path) -> None:
    result = runner.invoke(
        app, ["capture", "--period", "2026-Q3", "--province", "H44", "--province", "h01"]
    )
    assert result.exit_code == 0, result.output
    assert "Thu thập kỳ 2026-Q3" in result.output
    with duckdb.connect(str(cli_env / "w.duckdb"), read_only=True) as con:
        rows = con.execute(
            """SELECT scope, period_type, period_start, partition_month, count(*)
               FROM raw.captures GROUP BY ALL ORDER BY ALL"""
        ).fetchall()
    assert [r[:4] for r in rows] == [
        ("national", "quarter", rows[0][2], rows[0][3]),
        ("province", "quarter", rows[0][2], rows[0][3]),
    ]
    assert str(rows[0][2]) == "2026-07-01" and str(rows[0][3]) == "2026-09-01"
    assert rows[1][4] == 2
    instance = dg.DagsterInstance.get()
    assert (cli_env / "dagster_home" / "dagster.yaml").exists()
    assert len(instance.get_run_records()) == 1


def test_backfill_is_one_run_over_the_range(cli_env: Path) -> None:
    result = runner.invoke(app, ["backfill", "--from", "2026-08", "--to", "2026-09"])
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(cli_env / "w.duckdb"), read_only=True) as con:
        periods = con.execute(
            """SELECT period_type, period_start::VARCHAR, count(*) FILTER (scope = 'province')
               FROM raw.captures GROUP BY ALL ORDER BY ALL"""
        ).fetchall()
    assert periods == [
        ("month", "2026-08-01", 34),
        ("month", "2026-09-01", 34),
        ("quarter", "2026-07-01", 34),
    ]
    records = dg.DagsterInstance.get().get_run_records()
    assert len(records) == 1
    tags = records[0].dagster_run.tags
    assert tags["dagster/asset_partition_range_start"] == "2026-08-01"
    assert tags["dagster/asset_partition_range_end"] == "2026-09-01"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["capture", "--period", "2026-13"], "kỳ không hợp lệ"),
        (["capture", "--period", "2027-01"], "chưa bắt đầu"),
        (["backfill", "--from", "2026-09", "--to", "2026-08"], "trước"),
    ],
)
def test_bad_arguments_are_refused_clearly(cli_env: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output


def test_unknown_province_fails_with_a_clear_message(cli_env: Path) -> None:
    result = runner.invoke(app, ["capture", "--period", "2026-10", "--province", "H99"])
    assert result.exit_code == 2  # refused before any run (tests/test_cli_everyday.py)
    assert 'không có tỉnh "H99"' in result.output
