"""The code location loads, its asset graph is what we expect, and the nightly schedule
asks for the right months."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import dagster as dg
import pytest
from croniter import croniter

from pipelines.definitions import defs
from pipelines.schedules import nightly_month_range, nightly_portal_capture

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
EXPECTED_ASSETS = {
    "raw_portal__captures",
    "raw_files__captures",
    "core_portal__units",
    "core_portal__unit_sightings",
    "core_portal__group_scores",
    "core_portal__metric_values",
    "core_portal__group_parameters",
    "core_portal__reported_totals",
    "mart_portal__group_values",
    "mart_portal__unit_period_scores",
    "mart_portal__score_changes",
    "mart_portal__band_counts",
    "mart_portal__revisions",
    "mart_portal__since_yesterday",
    "mart_portal__points_lost",
    "mart_portal__peers",
    "mart_portal__what_it_takes",
    "published_warehouse",
    "out_portal__charts",
    "out_portal__site",
    "ops_portal__capture_outcome",
}


def test_definitions_load_and_asset_graph_snapshot() -> None:
    dg.Definitions.validate_loadable(defs)
    graph = defs.resolve_asset_graph()
    keys = {key.to_user_string() for key in graph.get_all_asset_keys()}
    assert keys == EXPECTED_ASSETS
    raw = dg.AssetKey("raw_portal__captures")
    assert raw in graph.get_all_asset_keys()
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert node.partitions_def is not None, f"{key} is not partitioned"
        assert node.description, f"{key} has no description"
    core_checks = {c.name for c in graph.asset_check_keys}
    assert {"unique_group_scores", "traceable_to_valid_raw", "unit_names_nfc"} <= core_checks
    # The run's outcome is the last step, after publication, in the same writer pool.
    outcome = dg.AssetKey("ops_portal__capture_outcome")
    assert graph.get(outcome).parent_keys == {dg.AssetKey("published_warehouse")}
    assert graph.get(outcome).pools == {"warehouse"}
    assert "ops_portal__capture_outcome" in defs.resolve_job_def("portal_job").graph.node_names()
    # Files and the portal take the same road: one core over every source's captures.
    core = graph.get(dg.AssetKey("core_portal__group_scores"))
    assert core.parent_keys == {raw, dg.AssetKey("raw_files__captures")}


@pytest.mark.parametrize(
    ("job", "captures"),
    [
        ("portal_job", {"raw_portal__captures"}),
        ("files_job", {"raw_files__captures"}),
        ("rebuild_job", set()),
    ],
)
def test_every_job_takes_the_same_road_from_its_captures(job: str, captures: set[str]) -> None:
    nodes = set(defs.resolve_job_def(job).graph.node_names())
    downstream = {
        "core_portal",
        "mart_portal",
        "published_warehouse",
        "out_portal__charts",
        "out_portal__site",
        "ops_portal__capture_outcome",
    }
    assert nodes == captures | downstream


def test_partitions_start_2022_08_and_include_the_open_month() -> None:
    partitions = defs.resolve_asset_graph().get(dg.AssetKey("raw_portal__captures")).partitions_def
    keys = partitions.get_partition_keys(current_time=datetime(2026, 11, 23, 4, tzinfo=TZ))
    assert keys[0] == "2022-08-01" and keys[-1] == "2026-11-01"  # the legacy API's history


@pytest.mark.parametrize(
    ("today", "first", "last"),
    [
        (date(2026, 11, 23), "2026-09-01", "2026-11-01"),  # Q3 closes in September
        (date(2026, 12, 2), "2026-09-01", "2026-12-01"),  # previous quarter ends 3 back
        (date(2026, 10, 5), "2026-08-01", "2026-10-01"),
        (date(2027, 1, 4), "2026-11-01", "2027-01-01"),  # December also captures 2026
    ],
)
def test_nightly_range(today: date, first: str, last: str) -> None:
    assert nightly_month_range(today) == (first, last)


def test_nightly_schedule_fires_at_4_in_vietnam_and_requests_one_range_run() -> None:
    assert nightly_portal_capture.execution_timezone == "Asia/Ho_Chi_Minh"
    fire = croniter(nightly_portal_capture.cron_schedule, datetime(2026, 11, 23, 1, tzinfo=TZ))
    assert fire.get_next(datetime) == datetime(2026, 11, 23, 4, tzinfo=TZ)
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 23, 4, tzinfo=TZ)
    )
    request = nightly_portal_capture.evaluate_tick(context).run_requests[0]
    assert request.tags["dagster/asset_partition_range_start"] == "2026-09-01"
    assert request.tags["dagster/asset_partition_range_end"] == "2026-11-01"
    assert request.run_config["ops"]["raw_portal__captures"]["config"]["today"] == "2026-11-23"


def test_every_warehouse_writing_job_carries_the_writer_tag() -> None:
    for name in ("portal_job", "files_job", "rebuild_job"):
        job = defs.resolve_job_def(name)
        assert job.tags.get("dvc766/warehouse") == "write", name
