"""Fetch the legacy replies that make up one capture: the national list of provinces, a
province's units (departments, districts while they exist, communes), or one unit's
monthly trend. Fetching only talks HTTP; recording is ``warehouse.manifest``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

from pipelines.sources.fetching import fetch_into
from pipelines.sources.legacy import endpoints as ep
from pipelines.sources.portal.client import PortalBlocked, PortalClient, PortalError
from warehouse.periods import Period
from warehouse.records import CaptureBundle, FetchedReply, Reply


def _post(client: PortalClient, params: dict[str, Any]) -> Reply:
    return client.post_form(ep.PATH, ep.form(params), ep.headers(client.base_url))


def _fetch_into(
    client: PortalClient, bundle: CaptureBundle, endpoint: ep.LegacyEndpoint, params: dict
) -> None:
    fetch_into(bundle, endpoint, params, lambda: _post(client, params))


def fetch_national(client: PortalClient, period: Period) -> CaptureBundle:
    """Fetch the ranking of provinces (``p_tinh_id`` 0, ``p_loaidonvi`` 1) for ``period``.

    Raises ``CaptureStopped`` (holding the bundle) if the portal blocks us.
    """
    bundle = CaptureBundle(ep.SOURCE, "national", period, ep.NATIONAL_ROOT, (ep.PROVINCES,))
    _fetch_into(client, bundle, ep.PROVINCES, ep.ranking_params(ep.PROVINCES, period, None))
    return bundle


def fetch_province(
    client: PortalClient, period: Period, province: Mapping[str, str], today: date
) -> CaptureBundle:
    """Fetch one province's units for ``period``, one request per unit type, in order.

    ``province`` is a row of ``parse.list_provinces``: ``unit_id``, ``unit_code`` and
    ``tinh_id`` (its ``p_tinh_id``).
    """
    expected = ep.province_endpoints(period, today)
    bundle = CaptureBundle(
        ep.SOURCE,
        "province",
        period,
        province["unit_id"],
        expected,
        root_unit_code=province.get("unit_code") or None,
    )
    for endpoint in expected:
        params = ep.ranking_params(endpoint, period, province["tinh_id"])
        _fetch_into(client, bundle, endpoint, params)
    return bundle


def fetch_trend(client: PortalClient, params: dict[str, Any]) -> tuple[Reply | None, str | None]:
    """Fetch a unit's monthly trend (``endpoints.trend_params``): (reply, error).

    Raises ``PortalBlocked`` if the portal blocks us.
    """
    try:
        return _post(client, params), None
    except PortalBlocked:
        raise
    except PortalError as exc:
        return None, str(exc)


def trend_bundles(
    year: int,
    unit_id: str,
    params: dict[str, Any],
    reply: Reply | None,
    error: str | None,
    months: list[int],
) -> list[CaptureBundle]:
    """One capture per month of the trend: the same reply, recorded under the month."""
    bundles = []
    for month in months:
        endpoint = ep.trend_endpoint(month)
        bundle = CaptureBundle(ep.SOURCE, "unit", Period.month(year, month), unit_id, (endpoint,))
        bundle.fetched.append(FetchedReply(endpoint, params, reply, error))
        bundles.append(bundle)
    return bundles
