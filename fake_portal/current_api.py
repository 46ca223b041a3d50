"""Request handling of the current API: request parsing and reply rendering.

Key order, field names and which fields appear where follow the captured replies in
``tests/fixtures/portal-samples/`` (one province, six group endpoints). Replies are serialised
compactly (``","``/``":"`` separators, UTF-8, no ASCII escaping) like the captures.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from fake_portal.methodology import MethodologyChange, in_force
from fake_portal.reference import Province
from fake_portal.scoring import GROUP_MAX, Metric, r2
from fake_portal.simulation import FIRST_MONTH, Dataset, GroupReport, UnitScore
from warehouse.periods import Period

API_PREFIX = "/api/v1/reporting/evaluation/"
SERVICE_RESULTS = "service-results"
ENDPOINTS: dict[str, str] = {
    "transparency": "CKMB",
    "dvc-progress-tree": "TDGQ",
    "provide-online-tree": "CLGQ",
    "formality-online-payment-tree": "TTTT",
    "handling-satisfaction": "MDHL",
    "dossier-digitized": "MDSH",
}
"""Group endpoints (last path segment) and the group each reports."""

_SOURCES = {
    "transparency": "reporting_766_transparency_* and reporting_dvc_calendar Mongo collections",
    "dossier-digitized": "reporting_digitized_dossiers_daily Mongo collection",
    "handling-satisfaction": (
        "reporting_766_satisfaction_petition_months, reporting_766_satisfaction_dossier_periods"
    ),
}
_NATION = "Cả nước"


class BadRequest(ValueError):
    """A request body the portal rejects with HTTP 400."""


@dataclass(frozen=True)
class GroupRequest:
    """A parsed group-endpoint request."""

    endpoint: str
    period: Period
    province: Province
    current_page: int
    page_size: int


@dataclass(frozen=True)
class ServiceResultsRequest:
    """A parsed ``service-results`` request."""

    period: Period
    current_page: int
    page_size: int


def encode(obj: Any) -> bytes:
    """Serialise a reply exactly like the portal: compact JSON, raw UTF-8."""
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def error_reply(message: str, code: str = "BAD_REQUEST") -> dict[str, Any]:
    """The portal's error envelope."""
    return {"code": code, "message": message}


# ---------------------------------------------------------------------------------------
# Parsing


def _int_field(body: dict[str, Any], key: str, lo: int, hi: int, default: int | None = None) -> int:
    value = body.get(key, default)
    if value is None:
        raise BadRequest(f"{key} is required")
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadRequest(f"{key} must be an integer")
    if not lo <= value <= hi:
        raise BadRequest(f"{key} must be between {lo} and {hi}")
    return value


def _time_period(body: dict[str, Any]) -> Period:
    time_type = body.get("timeType")
    year = _int_field(body, "year", 1900, 2999)
    if time_type == "month":
        return Period.month(year, _int_field(body, "month", 1, 12))
    if time_type == "quarter":
        quarter = _int_field(body, "quarter", 1, 4)
        return Period("quarter", date(year, 3 * quarter - 2, 1))
    if time_type == "year":
        return Period("year", date(year, 1, 1))
    raise BadRequest("timeType must be one of month, quarter, year")


def _date_range_period(body: dict[str, Any]) -> Period:
    try:
        start = date.fromisoformat(str(body["fromDate"]))
        end = date.fromisoformat(str(body["toDate"]))
    except KeyError as exc:
        raise BadRequest(f"{exc.args[0]} is required") from None
    except ValueError:
        raise BadRequest("fromDate and toDate must be dates (YYYY-MM-DD)") from None
    if start.day == 1:
        candidates = [Period.month(start.year, start.month)]
        if start.month % 3 == 1:
            candidates.append(Period.quarter_of(start))
        if start.month == 1:
            candidates.append(Period.year_of(start))
        for period in candidates:
            if period.end == end:
                return period
    raise BadRequest("fromDate/toDate must span exactly one month, quarter or year")


def _check_period(period: Period, today: date) -> None:
    if period.start < FIRST_MONTH:
        raise BadRequest(f"no data before {FIRST_MONTH:%m/%Y}")
    if period.start > today:
        raise BadRequest(f"period {period.label} is in the future")


def _paging(body: dict[str, Any]) -> tuple[int, int]:
    return (
        _int_field(body, "currentPage", 1, 100_000, default=1),
        _int_field(body, "pageSize", 1, 1000, default=200),
    )


def parse_group_request(endpoint: str, body: Any, dataset: Dataset, today: date) -> GroupRequest:
    """Validate a group endpoint body; raise :class:`BadRequest` when the portal would."""
    if endpoint not in ENDPOINTS:
        raise BadRequest(f"unknown endpoint {endpoint}")
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    by_dates = endpoint == "handling-satisfaction"
    period = _date_range_period(body) if by_dates else _time_period(body)
    _check_period(period, today)
    root = body.get("rootDepartmentId")
    province = dataset.province_by_id(root) if isinstance(root, str) else None
    if province is None:
        raise BadRequest(f"rootDepartmentId not found: {root}")
    page, size = _paging(body)
    return GroupRequest(endpoint, period, province, page, size)


