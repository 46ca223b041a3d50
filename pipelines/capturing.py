"""Capture one period nationally: the national ranking, then each selected province's
replies, each recorded as its own capture.

Two sources: ``current`` (the current API: ``service-results``, then a province's six
group endpoints) and ``legacy`` (``/jsp/rest.jsp``: the ranking of provinces, then a
province's departments, districts while they exist, and communes). A unit's monthly
trend on the legacy API is captured by :func:`capture_legacy_trend`.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date

from pipelines.sources.fetching import CaptureStopped
from pipelines.sources.legacy import capture as legacy_capture
from pipelines.sources.legacy import endpoints as legacy_endpoints
from pipelines.sources.legacy.validate import decode_trend
from pipelines.sources.portal.client import PortalBlocked, PortalClient
from pipelines.sources.registry import FETCHING, LEGACY
from warehouse.manifest import CaptureRecord, record_attempts, record_capture
from warehouse.periods import Period
from warehouse.raw_store import RawStore
from warehouse.records import CaptureBundle, InvalidReply
from warehouse.sources import FetchingSource

log = logging.getLogger(__name__)
progress_log = logging.getLogger(f"{__name__}.progress")
"""A capture's progress, for a user watching (``pipelines.cli_progress``): at DEBUG, the
number of provinces of each period (extra ``capture_roots``) and every capture recorded
(extra ``capture_recorded``: period, province or None, record, its HTTP attempts)."""


class ProvinceListUnavailable(RuntimeError):
    """No valid national reply to list provinces from."""


class UnknownProvince(ValueError):
    """A requested province is not in the national list."""


SOURCES = tuple(FETCHING)
"""The capture sources: ``current`` API or ``legacy`` API."""


def fetching_source(name: str) -> FetchingSource:
    """The fetching source called ``name`` (``current`` or ``legacy``)."""
    try:
        return FETCHING[name]
    except KeyError:
        raise ValueError(f"unknown source {name!r}: expected one of {', '.join(SOURCES)}") from None


@dataclass
class PeriodCaptureSummary:
    """What capturing one period did."""

    period: Period
    records: list[CaptureRecord] = field(default_factory=list)

    @property
    def complete(self) -> int:
        """Captures recorded complete (new or unchanged)."""
        return sum(1 for r in self.records if r.status == "complete")

    @property
    def new(self) -> int:
        """Captures that were new (content differed from the latest capture)."""
        return sum(1 for r in self.records if r.is_new)

    @property
    def incomplete(self) -> list[CaptureRecord]:
        """Captures recorded incomplete."""
        return [r for r in self.records if r.status != "complete"]

    @property
    def bytes(self) -> int:
        """Bytes received."""
        return sum(r.bytes for r in self.records)


def select_provinces(
    provinces: list[dict[str, str]], wanted: Sequence[str]
) -> list[dict[str, str]]:
    """Provinces matching ``wanted`` codes or ids (all when ``wanted`` is empty)."""
    if not wanted:
        return provinces
    chosen = []
    for token in wanted:
        token_norm = token.strip().upper()
        match = [
            p
            for p in provinces
            if token.strip() in (p["unit_id"], p.get("tinh_id")) or p["unit_code"] == token_norm
        ]
        if not match:
            raise UnknownProvince(
                f"không có tỉnh {token!r} trong bảng xếp hạng quốc gia của Cổng "
                f"(các mã có: {', '.join(sorted(p['unit_code'] for p in provinces))})"
            )
        chosen.extend(m for m in match if m not in chosen)
    return chosen


def _fallback_provinces(
    warehouse, store: RawStore, source: FetchingSource, period: Period
) -> list[dict]:
    """The provinces of the stored valid national reply nearest to ``period`` (the list
    changed on 1/7/2025), the latest capture first."""
    with warehouse.connect() as con:
        rows = con.execute(
            """
            SELECT sha256 FROM raw.responses
            WHERE source = ? AND endpoint = ? AND validation = 'valid'
            ORDER BY abs(date_diff('day', period_start, ?::DATE)), captured_at DESC LIMIT 1
            """,
            [source.id, source.national_endpoint, period.start],
        ).fetchall()
    if not rows:
        raise ProvinceListUnavailable(
            f"the portal's national list ({source.national_endpoint}) is invalid and no "
            "earlier valid one is stored: cannot tell which provinces to capture"
        )
    return source.list_roots(store.get(rows[0][0]))


def capture_period(
    client: PortalClient,
    warehouse,
    period: Period,
    *,
    provinces: Sequence[str] = (),
    partition_month: date,
    run_id: str | None,
    source: str = "current",
    today: date | None = None,
    summary: PeriodCaptureSummary | None = None,
) -> PeriodCaptureSummary:
    """Capture ``period`` from ``source``: national ranking first, then each selected
    province. ``today`` (legacy) decides whether districts still exist for the period.

    Each capture is fetched first and recorded after, so the warehouse's write lock is
    never held while waiting on the network. One recording thread records the fetched
    captures while this thread goes on fetching: whenever it is free, it is handed every
    capture fetched since its last batch, and records them in one warehouse connection
    (the write lock is held only there). So the batches grow with what arrives while
    one is recorded, the captures are recorded in the order fetched, and when the last
    one is fetched only the captures of one batch are left to record. Before this
    function returns or raises, whatever ends it (``CaptureStopped``, a recording error,
    any other exception), every buffered capture is handed over and every batch
    recorded or tried, so nothing fetched is lost. The fallback to the stored national
    list waits for every recording first.

    Raises ``CaptureStopped`` (after recording what arrived) when the portal answers
    403/429: the whole run must stop. An error while recording stops the fetching as
    soon as it is seen and is raised once the other batches were tried (taking
    precedence over an exception of this thread, kept as its context). Records are
    added to ``summary`` (a new one when None) in fetch order as their batches finish
    (and logged then, in this thread, for the progress display), so a caller that
    passes its own still knows what was recorded when an exception ends the capture.
    """
    chosen = fetching_source(source)
    day = today or date.today()
    summary = PeriodCaptureSummary(period) if summary is None else summary
    store: RawStore = warehouse.store()
    Batch = list[tuple[CaptureBundle, dict | None, tuple]]
    pending: Batch = []
    recordings: deque[tuple[Future[list[CaptureRecord]], Batch]] = deque()
    failures: list[BaseException] = []

    def record(batch: Batch) -> list[CaptureRecord]:
        """Record a batch of captures and their HTTP attempts in one connection (on the
        recording thread)."""
        memo: dict = {}
        with warehouse.connect() as con:
            records = [
                record_capture(
                    con,
                    store,
                    bundle,
                    chosen,
                    partition_month=partition_month,
                    run_id=run_id,
                    memo=memo,
                )
                for bundle, _, _ in batch
            ]
            record_attempts(con, [a for _, _, attempts in batch for a in attempts], run_id)
        return records

    def collect(wait: bool) -> None:
        """Take the finished batches in order (every batch, waiting, when ``wait``):
        add their records to ``summary`` and log them; keep a batch's error."""
        while recordings and (wait or recordings[0][0].done()):
            future, batch = recordings.popleft()
            try:
                records = future.result()
            except BaseException as exc:
                failures.append(exc)
                continue
            for (_bundle, province, attempts), rec in zip(batch, records, strict=True):
                summary.records.append(rec)
                done = (period, province, rec, attempts)
                progress_log.debug("recorded", extra={"capture_recorded": done})
                if province is not None:
                    log.debug(
                        "%s %s %s: %s%s",
                        period,
                        province["unit_code"],
                        province["unit_name"],
                        rec.status,
                        "" if rec.is_new else " (unchanged)",
                    )

    def flush(wait: bool = False) -> None:
        """Hand the buffered captures over to the recording thread; take the finished
        batches (waiting for all when ``wait``); raise the first recording error."""
        if pending:
            batch = list(pending)
            pending.clear()
            recordings.append((worker.submit(record, batch), batch))
        collect(wait)
        if failures:
            raise failures[0]

    def buffer(bundle: CaptureBundle, province: dict | None = None) -> None:
        """Keep a fetched capture (with the attempts that fetched it); hand what is kept
        over at once when the recording thread is free."""
        pending.append((bundle, province, tuple(client.attempts)))
        client.attempts.clear()
        collect(wait=False)
        if failures:
            raise failures[0]
        if not recordings:
            flush()

    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="capture-record") as worker:
        try:
            try:
                national = chosen.fetch_national(client, period)
            except CaptureStopped as stop:
                buffer(stop.bundle)
                raise
            buffer(national)
            reply = national.fetched[0].reply
            try:
                if reply is None:
                    raise InvalidReply(national.fetched[0].error or "no reply")
                listed = chosen.list_roots(reply.content)
            except InvalidReply as exc:
                log.warning(
                    "%s for %s unusable (%s); using the last valid list",
                    chosen.national_endpoint,
                    period,
                    exc,
                )
                flush(wait=True)  # the fallback reads the stored replies
                listed = _fallback_provinces(warehouse, store, chosen, period)
            selected = select_provinces(listed, provinces)
            progress_log.debug("provinces", extra={"capture_roots": len(selected)})
            for province in selected:
                try:
                    bundle = chosen.fetch_root(client, period, province, day)
                except CaptureStopped as stop:
                    buffer(stop.bundle, province)
                    raise
                buffer(bundle, province)
        finally:
            flush(wait=True)
    log.info(
        "%s: %d/%d lần thu thập đầy đủ, %d mới, %.1f MB",
        period,
        summary.complete,
        len(summary.records),
        summary.new,
        summary.bytes / 1e6,
    )
    return summary


