"""The inbox: files dropped in ``DVC766_INBOX`` (default ``warehouse/inbox/``) are ingested.

``inbox_sensor`` looks at the folder, hashes each new file and asks for one run of
``ingest_file_job`` per distinct content, keyed by the file's sha256: the same bytes are
never ingested twice, whatever their name, and a file changed in place is new bytes.
Nothing is moved or renamed; files stay where they are. The cursor remembers the hashes
seen and each file's (size, mtime) so unchanged files are not hashed again. A file still
being written (modified in the last ``DVC766_INBOX_SETTLE_SECONDS``, default 2 s) waits
for the next tick. A symbolic link whose target resolves outside the inbox is never read:
the sensor skips it and logs it (once), and the job quarantines it if asked to ingest it.
"""

import json
import os
import time
from pathlib import Path

import dagster as dg

from pipelines.resources import WarehouseResource
from pipelines.settings import WAREHOUSE_WRITE_TAGS
from pipelines.sources.files.ingest import IngestOptions, ingest_path, sha256_of_path
from warehouse.derive import rebuild_marts

DEFAULT_INBOX = "warehouse/inbox"
_IGNORED_SUFFIXES = (".part", ".crdownload", ".tmp", ".swp", ".lock")


def inbox_path() -> Path:
    """The inbox folder (``DVC766_INBOX``)."""
    return Path(os.environ.get("DVC766_INBOX", DEFAULT_INBOX))


def settle_seconds() -> float:
    """How long a file must be left unchanged before it is ingested."""
    return float(os.environ.get("DVC766_INBOX_SETTLE_SECONDS", "2"))


class IngestFileConfig(dg.Config):
    """Which file to ingest and what the user states about it."""

    path: str
    sha256: str | None = None  # the content the run was requested for
    period: str | None = None
    province: str | None = None
    cutoff: str | None = None
    rebuild_marts: bool = True


@dg.op(
    name="ingest_inbox_file",
    pool="warehouse",
    description=(
        "Ingest one file (letter, spreadsheet, saved portal page): raw store, manifest, "
        "quarantine with a reason if it cannot be read, core rows with matched units, marts."
    ),
    tags={"kind": "duckdb"},
)
def ingest_inbox_file(
    context: dg.OpExecutionContext, config: IngestFileConfig, warehouse: WarehouseResource
) -> dg.Output[None]:
    """Ingest the configured file; a quarantined file fails the run with its reason."""
    path = Path(config.path)
    if not path.is_file():
        raise dg.Failure(description=f"Tệp không còn trong hộp thư: {path.name}")
    inbox = inbox_path().resolve()
    # A file named inside the inbox must stay inside it once its links are followed.
    within = inbox if Path(os.path.abspath(path)).is_relative_to(inbox) else None
    options = IngestOptions(config.period, config.province, config.cutoff)
    with warehouse.connect() as con:
        result = ingest_path(
            con, warehouse.store(), path, options, run_id=context.run_id, inbox=within
        )
        if result.outcome == "ingested" and config.rebuild_marts:
            rebuild_marts(con)
    if config.sha256 and result.sha256 != config.sha256:
        context.log.warning(
            f"{result.file_name} changed after it was seen (sha256 {config.sha256[:12]} → "
            f"{result.sha256[:12]}): ingested the current bytes"
        )
    metadata = {
        "file_name": result.file_name,
        "sha256": result.sha256,
        "outcome": result.outcome,
        "source": result.source,
        "format": result.format or "",
        "capture_id": result.capture_id or "",
        "period": result.period.label if result.period else "",
        "province_unit_id": result.root_unit_id or "",
        "captured_at": result.captured_at.isoformat() if result.captured_at else "",
        "cutoff_source": result.cutoff_source or "",
    }
    for warning in result.warnings:
        context.log.warning(warning)
    if result.outcome == "quarantined":
        raise dg.Failure(
            description=f"Tệp {result.file_name} bị cách ly: {result.reason}",
            metadata={**metadata, "reason": result.reason or "", "detail": result.detail or ""},
            allow_retries=False,
        )
    if result.matches is not None:
        metadata.update(
            {
                "units": result.units,
                "matched": result.matches.matched,
                "ambiguous": result.matches.ambiguous,
                "unmatched": result.matches.unmatched,
            }
        )
        if result.matches.ambiguous or result.matches.unmatched:
            context.log.warning(
                f"{result.file_name}: {result.matches.ambiguous} tên nhiều đơn vị khớp, "
                f"{result.matches.unmatched} tên không khớp: xem core.unit_match_review"
            )
    context.log.info(f"{result.file_name}: {result.outcome} ({result.capture_id})")
    return dg.Output(None, metadata=metadata)


