"""One road to the marts: a file ingested by ``dvc766 ingest`` or the inbox sensor goes
through a real Dagster run of ``files_job`` (raw_files__captures, then the same core,
checks, marts, publication and outcome as a portal capture); CLI runs are recorded under
their job's name with their tags; resources are built from the command's options, never
by writing the environment."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.definitions import defs
from pipelines.resources import default_resources
from pipelines.sensors import inbox_sensor
from pipelines.settings import Settings
from warehouse.publish import published_path

TITLE = "Kết quả các tỉnh, thành phố trực thuộc Trung ương tháng 10/2023"
HEADER = (
    "STT;Tỉnh, thành phố;Công khai, minh bạch;Tiến độ, kết quả giải quyết;"
    "Dịch vụ công trực tuyến;Thanh toán trực tuyến;Mức độ hài lòng;Số hóa hồ sơ"
)
# Three provinces in October 2023 (before the merger): six groups each, in points.
GOOD = "\n".join(
    [
        TITLE,
        HEADER,
        "1;Quảng Trị;15,5;18;9;8;17;16",
        "2;Hà Nội;16;19;10;9;17,5;20",
        "3;Đồng Nai;12;15;8;7;15;14",
    ]
).encode()
# A province given twice: the file source refuses it (the same unit, two values).
TWICE = "\n".join([TITLE, HEADER, "1;Quảng Trị;15;18;9;8;17;16", "2;Quảng Trị;14;18;9;8;17;16"])
# A header stating its own maximum (/20): 19 reads, but the methodology's is 18
# (pipelines/sources/ranges.py).
OVER = "\n".join([TITLE, "STT;Tỉnh, thành phố;Công khai, minh bạch (điểm/20)", "1;Quảng Trị;19"])
CUTOFF = "2023-11-05 16:00"
PROVINCE_ROW = """SELECT unit_code, total_score, rank, band FROM mart.unit_period_scores
                  WHERE unit_level = 'province' AND period_type = 'month'
                    AND period_start = DATE '2023-10-01' ORDER BY total_score DESC"""


def _rows(database: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def _report_args(cutoff: str, out: Path) -> list[str]:
    period = ["--province", "H50", "--period", "2023-10"]
    return ["report", *period, "--cutoff", cutoff, "--out", str(out)]


def _runs(home: Path) -> list[dg.DagsterRun]:
    """The runs recorded on the Dagster instance in ``home``, oldest first."""
    with dg.DagsterInstance.from_config(str(home)) as instance:
        records = instance.get_run_records()
    return [r.dagster_run for r in sorted(records, key=lambda r: r.create_timestamp)]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A Dagster instance of the test's own (never the project's)."""
    folder = tmp_path / "dagster_home"
    monkeypatch.setenv("DAGSTER_HOME", str(folder))
    for name in ("DVC766_WAREHOUSE", "DVC766_RAW_STORE", "DVC766_TODAY", "DVC766_PORTAL_URL"):
        monkeypatch.delenv(name, raising=False)
    return folder


@pytest.mark.integration
def test_an_ingested_file_is_published_and_reported(tmp_path: Path, home: Path) -> None:
    table = tmp_path / "tinh-10-2023.csv"
    table.write_bytes(GOOD)
    working = tmp_path / "kho" / "w.duckdb"
    runner = CliRunner()
    done = runner.invoke(
        app, ["ingest", str(table), "--cutoff", CUTOFF, "--warehouse", str(working)]
    )
    assert done.exit_code == 0, done.output
    assert "✓ tinh-10-2023.csv: đã nhập" in done.output
    assert f"Đã tính lại các bảng mart và công bố: {published_path(working)}" in done.output
    assert "✓ Nhập 1 tệp: hoàn tất" in done.output
    # the option built the run's resources: nothing was written to the environment
    assert "DVC766_WAREHOUSE" not in os.environ and "DVC766_RAW_STORE" not in os.environ
    assert (tmp_path / "kho" / "raw" / "sha256").is_dir()  # the raw store beside it
    # analysts' file: the ingested figures, derived (total, band) and published; three
    # provinces of a file are no national ranking, so no rank is made up from them
    published = published_path(working)
    assert _rows(published, PROVINCE_ROW) == [
        ("H26", 91.5, None, "Xuất sắc"),
        ("H50", 83.5, None, "Tốt"),
        ("H19", 71.0, None, "Khá"),
    ]
    parquet = published.parent / "parquet"
    assert list(parquet.glob("unit_period_scores/period_type=month/period_start=2023-10-01/*"))
    out = tmp_path / "bao-cao.xlsx"
    report = runner.invoke(
        app, [*_report_args("2023-11-06 08:00", out), "--warehouse", str(working)]
    )
    assert report.exit_code == 0, report.output
    text = out.with_suffix(".txt").read_text(encoding="utf-8")
    assert "83,5/100 điểm" in text and "chưa xếp hạng" in text and "2/3" not in text
    # before the cut-off the figures did not exist yet
    early = runner.invoke(
        app, [*_report_args("2023-11-05 15:59", tmp_path / "som.xlsx"), "--warehouse", str(working)]
    )
    assert early.exit_code == 1 and "chưa có số liệu" in early.output
    (run,) = _runs(home)
    assert run.job_name == "files_job" and run.status == dg.DagsterRunStatus.SUCCESS


