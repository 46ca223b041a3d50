"""Blocking asset checks written as SQL.

A global check counts the offending rows of a whole table: zero passes, anything else
fails with severity ERROR and blocks what depends on it. A per-capture check (one with a
``reason``) looks only at the captures given, those a run just loaded: each capture it
finds is quarantined by the caller (``warehouse.rejections``) and the check reports it
as a warning, so the rest of the run goes on.
"""

from collections.abc import Callable, Sequence
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


def run_checks(
    con: duckdb.DuckDBPyConnection,
    checks: Sequence[SqlCheck],
    key: Callable[[str], dg.AssetKey],
    *,
    quarantined: Offences | None = None,
) -> list[dg.AssetCheckResult]:
    """The result of every check: global checks run on ``con``; per-capture checks
    report the captures ``quarantined`` for them (a warning, which does not block)."""
    results = []
    for check in checks:
        if check.reason is None:
            offending = con.execute(check.sql).fetchall()[0][0]
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
