"""Run the pipeline's jobs as real Dagster runs from Python (used by the CLI, the demo and
the benchmark): one run per call, on the local Dagster instance, recorded under the job's
name (``portal_job``, ``files_job``, ``rebuild_job``) with its partition range and tags."""

from __future__ import annotations

import logging
import os
import shutil
import socket
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import dagster as dg

from pipelines import settings
from pipelines.assets.files import PERIODS_TAG, PROVINCES_TAG, FilesPlan
from pipelines.cli_errors import DAGSTER_CONSOLE_LEVEL_ENV
from pipelines.partitions import key_of_month
from pipelines.resources import default_resources
from pipelines.settings import Settings
from warehouse.periods import Period

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DAGSTER_HOME = ".dagster_home"
log = logging.getLogger(__name__)


def local_instance() -> dg.DagsterInstance:
    """The local Dagster instance: ``$DAGSTER_HOME`` or ``.dagster_home/``, created with the
    project's ``dagster.yaml`` when missing."""
    home = Path(os.environ.get("DAGSTER_HOME") or DEFAULT_DAGSTER_HOME).resolve()
    home.mkdir(parents=True, exist_ok=True)
    config = home / "dagster.yaml"
    if not config.exists():
        shutil.copyfile(PROJECT_ROOT / "dagster.yaml", config)
    os.environ["DAGSTER_HOME"] = str(home)
    return dg.DagsterInstance.get()


PID_TAG = "dvc766/pid"
HOST_TAG = "dvc766/host"
WHAT_TAG = "dvc766/what"
"""What a run started by :func:`materialize_months` does, in words (Vietnamese)."""
WAREHOUSE_POOL = "warehouse"
WAIT_POLL_S = 2.0
"""Seconds between two looks at whether the warehouse is free."""
WAIT_MAX_S = 6 * 3600.0
"""The longest a run waits for the warehouse before giving up."""
_LIVE_STATUSES = [
    dg.DagsterRunStatus.NOT_STARTED,
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
]


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def release_orphaned_runs(instance: dg.DagsterInstance) -> list[str]:
    """Fail the in-process runs this machine started whose process has died (killed,
    crashed, power cut) and free their ``warehouse`` pool slots, so the next run is not
    blocked forever by a dead run's claim. Returns the ids released."""
    released = []
    for record in instance.get_run_records(
        filters=dg.RunsFilter(statuses=_LIVE_STATUSES, tags={HOST_TAG: socket.gethostname()})
    ):
        run = record.dagster_run
        pid = run.tags.get(PID_TAG, "")
        if pid.isdigit() and not _process_alive(int(pid)):
            instance.report_run_failed(run, message=f"process {pid} died before the run ended")
            instance.event_log_storage.free_concurrency_slots_for_run(run.run_id)
            released.append(run.run_id)
    return released


class WarehouseBusy(RuntimeError):
    """Another run kept the warehouse longer than the caller was willing to wait."""


def warehouse_holders(instance: dg.DagsterInstance) -> list[dg.RunRecord]:
    """Runs in progress that write the warehouse: those carrying the writer tag and
    those holding a slot of the ``warehouse`` pool (e.g. a materialization from the UI)."""
    records = {
        r.dagster_run.run_id: r
        for r in instance.get_run_records(
            filters=dg.RunsFilter(statuses=_LIVE_STATUSES, tags=settings.WAREHOUSE_WRITE_TAGS)
        )
    }
    slot_runs = sorted(set(_pool_steps(instance)) - set(records))
    if slot_runs:
        for r in instance.get_run_records(
            filters=dg.RunsFilter(run_ids=slot_runs, statuses=_LIVE_STATUSES)
        ):
            records[r.dagster_run.run_id] = r
    return sorted(records.values(), key=lambda r: r.create_timestamp)


def _pool_steps(instance: dg.DagsterInstance) -> dict[str, str]:
    """The step holding each claimed slot of the ``warehouse`` pool, by run id."""
    storage = instance.event_log_storage
    if not storage.supports_global_concurrency_limits:
        return {}
    info = storage.get_concurrency_info(WAREHOUSE_POOL)
    return {slot.run_id: slot.step_key for slot in info.claimed_slots}


