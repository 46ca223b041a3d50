"""The legacy API's requests (DOMAIN.md §5): ``POST /jsp/rest.jsp`` with a form field
``params`` holding a JSON object that names a ``service`` and its parameters.

What the public sources establish [V]: the path, the form body, the header
``X-Requested-With: XMLHttpRequest``, the ranking service ``report_tinh_766_service`` with
``p_nam``/``p_6thang``/``p_quy``/``p_thang`` (all 0 = the year to date), ``p_tinh_id``
(0 = the provinces, a province's ``ID`` = its units) and ``p_loaidonvi``; rows with string
values; ``LOAI_COQUAN`` 1 province, 2 department, 3 commune.

Assumptions [U], kept here as data so they are changed in one place:

* ``p_loaidonvi`` selects the unit type: 1 province, 2 department, 3 district, 4 commune.
* ``LOAI_COQUAN`` 4 = district.
* one of ``p_thang`` (month), ``p_quy`` (quarter), ``p_6thang`` (half) is set, or none (year).
* ``pageSize`` 1000 holds every unit of a province; a reply that fills the page is
  treated as cut short (see ``validate``).
* the monthly trend ``report_xuhuongdiem_service`` takes ``p_tinh_id`` and
  ``p_huyen_id``/``p_xa_id`` (a district's or commune's ``ID``; "0" = the province).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal

from warehouse.periods import Period

SOURCE = "portal_legacy"
GROUP_COLUMNS: tuple[str, ...] = ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH")
"""The group columns of the legacy API's rows: that API's frozen reply format (2022 –
2025), not the methodology, which the range checks read from ``methodology.*``."""
PATH = "/jsp/rest.jsp"
REFERER_PATH = "/p/home/dvc-index-tinhthanhpho-tonghop.html"
RANKING_SERVICE = "report_tinh_766_service"
TREND_SERVICE = "report_xuhuongdiem_service"
PAGE_SIZE = 1000
TREND_PAGE_SIZE = 100
NATIONAL_ROOT = "VN"
UNIT_ID_PREFIX = "legacy:"

FIRST_MONTH = date(2022, 8, 1)
"""The index is in operation from 1/8/2022: no month before has data."""
DISTRICTS_ABOLISHED = date(2025, 7, 1)
"""Districts are evaluated for periods whose last visible day is before this day."""

Level = Literal["province", "department", "district", "commune"]

LOAIDONVI: dict[str, int] = {"province": 1, "department": 2, "district": 3, "commune": 4}
"""``p_loaidonvi`` per unit level [U]."""
LEVEL_BY_LOAI_COQUAN: dict[str, str] = {
    "1": "province",
    "2": "department",
    "3": "commune",
    "4": "district",  # [U]
}
"""``LOAI_COQUAN`` → unit level (1-3 [V], 4 [U])."""
UNIT_TYPE_BY_LEVEL: dict[str, str] = {
    "province": "PROVINCE",
    "department": "PROVINCIAL_DEPARTMENT",
    "district": "DISTRICT_PEOPLE_COMMITTEE",
    "commune": "COMMUNE_PEOPLE_COMMITTEE",
}
"""``core.units.unit_type`` of legacy units, in the current API's vocabulary."""


@dataclass(frozen=True)
class LegacyEndpoint:
    """One kind of legacy request, named as it is in ``raw.responses.endpoint``."""

    name: str
    service: str
    level: Level
    group_code: None = None
    shape: str = "legacy"

    @property
    def path(self) -> str:
        """URL path (every service shares it)."""
        return PATH


PROVINCES = LegacyEndpoint(f"{RANKING_SERVICE}:province", RANKING_SERVICE, "province")
DEPARTMENTS = LegacyEndpoint(f"{RANKING_SERVICE}:department", RANKING_SERVICE, "department")
DISTRICTS = LegacyEndpoint(f"{RANKING_SERVICE}:district", RANKING_SERVICE, "district")
COMMUNES = LegacyEndpoint(f"{RANKING_SERVICE}:commune", RANKING_SERVICE, "commune")
RANKING_ENDPOINTS: dict[str, LegacyEndpoint] = {
    e.name: e for e in (PROVINCES, DEPARTMENTS, DISTRICTS, COMMUNES)
}


