"""End to end: real Dagster materializations, a real httpx client, the local portal over
real HTTP on 127.0.0.1, and a real DuckDB file."""

from __future__ import annotations

from datetime import date

import pytest

from tests.helpers import (
    counts,
    current_scores,
    materialize,
    portal_root_score,
    province_id,
)
from warehouse.periods import Period

pytestmark = pytest.mark.integration


def test_month_end_to_end_then_rerun_is_a_no_op(portal, warehouse) -> None:
    result = materialize(portal, warehouse, "2026-10", ["H44", "H01"])
    assert result.success
    with warehouse.connect() as con:
        captures = con.execute(
            "SELECT scope, status, count(*) FROM raw.captures GROUP BY ALL ORDER BY ALL"
        ).fetchall()
        assert captures == [("national", "complete", 1), ("province", "complete", 2)]
        assert con.execute("SELECT count(*) FROM core.reported_totals").fetchone()[0] == 34
        levels = dict(
            con.execute("SELECT unit_level, count(*) FROM core.units GROUP BY ALL").fetchall()
        )
        assert levels["province"] == 34
        assert 2 * 10 <= levels["department"] <= 2 * 20
        assert 2 * 60 <= levels["commune"] <= 2 * 150
        h44 = province_id(portal, "H44")
        mine = dict(
            con.execute(
                """SELECT group_code, score FROM core.current_group_scores
               WHERE unit_id = ? AND period_type = 'month' AND period_start = DATE '2026-10-01'""",
                [h44],
            ).fetchall()
        )
        assert set(mine) == {"CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH"}
        body = Period.parse("2026-10").time_fields() | {
            "rootDepartmentId": h44,
            "currentPage": 1,
            "pageSize": 200,
        }
        assert mine["CKMB"] == portal_root_score(portal, "transparency", body)
        assert mine["TDGQ"] == portal_root_score(portal, "dvc-progress-tree", body)
        # every core row is traceable to a stored, valid reply whose bytes hash right
        sha = con.execute(
            """SELECT r.sha256 FROM core.group_scores g JOIN raw.responses r USING (response_id)
               WHERE g.unit_id = ? AND g.group_code = 'MDSH' LIMIT 1""",
            [h44],
        ).fetchone()[0]
        assert warehouse.store().get(sha)
        metadata = result.asset_materializations_for_node("raw_portal__captures")[0].metadata
        assert metadata["complete_captures"].value == 3
    checks = result.get_asset_check_evaluations()
    assert checks and all(check.passed for check in checks)

    before = counts(warehouse)
    again = materialize(portal, warehouse, "2026-10", ["H44", "H01"])
    assert again.success
    assert counts(warehouse) == before


def test_open_month_captures_month_quarter_and_year(portal, warehouse) -> None:
    assert materialize(portal, warehouse, "2026-11", ["H44"]).success
    with warehouse.connect() as con:
        periods = con.execute(
            """SELECT DISTINCT period_type, period_start FROM raw.captures
               WHERE scope = 'province' ORDER BY ALL"""
        ).fetchall()
        assert periods == [
            ("month", date(2026, 11, 1)),
            ("quarter", date(2026, 10, 1)),
            ("year", date(2026, 1, 1)),
        ]
        bodies = [
            b
            for (b,) in con.execute(
                "SELECT request_body FROM raw.responses WHERE endpoint = 'handling-satisfaction'"
            ).fetchall()
        ]
        assert any(
            '"fromDate": "2026-01-01"' in b and '"toDate": "2026-12-31"' in b for b in bodies
        )


def test_revised_closed_month_is_a_new_capture_and_becomes_current(portal, warehouse) -> None:
    code = next(
        p.code for p in portal.dataset.provinces if portal.dataset.is_revised(p.code, 2026, 8)
    )
    revision_day = portal.dataset.revision_date(2026, 8)
    portal.today = date(2026, 10, 10)
    assert revision_day > portal.today
    assert materialize(portal, warehouse, "2026-08", [code]).success
    before = current_scores(warehouse)
    portal.today = revision_day
    assert materialize(portal, warehouse, "2026-08", [code]).success
    pid = province_id(portal, code)
    with warehouse.connect() as con:
        caps = con.execute(
            """SELECT capture_id, captured_at FROM raw.captures
               WHERE root_unit_id = ? ORDER BY captured_at""",
            [pid],
        ).fetchall()
        assert len(caps) == 2  # the old capture is kept, the revision is new
        old_id, new_id = caps[0][0], caps[1][0]
        history = con.execute(
            """SELECT capture_id, group_code, score FROM core.group_scores
               WHERE unit_id = ? AND is_root ORDER BY group_code, captured_at""",
            [pid],
        ).fetchall()
        assert {cid for cid, _, _ in history} == {old_id, new_id}
        current = con.execute(
            """SELECT DISTINCT capture_id FROM core.current_group_scores
               WHERE unit_id = ? AND period_type = 'month'""",
            [pid],
        ).fetchall()
        assert current == [(new_id,)]
        cutoff = con.execute(
            "SELECT max(captured_at) FROM raw.responses WHERE capture_id = ?", [old_id]
        ).fetchone()[0]
        old_values = con.execute(
            """SELECT group_code, score FROM core.group_scores
               WHERE capture_id = ? AND unit_id = ? ORDER BY ALL""",
            [old_id, pid],
        ).fetchall()
        as_of = con.execute(
            """SELECT group_code, score FROM core.group_scores_as_of(?::TIMESTAMPTZ)
               WHERE unit_id = ? ORDER BY ALL""",
            [cutoff, pid],
        ).fetchall()
        assert as_of == old_values  # the letter's cut-off still gives the pre-revision value
        new_values = con.execute(
            """SELECT group_code, score FROM core.current_group_scores
               WHERE unit_id = ? ORDER BY ALL""",
            [pid],
        ).fetchall()
        assert new_values != old_values
    after = current_scores(warehouse)
    assert after != before
