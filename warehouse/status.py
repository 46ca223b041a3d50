"""Operational status of a warehouse: what was captured, how complete and fresh it is,
and what failed and why.

What failed is said for people: the province by code and name, the period as the
letters write it, the time in Asia/Ho_Chi_Minh and the reason in Vietnamese
(``warehouse.reasons``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb

from warehouse.outcome import local_time, unit_label
from warehouse.periods import period_label
from warehouse.reasons import capture_problem, in_vietnamese


@dataclass(frozen=True)
class Status:
    """Answers to "is the warehouse up to date, and if not, why?".

    ``recent_problems``: (time, period, province, why) of incomplete captures;
    ``quarantine``: (time, period, province, endpoint, why, detail) of quarantined replies
    and captures; ``rejected``: (time, period, province, check, why) of the captures core
    checks rejected, kept out of core."""

    latest_by_period: list[tuple]
    freshness: list[tuple]
    recent_problems: list[tuple]
    quarantine: list[tuple]
    blocked: list[tuple]
    rejected: list[tuple] = field(default_factory=list)


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether the warehouse has ``schema.table`` (an older publication may not)."""
    return bool(
        con.execute(
            """SELECT count(*) FROM duckdb_tables()
               WHERE database_name = current_database() AND schema_name = ? AND table_name = ?""",
            [schema, table],
        ).fetchall()[0][0]
    )


def read_status(con: duckdb.DuckDBPyConnection, *, problems: int = 10) -> Status:
    """Collect the status tables from an open (read-only) connection."""
    latest_by_period = [
        (period_label(ptype, start), provinces, complete, local_time(last))
        for ptype, start, provinces, complete, last in con.execute(
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
    ]
    freshness = [
        (source, local_time(last), local_time(last_complete), hours)
        for source, last, last_complete, hours in con.execute(
            """
            SELECT source, max(captured_at) AS last_capture,
                   max(captured_at) FILTER (WHERE status = 'complete') AS last_complete,
                   round(epoch(now() - max(captured_at)) / 3600, 1) AS hours_ago
            FROM raw.captures GROUP BY source ORDER BY source
            """
        ).fetchall()
    ]
    recent_problems = [
        (
            local_time(at),
            period_label(ptype, start),
            unit_label(root, code, name),
            capture_problem(why),
        )
        for at, ptype, start, root, code, name, why in con.execute(
            """
            SELECT c.captured_at, c.period_type, c.period_start, c.root_unit_id,
                   u.unit_code, u.unit_name, c.reason
            FROM raw.captures AS c LEFT JOIN core.units AS u ON u.unit_id = c.root_unit_id
            WHERE c.status <> 'complete'
            ORDER BY c.captured_at DESC LIMIT ?
            """,
            [problems],
        ).fetchall()
    ]
    quarantine = [
        (
            local_time(at),
            period_label(ptype, start) if ptype else "",
            unit_label(root, code, name) if root else "",
            endpoint or "cả lần thu thập",
            in_vietnamese(why),
            detail,
        )
        for at, ptype, start, root, code, name, endpoint, why, detail in con.execute(
            """
            SELECT q.quarantined_at, q.period_type, q.period_start, q.root_unit_id,
                   u.unit_code, u.unit_name, q.endpoint, q.reason, q.detail
            FROM raw.quarantine AS q LEFT JOIN core.units AS u ON u.unit_id = q.root_unit_id
            ORDER BY q.quarantined_at DESC LIMIT ?
            """,
            [problems],
        ).fetchall()
    ]
    rejected = []
    if _has_table(con, "ops", "rejected_captures"):
        rejected = [
            (
                local_time(at),
                period_label(ptype, start),
                unit_label(root, code, name),
                check,
                in_vietnamese(why),
            )
            for at, ptype, start, root, code, name, check, why in con.execute(
                """
                SELECT r.rejected_at, c.period_type, c.period_start, c.root_unit_id,
                       u.unit_code, u.unit_name, r.check_name, r.reason
                FROM ops.rejected_captures AS r
                JOIN raw.captures AS c USING (capture_id)
                LEFT JOIN core.units AS u ON u.unit_id = c.root_unit_id
                ORDER BY r.rejected_at DESC LIMIT ?
                """,
                [problems],
            ).fetchall()
        ]
    blocked = [
        (local_time(at), status, url)
        for at, status, url in con.execute(
            """
            SELECT started_at, http_status, url FROM ops.fetch_attempts
            WHERE outcome = 'blocked' ORDER BY started_at DESC LIMIT ?
            """,
            [problems],
        ).fetchall()
    ]
    return Status(latest_by_period, freshness, recent_problems, quarantine, blocked, rejected)
