"""Dagster metadata read from the warehouse itself: row counts, column schemas (with the
column comments from the database) and a small preview, so the UI shows every table."""

import dagster as dg
import duckdb


def table_metadata(
    con: duckdb.DuckDBPyConnection, schema: str, table: str, *, preview_rows: int = 5
) -> dict[str, dg.MetadataValue | int]:
    """Row count, column schema and a Markdown preview of ``schema.table``."""
    columns = con.execute(
        """SELECT column_name, data_type, comment, is_nullable FROM duckdb_columns()
           WHERE schema_name = ? AND table_name = ? ORDER BY column_index""",
        [schema, table],
    ).fetchall()
    relation = con.table(f"{schema}.{table}")
    count = relation.aggregate("count(*)").fetchall()[0][0]
    preview = relation.limit(preview_rows).fetchall()
    header = [c[0] for c in columns]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join("" if v is None else str(v) for v in row) + " |" for row in preview]
    return {
        "dagster/row_count": count,
        "dagster/column_schema": dg.TableSchema(
            columns=[
                dg.TableColumn(
                    name=name,
                    type=dtype,
                    description=comment or None,
                    constraints=dg.TableColumnConstraints(nullable=bool(nullable)),
                )
                for name, dtype, comment, nullable in columns
            ]
        ),
        "preview": dg.MetadataValue.md("\n".join(lines)),
    }
