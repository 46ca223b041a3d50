"""The portal is wrong: the real replies of Phú Thọ (2026) with one defect each, served
over loopback and captured through the real path (the ``dvc766 capture`` command, a real
Dagster run, a real DuckDB file). Each test asserts the exit code and what the published
file holds: a defective reply never reaches it, and what was good still does."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from typer.testing import CliRunner

from pipelines.cli import app
from pipelines.sources.portal.endpoints import GROUP_ENDPOINTS
from tests.conftest import PHU_THO
from tests.sample_portal import Answer, SamplePortal, encode, running
from warehouse.publish import published_path

pytestmark = pytest.mark.integration

PHU_THO_2026 = 61.89  # the portal's total for Phú Thọ, year 2026, in the samples
CHILDREN = 163

GROUP_PATHS = [endpoint.path.rsplit("/", 1)[-1] for endpoint in GROUP_ENDPOINTS]
"""The province endpoints as the sample portal logs them, in fetch order."""


@pytest.fixture
def env(sample_env: Path) -> Path:
    """A fresh user's environment for the real replies (``sample_env``)."""
    return sample_env


def capture(portal_url: str) -> Any:
    """``dvc766 capture --period 2026 --province H44`` against ``portal_url``."""
    return CliRunner().invoke(
        app, ["capture", "--period", "2026", "--province", "H44", "--portal-url", portal_url]
    )


@pytest.fixture
def published(env: Path) -> Iterator[Any]:
    """A function opening the published file read-only."""

    def open_published() -> duckdb.DuckDBPyConnection:
        return duckdb.connect(str(published_path(env / "w.duckdb")), read_only=True)

    yield open_published


def province_total(con: duckdb.DuckDBPyConnection) -> float | None:
    rows = con.execute(
        """SELECT total_score FROM mart.unit_period_scores
           WHERE unit_id = ? AND period_type = 'year' AND period_start = DATE '2026-01-01'""",
        [PHU_THO],
    ).fetchall()
    return rows[0][0] if rows else None


def children_scored(con: duckdb.DuckDBPyConnection, group: str) -> int:
    return con.execute(
        """SELECT count(DISTINCT unit_id) FROM core.current_group_scores
           WHERE group_code = ? AND NOT is_root AND scope = 'province'
             AND period_type = 'year'""",
        [group],
    ).fetchone()[0]


