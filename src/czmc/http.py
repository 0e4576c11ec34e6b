"""The one door to the network: fetch small public documents (DID documents, JWKs, status lists) safely.

Everything czmc reads from the web (``did:web`` documents, ``https`` key URLs, status lists)
goes through a :class:`Fetcher`. :class:`HttpsFetcher` is the default: https only, public
addresses only (resolved first, then connected to exactly the address that was checked), one
total deadline, a size cap checked before and while reading, redirects followed only within
the same origin, and no logging. :class:`OfflineFetcher` refuses everything;
:class:`DirectoryFetcher` serves a local directory as if it were a web site, for air-gapped
verifiers and tests.

Every failure is a :class:`~czmc.errors.FetchError` with a stable ``code``: ``http.not_https``,
``http.invalid_url``, ``http.invalid_host``, ``http.too_large``, ``http.redirect``,
``http.status``, ``http.encoding``, ``http.timeout``, ``http.tls``, ``http.network``,
``http.proxy``, ``resolution.offline``.
"""

from __future__ import annotations

import http.client
import io
import ipaddress
import re
import socket
import ssl
import threading
import time
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable
from urllib.parse import quote, unquote, urljoin, urlsplit

from czmc.errors import FetchError

__all__ = [
    "DEFAULT_ACCEPT",
    "DirectoryFetcher",
    "Fetcher",
    "HostResolver",
    "HttpsFetcher",
    "OfflineFetcher",
    "is_public_address",
    "system_resolver",
]

DEFAULT_ACCEPT = "application/did+json, application/json"
"""What :class:`HttpsFetcher` asks for unless told otherwise (DID Resolution media type first)."""

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network

HostResolver = Callable[[str, int], Iterable[str]]
"""Looks up a host name: ``(host, port) -> IP address strings`` (:func:`system_resolver` by default)."""

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"https": 443, "http": 80}
_CHUNK = 16 * 1024
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")
# Printable ASCII that may stay as it is in a request target; the rest is percent-encoded.
_TARGET_SAFE = "!#$%&'()*+,/:;=?@[]~"

# Not reachable on the public Internet (IANA special-purpose registries, RFC 6890 and successors).
_V4_NOT_PUBLIC = tuple(
    ipaddress.IPv4Network(network)
    for network in (
        "0.0.0.0/8",  # "this network"
        "10.0.0.0/8",  # private
        "100.64.0.0/10",  # carrier-grade NAT
        "127.0.0.0/8",  # loopback
        "169.254.0.0/16",  # link-local, cloud metadata (169.254.169.254)
        "172.16.0.0/12",  # private
        "192.0.0.0/24",  # IETF protocol assignments
        "192.0.2.0/24",  # documentation
        "192.88.99.0/24",  # 6to4 relay anycast (deprecated)
        "192.168.0.0/16",  # private
        "198.18.0.0/15",  # benchmarking
        "198.51.100.0/24",  # documentation
        "203.0.113.0/24",  # documentation
        "224.0.0.0/4",  # multicast
        "240.0.0.0/4",  # reserved, and 255.255.255.255
    )
)
_V6_GLOBAL_UNICAST = ipaddress.IPv6Network("2000::/3")
_V6_NOT_PUBLIC = tuple(
    ipaddress.IPv6Network(network)
    for network in (
        "2001::/23",  # IETF protocol assignments (Teredo, 2001::/32, is judged by its IPv4 addresses)
        "2001:db8::/32",  # documentation
        "3fff::/20",  # documentation
    )
)
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_TEREDO = ipaddress.IPv6Network("2001::/32")


def _embedded_ipv4(address: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address] | None:
    """The IPv4 addresses an IPv6 address leads to (mapped, NAT64, 6to4, Teredo), or None."""
    if address.ipv4_mapped is not None:
        return [address.ipv4_mapped]
    if address in _NAT64:
        return [ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)]
    if address.sixtofour is not None:
        return [address.sixtofour]
    if address in _TEREDO and address.teredo is not None:
        return list(address.teredo)
    return None


