"""How outputs say that a period's figures are provisional ("tạm tính", as the letters
say): the period had not closed at the data cut-off, so the portal was still counting it.

Whether a row is provisional is decided once, in the marts: the ``is_provisional`` column
of ``mart.unit_period_scores`` (and of ``mart.score_changes``, ``mart.band_counts``,
``mart.band_count_table``, and their ``_as_of`` macros), true when the calendar day of the
values' ``captured_at`` in Asia/Ho_Chi_Minh is on or before the period's last day. A month
captured on 6 December is provisional even when the letter is written in January as of
January. This module only words it, for every output (report sheets, summary text, chart
titles), from that column.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

TIMEZONE = ZoneInfo("Asia/Ho_Chi_Minh")
"""Periods are calendar periods in Vietnam time."""


def cutoff_day(cutoff: datetime) -> date:
    """The calendar day of ``cutoff`` in Vietnam time (a naive moment is Vietnam time)."""
    if cutoff.tzinfo is None:
        cutoff = cutoff.replace(tzinfo=TIMEZONE)
    return cutoff.astimezone(TIMEZONE).date()


def provisional_note(provisional: bool | None, captured_at: datetime | None) -> str | None:
    """``tạm tính đến ngày 06/12/2026`` when a mart row says its figures are provisional
    (its ``is_provisional``), dated by the day they were taken (its ``captured_at``);
    None when they are final or unknown."""
    if not provisional or captured_at is None:
        return None
    return f"tạm tính đến ngày {cutoff_day(captured_at):%d/%m/%Y}"
