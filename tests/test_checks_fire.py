"""Every blocking SQL check fires on a seeded violation, and passes once it is removed.

The warehouse is real: one Dagster run of ``raw_portal__captures`` against the local
portal over HTTP on 127.0.0.1 captures October 2026 (the national ranking and H44) into
a DuckDB file and raw store under a temporary folder, and each test works on its own
copy. A violation is seeded into exactly the rows a check reads, then the check runs as
the pipeline runs it:

- the per-capture core checks through a real materialization of ``core_portal``: the
  capture they find is quarantined (its core rows removed, a ``raw.quarantine`` and an
  ``ops.rejected_captures`` row), the check warns, and the rest of the run (the marts,
  the publication) goes on;
- the global core checks on the loaded core tables with the function the asset calls
  (``run_checks``), and ``unit_names_nfc`` through a materialization too, where it
  blocks the marts and the publication;
- the mart checks on the derived marts with ``run_checks``, and one of them through a
  materialization that it blocks.

The cases are keyed by check name and the tests are parametrised over the checks the
assets declare, so a new check without a seeded violation fails here.
"""

from __future__ import annotations

import json
import shutil
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from fake_portal.server import FakePortal
from pipelines.assets.core import CORE_CHECKS, CORE_TABLES, core_portal
from pipelines.assets.mart import MART_ASSETS, MART_CHECKS, mart_portal
from pipelines.assets.publish import published_warehouse
from pipelines.assets.raw import raw_portal__captures
from pipelines.assets.sql_checks import SqlCheck, run_checks
from pipelines.resources import WarehouseResource
from tests.helpers import resources_for
from warehouse.publish import published_path
from warehouse.raw_store import RawStore

pytestmark = pytest.mark.integration

PARTITION = "2026-10-01"
PROVINCE = "H44"
PER_CAPTURE = [check for check in CORE_CHECKS if check.per_capture]
GLOBAL_CORE = [check for check in CORE_CHECKS if not check.per_capture]
CORE_KEYS = {dg.AssetKey(f"core_portal__{table}") for table in CORE_TABLES}
MART_KEYS = {dg.AssetKey(f"mart_portal__{table}") for table in MART_ASSETS}
PUBLISHED = dg.AssetKey("published_warehouse")


def core_key(table: str) -> dg.AssetKey:
    """The asset key of a core table."""
    return dg.AssetKey(f"core_portal__{table}")


def mart_key(table: str) -> dg.AssetKey:
    """The asset key of a mart table."""
    return dg.AssetKey(f"mart_portal__{table}")


def by_name(checks: list[SqlCheck] | tuple[SqlCheck, ...]) -> list:
    """``checks`` as pytest parameters named after the checks."""
    return [pytest.param(check, id=check.name) for check in checks]


@dataclass(frozen=True)
class Capture:
    """The province capture a per-capture case seeds its violation into."""

    capture_id: str
    root_unit_id: str


# --- the warehouse ------------------------------------------------------------------


def _warehouse(folder: Path) -> WarehouseResource:
    return WarehouseResource(path=str(folder / "dvc766.duckdb"), raw_store_dir=str(folder / "raw"))


