"""The one registry of marts (warehouse/marts.py): every mart is declared once, its SQL is
one file, and the DDL, refresh, as-of queries, Parquet export, Dagster assets and data
dictionary all follow from it; a changed definition rebuilds its table in an existing
warehouse."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import dagster as dg
import duckdb
import pytest

from pipelines.assets.mart import mart_portal
from pipelines.assets.publish import published_warehouse
from pipelines.resources import WarehouseResource
from tests.test_derive import CoreWriter, dept, prov
from warehouse.derive import query_as_of, rebuild_marts
from warehouse.dictionary import generate
from warehouse.marts import (
    MARTS,
    Mart,
    MartKind,
    check_registry,
    definition_hashes,
    of_kind,
    published_marts,
)
from warehouse.publish import publish
from warehouse.schema import apply_schema
from warehouse.sql_files import SQL_DIR

# Two provinces that merged into one on 1/7/2025 (core.reorganisation_2025), so that
# mart.merged_province_scores has rows too.
BAC_KAN, THAI_NGUYEN = "pre2025:06", "pre2025:19"
MAY25, JUN25 = ("month", "2025-05-01"), ("month", "2025-06-01")
CREATED = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:MACRO\s+TABLE|MACRO|VIEW|TABLE)\s+(?:IF\s+NOT\s+EXISTS\s+)?"
    r"mart\.(\w+)",
    re.IGNORECASE,
)


def load_two_months(con: duckdb.DuckDBPyConnection) -> None:
    """Two months of two pre-merger provinces (national) and three departments of one."""
    core = CoreWriter(con)
    for period, at, totals in (
        (MAY25, "2025-06-02 04:00", (71.5, 80.0, 70.0, 65.0, 90.0)),
        (JUN25, "2025-07-02 04:00", (72.8, 78.0, 75.0, 66.0, 88.0)),
    ):
        bk, tn, d1, d2, d3 = totals
        core.capture(
            period,
            [prov(BAC_KAN, bk), prov(THAI_NGUYEN, tn)],
            at=at,
            scope="national",
            root="VN",
            reported={BAC_KAN: bk, THAI_NGUYEN: tn},
        )
        core.capture(
            period,
            [
                prov(BAC_KAN, bk),
                *(dept(f"d{i}", t, parent=BAC_KAN) for i, t in enumerate((d1, d2, d3))),
            ],
            at=at,
            root=BAC_KAN,
        )
        # a letter stating another figure for d0: the portal's stays the value
        letter = core.capture(
            period, [dept("d0", d1 - 5, parent=BAC_KAN)], at=at, scope="file", root=BAC_KAN
        )
        con.execute("UPDATE raw.captures SET source = 'file_letter' WHERE capture_id = ?", [letter])


def rows_of(con: duckdb.DuckDBPyConnection, relation: str, exclude: str = "") -> list[tuple]:
    """All rows of ``relation`` (a test constant) in a stable order."""
    columns = f"* EXCLUDE ({exclude})" if exclude else "*"
    return con.execute(f"SELECT {columns} FROM {relation} ORDER BY ALL").fetchall()


def table_oids(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """The catalog id of each mart table: a rebuilt table gets a new one."""
    return dict(
        con.execute(
            "SELECT table_name, table_oid FROM duckdb_tables() WHERE schema_name = 'mart'"
        ).fetchall()
    )


def owned_objects(mart: Mart) -> set[str]:
    """The objects of schema mart that the mart's SQL file (or, for a table, the code)
    creates."""
    created = {name.lower() for name in CREATED.findall(mart.sql())}
    return created | ({mart.name} if mart.kind is MartKind.TABLE else set())


# --- the registry and its files ----------------------------------------------------------


def test_each_sql_file_is_one_mart_and_each_mart_declares_what_it_reads() -> None:
    check_registry(MARTS)
    assert {p.stem for p in (SQL_DIR / "mart").glob("*.sql")} == {m.name for m in MARTS}
    owner = {obj: mart.name for mart in MARTS for obj in owned_objects(mart)}
    parser = duckdb.connect()
    for mart in MARTS:
        # What the file's CREATE and INSERT statements read (comments and COMMENT ON
        # prose left out), mapped to the mart that owns each object.
        code = "\n".join(
            re.sub(r"--[^\n]*", "", s.query)
            for s in parser.extract_statements(mart.sql())
            if s.type is not duckdb.StatementType.ALTER
        )
        read = {owner[name.lower()] for name in re.findall(r"mart\.(\w+)", code)} - {mart.name}
        assert read == set(mart.depends_on), mart.name


def test_an_inconsistent_registry_is_refused() -> None:
    by_name = {m.name: m for m in MARTS}
    for broken, message in (
        ((by_name["score_changes"], by_name["unit_period_scores"]), "not declared before"),
        ((*MARTS, by_name["revisions"]), "declared twice"),
        ((*MARTS, replace(by_name["top_bottom"], published=True)), "only tables and views"),
        ((*MARTS, replace(by_name["revisions"], name="r; DROP TABLE core.units")), "identifier"),
        (
            (*MARTS, replace(by_name["band_count_table"], name="x", refresh_of="revisions")),
            "tables only",
        ),
        (
            (
                *MARTS,
                replace(
                    by_name["since_yesterday"], name="x", period_keys=None, compares_previous=True
                ),
            ),
            "compares_previous is for tables keyed by period",
        ),
        (
            (*MARTS, replace(by_name["since_yesterday"], name="x", period_keys=None)),
            "stale_periods is for tables keyed by period",
        ),
    ):
        with pytest.raises(ValueError, match=message):
            check_registry(broken)


def test_the_schema_holds_exactly_the_registry_and_records_each_definition() -> None:
    con = duckdb.connect()
    apply_schema(con)
    relations = dict(
        con.execute(
            "SELECT table_name, 'table' FROM duckdb_tables() WHERE schema_name = 'mart' "
            "UNION ALL SELECT view_name, 'view' FROM duckdb_views() WHERE schema_name = 'mart'"
        ).fetchall()
    )
    assert relations == {
        m.name: "view" if m.kind is MartKind.VIEW else "table"
        for m in MARTS
        if m.kind is not MartKind.MACRO
    }
    macros = {
        row[0]
        for row in con.execute(
            "SELECT DISTINCT function_name FROM duckdb_functions() WHERE schema_name = 'mart' "
            "AND function_type IN ('macro', 'table_macro')"
        ).fetchall()
    }
    assert macros == {obj for m in MARTS for obj in owned_objects(m)} - set(relations)
    recorded = dict(
        con.execute("SELECT mart_name, definition_sha256 FROM ops.mart_definitions").fetchall()
    )
    assert recorded == definition_hashes(MARTS)


# --- a changed definition reaches an existing warehouse -----------------------------------


def test_a_changed_mart_definition_rebuilds_its_table_and_those_built_on_it(
    warehouse: WarehouseResource, tmp_path: Path
) -> None:
    with warehouse.connect() as con:
        load_two_months(con)
        rebuild_marts(con)
        before = {t.name: rows_of(con, t.qualified_name) for t in of_kind(MartKind.TABLE)}
    assert all(before.values()), "every mart table has rows"

    # The same registry, with a test-only column added to mart.unit_period_scores.
    original = (SQL_DIR / "mart" / "unit_period_scores.sql").read_text(encoding="utf-8")
    tail = "\nFROM scored;"  # the end of the final SELECT
    assert original.count(tail) == 1
    changed = tmp_path / "unit_period_scores.sql"
    changed.write_text(
        original.replace(tail, ",\n    total_score >= 75 AS is_high\nFROM scored;")
        + "COMMENT ON COLUMN mart.unit_period_scores.is_high IS 'Test: total at least 75.';\n",
        encoding="utf-8",
    )
    registry = tuple(
        replace(m, sql_path=changed) if m.name == "unit_period_scores" else m for m in MARTS
    )

    con = duckdb.connect(warehouse.path)
    try:
        oids = table_oids(con)
        apply_schema(con, registry)
        columns = con.execute(
            "SELECT column_name, is_nullable, comment FROM duckdb_columns() "
            "WHERE schema_name = 'mart' AND table_name = 'unit_period_scores'"
        ).fetchall()
        assert ("is_high", True, "Test: total at least 75.") in columns
        assert ("unit_id", False, "Portal departmentId (UUID) of the unit.") in columns
        # The rebuilt table holds the current rows at once, with the new column right.
        assert rows_of(con, "mart.unit_period_scores", "is_high") == before["unit_period_scores"]
        wrong = con.execute(
            "SELECT count(*) FROM mart.unit_period_scores "
            "WHERE is_high IS DISTINCT FROM (total_score >= 75)"
        ).fetchone()[0]
        high = con.execute("SELECT count(*) FILTER (is_high) FROM mart.unit_period_scores")
        assert wrong == 0 and high.fetchone()[0] == 5
        # It and the tables built on it were rebuilt (new catalog ids, same rows); the
        # others were left alone.
        now = table_oids(con)
        rebuilt = {name for name in oids if now[name] != oids[name]}
        assert rebuilt == {
            "unit_period_scores",
            "score_changes",
            "band_counts",
            "movement_counts",
            "since_yesterday",
            "points_lost",
            "peers",
            "what_it_takes",
        }
        for table in rebuilt - {"unit_period_scores"}:
            assert rows_of(con, f"mart.{table}") == before[table], table
        recorded = dict(
            con.execute("SELECT mart_name, definition_sha256 FROM ops.mart_definitions").fetchall()
        )
        assert recorded == definition_hashes(registry) != definition_hashes(MARTS)
        assert {m: rows_of(con, f"mart.{m}") for m in ("group_ranks", "revisions")} == {
            m: before[m] for m in ("group_ranks", "revisions")
        }

        # Applying the same definitions again rebuilds nothing.
        apply_schema(con, registry)
        assert table_oids(con) == now

        # The project's own definition back: the column goes, the rows stay right.
        apply_schema(con)
        assert "is_high" not in {
            c for c, *_ in con.execute("DESCRIBE mart.unit_period_scores").fetchall()
        }
        assert {t: rows_of(con, f"mart.{t}") for t in before} == before
    finally:
        con.close()


def test_a_warehouse_from_before_the_registry_is_upgraded(warehouse: WarehouseResource) -> None:
    """A warehouse whose mart table was made by ``CREATE TABLE IF NOT EXISTS`` with fewer
    columns and no recorded definition gets the table the registry defines, filled."""
    with warehouse.connect() as con:
        load_two_months(con)
        rebuild_marts(con)
        expected = rows_of(con, "mart.unit_period_scores")
        con.execute("DROP TABLE mart.unit_period_scores")
        con.execute(
            "CREATE TABLE mart.unit_period_scores AS SELECT * EXCLUDE (methodology_version) "
            "FROM mart.unit_period_scores_as_of('infinity'::TIMESTAMPTZ) LIMIT 0"
        )
        con.execute("DELETE FROM ops.mart_definitions")
    con = duckdb.connect(warehouse.path)
    try:
        apply_schema(con)
        assert rows_of(con, "mart.unit_period_scores") == expected
    finally:
        con.close()


# --- everything that follows from the registry --------------------------------------------


def test_every_published_mart_is_exported_to_parquet(warehouse: WarehouseResource) -> None:
    with warehouse.connect() as con:
        load_two_months(con)
        rebuild_marts(con)
        counts = {
            m.name: con.execute(f"SELECT count(*) FROM {m.qualified_name}").fetchone()[0]
            for m in published_marts()
        }
    assert all(counts.values()), counts
    publication = publish(warehouse.path)
    folders = {p.name for p in publication.parquet_dir.iterdir()}
    assert folders == {m.name for m in published_marts()}
    assert {
        "group_ranks",
        "movement_counts",
        "band_count_table",
        "merged_province_scores",
    } <= folders
    reader = duckdb.connect()
    for name, count in counts.items():
        files = str(publication.parquet_dir / name / "**" / "*.parquet")
        exported = reader.execute(
            "SELECT count(*), count(DISTINCT period_start) "
            "FROM read_parquet(?, hive_partitioning = true)",
            [files],
        ).fetchone()
        assert exported == (count, 2), name


def test_query_as_of_evaluates_every_mart_with_an_as_of_macro(warehouse: WarehouseResource) -> None:
    with warehouse.connect() as con:
        load_two_months(con)
        rebuild_marts(con)
        for mart in MARTS:
            if not mart.as_of:
                with pytest.raises(ValueError, match="unknown mart"):
                    query_as_of(con, mart.name, "2025-06-15")
                continue
            frame = query_as_of(con, mart.name, "2025-06-15")  # May's captures only
            assert frame.height > 0, mart.name
            if mart.kind in (MartKind.TABLE, MartKind.VIEW):
                described = con.execute(f"DESCRIBE {mart.qualified_name}").fetchall()
                assert frame.columns == [c[0] for c in described], mart.name
                assert set(frame["period_start"].cast(str)) == {"2025-05-01"}, mart.name


def test_dagster_assets_and_the_dictionary_follow_the_registry() -> None:
    assets = {m.name for m in of_kind(MartKind.TABLE) if m.reported_with is None}
    keys = {dg.AssetKey(f"mart_portal__{name}") for name in assets}
    assert set(mart_portal.keys) == keys
    assert set(published_warehouse.dependency_keys) == keys
    companions = {m.name: m.reported_with for m in MARTS if m.reported_with}
    assert companions == {"group_ranks": "unit_period_scores", "movement_counts": "score_changes"}
    descriptions = {
        key.path[-1]: spec.description for key, spec in mart_portal.specs_by_key.items()
    }
    assert "Also rebuilds mart.group_ranks." in descriptions["mart_portal__unit_period_scores"]
    text = generate()
    section = text[text.index("### Registry of marts") :].split("\n### ", 1)[0]
    for mart in MARTS:
        assert f"| `{mart.qualified_name}` | {mart.kind} |" in section
        assert (f"`parquet/{mart.name}/`" in section) is mart.published
