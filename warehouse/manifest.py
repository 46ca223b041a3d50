"""Record captures: bytes into the raw store, rows into the manifest, bad replies into
quarantine, all of a capture in one transaction.

A capture whose replies are byte-identical to the latest capture of the same
(source, scope, period, root) is not recorded again: re-running is a no-op on raw.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import duckdb
import polars as pl

from warehouse.connection import transaction
from warehouse.methodology import Methodology, NoMethodology, methodology_for
from warehouse.periods import Period
from warehouse.raw_store import RawStore
from warehouse.records import Attempt, CaptureBundle, InvalidReply
from warehouse.sources import Source, ValidationContext

log = logging.getLogger(__name__)
SHAPE_ERRORS = (TypeError, ValueError, AttributeError, KeyError, IndexError, OverflowError)
"""What a check raises when a reply is shaped as no check foresaw (a string where a
number was expected, a number where a list was): the bundle's replies are quarantined
with it rather than the capture failing (see :func:`_verdicts`)."""


@dataclass(frozen=True)
class CaptureRecord:
    """What recording a capture did."""

    capture_id: str
    status: str
    reason: str | None
    is_new: bool
    valid_endpoints: int
    expected_endpoints: int
    bytes: int


def response_id(capture_id: str, endpoint: str, page: int = 1) -> str:
    """The id of a stored reply: its capture and endpoint, and its page after the first."""
    return f"{capture_id}:{endpoint}" if page == 1 else f"{capture_id}:{endpoint}:p{page}"


def _page_key(endpoint: str, page: int) -> str:
    """An endpoint's page in a capture's fingerprint (the endpoint alone for page 1)."""
    return endpoint if page == 1 else f"{endpoint}:p{page}"


def _methodology(
    con: duckdb.DuckDBPyConnection, day: date, memo: dict[Any, Any]
) -> Methodology | None:
    """The methodology in force on ``day`` (None when none is), read once per ``memo``."""
    key = ("methodology", day)
    if key not in memo:
        try:
            memo[key] = methodology_for(con, day)
        except NoMethodology:
            memo[key] = None
    return memo[key]


def _verdicts(
    con: duckdb.DuckDBPyConnection, source: Source, bundle: CaptureBundle, memo: dict[Any, Any]
) -> list[InvalidReply | None]:
    """The source's verdict on each reply of the bundle (None = valid)."""
    methodology = _methodology(con, bundle.period.start, memo)
    replies = [f for f in bundle.fetched if f.reply is not None]
    try:
        verdicts = source.validate(bundle, ValidationContext(con, methodology, memo))
    except duckdb.Error:
        raise  # the warehouse failed, not the replies
    except SHAPE_ERRORS as exc:
        # a reply shaped in a way no check foresaw made a check itself fail: every reply
        # of the bundle is quarantined with the error (nothing of it is trusted), and the
        # run goes on with the other captures
        log.exception("validation of %s failed on an unforeseen reply shape", bundle.root_unit_id)
        verdict = InvalidReply("reply shape not as expected", f"{type(exc).__name__}: {exc}")
        return [verdict] * len(replies)
    if len(verdicts) != len(replies):
        raise RuntimeError(
            f"source {source.id} gave {len(verdicts)} verdicts for {len(replies)} replies"
        )
    return verdicts


