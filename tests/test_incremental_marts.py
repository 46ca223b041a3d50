"""An incremental refresh of the marts (only the periods whose captures changed, and the
periods that depend on them) equals a full rebuild, run after run: real replies of the
local portal recorded in a real raw store and manifest, normalised by the real loader
into a real DuckDB file, then compared table by table with a full rebuild of a copy."""

from __future__ import annotations

import functools
import shutil
from datetime import date
from pathlib import Path

import duckdb
import pytest

from bench.fill import fill
from fake_portal.server import FakePortal
from pipelines.resources import WarehouseResource
from pipelines.sources.registry import SOURCES
from warehouse.derive import (
    MART_TABLES,
    AffectedPeriods,
    affected_periods,
    rebuild_marts,
    refresh_marts,
)
from warehouse.load_core import normalise_captures
from warehouse.marts import published_marts
from warehouse.periods import Period
from warehouse.publish import publish
from warehouse.rejections import captures_to_load

PROVINCES = ("H01", "H14")
"""Two provinces whose July 2026 is revised by the local portal on 16/09/2026."""


def checksums(path: Path) -> dict[str, tuple[int, int]]:
    """Rows and an order-independent hash of the rows of every mart table."""
    resource = WarehouseResource(path=str(path), raw_store_dir=str(path.parent / "raw"))
    with resource.connect() as con:
        return {
            # ``table`` comes from the registry of marts.
            table: con.execute(
                f"SELECT count(*), coalesce(sum(hash(t)), 0) FROM mart.{table} AS t"
            ).fetchone()
            for table in MART_TABLES
        }


def night(
    warehouse: WarehouseResource,
    portal: FakePortal,
    month: str,
    today: date,
    affected: AffectedPeriods,
) -> tuple[str, ...]:
    """Capture ``month`` (and its quarter/year) as the portal shows it on ``today``,
    normalise what is new and refresh the marts incrementally; return the periods derived."""
    fill(warehouse, Period.parse(month), 1, today, provinces=PROVINCES, portal=portal)
    with warehouse.connect() as con:
        pending = captures_to_load(con, None, SOURCES)
        normalise_captures(con, warehouse.store(), pending, SOURCES)
        stats = refresh_marts(con, affected=affected)
    assert stats.periods is not None, "an incremental refresh, not a full one"
    return tuple(f"{kind} {start}" for kind, start in stats.periods)


def full_rebuild_of_a_copy(warehouse: WarehouseResource, tmp_path: Path, name: str) -> Path:
    """Copy the warehouse file, rebuild every mart of the copy in full; its path."""
    copy = tmp_path / name / "dvc766.duckdb"
    copy.parent.mkdir()
    shutil.copy(warehouse.path, copy)
    resource = WarehouseResource(path=str(copy), raw_store_dir=warehouse.raw_store_dir)
    with resource.connect() as con:
        rebuild_marts(con)
    return copy


def run_nights(
    warehouse: WarehouseResource, tmp_path: Path, affected: AffectedPeriods
) -> list[tuple[tuple[str, ...], set[str]]]:
    """Three nights after a full first refresh: two closed months, a new month (with its
    quarter), then July revised by the portal. For each: the periods derived and the mart
    tables whose checksums differ from a full rebuild."""
    portal = FakePortal()
    with warehouse.connect() as con:
        rebuild_marts(con)  # the first refresh of a warehouse is a full one
    nights = [
        ("2026-07", date(2026, 9, 10)),
        ("2026-08", date(2026, 9, 10)),
        ("2026-09", date(2026, 10, 10)),
        ("2026-07", date(2026, 10, 20)),  # revised on 16/09 for both provinces
    ]
    results = []
    for index, (month, today) in enumerate(nights):
        derived = night(warehouse, portal, month, today, affected)
        expected = checksums(full_rebuild_of_a_copy(warehouse, tmp_path, f"full{index}"))
        got = checksums(Path(warehouse.path))
        results.append((derived, {t for t in MART_TABLES if got[t] != expected[t]}))
    return results


