"""A writer applies the schema only when the warehouse does not already hold this code's
(``ops.schema_version``): each new process used to re-create every macro and view (about
a second), and an upgrade must still reach an existing warehouse. Real processes, a real
DuckDB file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb

from warehouse.schema import schema_fingerprint

PROJECT = Path(__file__).resolve().parents[1]


def _write_in_a_new_process(database: Path) -> None:
    """Open the warehouse for writing in a fresh Python process (nothing memoised)."""
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from warehouse.connection import connect\n"
            "with connect(sys.argv[1]) as con: con.execute('SELECT 1')",
            str(database),
        ],
        cwd=PROJECT,
        check=True,
        timeout=120,
    )


def _version(database: Path) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.execute("SELECT fingerprint, applied_at FROM ops.schema_version").fetchall()


def test_the_schema_is_applied_once_then_only_when_it_changed(tmp_path: Path) -> None:
    database = tmp_path / "w.duckdb"
    _write_in_a_new_process(database)
    first = _version(database)
    assert [row[0] for row in first] == [schema_fingerprint()]

    _write_in_a_new_process(database)
    assert _version(database) == first  # the same code: not applied again

    # an older schema in the file (as after an upgrade of the code): a view it lacks
    with duckdb.connect(str(database)) as con:
        con.execute("DROP VIEW mart.band_count_table")
        con.execute("UPDATE ops.schema_version SET fingerprint = 'an older schema'")
    _write_in_a_new_process(database)
    upgraded = _version(database)
    assert [row[0] for row in upgraded] == [schema_fingerprint()]
    assert upgraded[0][1] > first[0][1]
    with duckdb.connect(str(database), read_only=True) as con:
        assert con.execute(
            "SELECT count(*) FROM duckdb_views() "
            "WHERE schema_name = 'mart' AND view_name = 'band_count_table'"
        ).fetchone() == (1,)


def test_the_fingerprint_covers_every_ddl_file_and_mart_definition() -> None:
    from warehouse.marts import MARTS

    assert schema_fingerprint(MARTS) == schema_fingerprint()
    assert schema_fingerprint(MARTS[:-1]) != schema_fingerprint()
