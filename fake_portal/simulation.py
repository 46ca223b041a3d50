"""The fake portal's numbers over time: monthly counts, open months, revisions, periods.

Every unit of :mod:`fake_portal.reference` gets monthly counts from 2024-01 onward
(dossiers received, on time, online, digitised, petitions, payments…), generated from
the province's quality drifting over the months. Quarter and year values aggregate the
months of the period up to the portal's "today" (the year is year-to-date): flows are
summed, stocks take their maximum. The open month only holds the days up to today. A
deterministic subset of (province, month) pairs is revised once, from the 16th day of
the second month after the month. :class:`Dataset` turns the counts into the group
scores of :mod:`fake_portal.scoring`.

Everything here is a pure function of the seed, the period and "today": the same inputs
give the same numbers.
"""

from __future__ import annotations

import calendar
import random
from array import array
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Generic, NamedTuple, TypeVar

from fake_portal.reference import PROVINCES, Province, Unit, build_province
from fake_portal.scoring import (
    GROUPS,
    GroupValues,
    Metric,
    Share,
    ckmb_metrics,
    clgq_score,
    group_ratio,
    mdhl_metrics,
    mdsh_metrics,
    metrics_total,
    pct,
    r2,
    tdgq_score,
    tttt_score,
)
from warehouse.periods import Period

FIRST_MONTH = date(2024, 1, 1)
"""The first day with data on the fake portal."""
TEMP_SYNC_FROM = date(2025, 7, 1)
"""Periods starting on or after this day carry the temporary DOSSIER_SYNC denominator."""

SEASON: tuple[float, ...] = (1.0, 0.72, 1.05, 1.0, 1.02, 1.0, 0.98, 1.0, 1.03, 1.05, 1.04, 1.12)
"""Dossier volume by calendar month (January first) against an average month."""

T = TypeVar("T")
Reduce = Callable[[Iterable[int]], int]


# ---------------------------------------------------------------------------------------
# Counts. A unit's flows are summed over the months of a period; its stocks (counts of
# procedures, which move slowly) take their maximum. Per-child counts are held as one
# ``array`` per field (the child's index in ``Province.children`` indexes it).


class UnitFlows(NamedTuple, Generic[T]):
    """A unit's monthly flows: one count each, or one column of counts per child."""

    sync_den: T
    """Dossiers that should be synchronised to the national portal (DOSSIER_SYNC)."""
    sync_num: T
    """Dossiers synchronised."""
    received: T
    on_time: T
    completed: T
    processing: T
    """Processing days of the completed dossiers, summed, in hundredths of a day."""
    original_result: T
    """Dossiers with an electronic original result (ORIGINAL_RESULT_AVAILABLE)."""
    digitised: T
    reused: T
    """Dossiers reusing digitised data (REUSED_DIGITIZED_DATA)."""
    synced: T
    """Digitised dossiers shared for reuse (SYNCED_WITH_DVCQG_PERSONAL_STORAGE)."""
    citizen_data: T
    """Dossiers using the citizen database (CITIZEN_DATA_CONNECTED_DOSSIER)."""
    petitions: T
    petitions_classified: T
    petitions_procedures: T
    """Petitions about rules and procedures (PETITION_CLASSIFICATION_TTHC)."""
    petitions_staff: T
    """Petitions about staff behaviour (PETITION_CLASSIFICATION_STAFF)."""
    petitions_on_time: T
    petitions_satisfied: T
    dossiers_satisfied: T
    channel_online: T
    channel_direct: T
    channel_postal: T
    online_on_time: T
    online_overdue: T
    payments_ok: T
    """Dossiers paid online successfully."""
    financial_obligation: T
    """Dossiers with a financial obligation."""


class UnitStocks(NamedTuple, Generic[T]):
    """A unit's procedure counts: one count each, or one column of counts per child."""

    formalities_connected: T
    """Procedures connected to the citizen database (CITIZEN_DATA_CONNECTED_FORMALITY)."""
    formalities: T
    fee_formalities: T
    """Fee-bearing procedures."""
    formalities_paid_online: T
    fee_dossier_formalities: T
    """Fee-bearing procedures with dossiers."""


class ProvinceFlows(NamedTuple):
    """A province's own flows (CKMB: procedures published and updated)."""

    published: int
    published_on_time: int
    updates: int
    updated_on_time: int