@dg.job(
    name="ingest_file_job",
    description="Ingest one file from the inbox (requested by inbox_sensor, one run per sha256).",
    tags={"dvc766/source": "file", **WAREHOUSE_WRITE_TAGS},
)
def ingest_file_job() -> None:
    """One file, one run."""
    ingest_inbox_file()


def _candidates(inbox: Path) -> tuple[list[Path], list[Path]]:
    """The files to consider in ``inbox`` (a resolved folder), and the symbolic links
    among them whose target is outside it (never to be read)."""
    if not inbox.is_dir():
        return [], []
    files, outside = [], []
    for path in sorted(inbox.rglob("*")):
        relative = path.relative_to(inbox)
        if any(part.startswith((".", "~$")) for part in relative.parts):
            continue
        if path.name.endswith(_IGNORED_SUFFIXES):
            continue
        if not path.resolve().is_relative_to(inbox):
            outside.append(path)
        elif path.is_file():
            files.append(path)
    return files, outside


@dg.sensor(
    name="inbox_sensor",
    job=ingest_file_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Watches DVC766_INBOX (default warehouse/inbox/) and requests one ingest_file_job "
        "run per new file content (run key = sha256). Files are never moved."
    ),
)
def inbox_sensor(context: dg.SensorEvaluationContext) -> dg.SensorResult:
    """A run request for each file whose content has not been seen before."""
    inbox = inbox_path().resolve()
    state = json.loads(context.cursor) if context.cursor else {}
    seen: set[str] = set(state.get("seen", []))
    stats: dict[str, list] = state.get("stat", {})
    files, outside = _candidates(inbox)
    refused = sorted(str(path.relative_to(inbox)) for path in outside)
    for key in refused:
        if key not in state.get("outside", []):
            context.log.warning(
                f"Bỏ qua {key}: liên kết trỏ ra ngoài hộp thư {inbox} (không đọc, không nhập)"
            )
    settle = settle_seconds()
    now = time.time()
    requests: list[dg.RunRequest] = []
    current: dict[str, list] = {}
    waiting = 0
    for path in files:
        info = path.stat()
        key = str(path.relative_to(inbox))
        if now - info.st_mtime < settle:
            waiting += 1
            continue
        cached = stats.get(key)
        if cached and cached[0] == info.st_size and cached[1] == info.st_mtime_ns:
            digest = cached[2]
        else:
            digest = sha256_of_path(path)
        current[key] = [info.st_size, info.st_mtime_ns, digest]
        if digest in seen:
            continue
        seen.add(digest)
        requests.append(
            dg.RunRequest(
                run_key=digest,
                run_config={
                    "ops": {"ingest_inbox_file": {"config": {"path": str(path), "sha256": digest}}}
                },
                tags={"dvc766/file": path.name[:200], "dvc766/sha256": digest},
            )
        )
    cursor = json.dumps({"seen": sorted(seen), "stat": current, "outside": refused}, sort_keys=True)
    if not requests:
        reason = f"Không có tệp mới trong {inbox}"
        if waiting:
            reason += f" ({waiting} tệp đang được ghi, chờ lượt sau)"
        if refused:
            reason += f" (bỏ qua {len(refused)} liên kết trỏ ra ngoài hộp thư)"
        return dg.SensorResult(skip_reason=reason, cursor=cursor)
    return dg.SensorResult(run_requests=requests, cursor=cursor)