def test_incremental_refresh_equals_a_full_rebuild_after_every_night(
    warehouse: WarehouseResource, tmp_path: Path
) -> None:
    results = run_nights(warehouse, tmp_path, affected_periods)
    for derived, differing in results:
        assert differing == set(), f"after deriving {derived}: {sorted(differing)} differ"
    derived = [d for d, _ in results]
    # July alone, then August (and the September its changes reach), then September with
    # its quarter; the revision of July derives July and the August that compares with it.
    assert derived[0] == ("month 2026-07-01", "month 2026-08-01")
    assert "quarter 2026-07-01" in derived[2]
    assert derived[3] == ("month 2026-07-01", "month 2026-08-01")
    with warehouse.connect() as con:
        revised = con.execute(
            "SELECT count(*) FROM mart.revisions WHERE is_revision AND period_start = '2026-07-01'"
        ).fetchone()[0]
    assert revised > 0, "the last night revised July"


@pytest.mark.parametrize("following", [0])
def test_forgetting_the_next_period_is_caught(
    warehouse: WarehouseResource, tmp_path: Path, following: int
) -> None:
    """The comparison above fires when the affected set leaves out the period after a
    changed one: July's revision then leaves August's changes stale."""
    forgetful = functools.partial(affected_periods, following=following)
    results = run_nights(warehouse, tmp_path, forgetful)
    assert results[3][0] == ("month 2026-07-01",)
    assert {"score_changes", "movement_counts"} & results[3][1]


def inodes(folder: Path) -> dict[str, int]:
    """The files of a folder, by name, with their inode numbers."""
    return {f.name: f.stat().st_ino for f in folder.iterdir()}


def test_publish_writes_only_the_periods_that_changed(warehouse: WarehouseResource) -> None:
    """A publication writes the Parquet of the periods whose rows changed since the last
    one and hard-links the other periods' files; the export holds every row."""
    portal = FakePortal()
    with warehouse.connect() as con:
        rebuild_marts(con)
    night(warehouse, portal, "2026-07", date(2026, 8, 10), affected_periods)  # July open
    first = publish(warehouse.path)
    scores = first.parquet_dir / "unit_period_scores" / "period_type=month"
    july_open = inodes(scores / "period_start=2026-07-01")

    # July closed (its final values) and August: July's files are written again
    night(warehouse, portal, "2026-07", date(2026, 9, 10), affected_periods)
    night(warehouse, portal, "2026-08", date(2026, 9, 10), affected_periods)
    publish(warehouse.path)
    assert inodes(scores / "period_start=2026-07-01").keys() == july_open.keys()
    assert inodes(scores / "period_start=2026-07-01") != july_open
    august = inodes(scores / "period_start=2026-08-01")

    # September (and its quarter) changes nothing of August: the same files, linked
    night(warehouse, portal, "2026-09", date(2026, 10, 10), affected_periods)
    third = publish(warehouse.path)
    assert inodes(scores / "period_start=2026-08-01") == august
    assert (scores / "period_start=2026-09-01").is_dir()
    reader = duckdb.connect()
    with warehouse.connect() as con:
        for mart in published_marts():
            expected = con.execute(
                f"SELECT period_type, period_start, count(*) FROM {mart.qualified_name} "
                "GROUP BY ALL ORDER BY ALL"
            ).fetchall()
            folder = third.parquet_dir / mart.name
            if not expected:  # (no merged provinces after 2025)
                assert not list(folder.rglob("*.parquet")), mart.name
                continue
            exported = reader.execute(
                "SELECT period_type, period_start::DATE, count(*) "
                "FROM read_parquet(?, hive_partitioning = true) GROUP BY ALL ORDER BY ALL",
                [str(folder / "**" / "*.parquet")],
            ).fetchall()
            assert exported == expected, mart.name

    # Nothing new: no file is written again, not even of a table refreshed in full every
    # night (since_yesterday) or of a view (band_count_table): every period is linked
    def files(mart: str) -> dict[str, int]:
        folder = third.parquet_dir / mart
        return {str(f.relative_to(folder)): f.stat().st_ino for f in folder.rglob("*.parquet")}

    before = {mart: files(mart) for mart in ("since_yesterday", "band_count_table")}
    assert all(before.values())
    with warehouse.connect() as con:
        refresh_marts(con)
    publish(warehouse.path)
    assert {mart: files(mart) for mart in before} == before