@pytest.mark.integration
def test_a_bad_file_is_quarantined_and_fails_the_run_while_the_others_load(
    tmp_path: Path, home: Path
) -> None:
    files = {
        "tot.csv": GOOD,
        "trung.csv": TWICE.encode(),
        "vuot.csv": OVER.encode(),
        "ghi-chu.pdf": b"%PDF-1.4 not a table",
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    working = tmp_path / "w.duckdb"
    paths = ["ingest", *(str(tmp_path / name) for name in files)]
    done = CliRunner().invoke(
        app,
        [*paths, "--cutoff", CUTOFF, "--warehouse", str(working)],
    )
    output = done.output
    assert done.exit_code == 1, output
    assert "✓ tot.csv: đã nhập" in output
    assert "✗ trung.csv: bị cách ly" in output
    assert "Lý do: đơn vị có hai giá trị cho cùng một chỉ số" in output
    assert "✗ vuot.csv: bị cách ly" in output and "Lý do: điểm vượt điểm tối đa" in output
    assert "✗ ghi-chu.pdf: bị cách ly" in output
    assert "✗ Nhập 4 tệp: thất bại" in output
    # the run's outcome names each, in Vietnamese
    assert "Lần thu thập: 1 đầy đủ, 2 chưa đầy đủ." in output
    assert "✗ tháng 10/2023 · cả nước (bảng xếp hạng tỉnh): csv: đơn vị có hai giá trị" in output
    assert "✗ tệp ghi-chu.pdf: bị cách ly — định dạng tệp không được hỗ trợ" in output
    quarantined = _rows(working, "SELECT reason FROM raw.quarantine ORDER BY reason")
    assert quarantined == [
        ("score above its maximum",),
        ("đơn vị có hai giá trị cho cùng một chỉ số",),
        ("định dạng tệp không được hỗ trợ",),
    ]
    assert _rows(working, "SELECT status, count(*) FROM raw.captures GROUP BY 1 ORDER BY 1") == [
        ("complete", 1),
        ("incomplete", 2),
    ]
    # the good file was loaded, derived and published all the same
    assert [row[:2] for row in _rows(published_path(working), PROVINCE_ROW)] == [
        ("H26", 91.5),
        ("H50", 83.5),
        ("H19", 71.0),
    ]
    (run,) = _runs(home)
    assert (run.job_name, run.status) == ("files_job", dg.DagsterRunStatus.FAILURE)
    outcomes = _rows(
        working,
        "SELECT file_name, outcome FROM ops.run_files WHERE run_id = ? ORDER BY file_index",
        [run.run_id],
    )
    assert outcomes == [
        ("tot.csv", "ingested"),
        ("trung.csv", "quarantined"),
        ("vuot.csv", "quarantined"),
        ("ghi-chu.pdf", "quarantined"),
    ]


@pytest.mark.integration
def test_cli_runs_are_recorded_under_their_job_names_with_tags(
    cli_env: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner = CliRunner()
    captured = runner.invoke(app, ["capture", "--period", "2026-10", "--province", "H44"])
    assert captured.exit_code == 0, captured.output
    table = cli_env / "tinh-10-2023.csv"
    table.write_bytes(GOOD)
    ingested = runner.invoke(app, ["ingest", str(table), "--cutoff", CUTOFF])
    assert ingested.exit_code == 0, ingested.output
    capture, ingest = _runs(cli_env / "dagster_home")
    assert capture.job_name == "portal_job"
    assert capture.status == dg.DagsterRunStatus.SUCCESS
    assert {k: capture.tags.get(k) for k in _TAGS} == {
        "dagster/asset_partition_range_start": "2026-10-01",
        "dagster/asset_partition_range_end": "2026-10-01",
        "dvc766/periods": "2026-10",
        "dvc766/provinces": "H44",
        "dvc766/files": None,
        "dvc766/warehouse": "write",
    }
    assert capture.tags["dvc766/source"] == "current"
    assert ingest.job_name == "files_job"
    assert {k: ingest.tags.get(k) for k in _TAGS} == {
        "dagster/asset_partition_range_start": "2023-10-01",
        "dagster/asset_partition_range_end": "2023-10-01",
        "dvc766/periods": "2023-10",
        "dvc766/provinces": "Cả nước",  # a table of provinces: the national ranking
        "dvc766/files": "tinh-10-2023.csv",
        "dvc766/warehouse": "write",
    }
    # DVC766_* still configure a run when no option is given
    assert (cli_env / "raw" / "sha256").is_dir() and (cli_env / "w.duckdb").is_file()


_TAGS = (
    "dagster/asset_partition_range_start",
    "dagster/asset_partition_range_end",
    "dvc766/periods",
    "dvc766/provinces",
    "dvc766/files",
    "dvc766/warehouse",
)


@pytest.mark.integration
def test_the_inbox_sensor_requests_a_files_job_run_that_publishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    monkeypatch.setenv("DVC766_INBOX", str(inbox))
    letter = inbox / "bang-10-2023.csv"
    letter.write_bytes(
        GOOD.replace(TITLE.encode(), f"{TITLE} (chốt số liệu 16h ngày 05/11/2023)".encode())
    )
    past = time.time() - 60
    os.utime(letter, (past, past))
    options = Settings(warehouse=str(tmp_path / "w.duckdb"), raw_store=str(tmp_path / "raw"))
    with dg.instance_for_test() as instance:
        result = inbox_sensor(dg.build_sensor_context(instance=instance, definitions=defs))
        (request,) = result.run_requests
        assert defs.resolve_sensor_def("inbox_sensor").job_name == "files_job"
        assert request.tags["dagster/asset_partition_range_start"] == "2023-10-01"
        assert request.tags["dvc766/files"] == "bang-10-2023.csv"
        # the run the daemon would launch for it
        run = defs.resolve_job_def("files_job").execute_in_process(
            run_config=request.run_config,
            tags=request.tags,
            instance=instance,
            resources=default_resources(options),
            raise_on_error=False,
        )
        assert run.success
        stored = instance.get_run_by_id(run.run_id)
        assert stored is not None and stored.job_name == "files_job"
    assert [row[:2] for row in _rows(published_path(options.warehouse), PROVINCE_ROW)] == [
        ("H26", 91.5),
        ("H50", 83.5),
        ("H19", 71.0),
    ]
    assert letter.exists()  # never moved


def test_settings_come_from_options_then_the_environment() -> None:
    env = {
        "DVC766_WAREHOUSE": "/kho/env.duckdb",
        "DVC766_PORTAL_URL": "http://127.0.0.1:1",
        "DVC766_TODAY": "2026-11-23",
        "DVC766_REQUEST_DELAY": "0.5",
    }
    from_env = Settings.load(environ=env)
    assert (from_env.warehouse, from_env.raw_store) == ("/kho/env.duckdb", "warehouse/raw")
    assert from_env.today().isoformat() == "2026-11-23"
    given = Settings.load(warehouse="/kho/opt.duckdb", today="2026-10-01", environ=env)
    assert (given.warehouse, given.raw_store) == ("/kho/opt.duckdb", "/kho/raw")
    assert (
        given.today().isoformat() == "2026-10-01" and given.portal_url == env["DVC766_PORTAL_URL"]
    )
    pinned = Settings.load(warehouse="/kho/opt.duckdb", environ={"DVC766_RAW_STORE": "/r"})
    assert pinned.raw_store == "/r"
    resources = default_resources(given)
    assert resources["warehouse"].path == "/kho/opt.duckdb"
    assert resources["warehouse"].raw_store_dir == "/kho/raw"
    assert resources["portal"].base_url == "http://127.0.0.1:1"
    assert (resources["portal"].delay_s, resources["portal"].jitter_s) == (0.5, 0.25)
