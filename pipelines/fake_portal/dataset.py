"""A generated, deterministic national dataset behind the fake portal.

The 34 post-merger provinces, each with ~15 provincial departments and 60-135 communes,
and monthly counts per unit from 2024-01 onward. Quarter and year values aggregate the
months of the period up to the portal's "today" (the year is year-to-date); the open
month only holds the days up to today. A deterministic subset of (province, month)
pairs is revised once, from the 16th day of the second month after the month.

Scores follow DOMAIN.md section 2 and are rounded to two decimals; a group's
``totalScore`` is the sum of its (rounded) metric scores. Everything here is a pure
function of the seed, the period and "today": the same inputs give the same numbers.
"""

from __future__ import annotations

import calendar
import math
import random
import unicodedata
import uuid
from array import array
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from warehouse.periods import Period

FIRST_MONTH = date(2024, 1, 1)
"""The first day with data on the fake portal."""

GROUPS: tuple[str, ...] = ("CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH")
GROUP_MAX: dict[str, int] = {"CKMB": 18, "TDGQ": 20, "CLGQ": 12, "TTTT": 10, "MDHL": 18, "MDSH": 22}

TEMP_DENOMINATOR = (
    "TEMP_NATIONAL_REPORT_DENOMINATOR",
    "Mẫu số BCQG/GRIS đang dùng số tạm, cần thay bằng dữ liệu crawl hệ thống cũ.",
)
NO_REPORT_DATA = ("NO_NATIONAL_REPORT_DATA", "Không có dữ liệu báo cáo tổng hợp.")
TEMP_SYNC_FROM = date(2025, 7, 1)
"""Periods starting on or after this day carry the temporary DOSSIER_SYNC denominator."""

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://dvc766.invalid/fake-portal/units")

# Post-merger provinces: agency code, name as the portal lists it, centrally-run city.
_PROVINCES: tuple[tuple[str, str, bool], ...] = (
    ("H01", "UBND tỉnh An Giang", False),
    ("H05", "UBND thành phố Bắc Ninh", False),
    ("H12", "UBND tỉnh Cà Mau", False),
    ("H13", "UBND Thành phố Cần Thơ", True),
    ("H14", "UBND tỉnh Cao Bằng", False),
    ("H15", "UBND tỉnh Đắk Lắk", False),
    ("H17", "UBND Thành phố Đà Nẵng", True),
    ("H18", "UBND tỉnh Điện Biên", False),
    ("H19", "UBND Thành phố Đồng Nai", False),
    ("H20", "UBND tỉnh Đồng Tháp", False),
    ("H21", "UBND tỉnh Gia Lai", False),
    ("H24", "UBND Thành phố Hải Phòng", True),
    ("H26", "UBND Thành phố Hà Nội", True),
    ("H27", "UBND tỉnh Hà Tĩnh", False),
    ("H29", "UBND Thành phố Hồ Chí Minh", True),
    ("H31", "UBND tỉnh Hưng Yên", False),
    ("H32", "UBND tỉnh Khánh Hòa", False),
    ("H35", "UBND tỉnh Lai Châu", False),
    ("H36", "UBND tỉnh Lâm Đồng", False),
    ("H37", "UBND tỉnh Lạng Sơn", False),
    ("H38", "UBND tỉnh Lào Cai", False),
    ("H41", "UBND tỉnh Nghệ An", False),
    ("H42", "UBND tỉnh Ninh Bình", False),
    ("H44", "UBND tỉnh Phú Thọ", False),
    ("H48", "UBND tỉnh Quảng Ngãi", False),
    ("H49", "UBND thành phố Quảng Ninh", False),
    ("H50", "UBND tỉnh Quảng Trị", False),
    ("H52", "UBND tỉnh Sơn La", False),
    ("H53", "UBND tỉnh Tây Ninh", False),
    ("H55", "UBND tỉnh Thái Nguyên", False),
    ("H56", "UBND tỉnh Thanh Hóa", False),
    ("H57", "UBND Thành phố Huế", True),
    ("H60", "UBND tỉnh Tuyên Quang", False),
    ("H61", "UBND tỉnh Vĩnh Long", False),
)

# Special zones (đặc khu) created in 2025, by province code.
_SPECIAL_ZONES: dict[str, tuple[str, ...]] = {
    "H01": ("Phú Quốc", "Kiên Hải", "Thổ Châu"),
    "H17": ("Hoàng Sa",),
    "H24": ("Cát Hải", "Bạch Long Vĩ"),
    "H29": ("Côn Đảo",),
    "H32": ("Trường Sa",),
    "H36": ("Phú Quý",),
    "H48": ("Lý Sơn",),
    "H49": ("Vân Đồn", "Cô Tô"),
    "H50": ("Cồn Cỏ",),
}

