"""The legacy API end to end: real Dagster materializations with ``source: legacy``, the
real httpx client posting forms to the local portal over HTTP, and a real DuckDB file."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import httpx
import pytest
from typer.testing import CliRunner

from fake_portal.server import FakePortal
from pipelines.assets.core import core_portal
from pipelines.assets.raw import raw_portal__captures
from pipelines.capturing import UnknownUnit, capture_legacy_trend
from pipelines.cli import app
from pipelines.resources import WarehouseResource
from pipelines.sources.legacy import endpoints as ep
from pipelines.sources.registry import SOURCES
from tests.helpers import counts, current_scores, materialize, resources_for
from warehouse.load_core import captures_to_normalise, normalise_captures
from warehouse.periods import Period

pytestmark = pytest.mark.integration
GROUPS = ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH")
MONTH = "2023-11"


def legacy_run(portal, warehouse, month: str, provinces: list[str], **config):
    return materialize(portal, warehouse, month, provinces, source="legacy", **config)


def legacy_range(
    portal: FakePortal, warehouse: WarehouseResource, first: str, last: str, provinces: list[str]
) -> dg.ExecuteInProcessResult:
    """One run over the partition range, as ``dvc766 backfill --source legacy`` makes it."""
    config = {"today": portal.today.isoformat(), "provinces": provinces, "source": "legacy"}
    return dg.materialize(
        [raw_portal__captures, core_portal],
        resources=resources_for(portal, warehouse),
        run_config={"ops": {"raw_portal__captures": {"config": config}}},
        tags={
            "dagster/asset_partition_range_start": f"{first}-01",
            "dagster/asset_partition_range_end": f"{last}-01",
        },
        raise_on_error=False,
    )


def legacy_rows(portal: FakePortal, period: str, tinh_id: str | int, level: str) -> list[dict]:
    """What the local portal answers (the expected values)."""
    endpoint = ep.RANKING_ENDPOINTS[f"{ep.RANKING_SERVICE}:{level}"]
    params = ep.ranking_params(
        endpoint, Period.parse(period), None if level == "province" else tinh_id
    )
    reply = httpx.post(
        f"{portal.url}{ep.PATH}", data=ep.form(params), headers=ep.headers(portal.url)
    )
    return reply.json()


def province_captures(warehouse: WarehouseResource, unit_id: str) -> list[tuple]:
    with warehouse.connect() as con:
        return con.execute(
            """SELECT status, reason FROM raw.captures WHERE root_unit_id = ?
               ORDER BY captured_at""",
            [unit_id],
        ).fetchall()


def legacy_unit(portal: FakePortal, code: str) -> str:
    return ep.unit_id(portal.legacy.old_province(code).id)


def test_backfill_of_2023_fills_core_then_rerun_is_a_no_op(portal, warehouse) -> None:
    wanted = ["H47", "H50", "H46"]  # Quảng Nam, Quảng Trị, Quảng Bình
    result = legacy_range(portal, warehouse, "2023-01", "2023-12", wanted)
    assert result.success
    checks = result.get_asset_check_evaluations()
    assert checks and all(check.passed for check in checks)
    metadata = result.asset_materializations_for_node("raw_portal__captures")[0].metadata
    assert metadata["source"].value == "legacy"
    ds = portal.legacy
    provinces = [ds.old_province(code) for code in wanted]
    with warehouse.connect() as con:
        captures = con.execute(
            """SELECT source, scope, period_type, status, count(*) FROM raw.captures
               GROUP BY ALL ORDER BY ALL"""
        ).fetchall()
        periods = {"month": 12, "quarter": 4, "half": 2, "year": 1}
        assert captures == sorted(
            [("portal_legacy", "national", t, "complete", n) for t, n in periods.items()]
            + [("portal_legacy", "province", t, "complete", 3 * n) for t, n in periods.items()]
        )
        levels = dict(
            con.execute(
                "SELECT unit_level, count(*) FROM core.units WHERE unit_id LIKE 'legacy:%' "
                "GROUP BY ALL"
            ).fetchall()
        )
        assert levels == {
            "province": 63,
            "department": sum(len(ds.units(p, "department")) for p in provinces),
            "district": sum(len(ds.units(p, "district")) for p in provinces),
            "commune": sum(len(ds.units(p, "commune")) for p in provinces),
        }
        # districts sit under their province, with their codes
        quang_nam = legacy_unit(portal, "H47")
        districts = con.execute(
            """SELECT unit_code, parent_unit_id, province_unit_id FROM core.units
               WHERE unit_level = 'district' AND province_unit_id = ? ORDER BY unit_code""",
            [quang_nam],
        ).fetchall()
        assert [d[0] for d in districts] == sorted(
            u.code for u in ds.units(provinces[0], "district")
        )
        assert {d[1] for d in districts} == {quang_nam}
        # the national ranking: 63 provinces with the portal's totals and ranks, every period
        ranked = con.execute(
            """SELECT r.period_type, count(*), count(r.reported_rank) FROM core.reported_totals r
               JOIN raw.captures c USING (capture_id) WHERE c.scope = 'national' GROUP BY ALL"""
        ).fetchall()
        assert sorted(ranked) == sorted((t, 63 * n, 63 * n) for t, n in periods.items())
        # core holds what the portal said, string for string
        november = {
            r["MA_COQUAN"]: r for r in legacy_rows(portal, MONTH, provinces[0].id, "district")
        }
        stored = con.execute(
            """SELECT u.unit_code, s.group_code, s.score FROM core.current_group_scores s
               JOIN core.units u USING (unit_id)
               WHERE s.period_type = 'month' AND s.period_start = DATE '2023-11-01'
                 AND u.unit_level = 'district' AND u.province_unit_id = ?""",
            [quang_nam],
        ).fetchall()
        assert len(stored) == 6 * len(november)
        for code, group, score in stored:
            assert score == float(november[code][group])
        # an empty score is null, not zero (the inspectorate has no TTTT)
        tttt = con.execute(
            """SELECT DISTINCT s.score IS NULL FROM core.group_scores s JOIN core.units u
               USING (unit_id) WHERE u.unit_code = 'H47.23' AND s.group_code = 'TTTT'"""
        ).fetchall()
        assert tttt == [(True,)]
    before = counts(warehouse)
    again = legacy_range(portal, warehouse, "2023-01", "2023-12", wanted)
    assert again.success
    assert counts(warehouse) == before


@pytest.mark.parametrize(
    ("kind", "endpoint", "reason"),
    [
        ("truncated", "commune", "body is not valid JSON (truncated?)"),
        ("wrong_root", "district", "reply is for another root unit"),
        ("renamed_field", "department", "field 'TONG_SCORE' missing"),
        ("missing_children", "commune", "reply lists no rows"),
        ("duplicate_unit", "district", "unit appears more than once"),
        ("code_error", "department", "reply is not a JSON array of rows"),
        ("html_block_page", "commune", "body is HTML, not JSON (a block or error page?)"),
    ],
)
def test_bad_legacy_replies_are_quarantined(portal, warehouse, kind, endpoint, reason) -> None:
    assert legacy_run(portal, warehouse, MONTH, ["H47"], periods=[MONTH]).success
    before = current_scores(warehouse)
    portal.faults.add(f"rest.jsp:{endpoint}", kind)
    assert legacy_run(portal, warehouse, MONTH, ["H47"], periods=[MONTH]).success
    with warehouse.connect() as con:
        rows = con.execute("SELECT source, endpoint, reason, sha256 FROM raw.quarantine").fetchall()
        assert [r[:3] for r in rows] == [
            ("portal_legacy", f"report_tinh_766_service:{endpoint}", reason)
        ]
        assert warehouse.store().get(rows[0][3])  # the bad bytes are kept
    statuses = province_captures(warehouse, legacy_unit(portal, "H47"))
    assert [s for s, _ in statuses] == ["complete", "incomplete"]
    assert current_scores(warehouse) == before


def test_a_bad_national_list_falls_back_to_the_stored_one(portal, warehouse) -> None:
    assert legacy_run(portal, warehouse, MONTH, ["H47"], periods=[MONTH]).success
    portal.faults.add("rest.jsp:province", "truncated")
    portal.today = date(2026, 11, 24)
    assert legacy_run(portal, warehouse, MONTH, ["H47"], periods=["2023-10"]).success
    with warehouse.connect() as con:
        rows = con.execute(
            """SELECT scope, status FROM raw.captures
               WHERE period_start = DATE '2023-10-01' ORDER BY scope"""
        ).fetchall()
    assert rows == [("national", "incomplete"), ("province", "complete")]


def test_403_stops_the_legacy_capture(portal, warehouse) -> None:
    assert legacy_run(portal, warehouse, MONTH, ["H47"], periods=[MONTH]).success
    before = current_scores(warehouse)
    raw_before = counts(warehouse)["raw.captures"]
    portal.faults.add("rest.jsp:district", "status", status=403)
    portal.request_log.clear()
    result = legacy_run(portal, warehouse, MONTH, ["H47", "H50"], periods=[MONTH])
    assert result.success  # the stop is recorded; the run's outcome step fails the run
    (raw,) = result.asset_materializations_for_node("raw_portal__captures")
    assert "HTTP 403" in raw.metadata["stopped"].value
    # nothing was requested after the refusal: not H47's communes, nothing of H50
    last = portal.request_log[-1][2]
    assert (last["p_loaidonvi"], last["p_tinh_id"]) == (3, portal.legacy.old_province("H47").id)
    h50 = portal.legacy.old_province("H50").id
    assert all(params.get("p_tinh_id") != h50 for _, _, params in portal.request_log)
    statuses = province_captures(warehouse, legacy_unit(portal, "H47"))
    assert statuses[-1][0] == "incomplete" and statuses[-1][1].startswith("stopped:")
    assert counts(warehouse)["raw.captures"] == raw_before + 1
    assert current_scores(warehouse) == before


def test_half_years_are_legacy_only(portal, warehouse) -> None:
    assert legacy_run(portal, warehouse, "2023-06", ["H47"], periods=["2023-H1"]).success
    with warehouse.connect() as con:
        rows = con.execute(
            """SELECT r.period_type, r.period_start, r.endpoint, c.status FROM raw.responses r
               JOIN raw.captures c USING (capture_id) ORDER BY r.endpoint"""
        ).fetchall()
    assert [(r[0], str(r[1]), r[3]) for r in rows] == [("half", "2023-01-01", "complete")] * 4
    assert [r[2].rsplit(":", 1)[1] for r in rows] == [
        "commune",
        "department",
        "district",
        "province",
    ]
    current = materialize(portal, warehouse, "2023-06", ["H47"], periods=["2023-H1"])
    assert not current.success
    failure = next(e for e in current.all_events if e.is_step_failure)
    assert "only on the legacy API" in failure.event_specific_data.error.message


def test_after_the_merger_both_apis_agree(portal, warehouse) -> None:
    assert legacy_run(portal, warehouse, "2025-08", ["H44"], periods=["2025-08"]).success
    assert materialize(portal, warehouse, "2025-08", ["H44"], periods=["2025-08"]).success
    with warehouse.connect() as con:
        pairs = con.execute(
            """SELECT u.unit_code, s.group_code,
                      max(s.score) FILTER (WHERE u.unit_id LIKE 'legacy:%') AS legacy,
                      max(s.score) FILTER (WHERE u.unit_id NOT LIKE 'legacy:%') AS current
               FROM core.group_scores s JOIN core.units u USING (unit_id)
               JOIN raw.captures c USING (capture_id)
               WHERE s.period_start = DATE '2025-08-01' AND NOT s.is_root
               GROUP BY ALL"""
        ).fetchall()
        levels = dict(
            con.execute(
                "SELECT unit_level, count(*) FROM core.units WHERE unit_id LIKE 'legacy:%' "
                "GROUP BY ALL"
            ).fetchall()
        )
    # the 34 provinces (national rankings) and H44's departments and communes
    assert len(pairs) == (34 + len(portal.dataset.province_by_code("H44").children)) * 6
    assert all(legacy == current for _, _, legacy, current in pairs)
    assert "district" not in levels and levels["province"] == 34


def test_monthly_trend_of_a_unit(portal, warehouse) -> None:
    assert legacy_run(portal, warehouse, "2023-12", ["H47"], periods=["2023-12"]).success
    province = portal.legacy.old_province("H47")
    commune = portal.legacy.units(province, "commune")[5]
    december = {r["ID"]: r for r in legacy_rows(portal, "2023-12", province.id, "commune")}
    resources = resources_for(portal, warehouse)
    for unit in (ep.unit_id(commune.id), ep.unit_id(province.id)):
        with resources["portal"].client() as client:
            summary = capture_legacy_trend(client, warehouse, unit, 2023, today=portal.today)
        assert (summary.complete, summary.new) == (12, 12)
    months = [date(2023, m, 1) for m in range(1, 13)]
    with warehouse.connect() as con:
        pending = captures_to_normalise(con, months, SOURCES)
        assert len(pending) == 24
        normalise_captures(con, warehouse.store(), pending, SOURCES)
        trend = con.execute(
            """SELECT r.period_start, r.total_score FROM core.reported_totals r
               JOIN raw.captures c USING (capture_id)
               WHERE c.scope = 'unit' AND r.unit_id = ? AND r.period_type = 'month'
               ORDER BY 1""",
            [ep.unit_id(commune.id)],
        ).fetchall()
        scopes = con.execute(
            "SELECT DISTINCT source, scope, status FROM raw.captures WHERE scope = 'unit'"
        ).fetchall()
    assert [t[0] for t in trend] == months
    assert trend[-1][1] == float(december[commune.id]["TONG_SCORE"])
    assert scopes == [("portal_legacy", "unit", "complete")]
    before = counts(warehouse)
    with resources["portal"].client() as client:
        again = capture_legacy_trend(
            client, warehouse, ep.unit_id(commune.id), 2023, today=portal.today
        )
    assert again.new == 0 and counts(warehouse) == before
    with resources["portal"].client() as client, pytest.raises(UnknownUnit):
        capture_legacy_trend(client, warehouse, "legacy:1", 2023, today=portal.today)
    portal.faults.add("rest.jsp:trend", "truncated")
    with resources["portal"].client() as client:
        bad = capture_legacy_trend(
            client, warehouse, ep.unit_id(province.id), 2023, today=portal.today
        )
    assert (bad.complete, len(bad.incomplete)) == (0, 12)
    with warehouse.connect() as con:
        reasons = con.execute("SELECT DISTINCT endpoint LIKE 'report_xuhuongdiem_service:%', "
                              "reason FROM raw.quarantine").fetchall()  # fmt: skip
    assert reasons == [(True, "body is not valid JSON (truncated?)")]


def test_cli_capture_and_backfill_with_source_legacy(cli_env: Path) -> None:
    runner = CliRunner()
    refused = runner.invoke(app, ["capture", "--period", "2023-H1", "--province", "H47"])
    assert refused.exit_code != 0 and "chỉ có ở API cũ" in refused.output
    result = runner.invoke(
        app, ["capture", "--period", "2023-H1", "--province", "H47", "--source", "legacy"]
    )
    assert result.exit_code == 0, result.output
    assert "API cũ" in result.output
    result = runner.invoke(
        app, ["backfill", "--from", "2022-08", "--to", "2022-08", "--source", "legacy"]
    )
    assert result.exit_code == 0, result.output
    with duckdb.connect(str(cli_env / "w.duckdb"), read_only=True) as con:
        rows = con.execute(
            """SELECT source, period_type, period_start::VARCHAR,
                      count(*) FILTER (scope = 'province'), bool_and(status = 'complete')
               FROM raw.captures GROUP BY ALL ORDER BY ALL"""
        ).fetchall()
    assert rows == [  # the first month of the index, every province
        ("portal_legacy", "half", "2023-01-01", 1, True),
        ("portal_legacy", "month", "2022-08-01", 63, True),
    ]
