"""Leftovers and limits: a publish killed midway leaves nothing behind the next one; a
workbook that would expand too far is quarantined unread while the other files of the same
ingest load; a link out of the inbox is never read; an OS error (here a warehouse path
through a regular file) reaches the CLI user as one Vietnamese line, not a traceback."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from pathlib import Path

import dagster as dg
import duckdb
import pytest
import xlsxwriter
from typer.testing import CliRunner

from fake_portal.server import FakePortal
from pipelines.assets.files import plan_files
from pipelines.cli import app
from pipelines.cli_errors import os_problem, problem_line
from pipelines.resources import WarehouseResource
from pipelines.runner import ingest_files
from pipelines.sensors import inbox_sensor
from pipelines.settings import Settings
from pipelines.sources.files.ingest import sha256_of_path
from tests.file_ingest import ingest_path
from warehouse.derive import rebuild_marts
from warehouse.publish import publish, published_path

PROJECT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "files"
MART = "SELECT * FROM mart.unit_period_scores ORDER BY ALL"
# A table of Quảng Trị's departments, read with --period 2023 --province H50.
GOOD_CSV = "STT;Tên đơn vị;Số hóa hồ sơ (%)\n1;Sở Tư pháp;90\n".encode()


def _rows(database: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


# --- publish: what a killed publish leaves, the next one removes ---------------------------

# Run a real publish in a child process that SIGKILLs itself at a chosen moment (an audit
# hook on the operating-system call), or waits there until a flag file appears.
_CHILD = """
import os, signal, sys, time
from pathlib import Path
working, stage, flag = sys.argv[1], sys.argv[2], sys.argv[3]
state = {"inside": False}

def hook(event, args):
    if state["inside"] or not args:
        return
    name = os.path.basename(str(args[0]))
    at_copy = stage == "copy" and event == "os.chmod" and name.startswith(".publish-")
    at_swap = stage in ("swap", "pause") and event == "os.rename" and name.startswith(".parquet-")
    if not (at_copy or at_swap):
        return
    if stage != "pause":
        os.kill(os.getpid(), signal.SIGKILL)
    state["inside"] = True
    Path(flag + ".paused").touch()
    while not Path(flag).exists():
        time.sleep(0.05)
    state["inside"] = False

