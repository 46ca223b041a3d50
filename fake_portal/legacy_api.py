"""Request handling of the legacy API: ``POST /jsp/rest.jsp`` with a form body
``params=<JSON>`` (DOMAIN.md §5), served by the same :class:`~fake_portal.server.FakePortal`.

Before 1/7/2025 it serves a generated pre-merger country (``legacy_reference.py``,
``legacy_simulation.py``). Periods whose last visible day is on or after 1/7/2025 are
served from the current API's generated dataset (34 provinces, departments and
communes), so both APIs agree on them.

Request (form field ``params``, a JSON object; numbers may be strings)::

    {"type": "ref", "service": "report_tinh_766_service", "p_nam": "2023",
     "p_6thang": 0, "p_quy": 0, "p_thang": 11, "p_tinh_id": 0, "p_loaidonvi": 1,
     "loaichitieu": 0, "pageIndex": 1, "pageSize": 100}

Assumptions [U] (the public sources do not say; the adapter reads them from
``pipelines.sources.legacy.endpoints``):

* period fields: all 0 = the year to date; exactly one of ``p_thang`` (1-12),
  ``p_quy`` (1-4), ``p_6thang`` (1-2) otherwise.
* ``p_loaidonvi`` selects the unit type: 1 province, 2 department, 3 district,
  4 commune. ``p_tinh_id`` = 0 with type 1 lists the provinces; ``p_tinh_id`` = a
  province's ``ID`` lists that province's units of the type (type 1: its own row).
* ``LOAI_COQUAN``: 1 province, 2 department, 3 commune [V]; 4 district [U].
* ``CAPDONVIID``: the administrative tier: 1 provincial (provinces and departments),
  2 district, 3 commune.
* ``ID`` = ``ID_COQUAN``: a number derived from the unit's code ``MA_COQUAN``, so a unit
  keeps its id across eras when it keeps its code (a surviving province, its
  departments).
* ``report_xuhuongdiem_service`` (monthly trend, rows ``MONTH``, ``TB_SCORE`` = the
  month's total) takes ``p_nam``, ``p_tinh_id`` and ``p_huyen_id`` / ``p_xa_id`` (a
  district's or commune's ``ID``; 0 or "" = the province itself).
* ``report_xuhuongdiem_chiso_service`` (rows ``CODE``, ``SCORE``, ``MAX_SCORE``: the six
  groups of one unit in the period) takes the same unit fields plus the period fields.
* The header ``X-Requested-With: XMLHttpRequest`` is required (HTTP 400 without it);
  an unknown province or a period without data gives an empty array ``[]``.

Replies are JSON arrays of rows whose values are all strings; a group without a score
is ``""`` (the inspectorate has no fee-bearing procedures: its ``TTTT`` is empty), and
``TONG_SCORE`` is the exact sum of the six (rounded) group scores that are present.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from fake_portal.faults import PAYLOAD_KINDS, Fault, rename_field
from fake_portal.legacy_reference import legacy_id
from fake_portal.legacy_simulation import LegacyDataset, Scores, UnitRow
from fake_portal.reply import HTML_TYPE, Reply
from fake_portal.scoring import GROUP_MAX, GROUPS, r2
from warehouse.periods import Period

if TYPE_CHECKING:
    from fake_portal.server import FakePortal

LEGACY_PATH = "/jsp/rest.jsp"
LEGACY_JSON_TYPE = "application/json;charset=UTF-8"
"""The legacy API's content type (spelled unlike the current API's)."""
FAULT_ENDPOINT = "rest.jsp"
"""Faults for ``"rest.jsp"`` hit every legacy request; ``"rest.jsp:<kind>"`` only one
kind: ``province``, ``department``, ``district``, ``commune``, ``trend``, ``indicator``."""

RANKING_SERVICE = "report_tinh_766_service"
TREND_SERVICE = "report_xuhuongdiem_service"
INDICATOR_SERVICE = "report_xuhuongdiem_chiso_service"
SERVICES = (RANKING_SERVICE, TREND_SERVICE, INDICATOR_SERVICE)

KIND_BY_LOAIDONVI = {1: "province", 2: "department", 3: "district", 4: "commune"}
"""``p_loaidonvi`` of a request: the kind of units asked for."""
LOAI_COQUAN = {"province": "1", "department": "2", "commune": "3", "district": "4"}
"""``LOAI_COQUAN`` of a reply row, by kind of unit."""
CAPDONVI = {"province": "1", "department": "1", "district": "2", "commune": "3"}
"""``CAPDONVIID`` of a reply row (the administrative tier), by kind of unit."""


# ---------------------------------------------------------------------------------------
# Requests


class LegacyBadRequest(ValueError):
    """A request the legacy endpoint rejects with HTTP 400."""


@dataclass(frozen=True)
class LegacyRequest:
    """A parsed legacy request."""

    service: str
    period: Period
    year: int
    tinh_id: str  # "" = national
    kind: str  # unit type asked for (ranking), or the unit kind (trend, indicator)
    unit_id: str  # trend / indicator: the unit's ID ("" = the province itself)
    page_index: int
    page_size: int
    params: dict[str, Any]

    @property
    def fault_kind(self) -> str:
        """The kind named in ``rest.jsp:<kind>`` faults."""
        if self.service == TREND_SERVICE:
            return "trend"
        if self.service == INDICATOR_SERVICE:
            return "indicator"
        return self.kind


def _int(params: Mapping[str, Any], key: str, lo: int, hi: int, default: int | None = 0) -> int:
    value = params.get(key, default)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value)
    if value is None or value == "":
        if default is None:
            raise LegacyBadRequest(f"{key} is required")
        value = default
    if isinstance(value, bool) or not isinstance(value, int):
        raise LegacyBadRequest(f"{key} must be a number")
    if not lo <= value <= hi:
        raise LegacyBadRequest(f"{key} must be between {lo} and {hi}")
    return value


def _id(params: Mapping[str, Any], key: str) -> str:
    value = params.get(key, "")
    if value is None or isinstance(value, bool):
        return ""
    text = str(value).strip()
    return "" if text in ("", "0") else text


def legacy_period(params: Mapping[str, Any]) -> Period:
    """The period named by ``p_nam``/``p_thang``/``p_quy``/``p_6thang``."""
    year = _int(params, "p_nam", 2000, 2999, default=None)
    month = _int(params, "p_thang", 0, 12)
    quarter = _int(params, "p_quy", 0, 4)
    half = _int(params, "p_6thang", 0, 2)
    if sum(1 for v in (month, quarter, half) if v) > 1:
        raise LegacyBadRequest("only one of p_thang, p_quy, p_6thang may be set")
    if month:
        return Period.month(year, month)
    if quarter:
        return Period("quarter", date(year, 3 * quarter - 2, 1))
    if half:
        return Period("half", date(year, 6 * half - 5, 1))
    return Period("year", date(year, 1, 1))


def parse_legacy_request(headers: Mapping[str, str], raw_body: bytes) -> LegacyRequest:
    """Validate a legacy request; raise :class:`LegacyBadRequest` when the portal would."""
    if headers.get("X-Requested-With") != "XMLHttpRequest":
        raise LegacyBadRequest("X-Requested-With: XMLHttpRequest is required")
    content_type = headers.get("Content-Type") or ""
    if "application/x-www-form-urlencoded" not in content_type:
        raise LegacyBadRequest("the body must be form-encoded (params=<JSON>)")
    try:
        form = parse_qs(raw_body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
    except (UnicodeDecodeError, ValueError):
        raise LegacyBadRequest("the body is not a valid form") from None
    values = form.get("params")
    if not values or len(values) != 1:
        raise LegacyBadRequest("exactly one params field is required")
    try:
        params = json.loads(values[0])
    except ValueError:
        raise LegacyBadRequest("params is not valid JSON") from None
    if not isinstance(params, dict):
        raise LegacyBadRequest("params must be a JSON object")
    if params.get("type") != "ref":
        raise LegacyBadRequest('type must be "ref"')
    service = params.get("service")
    if service not in SERVICES:
        raise LegacyBadRequest(f"unknown service {service!r}")
    period = legacy_period(params)
    page_index = _int(params, "pageIndex", 1, 100_000, default=1)
    page_size = _int(params, "pageSize", 1, 10_000, default=100)
    tinh_id = _id(params, "p_tinh_id")
    if service == RANKING_SERVICE:
        if _int(params, "loaichitieu", 0, 0) != 0:
            raise LegacyBadRequest("loaichitieu must be 0")
        kind = KIND_BY_LOAIDONVI[_int(params, "p_loaidonvi", 1, 4, default=1)]
        if not tinh_id and kind != "province":
            raise LegacyBadRequest("p_tinh_id is required for p_loaidonvi other than 1")
        unit_id = ""
    else:
        if not tinh_id:
            raise LegacyBadRequest("p_tinh_id is required")
        commune, district = _id(params, "p_xa_id"), _id(params, "p_huyen_id")
        if commune:
            kind, unit_id = "commune", commune
        elif district:
            kind, unit_id = "district", district
        else:
            kind, unit_id = "province", ""
    return LegacyRequest(
        service, period, period.year, tinh_id, kind, unit_id, page_index, page_size, params
    )


# ---------------------------------------------------------------------------------------
# Replies


def _fmt(value: float | int | None) -> str:
    return "" if value is None else str(value)


def _total(scores: Scores) -> float | int:
    return r2(sum(v for v in scores.values() if v is not None))


def ranking_rows(rows: list[UnitRow]) -> list[dict[str, str]]:
    """Rows of a ``report_tinh_766_service`` reply, ranked by total (``ROW_STT``)."""
    ranked = sorted(rows, key=lambda row: (-_total(row.scores), row.unit.code))
    out = []
    for k, (unit, scores) in enumerate(ranked, start=1):
        row = {
            "ID": unit.id,
            "TEN": unit.short_name,
            "TEN_COQUAN": unit.agency_name,
            "MA_COQUAN": unit.code,
            "LOAI_COQUAN": LOAI_COQUAN[unit.kind],
            "CAPDONVIID": CAPDONVI[unit.kind],
            "ID_COQUAN": unit.id,
        }
        row.update({g: _fmt(scores[g]) for g in GROUPS})
        row["TONG_SCORE"] = _fmt(_total(scores))
        row["ROW_STT"] = str(k)
        out.append(row)
    return out


def reply_rows(ds: LegacyDataset, request: LegacyRequest, today: date) -> list[dict[str, str]]:
    """The rows answering ``request`` on ``today`` (before paging)."""
    if request.service == RANKING_SERVICE:
        return ranking_rows(ds.ranking(request.period, today, request.tinh_id, request.kind))
    if request.service == INDICATOR_SERVICE:
        scores = ds.unit_scores(
            request.period, today, request.tinh_id, request.kind, request.unit_id
        )
        if scores is None:
            return []
        return [
            {"CODE": g, "SCORE": _fmt(scores[g]), "MAX_SCORE": str(GROUP_MAX[g])} for g in GROUPS
        ]
    out = []
    for month in range(1, 13):
        period = Period.month(request.year, month)
        if period.start > today:
            break
        scores = ds.unit_scores(period, today, request.tinh_id, request.kind, request.unit_id)
        if scores is not None:
            out.append({"MONTH": str(month), "TB_SCORE": _fmt(_total(scores))})
    return out


def _alter(rows: list[dict[str, str]], fault: Fault | None) -> list[dict[str, str]]:
    if fault is None:
        return rows
    if fault.kind == "renamed_field":
        old = str(fault.params.get("old", "TONG_SCORE"))
        new = str(fault.params.get("new", "TONG_DIEM"))
        return rename_field(rows, old, new)
    if fault.kind == "missing_children":
        return []
    if fault.kind == "duplicate_unit" and rows:
        k = min(1, len(rows) - 1)
        return [*rows[: k + 1], dict(rows[k]), *rows[k + 1 :]]
    return rows


def handle(portal: FakePortal, method: str, raw_body: bytes, headers: Mapping[str, str]) -> Reply:
    """Answer one request to ``/jsp/rest.jsp`` (called by ``FakePortal.handle``)."""
    if method != "POST":
        return Reply(405, b"<html><body>Method Not Allowed</body></html>", HTML_TYPE)
    try:
        request = parse_legacy_request(headers, raw_body)
    except LegacyBadRequest as exc:
        portal.request_log.append((method, LEGACY_PATH, {}))
        body = f"<html><body><h1>400 Bad Request</h1><p>{exc}</p></body></html>"
        return Reply(400, body.encode(), HTML_TYPE)
    portal.request_log.append((method, LEGACY_PATH, request.params))
    fault = portal.faults.take(f"{FAULT_ENDPOINT}:{request.fault_kind}") or portal.faults.take(
        FAULT_ENDPOINT
    )
    delay = 0.0
    if fault is not None:
        if fault.kind == "timeout":
            delay = float(fault.params.get("seconds", 10.0))
        elif fault.kind not in PAYLOAD_KINDS:
            return portal.fault_reply(fault)
    today = portal.today
    ds: LegacyDataset = portal.legacy
    if fault is not None and fault.kind == "wrong_root" and request.tinh_id:
        ids = [p.id for p in ds.old_provinces]
        if ds.is_merged(request.period, today):
            ids = [legacy_id(p.code, province=True) for p in ds.dataset.provinces]
        if request.tinh_id in ids:
            other = ids[(ids.index(request.tinh_id) + 1) % len(ids)]
            request = dataclasses.replace(request, tinh_id=other, unit_id="")
    rows = _alter(reply_rows(ds, request, today), fault)
    first = (request.page_index - 1) * request.page_size
    data = json.dumps(
        rows[first : first + request.page_size], ensure_ascii=False, separators=(",", ":")
    ).encode("utf-8")
    if fault is not None and fault.kind == "truncated":
        data = data[: len(data) // 2]
    return Reply(200, data, LEGACY_JSON_TYPE, delay=delay)
