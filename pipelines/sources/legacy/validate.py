"""Validation of legacy replies: a JSON array of rows whose values are strings.

A reply that fails raises ``InvalidReply`` (the same as the current API's) with a reason
fit for an operator; the capture layer keeps its bytes and quarantines it.
"""

from __future__ import annotations

import math
from typing import Any

from pipelines.sources.decode import decode_json
from pipelines.sources.legacy.endpoints import (
    GROUP_COLUMNS,
    LEVEL_BY_LOAI_COQUAN,
    PAGE_SIZE,
    TREND_PAGE_SIZE,
    LegacyEndpoint,
)
from warehouse.records import InvalidReply

RANKING_FIELDS: tuple[str, ...] = ("ID", "MA_COQUAN", "LOAI_COQUAN", *GROUP_COLUMNS, "TONG_SCORE")
"""Fields every ranking row must carry (``TEN``/``TEN_COQUAN``: at least one)."""


def decode_rows(content: bytes, page_size: int = PAGE_SIZE) -> list[dict[str, Any]]:
    """Decode a reply into its rows; raise ``InvalidReply`` unless it is a JSON array of
    objects with at least one row and fewer rows than the page holds."""
    document = decode_json(content)
    if isinstance(document, dict):
        keys = ", ".join(sorted(map(str, document))[:8])
        raise InvalidReply("reply is not a JSON array of rows", f"an object with keys {keys}")
    if not isinstance(document, list):
        raise InvalidReply("reply is not a JSON array of rows", type(document).__name__)
    if not document:
        raise InvalidReply(
            "reply lists no rows", "an empty array: no data for this period or this unit"
        )
    if len(document) >= page_size:
        raise InvalidReply(
            "reply fills the whole page: rows may be missing",
            f"{len(document)} rows for pageSize {page_size}",
        )
    for index, row in enumerate(document):
        if not isinstance(row, dict):
            raise InvalidReply("row is not an object", f"row[{index}]: {type(row).__name__}")
    return document


def text(value: Any) -> str | None:
    """A string field as text: stripped, ``None`` when empty or null."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ValueError(value)
    out = str(value).strip()
    return out or None


def number(row: dict[str, Any], key: str, where: str) -> float | None:
    """A numeric field given as a string: ``""``/null → ``None`` (never 0); a decimal comma
    is read as a decimal point; anything else that is not a number is invalid."""
    if key not in row:
        raise InvalidReply(f"field {key!r} missing", where)
    value = row[key]
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise InvalidReply(f"field {key!r} is not a number", f"{where}: {value!r}")
    if isinstance(value, str):
        raw = value.strip()
        if not raw:
            return None
        if "," in raw and "." not in raw and raw.count(",") == 1:
            raw = raw.replace(",", ".")
        try:
            result = float(raw)
        except ValueError:
            raise InvalidReply(f"field {key!r} is not a number", f"{where}: {value!r}") from None
    else:
        result = float(value)
    if not math.isfinite(result):
        raise InvalidReply(f"field {key!r} is not a number", f"{where}: {value!r}")
    return result


def integer(row: dict[str, Any], key: str, where: str) -> int | None:
    """An integer field given as a string (``""``/null/absent → ``None``)."""
    value = number(row, key, where) if key in row else None
    if value is None:
        return None
    if value != int(value):
        raise InvalidReply(f"field {key!r} is not an integer", f"{where}: {row[key]!r}")
    return int(value)


def row_unit(row: dict[str, Any], where: str) -> str:
    """The legacy id of a row's unit: ``ID_COQUAN``, else ``ID``."""
    try:
        agency, own = text(row.get("ID_COQUAN")), text(row.get("ID"))
    except ValueError as exc:
        raise InvalidReply("unit id is not a string", f"{where}: {exc.args[0]!r}") from None
    unit = agency or own
    if unit is None:
        raise InvalidReply("row without ID", where)
    return unit


def validate_ranking_rows(endpoint: LegacyEndpoint, rows: list[dict[str, Any]]) -> None:
    """Check the rows of a ``report_tinh_766_service`` reply for ``endpoint``'s level."""
    seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        where = f"row[{index}]"
        for key in RANKING_FIELDS:
            if key not in row:
                raise InvalidReply(f"field {key!r} missing", where)
        unit = row_unit(row, where)
        where = f"{where} ID={unit}"
        try:
            name = text(row.get("TEN_COQUAN")) or text(row.get("TEN"))
            code = text(row.get("MA_COQUAN"))
            loai = text(row.get("LOAI_COQUAN"))
        except ValueError as exc:
            raise InvalidReply("field is not a string", f"{where}: {exc.args[0]!r}") from None
        if name is None:
            raise InvalidReply("row without TEN/TEN_COQUAN", where)
        if code is None:
            raise InvalidReply("row without MA_COQUAN", where)
        level = LEVEL_BY_LOAI_COQUAN.get(loai or "")
        if loai is not None and level is None:
            raise InvalidReply("unknown LOAI_COQUAN", f"{where}: {loai!r}")
        if level is not None and level != endpoint.level:
            raise InvalidReply(
                "row of another unit type", f"{where}: asked {endpoint.level}, got {level}"
            )
        for key in (*GROUP_COLUMNS, "TONG_SCORE"):
            number(row, key, where)
        rank = integer(row, "ROW_STT", where)
        if rank is not None and not 1 <= rank <= len(rows):
            raise InvalidReply(
                "ROW_STT is not a position in the reply", f"{where}: {rank} of {len(rows)} rows"
            )
        if unit in seen:
            raise InvalidReply("unit appears more than once", unit)
        seen[unit] = index


def validate_trend_rows(rows: list[dict[str, Any]]) -> dict[int, float | None]:
    """Check the rows of a ``report_xuhuongdiem_service`` reply; return month → score."""
    months: dict[int, float | None] = {}
    for index, row in enumerate(rows):
        where = f"row[{index}]"
        month = integer(row, "MONTH", where)
        if month is None or not 1 <= month <= 12:
            raise InvalidReply("MONTH is not a month (1-12)", f"{where}: {row.get('MONTH')!r}")
        if month in months:
            raise InvalidReply("month appears more than once", f"{where}: {month}")
        months[month] = number(row, "TB_SCORE", where)
    return months


def decode_trend(content: bytes) -> dict[int, float | None]:
    """Decode and check a trend reply; return month → the unit's total (TB_SCORE)."""
    return validate_trend_rows(decode_rows(content, TREND_PAGE_SIZE))