sys.addaudithook(hook)
from warehouse.publish import publish
publish(working)
"""


def _child(working: Path, stage: str, flag: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", _CHILD, str(working), stage, str(flag)],
        cwd=PROJECT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


@pytest.fixture
def built(warehouse: WarehouseResource) -> Path:
    """A working warehouse with marts (a saved portal page of seven provinces)."""
    with warehouse.connect() as con:
        assert ingest_path(con, warehouse.store(), FIXTURES / "provinces_2024.html").outcome == (
            "ingested"
        )
        rebuild_marts(con)
    working = Path(warehouse.path)
    assert _rows(working, "SELECT count(*) FROM mart.unit_period_scores")[0][0] > 0
    return working


def _assert_published(working: Path) -> None:
    """The publication holds the working marts, in DuckDB and in Parquet."""
    published = published_path(working)
    expected = _rows(working, MART)
    assert _rows(published, MART) == expected
    parquet = published.parent / "parquet" / "unit_period_scores" / "**" / "*.parquet"
    assert _rows(published, "SELECT count(*) FROM read_parquet(?)", [str(parquet)]) == [
        (len(expected),)
    ]


def test_a_killed_publish_leaves_nothing_behind_the_next_one(built: Path, tmp_path: Path) -> None:
    publish(built)
    folder = published_path(built).parent

    def leftovers() -> list[str]:
        return sorted(
            p.name for p in folder.iterdir() if p.name.startswith((".publish-", ".parquet-"))
        )

    # killed with its copy made (and the Parquet export staged beside it, written while
    # the copy ran), before renaming the copy over the publication
    child = _child(built, "copy", tmp_path / "never")
    assert child.wait(timeout=120) == -9, child.stdout.read()
    copies = leftovers()
    assert len(copies) == 2
    assert copies[0].startswith(".parquet-") and copies[1].endswith(".duckdb")
    # killed between the two renames that swap the Parquet folder: the next publish
    # (this one) removed the copy and the staging folder above before dying
    child = _child(built, "swap", tmp_path / "never")
    assert child.wait(timeout=120) == -9, child.stdout.read()
    staging = leftovers()
    assert len(staging) == 1 and staging[0].startswith(".parquet-")
    assert staging[0] not in copies
    assert not (folder / "parquet").exists() and (folder / "parquet.old").is_dir()
    # and leftovers named as the code names them, planted
    os.close(tempfile.mkstemp(dir=folder, prefix=".publish-", suffix=".duckdb")[0])
    planted_dir = Path(tempfile.mkdtemp(dir=folder, prefix=".parquet-"))
    (planted_dir / "unit_period_scores").mkdir()
    (planted_dir / "unit_period_scores" / "data_0.parquet").write_bytes(b"PAR1")
    assert len(leftovers()) == 3
    # what is not ours stays: a look-alike file, an analyst's folder, a link out
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "keep.txt").write_text("x")
    (folder / ".publish-notes.txt").write_text("x")
    (folder / "phan-tich.parquet-cu").mkdir()
    (folder / ".parquet-abcd1234").symlink_to(outside, target_is_directory=True)

    publish(built)

    assert sorted(p.name for p in folder.iterdir()) == [
        ".parquet-abcd1234",
        ".publication.lock",
        ".publish-notes.txt",
        "dvc766.duckdb",
        "parquet",
        "phan-tich.parquet-cu",
    ]
    assert (outside / "keep.txt").exists()
    _assert_published(built)


def test_a_live_publish_keeps_its_files_while_another_waits(built: Path, tmp_path: Path) -> None:
    publish(built)
    folder = published_path(built).parent
    flag = tmp_path / "go"
    child = _child(built, "pause", flag)  # stops just before swapping its Parquet folder
    deadline = time.monotonic() + 120
    while not Path(f"{flag}.paused").exists():
        assert child.poll() is None and time.monotonic() < deadline, child.stdout.read()
        time.sleep(0.05)
    staging = [p for p in folder.iterdir() if p.name.startswith(".parquet-")]
    assert len(staging) == 1
    second = threading.Thread(target=publish, args=(built,))
    second.start()
    second.join(timeout=1.5)
    assert second.is_alive(), "a second publish ran during a live one"
    assert staging[0].is_dir()  # the live publish's staging folder is untouched
    flag.touch()
    output = child.communicate(timeout=120)[0].decode()
    assert child.returncode == 0, output
    second.join(timeout=120)
    assert not second.is_alive()
    assert not [p for p in folder.iterdir() if p.name.startswith((".parquet-", ".publish-"))]
    _assert_published(built)


# --- a workbook that would expand too far ----------------------------------------------------


def _workbook() -> bytes:
    """A valid workbook: Quảng Trị's departments with a percent-formatted rate."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True})
    sheet = workbook.add_worksheet("Phụ lục")
    sheet.write_row(0, 0, ["STT", "Tên đơn vị", "Số hóa hồ sơ (%)"])
    sheet.write_row(1, 0, [1, "Sở Y tế"])
    sheet.write_number(1, 2, 0.8, workbook.add_format({"num_format": "0.00%"}))
    workbook.close()
    return buffer.getvalue()


