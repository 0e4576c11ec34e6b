"""Real local web servers for the network tests: HTTPS (trustme certificate) and plain HTTP.

A :class:`Site` maps paths to routes; a route writes the whole response, so tests can serve
JSON, wrong statuses, redirects, huge or slow bodies. Every request is counted per path.
"""

from __future__ import annotations

import json
import select
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import trustme

Route = Callable[[BaseHTTPRequestHandler], None]

NAME = "czmc.test"
"""A host name (and its subdomains) the HTTPS servers' certificates are valid for; no DNS has it,
so tests map it to 127.0.0.1 with ``HttpsFetcher(resolver=...)``."""

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


def drip_headers(byte_every: float, total: int) -> Route:
    """Send the status line and headers one byte at a time (headers never complete in time)."""

    def route(handler: BaseHTTPRequestHandler) -> None:
        for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * total:
            handler.wfile.write(bytes([byte]))
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
        ca.issue_cert("127.0.0.1", "localhost", NAME, f"*.{NAME}").configure_cert(context)
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


@contextmanager
def raw_server(handle: Callable[[socket.socket], None]) -> Iterator[int]:
    """A TCP server on 127.0.0.1 that runs ``handle`` on each connection (in a thread); yields its port."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.05)
    stop = threading.Event()

    def serve_one(conn: socket.socket) -> None:
        with conn, suppress(OSError):  # the client hung up, as fetchers that time out do
            handle(conn)

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            threading.Thread(target=serve_one, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1]
    finally:
        stop.set()
        thread.join()
        listener.close()


def drip_tls_handshake(byte_every: float) -> Callable[[socket.socket], None]:
    """Answer a ClientHello with a TLS record header announcing 16 KB, then drip its bytes."""

    def handle(conn: socket.socket) -> None:
        conn.recv(65536)
        conn.sendall(b"\x16\x03\x03\x40\x00")
        for _ in range(0x4000):
            conn.sendall(b"\x02")
            time.sleep(byte_every)

    return handle


class Proxy:
    """An HTTP CONNECT proxy on 127.0.0.1 that tunnels every host to 127.0.0.1 (the port asked for).

    ``requests`` lists the authorities asked for; those in ``deny`` are answered 403.
    """

    def __init__(self) -> None:
        self.requests: list[str] = []
        self.deny: set[str] = set()

    def __call__(self, conn: socket.socket) -> None:
        head = b""
        while b"\r\n\r\n" not in head:
            data = conn.recv(4096)
            if not data:
                return
            head += data
        method, authority, _version = head.split(b"\r\n", 1)[0].decode("ascii").split(" ")
        self.requests.append(f"{method} {authority}")
        if method != "CONNECT" or authority in self.deny:
            conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
            return
        upstream = socket.create_connection(("127.0.0.1", int(authority.rsplit(":", 1)[1])))
        conn.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
        with upstream:
            pair = {conn: upstream, upstream: conn}
            while True:
                ready, _, _ = select.select(list(pair), [], [], 5)
                if not ready:
                    return
                for side in ready:
                    data = side.recv(65536)
                    if not data:
                        return
                    pair[side].sendall(data)
