"""A failure is never reported as success, and one bad reply never blocks the pipeline.

The ``dvc766`` command end to end: the real CLI (typer's CliRunner on ``pipelines.cli.app``),
real Dagster runs on a local instance, the real httpx client against the local portal over
HTTP on 127.0.0.1 (with scripted faults), and real DuckDB files under tmp_path. Each test
checks the exit code, the Vietnamese summary, the Dagster run's status and what the
published file holds.
"""

from __future__ import annotations

import ast
import re
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import duckdb
import pytest
from typer.testing import CliRunner, Result

from fake_portal.server import FakePortal
from pipelines.assets.core import CORE_CHECKS
from pipelines.assets.raw import raw_portal__captures
from pipelines.cli import app
from pipelines.resources import WarehouseResource
from pipelines.sources.portal.client import PortalBlocked, PortalRequestFailed
from tests.helpers import resources_for
from warehouse.outcome import record_run_captures
from warehouse.publish import published_path
from warehouse.reasons import REASONS, capture_problem, in_vietnamese

pytestmark = pytest.mark.integration
runner = CliRunner()
MONTH = "2026-10"
MONTH_START = date(2026, 10, 1)
MONTH_LABEL = "tháng 10/2026"
SOURCES_DIR = Path(__file__).resolve().parent.parent / "pipelines" / "sources"


