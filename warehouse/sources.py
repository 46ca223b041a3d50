"""The contract every source of data implements, and what the warehouse hands it.

A source (the portal's current API, its legacy API, files people already have) is one
object with an ``id`` (``raw.captures.source``). The warehouse records a source's
captures with :meth:`Source.validate` deciding which replies are trusted, and
normalises them with :meth:`Source.load` and :meth:`Source.after_load`. Sources that
fetch over HTTP also implement :class:`FetchingSource`. The registry of sources lives
with the sources (``pipelines/sources/registry.py``) and is passed in, never imported,
so this layer knows no source by name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Protocol

import duckdb

from warehouse.methodology import Methodology
from warehouse.periods import Period
from warehouse.records import CaptureBundle, FetchedReply, InvalidReply, StoredReply


@dataclass(frozen=True)
class ValidationContext:
    """What a validator may consult besides the replies: the methodology in force for
    the bundle's period (None when no version covers it) and the warehouse, read only,
    for what is already known (units and their provinces). ``memo`` is shared by the
    validations of one batch of captures recorded on ``con``, during which the warehouse
    changes only in ``raw.*``: a validator may keep there what it read of the rest."""

    con: duckdb.DuckDBPyConnection
    methodology: Methodology | None
    memo: dict[Any, Any] = field(default_factory=dict)


class Source(Protocol):
    """A source of captures: how its replies are validated and loaded into core."""

    id: str
    parser_version: str

    def validate(
        self, bundle: CaptureBundle, context: ValidationContext
    ) -> list[InvalidReply | None]:
        """One verdict per ``bundle.fetched`` item that holds a reply (None = valid), in
        order. Validation reads the same bytes, with the same decoder, that
        :meth:`load` will load."""
        ...

    def load(self, con: duckdb.DuckDBPyConnection, replies: Sequence[StoredReply]) -> dict:
        """Insert the core rows of ``replies`` (valid, hash-verified); return the rows
        inserted per core table."""
        ...

    def after_load(self, con: duckdb.DuckDBPyConnection, capture_ids: list[str]) -> Any:
        """Run after a batch of this source's captures is loaded (None if nothing)."""
        ...


class FetchingSource(Source, Protocol):
    """A source fetched over HTTP: a national list of roots, then each root's replies."""

    national_endpoint: str

    def fetch_national(self, client: Any, period: Period) -> CaptureBundle:
        """The national list of roots (provinces) for ``period``."""
        ...

    def list_roots(self, content: bytes) -> list[dict[str, Any]]:
        """The roots a valid national reply lists (``unit_id``, ``unit_code``, …)."""
        ...

    def fetch_root(
        self, client: Any, period: Period, root: Mapping[str, Any], today: date
    ) -> CaptureBundle:
        """Every reply of one root (province) for ``period``."""
        ...


def judge_each(
    bundle: CaptureBundle, judge: Callable[[FetchedReply], None]
) -> list[InvalidReply | None]:
    """Verdicts of ``judge`` (raising ``InvalidReply``) on each reply of the bundle that
    arrived, in order: for sources whose replies stand on their own."""
    verdicts: list[InvalidReply | None] = []
    for fetched in bundle.fetched:
        if fetched.reply is None:
            continue
        try:
            judge(fetched)
            verdicts.append(None)
        except InvalidReply as exc:
            verdicts.append(exc)
    return verdicts


Sources = Mapping[str, Source]
"""Sources by id: what the manifest and normalisation are given."""


class UnknownSource(KeyError):
    """A capture names a source that is not in the registry given."""


def source_of(sources: Sources, source_id: str) -> Source:
    """The source ``source_id`` of ``sources``; raises ``UnknownSource``."""
    try:
        return sources[source_id]
    except KeyError:
        raise UnknownSource(f"no source {source_id!r} in the registry") from None
