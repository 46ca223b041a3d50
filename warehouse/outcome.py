"""The outcome of a capture run: which captures it asked for, which are complete, which
are not and why, whether the portal stopped it, which captures core rejected, and which
stored replies could not be read. The last step of a run fails on anything short of
complete (``pipelines/assets/outcome.py``) and the CLI prints the same summary.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import duckdb

from warehouse.periods import period_label
from warehouse.reasons import STOPPED_PREFIX, capture_problem, in_vietnamese, raw_store_fault
from warehouse.rejections import captures_to_load
from warehouse.sources import Sources

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
NATIONAL_ROOTS = frozenset({"VN"})
"""Root unit ids of the national rankings (every source uses ``VN``)."""
MAX_PROBLEM_LINES = 15
"""At most this many problems are listed; the rest are counted."""


def local_time(moment: datetime | None) -> str:
    """``23/11/2026 04:05:06``: the moment in Asia/Ho_Chi_Minh, without microseconds."""
    if moment is None:
        return ""
    if moment.tzinfo is None:  # DuckDB hands TIMESTAMPTZ back aware; be safe anyway
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return moment.astimezone(TIMEZONE).strftime("%d/%m/%Y %H:%M:%S")


def unit_label(root_unit_id: str, code: str | None, name: str | None) -> str:
    """``H44 Tỉnh Đồng Nai`` (code and name), ``cả nước`` for a national ranking, the
    id itself when the unit is not known yet."""
    if root_unit_id in NATIONAL_ROOTS:
        return "cả nước (bảng xếp hạng tỉnh)"
    parts = [part for part in (code, name) if part]
    return " ".join(parts) if parts else root_unit_id


@dataclass(frozen=True)
class CaptureLine:
    """A capture named in an outcome: what, where, when, and why it is there."""

    capture_id: str
    period_type: str
    period_start: date
    root_unit_id: str
    unit_code: str | None
    unit_name: str | None
    reason: str | None

    @property
    def where(self) -> str:
        """``tháng 08/2026 · H44 Tỉnh Đồng Nai``."""
        unit = unit_label(self.root_unit_id, self.unit_code, self.unit_name)
        return f"{period_label(self.period_type, self.period_start)} · {unit}"


@dataclass(frozen=True)
class StoreFault:
    """A stored reply that could not be read, keeping its capture out of core."""

    blob_path: str
    fault: str
    capture: CaptureLine


@dataclass(frozen=True)
class RefusedFile:
    """A file a run was asked to ingest that did not become a capture (``ops.run_files``):
    quarantined before it could be one, or skipped."""

    file_name: str
    outcome: str
    reason: str | None


@dataclass(frozen=True)
class RunOutcome:
    """What a run captured and what keeps it from being complete."""

    run_id: str
    periods: list[tuple[str, date]] = field(default_factory=list)
    complete: int = 0
    incomplete: list[CaptureLine] = field(default_factory=list)
    stopped: CaptureLine | None = None
    """The capture during which the portal answered 403/429 (``reason`` = the stop)."""
    rejected: list[CaptureLine] = field(default_factory=list)
    faults: list[StoreFault] = field(default_factory=list)
    refused_files: list[RefusedFile] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every capture the run asked for is complete and in core (and every
        file it was asked to ingest became one)."""
        return not (
            self.incomplete or self.stopped or self.rejected or self.faults or self.refused_files
        )


def record_run_captures(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    captures: Iterable[tuple[str, bool]],
    *,
    stopped: tuple[str, str] | None = None,
) -> None:
    """Note in ``ops.run_captures`` the captures a run asked for (``(capture_id,
    is_new)``) and, with ``stopped`` = ``(capture_id, reason)``, the one the portal
    stopped. One statement for all of them (a capture listed twice is noted once, as first
    listed); a stop reason already noted is kept."""
    rows: dict[str, bool] = {}
    for capture_id, is_new in captures:
        rows.setdefault(capture_id, is_new)
    if not rows:
        return
    reasons = [stopped[1] if stopped and capture_id == stopped[0] else None for capture_id in rows]
    con.execute(
        """
        INSERT INTO ops.run_captures
        SELECT ?, unnest(?::VARCHAR[]), unnest(?::BOOLEAN[]), unnest(?::VARCHAR[]), now()
        ON CONFLICT (run_id, capture_id) DO UPDATE
        SET stopped_reason = coalesce(excluded.stopped_reason, stopped_reason)
        """,
        [run_id, list(rows), list(rows.values()), reasons],
    )


_CAPTURE_COLUMNS = """c.capture_id, c.period_type, c.period_start, c.root_unit_id,
                      u.unit_code, u.unit_name"""