# Provincial departments: code suffix, name ({p} = "Tỉnh"/"Thành phố"), monthly
# dossiers (low, high) for a medium province, share of provinces that have it.
_DEPARTMENTS: tuple[tuple[str, str, tuple[float, float], float], ...] = (
    ("01", "Văn phòng UBND {p}", (20, 80), 1.0),
    ("03", "Ban quản lý các khu công nghiệp", (100, 400), 0.8),
    ("07", "Sở Công Thương", (200, 800), 1.0),
    ("08", "Sở Giáo dục và Đào tạo", (50, 300), 1.0),
    ("13", "Sở Ngoại vụ", (5, 30), 0.4),
    ("19", "Sở Tư pháp", (1000, 4000), 1.0),
    ("20", "Sở Văn hóa, Thể thao và Du lịch", (20, 100), 1.0),
    ("22", "Sở Y tế", (200, 900), 1.0),
    ("23", "Thanh tra {p_lower}", (0, 1), 1.0),
    ("41", "Sở Khoa học và Công nghệ", (10, 60), 1.0),
    ("42", "Sở Nội vụ", (50, 300), 1.0),
    ("43", "Sở Tài chính", (300, 1500), 1.0),
    ("44", "Sở Xây dựng", (500, 3000), 1.0),
    ("45", "Sở Nông nghiệp và Môi trường", (2000, 9000), 1.0),
    ("46", "Sở Dân tộc và Tôn giáo", (1, 10), 1.0),
    ("48", "Ban Quản lý Khu kinh tế", (20, 150), 0.3),
)

# fmt: off
_SYLLABLES = (
    "An", "Bình", "Cẩm", "Châu", "Cường", "Đại", "Đông", "Đức", "Giang", "Hà", "Hải", "Hòa",
    "Hồng", "Hưng", "Hương", "Khánh", "Kim", "Lạc", "Lâm", "Lộc", "Lợi", "Long", "Lương",
    "Minh", "Mỹ", "Nam", "Nghĩa", "Ngọc", "Nhân", "Phong", "Phú", "Phúc", "Phước", "Quang",
    "Quảng", "Sơn", "Tân", "Thạnh", "Thành", "Thanh", "Thắng", "Thịnh", "Thọ", "Thuận", "Thủy",
    "Tiến", "Trung", "Trường", "Tường", "Vân", "Văn", "Việt", "Vĩnh", "Xuân", "Yên", "Đồng",
    "Cát", "Bảo", "Chí", "Hiệp", "Liên",
)
# fmt: on
_FIRST_ONLY = ("Mường", "Nậm", "Tà", "Ea", "Đắk", "Na", "Bản")
_DIRECTIONS = ("Bắc", "Nam", "Đông", "Tây", "Thượng", "Trung")


class Metric(NamedTuple):
    """One metric (chỉ tiêu) of a unit in a period, as the portal reports it."""

    code: str
    name: str
    numerator: int | None
    denominator: int | None
    ratio: float | None
    score: float | None
    max_score: int
    quality: tuple[str, str] | None = None


@dataclass(frozen=True)
class Unit:
    """An evaluated unit: a province root, a provincial department or a commune."""

    id: str
    code: str
    name: str
    department_type: str
    department_level: str

    @property
    def level(self) -> str:
        """The ``level`` field of tree endpoints: PROVINCE or COMMUNE."""
        return "COMMUNE" if self.department_level == "COMMUNE" else "PROVINCE"


@dataclass(frozen=True)
class _Profile:
    """Static, per-unit generation parameters (never exposed)."""

    size: float
    offsets: tuple[float, float, float, float, float, float]
    petitions: float
    cdf_den: int
    fee_formality: int


@dataclass(frozen=True)
class Province:
    """A province root with its children (sorted by code, as the portal lists them)."""

    index: int
    root: Unit
    short_name: str
    children: tuple[Unit, ...]
    quality: float
    group_offsets: tuple[float, float, float, float, float, float]
    temp_sync: bool
    profiles: tuple[_Profile, ...] = field(repr=False)

    @property
    def code(self) -> str:
        """Agency code, e.g. ``H44``."""
        return self.root.code

    @property
    def id(self) -> str:
        """The province's ``departmentId`` (a ``rootDepartmentId``)."""
        return self.root.id

    @property
    def name(self) -> str:
        """The province's ``departmentName``."""
        return self.root.name


@dataclass
class UnitScore:
    """A unit's result in one group and period."""

    unit: Unit
    total: float
    ratio: float
    metrics: list[Metric] | None = None
    params: dict[str, int | float] = field(default_factory=dict)


@dataclass
class GroupReport:
    """One group endpoint's content for a province root: root, children, chart."""

    group: str
    period: Period
    root: UnitScore
    children: list[UnitScore]
    chart: list[tuple[int, dict[str, float]]] | None = None


# ---------------------------------------------------------------------------------------
# Numbers


def r2(x: float) -> float | int:
    """Round half up to 2 decimals; integral values become ``int`` (as JSON shows them)."""
    v = math.floor(x * 100 + 0.5 + 1e-9) / 100
    return int(v) if v == int(v) else v


def _pct(num: int, den: int) -> float:
    return 100.0 * num / den if den else 0.0


def _clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def _unit_id(code: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, code))


# ---------------------------------------------------------------------------------------
# Array layout of one province-month: unit flows, province flows, unit stocks, province
# stocks. Flows are summed over the months of a period; stocks take their maximum.

# fmt: off
# unit flows
(F_SYNC_DEN, F_SYNC_NUM, F_RECEIVED, F_ON_TIME, F_COMPLETED, F_PROC,
 F_ORA, F_SOHOA, F_REUSED, F_SYNCED, F_CDD,
 F_PET, F_PET_CLASS, F_PET_TTHC, F_PET_STAFF, F_PET_ON_TIME, F_PET_SAT, F_DOS_SAT,
 F_CH_ONLINE, F_CH_DIRECT, F_CH_POSTAL, F_ON_ON_TIME, F_ON_OVERDUE,
 F_PAY_OK, F_FIN) = range(25)
