"""A polite httpx client for the portal.

Sequential requests with a delay and jitter between them, a timeout on every request,
a cap on response size, bounded retries with exponential backoff on timeouts, connection
errors and 5xx, and an immediate stop (``PortalBlocked``) on 403/429: the portal sits
behind a WAF and hammering it gets the whole capture blocked.
"""

from __future__ import annotations

import hashlib
import json
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

import httpx

from warehouse.records import Attempt, Reply

SUCCESS_STATUSES = frozenset({200, 201})
BLOCKING_STATUSES = frozenset({403, 429})


class PortalError(Exception):
    """A request to the portal failed."""


class PortalBlocked(PortalError):
    """The portal answered 403/429: stop the whole capture now."""

    def __init__(self, status: int, url: str) -> None:
        super().__init__(
            f"portal refused the request with HTTP {status} at {url}: capture stopped "
            "(403/429 means the WAF blocks us; retrying would make it worse)"
        )
        self.status = status


class PortalRequestFailed(PortalError):
    """The request failed after the allowed retries, or failed in a way retries can't fix."""


class ResponseTooLarge(PortalError):
    """The reply exceeded the configured size cap."""


@dataclass
class PolitenessPolicy:
    """How gently to treat the portal.

    ``timeout_s`` bounds each network operation (connect, one write, one read);
    ``deadline_s`` bounds a whole attempt (connect + send + reading the entire reply), so
    a reply trickling in a byte at a time can't hold a capture forever.
    """

    timeout_s: float = 30.0
    deadline_s: float = 60.0
    max_bytes: int = 20 * 1024 * 1024
    max_retries: int = 3
    backoff_s: float = 2.0
    delay_s: float = 1.0
    jitter_s: float = 0.5


PORTAL_HEADERS = {
    "Content-Type": "application/json",
    "Accept": "application/json",
    "User-Agent": "dvc766/0.1 (+https://github.com/dvc766/dvc766)",
}


