"""The ``dvc766`` command's arguments, checked before any run starts.

A period, a month range or a province the user mistyped ends the command with one
Vietnamese line saying what was wrong, the accepted forms and an example, and exit code 2
(usage error), instead of a Dagster run that fails with a traceback. Periods are read by
``warehouse.periods.Period.parse`` (``2026-10``, ``10/2026``, ``Q3/2026``, ``quý 3/2026``,
``2026``); provinces by ``pipelines.provinces`` (``H44``, ``Phú Thọ``, ``phu tho``).
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING, NoReturn

import duckdb
import typer
from rich.console import Console
from rich.markup import escape

from pipelines import settings
from pipelines.provinces import (
    CODE,
    Province,
    ProvinceNotFound,
    reference_provinces,
    resolve_province,
    warehouse_provinces,
)
from warehouse.periods import Period, periods_for_month

if TYPE_CHECKING:
    from collections.abc import Sequence

USAGE_EXIT = 2
PERIOD_FORMS = (
    'tháng 2026-10 hoặc 10/2026; quý 2026-Q3, Q3/2026 hoặc "quý 3/2026"; '
    "nửa năm 2023-H1 (API cũ); năm 2026"
)
MONTH_FORMS = "2026-01 hoặc 1/2026"
PROVINCE_EXAMPLE = '--province H44 hoặc --province "Phú Thọ"'
FIRST_MONTH = date.fromisoformat(settings.FIRST_MONTH)
_PORTAL_ID = re.compile(
    r"^(?:[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}|legacy:\d+|\d+)$"
)
"""A portal id (a UUID, a legacy ``legacy:<ID>`` or a legacy numeric ``ID``): checked
against the portal's own list when the capture runs."""

_stderr = Console(stderr=True)


def usage_error(message: str) -> NoReturn:
    """Print ``Lỗi: <message>`` as one red line on stderr and exit with code 2."""
    _stderr.print(f"[red]Lỗi: {escape(message)}[/red]", soft_wrap=True, highlight=False)
    raise typer.Exit(code=USAGE_EXIT)


def period_arg(text: str, option: str = "--period") -> Period:
    """The period ``text`` names (any form ``Period.parse`` reads), or a usage error."""
    try:
        return Period.parse(text)
    except ValueError:
        usage_error(
            f'kỳ không hợp lệ: {option} "{text}". Dạng nhận: {PERIOD_FORMS}. '
            f"Ví dụ: {option} 10/2026"
        )


def month_arg(text: str, option: str) -> Period:
    """The month ``text`` names (``2026-01``, ``1/2026``, ``tháng 1/2026``), or a usage
    error."""
    example = "Ví dụ: --from 2026-01 --to 2026-06"
    try:
        period = Period.parse(text)
    except ValueError:
        usage_error(f'tháng không hợp lệ: {option} "{text}". Dạng nhận: {MONTH_FORMS}. {example}')
    if period.period_type != "month":
        usage_error(
            f"{option} nhận một tháng, không phải kỳ {period.label}. "
            f"Dạng nhận: {MONTH_FORMS}. {example}"
        )
    return period


def check_index_covers(period: Period, option: str) -> None:
    """A usage error when ``period`` ends before the index began (08/2022)."""
    if period.end < FIRST_MONTH:
        usage_error(
            f"kỳ {period.label} ({option}) trước tháng {FIRST_MONTH:%m/%Y}, khi Bộ chỉ số "
            f"bắt đầu: Cổng không có số liệu. Ví dụ: {option} {FIRST_MONTH:%Y-%m}"
        )


def check_started(period: Period, today: date, option: str) -> None:
    """A usage error when ``period`` starts after ``today``."""
    if period.start > today:
        usage_error(
            f"kỳ {period.label} ({option}) chưa bắt đầu (hôm nay {today.isoformat()}). "
            f"Ví dụ: {option} {today:%Y-%m}"
        )


def backfill_months(first: str, last: str, today: date) -> list[Period]:
    """The months from ``--from first`` to ``--to last``, checked: both months, in order,
    within the index and begun."""
    start, end = month_arg(first, "--from"), month_arg(last, "--to")
    if end < start:
        usage_error(
            f"--to {end.label} trước --from {start.label}. Ví dụ: --from 2026-01 --to 2026-06"
        )
    check_index_covers(start, "--from")
    check_started(end, today, "--to")
    months, current = [], start
    while current <= end:
        months.append(current)
        current = current.next()
    return months