NFL = 25
# province flows
P_PUB_DEN, P_PUB_NUM, P_UPD_DEN, P_UPD_NUM = range(4)
NPF = 4
# unit stocks
S_CDF_NUM, S_CDF_DEN, S_FEE_FORM, S_FORM_PAY, S_FEE_DOS_FORM = range(5)
NST = 5
# province stocks
(Q_CONTENT_NUM, Q_CONTENT_DEN, Q_AUTHORITY, Q_PARTIAL, Q_FULL, Q_ONLINE_SERVICE,
 Q_ONLINE_DOSSIER, Q_CDF_NUM, Q_CDF_DEN, Q_FEE_FORM, Q_FORM_PAY, Q_FEE_DOS_FORM) = range(12)
NPS = 12
# fmt: on

_ROOT_STOCK = {
    S_CDF_NUM: Q_CDF_NUM,
    S_CDF_DEN: Q_CDF_DEN,
    S_FEE_FORM: Q_FEE_FORM,
    S_FORM_PAY: Q_FORM_PAY,
    S_FEE_DOS_FORM: Q_FEE_DOS_FORM,
}
"""Province roots count distinct formalities: their own stock, not the children's sum."""


class Aggregate:
    """The counts of one province over one period (as of a given today)."""

    __slots__ = ("_stock0", "data", "n")

    def __init__(self, data: Sequence[int], n: int) -> None:
        self.data = data
        self.n = n
        self._stock0 = n * NFL + NPF

    def flow(self, i: int, f: int) -> int:
        """Flow ``f`` of child ``i``."""
        return self.data[i * NFL + f]

    def stock(self, i: int, s: int) -> int:
        """Stock ``s`` of child ``i``."""
        return self.data[self._stock0 + i * NST + s]

    def root_flow(self, f: int) -> int:
        """Flow ``f`` summed over the province's children."""
        return sum(self.data[f : self.n * NFL : NFL])

    def pflow(self, f: int) -> int:
        """Province-level flow ``f``."""
        return self.data[self.n * NFL + f]

    def pstock(self, s: int) -> int:
        """Province-level stock ``s``."""
        return self.data[self._stock0 + self.n * NST + s]


def _flows_len(n: int) -> int:
    return n * NFL + NPF


# ---------------------------------------------------------------------------------------
# Units


def _commune_names(rng: random.Random, count: int, code: str, is_city: bool) -> list[str]:
    """Generate ``count`` distinct commune names (with their UBND prefix)."""
    zones = list(_SPECIAL_ZONES.get(code, ()))
    ward_share = 0.5 if is_city else 0.12
    seen: set[str] = set()
    names: list[str] = []
    for zone in zones[:count]:
        seen.add(zone)
        names.append(f"UBND đặc khu {zone}")
    while len(names) < count:
        a, b = rng.sample(_SYLLABLES, 2)
        if rng.random() < 0.08:
            a = rng.choice(_FIRST_ONLY)
        base = f"{a} {b}"
        if rng.random() < 0.06:
            base = f"{base} {rng.choice(_DIRECTIONS)}"
        if base in seen:
            continue
        seen.add(base)
        kind = "xã"
        if rng.random() < ward_share:
            kind = "Phường" if rng.random() < 0.3 else "phường"
        names.append(f"UBND {kind} {base}")
    # the portal lists special zones among the communes, not first
    rng.shuffle(names)
    return names


def _build_province(index: int, code: str, name: str, is_city: bool, seed: int) -> Province:
    rng = random.Random(f"{seed}:{code}:layout")
    name = _nfc(name)
    short = name.removeprefix("UBND ")
    short = short[0].upper() + short[1:]
    p_word = "Thành phố" if short.startswith("Thành phố") else "Tỉnh"
    scale = {"H26": 2.5, "H29": 2.8}.get(code, rng.uniform(1.2, 1.8) if is_city else 1.0)
    scale *= rng.uniform(0.7, 1.3)
    dept_suffix_mode = rng.random()  # < 0.7: all suffixed; else mixed

    children: list[Unit] = []
    profiles: list[_Profile] = []

    def profile(size: float, spread: float, petitions: float, cdf: int, fee: int) -> _Profile:
        offsets = tuple(rng.gauss(0.0, spread) for _ in GROUPS)
        return _Profile(size, offsets, petitions, cdf, fee)  # type: ignore[arg-type]

    for suffix, template, (lo, hi), share in _DEPARTMENTS:
        if share < 1.0 and rng.random() >= share:
            continue
        dname = template.format(p=p_word, p_lower=p_word.lower())
        if dept_suffix_mode < 0.7 or rng.random() < 0.5:
            dname = f"{dname} - {short}"
        size = rng.uniform(lo, hi) * scale
        if hi <= 1:  # the inspectorate: mostly no dossiers at all, as on the portal
            size = 0.0 if rng.random() < 0.8 else 0.3
        unit = Unit(
            _unit_id(f"{code}.{suffix}"),
            f"{code}.{suffix}",
            _nfc(dname),
            "PROVINCIAL_DEPARTMENT",
            "PROVINCE",
        )
        children.append(unit)
        profiles.append(profile(size, 0.07, size / 1500.0, rng.randint(1, 40), rng.randint(1, 40)))

    n_communes = rng.randint(60, 135)
    for k, cname in enumerate(_commune_names(rng, n_communes, code, is_city)):
        if rng.random() < 0.1:
            cname = f"{cname} - {short if rng.random() < 0.85 else short.lower()}"
        ward = "phường" in cname.lower()
        size = rng.uniform(800, 3000) if ward else rng.uniform(200, 1200)
        size *= scale if ward else math.sqrt(scale)
        ccode = f"{code}.{100 + k}"
        children.append(
            Unit(_unit_id(ccode), ccode, _nfc(cname), "COMMUNE_PEOPLE_COMMITTEE", "COMMUNE")
        )
        profiles.append(profile(size, 0.13, size / 700.0, rng.randint(3, 15), rng.randint(5, 25)))

    order = sorted(range(len(children)), key=lambda j: children[j].code)
    root = Unit(_unit_id(code), code, name, "PROVINCE", "PROVINCE")
    group_offsets = tuple(rng.gauss(0.0, 0.05) for _ in GROUPS)
    return Province(
        index=index,
        root=root,
        short_name=short,
        children=tuple(children[j] for j in order),
        quality=0.0,  # set by the dataset (spread over provinces)
        group_offsets=group_offsets,  # type: ignore[arg-type]
        temp_sync=rng.random() < 0.6,
        profiles=tuple(profiles[j] for j in order),
    )


