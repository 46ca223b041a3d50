"""Whether a period's figures are provisional: the period had not closed at the data
cut-off, so the portal was still counting it ("tạm tính", as the letters say).

This is the one place that decides it for every output (report sheets, summary text,
chart titles, the default period of a chart). It is computed here from the period's end
and the cut-off until the marts carry an ``is_provisional`` column; then only
:func:`is_provisional` changes.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from warehouse.periods import Period

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
"""Periods are calendar periods in Vietnam time."""


def cutoff_day(cutoff: datetime) -> date:
    """The calendar day of ``cutoff`` in Vietnam time (a naive moment is Vietnam time)."""
    if cutoff.tzinfo is None:
        cutoff = cutoff.replace(tzinfo=TIMEZONE)
    return cutoff.astimezone(TIMEZONE).date()


def is_provisional(period: Period, cutoff: datetime) -> bool:
    """Whether ``period`` had not closed at ``cutoff``: the figures were taken on or
    before the period's last day (Vietnam time), so they are still being counted.

    ``cutoff`` is the data cut-off of the figures shown: the capture time of the values
    (``captured_at`` of the mart rows), which for a letter is never later than the cut-off
    it states. A month captured on 6 December is provisional even when the letter is
    written in January as of January.
    """
    return cutoff_day(cutoff) <= period.end


def provisional_note(period: Period, cutoff: datetime) -> str | None:
    """``tạm tính đến ngày 06/12/2026`` when ``period`` is provisional at ``cutoff``,
    else None."""
    if not is_provisional(period, cutoff):
        return None
    return f"tạm tính đến ngày {cutoff_day(cutoff):%d/%m/%Y}"
