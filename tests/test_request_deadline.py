"""Every request attempt has an overall deadline: a reply dripped a byte at a time, or one
that stalls mid-body, can't hold a capture (real HTTP to the local portal on 127.0.0.1)."""

from __future__ import annotations

import dagster as dg
import pytest

from fake_portal.faults import FaultPlan
from fake_portal.server import FakePortal
from pipelines.assets.core import core_portal
from pipelines.assets.raw import raw_portal__captures
from pipelines.resources import PortalResource, WarehouseResource
from pipelines.sources.portal.client import PolitenessPolicy, PortalClient, PortalRequestFailed
from pipelines.sources.portal.endpoints import GROUP_ENDPOINTS
from tests.helpers import province_id
from warehouse.periods import Period

TRANSPARENCY = GROUP_ENDPOINTS[0]
DEADLINE_MESSAGE = "timeout: overall deadline of 1 s exceeded"


def deadline_client(portal: FakePortal, **policy: float) -> PortalClient:
    """A client with a 1 s overall deadline and a per-operation timeout well above it."""
    settings = {"timeout_s": 30.0, "deadline_s": 1.0, "max_retries": 2, "backoff_s": 0.01}
    return PortalClient(
        base_url=portal.url,
        policy=PolitenessPolicy(delay_s=0, jitter_s=0, **{**settings, **policy}),  # type: ignore[arg-type]
    )


def transparency_body(portal: FakePortal) -> dict:
    return TRANSPARENCY.request_body(Period.parse("2026-10"), province_id(portal, "H44"))


@pytest.mark.timeout(60)
def test_a_dripping_reply_is_given_up_at_the_deadline_after_the_retries(
    portal: FakePortal,
) -> None:
    # the whole body dripped would take far longer than the test's timeout: it ends
    # only because each attempt is cut at the deadline, as each attempt's error says
    portal.faults.add("transparency", "drip", times=10, interval=0.2)
    with (
        deadline_client(portal) as client,
        pytest.raises(PortalRequestFailed, match=f"failed after 3 attempts: {DEADLINE_MESSAGE}"),
    ):
        client.post_json(TRANSPARENCY.path, transparency_body(portal))
    assert [a.outcome for a in client.attempts] == ["timeout"] * 3
    assert all(DEADLINE_MESSAGE in (a.error or "") for a in client.attempts)
    assert all(a.http_status is None and a.bytes is None for a in client.attempts)
    assert portal.faults.history == [("transparency", "drip")] * 3


@pytest.mark.timeout(20)
def test_a_read_blocked_past_the_deadline_is_cut_at_the_deadline(portal: FakePortal) -> None:
    """Headers and one byte, then nothing for 30 s: the 30 s per-read timeout alone (or a
    check between chunks) would wait it out; the read is capped by the time left."""
    portal.faults.add("transparency", "drip", interval=30.0)
    with (
        deadline_client(portal, max_retries=0) as client,
        pytest.raises(PortalRequestFailed, match=f"failed after 1 attempts: {DEADLINE_MESSAGE}"),
    ):
        client.post_json(TRANSPARENCY.path, transparency_body(portal))
    assert [a.outcome for a in client.attempts] == ["timeout"]


def test_the_drip_fault_needs_a_positive_interval() -> None:
    with pytest.raises(ValueError, match="interval > 0"):
        FaultPlan().add("transparency", "drip", interval=0)


@pytest.mark.integration
@pytest.mark.timeout(180)
def test_a_dripping_endpoint_leaves_its_capture_incomplete_and_others_complete(
    portal: FakePortal, warehouse: WarehouseResource
) -> None:
    """Through the real capture path: one Dagster materialization of two provinces."""
    portal.faults.add("transparency", "drip", times=2, interval=0.2)
    result = dg.materialize(
        [raw_portal__captures, core_portal],
        partition_key="2026-10-01",
        resources={
            "portal": PortalResource(
                base_url=portal.url,
                delay_s=0,
                jitter_s=0,
                backoff_s=0.01,
                timeout_s=30.0,
                deadline_s=1.0,
                max_retries=1,
            ),
            "warehouse": warehouse,
        },
        run_config={
            "ops": {
                "raw_portal__captures": {
                    "config": {"today": portal.today.isoformat(), "provinces": ["H44", "H01"]}
                }
            }
        },
        raise_on_error=False,
    )
    assert result.success
    ids = {province_id(portal, "H44"), province_id(portal, "H01")}
    with warehouse.connect() as con:
        captures = con.execute(
            """SELECT root_unit_id, status, reason, capture_id FROM raw.captures
               WHERE scope = 'province' AND period_type = 'month' ORDER BY status""",
        ).fetchall()
        attempts = con.execute(
            """SELECT outcome, error, request_body FROM ops.fetch_attempts
               WHERE endpoint = 'transparency' ORDER BY started_at"""
        ).fetchall()
        current = dict(
            con.execute(
                "SELECT capture_id, count(*) FROM core.current_group_scores GROUP BY capture_id"
            ).fetchall()
        )
    assert {c[0] for c in captures} == ids
    (complete_root, complete, _, complete_id), (dripped_root, incomplete, reason, dripped_id) = (
        captures
    )
    assert (complete, incomplete) == ("complete", "incomplete")
    assert "transparency" in reason and DEADLINE_MESSAGE in reason
    assert [o for o, _, _ in attempts] == ["timeout", "timeout", "ok"]
    assert all(DEADLINE_MESSAGE in e and dripped_root in b for _, e, b in attempts[:2])
    assert complete_root in attempts[2][2]
    assert current.get(complete_id, 0) > 0 and dripped_id not in current