def trend_endpoint(month: int) -> LegacyEndpoint:
    """The trend reply as recorded for ``month``: one reply names the months of a year, and
    is recorded once per month it reports, under ``report_xuhuongdiem_service:MM``."""
    return LegacyEndpoint(f"{TREND_SERVICE}:{month:02d}", TREND_SERVICE, "province")


def trend_month(endpoint_name: str) -> int | None:
    """The month a trend endpoint name stands for (``None`` for other endpoints)."""
    service, _, month = endpoint_name.partition(":")
    if service != TREND_SERVICE or not month.isdigit() or not 1 <= int(month) <= 12:
        return None
    return int(month)


def unit_id(legacy_unit_id: str) -> str:
    """The warehouse id of a legacy unit (``ID_COQUAN`` or ``ID``)."""
    return f"{UNIT_ID_PREFIX}{legacy_unit_id}"


def legacy_number(warehouse_unit_id: str) -> str:
    """The legacy ``ID`` inside a warehouse unit id (``legacy:123`` → ``123``)."""
    if not warehouse_unit_id.startswith(UNIT_ID_PREFIX):
        raise ValueError(f"{warehouse_unit_id!r} is not a legacy unit id")
    return warehouse_unit_id[len(UNIT_ID_PREFIX) :]


def time_fields(period: Period) -> dict[str, Any]:
    """``p_nam``, ``p_6thang``, ``p_quy``, ``p_thang`` for ``period`` (0 = not this kind)."""
    return {
        "p_nam": str(period.year),
        "p_6thang": period.half if period.period_type == "half" else 0,
        "p_quy": period.quarter if period.period_type == "quarter" else 0,
        "p_thang": period.start.month if period.period_type == "month" else 0,
    }


def ranking_params(endpoint: LegacyEndpoint, period: Period, tinh_id: str | None) -> dict[str, Any]:
    """The ``params`` object of a ranking request: the provinces (``tinh_id`` None) or one
    province's units of ``endpoint.level``."""
    if endpoint.service != RANKING_SERVICE:
        raise ValueError(f"{endpoint.name} is not a ranking endpoint")
    if tinh_id is None and endpoint.level != "province":
        raise ValueError(f"{endpoint.name} needs a province (p_tinh_id)")
    fields = time_fields(period)
    return {
        "type": "ref",
        "service": RANKING_SERVICE,
        "p_nam": fields["p_nam"],
        "p_6thang": fields["p_6thang"],
        "p_quy": fields["p_quy"],
        "p_thang": fields["p_thang"],
        "p_tinh_id": 0 if tinh_id is None else tinh_id,
        "p_loaidonvi": LOAIDONVI[endpoint.level],
        "loaichitieu": 0,
        "pageIndex": 1,
        "pageSize": PAGE_SIZE,
    }


def trend_params(year: int, tinh_id: str, level: str, legacy_unit: str) -> dict[str, Any]:
    """The ``params`` object of a monthly trend request for one unit of ``year``."""
    if level not in ("province", "district", "commune"):
        raise ValueError(
            f"the trend service takes a province, a district or a commune, not a {level}"
        )
    return {
        "type": "ref",
        "service": TREND_SERVICE,
        "p_nam": str(year),
        "p_tinh_id": tinh_id,
        "p_huyen_id": legacy_unit if level == "district" else "0",
        "p_xa_id": legacy_unit if level == "commune" else "0",
        "p_6thang": 0,
        "p_quy": 0,
        "p_thang": 0,
        "pageIndex": 1,
        "pageSize": TREND_PAGE_SIZE,
    }


def form(params: dict[str, Any]) -> dict[str, str]:
    """The form body: ``params=<compact JSON>``."""
    return {"params": json.dumps(params, ensure_ascii=False, separators=(",", ":"))}


def headers(base_url: str) -> dict[str, str]:
    """Headers the legacy API wants: an XHR from its summary page."""
    origin = base_url.rstrip("/")
    return {
        "X-Requested-With": "XMLHttpRequest",
        "Accept": "application/json, text/javascript, */*; q=0.01",
        "Referer": f"{origin}{REFERER_PATH}",
    }


def province_endpoints(period: Period, today: date) -> tuple[LegacyEndpoint, ...]:
    """The replies a province capture needs: departments, districts (while they exist)
    and communes."""
    if min(period.end, today) < DISTRICTS_ABOLISHED:
        return (DEPARTMENTS, DISTRICTS, COMMUNES)
    return (DEPARTMENTS, COMMUNES)
