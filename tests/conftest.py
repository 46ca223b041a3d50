"""Shared fixtures: paths to the real portal samples, temporary warehouses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from fake_portal.server import FakePortal
from pipelines.resources import WarehouseResource

SAMPLES = Path(__file__).resolve().parent / "fixtures" / "portal-samples"
"""The real portal replies, vendored with their provenance (see its README.md)."""
SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
"""The five provincial letters, read in place (their text is not ours to copy)."""
requires_seeds = pytest.mark.skipif(
    not SEEDS.is_dir(),
    reason="the provincial letters (../shared/seeds) are not beside this clone; the "
    "parsing they exercise is also covered by tests/fixtures/files",
)
PHU_THO = "019d2be3-6a88-732b-8b17-b68020c8553a"


@pytest.fixture
def samples_dir() -> Path:
    """The real portal replies, vendored under tests/fixtures/portal-samples."""
    return SAMPLES


@pytest.fixture
def warehouse(tmp_path: Path) -> WarehouseResource:
    """A fresh warehouse file and raw store under the test's temporary folder."""
    return WarehouseResource(
        path=str(tmp_path / "dvc766.duckdb"), raw_store_dir=str(tmp_path / "raw")
    )


@pytest.fixture
def portal() -> Iterator[FakePortal]:
    """The local portal on an ephemeral loopback port, its clock at 2026-11-23."""
    with FakePortal(host="127.0.0.1", port=0, today=date(2026, 11, 23)) as running:
        yield running


@pytest.fixture
def sample_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh user's warehouse, raw store and Dagster home for the real replies of
    2026 (``tests.sample_portal``; the clock at 26/9/2026), with fast retries."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("DVC766_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("DVC766_RAW_STORE", str(tmp_path / "raw"))
    monkeypatch.setenv("DVC766_REQUEST_DELAY", "0")
    monkeypatch.setenv("DVC766_REQUEST_BACKOFF", "0.01")
    monkeypatch.setenv("DVC766_REQUEST_DEADLINE", "2")
    monkeypatch.setenv("DVC766_TODAY", "2026-09-26")
    return tmp_path


@pytest.fixture
def cli_env(tmp_path: Path, portal, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Environment of a fresh user: own warehouse, raw store and Dagster home."""
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "dagster_home"))
    monkeypatch.setenv("DVC766_WAREHOUSE", str(tmp_path / "w.duckdb"))
    monkeypatch.setenv("DVC766_RAW_STORE", str(tmp_path / "raw"))
    monkeypatch.setenv("DVC766_PORTAL_URL", portal.url)
    monkeypatch.setenv("DVC766_REQUEST_DELAY", "0")
    monkeypatch.setenv("DVC766_TODAY", "2026-11-23")
    return tmp_path
