"""What the fake portal sends back for one request, independent of the HTTP layer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fake_portal.current_api import encode

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Reply:
    """What the server sends back for one request."""

    status: int
    body: bytes = b""
    content_type: str = JSON_TYPE
    headers: tuple[tuple[str, str], ...] = ()
    reset: bool = False
    delay: float = 0.0
    drip: float = 0.0
    """When positive: send the headers, then the body one byte every ``drip`` seconds."""


def json_reply(status: int, obj: Any, **kw: Any) -> Reply:
    """A JSON reply, serialised like the portal's (see :func:`current_api.encode`)."""
    return Reply(status, encode(obj), JSON_TYPE, **kw)