class ProvinceStocks(NamedTuple):
    """A province's own stocks. The last five are the root's :class:`UnitStocks`: the
    province counts distinct procedures, not the sum over its children."""

    content_full: int
    """Procedures published with their full content (PUBLIC_CONTENT_FULL)."""
    content: int
    authority: int
    """Procedures under the province's authority (CLGQ ``authorityCount``)."""
    partial: int
    full: int
    online_services: int
    online_dossiers: int
    formalities_connected: int
    formalities: int
    fee_formalities: int
    formalities_paid_online: int
    fee_dossier_formalities: int

    def root_stocks(self) -> UnitStocks[int]:
        """The stocks the province root reports."""
        return UnitStocks(
            formalities_connected=self.formalities_connected,
            formalities=self.formalities,
            fee_formalities=self.fee_formalities,
            formalities_paid_online=self.formalities_paid_online,
            fee_dossier_formalities=self.fee_dossier_formalities,
        )


class UnitCounts(NamedTuple):
    """One unit's counts over a period."""

    flows: UnitFlows[int]
    stocks: UnitStocks[int]


class Counts(NamedTuple):
    """The counts of one province over one month or period (as of a given today)."""

    unit_flows: UnitFlows[array]
    unit_stocks: UnitStocks[array]
    province_flows: ProvinceFlows
    province_stocks: ProvinceStocks

    def children(self) -> list[UnitCounts]:
        """The counts of each of the province's children, in the order of its children."""
        return [
            UnitCounts(UnitFlows._make(flows), UnitStocks._make(stocks))
            for flows, stocks in zip(
                zip(*self.unit_flows, strict=True), zip(*self.unit_stocks, strict=True), strict=True
            )
        ]

    def root(self) -> UnitCounts:
        """The province root's counts: flows summed over the children, own stocks."""
        return UnitCounts(
            UnitFlows._make(map(sum, self.unit_flows)),
            self.province_stocks.root_stocks(),
        )


class MonthState(NamedTuple):
    """A month as visible on some day."""

    year: int
    month: int
    days: int
    """Days included (the open month), or 0 for the whole month."""
    revised: bool


@dataclass
class UnitScore:
    """A unit's result in one group and period."""

    unit: Unit
    total: float
    ratio: float
    metrics: list[Metric] | None = None
    params: dict[str, int | float] = field(default_factory=dict)


@dataclass
class GroupReport:
    """One group endpoint's content for a province root: root, children, chart."""

    group: str
    period: Period
    root: UnitScore
    children: list[UnitScore]
    chart: list[tuple[int, dict[str, float]]] | None = None


def _clamp(x: float, lo: float = 0.0, hi: float = 1.0) -> float:
    return lo if x < lo else hi if x > hi else x


def _columns(rows: Sequence[tuple[int, ...]], width: int) -> list[array]:
    """Rows of counts (one per child) as one ``array`` per field."""
    if not rows:
        return [array("q") for _ in range(width)]
    return [array("q", column) for column in zip(*rows, strict=True)]


# ---------------------------------------------------------------------------------------
# Monthly generation


