"""Captures rejected by a per-capture core check.

After a normalisation, the core checks that can be scoped to a capture run on the
captures just loaded. A capture they find loses its core rows, gets a ``raw.quarantine``
row naming the checks, and an ``ops.rejected_captures`` row that keeps it out of later
normalisations until its source's parser version changes. The rest of the run goes on:
one bad reply never blocks the pipeline.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import duckdb

from warehouse.connection import transaction
from warehouse.load_core import CORE_SCHEMAS, captures_to_normalise
from warehouse.manifest import insert_quarantine
from warehouse.periods import Period
from warehouse.sources import Sources, source_of
from warehouse.sql_files import read_sql


@dataclass(frozen=True)
class Offence:
    """What one check found in one capture: the check, its stable English reason, and
    the number of offending rows."""

    check_name: str
    reason: str
    rows: int


Offences = Mapping[str, Sequence[Offence]]
"""What the checks found, by capture id (only captures with at least one offence)."""


def rejected_capture_ids(con: duckdb.DuckDBPyConnection, sources: Sources) -> set[str]:
    """Captures rejected under their source's current parser version."""
    rows = con.execute(
        """
        WITH versions AS (
            SELECT unnest(?::VARCHAR[]) AS source, unnest(?::VARCHAR[]) AS parser_version
        )
        SELECT r.capture_id
        FROM ops.rejected_captures AS r
        JOIN raw.captures AS c USING (capture_id)
        JOIN versions AS v ON v.source = c.source AND v.parser_version = r.parser_version
        """,
        [list(sources), [source.parser_version for source in sources.values()]],
    ).fetchall()
    return {row[0] for row in rows}


def captures_to_load(
    con: duckdb.DuckDBPyConnection,
    partition_months: Sequence | None,
    sources: Sources,
    *,
    force: bool = False,
) -> list[str]:
    """The captures of these partition months that core should load now: those not
    normalised with their source's current parser, less the ones rejected under it
    (with ``force``: every capture, the rejected ones tried again)."""
    pending = captures_to_normalise(con, partition_months, sources, force=force)
    if force:
        return pending
    rejected = rejected_capture_ids(con, sources)
    return [capture_id for capture_id in pending if capture_id not in rejected]


def settle_checked_captures(
    con: duckdb.DuckDBPyConnection,
    loaded: Sequence[str],
    offences: Offences,
    sources: Sources,
    *,
    run_id: str | None,
) -> None:
    """Reject the captures with offences (their core rows removed, a quarantine row and
    an ``ops.rejected_captures`` row each) and clear earlier rejections of the other
    ``loaded`` captures, which passed this time; one transaction."""
    passed = [capture_id for capture_id in loaded if capture_id not in offences]
    with transaction(con):
        con.execute(
            "DELETE FROM ops.rejected_captures WHERE list_contains(?, capture_id)", [passed]
        )
        if not offences:
            return
        rejected = sorted(offences)
        for table in CORE_SCHEMAS:
            # ``table`` is a name from the fixed CORE_SCHEMAS allowlist.
            con.execute(
                f"DELETE FROM core.{table} WHERE list_contains(?, capture_id)",  # noqa: S608
                [rejected],
            )
        con.execute("DELETE FROM ops.normalisations WHERE list_contains(?, capture_id)", [rejected])
        captures = con.execute(
            """SELECT capture_id, source, period_type, period_start, root_unit_id
               FROM raw.captures WHERE list_contains(?, capture_id) ORDER BY capture_id""",
            [rejected],
        ).fetchall()
        for capture_id, source_id, period_type, period_start, root_unit_id in captures:
            _reject(
                con,
                capture_id,
                offences[capture_id],
                source_id=source_id,
                parser_version=source_of(sources, source_id).parser_version,
                period=Period(period_type, period_start),
                root_unit_id=root_unit_id,
                run_id=run_id,
            )
        con.execute(read_sql("core/units_refresh.sql"))


def _reject(
    con: duckdb.DuckDBPyConnection,
    capture_id: str,
    found: Sequence[Offence],
    *,
    source_id: str,
    parser_version: str,
    period: Period,
    root_unit_id: str,
    run_id: str | None,
) -> None:
    """Quarantine one capture for what the checks ``found`` in it (the first check gives
    the reason, the detail lists them all)."""
    first = found[0]
    detail = "; ".join(
        f"core check {o.check_name}: {o.rows} offending row{'s' if o.rows != 1 else ''}"
        for o in found
    )
    quarantine_id = f"{capture_id}:core-check:{parser_version}"
    exists = con.execute(
        "SELECT count(*) FROM raw.quarantine WHERE quarantine_id = ?", [quarantine_id]
    ).fetchall()[0][0]
    if not exists:
        insert_quarantine(
            con,
            quarantine_id=quarantine_id,
            source=source_id,
            reason=first.reason,
            detail=detail,
            sha256=None,
            capture_id=capture_id,
            period=period,
            root_unit_id=root_unit_id,
        )
    con.execute(
        "INSERT OR REPLACE INTO ops.rejected_captures VALUES (?, ?, ?, ?, ?, ?, now())",
        [capture_id, parser_version, first.check_name, first.reason, detail, run_id],
    )
