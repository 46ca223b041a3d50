"""Record files (letters, spreadsheets, saved portal pages) as captures like any other.

Ingestion is two steps. :func:`read_path` reads a file without writing anything: its
format, what it states, its period and data cut-off, hence the monthly partition its
capture goes under (a run is planned from this). :func:`record_reading` then stores its
bytes in the raw store and records it with ``warehouse.manifest.record_capture`` as a
capture of scope ``file`` (source ``file_letter``, ``file_html`` or ``file_table``) with
one response (endpoint = the format, url = ``file:<name>``, request body = the ingest
options and what was read from the file, captured_at = the data cut-off it states or the
user gives, else the time of ingestion, flagged ``cutoff_stated: false``; a file stating
cut-offs on different days is refused unless the user gives one); it is validated by the
same parser that normalises it, so what cannot be read is quarantined with a reason.
Figures the file states that cannot be loaded as stated (a score over its maximum, a rank
over its cohort, a count over its level's total) are left out, each listed with its
reason in the request body (``rejected_figures``) and the result's warnings.

Nothing here writes core: the asset ``raw_files__captures`` records the files, and the
same core asset as the portal's (``core_portal``) normalises and checks them (matching
their units, ``warehouse.unit_matching``), before the marts, the publication and the
run's outcome. ``ops.run_files`` notes what each run did with each file.

A file refused before it can be a capture (too large; no period or province can be told;
in the inbox, a symbolic link to a file outside it, which is never read) gets a
``raw.quarantine`` row without a capture. The same bytes with the same options are
never recorded twice.
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

from pipelines.partitions import key_of_month, monthly_partitions
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
from warehouse.manifest import insert_quarantine, record_capture
from warehouse.outcome import TIMEZONE, record_run_captures
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
MISSING_FILE = "không còn tệp"


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
    outcome: str  # ingested | duplicate | quarantined | skipped (nothing written)
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
    is_new: bool = False  # whether this ingestion stored the capture


class _Refused(InvalidReply):
    """A file that cannot become a capture (no period, no province)."""


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


@dataclass
class FileReading:
    """A file read for ingestion, before anything is written: what it is, the period and
    data cut-off it states or is given (``result``), or why it cannot become a capture
    (``refused``). Reading needs no warehouse, so a run can be planned from it."""

    result: IngestResult
    content: bytes | None = None
    """The bytes to store; None when they are not kept (over the size cap, a link out of
    the inbox, a file gone)."""
    file_content: FileContent | None = None
    content_error: InvalidReply | None = None
    refused: InvalidReply | None = None

    @property
    def partition_key(self) -> str | None:
        """The monthly partition its capture is recorded under (None when refused)."""
        result = self.result
        if self.refused is not None or result.period is None or result.captured_at is None:
            return None
        return file_partition_key(result.period, result.captured_at)


def file_partition_key(period: Period, cutoff: datetime) -> str:
    """The partition a file's capture goes under: the month of its data cut-off while the
    period is open then, else the period's last month; within the partitions (from
    2022-08 to the open month), so a run over that partition normalises it."""
    day = cutoff.astimezone(TIMEZONE).date()
    key = key_of_month(day if period.is_open(day) else period.end)
    first = monthly_partitions.get_first_partition_key()
    last = monthly_partitions.get_last_partition_key()
    if first is not None and key < first:
        return first
    if last is not None and key > last:
        return last
    return key


def read_path(
    path: Path,
    options: IngestOptions | None = None,
    *,
    now: datetime | None = None,
    inbox: Path | None = None,
) -> FileReading:
    """Read the file at ``path`` (never moved or changed) for ingestion.

    With ``inbox``, the file must resolve inside that folder: a symbolic link (or a path
    through one) to anywhere else is refused without being read."""
    options = options or IngestOptions()
    name = safe_name(path.name)
    target = path  # what is read: with ``inbox``, the checked target of any link
    if inbox is not None:
        target, folder = path.resolve(), inbox.resolve()
        if not target.is_relative_to(folder):
            return _refused(
                IngestResult(name, "", "quarantined", UNKNOWN_SOURCE),
                OUTSIDE_INBOX,
                f"liên kết tới {target}, ngoài hộp thư {folder}: không đọc",
            )
    if not target.is_file():
        return _refused(
            IngestResult(name, "", "skipped", UNKNOWN_SOURCE),
            MISSING_FILE,
            f"{path}: tệp đã bị xóa hoặc đổi tên trước khi nhập",
        )
    size = target.stat().st_size
    if size > MAX_FILE_BYTES:
        return _refused(
            IngestResult(name, sha256_of_path(target), "quarantined", UNKNOWN_SOURCE),
            "tệp quá lớn",
            f"{size / 1e6:.1f} MB > {MAX_FILE_BYTES / 1e6:.0f} MB: không lưu, không đọc",
        )
    return read_bytes(path.name, target.read_bytes(), options, now=now)


def read_bytes(
    file_name: str,
    content: bytes,
    options: IngestOptions | None = None,
    *,
    now: datetime | None = None,
) -> FileReading:
    """Read one file's bytes under its (original) name for ingestion: its format, what
    it says, its period and data cut-off (``now`` when it states none)."""
    options = options or IngestOptions()
    name = safe_name(file_name)
    result = IngestResult(name, hashlib.sha256(content).hexdigest(), "quarantined", UNKNOWN_SOURCE)
    if len(content) > MAX_FILE_BYTES:
        return _refused(result, "tệp quá lớn", f"{len(content)} byte")
    reading = FileReading(result, content)
    try:
        result.format = detect_format(name, content)
    except UnsupportedFormat as exc:
        reading.refused = exc
        return reading
    result.source = SOURCE_BY_FORMAT[result.format]
    try:
        reading.file_content = read_file(result.format, content)
    except InvalidReply as exc:
        reading.content_error = exc
    except Exception as exc:  # a file the readers choke on is quarantined, not a crash
        reading.content_error = InvalidReply("không đọc được tệp", f"{type(exc).__name__}: {exc}")
    try:
        now = now or datetime.now(UTC)
        result.period = _period(options, reading.file_content, result)
        result.captured_at = _cutoff(options, reading.file_content, result, now)
        _check_dates(result.period, result.captured_at, now)
    except _Refused as refused:
        reading.refused = reading.content_error or refused
        return reading
    if reading.file_content is not None:
        result.warnings += [
            f"bỏ số liệu «{r.text}»: {r.reason}" for r in reading.file_content.rejected
        ]
    return reading


def record_reading(
    con: duckdb.DuckDBPyConnection,
    store: RawStore,
    reading: FileReading,
    options: IngestOptions | None = None,
    *,
    run_id: str | None = None,
) -> IngestResult:
    """Record a file read by :func:`read_path` or :func:`read_bytes`: its bytes in the raw
    store, a capture and a response in the manifest with the source's verdict, or a
    quarantine row when it cannot become a capture. Nothing is normalised here: the
    core asset loads the capture with every other capture of its partition."""
    options = options or IngestOptions()
    result = reading.result
    if reading.content is not None:
        store.put(reading.content)
    if result.outcome == "skipped":
        assert reading.refused is not None
        result.reason, result.detail = reading.refused.reason, reading.refused.detail
        return result
    if reading.refused is not None:
        return _quarantine_only(
            con,
            result,
            options,
            reading.refused.reason,
            reading.refused.detail,
            stored=reading.content is not None,
        )
    period, cutoff = result.period, result.captured_at
    assert period is not None and cutoff is not None
    try:
        root = result.root_unit_id = _root(con, options, reading.file_content, period, result)
    except _Refused as refused:
        error = reading.content_error or refused
        return _quarantine_only(con, result, options, error.reason, error.detail)
    existing = con.execute(
        """
        SELECT r.capture_id, c.status FROM raw.responses AS r
        JOIN raw.captures AS c USING (capture_id)
        WHERE r.source = ? AND r.sha256 = ? AND r.period_type = ? AND r.period_start = ?
          AND r.root_unit_id = ?
        ORDER BY r.captured_at LIMIT 1
        """,
        [result.source, result.sha256, period.period_type, period.start, root],
    ).fetchall()
    if existing:
        result.outcome, result.capture_id = "duplicate", existing[0][0]
        if existing[0][1] != "complete":
            _quarantine_reason(con, result)
        return result
    assert result.format is not None and reading.content is not None
    body = _request_body(result, options, reading.file_content)
    # A file is one "endpoint" named by its format.
    endpoint = FileEndpoint(result.format)
    reply = Reply(
        url=f"file:{result.file_name}",
        request_body=body,
        status=200,
        content_type=CONTENT_TYPES[result.format],
        content=reading.content,
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
    record = record_capture(
        con,
        store,
        bundle,
        SOURCES[result.source],
        partition_month=date.fromisoformat(file_partition_key(period, cutoff)),
        run_id=run_id,
    )
    result.capture_id, result.is_new = record.capture_id, record.is_new
    if record.status != "complete":
        _quarantine_reason(con, result, record.reason)
        return result
    result.outcome = "ingested"
    return result


def record_path(
    con: duckdb.DuckDBPyConnection,
    store: RawStore,
    path: Path,
    options: IngestOptions | None = None,
    *,
    run_id: str | None = None,
    now: datetime | None = None,
    inbox: Path | None = None,
) -> IngestResult:
    """Read and record the file at ``path`` (:func:`read_path`, :func:`record_reading`)."""
    reading = read_path(path, options, now=now, inbox=inbox)
    return record_reading(con, store, reading, options, run_id=run_id)


def record_bytes(
    con: duckdb.DuckDBPyConnection,
    store: RawStore,
    file_name: str,
    content: bytes,
    options: IngestOptions | None = None,
    *,
    run_id: str | None = None,
    now: datetime | None = None,
) -> IngestResult:
    """Read and record one file's bytes (:func:`read_bytes`, :func:`record_reading`)."""
    reading = read_bytes(file_name, content, options, now=now)
    return record_reading(con, store, reading, options, run_id=run_id)