def generate_month(prov: Province, seed: int, year: int, month: int) -> Counts:
    """Full-month counts of one province (unrevised)."""
    rng = random.Random(f"{seed}:{prov.code}:{year}-{month:02d}")
    rnd = rng.random
    months_in = (year - FIRST_MONTH.year) * 12 + month - 1
    q_month = prov.quality - 0.03 + 0.0018 * months_in + rng.gauss(0.0, 0.012)
    quality = GroupValues._make(q_month + off for off in prov.group_offsets)
    season = SEASON[month - 1]

    flows: list[UnitFlows[int]] = []
    stocks: list[UnitStocks[int]] = []
    for pr in prov.profiles:
        # the random draws keep their order: the same seed gives the same numbers
        q = GroupValues._make(
            qg + off + (rnd() + rnd() - 1.0) * 0.06
            for qg, off in zip(quality, pr.offsets, strict=True)
        )
        if pr.size < 1:
            received = 1 if rnd() < pr.size else 0
        else:
            received = int(pr.size * season * (0.85 + 0.3 * rnd()))
        completed = int(received * (0.8 + 0.15 * rnd()))
        processing = round(completed * 100 * (2.0 + 14.0 * rnd()) * (1.3 - _clamp(q.tdgq)))
        petitions = int(pr.petitions * season * 2.0 * rnd() + 0.35)
        classified = petitions - (1 if petitions > 3 and rnd() < 0.2 else 0)
        procedures = round(classified * (0.4 + 0.4 * rnd()))
        staff = round((classified - procedures) * (0.3 + 0.6 * rnd()))
        online = round(received * _clamp(q.clgq + 0.12))
        postal = min(int(received * 0.004 * rnd()), received - online)
        online_on_time = round(online * _clamp(q.clgq + 0.1))
        obligation = round(received * (0.3 + 0.4 * rnd()))
        flows.append(
            UnitFlows(
                sync_den=received,
                sync_num=round(received * _clamp(q.ckmb + 0.12)),
                received=received,
                on_time=round(received * _clamp(q.tdgq + 0.08)),
                completed=completed,
                processing=processing,
                original_result=round(received * _clamp(q.mdsh + 0.08)),
                digitised=round(received * _clamp(q.mdsh - 0.05)),
                reused=round(received * _clamp(q.mdsh * 0.85)),
                synced=round(received * _clamp(q.mdsh - 0.12)),
                citizen_data=round(received * _clamp(q.mdsh + 0.02)),
                petitions=petitions,
                petitions_classified=classified,
                petitions_procedures=procedures,
                petitions_staff=staff,
                petitions_on_time=round(petitions * _clamp(q.mdhl + 0.05)),
                petitions_satisfied=round(petitions * _clamp(q.mdhl - 0.05)),
                dossiers_satisfied=round(received * _clamp(0.1 + 0.85 * q.mdhl)),
                channel_online=online,
                channel_direct=received - online - postal,
                channel_postal=postal,
                online_on_time=online_on_time,
                online_overdue=online - online_on_time,
                payments_ok=round(obligation * _clamp(q.tttt + 0.08)),
                financial_obligation=obligation,
            )
        )
        fees = pr.fee_formalities
        stocks.append(
            UnitStocks(
                formalities_connected=round(pr.formalities * _clamp(q.mdsh)),
                formalities=pr.formalities,
                fee_formalities=fees,
                formalities_paid_online=round(fees * _clamp(q.tttt - 0.15)),
                fee_dossier_formalities=round(fees * 0.8 * _clamp(q.tttt - 0.1)),
            )
        )

    published = int(14 * rnd())
    updates = int(12 * rnd())
    province_flows = ProvinceFlows(
        published=published,
        published_on_time=round(published * _clamp(quality.ckmb + 0.05 + (rnd() - 0.5) * 0.2)),
        updates=updates,
        updated_on_time=round(updates * _clamp(quality.ckmb + (rnd() - 0.5) * 0.2)),
    )
    srng = random.Random(f"{seed}:{prov.code}:stocks")  # slowly moving stocks
    content = srng.randint(60, 140) + months_in // 3
    authority = srng.randint(50, 120)
    full = round(authority * _clamp(quality.clgq * 0.5))
    online_services = srng.randint(1300, 2500)
    formalities = srng.randint(600, 1600)
    fee_formalities = srng.randint(200, 420)
    province_stocks = ProvinceStocks(
        content_full=round(content * _clamp(quality.ckmb + 0.3)),
        content=content,
        authority=authority,
        partial=round((authority - full) * 0.6),
        full=full,
        online_services=online_services,
        online_dossiers=round(online_services * _clamp(quality.clgq * 0.4)),
        formalities_connected=round(formalities * _clamp(quality.mdsh - 0.05)),
        formalities=formalities,
        fee_formalities=fee_formalities,
        formalities_paid_online=round(fee_formalities * _clamp(quality.tttt - 0.15)),
        fee_dossier_formalities=round(fee_formalities * 0.8 * _clamp(quality.tttt - 0.1)),
    )
    return Counts(
        UnitFlows._make(_columns(flows, len(UnitFlows._fields))),
        UnitStocks._make(_columns(stocks, len(UnitStocks._fields))),
        province_flows,
        province_stocks,
    )


