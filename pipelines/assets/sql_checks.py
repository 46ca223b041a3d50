"""Blocking asset checks written as SQL.

A global check counts the offending rows of a whole table: zero passes, anything else
fails with severity ERROR and blocks what depends on it. A per-capture check (one with a
``reason``) looks only at the captures given, those a run just loaded: each capture it
finds is quarantined by the caller (``warehouse.rejections``) and the check reports it
as a warning, so the rest of the run goes on.

A global check can be scoped to periods (:func:`scoped_to_periods`): the mart tables it
reads are then read through temporary views holding only the rows of those periods.
That is sound for checks that compare rows within one period only (every mart check),
run after a refresh that derived only those periods, when the checks passed on all the
rest before.
"""

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from typing import NamedTuple

import dagster as dg
import duckdb

from warehouse.rejections import Offence, Offences


class SqlCheck(NamedTuple):
    """A check: its name, the table (asset) it guards, what it means, and its SQL.

    Without ``reason`` the SQL returns the number of offending rows of the whole table.
    With ``reason`` (the stable English reason its captures are quarantined with) the
    SQL takes one parameter, the list of capture ids to check, and returns one row
    ``(capture_id, offending_rows)`` per capture that fails.
    """

    name: str
    table: str
    description: str
    sql: str
    reason: str | None = None

    @property
    def per_capture(self) -> bool:
        """Whether the check is scoped to captures (and quarantines what it finds)."""
        return self.reason is not None


def check_specs(
    checks: Sequence[SqlCheck], key: Callable[[str], dg.AssetKey]
) -> list[dg.AssetCheckSpec]:
    """Blocking check specs for ``checks`` (``key`` maps a table to its asset key)."""
    return [
        dg.AssetCheckSpec(c.name, asset=key(c.table), description=c.description, blocking=True)
        for c in checks
    ]


def offending_captures(
    con: duckdb.DuckDBPyConnection, checks: Sequence[SqlCheck], capture_ids: Sequence[str]
) -> dict[str, list[Offence]]:
    """What the per-capture ``checks`` find in ``capture_ids``, by capture (in the
    order of ``checks``); captures without an offence are left out."""
    found: dict[str, list[Offence]] = {}
    if not capture_ids:
        return found
    for check in checks:
        if check.reason is None:
            continue
        for capture_id, rows in con.execute(check.sql, [list(capture_ids)]).fetchall():
            found.setdefault(capture_id, []).append(Offence(check.name, check.reason, int(rows)))
    return found


@contextmanager
def scoped_to_periods(
    con: duckdb.DuckDBPyConnection,
    periods: Sequence[tuple[str, date]],
    tables: Sequence[tuple[str, tuple[str, str]]],
) -> Iterator[Callable[[str], str]]:
    """Temporary views ``temp.checked_<table>`` holding the rows of ``periods`` of each
    mart table of ``tables`` (name, (period type column, period start column)); yields
    the function that rewrites a check's SQL to read them instead of ``mart.<table>``.
    Names come from the registry of marts; the periods go in as parameters."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE checked_periods (period_type VARCHAR, period_start DATE)"
    )
    con.execute(
        "INSERT INTO checked_periods SELECT unnest(?::VARCHAR[]), unnest(?::DATE[])",
        [[kind for kind, _ in periods], [start for _, start in periods]],
    )
    for name, (type_column, start_column) in tables:
        con.execute(
            f"""CREATE OR REPLACE TEMP VIEW checked_{name} AS
                SELECT t.* FROM mart.{name} AS t
                SEMI JOIN checked_periods AS p
                  ON p.period_type = t.{type_column} AND p.period_start = t.{start_column}"""  # noqa: S608
        )
    pattern = re.compile(r"\bmart\.(" + "|".join(name for name, _ in tables) + r")\b")
    try:
        yield lambda sql: pattern.sub(r"temp.checked_\1", sql) if tables else sql
    finally:
        for name, _ in tables:
            con.execute(f"DROP VIEW IF EXISTS temp.checked_{name}")
        con.execute("DROP TABLE IF EXISTS temp.checked_periods")


def run_checks(
    con: duckdb.DuckDBPyConnection,
    checks: Sequence[SqlCheck],
    key: Callable[[str], dg.AssetKey],
    *,
    quarantined: Offences | None = None,
    rewrite: Callable[[str], str] | None = None,
) -> list[dg.AssetCheckResult]:
    """The result of every check: global checks run on ``con`` (their SQL passed through
    ``rewrite`` first, e.g. :func:`scoped_to_periods`); per-capture checks report the
    captures ``quarantined`` for them (a warning, which does not block)."""
    results = []
    for check in checks:
        if check.reason is None:
            sql = rewrite(check.sql) if rewrite else check.sql
            offending = con.execute(sql).fetchall()[0][0]
            results.append(
                dg.AssetCheckResult(
                    check_name=check.name,
                    asset_key=key(check.table),
                    passed=offending == 0,
                    metadata={"offending_rows": offending},
                )
            )
            continue
        if quarantined is None:
            raise ValueError(f"check {check.name} is per capture: say what was quarantined")
        hits = {
            capture_id: offence.rows
            for capture_id, offences in quarantined.items()
            for offence in offences
            if offence.check_name == check.name
        }
        results.append(
            dg.AssetCheckResult(
                check_name=check.name,
                asset_key=key(check.table),
                passed=not hits,
                severity=dg.AssetCheckSeverity.WARN,
                description=(
                    f"{len(hits)} capture(s) quarantined: {check.reason}" if hits else None
                ),
                metadata={
                    "offending_rows": sum(hits.values()),
                    "quarantined_captures": len(hits),
                    "capture_ids": dg.MetadataValue.text(", ".join(sorted(hits))),
                },
            )
        )
    return results