def parse_service_results_request(body: Any, today: date) -> ServiceResultsRequest:
    """Validate a ``service-results`` body; raise :class:`BadRequest` when invalid."""
    if not isinstance(body, dict):
        raise BadRequest("request body must be a JSON object")
    period = _time_period(body)
    _check_period(period, today)
    dept_type = body.get("departmentType", "ADMINISTRATIVE_UNIT")
    if dept_type != "ADMINISTRATIVE_UNIT":
        raise BadRequest("departmentType must be ADMINISTRATIVE_UNIT")
    page, size = _paging(body)
    return ServiceResultsRequest(period, page, size)


# ---------------------------------------------------------------------------------------
# Rendering


def _metric(m: Metric) -> dict[str, Any]:
    out: dict[str, Any] = {
        "code": m.code,
        "name": m.name,
        "numerator": m.numerator,
        "denominator": m.denominator,
        "ratio": m.ratio,
        "score": m.score,
        "maxScore": m.max_score,
    }
    if m.quality is not None:
        out["dataQualityStatus"] = m.quality.status
        out["dataQualityMessage"] = m.quality.message
    return out


def _identity(s: UnitScore, stt: int, agency_level: str, with_code: bool) -> dict[str, Any]:
    out: dict[str, Any] = {
        "stt": stt,
        "departmentId": s.unit.id,
        "departmentName": s.unit.name,
    }
    if with_code:
        out["departmentCode"] = s.unit.code
    out["departmentType"] = s.unit.department_type
    out["departmentLevel"] = s.unit.department_level
    out["agencyLevel"] = agency_level
    return out


def _metrics_item(endpoint: str, s: UnitScore, stt: int, level: str) -> dict[str, Any]:
    group = ENDPOINTS[endpoint]
    metrics = [_metric(m) for m in s.metrics or ()]
    out = _identity(s, stt, level, with_code=endpoint == "dossier-digitized")
    out["totalScore"] = s.total
    out["totalMaxScore"] = GROUP_MAX[group]
    out["ratio"] = s.ratio
    if endpoint == "dossier-digitized":
        out["metrics"] = metrics
        out["scoreDelta"] = None
        return out
    out["scoreDelta"] = None
    out["metrics"] = metrics
    if endpoint == "handling-satisfaction":
        out.update(s.params)
        out["averageScore"] = None
    return out


def _pagination(total: int, page: int, size: int) -> dict[str, int]:
    return {
        "total": total,
        "currentPage": page,
        "pageSize": size,
        "totalPages": max(1, math.ceil(total / size)),
    }


def _metrics_reply(endpoint: str, report: GroupReport, page: int, size: int) -> dict[str, Any]:
    overview = _metrics_item(endpoint, report.root, 1, "level_1")
    first = (page - 1) * size
    evaluation = [
        _metrics_item(endpoint, s, first + k + 1, "level_2")
        for k, s in enumerate(report.children[first : first + size])
    ]
    data: dict[str, Any] = {"overview": overview}
    if endpoint == "transparency":
        children = report.children
        overview["averageScore"] = (
            r2(sum(c.total for c in children) / len(children)) if children else None
        )
        data["monthlyChart"] = []
    data["evaluation"] = evaluation
    data["pagination"] = _pagination(len(report.children), page, size)
    data["source"] = _SOURCES[endpoint]
    return data


def _tdgq_reply(report: GroupReport) -> dict[str, Any]:
    root, p = report.root, report.root.params
    parent = {
        "departmentId": root.unit.id,
        "departmentName": root.unit.name,
        "departmentCode": root.unit.code,
        "totalReceived": p["totalReceived"],
        "totalOnTime": p["totalOnTime"],
        "totalCompleted": p["totalCompleted"],
        "avgProcessingDays": p["avgProcessingDays"],
        "ratio": root.ratio,
        "totalScore": root.total,
        "totalMaxScore": GROUP_MAX["TDGQ"],
    }
    children = [
        {
            "departmentId": c.unit.id,
            "departmentName": c.unit.name,
            "departmentCode": c.unit.code,
            "level": c.unit.level,
            "totalReceived": c.params["totalReceived"],
            "totalOnTime": c.params["totalOnTime"],
            "totalOverdue": c.params["totalOverdue"],
            "avgProcessingDays": c.params["avgProcessingDays"],
            "ratio": c.ratio,
            "score": c.total,
            "maxScore": GROUP_MAX["TDGQ"],
            "scoreDelta": None,
        }
        for c in report.children
    ]
    chart = [{"month": f"{m:02d}", **v} for m, v in report.chart or ()]
    return {"parent": parent, "children": children, "monthlyChart": chart}


