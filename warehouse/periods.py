"""Reporting periods of the index: months, quarters, half-years and (year-to-date) years.

A period is identified by its type and its first day. Labels follow the CLI:
``2026-08`` (month), ``2026-Q3`` (quarter), ``2023-H1`` (half-year: the legacy API
only), ``2026`` (year). ``Period.parse`` also reads the forms people write in letters:
``10/2026``, ``tháng 10/2026``, ``Q3/2026``, ``quý 3/2026``, ``quý III/2026``,
``H1/2023``, ``năm 2026`` (case, diacritics and spaces do not matter).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

PeriodType = Literal["month", "quarter", "half", "year"]

# Matched against the label folded (lower case, no diacritics, single spaces): "tháng" is
# "thang", "quý" is "quy", "năm" is "nam". A year always has four digits, and a month
# written year first has two ("2026-1" and "2026/10" are refused as likely typos).
_SEP = r"\s*[/-]\s*"
_MONTH = re.compile(r"^(?P<year>\d{4})-(?P<month>\d{2})$")
_MONTH_FIRST = re.compile(
    rf"^(?:thang\s*)?(?P<month>\d{{1,2}})(?:{_SEP}|\s+nam\s+)(?P<year>\d{{4}})$"
)
_QUARTER = re.compile(r"^(?P<year>\d{4})\s*-\s*q\s*(?P<number>[1-4])$")
_QUARTER_FIRST = re.compile(
    rf"^(?:q|quy)\s*(?P<number>[1-4]|i{{1,3}}|iv)(?:{_SEP}|\s+nam\s+|\s+)(?P<year>\d{{4}})$"
)
_HALF = re.compile(r"^(?P<year>\d{4})\s*-\s*h\s*(?P<number>[12])$")
_HALF_FIRST = re.compile(rf"^h\s*(?P<number>[12]){_SEP}(?P<year>\d{{4}})$")
_YEAR = re.compile(r"^(?:nam\s*)?(?P<year>\d{4})$")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}
FORMS = "YYYY-MM or MM/YYYY, YYYY-Qn or Qn/YYYY, YYYY-Hn or Hn/YYYY, or YYYY"
"""The accepted forms, for messages (``Period.parse`` also reads them in Vietnamese)."""


@dataclass(frozen=True, order=True)
class Period:
    """A reporting period: its type and first day."""

    period_type: PeriodType
    start: date

    @classmethod
    def parse(cls, label: str) -> Period:
        """Parse a period label: ``2026-08``, ``2026-Q3``, ``2023-H1``, ``2026``, or the
        forms of letters (``10/2026``, ``tháng 10/2026``, ``Q3/2026``, ``quý 3/2026``,
        ``quý III/2026``, ``H1/2023``, ``năm 2026``). Raises ``ValueError`` otherwise."""
        text = _fold(label)
        try:
            if m := _MONTH.match(text) or _MONTH_FIRST.match(text):
                month = int(m["month"])
                if not 1 <= month <= 12:
                    raise ValueError(f"invalid month in period {label!r}")
                return cls("month", date(int(m["year"]), month, 1))
            if m := _QUARTER.match(text) or _QUARTER_FIRST.match(text):
                number = _ROMAN.get(m["number"]) or int(m["number"])
                return cls("quarter", date(int(m["year"]), 3 * number - 2, 1))
            if m := _HALF.match(text) or _HALF_FIRST.match(text):
                return cls("half", date(int(m["year"]), 6 * int(m["number"]) - 5, 1))
            if m := _YEAR.match(text):
                return cls("year", date(int(m["year"]), 1, 1))
        except ValueError as exc:  # a year out of range (0000)
            if "period" in str(exc):
                raise
            raise ValueError(f"invalid period {label!r}: {exc}") from exc
        raise ValueError(f"invalid period {label!r}: expected {FORMS} (e.g. 2026-08)")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        """The month period ``year-month``."""
        return cls("month", date(year, month, 1))

    @classmethod
    def quarter_of(cls, day: date) -> Period:
        """The quarter containing ``day``."""
        return cls("quarter", date(day.year, 3 * ((day.month - 1) // 3) + 1, 1))

    @classmethod
    def half_of(cls, day: date) -> Period:
        """The half-year containing ``day``."""
        return cls("half", date(day.year, 1 if day.month <= 6 else 7, 1))

    @classmethod
    def year_of(cls, day: date) -> Period:
        """The year containing ``day``."""
        return cls("year", date(day.year, 1, 1))

    @property
    def year(self) -> int:
        """Calendar year of the period."""
        return self.start.year

    @property
    def quarter(self) -> int:
        """Quarter number (1-4) of the period's first month."""
        return (self.start.month - 1) // 3 + 1

    @property
    def half(self) -> int:
        """Half-year number (1-2) of the period's first month."""
        return 1 if self.start.month <= 6 else 2

    @property
    def end(self) -> date:
        """Last day of the period (inclusive)."""
        if self.period_type == "month":
            last_month = self.start.month
        elif self.period_type == "quarter":
            last_month = self.start.month + 2
        elif self.period_type == "half":
            last_month = self.start.month + 5
        else:
            last_month = 12
        return date(
            self.start.year, last_month, calendar.monthrange(self.start.year, last_month)[1]
        )

    @property
    def label(self) -> str:
        """Human label: ``2026-08``, ``2026-Q3``, ``2023-H1`` or ``2026``."""
        if self.period_type == "month":
            return f"{self.start.year}-{self.start.month:02d}"
        if self.period_type == "quarter":
            return f"{self.start.year}-Q{self.quarter}"
        if self.period_type == "half":
            return f"{self.start.year}-H{self.half}"
        return str(self.start.year)

    def previous(self) -> Period:
        """The previous period of the same type."""
        y, m = self.start.year, self.start.month
        if self.period_type == "month":
            return Period.month(y - 1, 12) if m == 1 else Period.month(y, m - 1)
        if self.period_type == "quarter":
            return Period("quarter", date(y - 1, 10, 1) if m == 1 else date(y, m - 3, 1))
        if self.period_type == "half":
            return Period("half", date(y - 1, 7, 1) if m == 1 else date(y, 1, 1))
        return Period("year", date(y - 1, 1, 1))

    def next(self) -> Period:
        """The next period of the same type."""
        following = self.end.toordinal() + 1
        day = date.fromordinal(following)
        if self.period_type == "month":
            return Period("month", day)
        if self.period_type == "quarter":
            return Period.quarter_of(day)
        if self.period_type == "half":
            return Period.half_of(day)
        return Period.year_of(day)

    def is_open(self, today: date) -> bool:
        """Whether the period has not ended yet on ``today``."""
        return self.start <= today <= self.end

    def contains(self, day: date) -> bool:
        """Whether ``day`` falls in the period."""
        return self.start <= day <= self.end

    def time_fields(self) -> dict[str, int | str]:
        """The current API's ``timeType``/``year``/``month``/``quarter`` request fields.

        The current API has no half-years: asking for them raises ``ValueError``.
        """
        if self.period_type == "half":
            raise ValueError(
                f"{self.label}: the current API has no half-year periods (the legacy API has)"
            )
        fields: dict[str, int | str] = {"timeType": self.period_type, "year": self.year}
        if self.period_type == "month":
            fields["month"] = self.start.month
        elif self.period_type == "quarter":
            fields["quarter"] = self.quarter
        return fields

    def date_range_fields(self) -> dict[str, str]:
        """The ``fromDate``/``toDate`` fields taken by the satisfaction endpoint."""
        return {"fromDate": self.start.isoformat(), "toDate": self.end.isoformat()}

    def __str__(self) -> str:
        return self.label


