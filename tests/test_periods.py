"""Periods: parsing, request fields and the partition → periods rule."""

from datetime import date

import pytest

from warehouse.periods import Period, periods_for_month


@pytest.mark.parametrize(
    ("label", "ptype", "start", "end"),
    [
        ("2026-08", "month", date(2026, 8, 1), date(2026, 8, 31)),
        ("2024-02", "month", date(2024, 2, 1), date(2024, 2, 29)),
        ("2026-Q3", "quarter", date(2026, 7, 1), date(2026, 9, 30)),
        ("2026", "year", date(2026, 1, 1), date(2026, 12, 31)),
    ],
)
def test_parse_and_bounds(label: str, ptype: str, start: date, end: date) -> None:
    period = Period.parse(label)
    assert (period.period_type, period.start, period.end, period.label) == (
        ptype,
        start,
        end,
        label,
    )


@pytest.mark.parametrize("label", ["2026-13", "26-08", "2026-Q5", "august", ""])
def test_parse_rejects_bad_labels(label: str) -> None:
    with pytest.raises(ValueError, match="period"):
        Period.parse(label)


def test_request_fields_match_the_portal() -> None:
    assert Period.parse("2026-08").time_fields() == {"timeType": "month", "year": 2026, "month": 8}
    assert Period.parse("2026-Q3").time_fields() == {
        "timeType": "quarter",
        "year": 2026,
        "quarter": 3,
    }
    assert Period.parse("2026").time_fields() == {"timeType": "year", "year": 2026}
    assert Period.parse("2026-08").date_range_fields() == {
        "fromDate": "2026-08-01",
        "toDate": "2026-08-31",
    }


def test_previous_period_of_same_type() -> None:
    assert Period.parse("2026-01").previous() == Period.parse("2025-12")
    assert Period.parse("2026-Q1").previous() == Period.parse("2025-Q4")
    assert Period.parse("2026").previous() == Period.parse("2025")


def test_periods_for_month() -> None:
    today = date(2026, 11, 23)
    labels = lambda m: [p.label for p in periods_for_month(m, today)]  # noqa: E731
    assert labels(date(2026, 11, 1)) == ["2026-11", "2026-Q4", "2026"]  # open month
    assert labels(date(2026, 10, 1)) == ["2026-10"]
    assert labels(date(2026, 9, 1)) == ["2026-09", "2026-Q3"]  # closes Q3
    assert labels(date(2025, 12, 1)) == ["2025-12", "2025-Q4", "2025"]  # closes the year


def test_next_period() -> None:
    assert Period.parse("2025-12").next() == Period.parse("2026-01")
    assert Period.parse("2025-Q4").next() == Period.parse("2026-Q1")
    assert Period.parse("2026").next() == Period.parse("2027")


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("10/2026", "2026-10"),
        ("1/2026", "2026-01"),
        ("tháng 10/2026", "2026-10"),
        ("Tháng 10 năm 2026", "2026-10"),
        ("10-2026", "2026-10"),
        ("Q3/2026", "2026-Q3"),
        ("q3-2026", "2026-Q3"),
        ("2026-q3", "2026-Q3"),
        ("quý 3/2026", "2026-Q3"),
        ("Quý III/2026", "2026-Q3"),
        ("quy iv nam 2025", "2025-Q4"),
        ("H2/2023", "2023-H2"),
        ("năm 2026", "2026"),
        (" 2026-08 ", "2026-08"),
        ("tha\u0301ng 10/2026", "2026-10"),  # NFD, as some keyboards type it
    ],
)
def test_parse_reads_the_forms_of_letters(text: str, label: str) -> None:
    assert Period.parse(text).label == label


@pytest.mark.parametrize(
    "text", ["2026-1", "2026/10", "13/2026", "0/2026", "Q5/2026", "quý V/2026", "10/26", "0000"]
)
def test_parse_refuses_likely_typos(text: str) -> None:
    with pytest.raises(ValueError, match="period"):
        Period.parse(text)
