"""A loopback portal that serves the real replies of Phú Thọ for the year 2026 (the
vendored samples), each request passing through a *defect* that may alter it: the
hostile portal of ``test_hostile_portal.py``.

``service-results`` is built from the real list of 34 provinces, with Phú Thọ's group
scores taken from the samples' roots (its total is 61.89) and the other provinces given
valid scores. Overview-shaped endpoints honour ``currentPage``/``pageSize`` up to
``page_size_cap``, so a cap below 163 makes the portal answer in several pages.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from tests.conftest import PHU_THO, SAMPLES

PREFIX = "/api/v1/reporting/evaluation/"
GROUP_OF = {
    "transparency": "CKMB",
    "dvc-progress-tree": "TDGQ",
    "provide-online-tree": "CLGQ",
    "formality-online-payment-tree": "TTTT",
    "handling-satisfaction": "MDHL",
    "dossier-digitized": "MDSH",
}
PAGED = ("transparency", "handling-satisfaction", "dossier-digitized")


@dataclass
class Answer:
    """What the portal sends back: status, body, and how fast (bytes per second)."""

    status: int
    body: bytes
    drip_bytes_per_s: float | None = None


Defect = Callable[[str, dict[str, Any], Answer], Answer]
"""Alters the answer to a request for an endpoint (request body given)."""


def sample_document(endpoint: str) -> dict[str, Any]:
    """The real 2026 reply of ``endpoint`` for Phú Thọ, decoded."""
    return json.loads((SAMPLES / "2026" / f"{endpoint}.json").read_bytes())


def national_document() -> dict[str, Any]:
    """``service-results`` for 2026: the 34 real provinces, Phú Thọ with its real scores."""
    provinces = json.loads((SAMPLES / "provinces.json").read_bytes())["provinces"]
    phu_tho = {
        group: (
            sample_document(endpoint)["data"].get("overview")
            or sample_document(endpoint)["data"]["parent"]
        )["totalScore"]
        for endpoint, group in GROUP_OF.items()
    }
    maxima = {"CKMB": 18, "TDGQ": 20, "CLGQ": 12, "TTTT": 10, "MDHL": 18, "MDSH": 22}
    items = []
    for index, province in enumerate(provinces):
        if province["departmentId"] == PHU_THO:
            groups = phu_tho
        else:
            share = 0.5 + (index % 10) / 25
            groups = {g: round(m * share, 2) for g, m in maxima.items()}
        items.append(
            {
                "departmentId": province["departmentId"],
                "departmentName": province["departmentName"],
                "departmentCode": province["departmentCode"],
                "departmentType": "ADMINISTRATIVE_UNIT",
                "totalScore": round(sum(groups.values()), 2),
                "totalMaxScore": 100,
                "groupScores": groups,
            }
        )
    overview = {"departmentId": "VN", "departmentName": "Cả nước", "totalScore": 70.0}
    return {"code": "OK", "data": {"overview": overview, "evaluation": items}, "message": None}


def encode(document: Any) -> bytes:
    """JSON bytes as the portal sends them (UTF-8, Vietnamese unescaped)."""
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


@dataclass
class SamplePortal:
    """The loopback server; ``url`` once started. ``requests`` logs (endpoint, body)."""

    defect: Defect | None = None
    page_size_cap: int = 1000
    requests: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    url: str = ""

    def answer(self, endpoint: str, body: dict[str, Any]) -> Answer:
        """The answer to one request, before the defect."""
        if endpoint == "service-results":
            return Answer(201, encode(national_document()))
        if endpoint not in GROUP_OF or body.get("rootDepartmentId") != PHU_THO:
            return Answer(400, encode({"code": "BAD_REQUEST", "message": "unknown root"}))
        document = sample_document(endpoint)
        if endpoint in PAGED:
            data = document["data"]
            size = min(int(body.get("pageSize") or 200), self.page_size_cap)
            page = int(body.get("currentPage") or 1)
            units = data["evaluation"]
            data["evaluation"] = units[(page - 1) * size : page * size]
            data["pagination"] = {
                "total": len(units),
                "currentPage": page,
                "pageSize": size,
                "totalPages": max(1, math.ceil(len(units) / size)),
            }
            return Answer(201, encode(document))
        return Answer(201, (SAMPLES / "2026" / f"{endpoint}.json").read_bytes())


def _handler(portal: SamplePortal) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = json.loads(self.rfile.read(length) or b"{}")
            endpoint = self.path.removeprefix(PREFIX)
            portal.requests.append((endpoint, body))
            answer = portal.answer(endpoint, body)
            if portal.defect is not None:
                answer = portal.defect(endpoint, body, answer)
            self.send_response(answer.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            if answer.drip_bytes_per_s is None:
                self.wfile.write(answer.body)
                return
            for index in range(len(answer.body)):
                self.wfile.write(answer.body[index : index + 1])
                self.wfile.flush()
                time.sleep(1 / answer.drip_bytes_per_s)

        def log_message(self, format: str, *args: Any) -> None:
            return

    return Handler


@contextmanager
def running(portal: SamplePortal) -> Iterator[SamplePortal]:
    """Serve ``portal`` on 127.0.0.1 (an ephemeral port) for the block."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(portal))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    portal.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield portal
    finally:
        server.shutdown()
        server.server_close()
