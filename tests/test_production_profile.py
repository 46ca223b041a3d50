"""The production instance profile (deploy/dagster.production.yaml): Dagster's storage in a
real PostgreSQL server, a real capture through the CLI runner against the local portal,
and the run-queue and retry policies it declares."""

from __future__ import annotations

import shutil
from pathlib import Path

import dagster as dg
import duckdb
import psycopg2
import pytest
import yaml
from dagster._core.instance.config import dagster_instance_config
from dagster._utils.tags import TagConcurrencyLimitsCounter

from pipelines.runner import materialize_months
from tests.postgres import PostgresServer, postgres_server

PROFILE = Path(__file__).resolve().parents[1] / "deploy" / "dagster.production.yaml"
WAREHOUSE_WRITE = {"key": "dvc766/warehouse", "value": "write", "limit": 1}
PG_ENV = tuple(f"DVC766_PG_{name}" for name in ("HOST", "PORT", "USER", "PASSWORD", "DB"))

__all__ = ["postgres_server"]  # the session fixture, used by name below


def _home_with_profile(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(PROFILE, folder / "dagster.yaml")
    return folder


def test_profile_declares_one_warehouse_writer_and_no_retry_after_asset_failure() -> None:
    profile = yaml.safe_load(PROFILE.read_text())
    assert profile["storage"]["postgres"]["postgres_db"]["hostname"] == {"env": "DVC766_PG_HOST"}
    assert {
        field["env"] for field in profile["storage"]["postgres"]["postgres_db"].values()
        if isinstance(field, dict)
    } == set(PG_ENV)  # fmt: skip
    assert profile["run_coordinator"]["class"] == "QueuedRunCoordinator"
    assert profile["concurrency"]["pools"]["default_limit"] == 1
    assert WAREHOUSE_WRITE in profile["concurrency"]["runs"]["tag_concurrency_limits"]
    assert profile["concurrency"]["runs"]["max_concurrent_runs"] >= 1
    assert profile["run_retries"] == {
        "enabled": True,
        "max_retries": 1,
        "retry_on_asset_or_op_failure": False,
    }
    monitoring = profile["run_monitoring"]
    assert monitoring["enabled"] is True and monitoring["max_resume_run_attempts"] == 0
    assert monitoring["start_timeout_seconds"] > 0 and monitoring["cancel_timeout_seconds"] > 0


def test_profile_is_valid_for_this_dagster(tmp_path: Path, monkeypatch) -> None:
    """Dagster's own schema validation (no server needed), and its queue limits behave:
    a second warehouse-writing run waits for the first, other runs do not."""
    for name in PG_ENV:
        monkeypatch.setenv(name, "5432" if name.endswith("PORT") else "x")
    config, _ = dagster_instance_config(str(_home_with_profile(tmp_path / "good")))
    limits = config["concurrency"]["runs"]["tag_concurrency_limits"]
    writer = dg.DagsterRun(job_name="portal_job", run_id="a", tags={"dvc766/warehouse": "write"})
    second = dg.DagsterRun(job_name="portal_job", run_id="b", tags={"dvc766/warehouse": "write"})
    reader = dg.DagsterRun(job_name="other", run_id="c", tags={})
    assert not TagConcurrencyLimitsCounter(limits, []).is_blocked(second)
    assert TagConcurrencyLimitsCounter(limits, [writer]).is_blocked(second)
    assert not TagConcurrencyLimitsCounter(limits, [writer]).is_blocked(reader)
    # The validation is real: a misspelt key is refused.
    bad = _home_with_profile(tmp_path / "bad")
    text = PROFILE.read_text().replace("retry_on_asset_or_op_failure", "retry_on_op_failure")
    (bad / "dagster.yaml").write_text(text)
    with pytest.raises(dg.DagsterInvalidConfigError):
        dagster_instance_config(str(bad))


@pytest.mark.integration
def test_capture_with_dagster_state_in_postgres(
    postgres_server: PostgresServer, portal, tmp_path: Path, monkeypatch
) -> None:
    home = _home_with_profile(tmp_path / "dagster_home")
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    for name, value in postgres_server.env().items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("DVC766_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("DVC766_RAW_STORE", str(tmp_path / "raw"))
    monkeypatch.setenv("DVC766_PORTAL_URL", portal.url)
    monkeypatch.setenv("DVC766_REQUEST_DELAY", "0")
    monkeypatch.setenv("DVC766_TODAY", "2026-11-23")

    with dg.DagsterInstance.get() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        assert type(instance.event_log_storage).__name__ == "PostgresEventLogStorage"
        assert type(instance.schedule_storage).__name__ == "PostgresScheduleStorage"
        assert instance.run_retries_enabled
        assert not instance.run_retries_retry_on_asset_or_op_failure
        assert instance.run_monitoring_max_resume_run_attempts == 0
        queue = instance.get_concurrency_config().run_queue_config
        assert queue is not None and WAREHOUSE_WRITE in queue.tag_concurrency_limits
        result = materialize_months(
            "2026-10-01",
            "2026-10-01",
            capture_config={"provinces": ["H44"], "today": "2026-11-23"},
            instance=instance,
        )
        assert result.success
        run_id = result.run_id
        assert instance.get_run_by_id(run_id).status == dg.DagsterRunStatus.SUCCESS
        materialized = {key.to_user_string() for key in instance.get_asset_keys()}
        pool = instance.event_log_storage.get_concurrency_info("warehouse")
    # The warehouse pool lives in PostgreSQL too: one slot, released after the run.
    assert (pool.slot_count, pool.claimed_slots, pool.pending_steps) == (1, [], [])
    # Nothing fell back to SQLite under DAGSTER_HOME.
    assert not list(home.rglob("*.db"))

    with psycopg2.connect(postgres_server.dsn()) as con, con.cursor() as cur:
        cur.execute("SELECT status, pipeline_name FROM runs WHERE run_id = %s", (run_id,))
        assert cur.fetchall() == [("SUCCESS", "portal_job")]
        cur.execute(
            """SELECT asset_key, count(*) FROM event_logs
               WHERE run_id = %s AND dagster_event_type = 'ASSET_MATERIALIZATION'
               GROUP BY asset_key""",
            (run_id,),
        )
        by_asset = dict(cur.fetchall())
        cur.execute(
            "SELECT partition FROM event_logs WHERE run_id = %s AND asset_key = %s "
            "AND dagster_event_type = 'ASSET_MATERIALIZATION'",
            (run_id, '["raw_portal__captures"]'),
        )
        partitions = [row[0] for row in cur.fetchall()]
        cur.execute(
            "SELECT count(*) FROM event_logs WHERE run_id = %s "
            "AND dagster_event_type = 'ASSET_CHECK_EVALUATION'",
            (run_id,),
        )
        checks = cur.fetchone()[0]
    assert partitions == ["2026-10-01"]
    assert by_asset['["raw_portal__captures"]'] == 1
    assert set(by_asset) == {f'["{key}"]' for key in materialized}
    assert {'["core_portal__group_scores"]', '["mart_portal__score_changes"]'} <= set(by_asset)
    assert '["published_warehouse"]' in by_asset
    assert checks > 0

    with duckdb.connect(str(tmp_path / "w.duckdb"), read_only=True) as con:
        captures = con.execute(
            """SELECT scope, period_type, period_start::VARCHAR, status, run_id
               FROM raw.captures ORDER BY scope"""
        ).fetchall()
        scores = con.execute("SELECT count(*) FROM core.group_scores").fetchone()[0]
    assert [c[:4] for c in captures] == [
        ("national", "month", "2026-10-01", "complete"),
        ("province", "month", "2026-10-01", "complete"),
    ]
    assert {c[4] for c in captures} == {run_id}
    assert scores > 0
