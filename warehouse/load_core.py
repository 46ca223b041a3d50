"""Normalise recorded captures into the core tables.

Each capture's valid replies are read back from the raw store (raw is the source of
truth), parsed, and loaded with their provenance (response, capture, period, capture
time). Loading a capture first deletes whatever core rows it had, in the same
transaction, so re-normalising the same bytes leaves the tables unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from warehouse.connection import transaction
from warehouse.raw_store import RawStore, RawStoreFault
from warehouse.records import ParsedReply, StoredReply
from warehouse.sources import Sources, source_of
from warehouse.sql_files import read_sql

_PROVENANCE = {
    "response_id": pl.String,
    "capture_id": pl.String,
    "period_type": pl.String,
    "period_start": pl.Date,
    "captured_at": pl.Datetime("us", "UTC"),
}
CORE_SCHEMAS: dict[str, dict[str, pl.DataType]] = {
    "unit_sightings": {
        "response_id": pl.String(),
        "capture_id": pl.String(),
        "unit_id": pl.String(),
        "unit_code": pl.String(),
        "unit_name": pl.String(),
        "unit_type": pl.String(),
        "unit_level": pl.String(),
        "parent_unit_id": pl.String(),
        "province_unit_id": pl.String(),
        "captured_at": pl.Datetime("us", "UTC"),
    },
    "group_scores": {
        **_PROVENANCE,
        "unit_id": pl.String,
        "group_code": pl.String,
        "score": pl.Float64,
        "max_score": pl.Float64,
        "ratio": pl.Float64,
        "score_delta": pl.Float64,
        "is_root": pl.Boolean,
    },
    "metric_values": {
        **_PROVENANCE,
        "unit_id": pl.String,
        "group_code": pl.String,
        "metric_code": pl.String,
        "metric_name": pl.String,
        "numerator": pl.Float64,
        "denominator": pl.Float64,
        "ratio": pl.Float64,
        "score": pl.Float64,
        "max_score": pl.Float64,
        "data_quality_status": pl.String,
        "data_quality_message": pl.String,
    },
    "group_parameters": {
        **_PROVENANCE,
        "unit_id": pl.String,
        "group_code": pl.String,
        "parameter": pl.String,
        "value": pl.Float64,
    },
    "reported_totals": {
        **_PROVENANCE,
        "unit_id": pl.String,
        "total_score": pl.Float64,
        "total_max_score": pl.Float64,
        "ratio": pl.Float64,
        "score_delta": pl.Float64,
        "reported_rank": pl.Int32,
        "reported_cohort_size": pl.Int32,
    },
    "reported_band_counts": {
        **_PROVENANCE,
        "unit_id": pl.String,
        "unit_level": pl.String,
        "band_code": pl.String,
        "unit_count": pl.Int32,
        "level_total": pl.Int32,
    },
}
_PERIOD_KEYS = ("period_type", "period_start")


@dataclass
class NormaliseStats:
    """Counts of what a normalisation loaded (``capture_ids``: the captures loaded, in
    order), and the stored replies it could not read."""

    captures: int = 0
    capture_ids: list[str] = field(default_factory=list)
    replies: int = 0
    rows: dict[str, int] | None = None
    post_load: dict[str, Any] = field(default_factory=dict)
    faults: list[RawStoreFault] = field(default_factory=list)

    def add(self, table: str, count: int) -> None:
        """Count ``count`` rows loaded into ``table``."""
        self.rows = self.rows or {}
        self.rows[table] = self.rows.get(table, 0) + count


def captures_to_normalise(
    con: duckdb.DuckDBPyConnection,
    partition_months: Sequence | None,
    sources: Sources,
    *,
    force: bool = False,
) -> list[str]:
    """Captures recorded under these partition months (all months when None) that core
    does not hold with their source's current parser (or, with ``force``, all of them)."""
    rows = con.execute(
        """
        WITH versions AS (
            SELECT unnest(?::VARCHAR[]) AS source, unnest(?::VARCHAR[]) AS parser_version
        )
        SELECT c.capture_id
        FROM raw.captures AS c
        LEFT JOIN versions AS v USING (source)
        LEFT JOIN ops.normalisations AS n
          ON n.capture_id = c.capture_id AND n.parser_version = v.parser_version
        WHERE (? IS NULL OR list_contains(?, c.partition_month))
          AND (? OR n.capture_id IS NULL)
        ORDER BY c.captured_at, c.capture_id
        """,
        [
            list(sources),
            [source.parser_version for source in sources.values()],
            None if partition_months is None else 1,
            list(partition_months or []),
            force,
        ],
    ).fetchall()
    return [row[0] for row in rows]


