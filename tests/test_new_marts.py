"""The marts of issue 14 (mart.since_yesterday, mart.points_lost, mart.peers,
mart.what_it_takes) on core rows inserted by hand into a real warehouse file, with
expectations computed by hand: missing stays missing, ties share, the top band has no
next band, and "yesterday" is a Vietnam calendar day."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime

import dagster as dg
import duckdb
import pytest

from pipelines.assets.mart import mart_portal
from pipelines.resources import WarehouseResource
from tests.test_derive import VN, CoreWriter, dept, rows
from warehouse.derive import rebuild_marts, refresh_marts
from warehouse.marts import MARTS
from warehouse.publish import publish

DEC26, NOV26, OCT26 = ("month", "2026-12-01"), ("month", "2026-11-01"), ("month", "2026-10-01")
B = "prov-b"  # a second province
# Capture times, Vietnam time. NIGHT_5_LATE and TONIGHT are on two Vietnam days but on the
# same UTC day (5/12 16:30 and 17:30 UTC): "yesterday" must be the Vietnam day.
NIGHT_5 = "2026-12-05 02:00"
NIGHT_5_LATE = "2026-12-05 23:30"
TONIGHT = "2026-12-06 00:30"
LATER_INCOMPLETE = "2026-12-07 01:00"

METRIC_COLUMNS = (
    "response_id, capture_id, unit_id, period_type, period_start, group_code, metric_code, "
    "metric_name, numerator, denominator, ratio, score, max_score, captured_at"
)


def vn(at: str) -> datetime:
    """A Vietnam-time moment."""
    return datetime.fromisoformat(at).replace(tzinfo=VN)


def add_metrics(
    con: duckdb.DuckDBPyConnection,
    capture_id: str,
    unit_id: str,
    at: str,
    metrics: list[tuple[str, str, float | None, float | None, float | None, float | None]],
) -> None:
    """Indicator rows (group, code, numerator, denominator, score, max) of one unit in the
    reply of ``capture_id`` (CoreWriter's reply id), month 12/2026."""
    for group, code, numerator, denominator, score, maximum in metrics:
        ratio = None if not denominator else round(100 * numerator / denominator, 2)
        con.execute(
            f"INSERT INTO core.metric_values ({METRIC_COLUMNS}) "
            "VALUES (?, ?, ?, 'month', DATE '2026-12-01', ?, ?, NULL, ?, ?, ?, ?, ?, ?)",
            [
                f"{capture_id}:r",
                capture_id,
                unit_id,
                group,
                code,
                numerator,
                denominator,
                ratio,
                score,
                maximum,
                vn(at),
            ],
        )


def load(con: duckdb.DuckDBPyConnection) -> None:
    """Four departments of one province (P) and one of another (B, whose only department
    d4 never has an MDSH value) in 12/2026 over three nights; d1 also in 11/2026 (closed);
    one incomplete capture that must change nothing. Every capture of a province lists its
    whole cohort, so ranks are over whole cohorts.

    Groups: CKMB 18, TDGQ 20, CLGQ 12, TTTT 10, MDHL 18, MDSH 22."""
    core = CoreWriter(con)
    core.capture(NOV26, [dept("d1", groups=[14, 18, 10, 8, 14, 16])], at="2026-12-02 02:00")
    night_5 = [
        dept("d1", groups=[15, 18, 10, 8, 15, 16]),  # 82
        dept("d2", groups=[14, 16, 10, 8, 14, 16]),  # 78 Khá
        dept("d3", groups=[16, 18, 11, 9, 16, 20]),  # 90 Xuất sắc
    ]
    core.capture(DEC26, night_5, at=NIGHT_5)
    d4 = dept("d4", groups=[10, 15, 9, 7, 12, None], parent=B)  # no total
    core.capture(DEC26, [d4], at=NIGHT_5, root=B)
    # later the same Vietnam day: d1 at 81
    late = core.capture(
        DEC26, [dept("d1", groups=[15, 18, 10, 8, 15, 15]), *night_5[1:]], at=NIGHT_5_LATE
    )
    # superseded by tonight's value of the same indicator
    add_metrics(con, late, "d1", NIGHT_5_LATE, [("CKMB", "PUBLISH_ON_TIME", 30, 50, 3.6, 6)])
    tonight = core.capture(
        DEC26,
        [
            dept("d1", groups=[15, 18, 10, 8, 15, 16]),  # 82 Tốt
            dept("d2", groups=[16, 18, 10, 8, 14, 16]),  # 82 Tốt (tie with d1)
            dept("d3", groups=[16, 18, 11, 9, 16, 19]),  # 89 Tốt
            dept("d5", groups=[18, 20, 12, 10, 18, 22]),  # 100, first seen tonight
        ],
        at=TONIGHT,
    )
    core.capture(DEC26, [d4], at=TONIGHT, root=B)  # still no total
    add_metrics(
        con,
        tonight,
        "d1",
        TONIGHT,
        [
            ("CKMB", "PUBLISH_ON_TIME", 45, 50, 5.4, 6),  # 0.6 lost, 5 more reach 100 %
            ("CKMB", "PUBLIC_UPDATE_ON_TIME", 40, 40, 4, 4),  # full marks
            ("CKMB", "PUBLIC_CONTENT_FULL", 0, 0, None, 2),  # no data: not 2 lost
            ("CKMB", "DOSSIER_SYNC", 93, 100, 5.58, 6),  # 0.42 lost, 7 more
            ("CKMB", "CKMB_RATE", None, None, None, None),  # a file's group rate: left out
            ("MDHL", "DOSSIER_RECEIVING_SATISFACTION", 80, 100, 5.3333, 6),  # full at 90 %
            ("MDHL", "PETITION_PROCESSING_ON_TIME", 7, 10, 4.2, 6),  # 1.8 lost, 3 more
            ("MDHL", "PETITION_HANDLING_SATISFACTION", 9, 10, 5.4, 6),  # 0.6: ties PUBLISH
            ("MDHL", "PETITION_CLASSIFICATION_TTHC", 3, 10, 0, 0),  # tracked only
            ("MDSH", "REUSED_DIGITIZED_DATA", 20, 37, 1.3514, 2),  # full at 80 %: 29.6
        ],
    )
    bad = core.capture(
        DEC26,
        [dept("d1", groups=[1, 1, 1, 1, 1, 1])],
        at=LATER_INCOMPLETE,
        status="incomplete",
    )
    add_metrics(con, bad, "d1", LATER_INCOMPLETE, [("CKMB", "DOSSIER_SYNC", 0, 100, 0, 6)])


@pytest.fixture
def con(warehouse: WarehouseResource):
    """A write connection to a fresh warehouse file holding :func:`load`'s rows, marts
    rebuilt."""
    with warehouse.connect() as connection:
        load(connection)
        rebuild_marts(connection)
        yield connection


def by_unit(con: duckdb.DuckDBPyConnection, sql: str, period: tuple[str, str]) -> dict:
    """Rows of ``sql`` (a relation, test constant) for one period, keyed by unit_id."""
    found = rows(
        con,
        f"SELECT * FROM {sql} WHERE period_type = ? AND period_start = ?",
        period,
    )
    return {row["unit_id"]: row for row in found}


# --- mart.since_yesterday -----------------------------------------------------------------


def test_since_yesterday_compares_the_latest_night_with_the_vietnam_day_before(con) -> None:
    dec = by_unit(con, "mart.since_yesterday", DEC26)
    assert set(dec) == {"d1", "d2", "d3", "d4", "d5"}
    moves = {
        u: (
            r["total_score"],
            r["previous_total_score"],
            r["total_change"],
            r["rank"],
            r["previous_rank"],
            r["rank_change"],
            r["band"],
            r["previous_band"],
        )
        for u, r in dec.items()
    }
    assert moves == {
        # the previous value is 5/12 23:30 (Vietnam day 5/12), not 5/12 02:00
        "d1": (82.0, 81.0, 1.0, 3, 2, -1, "Tốt", "Tốt"),
        "d2": (82.0, 78.0, 4.0, 3, 3, 0, "Tốt", "Khá"),
        "d3": (89.0, 90.0, -1.0, 2, 1, -1, "Tốt", "Xuất sắc"),
        "d4": (None, None, None, None, None, None, None, None),  # missing is not 0
        "d5": (100.0, None, None, 1, None, None, "Xuất sắc", None),  # new tonight
    }
    assert all(r["is_provisional"] for r in dec.values())
    assert {u: r["captured_at"] for u, r in dec.items()} == dict.fromkeys(dec, vn(TONIGHT))
    assert {u: r["previous_captured_at"] for u, r in dec.items()} == {
        "d1": vn(NIGHT_5_LATE),
        "d2": vn(NIGHT_5_LATE),
        "d3": vn(NIGHT_5_LATE),
        "d4": vn(NIGHT_5),
        "d5": None,
    }
    zero = dict.fromkeys(("CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH"), 0.0)
    assert dec["d1"]["group_changes"] == zero | {"MDSH": 1.0}
    assert dec["d2"]["group_changes"] == zero | {"CKMB": 2.0, "TDGQ": 2.0}
    assert dec["d3"]["group_changes"] == zero | {"MDSH": -1.0}
    assert dec["d4"]["group_changes"] == zero | {"MDSH": None}
    assert dec["d5"]["group_changes"] == dict.fromkeys(zero)
    assert dec["d5"]["previous_group_scores"] is None
    assert dec["d2"]["previous_group_scores"]["CKMB"] == 14.0

    # A closed month not captured again: kept, not provisional, unchanged.
    nov = by_unit(con, "mart.since_yesterday", NOV26)["d1"]
    assert (nov["is_provisional"], nov["total_change"], nov["rank_change"]) == (False, 0.0, 0)
    assert nov["previous_captured_at"] == nov["captured_at"] == vn("2026-12-02 02:00")


def test_since_yesterday_as_of_a_cutoff_takes_that_cutoffs_night(con) -> None:
    at = "SELECT * FROM mart.since_yesterday_as_of(TIMESTAMPTZ '2026-12-05 23:59:00+07')"
    dec = by_unit(con, f"({at})", DEC26)
    # latest night 5/12: d1 from 23:30, nothing of December before 5/12
    assert {u: (r["total_score"], r["previous_total_score"]) for u, r in dec.items()} == {
        "d1": (81.0, None),
        "d2": (78.0, None),
        "d3": (90.0, None),
        "d4": (None, None),
    }
    nov = by_unit(con, f"({at})", NOV26)["d1"]
    assert (nov["total_score"], nov["total_change"]) == (80.0, 0.0)


def test_since_yesterday_previous_values_are_the_scores_as_of_the_day_before(con) -> None:
    """Only the periods captured since the Vietnam day before are derived again; the
    previous values of every unit-period, touched or not, are still exactly
    mart.unit_period_scores_as_of(the end of that day)."""
    compared = con.execute(
        """
        WITH before AS (
            SELECT * FROM mart.unit_period_scores_as_of(TIMESTAMPTZ '2026-12-05 23:59:59.999999+07')
        )
        SELECT s.period_start,
               count(*) FILTER (WHERE
                   s.previous_total_score IS DISTINCT FROM b.total_score
                   OR s.previous_rank IS DISTINCT FROM b.rank
                   OR s.previous_band IS DISTINCT FROM b.band
                   OR s.previous_group_scores IS DISTINCT FROM b.group_scores
                   OR s.previous_captured_at IS DISTINCT FROM b.captured_at)
        FROM mart.since_yesterday AS s
        LEFT JOIN before AS b USING (unit_id, period_type, period_start)
        GROUP BY ALL ORDER BY ALL
        """
    ).fetchall()
    # November (not captured tonight) and December (captured tonight) both compared
    assert [str(start) for start, _ in compared] == ["2026-11-01", "2026-12-01"]
    assert [mismatches for _, mismatches in compared] == [0, 0]


def _stale_rows(con: duckdb.DuckDBPyConnection) -> int:
    """Rows of mart.since_yesterday that differ from the macro derived from scratch (both
    ways)."""
    return con.execute(
        """SELECT count(*) FROM (
             (SELECT * FROM mart.since_yesterday
              EXCEPT ALL SELECT * FROM mart.since_yesterday_as_of('infinity'::TIMESTAMPTZ))
             UNION ALL
             (SELECT * FROM mart.since_yesterday_as_of('infinity'::TIMESTAMPTZ)
              EXCEPT ALL SELECT * FROM mart.since_yesterday))"""
    ).fetchone()[0]


def test_since_yesterday_refreshed_incrementally_night_after_night(
    warehouse: WarehouseResource,
) -> None:
    """Nights on successive Vietnam days, each refreshed incrementally: the table equals
    the mart derived from scratch after every night, including the periods whose rows
    moved the night before and are not captured tonight (their moves go back to 0).
    Without those stale periods, the rows of the night before would stay."""
    ignoring_stale = tuple(
        replace(m, stale_periods=False) if m.name == "since_yesterday" else m for m in MARTS
    )
    with warehouse.connect() as con:
        core = CoreWriter(con)
        core.capture(NOV26, [dept("d1", 80), dept("d2", 70)], at="2026-12-03 02:00")
        core.capture(DEC26, [dept("d1", 81), dept("d2", 71)], at="2026-12-03 02:00")
        rebuild_marts(con)
        # each night's period is not the one after the night before's (which an
        # incremental refresh derives anyway): only the stale periods bring it back
        nights = [
            (DEC26, [dept("d1", 84), dept("d2", 70)], "2026-12-04 02:00"),  # December moves
            (OCT26, [dept("d1", 60), dept("d2", 65)], "2026-12-05 02:00"),  # October only
            (DEC26, [dept("d1", 85), dept("d2", 70)], "2026-12-06 02:00"),  # December again
        ]
        for period, units, at in nights:
            core.capture(period, units, at=at)
            con.execute("CHECKPOINT")
            shutil.copy(warehouse.path, f"{warehouse.path}.copy")
            stats = refresh_marts(con)
            assert stats.mode == "incremental"
            assert _stale_rows(con) == 0, at
            with duckdb.connect(f"{warehouse.path}.copy") as copy:
                refresh_marts(copy, marts=ignoring_stale)
                missed = _stale_rows(copy)
            # the periods that moved the night before (on the first night: every period
            # new then) keep their moves unless the refresh derives them again
            assert missed > 0, at
        moves = by_unit(con, "mart.since_yesterday", OCT26)
        assert {u: r["total_change"] for u, r in moves.items()} == {"d1": 0.0, "d2": 0.0}


# --- mart.points_lost ---------------------------------------------------------------------


def test_points_lost_per_indicator_with_group_totals_and_nulls(con) -> None:
    found = rows(
        con,
        "SELECT indicator_code, group_code, max_score, score, points_lost, group_points_lost, "
        "numerator, denominator, numerator_needed FROM mart.points_lost "
        "WHERE unit_id = 'd1' AND period_start = DATE '2026-12-01' ORDER BY indicator_code",
    )
    got = {r.pop("indicator_code"): tuple(r.values()) for r in found}
    assert got == {
        # group, max, score, lost, group lost, numerator, denominator, needed
        "PUBLISH_ON_TIME": ("CKMB", 6, 5.4, 0.6, 3, 45, 50, 5),
        "PUBLIC_UPDATE_ON_TIME": ("CKMB", 4, 4, 0, 3, 40, 40, 0),
        "PUBLIC_CONTENT_FULL": ("CKMB", 2, None, None, 3, 0, 0, None),
        "DOSSIER_SYNC": ("CKMB", 6, 5.58, 0.42, 3, 93, 100, 7),
        "DOSSIER_RECEIVING_SATISFACTION": ("MDHL", 6, 5.3333, 0.6667, 3, 80, 100, 10),
        "PETITION_PROCESSING_ON_TIME": ("MDHL", 6, 4.2, 1.8, 3, 7, 10, 3),
        "PETITION_HANDLING_SATISFACTION": ("MDHL", 6, 5.4, 0.6, 3, 9, 10, 1),
        "PETITION_CLASSIFICATION_TTHC": ("MDHL", 0, 0, 0, 3, 3, 10, None),
        "REUSED_DIGITIZED_DATA": ("MDSH", 2, 1.3514, 0.6486, 6, 20, 37, 10),
        # groups the portal scores without indicators: the group itself
        "TDGQ_GROUP": ("TDGQ", 20, 18, 2, 2, None, None, None),
        "CLGQ_GROUP": ("CLGQ", 12, 10, 2, 2, None, None, None),
        "TTTT_GROUP": ("TTTT", 10, 8, 2, 2, None, None, None),
    }
    names = dict(
        con.execute(
            "SELECT indicator_code, indicator_name FROM mart.points_lost WHERE unit_id = 'd1' "
            "AND indicator_code IN ('TDGQ_GROUP', 'PUBLISH_ON_TIME')"
        ).fetchall()
    )
    assert names == {
        "TDGQ_GROUP": "Tỷ lệ hồ sơ giải quyết đúng hạn",
        "PUBLISH_ON_TIME": "Tỷ lệ TTHC công bố đúng hạn",
    }
    # d4 has no MDSH value: its row is there, with nothing lost rather than 22.
    d4 = rows(
        con,
        "SELECT indicator_code, indicator_name, score, points_lost, group_points_lost "
        "FROM mart.points_lost WHERE unit_id = 'd4' AND group_code = 'MDSH'",
    )
    assert d4 == [
        {
            "indicator_code": "MDSH_GROUP",
            "indicator_name": "Số hóa hồ sơ",
            "score": None,
            "points_lost": None,
            "group_points_lost": None,
        }
    ]


def test_points_lost_as_of_a_cutoff_reads_the_indicator_then(con) -> None:
    got = con.execute(
        "SELECT score, points_lost, numerator_needed FROM mart.points_lost_as_of("
        "TIMESTAMPTZ '2026-12-05 23:59:00+07') WHERE unit_id = 'd1' "
        "AND indicator_code = 'PUBLISH_ON_TIME'"
    ).fetchall()
    assert got == [(3.6, 2.4, 20)]


# --- mart.peers ---------------------------------------------------------------------------


def test_peers_medians_p75_and_percentiles_of_the_cohort(con) -> None:
    dec = by_unit(con, "mart.peers", DEC26)
    # totals 82, 82, 89, 100 (d4 has none): median (82 + 89) / 2, P75 89 + 0.25 × 11
    in_p = {u: r for u, r in dec.items() if u != "d4"}
    assert {r["cohort_size"] for r in in_p.values()} == {4}
    assert {r["cohort_median_total"] for r in in_p.values()} == {85.5}
    assert {r["cohort_p75_total"] for r in in_p.values()} == {91.75}
    # d4 alone in its province's cohort, without a total: nothing to compare, not 0
    d4 = dec["d4"]
    assert (d4["cohort_size"], d4["cohort_median_total"], d4["total_percentile"]) == (
        0,
        None,
        None,
    )
    assert {u: r["total_percentile"] for u, r in dec.items()} == {
        "d1": 0.0,  # tied lowest
        "d2": 0.0,
        "d3": 0.6667,  # 2 of the 3 others lower
        "d5": 1.0,
        "d4": None,
    }
    # MDSH 16, 16, 19, 22; CKMB 15, 16, 16, 18
    assert dec["d3"]["cohort_median_groups"]["MDSH"] == 17.5
    assert dec["d3"]["cohort_p75_groups"]["MDSH"] == 19.75
    assert dec["d3"]["cohort_median_groups"]["CKMB"] == 16.0
    assert {u: r["group_percentiles"]["MDSH"] for u, r in dec.items()} == {
        "d1": 0.0,
        "d2": 0.0,
        "d3": 0.6667,
        "d5": 1.0,
        "d4": None,
    }
    assert {u: r["group_percentiles"]["CKMB"] for u, r in dec.items()} == {
        "d4": 0.0,  # a cohort of one
        "d1": 0.0,
        "d2": 0.3333,
        "d3": 0.3333,
        "d5": 1.0,
    }
    assert list(dec["d1"]["cohort_median_groups"]) == [
        "CKMB", "TDGQ", "CLGQ", "TTTT", "MDHL", "MDSH"
    ]  # fmt: skip
    # a cohort of one
    nov = by_unit(con, "mart.peers", NOV26)["d1"]
    assert (nov["cohort_size"], nov["cohort_median_total"], nov["total_percentile"]) == (
        1,
        80.0,
        0.0,
    )


# --- mart.what_it_takes -------------------------------------------------------------------


def test_what_it_takes_ranks_the_cheapest_indicators_for_the_next_band(con) -> None:
    found = rows(
        con,
        "SELECT unit_id, total_score, band, next_band, points_to_next_band, indicator_rank, "
        "indicator_code, points_lost, numerator_needed FROM mart.what_it_takes "
        "WHERE period_start = DATE '2026-12-01' ORDER BY unit_id, indicator_rank, indicator_code",
    )
    by = {}
    for r in found:
        by.setdefault(r["unit_id"], []).append(r)
    head = {u: tuple(rs[0][k] for k in list(rs[0])[1:5]) for u, rs in by.items()}
    assert head == {
        "d1": (82.0, "Tốt", "Xuất sắc", 8.0),
        "d2": (82.0, "Tốt", "Xuất sắc", 8.0),
        "d3": (89.0, "Tốt", "Xuất sắc", 1.0),
        "d4": (None, None, None, None),  # no total: no band, nothing to compute
        "d5": (100.0, "Xuất sắc", None, None),  # already in the top band
    }
    ranked = {
        u: [(r["indicator_rank"], r["indicator_code"], r["points_lost"]) for r in rs]
        for u, rs in by.items()
    }
    assert ranked["d1"] == [
        (1, "CLGQ_GROUP", 2.0),
        (1, "TDGQ_GROUP", 2.0),
        (1, "TTTT_GROUP", 2.0),
        (4, "PETITION_PROCESSING_ON_TIME", 1.8),
        (5, "DOSSIER_RECEIVING_SATISFACTION", 0.6667),
        (6, "REUSED_DIGITIZED_DATA", 0.6486),
        (7, "PETITION_HANDLING_SATISFACTION", 0.6),
        (7, "PUBLISH_ON_TIME", 0.6),
        (9, "DOSSIER_SYNC", 0.42),
    ]
    assert {r["indicator_code"]: r["numerator_needed"] for r in by["d1"]} == {
        "CLGQ_GROUP": None,
        "TDGQ_GROUP": None,
        "TTTT_GROUP": None,
        "PETITION_PROCESSING_ON_TIME": 3,
        "DOSSIER_RECEIVING_SATISFACTION": 10,
        "REUSED_DIGITIZED_DATA": 10,
        "PETITION_HANDLING_SATISFACTION": 1,
        "PUBLISH_ON_TIME": 5,
        "DOSSIER_SYNC": 7,
    }
    # d4: MDSH missing is not 22 points to gain
    assert ranked["d4"] == [
        (1, "CKMB_GROUP", 8.0),
        (2, "MDHL_GROUP", 6.0),
        (3, "TDGQ_GROUP", 5.0),
        (4, "CLGQ_GROUP", 3.0),
        (4, "TTTT_GROUP", 3.0),
    ]
    # full marks everywhere: one row, no indicator
    assert ranked["d5"] == [(None, None, None)]
    # as of the night before, d2 was Khá at 78: 2 points from Tốt
    before = con.execute(
        "SELECT DISTINCT band, next_band, points_to_next_band FROM mart.what_it_takes_as_of("
        "TIMESTAMPTZ '2026-12-05 12:00:00+07') WHERE unit_id = 'd2'"
    ).fetchall()
    assert before == [("Khá", "Tốt", 2.0)]


# --- published and built by Dagster ----------------------------------------------------------


NEW_MARTS = ("since_yesterday", "points_lost", "peers", "what_it_takes")


def test_dagster_builds_the_new_marts_and_the_publication_carries_them(
    warehouse: WarehouseResource,
) -> None:
    with warehouse.connect() as connection:
        load(connection)
    result = dg.materialize(
        [mart_portal], partition_key="2026-12-01", resources={"warehouse": warehouse}
    )
    assert result.success
    counts = {
        mat.asset_key.path[-1]: mat.metadata["dagster/row_count"].value
        for mat in result.asset_materializations_for_node("mart_portal")
    }
    # 5 unit-periods in 12/2026 + 1 in 11/2026; points_lost: d1 12 rows in 12/2026 (9
    # indicators, 3 groups), the others 6 group rows each; what_it_takes: the rows losing
    # points: d1 9, d2 6, d3 6, d4 5 (MDSH missing), d5 1 (none), 11/2026 d1 6
    assert {k: v for k, v in counts.items() if k.removeprefix("mart_portal__") in NEW_MARTS} == {
        "mart_portal__since_yesterday": 6,
        "mart_portal__points_lost": 12 + 4 * 6 + 6,
        "mart_portal__peers": 6,
        "mart_portal__what_it_takes": 9 + 6 + 6 + 5 + 1 + 6,
    }
    publication = publish(warehouse.path)
    reader = duckdb.connect(str(publication.database), read_only=True)
    try:
        for name in NEW_MARTS:
            exported = reader.execute(
                "SELECT count(*) FROM read_parquet(?, hive_partitioning = true)",
                [str(publication.parquet_dir / name / "**" / "*.parquet")],
            ).fetchone()[0]
            published = reader.execute(f"SELECT count(*) FROM mart.{name}").fetchone()[0]
            assert exported == published > 0, name
        comments = reader.execute(
            "SELECT table_name, count(*), count(comment) FROM duckdb_columns() "
            "WHERE schema_name = 'mart' AND table_name IN ? GROUP BY table_name",
            [list(NEW_MARTS)],
        ).fetchall()
        assert {name: n == documented for name, n, documented in comments} == dict.fromkeys(
            NEW_MARTS, True
        )
    finally:
        reader.close()
