"""The polite portal client, against httpx.MockTransport (unit level)."""

from __future__ import annotations

import httpx
import pytest

from pipelines.sources.portal.client import (
    PolitenessPolicy,
    PortalBlocked,
    PortalClient,
    PortalRequestFailed,
    ResponseTooLarge,
)

OK_BODY = b'{"code":"OK","data":{},"message":"OK"}'


def make_client(handler, **policy) -> tuple[PortalClient, list[float]]:
    sleeps: list[float] = []
    defaults = {"delay_s": 0.0, "jitter_s": 0.0, "backoff_s": 0.5, "max_retries": 2}
    client = PortalClient(
        base_url="http://portal.test",
        policy=PolitenessPolicy(**{**defaults, **policy}),
        transport=httpx.MockTransport(handler),
        sleep=sleeps.append,
    )
    return client, sleeps


def test_success_returns_exact_bytes_and_sends_portal_headers() -> None:
    seen = {}

    def handler(request: httpx.Request) -> httpx.Response:
        seen.update(headers=request.headers, body=request.content, url=str(request.url))
        return httpx.Response(201, content=OK_BODY, headers={"content-type": "application/json"})

    client, _ = make_client(handler)
    with client:
        reply = client.post_json("/api/v1/reporting/evaluation/transparency", {"year": 2026})
    assert reply.content == OK_BODY and reply.status == 201
    assert seen["url"] == "http://portal.test/api/v1/reporting/evaluation/transparency"
    assert seen["headers"]["content-type"] == "application/json"
    assert seen["headers"]["referer"].endswith("/danh-gia-chat-luong-phuc-vu")
    assert seen["body"] == b'{"year": 2026}'


def test_5xx_is_retried_with_backoff_then_succeeds() -> None:
    statuses = iter([500, 502, 201])

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(next(statuses), content=OK_BODY)

    client, sleeps = make_client(handler)
    with client:
        reply = client.post_json("/x", {})
    assert reply.status == 201
    assert sleeps == [0.5, 1.0]
    assert [a.outcome for a in client.attempts] == ["server_error", "server_error", "ok"]


def test_timeouts_exhaust_bounded_retries() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ReadTimeout("slow", request=request)

    client, _ = make_client(handler, max_retries=2)
    with client, pytest.raises(PortalRequestFailed, match="failed after 3 attempts: timeout"):
        client.post_json("/x", {})
    assert len(calls) == 3


@pytest.mark.parametrize("status", [403, 429])
def test_403_and_429_stop_at_once_without_retry(status: int) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(status, content=b"<html>blocked</html>")

    client, sleeps = make_client(handler)
    with client, pytest.raises(PortalBlocked) as info:
        client.post_json("/x", {})
    assert info.value.status == status and len(calls) == 1 and sleeps == []
    assert client.attempts[-1].outcome == "blocked"


def test_4xx_other_than_blocking_fails_without_retry() -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        return httpx.Response(400, content=b'{"code":"BAD_REQUEST"}')

    client, _ = make_client(handler)
    with client, pytest.raises(PortalRequestFailed, match="HTTP 400"):
        client.post_json("/x", {})
    assert len(calls) == 1


def test_size_cap_stops_reading() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, content=b"x" * 5000)

    client, _ = make_client(handler, max_bytes=1000)
    with client, pytest.raises(ResponseTooLarge):
        client.post_json("/x", {})


def test_delay_and_jitter_between_requests() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(201, content=OK_BODY)

    client, sleeps = make_client(handler, delay_s=1.0, jitter_s=0.5)
    with client:
        client.post_json("/a", {})
        client.post_json("/b", {})
        client.post_json("/c", {})
    assert len(sleeps) == 2
    assert all(0.9 <= s <= 1.5 for s in sleeps)


def test_connection_errors_are_retried() -> None:
    outcomes = iter(["reset", "ok"])

    def handler(request: httpx.Request) -> httpx.Response:
        if next(outcomes) == "reset":
            raise httpx.RemoteProtocolError("peer closed connection", request=request)
        return httpx.Response(201, content=OK_BODY)

    client, _ = make_client(handler)
    with client:
        assert client.post_json("/x", {}).status == 201
    assert [a.outcome for a in client.attempts] == ["connection_error", "ok"]