@pytest.fixture(scope="module")
def captured(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding a warehouse whose raw layer holds one real capture of the month
    (national ranking and H44, through Dagster and HTTP), core not yet loaded."""
    folder = tmp_path_factory.mktemp("captured")
    warehouse = _warehouse(folder)
    with FakePortal(host="127.0.0.1", port=0, today=date(2026, 11, 23)) as portal:
        result = dg.materialize(
            [raw_portal__captures],
            partition_key=PARTITION,
            resources=resources_for(portal, warehouse),
            run_config={
                "ops": {
                    "raw_portal__captures": {
                        "config": {"today": portal.today.isoformat(), "provinces": [PROVINCE]}
                    }
                }
            },
        )
    assert result.success
    return folder


@pytest.fixture(scope="module")
def derived(captured: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of ``captured`` with core loaded and the marts derived, every check
    passing (the clean baseline each seeded case departs from)."""
    folder = tmp_path_factory.mktemp("derived")
    shutil.copytree(captured, folder, dirs_exist_ok=True)
    result = run_assets(_warehouse(folder), [core_portal, mart_portal])
    assert result.success
    assert failed_checks(result) == {}
    return folder


@pytest.fixture
def raw_only(captured: Path, tmp_path: Path) -> WarehouseResource:
    """This test's copy of the captured warehouse (core not loaded)."""
    shutil.copytree(captured, tmp_path / "w")
    return _warehouse(tmp_path / "w")


@pytest.fixture
def loaded(derived: Path, tmp_path: Path) -> WarehouseResource:
    """This test's copy of the derived warehouse (core and marts in place)."""
    shutil.copytree(derived, tmp_path / "w")
    return _warehouse(tmp_path / "w")


def run_assets(
    warehouse: WarehouseResource, assets: list, *, force: bool = False
) -> dg.ExecuteInProcessResult:
    """Materialize ``assets`` for the month, as a run of the pipeline does."""
    run_config = {"ops": {"core_portal": {"config": {"force": True}}}} if force else None
    return dg.materialize(
        assets,
        partition_key=PARTITION,
        resources={"warehouse": warehouse},
        run_config=run_config,
        raise_on_error=False,
    )


def evaluations(result: dg.ExecuteInProcessResult) -> dict[str, dg.AssetCheckEvaluation]:
    """The check evaluations of a run, by check name."""
    return {e.check_name: e for e in result.get_asset_check_evaluations()}


def offending_rows(evaluation: dg.AssetCheckEvaluation | dg.AssetCheckResult) -> int:
    """The offending rows a check evaluation (or result) reports."""
    value = evaluation.metadata["offending_rows"]
    return value.value if isinstance(value, dg.MetadataValue) else value


def failed_checks(result: dg.ExecuteInProcessResult) -> dict[str, int]:
    """The checks that failed in a run, with their offending rows."""
    return {name: offending_rows(e) for name, e in evaluations(result).items() if not e.passed}


def materialized(result: dg.ExecuteInProcessResult) -> set[dg.AssetKey]:
    """The assets a run materialized."""
    return {event.asset_key for event in result.get_asset_materialization_events()}


def failures(
    con: duckdb.DuckDBPyConnection,
    checks: tuple[SqlCheck, ...],
    key: Callable[[str], dg.AssetKey],
) -> dict[str, int]:
    """The checks that fail on ``con`` with their offending rows, computed by the
    function the assets call (no capture quarantined)."""
    return {
        result.check_name: offending_rows(result)
        for result in run_checks(con, checks, key, quarantined={})
        if not result.passed
    }


@pytest.fixture
def seeded_transaction(loaded: WarehouseResource) -> Iterator[duckdb.DuckDBPyConnection]:
    """A write connection to ``loaded`` inside an open transaction (the test rolls the
    seeded violation back)."""
    with loaded.connect() as con:
        con.execute("BEGIN TRANSACTION")
        yield con


def changed(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> int:
    """Run an INSERT, UPDATE or DELETE; return the number of rows it changed."""
    return int(con.execute(sql, params).fetchone()[0])


def province_capture(con: duckdb.DuckDBPyConnection) -> Capture:
    """The province capture of the month."""
    return Capture(
        *con.execute(
            "SELECT capture_id, root_unit_id FROM raw.captures WHERE scope = 'province'"
        ).fetchone()
    )


def national_capture_id(con: duckdb.DuckDBPyConnection) -> str:
    """The national ranking's capture of the month."""
    return con.execute("SELECT capture_id FROM raw.captures WHERE scope = 'national'").fetchone()[0]


# --- per-capture core checks: seeded before core loads the capture ---------------------


def seed_group_score_twice(con: duckdb.DuckDBPyConnection, _: RawStore, capture: Capture) -> int:
    """The province's own CKMB row of the transparency reply, which the load writes too."""
    sql = """INSERT INTO core.group_scores BY NAME
             SELECT response_id, capture_id, root_unit_id AS unit_id, period_type,
                    period_start, group_code, TRUE AS is_root, captured_at
             FROM raw.responses WHERE capture_id = ? AND endpoint = 'transparency'"""
    assert changed(con, sql, [capture.capture_id]) == 1
    return 1


def seed_sighting_twice(con: duckdb.DuckDBPyConnection, _: RawStore, capture: Capture) -> int:
    """The province's sighting in its transparency reply, which the load writes too."""
    sql = """INSERT INTO core.unit_sightings BY NAME
             SELECT response_id, capture_id, root_unit_id AS unit_id, 'seeded' AS unit_name,
                    'province' AS unit_level, captured_at
             FROM raw.responses WHERE capture_id = ? AND endpoint = 'transparency'"""
    assert changed(con, sql, [capture.capture_id]) == 1
    return 1


def seed_parameter_twice(con: duckdb.DuckDBPyConnection, _: RawStore, capture: Capture) -> int:
    """The province's totalReceived of its dvc-progress-tree reply, which the load writes
    too."""
    sql = """INSERT INTO core.group_parameters BY NAME
             SELECT response_id, capture_id, root_unit_id AS unit_id, period_type,
                    period_start, group_code, 'totalReceived' AS parameter, 1.0 AS value,
                    captured_at
             FROM raw.responses WHERE capture_id = ? AND endpoint = 'dvc-progress-tree'"""
    assert changed(con, sql, [capture.capture_id]) == 1
    return 1


def seed_reported_total_twice(con: duckdb.DuckDBPyConnection, _: RawStore, capture: Capture) -> int:
    """A reported total of the province written twice under its transparency reply."""
    sql = """INSERT INTO core.reported_totals BY NAME
             SELECT response_id, capture_id, root_unit_id AS unit_id, period_type,
                    period_start, 61.89 AS total_score, captured_at
             FROM raw.responses WHERE capture_id = ? AND endpoint = 'transparency'"""
    assert changed(con, sql, [capture.capture_id]) == 1
    assert changed(con, sql, [capture.capture_id]) == 1
    return 1


def seed_metric_twice(con: duckdb.DuckDBPyConnection, store: RawStore, capture: Capture) -> int:
    """The province's first indicator in the transparency reply (its code read from the
    stored reply), which the load writes too."""
    response_id, sha256 = con.execute(
        """SELECT response_id, sha256 FROM raw.responses
           WHERE capture_id = ? AND endpoint = 'transparency'""",
        [capture.capture_id],
    ).fetchone()
    overview = json.loads(store.get(sha256))["data"]["overview"]
    assert overview["departmentId"] == capture.root_unit_id
    sql = """INSERT INTO core.metric_values BY NAME
             SELECT response_id, capture_id, root_unit_id AS unit_id, period_type,
                    period_start, group_code, ? AS metric_code, captured_at
             FROM raw.responses WHERE response_id = ?"""
    assert changed(con, sql, [overview["metrics"][0]["code"], response_id]) == 1
    return 1


# Three scores of maximum 18: above it, below 0, and above it by less than the portal's
# rounding (0.005), which passes.
OUT_OF_RANGE = "(VALUES (1, 18.01), (2, -0.01), (3, 18.004)) AS v(n, score)"


def seed_group_scores_out_of_range(
    con: duckdb.DuckDBPyConnection, _: RawStore, capture: Capture
) -> int:
    """Group scores of three units: 18.01 and -0.01 outside [0, 18], 18.004 within."""
    sql = f"""INSERT INTO core.group_scores BY NAME
              SELECT r.response_id, r.capture_id, 'seeded-' || v.n AS unit_id, r.period_type,
                     r.period_start, r.group_code, v.score, 18 AS max_score,
                     FALSE AS is_root, r.captured_at
              FROM raw.responses AS r, {OUT_OF_RANGE}
              WHERE r.capture_id = ? AND r.endpoint = 'transparency'"""
    assert changed(con, sql, [capture.capture_id]) == 3
    return 2


def seed_metrics_out_of_range(con: duckdb.DuckDBPyConnection, _: RawStore, capture: Capture) -> int:
    """Indicator scores of three units: 18.01 and -0.01 outside [0, 18], 18.004 within."""
    sql = f"""INSERT INTO core.metric_values BY NAME
              SELECT r.response_id, r.capture_id, 'seeded-' || v.n AS unit_id, r.period_type,
                     r.period_start, r.group_code, 'SEEDED' AS metric_code, v.score,
                     18 AS max_score, r.captured_at
              FROM raw.responses AS r, {OUT_OF_RANGE}
              WHERE r.capture_id = ? AND r.endpoint = 'transparency'"""
    assert changed(con, sql, [capture.capture_id]) == 3
    return 2


def seed_rows_without_valid_reply(
    con: duckdb.DuckDBPyConnection, _: RawStore, capture: Capture
) -> int:
    """Two group scores of the capture: one pointing at no stored reply, one at a
    stored reply that failed validation."""
    refused = """INSERT INTO raw.responses
                 SELECT * REPLACE (response_id || ':refused' AS response_id,
                                   'invalid' AS validation, 'seeded' AS validation_error)
                 FROM raw.responses WHERE capture_id = ? AND endpoint = 'transparency'"""
    assert changed(con, refused, [capture.capture_id]) == 1
    orphans = """INSERT INTO core.group_scores BY NAME
                 SELECT r.response_id || s.suffix AS response_id, r.capture_id,
                        'seeded-unit' AS unit_id, r.period_type, r.period_start,
                        r.group_code, FALSE AS is_root, r.captured_at
                 FROM raw.responses AS r, (VALUES (':gone'), (':refused')) AS s(suffix)
                 WHERE r.capture_id = ? AND r.endpoint = 'transparency'
                   AND r.validation = 'valid'"""
    assert changed(con, orphans, [capture.capture_id]) == 2
    return 2


MARK_TRANSPARENCY = """UPDATE raw.responses SET validation = ?
                       WHERE capture_id = ? AND endpoint = 'transparency'"""


def seed_group_not_loaded(con: duckdb.DuckDBPyConnection, _: RawStore, capture: Capture) -> int:
    """The capture stays complete, but its CKMB reply is marked invalid, so core holds
    the province's own scores in five of the six groups the capture fetched."""
    assert changed(con, MARK_TRANSPARENCY, ["invalid", capture.capture_id]) == 1
    return 1


def restore_group(con: duckdb.DuckDBPyConnection, capture: Capture) -> None:
    """Undo :func:`seed_group_not_loaded`."""
    assert changed(con, MARK_TRANSPARENCY, ["valid", capture.capture_id]) == 1


@dataclass(frozen=True)
class CaptureCase:
    """How to seed a per-capture violation (returning the offending rows the check must
    report) and, for a violation kept outside core, how to remove it again (the
    quarantine removes the capture's core rows, seeded ones included)."""

    seed: Callable[[duckdb.DuckDBPyConnection, RawStore, Capture], int]
    remove: Callable[[duckdb.DuckDBPyConnection, Capture], None] | None = None


PER_CAPTURE_CASES: dict[str, CaptureCase] = {
    "unique_group_scores": CaptureCase(seed_group_score_twice),
    "unique_metric_values": CaptureCase(seed_metric_twice),
    "unique_unit_sightings": CaptureCase(seed_sighting_twice),
    "unique_group_parameters": CaptureCase(seed_parameter_twice),
    "unique_reported_totals": CaptureCase(seed_reported_total_twice),
    "scores_within_max": CaptureCase(seed_group_scores_out_of_range),
    "metric_scores_within_max": CaptureCase(seed_metrics_out_of_range),
    "traceable_to_valid_raw": CaptureCase(seed_rows_without_valid_reply),
    "complete_captures_have_their_groups": CaptureCase(seed_group_not_loaded, restore_group),
}


def rows_of_capture(con: duckdb.DuckDBPyConnection, capture_id: str) -> dict[str, int]:
    """Core rows of a capture, per core table."""
    return {
        table: con.execute(
            f"SELECT count(*) FROM core.{table} WHERE capture_id = ?",
            [capture_id],
        ).fetchone()[0]
        for table in CORE_TABLES
        if table != "units"
    }


@pytest.mark.parametrize("check", by_name(PER_CAPTURE))
def test_a_per_capture_check_quarantines_the_capture_it_finds_and_the_run_goes_on(
    raw_only: WarehouseResource, check: SqlCheck
) -> None:
    case = PER_CAPTURE_CASES.get(check.name)
    assert case is not None, f"no seeded violation for the core check {check.name}"
    with raw_only.connect() as con:
        capture = province_capture(con)
        national = national_capture_id(con)
        expected = case.seed(con, raw_only.store(), capture)

    first = run_assets(raw_only, [core_portal, mart_portal, published_warehouse])
    # the check warns and the run goes on: the marts are derived and published
    assert first.success
    assert materialized(first) >= CORE_KEYS | MART_KEYS | {PUBLISHED}
    assert failed_checks(first) == {check.name: expected}
    found = evaluations(first)[check.name]
    assert found.severity == dg.AssetCheckSeverity.WARN
    assert found.metadata["quarantined_captures"].value == 1
    assert found.metadata["capture_ids"].value == capture.capture_id
    plural = "" if expected == 1 else "s"
    with raw_only.connect() as con:
        assert set(rows_of_capture(con, capture.capture_id).values()) == {0}
        assert rows_of_capture(con, national)["group_scores"] > 0
        assert con.execute(
            "SELECT capture_id, endpoint, reason, detail FROM raw.quarantine"
        ).fetchall() == [
            (
                capture.capture_id,
                None,
                check.reason,
                f"core check {check.name}: {expected} offending row{plural}",
            )
        ]
        assert con.execute(
            "SELECT capture_id, check_name, run_id FROM ops.rejected_captures"
        ).fetchall() == [(capture.capture_id, check.name, first.run_id)]
        # the province's units are not in the marts; the national ranking is
        levels = dict(
            con.execute(
                "SELECT unit_level, count(*) FROM mart.unit_period_scores GROUP BY ALL"
            ).fetchall()
        )
        assert levels.keys() == {"province"} and levels["province"] > 1
        if case.remove is not None:
            case.remove(con, capture)

    # the violation removed, the capture loads again (dvc766 rebuild) and passes
    second = run_assets(raw_only, [core_portal], force=True)
    assert second.success
    assert failed_checks(second) == {}
    assert offending_rows(evaluations(second)[check.name]) == 0
    with raw_only.connect() as con:
        assert rows_of_capture(con, capture.capture_id)["group_scores"] > 0
        assert con.execute("SELECT count(*) FROM ops.rejected_captures").fetchone() == (0,)


# --- global core checks: seeded into the loaded core tables ----------------------------


def seed_decomposed_names(con: duckdb.DuckDBPyConnection) -> int:
    """Two units' names in NFD (the same letters, decomposed)."""
    units = con.execute(
        """SELECT unit_id, unit_name FROM core.units
           WHERE unit_name <> strip_accents(unit_name) ORDER BY unit_id LIMIT 2"""
    ).fetchall()
    rename = "UPDATE core.units SET unit_name = ? WHERE unit_id = ?"
    for unit_id, name in units:
        decomposed = unicodedata.normalize("NFD", name)
        assert decomposed != name
        assert changed(con, rename, [decomposed, unit_id]) == 1
    return 2


def seed_duplicate_units(con: duckdb.DuckDBPyConnection) -> int:
    """One unit four times and another twice: two unit ids with more than one row."""
    ids = con.execute("SELECT unit_id FROM core.units ORDER BY unit_id LIMIT 2").fetchall()
    (first,), (second,) = ids
    copy = "INSERT INTO core.units SELECT * FROM core.units WHERE unit_id = ?"
    assert [changed(con, copy, [unit_id]) for unit_id in (first, first, second)] == [1, 2, 1]
    return 2


GLOBAL_CASES: dict[str, Callable[[duckdb.DuckDBPyConnection], int]] = {
    "unit_names_nfc": seed_decomposed_names,
    "unique_units": seed_duplicate_units,
}


@pytest.mark.parametrize("check", by_name(GLOBAL_CORE))
def test_a_global_core_check_fails_on_its_seeded_violation(
    seeded_transaction: duckdb.DuckDBPyConnection, check: SqlCheck
) -> None:
    con = seeded_transaction
    seed = GLOBAL_CASES.get(check.name)
    assert seed is not None, f"no seeded violation for the core check {check.name}"
    assert failures(con, CORE_CHECKS, core_key) == {}
    expected = seed(con)
    assert failures(con, CORE_CHECKS, core_key) == {check.name: expected}
    result = next(
        r
        for r in run_checks(con, CORE_CHECKS, core_key, quarantined={})
        if r.check_name == check.name
    )
    assert result.severity == dg.AssetCheckSeverity.ERROR  # blocks what depends on core
    con.execute("ROLLBACK")
    assert failures(con, CORE_CHECKS, core_key) == {}


def test_a_non_nfc_unit_name_blocks_the_marts_and_the_publication(
    raw_only: WarehouseResource,
) -> None:
    """Through the asset: a sighting whose name is NFD reaches core.units when the
    capture loads; the global check fails, blocks the marts and the publication, and
    quarantines nothing."""
    name = unicodedata.normalize("NFD", "Sở Tư pháp tỉnh Thử nghiệm")
    with raw_only.connect() as con:
        capture = province_capture(con)
        sighting = """INSERT INTO core.unit_sightings BY NAME
                      SELECT response_id, capture_id, 'seeded-unit' AS unit_id,
                             ? AS unit_name, 'department' AS unit_level,
                             root_unit_id AS parent_unit_id, root_unit_id AS province_unit_id,
                             captured_at
                      FROM raw.responses WHERE capture_id = ? AND endpoint = 'transparency'"""
        assert changed(con, sighting, [name, capture.capture_id]) == 1
    assets = [core_portal, mart_portal, published_warehouse]

    blocked = run_assets(raw_only, assets)
    assert not blocked.success
    assert failed_checks(blocked) == {"unit_names_nfc": 1}
    assert evaluations(blocked)["unit_names_nfc"].severity == dg.AssetCheckSeverity.ERROR
    assert materialized(blocked) == CORE_KEYS  # neither the marts nor the publication
    assert not published_path(raw_only.path).exists()
    with raw_only.connect() as con:
        assert rows_of_capture(con, capture.capture_id)["group_scores"] > 0  # not quarantined
        assert con.execute("SELECT count(*) FROM raw.quarantine").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM ops.rejected_captures").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM mart.unit_period_scores").fetchone() == (0,)
        assert changed(con, "DELETE FROM core.unit_sightings WHERE unit_id = 'seeded-unit'") == 1

    unblocked = run_assets(raw_only, assets)
    assert unblocked.success
    assert failed_checks(unblocked) == {}
    assert materialized(unblocked) >= CORE_KEYS | MART_KEYS | {PUBLISHED}
    assert published_path(raw_only.path).exists()


# --- mart checks: seeded into the derived marts ----------------------------------------


def nth_unit(con: duckdb.DuckDBPyConnection, n: int, where: str = "TRUE") -> str:
    """The ``n``-th unit id (from 0, in id order) of mart.unit_period_scores meeting
    ``where`` (a fixed condition of this module)."""
    return con.execute(
        f"SELECT unit_id FROM mart.unit_period_scores WHERE {where} "
        "ORDER BY unit_id LIMIT 1 OFFSET ?",
        [n],
    ).fetchone()[0]


def seed_total_over_100(con: duckdb.DuckDBPyConnection) -> int:
    """An excellent unit first in its cohort has its total raised to 100.5 (still in its
    band, [90, 1000), and still first: only the bound is broken)."""
    unit = nth_unit(con, 0, "band_code = 'XUAT_SAC' AND rank = 1")
    sql = "UPDATE mart.unit_period_scores SET total_score = 100.5 WHERE unit_id = ?"
    assert changed(con, sql, [unit]) == 1
    return 1


def seed_groups_out_of_range(con: duckdb.DuckDBPyConnection) -> int:
    """One unit's CKMB above its maximum, another's MDSH below 0, a third's TTTT above
    its maximum by less than the portal's rounding (which passes); in the named column and
    in group_scores, which the check reads."""
    set_to = """UPDATE mart.unit_period_scores AS s
                SET {column} = {value},
                    group_scores = map_concat(
                        group_scores, map([g.group_code], [({value})::DOUBLE]))
                FROM methodology.groups AS g
                WHERE g.version_id = s.methodology_version AND g.group_code = ?
                  AND s.unit_id = ?"""
    for n, column, value in (
        (0, "ckmb", "g.max_score + 0.5"),
        (1, "mdsh", "-0.25"),
        (2, "tttt", "g.max_score + 0.004"),
    ):
        sql = set_to.format(column=column, value=value)
        assert changed(con, sql, [column.upper(), nth_unit(con, n)]) == 1
    return 2


def seed_unit_period_twice(con: duckdb.DuckDBPyConnection) -> int:
    """A second row of one unit and period, without a total (so no rank and no band)."""
    sql = """INSERT INTO mart.unit_period_scores
             SELECT * REPLACE (NULL AS total_score, NULL AS band, NULL AS band_code,
                               NULL AS rank, NULL AS cohort_size, 'no_total' AS rank_null_reason)
             FROM mart.unit_period_scores WHERE unit_id = ?"""
    assert changed(con, sql, [nth_unit(con, 0)]) == 1
    return 1


def seed_ranks_out_of_cohort(con: duckdb.DuckDBPyConnection) -> int:
    """A rank past the cohort size, a rank 0, and a group score without a rank."""
    past = "UPDATE mart.unit_period_scores SET rank = cohort_size + 1 WHERE unit_id = ?"
    zero = "UPDATE mart.unit_period_scores SET rank = 0 WHERE unit_id = ?"
    unranked = """UPDATE mart.group_ranks SET rank = NULL
                  WHERE unit_id = ? AND group_code = 'CKMB' AND score IS NOT NULL"""
    assert changed(con, past, [nth_unit(con, 0)]) == 1
    assert changed(con, zero, [nth_unit(con, 1)]) == 1
    assert changed(con, unranked, [nth_unit(con, 2)]) == 1
    # the best and the worst province swap ranks: both within bounds, both wrong
    best, worst = con.execute(
        """SELECT arg_min(unit_id, rank), arg_max(unit_id, rank) FROM mart.unit_period_scores
           WHERE unit_level = 'province' AND rank > 1 AND rank < cohort_size"""
    ).fetchone()
    swap = """UPDATE mart.unit_period_scores SET rank = CASE unit_id
                  WHEN $1 THEN (SELECT rank FROM mart.unit_period_scores WHERE unit_id = $2
                                AND unit_level = 'province')
                  ELSE (SELECT rank FROM mart.unit_period_scores WHERE unit_id = $1
                        AND unit_level = 'province') END
              WHERE unit_id IN ($1, $2) AND unit_level = 'province'"""
    assert changed(con, swap, [best, worst]) == 2
    return 5


def seed_wrong_bands(con: duckdb.DuckDBPyConnection) -> int:
    """One unit's band code and name moved to Yếu, another's name only."""
    banded = "band_code IS NOT NULL AND band_code <> 'YEU'"
    both = "UPDATE mart.unit_period_scores SET band_code = 'YEU', band = 'Yếu' WHERE unit_id = ?"
    name = "UPDATE mart.unit_period_scores SET band = 'Yếu' WHERE unit_id = ?"
    assert changed(con, both, [nth_unit(con, 0, banded)]) == 1
    assert changed(con, name, [nth_unit(con, 1, banded)]) == 1
    return 2


def seed_changes_out_of_step(con: duckdb.DuckDBPyConnection) -> int:
    """One unit's change row twice, and another unit's change row missing."""
    twice = "INSERT INTO mart.score_changes SELECT * FROM mart.score_changes WHERE unit_id = ?"
    missing = "DELETE FROM mart.score_changes WHERE unit_id = ?"
    assert changed(con, twice, [nth_unit(con, 0)]) == 1
    assert changed(con, missing, [nth_unit(con, 1)]) == 1
    return 2


def seed_band_counts_off(con: duckdb.DuckDBPyConnection) -> int:
    """The national provinces' count of one band one too many, and one band missing
    from the province's department counts."""
    extra = """UPDATE mart.band_counts SET unit_count = unit_count + 1
               WHERE unit_level = 'province' AND parent_unit_id IS NULL
                 AND band_code = 'XUAT_SAC'"""
    gone = """DELETE FROM mart.band_counts
              WHERE unit_level = 'department' AND parent_unit_id IS NOT NULL
                AND band_code = 'YEU'"""
    assert changed(con, extra) == 1
    assert changed(con, gone) == 1
    return 2


def seed_revisions_off(con: duckdb.DuckDBPyConnection) -> int:
    """One key's last revision no longer its current value, and a revision of a unit
    the marts do not hold."""
    stale = """UPDATE mart.revisions SET value = value + 1
               WHERE unit_id = ? AND group_code = 'CKMB' AND value IS NOT NULL"""
    stray = """INSERT INTO mart.revisions
               SELECT * REPLACE ('seeded-unit' AS unit_id)
               FROM mart.revisions WHERE unit_id = ? AND group_code = 'CKMB'"""
    assert changed(con, stale, [nth_unit(con, 0)]) == 1
    assert changed(con, stray, [nth_unit(con, 1)]) == 1
    return 2


MART_CASES: dict[str, Callable[[duckdb.DuckDBPyConnection], int]] = {
    "total_within_100": seed_total_over_100,
    "groups_within_max": seed_groups_out_of_range,
    "unique_unit_period": seed_unit_period_twice,
    "rank_within_cohort": seed_ranks_out_of_cohort,
    "band_matches_total": seed_wrong_bands,
    "unique_unit_period_changes": seed_changes_out_of_step,
    "band_counts_sum_to_cohort": seed_band_counts_off,
    "revisions_end_at_current": seed_revisions_off,
}


@pytest.mark.parametrize("check", by_name(MART_CHECKS))
def test_a_mart_check_fails_on_its_seeded_violation(
    seeded_transaction: duckdb.DuckDBPyConnection, check: SqlCheck
) -> None:
    con = seeded_transaction
    seed = MART_CASES.get(check.name)
    assert seed is not None, f"no seeded violation for the mart check {check.name}"
    assert failures(con, MART_CHECKS, mart_key) == {}
    expected = seed(con)
    assert failures(con, MART_CHECKS, mart_key) == {check.name: expected}
    con.execute("ROLLBACK")
    assert failures(con, MART_CHECKS, mart_key) == {}


def test_a_failing_mart_check_blocks_the_publication(loaded: WarehouseResource) -> None:
    """Through the asset: a core score above its maximum (written after the core checks
    ran) gives a mart group score above it; the check fails the run and nothing is
    published."""
    with loaded.connect() as con:
        unit, before = con.execute(
            """SELECT unit_id, score FROM core.group_scores
               WHERE group_code = 'CKMB' AND score IS NOT NULL AND NOT is_root
               ORDER BY unit_id LIMIT 1"""
        ).fetchone()
        over = "UPDATE core.group_scores SET score = ? WHERE unit_id = ? AND group_code = 'CKMB'"
        assert changed(con, over, [before + 20, unit]) == 1
    assets = [mart_portal, published_warehouse]

    blocked = run_assets(loaded, assets)
    assert not blocked.success
    assert failed_checks(blocked) == {"groups_within_max": 1}
    assert evaluations(blocked)["groups_within_max"].severity == dg.AssetCheckSeverity.ERROR
    assert PUBLISHED not in materialized(blocked)
    assert not published_path(loaded.path).exists()
    with loaded.connect() as con:
        assert changed(con, over, [before, unit]) == 1

    unblocked = run_assets(loaded, assets)
    assert unblocked.success
    assert PUBLISHED in materialized(unblocked)
    assert published_path(loaded.path).exists()


def test_every_sql_check_is_declared_blocking() -> None:
    specs = [*core_portal.check_specs, *mart_portal.check_specs]
    assert {spec.name for spec in specs} == {c.name for c in (*CORE_CHECKS, *MART_CHECKS)}
    assert all(spec.blocking for spec in specs)


def test_every_check_has_a_seeded_violation() -> None:
    assert {check.name for check in PER_CAPTURE} == set(PER_CAPTURE_CASES)
    assert {check.name for check in GLOBAL_CORE} == set(GLOBAL_CASES)
    assert {check.name for check in MART_CHECKS} == set(MART_CASES)
    assert len(CORE_CHECKS) + len(MART_CHECKS) == 19
