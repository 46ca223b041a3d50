"""The portal's legacy API as a source: fetch, validate, load."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

import duckdb

from pipelines.sources.legacy import capture
from pipelines.sources.legacy import endpoints as ep
from pipelines.sources.legacy.parse import PARSER_VERSION, list_provinces, parse_reply
from pipelines.sources.portal.client import PortalClient
from pipelines.sources.ranges import check_parsed_ranges
from warehouse.load_core import load_parsed
from warehouse.periods import Period
from warehouse.records import CaptureBundle, FetchedReply, InvalidReply, StoredReply
from warehouse.sources import ValidationContext, judge_each


def check_root(parsed_units: list[dict[str, Any]], root_code: str | None) -> None:
    """Every unit of a reply carries the root's code or a code under it (``H47``,
    ``H47.07``): the only way to tell a reply for another province when the reply does
    not name its root."""
    if not root_code:
        return
    for unit in parsed_units:
        code = unit.get("unit_code")
        if code and code != root_code and not code.startswith(f"{root_code}."):
            raise InvalidReply(
                "reply is for another root unit",
                f"asked {root_code}, got unit {code} ({unit['unit_id']})",
            )


class LegacySource:
    """``portal_legacy``: ``POST /jsp/rest.jsp`` (rankings and monthly trends)."""

    id = ep.SOURCE
    parser_version = PARSER_VERSION
    national_endpoint = ep.PROVINCES.name

    def fetch_national(self, client: PortalClient, period: Period) -> CaptureBundle:
        """The ranking of provinces for ``period``."""
        return capture.fetch_national(client, period)

    def list_roots(self, content: bytes) -> list[dict[str, Any]]:
        """The provinces of a valid national reply."""
        return list_provinces(content)

    def fetch_root(
        self, client: PortalClient, period: Period, root: Mapping[str, Any], today: date
    ) -> CaptureBundle:
        """One province's units for ``period``, one request per unit type."""
        return capture.fetch_province(client, period, root, today)

    def validate(
        self, bundle: CaptureBundle, context: ValidationContext
    ) -> list[InvalidReply | None]:
        """Each reply parses, names units of the root asked for, and scores in range."""

        def judge(fetched: FetchedReply) -> None:
            assert fetched.reply is not None
            parsed = parse_reply(fetched.endpoint.name, fetched.reply.content, bundle.root_unit_id)
            check_root(parsed.unit_sightings, bundle.root_unit_code)
            check_parsed_ranges(parsed, context.methodology)

        return judge_each(bundle, judge)

    def load(self, con: duckdb.DuckDBPyConnection, replies: Sequence[StoredReply]) -> dict:
        """Core rows of the replies, parsed in Python."""
        return load_parsed(
            con, replies, lambda r: parse_reply(r.endpoint, r.content, r.root_unit_id)
        )

    def after_load(self, con: duckdb.DuckDBPyConnection, capture_ids: list[str]) -> None:
        """Nothing to do after loading."""
        return None