def read_run_outcome(
    con: duckdb.DuckDBPyConnection,
    run_id: str,
    partition_months: Sequence[date],
    sources: Sources,
) -> RunOutcome:
    """The outcome of run ``run_id`` over ``partition_months``, as the warehouse holds it
    now (call it after the run's core step)."""
    captures = con.execute(
        f"""
        SELECT {_CAPTURE_COLUMNS}, c.status, c.reason, rc.stopped_reason,
               rj.capture_id IS NOT NULL AS rejected
        FROM ops.run_captures AS rc
        JOIN raw.captures AS c USING (capture_id)
        LEFT JOIN core.units AS u ON u.unit_id = c.root_unit_id
        LEFT JOIN ops.rejected_captures AS rj
          ON rj.capture_id = c.capture_id AND rj.run_id = rc.run_id
        WHERE rc.run_id = ?
        ORDER BY c.period_start, c.period_type, c.scope, u.unit_code, c.root_unit_id
        """,  # noqa: S608  (fixed column list)
        [run_id],
    ).fetchall()
    periods: list[tuple[str, date]] = []
    complete, incomplete, stopped = 0, [], None
    for row in captures:
        line = CaptureLine(*row[:6], reason=f"{STOPPED_PREFIX}{row[8]}" if row[8] else row[7])
        if (row[1], row[2]) not in periods:
            periods.append((row[1], row[2]))
        if row[8] is not None:
            stopped = CaptureLine(*row[:6], reason=row[8])
        if row[6] != "complete":
            incomplete.append(line)
        elif not row[9]:
            complete += 1
    rejected = [
        CaptureLine(*row)
        for row in con.execute(
            f"""
            SELECT {_CAPTURE_COLUMNS}, rj.reason
            FROM ops.rejected_captures AS rj
            JOIN raw.captures AS c USING (capture_id)
            LEFT JOIN core.units AS u ON u.unit_id = c.root_unit_id
            WHERE rj.run_id = ?
            ORDER BY c.period_start, c.period_type, u.unit_code, c.root_unit_id
            """,  # noqa: S608  (fixed column list)
            [run_id],
        ).fetchall()
    ]
    unloaded = captures_to_load(con, list(partition_months), sources)
    faults = [
        StoreFault(row[0], row[1], CaptureLine(*row[2:], reason=None))
        for row in con.execute(
            f"""
            SELECT DISTINCT f.blob_path, f.fault, {_CAPTURE_COLUMNS}
            FROM ops.raw_store_faults AS f
            JOIN raw.captures AS c USING (capture_id)
            LEFT JOIN core.units AS u ON u.unit_id = c.root_unit_id
            WHERE list_contains(?, f.capture_id)
            ORDER BY c.period_start, f.blob_path
            """,  # noqa: S608  (fixed column list)
            [unloaded],
        ).fetchall()
    ]
    refused_files = [
        RefusedFile(*row)
        for row in con.execute(
            """SELECT file_name, outcome, reason FROM ops.run_files
               WHERE run_id = ? AND capture_id IS NULL ORDER BY file_index""",
            [run_id],
        ).fetchall()
    ]
    return RunOutcome(
        run_id, periods, complete, incomplete, stopped, rejected, faults, refused_files
    )


def summary_lines(outcome: RunOutcome, *, limit: int = MAX_PROBLEM_LINES) -> list[str]:
    """The outcome in Vietnamese, one screen at most: the periods, the counts, the stop,
    then at most ``limit`` problems (which province, which period, why) and how many
    more."""
    periods = ", ".join(period_label(t, s) for t, s in outcome.periods) or "(không có)"
    counts = [f"{outcome.complete} đầy đủ"]
    if outcome.incomplete:
        counts.append(f"{len(outcome.incomplete)} chưa đầy đủ")
    if outcome.rejected:
        counts.append(f"{len(outcome.rejected)} bị loại khỏi core")
    lines = [f"Kỳ: {periods}.", f"Lần thu thập: {', '.join(counts)}."]
    if outcome.stopped is not None:
        lines.append(
            f"Đã dừng thu thập: {in_vietnamese(outcome.stopped.reason or '')} "
            f"khi thu thập {outcome.stopped.where}; không gửi thêm yêu cầu nào."
        )
    if outcome.faults:
        files = len({fault.blob_path for fault in outcome.faults})
        lines.append(
            f"Kho lưu trữ gốc: {files} tệp không đọc được; lần thu thập của chúng chưa vào core."
        )
    problems = [f"  ✗ {line.where}: {capture_problem(line.reason)}" for line in outcome.incomplete]
    problems += [
        f"  ✗ {line.where}: bị loại khỏi core — {in_vietnamese(line.reason or '')}"
        for line in outcome.rejected
    ]
    problems += [
        f"  ✗ {fault.capture.where}: {raw_store_fault(fault.fault)}: {fault.blob_path}"
        for fault in outcome.faults
    ]
    problems += [
        f"  ✗ tệp {file.file_name}: {'bỏ qua' if file.outcome == 'skipped' else 'bị cách ly'}"
        f" — {in_vietnamese(file.reason) if file.reason else 'không rõ lý do'}"
        for file in outcome.refused_files
    ]
    lines += problems[:limit]
    if len(problems) > limit:
        lines.append(f"  … và {len(problems) - limit} lần khác")
    return lines


def failure_headline(outcome: RunOutcome) -> str:
    """One line saying why the run is not complete (the run's failure message)."""
    parts = []
    if outcome.stopped is not None:
        parts.append(in_vietnamese(outcome.stopped.reason or ""))
    if outcome.incomplete:
        parts.append(f"{len(outcome.incomplete)} lần thu thập chưa đầy đủ")
    if outcome.rejected:
        parts.append(f"{len(outcome.rejected)} lần thu thập bị loại khỏi core")
    if outcome.faults:
        parts.append(f"{len({f.blob_path for f in outcome.faults})} tệp lưu trữ gốc hỏng hoặc mất")
    if outcome.refused_files:
        parts.append(f"{len(outcome.refused_files)} tệp không thành lần thu thập")
    return "Lần chạy chưa trọn vẹn: " + "; ".join(parts) + "."
