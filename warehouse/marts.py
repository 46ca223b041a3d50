"""The one registry of marts: every object of schema ``mart``, declared once.

:data:`MARTS` lists them in the order they are created and refreshed (a mart comes after
what it reads). Each has one SQL file, ``sql/mart/<name>.sql``, holding all of it:

* a **table** (derived, materialised): its ``<name>_as_of(cutoff)`` table macro and the
  helper macros it needs (``<name>_of(relation)`` when the table is computed from another
  mart's table), then the table's NOT NULL columns and ``COMMENT``s. There is no table
  DDL: :func:`warehouse.schema.apply_schema` creates the table from :meth:`Mart.refresh_query`
  (the macro at cut-off ``'infinity'``), so its columns are the macro's, and
  :func:`warehouse.derive.rebuild_marts` refreshes it with the same query;
* a **view**, a **macro** (helpers and parameterised marts): the file creates it;
* a **reference** table (an input of the marts, with its seed rows): the file creates it
  if missing and seeds it; it is never rebuilt.

Everything else is derived from this registry: the mart DDL and the rebuild of changed
tables (``warehouse.schema``), the refresh (``warehouse.derive``), the marts
``query_as_of`` evaluates, the Parquet export (``warehouse.publish``), the Dagster assets
(``pipelines/assets/mart.py``, ``publish.py``) and the registry table of the data
dictionary (``warehouse.dictionary``). Adding a mart is its SQL file and one entry here.

A table's **definition hash** (:func:`definition_hashes`) covers its SQL file and the
hashes of what it depends on; ``ops.mart_definitions`` keeps the hash each table was
built with, so a changed definition (a new column, a fixed formula, a changed input)
rebuilds that table and every table built on it when the schema is applied.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from warehouse.sql_files import SQL_DIR

# Mart names are written into SQL as identifiers: only these are accepted.
_IDENTIFIER = re.compile(r"[a-z][a-z0-9_]*")


PERIOD_KEYS: tuple[str, str] = ("period_type", "period_start")
"""The period columns of every period-keyed mart table."""


class MartKind(StrEnum):
    """What a mart is in the database, which decides how its SQL file is applied."""

    TABLE = "table"
    """Derived and materialised: created from its query, rebuilt when its definition changes."""
    VIEW = "view"
    """A view over the tables (its file creates or replaces it)."""
    MACRO = "macro"
    """Macros only: helpers of other marts, or a mart that takes parameters."""
    REFERENCE = "reference"
    """An input table with seed rows (its file creates it if missing); never rebuilt."""


@dataclass(frozen=True)
class Mart:
    """One object of schema ``mart`` and everything the code needs to know about it."""

    name: str
    """Its name in schema ``mart``; its SQL is ``sql/mart/<name>.sql``."""
    kind: MartKind
    description: str
    """One line on what it holds (the Dagster asset and the dictionary's registry table)."""
    depends_on: tuple[str, ...] = ()
    """The marts its SQL reads (each listed earlier in the registry)."""
    refresh_of: str | None = None
    """Tables only: the mart table its ``<name>_of`` macro is applied to; None means the
    table is its ``<name>_as_of`` macro at cut-off ``'infinity'``."""
    as_of: bool = False
    """Whether ``mart.<name>_as_of(cutoff)`` exists, taking the cut-off only."""
    published: bool = False
    """Whether it is exported to Parquet, partitioned by (period_type, period_start)."""
    reported_with: str | None = None
    """Tables only: the table whose Dagster asset rebuilds and reports it; None when the
    table is an asset of its own."""
    period_keys: tuple[str, str] | None = None
    """Tables only: its (period type, period start) columns when every row belongs to one
    period and a period's rows depend only on the inputs of that period and the period
    before it (:func:`warehouse.derive.affected_periods`), so an incremental refresh
    derives only the affected periods; None: the table is refreshed in full every time
    (the safe default for a table that spans periods)."""
    compares_previous: bool = False
    """Tables keyed by period only: whether a period's rows also read the period before
    it of the same type (changes against the previous period), so an incremental refresh
    hands its ``_of`` macro those rows too."""
    stale_periods: bool = False
    """Tables keyed by period only: whether its file defines ``mart.<name>_stale(table)``,
    a table macro giving (from the table, passed by name, before its refresh) the periods
    an incremental refresh must derive besides the affected ones: rows that depend on when
    things were captured, not only on what."""
    sql_path: Path | None = None
    """Where its SQL is, when not ``sql/mart/<name>.sql`` (a test's changed definition)."""

    @property
    def path(self) -> Path:
        """The SQL file of the mart."""
        return self.sql_path or SQL_DIR / "mart" / f"{self.name}.sql"

    @property
    def qualified_name(self) -> str:
        """``mart.<name>``."""
        return f"mart.{self.name}"

    @property
    def as_of_macro(self) -> str | None:
        """The table macro giving the mart at a cut-off, when there is one."""
        return f"mart.{self.name}_as_of" if self.as_of else None

    def sql(self) -> str:
        """The text of the mart's SQL file."""
        return self.path.read_text(encoding="utf-8")

    def refresh_query(self) -> tuple[str, list[str]]:
        """The query (and its parameters) giving a table mart's current rows.

        Names come from the registry (plain identifiers, :func:`check_registry`), never
        from input; the relation an ``_of`` macro reads is passed as a parameter."""
        if self.kind is not MartKind.TABLE:
            raise ValueError(f"mart.{self.name} is a {self.kind}, not a table")
        if self.refresh_of:
            return f"SELECT * FROM mart.{self.name}_of(?)", [f"mart.{self.refresh_of}"]  # noqa: S608
        return f"SELECT * FROM mart.{self.name}_as_of('infinity'::TIMESTAMPTZ)", []  # noqa: S608


MARTS: tuple[Mart, ...] = (
    Mart(
        "period_length",
        MartKind.MACRO,
        "Length of a period type as an INTERVAL (previous period, last day).",
    ),
    Mart(
        "unit_levels",
        MartKind.REFERENCE,
        "The administrative levels units are ranked within, with the labels letters print.",
    ),
    Mart(
        "unit_lineage",
        MartKind.REFERENCE,
        "Reorganisations of units (old unit, new unit, how, from when), seeded with the 2025 "
        "reorganisation.",
    ),
    Mart(
        "group_values",
        MartKind.TABLE,
        "Each (unit, period, group) current value with the source that gave it and the unit's "
        "cohort attributes: derived once, read by the scores and the group ranks.",
        as_of=True,
        period_keys=PERIOD_KEYS,
    ),
    Mart(
        "unit_period_scores",
        MartKind.TABLE,
        "One row per (unit, period type, period): the six group scores, the total (only when "
        "all groups are present), band, rank within the cohort, and the portal's own total "
        "for comparison.",
        depends_on=("period_length", "group_values"),
        refresh_of="group_values",
        as_of=True,
        published=True,
        period_keys=PERIOD_KEYS,
    ),
    Mart(
        "merged_province_scores",
        MartKind.VIEW,
        "Pre-merger provinces' totals aggregated onto the province they merged into in 2025 "
        "(derived, for periods before the merger).",
        depends_on=("unit_period_scores",),
        published=True,
    ),
    Mart(
        "group_ranks",
        MartKind.TABLE,
        "Rank of each unit in each group within its cohort (long form).",
        depends_on=("group_values",),
        refresh_of="group_values",
        as_of=True,
        published=True,
        reported_with="unit_period_scores",
        period_keys=PERIOD_KEYS,
    ),
    Mart(
        "score_changes",
        MartKind.TABLE,
        "Change of total, rank and band against the previous period of the same type, with "
        "a comparable flag and reason.",
        depends_on=("period_length", "unit_lineage", "unit_period_scores"),
        refresh_of="unit_period_scores",
        as_of=True,
        published=True,
        period_keys=PERIOD_KEYS,
        compares_previous=True,
    ),
    Mart(
        "band_counts",
        MartKind.TABLE,
        "Units per band per period, level and parent (and nationally), all five bands "
        "present; pivoted like the letters in the view mart.band_count_table.",
        depends_on=("unit_period_scores",),
        refresh_of="unit_period_scores",
        as_of=True,
        published=True,
        period_keys=PERIOD_KEYS,
    ),
    Mart(
        "movement_counts",
        MartKind.TABLE,
        "Units that moved up, moved down, kept their rank or are not comparable, per "
        "period, level and parent (and nationally).",
        depends_on=("score_changes",),
        refresh_of="score_changes",
        as_of=True,
        published=True,
        reported_with="score_changes",
        period_keys=PERIOD_KEYS,
    ),
    Mart(
        "revisions",
        MartKind.TABLE,
        "The sequence of distinct values of each (unit, period, group) across complete "
        "captures, flagging values captured after the period closed.",
        depends_on=("period_length",),
        as_of=True,
        published=True,
        period_keys=PERIOD_KEYS,
    ),
    Mart(
        "band_count_table",
        MartKind.VIEW,
        "mart.band_counts pivoted like the letters' band table: one row per level, then the "
        "total and the shares.",
        depends_on=("unit_levels", "band_counts"),
        as_of=True,
        published=True,
    ),
    Mart(
        "reported_band_counts",
        MartKind.VIEW,
        "Units per level and band as a letter states them, beside the counts derived from the "
        "scores (mart.band_counts), flagging where they disagree.",
        depends_on=("band_counts",),
    ),
    Mart(
        "top_bottom",
        MartKind.MACRO,
        "Top n and bottom n units of every cohort, ties kept: mart.top_bottom(n) and "
        "mart.top_bottom_as_of(n, cutoff).",
        depends_on=("unit_period_scores",),
    ),
    Mart(
        "since_yesterday",
        MartKind.TABLE,
        "Total, groups, band and rank of each unit-period at the latest capture night and at "
        "the night before, and how they moved; is_provisional picks the open periods.",
        depends_on=("group_values", "unit_period_scores"),
        refresh_of="unit_period_scores",
        as_of=True,
        published=True,
        period_keys=PERIOD_KEYS,
        # a new night changes the rows of the periods captured that night or the night
        # before, whatever their scores: mart.since_yesterday_stale(table) lists them
        stale_periods=True,
    ),
    Mart(
        "points_lost",
        MartKind.TABLE,
        "Per unit, period and indicator: maximum, score and points lost, with the group's "
        "total lost and the numerator move that gives a rate indicator full points.",
        depends_on=("unit_period_scores",),
        refresh_of="unit_period_scores",
        as_of=True,
        published=True,
        period_keys=PERIOD_KEYS,
    ),
    Mart(
        "peers",
        MartKind.TABLE,
        "Each unit-period against its cohort: median and 75th percentile of totals and "
        "groups, and the unit's percentile.",
        depends_on=("unit_period_scores",),
        refresh_of="unit_period_scores",
        as_of=True,
        published=True,
        period_keys=PERIOD_KEYS,
    ),
    Mart(
        "what_it_takes",
        MartKind.TABLE,
        "Per unit and period: points needed for the next band and the indicators where they "
        "are most cheaply found (largest points lost first), with the numerator move.",
        depends_on=("points_lost",),
        refresh_of="points_lost",
        as_of=True,
        published=True,
        period_keys=PERIOD_KEYS,
    ),
    Mart(
        "source_disagreements",
        MartKind.VIEW,
        "Where a file (letter, saved page, table) states a group score different from the "
        "portal capture's value the marts use (the portal wins): both values side by side.",
        depends_on=("group_values", "unit_period_scores"),
        as_of=True,
    ),
)


def check_registry(marts: Sequence[Mart]) -> None:
    """Raise ``ValueError`` unless ``marts`` is a consistent registry: unique names that
    are plain SQL identifiers, each dependency declared earlier, ``refresh_of`` and
    ``reported_with`` naming an earlier table, only tables and views published."""
    seen: dict[str, Mart] = {}
    problems: list[str] = []
    for mart in marts:
        if not _IDENTIFIER.fullmatch(mart.name):
            problems.append(f"{mart.name!r}: not a plain identifier")
        if mart.name in seen:
            problems.append(f"{mart.name}: declared twice")
        problems += [
            f"{mart.name}: depends on {dep}, not declared before it"
            for dep in mart.depends_on
            if dep not in seen
        ]
        for field, target in (
            ("refresh_of", mart.refresh_of),
            ("reported_with", mart.reported_with),
        ):
            if target is None:
                continue
            if mart.kind is not MartKind.TABLE:
                problems.append(f"{mart.name}: {field} is for tables only")
            elif target not in seen or seen[target].kind is not MartKind.TABLE:
                problems.append(f"{mart.name}: {field} {target} is not an earlier table")
        if mart.refresh_of and mart.refresh_of not in mart.depends_on:
            problems.append(f"{mart.name}: refresh_of {mart.refresh_of} missing from depends_on")
        if mart.reported_with and seen[mart.reported_with].reported_with:
            problems.append(f"{mart.name}: reported with {mart.reported_with}, itself reported")
        if mart.period_keys and mart.kind is not MartKind.TABLE:
            problems.append(f"{mart.name}: period_keys is for tables only")
        if mart.stale_periods and not mart.period_keys:
            problems.append(f"{mart.name}: stale_periods is for tables keyed by period")
        if mart.compares_previous and not mart.period_keys:
            problems.append(f"{mart.name}: compares_previous is for tables keyed by period")
        if mart.period_keys and not all(_IDENTIFIER.fullmatch(c) for c in mart.period_keys):
            problems.append(f"{mart.name}: period_keys are not plain identifiers")
        if mart.published and mart.kind not in (MartKind.TABLE, MartKind.VIEW):
            problems.append(f"{mart.name}: only tables and views can be published")
        seen[mart.name] = mart
    if problems:
        raise ValueError("inconsistent mart registry: " + "; ".join(problems))


def definition_hashes(marts: Sequence[Mart]) -> dict[str, str]:
    """The definition hash of each mart: SHA-256 of its kind, how it is refreshed, its SQL
    text and the hashes of its dependencies, so a change anywhere upstream changes it."""
    hashes: dict[str, str] = {}
    for mart in marts:
        digest = hashlib.sha256()
        for part in (mart.name, mart.kind, mart.refresh_of or "", mart.sql()):
            digest.update(part.encode("utf-8") + b"\0")
        for dep in mart.depends_on:
            digest.update(hashes[dep].encode("ascii") + b"\0")
        hashes[mart.name] = digest.hexdigest()
    return hashes


def of_kind(kind: MartKind, marts: Iterable[Mart] = MARTS) -> tuple[Mart, ...]:
    """The marts of one kind, in registry order."""
    return tuple(m for m in marts if m.kind is kind)


def published_marts(marts: Iterable[Mart] = MARTS) -> tuple[Mart, ...]:
    """The marts exported to Parquet, in registry order."""
    return tuple(m for m in marts if m.published)


def by_name(name: str, marts: Iterable[Mart] = MARTS) -> Mart:
    """The mart called ``name`` (a ``mart.`` prefix is allowed); ``KeyError`` if none."""
    wanted = name.removeprefix("mart.")
    for mart in marts:
        if mart.name == wanted:
            return mart
    raise KeyError(name)