# ---------------------------------------------------------------------------------------
# Monthly generation


_SEASON = (1.0, 0.72, 1.05, 1.0, 1.02, 1.0, 0.98, 1.0, 1.03, 1.05, 1.04, 1.12)


def _generate_month(prov: Province, seed: int, year: int, month: int) -> array:
    """Full-month counts of one province (unrevised)."""
    rng = random.Random(f"{seed}:{prov.code}:{year}-{month:02d}")
    rnd = rng.random
    n = len(prov.children)
    months_in = (year - FIRST_MONTH.year) * 12 + month - 1
    q_month = prov.quality - 0.03 + 0.0018 * months_in + rng.gauss(0.0, 0.012)
    q_groups = [q_month + off for off in prov.group_offsets]
    season = _SEASON[month - 1]

    flows = [0] * (n * NFL)
    stocks = [0] * (n * NST)
    for i, pr in enumerate(prov.profiles):
        off = pr.offsets
        qc, qt, ql, qp, qh, qs = (
            q_groups[g] + off[g] + (rnd() + rnd() - 1.0) * 0.06 for g in range(6)
        )
        if pr.size < 1:
            received = 1 if rnd() < pr.size else 0
        else:
            received = int(pr.size * season * (0.85 + 0.3 * rnd()))
        completed = int(received * (0.8 + 0.15 * rnd()))
        b = i * NFL
        flows[b + F_SYNC_DEN] = received
        flows[b + F_SYNC_NUM] = round(received * _clamp(qc + 0.12))
        flows[b + F_RECEIVED] = received
        flows[b + F_ON_TIME] = round(received * _clamp(qt + 0.08))
        flows[b + F_COMPLETED] = completed
        flows[b + F_PROC] = round(completed * 100 * (2.0 + 14.0 * rnd()) * (1.3 - _clamp(qt)))
        flows[b + F_ORA] = round(received * _clamp(qs + 0.08))
        flows[b + F_SOHOA] = round(received * _clamp(qs - 0.05))
        flows[b + F_REUSED] = round(received * _clamp(qs * 0.85))
        flows[b + F_SYNCED] = round(received * _clamp(qs - 0.12))
        flows[b + F_CDD] = round(received * _clamp(qs + 0.02))
        pet = int(pr.petitions * season * 2.0 * rnd() + 0.35)
        classified = pet - (1 if pet > 3 and rnd() < 0.2 else 0)
        tthc = round(classified * (0.4 + 0.4 * rnd()))
        flows[b + F_PET] = pet
        flows[b + F_PET_CLASS] = classified
        flows[b + F_PET_TTHC] = tthc
        flows[b + F_PET_STAFF] = round((classified - tthc) * (0.3 + 0.6 * rnd()))
        flows[b + F_PET_ON_TIME] = round(pet * _clamp(qh + 0.05))
        flows[b + F_PET_SAT] = round(pet * _clamp(qh - 0.05))
        flows[b + F_DOS_SAT] = round(received * _clamp(0.1 + 0.85 * qh))
        online = round(received * _clamp(ql + 0.12))
        postal = int(received * 0.004 * rnd())
        postal = min(postal, received - online)
        flows[b + F_CH_ONLINE] = online
        flows[b + F_CH_POSTAL] = postal
        flows[b + F_CH_DIRECT] = received - online - postal
        on_time = round(online * _clamp(ql + 0.1))
        flows[b + F_ON_ON_TIME] = on_time
        flows[b + F_ON_OVERDUE] = online - on_time
        fin = round(received * (0.3 + 0.4 * rnd()))
        flows[b + F_FIN] = fin
        flows[b + F_PAY_OK] = round(fin * _clamp(qp + 0.08))
        s = i * NST
        cdf_den = pr.cdf_den
        fee = pr.fee_formality
        stocks[s + S_CDF_DEN] = cdf_den
        stocks[s + S_CDF_NUM] = round(cdf_den * _clamp(qs))
        stocks[s + S_FEE_FORM] = fee
        stocks[s + S_FORM_PAY] = round(fee * _clamp(qp - 0.15))
        stocks[s + S_FEE_DOS_FORM] = round(fee * 0.8 * _clamp(qp - 0.1))

    qc = q_groups[0]
    pub_den = int(14 * rnd())
    upd_den = int(12 * rnd())
    pflows = [
        pub_den,
        round(pub_den * _clamp(qc + 0.05 + (rnd() - 0.5) * 0.2)),
        upd_den,
        round(upd_den * _clamp(qc + (rnd() - 0.5) * 0.2)),
    ]
    srng = random.Random(f"{seed}:{prov.code}:stocks")  # slowly moving stocks
    content_den = srng.randint(60, 140) + months_in // 3
    authority = srng.randint(50, 120)
    full = round(authority * _clamp(q_groups[2] * 0.5))
    online_service = srng.randint(1300, 2500)
    cdf_den = srng.randint(600, 1600)
    fee_form = srng.randint(200, 420)
    pstocks = [
        round(content_den * _clamp(qc + 0.3)),
        content_den,
        authority,
        round((authority - full) * 0.6),
        full,
        online_service,
        round(online_service * _clamp(q_groups[2] * 0.4)),
        round(cdf_den * _clamp(q_groups[5] - 0.05)),
        cdf_den,
        fee_form,
        round(fee_form * _clamp(q_groups[3] - 0.15)),
        round(fee_form * 0.8 * _clamp(q_groups[3] - 0.1)),
    ]
    return array("q", flows + pflows + stocks + pstocks)


