"""The operator's everyday with ``dvc766``: the wrapper that works right after the quick
start, typos answered in one Vietnamese line before any run, periods and provinces in the
forms people write, progress while a capture runs, and failures in one clean line."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from typer.testing import CliRunner

from pipelines import settings
from pipelines.cli import app

PROJECT_ROOT = Path(__file__).resolve().parent.parent
runner = CliRunner()


def _one_line(output: str) -> str:
    """The output's only line (the test fails when there are more)."""
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    return lines[0]


def test_the_wrapper_runs_without_uv_on_the_path(tmp_path: Path) -> None:
    """``./scripts/dvc766`` finds the uv the quick start put in ``.tools/`` when the shell
    has none, and works from any folder."""
    tools_uv = PROJECT_ROOT / ".tools" / "bin" / "uv"
    path = os.environ.get("PATH", "").split(os.pathsep)
    if tools_uv.is_file():  # take every uv off the PATH: the wrapper must find .tools/bin/uv
        path = [d for d in path if not (Path(d) / "uv").exists()]
    else:  # no uv in .tools/ (uv is on the PATH): leave it, never download one in a test
        assert shutil.which("uv"), "neither .tools/bin/uv nor a uv on PATH"
    env = {**os.environ, "PATH": os.pathsep.join(path)}
    env.pop("UV", None)
    done = subprocess.run(
        [str(PROJECT_ROOT / "scripts" / "dvc766"), "--help"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "capture" in done.stdout and "backfill" in done.stdout and "report" in done.stdout
    assert list(tmp_path.iterdir()) == []  # nothing written where it was run


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["capture", "--period", "2026-10", "--province", "H99"], 'không có tỉnh "H99"'),
        (["capture", "--period", "2026-10", "--province", "Atlantis"], 'tỉnh "Atlantis"'),
        (
            ["capture", "--period", "2026-10", "--province", "Phu Tha"],
            "Có phải Phú Thọ (H44)?",
        ),
        (
            ["capture", "--period", "2026-10", "--province", "Quảng Nam"],
            "nay thuộc Đà Nẵng, mã H17",
        ),
        (["capture", "--period", "2021-05"], "trước tháng 08/2022"),
        (["capture", "--period", "2026-13"], "kỳ không hợp lệ"),
        (["backfill", "--from", "2026-1", "--to", "2026-06"], '--from "2026-1"'),
        (["backfill", "--from", "2026-Q1", "--to", "2026-06"], "nhận một tháng"),
        (["backfill", "--from", "2022-01", "--to", "2022-09"], "trước tháng 08/2022"),
        (
            ["report", "--province", "H44", "--period", "2026/10", "--out", "x.xlsx"],
            'kỳ không hợp lệ: --period "2026/10"',
        ),
        (["chart", "groups", "--unit", "H44", "--period", "10/26"], "kỳ không hợp lệ"),
    ],
)
def test_a_typo_is_one_vietnamese_line_and_starts_nothing(
    cli_env: Path, args: list[str], says: str
) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    line = _one_line(result.output)
    assert line.startswith("Lỗi: ") and says in line, line
    assert "Ví dụ: " in line or "Dạng nhận" in line, line  # the accepted forms, an example
    assert "Traceback" not in result.output and "Usage" not in result.output
    # checked before any run: no Dagster instance, no warehouse, no request to the portal
    assert not (cli_env / "dagster_home").exists()
    assert not (cli_env / "w.duckdb").exists()


def test_report_and_chart_refuse_an_unknown_province_in_one_line(cli_env: Path) -> None:
    from warehouse.schema import apply_schema

    with duckdb.connect(str(cli_env / "w.duckdb")) as con:
        apply_schema(con)  # an empty warehouse: the reference list is in it, no capture
    report = runner.invoke(
        app, ["report", "--province", "Atlantis", "--period", "10/2026", "--out", "x.xlsx"]
    )
    assert report.exit_code == 2, report.output
    assert 'không có tỉnh "Atlantis"' in _one_line(report.output)
    chart = runner.invoke(app, ["chart", "total", "--unit", "Atlantis", "--out", "charts"])
    assert chart.exit_code == 2, chart.output
    assert "--unit" in _one_line(chart.output)
    assert not (cli_env / "x.xlsx").exists() and not (cli_env / "charts").exists()