@pytest.fixture
def env(cli_env: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh user's environment (see ``cli_env``), retries without waiting, and a
    terminal wide enough that no table cell wraps."""
    monkeypatch.setenv("DVC766_REQUEST_BACKOFF", "0")
    monkeypatch.setenv("COLUMNS", "400")
    return cli_env


def capture(*args: str) -> Result:
    """``dvc766 capture --period 2026-10 …``."""
    return runner.invoke(app, ["capture", "--period", MONTH, *args])


def province(portal: FakePortal, code: str) -> tuple[str, str]:
    """(unit id, ``code name`` as the summary writes it) of a province."""
    unit = portal.dataset.province_by_code(code)
    return unit.id, f"{code} {unit.name}"


def last_run() -> tuple[str, dg.DagsterRunStatus]:
    """The id and status of the latest run on the instance the CLI used."""
    record = dg.DagsterInstance.get().get_run_records(limit=1)[0]
    return record.dagster_run.run_id, record.dagster_run.status


def published_in_run(run_id: str) -> bool:
    """Whether run ``run_id`` published the warehouse."""
    event = dg.DagsterInstance.get().get_latest_materialization_event(
        dg.AssetKey("published_warehouse")
    )
    return event is not None and event.run_id == run_id


def published_units_under(env: Path, parent_id: str) -> int:
    """Rows of ``mart.unit_period_scores`` of the month under ``parent_id`` in the
    published file."""
    with duckdb.connect(str(published_path(env / "w.duckdb")), read_only=True) as con:
        return con.execute(
            """SELECT count(*) FROM mart.unit_period_scores
               WHERE parent_unit_id = ? AND period_type = 'month' AND period_start = ?""",
            [parent_id, MONTH_START],
        ).fetchone()[0]


def capture_raw_only(portal: FakePortal, env: Path, provinces: list[str]) -> None:
    """Capture the month into raw only (a real Dagster run of the capture asset), so
    that the next run's core step is the one loading it."""
    warehouse = WarehouseResource(path=str(env / "w.duckdb"), raw_store_dir=str(env / "raw"))
    result = dg.materialize(
        [raw_portal__captures],
        partition_key=f"{MONTH}-01",
        resources=resources_for(portal, warehouse),
        run_config={
            "ops": {
                "raw_portal__captures": {
                    "config": {"today": portal.today.isoformat(), "provinces": provinces}
                }
            }
        },
    )
    assert result.success


def province_capture(env: Path, unit_id: str) -> str:
    """The id of the latest capture of a province."""
    with duckdb.connect(str(env / "w.duckdb"), read_only=True) as con:
        return con.execute(
            """SELECT capture_id FROM raw.captures WHERE root_unit_id = ?
               ORDER BY captured_at DESC LIMIT 1""",
            [unit_id],
        ).fetchone()[0]


# --- Item 1: a failure is never reported as success ------------------------------------


def test_a_portal_that_is_down_fails_the_capture_every_time(env: Path, portal: FakePortal) -> None:
    h44_id, h44 = province(portal, "H44")
    first = capture("--province", "H44")
    assert first.exit_code == 0, first.output
    assert "✓" in first.output and "Lần thu thập: 2 đầy đủ." in first.output
    assert f"Kỳ: {MONTH_LABEL}." in first.output
    assert last_run()[1] == dg.DagsterRunStatus.SUCCESS
    before = published_units_under(env, h44_id)
    assert before > 0

    for _ in range(2):  # the second time the failed captures are byte-identical, not new
        down = capture("--province", "H44", "--portal-url", "http://127.0.0.1:9")
        assert down.exit_code == 1, down.output
        assert "hoàn tất" not in down.output and "thất bại" in down.output
        assert "Lần thu thập: 0 đầy đủ, 2 chưa đầy đủ." in down.output
        assert f"{MONTH_LABEL} · cả nước (bảng xếp hạng tỉnh): service-results:" in down.output
        assert f"{MONTH_LABEL} · {h44}: transparency: không kết nối được Cổng" in down.output
        assert "(sau 4 lần thử) (+5 lỗi khác)" in down.output
        run_id, status = last_run()
        assert status == dg.DagsterRunStatus.FAILURE
        # the run still went through to publication, and nothing verified was lost
        assert published_in_run(run_id)
        assert published_units_under(env, h44_id) == before


def test_a_backfill_against_a_portal_that_is_down_fails_with_a_one_screen_summary(
    env: Path, portal: FakePortal
) -> None:
    assert capture("--province", "H44").exit_code == 0  # a valid national list is stored
    down = runner.invoke(
        app,
        ["backfill", "--from", MONTH, "--to", MONTH, "--portal-url", "http://127.0.0.1:9"],
    )
    assert down.exit_code == 1, down.output
    assert "hoàn tất" not in down.output
    provinces = len(portal.dataset.provinces)
    assert f"Lần thu thập: 0 đầy đủ, {provinces + 1} chưa đầy đủ." in down.output
    summary = down.output.split("✗ Thu thập lại")[1]  # what follows the verdict
    problems = [line for line in summary.splitlines() if line.startswith("  ✗ ")]
    assert len(problems) == 15
    assert all("không kết nối được Cổng (sau 4 lần thử)" in line for line in problems)
    assert f"  … và {provinces + 1 - 15} lần khác" in down.output
    assert last_run()[1] == dg.DagsterRunStatus.FAILURE


def test_one_failing_province_is_named_and_the_others_are_published(
    env: Path, portal: FakePortal
) -> None:
    h44_id, h44 = province(portal, "H44")
    h01_id, _ = province(portal, "H01")
    portal.faults.add("transparency", "status", times=4, status=500)  # H44's four attempts
    result = capture("--province", "H44", "--province", "H01")
    assert result.exit_code == 1, result.output
    assert "Lần thu thập: 2 đầy đủ, 1 chưa đầy đủ." in result.output
    assert (
        f"✗ {MONTH_LABEL} · {h44}: transparency: Cổng trả lỗi HTTP 500 (sau 4 lần thử)"
        in result.output
    )
    assert "H01" not in result.output.split("Lần thu thập:")[1]  # only the failure is listed
    run_id, status = last_run()
    assert status == dg.DagsterRunStatus.FAILURE
    assert published_in_run(run_id)
    assert published_units_under(env, h01_id) > 0
    assert published_units_under(env, h44_id) == 0


def test_a_429_stops_the_capture_publishes_what_was_complete_then_fails(
    env: Path, portal: FakePortal
) -> None:
    h01_id, _ = province(portal, "H01")
    h44_id, h44 = province(portal, "H44")
    h15_id, _ = province(portal, "H15")
    portal.faults.add("provide-online-tree", "timeout", seconds=0)  # H01's: answered normally
    portal.faults.add("provide-online-tree", "status", status=429)  # H44's: the WAF says stop
    portal.request_log.clear()
    result = capture("--province", "H01", "--province", "H44", "--province", "H15")
    assert result.exit_code == 1, result.output
    assert (
        f"Đã dừng thu thập: bị Cổng chặn (HTTP 429) khi thu thập {MONTH_LABEL} · {h44}"
        in result.output
    )
    assert f"✗ {MONTH_LABEL} · {h44}: bị Cổng chặn (HTTP 429)" in result.output
    assert "Lần thu thập: 2 đầy đủ, 1 chưa đầy đủ." in result.output
    # nothing was asked after the refusal
    assert portal.request_log[-1][1].endswith("/provide-online-tree")
    assert all(body.get("rootDepartmentId") != h15_id for _, _, body in portal.request_log)
    run_id, status = last_run()
    assert status == dg.DagsterRunStatus.FAILURE
    assert published_in_run(run_id)
    assert published_units_under(env, h01_id) > 0
    assert published_units_under(env, h44_id) == 0


def test_a_raw_store_fault_found_by_core_fails_the_run_naming_the_file(
    env: Path, portal: FakePortal
) -> None:
    h44_id, h44 = province(portal, "H44")
    h01_id, _ = province(portal, "H01")
    capture_raw_only(portal, env, ["H44"])
    with duckdb.connect(str(env / "w.duckdb"), read_only=True) as con:
        (blob_path,) = con.execute(
            "SELECT blob_path FROM raw.responses WHERE capture_id = ? AND endpoint = ?",
            [province_capture(env, h44_id), "transparency"],
        ).fetchone()
    (env / "raw" / blob_path).unlink()

    result = capture("--province", "H01")
    assert result.exit_code == 1, result.output
    assert (
        f"✗ {MONTH_LABEL} · {h44}: tệp trong kho lưu trữ gốc bị mất: {blob_path}" in result.output
    )
    assert "Kho lưu trữ gốc: 1 tệp không đọc được" in result.output
    run_id, status = last_run()
    assert status == dg.DagsterRunStatus.FAILURE
    assert published_in_run(run_id)
    assert published_units_under(env, h01_id) > 0
    assert published_units_under(env, h44_id) == 0


# --- Item 3: one bad reply never blocks the pipeline -----------------------------------


def test_a_capture_failing_a_core_check_is_quarantined_and_never_blocks_again(
    env: Path, portal: FakePortal
) -> None:
    h44_id, h44 = province(portal, "H44")
    h01_id, _ = province(portal, "H01")
    capture_raw_only(portal, env, ["H44"])
    bad = province_capture(env, h44_id)
    # Seeded violation: a row core will hold for H44's capture once it is loaded, with a
    # score above its maximum (validation refuses such replies, so it is put in directly).
    with duckdb.connect(str(env / "w.duckdb")) as con:
        con.execute(
            """INSERT INTO core.group_scores
               SELECT response_id, capture_id, 'seeded-unit', period_type, period_start,
                      'CKMB', 99, 18, 1, NULL, FALSE, captured_at
               FROM raw.responses WHERE capture_id = ? AND endpoint = 'transparency'""",
            [bad],
        )

    second = capture("--province", "H44", "--province", "H01")
    assert second.exit_code == 1, second.output
    assert "Lần thu thập: 2 đầy đủ, 1 bị loại khỏi core." in second.output
    assert (
        f"✗ {MONTH_LABEL} · {h44}: bị loại khỏi core — điểm nhóm nằm ngoài khoảng "
        "[0, điểm tối đa]" in second.output
    )
    run_id, status = last_run()
    assert status == dg.DagsterRunStatus.FAILURE
    assert published_in_run(run_id)
    assert published_units_under(env, h01_id) > 0
    assert published_units_under(env, h44_id) == 0
    with duckdb.connect(str(env / "w.duckdb"), read_only=True) as con:
        assert con.execute(
            "SELECT count(*) FROM core.group_scores WHERE capture_id = ?", [bad]
        ).fetchone() == (0,)
        quarantine = con.execute(
            "SELECT endpoint, reason, detail FROM raw.quarantine WHERE capture_id = ?", [bad]
        ).fetchall()
        rejected = con.execute(
            "SELECT check_name, run_id, rejected_at FROM ops.rejected_captures"
        ).fetchall()
    assert quarantine == [
        (
            None,
            "group score outside [0, its maximum]",
            "core check scores_within_max: 1 offending row",
        )
    ]
    assert [(c, r) for c, r, _ in rejected] == [("scores_within_max", run_id)]

    # `status` names it: province, period, local time without microseconds, why.
    when = rejected[0][2].astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y %H:%M:%S")
    status_result = runner.invoke(app, ["status"])
    assert status_result.exit_code == 0, status_result.output
    listed = status_result.output.split("bị loại khỏi core")[1]
    assert re.search(
        rf"{re.escape(when)}\s*│\s*{MONTH_LABEL}\s*│\s*{re.escape(h44)}\s*│\s*scores_within_max"
        r"\s*│\s*điểm nhóm nằm ngoài khoảng \[0, điểm tối đa\]",
        listed,
    ), status_result.output

    # The next run is not blocked by it: the capture is not loaded again.
    third = capture("--province", "H44", "--province", "H01")
    assert third.exit_code == 0, third.output
    assert "✓" in third.output and "Lần thu thập: 3 đầy đủ." in third.output
    assert last_run()[1] == dg.DagsterRunStatus.SUCCESS
    assert published_units_under(env, h01_id) > 0


# --- The catalogue of reasons -----------------------------------------------------------


def _reason_samples() -> list[str]:
    """The reason (first argument) of every ``InvalidReply`` the fetching sources raise,
    with each f-string's fields filled with a sample value."""
    samples = []
    files = [
        *sorted((SOURCES_DIR / "portal").glob("*.py")),
        *sorted((SOURCES_DIR / "legacy").glob("*.py")),
        SOURCES_DIR / "decode.py",
        SOURCES_DIR / "ranges.py",
    ]
    for path in files:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "InvalidReply"
                and node.args
            ):
                continue
            first = node.args[0]
            if isinstance(first, ast.Constant):
                samples.append(first.value)
            elif isinstance(first, ast.JoinedStr):
                samples.append(
                    "".join(
                        part.value
                        if isinstance(part, ast.Constant)
                        else ("'X'" if part.conversion == ord("r") else "X")
                        for part in first.values
                    )
                )
    return samples


