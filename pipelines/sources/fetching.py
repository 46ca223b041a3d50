"""The fetch loop every HTTP source shares: one request into a capture bundle, with the
portal's refusals (403/429) stopping the whole capture and other failures recorded as
the reason a reply is missing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pipelines.sources.portal.client import PortalBlocked, PortalError
from warehouse.records import CaptureBundle, Endpoint, FetchedReply, Reply


class CaptureStopped(PortalBlocked):
    """The portal blocked us in the middle of a capture; ``bundle`` holds what arrived."""

    def __init__(self, blocked: PortalBlocked, bundle: CaptureBundle) -> None:
        super().__init__(blocked.status, str(blocked))
        self.args = blocked.args
        self.bundle = bundle


def fetch_into(
    bundle: CaptureBundle,
    endpoint: Endpoint,
    body: dict[str, Any],
    send: Callable[[], Reply],
    *,
    page: int = 1,
) -> Reply | None:
    """Send one request and add its outcome to ``bundle``; return the reply, or None
    when it failed (the bundle says why). Raises ``CaptureStopped`` on 403/429."""
    try:
        reply = send()
    except PortalBlocked as exc:
        bundle.fetched.append(FetchedReply(endpoint, body, None, str(exc), page))
        bundle.stopped_reason = str(exc)
        raise CaptureStopped(exc, bundle) from exc
    except PortalError as exc:
        bundle.fetched.append(FetchedReply(endpoint, body, None, str(exc), page))
        return None
    bundle.fetched.append(FetchedReply(endpoint, body, reply, None, page))
    return reply