ReplyParser = Callable[[StoredReply], ParsedReply]
"""Parses one stored reply into core rows."""


def load_parsed(
    con: duckdb.DuckDBPyConnection, replies: Sequence[StoredReply], parse: ReplyParser
) -> dict[str, int]:
    """Insert the rows ``parse`` reads from each reply, with the reply's provenance;
    return the rows inserted per core table. For sources parsed in Python. A row that
    carries its own period (a letter's figure for another month than the letter's)
    keeps it; the others take the reply's."""
    tables: dict[str, list[dict]] = {name: [] for name in CORE_SCHEMAS}
    for reply in replies:
        parsed = parse(reply)
        provenance = {
            "response_id": reply.response_id,
            "capture_id": reply.capture_id,
            "captured_at": reply.captured_at,
        }
        period = {"period_type": reply.period_type, "period_start": reply.period_start}
        for name in CORE_SCHEMAS:
            extra = provenance if name == "unit_sightings" else {**provenance, **period}
            tables[name].extend(
                {**row, **extra, **{k: row[k] for k in _PERIOD_KEYS if row.get(k) is not None}}
                for row in getattr(parsed, name)
            )
    for name, schema in CORE_SCHEMAS.items():
        if tables[name]:
            con.register("core_frame", pl.from_dicts(tables[name], schema=schema))
            try:
                # ``name`` is an identifier from the fixed CORE_SCHEMAS allowlist.
                con.execute(f"INSERT INTO core.{name} BY NAME SELECT * FROM core_frame")  # noqa: S608
            finally:
                con.unregister("core_frame")
    return {name: len(rows) for name, rows in tables.items()}


def run_sql_script(
    con: duckdb.DuckDBPyConnection, script: str, first_params: list | None = None
) -> dict[str, int]:
    """Run each statement of ``script`` in order (parameters go to the first one only);
    return the rows inserted per target table."""
    inserted: dict[str, int] = {}
    for index, statement in enumerate(con.extract_statements(script)):
        params = first_params if index == 0 and first_params is not None else None
        rows = con.execute(statement.query, params).fetchall()
        if statement.type == duckdb.StatementType.INSERT:
            target = statement.query.split("INTO", 1)[1].split()[0].split(".")[-1]
            inserted[target] = inserted.get(target, 0) + int(rows[0][0])
    return inserted


def normalise_captures(
    con: duckdb.DuckDBPyConnection,
    store: RawStore,
    capture_ids: Iterable[str],
    sources: Sources,
    *,
    batch_size: int = 200,
) -> NormaliseStats:
    """Load the given captures into core, ``batch_size`` captures per transaction, each
    reply read through the raw store's hash check and loaded by its own source.

    A capture with a stored reply that is missing or fails its hash is not loaded (its
    earlier core rows, if any, are removed: nothing is derived from bytes that cannot be
    verified) and is listed in ``stats.faults`` and ``ops.raw_store_faults``; it is
    loaded by a later run once the right bytes are stored again.
    """
    stats = NormaliseStats()
    ids = list(capture_ids)
    for start in range(0, len(ids), batch_size):
        batch = ids[start : start + batch_size]
        loaded = _normalise_batch(con, store, batch, sources, stats)
        by_source = con.execute(
            """SELECT source, list(capture_id ORDER BY capture_id) FROM raw.captures
               WHERE list_contains(?, capture_id) GROUP BY source ORDER BY source""",
            [loaded],
        ).fetchall()
        for source_id, source_ids in by_source:
            result = source_of(sources, source_id).after_load(con, source_ids)
            if result is not None:
                stats.post_load[source_id] = result
    with transaction(con):
        con.execute(read_sql("core/units_refresh.sql"))
    return stats