def describe_loaded(con: duckdb.DuckDBPyConnection, result: IngestResult) -> IngestResult:
    """Fill in what core holds of the file's capture once it is normalised: its units
    (the root aside), rows per table and how its unit names were matched."""
    if result.capture_id is None or result.outcome not in ("ingested", "duplicate"):
        return result
    counts = con.execute(
        """
        SELECT (SELECT count(*) FROM core.unit_sightings WHERE capture_id = $1 AND unit_id <> $2),
               (SELECT count(*) FROM core.group_scores WHERE capture_id = $1),
               (SELECT count(*) FROM core.metric_values WHERE capture_id = $1),
               (SELECT count(*) FROM core.reported_totals WHERE capture_id = $1),
               (SELECT count(*) FROM core.reported_band_counts WHERE capture_id = $1)
        """,
        [result.capture_id, result.root_unit_id],
    ).fetchall()[0]
    result.units = counts[0]
    tables = ("group_scores", "metric_values", "reported_totals", "reported_band_counts")
    result.rows = dict(zip(tables, counts[1:], strict=True))
    matches = MatchSummary()
    for status, method, count in con.execute(
        """SELECT status, method, count(*) FROM core.unit_match_review WHERE capture_id = ?
           GROUP BY ALL ORDER BY ALL""",
        [result.capture_id],
    ).fetchall():
        for _ in range(count):
            matches.add(status, method)
    result.matches = matches
    return result


