"""Helpers for integration tests: run the capture and core assets through Dagster against
the local portal, and read the warehouse back."""

from __future__ import annotations

import dagster as dg
import httpx

from fake_portal.server import FakePortal
from pipelines.assets.core import core_portal
from pipelines.assets.raw import raw_portal__captures
from pipelines.resources import PortalResource, WarehouseResource

RAW_AND_CORE = (
    "raw.captures",
    "raw.responses",
    "raw.quarantine",
    "core.unit_sightings",
    "core.units",
    "core.group_scores",
    "core.metric_values",
    "core.group_parameters",
    "core.reported_totals",
)


def resources_for(portal: FakePortal, warehouse: WarehouseResource) -> dict:
    return {
        "portal": PortalResource(
            base_url=portal.url, delay_s=0, jitter_s=0, backoff_s=0.01, timeout_s=1.0, max_retries=2
        ),
        "warehouse": warehouse,
    }


def materialize(
    portal: FakePortal, warehouse: WarehouseResource, month: str, provinces: list[str], **config
) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [raw_portal__captures, core_portal],
        partition_key=f"{month}-01",
        resources=resources_for(portal, warehouse),
        run_config={
            "ops": {
                "raw_portal__captures": {
                    "config": {"today": portal.today.isoformat(), "provinces": provinces, **config}
                }
            }
        },
        raise_on_error=False,
    )


def counts(warehouse: WarehouseResource) -> dict[str, int]:
    with warehouse.connect() as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in RAW_AND_CORE}


def current_scores(warehouse: WarehouseResource) -> list[tuple]:
    with warehouse.connect() as con:
        return con.execute(
            """SELECT unit_id, period_type, period_start, group_code, score, capture_id
               FROM core.current_group_scores ORDER BY ALL"""
        ).fetchall()


def portal_root_score(portal: FakePortal, endpoint: str, body: dict) -> float:
    reply = httpx.post(f"{portal.url}/api/v1/reporting/evaluation/{endpoint}", json=body)
    data = reply.json()["data"]
    return (data.get("overview") or data.get("parent"))["totalScore"]


def province_id(portal: FakePortal, code: str) -> str:
    return portal.dataset.province_by_code(code).id