def scale_open(counts: Counts, fraction: float) -> Counts:
    """The open month on a given day: flows scaled to the elapsed days, stocks as is.

    Flooring every flow with the same fraction keeps numerators within denominators;
    the two derived counts are recomputed so that parts still add up to their totals.
    """
    flows = UnitFlows._make(
        array("q", [int(v * fraction) for v in column]) for column in counts.unit_flows
    )
    direct = [
        received - online - postal
        for received, online, postal in zip(
            flows.received, flows.channel_online, flows.channel_postal, strict=True
        )
    ]
    overdue = [
        online - on_time
        for online, on_time in zip(flows.channel_online, flows.online_on_time, strict=True)
    ]
    flows = flows._replace(channel_direct=array("q", direct), online_overdue=array("q", overdue))
    province_flows = ProvinceFlows._make(int(v * fraction) for v in counts.province_flows)
    return counts._replace(unit_flows=flows, province_flows=province_flows)


def revise(counts: Counts) -> Counts:
    """A late revision: half the dissatisfied dossiers and petitions turn satisfied."""
    flows = counts.unit_flows
    dossiers = [
        satisfied + (received - satisfied + 1) // 2
        for satisfied, received in zip(flows.dossiers_satisfied, flows.received, strict=True)
    ]
    petitions = [
        satisfied + (total - satisfied + 1) // 2
        for satisfied, total in zip(flows.petitions_satisfied, flows.petitions, strict=True)
    ]
    flows = flows._replace(
        dossiers_satisfied=array("q", dossiers), petitions_satisfied=array("q", petitions)
    )
    return counts._replace(unit_flows=flows)


def combine(months: Sequence[Counts]) -> Counts:
    """The counts of a period from those of its months: flows summed, stocks' maximum."""
    if len(months) == 1:
        return months[0]

    def per_child(columns: Sequence[Sequence[array]], how: Reduce) -> list[array]:
        return [
            array("q", map(how, zip(*field_columns, strict=True)))
            for field_columns in zip(*columns, strict=True)
        ]

    def per_province(values: Sequence[Sequence[int]], how: Reduce) -> list[int]:
        return [how(field_values) for field_values in zip(*values, strict=True)]

    return Counts(
        UnitFlows._make(per_child([m.unit_flows for m in months], sum)),
        UnitStocks._make(per_child([m.unit_stocks for m in months], max)),
        ProvinceFlows._make(per_province([m.province_flows for m in months], sum)),
        ProvinceStocks._make(per_province([m.province_stocks for m in months], max)),
    )


# ---------------------------------------------------------------------------------------
# The dataset


