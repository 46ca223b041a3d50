"""The fake portal's legacy API: ``POST /jsp/rest.jsp`` with a form body ``params=<JSON>``
(DOMAIN.md §5), served by the same :class:`~pipelines.fake_portal.server.FakePortal`.

Before 1/7/2025 it serves a generated pre-merger country: the 63 provinces with their
provincial departments, districts (≈700) and communes (≈10,000). Periods whose last
visible day is on or after 1/7/2025 are served from the current API's generated dataset
(``dataset.py``: 34 provinces, departments and communes), so both APIs agree on them.

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
import hashlib
import json
import random
import threading
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from pipelines.fake_portal.dataset import (
    _DIRECTIONS,
    _FIRST_ONLY,
    _SYLLABLES,
    GROUP_MAX,
    GROUPS,
    Dataset,
    r2,
)
from pipelines.fake_portal.faults import PAYLOAD_KINDS, Fault, rename_field
from warehouse.periods import Period

if TYPE_CHECKING:
    from pipelines.fake_portal.server import FakePortal, Reply

LEGACY_PATH = "/jsp/rest.jsp"
JSON_TYPE = "application/json;charset=UTF-8"
FAULT_ENDPOINT = "rest.jsp"
"""Faults for ``"rest.jsp"`` hit every legacy request; ``"rest.jsp:<kind>"`` only one
kind: ``province``, ``department``, ``district``, ``commune``, ``trend``, ``indicator``."""

RANKING_SERVICE = "report_tinh_766_service"
TREND_SERVICE = "report_xuhuongdiem_service"
INDICATOR_SERVICE = "report_xuhuongdiem_chiso_service"
SERVICES = (RANKING_SERVICE, TREND_SERVICE, INDICATOR_SERVICE)

LEGACY_FIRST_MONTH = date(2022, 8, 1)
"""The index in operation from 1/8/2022: no data before."""
MERGER_DAY = date(2025, 7, 1)
"""From this day: 34 provinces, no districts (served from the current API's dataset)."""

KIND_BY_LOAIDONVI = {1: "province", 2: "department", 3: "district", 4: "commune"}
LOAI_COQUAN = {"province": "1", "department": "2", "commune": "3", "district": "4"}
CAPDONVI = {"province": "1", "department": "1", "district": "2", "commune": "3"}

# Old provinces: agency code, name, centrally-run city, the post-merger province's code.
OLD_PROVINCES: tuple[tuple[str, str, bool, str], ...] = (
    ("H01", "An Giang", False, "H01"),
    ("H02", "Bà Rịa - Vũng Tàu", False, "H29"),
    ("H03", "Bắc Giang", False, "H05"),
    ("H04", "Bắc Kạn", False, "H55"),
    ("H05", "Bắc Ninh", False, "H05"),
    ("H06", "Bạc Liêu", False, "H12"),
    ("H07", "Bến Tre", False, "H61"),
    ("H08", "Bình Dương", False, "H29"),
    ("H09", "Bình Định", False, "H21"),
    ("H10", "Bình Phước", False, "H19"),
    ("H11", "Bình Thuận", False, "H36"),
    ("H12", "Cà Mau", False, "H12"),
    ("H13", "Cần Thơ", True, "H13"),
    ("H14", "Cao Bằng", False, "H14"),
    ("H15", "Đắk Lắk", False, "H15"),
    ("H16", "Đắk Nông", False, "H36"),
    ("H17", "Đà Nẵng", True, "H17"),
    ("H18", "Điện Biên", False, "H18"),
    ("H19", "Đồng Nai", False, "H19"),
    ("H20", "Đồng Tháp", False, "H20"),
    ("H21", "Gia Lai", False, "H21"),
    ("H22", "Hà Giang", False, "H60"),
    ("H23", "Hà Nam", False, "H42"),
    ("H24", "Hải Phòng", True, "H24"),
    ("H25", "Hải Dương", False, "H24"),
    ("H26", "Hà Nội", True, "H26"),
    ("H27", "Hà Tĩnh", False, "H27"),
    ("H28", "Hậu Giang", False, "H13"),
    ("H29", "Hồ Chí Minh", True, "H29"),
    ("H30", "Hòa Bình", False, "H44"),
    ("H31", "Hưng Yên", False, "H31"),
    ("H32", "Khánh Hòa", False, "H32"),
    ("H33", "Kiên Giang", False, "H01"),
    ("H34", "Kon Tum", False, "H48"),
    ("H35", "Lai Châu", False, "H35"),
    ("H36", "Lâm Đồng", False, "H36"),
    ("H37", "Lạng Sơn", False, "H37"),
    ("H38", "Lào Cai", False, "H38"),
    ("H39", "Long An", False, "H53"),
    ("H40", "Nam Định", False, "H42"),
    ("H41", "Nghệ An", False, "H41"),
    ("H42", "Ninh Bình", False, "H42"),
    ("H43", "Ninh Thuận", False, "H32"),
    ("H44", "Phú Thọ", False, "H44"),
    ("H45", "Phú Yên", False, "H15"),
    ("H46", "Quảng Bình", False, "H50"),
    ("H47", "Quảng Nam", False, "H17"),
    ("H48", "Quảng Ngãi", False, "H48"),
    ("H49", "Quảng Ninh", False, "H49"),
    ("H50", "Quảng Trị", False, "H50"),
    ("H51", "Sóc Trăng", False, "H13"),
    ("H52", "Sơn La", False, "H52"),
    ("H53", "Tây Ninh", False, "H53"),
    ("H54", "Thái Bình", False, "H31"),
    ("H55", "Thái Nguyên", False, "H55"),
    ("H56", "Thanh Hóa", False, "H56"),
    ("H57", "Thừa Thiên Huế", False, "H57"),
    ("H58", "Tiền Giang", False, "H20"),
    ("H59", "Trà Vinh", False, "H61"),
    ("H60", "Tuyên Quang", False, "H60"),
    ("H61", "Vĩnh Long", False, "H61"),
    ("H62", "Vĩnh Phúc", False, "H44"),
    ("H63", "Yên Bái", False, "H38"),
)
OLD_TO_NEW: dict[str, str] = {code: new for code, _, _, new in OLD_PROVINCES}
"""Lineage of the 2025 merger (DOMAIN.md §6): old province code → new province code."""

# Pre-merger provincial departments: code suffix, name, share of provinces that have it.
# Suffixes shared with dataset.py's post-merger departments name the same body.
_DEPARTMENTS: tuple[tuple[str, str, float], ...] = (
    ("01", "Văn phòng UBND", 1.0),
    ("03", "Ban quản lý các khu công nghiệp", 0.8),
    ("07", "Sở Công Thương", 1.0),
    ("08", "Sở Giáo dục và Đào tạo", 1.0),
    ("09", "Sở Kế hoạch và Đầu tư", 1.0),
    ("10", "Sở Lao động - Thương binh và Xã hội", 1.0),
    ("11", "Sở Tài nguyên và Môi trường", 1.0),
    ("12", "Sở Nông nghiệp và Phát triển nông thôn", 1.0),
    ("13", "Sở Ngoại vụ", 0.4),
    ("14", "Sở Giao thông vận tải", 1.0),
    ("15", "Sở Thông tin và Truyền thông", 1.0),
    ("16", "Ban Dân tộc", 0.6),
    ("19", "Sở Tư pháp", 1.0),
    ("20", "Sở Văn hóa, Thể thao và Du lịch", 1.0),
    ("22", "Sở Y tế", 1.0),
    ("23", "Thanh tra", 1.0),
    ("41", "Sở Khoa học và Công nghệ", 1.0),
    ("42", "Sở Nội vụ", 1.0),
    ("43", "Sở Tài chính", 1.0),
    ("44", "Sở Xây dựng", 1.0),
    ("48", "Ban Quản lý Khu kinh tế", 0.3),
)
_NO_FEES = "23"
"""The inspectorate: no fee-bearing procedures, so no TTTT score (an empty string)."""

# How each group sits relative to a unit's overall quality (TTTT lowest, MDHL highest).
_BIAS = {"CKMB": 0.10, "TDGQ": 0.08, "CLGQ": 0.0, "TTTT": -0.08, "MDHL": 0.15, "MDSH": -0.05}
_SPREAD = {"department": 0.07, "district": 0.09, "commune": 0.13}


def legacy_id(code: str, *, province: bool = False) -> str:
    """The numeric ``ID`` of the unit with agency code ``code`` (stable across eras)."""
    digits = int(hashlib.sha256(f"dvc766-legacy:{code}".encode()).hexdigest()[:15], 16)
    if province:
        return str(100_000 + digits % 900_000)
    return str(1_000_000 + digits % 9_000_000_000)


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@dataclass(frozen=True)
class LegacyUnit:
    """A unit as the legacy API lists it."""

    id: str
    code: str
    short_name: str  # TEN
    agency_name: str  # TEN_COQUAN
    kind: str  # province | department | district | commune
    offsets: tuple[float, ...] = (0.0,) * 6
    blank: frozenset[str] = frozenset()


@dataclass(frozen=True)
class OldProvince:
    """A pre-merger province and its units (built on first use)."""

    index: int
    code: str
    name: str
    is_city: bool
    new_code: str
    id: str
    quality: float
    group_offsets: tuple[float, ...]
    units: dict[str, tuple[LegacyUnit, ...]] = field(default_factory=dict, compare=False)

    def title(self, day: date) -> str:
        """``Tỉnh X`` or ``Thành phố X`` (Huế is a city from 1/1/2025)."""
        city = self.is_city or (self.code == "H57" and day >= date(2025, 1, 1))
        return f"Thành phố {self.display(day)}" if city else f"Tỉnh {self.name}"

    def display(self, day: date) -> str:
        """The province's short name on ``day``."""
        return "Huế" if self.code == "H57" and day >= date(2025, 1, 1) else self.name

    def root(self, day: date) -> LegacyUnit:
        """The province's own row."""
        title = self.title(day)
        agency = f"UBND {title[0].lower()}{title[1:]}"
        return LegacyUnit(self.id, self.code, self.display(day), agency, "province")


def _place(rng: random.Random, seen: set[str]) -> str:
    while True:
        a, b = rng.sample(_SYLLABLES, 2)
        if rng.random() < 0.08:
            a = rng.choice(_FIRST_ONLY)
        name = f"{a} {b}"
        if rng.random() < 0.05:
            name = f"{name} {rng.choice(_DIRECTIONS)}"
        if name not in seen:
            seen.add(name)
            return name


def _build_units(prov: OldProvince, seed: int) -> dict[str, tuple[LegacyUnit, ...]]:
    rng = random.Random(f"{seed}:legacy:{prov.code}:layout")
    title = prov.title(date(2024, 1, 1))
    lower_title = f"{title[0].lower()}{title[1:]}"

    def offsets(kind: str) -> tuple[float, ...]:
        return tuple(rng.gauss(0.0, _SPREAD[kind]) for _ in GROUPS)

    departments = []
    for suffix, name, share in _DEPARTMENTS:
        if share < 1.0 and rng.random() >= share:
            continue
        short = f"{name} {lower_title}" if suffix in ("01", "23") else name
        code = f"{prov.code}.{suffix}"
        blank = frozenset({"TTTT"}) if suffix == _NO_FEES else frozenset()
        departments.append(
            LegacyUnit(
                legacy_id(code),
                code,
                _nfc(short),
                _nfc(short if suffix in ("01", "23") else f"{name} {lower_title}"),
                "department",
                offsets("department"),
                blank,
            )
        )
    seen: set[str] = set()
    n_districts = rng.randint(12, 24) if prov.is_city else rng.randint(7, 14)
    districts, communes = [], []
    for j in range(1, n_districts + 1):
        place = _place(rng, seen)
        if prov.is_city:
            kind = "Quận" if j <= n_districts * 0.6 else "Huyện"
        else:
            kind = "Thành phố" if j == 1 else "Thị xã" if rng.random() < 0.12 else "Huyện"
        dcode = f"{prov.code}.9{j:02d}"
        districts.append(
            LegacyUnit(
                legacy_id(dcode),
                dcode,
                _nfc(f"{kind} {place}"),
                _nfc(f"UBND {kind.lower()} {place}"),
                "district",
                offsets("district"),
            )
        )
        urban = kind in ("Quận", "Thành phố", "Thị xã")
        for k in range(1, rng.randint(7, 20) + 1):
            cplace = _place(rng, seen)
            if kind == "Quận":
                ckind = "Phường"
            elif urban:
                ckind = "Phường" if rng.random() < 0.6 else "Xã"
            else:
                ckind = "Thị trấn" if k == 1 else "Xã"
            ccode = f"{dcode}.{k:03d}"
            communes.append(
                LegacyUnit(
                    legacy_id(ccode),
                    ccode,
                    _nfc(f"{ckind} {cplace}"),
                    _nfc(f"UBND {ckind.lower()} {cplace}"),
                    "commune",
                    offsets("commune"),
                )
            )
    return {
        "department": tuple(departments),
        "district": tuple(districts),
        "commune": tuple(communes),
    }


# ---------------------------------------------------------------------------------------
# Requests


class LegacyBadRequest(ValueError):
    """A request the legacy endpoint rejects with HTTP 400."""


MonthState = tuple[int, int, int]
"""(year, month, days shown or 0 for the whole month)."""


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
# Data


def _clamp(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def _fmt(value: float | int | None) -> str:
    return "" if value is None else str(value)


def _score(group: str, q: float) -> float:
    return GROUP_MAX[group] * _clamp(q + _BIAS[group])


class LegacyDataset:
    """The legacy API's data: generated pre-merger units, the current dataset after."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.seed = dataset.seed
        rng = random.Random(f"{self.seed}:legacy:quality")
        n = len(OLD_PROVINCES)
        levels = [0.5 + 0.42 * k / (n - 1) for k in range(n)]
        rng.shuffle(levels)
        provinces = []
        for i, (code, name, city, new) in enumerate(OLD_PROVINCES):
            prng = random.Random(f"{self.seed}:legacy:{code}:profile")
            offsets = tuple(prng.gauss(0.0, 0.05) for _ in GROUPS)
            provinces.append(
                OldProvince(
                    i,
                    code,
                    _nfc(name),
                    city,
                    new,
                    legacy_id(code, province=True),
                    levels[i],
                    offsets,
                )
            )
        self.old_provinces: tuple[OldProvince, ...] = tuple(provinces)
        self._lock = threading.Lock()
        self._old_by_id = {p.id: p for p in self.old_provinces}
        self._new_by_id = {legacy_id(p.code, province=True): p for p in dataset.provinces}
        self._province_month = lru_cache(maxsize=63 * 48)(self._province_month_uncached)
        self._units_month = lru_cache(maxsize=256)(self._units_month_uncached)
        self._table = lru_cache(maxsize=256)(self._table_uncached)
        self._new_table = lru_cache(maxsize=128)(self._new_table_uncached)

    # -- lookup ---------------------------------------------------------------------------

    @staticmethod
    def is_merged(period: Period, today: date) -> bool:
        """Whether ``period`` is served in its post-merger form on ``today``."""
        return min(period.end, today) >= MERGER_DAY

    def old_province(self, key: str) -> OldProvince:
        """A pre-merger province by ``ID`` or code."""
        for prov in self.old_provinces:
            if key in (prov.id, prov.code):
                return prov
        raise KeyError(key)

    def units(self, prov: OldProvince, kind: str) -> tuple[LegacyUnit, ...]:
        """A pre-merger province's units of ``kind`` (department, district, commune)."""
        with self._lock:
            if not prov.units:
                prov.units.update(_build_units(prov, self.seed))
        return prov.units[kind]

    @property
    def unit_count(self) -> int:
        """Pre-merger units: provinces, departments, districts and communes."""
        return sum(
            1 + sum(len(self.units(p, k)) for k in ("department", "district", "commune"))
            for p in self.old_provinces
        )

    # -- time -----------------------------------------------------------------------------

    @staticmethod
    def month_states(period: Period, today: date) -> tuple[MonthState, ...]:
        """The months of ``period`` with data on ``today`` (the open one partly)."""
        states: list[MonthState] = []
        y, m = period.start.year, period.start.month
        while date(y, m, 1) <= min(period.end, today):
            if date(y, m, 1) >= LEGACY_FIRST_MONTH:
                states.append((y, m, today.day if (y, m) == (today.year, today.month) else 0))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return tuple(states)

    # -- pre-merger generation ------------------------------------------------------------

    def _quality(self, prov: OldProvince, y: int, m: int) -> float:
        rng = random.Random(f"{self.seed}:legacy:{prov.code}:{y}-{m:02d}:q")
        months_in = (y - LEGACY_FIRST_MONTH.year) * 12 + m - LEGACY_FIRST_MONTH.month
        return prov.quality - 0.03 + 0.0018 * months_in + rng.gauss(0.0, 0.012)

    @staticmethod
    def _open_noise(rng: random.Random, state: MonthState) -> float:
        y, m, day = state
        if not day:
            return 0.0
        days = (date(y + m // 12, m % 12 + 1, 1) - date(y, m, 1)).days
        return (1.0 - day / days) * rng.gauss(0.0, 0.04)

    def _province_month_uncached(self, index: int, state: MonthState) -> tuple[float, ...]:
        prov = self.old_provinces[index]
        y, m, day = state
        q = self._quality(prov, y, m)
        rng = random.Random(f"{self.seed}:legacy:{prov.code}:{y}-{m:02d}:root")
        scores = [
            _score(g, q + prov.group_offsets[k] + rng.gauss(0.0, 0.01))
            for k, g in enumerate(GROUPS)
        ]
        if day:
            orng = random.Random(f"{self.seed}:legacy:{prov.code}:{y}-{m:02d}:{day}:root")
            scores = [GROUP_MAX[g] * _clamp(s / GROUP_MAX[g] + self._open_noise(orng, state))
                      for g, s in zip(GROUPS, scores, strict=True)]  # fmt: skip
        return tuple(scores)

    def _units_month_uncached(self, index: int, kind: str, state: MonthState) -> list[float]:
        prov = self.old_provinces[index]
        y, m, day = state
        q = self._quality(prov, y, m)
        rng = random.Random(f"{self.seed}:legacy:{prov.code}:{kind}:{y}-{m:02d}")
        orng = random.Random(f"{self.seed}:legacy:{prov.code}:{kind}:{y}-{m:02d}:{day}")
        rnd = rng.random
        out: list[float] = []
        for unit in self.units(prov, kind):
            extra = self._open_noise(orng, state)
            for k, g in enumerate(GROUPS):
                noise = (rnd() + rnd() - 1.0) * 0.06
                out.append(_score(g, q + prov.group_offsets[k] + unit.offsets[k] + noise + extra))
        return out

    def _table_uncached(
        self, index: int, kind: str, states: tuple[MonthState, ...]
    ) -> list[tuple[LegacyUnit, dict[str, float | int | None]]]:
        """Units of ``kind`` with their group scores over the months of ``states``."""
        prov = self.old_provinces[index]
        day = date(states[-1][0], states[-1][1], 1)
        if kind == "province":
            months = [self._province_month(index, s) for s in states]
            scores = {g: r2(sum(mo[k] for mo in months) / len(months))
                      for k, g in enumerate(GROUPS)}  # fmt: skip
            return [(prov.root(day), dict(scores))]
        units = self.units(prov, kind)
        months = [self._units_month(index, kind, s) for s in states]
        rows = []
        for i, unit in enumerate(units):
            scores = {}
            for k, g in enumerate(GROUPS):
                if g in unit.blank:
                    scores[g] = None
                    continue
                scores[g] = r2(sum(mo[i * 6 + k] for mo in months) / len(months))
            rows.append((unit, scores))
        return rows

    # -- post-merger (the current API's dataset) ------------------------------------------

    def _new_table_uncached(
        self, code: str, period: Period, today: date
    ) -> dict[str, list[tuple[LegacyUnit, dict[str, float | int | None]]]]:
        prov = self.dataset.province_by_code(code)
        reports = {g: self.dataset.group_report(prov, g, period, today) for g in GROUPS}
        root = _new_root(prov)
        out: dict[str, list[tuple[LegacyUnit, dict[str, float | int | None]]]] = {
            "province": [(root, {g: reports[g].root.total for g in GROUPS})],
            "department": [],
            "commune": [],
            "district": [],
        }
        for i, child in enumerate(prov.children):
            commune = child.department_type == "COMMUNE_PEOPLE_COMMITTEE"
            kind = "commune" if commune else "department"
            short = child.name.removeprefix("UBND ")
            unit = LegacyUnit(legacy_id(child.code), child.code, short, child.name, kind)
            out[kind].append((unit, {g: reports[g].children[i].total for g in GROUPS}))
        return out

    # -- replies --------------------------------------------------------------------------

    def ranking(
        self, period: Period, today: date, tinh_id: str, kind: str
    ) -> list[tuple[LegacyUnit, dict[str, float | int | None]]]:
        """Units (with group scores) a ``report_tinh_766_service`` request asks for."""
        if period.start > today:
            return []
        if self.is_merged(period, today):
            if not tinh_id:
                out = []
                for prov, scores in self.dataset.province_totals(period, today):
                    out.append((_new_root(prov), dict(scores)))
                return out
            new = self._new_by_id.get(tinh_id)
            return [] if new is None else self._new_table(new.code, period, today)[kind]
        states = self.month_states(period, today)
        if not states:
            return []
        if not tinh_id:
            return [row for p in self.old_provinces for row in self._table(p.index, kind, states)]
        prov = self._old_by_id.get(tinh_id)
        return [] if prov is None else self._table(prov.index, kind, states)

    def unit_scores(
        self, period: Period, today: date, tinh_id: str, kind: str, unit_id: str
    ) -> dict[str, float | int | None] | None:
        """One unit's group scores in ``period`` (``unit_id`` "" = the province)."""
        rows = self.ranking(period, today, tinh_id, kind)
        for unit, scores in rows:
            if not unit_id or unit.id == unit_id:
                return scores
        return None


def _new_root(prov: Any) -> LegacyUnit:
    """A post-merger province (``dataset.Province``) as the legacy API lists it."""
    short = prov.short_name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
    return LegacyUnit(legacy_id(prov.code, province=True), prov.code, short, prov.name, "province")


def _total(scores: Mapping[str, float | int | None]) -> float | int:
    return r2(sum(v for v in scores.values() if v is not None))


def ranking_rows(
    rows: list[tuple[LegacyUnit, dict[str, float | int | None]]],
) -> list[dict[str, str]]:
    """Rows of a ``report_tinh_766_service`` reply, ranked by total (``ROW_STT``)."""
    ranked = sorted(rows, key=lambda r: (-_total(r[1]), r[0].code))
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
    from pipelines.fake_portal.server import HTML_TYPE, Reply

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
            return portal._fault_reply(fault)
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
    return Reply(200, data, JSON_TYPE, delay=delay)
