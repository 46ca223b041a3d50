"""The raw store is verified whenever it is read: an altered or missing reply is named and
nothing is derived from it; the right bytes arriving again repair it. And validation
decides on exactly what is loaded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import dagster as dg
import pytest

from fake_portal.server import FakePortal
from pipelines.assets.core import core_portal
from pipelines.assets.raw import raw_portal__captures
from pipelines.resources import WarehouseResource
from pipelines.sources.decode import decode_json
from pipelines.sources.portal.endpoints import GROUP_ENDPOINTS
from pipelines.sources.registry import PORTAL
from tests.conftest import PHU_THO, SAMPLES
from tests.helpers import materialize, province_id, resources_for
from warehouse.manifest import record_capture
from warehouse.periods import Period
from warehouse.records import CaptureBundle, FetchedReply, InvalidReply, Reply

MONTH = "2026-10"


def _core_only(warehouse: WarehouseResource) -> dg.ExecuteInProcessResult:
    return dg.materialize(
        [core_portal],
        partition_key=f"{MONTH}-01",
        resources={"warehouse": warehouse},
        raise_on_error=False,
    )


def _stored_reply(warehouse: WarehouseResource, endpoint: str) -> tuple[str, Path]:
    with warehouse.connect() as con:
        sha = con.execute(
            "SELECT sha256 FROM raw.responses WHERE endpoint = ? LIMIT 1",
            [endpoint],
        ).fetchone()[0]
    return sha, warehouse.store().path_for(sha)


@pytest.mark.integration
@pytest.mark.parametrize("damage", ["altered", "missing"])
def test_a_damaged_reply_is_named_never_loaded_and_repaired_by_the_right_bytes(
    portal: FakePortal, warehouse: WarehouseResource, damage: str
) -> None:
    code = "H44"
    raw_only = dg.materialize(
        [raw_portal__captures],
        partition_key=f"{MONTH}-01",
        resources=resources_for(portal, warehouse),
        run_config={
            "ops": {
                "raw_portal__captures": {
                    "config": {"today": portal.today.isoformat(), "provinces": [code]}
                }
            }
        },
    )
    assert raw_only.success
    sha, path = _stored_reply(warehouse, "transparency")
    path.chmod(0o644)
    if damage == "missing":
        path.unlink()
    else:
        path.write_bytes(path.read_bytes().replace(b'"totalScore":', b'"totalScore":9', 1))

    _core_only(warehouse)
    with warehouse.connect() as con:
        faults = con.execute("SELECT blob_path, fault FROM ops.raw_store_faults").fetchall()
        loaded = con.execute(
            """SELECT count(*) FROM core.group_scores AS g JOIN raw.captures AS c
               USING (capture_id) WHERE c.scope = 'province'"""
        ).fetchone()[0]
    assert faults == [
        (
            warehouse.store().relative_path_for(sha),
            "missing" if damage == "missing" else "hash_mismatch",
        )
    ]
    assert loaded == 0  # nothing of the capture whose reply cannot be verified

    # the nightly re-capture brings the same bytes: the stored copy is repaired, and the
    # capture (unchanged, so not recorded again) is loaded
    again = materialize(portal, warehouse, MONTH, [code])
    assert again.success
    assert warehouse.store().get(sha)
    with warehouse.connect() as con:
        province = province_id(portal, code)
        groups = con.execute(
            """SELECT count(DISTINCT group_code) FROM core.current_group_scores
               WHERE unit_id = ? AND is_root AND scope = 'province'""",
            [province],
        ).fetchone()[0]
    assert groups == 6


def _bundle(content: bytes, endpoint_name: str = "transparency") -> CaptureBundle:
    endpoint = next(e for e in GROUP_ENDPOINTS if e.name == endpoint_name)
    period = Period.year_of(date(2026, 1, 1))
    bundle = CaptureBundle(PORTAL.id, "province", period, PHU_THO, (endpoint,))
    reply = Reply("http://127.0.0.1/x", {}, 201, "application/json", content, datetime.now(UTC))
    bundle.fetched.append(FetchedReply(endpoint, {}, reply))
    return bundle


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (b'{"a": 1, "a": 2}', "key written twice in one object"),
        (b'{"a": NaN}', "non-finite number"),
        (b'{"a": -Infinity}', "non-finite number"),
        (b'{"a": 1e999}', "non-finite number"),
        (b'{"a": 123456789012345678901234567890}', "integer out of range"),
        (b'{"a": "\xff"}', "body is not UTF-8"),
        (b'{"a": [1, {"b": 1, "b": 1}]}', "key written twice in one object"),
    ],
)
def test_the_decoder_refuses_what_parsers_read_differently(text: bytes, reason: str) -> None:
    with pytest.raises(InvalidReply) as refused:
        decode_json(text)
    assert refused.value.reason == reason


def test_a_unit_known_under_another_province_is_refused(
    tmp_path: Path, warehouse: WarehouseResource
) -> None:
    """A unit the warehouse knows as another province's, listed without a code in a
    reply for Phú Thọ, is refused (the reply would move it here for every period)."""
    content = (SAMPLES / "2026" / "transparency.json").read_bytes()
    child = decode_json(content)["data"]["evaluation"][0]["departmentId"]
    with warehouse.connect() as con:
        con.execute(
            """INSERT INTO core.units (unit_id, unit_code, unit_name, unit_level,
                                       province_unit_id, first_seen_at, last_seen_at)
               VALUES (?, 'H01.05', 'Sở X', 'department', 'another-province', now(), now())""",
            [child],
        )
        record = record_capture(
            con,
            warehouse.store(),
            _bundle(content),
            PORTAL,
            partition_month=date(2026, 9, 1),
            run_id="t",
        )
        reason = con.execute("SELECT reason FROM raw.quarantine").fetchall()
    assert record.status == "incomplete"
    assert reason == [("unit of another root in the reply",)]


def test_the_real_reply_passes_validation(warehouse: WarehouseResource) -> None:
    content = (SAMPLES / "2026" / "transparency.json").read_bytes()
    with warehouse.connect() as con:
        good = record_capture(
            con,
            warehouse.store(),
            _bundle(content),
            PORTAL,
            partition_month=date(2026, 9, 1),
            run_id="t",
        )
    assert good.status == "complete"


@pytest.mark.integration
def test_rebuild_names_a_damaged_file_and_publishes_nothing_derived_from_it(
    cli_env: Path, portal: FakePortal
) -> None:
    from typer.testing import CliRunner

    from pipelines.cli import app
    from warehouse.publish import published_path
    from warehouse.raw_store import RawStore

    runner = CliRunner()
    first = runner.invoke(app, ["capture", "--period", MONTH, "--province", "H44"])
    assert first.exit_code == 0, first.output
    province = province_id(portal, "H44")
    published = published_path(cli_env / "w.duckdb")

    def province_groups(scope: str = "province") -> int:
        import duckdb

        with duckdb.connect(str(published), read_only=True) as con:
            return con.execute(
                """SELECT count(*) FROM core.current_group_scores
                   WHERE unit_id = ? AND scope = ?""",
                [province, scope],
            ).fetchone()[0]

    assert province_groups() == 6
    store = RawStore(cli_env / "raw")
    import duckdb

    with duckdb.connect(str(cli_env / "w.duckdb"), read_only=True) as con:
        sha = con.execute(
            "SELECT sha256 FROM raw.responses WHERE endpoint = 'dossier-digitized'"
        ).fetchone()[0]
    path = store.path_for(sha)
    path.chmod(0o644)
    path.write_bytes(path.read_bytes()[:-10] + b"9999999999")

    broken = runner.invoke(app, ["rebuild"])
    assert broken.exit_code == 1, broken.output
    assert store.relative_path_for(sha) in broken.output
    # nothing of the capture whose reply cannot be verified is published; the national
    # ranking, another capture, still is
    assert province_groups() == 0
    assert province_groups("national") == 6

    repaired = runner.invoke(app, ["capture", "--period", MONTH, "--province", "H44"])
    assert repaired.exit_code == 0, repaired.output
    assert store.get(sha)
    assert runner.invoke(app, ["rebuild"]).exit_code == 0
    assert province_groups() == 6
