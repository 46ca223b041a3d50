"""The current portal API as a source: fetch, validate, load."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import duckdb

from pipelines.sources.portal import capture
from pipelines.sources.portal.client import PortalClient
from pipelines.sources.portal.endpoints import SERVICE_RESULTS, SOURCE
from pipelines.sources.portal.load import load_portal_replies
from pipelines.sources.portal.provinces import list_provinces
from pipelines.sources.portal.validate import (
    decode_envelope,
    validate_group_bundle,
    validate_national_reply,
)
from warehouse.periods import Period
from warehouse.records import CaptureBundle, FetchedReply, InvalidReply, StoredReply
from warehouse.sources import ValidationContext, judge_each

PARSER_VERSION = "portal_api/1"
"""Version of the rows the SQL loader (``load.py``, ``sql/core/load/``) builds: a change
re-normalises the captures loaded by an older version."""


class PortalSource:
    """``portal_api``: the current API (``/api/v1/reporting/evaluation/…``)."""

    id = SOURCE
    parser_version = PARSER_VERSION
    national_endpoint = SERVICE_RESULTS.name

    def fetch_national(self, client: PortalClient, period: Period) -> CaptureBundle:
        """The ``service-results`` ranking of ``period``."""
        return capture.fetch_national(client, period)

    def list_roots(self, content: bytes) -> list[dict[str, Any]]:
        """The provinces of a valid ``service-results`` reply."""
        return list_provinces(content)

    def fetch_root(
        self, client: PortalClient, period: Period, root: Mapping[str, Any], today: date
    ) -> CaptureBundle:
        """A province's group endpoints for ``period`` (every page)."""
        return capture.fetch_province(
            client, period, root["unit_id"], root.get("unit_code") or None
        )

    def validate(
        self, bundle: CaptureBundle, context: ValidationContext
    ) -> list[InvalidReply | None]:
        """Verdicts on the bundle's replies (see ``validate.py``)."""
        if bundle.scope != "national":
            return validate_group_bundle(bundle, context)

        def judge(fetched: FetchedReply) -> None:
            assert fetched.reply is not None
            validate_national_reply(decode_envelope(fetched.reply), context.methodology)

        return judge_each(bundle, judge)

    def load(self, con: duckdb.DuckDBPyConnection, replies: Sequence[StoredReply]) -> dict:
        """Core rows of the replies, built in SQL."""
        return load_portal_replies(con, replies)

    def after_load(self, con: duckdb.DuckDBPyConnection, capture_ids: list[str]) -> None:
        """Nothing to do after loading."""
        return None
