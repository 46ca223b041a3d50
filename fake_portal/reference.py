"""The generated reference lists of the current (post-merger) portal.

The 34 provinces as the portal lists them, each with ~15 provincial departments and
60-135 communes (special zones among them), with stable ids and names built from a seed.
Each unit also gets its generation profile (size, per-group offsets…) that
:mod:`fake_portal.simulation` turns into monthly counts. Everything is a pure function of
the seed: the same seed gives the same units in the same order.
"""

from __future__ import annotations

import math
import random
import unicodedata
import uuid
from dataclasses import dataclass, field
from typing import NamedTuple

from fake_portal.scoring import GROUPS, GroupValues

_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://dvc766.invalid/fake-portal/units")


class ProvinceSpec(NamedTuple):
    """A post-merger province: agency code, name as the portal lists it, city status."""

    code: str
    name: str
    is_city: bool
    """A centrally-run city (thành phố trực thuộc trung ương)."""


PROVINCES: tuple[ProvinceSpec, ...] = (
    ProvinceSpec("H01", "UBND tỉnh An Giang", False),
    ProvinceSpec("H05", "UBND thành phố Bắc Ninh", False),
    ProvinceSpec("H12", "UBND tỉnh Cà Mau", False),
    ProvinceSpec("H13", "UBND Thành phố Cần Thơ", True),
    ProvinceSpec("H14", "UBND tỉnh Cao Bằng", False),
    ProvinceSpec("H15", "UBND tỉnh Đắk Lắk", False),
    ProvinceSpec("H17", "UBND Thành phố Đà Nẵng", True),
    ProvinceSpec("H18", "UBND tỉnh Điện Biên", False),
    ProvinceSpec("H19", "UBND Thành phố Đồng Nai", False),
    ProvinceSpec("H20", "UBND tỉnh Đồng Tháp", False),
    ProvinceSpec("H21", "UBND tỉnh Gia Lai", False),
    ProvinceSpec("H24", "UBND Thành phố Hải Phòng", True),
    ProvinceSpec("H26", "UBND Thành phố Hà Nội", True),
    ProvinceSpec("H27", "UBND tỉnh Hà Tĩnh", False),
    ProvinceSpec("H29", "UBND Thành phố Hồ Chí Minh", True),
    ProvinceSpec("H31", "UBND tỉnh Hưng Yên", False),
    ProvinceSpec("H32", "UBND tỉnh Khánh Hòa", False),
    ProvinceSpec("H35", "UBND tỉnh Lai Châu", False),
    ProvinceSpec("H36", "UBND tỉnh Lâm Đồng", False),
    ProvinceSpec("H37", "UBND tỉnh Lạng Sơn", False),
    ProvinceSpec("H38", "UBND tỉnh Lào Cai", False),
    ProvinceSpec("H41", "UBND tỉnh Nghệ An", False),
    ProvinceSpec("H42", "UBND tỉnh Ninh Bình", False),
    ProvinceSpec("H44", "UBND tỉnh Phú Thọ", False),
    ProvinceSpec("H48", "UBND tỉnh Quảng Ngãi", False),
    ProvinceSpec("H49", "UBND thành phố Quảng Ninh", False),
    ProvinceSpec("H50", "UBND tỉnh Quảng Trị", False),
    ProvinceSpec("H52", "UBND tỉnh Sơn La", False),
    ProvinceSpec("H53", "UBND tỉnh Tây Ninh", False),
    ProvinceSpec("H55", "UBND tỉnh Thái Nguyên", False),
    ProvinceSpec("H56", "UBND tỉnh Thanh Hóa", False),
    ProvinceSpec("H57", "UBND Thành phố Huế", True),
    ProvinceSpec("H60", "UBND tỉnh Tuyên Quang", False),
    ProvinceSpec("H61", "UBND tỉnh Vĩnh Long", False),
)