def test_names_and_letter_forms_reach_capture_report_and_chart(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``quý 3/2026`` and three ways of naming provinces capture exactly those provinces;
    the report and the chart take names too. Without a terminal, one line per province
    capture says how far the run is, with its replies and retries."""
    monkeypatch.chdir(cli_env)
    result = runner.invoke(
        app,
        [
            "capture",
            "--period",
            "quý 3/2026",
            "--province",
            "phu tho",
            "--province",
            "UBND tỉnh An Giang",
            "--province",
            "H44",  # the same province again: captured once
        ],
    )
    assert result.exit_code == 0, result.output
    progress = [line for line in result.output.splitlines() if re.match(r"^\[\d+/", line)]
    assert [line.split(" (")[0] for line in progress] == [
        "[1/2] 2026-Q3 H44 UBND tỉnh Phú Thọ: đầy đủ",
        "[2/2] 2026-Q3 H01 UBND tỉnh An Giang: đầy đủ",
    ]
    assert all("6 phản hồi" in line for line in progress), progress
    with duckdb.connect(str(cli_env / "w.duckdb"), read_only=True) as con:
        captured = con.execute(
            """SELECT u.unit_code, c.period_type, c.period_start::VARCHAR, c.status
               FROM raw.captures AS c JOIN core.units AS u ON u.unit_id = c.root_unit_id
               WHERE c.scope = 'province' ORDER BY u.unit_code"""
        ).fetchall()
    assert captured == [
        ("H01", "quarter", "2026-07-01", "complete"),
        ("H44", "quarter", "2026-07-01", "complete"),
    ]

    report = runner.invoke(
        app,
        ["report", "--province", "Phú Thọ", "--period", "Q3/2026", "--out", "bao-cao.xlsx"],
    )
    assert report.exit_code == 0, report.output
    assert (cli_env / "bao-cao.xlsx").is_file()
    assert "Phú Thọ" in (cli_env / "bao-cao.txt").read_text(encoding="utf-8")

    chart = runner.invoke(
        app, ["chart", "groups", "--unit", "an giang", "--period", "quý III/2026", "--out", "c"]
    )
    assert chart.exit_code == 0, chart.output
    assert any("H01" in p.name for p in (cli_env / "c").iterdir())


def test_progress_counts_periods_times_provinces_and_retries(
    cli_env: Path, portal, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A backfill of September 2026 captures the month and its quarter for all 34
    provinces: 68 lines, numbered against that total, the retries shown where they were."""
    monkeypatch.setenv("DVC766_REQUEST_BACKOFF", "0")
    portal.faults.add("transparency", "status", times=2, status=503)
    result = runner.invoke(app, ["backfill", "--from", "9/2026", "--to", "2026-09"])
    assert result.exit_code == 0, result.output
    progress = [line for line in result.output.splitlines() if re.match(r"^\[\d+/", line)]
    assert len(progress) == 68
    assert [line.split("]")[0] for line in progress] == [f"[{n}/68" for n in range(1, 69)]
    assert sum("2026-09 " in line for line in progress) == 34
    assert sum("2026-Q3 " in line for line in progress) == 34
    retried = [line for line in progress if "lần thử lại" in line]
    assert len(retried) == 1 and "2 lần thử lại" in retried[0], retried
    assert "6 phản hồi" in retried[0]  # the two 503s are retries, not replies


def test_a_dagster_failure_reaches_the_user_as_its_own_line(tmp_path: Path) -> None:
    from pipelines.cli_errors import failure_line

    @dg.asset
    def needs_the_list() -> None:
        raise dg.Failure(
            description="Không có danh sách tỉnh hợp lệ của Cổng.\nChi tiết cho người vận hành."
        )

    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        result = dg.materialize([needs_the_list], instance=instance, raise_on_error=False)
    errors = [
        event.event_specific_data.error
        for event in result.all_events
        if event.is_step_failure and event.event_specific_data is not None
    ]
    assert errors and errors[0].cls_name == "Failure"
    assert failure_line(errors[0]) == "Không có danh sách tỉnh hợp lệ của Cổng."


def test_a_busy_warehouse_ends_in_one_line(tmp_path: Path) -> None:
    from pipelines.cli_errors import user_problem_line
    from pipelines.runner import HOST_TAG, PID_TAG, WarehouseBusy, wait_for_warehouse

    @dg.op
    def write() -> None:
        """Stands for a run that writes the warehouse."""

    @dg.job(name="nightly_portal_job")
    def job() -> None:
        write()

    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        run = instance.create_run_for_job(
            job,
            status=dg.DagsterRunStatus.STARTED,
            tags={
                **settings.WAREHOUSE_WRITE_TAGS,
                HOST_TAG: socket.gethostname(),
                PID_TAG: str(os.getpid()),  # alive: the wait cannot release it
            },
        )
        with pytest.raises(WarehouseBusy) as busy:
            wait_for_warehouse(instance, poll_s=0.01, max_wait_s=0.1, notify=lambda _: None)
    line = user_problem_line(busy.value)
    assert line is not None and "\n" not in line
    assert line.startswith("Lỗi: Kho dữ liệu vẫn bận sau ") and run.run_id[:8] in line
    assert line.endswith("Chạy lại sau, hoặc dừng lần chạy đó trong Dagster UI.")
    assert user_problem_line(ValueError("not the user's to fix")) is None