@dataclass
class PortalClient:
    """Sends requests to the portal one at a time and records every attempt."""

    base_url: str
    policy: PolitenessPolicy = field(default_factory=PolitenessPolicy)
    transport: httpx.BaseTransport | None = None
    sleep: Callable[[float], None] = time.sleep
    attempts: list[Attempt] = field(default_factory=list)
    _client: httpx.Client | None = None
    _last_request_at: float | None = None
    _current_body: str = ""

    def __enter__(self) -> PortalClient:
        origin = self.base_url.rstrip("/")
        self._client = httpx.Client(
            base_url=origin,
            timeout=httpx.Timeout(self.policy.timeout_s),
            transport=self.transport,
            headers={
                **PORTAL_HEADERS,
                "Origin": origin,
                "Referer": f"{origin}/danh-gia-chat-luong-phuc-vu",
            },
            follow_redirects=False,
        )
        return self

    def __exit__(self, *exc: object) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None

    def _pause(self) -> None:
        """Wait between requests: the configured delay plus random jitter."""
        if self._last_request_at is None:
            return
        wait = self.policy.delay_s + random.uniform(0, self.policy.jitter_s)
        remaining = wait - (time.monotonic() - self._last_request_at)
        if remaining > 0:
            self.sleep(remaining)

    def post_json(self, path: str, body: dict[str, Any]) -> Reply:
        """POST ``body`` as JSON to ``path``; retry transient failures; raise on the rest."""
        payload = json.dumps(body, ensure_ascii=False).encode("utf-8")
        return self._post(path, payload, None, body)

    def post_form(
        self, path: str, form: dict[str, str], headers: Mapping[str, str] | None = None
    ) -> Reply:
        """POST ``form`` form-encoded to ``path`` (the legacy API), with extra ``headers``;
        the same politeness, retries and stops as :meth:`post_json`."""
        payload = urlencode(form).encode("ascii")
        form_headers = {
            "Content-Type": "application/x-www-form-urlencoded; charset=UTF-8",
            **(headers or {}),
        }
        return self._post(path, payload, form_headers, dict(form))

    def _post(
        self,
        path: str,
        payload: bytes,
        headers: Mapping[str, str] | None,
        request_body: dict[str, Any],
    ) -> Reply:
        """POST ``payload`` to ``path``; retry transient failures; raise on the rest."""
        if self._client is None:
            raise RuntimeError("PortalClient must be used as a context manager")
        url = str(self._client.base_url.join(path))
        self._current_body = payload.decode("utf-8")
        last_error = "no attempt made"
        for attempt in range(1, self.policy.max_retries + 2):
            self._pause()
            started = datetime.now(UTC)
            t0 = time.monotonic()
            self._last_request_at = t0
            try:
                status, content_type, content = self._send(
                    path, payload, headers, t0 + self.policy.deadline_s
                )
            except ResponseTooLarge as exc:
                self._log(url, attempt, started, t0, None, "too_large", str(exc))
                raise
            except httpx.TimeoutException as exc:
                if time.monotonic() - t0 >= self.policy.deadline_s:
                    last_error = (
                        f"timeout: overall deadline of {self.policy.deadline_s:g} s exceeded "
                        f"(connect + send + whole reply; {type(exc).__name__})"
                    )
                else:
                    last_error = f"timeout after {self.policy.timeout_s:g} s ({type(exc).__name__})"
                self._log(url, attempt, started, t0, None, "timeout", last_error)
            except httpx.TransportError as exc:
                last_error = f"connection error: {type(exc).__name__}: {exc}"
                self._log(url, attempt, started, t0, None, "connection_error", last_error)
            else:
                digest = hashlib.sha256(content).hexdigest()
                if status in BLOCKING_STATUSES:
                    self._log(url, attempt, started, t0, status, "blocked", None, content, digest)
                    raise PortalBlocked(status, url)
                if status >= 500:
                    last_error = f"HTTP {status}"
                    self._log(
                        url,
                        attempt,
                        started,
                        t0,
                        status,
                        "server_error",
                        last_error,
                        content,
                        digest,
                    )
                elif status not in SUCCESS_STATUSES:
                    self._log(
                        url,
                        attempt,
                        started,
                        t0,
                        status,
                        "client_error",
                        f"HTTP {status}",
                        content,
                        digest,
                    )
                    raise PortalRequestFailed(f"HTTP {status} from {url}")
                else:
                    self._log(url, attempt, started, t0, status, "ok", None, content, digest)
                    return Reply(url, request_body, status, content_type, content, started)
            if attempt <= self.policy.max_retries:
                self.sleep(self.policy.backoff_s * 2 ** (attempt - 1))
        raise PortalRequestFailed(
            f"{url} failed after {self.policy.max_retries + 1} attempts: {last_error}"
        )

    def _send(
        self,
        path: str,
        payload: bytes,
        headers: Mapping[str, str] | None,
        deadline: float,
    ) -> tuple[int, str | None, bytes]:
        """Send one request, reading at most ``max_bytes`` of the reply, all of it before
        ``deadline`` (a ``time.monotonic()`` value).

        Every network wait (connect, a write, one read) is capped by the time left when the
        attempt starts, and the deadline is checked after every chunk, so a reply dripped a
        byte at a time, or one that stalls mid-body, raises ``httpx.ReadTimeout`` instead
        of holding the capture. (httpcore fixes the read timeout once per reply, not per
        read: a read that starts late may overrun the deadline by at most that cap.)
        """
        assert self._client is not None
        timeout = httpx.Timeout(min(self.policy.timeout_s, max(deadline - time.monotonic(), 0)))
        with self._client.stream(
            "POST",
            path,
            content=payload,
            headers=dict(headers) if headers else None,
            timeout=timeout,
        ) as response:
            declared = response.headers.get("content-length")
            if declared and declared.isdigit() and int(declared) > self.policy.max_bytes:
                raise ResponseTooLarge(
                    f"reply of {declared} bytes exceeds the cap of {self.policy.max_bytes}"
                )
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                if time.monotonic() >= deadline:
                    raise httpx.ReadTimeout("overall deadline exceeded", request=response.request)
                size += len(chunk)
                if size > self.policy.max_bytes:
                    raise ResponseTooLarge(
                        f"reply exceeds the cap of {self.policy.max_bytes} bytes"
                    )
                chunks.append(chunk)
            return response.status_code, response.headers.get("content-type"), b"".join(chunks)

    def _log(
        self,
        url: str,
        attempt: int,
        started: datetime,
        t0: float,
        status: int | None,
        outcome: str,
        error: str | None,
        content: bytes | None = None,
        digest: str | None = None,
    ) -> None:
        self.attempts.append(
            Attempt(
                url=url,
                request_body=self._current_body,
                attempt=attempt,
                started_at=started,
                elapsed_ms=(time.monotonic() - t0) * 1000,
                http_status=status,
                outcome=outcome,
                error=error,
                bytes=None if content is None else len(content),
                sha256=digest,
            )
        )