SPECIAL_ZONES: dict[str, tuple[str, ...]] = {
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
"""Special zones (đặc khu) created in 2025, by province code."""

SCALE_BY_PROVINCE: dict[str, float] = {"H26": 2.5, "H29": 2.8}
"""Size of Hà Nội and Hồ Chí Minh City against a medium province (others are drawn)."""


class DossierRange(NamedTuple):
    """Monthly dossiers (low, high) of a department in a medium province."""

    low: float
    high: float


class DepartmentSpec(NamedTuple):
    """A provincial department: code suffix, name template, size, prevalence.

    ``name`` may hold ``{p}`` ("Tỉnh"/"Thành phố") or ``{p_lower}``.
    """

    suffix: str
    name: str
    monthly_dossiers: DossierRange
    share: float
    """Share of provinces that have this department."""


DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec("01", "Văn phòng UBND {p}", DossierRange(20, 80), 1.0),
    DepartmentSpec("03", "Ban quản lý các khu công nghiệp", DossierRange(100, 400), 0.8),
    DepartmentSpec("07", "Sở Công Thương", DossierRange(200, 800), 1.0),
    DepartmentSpec("08", "Sở Giáo dục và Đào tạo", DossierRange(50, 300), 1.0),
    DepartmentSpec("13", "Sở Ngoại vụ", DossierRange(5, 30), 0.4),
    DepartmentSpec("19", "Sở Tư pháp", DossierRange(1000, 4000), 1.0),
    DepartmentSpec("20", "Sở Văn hóa, Thể thao và Du lịch", DossierRange(20, 100), 1.0),
    DepartmentSpec("22", "Sở Y tế", DossierRange(200, 900), 1.0),
    DepartmentSpec("23", "Thanh tra {p_lower}", DossierRange(0, 1), 1.0),
    DepartmentSpec("41", "Sở Khoa học và Công nghệ", DossierRange(10, 60), 1.0),
    DepartmentSpec("42", "Sở Nội vụ", DossierRange(50, 300), 1.0),
    DepartmentSpec("43", "Sở Tài chính", DossierRange(300, 1500), 1.0),
    DepartmentSpec("44", "Sở Xây dựng", DossierRange(500, 3000), 1.0),
    DepartmentSpec("45", "Sở Nông nghiệp và Môi trường", DossierRange(2000, 9000), 1.0),
    DepartmentSpec("46", "Sở Dân tộc và Tôn giáo", DossierRange(1, 10), 1.0),
    DepartmentSpec("48", "Ban Quản lý Khu kinh tế", DossierRange(20, 150), 0.3),
)

# fmt: off
SYLLABLES: tuple[str, ...] = (
    "An", "Bình", "Cẩm", "Châu", "Cường", "Đại", "Đông", "Đức", "Giang", "Hà", "Hải", "Hòa",
    "Hồng", "Hưng", "Hương", "Khánh", "Kim", "Lạc", "Lâm", "Lộc", "Lợi", "Long", "Lương",
    "Minh", "Mỹ", "Nam", "Nghĩa", "Ngọc", "Nhân", "Phong", "Phú", "Phúc", "Phước", "Quang",
    "Quảng", "Sơn", "Tân", "Thạnh", "Thành", "Thanh", "Thắng", "Thịnh", "Thọ", "Thuận", "Thủy",
    "Tiến", "Trung", "Trường", "Tường", "Vân", "Văn", "Việt", "Vĩnh", "Xuân", "Yên", "Đồng",
    "Cát", "Bảo", "Chí", "Hiệp", "Liên",
)
"""Syllables that generated place names are made of."""
# fmt: on
FIRST_ONLY: tuple[str, ...] = ("Mường", "Nậm", "Tà", "Ea", "Đắk", "Na", "Bản")
"""Syllables that only start a place name (upland names)."""
DIRECTIONS: tuple[str, ...] = ("Bắc", "Nam", "Đông", "Tây", "Thượng", "Trung")
"""Words that may end a place name (``Hòa Bắc``)."""


def nfc(text: str) -> str:
    """``text`` in Unicode NFC, as the portal sends names."""
    return unicodedata.normalize("NFC", text)


def unit_id(code: str) -> str:
    """The ``departmentId`` (a UUID) of the unit with agency code ``code``."""
    return str(uuid.uuid5(_NAMESPACE, code))


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
class UnitProfile:
    """Static, per-unit generation parameters (never exposed by the portal)."""

    size: float
    """Dossiers received in an average month."""
    offsets: GroupValues
    """How the unit sits against its province in each group."""
    petitions: float
    """Petitions (PAKN) in an average month."""
    formalities: int
    """Procedures that could use the citizen database (CITIZEN_DATA_CONNECTED_FORMALITY)."""
    fee_formalities: int
    """Fee-bearing procedures (TTTT)."""


