"""Ingest files (letters, spreadsheets, saved portal pages) as captures like any other.

A file's bytes go into the raw store; it is recorded by ``warehouse.manifest.record_capture``
as a capture of scope ``file`` (source ``file_letter``, ``file_html`` or ``file_table``) with
one response (endpoint = the format, url = ``file:<name>``, request body = the ingest
options and what was read from the file, captured_at = the data cut-off it states or the
user gives, else the time of ingestion); it is validated by the same parser that
normalises it, so what cannot be read is quarantined with a reason. A good file is then
normalised into core and its units are matched (``warehouse.unit_matching``).

A file refused before it can be a capture (too large; no period or province can be told;
in the inbox, a symbolic link to a file outside it, which is never read) gets a
``raw.quarantine`` row without a capture. The same bytes with the same options are
never ingested twice.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path, PurePath
from typing import Any

import duckdb

from pipelines.partitions import key_of_month
from pipelines.sources.files.parse import (
    CONTENT_TYPES,
    SOURCE_BY_FORMAT,
    FileContent,
    UnsupportedFormat,
    detect_format,
    read_file,
)
from pipelines.sources.files.source import FileEndpoint
from pipelines.sources.registry import SOURCES
from warehouse.derive import to_cutoff
from warehouse.load_core import normalise_captures
from warehouse.manifest import insert_quarantine, record_capture
from warehouse.periods import Period
from warehouse.raw_store import RawStore
from warehouse.records import CaptureBundle, FetchedReply, InvalidReply, Reply
from warehouse.unit_matching import (
    NATIONAL_ROOT,
    MatchSummary,
    ProvinceNotFound,
    reference_day,
    resolve_province,
)

MAX_FILE_BYTES = 20 * 1024 * 1024
UNKNOWN_SOURCE = "file_unknown"
OUTSIDE_INBOX = "liên kết trỏ ra ngoài hộp thư"


@dataclass(frozen=True)
class IngestOptions:
    """What the user states about a file (each overrides what the file says)."""

    period: str | None = None  # 2023-11 | 2023-Q2 | 2023-H1 | 2023
    province: str | None = None  # H50 | 45 | a unit id | a name
    cutoff: str | None = None  # "2023-11-28 16:00" (Asia/Ho_Chi_Minh) or a date

    def as_dict(self) -> dict[str, str]:
        """The options given, for the request body and the duplicate key."""
        return {k: v for k, v in vars(self).items() if v}


@dataclass
class IngestResult:
    """What ingesting one file did."""

    file_name: str
    sha256: str
    outcome: str  # ingested | duplicate | quarantined
    source: str
    format: str | None = None
    capture_id: str | None = None
    period: Period | None = None
    root_unit_id: str | None = None
    root_name: str | None = None
    captured_at: datetime | None = None
    cutoff_source: str | None = None
    reason: str | None = None
    detail: str | None = None
    rows: dict[str, int] = field(default_factory=dict)
    units: int = 0
    matches: MatchSummary | None = None
    warnings: list[str] = field(default_factory=list)


class _Refused(Exception):
    """A file that cannot become a capture (no period, no province)."""

    def __init__(self, reason: str, detail: str | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.detail = detail


def safe_name(file_name: str) -> str:
    """The file's name only (never a path), without control characters."""
    name = PurePath(file_name.replace("\\", "/")).name
    return re.sub(r"[\x00-\x1f\x7f]", "", name)[:200] or "tệp"


