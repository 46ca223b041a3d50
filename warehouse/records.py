"""The records every source and the warehouse share: what was asked, what came back,
what was stored, and what a reply said.

Sources (``pipelines/sources/*``) build these; the warehouse (manifest, normalisation)
reads them. They live in the lower layer so that the warehouse never imports a source.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from warehouse.periods import Period


class InvalidReply(ValueError):
    """A reply (or file) that cannot be trusted, with a reason fit for an operator."""

    def __init__(self, reason: str, detail: str | None = None) -> None:
        super().__init__(reason if detail is None else f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


class Endpoint(Protocol):
    """What the warehouse needs to know of an endpoint: its name (``raw.responses``'
    ``endpoint``) and the group it reports, if any."""

    @property
    def name(self) -> str:
        """The endpoint's name, unique within its source."""
        ...

    @property
    def group_code(self) -> str | None:
        """The methodology group the endpoint reports, or None."""
        ...


@dataclass(frozen=True)
class Attempt:
    """One HTTP attempt, for the operational log (``ops.fetch_attempts``)."""

    url: str
    request_body: str
    attempt: int
    started_at: datetime
    elapsed_ms: float
    http_status: int | None
    outcome: str
    error: str | None = None
    bytes: int | None = None
    sha256: str | None = None


@dataclass(frozen=True)
class Reply:
    """A reply as received (from the portal, or a file read in), with its exact bytes."""

    url: str
    request_body: dict[str, Any]
    status: int
    content_type: str | None
    content: bytes
    received_at: datetime
    decoded: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)
    """What a source decoded of ``content``, kept so that the same bytes are decoded once
    (``pipelines.sources.decode.decode_reply``); never part of what is stored."""


@dataclass(frozen=True)
class FetchedReply:
    """The outcome of one request of a capture: a reply, or why there is none.

    ``page`` numbers the pages of a paged endpoint (1 for unpaged ones); every page is
    its own stored reply.
    """

    endpoint: Endpoint
    request_body: dict
    reply: Reply | None
    error: str | None = None
    page: int = 1


@dataclass
class CaptureBundle:
    """Replies fetched together for one (source, scope, period, root unit).

    ``source`` names the raw source (``raw.captures.source``). ``root_unit_code``, when
    known, is the root's code: a unit of a reply must carry it or a code under it
    (``H47``, ``H47.07``). ``missing`` lists what should have been fetched but was not
    (a page the portal announced and never served), each with its reason.
    """

    source: str
    scope: str
    period: Period
    root_unit_id: str
    expected: tuple[Endpoint, ...]
    fetched: list[FetchedReply] = field(default_factory=list)
    stopped_reason: str | None = None
    root_unit_code: str | None = None
    missing: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StoredReply:
    """A valid reply read back from the raw store (hash verified) for normalisation."""

    response_id: str
    capture_id: str
    source: str
    endpoint: str
    group_code: str | None
    page: int
    root_unit_id: str
    period_type: str
    period_start: date
    captured_at: datetime
    sha256: str
    content: bytes


@dataclass
class ParsedReply:
    """Row sets read from one reply (columns as in the core tables, less provenance)."""

    unit_sightings: list[dict[str, Any]] = field(default_factory=list)
    group_scores: list[dict[str, Any]] = field(default_factory=list)
    metric_values: list[dict[str, Any]] = field(default_factory=list)
    group_parameters: list[dict[str, Any]] = field(default_factory=list)
    reported_totals: list[dict[str, Any]] = field(default_factory=list)
    reported_band_counts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def units(self) -> set[str]:
        """Ids of the units in the reply."""
        return {row["unit_id"] for row in self.unit_sightings}