def describe_run(record: dg.RunRecord, step: str | None = None) -> str:
    """A run for the user, in Vietnamese: short id, what it does, since when, and the
    step holding the warehouse when known."""
    run = record.dagster_run
    tags = run.tags
    what = tags.get(WHAT_TAG)
    if what is None:
        if "dagster/schedule_name" in tags:
            what = f"lịch {tags['dagster/schedule_name']}"
        elif "dagster/sensor_name" in tags:
            what = f"cảm biến {tags['dagster/sensor_name']}"
        else:
            what = f"job {run.job_name}"
        first = tags.get("dagster/asset_partition_range_start")
        last = tags.get("dagster/asset_partition_range_end")
        if first and last:
            what += f", tháng {first[:7]} → {last[:7]}"
    began = datetime.fromtimestamp(
        record.start_time or record.create_timestamp.timestamp(), ZoneInfo(settings.TIMEZONE)
    )
    doing = f"đang ghi ở bước {step}" if step else "đang chạy"
    return f"lần chạy {run.run_id[:8]} ({what}; từ {began:%H:%M:%S}) {doing}"


def wait_for_warehouse(
    instance: dg.DagsterInstance,
    *,
    poll_s: float = WAIT_POLL_S,
    max_wait_s: float = WAIT_MAX_S,
    notify: Callable[[str], None] = log.warning,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Return once no other run writes the warehouse, telling the user (in Vietnamese)
    which run it waits for; raise ``WarehouseBusy`` after ``max_wait_s``.

    Dagster's in-process executor waits for a pool slot by polling without sleeping (a
    whole CPU core, and nothing said); a run that starts only when the warehouse is free
    never waits there. Runs of dead processes on this machine are released on the way.
    """
    started = time.monotonic()
    announced: list[str] = []
    while True:
        release_orphaned_runs(instance)
        holders = warehouse_holders(instance)
        if not holders:
            if announced:
                notify("Kho dữ liệu đã rảnh: bắt đầu chạy.")
            return
        steps = _pool_steps(instance)
        described = [describe_run(r, steps.get(r.dagster_run.run_id)) for r in holders]
        ids = [r.dagster_run.run_id for r in holders]
        if ids != announced:
            notify(f"Đang chờ kho dữ liệu: {'; '.join(described)} …")
            announced = ids
        if time.monotonic() - started >= max_wait_s:
            raise WarehouseBusy(
                f"Kho dữ liệu vẫn bận sau {max_wait_s / 60:g} phút chờ: {'; '.join(described)}. "
                "Chạy lại sau, hoặc dừng lần chạy đó trong Dagster UI."
            )
        sleep(poll_s)


def _months(first_key: str, last_key: str) -> str:
    """``2026-08`` or ``2026-01 → 2026-06``: the months of a partition range."""
    return first_key[:7] if first_key == last_key else f"{first_key[:7]} → {last_key[:7]}"


def _what(first_key: str, last_key: str, capture_config: dict | None, captures: bool) -> str:
    """What a run of :func:`materialize_months` does, for :data:`WHAT_TAG`."""
    config = capture_config or {}
    months = _months(first_key, last_key)
    if not captures:
        return f"tính lại tháng {months} từ kho thô"
    periods = config.get("periods") or []
    what = f"thu thập kỳ {', '.join(periods)}" if periods else f"thu thập tháng {months}"
    provinces = config.get("provinces") or []
    what += f", tỉnh {', '.join(provinces)}" if provinces else ", toàn quốc"
    if config.get("source") == "legacy":
        what += " (API cũ)"
    return what[:200]


def anchor_month(period: Period, today) -> str:
    """The partition key a period is captured under: its last month, or the open month."""
    if period.is_open(today):
        return key_of_month(today)
    return key_of_month(period.end)


def _job(name: str) -> dg.JobDefinition:
    from pipelines.definitions import defs

    return defs.resolve_job_def(name)


def run_job(
    job_name: str,
    first_key: str,
    last_key: str,
    *,
    run_config: Mapping[str, Any],
    tags: Mapping[str, str],
    what: str,
    options: Settings | None = None,
    instance: dg.DagsterInstance | None = None,
    quiet: bool = True,
    max_wait_s: float = WAIT_MAX_S,
) -> dg.ExecuteInProcessResult:
    """Run the code location's job ``job_name`` over the partition range [first_key,
    last_key] in one run, with resources built from ``options`` (default: the
    environment's settings), once no other run writes the warehouse
    (:func:`wait_for_warehouse`, at most ``max_wait_s``). The run is recorded under the
    job's name with its partition range, ``tags`` and ``what`` (:data:`WHAT_TAG`)."""
    config: dict[str, Any] = dict(run_config)
    if quiet:
        level = os.environ.get(DAGSTER_CONSOLE_LEVEL_ENV, "WARNING")
        config["loggers"] = {"console": {"config": {"log_level": level}}}
    run_tags = {
        "dagster/asset_partition_range_start": first_key,
        "dagster/asset_partition_range_end": last_key,
        **settings.WAREHOUSE_WRITE_TAGS,
        PID_TAG: str(os.getpid()),
        HOST_TAG: socket.gethostname(),
        WHAT_TAG: what[:200],
        **tags,
    }
    job = _job(job_name)
    instance = instance or local_instance()
    wait_for_warehouse(instance, max_wait_s=max_wait_s)
    return job.execute_in_process(
        run_config=config,
        instance=instance,
        tags=run_tags,
        resources=default_resources(options),
        raise_on_error=False,
    )


def materialize_months(
    first_key: str,
    last_key: str,
    *,
    capture_config: dict | None = None,
    core_config: dict | None = None,
    rebuild: bool = False,
    options: Settings | None = None,
    instance: dg.DagsterInstance | None = None,
    quiet: bool = True,
    max_wait_s: float = WAIT_MAX_S,
) -> dg.ExecuteInProcessResult:
    """Capture the portal over the partition range [first_key, last_key] in one run of
    ``portal_job``, or with ``rebuild`` normalise it again from the raw store in one run
    of ``rebuild_job`` (:func:`run_job`). Tagged with the periods and provinces asked
    for (:data:`PERIODS_TAG`, :data:`PROVINCES_TAG`) and the source."""
    run_config: dict = {"ops": {}}
    if capture_config and not rebuild:
        run_config["ops"]["raw_portal__captures"] = {"config": capture_config}
    if core_config:
        run_config["ops"]["core_portal"] = {"config": core_config}
    config = capture_config or {}
    tags = {
        PERIODS_TAG: ", ".join(config.get("periods") or []) or _months(first_key, last_key),
        PROVINCES_TAG: ", ".join(config.get("provinces") or []) or "all",
    }
    if not rebuild:
        tags["dvc766/source"] = config.get("source", "current")
    return run_job(
        "rebuild_job" if rebuild else "portal_job",
        first_key,
        last_key,
        run_config=run_config,
        tags=tags,
        what=_what(first_key, last_key, capture_config, not rebuild),
        options=options,
        instance=instance,
        quiet=quiet,
        max_wait_s=max_wait_s,
    )


def ingest_files(
    plan: FilesPlan,
    *,
    options: Settings | None = None,
    instance: dg.DagsterInstance | None = None,
    quiet: bool = True,
    max_wait_s: float = WAIT_MAX_S,
) -> dg.ExecuteInProcessResult:
    """Record the planned files and take them through core, the marts and the
    publication in one run of ``files_job`` over their partitions (:func:`run_job`)."""
    first, last = plan.partition_range
    names = [reading.result.file_name for _, reading in plan.readings]
    return run_job(
        "files_job",
        first,
        last,
        run_config=plan.run_config(),
        tags=plan.tags(),
        what=f"nhập tệp {', '.join(names)}",
        options=options,
        instance=instance,
        quiet=quiet,
        max_wait_s=max_wait_s,
    )


def month_keys_between(first: str, last: str) -> Sequence[str]:
    """Partition keys from month ``first`` to ``last`` (``YYYY-MM`` labels), inclusive."""
    start, end = Period.parse(first), Period.parse(last)
    if start.period_type != "month" or end.period_type != "month":
        raise ValueError("backfill nhận tháng: --from YYYY-MM --to YYYY-MM")
    if end < start:
        raise ValueError(f"--to {last} trước --from {first}")
    keys, current = [], start
    while current <= end:
        keys.append(key_of_month(current.start))
        current = current.next()
    return keys