def record_capture(
    con: duckdb.DuckDBPyConnection,
    store: RawStore,
    bundle: CaptureBundle,
    source: Source,
    *,
    partition_month: date,
    run_id: str | None,
    memo: dict[Any, Any] | None = None,
) -> CaptureRecord:
    """Store the bundle's bytes and manifest rows, with ``source`` judging each reply;
    return what was recorded. Every reply's bytes are stored, valid or not.

    ``memo`` (a dict, empty at first) may be shared by the captures of one batch
    recorded on ``con`` with nothing but recordings in between: what validation reads
    of the warehouse outside ``raw.*`` (the methodology in force, known units) is then
    read once per batch instead of once per capture."""
    if source.id != bundle.source:
        raise ValueError(f"bundle of source {bundle.source!r} recorded as {source.id!r}")
    rows: list[dict] = []
    problems: list[str] = []
    quarantined: list[dict] = []
    total_bytes = 0
    verdicts = iter(_verdicts(con, source, bundle, {} if memo is None else memo))
    for fetched in bundle.fetched:
        name = fetched.endpoint.name
        label = name if fetched.page == 1 else f"{name} (trang {fetched.page})"
        if fetched.reply is None:
            problems.append(f"{label}: {fetched.error}")
            continue
        blob = store.put(fetched.reply.content)
        total_bytes += blob.size
        verdict = next(verdicts)
        validation, error = ("valid", None) if verdict is None else ("invalid", str(verdict))
        if verdict is not None:
            problems.append(f"{label}: {verdict}")
            quarantined.append(
                {
                    "endpoint": name,
                    "page": fetched.page,
                    "sha256": blob.sha256,
                    "reason": verdict.reason,
                    "detail": verdict.detail,
                }
            )
        rows.append(
            {
                "endpoint": name,
                "page": fetched.page,
                "group_code": fetched.endpoint.group_code,
                "url": fetched.reply.url,
                "request_body": json.dumps(
                    fetched.request_body, ensure_ascii=False, sort_keys=True
                ),
                "http_status": fetched.reply.status,
                "content_type": fetched.reply.content_type,
                "bytes": blob.size,
                "sha256": blob.sha256,
                "blob_path": blob.relative_path,
                "captured_at": fetched.reply.received_at,
                "validation": validation,
                "validation_error": error,
            }
        )
    problems.extend(bundle.missing)
    fetched_names = {f.endpoint.name for f in bundle.fetched}
    for endpoint in bundle.expected:
        if endpoint.name not in fetched_names:
            problems.append(f"{endpoint.name}: not requested (capture stopped)")
    valid_endpoints = {row["endpoint"] for row in rows if row["validation"] == "valid"}
    valid = len(valid_endpoints)
    status = "complete" if valid == len(bundle.expected) and not problems else "incomplete"
    reason = "; ".join(problems) if problems else None
    if bundle.stopped_reason:
        reason = f"stopped: {bundle.stopped_reason}; {reason}"
    stored = {row["endpoint"] for row in rows}
    fingerprint = sorted(
        [(_page_key(row["endpoint"], row["page"]), row["sha256"]) for row in rows]
        + [(e.name, "missing") for e in bundle.expected if e.name not in stored]
    )
    content_sha = hashlib.sha256(json.dumps(fingerprint).encode()).hexdigest()
    key = (
        bundle.source,
        bundle.scope,
        bundle.period.period_type,
        bundle.period.start,
        bundle.root_unit_id,
    )
    latest = con.execute(
        """
        SELECT capture_id, content_sha256, status, reason, valid_endpoints
        FROM raw.captures
        WHERE source = ? AND scope = ? AND period_type = ? AND period_start = ?
          AND root_unit_id = ?
        ORDER BY captured_at DESC
        LIMIT 1
        """,
        list(key),
    ).fetchall()
    latest = latest[0] if latest else None
    if latest is not None and latest[1] == content_sha:
        return CaptureRecord(
            latest[0], latest[2], latest[3], False, latest[4], len(bundle.expected), total_bytes
        )
    captured_at = min((row["captured_at"] for row in rows), default=datetime.now(UTC))
    capture_id = hashlib.sha256(
        f"{'|'.join(map(str, key))}|{content_sha}|{captured_at.isoformat()}".encode()
    ).hexdigest()[:32]
    with transaction(con):
        con.execute(
            "INSERT INTO raw.captures VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                capture_id,
                bundle.source,
                bundle.scope,
                bundle.period.period_type,
                bundle.period.start,
                bundle.root_unit_id,
                status,
                reason,
                len(bundle.expected),
                valid,
                content_sha,
                captured_at,
                partition_month,
                run_id,
            ],
        )
        for row in rows:
            con.execute(
                """
                INSERT INTO raw.responses VALUES
                    (?, ?, ?, ?, ?, 'POST', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    response_id(capture_id, row["endpoint"], row["page"]),
                    capture_id,
                    bundle.source,
                    row["endpoint"],
                    row["group_code"],
                    row["url"],
                    row["request_body"],
                    bundle.period.period_type,
                    bundle.period.start,
                    bundle.root_unit_id,
                    row["http_status"],
                    row["content_type"],
                    row["bytes"],
                    row["sha256"],
                    row["blob_path"],
                    row["captured_at"],
                    row["validation"],
                    row["validation_error"],
                    row["page"],
                ],
            )
        for item in quarantined:
            insert_quarantine(
                con,
                quarantine_id=response_id(capture_id, item["endpoint"], item["page"]),
                response_id=response_id(capture_id, item["endpoint"], item["page"]),
                capture_id=capture_id,
                source=bundle.source,
                endpoint=item["endpoint"],
                period=bundle.period,
                root_unit_id=bundle.root_unit_id,
                sha256=item["sha256"],
                reason=item["reason"],
                detail=item["detail"],
            )
    return CaptureRecord(capture_id, status, reason, True, valid, len(bundle.expected), total_bytes)


def insert_quarantine(
    con: duckdb.DuckDBPyConnection,
    *,
    quarantine_id: str,
    source: str,
    reason: str,
    detail: str | None,
    sha256: str | None,
    endpoint: str | None = None,
    response_id: str | None = None,
    capture_id: str | None = None,
    period: Period | None = None,
    root_unit_id: str | None = None,
) -> None:
    """Add a row to ``raw.quarantine``: a reply that failed validation (with its capture)
    or a file refused before it could become a capture (no capture, maybe no period)."""
    con.execute(
        "INSERT INTO raw.quarantine VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [
            quarantine_id,
            response_id,
            capture_id,
            source,
            endpoint,
            period.period_type if period else None,
            period.start if period else None,
            root_unit_id,
            sha256,
            reason,
            detail,
            datetime.now(UTC),
        ],
    )


def record_attempts(
    con: duckdb.DuckDBPyConnection, attempts: list[Attempt], run_id: str | None
) -> None:
    """Append HTTP attempts to ``ops.fetch_attempts``."""
    if not attempts:
        return
    rows = pl.DataFrame(
        {
            "run_id": [run_id] * len(attempts),
            "endpoint": [a.url.rsplit("/", 1)[-1] for a in attempts],
            "url": [a.url for a in attempts],
            "request_body": [a.request_body for a in attempts],
            "attempt": [a.attempt for a in attempts],
            "started_at": [a.started_at for a in attempts],
            "elapsed_ms": [a.elapsed_ms for a in attempts],
            "http_status": [a.http_status for a in attempts],
            "outcome": [a.outcome for a in attempts],
            "error": [a.error for a in attempts],
            "bytes": [a.bytes for a in attempts],
            "sha256": [a.sha256 for a in attempts],
        },
        schema_overrides={
            "run_id": pl.String,
            "http_status": pl.Int32,
            "error": pl.String,
            "bytes": pl.Int64,
            "sha256": pl.String,
        },
    )
    con.register("attempt_rows", rows)
    try:
        con.execute("INSERT INTO ops.fetch_attempts BY NAME SELECT * FROM attempt_rows")
    finally:
        con.unregister("attempt_rows")
