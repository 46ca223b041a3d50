"""The fake portal as a real HTTP server on the loopback interface.

    with FakePortal(today=date(2026, 9, 26)) as portal:
        httpx.post(f"{portal.url}/api/v1/reporting/evaluation/service-results", json=...)
        portal.today = date(2026, 10, 16)          # move the portal's clock
        portal.faults.add("transparency", "status", status=429)

    # a seventh group from 2027 (and the six rescaled): see fake_portal.methodology
    FakePortal(methodology_changes=[MethodologyChange(date(2027, 1, 1), {...})])

The legacy API (``POST /jsp/rest.jsp``, form ``params=<JSON>``) is served by
``legacy_api.py``; its faults are named ``"rest.jsp"`` (or ``"rest.jsp:commune"``…).

Admin endpoints (never faulted, never logged): ``GET /__admin/health``,
``POST /__admin/today {"today": "2026-10-16"}`` (``null`` follows the real clock),
``POST /__admin/faults {"endpoint": ..., "kind": ..., "times": ..., ...params}`` and
``POST /__admin/faults/clear``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import ipaddress
import itertools
import json
import logging
import signal
import socket
import struct
import sys
import threading
from collections.abc import Mapping, Sequence
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from fake_portal import legacy_api
from fake_portal.current_api import (
    API_PREFIX,
    ENDPOINTS,
    SERVICE_RESULTS,
    BadRequest,
    encode,
    error_reply,
    group_reply,
    parse_group_request,
    parse_service_results_request,
    service_results_reply,
)
from fake_portal.faults import (
    PAYLOAD_KINDS,
    Fault,
    FaultPlan,
    drop_children,
    duplicate_unit,
    error_page,
    rename_field,
    replace_text,
    waf_block_page,
)
from fake_portal.legacy_simulation import LegacyDataset
from fake_portal.methodology import MethodologyChange, in_force, rescale
from fake_portal.reply import HTML_TYPE, JSON_TYPE, Reply, json_reply
from fake_portal.simulation import FIRST_MONTH, Dataset

log = logging.getLogger(__name__)

ADMIN_PREFIX = "/__admin/"


def is_loopback(host: str) -> bool:
    """Whether ``host`` names the loopback interface."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class FakePortal:
    """A local, deterministic stand-in for the portal's current API."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        today: date | None = None,
        seed: int = 766,
        *,
        allow_non_loopback: bool = False,
        methodology_changes: Sequence[MethodologyChange] = (),
    ) -> None:
        """``methodology_changes``: new methodology versions the portal applies from their
        ``effective_from`` day (see :mod:`fake_portal.methodology`); none by default."""
        if not allow_non_loopback and not is_loopback(host):
            raise ValueError(
                f"refusing to serve the fake portal on non-loopback host {host!r} "
                "(pass allow_non_loopback=True to override)"
            )
        self.host = host.strip("[]")
        self._requested_port = port
        self.dataset = Dataset(seed)
        self.legacy = LegacyDataset(self.dataset)  # POST /jsp/rest.jsp
        self.seed = seed
        self._today = today
        self.request_log: list[tuple[str, str, dict[str, Any]]] = []
        self.faults = FaultPlan()
        self.methodology_changes: list[MethodologyChange] = list(methodology_changes)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._stopping = threading.Event()
        self._support_ids = itertools.count(7_661_000_000_000)

    # -- clock ------------------------------------------------------------------------------

    @property
    def today(self) -> date:
        """The portal's current day: the pinned date, or the real clock when unset."""
        return self._today if self._today is not None else date.today()

    @today.setter
    def today(self, value: date | str | None) -> None:
        self._today = date.fromisoformat(value) if isinstance(value, str) else value

    # -- lifecycle --------------------------------------------------------------------------

    @property
    def port(self) -> int:
        """The bound port (after :meth:`start`)."""
        if self._server is None:
            raise RuntimeError("the fake portal is not started")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        """Base URL, e.g. ``http://127.0.0.1:54321``."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def start(self) -> FakePortal:
        """Bind and serve in a daemon thread."""
        if self._server is not None:
            return self
        server_cls = _Server6 if ":" in self.host else _Server
        self._stopping.clear()
        self._server = server_cls((self.host, self._requested_port), _Handler)
        self._server.portal = self
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"fake-portal-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving, close open connections and release the port."""
        server, self._server = self._server, None
        self._stopping.set()
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def wait(self) -> None:
        """Block until :meth:`stop` is called (Ctrl+C interrupts)."""
        while not self._stopping.wait(0.5):
            pass

    def __enter__(self) -> FakePortal:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- request handling -------------------------------------------------------------------

    def handle(
        self,
        method: str,
        raw_path: str,
        raw_body: bytes,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        """Answer one request (the HTTP layer only transports the :class:`Reply`)."""
        path = raw_path.split("?", 1)[0]
        if path == legacy_api.LEGACY_PATH:
            return legacy_api.handle(self, method, raw_body, headers or {})
        body = _parse_body(raw_body)
        if path.startswith(ADMIN_PREFIX):
            return self._admin(method, path, body)
        self.request_log.append((method, path, body if isinstance(body, dict) else {}))
        endpoint = path[len(API_PREFIX) :].strip("/") if path.startswith(API_PREFIX) else ""
        if method != "POST" or (endpoint not in ENDPOINTS and endpoint != SERVICE_RESULTS):
            return json_reply(404, {"code": "NOT_FOUND", "message": f"Cannot {method} {path}"})
        fault = self.faults.take(endpoint)
        delay = drip = 0.0
        if fault is not None:
            if fault.kind == "timeout":
                delay = float(fault.params.get("seconds", 10.0))
            elif fault.kind == "drip":
                drip = float(fault.params.get("interval", 0.2))
            elif fault.kind not in PAYLOAD_KINDS:
                return self.fault_reply(fault)
        reply = self._api(endpoint, body, fault)
        return dataclasses.replace(reply, delay=delay, drip=drip)

    def _api(self, endpoint: str, body: Any, fault: Fault | None) -> Reply:
        today = self.today
        if body is _INVALID:
            return json_reply(400, error_reply("request body is not valid JSON"))
        try:
            if endpoint == SERVICE_RESULTS:
                sr = parse_service_results_request(body, today)
                payload = service_results_reply(self.dataset, sr, today, self.methodology_changes)
            else:
                request = parse_group_request(endpoint, body, self.dataset, today)
                if fault is not None and fault.kind == "wrong_root":
                    provinces = self.dataset.provinces
                    other = provinces[(request.province.index + 1) % len(provinces)]
                    request = dataclasses.replace(request, province=other)
                payload = group_reply(self.dataset, request, today)
                change = in_force(self.methodology_changes, request.period.start)
                if change is not None:
                    payload = rescale(payload, change.factor(ENDPOINTS[request.endpoint]))
        except BadRequest as exc:
            return json_reply(400, error_reply(str(exc)))
        kind, params = (fault.kind, fault.params) if fault is not None else (None, {})
        if kind == "renamed_field":
            old = str(params.get("old", "totalScore"))
            new = str(params.get("new", "total_score"))
            payload = rename_field(payload, old, new)
        elif kind == "replaced_text":
            payload = replace_text(payload, str(params["old"]), str(params["new"]))
        elif kind == "missing_children":
            payload = drop_children(payload)
        elif kind == "duplicate_unit":
            payload = duplicate_unit(payload)
        data = encode(payload)
        if kind == "truncated":
            data = data[: len(data) // 2]
        return Reply(201, data, JSON_TYPE)

    def fault_reply(self, fault: Fault) -> Reply:
        """The reply of a fault that replaces the portal's answer (not a payload fault)."""
        kind, params = fault.kind, fault.params
        if kind == "reset":
            return Reply(0, reset=True)
        if kind == "html_block_page":
            return Reply(200, waf_block_page(next(self._support_ids)), HTML_TYPE)
        if kind == "not_json":
            text = params.get("body", "upstream connect error or disconnect/reset before headers")
            return Reply(201, str(text).encode(), JSON_TYPE)
        if kind == "code_error":
            message = params.get("message", "Đã có lỗi xảy ra, vui lòng thử lại sau.")
            return json_reply(201, {"code": "ERROR", "message": message})
        # status
        status = int(params.get("status", 500))
        headers: tuple[tuple[str, str], ...] = ()
        if status == 429:
            headers = (("Retry-After", str(params.get("retry_after", 30))),)
        style = params.get("body", "json" if status == 500 else "html")
        if style == "html":
            return Reply(status, error_page(status), HTML_TYPE, headers)
        return json_reply(status, {"code": "ERROR", "message": f"HTTP {status}"}, headers=headers)

    def _admin(self, method: str, path: str, body: Any) -> Reply:
        action = path[len(ADMIN_PREFIX) :].strip("/")
        if method == "GET" and action == "health":
            return json_reply(200, self.health())
        if method == "POST" and action == "today":
            value = body.get("today", _INVALID) if isinstance(body, dict) else _INVALID
            try:
                if value is not None and not isinstance(value, str):
                    raise ValueError(value)
                self.today = date.fromisoformat(value) if value else None
            except ValueError:
                return json_reply(400, error_reply('expected {"today": "YYYY-MM-DD" | null}'))
            return json_reply(200, self.health())
        if method == "POST" and action == "faults":
            if not isinstance(body, dict):
                return json_reply(400, error_reply("expected a JSON object"))
            params = dict(body)
            try:
                self.faults.add(
                    str(params.pop("endpoint", "*")),
                    str(params.pop("kind", "")),
                    int(params.pop("times", 1)),
                    **params,
                )
            except (TypeError, ValueError) as exc:
                return json_reply(400, error_reply(str(exc)))
            return json_reply(200, {"pending": len(self.faults)})
        if method == "POST" and action == "faults/clear":
            self.faults.clear()
            return json_reply(200, {"pending": 0})
        return json_reply(404, {"code": "NOT_FOUND", "message": f"Cannot {method} {path}"})

    def health(self) -> dict[str, Any]:
        """Status of the fake portal (the ``/__admin/health`` reply)."""
        return {
            "status": "ok",
            "today": self.today.isoformat(),
            "clock": "real" if self._today is None else "fixed",
            "seed": self.seed,
            "firstMonth": FIRST_MONTH.strftime("%Y-%m"),
            "provinces": len(self.dataset.provinces),
            "units": self.dataset.unit_count,
        }


_INVALID: Any = object()


def _parse_body(raw: bytes) -> Any:
    if not raw.strip():
        return {}
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return _INVALID


class _Server(ThreadingHTTPServer):
    """A threading HTTP server that can close its keep-alive connections on stop."""

    daemon_threads = True
    block_on_close = False
    portal: FakePortal

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(*args, **kwargs)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, resets) are normal here: log, don't print."""
        exc = sys.exception()
        if isinstance(exc, ConnectionError | OSError):
            log.debug("connection from %s ended: %r", client_address, exc)
        else:
            log.exception("error while serving %s", client_address)

    def close_connections(self) -> None:
        """Shut down every connection still open (idle keep-alive ones included)."""
        with self._open_lock:
            sockets = list(self._open)
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)