def is_public_address(address: Address | str) -> bool:
    """Whether ``address`` is a public Internet address, the only kind :class:`HttpsFetcher` connects to.

    Refused: loopback, private (10/8, 172.16/12, 192.168/16, fc00::/7), carrier-grade NAT
    (100.64/10), link-local (169.254/16 with cloud metadata services, fe80::/10), "this
    network" (0/8, ::), multicast, documentation, benchmarking and reserved ranges, and every
    IPv6 address outside global unicast (2000::/3). IPv4-mapped, NAT64 (64:ff9b::/96), 6to4 and
    Teredo addresses are judged by the IPv4 addresses they embed, so ``::ffff:127.0.0.1`` is
    loopback while a DNS64 answer for a public site is public. The lists are fixed here, not
    taken from :mod:`ipaddress`, whose idea of "global" changes between Python versions.
    """
    if isinstance(address, str):
        address = ipaddress.ip_address(address)
    if isinstance(address, ipaddress.IPv4Address):
        return not any(address in network for network in _V4_NOT_PUBLIC)
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return all(is_public_address(inner) for inner in embedded)
    return address in _V6_GLOBAL_UNICAST and not any(address in network for network in _V6_NOT_PUBLIC)


def system_resolver(host: str, port: int) -> list[str]:
    """The addresses the operating system resolves ``host`` to (``getaddrinfo``), in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return [str(info[4][0]) for info in infos]


@runtime_checkable
class Fetcher(Protocol):
    """Something that returns the body of a URL, or raises :class:`~czmc.errors.FetchError`.

    Implement it to route czmc's few network reads through your own HTTP client, proxy or
    cache; czmc never opens a connection any other way.
    """

    def fetch(self, url: str) -> bytes:
        """The body of ``url`` (a 200 response), or FetchError."""
        ...


def _origin(scheme: str, host: str, port: int) -> str:
    """``scheme://host[:port]`` with the default port left out and IPv6 in brackets."""
    shown = f"[{host}]" if ":" in host else host
    return f"{scheme}://{shown}" if _DEFAULT_PORTS.get(scheme) == port else f"{scheme}://{shown}:{port}"


def _host_problem(host: str) -> str | None:
    """Why ``host`` (of a URL, lower-case, IPv6 without brackets) is not a host czmc looks up, or None.

    A host is an IP address or a DNS name of ASCII letters, digits and hyphens (the rule
    ``did:web`` domains follow). A non-ASCII (internationalised) name is refused rather than
    converted: converting it would look up a punycode name the URL does not show, and two
    visually identical names can be different hosts.
    """
    if not host.isascii():
        return (
            f"the host {host!r} is an internationalised (non-ASCII) domain name; czmc does not look up "
            "such names: write the host in its ASCII form (xn--...) if it is the one you mean"
        )
    if ":" in host:
        try:
            ipaddress.IPv6Address(host)
        except ValueError:
            return f"the host {host!r} is not a valid IPv6 address"
        return None
    name = host.removesuffix(".")
    if not name or len(name) > 253 or not all(_LABEL.fullmatch(label) for label in name.split(".")):
        return f"the host {host!r} is not a domain name (letters, digits and hyphens) or an IP address"
    return None


def _split(url: str) -> tuple[str, str, int]:
    """Scheme, lower-case host and effective port of an absolute http(s) URL; FetchError otherwise."""
    if not isinstance(url, str) or any(ord(char) < 0x21 or char == "\\" for char in url):
        raise FetchError("http.invalid_url", f"not a fetchable URL: {url!r}")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as error:
        raise FetchError("http.invalid_url", f"not a valid URL {url!r}: {error}") from None
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        raise FetchError("http.invalid_url", f"not an absolute http(s) URL: {url!r}")
    if parts.username is not None or parts.password is not None:
        raise FetchError("http.invalid_url", f"URL {url!r} carries credentials; czmc fetches public documents only")
    host = parts.hostname.lower()
    problem = _host_problem(host)
    if problem is not None:
        raise FetchError("http.invalid_host", f"refusing {url!r}: {problem}")
    return scheme, host, port if port is not None else _DEFAULT_PORTS[scheme]


