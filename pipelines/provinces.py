"""Provinces as people name them: an agency code (``H44``), the portal's id, or a name
(``Phú Thọ``, ``phu tho``, ``UBND tỉnh Phú Thọ``, ``TP HCM``).

Names are resolved against the reference list the warehouse carries as data
(``sql/core/reorganisation_2025.sql`` and ``sql/core/reference_units.sql``: the 34
provinces from 1/7/2025 with their codes and portal ids, the 63 before it, and their other
names), read into an in-memory DuckDB so that it is there before any capture, and against
the provinces a warehouse has seen (``core.units``). Comparison is on folded names
(``warehouse.vietnamese.fold``), without the words "UBND", "tỉnh", "thành phố".
Messages are Vietnamese: they are shown to the ``dvc766`` user as they are.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from functools import cache

import duckdb

from warehouse.sql_files import read_sql
from warehouse.vietnamese import fold

FORMS = 'mã (H44), tên ("Phú Thọ", "phu tho", "UBND tỉnh Phú Thọ") hoặc mã định danh trên Cổng'
"""The accepted forms of a province, for messages."""
CODE = re.compile(r"^[A-Za-z]\d{2,3}$")
"""What an agency code of a province looks like (``H44``)."""
_ADMIN_WORDS = re.compile(r"^(?:ubnd|uy ban nhan dan|tinh|thanh pho|tp\.?)(?:\s+|$)")
_REFERENCE_FILES = ("schemas.sql", "core/reorganisation_2025.sql", "core/reference_units.sql")


@dataclass(frozen=True)
class Province:
    """A province as a reference list or a warehouse knows it."""

    unit_id: str
    code: str | None
    name: str
    keys: frozenset[str]
    """Its name and other names, folded (:func:`name_key`)."""
    current: bool
    """Whether it exists from 1/7/2025 (the current API's provinces)."""
    successor: tuple[str, str] | None = None
    """For a province merged on 1/7/2025: the name and code of the one it became."""

    @property
    def label(self) -> str:
        """``H44 Phú Thọ`` (the name alone when the code is not known)."""
        return f"{self.code} {self.name}" if self.code else self.name


class ProvinceNotFound(LookupError):
    """A province argument matches no province; the message says so in Vietnamese."""


def name_key(text: str) -> str:
    """The comparison key of a province's name: folded, without leading "UBND", "tỉnh",
    "thành phố" or "TP" ("UBND Thành phố Hồ Chí Minh" → "ho chi minh")."""
    key = fold(text).replace("–", "-")
    while (stripped := _ADMIN_WORDS.sub("", key, count=1)) != key:
        key = stripped
    return key.strip()


@cache
def reference_provinces() -> tuple[Province, ...]:
    """The provinces of the warehouse's reference list (the SQL files, not a warehouse):
    the 34 from 1/7/2025 and the 63 before, each with its other names."""
    with duckdb.connect(":memory:") as con:
        for name in _REFERENCE_FILES:
            con.execute(read_sql(name))
        rows = con.execute(
            """
            SELECT u.unit_id, u.unit_code, u.unit_name, coalesce(u.aliases, []),
                   u.valid_to IS NULL,
                   any_value([r.new_name, r.new_code])
                       FILTER (r.relation = 'merged' AND r.new_unit_id <> u.unit_id)
            FROM core.reference_units AS u
            LEFT JOIN core.reorganisation_2025 AS r ON r.old_unit_id = u.unit_id
            WHERE u.unit_level = 'province'
            GROUP BY ALL ORDER BY u.unit_id
            """
        ).fetchall()
    return tuple(
        Province(
            unit_id,
            code,
            name,
            frozenset(name_key(n) for n in [name, *aliases]),
            current,
            tuple(successor) if successor else None,
        )
        for unit_id, code, name, aliases, current, successor in rows
    )


def warehouse_provinces(con: duckdb.DuckDBPyConnection) -> list[Province]:
    """The provinces ``core.units`` of the warehouse open on ``con`` holds (none when it
    has no such table). Those of the legacy API (``legacy:`` ids) are not current."""
    try:
        rows = con.execute(
            "SELECT unit_id, unit_code, unit_name FROM core.units WHERE unit_level = 'province'"
        ).fetchall()
    except duckdb.Error:
        return []
    return [
        Province(
            unit_id,
            (code or "").upper() or None,
            name,
            frozenset({name_key(name)}),
            not unit_id.startswith("legacy:"),
        )
        for unit_id, code, name in rows
    ]


def resolve_province(
    token: str, provinces: list[Province] | tuple[Province, ...], *, current_only: bool
) -> Province:
    """The province ``token`` names among ``provinces``: by code, by id, then by name.

    ``current_only`` (the current API) leaves out the provinces that ended on 30/6/2025;
    naming one of them says what it became. A name whose provinces carry no code, or
    several, is refused. Raises ``ProvinceNotFound`` with a Vietnamese message.
    """
    text = token.strip()
    pool = [p for p in provinces if p.current or not current_only]
    upper = text.upper()
    for province in pool:
        if province.code == upper or province.unit_id == text:
            return province
    key = name_key(text)
    named = [p for p in provinces if key and key in p.keys]
    usable = [p for p in named if p.code and (p.current or not current_only)]
    codes = sorted({p.code for p in usable if p.code})
    if len(codes) == 1:
        return max(usable, key=lambda p: p.current)  # the current one, when there is one
    if len(codes) > 1:
        raise ProvinceNotFound(
            f'"{text}" trùng tên nhiều tỉnh ({", ".join(codes)}): dùng mã, ví dụ {codes[0]}'
        )
    ended = next((p for p in named if not p.current), None)
    if ended is not None and current_only and ended.successor:
        name, code = ended.successor
        raise ProvinceNotFound(
            f"tỉnh {ended.name} không còn từ 1/7/2025 (nay thuộc {name}, mã {code}): dùng "
            f"--province {code}, hoặc --source legacy cho các kỳ trước tháng 7/2025"
        )
    if named:
        raise ProvinceNotFound(
            f"chưa biết mã của tỉnh {named[0].name} (kho chưa có lần thu thập nào của tỉnh "
            "này): dùng mã cơ quan của tỉnh trên Cổng (dạng H47)"
        )
    hint = _closest(key, pool)
    maybe = f" Có phải {hint.name} ({hint.code})?" if hint else ""
    raise ProvinceNotFound(f'không có tỉnh "{text}".{maybe} Dạng nhận: {FORMS}')


def _closest(key: str, provinces: list[Province]) -> Province | None:
    """The province whose name is closest to ``key`` (a likely typo), if any is close."""
    by_key = {k: p for p in provinces for k in sorted(p.keys) if p.code}
    found = difflib.get_close_matches(key, list(by_key), n=1, cutoff=0.75)
    return by_key[found[0]] if found else None
