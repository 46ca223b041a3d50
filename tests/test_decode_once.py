"""Each reply is decoded once: the fetch that reads a paged endpoint's page count and the
validation of the same reply share one strict decoding of the same bytes, and a refusal
is never kept (it is decided again, from the bytes, every time). A real httpx client
against the local portal on 127.0.0.1, a real DuckDB file for the validation context."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from fake_portal.server import FakePortal
from pipelines.resources import WarehouseResource
from pipelines.sources.decode import decode_json, decode_reply
from pipelines.sources.portal.capture import fetch_national, fetch_province
from pipelines.sources.portal.client import PolitenessPolicy, PortalClient
from pipelines.sources.registry import PORTAL
from warehouse.methodology import methodology_for
from warehouse.periods import Period
from warehouse.records import InvalidReply, Reply
from warehouse.sources import ValidationContext

OCTOBER = Period("month", date(2026, 10, 1))


def _reply(content: bytes) -> Reply:
    return Reply("http://127.0.0.1/x", {}, 200, "application/json", content, datetime.now(UTC))


def test_a_reply_is_decoded_once_and_a_refusal_is_not_kept() -> None:
    reply = _reply(b'{"code": "OK", "data": {"n": 1}}')
    first = decode_reply(reply)
    assert first == decode_json(reply.content)
    assert decode_reply(reply) is first
    twice = _reply(b'{"code": "OK", "code": "OK"}')
    for _ in range(2):
        with pytest.raises(InvalidReply, match="key written twice"):
            decode_reply(twice)
    assert twice.decoded == {}


def test_validation_reuses_the_decoding_of_the_fetch(
    portal: FakePortal, warehouse: WarehouseResource
) -> None:
    """A province's paged first pages are decoded by the fetch (their page counts); the
    validation of the bundle judges those very documents and decodes each other reply
    once; every reply is judged valid."""
    policy = PolitenessPolicy(delay_s=0, jitter_s=0, backoff_s=0.1, max_retries=1)
    with PortalClient(portal.url, policy=policy) as client:
        national = fetch_national(client, OCTOBER).fetched[0].reply
        assert national is not None
        province = next(p for p in PORTAL.list_roots(national.content) if p["unit_code"] == "H44")
        bundle = fetch_province(client, OCTOBER, province["unit_id"], province["unit_code"])
    replies = [f.reply for f in bundle.fetched if f.reply is not None]
    paged_first = [
        f.reply for f in bundle.fetched if f.reply is not None and f.endpoint.paged and f.page == 1
    ]
    assert paged_first and all("json" in r.decoded for r in paged_first)
    fetched_documents = {id(r): r.decoded["json"] for r in paged_first}
    with warehouse.connect() as con:
        context = ValidationContext(con, methodology_for(con, OCTOBER.start))
        verdicts = PORTAL.validate(bundle, context)
    assert verdicts == [None] * len(replies)
    assert all("json" in r.decoded for r in replies)
    for reply in paged_first:
        assert reply.decoded["json"] is fetched_documents[id(reply)]
