"""Render the data dictionary (``docs/data-dictionary.md``) from the database's own comments.

Every mart object carries ``COMMENT ON`` statements in its SQL file (core and raw in
``sql/comments/core_raw.sql``), so the dictionary is read back from ``duckdb_tables()``,
``duckdb_views()``, ``duckdb_columns()`` and ``duckdb_functions()`` of a fresh in-memory
warehouse and can never drift from the schema. The mart section opens with the registry
of marts (``warehouse/marts.py``): kind, as-of macro, Parquet export, dependencies.
Usage::

    python -m warehouse.dictionary           # rewrite docs/data-dictionary.md
    python -m warehouse.dictionary --check   # exit 1 if the committed file is stale
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

import duckdb

from warehouse.marts import MARTS, Mart
from warehouse.schema import apply_schema

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "data-dictionary.md"

# Schemas documented, in order, with what each layer is (DuckDB has no schema comments).
SCHEMAS: dict[str, str] = {
    "mart": "Derived for people: the stable analyst contract. Tables hold current values "
    "(latest complete capture); each has a `*_as_of(cutoff)` macro for any data cut-off.",
    "core": "Normalised, typed, one row per fact, each pointing back at its raw capture.",
    "raw": "Captures as received: the manifest of replies, captures and quarantine.",
    "ops": "Operational records: fetch attempts, normalisations, raw store faults, what each "
    "run captured and the captures core checks rejected.",
    "methodology": "The index's rules as data: versions, groups, indicators, bands.",
}
# Schemas where every object must be documented; elsewhere only commented objects appear.
FULLY_DOCUMENTED: frozenset[str] = frozenset({"mart"})


def _cell(text: str | None) -> str:
    """Text safe inside a Markdown table cell."""
    if not text:
        return ""
    return " ".join(text.split()).replace("|", "\\|")


def reference_database() -> duckdb.DuckDBPyConnection:
    """A fresh in-memory warehouse with the full schema (and no data)."""
    con = duckdb.connect()
    apply_schema(con)
    return con


def _relations(con: duckdb.DuckDBPyConnection, schema: str) -> list[tuple[str, str, str | None]]:
    """(name, kind, comment) of the tables and views of ``schema``."""
    return con.execute(
        """
        SELECT table_name, 'table', comment FROM duckdb_tables()
        WHERE schema_name = ? AND NOT temporary AND database_name = current_database()
        UNION ALL
        SELECT view_name, 'view', comment FROM duckdb_views()
        WHERE schema_name = ? AND NOT temporary AND NOT internal
          AND database_name = current_database()
        ORDER BY 2, 1
        """,
        [schema, schema],
    ).fetchall()


def _columns(
    con: duckdb.DuckDBPyConnection, schema: str, relation: str
) -> list[tuple[str, str, bool, str | None]]:
    """(name, type, nullable, comment) of the columns of ``schema.relation``."""
    return con.execute(
        """
        SELECT column_name, data_type, is_nullable, comment FROM duckdb_columns()
        WHERE schema_name = ? AND table_name = ? AND database_name = current_database()
        ORDER BY column_index
        """,
        [schema, relation],
    ).fetchall()


def _macros(
    con: duckdb.DuckDBPyConnection, schema: str
) -> list[tuple[str, str, list[str], str | None]]:
    """(name, kind, parameters, comment) of the macros of ``schema``."""
    return con.execute(
        """
        SELECT DISTINCT function_name,
               CASE function_type WHEN 'table_macro' THEN 'table macro' ELSE 'macro' END,
               parameters, comment
        FROM duckdb_functions()
        WHERE schema_name = ? AND function_type IN ('macro', 'table_macro')
          AND database_name = current_database()
        ORDER BY function_name
        """,
        [schema],
    ).fetchall()


def _registry_lines(marts: Sequence[Mart]) -> list[str]:
    """The registry of marts as a Markdown section."""
    lines = [
        "### Registry of marts",
        "",
        "Each mart is declared once in `warehouse/marts.py`, in the order it is built, with "
        "all its SQL in `sql/mart/<name>.sql`. Tables are built from their as-of macro at "
        "cut-off `'infinity'` and rebuilt when their definition changes "
        "(`ops.mart_definitions`); published marts are also exported as Parquet under "
        "`warehouse/published/parquet/<mart>/period_type=…/period_start=…/`.",
        "",
        "| mart | kind | at a cut-off | Parquet | depends on | what it holds |",
        "|---|---|---|---|---|---|",
    ]
    for mart in marts:
        as_of = f"`{mart.as_of_macro}(cutoff)`" if mart.as_of_macro else ""
        parquet = f"`parquet/{mart.name}/`" if mart.published else ""
        depends = ", ".join(f"`{dep}`" for dep in mart.depends_on)
        lines.append(
            f"| `{mart.qualified_name}` | {mart.kind} | {as_of} | {parquet} | {depends} "
            f"| {_cell(mart.description)} |"
        )
    return [*lines, ""]


def render_dictionary(con: duckdb.DuckDBPyConnection, marts: Sequence[Mart] = MARTS) -> str:
    """The data dictionary of the warehouse ``con`` (built from ``marts``) as Markdown."""
    lines = [
        "# dvc766 data dictionary",
        "",
        "Generated by `python -m warehouse.dictionary` from the `COMMENT ON` statements in",
        "`sql/` (read back from DuckDB's catalog). Do not edit by hand; "
        "`python -m warehouse.dictionary --check` fails when this file is stale.",
        "How the numbers are made: [derive.md](derive.md).",
        "",
    ]
    for schema, about in SCHEMAS.items():
        relations = _relations(con, schema)
        macros = _macros(con, schema)
        if schema not in FULLY_DOCUMENTED:
            relations = [
                r for r in relations if r[2] or any(c[3] for c in _columns(con, schema, r[0]))
            ]
            macros = [m for m in macros if m[3]]
        if not relations and not macros:
            continue
        lines += [f"## Schema `{schema}`", "", about, ""]
        if schema == "mart":
            lines += _registry_lines(marts)
        for name, kind, comment in relations:
            lines += [f"### `{schema}.{name}` ({kind})", "", _cell(comment) or "_(no comment)_", ""]
            lines += ["| column | type | nullable | description |", "|---|---|---|---|"]
            for column, data_type, nullable, column_comment in _columns(con, schema, name):
                lines.append(
                    f"| `{column}` | {_cell(data_type)} | {'yes' if nullable else 'no'} "
                    f"| {_cell(column_comment)} |"
                )
            lines.append("")
        if macros:
            lines += [f"### Macros of `{schema}`", ""]
            lines += ["| macro | kind | description |", "|---|---|---|"]
            for name, kind, parameters, comment in macros:
                call = f"{schema}.{name}({', '.join(parameters)})"
                lines.append(f"| `{call}` | {kind} | {_cell(comment)} |")
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def undocumented(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Objects and columns of the fully documented schemas that lack a comment."""
    missing: list[str] = []
    for schema in sorted(FULLY_DOCUMENTED):
        for name, _, comment in _relations(con, schema):
            if not comment:
                missing.append(f"{schema}.{name}")
            missing += [
                f"{schema}.{name}.{column}"
                for column, _, _, column_comment in _columns(con, schema, name)
                if not column_comment
            ]
        missing += [
            f"{schema}.{name}()" for name, _, _, comment in _macros(con, schema) if not comment
        ]
    return missing


def generate() -> str:
    """The dictionary of a freshly built reference warehouse."""
    con = reference_database()
    try:
        return render_dictionary(con)
    finally:
        con.close()


def main(argv: Sequence[str] | None = None) -> int:
    """Write ``docs/data-dictionary.md``, or with ``--check`` report whether it is stale."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    parser.add_argument("--output", type=Path, default=DOC_PATH, help="where to write")
    args = parser.parse_args(argv)
    text = generate()
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            print(f"{args.output} is stale: run python -m warehouse.dictionary", file=sys.stderr)
            return 1
        print(f"{args.output} is up to date")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
