"""Fetch the replies that make up one capture: a province's six groups, or the national
ranking, for one period. Fetching only talks HTTP; recording is ``warehouse.manifest``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipelines.periods import Period
from pipelines.sources.portal.client import (
    PortalBlocked,
    PortalClient,
    PortalError,
    PortalReply,
)
from pipelines.sources.portal.endpoints import (
    GROUP_ENDPOINTS,
    NATIONAL_ROOT,
    SERVICE_RESULTS,
    SOURCE,
    Endpoint,
)


@dataclass(frozen=True)
class FetchedReply:
    """The outcome of one endpoint in a capture: a reply, or why there is none."""

    endpoint: Endpoint
    request_body: dict
    reply: PortalReply | None
    error: str | None = None


@dataclass
class CaptureBundle:
    """Replies fetched together for one (scope, period, root unit).

    ``source`` names the raw source (``raw.captures.source``) and so the parser that
    validates the replies. ``root_unit_code``, when set, is the root's code: every unit
    of a reply must carry it or a code under it (``H47``, ``H47.07``), the only way to
    tell a reply for another province when the reply itself does not name its root.
    """

    scope: str
    period: Period
    root_unit_id: str
    expected: tuple[Endpoint, ...]
    fetched: list[FetchedReply] = field(default_factory=list)
    stopped_reason: str | None = None
    source: str = SOURCE
    root_unit_code: str | None = None


def fetch_national(client: PortalClient, period: Period) -> CaptureBundle:
    """Fetch the national ``service-results`` ranking of ``period``.

    Raises ``PortalBlocked`` after recording nothing if the portal blocks us; callers
    record the bundle from ``exc.bundle``.
    """
    bundle = CaptureBundle("national", period, NATIONAL_ROOT, (SERVICE_RESULTS,))
    _fetch_into(client, bundle, SERVICE_RESULTS, SERVICE_RESULTS.request_body(period))
    return bundle


def fetch_province(client: PortalClient, period: Period, root_unit_id: str) -> CaptureBundle:
    """Fetch the six group endpoints of one province for ``period``, in order."""
    bundle = CaptureBundle("province", period, root_unit_id, GROUP_ENDPOINTS)
    for endpoint in GROUP_ENDPOINTS:
        _fetch_into(client, bundle, endpoint, endpoint.request_body(period, root_unit_id))
    return bundle


class CaptureStopped(PortalBlocked):
    """The portal blocked us in the middle of a capture; ``bundle`` holds what arrived."""

    def __init__(self, blocked: PortalBlocked, bundle: CaptureBundle) -> None:
        super().__init__(blocked.status, str(blocked))
        self.args = blocked.args
        self.bundle = bundle


def _fetch_into(
    client: PortalClient, bundle: CaptureBundle, endpoint: Endpoint, body: dict
) -> None:
    try:
        reply = client.post_json(endpoint.path, body)
    except PortalBlocked as exc:
        bundle.fetched.append(FetchedReply(endpoint, body, None, str(exc)))
        bundle.stopped_reason = str(exc)
        raise CaptureStopped(exc, bundle) from exc
    except PortalError as exc:
        bundle.fetched.append(FetchedReply(endpoint, body, None, str(exc)))
        return
    bundle.fetched.append(FetchedReply(endpoint, body, reply))
