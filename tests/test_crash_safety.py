"""Crash safety: the run process is killed (SIGKILL) at several moments of a capture and
of a derive/publish; a rerun converges to the same warehouse as an uninterrupted run, and
the published file is always a complete state."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from fake_portal.server import FakePortal
from warehouse.publish import published_path

pytestmark = [pytest.mark.integration, pytest.mark.slow]
PROJECT = Path(__file__).resolve().parents[1]

# Content of every core and mart table, without what differs between two runs by design
# (capture ids and capture times).
CHECKSUMS = {
    "core.units": "unit_id, unit_code, unit_name, unit_level, parent_unit_id",
    "core.group_scores": "unit_id, period_type, period_start, group_code, score, max_score, "
    "ratio, is_root",
    "core.metric_values": "unit_id, period_type, period_start, metric_code, numerator, "
    "denominator, ratio, score, data_quality_status",
    "core.group_parameters": "unit_id, period_type, period_start, parameter, value",
    "core.reported_totals": "unit_id, period_type, period_start, total_score, reported_rank",
    "mart.unit_period_scores": "unit_id, period_type, period_start, ckmb, tdgq, clgq, tttt, "
    "mdhl, mdsh, total_score, band, rank, cohort_size",
    "mart.score_changes": "unit_id, period_type, period_start, delta_points, rank_move, comparable",
    "mart.band_counts": "period_type, period_start, unit_level, parent_unit_id, band, unit_count",
}


def checksums(database: Path) -> dict[str, tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return {
            table: con.execute(f"SELECT count(*), sum(hash({columns})) FROM {table}").fetchone()
            for table, columns in CHECKSUMS.items()
        }


def cli(home: Path, portal: FakePortal) -> subprocess.Popen:
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home / "dagster"),
        "DVC766_WAREHOUSE": str(home / "dvc766.duckdb"),
        "DVC766_RAW_STORE": str(home / "raw"),
        "DVC766_PORTAL_URL": portal.url,
        "DVC766_REQUEST_DELAY": "0",
        "DVC766_TODAY": "2026-11-23",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "pipelines.cli", "backfill", "--from", "2026-10", "--to", "2026-10"],
        cwd=PROJECT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def published_is_complete(home: Path) -> None:
    published = published_path(home / "dvc766.duckdb")
    if not published.exists():
        return
    with duckdb.connect(str(published), read_only=True) as con:
        scores = con.execute("SELECT count(*) FROM mart.unit_period_scores").fetchone()[0]
        changes = con.execute("SELECT count(*) FROM mart.score_changes").fetchone()[0]
        bad = con.execute(
            """SELECT count(*) FROM (
                   SELECT period_type, period_start, unit_level, parent_unit_id,
                          sum(unit_count) AS n, any_value(cohort_size) AS size
                   FROM mart.band_counts GROUP BY ALL) WHERE n <> size"""
        ).fetchone()[0]
    assert scores == changes > 0 and bad == 0


@pytest.fixture(scope="module")
def portal():
    with FakePortal(today=__import__("datetime").date(2026, 11, 23)) as running:
        yield running


@pytest.fixture(scope="module")
def reference(tmp_path_factory, portal) -> dict[str, tuple]:
    home = tmp_path_factory.mktemp("reference")
    run = cli(home, portal)
    output = run.communicate(timeout=300)[0].decode()
    assert run.returncode == 0, output
    return checksums(home / "dvc766.duckdb")


@pytest.mark.parametrize("kill_after_s", [2.5, 4.0, 5.5, 7.0, 9.0])
def test_sigkill_then_rerun_converges(tmp_path, portal, reference, kill_after_s) -> None:
    run = cli(tmp_path, portal)
    time.sleep(kill_after_s)
    killed = run.poll() is None
    if killed:
        run.send_signal(signal.SIGKILL)
    run.wait(timeout=60)
    published_is_complete(tmp_path)
    rerun = cli(tmp_path, portal)
    output = rerun.communicate(timeout=300)[0].decode()
    assert rerun.returncode == 0, output
    published_is_complete(tmp_path)
    assert checksums(tmp_path / "dvc766.duckdb") == reference
    assert checksums(published_path(tmp_path / "dvc766.duckdb")) == reference
