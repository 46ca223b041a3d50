"""Score ranges checked on parsed rows, for the sources parsed in Python (the legacy API,
files): every group score in [0, its group's maximum], every indicator score in [0, its
maximum], every total in [0, the sum of the maxima], maxima from the methodology in
force. The current API checks the same ranges on its replies (``portal/validate.py``)."""

from __future__ import annotations

import math

from warehouse.methodology import SCORE_TOLERANCE, Methodology
from warehouse.records import InvalidReply, ParsedReply


def _check(value: float | None, maximum: float | None, what: str) -> None:
    if value is None:
        return
    if not math.isfinite(value):
        raise InvalidReply("non-finite number", what)
    if value < 0:
        raise InvalidReply("score below zero", f"{what} = {value:g}")
    if maximum is not None and value > maximum + SCORE_TOLERANCE:
        raise InvalidReply("score above its maximum", f"{what} = {value:g} > {maximum:g}")


def check_parsed_ranges(parsed: ParsedReply, methodology: Methodology | None) -> None:
    """Raise ``InvalidReply`` for the first score of ``parsed`` outside its range."""
    if methodology is None:
        return
    for row in parsed.group_scores:
        maximum = methodology.group_maxima.get(row["group_code"])
        _check(row.get("score"), maximum, f"{row['unit_id']} {row['group_code']}")
    for row in parsed.metric_values:
        maximum = methodology.indicator_max(row["group_code"], row["metric_code"])
        if maximum is None:
            maximum = methodology.group_maxima.get(row["group_code"])
        _check(row.get("score"), maximum, f"{row['unit_id']} {row['metric_code']}")
    for row in parsed.reported_totals:
        _check(row.get("total_score"), methodology.total_max, f"{row['unit_id']} total")
