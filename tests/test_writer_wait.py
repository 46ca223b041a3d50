"""A run that finds the warehouse taken waits quietly for it and says for which run,
instead of spinning in Dagster's pool-claim loop; the file lock says so too."""

from __future__ import annotations

import fcntl
import logging
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines import settings
from pipelines.runner import (
    HOST_TAG,
    PID_TAG,
    PROJECT_ROOT,
    WarehouseBusy,
    local_instance,
    wait_for_warehouse,
)
from tests.helpers import province_id
from warehouse.connection import WarehouseLockTimeout, write_lock

WAITING = "Đang chờ kho dữ liệu: lần chạy "


@contextmanager
def holding_write_lock(db_path: Path) -> Iterator[None]:
    """Hold the warehouse's writer lock from this process (another open file description,
    so ``write_lock`` in this or any process has to wait for it)."""
    with open(db_path.with_name(db_path.name + ".lock"), "a+") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


class Lines:
    """The lines a child process writes to a pipe, collected by a thread."""

    def __init__(self, stream) -> None:
        self.lines: list[str] = []
        self._cond = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream) -> None:
        for line in stream:
            with self._cond:
                self.lines.append(line)
                self._cond.notify_all()

    def wait_for(self, text: str, timeout: float) -> str | None:
        """The first line containing ``text``, waiting up to ``timeout`` seconds."""
        with self._cond:
            self._cond.wait_for(lambda: any(text in line for line in self.lines), timeout)
            return next((line for line in self.lines if text in line), None)

    @property
    def text(self) -> str:
        self._thread.join(timeout=10)
        return "".join(self.lines)


def start_capture(province: str) -> tuple[subprocess.Popen, Lines]:
    """``dvc766 capture`` of October 2026 for one province, as its own process."""
    command = ["capture", "--period", "2026-10", "--province", province]
    process = subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", *command],
        cwd=PROJECT_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        encoding="utf-8",
    )
    return process, Lines(process.stderr)


def live_writer_run(instance: dg.DagsterInstance, timeout: float) -> dg.DagsterRun | None:
    """The first run in progress that carries the warehouse writer tag."""
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        records = instance.get_run_records(
            filters=dg.RunsFilter(
                statuses=[dg.DagsterRunStatus.STARTED], tags=settings.WAREHOUSE_WRITE_TAGS
            )
        )
        if records:
            return records[0].dagster_run
        time.sleep(0.2)
    return None


@pytest.mark.integration
@pytest.mark.timeout(600)
def test_a_second_run_waits_for_the_first_names_it_and_both_complete(cli_env: Path, portal) -> None:
    instance = local_instance()  # the instance's storage exists before two processes open it
    warehouse = cli_env / "w.duckdb"
    first = second = None
    try:
        # The first run holds the warehouse (it runs, and waits on the writer lock that
        # this test holds) until the second has said it waits for it.
        with holding_write_lock(warehouse):
            first, first_err = start_capture("H44")
            first_run = live_writer_run(instance, timeout=180)
            assert first_run is not None, first_err.text
            second, second_err = start_capture("H01")
            waiting = second_err.wait_for(WAITING, timeout=180)
            assert waiting is not None, second_err.lines
            assert f"{WAITING}{first_run.run_id[:8]} (thu thập kỳ 2026-10, tỉnh H44;" in waiting
            assert first_err.wait_for("Đang chờ khóa ghi của kho dữ liệu", timeout=60)
            assert second.poll() is None and first.poll() is None
        assert first.wait(timeout=300) == 0, first_err.text
        assert second.wait(timeout=300) == 0, second_err.text
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                process.kill()
    assert f"hoàn tất (run {first_run.run_id[:8]})" in first_err.text
    assert "Kho dữ liệu đã rảnh: bắt đầu chạy." in second_err.text
    records = {
        r.dagster_run.tags["dvc766/what"]: r
        for r in instance.get_run_records(filters=dg.RunsFilter(tags=settings.WAREHOUSE_WRITE_TAGS))
    }
    one, two = records["thu thập kỳ 2026-10, tỉnh H44"], records["thu thập kỳ 2026-10, tỉnh H01"]
    assert one.dagster_run.status == two.dagster_run.status == dg.DagsterRunStatus.SUCCESS
    assert two.start_time >= one.end_time  # the second ran after the first, not beside it
    with duckdb.connect(str(warehouse), read_only=True) as con:
        captured = con.execute(
            "SELECT root_unit_id, status FROM raw.captures WHERE scope = 'province'"
        ).fetchall()
    assert sorted(captured) == sorted(
        [(province_id(portal, "H44"), "complete"), (province_id(portal, "H01"), "complete")]
    )


def job_for_tags() -> dg.JobDefinition:
    @dg.op
    def write() -> None:
        """Stands for a run that writes the warehouse."""

    @dg.job(name="nightly_portal_job")
    def job() -> None:
        write()

    return job


def test_the_wait_is_bounded_and_names_the_run(tmp_path: Path) -> None:
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        run = instance.create_run_for_job(
            job_for_tags(),
            status=dg.DagsterRunStatus.STARTED,
            tags={
                **settings.WAREHOUSE_WRITE_TAGS,
                "dagster/schedule_name": "nightly_portal_capture",
                "dagster/asset_partition_range_start": "2026-09-01",
                "dagster/asset_partition_range_end": "2026-11-01",
                HOST_TAG: "this-host",
                PID_TAG: str(os.getpid()),
            },
        )
        said: list[str] = []
        with pytest.raises(WarehouseBusy, match="Kho dữ liệu vẫn bận sau"):
            wait_for_warehouse(instance, poll_s=0.01, max_wait_s=0.2, notify=said.append)
    assert len(said) == 1  # said once, not at every look
    assert said[0].startswith(
        f"{WAITING}{run.run_id[:8]} (lịch nightly_portal_capture, tháng 2026-09 → 2026-11; từ "
    )
    assert said[0].endswith(") đang chạy …")


def test_a_dead_process_run_does_not_keep_the_warehouse(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True).stdout.strip()  # fmt: skip
    with dg.instance_for_test(temp_dir=str(tmp_path)) as instance:
        run = instance.create_run_for_job(
            job_for_tags(),
            status=dg.DagsterRunStatus.STARTED,
            tags={**settings.WAREHOUSE_WRITE_TAGS, HOST_TAG: socket.gethostname(), PID_TAG: dead},
        )
        said: list[str] = []
        wait_for_warehouse(instance, poll_s=0.01, max_wait_s=5, notify=said.append)
        assert instance.get_run_by_id(run.run_id).status == dg.DagsterRunStatus.FAILURE
    assert said == []


def test_the_file_lock_says_it_waits_once(tmp_path: Path, caplog) -> None:
    db = tmp_path / "w.duckdb"
    caplog.set_level(logging.WARNING, logger="warehouse.connection")
    with holding_write_lock(db), pytest.raises(WarehouseLockTimeout), write_lock(db, 0.6):
        pass
    waits = [r.getMessage() for r in caplog.records if "Đang chờ khóa ghi" in r.getMessage()]
    assert waits == [
        f"Đang chờ khóa ghi của kho dữ liệu {db}: một tiến trình khác đang ghi "
        "(chờ tối đa 1 giây) …"
    ]