def sha256_of_path(path: Path) -> str:
    """The sha256 of a file, read in chunks (also for files over the size cap)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def ingest_path(
    con: duckdb.DuckDBPyConnection,
    store: RawStore,
    path: Path,
    options: IngestOptions | None = None,
    *,
    run_id: str | None = None,
    now: datetime | None = None,
    inbox: Path | None = None,
) -> IngestResult:
    """Ingest the file at ``path`` (it is read, never moved or changed).

    With ``inbox``, the file must resolve inside that folder: a symbolic link (or a path
    through one) to anywhere else is quarantined without being read."""
    options = options or IngestOptions()
    source = path  # what is read: with ``inbox``, the checked target of any link
    if inbox is not None:
        source, folder = path.resolve(), inbox.resolve()
        if not source.is_relative_to(folder):
            return _quarantine_only(
                con,
                IngestResult(safe_name(path.name), "", "quarantined", UNKNOWN_SOURCE),
                options,
                OUTSIDE_INBOX,
                f"liên kết tới {source}, ngoài hộp thư {folder}: không đọc",
                stored=False,
            )
    size = source.stat().st_size
    if size > MAX_FILE_BYTES:
        sha = sha256_of_path(source)
        name = safe_name(path.name)
        return _quarantine_only(
            con,
            IngestResult(name, sha, "quarantined", UNKNOWN_SOURCE),
            options,
            "tệp quá lớn",
            f"{size / 1e6:.1f} MB > {MAX_FILE_BYTES / 1e6:.0f} MB: không lưu, không đọc",
            stored=False,
        )
    return ingest_bytes(con, store, path.name, source.read_bytes(), options, run_id=run_id, now=now)


def ingest_bytes(
    con: duckdb.DuckDBPyConnection,
    store: RawStore,
    file_name: str,
    content: bytes,
    options: IngestOptions | None = None,
    *,
    run_id: str | None = None,
    now: datetime | None = None,
) -> IngestResult:
    """Ingest one file's bytes under its (original) name."""
    options = options or IngestOptions()
    now = now or datetime.now(UTC)
    name = safe_name(file_name)
    sha = hashlib.sha256(content).hexdigest()
    result = IngestResult(name, sha, "quarantined", UNKNOWN_SOURCE)
    if len(content) > MAX_FILE_BYTES:
        return _quarantine_only(
            con, result, options, "tệp quá lớn", f"{len(content)} byte", stored=False
        )
    store.put(content)
    try:
        result.format = detect_format(name, content)
    except UnsupportedFormat as exc:
        return _quarantine_only(con, result, options, exc.reason, exc.detail)
    result.source = SOURCE_BY_FORMAT[result.format]
    file_content: FileContent | None = None
    content_error: InvalidReply | None = None
    try:
        file_content = read_file(result.format, content)
    except InvalidReply as exc:
        content_error = exc
    except Exception as exc:  # a file the readers choke on is quarantined, not a crash
        content_error = InvalidReply("không đọc được tệp", f"{type(exc).__name__}: {exc}")
    try:
        period = result.period = _period(options, file_content, result)
        cutoff = result.captured_at = _cutoff(options, file_content, result, now)
        root = result.root_unit_id = _root(con, options, file_content, period, result)
    except _Refused as refused:
        error = content_error or refused
        return _quarantine_only(con, result, options, error.reason, error.detail)
    existing = con.execute(
        """
        SELECT r.capture_id, c.status FROM raw.responses AS r
        JOIN raw.captures AS c USING (capture_id)
        WHERE r.source = ? AND r.sha256 = ? AND r.period_type = ? AND r.period_start = ?
          AND r.root_unit_id = ?
        ORDER BY r.captured_at LIMIT 1
        """,
        [result.source, sha, period.period_type, period.start, root],
    ).fetchall()
    if existing:
        result.outcome, result.capture_id = "duplicate", existing[0][0]
        return result
    body = _request_body(result, options, file_content)
    # A file is one "endpoint" named by its format.
    endpoint = FileEndpoint(result.format)
    reply = Reply(
        url=f"file:{name}",
        request_body=body,
        status=200,
        content_type=CONTENT_TYPES[result.format],
        content=content,
        received_at=cutoff,
    )
    bundle = CaptureBundle(
        source=result.source,
        scope="file",
        period=period,
        root_unit_id=root,
        expected=(endpoint,),
        fetched=[FetchedReply(endpoint, body, reply)],
    )
    anchor = cutoff.date() if period.is_open(cutoff.date()) else period.end
    record = record_capture(
        con,
        store,
        bundle,
        SOURCES[result.source],
        partition_month=date.fromisoformat(key_of_month(anchor)),
        run_id=run_id,
    )
    result.capture_id = record.capture_id
    if record.status != "complete":
        quarantined = con.execute(
            "SELECT reason, detail FROM raw.quarantine WHERE capture_id = ? LIMIT 1",
            [record.capture_id],
        ).fetchall()
        result.reason, result.detail = quarantined[0] if quarantined else (record.reason, None)
        return result
    stats = normalise_captures(con, store, [record.capture_id], SOURCES)  # matches units too
    result.matches = next(iter(stats.post_load.values()))
    counts = con.execute(
        """
        SELECT (SELECT count(*) FROM core.unit_sightings WHERE capture_id = $1 AND unit_id <> $2),
               (SELECT count(*) FROM core.group_scores WHERE capture_id = $1),
               (SELECT count(*) FROM core.metric_values WHERE capture_id = $1),
               (SELECT count(*) FROM core.reported_totals WHERE capture_id = $1)
        """,
        [record.capture_id, root],
    ).fetchall()[0]
    result.units = counts[0]
    result.rows = dict(
        zip(("group_scores", "metric_values", "reported_totals"), counts[1:], strict=True)
    )
    result.outcome = "ingested"
    return result


def _period(options: IngestOptions, content: FileContent | None, result: IngestResult) -> Period:
    if options.period:
        period = Period.parse(options.period)
        if content is not None and content.period is not None and content.period != period:
            result.warnings.append(
                f"tệp nêu kỳ {content.period.label}, dùng kỳ {period.label} theo --period"
            )
        return period
    if content is not None and content.period is not None:
        return content.period
    note = content.period_note if content is not None else "tệp không đọc được"
    raise _Refused(
        "không xác định được kỳ báo cáo", f"{note}: dùng --period (2023-11, 2023-Q2, 2023)"
    )