def _literal(host: str) -> Address | None:
    """The address a host names by itself, in any spelling URL parsers accept, or None for a name.

    ``127.1``, ``2130706433``, ``0x7f000001`` and ``0177.0.0.1`` all name 127.0.0.1 (the
    ``inet_aton`` forms that WHATWG URL parsing also reads as IPv4), so they are parsed here,
    never handed to DNS.
    """
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    name = host.removesuffix(".")
    if not _NUMERIC_LABEL.fullmatch(name.rsplit(".", 1)[-1]):
        return None
    try:
        return ipaddress.IPv4Address(socket.inet_aton(name))
    except OSError:
        raise FetchError(
            "http.invalid_host", f"the host {host!r} is neither a domain name nor an IPv4 address"
        ) from None


def _is_localhost(host: str) -> bool:
    """``localhost`` and its subdomains, which name this machine without DNS (RFC 6761 §6.3)."""
    name = host.removesuffix(".")
    return name == "localhost" or name.endswith(".localhost")


def _allowed_network(value: str | Network) -> Network:
    if isinstance(value, ipaddress.IPv4Network | ipaddress.IPv6Network):
        return value
    try:
        return ipaddress.ip_network(value, strict=False)
    except ValueError:
        raise ValueError(f"allow_networks: {value!r} is not an IP address or network (e.g. 10.1.0.0/16)") from None


def _check_accept(accept: str) -> str:
    """``accept`` if it can be sent as a header value (printable ASCII), else ValueError."""
    if not isinstance(accept, str) or not accept.isascii() or not accept.isprintable():
        raise ValueError(f"accept must be printable ASCII (a header value), not {accept!r}")
    return accept


