"""A national capture records its fetched captures on a recording thread, handed every
capture fetched while it was busy (one warehouse connection per batch), and nothing
fetched is lost when the portal stops the run:
a real httpx client against the local portal on 127.0.0.1, a real DuckDB file."""

from __future__ import annotations

import logging
from datetime import date

import pytest

from fake_portal.server import FakePortal
from pipelines.capturing import PeriodCaptureSummary, capture_period
from pipelines.resources import WarehouseResource
from pipelines.sources.fetching import CaptureStopped
from pipelines.sources.portal.client import PolitenessPolicy, PortalClient
from warehouse.periods import Period

OCTOBER = Period("month", date(2026, 10, 1))
PROVINCES = ("H01", "H44", "H12")


class RequestsAtRecording(logging.Handler):
    """For each capture recorded (the progress log), how many requests the portal had
    served by then."""

    def __init__(self, portal: FakePortal) -> None:
        super().__init__(logging.DEBUG)
        self.portal = portal
        self.served: list[int] = []

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "capture_recorded", None) is not None:
            self.served.append(len(self.portal.request_log))


@pytest.fixture
def recordings(portal: FakePortal):
    handler = RequestsAtRecording(portal)
    progress = logging.getLogger("pipelines.capturing.progress")
    level = progress.level
    progress.setLevel(logging.DEBUG)
    progress.addHandler(handler)
    yield handler
    progress.removeHandler(handler)
    progress.setLevel(level)


def client(portal: FakePortal) -> PortalClient:
    policy = PolitenessPolicy(delay_s=0, jitter_s=0, backoff_s=0.1, max_retries=1)
    return PortalClient(portal.url, policy=policy)


def captures(warehouse: WarehouseResource) -> list[tuple[str, str, str]]:
    with warehouse.connect() as con:
        return con.execute(
            "SELECT scope, status, run_id FROM raw.captures ORDER BY scope, root_unit_id"
        ).fetchall()


def test_each_capture_is_recorded_once_in_fetch_order(
    portal: FakePortal, warehouse: WarehouseResource, recordings: RequestsAtRecording
) -> None:
    """The national ranking and the three provinces are each recorded once, complete, in
    fetch order, each after its own requests; every HTTP attempt is kept."""
    with client(portal) as http:
        summary = capture_period(
            http,
            warehouse,
            OCTOBER,
            provinces=PROVINCES,
            partition_month=OCTOBER.start,
            run_id="run-1",
            today=date(2026, 11, 23),
        )
    served = len(portal.request_log)
    assert served == 1 + 6 * len(PROVINCES)
    assert len(recordings.served) == 1 + len(PROVINCES)
    assert all(s >= f for s, f in zip(recordings.served, [1, 7, 13, 19], strict=True))
    assert recordings.served == sorted(recordings.served)
    assert summary.complete == 1 + len(PROVINCES)
    assert captures(warehouse) == [("national", "complete", "run-1")] + [
        ("province", "complete", "run-1")
    ] * len(PROVINCES)
    with warehouse.connect() as con:
        attempts = con.execute(
            "SELECT count(*) FROM ops.fetch_attempts WHERE run_id = 'run-1'"
        ).fetchone()
    assert attempts == (served,)


def test_a_capture_is_recorded_while_the_next_is_fetched(
    portal: FakePortal, warehouse: WarehouseResource, recordings: RequestsAtRecording
) -> None:
    """The recording thread is handed a capture as soon as it is free, not when the
    fetching ends. Each province's first reply is slowed down (1.5 s), so a capture
    handed over is recorded before the next one is fetched: the national ranking is
    seen recorded as soon as the first province is fetched (7 requests served), the
    first province when the second is (13). The flush every 5 s this replaced recorded
    all of them after the last request."""
    with warehouse.connect():
        pass  # the schema exists before the capture starts
    portal.faults.add("transparency", "timeout", times=len(PROVINCES), seconds=1.5)
    with client(portal) as http:
        summary = capture_period(
            http,
            warehouse,
            OCTOBER,
            provinces=PROVINCES,
            partition_month=OCTOBER.start,
            run_id="run-2",
            today=date(2026, 11, 23),
        )
    assert summary.complete == 1 + len(PROVINCES)
    assert recordings.served[:2] == [7, 13], recordings.served
    assert recordings.served[2:] == [19, 19]


def test_what_was_fetched_is_recorded_when_the_portal_stops_the_capture(
    portal: FakePortal, warehouse: WarehouseResource
) -> None:
    """A 403 on the second province stops the capture: the national ranking, the first
    province and the stopped capture are all recorded (the buffer is handed over on the way
    out), and the summary passed in knows them."""
    summary = PeriodCaptureSummary(OCTOBER)
    with client(portal) as http:
        first = capture_period(
            http,
            warehouse,
            OCTOBER,
            provinces=PROVINCES[:1],
            partition_month=OCTOBER.start,
            run_id="run-3",
            today=date(2026, 11, 23),
        )
        assert first.complete == 2
        portal.faults.add("transparency", "status", times=1, status=403)
        with pytest.raises(CaptureStopped):
            capture_period(
                http,
                warehouse,
                OCTOBER,
                provinces=PROVINCES[1:2],
                partition_month=OCTOBER.start,
                run_id="run-4",
                today=date(2026, 11, 23),
                summary=summary,
            )
    assert [r.status for r in summary.records] == ["complete", "incomplete"]
    with warehouse.connect() as con:
        stopped = con.execute(
            "SELECT scope, status FROM raw.captures WHERE run_id = 'run-4' ORDER BY scope"
        ).fetchall()
    # the national ranking is unchanged since run-3 (not stored again); the province's
    # capture that the 403 stopped is recorded incomplete
    assert stopped == [("province", "incomplete")]