@dataclass(frozen=True)
class Province:
    """A province root with its children (sorted by code, as the portal lists them)."""

    index: int
    root: Unit
    short_name: str
    children: tuple[Unit, ...]
    quality: float
    group_offsets: GroupValues
    temp_sync: bool
    """Whether its DOSSIER_SYNC denominator is the temporary one (from 7/2025)."""
    profiles: tuple[UnitProfile, ...] = field(repr=False)
    """The children's profiles, in the order of ``children``."""

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


def commune_names(rng: random.Random, count: int, code: str, is_city: bool) -> list[str]:
    """Generate ``count`` distinct commune names (with their UBND prefix)."""
    zones = list(SPECIAL_ZONES.get(code, ()))
    ward_share = 0.5 if is_city else 0.12
    seen: set[str] = set()
    names: list[str] = []
    for zone in zones[:count]:
        seen.add(zone)
        names.append(f"UBND đặc khu {zone}")
    while len(names) < count:
        a, b = rng.sample(SYLLABLES, 2)
        if rng.random() < 0.08:
            a = rng.choice(FIRST_ONLY)
        base = f"{a} {b}"
        if rng.random() < 0.06:
            base = f"{base} {rng.choice(DIRECTIONS)}"
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


def build_province(index: int, spec: ProvinceSpec, seed: int) -> Province:
    """The province ``spec`` with its departments and communes (quality left at 0)."""
    code, is_city = spec.code, spec.is_city
    rng = random.Random(f"{seed}:{code}:layout")
    name = nfc(spec.name)
    short = name.removeprefix("UBND ")
    short = short[:1].upper() + short[1:]
    p_word = "Thành phố" if short.startswith("Thành phố") else "Tỉnh"
    scale = SCALE_BY_PROVINCE.get(code, rng.uniform(1.2, 1.8) if is_city else 1.0)
    scale *= rng.uniform(0.7, 1.3)
    dept_suffix_mode = rng.random()  # < 0.7: all suffixed; else mixed

    children: list[Unit] = []
    profiles: list[UnitProfile] = []

    def profile(
        size: float, spread: float, petitions: float, formalities: int, fees: int
    ) -> UnitProfile:
        offsets = GroupValues._make(rng.gauss(0.0, spread) for _ in GROUPS)
        return UnitProfile(size, offsets, petitions, formalities, fees)

    for dept in DEPARTMENTS:
        if dept.share < 1.0 and rng.random() >= dept.share:
            continue
        dname = dept.name.format(p=p_word, p_lower=p_word.lower())
        if dept_suffix_mode < 0.7 or rng.random() < 0.5:
            dname = f"{dname} - {short}"
        low, high = dept.monthly_dossiers
        size = rng.uniform(low, high) * scale
        if high <= 1:  # the inspectorate: mostly no dossiers at all, as on the portal
            size = 0.0 if rng.random() < 0.8 else 0.3
        dcode = f"{code}.{dept.suffix}"
        children.append(
            Unit(unit_id(dcode), dcode, nfc(dname), "PROVINCIAL_DEPARTMENT", "PROVINCE")
        )
        profiles.append(profile(size, 0.07, size / 1500.0, rng.randint(1, 40), rng.randint(1, 40)))

    n_communes = rng.randint(60, 135)
    for k, cname in enumerate(commune_names(rng, n_communes, code, is_city)):
        if rng.random() < 0.1:
            cname = f"{cname} - {short if rng.random() < 0.85 else short.lower()}"
        ward = "phường" in cname.lower()
        size = rng.uniform(800, 3000) if ward else rng.uniform(200, 1200)
        size *= scale if ward else math.sqrt(scale)
        ccode = f"{code}.{100 + k}"
        children.append(
            Unit(unit_id(ccode), ccode, nfc(cname), "COMMUNE_PEOPLE_COMMITTEE", "COMMUNE")
        )
        profiles.append(profile(size, 0.13, size / 700.0, rng.randint(3, 15), rng.randint(5, 25)))

    order = sorted(range(len(children)), key=lambda j: children[j].code)
    root = Unit(unit_id(code), code, name, "PROVINCE", "PROVINCE")
    group_offsets = GroupValues._make(rng.gauss(0.0, 0.05) for _ in GROUPS)
    return Province(
        index=index,
        root=root,
        short_name=short,
        children=tuple(children[j] for j in order),
        quality=0.0,  # set by the dataset (spread over provinces)
        group_offsets=group_offsets,
        temp_sync=rng.random() < 0.6,
        profiles=tuple(profiles[j] for j in order),
    )
