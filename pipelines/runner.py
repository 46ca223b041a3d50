"""Run the pipeline's assets as real Dagster materializations from Python (used by the
CLI and the demo): one run per call, on the local Dagster instance."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Sequence
from pathlib import Path

import dagster as dg

from pipelines import settings
from pipelines.partitions import key_of_month
from pipelines.periods import Period
from pipelines.resources import default_resources

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DAGSTER_HOME = ".dagster_home"
_QUIET_LOGGERS = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}


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


def anchor_month(period: Period, today) -> str:
    """The partition key a period is captured under: its last month, or the open month."""
    if period.is_open(today):
        return key_of_month(today)
    return key_of_month(period.end)


def _assets() -> list:
    from pipelines.definitions import defs

    return list(defs.assets or [])


def materialize_months(
    first_key: str,
    last_key: str,
    *,
    capture_config: dict | None = None,
    instance: dg.DagsterInstance | None = None,
    quiet: bool = True,
) -> dg.ExecuteInProcessResult:
    """Materialize every asset over the partition range [first_key, last_key] in one run."""
    run_config: dict = {}
    if capture_config:
        run_config["ops"] = {"raw_portal__captures": {"config": capture_config}}
    if quiet:
        run_config.update(_QUIET_LOGGERS)
    tags = {
        "dagster/asset_partition_range_start": first_key,
        "dagster/asset_partition_range_end": last_key,
        **settings.WAREHOUSE_WRITE_TAGS,
        PID_TAG: str(os.getpid()),
        HOST_TAG: socket.gethostname(),
    }
    instance = instance or local_instance()
    release_orphaned_runs(instance)
    return dg.materialize(
        _assets(),
        instance=instance,
        resources=default_resources(),
        run_config=run_config,
        tags=tags,
        raise_on_error=False,
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