def _scale_open(base: array, n: int, frac: float) -> array:
    """The open month on a given day: flows scaled to the elapsed days, stocks as is.

    Flooring every flow with the same fraction keeps numerators within denominators;
    the two derived counts are recomputed so that parts still add up to their totals.
    """
    cut = _flows_len(n)
    out = array("q", [int(v * frac) for v in base[:cut]])
    for i in range(n):
        b = i * NFL
        out[b + F_CH_DIRECT] = out[b + F_RECEIVED] - out[b + F_CH_ONLINE] - out[b + F_CH_POSTAL]
        out[b + F_ON_OVERDUE] = out[b + F_CH_ONLINE] - out[b + F_ON_ON_TIME]
    out.extend(base[cut:])
    return out


def _revise(base: array, n: int) -> array:
    """A late revision: half the dissatisfied dossiers and petitions turn satisfied."""
    out = array("q", base)
    for i in range(n):
        b = i * NFL
        out[b + F_DOS_SAT] += (out[b + F_RECEIVED] - out[b + F_DOS_SAT] + 1) // 2
        out[b + F_PET_SAT] += (out[b + F_PET] - out[b + F_PET_SAT] + 1) // 2
    return out


# ---------------------------------------------------------------------------------------
# Scoring (DOMAIN.md section 2)

_CKMB = (
    ("PUBLISH_ON_TIME", "Tỷ lệ TTHC công bố đúng hạn", 6),
    ("PUBLIC_UPDATE_ON_TIME", "Tỷ lệ TTHC cập nhật, công khai đúng hạn", 4),
    ("PUBLIC_CONTENT_FULL", "Tỷ lệ TTHC công khai đầy đủ nội dung", 2),
    ("DOSSIER_SYNC", "Tỷ lệ hồ sơ đồng bộ lên Cổng DVCQG", 6),
)
_MDSH = (
    (
        "ORIGINAL_RESULT_AVAILABLE",
        "Tỷ lệ hồ sơ thủ tục hành chính có cấp kết quả giải quyết thủ tục hành chính điện tử",
        6,
    ),
    ("SO_HOA_GIAY_TO_GIAI_QUYET", "Tỷ lệ hồ sơ thủ tục hành chính thực hiện số hóa hồ sơ", 4),
    ("REUSED_DIGITIZED_DATA", "Tỷ lệ hồ sơ khai thác, sử dụng lại thông tin, dữ liệu số hóa", 2),
    (
        "SYNCED_WITH_DVCQG_PERSONAL_STORAGE",
        "Tỷ lệ hồ sơ TTHC được số hóa có kết nối, chia sẻ dữ liệu phục vụ tái sử dụng",
        4,
    ),
    ("CITIZEN_DATA_CONNECTED_DOSSIER", "Tỷ lệ hồ sơ TTHC có sử dụng thông tin, dữ liệu dân cư", 2),
    (
        "CITIZEN_DATA_CONNECTED_FORMALITY",
        "Tỷ lệ TTHC triển khai kết nối, chia sẻ dữ liệu dân cư phục vụ GQ TTHC",
        2,
    ),
    (
        "ELECTRONIC_CERTIFIED_COPY",
        "Tỷ lệ cung cấp dịch vụ chứng thực bản sao điện tử từ bản chính",
        2,
    ),
)
_MDHL = (
    ("PETITION_CLASSIFICATION_TTHC", "Tỷ lệ PAKN về quy định, thủ tục hành chính", 0),
    ("DOSSIER_RECEIVING_SATISFACTION", "Tỷ lệ hài lòng trong tiếp nhận, giải quyết TTHC", 6),
    ("PETITION_PROCESSING_ON_TIME", "Tỷ lệ PAKN xử lý đúng hạn", 6),
    ("PETITION_HANDLING_SATISFACTION", "Tỷ lệ hài lòng trong xử lý PAKN", 6),
    ("PETITION_CLASSIFICATION_STAFF", "Tỷ lệ PAKN về hành vi cán bộ, công chức, viên chức", 0),
)