def test_every_reason_has_vietnamese_text() -> None:
    samples = _reason_samples()
    assert len(samples) > 40
    untranslated = [s for s in samples if in_vietnamese(s) == s or in_vietnamese(s + ": x") == s]
    assert untranslated == []
    assert in_vietnamese("field 'totalScore' missing") == "thiếu trường 'totalScore'"
    assert all(check.reason in REASONS for check in CORE_CHECKS if check.per_capture)
    assert in_vietnamese(str(PortalBlocked(429, "http://127.0.0.1/x"))) == (
        "bị Cổng chặn (HTTP 429)"
    )
    failed = PortalRequestFailed("http://127.0.0.1/x failed after 4 attempts: HTTP 502")
    assert capture_problem(f"dvc-progress-tree: {failed}") == (
        "dvc-progress-tree: Cổng trả lỗi HTTP 502 (sau 4 lần thử)"
    )
    assert in_vietnamese("a reason nobody wrote down") == "a reason nobody wrote down"


def test_run_captures_are_noted_once_each_and_a_stop_reason_is_kept(
    warehouse: WarehouseResource,
) -> None:
    """``record_run_captures`` writes a run's captures in one statement: a capture listed
    twice is noted once, as first listed; the stop marks only its capture; a later note
    of the same captures keeps the reason, and another run's notes are its own."""
    with warehouse.connect() as con:
        record_run_captures(con, "run-1", [("c1", True), ("c2", False), ("c1", False)])
        record_run_captures(
            con, "run-1", [("c2", False), ("c3", True)], stopped=("c3", "403 Forbidden")
        )
        record_run_captures(con, "run-1", [("c3", False)])
        record_run_captures(con, "run-2", [("c1", False)])
        record_run_captures(con, "run-2", [])
        rows = con.execute(
            "SELECT run_id, capture_id, is_new, stopped_reason FROM ops.run_captures ORDER BY ALL"
        ).fetchall()
    assert rows == [
        ("run-1", "c1", True, None),
        ("run-1", "c2", False, None),
        ("run-1", "c3", True, "403 Forbidden"),
        ("run-2", "c1", False, None),
    ]
