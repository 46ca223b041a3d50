"""The generated reference lists of the legacy API's pre-merger country.

The 63 provinces before the 2025 reorganisation, each with its provincial departments,
districts (≈700 in all) and communes (≈10,000), with the numeric ``ID`` the legacy API
gives them. A unit's ``ID`` is derived from its agency code, so a unit that keeps its
code across the merger (a surviving province, its departments) keeps its id. Units are
built from the seed on first use.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from fake_portal.reference import DIRECTIONS, FIRST_ONLY, SYLLABLES, nfc
from fake_portal.scoring import GROUPS, GroupValues

KINDS: tuple[str, ...] = ("department", "district", "commune")
"""The kinds of units under a pre-merger province."""


class OldProvinceSpec(NamedTuple):
    """A pre-merger province: agency code, name, city status, post-merger province."""

    code: str
    name: str
    is_city: bool
    """A centrally-run city."""
    new_code: str
    """The code of the post-merger province it became part of."""


OLD_PROVINCES: tuple[OldProvinceSpec, ...] = (
    OldProvinceSpec("H01", "An Giang", False, "H01"),
    OldProvinceSpec("H02", "Bà Rịa - Vũng Tàu", False, "H29"),
    OldProvinceSpec("H03", "Bắc Giang", False, "H05"),
    OldProvinceSpec("H04", "Bắc Kạn", False, "H55"),
    OldProvinceSpec("H05", "Bắc Ninh", False, "H05"),
    OldProvinceSpec("H06", "Bạc Liêu", False, "H12"),
    OldProvinceSpec("H07", "Bến Tre", False, "H61"),
    OldProvinceSpec("H08", "Bình Dương", False, "H29"),
    OldProvinceSpec("H09", "Bình Định", False, "H21"),
    OldProvinceSpec("H10", "Bình Phước", False, "H19"),
    OldProvinceSpec("H11", "Bình Thuận", False, "H36"),
    OldProvinceSpec("H12", "Cà Mau", False, "H12"),
    OldProvinceSpec("H13", "Cần Thơ", True, "H13"),
    OldProvinceSpec("H14", "Cao Bằng", False, "H14"),
    OldProvinceSpec("H15", "Đắk Lắk", False, "H15"),
    OldProvinceSpec("H16", "Đắk Nông", False, "H36"),
    OldProvinceSpec("H17", "Đà Nẵng", True, "H17"),
    OldProvinceSpec("H18", "Điện Biên", False, "H18"),
    OldProvinceSpec("H19", "Đồng Nai", False, "H19"),
    OldProvinceSpec("H20", "Đồng Tháp", False, "H20"),
    OldProvinceSpec("H21", "Gia Lai", False, "H21"),
    OldProvinceSpec("H22", "Hà Giang", False, "H60"),
    OldProvinceSpec("H23", "Hà Nam", False, "H42"),
    OldProvinceSpec("H24", "Hải Phòng", True, "H24"),
    OldProvinceSpec("H25", "Hải Dương", False, "H24"),
    OldProvinceSpec("H26", "Hà Nội", True, "H26"),
    OldProvinceSpec("H27", "Hà Tĩnh", False, "H27"),
    OldProvinceSpec("H28", "Hậu Giang", False, "H13"),
    OldProvinceSpec("H29", "Hồ Chí Minh", True, "H29"),
    OldProvinceSpec("H30", "Hòa Bình", False, "H44"),
    OldProvinceSpec("H31", "Hưng Yên", False, "H31"),
    OldProvinceSpec("H32", "Khánh Hòa", False, "H32"),
    OldProvinceSpec("H33", "Kiên Giang", False, "H01"),
    OldProvinceSpec("H34", "Kon Tum", False, "H48"),
    OldProvinceSpec("H35", "Lai Châu", False, "H35"),
    OldProvinceSpec("H36", "Lâm Đồng", False, "H36"),
    OldProvinceSpec("H37", "Lạng Sơn", False, "H37"),
    OldProvinceSpec("H38", "Lào Cai", False, "H38"),
    OldProvinceSpec("H39", "Long An", False, "H53"),
    OldProvinceSpec("H40", "Nam Định", False, "H42"),
    OldProvinceSpec("H41", "Nghệ An", False, "H41"),
    OldProvinceSpec("H42", "Ninh Bình", False, "H42"),
    OldProvinceSpec("H43", "Ninh Thuận", False, "H32"),
    OldProvinceSpec("H44", "Phú Thọ", False, "H44"),
    OldProvinceSpec("H45", "Phú Yên", False, "H15"),
    OldProvinceSpec("H46", "Quảng Bình", False, "H50"),
    OldProvinceSpec("H47", "Quảng Nam", False, "H17"),
    OldProvinceSpec("H48", "Quảng Ngãi", False, "H48"),
    OldProvinceSpec("H49", "Quảng Ninh", False, "H49"),
    OldProvinceSpec("H50", "Quảng Trị", False, "H50"),
    OldProvinceSpec("H51", "Sóc Trăng", False, "H13"),
    OldProvinceSpec("H52", "Sơn La", False, "H52"),
    OldProvinceSpec("H53", "Tây Ninh", False, "H53"),
    OldProvinceSpec("H54", "Thái Bình", False, "H31"),
    OldProvinceSpec("H55", "Thái Nguyên", False, "H55"),
    OldProvinceSpec("H56", "Thanh Hóa", False, "H56"),
    OldProvinceSpec("H57", "Thừa Thiên Huế", False, "H57"),
    OldProvinceSpec("H58", "Tiền Giang", False, "H20"),
    OldProvinceSpec("H59", "Trà Vinh", False, "H61"),
    OldProvinceSpec("H60", "Tuyên Quang", False, "H60"),
    OldProvinceSpec("H61", "Vĩnh Long", False, "H61"),
    OldProvinceSpec("H62", "Vĩnh Phúc", False, "H44"),
    OldProvinceSpec("H63", "Yên Bái", False, "H38"),
)
OLD_TO_NEW: dict[str, str] = {spec.code: spec.new_code for spec in OLD_PROVINCES}
"""Lineage of the 2025 merger (DOMAIN.md §6): old province code → new province code."""


class LegacyDepartmentSpec(NamedTuple):
    """A pre-merger provincial department: code suffix, name, prevalence.

    Suffixes shared with the post-merger departments of :mod:`fake_portal.reference`
    name the same body.
    """

    suffix: str
    name: str
    share: float
    """Share of provinces that have this department."""


DEPARTMENTS: tuple[LegacyDepartmentSpec, ...] = (
    LegacyDepartmentSpec("01", "Văn phòng UBND", 1.0),
    LegacyDepartmentSpec("03", "Ban quản lý các khu công nghiệp", 0.8),
    LegacyDepartmentSpec("07", "Sở Công Thương", 1.0),
    LegacyDepartmentSpec("08", "Sở Giáo dục và Đào tạo", 1.0),
    LegacyDepartmentSpec("09", "Sở Kế hoạch và Đầu tư", 1.0),
    LegacyDepartmentSpec("10", "Sở Lao động - Thương binh và Xã hội", 1.0),
    LegacyDepartmentSpec("11", "Sở Tài nguyên và Môi trường", 1.0),
    LegacyDepartmentSpec("12", "Sở Nông nghiệp và Phát triển nông thôn", 1.0),
    LegacyDepartmentSpec("13", "Sở Ngoại vụ", 0.4),
    LegacyDepartmentSpec("14", "Sở Giao thông vận tải", 1.0),
    LegacyDepartmentSpec("15", "Sở Thông tin và Truyền thông", 1.0),
    LegacyDepartmentSpec("16", "Ban Dân tộc", 0.6),
    LegacyDepartmentSpec("19", "Sở Tư pháp", 1.0),
    LegacyDepartmentSpec("20", "Sở Văn hóa, Thể thao và Du lịch", 1.0),
    LegacyDepartmentSpec("22", "Sở Y tế", 1.0),
    LegacyDepartmentSpec("23", "Thanh tra", 1.0),
    LegacyDepartmentSpec("41", "Sở Khoa học và Công nghệ", 1.0),
    LegacyDepartmentSpec("42", "Sở Nội vụ", 1.0),
    LegacyDepartmentSpec("43", "Sở Tài chính", 1.0),
    LegacyDepartmentSpec("44", "Sở Xây dựng", 1.0),
    LegacyDepartmentSpec("48", "Ban Quản lý Khu kinh tế", 0.3),
)
TITLED_SUFFIXES = ("01", "23")
"""Departments named after their province (``Văn phòng UBND tỉnh X``, ``Thanh tra …``)."""
NO_FEES = "23"
"""The inspectorate: no fee-bearing procedures, so no TTTT score (an empty string)."""

NO_OFFSETS = GroupValues(0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
"""A unit placed exactly at its province's level."""
SPREAD: dict[str, float] = {"department": 0.07, "district": 0.09, "commune": 0.13}
"""How far a unit's per-group offsets spread around its province, by kind."""


