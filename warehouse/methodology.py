"""The methodology in force for a period, read from ``methodology.*`` (never restated in
code): its groups with their maxima, and its indicators with theirs.

Validators ask this for the groups a reply must carry and the maxima its scores may not
exceed, so a new methodology version (a seventh group, a changed maximum) is a row in
``sql/methodology/``, not a code change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import duckdb

SCORE_TOLERANCE = 0.005
"""How far a score may pass its maximum: the portal rounds to two decimals."""


@dataclass(frozen=True)
class Methodology:
    """One portal methodology version: ordered groups and indicators with maxima."""

    version_id: str
    group_maxima: dict[str, float]
    indicator_maxima: dict[tuple[str, str], float]

    @property
    def group_codes(self) -> tuple[str, ...]:
        """The version's group codes in their published order."""
        return tuple(self.group_maxima)

    @property
    def total_max(self) -> float:
        """The maximum total: the sum of the groups' maxima."""
        return sum(self.group_maxima.values())

    def indicator_max(self, group_code: str | None, metric_code: str) -> float | None:
        """The maximum of an indicator of ``group_code``, or None if the version does
        not list it."""
        if group_code is None:
            return None
        return self.indicator_maxima.get((group_code, metric_code))


class NoMethodology(LookupError):
    """No portal methodology version is in force on a date."""


def methodology_for(con: duckdb.DuckDBPyConnection, day: date) -> Methodology:
    """The portal methodology version in force on ``day`` (a period's first day)."""
    version_id = con.execute("SELECT methodology.portal_version_on(?::DATE)", [day]).fetchone()[0]
    if version_id is None:
        raise NoMethodology(f"no portal methodology version is in force on {day.isoformat()}")
    groups = con.execute(
        """SELECT group_code, max_score::DOUBLE FROM methodology.groups
           WHERE version_id = ? ORDER BY sort_order""",
        [version_id],
    ).fetchall()
    indicators = con.execute(
        """SELECT group_code, metric_code, max_score::DOUBLE FROM methodology.indicators
           WHERE version_id = ?""",
        [version_id],
    ).fetchall()
    return Methodology(
        version_id,
        {code: maximum for code, maximum in groups},
        {(group, metric): maximum for group, metric, maximum in indicators},
    )