def _proportional(
    spec: tuple[str, str, int],
    num: int,
    den: int,
    full_at: float = 100.0,
    quality: tuple[str, str] | None = None,
) -> Metric:
    """A metric scored max × ratio / full_at (capped at max); null when den = 0."""
    code, name, mx = spec
    if den == 0:
        return Metric(code, name, num, den, None, None, mx, quality)
    ratio = 100.0 * num / den
    return Metric(code, name, num, den, r2(ratio), r2(min(mx, mx * ratio / full_at)), mx, quality)


def _total(metrics: list[Metric]) -> float | int:
    return r2(sum(m.score for m in metrics if m.score is not None))


def ckmb_metrics(pub: tuple[int, int], upd: tuple[int, int], content: tuple[int, int],
                 sync: tuple[int, int], temp: bool) -> list[Metric]:  # fmt: skip
    """CKMB metrics: max × ratio / 100, null when the denominator is 0."""
    sync_num, sync_den = sync
    if sync_den == 0:
        sync_m = _proportional(_CKMB[3], 0, 0, quality=NO_REPORT_DATA)
    elif temp:
        sync_m = _proportional(_CKMB[3], sync_den, sync_den, quality=TEMP_DENOMINATOR)
    else:
        sync_m = _proportional(_CKMB[3], sync_num, sync_den)
    return [
        _proportional(_CKMB[0], *pub),
        _proportional(_CKMB[1], *upd),
        _proportional(_CKMB[2], *content),
        sync_m,
    ]


def mdsh_metrics(dossier_nums: Sequence[int], dossiers: int, cdf: tuple[int, int]) -> list[Metric]:
    """MDSH metrics: min(max, max × ratio / 100); REUSED_DIGITIZED_DATA full at 80 %."""
    ora, sohoa, reused, synced, cdd = dossier_nums
    code, name, mx = _MDSH[6]
    return [
        _proportional(_MDSH[0], ora, dossiers),
        _proportional(_MDSH[1], sohoa, dossiers),
        _proportional(_MDSH[2], reused, dossiers, full_at=80.0),
        _proportional(_MDSH[3], synced, dossiers),
        _proportional(_MDSH[4], cdd, dossiers),
        _proportional(_MDSH[5], *cdf),
        Metric(code, name, None, None, 100, mx, mx),
    ]


def mdhl_metrics(petitions: Sequence[int], dossiers: tuple[int, int]) -> list[Metric]:
    """MDHL metrics: petitions 6 × num/den (6 when den = 0); dossiers min(6, 6 × ratio/90)."""
    total, _classified, tthc, staff, on_time, satisfied = petitions
    sat, dos = dossiers

    def tracking(spec: tuple[str, str, int], num: int) -> Metric:
        return Metric(spec[0], spec[1], num, total, r2(_pct(num, total)), None, spec[2])

    def petition(spec: tuple[str, str, int], num: int) -> Metric:
        score = r2(6.0 * num / total) if total else 6
        return Metric(spec[0], spec[1], num, total, r2(_pct(num, total)), score, spec[2])

    dos_ratio = _pct(sat, dos)
    dos_score = r2(min(6.0, 6.0 * dos_ratio / 90.0))
    return [
        tracking(_MDHL[0], tthc),
        Metric(_MDHL[1][0], _MDHL[1][1], sat, dos, r2(dos_ratio), dos_score, 6),
        petition(_MDHL[2], on_time),
        petition(_MDHL[3], satisfied),
        tracking(_MDHL[4], staff),
    ]


def tdgq_score(received: int, on_time: int) -> tuple[float | int, float | int]:
    """TDGQ (ratio, score): 20 × onTime / received, 0 without dossiers."""
    ratio = _pct(on_time, received)
    return r2(ratio), r2(20.0 * ratio / 100.0)


def clgq_score(online: int, total: int, on_time: int, overdue: int) -> float | int:
    """CLGQ score (the portal's rule is not published): 12 × (0.6·online + 0.4·on time)."""
    online_share = online / total if total else 0.0
    on_time_share = on_time / (on_time + overdue) if on_time + overdue else 0.0
    return r2(12.0 * (0.6 * online_share + 0.4 * on_time_share))


def tttt_score(paid: int, obligation: int, formality_paid: int, fee_dossier_formality: int,
               fee_formality: int) -> float | int:  # fmt: skip
    """TTTT score: 6·A + min(2, 2.5·B) + 2.5·C, at most 10."""
    a = paid / obligation if obligation else 0.0
    b = formality_paid / fee_formality if fee_formality else 0.0
    c = fee_dossier_formality / fee_formality if fee_formality else 0.0
    return r2(min(10.0, 6.0 * a + min(2.0, 2.5 * b) + 2.5 * c))


def _ratio(total: float, group: str) -> float | int:
    return r2(100.0 * total / GROUP_MAX[group])


# ---------------------------------------------------------------------------------------
# The dataset


MonthState = tuple[int, int, int, bool]
"""(year, month, days included or 0 for the whole month, revised)."""


