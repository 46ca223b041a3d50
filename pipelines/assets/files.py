"""raw_files__captures: files people already have (letters' appendix tables, Excel/CSV
exports, saved portal pages), recorded as captures in the raw store and the manifest.

Nothing here normalises: the same core asset as the portal's (``core_portal``) loads and
checks every pending capture of the run's partitions whatever its source, then the marts
are derived, the warehouse is published, and the run's outcome
(``ops_portal__capture_outcome``) fails the run when a file did not become a complete
capture. ``dvc766 ingest`` and ``inbox_sensor`` plan a run of ``files_job`` with
:func:`plan_files`: each file is read first (nothing written) to learn the monthly
partition its capture goes under, so the run covers exactly those partitions.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import dagster as dg
from pydantic import Field

from pipelines.partitions import monthly_partitions
from pipelines.resources import WarehouseResource
from pipelines.settings import inbox_path
from pipelines.sources.files.ingest import (
    FileReading,
    IngestOptions,
    IngestResult,
    note_run_file,
    read_path,
    record_reading,
)

FILES_KEY = "raw_files__captures"
OUT_OF_RANGE = "kỳ của tệp ngoài phạm vi lần chạy"
FILES_TAG = "dvc766/files"
PERIODS_TAG = "dvc766/periods"
PROVINCES_TAG = "dvc766/provinces"
_TAG_MAX = 1000
"""The longest tag value written (file names can be many)."""


class FileToIngest(dg.Config):
    """One file: its path, and the sha256 it had when the run was planned."""

    path: str
    sha256: str | None = None


class FilesConfig(dg.Config):
    """The files to record and what the user states about them (each overrides what a
    file says): ``period`` (2023-11, 2023-Q2, 2023-H1, 2023), ``province`` (H50, 45, a
    unit id or a name), ``cutoff`` ("2023-11-28 16:00" in Asia/Ho_Chi_Minh, or a date).
    ``ingested_at`` (ISO) stands for the time of ingestion, the cut-off of a file that
    states none, as the plan used it."""

    files: list[FileToIngest] = Field(default_factory=list)
    period: str | None = None
    province: str | None = None
    cutoff: str | None = None
    ingested_at: str | None = None


@dataclass(frozen=True)
class FilesPlan:
    """A run of ``files_job`` planned from the files as read now: the partitions it
    covers, its config and its tags."""

    readings: list[tuple[Path, FileReading]]
    options: IngestOptions
    ingested_at: datetime

    @property
    def partition_keys(self) -> list[str]:
        """The partitions the files' captures go under, in order, without repeats."""
        keys = {reading.partition_key for _, reading in self.readings}
        return sorted(key for key in keys if key is not None)

    @property
    def partition_range(self) -> tuple[str, str]:
        """First and last partition of the run (the open month when no file has one, so
        the run still records and reports the files that cannot become captures)."""
        keys = self.partition_keys
        if not keys:
            last = monthly_partitions.get_last_partition_key()
            assert last is not None
            return last, last
        return keys[0], keys[-1]

    def run_config(self) -> dict[str, Any]:
        """The run config of ``raw_files__captures``."""
        config: dict[str, Any] = {
            "files": [
                {"path": str(path.absolute()), "sha256": reading.result.sha256 or None}
                for path, reading in self.readings
            ],
            "ingested_at": self.ingested_at.isoformat(),
            **self.options.as_dict(),
        }
        return {"ops": {FILES_KEY: {"config": config}}}

    def tags(self) -> dict[str, str]:
        """The run's tags: its partition range, the files' names and periods, and the
        province given (the run adds the provinces it resolves, :data:`PROVINCES_TAG`)."""
        first, last = self.partition_range
        periods = []
        for _, reading in self.readings:
            period = reading.result.period
            if reading.refused is None and period is not None and period.label not in periods:
                periods.append(period.label)
        tags = {
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last,
            FILES_TAG: _joined(reading.result.file_name for _, reading in self.readings),
            PERIODS_TAG: _joined(periods),
        }
        if self.options.province:
            tags[PROVINCES_TAG] = self.options.province
        return tags


