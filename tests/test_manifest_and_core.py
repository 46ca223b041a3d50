"""Recording captures and normalising them, on the real sample bytes (no network)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from pipelines.resources import WarehouseResource
from pipelines.sources.portal.endpoints import GROUP_ENDPOINTS
from pipelines.sources.registry import PORTAL, SOURCES
from tests.conftest import PHU_THO
from warehouse.load_core import _read_replies, captures_to_normalise, normalise_captures
from warehouse.manifest import record_capture
from warehouse.periods import Period
from warehouse.records import CaptureBundle, FetchedReply, Reply

AUG = date(2026, 8, 1)


def bundle_from_folder(
    folder: Path, period: Period, overrides: dict | None = None
) -> CaptureBundle:
    """A province capture whose replies are the sample files in ``folder``."""
    overrides = overrides or {}
    bundle = CaptureBundle(PORTAL.id, "province", period, PHU_THO, GROUP_ENDPOINTS)
    at = datetime(2026, 9, 26, 11, 20, tzinfo=UTC)
    for endpoint in GROUP_ENDPOINTS:
        path = folder / f"{endpoint.name}.json"
        body = endpoint.request_body(period, PHU_THO)
        if endpoint.name in overrides:
            content = overrides[endpoint.name]
        elif path.exists():
            content = path.read_bytes()
        else:
            bundle.fetched.append(FetchedReply(endpoint, body, None, "timeout after 30 s"))
            continue
        reply = Reply(
            f"http://portal.test{endpoint.path}", body, 201, "application/json", content, at
        )
        bundle.fetched.append(FetchedReply(endpoint, body, reply))
    return bundle


def record(warehouse: WarehouseResource, bundle: CaptureBundle):
    with warehouse.connect() as con:
        return record_capture(
            con, warehouse.store(), bundle, PORTAL, partition_month=AUG, run_id="t"
        )


def table_counts(warehouse: WarehouseResource) -> dict[str, int]:
    tables = [
        "raw.captures",
        "raw.responses",
        "raw.quarantine",
        "core.group_scores",
        "core.metric_values",
        "core.group_parameters",
        "core.units",
    ]
    with warehouse.connect() as con:
        return {t: con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in tables}


def test_year_capture_is_complete_and_idempotent(warehouse, samples_dir: Path) -> None:
    bundle = bundle_from_folder(samples_dir / "2026", Period.parse("2026"))
    first = record(warehouse, bundle)
    assert first.status == "complete" and first.is_new and first.valid_endpoints == 6
    second = record(warehouse, bundle)
    assert not second.is_new and second.capture_id == first.capture_id
    with warehouse.connect() as con:
        normalise_captures(
            con, warehouse.store(), captures_to_normalise(con, [AUG], SOURCES), SOURCES
        )
        assert captures_to_normalise(con, [AUG], SOURCES) == []
        total = con.execute(
            """SELECT round(sum(score), 2) FROM core.group_scores
               WHERE unit_id = ? AND is_root""",
            [PHU_THO],
        ).fetchone()[0]
        assert total == 61.89
        units = dict(
            con.execute("SELECT unit_level, count(*) FROM core.units GROUP BY ALL").fetchall()
        )
        assert units == {"province": 1, "department": 15, "commune": 148}
        code = con.execute(
            "SELECT unit_code FROM core.units WHERE unit_id = ?", [PHU_THO]
        ).fetchone()[0]
        assert code == "H44"
    before = table_counts(warehouse)
    with warehouse.connect() as con:  # re-normalising the same bytes changes nothing
        normalise_captures(
            con,
            warehouse.store(),
            captures_to_normalise(con, [AUG], SOURCES, force=True),
            SOURCES,
        )
    assert table_counts(warehouse) == before


def test_four_group_month_is_incomplete_and_never_current(warehouse, samples_dir) -> None:
    rec = record(warehouse, bundle_from_folder(samples_dir / "2026-08", Period.parse("2026-08")))
    assert rec.status == "incomplete" and rec.valid_endpoints == 4
    assert "handling-satisfaction: timeout" in rec.reason
    assert "dossier-digitized: timeout" in rec.reason


def test_invalid_reply_is_quarantined_and_bytes_kept(warehouse, samples_dir) -> None:
    good = bundle_from_folder(samples_dir / "2026", Period.parse("2026"))
    record(warehouse, good)
    truncated = (samples_dir / "2026" / "transparency.json").read_bytes()[:5000]
    bad = bundle_from_folder(
        samples_dir / "2026", Period.parse("2026"), {"transparency": truncated}
    )
    rec = record(warehouse, bad)
    assert rec.status == "incomplete" and rec.is_new
    with warehouse.connect() as con:
        reason, sha = con.execute("SELECT reason, sha256 FROM raw.quarantine").fetchone()
        assert reason == "body is not valid JSON (truncated?)"
        assert warehouse.store().get(sha) == truncated
        statuses = con.execute(
            "SELECT status FROM raw.captures ORDER BY captured_at, status"
        ).fetchall()
        assert sorted(s for (s,) in statuses) == ["complete", "incomplete"]


def _rows(con, sql: str, params: list) -> set[tuple]:
    return {tuple(row) for row in con.execute(sql, params).fetchall()}


def _assert_loaded_as_parsed(con, response: str, parsed) -> None:
    """The core rows of ``response`` are those the Python parser reads from its bytes."""
    assert _rows(
        con,
        """SELECT unit_id, unit_code, unit_name, unit_type, unit_level, parent_unit_id,
                  province_unit_id FROM core.unit_sightings WHERE response_id = ?""",
        [response],
    ) == {tuple(r.values()) for r in parsed.unit_sightings}
    assert _rows(
        con,
        """SELECT unit_id, group_code, score, max_score, ratio, score_delta, is_root
           FROM core.group_scores WHERE response_id = ?""",
        [response],
    ) == {tuple(r.values()) for r in parsed.group_scores}
    assert _rows(
        con,
        """SELECT unit_id, group_code, metric_code, metric_name, numerator, denominator,
                  ratio, score, max_score, data_quality_status, data_quality_message
           FROM core.metric_values WHERE response_id = ?""",
        [response],
    ) == {tuple(r.values()) for r in parsed.metric_values}
    assert _rows(
        con,
        """SELECT unit_id, group_code, parameter, value FROM core.group_parameters
           WHERE response_id = ?""",
        [response],
    ) == {tuple(r.values()) for r in parsed.group_parameters}


def test_sql_loader_matches_the_python_parser(warehouse, samples_dir: Path) -> None:
    """Core is loaded in SQL; the Python parser validates at capture time. Same rows."""
    from pipelines.sources.portal.endpoints import ENDPOINTS_BY_NAME
    from tests.portal_oracle import parse_group_reply

    rec = record(warehouse, bundle_from_folder(samples_dir / "2026", Period.parse("2026")))
    with warehouse.connect() as con:
        normalise_captures(con, warehouse.store(), [rec.capture_id], SOURCES)
        for path in sorted((samples_dir / "2026").glob("*.json")):
            parsed = parse_group_reply(ENDPOINTS_BY_NAME[path.stem], path.read_bytes(), PHU_THO)
            _assert_loaded_as_parsed(con, f"{rec.capture_id}:{path.stem}", parsed)


def test_replies_parsed_in_several_record_batches_keep_their_provenance(
    warehouse, samples_dir: Path, monkeypatch
) -> None:
    """DuckDB parses the replies of a load in parallel, one Arrow record batch per task
    (``PARSE_CHUNK_ROWS`` replies each). Split into batches of two, the replies of three
    captures (a year, a month, a quarter: different bytes) still give each response the
    rows the Python parser reads from its own bytes: no row goes to another reply."""
    from pipelines.sources.portal import load
    from pipelines.sources.portal.endpoints import ENDPOINTS_BY_NAME
    from tests.portal_oracle import parse_group_reply

    folders = {"2026": "2026", "2026-08": "2026-08", "2026-Q3": "2026-Q3"}
    records = {
        folder: record(warehouse, bundle_from_folder(samples_dir / folder, Period.parse(label)))
        for folder, label in folders.items()
    }
    monkeypatch.setattr(load, "PARSE_CHUNK_ROWS", 2)
    with warehouse.connect() as con:
        replies, _ = _read_replies(
            con, warehouse.store(), [rec.capture_id for rec in records.values()]
        )
        batch = load.reply_batch(replies)
        assert len(replies) == 11 and batch.num_rows == 11
        assert [b.num_rows for b in batch.to_batches()] == [2, 2, 2, 2, 2, 1]
        assert batch.column("response_id").to_pylist() == [r.response_id for r in replies]
        assert batch.column("content").to_pylist() == [r.content for r in replies]
        normalise_captures(
            con, warehouse.store(), [rec.capture_id for rec in records.values()], SOURCES
        )
        compared = 0
        for folder, rec in records.items():
            for path in sorted((samples_dir / folder).glob("*.json")):
                endpoint = ENDPOINTS_BY_NAME[path.stem]
                parsed = parse_group_reply(endpoint, path.read_bytes(), PHU_THO)
                _assert_loaded_as_parsed(con, f"{rec.capture_id}:{path.stem}", parsed)
                compared += 1
        assert compared == 11


def test_a_check_that_breaks_on_a_reply_quarantines_the_bundle_and_stores_its_bytes(
    warehouse: WarehouseResource, samples_dir: Path, monkeypatch
) -> None:
    """A reply shaped as no check foresaw makes a check raise (a TypeError, not an
    InvalidReply): the capture's replies are stored and quarantined with the error, the
    capture is incomplete, and the recording returns instead of failing the run."""

    def broken(bundle: CaptureBundle, context: object) -> list:
        # the page-count check as it was: max(1, totalPages) with totalPages "1"
        return [max(1, "1")]  # type: ignore[type-var]

    monkeypatch.setattr(PORTAL, "validate", broken)
    bundle = bundle_from_folder(samples_dir / "2026", Period("year", date(2026, 1, 1)))
    recorded = record(warehouse, bundle)
    assert recorded.status == "incomplete"
    with warehouse.connect() as con:
        reasons = con.execute(
            "SELECT DISTINCT reason, detail FROM raw.quarantine WHERE capture_id = ?",
            [recorded.capture_id],
        ).fetchall()
        stored = con.execute(
            "SELECT count(*) FROM raw.responses WHERE capture_id = ? AND validation = 'invalid'",
            [recorded.capture_id],
        ).fetchone()[0]
    assert reasons == [
        (
            "reply shape not as expected",
            "TypeError: '>' not supported between instances of 'str' and 'int'",
        )
    ]
    assert stored == len(GROUP_ENDPOINTS)