def legacy_id(code: str, *, province: bool = False) -> str:
    """The numeric ``ID`` of the unit with agency code ``code`` (stable across eras)."""
    digits = int(hashlib.sha256(f"dvc766-legacy:{code}".encode()).hexdigest()[:15], 16)
    if province:
        return str(100_000 + digits % 900_000)
    return str(1_000_000 + digits % 9_000_000_000)


@dataclass(frozen=True)
class LegacyUnit:
    """A unit as the legacy API lists it."""

    id: str
    code: str
    short_name: str
    """``TEN``."""
    agency_name: str
    """``TEN_COQUAN``."""
    kind: str
    """province | department | district | commune."""
    offsets: GroupValues = NO_OFFSETS
    blank: frozenset[str] = frozenset()
    """Groups without a score for this unit."""


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
    group_offsets: GroupValues
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
        agency = f"UBND {_lower_first(self.title(day))}"
        return LegacyUnit(self.id, self.code, self.display(day), agency, "province")


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def place_name(rng: random.Random, seen: set[str]) -> str:
    """A generated place name not in ``seen`` (then added to it)."""
    while True:
        a, b = rng.sample(SYLLABLES, 2)
        if rng.random() < 0.08:
            a = rng.choice(FIRST_ONLY)
        name = f"{a} {b}"
        if rng.random() < 0.05:
            name = f"{name} {rng.choice(DIRECTIONS)}"
        if name not in seen:
            seen.add(name)
            return name


