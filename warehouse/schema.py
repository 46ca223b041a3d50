"""Create or upgrade the warehouse schema from the DDL files in ``sql/`` and the registry
of marts (``warehouse/marts.py``).

Every DDL file is idempotent (``CREATE … IF NOT EXISTS``, ``INSERT OR REPLACE`` for the
methodology seeds), so applying the schema to an existing warehouse changes nothing. The
mart tables carry no DDL of their own: each is created from its query, and rebuilt when
its definition hash differs from the one ``ops.mart_definitions`` recorded, so a changed
mart definition (a new column) reaches an existing warehouse.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

import duckdb

from warehouse.marts import MARTS, Mart, MartKind, check_registry, definition_hashes
from warehouse.sql_files import read_sql

# Order matters only across layers; within a layer each file stands alone. The marts come
# after these, from the registry (:func:`apply_marts`).
DDL_FILES: tuple[str, ...] = (
    "schemas.sql",
    "raw/captures.sql",
    "raw/responses.sql",
    "raw/quarantine.sql",
    "ops/fetch_attempts.sql",
    "ops/normalisations.sql",
    "ops/raw_store_faults.sql",
    "ops/run_captures.sql",
    "ops/run_files.sql",
    "ops/rejected_captures.sql",
    "ops/mart_definitions.sql",
    "ops/mart_refreshes.sql",
    "ops/schema_version.sql",
    "methodology/versions.sql",
    "methodology/groups.sql",
    "methodology/indicators.sql",
    "methodology/bands.sql",
    "methodology/rate_to_points.sql",
    "core/unit_sightings.sql",
    "core/units.sql",
    "core/group_scores.sql",
    "core/metric_values.sql",
    "core/group_parameters.sql",
    "core/reported_totals.sql",
    "core/reported_band_counts.sql",
    "core/group_scores_as_of.sql",
    "core/current_group_scores.sql",
    "core/reorganisation_2025.sql",
    "core/reference_units.sql",
    "core/unit_match_review.sql",
    "comments/core_raw.sql",
    "comments/ops.sql",
    "core/unit_identities.sql",
)


def schema_fingerprint(marts: Sequence[Mart] = MARTS) -> str:
    """SHA-256 over every DDL file, in order, and the definition hash of every mart of
    ``marts``: what :func:`apply_schema` would give a warehouse."""
    digest = hashlib.sha256()
    for name in DDL_FILES:
        digest.update(name.encode() + b"\0" + read_sql(name).encode() + b"\0")
    for name, definition in definition_hashes(marts).items():
        digest.update(f"{name}={definition}\0".encode())
    return digest.hexdigest()


def schema_is_current(con: duckdb.DuckDBPyConnection, marts: Sequence[Mart] = MARTS) -> bool:
    """Whether the warehouse was last given exactly this schema
    (``ops.schema_version`` holds :func:`schema_fingerprint`)."""
    try:
        rows = con.execute("SELECT fingerprint FROM ops.schema_version").fetchall()
    except duckdb.CatalogException:  # a new warehouse, or one from before the table
        return False
    return rows == [(schema_fingerprint(marts),)]


def apply_schema(con: duckdb.DuckDBPyConnection, marts: Sequence[Mart] = MARTS) -> None:
    """Apply every DDL file in order, then the marts of ``marts``, in one transaction, and
    record the schema's fingerprint (``ops.schema_version``)."""
    check_registry(marts)
    con.execute("BEGIN TRANSACTION")
    try:
        for name in DDL_FILES:
            con.execute(read_sql(name))
        apply_marts(con, marts)
        con.execute("DELETE FROM ops.schema_version")
        con.execute("INSERT INTO ops.schema_version VALUES (?, now())", [schema_fingerprint(marts)])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def apply_marts(con: duckdb.DuckDBPyConnection, marts: Sequence[Mart]) -> list[str]:
    """Create or upgrade the marts in registry order; return the tables (re)built.

    A table mart's file creates its macros; the table is then built from
    :meth:`~warehouse.marts.Mart.refresh_query` (so it holds the current rows at once)
    when it is missing or its definition hash differs from the one recorded in
    ``ops.mart_definitions``, and the file's other statements (NOT NULL columns,
    comments) apply to it. Other marts' files run as they are. Run inside the caller's
    transaction."""
    hashes = definition_hashes(marts)
    recorded = dict(
        con.execute("SELECT mart_name, definition_sha256 FROM ops.mart_definitions").fetchall()
    )
    tables = {
        row[0]
        for row in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE schema_name = 'mart' "
            "AND database_name = current_database()"
        ).fetchall()
    }
    rebuilt: list[str] = []
    for mart in marts:
        statements = con.extract_statements(mart.sql())
        if mart.kind is MartKind.TABLE:
            creates = [s for s in statements if s.type is duckdb.StatementType.CREATE]
            for statement in creates:
                con.execute(statement.query)
            if mart.name not in tables or recorded.get(mart.name) != hashes[mart.name]:
                _build_table(con, mart)
                rebuilt.append(mart.name)
            statements = [s for s in statements if s.type is not duckdb.StatementType.CREATE]
        for statement in statements:
            con.execute(statement.query)
        if recorded.get(mart.name) != hashes[mart.name]:
            con.execute(
                "INSERT OR REPLACE INTO ops.mart_definitions VALUES (?, ?, ?, now())",
                [mart.name, str(mart.kind), hashes[mart.name]],
            )
    return rebuilt


def _build_table(con: duckdb.DuckDBPyConnection, mart: Mart) -> None:
    """Drop the table of ``mart`` if it exists and create it from its refresh query."""
    query, params = mart.refresh_query()
    # The table name comes from the registry, never from input.
    con.execute(f"DROP TABLE IF EXISTS {mart.qualified_name}")
    con.execute(f"CREATE TABLE {mart.qualified_name} AS {query}", params)
