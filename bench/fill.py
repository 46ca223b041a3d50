"""Fill a raw store quickly with the local portal's national dataset, without HTTP: the
replies are rendered by the same code the local portal serves and recorded exactly as a
capture over HTTP would record them (raw store, manifest, validation)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta

from fake_portal.server import FakePortal
from pipelines.resources import WarehouseResource
from pipelines.sources.portal.endpoints import (
    GROUP_ENDPOINTS,
    NATIONAL_ROOT,
    SERVICE_RESULTS,
    Endpoint,
)
from pipelines.sources.portal.provinces import list_provinces
from pipelines.sources.registry import PORTAL
from warehouse.manifest import record_capture
from warehouse.periods import Period, periods_for_month
from warehouse.records import CaptureBundle, FetchedReply, Reply


def months(first: Period, count: int) -> Iterator[Period]:
    """``count`` consecutive months from ``first``."""
    current = first
    for _ in range(count):
        yield current
        current = current.next()


def _reply(
    portal: FakePortal, endpoint: Endpoint, body: dict, received_at: datetime | None = None
) -> FetchedReply:
    answer = portal.handle("POST", endpoint.path, json.dumps(body).encode())
    if answer.status not in (200, 201):
        raise RuntimeError(f"local portal answered {answer.status} for {endpoint.name} {body}")
    reply = Reply(
        f"http://127.0.0.1{endpoint.path}",
        body,
        answer.status,
        answer.content_type,
        answer.body,
        received_at or datetime.now(UTC),
    )
    return FetchedReply(endpoint, body, reply)


def fill(
    warehouse: WarehouseResource,
    first: Period,
    count: int,
    today: date,
    *,
    provinces: Sequence[str] = (),
    portal: FakePortal | None = None,
    days_ago: int = 0,
) -> dict:
    """Record ``count`` national months from ``first`` (and their quarters and years as a
    nightly run would) as captures, as the portal shows them on ``today``; return counts.
    ``provinces`` (codes) limits the province captures to those (all when empty).
    ``days_ago`` dates the replies that many days before now (the benchmark's history was
    captured on earlier nights than the nightly run it measures, as in production)."""
    portal = portal or FakePortal(today=today)
    received_at = datetime.now(UTC) - timedelta(days=days_ago) if days_ago else None
    portal.today = today
    store = warehouse.store()
    captures = files = size = 0
    with warehouse.connect() as con:
        for month in months(first, count):
            for period in periods_for_month(month.start, today):
                national = CaptureBundle(
                    PORTAL.id, "national", period, NATIONAL_ROOT, (SERVICE_RESULTS,)
                )
                national.fetched.append(
                    _reply(
                        portal, SERVICE_RESULTS, SERVICE_RESULTS.request_body(period), received_at
                    )
                )
                bundles = [national]
                for province in list_provinces(national.fetched[0].reply.content):
                    if provinces and province["unit_code"] not in provinces:
                        continue
                    bundle = CaptureBundle(
                        PORTAL.id, "province", period, province["unit_id"], GROUP_ENDPOINTS
                    )
                    for endpoint in GROUP_ENDPOINTS:
                        bundle.fetched.append(
                            _reply(
                                portal,
                                endpoint,
                                endpoint.request_body(period, province["unit_id"]),
                                received_at,
                            )
                        )
                    bundles.append(bundle)
                for bundle in bundles:
                    record = record_capture(
                        con, store, bundle, PORTAL, partition_month=month.start, run_id="bench-fill"
                    )
                    if record.status != "complete":
                        raise RuntimeError(f"incomplete bench capture: {record.reason}")
                    captures += 1
                    files += len(bundle.fetched)
                    size += record.bytes
    return {"captures": captures, "files": files, "bytes": size}
