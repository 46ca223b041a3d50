"""The inbox: files dropped in ``DVC766_INBOX`` (default ``warehouse/inbox/``) are ingested.

``inbox_sensor`` looks at the folder, hashes each new file and asks for one run of
``files_job`` per distinct content, keyed by the file's sha256: the same bytes are never
ingested twice, whatever their name, and a file changed in place is new bytes. The run
covers the monthly partition the file's capture goes under (the file is read to tell it,
``pipelines.assets.files.plan_files``) and goes through the same core, checks, marts and
publication as a portal capture. Nothing is moved or renamed; files stay where they are.
The cursor remembers the hashes seen and each file's (size, mtime) so unchanged files
are not hashed again. A file still being written (modified in the last
``DVC766_INBOX_SETTLE_SECONDS``, default 2 s) waits for the next tick. A symbolic link
whose target resolves outside the inbox is never read: the sensor skips it and logs it
(once), and the run quarantines it if asked to ingest it.
"""

import json
import os
import time
from pathlib import Path

import dagster as dg

from pipelines.assets.files import plan_files
from pipelines.jobs import files_job
from pipelines.settings import inbox_path
from pipelines.sources.files.ingest import sha256_of_path

_IGNORED_SUFFIXES = (".part", ".crdownload", ".tmp", ".swp", ".lock")


def settle_seconds() -> float:
    """How long a file must be left unchanged before it is ingested."""
    return float(os.environ.get("DVC766_INBOX_SETTLE_SECONDS", "2"))


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
    job=files_job,
    minimum_interval_seconds=30,
    default_status=dg.DefaultSensorStatus.STOPPED,
    description=(
        "Watches DVC766_INBOX (default warehouse/inbox/) and requests one files_job run "
        "per new file content (run key = sha256), over the partition its capture goes "
        "under. Files are never moved."
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
        plan = plan_files([path])
        requests.append(
            dg.RunRequest(
                run_key=digest,
                run_config=plan.run_config(),
                tags={**plan.tags(), "dvc766/sha256": digest},
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
