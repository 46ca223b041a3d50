"""Capture one period nationally: the national ranking, then each selected province's
replies, each recorded as its own capture.

Two sources: ``current`` (the current API: ``service-results``, then a province's six
group endpoints) and ``legacy`` (``/jsp/rest.jsp``: the ranking of provinces, then a
province's departments, districts while they exist, and communes). A unit's monthly
trend on the legacy API is captured by :func:`capture_legacy_trend`.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pipelines.periods import Period
from pipelines.sources.legacy import capture as legacy_capture
from pipelines.sources.legacy import endpoints as legacy_endpoints
from pipelines.sources.legacy.parse import list_provinces as legacy_list_provinces
from pipelines.sources.legacy.validate import decode_trend
from pipelines.sources.portal.capture import (
    CaptureBundle,
    CaptureStopped,
    fetch_national,
    fetch_province,
)
from pipelines.sources.portal.client import PortalBlocked, PortalClient
from pipelines.sources.portal.endpoints import SERVICE_RESULTS
from pipelines.sources.portal.endpoints import SOURCE as CURRENT_SOURCE
from pipelines.sources.portal.parse import list_provinces
from pipelines.sources.portal.validate import InvalidReply
from warehouse.manifest import CaptureRecord, record_attempts, record_capture
from warehouse.raw_store import RawStore

log = logging.getLogger(__name__)


class ProvinceListUnavailable(RuntimeError):
    """No valid ``service-results`` reply to list provinces from."""


class UnknownProvince(ValueError):
    """A requested province is not in the national list."""


SOURCES = ("current", "legacy")
"""The capture sources: ``current`` API or ``legacy`` API."""


@dataclass(frozen=True)
class _Adapter:
    """How one source lists provinces and fetches a capture."""

    raw_source: str
    national_endpoint: str
    fetch_national: Callable[[PortalClient, Period], CaptureBundle]
    list_provinces: Callable[[bytes], list[dict[str, Any]]]
    fetch_province: Callable[[PortalClient, Period, dict[str, Any]], CaptureBundle]


def _adapter(source: str, today: date | None) -> _Adapter:
    if source == "current":
        return _Adapter(
            CURRENT_SOURCE,
            SERVICE_RESULTS.name,
            fetch_national,
            list_provinces,
            lambda client, period, province: fetch_province(client, period, province["unit_id"]),
        )
    if source == "legacy":
        day = today or date.today()
        return _Adapter(
            legacy_endpoints.SOURCE,
            legacy_endpoints.PROVINCES.name,
            legacy_capture.fetch_national,
            legacy_list_provinces,
            lambda client, period, province: legacy_capture.fetch_province(
                client, period, province, day
            ),
        )
    raise ValueError(f"unknown source {source!r}: expected one of {', '.join(SOURCES)}")


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
    con, store: RawStore, adapter: _Adapter, period: Period
) -> list[dict[str, Any]]:
    """The provinces of the stored valid national reply nearest to ``period`` (the list
    changed on 1/7/2025), the latest capture first."""
    rows = con.execute(
        """
        SELECT sha256 FROM raw.responses
        WHERE source = ? AND endpoint = ? AND validation = 'valid'
        ORDER BY abs(date_diff('day', period_start, ?::DATE)), captured_at DESC LIMIT 1
        """,
        [adapter.raw_source, adapter.national_endpoint, period.start],
    ).fetchall()
    row = rows[0] if rows else None
    if row is None:
        raise ProvinceListUnavailable(
            f"the portal's national list ({adapter.national_endpoint}) is invalid and no "
            "earlier valid one is stored: cannot tell which provinces to capture"
        )
    return adapter.list_provinces(store.get(row[0]))


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
) -> PeriodCaptureSummary:
    """Capture ``period`` from ``source``: national ranking first, then each selected
    province. ``today`` (legacy) decides whether districts still exist for the period.

    Raises ``CaptureStopped`` (after recording what arrived) when the portal answers
    403/429: the whole run must stop.
    """
    adapter = _adapter(source, today)
    summary = PeriodCaptureSummary(period)
    store: RawStore = warehouse.store()
    with _Recorder(warehouse) as recorder:

        def record(bundle: CaptureBundle) -> CaptureRecord:
            con = recorder.connection()
            rec = record_capture(con, store, bundle, partition_month=partition_month, run_id=run_id)
            record_attempts(con, client.attempts, run_id)
            client.attempts.clear()
            summary.records.append(rec)
            return rec

        try:
            national = adapter.fetch_national(client, period)
        except CaptureStopped as stop:
            record(stop.bundle)
            raise
        record(national)
        reply = national.fetched[0].reply
        try:
            if reply is None:
                raise InvalidReply(national.fetched[0].error or "no reply")
            listed = adapter.list_provinces(reply.content)
        except InvalidReply as exc:
            log.warning(
                "%s for %s unusable (%s); using the last valid list",
                adapter.national_endpoint,
                period,
                exc,
            )
            listed = _fallback_provinces(recorder.connection(), store, adapter, period)
        for province in select_provinces(listed, provinces):
            try:
                bundle = adapter.fetch_province(client, period, province)
            except CaptureStopped as stop:
                record(stop.bundle)
                raise
            rec = record(bundle)
            log.debug(
                "%s %s %s: %s%s",
                period,
                province["unit_code"],
                province["unit_name"],
                rec.status,
                "" if rec.is_new else " (unchanged)",
            )
        log.info(
            "%s: %d/%d lần thu thập đầy đủ, %d mới, %.1f MB",
            period,
            summary.complete,
            len(summary.records),
            summary.new,
            summary.bytes / 1e6,
        )
        return summary


class _Recorder:
    """Lends the warehouse connection to a capture. It is reused while replies arrive
    quickly (the local portal, a backfill without delays) and closed after ``hold_s`` so
    the writer lock is never held for long between slow, polite requests."""

    def __init__(self, warehouse, hold_s: float = 5.0) -> None:
        self.warehouse = warehouse
        self.hold_s = hold_s
        self._stack: ExitStack | None = None
        self._con = None
        self._since = 0.0

    def connection(self):
        """An open write connection, renewed when held for longer than ``hold_s``."""
        if self._con is not None and time.monotonic() - self._since > self.hold_s:
            self.close()
        if self._con is None:
            self._stack = ExitStack()
            self._con = self._stack.enter_context(self.warehouse.connect())
            self._since = time.monotonic()
        return self._con

    def close(self) -> None:
        """Release the connection and the writer lock."""
        if self._stack is not None:
            self._stack.close()
        self._stack, self._con = None, None

    def __enter__(self) -> _Recorder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


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
                    con, store, bundle, partition_month=bundle.period.start, run_id=run_id
                )
            )
        record_attempts(con, client.attempts, run_id)
        client.attempts.clear()
