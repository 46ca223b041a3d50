"""Captures recorded as one batch share a memo of what validation reads outside
``raw.*`` (the methodology in force, the units known per province): each is read once
per batch, and the verdicts are those of recording each capture on its own."""

from __future__ import annotations

from datetime import UTC, date, datetime

from pipelines.resources import WarehouseResource
from pipelines.sources.decode import decode_json
from pipelines.sources.portal.endpoints import GROUP_ENDPOINTS
from pipelines.sources.registry import PORTAL
from tests.conftest import PHU_THO, SAMPLES
from warehouse.manifest import record_capture
from warehouse.periods import Period
from warehouse.records import CaptureBundle, FetchedReply, Reply


def _bundle(content: bytes, period: Period) -> CaptureBundle:
    endpoint = next(e for e in GROUP_ENDPOINTS if e.name == "transparency")
    bundle = CaptureBundle(PORTAL.id, "province", period, PHU_THO, (endpoint,))
    reply = Reply("http://127.0.0.1/x", {}, 201, "application/json", content, datetime.now(UTC))
    bundle.fetched.append(FetchedReply(endpoint, {}, reply))
    return bundle


def test_a_batch_reads_methodology_and_units_once_and_judges_as_alone(
    warehouse: WarehouseResource,
) -> None:
    content = (SAMPLES / "2026" / "transparency.json").read_bytes()
    child = decode_json(content)["data"]["evaluation"][0]["departmentId"]
    periods = [Period.year_of(date(2026, 1, 1)), Period.quarter_of(date(2026, 7, 1))]
    with warehouse.connect() as con:
        con.execute(
            """INSERT INTO core.units (unit_id, unit_code, unit_name, unit_level,
                                       province_unit_id, first_seen_at, last_seen_at)
               VALUES (?, 'H01.05', 'Sở X', 'department', 'another-province', now(), now())""",
            [child],
        )
        memo: dict = {}
        batch = []
        for period in periods:
            batch.append(
                record_capture(
                    con,
                    warehouse.store(),
                    _bundle(content, period),
                    PORTAL,
                    partition_month=date(2026, 9, 1),
                    run_id="t",
                    memo=memo,
                )
            )
            if period == periods[0]:
                units_read = memo["portal.unit_provinces"]
        quarantined = con.execute(
            "SELECT period_start, reason FROM raw.quarantine ORDER BY period_start"
        ).fetchall()
    # each period's methodology read once, the units once for the whole batch
    assert set(memo) == {
        ("methodology", periods[0].start),
        ("methodology", periods[1].start),
        "portal.unit_provinces",
    }
    assert memo["portal.unit_provinces"] is units_read
    assert memo["portal.unit_provinces"][child] == {"another-province"}
    assert memo[("methodology", periods[0].start)].group_codes
    # the unit known under another province is refused in both captures of the batch
    assert [r.status for r in batch] == ["incomplete", "incomplete"]
    assert quarantined == [
        (periods[0].start, "unit of another root in the reply"),
        (periods[1].start, "unit of another root in the reply"),
    ]