def rebuild_months(first: str | None, last: str | None) -> tuple[Period | None, Period | None]:
    """The months ``rebuild --from first --to last`` names (either may be omitted: the
    first or last month of the raw store then), checked like :func:`backfill_months`:
    months, in order, within the index."""
    start = month_arg(first, "--from") if first is not None else None
    end = month_arg(last, "--to") if last is not None else None
    if start is not None and end is not None and end < start:
        usage_error(
            f"--to {end.label} trước --from {start.label}. Ví dụ: --from 2026-01 --to 2026-06"
        )
    for period, option in ((start, "--from"), (end, "--to")):
        if period is not None:
            check_index_covers(period, option)
    return start, end


def periods_of_months(months: Sequence[Period], today: date, *, legacy: bool) -> int:
    """How many periods a run over ``months`` captures (``periods_for_month``)."""
    return sum(len(periods_for_month(m.start, today, with_half=legacy)) for m in months)


def capture_provinces(
    tokens: Sequence[str], *, legacy: bool, warehouse: str | None = None
) -> list[str]:
    """What ``capture --province`` asks for, each as the code (or portal id) the capture
    selects by, duplicates dropped; a usage error for a province that does not exist.

    Names and codes are resolved against the reference list and the provinces of the
    published copy of ``warehouse`` (the working file; default: the environment's);
    portal ids are left to the portal's own list. With the legacy
    API (``legacy``), provinces that ended on 30/6/2025 count, and a code the reference
    does not know is left to the portal's list too (their codes are not all on record).
    """
    if not tokens:
        return []
    known = [*reference_provinces(), *_published_provinces(warehouse)]
    chosen: list[str] = []
    for token in tokens:
        text = token.strip()
        if _PORTAL_ID.match(text):
            value = text
        else:
            try:
                found: Province = resolve_province(text, known, current_only=not legacy)
                value = found.code or found.unit_id
            except ProvinceNotFound as exc:
                if not (legacy and CODE.match(text)):
                    usage_error(f"--province: {exc}. Ví dụ: {PROVINCE_EXAMPLE}")
                value = text.upper()
        if value not in chosen:
            chosen.append(value)
    return chosen


def report_province(con: duckdb.DuckDBPyConnection, token: str) -> str:
    """The code (or id) of the province ``report --province`` names, resolved against the
    reference list and the warehouse open on ``con``; a usage error when none matches."""
    text = token.strip()
    if _PORTAL_ID.match(text):
        return text
    try:
        found = resolve_province(
            text, [*reference_provinces(), *warehouse_provinces(con)], current_only=False
        )
    except ProvinceNotFound as exc:
        usage_error(f"--province: {exc}. Ví dụ: {PROVINCE_EXAMPLE}")
    return found.code or found.unit_id


def chart_unit(con: duckdb.DuckDBPyConnection, token: str) -> str:
    """What ``chart --unit`` names: a unit of ``core.units`` by code or id as given, else a
    province by name or code; a usage error when neither matches."""
    text = token.strip()
    try:
        known = con.execute(
            "SELECT count(*) FROM core.units WHERE unit_code = ? OR unit_id = ?",
            [text.upper(), text],
        ).fetchone()
    except duckdb.Error:  # no core.units: the chart says so itself
        return text
    if known and known[0]:
        return text
    try:
        found = resolve_province(
            text, [*reference_provinces(), *warehouse_provinces(con)], current_only=False
        )
    except ProvinceNotFound as exc:
        usage_error(f"--unit: {exc}; hoặc mã đơn vị (H44.07). Ví dụ: --unit H44 hoặc --unit H44.07")
    return found.code or found.unit_id


def _published_provinces(warehouse: str | None) -> list[Province]:
    """The provinces of the published copy of ``warehouse`` (never the working file,
    which a run may be writing), or none when it cannot be read."""
    from warehouse.connection import connect_reader
    from warehouse.publish import published_path

    path = published_path(warehouse or settings.warehouse_path())
    if not path.is_file():
        return []
    try:
        with connect_reader(str(path)) as con:
            return warehouse_provinces(con)
    except (OSError, duckdb.Error):
        return []
