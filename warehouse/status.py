"""Operational status of a warehouse: what was captured, how complete and fresh it is,
and what failed and why."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Status:
    """Answers to "is the warehouse up to date, and if not, why?"."""

    latest_by_period: list[tuple]
    freshness: list[tuple]
    recent_problems: list[tuple]
    quarantine: list[tuple]
    blocked: list[tuple]


def read_status(con: duckdb.DuckDBPyConnection, *, problems: int = 10) -> Status:
    """Collect the status tables from an open (read-only) connection."""
    latest_by_period = con.execute(
        """
        WITH latest AS (
            SELECT *, row_number() OVER (
                PARTITION BY scope, period_type, period_start, root_unit_id
                ORDER BY captured_at DESC) AS rn
            FROM raw.captures
        )
        SELECT period_type, period_start,
               count(*) FILTER (WHERE scope = 'province') AS provinces,
               count(*) FILTER (WHERE scope = 'province' AND status = 'complete') AS complete,
               max(captured_at) AS last_captured_at
        FROM latest WHERE rn = 1
        GROUP BY ALL ORDER BY period_start DESC, period_type LIMIT 12
        """
    ).fetchall()
    freshness = con.execute(
        """
        SELECT source, max(captured_at) AS last_capture,
               max(captured_at) FILTER (WHERE status = 'complete') AS last_complete,
               round(epoch(now() - max(captured_at)) / 3600, 1) AS hours_ago
        FROM raw.captures GROUP BY source ORDER BY source
        """
    ).fetchall()
    recent_problems = con.execute(
        """
        SELECT captured_at, period_type, period_start, root_unit_id, reason
        FROM raw.captures WHERE status <> 'complete'
        ORDER BY captured_at DESC LIMIT ?
        """,
        [problems],
    ).fetchall()
    quarantine = con.execute(
        """
        SELECT quarantined_at, endpoint, period_type, period_start, reason, detail
        FROM raw.quarantine ORDER BY quarantined_at DESC LIMIT ?
        """,
        [problems],
    ).fetchall()
    blocked = con.execute(
        """
        SELECT started_at, http_status, url FROM ops.fetch_attempts
        WHERE outcome = 'blocked' ORDER BY started_at DESC LIMIT ?
        """,
        [problems],
    ).fetchall()
    return Status(latest_by_period, freshness, recent_problems, quarantine, blocked)
