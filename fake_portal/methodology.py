"""Methodology changes of the fake portal: from a given day the portal scores another set
of groups (a seventh group, changed maxima), as the real portal would when a new version
of the index takes effect.

By default the fake scores the six groups of :data:`fake_portal.scoring.GROUP_MAX` for
every period. A :class:`MethodologyChange` passed to :class:`fake_portal.FakePortal`
(``methodology_changes=``) applies to every period starting on or after its
``effective_from``:

* a group it keeps is rescaled to its new maximum, in the national ranking
  (``service-results``' ``groupScores``) and in the group endpoint's reply (every score
  and maximum of the reply times new max / old max);
* a group it adds has no endpoint (the endpoints are the API contract): it is scored in
  the national ranking only, each province at its share of the old total;
* the national ``totalScore`` is the sum of the new groups and ``totalMaxScore`` the sum
  of their maxima.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from fake_portal.scoring import GROUP_MAX, r2

SCALED_KEYS = frozenset({"totalScore", "totalMaxScore", "score", "maxScore", "scoreDelta"})
"""Fields of a group endpoint's reply that are points (scaled with the group's maximum);
ratios, counts and parameters are not."""


@dataclass(frozen=True)
class MethodologyChange:
    """From ``effective_from`` on, the portal scores the groups of ``group_max`` (group
    code → maximum, in published order)."""

    effective_from: date
    group_max: Mapping[str, float] = field(default_factory=dict)

    @property
    def total_max(self) -> float:
        """The maximum total under the change."""
        return float(sum(self.group_max.values()))

    def factor(self, group: str) -> float:
        """New maximum / old maximum of a group the six-group default scores (1 when the
        change does not list it)."""
        return float(self.group_max.get(group, GROUP_MAX[group])) / GROUP_MAX[group]

    def national_scores(self, scores: Mapping[str, float]) -> dict[str, float]:
        """A province's ``groupScores`` under the change, from its six default scores."""
        share = sum(scores.values()) / sum(GROUP_MAX.values())
        return {
            code: r2(scores[code] * self.factor(code)) if code in scores else r2(maximum * share)
            for code, maximum in self.group_max.items()
        }


def in_force(changes: Iterable[MethodologyChange], day: date) -> MethodologyChange | None:
    """The change in force on ``day`` (the latest to start on or before it), or None."""
    started = [c for c in changes if c.effective_from <= day]
    return max(started, key=lambda c: c.effective_from) if started else None


def rescale(payload: Any, factor: float) -> Any:
    """A group endpoint's reply with every point field (:data:`SCALED_KEYS`) times
    ``factor``, rounded as the portal rounds."""
    if factor == 1:
        return payload
    if isinstance(payload, list):
        return [rescale(item, factor) for item in payload]
    if isinstance(payload, dict):
        return {
            key: (
                r2(value * factor)
                if key in SCALED_KEYS
                and isinstance(value, int | float)
                and not isinstance(value, bool)
                else rescale(value, factor)
            )
            for key, value in payload.items()
        }
    return payload