class _DeadlineReader(io.RawIOBase):
    """A socket read with the time left to a deadline as its timeout, so no read outlives it."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        super().__init__()
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("deadline passed")
        self._sock.settimeout(remaining)
        return self._sock.recv_into(buffer)


class _Wire:
    """What :class:`http.client.HTTPResponse` reads from: a socket whose every read meets the deadline."""

    def __init__(self, sock: socket.socket, deadline: float) -> None:
        self._reader = _DeadlineReader(sock, deadline)

    def makefile(self, mode: str, *args: object, **kwargs: object) -> io.BufferedReader:
        return io.BufferedReader(self._reader)


class _UnreachableError(Exception):
    """Internal: the target cannot be connected to, for whatever reason (never shown as such)."""


class HttpsFetcher:
    """Fetch public documents over https, refusing anything unusual.

    - https only; ``http://`` is refused (``http.not_https``) unless the URL's ``host:port``
      is in ``insecure_http_hosts`` (e.g. ``{"127.0.0.1:8080"}``), a switch for tests only.
    - **public addresses only.** The host is resolved first (``resolver``, by default
      :func:`system_resolver`); if *any* of its addresses is not public
      (:func:`is_public_address`: loopback, private, link-local and cloud metadata, ...) the
      fetch is refused, and otherwise the connection goes to exactly an address that was
      checked: there is no second lookup that DNS rebinding could answer differently. IP
      literals in every spelling (``127.1``, ``2130706433``, ``[::ffff:127.0.0.1]``) and
      ``localhost`` are judged without DNS. A refused host, an unknown one and one that does
      not accept the connection all give the same ``http.network`` error, so a fetch cannot
      probe which internal ports are open.
    - ``allow_hosts`` (host names or IP literals, exact, case-insensitive) and
      ``allow_networks`` (IP networks such as ``"10.20.0.0/16"``) let a caller reach internal
      hosts it trusts, e.g. a university's own DID documents or status lists.
    - one total deadline of ``timeout`` seconds covers name resolution, connecting, the TLS
      handshake, the request, the headers and the body of every redirect hop
      (``http.timeout``): a server that drips bytes cannot hold a verifier longer.
    - at most ``max_bytes`` of body (``http.too_large``): a larger ``Content-Length`` is refused
      before reading, and the stream is cut past the limit. Only identity encoding is accepted.
    - redirects are followed by hand, at most ``max_redirects``, and only to the same scheme,
      host and port (``http.redirect``); each hop is resolved and checked again.
    - any status but 200 is ``http.status``; certificate and other TLS failures are ``http.tls``.
    - TLS 1.2 or later, certificates checked against the system's CAs or ``ca_bundle`` (a PEM
      file, for a private PKI or tests), for the URL's host name (which is also the SNI name).
    - host names that are not ASCII (IDNs) are refused (``http.invalid_host``), as in did:web.
    - proxies are not used unless ``trust_env=True``: then ``HTTPS_PROXY``/``NO_PROXY`` are
      honoured with an http proxy and ``CONNECT``. The proxy resolves the host, so it must
      enforce the egress policy; czmc still refuses IP literals and ``localhost`` itself.

    Nothing is logged, and no connection is kept: every fetch opens its own, so a fetcher
    is safe to share between threads. :meth:`close` exists for ``with`` blocks.
    """

    def __init__(
        self,
        timeout: float = 5.0,
        max_bytes: int = 256 * 1024,
        max_redirects: int = 3,
        insecure_http_hosts: Iterable[str] = frozenset(),
        *,
        ca_bundle: str | None = None,
        accept: str = DEFAULT_ACCEPT,
        trust_env: bool = False,
        allow_hosts: Iterable[str] = (),
        allow_networks: Iterable[str | Network] = (),
        resolver: HostResolver = system_resolver,
    ) -> None:
        for name, value in (
            ("insecure_http_hosts", insecure_http_hosts),
            ("allow_hosts", allow_hosts),
            ("allow_networks", allow_networks),
        ):
            if isinstance(value, str):
                raise TypeError(f"{name} is a collection of strings, not one string")
        if timeout <= 0 or max_bytes <= 0 or max_redirects < 0:
            raise ValueError("timeout and max_bytes must be positive and max_redirects at least 0")
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.insecure_http_hosts = frozenset(host.lower() for host in insecure_http_hosts)
        self.ca_bundle = ca_bundle
        self.accept = _check_accept(accept)
        self.trust_env = trust_env
        self.allow_hosts = frozenset(host.lower().removesuffix(".").strip("[]") for host in allow_hosts)
        self.allow_networks = tuple(_allowed_network(network) for network in allow_networks)
        self.resolver = resolver
        self._context = ssl.create_default_context(cafile=ca_bundle)
        self._context.minimum_version = ssl.TLSVersion.TLSv1_2

    def __repr__(self) -> str:
        allowed = sorted(self.allow_hosts) + [str(network) for network in self.allow_networks]
        return (
            f"HttpsFetcher(timeout={self.timeout}, max_bytes={self.max_bytes}, max_redirects={self.max_redirects}, "
            f"insecure_http_hosts={sorted(self.insecure_http_hosts)}, allowed={allowed})"
        )

    def __enter__(self) -> HttpsFetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Nothing to release (no connection outlives its fetch); kept so ``with`` works."""

    def _check_scheme(self, url: str) -> tuple[str, str, int]:
        scheme, host, port = _split(url)
        if scheme == "http":
            shown = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
            if shown not in self.insecure_http_hosts:
                raise FetchError("http.not_https", f"refusing plain http:// URL {url!r}; czmc fetches https only")
        return scheme, host, port

    def fetch(self, url: str, *, accept: str | None = None) -> bytes:
        """The body of ``url``; FetchError (see the class) if refused or failed.

        The fragment is not sent (RFC 3986 3.5); ``accept`` overrides the ``Accept`` header.
        """
        origin = self._check_scheme(url)
        _check_accept(accept or self.accept)
        current = url.split("#", 1)[0]
        deadline = time.monotonic() + self.timeout
        for _ in range(self.max_redirects + 1):
            location = self._get(current, accept or self.accept, deadline)
            if isinstance(location, bytes):
                return location
            target = urljoin(current, location).split("#", 1)[0]
            try:
                same = self._check_scheme(target) == origin
            except FetchError:
                same = False
            if not same:
                raise FetchError("http.redirect", f"{current!r} redirects to another origin ({target!r}); refused")
            current = target
        raise FetchError("http.redirect", f"{url!r} redirects more than {self.max_redirects} times")

    # --- one request ---------------------------------------------------------------------------

    def _timeout(self, url: str) -> FetchError:
        return FetchError("http.timeout", f"fetching {url!r} took longer than {self.timeout} s")

    def _get(self, url: str, accept: str, deadline: float) -> bytes | str:
        """The body of a 200 response, or the ``Location`` of a redirect."""
        scheme, host, port = _split(url)
        parts = urlsplit(url)
        target = quote(parts.path or "/", safe=_TARGET_SAFE) + (
            "?" + quote(parts.query, safe=_TARGET_SAFE) if parts.query else ""
        )
        authority = _origin(scheme, host, port).split("://", 1)[1]
        try:
            sock = self._open(scheme, host, port, deadline)
        except _UnreachableError:
            raise FetchError(
                "http.network",
                f"cannot connect to {_origin(scheme, host, port)}: the host is unknown, does not accept the "
                "connection, or is not a public address (internal hosts must be allowed explicitly: "
                "allow_hosts/allow_networks, czmc --allow-host)",
            ) from None
        except TimeoutError:
            raise self._timeout(url) from None
        try:
            request = (
                f"GET {target} HTTP/1.1\r\nHost: {authority}\r\nAccept: {accept}\r\n"
                "Accept-Encoding: identity\r\nUser-Agent: czmc\r\nConnection: close\r\n\r\n"
            )
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            sock.settimeout(remaining)
            sock.sendall(request.encode("ascii"))
            response = http.client.HTTPResponse(_Wire(sock, deadline), method="GET")  # type: ignore[arg-type]
            try:
                response.begin()
                return self._answer(response, url, deadline)
            finally:
                response.close()
        except FetchError:
            raise
        except TimeoutError:
            raise self._timeout(url) from None
        except ssl.SSLError as error:
            raise FetchError("http.tls", f"TLS failed for {url!r}: {_reason(error)}") from None
        except (http.client.HTTPException, OSError, ValueError) as error:
            raise FetchError("http.network", f"fetching {url!r} failed: {_reason(error)}") from None
        finally:
            sock.close()

    def _answer(self, response: http.client.HTTPResponse, url: str, deadline: float) -> bytes | str:
        if response.status in _REDIRECTS:
            location = response.getheader("Location")
            if not location:
                raise FetchError("http.redirect", f"{url!r} answered {response.status} without a Location")
            return location
        if response.status != 200:
            raise FetchError("http.status", f"{url!r} answered HTTP {response.status}, not 200")
        encoding = (response.getheader("Content-Encoding") or "identity").strip().lower()
        if encoding != "identity":
            raise FetchError(
                "http.encoding", f"{url!r} answered with Content-Encoding {encoding!r}; czmc asked for none"
            )
        declared = response.getheader("Content-Length", "")
        if declared.strip().isdigit() and int(declared) > self.max_bytes:
            raise FetchError("http.too_large", f"{url!r} is {int(declared)} bytes; the limit is {self.max_bytes}")
        body = bytearray()
        while True:
            chunk = response.read1(_CHUNK)
            if not chunk:
                if response.length:  # http.client ends quietly where the server hung up early
                    raise FetchError(
                        "http.network", f"{url!r} ended after {len(body)} bytes, {response.length} short of its length"
                    )
                return bytes(body)
            body += chunk
            if len(body) > self.max_bytes:
                raise FetchError("http.too_large", f"{url!r} is larger than the limit of {self.max_bytes} bytes")
            if time.monotonic() > deadline:
                raise TimeoutError

    # --- connecting ----------------------------------------------------------------------------

    def _open(self, scheme: str, host: str, port: int, deadline: float) -> socket.socket:
        """A connected socket (TLS for https) to a checked address of ``host``; _UnreachableError or TimeoutError."""
        proxy = self._proxy(scheme, host)
        if proxy is not None:
            literal = _literal(host)
            if (_is_localhost(host) and host.removesuffix(".") not in self.allow_hosts) or (
                literal is not None and not self._permitted(host, literal)
            ):
                raise _UnreachableError
            sock = self._connect(self._addresses(proxy[0], proxy[1], deadline, check=False), proxy[1], deadline)
            try:
                self._tunnel(sock, host, port, deadline)
            except BaseException:
                sock.close()
                raise
        else:
            sock = self._connect(self._addresses(host, port, deadline, check=True), port, deadline)
        if scheme == "http":
            return sock
        literal = _literal(host)
        origin = _origin(scheme, host, port)
        try:
            tls = self._context.wrap_socket(
                sock, server_hostname=str(literal) if literal is not None else host, do_handshake_on_connect=False
            )
        except (OSError, ValueError) as error:
            sock.close()
            raise FetchError("http.tls", f"TLS failed for {origin}: {_reason(error)}") from None
        try:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            tls.settimeout(remaining)  # bounds the handshake as a whole, not each of its reads
            tls.do_handshake()
        except BaseException as error:
            tls.close()
            if isinstance(error, TimeoutError):
                raise TimeoutError from None
            if isinstance(error, OSError):  # ssl.SSLError is one
                raise FetchError("http.tls", f"TLS failed for {origin}: {_reason(error)}") from None
            raise
        return tls

    def _permitted(self, host: str, address: Address) -> bool:
        return (
            host.removesuffix(".") in self.allow_hosts
            or str(address) in self.allow_hosts
            or any(address in network for network in self.allow_networks)
            or is_public_address(address)
        )

    def _addresses(self, host: str, port: int, deadline: float, *, check: bool) -> list[Address]:
        """Every address of ``host``, each permitted (if ``check``); _UnreachableError if any is not."""
        literal = _literal(host)
        if literal is not None:
            found: list[Address] = [literal]
        elif _is_localhost(host):
            found = [ipaddress.IPv4Address("127.0.0.1"), ipaddress.IPv6Address("::1")]
        else:
            found = [ipaddress.ip_address(text) for text in self._lookup(host, port, deadline)]
        if not found or (check and not all(self._permitted(host, address) for address in found)):
            raise _UnreachableError
        return found

    def _lookup(self, host: str, port: int, deadline: float) -> list[str]:
        """The resolver's answer within the deadline (``getaddrinfo`` itself has no timeout)."""
        answer: list[str] = []
        failed: list[BaseException] = []

        def work() -> None:
            try:
                answer.extend(str(item) for item in self.resolver(host, port))
            except BaseException as error:  # reported below as unreachable
                failed.append(error)

        worker = threading.Thread(target=work, name="czmc-resolve", daemon=True)
        worker.start()
        worker.join(max(deadline - time.monotonic(), 0))
        if worker.is_alive():
            raise TimeoutError
        if failed:
            raise _UnreachableError
        try:
            for text in answer:
                ipaddress.ip_address(text)
        except ValueError:
            raise _UnreachableError from None
        return answer

    @staticmethod
    def _connect(addresses: Sequence[Address], port: int, deadline: float) -> socket.socket:
        """A TCP connection to the first of ``addresses`` that accepts one (no name is looked up)."""
        for address in addresses:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError
            family = socket.AF_INET6 if address.version == 6 else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_STREAM)
            try:
                sock.settimeout(remaining)
                sock.connect((str(address), port))
            except TimeoutError:
                sock.close()
                raise TimeoutError from None
            except OSError:
                sock.close()
                continue
            return sock
        raise _UnreachableError

    # --- proxies -------------------------------------------------------------------------------

    def _proxy(self, scheme: str, host: str) -> tuple[str, int] | None:
        """The http proxy from the environment for ``host`` (only with ``trust_env``), or None."""
        if not self.trust_env:
            return None
        proxies = urllib.request.getproxies_environment()
        proxy = proxies.get(scheme)
        bypass: Callable[[str, dict[str, str]], bool] = urllib.request.proxy_bypass_environment  # type: ignore[attr-defined]
        if not proxy or bypass(host, proxies):
            return None
        try:
            parts = urlsplit(proxy if "://" in proxy else "http://" + proxy)
            proxy_port = parts.port or 80
        except ValueError:
            parts, proxy_port = None, 0
        if parts is None or parts.scheme != "http" or not parts.hostname or parts.username is not None:
            raise FetchError(
                "http.proxy", f"the {scheme} proxy {proxy!r} from the environment is not an http://host:port proxy"
            )
        return parts.hostname, proxy_port

    @staticmethod
    def _tunnel(sock: socket.socket, host: str, port: int, deadline: float) -> None:
        """Ask the proxy on ``sock`` for a tunnel to ``host:port`` (HTTP CONNECT, RFC 9110 §9.3.6)."""
        authority = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        sock.settimeout(remaining)
        try:
            sock.sendall(f"CONNECT {authority} HTTP/1.1\r\nHost: {authority}\r\n\r\n".encode("ascii"))
            answer = http.client.HTTPResponse(_Wire(sock, deadline), method="CONNECT")  # type: ignore[arg-type]
            answer.begin()
        except (http.client.HTTPException, OSError) as error:
            if isinstance(error, TimeoutError):
                raise TimeoutError from None
            raise FetchError(
                "http.proxy", f"the proxy failed to open a tunnel to {authority}: {_reason(error)}"
            ) from None
        if answer.status != 200:
            raise FetchError("http.proxy", f"the proxy refused a tunnel to {authority}: HTTP {answer.status}")


