"""Capture one period nationally: the ``service-results`` ranking, then each selected
province's six group endpoints, each recorded as its own capture."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from pipelines.periods import Period
from pipelines.sources.portal.capture import (
    CaptureBundle,
    CaptureStopped,
    fetch_national,
    fetch_province,
)
from pipelines.sources.portal.client import PortalClient
from pipelines.sources.portal.parse import list_provinces
from pipelines.sources.portal.validate import InvalidReply
from warehouse.manifest import CaptureRecord, record_attempts, record_capture
from warehouse.raw_store import RawStore

log = logging.getLogger(__name__)


class ProvinceListUnavailable(RuntimeError):
    """No valid ``service-results`` reply to list provinces from."""


class UnknownProvince(ValueError):
    """A requested province is not in the national list."""


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
            p for p in provinces if p["unit_id"] == token.strip() or p["unit_code"] == token_norm
        ]
        if not match:
            raise UnknownProvince(
                f"không có tỉnh {token!r} trong bảng xếp hạng quốc gia của Cổng "
                f"(các mã có: {', '.join(sorted(p['unit_code'] for p in provinces))})"
            )
        chosen.extend(m for m in match if m not in chosen)
    return chosen


def _fallback_provinces(con, store: RawStore) -> list[dict[str, str]]:
    row = con.execute(
        """
        SELECT sha256 FROM raw.responses
        WHERE endpoint = 'service-results' AND validation = 'valid'
        ORDER BY captured_at DESC LIMIT 1
        """
    ).fetchone()
    if row is None:
        raise ProvinceListUnavailable(
            "the portal's national list (service-results) is invalid and no earlier valid "
            "one is stored: cannot tell which provinces to capture"
        )
    return list_provinces(store.get(row[0]))


def capture_period(
    client: PortalClient,
    warehouse,
    period: Period,
    *,
    provinces: Sequence[str] = (),
    partition_month: date,
    run_id: str | None,
) -> PeriodCaptureSummary:
    """Capture ``period``: national ranking first, then each selected province.

    Raises ``CaptureStopped`` (after recording what arrived) when the portal answers
    403/429: the whole run must stop.
    """
    summary = PeriodCaptureSummary(period)
    store: RawStore = warehouse.store()

    def record(bundle: CaptureBundle) -> CaptureRecord:
        with warehouse.connect() as con:
            rec = record_capture(con, store, bundle, partition_month=partition_month, run_id=run_id)
            record_attempts(con, client.attempts, run_id)
            client.attempts.clear()
        summary.records.append(rec)
        return rec

    try:
        national = fetch_national(client, period)
    except CaptureStopped as stop:
        record(stop.bundle)
        raise
    record(national)
    reply = national.fetched[0].reply
    try:
        if reply is None:
            raise InvalidReply(national.fetched[0].error or "no reply")
        listed = list_provinces(reply.content)
    except InvalidReply as exc:
        log.warning("service-results for %s unusable (%s); using the last valid list", period, exc)
        with warehouse.connect() as con:
            listed = _fallback_provinces(con, store)
    for province in select_provinces(listed, provinces):
        try:
            bundle = fetch_province(client, period, province["unit_id"])
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
