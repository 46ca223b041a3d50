"""Blocking asset checks written as SQL: each counts offending rows, zero passes."""

from collections.abc import Callable, Sequence
from typing import NamedTuple

import dagster as dg
import duckdb


class SqlCheck(NamedTuple):
    """A check: its name, the table (asset) it guards, what it means, and a query that
    returns the number of offending rows."""

    name: str
    table: str
    description: str
    sql: str


def check_specs(
    checks: Sequence[SqlCheck], key: Callable[[str], dg.AssetKey]
) -> list[dg.AssetCheckSpec]:
    """Blocking check specs for ``checks`` (``key`` maps a table to its asset key)."""
    return [
        dg.AssetCheckSpec(c.name, asset=key(c.table), description=c.description, blocking=True)
        for c in checks
    ]


def run_checks(
    con: duckdb.DuckDBPyConnection,
    checks: Sequence[SqlCheck],
    key: Callable[[str], dg.AssetKey],
) -> list[dg.AssetCheckResult]:
    """Run every check on ``con`` and return its result."""
    results = []
    for check in checks:
        offending = con.execute(check.sql).fetchall()[0][0]
        results.append(
            dg.AssetCheckResult(
                check_name=check.name,
                asset_key=key(check.table),
                passed=offending == 0,
                metadata={"offending_rows": offending},
            )
        )
    return results
