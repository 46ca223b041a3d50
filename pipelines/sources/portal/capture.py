"""Fetch the replies that make up one capture of the current API: a province's group
endpoints (every page of the paged ones), or the national ranking, for one period.
Fetching only talks HTTP; recording is ``warehouse.manifest``."""

from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from pipelines.sources.decode import decode_reply
from pipelines.sources.fetching import fetch_into
from pipelines.sources.portal.client import PortalClient
from pipelines.sources.portal.endpoints import (
    GROUP_ENDPOINTS,
    NATIONAL_ROOT,
    SERVICE_RESULTS,
    SOURCE,
    Endpoint,
)
from warehouse.periods import Period
from warehouse.records import CaptureBundle, InvalidReply, Reply

MAX_PAGES = 50
"""The most pages one endpoint may announce (a province of 10,000 units at 200 a page)."""


def fetch_national(client: PortalClient, period: Period) -> CaptureBundle:
    """Fetch the national ``service-results`` ranking of ``period``.

    Raises ``CaptureStopped`` (holding the bundle) if the portal blocks us.
    """
    bundle = CaptureBundle(SOURCE, "national", period, NATIONAL_ROOT, (SERVICE_RESULTS,))
    body = SERVICE_RESULTS.request_body(period)
    fetch_into(bundle, SERVICE_RESULTS, body, lambda: client.post_json(SERVICE_RESULTS.path, body))
    return bundle


def fetch_province(
    client: PortalClient, period: Period, root_unit_id: str, root_unit_code: str | None = None
) -> CaptureBundle:
    """Fetch a province's group endpoints for ``period``: the first page of each endpoint
    in order, then the further pages each paged one announces. Raises ``CaptureStopped``
    (holding the bundle) on 403/429.

    A first page is decoded (for its page count, and once for its validation) on a
    helper thread while the next endpoint is fetched, so decoding overlaps the wait for
    the portal instead of adding to it."""
    bundle = CaptureBundle(
        SOURCE, "province", period, root_unit_id, GROUP_ENDPOINTS, root_unit_code=root_unit_code
    )
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="decode") as decoder:
        announced: list[tuple[Endpoint, Future[int]]] = []
        for endpoint in GROUP_ENDPOINTS:
            first = _fetch_page(client, bundle, endpoint, period, 1)
            if first is not None and endpoint.paged:
                announced.append((endpoint, decoder.submit(_announced_pages, first)))
        for endpoint, pages_read in announced:
            pages = pages_read.result()
            if pages > MAX_PAGES:
                bundle.missing.append(
                    f"{endpoint.name}: announces {pages} pages, more than the {MAX_PAGES} allowed"
                )
                continue
            for page in range(2, pages + 1):
                _fetch_page(client, bundle, endpoint, period, page)
    return bundle


def _fetch_page(
    client: PortalClient, bundle: CaptureBundle, endpoint: Endpoint, period: Period, page: int
) -> Reply | None:
    body = endpoint.request_body(period, bundle.root_unit_id, page=page)
    return fetch_into(
        bundle, endpoint, body, lambda: client.post_json(endpoint.path, body), page=page
    )


def _announced_pages(reply: Reply) -> int:
    """``data.pagination.totalPages`` of a first page (1 when absent or unreadable:
    validation then judges the reply itself)."""
    try:
        document: Any = decode_reply(reply)
    except InvalidReply:
        return 1
    data = document.get("data") if isinstance(document, dict) else None
    pagination = data.get("pagination") if isinstance(data, dict) else None
    pages = pagination.get("totalPages") if isinstance(pagination, dict) else None
    return pages if type(pages) is int and pages > 1 else 1
