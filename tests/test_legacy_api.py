"""The legacy API (``/jsp/rest.jsp``): request bodies, validation and parsing of its
array-of-string-rows replies, half-year periods, the client's form posts, and the local
portal's legacy endpoint."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import pytest

from fake_portal import legacy_api as fake
from fake_portal.legacy_reference import OLD_TO_NEW, legacy_id
from fake_portal.server import FakePortal
from pipelines.sources.legacy import endpoints as ep
from pipelines.sources.legacy.parse import (
    list_provinces,
    parse_ranking_reply,
    parse_reply,
    parse_trend_reply,
)
from pipelines.sources.portal.client import PolitenessPolicy, PortalBlocked, PortalClient
from warehouse.periods import Period, periods_for_month
from warehouse.records import InvalidReply

GROUPS = ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH")
PROVINCE = "legacy:398001"


def row(**fields: Any) -> dict[str, Any]:
    """A commune row as the legacy API sends it: every value a string."""
    base = {
        "ID": "5001",
        "TEN": "Xã Đại Hòa",
        "TEN_COQUAN": "UBND xã Đại Hòa",
        "MA_COQUAN": "H47.905.003",
        "LOAI_COQUAN": "3",
        "CAPDONVIID": "3",
        "ID_COQUAN": "5001",
        "CKMB": "16.5",
        "TDGQ": "19.25",
        "CLGQ": "10",
        "TTTT": "7.3",
        "MDHL": "18",
        "MDSH": "20.12",
        "TONG_SCORE": "91.17",
        "ROW_STT": "1",
    }
    base.update(fields)
    return base


def encode(rows: Any) -> bytes:
    return json.dumps(rows, ensure_ascii=False).encode("utf-8")


def parse_communes(rows: Any) -> Any:
    return parse_ranking_reply(ep.COMMUNES, encode(rows), PROVINCE)


# --- parsing ------------------------------------------------------------------------------


def test_string_values_become_floats_and_rows_the_core_shape() -> None:
    parsed = parse_communes([row(), row(ID="5002", ID_COQUAN="", MA_COQUAN="H47.905.004")])
    first, second = parsed.unit_sightings
    assert first == {
        "unit_id": "legacy:5001",
        "unit_code": "H47.905.003",
        "unit_name": "UBND xã Đại Hòa",
        "unit_type": "COMMUNE_PEOPLE_COMMITTEE",
        "unit_level": "commune",
        "parent_unit_id": PROVINCE,
        "province_unit_id": PROVINCE,
    }
    assert second["unit_id"] == "legacy:5002"  # no ID_COQUAN: the row's ID
    scores = {
        g["group_code"]: g["score"] for g in parsed.group_scores if g["unit_id"] == first["unit_id"]
    }
    assert scores == {
        "CKMB": 16.5,
        "TDGQ": 19.25,
        "CLGQ": 10.0,
        "TTTT": 7.3,
        "MDHL": 18.0,
        "MDSH": 20.12,
    }
    assert all(g["max_score"] is None and not g["is_root"] for g in parsed.group_scores)
    assert parsed.reported_totals[0] == {
        "unit_id": "legacy:5001",
        "total_score": 91.17,
        "total_max_score": None,
        "ratio": None,
        "score_delta": None,
        "reported_rank": 1,
    }
    assert parsed.metric_values == [] and parsed.group_parameters == []


def test_empty_strings_and_nulls_are_null_not_zero() -> None:
    parsed = parse_communes([row(TTTT="", MDHL=None, CKMB="  ", TONG_SCORE="", ROW_STT="")])
    scores = {g["group_code"]: g["score"] for g in parsed.group_scores}
    assert scores["TTTT"] is None and scores["MDHL"] is None and scores["CKMB"] is None
    assert scores["TDGQ"] == 19.25
    assert parsed.reported_totals[0]["total_score"] is None
    assert parsed.reported_totals[0]["reported_rank"] is None


def test_decimal_comma_numbers_and_nfd_names_are_read() -> None:
    nfd = unicodedata.normalize("NFD", "UBND  xã Đại Hòa")
    parsed = parse_communes([row(CKMB="16,5", TONG_SCORE="91,17", TEN_COQUAN=nfd, MDHL=18)])
    scores = {g["group_code"]: g["score"] for g in parsed.group_scores}
    assert scores["CKMB"] == 16.5 and scores["MDHL"] == 18.0
    assert parsed.reported_totals[0]["total_score"] == 91.17
    assert parsed.unit_sightings[0]["unit_name"] == "UBND xã Đại Hòa"


def test_level_comes_from_loai_coquan_or_the_request() -> None:
    parsed = parse_ranking_reply(ep.DISTRICTS, encode([row(LOAI_COQUAN="4")]), PROVINCE)
    assert parsed.unit_sightings[0]["unit_level"] == "district"
    parsed = parse_ranking_reply(ep.DISTRICTS, encode([row(LOAI_COQUAN="")]), PROVINCE)
    assert parsed.unit_sightings[0]["unit_level"] == "district"


def test_national_list_has_no_parent_and_lists_provinces() -> None:
    rows = [
        row(ID="398001", ID_COQUAN="398001", MA_COQUAN="h47", LOAI_COQUAN="1", TEN="Quảng Nam",
            TEN_COQUAN="UBND tỉnh Quảng Nam"),
        row(ID="398002", ID_COQUAN="", MA_COQUAN="H50", LOAI_COQUAN="1", TEN="Quảng Trị",
            TEN_COQUAN=""),
    ]  # fmt: skip
    parsed = parse_reply(ep.PROVINCES.name, encode(rows), ep.NATIONAL_ROOT)
    assert [s["parent_unit_id"] for s in parsed.unit_sightings] == [None, None]
    assert [s["province_unit_id"] for s in parsed.unit_sightings] == [
        "legacy:398001",
        "legacy:398002",
    ]
    assert [s["unit_level"] for s in parsed.unit_sightings] == ["province", "province"]
    assert list_provinces(encode(rows)) == [
        {
            "unit_id": "legacy:398001",
            "unit_code": "H47",
            "unit_name": "UBND tỉnh Quảng Nam",
            "tinh_id": "398001",
        },
        {
            "unit_id": "legacy:398002",
            "unit_code": "H50",
            "unit_name": "Quảng Trị",
            "tinh_id": "398002",
        },
    ]


def test_the_parser_is_registered_for_the_legacy_source(tmp_path) -> None:
    from warehouse.raw_store import RawStore

    store = RawStore(str(tmp_path))
    blob = store.put(encode([row()]))
    parsed = parse_reply(ep.COMMUNES.name, store.get(blob.sha256), PROVINCE)
    assert parsed.units == {"legacy:5001"}


# --- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty body"),
        (b"<html><body>Request Rejected</body></html>", "body is HTML, not JSON"),
        (encode([row()])[:40], "body is not valid JSON (truncated?)"),
        (b'{"code":"ERROR","message":"x"}', "reply is not a JSON array of rows"),
        (b'"text"', "reply is not a JSON array of rows"),
        (b"[]", "reply lists no rows"),
        (b'[["5001", "Xa"]]', "row is not an object"),
        (encode([{k: v for k, v in row().items() if k != "CKMB"}]), "field 'CKMB' missing"),
        (encode([row(TDGQ="N/A")]), "field 'TDGQ' is not a number"),
        (encode([row(TDGQ="1.234,5")]), "field 'TDGQ' is not a number"),
        (encode([row(TDGQ="nan")]), "field 'TDGQ' is not a number"),
        (encode([row(MDSH=True)]), "field 'MDSH' is not a number"),
        (encode([row(ROW_STT="1.5")]), "field 'ROW_STT' is not an integer"),
        (encode([row(ROW_STT="0")]), "ROW_STT is not a position in the reply"),
        (encode([row(ROW_STT="-3")]), "ROW_STT is not a position in the reply"),
        (encode([row(ROW_STT="999")]), "ROW_STT is not a position in the reply"),
        (encode([row(ID="", ID_COQUAN="")]), "row without ID"),
        (encode([row(TEN="", TEN_COQUAN="")]), "row without TEN/TEN_COQUAN"),
        (encode([row(MA_COQUAN="")]), "row without MA_COQUAN"),
        (encode([row(LOAI_COQUAN="2")]), "row of another unit type"),
        (encode([row(LOAI_COQUAN="9")]), "unknown LOAI_COQUAN"),
        (encode([row(), row()]), "unit appears more than once"),
    ],
)
def test_bad_replies_raise_a_readable_reason(content: bytes, reason: str) -> None:
    with pytest.raises(InvalidReply) as caught:
        parse_ranking_reply(ep.COMMUNES, content, PROVINCE)
    assert caught.value.reason.startswith(reason), caught.value


def test_a_full_page_may_hide_rows() -> None:
    rows = [row(ID=str(k), ID_COQUAN=str(k)) for k in range(ep.PAGE_SIZE)]
    with pytest.raises(InvalidReply, match="fills the whole page"):
        parse_communes(rows)


def test_a_reply_must_fit_its_capture() -> None:
    with pytest.raises(InvalidReply, match="does not fit its capture"):
        parse_reply(ep.COMMUNES.name, encode([row()]), ep.NATIONAL_ROOT)
    with pytest.raises(InvalidReply, match="unknown legacy endpoint"):
        parse_reply("report_other_service", encode([row()]), PROVINCE)


def test_trend_reply_gives_the_month_total() -> None:
    content = encode([{"MONTH": "1", "TB_SCORE": "72.35"}, {"MONTH": "2", "TB_SCORE": ""}])
    parsed = parse_trend_reply(content, "legacy:5001", 1)
    assert parsed.reported_totals == [
        {
            "unit_id": "legacy:5001",
            "total_score": 72.35,
            "total_max_score": None,
            "ratio": None,
            "score_delta": None,
            "reported_rank": None,
        }
    ]
    assert parse_trend_reply(content, "legacy:5001", 2).reported_totals[0]["total_score"] is None
    assert parse_reply(ep.trend_endpoint(1).name, content, "legacy:5001").reported_totals
    with pytest.raises(InvalidReply, match="no value for the month"):
        parse_trend_reply(content, "legacy:5001", 3)


@pytest.mark.parametrize(
    ("rows", "reason"),
    [
        ([{"MONTH": "13", "TB_SCORE": "1"}], "MONTH is not a month"),
        ([{"MONTH": "", "TB_SCORE": "1"}], "MONTH is not a month"),
        ([{"MONTH": "1", "TB_SCORE": "1"}, {"MONTH": "1", "TB_SCORE": "2"}], "appears more"),
        ([{"MONTH": "1"}], "field 'TB_SCORE' missing"),
        ([{"MONTH": "1", "TB_SCORE": "x"}], "field 'TB_SCORE' is not a number"),
    ],
)
def test_bad_trend_replies(rows: list, reason: str) -> None:
    with pytest.raises(InvalidReply, match=reason):
        parse_trend_reply(encode(rows), "legacy:5001", 1)


# --- requests and periods -----------------------------------------------------------------


def test_national_request_body_is_the_documented_one() -> None:
    params = ep.ranking_params(ep.PROVINCES, Period.parse("2023-11"), None)
    assert params == {
        "type": "ref",
        "service": "report_tinh_766_service",
        "p_nam": "2023",
        "p_6thang": 0,
        "p_quy": 0,
        "p_thang": 11,
        "p_tinh_id": 0,
        "p_loaidonvi": 1,
        "loaichitieu": 0,
        "pageIndex": 1,
        "pageSize": ep.PAGE_SIZE,
    }
    assert ep.form(params)["params"].startswith('{"type":"ref","service":"report_tinh_766_service"')
    commune = ep.ranking_params(ep.COMMUNES, Period.parse("2023-H2"), "398001")
    assert (commune["p_tinh_id"], commune["p_loaidonvi"], commune["p_6thang"]) == ("398001", 4, 2)
    assert ep.time_fields(Period.parse("2024-Q3")) == {
        "p_nam": "2024",
        "p_6thang": 0,
        "p_quy": 3,
        "p_thang": 0,
    }
    assert ep.time_fields(Period.parse("2024"))["p_thang"] == 0
    with pytest.raises(ValueError, match="needs a province"):
        ep.ranking_params(ep.COMMUNES, Period.parse("2023-11"), None)


def test_districts_are_required_until_the_merger() -> None:
    today = date(2026, 11, 23)
    names = lambda label: [e.level for e in ep.province_endpoints(Period.parse(label), today)]  # noqa: E731
    assert names("2025-06") == ["department", "district", "commune"]
    assert names("2025-H1") == ["department", "district", "commune"]
    assert names("2025-07") == ["department", "commune"]
    assert names("2025") == ["department", "commune"]
    assert [e.level for e in ep.province_endpoints(Period.parse("2025"), date(2025, 5, 2))] == [
        "department",
        "district",
        "commune",
    ]


def test_trend_request_names_the_unit() -> None:
    params = ep.trend_params(2023, "398001", "commune", "5001")
    assert (params["service"], params["p_tinh_id"], params["p_xa_id"], params["p_huyen_id"]) == (
        "report_xuhuongdiem_service",
        "398001",
        "5001",
        "0",
    )
    with pytest.raises(ValueError, match="not a department"):
        ep.trend_params(2023, "398001", "department", "5001")
    assert ep.trend_month("report_xuhuongdiem_service:07") == 7
    assert ep.trend_month(ep.COMMUNES.name) is None


@pytest.mark.parametrize(
    ("label", "start", "end", "previous", "following"),
    [
        ("2023-H1", date(2023, 1, 1), date(2023, 6, 30), "2022-H2", "2023-H2"),
        ("2023-h2", date(2023, 7, 1), date(2023, 12, 31), "2023-H1", "2024-H1"),
    ],
)
def test_half_year_periods(label, start, end, previous, following) -> None:
    period = Period.parse(label)
    assert (period.period_type, period.start, period.end) == ("half", start, end)
    assert period.label == label.upper()
    assert period.previous().label == previous and period.next().label == following
    assert Period.half_of(date(2023, 6, 30)) == Period.parse("2023-H1")
    assert Period.parse(period.label) == period
    with pytest.raises(ValueError, match="half-year"):
        period.time_fields()
    with pytest.raises(ValueError, match="period"):
        Period.parse("2023-H3")


def test_periods_for_month_with_half_years() -> None:
    today = date(2026, 11, 23)
    labels = lambda m, h: [p.label for p in periods_for_month(m, today, with_half=h)]  # noqa: E731
    assert labels(date(2023, 6, 1), True) == ["2023-06", "2023-Q2", "2023-H1"]
    assert labels(date(2023, 6, 1), False) == ["2023-06", "2023-Q2"]
    assert labels(date(2023, 12, 1), True) == ["2023-12", "2023-Q4", "2023-H2", "2023"]
    assert labels(date(2023, 5, 1), True) == ["2023-05"]
    assert labels(date(2026, 11, 1), True) == ["2026-11", "2026-Q4", "2026-H2", "2026"]


# --- the client's form posts --------------------------------------------------------------


def make_client(handler) -> tuple[PortalClient, list[float]]:
    sleeps: list[float] = []
    client = PortalClient(
        base_url="http://portal.test",
        policy=PolitenessPolicy(delay_s=0, jitter_s=0, backoff_s=0.5, max_retries=2),
        transport=httpx.MockTransport(handler),
        sleep=sleeps.append,
    )
    return client, sleeps


def test_post_form_sends_the_form_and_headers_and_shares_retries() -> None:
    seen: list[httpx.Request] = []
    statuses = iter([502, 200])

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return httpx.Response(next(statuses), content=b"[]")

    client, sleeps = make_client(handler)
    params = ep.ranking_params(ep.PROVINCES, Period.parse("2023-11"), None)
    with client:
        reply = client.post_form(ep.PATH, ep.form(params), ep.headers(client.base_url))
    assert reply.status == 200 and reply.content == b"[]"
    assert reply.request_body == ep.form(params)
    request = seen[-1]
    assert request.url == "http://portal.test/jsp/rest.jsp"
    assert request.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert request.headers["x-requested-with"] == "XMLHttpRequest"
    assert request.headers["referer"].endswith("/p/home/dvc-index-tinhthanhpho-tonghop.html")
    assert httpx.QueryParams(request.content.decode())["params"] == ep.form(params)["params"]
    assert sleeps == [0.5]
    assert [a.outcome for a in client.attempts] == ["server_error", "ok"]
    assert client.attempts[-1].request_body.startswith("params=")


def test_post_form_stops_on_403() -> None:
    client, _ = make_client(lambda request: httpx.Response(403, content=b"<html>"))
    with client, pytest.raises(PortalBlocked, match="HTTP 403"):
        client.post_form(ep.PATH, {"params": "{}"})
    assert [a.outcome for a in client.attempts] == ["blocked"]


# --- the local portal's legacy endpoint ---------------------------------------------------


@pytest.fixture(scope="module")
def portal() -> Iterator[FakePortal]:
    with FakePortal(today=date(2026, 11, 23)) as p:
        yield p


@pytest.fixture(autouse=True)
def _reset(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "portal" in request.fixturenames:
        request.getfixturevalue("portal").faults.clear()


def ask(portal: FakePortal, headers: dict | None = None, **fields: Any) -> httpx.Response:
    params = {**ep.ranking_params(ep.PROVINCES, Period.parse("2023-11"), None), **fields}
    return httpx.post(
        f"{portal.url}{ep.PATH}",
        data=ep.form(params),
        headers={"X-Requested-With": "XMLHttpRequest"} if headers is None else headers,
        timeout=10,
    )


def test_local_legacy_ranking_of_the_63_provinces(portal: FakePortal) -> None:
    reply = ask(portal)
    assert reply.status_code == 200
    rows = reply.json()
    assert len(rows) == 63
    assert len({r["MA_COQUAN"] for r in rows}) == 63
    assert {"H47", "H46", "H26", "H29"} <= {r["MA_COQUAN"] for r in rows}
    for k, r in enumerate(rows, start=1):
        assert all(isinstance(v, str) for v in r.values())
        assert r["ROW_STT"] == str(k) and r["LOAI_COQUAN"] == "1"
        total = round(sum(float(r[g]) for g in GROUPS), 2)
        assert float(r["TONG_SCORE"]) == pytest.approx(total, abs=1e-9)
    totals = [float(r["TONG_SCORE"]) for r in rows]
    assert totals == sorted(totals, reverse=True)
    assert totals[0] >= 90 and totals[-1] < 70  # the bands are spread


def test_local_legacy_pre_merger_country(portal: FakePortal) -> None:
    ds = portal.legacy
    counts = {
        kind: sum(len(ds.units(p, kind)) for p in ds.old_provinces)
        for kind in ("department", "district", "commune")
    }
    assert 63 * 15 <= counts["department"] <= 63 * 21
    assert 600 <= counts["district"] <= 800
    assert 9000 <= counts["commune"] <= 11000
    assert set(OLD_TO_NEW.values()) == {p.code for p in portal.dataset.provinces}
    codes = [u.code for p in ds.old_provinces for k in counts for u in ds.units(p, k)]
    codes += [p.code for p in ds.old_provinces]
    codes += [u.code for p in portal.dataset.provinces for u in p.children]
    ids = {legacy_id(c, province=c.count(".") == 0) for c in set(codes)}
    assert len(ids) == len(set(codes))  # ids are unique over both eras


def test_local_legacy_province_units_by_type(portal: FakePortal) -> None:
    quang_nam = portal.legacy.old_province("H47")
    by_type = {}
    for kind, loai in (("department", "2"), ("district", "4"), ("commune", "3")):
        reply = ask(portal, p_tinh_id=quang_nam.id, p_loaidonvi=ep.LOAIDONVI[kind])
        rows = reply.json()
        assert rows and {r["LOAI_COQUAN"] for r in rows} == {loai}
        assert all(r["MA_COQUAN"].startswith("H47.") for r in rows)
        by_type[kind] = rows
    inspectorate = next(r for r in by_type["department"] if r["MA_COQUAN"] == "H47.23")
    assert inspectorate["TTTT"] == ""  # no score, not 0
    assert float(inspectorate["TONG_SCORE"]) == pytest.approx(
        round(sum(float(inspectorate[g]) for g in GROUPS if g != "TTTT"), 2)
    )
    own = ask(portal, p_tinh_id=quang_nam.id, p_loaidonvi=1).json()
    assert [r["MA_COQUAN"] for r in own] == ["H47"]
    assert ask(portal, p_tinh_id="1", p_loaidonvi=2).json() == []  # unknown province


def test_local_legacy_serves_the_merged_country_like_the_current_api(portal: FakePortal) -> None:
    rows = ask(portal, p_nam="2025", p_thang=8).json()
    assert len(rows) == 34
    body = {**Period.parse("2025-08").time_fields(), "departmentType": "ADMINISTRATIVE_UNIT"}
    current = httpx.post(
        f"{portal.url}/api/v1/reporting/evaluation/service-results", json=body, timeout=10
    ).json()["data"]["evaluation"]
    assert {r["MA_COQUAN"]: float(r["TONG_SCORE"]) for r in rows} == {
        c["departmentCode"]: c["totalScore"] for c in current
    }
    h44 = next(r for r in rows if r["MA_COQUAN"] == "H44")
    h44_old = next(r for r in ask(portal).json() if r["MA_COQUAN"] == "H44")
    assert h44["ID"] == h44_old["ID"]  # the surviving province keeps its id
    assert ask(portal, p_nam="2025", p_thang=8, p_tinh_id=h44["ID"], p_loaidonvi=3).json() == []
    communes = ask(portal, p_nam="2025", p_thang=8, p_tinh_id=h44["ID"], p_loaidonvi=4).json()
    assert len(communes) == sum(
        u.department_type == "COMMUNE_PEOPLE_COMMITTEE"
        for u in portal.dataset.province_by_code("H44").children
    )


def test_local_legacy_trend_and_indicators_match_the_ranking(portal: FakePortal) -> None:
    province = portal.legacy.old_province("H47")
    commune = portal.legacy.units(province, "commune")[3]
    trend = ask(
        portal,
        service=fake.TREND_SERVICE,
        p_tinh_id=province.id,
        p_xa_id=commune.id,
        p_thang=0,
    ).json()
    assert [r["MONTH"] for r in trend] == [str(m) for m in range(1, 13)]
    november = ask(portal, p_tinh_id=province.id, p_loaidonvi=4).json()
    mine = next(r for r in november if r["ID"] == commune.id)
    assert trend[10]["TB_SCORE"] == mine["TONG_SCORE"]
    indicators = ask(
        portal, service=fake.INDICATOR_SERVICE, p_tinh_id=province.id, p_xa_id=commune.id
    ).json()
    assert {r["CODE"]: r["SCORE"] for r in indicators} == {g: mine[g] for g in GROUPS}
    first = ask(portal, service=fake.TREND_SERVICE, p_nam="2022", p_tinh_id=province.id).json()
    assert [r["MONTH"] for r in first] == ["8", "9", "10", "11", "12"]  # from 08/2022


def test_local_legacy_periods_aggregate_their_months(portal: FakePortal) -> None:
    h1 = ask(portal, p_thang=0, p_6thang=1).json()
    months = [ask(portal, p_thang=m).json() for m in range(1, 7)]
    for code in ("H01", "H47"):
        half = next(r for r in h1 if r["MA_COQUAN"] == code)
        values = [float(next(r for r in rows if r["MA_COQUAN"] == code)["CKMB"]) for rows in months]
        assert float(half["CKMB"]) == pytest.approx(sum(values) / 6, abs=0.011)
    assert ask(portal, p_nam="2022", p_thang=5).json() == []  # before the index existed
    assert ask(portal, p_nam="2027", p_thang=1).json() == []  # the future


@pytest.mark.parametrize(
    ("headers", "fields", "status"),
    [
        ({}, {}, 400),  # no X-Requested-With
        (None, {"type": "other"}, 400),
        (None, {"service": "report_unknown"}, 400),
        (None, {"p_thang": 11, "p_quy": 4}, 400),
        (None, {"p_loaidonvi": 2}, 400),  # units of a type need a province
        (None, {"p_nam": "abc"}, 400),
    ],
)
def test_local_legacy_rejects_bad_requests(portal: FakePortal, headers, fields, status) -> None:
    assert ask(portal, headers=headers, **fields).status_code == status


def test_local_legacy_faults_and_determinism(portal: FakePortal) -> None:
    first = ask(portal).content
    assert ask(portal).content == first  # same request, same bytes
    portal.faults.add("rest.jsp", "truncated")
    assert ask(portal).content == first[: len(first) // 2]
    portal.faults.add("rest.jsp:commune", "status", status=429)
    assert ask(portal).status_code == 200  # only the commune requests are faulted
    province = portal.legacy.old_province("H47").id
    assert ask(portal, p_tinh_id=province, p_loaidonvi=4).status_code == 429
    portal.faults.add("rest.jsp", "wrong_root")
    other = ask(portal, p_tinh_id=province, p_loaidonvi=2).json()
    assert not other[0]["MA_COQUAN"].startswith("H47.")
    portal.faults.add("rest.jsp", "duplicate_unit")
    rows = ask(portal).json()
    assert len(rows) == 64 and rows[1] == rows[2]