def quarantined(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    return con.execute("SELECT endpoint, reason FROM raw.quarantine ORDER BY ALL").fetchall()


def edit(endpoint: str, change: Any) -> Any:
    """A defect applying ``change(document)`` to the replies of ``endpoint``."""

    def defect(asked: str, body: dict, answer: Answer) -> Answer:
        if asked != endpoint:
            return answer
        document = json.loads(answer.body)
        change(document)
        return Answer(answer.status, encode(document))

    return defect


def test_the_good_portal_publishes_the_real_figures(env: Path, published: Any) -> None:
    with running(SamplePortal()) as portal:
        result = capture(portal.url)
    assert result.exit_code == 0, result.output
    with published() as con:
        assert province_total(con) == pytest.approx(PHU_THO_2026)
        assert children_scored(con, "CKMB") == CHILDREN
        assert quarantined(con) == []


def test_score_over_its_maximum_is_quarantined_and_never_published(
    env: Path, published: Any
) -> None:
    def over(document: dict) -> None:
        document["data"]["evaluation"][5]["totalScore"] = 19.5  # CKMB's maximum is 18

    with running(SamplePortal(edit("transparency", over))) as portal:
        result = capture(portal.url)
    assert result.exit_code == 1, result.output
    with published() as con:
        assert ("transparency", "score above its maximum") in quarantined(con)
        over_max = con.execute(
            "SELECT count(*) FROM core.group_scores WHERE group_code = 'CKMB' AND score > 18"
        ).fetchone()[0]
        assert over_max == 0
        assert children_scored(con, "CKMB") == 0  # the incomplete capture is not current
        assert children_scored(con, "TDGQ") == 0


def test_indicator_over_its_methodology_maximum_is_quarantined(env: Path, published: Any) -> None:
    def over(document: dict) -> None:
        metric = document["data"]["evaluation"][0]["metrics"][0]
        metric["score"], metric["maxScore"] = 7.5, 7.5  # PUBLISH_ON_TIME: 6 in the table

    with running(SamplePortal(edit("transparency", over))) as portal:
        result = capture(portal.url)
    assert result.exit_code == 1
    with published() as con:
        assert ("transparency", "score above its maximum") in quarantined(con)


@pytest.mark.parametrize(
    ("name", "mangle", "reason"),
    [
        (
            "nan",
            lambda body: body.replace(b'"totalScore": 7.96', b'"totalScore": NaN', 1),
            "non-finite number",
        ),
        (
            "huge",
            lambda body: body.replace(b'"totalScore": 7.96', b'"totalScore": 1e400', 1),
            "non-finite number",
        ),
        (
            "duplicate key",
            # Python keeps the last departmentId, DuckDB could load the first: refused.
            lambda body: body.replace(
                b'"departmentId": "' + PHU_THO.encode(),
                b'"departmentId": "019d2be3-6a84-779d-b3e7-e214bdb86482", "departmentId": "'
                + PHU_THO.encode(),
                1,
            ),
            "key written twice in one object",
        ),
    ],
)
def test_replies_two_parsers_could_read_differently_are_refused(
    env: Path, published: Any, name: str, mangle: Any, reason: str
) -> None:
    def defect(asked: str, body: dict, answer: Answer) -> Answer:
        if asked != "transparency":
            return answer
        text = json.dumps(json.loads(answer.body), ensure_ascii=False, separators=(", ", ": "))
        mangled = mangle(text.encode("utf-8"))
        assert mangled != text.encode("utf-8"), name
        return Answer(answer.status, mangled)

    with running(SamplePortal(defect)) as portal:
        result = capture(portal.url)
    assert result.exit_code == 1
    with published() as con:
        assert ("transparency", reason) in quarantined(con)
        # nothing of another province and no non-finite number reached core
        assert (
            con.execute(
                "SELECT count(*) FROM core.group_scores WHERE NOT isfinite(score)"
            ).fetchone()[0]
            == 0
        )
        assert (
            con.execute(
                """SELECT count(*) FROM core.unit_sightings
               WHERE unit_id = '019d2be3-6a84-779d-b3e7-e214bdb86482'
                 AND province_unit_id = ?""",
                [PHU_THO],
            ).fetchone()[0]
            == 0
        )


def test_a_unit_of_another_province_is_refused(env: Path, published: Any) -> None:
    def alien(document: dict) -> None:
        child = document["data"]["children"][3]
        child["departmentCode"] = "H01.07"  # An Giang's, in Phú Thọ's reply

    with running(SamplePortal(edit("dvc-progress-tree", alien))) as portal:
        result = capture(portal.url)
    assert result.exit_code == 1
    with published() as con:
        reasons = quarantined(con)
        assert ("dvc-progress-tree", "unit of another root in the reply") in reasons
        # replies that list the unit without a code cannot vouch for it either; replies
        # that code it under Phú Thọ stand
        assert {endpoint for endpoint, _ in reasons} == {
            "dvc-progress-tree",
            "transparency",
            "handling-satisfaction",
        }


def test_an_empty_unit_list_where_the_province_has_units_is_refused(
    env: Path, published: Any
) -> None:
    def empty(document: dict) -> None:
        document["data"]["evaluation"] = []
        document["data"]["pagination"]["total"] = 0

    with running(SamplePortal(edit("dossier-digitized", empty))) as portal:
        result = capture(portal.url)
    assert result.exit_code == 1
    with published() as con:
        assert ("dossier-digitized", "empty unit list") in quarantined(con)
        assert children_scored(con, "MDSH") == 0


def test_every_page_is_fetched_and_merged(env: Path, published: Any) -> None:
    with running(SamplePortal(page_size_cap=100)) as portal:
        result = capture(portal.url)
        pages = [
            body["currentPage"] for endpoint, body in portal.requests if endpoint == "transparency"
        ]
        asked = [
            (endpoint, body.get("currentPage", 1))
            for endpoint, body in portal.requests
            if endpoint in GROUP_PATHS
        ]
    assert result.exit_code == 0, result.output
    assert pages == [1, 2]
    # the province's first pages come first, in endpoint order (each page count is read
    # on a helper thread meanwhile), then the further pages the first pages announced
    first, further = asked[: len(GROUP_PATHS)], asked[len(GROUP_PATHS) :]
    assert first == [(path, 1) for path in GROUP_PATHS]
    assert ("transparency", 2) in further
    assert further == sorted(further, key=lambda asked: (GROUP_PATHS.index(asked[0]), asked[1]))
    assert all(page >= 2 for _, page in further)
    with published() as con:
        assert children_scored(con, "CKMB") == CHILDREN
        assert children_scored(con, "MDHL") == CHILDREN
        assert province_total(con) == pytest.approx(PHU_THO_2026)
        stored = con.execute(
            "SELECT page FROM raw.responses WHERE endpoint = 'transparency' ORDER BY page"
        ).fetchall()
        assert stored == [(1,), (2,)]


def test_a_missing_page_leaves_the_capture_incomplete(env: Path, published: Any) -> None:
    def no_second_page(endpoint: str, body: dict, answer: Answer) -> Answer:
        if endpoint == "transparency" and body.get("currentPage") == 2:
            return Answer(500, b'{"code": "ERROR"}')
        return answer

    with running(SamplePortal(no_second_page, page_size_cap=100)) as portal:
        result = capture(portal.url)
    assert result.exit_code == 1
    with published() as con:
        status = con.execute(
            "SELECT status, reason FROM raw.captures WHERE scope = 'province'"
        ).fetchall()
        assert status[0][0] == "incomplete" and "trang 2" in status[0][1]
        assert children_scored(con, "CKMB") == 0


def test_a_reply_dripping_one_byte_a_second_cannot_hang_the_capture(
    env: Path, published: Any
) -> None:
    def drip(endpoint: str, body: dict, answer: Answer) -> Answer:
        if endpoint == "provide-online-tree":
            return Answer(answer.status, answer.body, drip_bytes_per_s=5)
        return answer

    with running(SamplePortal(drip)) as portal:
        result = capture(portal.url)
    assert result.exit_code == 1
    with published() as con:
        reason = con.execute("SELECT reason FROM raw.captures WHERE scope = 'province'").fetchone()[
            0
        ]
        assert re.search(r"provide-online-tree: .*deadline", reason), reason
        assert children_scored(con, "CLGQ") == 0


def test_a_dead_portal_after_a_good_capture_is_a_failure(env: Path, published: Any) -> None:
    with running(SamplePortal()) as portal:
        assert capture(portal.url).exit_code == 0
    result = capture("http://127.0.0.1:9")
    assert result.exit_code == 1, result.output
    assert "hoàn tất" not in result.output
    with published() as con:  # the earlier, good capture is still what is published
        assert province_total(con) == pytest.approx(PHU_THO_2026)
        assert children_scored(con, "CKMB") == CHILDREN


# --- values the loader would read differently from the reply ---------------------------------


def _twin_of_phu_tho(document: dict) -> None:
    """Phú Thọ listed again, same code and name, under a new id."""
    items = document["data"]["evaluation"]
    (phu_tho,) = [item for item in items if item["departmentId"] == PHU_THO]
    items.append({**phu_tho, "departmentId": "019d2be3-0000-7000-8000-000000000001"})


def _first_child(endpoint_key: str, **fields: Any) -> Any:
    def change(document: dict) -> None:
        document["data"][endpoint_key][0].update(fields)

    return change


def _three_departments_typed_as_provinces(document: dict) -> None:
    departments = [
        unit
        for unit in document["data"]["evaluation"]
        if unit.get("departmentType") == "PROVINCIAL_DEPARTMENT"
    ]
    for unit in departments[:3]:
        unit["departmentType"] = "PROVINCE"


def _national_field(**fields: Any) -> Any:
    def change(document: dict) -> None:
        items = document["data"]["evaluation"]
        (phu_tho,) = [item for item in items if item["departmentId"] == PHU_THO]
        phu_tho.update(fields)

    return change


@pytest.mark.parametrize(
    ("endpoint", "change", "reason"),
    [
        # the same province twice under two ids would take over its identity (every
        # later total of Phú Thọ counted twice)
        ("service-results", _twin_of_phu_tho, "unit code appears more than once"),
        # from_json reads true as rank 1, "nan" as NaN, "Infinity" as inf
        ("service-results", _national_field(stt=True), "field 'stt' is not a whole number"),
        ("service-results", _national_field(stt=0), "rank (stt) below 1"),
        ("service-results", _national_field(ratio="nan"), "field 'ratio' is not a number"),
        (
            "dvc-progress-tree",
            _first_child("children", totalReceived="Infinity"),
            "field 'totalReceived' is not a number",
        ),
        # a department read as a province: 37 provinces in the band counts
        (
            "transparency",
            _three_departments_typed_as_provinces,
            "a unit under the province is typed as a province",
        ),
        # "metrics": 1 crashed the validator, and the whole capture with it
        (
            "provide-online-tree",
            _first_child("children", metrics=1),
            "field 'metrics' is not a list",
        ),
    ],
)
def test_a_value_the_loader_would_read_otherwise_is_quarantined(
    env: Path, published: Any, endpoint: str, change: Any, reason: str
) -> None:
    with running(SamplePortal()) as portal:  # a good night first
        assert capture(portal.url).exit_code == 0
    with running(SamplePortal(edit(endpoint, change))) as portal:
        result = capture(portal.url)
    assert result.exit_code == 1, result.output
    with duckdb.connect(str(env / "w.duckdb"), read_only=True) as con:
        assert (endpoint, reason) in quarantined(con)
    with published() as con:
        # what is published is what the good replies say, and nothing of the bad one
        provinces = con.execute(
            """SELECT count(*), count(DISTINCT unit_code) FROM mart.unit_period_scores
               WHERE unit_level = 'province' AND period_type = 'year'"""
        ).fetchone()
        assert provinces == (34, 34)
        assert con.execute(
            "SELECT count(*) FROM core.unit_identities WHERE unit_id LIKE '019d2be3-0000-%'"
        ).fetchone() == (0,)
        assert con.execute(
            """SELECT count(*) FROM core.reported_totals
               WHERE NOT isfinite(score_delta) OR NOT isfinite(ratio) OR reported_rank < 1"""
        ).fetchone() == (0,)
        assert province_total(con) == pytest.approx(PHU_THO_2026)


@pytest.mark.parametrize("total_pages", ["2", 2.0, True, 0])
def test_a_page_count_that_is_not_a_whole_number_leaves_the_capture_incomplete(
    env: Path, published: Any, total_pages: Any
) -> None:
    """A count of 2.0 made the capture read one page of two and call it complete (63 of
    163 units lost silently); "2" crashed the capture before anything was recorded."""

    def count(endpoint: str, body: dict, answer: Answer) -> Answer:
        if endpoint != "transparency":
            return answer
        document = json.loads(answer.body)
        document["data"]["pagination"]["totalPages"] = total_pages
        return Answer(answer.status, encode(document))

    with running(SamplePortal(count, page_size_cap=100)) as portal:
        result = capture(portal.url)
    assert result.exit_code == 1, result.output
    with published() as con:
        assert ("transparency", "data.pagination is not whole numbers") in quarantined(con)
        status = con.execute("SELECT status FROM raw.captures WHERE scope = 'province'").fetchall()
        assert status == [("incomplete",)]
        assert children_scored(con, "CKMB") == 0  # never 100 of 163 as if complete
        # the replies of the capture are all kept, the good ones valid
        assert con.execute(
            "SELECT count(*) FROM raw.responses WHERE validation = 'valid'"
        ).fetchone()[0] >= len(GROUP_PATHS)