def note_run_file(
    con: duckdb.DuckDBPyConnection, run_id: str, index: int, result: IngestResult
) -> None:
    """Note in ``ops.run_files`` what run ``run_id`` did with its ``index``-th file, and
    its capture, if any, in ``ops.run_captures`` (what the run's outcome reads)."""
    period = result.period
    con.execute(
        """
        INSERT OR REPLACE INTO ops.run_files
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, now())
        """,
        [
            run_id,
            index,
            result.file_name,
            result.sha256 or None,
            result.outcome,
            result.source,
            result.format,
            result.capture_id,
            period.period_type if period else None,
            period.start if period else None,
            result.root_unit_id,
            result.root_name,
            result.captured_at,
            result.cutoff_source,
            result.reason,
            result.detail,
            result.warnings,
            result.is_new,
        ],
    )
    if result.capture_id is not None:
        record_run_captures(con, run_id, [(result.capture_id, result.is_new)])


def run_file_results(con: duckdb.DuckDBPyConnection, run_id: str) -> list[IngestResult]:
    """What run ``run_id`` did with each of its files, in order, with what core holds of
    the captures it recorded (:func:`describe_loaded`)."""
    rows = con.execute(
        """
        SELECT file_name, sha256, outcome, source, format, capture_id, period_type,
               period_start, root_unit_id, root_name, captured_at, cutoff_source, reason,
               detail, warnings, is_new
        FROM ops.run_files WHERE run_id = ? ORDER BY file_index
        """,
        [run_id],
    ).fetchall()
    results = []
    for row in rows:
        result = IngestResult(
            file_name=row[0],
            sha256=row[1] or "",
            outcome=row[2],
            source=row[3],
            format=row[4],
            capture_id=row[5],
            period=Period(row[6], row[7]) if row[6] else None,
            root_unit_id=row[8],
            root_name=row[9],
            captured_at=row[10],
            cutoff_source=row[11],
            reason=row[12],
            detail=row[13],
            warnings=list(row[14] or []),
            is_new=bool(row[15]),
        )
        results.append(describe_loaded(con, result))
    return results


