"""Real local web servers for the network tests: HTTPS (trustme certificate) and plain HTTP.

A :class:`Site` maps paths to routes; a route writes the whole response, so tests can serve
JSON, wrong statuses, redirects, huge or slow bodies. Every request is counted per path.
"""

from __future__ import annotations

import json
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trustme

Route = Callable[[BaseHTTPRequestHandler], None]

LOOPBACK = ("127.0.0.0/8",)
"""``allow_networks`` for an HttpsFetcher that must reach these servers: czmc refuses loopback otherwise."""


class Site:
    """Routes by path (query and fragment ignored) and a hit counter."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.hits: Counter[str] = Counter()
        self.headers: dict[str, dict[str, str]] = {}
        self._lock = threading.Lock()

    def serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        with self._lock:
            self.hits[path] += 1
            self.headers[path] = dict(handler.headers.items())
        self.routes.get(path, status(404, b"not found"))(handler)


def respond(code: int, body: bytes, headers: dict[str, str] | None = None, *, length: bool = True) -> Route:
    """A complete response; ``length=False`` leaves out Content-Length (body ends at close)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(code)
        for name, value in (headers or {"Content-Type": "application/json"}).items():
            handler.send_header(name, value)
        if length:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        handler.wfile.write(body)

    return route


def json_route(document: Any) -> Route:
    return respond(200, json.dumps(document).encode())


def status(code: int, body: bytes = b"") -> Route:
    return respond(code, body, {"Content-Type": "text/plain"})


def redirect(location: str, code: int = 302) -> Route:
    return respond(code, b"", {"Location": location})


def slow(seconds: float, then: Route) -> Route:
    """Wait before answering (a server that hangs)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        time.sleep(seconds)
        then(handler)

    return route


def drip(byte_every: float, total: int) -> Route:
    """Send headers at once, then the body one byte at a time (a slow-loris server)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        handler.send_response(200)
        handler.send_header("Content-Length", str(total))
        handler.end_headers()
        for _ in range(total):
            handler.wfile.write(b" ")
            handler.wfile.flush()
            time.sleep(byte_every)

    return route


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        self.server.site.serve(self)

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, site: Site, context: ssl.SSLContext | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.site = site
        if context is not None:
            self.socket = context.wrap_socket(self.socket, server_side=True, do_handshake_on_connect=False)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that hang up early (timeouts, size caps) are expected here


class Running:
    """A server in a thread: its site, base URL, port, and (HTTPS) the CA bundle to trust."""

    def __init__(self, site: Site, server: _Server, scheme: str, ca_bundle: str | None) -> None:
        self.site = site
        self.server = server
        self.port: int = server.server_address[1]
        self.origin = f"{scheme}://127.0.0.1:{self.port}"
        self.ca_bundle = ca_bundle

    def url(self, path: str) -> str:
        return self.origin + path


@contextmanager
def serve(*, tls: bool, directory: Path) -> Iterator[Running]:
    """Run a server on 127.0.0.1 (HTTPS with a fresh trustme CA if ``tls``) until the block ends."""
    context = None
    ca_bundle = None
    if tls:
        ca = trustme.CA()
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
        ca_bundle = str(directory / "ca.pem")
        ca.cert_pem.write_to_path(ca_bundle)
    site = Site()
    server = _Server(site, context)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Running(site, server, "https" if tls else "http", ca_bundle)
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