def _cutoff(
    options: IngestOptions, content: FileContent | None, result: IngestResult, now: datetime
) -> datetime:
    if options.cutoff:
        result.cutoff_source = "option"
        return to_cutoff(options.cutoff)
    if content is not None and content.cutoffs:
        stated = max(content.cutoffs, key=lambda c: c.at)
        if len({c.at for c in content.cutoffs}) > 1:
            listed = ", ".join(c.at.isoformat() for c in content.cutoffs)
            result.warnings.append(
                f"tệp nêu nhiều thời điểm chốt số liệu ({listed}): dùng {stated.at}"
            )
        result.cutoff_source = f"file:{stated.precision}"
        return stated.at
    result.cutoff_source = "ingested_at"
    return now


def _root(
    con: duckdb.DuckDBPyConnection,
    options: IngestOptions,
    content: FileContent | None,
    period: Period,
    result: IngestResult,
) -> str:
    if content is not None and not content.needs_province and not options.province:
        result.root_name = "Cả nước"
        return NATIONAL_ROOT
    stated_cutoff = result.captured_at if result.cutoff_source != "ingested_at" else None
    on = reference_day(period.period_type, period.start, stated_cutoff)
    if options.province:
        try:
            province = resolve_province(con, options.province, on=on)
        except ProvinceNotFound as exc:
            raise _Refused("không xác định được tỉnh", str(exc)) from None
        result.root_name = province.names[0] if province.names else province.unit_id
        return province.unit_id
    if content is None:
        raise _Refused("không xác định được tỉnh", "tệp không đọc được; dùng --province")
    for hints in (content.provinces_in_letterhead, content.provinces_mentioned):
        found: dict[str, Any] = {}
        for hint in hints:
            province = _province_of_hint(con, hint, on)
            if province is not None:
                found[province.unit_id] = province
        if len(found) == 1:
            province = next(iter(found.values()))
            result.root_name = province.names[0] if province.names else province.unit_id
            return province.unit_id
        if len(found) > 1:
            names = ", ".join(p.names[0] for p in found.values())
            raise _Refused(
                "không xác định được tỉnh", f"tệp nêu nhiều tỉnh ({names}): dùng --province"
            )
    raise _Refused(
        "không xác định được tỉnh", "tệp không nêu tỉnh: dùng --province (H50, 45 hay tên)"
    )


def _province_of_hint(con: duckdb.DuckDBPyConnection, hint: str, on: date) -> Any:
    """The province a name in the text designates: the longest leading words that name
    one ("ĐỒNG NAI QUÝ II/2024" → Đồng Nai), never a fuzzy guess."""
    words = hint.split()
    for length in range(min(len(words), 5), 0, -1):
        try:
            return resolve_province(con, " ".join(words[:length]), on=on)
        except ProvinceNotFound:
            continue
    return None


def _request_body(
    result: IngestResult, options: IngestOptions, content: FileContent | None
) -> dict[str, Any]:
    assert result.period is not None and result.captured_at is not None
    body: dict[str, Any] = {
        "file_name": result.file_name,
        "format": result.format,
        "options": options.as_dict(),
        "period": result.period.label,
        "province_unit_id": result.root_unit_id,
        "cutoff": result.captured_at.isoformat(),
        "cutoff_source": result.cutoff_source,
    }
    if content is not None:
        body["period_note"] = content.period_note
        body["stated_cutoffs"] = [c.at.isoformat() for c in content.cutoffs]
    if result.warnings:
        body["warnings"] = result.warnings
    return body


def _quarantine_only(
    con: duckdb.DuckDBPyConnection,
    result: IngestResult,
    options: IngestOptions,
    reason: str,
    detail: str | None,
    *,
    stored: bool = True,
) -> IngestResult:
    """Quarantine a file that cannot become a capture; idempotent per bytes and options."""
    key = json.dumps(options.as_dict(), sort_keys=True, ensure_ascii=False)
    full_detail = f"{result.file_name}: {detail}" if detail else result.file_name
    # A file never read has no sha256: its id comes from what is said about it.
    content_key = result.sha256 or hashlib.sha256(full_detail.encode()).hexdigest()
    quarantine_id = f"file:{content_key[:24]}:{hashlib.sha256(key.encode()).hexdigest()[:8]}"
    if not stored:
        full_detail += " (bytes không được lưu)"
    exists = con.execute(
        "SELECT 1 FROM raw.quarantine WHERE quarantine_id = ?", [quarantine_id]
    ).fetchall()
    if not exists:
        insert_quarantine(
            con,
            quarantine_id=quarantine_id,
            source=result.source,
            endpoint=result.format,
            period=result.period,
            root_unit_id=result.root_unit_id,
            sha256=result.sha256 or None,
            reason=reason,
            detail=full_detail,
        )
    result.outcome, result.reason, result.detail = "quarantined", reason, full_detail
    return result