class UnknownUnit(ValueError):
    """A unit is not in core.units (capture its province first)."""


def capture_legacy_trend(
    client: PortalClient,
    warehouse,
    unit_id: str,
    year: int,
    *,
    today: date,
    run_id: str | None = None,
) -> PeriodCaptureSummary:
    """Capture a legacy unit's monthly totals of ``year`` (``report_xuhuongdiem_service``).

    ``unit_id`` (``legacy:<ID>``, a province, district or commune) must be in
    ``core.units``: its level and province make the request. The one reply is recorded
    as a capture of each month it reports (scope ``unit``, partition = that month), so
    normalising a month loads the unit's reported total of that month into
    ``core.reported_totals``. If the reply is unusable, every month of the year up to
    ``today`` gets an incomplete capture saying why. Raises ``CaptureStopped`` on 403/429.
    """
    with warehouse.connect() as con:
        row = con.execute(
            "SELECT unit_level, province_unit_id FROM core.units WHERE unit_id = ?", [unit_id]
        ).fetchone()
    if row is None:
        raise UnknownUnit(f"{unit_id} is not in core.units: capture its province first")
    level, province_unit = row
    tinh_id = legacy_endpoints.legacy_number(province_unit or unit_id)
    period = Period("year", date(year, 1, 1))
    summary = PeriodCaptureSummary(period)
    store: RawStore = warehouse.store()
    expected = [
        m for m in range(1, 13) if legacy_endpoints.FIRST_MONTH <= date(year, m, 1) <= today
    ]
    if not expected:
        raise ValueError(f"no month of {year} has data on the legacy API (as of {today})")
    params = legacy_endpoints.trend_params(
        year, tinh_id, level, legacy_endpoints.legacy_number(unit_id)
    )
    try:
        reply, error = legacy_capture.fetch_trend(client, params)
    except PortalBlocked as exc:
        bundles = legacy_capture.trend_bundles(year, unit_id, params, None, str(exc), expected)
        for bundle in bundles:
            bundle.stopped_reason = str(exc)
        _record_all(client, warehouse, store, bundles, summary, run_id)
        raise CaptureStopped(exc, bundles[0]) from exc
    months = expected
    if reply is not None:
        try:
            months = sorted(decode_trend(reply.content))
        except InvalidReply:
            months = expected
    bundles = legacy_capture.trend_bundles(year, unit_id, params, reply, error, months)
    _record_all(client, warehouse, store, bundles, summary, run_id)
    log.info(
        "%s %d: %d/%d tháng đầy đủ, %d mới",
        unit_id,
        year,
        summary.complete,
        len(summary.records),
        summary.new,
    )
    return summary


def _record_all(
    client: PortalClient,
    warehouse,
    store: RawStore,
    bundles: list[CaptureBundle],
    summary: PeriodCaptureSummary,
    run_id: str | None,
) -> None:
    """Record trend captures (each under its own month's partition) and the attempts."""
    with warehouse.connect() as con:
        for bundle in bundles:
            summary.records.append(
                record_capture(
                    con, store, bundle, LEGACY, partition_month=bundle.period.start, run_id=run_id
                )
            )
        record_attempts(con, client.attempts, run_id)
        client.attempts.clear()