class Dataset:
    """The fake portal's national dataset for one seed."""

    def __init__(self, seed: int = 766) -> None:
        self.seed = seed
        provinces = [build_province(i, spec, seed) for i, spec in enumerate(PROVINCES)]
        # spread province quality evenly so that totals cover ~55-95
        rng = random.Random(f"{seed}:quality")
        levels = [0.5 + 0.42 * k / (len(provinces) - 1) for k in range(len(provinces))]
        rng.shuffle(levels)
        self.provinces: tuple[Province, ...] = tuple(
            replace(p, quality=levels[p.index]) for p in provinces
        )
        self._by_id = {p.id: p for p in self.provinces}
        self._by_code = {p.code: p for p in self.provinces}
        self._month_base = lru_cache(maxsize=34 * 40)(self._month_base_uncached)
        self._month_counts = lru_cache(maxsize=34 * 30)(self._month_counts_uncached)
        self._period_counts = lru_cache(maxsize=34 * 24)(self._period_counts_uncached)

    # -- lookup ---------------------------------------------------------------------------

    @property
    def unit_count(self) -> int:
        """Number of evaluated units: provinces plus their children."""
        return sum(1 + len(p.children) for p in self.provinces)

    def province_by_id(self, department_id: str) -> Province | None:
        """The province whose root has this ``departmentId``, if any."""
        return self._by_id.get(department_id)

    def province_by_code(self, code: str) -> Province:
        """The province with this agency code (``H44``)."""
        return self._by_code[code]

    # -- time -----------------------------------------------------------------------------

    @staticmethod
    def revision_date(year: int, month: int) -> date:
        """The day a revised month's new values appear: the 16th, two months later."""
        k = year * 12 + month - 1 + 2
        return date(k // 12, k % 12 + 1, 16)

    def is_revised(self, province_code: str, year: int, month: int) -> bool:
        """Whether this (province, month) pair gets a late revision."""
        return random.Random(f"{self.seed}:rev:{province_code}:{year}-{month:02d}").random() < 0.5

    def month_states(self, prov: Province, period: Period, today: date) -> tuple[MonthState, ...]:
        """The months of ``period`` visible on ``today``, with how much of each is shown."""
        states: list[MonthState] = []
        y, m = period.start.year, period.start.month
        while date(y, m, 1) <= min(period.end, today):
            days = today.day if (y, m) == (today.year, today.month) else 0
            revised = (
                days == 0 and today >= self.revision_date(y, m) and self.is_revised(prov.code, y, m)
            )
            states.append(MonthState(y, m, days, revised))
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
        return tuple(states)

    # -- aggregation ----------------------------------------------------------------------

    def _month_base_uncached(self, index: int, year: int, month: int) -> Counts:
        return generate_month(self.provinces[index], self.seed, year, month)

    def _month_counts_uncached(self, index: int, state: MonthState) -> Counts:
        counts = self._month_base(index, state.year, state.month)
        if state.days:
            _, days_in_month = calendar.monthrange(state.year, state.month)
            counts = scale_open(counts, state.days / days_in_month)
        if state.revised:
            counts = revise(counts)
        return counts

    def _period_counts_uncached(self, index: int, states: tuple[MonthState, ...]) -> Counts:
        return combine([self._month_counts(index, s) for s in states])

    def counts(self, prov: Province, period: Period, today: date) -> Counts:
        """The province's counts for ``period`` as the portal shows them on ``today``."""
        states = self.month_states(prov, period, today)
        if not states:
            raise ValueError(f"no data for {period.label} on {today.isoformat()}")
        return self._period_counts(prov.index, states)

    # -- scores ---------------------------------------------------------------------------

    def _temp_sync(self, prov: Province, period: Period) -> bool:
        return prov.temp_sync and period.start >= TEMP_SYNC_FROM

    def _unit_score(
        self,
        group: str,
        prov: Province,
        period: Period,
        counts: Counts,
        unit: Unit,
        own: UnitCounts,
    ) -> UnitScore:
        """One unit's group result from its own counts ``own`` and its province's."""
        flows, stocks = own
        province_flows, province_stocks = counts.province_flows, counts.province_stocks
        received = flows.received
        if group == "CKMB":
            metrics = ckmb_metrics(
                Share(province_flows.published_on_time, province_flows.published),
                Share(province_flows.updated_on_time, province_flows.updates),
                Share(province_stocks.content_full, province_stocks.content),
                Share(flows.sync_num, flows.sync_den),
                self._temp_sync(prov, period),
            )
            total = metrics_total(metrics)
            return UnitScore(unit, total, group_ratio(total, group), metrics)
        if group == "MDSH":
            metrics = mdsh_metrics(
                dossiers=received,
                original_result=flows.original_result,
                digitised=flows.digitised,
                reused=flows.reused,
                synced=flows.synced,
                citizen_data=flows.citizen_data,
                formalities=Share(stocks.formalities_connected, stocks.formalities),
            )
            total = metrics_total(metrics)
            return UnitScore(unit, total, group_ratio(total, group), metrics)
        if group == "MDHL":
            metrics = mdhl_metrics(
                petitions=flows.petitions,
                about_procedures=flows.petitions_procedures,
                about_staff=flows.petitions_staff,
                on_time=flows.petitions_on_time,
                satisfied=flows.petitions_satisfied,
                dossiers=Share(flows.dossiers_satisfied, received),
            )
            total = metrics_total(metrics)
            params: dict[str, int | float] = {
                "totalPetitions": flows.petitions,
                "classifiedPetitions": flows.petitions_classified,
                "totalDossiers": received,
            }
            return UnitScore(unit, total, group_ratio(total, group), metrics, params)
        if group == "TDGQ":
            on_time, completed = flows.on_time, flows.completed
            ratio, score = tdgq_score(received, on_time)
            avg_days = r2(flows.processing / completed / 100.0) if completed else 0
            return UnitScore(
                unit,
                score,
                ratio,
                params={
                    "totalReceived": received,
                    "totalOnTime": on_time,
                    "totalOverdue": received - on_time,
                    "totalCompleted": completed,
                    "avgProcessingDays": avg_days,
                },
            )
        if group == "CLGQ":
            online, direct, postal = (
                flows.channel_online,
                flows.channel_direct,
                flows.channel_postal,
            )
            on_time, overdue = flows.online_on_time, flows.online_overdue
            score = clgq_score(online, online + direct + postal, on_time, overdue)
            return UnitScore(
                unit,
                score,
                group_ratio(score, group),
                params={
                    "authorityCount": province_stocks.authority,
                    "partialCount": province_stocks.partial,
                    "fullCount": province_stocks.full,
                    "onlineDossierCount": province_stocks.online_dossiers,
                    "onlineServiceTotal": province_stocks.online_services,
                    "channelOnlineSum": online,
                    "channelDirectSum": direct,
                    "channelPostalSum": postal,
                    "channelTotalSum": online + direct + postal,
                    "onlineOnTimeSum": on_time,
                    "onlineOverdueSum": overdue,
                },
            )
        if group == "TTTT":
            params = {
                "totalDossierOnlinePaymentSuccess": flows.payments_ok,
                "totalDossierFinancialObligation": flows.financial_obligation,
                "totalDossierOnlineFormalityPaymentSuccess": stocks.formalities_paid_online,
                "totalFeeDossierFormalityDistinct": stocks.fee_formalities,
                "totalFeeDossierFormality": stocks.fee_dossier_formalities,
                "totalFeeFormality": stocks.fee_formalities,
            }
            score = tttt_score(
                flows.payments_ok,
                flows.financial_obligation,
                stocks.formalities_paid_online,
                stocks.fee_dossier_formalities,
                stocks.fee_formalities,
            )
            return UnitScore(unit, score, group_ratio(score, group), params=params)
        raise ValueError(f"unknown group {group!r}")

    def root_score(self, prov: Province, group: str, period: Period, today: date) -> UnitScore:
        """The province root's result in ``group`` (what service-results reports)."""
        counts = self.counts(prov, period, today)
        return self._unit_score(group, prov, period, counts, prov.root, counts.root())

    def group_report(self, prov: Province, group: str, period: Period, today: date) -> GroupReport:
        """Root, children (in code order) and monthly chart of one group endpoint reply."""
        counts = self.counts(prov, period, today)
        root = self._unit_score(group, prov, period, counts, prov.root, counts.root())
        children = [
            self._unit_score(group, prov, period, counts, unit, own)
            for unit, own in zip(prov.children, counts.children(), strict=True)
        ]
        chart = None
        if group in ("TDGQ", "CLGQ"):
            chart = self._monthly_chart(prov, group, period, today)
        return GroupReport(group, period, root, children, chart)

    def _monthly_chart(
        self, prov: Province, group: str, period: Period, today: date
    ) -> list[tuple[int, dict[str, float]]]:
        """Per-month province percentages for the months of the period's year."""
        visible = {(s.year, s.month): s for s in self.month_states(prov, period, today)}
        chart: list[tuple[int, dict[str, float]]] = []
        for month in range(1, 13):
            state = visible.get((period.year, month))
            if state is None:
                values = (
                    {"onTimePct": 0, "overduePct": 0}
                    if group == "TDGQ"
                    else {"onlineDossierPct": 0}
                )
                chart.append((month, values))
                continue
            flows = self._month_counts(prov.index, state).unit_flows
            received = sum(flows.received)
            if group == "TDGQ":
                on_time = r2(pct(sum(flows.on_time), received))
                overdue = r2(100 - on_time) if received else 0
                chart.append((month, {"onTimePct": on_time, "overduePct": overdue}))
            else:
                online = r2(pct(sum(flows.channel_online), received))
                chart.append((month, {"onlineDossierPct": online}))
        return chart

    def province_totals(
        self, period: Period, today: date
    ) -> list[tuple[Province, dict[str, float]]]:
        """Every province's root score per group for ``period`` on ``today``."""
        out = []
        for prov in self.provinces:
            counts = self.counts(prov, period, today)
            root = counts.root()
            scores = {
                g: self._unit_score(g, prov, period, counts, prov.root, root).total for g in GROUPS
            }
            out.append((prov, scores))
        return out
