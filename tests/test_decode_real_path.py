"""The strict decoder through the real path (``dvc766 capture`` against the real
replies of Phú Thọ served over loopback, a real Dagster run, a real DuckDB file): an
integer beyond 2**53 is still quarantined, and a long number inside a string still
decodes and is published."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from tests.conftest import PHU_THO
from tests.sample_portal import Answer, SamplePortal, running
from warehouse.publish import published_path

pytestmark = pytest.mark.integration


@pytest.fixture
def env(sample_env: Path) -> Path:
    """A fresh user's environment for the real replies (``sample_env``)."""
    return sample_env


def _capture(env: Path, mangle: object) -> tuple[int, duckdb.DuckDBPyConnection]:
    """Capture Phú Thọ 2026 with ``mangle`` applied to the transparency reply's bytes."""

    def defect(asked: str, body: dict, answer: Answer) -> Answer:
        if asked != "transparency":
            return answer
        text = json.dumps(json.loads(answer.body), ensure_ascii=False, separators=(", ", ": "))
        mangled = mangle(text.encode("utf-8"))  # type: ignore[operator]
        assert mangled != text.encode("utf-8")
        return Answer(answer.status, mangled)

    with running(SamplePortal(defect)) as portal:
        result = CliRunner().invoke(
            app, ["capture", "--period", "2026", "--province", "H44", "--portal-url", portal.url]
        )
    con = duckdb.connect(str(published_path(env / "w.duckdb")), read_only=True)
    return result.exit_code, con


def test_an_integer_beyond_2_53_is_quarantined(env: Path) -> None:
    exit_code, con = _capture(
        env,
        lambda body: body.replace(b'"denominator": 89', b'"denominator": 9007199254740993', 1),
    )
    with con:
        quarantined = con.execute("SELECT endpoint, reason FROM raw.quarantine").fetchall()
        loaded = con.execute(
            """SELECT count(*) FROM core.group_scores WHERE response_id IN
               (SELECT response_id FROM raw.responses WHERE endpoint = 'transparency')"""
        ).fetchone()[0]
    assert exit_code == 1
    assert quarantined == [("transparency", "integer out of range")]
    assert loaded == 0


def test_a_long_number_inside_a_string_still_decodes_and_is_published(env: Path) -> None:
    name = "UBND tỉnh Phú Thọ, 12345678901234567890"  # digits in a string are text
    exit_code, con = _capture(
        env,
        lambda body: body.replace(
            b'"departmentName": "UBND t\xe1\xbb\x89nh Ph\xc3\xba Th\xe1\xbb\x8d"',
            f'"departmentName": "{name}"'.encode(),
            1,
        ),
    )
    with con:
        quarantined = con.execute("SELECT count(*) FROM raw.quarantine").fetchone()[0]
        names = con.execute(
            """SELECT DISTINCT r.validation FROM raw.responses AS r
               WHERE r.endpoint = 'transparency'"""
        ).fetchall()
        root = con.execute(
            """SELECT score FROM core.group_scores
               WHERE unit_id = ? AND group_code = 'CKMB' AND is_root""",
            [PHU_THO],
        ).fetchall()
    assert exit_code == 0
    assert quarantined == 0
    assert names == [("valid",)]
    assert root == [(7.96,)]
