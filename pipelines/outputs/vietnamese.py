"""Vietnamese presentation of numbers, periods and dates, as the letters write them."""

from __future__ import annotations

from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal


def number(value: float | int | None, decimals: int = 2, *, dash: str = "–") -> str:
    """``1234.5`` → ``1.234,5`` (dot for thousands, comma for decimals); None → a dash."""
    if value is None:
        return dash
    # half away from zero, as DuckDB's round() and the letters round (1,25 → 1,3; Python's
    # own formatting would give 1,2), from the decimal the value is written as
    rounded = Decimal(str(value)).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{rounded:,.{decimals}f}"
    if decimals:
        text = text.rstrip("0").rstrip(".") if "." in text else text
    return text.replace(",", "\u0000").replace(".", ",").replace("\u0000", ".")


def signed(value: float | int | None, decimals: int = 2) -> str:
    """A change with its sign: ``+1,3``, ``-0,5``, ``0``."""
    if value is None:
        return "–"
    sign = "+" if value > 0 else ""
    return sign + number(value, decimals)


def count(value: int) -> str:
    """Counts as the letters write them: two digits (``02``)."""
    return f"{value:02d}"


def cutoff_label(moment: datetime) -> str:
    """``16h00 ngày 23/11/2023`` (in the moment's own time zone)."""
    return (
        f"{moment.hour}h{moment.minute:02d} ngày {moment.day:02d}/{moment.month:02d}/{moment.year}"
    )


NOT_COMPARABLE: dict[str, str] = {
    "no_current_value": "kỳ này chưa đủ số liệu",
    "unit_reorganised": "đơn vị được sắp xếp lại giữa hai kỳ",
    "no_previous_value": "kỳ trước chưa đủ số liệu",
    "methodology_changed": "Bộ chỉ số thay đổi giữa hai kỳ",
    "not_ranked": "một trong hai kỳ chưa xếp hạng",
    "cohort_changed": "các đơn vị được xếp hạng khác nhau giữa hai kỳ",
}
"""Why a change's rank is not compared (``mart.score_changes.not_comparable_reason``), as the
letters, the site and the exports word it."""


def not_comparable_text(reason: str | None) -> str:
    """Why a change's rank is not compared, in Vietnamese (the code itself if it is new)."""
    return NOT_COMPARABLE.get(reason or "", reason or "")