def _refused(result: IngestResult, reason: str, detail: str | None) -> FileReading:
    """A reading of a file whose bytes are not kept: it cannot become a capture."""
    return FileReading(result, refused=InvalidReply(reason, detail))


def _quarantine_reason(
    con: duckdb.DuckDBPyConnection, result: IngestResult, fallback: str | None = None
) -> None:
    """The reason and detail of an incomplete file capture, from its quarantine row."""
    quarantined = con.execute(
        "SELECT reason, detail FROM raw.quarantine WHERE capture_id = ? ORDER BY quarantine_id "
        "LIMIT 1",
        [result.capture_id],
    ).fetchall()
    result.reason, result.detail = quarantined[0] if quarantined else (fallback, None)


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
        days = sorted({c.at.astimezone(TIMEZONE).date() for c in content.cutoffs})
        if len(days) > 1:
            listed = ", ".join(f"{day:%d/%m/%Y}" for day in days)
            raise _Refused(
                "tệp nêu nhiều thời điểm chốt số liệu khác nhau",
                f"{listed}: dùng --cutoff để chọn thời điểm của số liệu",
            )
        # the same day stated twice: the more precise ("16h ngày 23/11/2023") wins
        stated = min(content.cutoffs, key=lambda c: (c.precision != "minute", c.at))
        result.cutoff_source = f"file:{stated.precision}"
        return stated.at
    result.cutoff_source = "ingested_at"
    return now


def _check_dates(period: Period, cutoff: datetime, now: datetime) -> None:
    """Refuse a cut-off no figure can have: a day after today (a typo such as 2062 would
    otherwise win over every correct letter, the latest cut-off winning), or a day before
    the period began (its figures would show in the as-of views before they existed).
    Days are compared in Vietnam's time, as letters write them."""
    day, today = cutoff.astimezone(TIMEZONE).date(), now.astimezone(TIMEZONE).date()
    if day > today:
        raise _Refused(
            "thời điểm chốt số liệu sau ngày nhập",
            f"chốt {day:%d/%m/%Y}, nhập ngày {today:%d/%m/%Y}: kiểm tra ngày tháng "
            "hoặc dùng --cutoff",
        )
    if day < period.start:
        raise _Refused(
            "thời điểm chốt số liệu trước khi kỳ báo cáo bắt đầu",
            f"chốt {day:%d/%m/%Y}, kỳ {period.label} bắt đầu {period.start:%d/%m/%Y}: "
            "kiểm tra kỳ (--period) hoặc thời điểm chốt (--cutoff)",
        )


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
        result.root_name = _name_of(province)
        stated = _provinces_named(con, content, on)
        if len(stated) == 1 and province.unit_id not in stated:
            (other,) = stated.values()
            result.warnings.append(
                f"tệp nêu {_name_of(other)}, dùng {result.root_name} theo --province"
            )
        return province.unit_id
    if content is None:
        raise _Refused("không xác định được tỉnh", "tệp không đọc được; dùng --province")
    found = _provinces_named(con, content, on)
    if len(found) > 1:
        names = ", ".join(_name_of(p) for p in found.values())
        raise _Refused("không xác định được tỉnh", f"tệp nêu nhiều tỉnh ({names}): dùng --province")
    if not found:
        raise _Refused(
            "không xác định được tỉnh", "tệp không nêu tỉnh: dùng --province (H50, 45 hay tên)"
        )
    (province,) = found.values()
    result.root_name = _name_of(province)
    return province.unit_id


def _name_of(province: Any) -> str:
    """A province's first known name (its id when it has none)."""
    return province.names[0] if province.names else province.unit_id


def _provinces_named(
    con: duckdb.DuckDBPyConnection, content: FileContent | None, on: date
) -> dict[str, Any]:
    """The provinces the file's letterhead names, else those its text names (by id)."""
    if content is None:
        return {}
    for hints in (content.provinces_in_letterhead, content.provinces_mentioned):
        found = {p.unit_id: p for p in (_province_of_hint(con, h, on) for h in hints) if p}
        if found:
            return found
    return {}


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
        "cutoff_stated": result.cutoff_source != "ingested_at",
    }
    if content is not None:
        body["period_note"] = content.period_note
        body["stated_cutoffs"] = [c.at.isoformat() for c in content.cutoffs]
        if content.rejected:
            body["rejected_figures"] = [
                {"text": r.text, "reason": r.reason} for r in content.rejected
            ]
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
