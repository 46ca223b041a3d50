"""Scripted failures of the fake portal: what a WAF-fronted, flaky portal does.

``portal.faults.add("transparency", "status", times=2, status=429)`` makes the next two
``transparency`` requests fail with HTTP 429; then the fault is consumed. ``"*"``
matches every API endpoint (never the ``/__admin`` ones). Faults apply in the order
they were added; a request consumes at most one fault.
"""

from __future__ import annotations

import copy
import threading
from dataclasses import dataclass, field
from typing import Any

KINDS: frozenset[str] = frozenset(
    {
        "status",  # status=500|403|429|502..., body="html"|"json", retry_after=seconds
        "timeout",  # seconds=float: sleep before answering (normally)
        "drip",  # current API: headers, then the body a byte every interval=float s (0.2)
        "html_block_page",  # 200 with a WAF "Request Rejected" HTML page
        "not_json",  # 201, JSON content type, body that is not JSON
        "code_error",  # 201 {"code":"ERROR","message":...}; message=str
        "wrong_root",  # the reply for another province's root
        "truncated",  # body cut in half, status 201 kept
        "renamed_field",  # totalScore -> total_score (old=..., new=... to override)
        "replaced_text",  # old=... in every string value replaced by new=... (hostile names)
        "missing_children",  # drop data.evaluation / data.children
        "duplicate_unit",  # one child listed twice
        "reset",  # close the connection without any reply
    }
)
"""The fault kinds :meth:`FaultPlan.add` accepts."""

PAYLOAD_KINDS: frozenset[str] = frozenset(
    {
        "wrong_root",
        "truncated",
        "renamed_field",
        "replaced_text",
        "missing_children",
        "duplicate_unit",
    }
)
"""Kinds that alter a normal reply (they leave a 400 reply untouched)."""


@dataclass
class Fault:
    """One scripted fault and how many more requests it applies to."""

    endpoint: str
    kind: str
    remaining: int
    params: dict[str, Any] = field(default_factory=dict)

    def matches(self, endpoint: str) -> bool:
        """Whether this fault applies to a request for ``endpoint``."""
        return self.remaining > 0 and self.endpoint in ("*", endpoint)


class FaultPlan:
    """A thread-safe queue of faults for the fake portal."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: list[Fault] = []
        self.history: list[tuple[str, str]] = []
        """(endpoint, kind) of every fault applied, in order."""

    def add(self, endpoint: str, kind: str, times: int = 1, **params: Any) -> Fault:
        """Apply fault ``kind`` to the next ``times`` requests matching ``endpoint``."""
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; expected one of {sorted(KINDS)}")
        if times < 1:
            raise ValueError("times must be at least 1")
        if kind == "status":
            status = int(params.get("status", 500))
            if not 400 <= status <= 599:
                raise ValueError(f"status fault needs a 4xx/5xx status, got {status}")
        if kind == "drip" and not float(params.get("interval", 0.2)) > 0:
            raise ValueError("drip fault needs interval > 0 seconds")
        fault = Fault(endpoint.strip("/").rsplit("/", 1)[-1] or "*", kind, times, dict(params))
        with self._lock:
            self._faults.append(fault)
        return fault

    def take(self, endpoint: str) -> Fault | None:
        """Consume one application of the first fault matching ``endpoint``, if any."""
        with self._lock:
            for fault in self._faults:
                if fault.matches(endpoint):
                    fault.remaining -= 1
                    if fault.remaining == 0:
                        self._faults.remove(fault)
                    self.history.append((endpoint, fault.kind))
                    return fault
        return None

    def clear(self) -> None:
        """Drop every pending fault."""
        with self._lock:
            self._faults.clear()

    @property
    def pending(self) -> list[Fault]:
        """Faults not yet consumed (copies)."""
        with self._lock:
            return [copy.copy(f) for f in self._faults]

    def __len__(self) -> int:
        with self._lock:
            return sum(f.remaining for f in self._faults)


# ---------------------------------------------------------------------------------------
# Payload alterations


def rename_field(obj: Any, old: str = "totalScore", new: str = "total_score") -> Any:
    """A copy of ``obj`` with every key ``old`` renamed to ``new`` (order kept)."""
    if isinstance(obj, dict):
        return {(new if k == old else k): rename_field(v, old, new) for k, v in obj.items()}
    if isinstance(obj, list):
        return [rename_field(v, old, new) for v in obj]
    return obj


def replace_text(obj: Any, old: str, new: str) -> Any:
    """A copy of ``obj`` with ``old`` replaced by ``new`` in every string value."""
    if isinstance(obj, dict):
        return {k: replace_text(v, old, new) for k, v in obj.items()}
    if isinstance(obj, list):
        return [replace_text(v, old, new) for v in obj]
    return obj.replace(old, new) if isinstance(obj, str) else obj


def _child_key(data: dict[str, Any]) -> str | None:
    for key in ("evaluation", "children"):
        if isinstance(data.get(key), list):
            return key
    return None


def drop_children(payload: dict[str, Any]) -> dict[str, Any]:
    """A copy of a reply without its ``evaluation``/``children`` list."""
    data = dict(payload.get("data") or {})
    key = _child_key(data)
    if key is not None:
        del data[key]
    return {**payload, "data": data}


def duplicate_unit(payload: dict[str, Any], position: int = 1) -> dict[str, Any]:
    """A copy of a reply where the child at ``position`` appears twice in a row."""
    data = dict(payload.get("data") or {})
    key = _child_key(data)
    if key is not None and data[key]:
        items = list(data[key])
        k = min(position, len(items) - 1)
        items.insert(k + 1, copy.deepcopy(items[k]))
        data[key] = items
    return {**payload, "data": data}


def error_page(status: int) -> bytes:
    """An nginx-style HTML error page."""
    reasons = {403: "Forbidden", 429: "Too Many Requests", 500: "Internal Server Error",
               502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Time-out"}  # fmt: skip
    reason = reasons.get(status, "Error")
    return (
        f"<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
        f"<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
        "</body>\r\n</html>\r\n"
    ).encode()


def waf_block_page(support_id: int) -> bytes:
    """The HTML page a web application firewall returns instead of the API reply."""
    return (
        "<html><head><title>Request Rejected</title></head><body>"
        "The requested URL was rejected. Please consult with your administrator.<br><br>"
        f"Your support ID is: {support_id}<br><br>"
        '<a href="javascript:history.back();">[Go Back]</a></body></html>'
    ).encode()