def _clgq_reply(report: GroupReport) -> dict[str, Any]:
    root = report.root
    parent = {
        "departmentId": root.unit.id,
        "departmentName": root.unit.name,
        "departmentCode": root.unit.code,
        "totalScore": root.total,
        "totalMaxScore": GROUP_MAX["CLGQ"],
        "ratio": root.ratio,
        **root.params,
    }
    children = [
        {
            "departmentId": c.unit.id,
            "departmentName": c.unit.name,
            "departmentCode": c.unit.code,
            "level": c.unit.level,
            "totalScore": c.total,
            "totalMaxScore": GROUP_MAX["CLGQ"],
            "ratio": c.ratio,
            "scoreDelta": None,
        }
        for c in report.children
    ]
    chart = [{"label": f"{m:02d}", **v} for m, v in report.chart or ()]
    return {"parent": parent, "children": children, "monthlyChart": chart}


def _tttt_reply(report: GroupReport) -> dict[str, Any]:
    root = report.root
    parent = {
        "departmentId": root.unit.id,
        "departmentName": root.unit.name,
        "departmentCode": root.unit.code,
        "totalMaxScore": GROUP_MAX["TTTT"],
        "totalScore": root.total,
        **root.params,
        "ratio": root.ratio,
    }
    children = [
        {
            "departmentId": c.unit.id,
            "departmentName": c.unit.name,
            "departmentCode": c.unit.code,
            "level": c.unit.level,
            "totalMaxScore": GROUP_MAX["TTTT"],
            "ratio": c.ratio,
            "totalScore": c.total,
            **c.params,
            "scoreDelta": None,
        }
        for c in report.children
    ]
    return {"parent": parent, "children": children}


def group_reply(dataset: Dataset, request: GroupRequest, today: date) -> dict[str, Any]:
    """The full reply (envelope included) of a group endpoint."""
    group = ENDPOINTS[request.endpoint]
    report = dataset.group_report(request.province, group, request.period, today)
    if group == "TDGQ":
        data = _tdgq_reply(report)
    elif group == "CLGQ":
        data = _clgq_reply(report)
    elif group == "TTTT":
        data = _tttt_reply(report)
    else:
        data = _metrics_reply(request.endpoint, report, request.current_page, request.page_size)
    return {"code": "OK", "data": data, "message": "OK"}


def _scored(
    dataset: Dataset, period: Period, today: date, changes: Sequence[MethodologyChange]
) -> Iterator[tuple[Province, dict[str, float]]]:
    """Every province's group scores of ``period`` under the methodology in force then."""
    change = in_force(changes, period.start)
    for prov, scores in dataset.province_totals(period, today):
        yield prov, (scores if change is None else change.national_scores(scores))


def _national(
    dataset: Dataset, period: Period, today: date, changes: Sequence[MethodologyChange] = ()
) -> list[dict[str, Any]]:
    """Province rows (sorted by total) with their group scores, totals and score deltas."""
    previous = period.previous()
    prev_totals: dict[str, float] = {}
    if previous.start >= FIRST_MONTH:
        for prov, scores in _scored(dataset, previous, today, changes):
            prev_totals[prov.code] = r2(sum(scores.values()))
    change = in_force(changes, period.start)
    total_max = 100 if change is None else r2(change.total_max)
    rows = []
    for prov, scores in _scored(dataset, period, today, changes):
        total = r2(sum(scores.values()))
        prev = prev_totals.get(prov.code)
        rows.append(
            {
                "stt": 0,
                "departmentId": prov.id,
                "departmentName": prov.name,
                "departmentCode": prov.code,
                "departmentType": "ADMINISTRATIVE_UNIT",
                "totalScore": total,
                "totalMaxScore": total_max,
                "ratio": r2(100.0 * total / total_max),
                "scoreDelta": None if prev is None else r2(total - prev),
                "groupScores": dict(scores),
            }
        )
    rows.sort(key=lambda r: (-r["totalScore"], r["departmentCode"]))
    for k, row in enumerate(rows, start=1):
        row["stt"] = k
    return rows


def service_results_reply(
    dataset: Dataset,
    request: ServiceResultsRequest,
    today: date,
    changes: Sequence[MethodologyChange] = (),
) -> dict[str, Any]:
    """The ``service-results`` reply: national overview and the 34 provinces ranked, with
    the groups of the methodology in force for the period (``changes``)."""
    rows = _national(dataset, request.period, today, changes)
    n = len(rows)
    deltas = [r["scoreDelta"] for r in rows if r["scoreDelta"] is not None]
    mean = r2(sum(r["totalScore"] for r in rows) / n)
    overview = {
        "departmentName": _NATION,
        "totalScore": mean,
        "totalMaxScore": rows[0]["totalMaxScore"],
        "ratio": r2(100.0 * mean / rows[0]["totalMaxScore"]),
        "scoreDelta": r2(sum(deltas) / len(deltas)) if deltas else None,
        "groupScores": {
            g: r2(sum(r["groupScores"][g] for r in rows) / n) for g in rows[0]["groupScores"]
        },
    }
    first = (request.current_page - 1) * request.page_size
    data = {
        "overview": overview,
        "evaluation": rows[first : first + request.page_size],
        "pagination": _pagination(n, request.current_page, request.page_size),
    }
    return {"code": "OK", "data": data, "message": "OK"}