def build_units(prov: OldProvince, seed: int) -> dict[str, tuple[LegacyUnit, ...]]:
    """A pre-merger province's departments, districts and communes, by kind."""
    rng = random.Random(f"{seed}:legacy:{prov.code}:layout")
    lower_title = _lower_first(prov.title(date(2024, 1, 1)))

    def offsets(kind: str) -> GroupValues:
        return GroupValues._make(rng.gauss(0.0, SPREAD[kind]) for _ in GROUPS)

    departments = []
    for dept in DEPARTMENTS:
        if dept.share < 1.0 and rng.random() >= dept.share:
            continue
        titled = dept.suffix in TITLED_SUFFIXES
        short = f"{dept.name} {lower_title}" if titled else dept.name
        code = f"{prov.code}.{dept.suffix}"
        blank = frozenset({"TTTT"}) if dept.suffix == NO_FEES else frozenset()
        departments.append(
            LegacyUnit(
                legacy_id(code),
                code,
                nfc(short),
                nfc(short if titled else f"{dept.name} {lower_title}"),
                "department",
                offsets("department"),
                blank,
            )
        )
    seen: set[str] = set()
    n_districts = rng.randint(12, 24) if prov.is_city else rng.randint(7, 14)
    districts, communes = [], []
    for j in range(1, n_districts + 1):
        place = place_name(rng, seen)
        if prov.is_city:
            kind = "Quận" if j <= n_districts * 0.6 else "Huyện"
        else:
            kind = "Thành phố" if j == 1 else "Thị xã" if rng.random() < 0.12 else "Huyện"
        dcode = f"{prov.code}.9{j:02d}"
        districts.append(
            LegacyUnit(
                legacy_id(dcode),
                dcode,
                nfc(f"{kind} {place}"),
                nfc(f"UBND {kind.lower()} {place}"),
                "district",
                offsets("district"),
            )
        )
        urban = kind in ("Quận", "Thành phố", "Thị xã")
        for k in range(1, rng.randint(7, 20) + 1):
            cplace = place_name(rng, seen)
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
                    nfc(f"{ckind} {cplace}"),
                    nfc(f"UBND {ckind.lower()} {cplace}"),
                    "commune",
                    offsets("commune"),
                )
            )
    return {
        "department": tuple(departments),
        "district": tuple(districts),
        "commune": tuple(communes),
    }