def _reason(error: BaseException) -> str:
    """The innermost cause of an error, short and without a traceback."""
    while error.__context__ is not None and isinstance(error.__context__, Exception):
        error = error.__context__
    if isinstance(error, ssl.SSLCertVerificationError) and error.verify_message:
        text = f"certificate verify failed: {error.verify_message}"
    else:
        text = str(error) or type(error).__name__
    return text if len(text) <= 300 else text[:297] + "..."


class OfflineFetcher:
    """A fetcher that refuses every URL (``resolution.offline``): nothing leaves the machine."""

    def fetch(self, url: str) -> bytes:
        """Always raises FetchError ``resolution.offline``."""
        raise FetchError(
            "resolution.offline",
            f"network access is off; cannot fetch {url!r} (pass a DID document or an HttpsFetcher to allow it)",
        )

    def __repr__(self) -> str:
        return "OfflineFetcher()"


class DirectoryFetcher:
    """Serve files of a local directory for the URLs under ``base_url``, as a web server would.

    ``DirectoryFetcher("site", "https://cuni.cz/")`` answers
    ``https://cuni.cz/.well-known/did.json`` with ``site/.well-known/did.json``. URLs outside
    ``base_url``, with a query, or whose path would leave the directory (``..``, encoded
    slashes, symbolic links pointing out) are refused; a missing file is ``http.status``
    (like a 404). Files above ``max_bytes`` are ``http.too_large``.
    """

    def __init__(self, root: str | Path, base_url: str, *, max_bytes: int = 256 * 1024) -> None:
        self.root = Path(root)
        scheme, host, port = _split(base_url)
        self._origin = (scheme, host, port)
        path = urlsplit(base_url).path
        self._prefix = path if path.endswith("/") else path + "/"
        self.base_url = _origin(scheme, host, port) + self._prefix
        self.max_bytes = max_bytes

    def __repr__(self) -> str:
        return f"DirectoryFetcher({str(self.root)!r}, {self.base_url!r})"

    def fetch(self, url: str) -> bytes:
        """The file that ``url`` maps to; FetchError if outside the directory or missing."""
        parts = urlsplit(url) if isinstance(url, str) else None
        if parts is None or _split(url) != self._origin or not parts.path.startswith(self._prefix):
            raise FetchError("http.outside_directory", f"{url!r} is not under {self.base_url!r}")
        if parts.query:
            raise FetchError("http.invalid_url", f"{url!r} has a query; a directory cannot answer it")
        try:
            segments = [unquote(segment, errors="strict") for segment in parts.path[len(self._prefix) :].split("/")]
        except UnicodeDecodeError:
            segments = [""]
        if any(segment in ("", ".", "..") or any(char in segment for char in "/\\\0") for segment in segments):
            raise FetchError("http.invalid_url", f"{url!r} has a path segment czmc does not map to a file")
        root = self.root.resolve()
        target = root.joinpath(*segments).resolve()
        if not target.is_relative_to(root):
            raise FetchError("http.invalid_url", f"{url!r} leaves the directory")
        try:
            with target.open("rb") as stream:
                data = stream.read(self.max_bytes + 1)
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise FetchError("http.status", f"{url!r}: no such file (HTTP 404)") from None
        except OSError as error:
            raise FetchError("http.network", f"{url!r}: cannot read {target.name}: {error.strerror}") from None
        if len(data) > self.max_bytes:
            raise FetchError("http.too_large", f"{url!r} is larger than the limit of {self.max_bytes} bytes")
        return data
