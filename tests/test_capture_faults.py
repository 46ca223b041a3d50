"""Failure paths against the local portal with injected faults: each gives a clear error
or a quarantine record, and nothing previously verified changes."""

from __future__ import annotations

import pytest

from tests.helpers import counts, current_scores, materialize, province_id

pytestmark = pytest.mark.integration
MONTH = "2026-10"


def baseline(portal, warehouse) -> list[tuple]:
    """A complete, verified capture of H44 for the month; returns the current values."""
    assert materialize(portal, warehouse, MONTH, ["H44"]).success
    scores = current_scores(warehouse)
    assert scores
    return scores


def province_captures(warehouse, pid: str) -> list[tuple]:
    with warehouse.connect() as con:
        return con.execute(
            """SELECT status, reason FROM raw.captures WHERE root_unit_id = ?
               ORDER BY captured_at""",
            [pid],
        ).fetchall()


def test_5xx_then_success_is_retried_and_complete(portal, warehouse) -> None:
    portal.faults.add("transparency", "status", times=2, status=503)
    assert materialize(portal, warehouse, MONTH, ["H44"]).success
    assert province_captures(warehouse, province_id(portal, "H44")) == [("complete", None)]
    with warehouse.connect() as con:
        outcomes = [
            o
            for (o,) in con.execute(
                """SELECT outcome FROM ops.fetch_attempts WHERE endpoint = 'transparency'
               ORDER BY started_at"""
            ).fetchall()
        ]
    assert outcomes == ["server_error", "server_error", "ok"]


def test_connection_reset_is_retried(portal, warehouse) -> None:
    portal.faults.add("dvc-progress-tree", "reset")
    assert materialize(portal, warehouse, MONTH, ["H44"]).success
    assert province_captures(warehouse, province_id(portal, "H44")) == [("complete", None)]


def test_timeouts_leave_an_incomplete_capture_and_verified_data_intact(portal, warehouse):
    before = baseline(portal, warehouse)
    portal.faults.add("dossier-digitized", "timeout", times=3, seconds=1.5)
    assert materialize(portal, warehouse, MONTH, ["H44"]).success
    (_, _), (status, reason) = province_captures(warehouse, province_id(portal, "H44"))
    assert status == "incomplete"
    assert "dossier-digitized" in reason and "timeout" in reason
    assert current_scores(warehouse) == before


@pytest.mark.parametrize("status", [403, 429])
def test_403_429_stop_the_whole_capture(portal, warehouse, status: int) -> None:
    before = baseline(portal, warehouse)
    raw_before = counts(warehouse)["raw.captures"]
    portal.faults.add("provide-online-tree", "status", status=status)
    portal.request_log.clear()
    result = materialize(portal, warehouse, MONTH, ["H44", "H01"])
    # The capture step records the stop and hands what it has on (the run's last step,
    # ops_portal__capture_outcome, fails it: tests/test_run_outcome.py).
    assert result.success
    (raw,) = result.asset_materializations_for_node("raw_portal__captures")
    assert f"HTTP {status}" in raw.metadata["stopped"].value
    # nothing was requested after the refusal: not the rest of H44, not H01
    last_path = portal.request_log[-1][1]
    assert last_path.endswith("/provide-online-tree")
    h01 = province_id(portal, "H01")
    assert all(body.get("rootDepartmentId") != h01 for _, _, body in portal.request_log)
    statuses = province_captures(warehouse, province_id(portal, "H44"))
    assert statuses[-1][0] == "incomplete" and statuses[-1][1].startswith("stopped:")
    assert counts(warehouse)["raw.captures"] == raw_before + 1
    assert current_scores(warehouse) == before


@pytest.mark.parametrize(
    ("kind", "endpoint", "reason"),
    [
        ("html_block_page", "transparency", "body is HTML, not JSON (a block or error page?)"),
        ("not_json", "dossier-digitized", "body is not valid JSON (truncated?)"),
        ("code_error", "handling-satisfaction", "envelope code is not OK"),
        ("wrong_root", "dvc-progress-tree", "reply is for another root unit"),
        ("truncated", "formality-online-payment-tree", "body is not valid JSON (truncated?)"),
        ("renamed_field", "transparency", "field 'totalScore' missing"),
        ("duplicate_unit", "provide-online-tree", "unit appears more than once"),
        (
            "missing_children",
            "dossier-digitized",
            "data.evaluation missing: not the evaluation shape",
        ),
    ],
)
def test_bad_replies_are_quarantined_and_nothing_verified_changes(
    portal, warehouse, kind: str, endpoint: str, reason: str
) -> None:
    before = baseline(portal, warehouse)
    portal.faults.add(endpoint, kind)
    assert materialize(portal, warehouse, MONTH, ["H44"]).success
    with warehouse.connect() as con:
        rows = con.execute("SELECT endpoint, reason, sha256 FROM raw.quarantine").fetchall()
        assert [(e, r) for e, r, _ in rows] == [(endpoint, reason)]
        assert warehouse.store().get(rows[0][2])  # the bad bytes are kept for inspection
    statuses = province_captures(warehouse, province_id(portal, "H44"))
    assert [s for s, _ in statuses] == ["complete", "incomplete"]
    assert endpoint in statuses[-1][1]
    assert current_scores(warehouse) == before


def test_a_burst_of_500s_beyond_the_retries_leaves_the_capture_incomplete(
    portal, warehouse
) -> None:
    before = baseline(portal, warehouse)
    portal.faults.add("formality-online-payment-tree", "status", times=10, status=500)
    assert materialize(portal, warehouse, MONTH, ["H44"]).success
    status, reason = province_captures(warehouse, province_id(portal, "H44"))[-1]
    assert status == "incomplete"
    assert "formality-online-payment-tree" in reason and "failed after 3 attempts" in reason
    assert current_scores(warehouse) == before


def test_a_national_ranking_missing_a_group_is_quarantined(portal, warehouse) -> None:
    before = baseline(portal, warehouse)
    portal.faults.add("service-results", "renamed_field", old="MDSH", new="mdsh")
    assert materialize(portal, warehouse, MONTH, ["H44"]).success
    with warehouse.connect() as con:
        (reason, detail) = con.execute(
            "SELECT reason, detail FROM raw.quarantine WHERE endpoint = 'service-results'"
        ).fetchall()[0]
    assert reason == "groupScores lacks groups" and "MDSH" in detail
    assert current_scores(warehouse) == before


def test_hostile_unit_names_are_data_not_sql(portal, warehouse) -> None:
    """Names travel as parameters and values end to end; nothing is built into SQL."""
    hostile = "x'); DROP TABLE core.units; --"
    portal.faults.add("transparency", "replaced_text", old="Văn phòng", new=hostile)
    assert materialize(portal, warehouse, MONTH, ["H44"]).success
    with warehouse.connect() as con:
        names = [
            n
            for (n,) in con.execute(
                "SELECT unit_name FROM core.unit_sightings WHERE unit_name LIKE ?", ["%DROP TABLE%"]
            ).fetchall()
        ]
        assert con.execute("SELECT count(*) FROM core.units").fetchone()[0] > 100
    assert names and all(hostile in n for n in names)