def _inflated(part: str, marker: bytes, filler: bytes) -> bytes:
    """The workbook with ``filler`` inserted before ``marker`` in one of its parts."""
    source = zipfile.ZipFile(io.BytesIO(_workbook()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == part:
                assert marker in data
                data = data.replace(marker, filler + marker, 1)
            target.writestr(info.filename, data)
    return out.getvalue()


BOMBS = {
    # 60 MB of one shared string: beyond the 50 MB cap in all
    "tong-dung-luong": (
        "xl/sharedStrings.xml",
        b"</sst>",
        b"<si><t>" + b"A" * 60_000_000 + b"</t></si>",
        "tệp Excel quá lớn khi giải nén",
    ),
    # 8 MB of blanks in the sheet: under the cap, but compressed about a thousand times
    "ty-le-nen": (
        "xl/worksheets/sheet1.xml",
        b"</sheetData>",
        b" " * 8_000_000,
        "tệp Excel nén bất thường",
    ),
}


@pytest.mark.timeout(120)
@pytest.mark.parametrize("kind", list(BOMBS))
def test_a_workbook_that_would_expand_too_far_is_quarantined_unread(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, kind: str
) -> None:
    part, marker, filler, reason = BOMBS[kind]
    bomb = tmp_path / "bom.xlsx"
    bomb.write_bytes(_inflated(part, marker, filler))
    assert bomb.stat().st_size < 300_000
    good = tmp_path / "tot.csv"
    good.write_bytes(GOOD_CSV)
    plain = tmp_path / "phu-luc.xlsx"  # the same workbook, not inflated
    plain.write_bytes(_workbook())
    database = tmp_path / "w.duckdb"
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster"))
    monkeypatch.setenv("DVC766_WAREHOUSE", str(database))
    monkeypatch.setenv("DVC766_RAW_STORE", str(tmp_path / "raw"))
    result = CliRunner().invoke(
        app,
        ["ingest", str(bomb), str(good), str(plain), "--period", "2023", "--province", "H50"],
    )
    assert result.exit_code == 1, result.output
    assert "✗ bom.xlsx: bị cách ly" in result.output
    assert f"Lý do: {reason}" in result.output
    assert "✓ tot.csv: đã nhập" in result.output and "✓ phu-luc.xlsx: đã nhập" in result.output
    quarantined = _rows(database, "SELECT reason, detail, sha256 FROM raw.quarantine")
    assert [(q[0], q[2]) for q in quarantined] == [(reason, sha256_of_path(bomb))]
    assert "không đọc" in quarantined[0][1]
    assert _rows(database, "SELECT status, count(*) FROM raw.captures GROUP BY 1 ORDER BY 1") == [
        ("complete", 2),
        ("incomplete", 1),
    ]
    assert _rows(
        database, "SELECT unit_id, metric_code, ratio FROM core.metric_values ORDER BY 1"
    ) == [
        ("pre2025:45:so-tu-phap", "MDSH_RATE", 90.0),
        ("pre2025:45:so-y-te", "MDSH_RATE", 80.0),
    ]


# --- links out of the inbox -------------------------------------------------------------------


def test_a_link_out_of_the_inbox_is_never_read(
    warehouse: WarehouseResource, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inbox, outside = tmp_path / "inbox", tmp_path / "ngoai"
    inbox.mkdir()
    outside.mkdir()
    secret = outside / "bi-mat.csv"
    secret.write_bytes(GOOD_CSV.replace(b"90", b"77"))
    good = inbox / "tot.csv"
    good.write_bytes(GOOD_CSV)
    link = inbox / "lien-ket.csv"
    link.symlink_to(secret)
    past = time.time() - 60
    for path in (good, secret):
        os.utime(path, (past, past))
    monkeypatch.setenv("DVC766_INBOX", str(inbox))
    with dg.instance_for_test() as instance:
        first = inbox_sensor(dg.build_sensor_context(instance=instance))
        requested = {
            f["path"]
            for r in first.run_requests
            for f in r.run_config["ops"]["raw_files__captures"]["config"]["files"]
        }
        assert requested == {str(good.resolve())}
        assert sha256_of_path(secret) not in {r.run_key for r in first.run_requests}
        second = inbox_sensor(dg.build_sensor_context(instance=instance, cursor=first.cursor))
        assert not second.run_requests
        assert "bỏ qua 1 liên kết trỏ ra ngoài hộp thư" in second.skip_reason.skip_message
        # asked to ingest the link anyway (a run launched by hand): quarantined, unread
        run = ingest_files(
            plan_files([link]),
            options=Settings(warehouse=warehouse.path, raw_store=warehouse.raw_store_dir),
            instance=instance,
        )
    assert not run.success
    failure = next(e for e in run.all_events if e.is_step_failure)
    message = failure.step_failure_data.error.message
    assert "tệp lien-ket.csv: bị cách ly — liên kết trỏ ra ngoài hộp thư" in message
    database = Path(warehouse.path)
    quarantined = _rows(database, "SELECT reason, detail, sha256, capture_id FROM raw.quarantine")
    assert len(quarantined) == 1
    reason, detail, sha, capture = quarantined[0]
    assert (reason, sha, capture) == ("liên kết trỏ ra ngoài hộp thư", None, None)
    assert str(secret) in detail
    assert _rows(database, "SELECT count(*) FROM raw.captures") == [(0,)]
    assert not warehouse.store().path_for(sha256_of_path(secret)).exists()


# --- OS errors at the command line ------------------------------------------------------------


def _dvc766(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """The installed ``dvc766`` console script (pyproject's entry point)."""
    script = Path(sys.executable).with_name("dvc766")
    assert script.exists(), "the project is not installed (uv sync)"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DVC766_", "DAGSTER_"))}
    return subprocess.run(
        [str(script), *args],
        cwd=PROJECT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def _blocked_warehouse(tmp_path: Path) -> Path:
    """A warehouse path through a regular file: ENOTDIR, even for root."""
    blocker = tmp_path / "tep-thuong"
    blocker.write_text("không phải thư mục")
    return blocker / "kho" / "w.duckdb"


VIETNAMESE_LINE = "Lỗi: một phần của đường dẫn là tệp, không phải thư mục"


def test_an_os_error_is_one_vietnamese_line_not_a_traceback(tmp_path: Path) -> None:
    good = tmp_path / "tot.csv"
    good.write_bytes(GOOD_CSV)
    args = ["ingest", str(good), "--period", "2023", "--province", "H50"]
    args += ["--warehouse", str(_blocked_warehouse(tmp_path))]
    done = _dvc766(args, {})
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    assert "Traceback" not in output
    assert output.strip().splitlines() == [
        f"{VIETNAMESE_LINE}: {tmp_path / 'tep-thuong' / 'kho'} — kiểm tra đường dẫn "
        "(--warehouse, DVC766_WAREHOUSE, DVC766_RAW_STORE, DAGSTER_HOME). "
        "Thêm --debug để xem chi tiết."
    ]
    for debug_args, env in ((["--debug", *args], {}), (args, {"DVC766_DEBUG": "1"})):
        debug = _dvc766(debug_args, env)
        assert debug.returncode != 0
        assert "Traceback" in debug.stderr and "NotADirectoryError" in debug.stderr


@pytest.mark.integration
def test_an_os_error_inside_a_dagster_run_is_the_same_line(
    tmp_path: Path, portal: FakePortal
) -> None:
    args = ["capture", "--period", "2026-10", "--province", "H44"]
    args += ["--warehouse", str(_blocked_warehouse(tmp_path))]
    env = {
        "DAGSTER_HOME": str(tmp_path / "dagster"),
        "DVC766_PORTAL_URL": portal.url,
        "DVC766_REQUEST_DELAY": "0",
        "DVC766_TODAY": "2026-11-23",
    }
    done = _dvc766(args, env)
    output = done.stdout + done.stderr
    assert done.returncode == 1, output
    for trace in ("Traceback", "Stack Trace", "dagster._core"):
        assert trace not in output
    errors = [line.strip() for line in output.splitlines() if "Lỗi" in line]
    assert len(errors) == 1 and errors[0].startswith(VIETNAMESE_LINE), output
    assert "thất bại" in output


def test_duckdb_and_python_os_errors_read_the_same() -> None:
    """DuckDB reports its OS errors as IOException: found and worded like Python's."""
    with tempfile.TemporaryDirectory() as folder:
        blocker = Path(folder) / "tep"
        blocker.write_text("x")
        with pytest.raises(duckdb.IOException) as from_duckdb:
            duckdb.connect(str(blocker / "w.duckdb"))
        with pytest.raises(NotADirectoryError) as from_python:
            (blocker / "kho").mkdir()
    for caught in (from_duckdb.value, from_python.value):
        try:
            raise RuntimeError("bọc ngoài") from caught
        except RuntimeError as wrapped:
            problem = os_problem(wrapped)
        assert problem is not None
        assert problem_line(problem).startswith(VIETNAMESE_LINE)