def plan_files(
    paths: Sequence[Path], options: IngestOptions | None = None, *, now: datetime | None = None
) -> FilesPlan:
    """Read each file (writing nothing) and plan the run that records them; ``now`` is
    the time of ingestion the run will use. A path named inside the inbox that leads out
    of it is not read, here as in the run."""
    options = options or IngestOptions()
    now = now or datetime.now(UTC)
    readings = [(path, read_path(path, options, now=now, inbox=_inbox_of(path))) for path in paths]
    return FilesPlan(readings, options, now)


def _joined(values: Iterable[str]) -> str:
    text = ", ".join(values)
    return text if len(text) <= _TAG_MAX else text[: _TAG_MAX - 1] + "…"


def _inbox_of(path: Path) -> Path | None:
    """The inbox, when ``path`` is named inside it: it must then resolve inside it too."""
    inbox = inbox_path().resolve()
    return inbox if Path(path).absolute().is_relative_to(inbox) else None


@dg.asset(
    key=FILES_KEY,
    group_name="raw",
    partitions_def=monthly_partitions,
    backfill_policy=dg.BackfillPolicy.single_run(),
    pool="warehouse",
    kinds={"python", "duckdb"},
    owners=["team:dvc766"],
    description=(
        "Files people already have (letters' appendix tables, Excel/CSV exports, saved "
        "portal pages) recorded as captures: bytes in the raw store, a capture and a "
        "response in raw.captures / raw.responses with the source's verdict, quarantined "
        "with a reason when they cannot be read; normalised and checked by core_portal "
        "like every capture of their partition. ops.run_files says what became of each."
    ),
)
def raw_files__captures(
    context: dg.AssetExecutionContext, config: FilesConfig, warehouse: WarehouseResource
) -> dg.MaterializeResult:
    """Record each configured file (read, never moved). A file that cannot become a
    capture is quarantined or skipped and noted; the run goes on to normalise and publish
    the others, and its last step fails naming it."""
    options = IngestOptions(config.period, config.province, config.cutoff)
    now = datetime.fromisoformat(config.ingested_at) if config.ingested_at else datetime.now(UTC)
    run_id = context.run.run_id
    keys = set(context.partition_keys)
    results: list[IngestResult] = []
    with warehouse.connect() as con:
        for index, item in enumerate(config.files):
            path = Path(item.path)
            reading = read_path(path, options, now=now, inbox=_inbox_of(path))
            result = reading.result
            if item.sha256 and result.sha256 and result.sha256 != item.sha256:
                context.log.warning(
                    f"{result.file_name} changed after it was planned (sha256 "
                    f"{item.sha256[:12]} → {result.sha256[:12]}): recording the current bytes"
                )
            key = reading.partition_key
            if key is not None and key not in keys:
                result.outcome, result.reason = "skipped", OUT_OF_RANGE
                result.detail = f"phân vùng {key[:7]}, lần chạy gồm {_span(sorted(keys))}"
            else:
                result = record_reading(con, warehouse.store(), reading, options, run_id=run_id)
            note_run_file(con, run_id, index, result)
            results.append(result)
            _log(context, result)
    provinces = sorted({r.root_name or r.root_unit_id for r in results if r.root_unit_id})
    if provinces:
        context.instance.add_run_tags(run_id, {PROVINCES_TAG: _joined(provinces)})
    counts = {
        outcome: sum(r.outcome == outcome for r in results)
        for outcome in ("ingested", "duplicate", "quarantined", "skipped")
    }
    return dg.MaterializeResult(
        metadata={
            "files": len(results),
            **{f"files_{outcome}": count for outcome, count in counts.items()},
            "new_captures": sum(r.is_new for r in results),
            "file_names": dg.MetadataValue.text(_joined(r.file_name for r in results)),
        }
    )


def _span(keys: list[str]) -> str:
    if not keys:
        return "không phân vùng nào"
    return keys[0][:7] if keys[0] == keys[-1] else f"{keys[0][:7]} → {keys[-1][:7]}"


def _log(context: dg.AssetExecutionContext, result: IngestResult) -> None:
    for warning in result.warnings:
        context.log.warning(f"{result.file_name}: {warning}")
    if result.outcome in ("quarantined", "skipped"):
        what = "skipped" if result.outcome == "skipped" else "quarantined"
        context.log.warning(f"{result.file_name} {what}: {result.reason} ({result.detail})")
        return
    context.log.info(f"{result.file_name}: {result.outcome} ({result.capture_id})")
