"""The fake portal: real HTTP on loopback, the real reply format, a clock, faults."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from fake_portal import API_PREFIX, ENDPOINTS, GROUPS, Dataset, FakePortal
from fake_portal.scoring import r2
from tests.conftest import SAMPLES
from warehouse.periods import Period

TODAY = date(2026, 9, 26)  # the day the samples were captured
GROUP_ENDPOINT = {group: endpoint for endpoint, group in ENDPOINTS.items()}


@pytest.fixture(scope="module")
def portal() -> Iterator[FakePortal]:
    with FakePortal(today=TODAY) as p:
        yield p


@pytest.fixture(autouse=True)
def _reset(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "portal" in request.fixturenames:
        p: FakePortal = request.getfixturevalue("portal")
        p.today = TODAY
        p.faults.clear()


@pytest.fixture(scope="module")
def client(portal: FakePortal) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=portal.url, timeout=10) as c:
        yield c


def body_for(endpoint: str, period: Period, root: str, page_size: int = 200) -> dict[str, Any]:
    """The request body the real portal takes for ``endpoint``."""
    fields: dict[str, Any] = (
        dict(period.date_range_fields())
        if endpoint == "handling-satisfaction"
        else dict(period.time_fields())
    )
    return {**fields, "rootDepartmentId": root, "currentPage": 1, "pageSize": page_size}


def post(client: httpx.Client, endpoint: str, body: dict[str, Any]) -> httpx.Response:
    return client.post(API_PREFIX + endpoint, json=body)


def national(client: httpx.Client, period: Period) -> dict[str, Any]:
    body = {**period.time_fields(), "departmentType": "ADMINISTRATIVE_UNIT"}
    response = post(client, "service-results", body)
    assert response.status_code == 201
    return response.json()


def root_total(payload: dict[str, Any]) -> float:
    data = payload["data"]
    return (data.get("overview") or data["parent"])["totalScore"]


def children(payload: dict[str, Any]) -> list[dict[str, Any]]:
    data = payload["data"]
    return data["evaluation"] if "evaluation" in data else data["children"]


def key_orders(items: list[dict[str, Any]]) -> set[tuple[str, ...]]:
    return {tuple(item) for item in items}


def shape(payload: dict[str, Any]) -> dict[str, Any]:
    """Keys, in order, of a reply: envelope, data, root, items, metrics, chart entries."""
    data = payload["data"]
    root = data.get("overview") or data.get("parent")
    items = children(payload)
    metrics = [m for unit in [root, *items] for m in unit.get("metrics", [])]
    return {
        "top": list(payload),
        "data": list(data),
        "root": list(root),
        "items": key_orders(items),
        "metrics": key_orders(metrics),
        "chart": key_orders(data.get("monthlyChart") or []),
    }


@pytest.fixture(scope="module")
def phu_tho(portal: FakePortal) -> str:
    return portal.dataset.province_by_code("H44").id


# --- format -------------------------------------------------------------------------------


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_reply_has_the_shape_of_the_real_capture(
    client: httpx.Client, phu_tho: str, endpoint: str
) -> None:
    sample_file = SAMPLES / "2026" / f"{endpoint}.json"
    if not sample_file.exists():
        pytest.skip("portal samples not available")
    sample = json.loads(sample_file.read_bytes())
    response = post(client, endpoint, body_for(endpoint, Period.parse("2026"), phu_tho))
    assert response.status_code == 201
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    payload = response.json()
    assert payload["code"] == "OK" and payload["message"] == "OK"
    assert shape(payload) == shape(sample)
    # same compact serialisation as the captured bytes
    assert response.content.startswith(b'{"code":"OK","data":{')
    assert sample_file.read_bytes()[:20] == response.content[:20]


def test_items_follow_code_order_and_unit_kinds(client: httpx.Client, phu_tho: str) -> None:
    payload = post(
        client, "dossier-digitized", body_for("dossier-digitized", Period.parse("2026-08"), phu_tho)
    ).json()
    items = payload["data"]["evaluation"]
    codes = [item["departmentCode"] for item in items]
    assert codes == sorted(codes)
    assert [item["stt"] for item in items] == list(range(1, len(items) + 1))
    kinds = {(i["departmentType"], i["departmentLevel"], i["agencyLevel"]) for i in items}
    assert kinds == {
        ("PROVINCIAL_DEPARTMENT", "PROVINCE", "level_2"),
        ("COMMUNE_PEOPLE_COMMITTEE", "COMMUNE", "level_2"),
    }
    overview = payload["data"]["overview"]
    assert (overview["departmentType"], overview["agencyLevel"]) == ("PROVINCE", "level_1")
    assert payload["data"]["pagination"] == {
        "total": len(items),
        "currentPage": 1,
        "pageSize": 200,
        "totalPages": 1,
    }


def test_pagination_slices_evaluation(client: httpx.Client, phu_tho: str) -> None:
    period = Period.parse("2026-08")
    page2 = post(
        client,
        "transparency",
        {**body_for("transparency", period, phu_tho, page_size=50), "currentPage": 2},
    ).json()["data"]
    total = page2["pagination"]["total"]
    assert total > 50
    assert [i["stt"] for i in page2["evaluation"]] == list(range(51, min(total, 100) + 1))
    assert page2["pagination"]["currentPage"] == 2
    assert page2["pagination"]["totalPages"] == -(-total // 50)


# --- scores -------------------------------------------------------------------------------


def test_group_totals_are_sums_of_metric_scores(client: httpx.Client, phu_tho: str) -> None:
    period = Period.parse("2026-Q3")
    for endpoint in ("transparency", "dossier-digitized", "handling-satisfaction"):
        payload = post(client, endpoint, body_for(endpoint, period, phu_tho)).json()
        data = payload["data"]
        for unit in [data["overview"], *data["evaluation"]]:
            scores = [m["score"] for m in unit["metrics"] if m["score"] is not None]
            assert unit["totalScore"] == r2(sum(scores))
            assert unit["ratio"] == r2(100 * unit["totalScore"] / unit["totalMaxScore"])
            for m in unit["metrics"]:
                if m["score"] is not None:
                    assert 0 <= m["score"] <= m["maxScore"]
                if endpoint != "handling-satisfaction" and m["denominator"] == 0:
                    assert m["ratio"] is None and m["score"] is None


def test_rules_of_domain_section_2(client: httpx.Client, phu_tho: str) -> None:
    period = Period.parse("2026-08")
    mdhl = post(client, "handling-satisfaction", body_for("handling-satisfaction", period, phu_tho))
    for unit in mdhl.json()["data"]["evaluation"]:
        by_code = {m["code"]: m for m in unit["metrics"]}
        pet = by_code["PETITION_PROCESSING_ON_TIME"]
        if pet["denominator"] == 0:
            assert pet["score"] == 6
        sat = by_code["DOSSIER_RECEIVING_SATISFACTION"]
        if sat["denominator"]:
            ratio = 100 * sat["numerator"] / sat["denominator"]
            assert sat["score"] == r2(min(6, 6 * ratio / 90))
    tdgq = post(client, "dvc-progress-tree", body_for("dvc-progress-tree", period, phu_tho))
    for child in tdgq.json()["data"]["children"]:
        if child["totalReceived"]:
            expected = 20 * child["totalOnTime"] / child["totalReceived"]
            assert abs(child["score"] - expected) <= 0.006
        assert child["totalOverdue"] == child["totalReceived"] - child["totalOnTime"]
    tttt = post(
        client,
        "formality-online-payment-tree",
        body_for("formality-online-payment-tree", period, phu_tho),
    )
    for unit in [tttt.json()["data"]["parent"], *tttt.json()["data"]["children"]]:
        a = unit["totalDossierOnlinePaymentSuccess"] / (
            unit["totalDossierFinancialObligation"] or 1
        )
        b = unit["totalDossierOnlineFormalityPaymentSuccess"] / (unit["totalFeeFormality"] or 1)
        c = unit["totalFeeDossierFormality"] / (unit["totalFeeFormality"] or 1)
        assert unit["totalScore"] == r2(6 * a + min(2, 2.5 * b) + 2.5 * c) <= 10


def test_data_quality_flags_appear(client: httpx.Client, portal: FakePortal) -> None:
    statuses = set()
    for prov in portal.dataset.provinces[:12]:
        payload = post(
            client, "transparency", body_for("transparency", Period.parse("2026-08"), prov.id)
        ).json()
        for unit in children(payload):
            for m in unit["metrics"]:
                if "dataQualityStatus" in m:
                    statuses.add(m["dataQualityStatus"])
                    assert m["dataQualityMessage"]
    assert statuses == {"TEMP_NATIONAL_REPORT_DENOMINATOR", "NO_NATIONAL_REPORT_DATA"}


# --- national results ---------------------------------------------------------------------


def test_service_results_match_the_group_endpoints(client: httpx.Client) -> None:
    period = Period.parse("2026-08")
    payload = national(client, period)
    rows = payload["data"]["evaluation"]
    assert len(rows) == 34
    assert len({r["departmentId"] for r in rows}) == len({r["departmentCode"] for r in rows}) == 34
    assert [r["stt"] for r in rows] == list(range(1, 35))
    totals = [r["totalScore"] for r in rows]
    assert totals == sorted(totals, reverse=True)
    assert payload["data"]["overview"]["departmentName"] == "Cả nước"
    for row in rows:
        assert row["departmentType"] == "ADMINISTRATIVE_UNIT"
        assert list(row["groupScores"]) == list(GROUPS)
        assert row["totalScore"] == r2(sum(row["groupScores"].values()))
        for group, score in row["groupScores"].items():
            endpoint = GROUP_ENDPOINT[group]
            reply = post(client, endpoint, body_for(endpoint, period, row["departmentId"]))
            assert root_total(reply.json()) == score, (row["departmentCode"], group)
    assert min(totals) >= 50 and max(totals) <= 100
    assert min(totals) < 70 and max(totals) >= 90  # spread across bands


def test_score_delta_is_the_change_against_the_previous_period(client: httpx.Client) -> None:
    this = {
        r["departmentCode"]: r
        for r in national(client, Period.parse("2026-08"))["data"]["evaluation"]
    }
    prev = {
        r["departmentCode"]: r
        for r in national(client, Period.parse("2026-07"))["data"]["evaluation"]
    }
    for code, row in this.items():
        assert row["scoreDelta"] == r2(row["totalScore"] - prev[code]["totalScore"])
    first = national(client, Period.parse("2024-01"))["data"]["evaluation"]
    assert all(r["scoreDelta"] is None for r in first)


# --- time ---------------------------------------------------------------------------------


def test_same_request_gives_the_same_bytes(client: httpx.Client, phu_tho: str) -> None:
    body = body_for("dossier-digitized", Period.parse("2026"), phu_tho)
    first = post(client, "dossier-digitized", body).content
    assert post(client, "dossier-digitized", body).content == first
    with FakePortal(today=TODAY) as other, httpx.Client(base_url=other.url) as c2:
        assert post(c2, "dossier-digitized", body).content == first


def test_open_month_changes_daily(client: httpx.Client, portal: FakePortal, phu_tho: str) -> None:
    body = body_for("dvc-progress-tree", Period.parse("2026-09"), phu_tho)
    on_26 = post(client, "dvc-progress-tree", body).content
    portal.today = date(2026, 9, 27)
    on_27 = post(client, "dvc-progress-tree", body).content
    assert on_27 != on_26
    received = [json.loads(b)["data"]["parent"]["totalReceived"] for b in (on_26, on_27)]
    assert received[0] < received[1]
    portal.today = date(2026, 9, 26)
    assert post(client, "dvc-progress-tree", body).content == on_26


def test_closed_month_is_revised_once(client: httpx.Client, portal: FakePortal) -> None:
    ds = portal.dataset
    revised = [p for p in ds.provinces if ds.is_revised(p.code, 2026, 6)]
    steady = [p for p in ds.provinces if not ds.is_revised(p.code, 2026, 6)]
    assert revised and steady
    assert Dataset.revision_date(2026, 6) == date(2026, 8, 16)
    period = Period.parse("2026-06")

    def replies(day: date) -> dict[str, bytes]:
        portal.today = day
        return {
            p.code: post(
                client, "handling-satisfaction", body_for("handling-satisfaction", period, p.id)
            ).content
            for p in (revised[0], steady[0])
        } | {"national": json.dumps(national(client, period)).encode()}

    early, before, after, later = (
        replies(d)
        for d in (date(2026, 7, 20), date(2026, 8, 15), date(2026, 8, 16), date(2026, 10, 1))
    )
    assert early == before
    assert after[revised[0].code] != before[revised[0].code]
    assert after[steady[0].code] == before[steady[0].code]
    assert after["national"] != before["national"]
    assert later == after
    sat = [
        json.loads(r[revised[0].code])["data"]["overview"]["metrics"][1]["numerator"]
        for r in (before, after)
    ]
    assert sat[1] > sat[0]


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "endpoint, body",
    [
        ("transparency", {"timeType": "month", "year": 2026, "month": 8, "rootDepartmentId": "x"}),
        ("transparency", {"timeType": "month", "year": 2026, "month": 13, "rootDepartmentId": "R"}),
        ("transparency", {"timeType": "week", "year": 2026, "rootDepartmentId": "R"}),
        ("transparency", {"timeType": "month", "year": 2023, "month": 12, "rootDepartmentId": "R"}),
        ("transparency", {"timeType": "month", "year": 2026, "month": 10, "rootDepartmentId": "R"}),
        ("dvc-progress-tree", {"timeType": "quarter", "year": 2026, "rootDepartmentId": "R"}),
        ("handling-satisfaction", {"fromDate": "2026-08-01", "toDate": "2026-08-30",
                                   "rootDepartmentId": "R"}),
        ("handling-satisfaction", {"fromDate": "2026-08-02", "toDate": "2026-09-01",
                                   "rootDepartmentId": "R"}),
        ("handling-satisfaction", {"timeType": "month", "year": 2026, "month": 8,
                                   "rootDepartmentId": "R"}),
        ("service-results", {"timeType": "year", "year": 2027}),
        ("service-results", {"timeType": "month", "year": 2026, "month": "8"}),
    ],
)  # fmt: skip
def test_bad_bodies_get_400(
    client: httpx.Client, phu_tho: str, endpoint: str, body: dict[str, Any]
) -> None:
    if body.get("rootDepartmentId") == "R":
        body = {**body, "rootDepartmentId": phu_tho}
    response = post(client, endpoint, body)
    assert response.status_code == 400
    assert response.json()["code"] == "BAD_REQUEST" and response.json()["message"]


def test_invalid_json_unknown_path_and_get(client: httpx.Client) -> None:
    response = client.post(
        API_PREFIX + "transparency",
        content=b"{not json",
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 400
    assert client.post(API_PREFIX + "nope", json={}).status_code == 404
    assert client.get(API_PREFIX + "transparency").status_code == 404
    assert client.post("/elsewhere", json={}).status_code == 404


# --- faults -------------------------------------------------------------------------------


def test_status_faults_are_consumed(client: httpx.Client, portal: FakePortal, phu_tho: str) -> None:
    body = body_for("transparency", Period.parse("2026-08"), phu_tho)
    portal.faults.add("transparency", "status", times=2, status=429)
    portal.faults.add("*", "status", status=500, body="json")
    first, second = post(client, "transparency", body), post(client, "transparency", body)
    assert first.status_code == second.status_code == 429
    assert first.headers["retry-after"] and first.headers["content-type"].startswith("text/html")
    third = post(client, "transparency", body)
    assert third.status_code == 500 and third.json()["code"] == "ERROR"
    assert post(client, "transparency", body).status_code == 201
    assert len(portal.faults) == 0


def test_fault_only_hits_its_endpoint(
    client: httpx.Client, portal: FakePortal, phu_tho: str
) -> None:
    period = Period.parse("2026-08")
    portal.faults.add("dossier-digitized", "status", status=403)
    assert (
        post(client, "transparency", body_for("transparency", period, phu_tho)).status_code == 201
    )
    assert len(portal.faults) == 1
    reply = post(client, "dossier-digitized", body_for("dossier-digitized", period, phu_tho))
    assert reply.status_code == 403


@pytest.mark.parametrize(
    "kind", ["html_block_page", "not_json", "code_error", "truncated", "renamed_field",
             "missing_children", "duplicate_unit", "wrong_root"],
)  # fmt: skip
def test_payload_faults(client: httpx.Client, portal: FakePortal, phu_tho: str, kind: str) -> None:
    body = body_for("transparency", Period.parse("2026-08"), phu_tho)
    portal.faults.add("transparency", kind)
    response = post(client, "transparency", body)
    if kind == "html_block_page":
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/html")
        assert b"Request Rejected" in response.content
    elif kind in ("not_json", "truncated"):
        assert response.status_code == 201
        with pytest.raises(ValueError):  # JSON or UTF-8 decoding fails
            json.loads(response.content)
    elif kind == "code_error":
        assert response.status_code == 201 and response.json()["code"] == "ERROR"
    else:
        payload = response.json()
        assert response.status_code == 201 and payload["code"] == "OK"
        text = response.text
        if kind == "renamed_field":
            assert '"totalScore"' not in text and '"total_score"' in text
        elif kind == "missing_children":
            assert "evaluation" not in payload["data"]
        elif kind == "duplicate_unit":
            ids = [i["departmentId"] for i in payload["data"]["evaluation"]]
            assert len(ids) == len(set(ids)) + 1
        elif kind == "wrong_root":
            assert payload["data"]["overview"]["departmentId"] != phu_tho
    normal = post(client, "transparency", body)
    assert (
        normal.status_code == 201 and normal.json()["data"]["overview"]["departmentId"] == phu_tho
    )


def test_reset_and_timeout_faults(client: httpx.Client, portal: FakePortal, phu_tho: str) -> None:
    body = body_for("provide-online-tree", Period.parse("2026-08"), phu_tho)
    portal.faults.add("provide-online-tree", "reset")
    with pytest.raises(httpx.TransportError):
        post(client, "provide-online-tree", body)
    assert post(client, "provide-online-tree", body).status_code == 201
    portal.faults.add("provide-online-tree", "timeout", seconds=1.0)
    with httpx.Client(base_url=portal.url, timeout=0.3) as impatient:
        # connected, then the reply held back past the client's read timeout
        with pytest.raises(httpx.ReadTimeout):
            post(impatient, "provide-online-tree", body)
        assert post(impatient, "provide-online-tree", body).status_code == 201
    assert portal.faults.history[-2:] == [
        ("provide-online-tree", "reset"),
        ("provide-online-tree", "timeout"),
    ]


def test_unknown_fault_kind_is_rejected(portal: FakePortal) -> None:
    with pytest.raises(ValueError):
        portal.faults.add("transparency", "explode")


# --- admin, log, safety -------------------------------------------------------------------


def test_admin_clock_health_and_log(client: httpx.Client, portal: FakePortal, phu_tho: str) -> None:
    health = client.get("/__admin/health").json()
    assert health["status"] == "ok" and health["today"] == "2026-09-26"
    assert health["provinces"] == 34
    assert client.post("/__admin/today", json={"today": "2026-10-16"}).status_code == 200
    assert portal.today == date(2026, 10, 16)
    assert client.post("/__admin/today", json={"today": "16/10/2026"}).status_code == 400
    assert (
        client.post("/__admin/faults", json={"endpoint": "*", "kind": "code_error"}).status_code
        == 200
    )
    body = body_for("transparency", Period.parse("2026-09"), phu_tho)
    assert post(client, "transparency", body).json()["code"] == "ERROR"
    assert portal.request_log[-1] == ("POST", API_PREFIX + "transparency", body)
    assert all(not path.startswith("/__admin") for _, path, _ in portal.request_log)


def test_refuses_non_loopback_hosts() -> None:
    for host in ("0.0.0.0", "192.168.1.10", "example.org"):
        with pytest.raises(ValueError):
            FakePortal(host=host)


def test_stop_releases_the_port() -> None:
    portal = FakePortal(today=TODAY).start()
    url = portal.url
    with httpx.Client(base_url=url) as c:
        assert c.get("/__admin/health").status_code == 200
        portal.stop()
        with pytest.raises(httpx.TransportError):
            c.get("/__admin/health")


# --- the dataset --------------------------------------------------------------------------


def test_dataset_figures(portal: FakePortal) -> None:
    ds = portal.dataset
    assert len(ds.provinces) == 34
    assert {"H01", "H17", "H19", "H26", "H29", "H44", "H50"} <= {p.code for p in ds.provinces}
    ids = [p.id for p in ds.provinces] + [u.id for p in ds.provinces for u in p.children]
    assert len(set(ids)) == len(ids) == ds.unit_count
    assert 3600 <= ds.unit_count <= 4200
    special = 0
    for prov in ds.provinces:
        depts = [u for u in prov.children if u.department_type == "PROVINCIAL_DEPARTMENT"]
        communes = [u for u in prov.children if u.department_type == "COMMUNE_PEOPLE_COMMITTEE"]
        assert 12 <= len(depts) <= 18 and 60 <= len(communes) <= 150
        assert all(u.code.startswith(prov.code + ".") for u in prov.children)
        for unit in prov.children:
            assert unicodedata.is_normalized("NFC", unit.name)
            assert unit.name.startswith(("Sở ", "Văn phòng", "Ban ", "Thanh tra", "UBND "))
        special += sum("đặc khu" in u.name for u in communes)
        assert len({u.name for u in prov.children}) == len(prov.children)
    assert special >= 5