class _Server6(_Server):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 60
    server: _Server

    def setup(self) -> None:
        super().setup()
        # headers and a small body go out as separate writes: avoid the Nagle stall
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def version_string(self) -> str:
        return "nginx"

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        portal = self.server.portal
        reply = portal.handle(method, self.path, raw, self.headers)
        if reply.delay > 0 and portal._stopping.wait(reply.delay):
            self.close_connection = True
            return
        if reply.reset:
            self._reset()
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        for name, value in reply.headers:
            self.send_header(name, value)
        self.end_headers()
        if reply.drip > 0:
            self._drip(reply.body, reply.drip)
            return
        self.wfile.write(reply.body)

    def _drip(self, body: bytes, interval: float) -> None:
        """Send ``body`` one byte every ``interval`` seconds, until the client hangs up or
        the portal stops (then the connection is dropped mid-body)."""
        stopping = self.server.portal._stopping
        for i in range(len(body)):
            try:
                self.wfile.write(body[i : i + 1])
            except OSError:
                break
            if stopping.wait(interval):
                break
        else:
            return
        self.close_connection = True

    def _reset(self) -> None:
        """Abort the connection with a TCP RST, without any reply."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s - %s", self.address_string(), format % args)


def serve(
    host: str = "127.0.0.1",
    port: int = 8766,
    today: date | None = None,
    seed: int = 766,
    *,
    allow_non_loopback: bool = False,
) -> None:
    """Run the fake portal in the foreground until Ctrl+C or SIGTERM (``dvc766 fake-portal``)."""
    portal = FakePortal(host, port, today, seed, allow_non_loopback=allow_non_loopback)
    portal.start()
    log.info(
        "fake portal on %s (today: %s, seed %d, %d units)",
        portal.url,
        today.isoformat() if today else "real clock",
        seed,
        portal.dataset.unit_count,
    )
    previous = None
    if threading.current_thread() is threading.main_thread():
        previous = signal.signal(signal.SIGTERM, lambda *_: portal._stopping.set())
    try:
        portal.wait()
    except KeyboardInterrupt:
        pass
    finally:
        portal.stop()
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)
