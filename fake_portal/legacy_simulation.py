"""The legacy API's numbers: group scores of the pre-merger units, month by month.

Before 1/7/2025 the scores are generated per unit and month from the old province's
quality (drifting over the months) and the unit's offsets; a period's score is the mean
of its months' scores. Periods whose last visible day is on or after 1/7/2025 are served
from the current API's :class:`~fake_portal.simulation.Dataset` (34 provinces,
departments and communes), so both APIs agree on them.
"""

from __future__ import annotations

import random
import threading
from datetime import date
from functools import lru_cache
from typing import NamedTuple

from fake_portal.legacy_reference import (
    KINDS,
    OLD_PROVINCES,
    LegacyUnit,
    OldProvince,
    build_units,
    legacy_id,
)
from fake_portal.reference import Province, nfc
from fake_portal.scoring import GROUP_MAX, GROUPS, GroupValues, r2
from fake_portal.simulation import Dataset
from warehouse.periods import Period

LEGACY_FIRST_MONTH = date(2022, 8, 1)
"""The index in operation from 1/8/2022: no data before."""
MERGER_DAY = date(2025, 7, 1)
"""From this day: 34 provinces, no districts (served from the current API's dataset)."""

GROUP_BIAS: dict[str, float] = {
    "CKMB": 0.10,
    "TDGQ": 0.08,
    "CLGQ": 0.0,
    "TTTT": -0.08,
    "MDHL": 0.15,
    "MDSH": -0.05,
}
"""How each group sits relative to a unit's overall quality (TTTT lowest, MDHL highest)."""

Scores = dict[str, float | int | None]
"""Group scores of one unit by group code (``None``: the group has no score)."""


class MonthState(NamedTuple):
    """A month with data on some day."""

    year: int
    month: int
    days: int
    """Days shown (the open month), or 0 for the whole month."""


class UnitRow(NamedTuple):
    """A unit with its group scores over a period."""

    unit: LegacyUnit
    scores: Scores


def _clamp(x: float) -> float:
    return 0.0 if x < 0.0 else 1.0 if x > 1.0 else x


def _score(group: str, q: float) -> float:
    return GROUP_MAX[group] * _clamp(q + GROUP_BIAS[group])


def new_root(prov: Province) -> LegacyUnit:
    """A post-merger province as the legacy API lists it."""
    short = prov.short_name.removeprefix("Tỉnh ").removeprefix("Thành phố ")
    return LegacyUnit(legacy_id(prov.code, province=True), prov.code, short, prov.name, "province")