def _read_replies(
    con: duckdb.DuckDBPyConnection, store: RawStore, batch: list[str]
) -> tuple[list[StoredReply], list[RawStoreFault]]:
    """The valid replies of ``batch``, read through the hash check, and the faults."""
    cursor = con.execute(
        """
        SELECT response_id, capture_id, source, endpoint, group_code, page, root_unit_id,
               period_type, period_start, captured_at, sha256
        FROM raw.responses
        WHERE list_contains(?, capture_id) AND validation = 'valid'
        ORDER BY capture_id, endpoint, page
        """,
        [batch],
    )
    replies, faults = [], []
    for row in cursor.fetchall():
        try:
            content = store.get(row[10])
        except RawStoreFault as fault:
            faults.append(fault.with_reply(row[0], row[1]))
            continue
        replies.append(StoredReply(*row, content=content))
    return replies, faults


def _normalise_batch(
    con: duckdb.DuckDBPyConnection,
    store: RawStore,
    batch: list[str],
    sources: Sources,
    stats: NormaliseStats,
) -> list[str]:
    """Load one batch of captures; return the ids loaded (all but the faulty ones)."""
    replies, faults = _read_replies(con, store, batch)
    faulty = {fault.capture_id for fault in faults}
    loaded = [capture_id for capture_id in batch if capture_id not in faulty]
    replies = [r for r in replies if r.capture_id not in faulty]
    by_source: dict[str, list[StoredReply]] = {}
    for reply in replies:
        by_source.setdefault(reply.source, []).append(reply)
    with transaction(con):
        already = con.execute(
            "SELECT count(*) FROM ops.normalisations WHERE list_contains(?, capture_id)", [batch]
        ).fetchall()[0][0]
        if already:  # re-normalising: the batch's earlier rows go first
            for name in CORE_SCHEMAS:
                con.execute(
                    f"DELETE FROM core.{name} WHERE list_contains(?, capture_id)",  # noqa: S608
                    [batch],
                )
            con.execute(
                "DELETE FROM ops.normalisations WHERE list_contains(?, capture_id)", [batch]
            )
        for source_id, source_replies in sorted(by_source.items()):
            for table, count in source_of(sources, source_id).load(con, source_replies).items():
                stats.add(table, count)
        con.execute(
            """
            WITH versions AS (
                SELECT unnest(?::VARCHAR[]) AS source, unnest(?::VARCHAR[]) AS parser_version
            )
            INSERT INTO ops.normalisations
            SELECT c.capture_id, v.parser_version, now(),
                   (SELECT count(*) FROM core.group_scores AS g WHERE g.capture_id = c.capture_id),
                   (SELECT count(*) FROM core.metric_values AS m WHERE m.capture_id = c.capture_id)
            FROM raw.captures AS c
            JOIN versions AS v USING (source)
            WHERE list_contains(?, c.capture_id)
            """,
            [list(sources), [s.parser_version for s in sources.values()], loaded],
        )
        for fault in faults:
            con.execute(
                "INSERT INTO ops.raw_store_faults VALUES (?, ?, ?, ?, ?, ?, now())",
                [
                    fault.sha256,
                    fault.relative_path,
                    fault.kind,
                    fault.response_id,
                    fault.capture_id,
                    str(fault),
                ],
            )
    stats.faults.extend(faults)
    stats.captures += len(loaded)
    stats.capture_ids.extend(loaded)
    stats.replies += len(replies)
    return loaded