class Dataset:
    """The fake portal's national dataset for one seed."""

    def __init__(self, seed: int = 766) -> None:
        self.seed = seed
        provinces = [
            _build_province(i, code, name, city, seed)
            for i, (code, name, city) in enumerate(_PROVINCES)
        ]
        # spread province quality evenly so that totals cover ~55-95
        rng = random.Random(f"{seed}:quality")
        levels = [0.5 + 0.42 * k / (len(provinces) - 1) for k in range(len(provinces))]
        rng.shuffle(levels)
        self.provinces: tuple[Province, ...] = tuple(
            replace(p, quality=levels[p.index]) for p in provinces
        )
        self._by_id = {p.id: p for p in self.provinces}
        self._by_code = {p.code: p for p in self.provinces}
        self._month_base = lru_cache(maxsize=34 * 40)(self._month_base_uncached)
        self._month_agg = lru_cache(maxsize=34 * 30)(self._month_agg_uncached)
        self._period_agg = lru_cache(maxsize=34 * 24)(self._period_agg_uncached)

    # -- lookup ---------------------------------------------------------------------------

    @property
    def unit_count(self) -> int:
        """Number of evaluated units: provinces plus their children."""
        return sum(1 + len(p.children) for p in self.provinces)

    def province_by_id(self, department_id: str) -> Province | None:
        """The province whose root has this ``departmentId``, if any."""
        return self._by_id.get(department_id)

    def province_by_code(self, code: str) -> Province:
        """The province with this agency code (``H44``)."""
        return self._by_code[code]

    # -- time -----------------------------------------------------------------------------

    @staticmethod
    def revision_date(year: int, month: int) -> date:
        """The day a revised month's new values appear: the 16th, two months later."""
        k = year * 12 + month - 1 + 2
        return date(k // 12, k % 12 + 1, 16)

    def is_revised(self, province_code: str, year: int, month: int) -> bool:
        """Whether this (province, month) pair gets a late revision."""
        return random.Random(f"{self.seed}:rev:{province_code}:{year}-{month:02d}").random() < 0.5

    def month_states(self, prov: Province, period: Period, today: date) -> tuple[MonthState, ...]:
        """The months of ``period`` visible on ``today``, with how much of each is shown."""
        states: list[MonthState] = []
        y, m = period.start.year, period.start.month
        while date(y, m, 1) <= min(period.end, today):
            days = today.day if (y, m) == (today.year, today.month) else 0
            revised = (
                days == 0 and today >= self.revision_date(y, m) and self.is_revised(prov.code, y, m)
            )
            states.append((y, m, days, revised))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return tuple(states)

    # -- aggregation ----------------------------------------------------------------------

    def _month_base_uncached(self, index: int, year: int, month: int) -> array:
        return _generate_month(self.provinces[index], self.seed, year, month)

    def _month_agg_uncached(self, index: int, state: MonthState) -> array:
        year, month, days, revised = state
        data = self._month_base(index, year, month)
        n = len(self.provinces[index].children)
        if days:
            data = _scale_open(data, n, days / calendar.monthrange(year, month)[1])
        if revised:
            data = _revise(data, n)
        return data

    def _period_agg_uncached(self, index: int, states: tuple[MonthState, ...]) -> array:
        arrays = [self._month_agg(index, s) for s in states]
        if len(arrays) == 1:
            return arrays[0]
        cut = _flows_len(len(self.provinces[index].children))
        flows = [sum(col) for col in zip(*(a[:cut] for a in arrays), strict=True)]
        stocks = [max(col) for col in zip(*(a[cut:] for a in arrays), strict=True)]
        return array("q", flows + stocks)

    def aggregate(self, prov: Province, period: Period, today: date) -> Aggregate:
        """The province's counts for ``period`` as the portal shows them on ``today``."""
        states = self.month_states(prov, period, today)
        if not states:
            raise ValueError(f"no data for {period.label} on {today.isoformat()}")
        return Aggregate(self._period_agg(prov.index, states), len(prov.children))

    # -- scores ---------------------------------------------------------------------------

    def _temp_sync(self, prov: Province, period: Period) -> bool:
        return prov.temp_sync and period.start >= TEMP_SYNC_FROM

    def _unit_score(
        self, group: str, prov: Province, period: Period, agg: Aggregate, i: int | None
    ) -> UnitScore:
        """One unit's group result; ``i`` is a child index, or None for the province."""
        if i is None:
            unit = prov.root

            def fl(f: int) -> int:
                return agg.root_flow(f)

            def st(s: int) -> int:
                return agg.pstock(_ROOT_STOCK[s])
        else:
            unit, child = prov.children[i], i

            def fl(f: int) -> int:
                return agg.flow(child, f)

            def st(s: int) -> int:
                return agg.stock(child, s)

        received = fl(F_RECEIVED)
        if group == "CKMB":
            metrics = ckmb_metrics(
                (agg.pflow(P_PUB_NUM), agg.pflow(P_PUB_DEN)),
                (agg.pflow(P_UPD_NUM), agg.pflow(P_UPD_DEN)),
                (agg.pstock(Q_CONTENT_NUM), agg.pstock(Q_CONTENT_DEN)),
                (fl(F_SYNC_NUM), fl(F_SYNC_DEN)),
                self._temp_sync(prov, period),
            )
            total = _total(metrics)
            return UnitScore(unit, total, _ratio(total, group), metrics)
        if group == "MDSH":
            nums = [fl(f) for f in (F_ORA, F_SOHOA, F_REUSED, F_SYNCED, F_CDD)]
            metrics = mdsh_metrics(nums, received, (st(S_CDF_NUM), st(S_CDF_DEN)))
            total = _total(metrics)
            return UnitScore(unit, total, _ratio(total, group), metrics)
        if group == "MDHL":
            pets = [
                fl(f)
                for f in (F_PET, F_PET_CLASS, F_PET_TTHC, F_PET_STAFF, F_PET_ON_TIME, F_PET_SAT)
            ]
            metrics = mdhl_metrics(pets, (fl(F_DOS_SAT), received))
            total = _total(metrics)
            params: dict[str, int | float] = {
                "totalPetitions": pets[0],
                "classifiedPetitions": pets[1],
                "totalDossiers": received,
            }
            return UnitScore(unit, total, _ratio(total, group), metrics, params)
        if group == "TDGQ":
            on_time, completed = fl(F_ON_TIME), fl(F_COMPLETED)
            ratio, score = tdgq_score(received, on_time)
            avg_days = r2(fl(F_PROC) / completed / 100.0) if completed else 0
            return UnitScore(
                unit,
                score,
                ratio,
                params={
                    "totalReceived": received,
                    "totalOnTime": on_time,
                    "totalOverdue": received - on_time,
                    "totalCompleted": completed,
                    "avgProcessingDays": avg_days,
                },
            )
        if group == "CLGQ":
            online, direct, postal = fl(F_CH_ONLINE), fl(F_CH_DIRECT), fl(F_CH_POSTAL)
            on_time, overdue = fl(F_ON_ON_TIME), fl(F_ON_OVERDUE)
            score = clgq_score(online, online + direct + postal, on_time, overdue)
            return UnitScore(
                unit,
                score,
                _ratio(score, group),
                params={
                    "authorityCount": agg.pstock(Q_AUTHORITY),
                    "partialCount": agg.pstock(Q_PARTIAL),
                    "fullCount": agg.pstock(Q_FULL),
                    "onlineDossierCount": agg.pstock(Q_ONLINE_DOSSIER),
                    "onlineServiceTotal": agg.pstock(Q_ONLINE_SERVICE),
                    "channelOnlineSum": online,
                    "channelDirectSum": direct,
                    "channelPostalSum": postal,
                    "channelTotalSum": online + direct + postal,
                    "onlineOnTimeSum": on_time,
                    "onlineOverdueSum": overdue,
                },
            )
        if group == "TTTT":
            params = {
                "totalDossierOnlinePaymentSuccess": fl(F_PAY_OK),
                "totalDossierFinancialObligation": fl(F_FIN),
                "totalDossierOnlineFormalityPaymentSuccess": st(S_FORM_PAY),
                "totalFeeDossierFormalityDistinct": st(S_FEE_FORM),
                "totalFeeDossierFormality": st(S_FEE_DOS_FORM),
                "totalFeeFormality": st(S_FEE_FORM),
            }
            score = tttt_score(
                fl(F_PAY_OK), fl(F_FIN), st(S_FORM_PAY), st(S_FEE_DOS_FORM), st(S_FEE_FORM)
            )
            return UnitScore(unit, score, _ratio(score, group), params=params)
        raise ValueError(f"unknown group {group!r}")

    def root_score(self, prov: Province, group: str, period: Period, today: date) -> UnitScore:
        """The province root's result in ``group`` (what service-results reports)."""
        agg = self.aggregate(prov, period, today)
        return self._unit_score(group, prov, period, agg, None)

    def group_report(self, prov: Province, group: str, period: Period, today: date) -> GroupReport:
        """Root, children (in code order) and monthly chart of one group endpoint reply."""
        agg = self.aggregate(prov, period, today)
        root = self._unit_score(group, prov, period, agg, None)
        children = [
            self._unit_score(group, prov, period, agg, i) for i in range(len(prov.children))
        ]
        chart = None
        if group in ("TDGQ", "CLGQ"):
            chart = self._monthly_chart(prov, group, period, today)
        return GroupReport(group, period, root, children, chart)

    def _monthly_chart(
        self, prov: Province, group: str, period: Period, today: date
    ) -> list[tuple[int, dict[str, float]]]:
        """Per-month province percentages for the months of the period's year."""
        visible = {(y, m): s for s in self.month_states(prov, period, today) for y, m in [s[:2]]}
        chart: list[tuple[int, dict[str, float]]] = []
        for month in range(1, 13):
            state = visible.get((period.year, month))
            if state is None:
                values = (
                    {"onTimePct": 0, "overduePct": 0}
                    if group == "TDGQ"
                    else {"onlineDossierPct": 0}
                )
                chart.append((month, values))
                continue
            agg = Aggregate(self._month_agg(prov.index, state), len(prov.children))
            received = agg.root_flow(F_RECEIVED)
            if group == "TDGQ":
                on_time = r2(_pct(agg.root_flow(F_ON_TIME), received))
                overdue = r2(100 - on_time) if received else 0
                chart.append((month, {"onTimePct": on_time, "overduePct": overdue}))
            else:
                online = r2(_pct(agg.root_flow(F_CH_ONLINE), received))
                chart.append((month, {"onlineDossierPct": online}))
        return chart

    def province_totals(
        self, period: Period, today: date
    ) -> list[tuple[Province, dict[str, float]]]:
        """Every province's root score per group for ``period`` on ``today``."""
        out = []
        for prov in self.provinces:
            agg = self.aggregate(prov, period, today)
            scores = {g: self._unit_score(g, prov, period, agg, None).total for g in GROUPS}
            out.append((prov, scores))
        return out