class LegacyDataset:
    """The legacy API's data: generated pre-merger units, the current dataset after."""

    def __init__(self, dataset: Dataset) -> None:
        self.dataset = dataset
        self.seed = dataset.seed
        rng = random.Random(f"{self.seed}:legacy:quality")
        n = len(OLD_PROVINCES)
        levels = [0.5 + 0.42 * k / (n - 1) for k in range(n)]
        rng.shuffle(levels)
        provinces = []
        for i, spec in enumerate(OLD_PROVINCES):
            prng = random.Random(f"{self.seed}:legacy:{spec.code}:profile")
            offsets = GroupValues._make(prng.gauss(0.0, 0.05) for _ in GROUPS)
            provinces.append(
                OldProvince(
                    i,
                    spec.code,
                    nfc(spec.name),
                    spec.is_city,
                    spec.new_code,
                    legacy_id(spec.code, province=True),
                    levels[i],
                    offsets,
                )
            )
        self.old_provinces: tuple[OldProvince, ...] = tuple(provinces)
        self._lock = threading.Lock()
        self._old_by_id = {p.id: p for p in self.old_provinces}
        self._new_by_id = {legacy_id(p.code, province=True): p for p in dataset.provinces}
        self._province_month = lru_cache(maxsize=63 * 48)(self._province_month_uncached)
        self._units_month = lru_cache(maxsize=256)(self._units_month_uncached)
        self._table = lru_cache(maxsize=256)(self._table_uncached)
        self._new_table = lru_cache(maxsize=128)(self._new_table_uncached)

    # -- lookup ---------------------------------------------------------------------------

    @staticmethod
    def is_merged(period: Period, today: date) -> bool:
        """Whether ``period`` is served in its post-merger form on ``today``."""
        return min(period.end, today) >= MERGER_DAY

    def old_province(self, key: str) -> OldProvince:
        """A pre-merger province by ``ID`` or code."""
        for prov in self.old_provinces:
            if key in (prov.id, prov.code):
                return prov
        raise KeyError(key)

    def units(self, prov: OldProvince, kind: str) -> tuple[LegacyUnit, ...]:
        """A pre-merger province's units of ``kind`` (department, district, commune)."""
        with self._lock:
            if not prov.units:
                prov.units.update(build_units(prov, self.seed))
        return prov.units[kind]

    @property
    def unit_count(self) -> int:
        """Pre-merger units: provinces, departments, districts and communes."""
        return sum(1 + sum(len(self.units(p, k)) for k in KINDS) for p in self.old_provinces)

    # -- time -----------------------------------------------------------------------------

    @staticmethod
    def month_states(period: Period, today: date) -> tuple[MonthState, ...]:
        """The months of ``period`` with data on ``today`` (the open one partly)."""
        states: list[MonthState] = []
        y, m = period.start.year, period.start.month
        while date(y, m, 1) <= min(period.end, today):
            if date(y, m, 1) >= LEGACY_FIRST_MONTH:
                days = today.day if (y, m) == (today.year, today.month) else 0
                states.append(MonthState(y, m, days))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return tuple(states)

    # -- pre-merger generation ------------------------------------------------------------

    def _quality(self, prov: OldProvince, y: int, m: int) -> float:
        rng = random.Random(f"{self.seed}:legacy:{prov.code}:{y}-{m:02d}:q")
        months_in = (y - LEGACY_FIRST_MONTH.year) * 12 + m - LEGACY_FIRST_MONTH.month
        return prov.quality - 0.03 + 0.0018 * months_in + rng.gauss(0.0, 0.012)

    @staticmethod
    def _open_noise(rng: random.Random, state: MonthState) -> float:
        if not state.days:
            return 0.0
        y, m = state.year, state.month
        days = (date(y + m // 12, m % 12 + 1, 1) - date(y, m, 1)).days
        return (1.0 - state.days / days) * rng.gauss(0.0, 0.04)

    def _province_month_uncached(self, index: int, state: MonthState) -> GroupValues:
        """A province's own scores in one month, per group."""
        prov = self.old_provinces[index]
        y, m, day = state
        q = self._quality(prov, y, m)
        rng = random.Random(f"{self.seed}:legacy:{prov.code}:{y}-{m:02d}:root")
        scores = [
            _score(g, q + offset + rng.gauss(0.0, 0.01))
            for g, offset in zip(GROUPS, prov.group_offsets, strict=True)
        ]
        if day:
            orng = random.Random(f"{self.seed}:legacy:{prov.code}:{y}-{m:02d}:{day}:root")
            scores = [GROUP_MAX[g] * _clamp(s / GROUP_MAX[g] + self._open_noise(orng, state))
                      for g, s in zip(GROUPS, scores, strict=True)]  # fmt: skip
        return GroupValues._make(scores)

    def _units_month_uncached(self, index: int, kind: str, state: MonthState) -> list[GroupValues]:
        """The scores of a province's units of ``kind`` in one month, per unit and group."""
        prov = self.old_provinces[index]
        y, m, day = state
        q = self._quality(prov, y, m)
        rng = random.Random(f"{self.seed}:legacy:{prov.code}:{kind}:{y}-{m:02d}")
        orng = random.Random(f"{self.seed}:legacy:{prov.code}:{kind}:{y}-{m:02d}:{day}")
        rnd = rng.random
        out: list[GroupValues] = []
        for unit in self.units(prov, kind):
            extra = self._open_noise(orng, state)
            scores = []
            for g, province_offset, unit_offset in zip(
                GROUPS, prov.group_offsets, unit.offsets, strict=True
            ):
                noise = (rnd() + rnd() - 1.0) * 0.06
                scores.append(_score(g, q + province_offset + unit_offset + noise + extra))
            out.append(GroupValues._make(scores))
        return out

    def _table_uncached(
        self, index: int, kind: str, states: tuple[MonthState, ...]
    ) -> list[UnitRow]:
        """Units of ``kind`` with their group scores over the months of ``states``."""
        prov = self.old_provinces[index]
        last = states[-1]
        day = date(last.year, last.month, 1)
        if kind == "province":
            months = [self._province_month(index, s) for s in states]
            scores: Scores = {
                g: r2(sum(month_scores) / len(months))
                for g, month_scores in zip(GROUPS, zip(*months, strict=True), strict=True)
            }
            return [UnitRow(prov.root(day), scores)]
        units = self.units(prov, kind)
        months_by_unit = zip(*(self._units_month(index, kind, s) for s in states), strict=True)
        rows = []
        for unit, unit_months in zip(units, months_by_unit, strict=True):
            per_group = zip(GROUPS, zip(*unit_months, strict=True), strict=True)
            rows.append(
                UnitRow(
                    unit,
                    {
                        g: None if g in unit.blank else r2(sum(values) / len(unit_months))
                        for g, values in per_group
                    },
                )
            )
        return rows

    # -- post-merger (the current API's dataset) ------------------------------------------

    def _new_table_uncached(
        self, code: str, period: Period, today: date
    ) -> dict[str, list[UnitRow]]:
        prov = self.dataset.province_by_code(code)
        reports = {g: self.dataset.group_report(prov, g, period, today) for g in GROUPS}
        out: dict[str, list[UnitRow]] = {
            "province": [UnitRow(new_root(prov), {g: reports[g].root.total for g in GROUPS})],
            "department": [],
            "commune": [],
            "district": [],
        }
        for i, child in enumerate(prov.children):
            commune = child.department_type == "COMMUNE_PEOPLE_COMMITTEE"
            kind = "commune" if commune else "department"
            short = child.name.removeprefix("UBND ")
            unit = LegacyUnit(legacy_id(child.code), child.code, short, child.name, kind)
            out[kind].append(UnitRow(unit, {g: reports[g].children[i].total for g in GROUPS}))
        return out

    # -- replies --------------------------------------------------------------------------

    def ranking(self, period: Period, today: date, tinh_id: str, kind: str) -> list[UnitRow]:
        """Units (with group scores) a ``report_tinh_766_service`` request asks for."""
        if period.start > today:
            return []
        if self.is_merged(period, today):
            if not tinh_id:
                return [
                    UnitRow(new_root(prov), dict(scores))
                    for prov, scores in self.dataset.province_totals(period, today)
                ]
            new = self._new_by_id.get(tinh_id)
            return [] if new is None else self._new_table(new.code, period, today)[kind]
        states = self.month_states(period, today)
        if not states:
            return []
        if not tinh_id:
            return [row for p in self.old_provinces for row in self._table(p.index, kind, states)]
        prov = self._old_by_id.get(tinh_id)
        return [] if prov is None else self._table(prov.index, kind, states)

    def unit_scores(
        self, period: Period, today: date, tinh_id: str, kind: str, unit_id: str
    ) -> Scores | None:
        """One unit's group scores in ``period`` (``unit_id`` "" = the province)."""
        for row in self.ranking(period, today, tinh_id, kind):
            if not unit_id or row.unit.id == unit_id:
                return row.scores
        return None
