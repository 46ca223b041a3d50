"""A national capture records its batches on a recording thread while it goes on
fetching: the portal is still fetched while another writer holds the warehouse, nothing
fetched is lost when the portal stops the capture or a recording fails, and a recording
error is raised to the caller. A real httpx client against the local portal on
127.0.0.1, a real DuckDB file, the warehouse's real write lock held by the test."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from fake_portal.server import FakePortal
from pipelines.capturing import PeriodCaptureSummary, capture_period
from pipelines.resources import WarehouseResource
from pipelines.sources.fetching import CaptureStopped
from pipelines.sources.portal.client import PolitenessPolicy, PortalClient
from pipelines.sources.registry import PORTAL
from warehouse.connection import write_lock
from warehouse.periods import Period

OCTOBER = Period("month", date(2026, 10, 1))
PROVINCES = ("H01", "H44", "H12")
WAIT_S = 60.0


def client(portal: FakePortal) -> PortalClient:
    policy = PolitenessPolicy(delay_s=0, jitter_s=0, backoff_s=0.1, max_retries=1)
    return PortalClient(portal.url, policy=policy)


class CaptureThread(threading.Thread):
    """``capture_period`` of ``PROVINCES`` in October on its own thread, keeping what it
    returned or raised."""

    def __init__(
        self, portal: FakePortal, warehouse: WarehouseResource, summary: PeriodCaptureSummary
    ) -> None:
        super().__init__(daemon=True)
        self.portal = portal
        self.warehouse = warehouse
        self.summary = summary
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            with client(self.portal) as http:
                capture_period(
                    http,
                    self.warehouse,
                    OCTOBER,
                    provinces=PROVINCES,
                    partition_month=OCTOBER.start,
                    run_id="run-1",
                    today=date(2026, 11, 23),
                    summary=self.summary,
                )
        except BaseException as exc:  # handed to the test
            self.error = exc


def wait_for(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.02)


def capture_while_locked(
    portal: FakePortal, warehouse: WarehouseResource, fetched: Callable[[], bool]
) -> tuple[CaptureThread, int]:
    """Run the capture while the test holds the warehouse's write lock, until
    ``fetched`` says the portal served what it should (which it can only do if the
    capture fetches while its recordings wait for the lock); then let it finish."""
    summary = PeriodCaptureSummary(OCTOBER)
    capture = CaptureThread(portal, warehouse, summary)
    with write_lock(Path(warehouse.path).resolve()):
        capture.start()
        wait_for(lambda: fetched() or not capture.is_alive(), "the capture to fetch")
        served_while_locked = len(portal.request_log)
        assert not summary.records  # nothing could be recorded yet
    capture.join(WAIT_S)
    assert not capture.is_alive()
    return capture, served_while_locked


def stored(warehouse: WarehouseResource) -> list[tuple[Any, ...]]:
    with warehouse.connect() as con:
        return con.execute(
            "SELECT scope, root_unit_id, status FROM raw.captures ORDER BY captured_at"
        ).fetchall()


def test_the_portal_is_fetched_while_another_writer_holds_the_warehouse(
    portal: FakePortal, warehouse: WarehouseResource
) -> None:
    """Every request is served while the write lock is held elsewhere; once it is
    released every capture is recorded, in fetch order, each once."""
    expected = 1 + 6 * len(PROVINCES)
    capture, served = capture_while_locked(
        portal, warehouse, lambda: len(portal.request_log) >= expected
    )
    assert capture.error is None
    assert served == expected
    records = capture.summary.records
    assert [r.status for r in records] == ["complete"] * (1 + len(PROVINCES))
    assert [(scope, status) for scope, _, status in stored(warehouse)] == [
        ("national", "complete")
    ] + [("province", "complete")] * len(PROVINCES)
    # the summary keeps the fetch order
    assert [r.capture_id for r in records] == [row[0] for row in _ids_in_fetch_order(warehouse)]


def _ids_in_fetch_order(warehouse: WarehouseResource) -> list[tuple[str]]:
    with warehouse.connect() as con:
        return con.execute("SELECT capture_id FROM raw.captures ORDER BY captured_at").fetchall()


def test_everything_fetched_before_a_403_is_recorded(
    portal: FakePortal, warehouse: WarehouseResource
) -> None:
    """A 403 on the third province stops the capture while the first batches still wait
    for the warehouse: the national ranking, the two provinces before and the stopped
    capture are all recorded before ``CaptureStopped`` reaches the caller, and the
    summary passed in lists them in fetch order."""
    # faults apply in order: the first two transparency requests are answered normally
    # (after a 0 s delay), the third (the third province's) gets the 403
    portal.faults.add("transparency", "timeout", times=2, seconds=0)
    portal.faults.add("transparency", "status", times=1, status=403)
    capture, _ = capture_while_locked(
        portal, warehouse, lambda: ("transparency", "status") in portal.faults.history
    )
    assert ("transparency", "status") in portal.faults.history
    assert isinstance(capture.error, CaptureStopped)
    records = capture.summary.records
    assert [r.status for r in records] == ["complete", "complete", "complete", "incomplete"]
    rows = stored(warehouse)
    assert [(scope, status) for scope, _, status in rows] == [
        ("national", "complete"),
        ("province", "complete"),
        ("province", "complete"),
        ("province", "incomplete"),
    ]
    assert [row[0] for row in _ids_in_fetch_order(warehouse)] == [r.capture_id for r in records]


def test_a_recording_error_is_raised_after_the_other_batches_are_recorded(
    portal: FakePortal, warehouse: WarehouseResource
) -> None:
    """The national reply cannot be stored (its raw-store folder is taken by a file):
    its batch fails on the recording thread; the provinces fetched meanwhile are still
    recorded, and the error reaches the caller of ``capture_period``."""
    with client(portal) as http:
        national = PORTAL.fetch_national(http, OCTOBER)
    portal.request_log.clear()
    reply = national.fetched[0].reply
    assert reply is not None
    blob = warehouse.store().path_for(hashlib.sha256(reply.content).hexdigest())
    blob.parent.parent.mkdir(parents=True)
    blob.parent.write_text("not a folder")  # sha256/aa/bb is a file: the put fails
    expected = 1 + 6 * len(PROVINCES)
    capture, served = capture_while_locked(
        portal, warehouse, lambda: len(portal.request_log) >= expected
    )
    assert served == expected
    assert isinstance(capture.error, OSError)
    assert [(scope, status) for scope, _, status in stored(warehouse)] == [
        ("province", "complete")
    ] * len(PROVINCES)
    assert [r.status for r in capture.summary.records] == ["complete"] * len(PROVINCES)