def _fold(text: str) -> str:
    """``text`` lower case, without diacritics (đ → d), white space collapsed."""
    # warehouse.vietnamese.fold, imported here: warehouse.vietnamese imports
    # warehouse.records, which imports this module.
    from warehouse.vietnamese import fold

    return fold(text)


def periods_for_month(month_start: date, today: date, *, with_half: bool = False) -> list[Period]:
    """Periods captured by the monthly partition starting on ``month_start``.

    The month itself always; its quarter when the month closes the quarter or is the
    open month; with ``with_half`` (the legacy API), its half-year likewise; its year
    (year-to-date) when the month is December or the open month.
    """
    month = Period("month", month_start)
    periods = [month]
    is_open = month.is_open(today)
    if is_open or month_start.month % 3 == 0:
        periods.append(Period.quarter_of(month_start))
    if with_half and (is_open or month_start.month % 6 == 0):
        periods.append(Period.half_of(month_start))
    if is_open or month_start.month == 12:
        periods.append(Period.year_of(month_start))
    return periods


_QUARTER_NUMERALS = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_label(period_type: str, start: date) -> str:
    """A period as the letters write it: ``tháng 11/2023``, ``quý IV/2023``, ``6 tháng đầu
    năm 2023``, ``năm 2023``."""
    if period_type == "month":
        return f"tháng {start.month}/{start.year}"
    if period_type == "quarter":
        return f"quý {_QUARTER_NUMERALS[(start.month - 1) // 3 + 1]}/{start.year}"
    if period_type == "half":
        return f"6 tháng {'đầu' if start.month == 1 else 'cuối'} năm {start.year}"
    return f"năm {start.year}"
