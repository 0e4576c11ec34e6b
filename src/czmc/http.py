"""The one door to the network: fetch small public documents (DID documents, JWKs) safely.

Everything czmc reads from the web (``did:web`` documents, ``https`` key URLs) goes through a
:class:`Fetcher`. :class:`HttpsFetcher` is the default: https only, connect and total
timeouts, a size cap checked before and while reading, redirects followed only within the
same origin, and no logging. :class:`OfflineFetcher` refuses everything; :class:`DirectoryFetcher`
serves a local directory as if it were a web site, for air-gapped verifiers and tests.

Every failure is a :class:`~czmc.errors.FetchError` with a stable ``code``: ``http.not_https``,
``http.invalid_url``, ``http.too_large``, ``http.redirect``, ``http.status``,
``http.timeout``, ``http.tls``, ``http.network``, ``resolution.offline``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable
from urllib.parse import unquote, urljoin, urlsplit

from czmc.errors import FetchError

if TYPE_CHECKING:
    import requests

__all__ = [
    "DEFAULT_ACCEPT",
    "DirectoryFetcher",
    "Fetcher",
    "HttpsFetcher",
    "OfflineFetcher",
]

DEFAULT_ACCEPT = "application/did+json, application/json"
"""What :class:`HttpsFetcher` asks for unless told otherwise (DID Resolution media type first)."""

_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_DEFAULT_PORTS = {"https": 443, "http": 80}
_CHUNK = 16 * 1024


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
    return scheme, parts.hostname.lower(), port if port is not None else _DEFAULT_PORTS[scheme]


class HttpsFetcher:
    """Fetch public documents over https with :mod:`requests`, refusing anything unusual.

    - https only; ``http://`` is refused (``http.not_https``) unless the URL's ``host:port``
      is in ``insecure_http_hosts`` (e.g. ``{"127.0.0.1:8080"}``), a switch for tests only.
    - ``timeout`` seconds for connecting and for the whole response (``http.timeout``), so a
      server that drips bytes cannot hold a verifier.
    - at most ``max_bytes`` of body (``http.too_large``): a larger ``Content-Length`` is refused
      before reading, and the stream is cut past the limit.
    - redirects are followed by hand, at most ``max_redirects``, and only to the same scheme,
      host and port (``http.redirect``): a document at one origin cannot vouch for another.
    - any status but 200 is ``http.status``; TLS failures are ``http.tls``, others ``http.network``.
    - ``ca_bundle``: a PEM file of CAs to trust instead of the system's (private PKI, tests).
    - proxies, ``.netrc`` and CA settings from the environment are ignored (``trust_env=False``)
      so that a verifier does not change behaviour with its environment; pass
      ``trust_env=True`` to honour ``HTTPS_PROXY`` and friends.

    Nothing is logged. Call :meth:`close` (or use ``with``) to release connections.
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
    ) -> None:
        if isinstance(insecure_http_hosts, str):
            raise TypeError("insecure_http_hosts is a set of 'host:port' strings, not one string")
        if timeout <= 0 or max_bytes <= 0 or max_redirects < 0:
            raise ValueError("timeout and max_bytes must be positive and max_redirects at least 0")
        self.timeout = timeout
        self.max_bytes = max_bytes
        self.max_redirects = max_redirects
        self.insecure_http_hosts = frozenset(host.lower() for host in insecure_http_hosts)
        self.ca_bundle = ca_bundle
        self.accept = accept
        self.trust_env = trust_env
        self._local = threading.local()
        self._sessions: list[requests.Session] = []
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return (
            f"HttpsFetcher(timeout={self.timeout}, max_bytes={self.max_bytes}, max_redirects={self.max_redirects}, "
            f"insecure_http_hosts={sorted(self.insecure_http_hosts)})"
        )

    def __enter__(self) -> HttpsFetcher:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pools of every thread that used this fetcher."""
        with self._lock:
            sessions, self._sessions = self._sessions, []
        for session in sessions:
            session.close()
        self._local = threading.local()

    def _session(self) -> requests.Session:
        import requests  # noqa: PLC0415 - requests (~60 ms to import) only when something is fetched

        # requests.Session is not documented as thread-safe: one per thread, closed together.
        session: requests.Session | None = getattr(self._local, "session", None)
        if session is None:
            session = requests.Session()
            session.trust_env = self.trust_env
            self._local.session = session
            with self._lock:
                self._sessions.append(session)
        return session

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
        current = url.split("#", 1)[0]
        deadline = time.monotonic() + self.timeout
        headers = {"Accept": accept or self.accept, "Accept-Encoding": "identity"}
        for _ in range(self.max_redirects + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise FetchError("http.timeout", f"fetching {url!r} took longer than {self.timeout} s")
            location = self._get(current, headers, remaining, deadline)
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

    def _get(self, url: str, headers: dict[str, str], remaining: float, deadline: float) -> bytes | str:
        """The body of a 200 response, or the ``Location`` of a redirect."""
        import requests  # noqa: PLC0415 - see _session
        import urllib3.exceptions  # noqa: PLC0415

        try:
            with self._session().get(
                url,
                headers=headers,
                timeout=(remaining, remaining),
                allow_redirects=False,
                stream=True,
                verify=self.ca_bundle if self.ca_bundle is not None else True,
            ) as response:
                if response.status_code in _REDIRECTS:
                    location = response.headers.get("Location")
                    if not location:
                        raise FetchError("http.redirect", f"{url!r} answered {response.status_code} without a Location")
                    return location
                if response.status_code != 200:
                    raise FetchError("http.status", f"{url!r} answered HTTP {response.status_code}, not 200")
                declared = response.headers.get("Content-Length", "")
                if declared.strip().isdigit() and int(declared) > self.max_bytes:
                    raise FetchError(
                        "http.too_large", f"{url!r} is {int(declared)} bytes; the limit is {self.max_bytes}"
                    )
                return self._read(response, url, deadline)
        except requests.exceptions.SSLError as error:
            raise FetchError("http.tls", f"TLS failed for {url!r}: {_reason(error)}") from None
        except (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError, TimeoutError):
            raise FetchError("http.timeout", f"fetching {url!r} took longer than {self.timeout} s") from None
        except (requests.exceptions.RequestException, urllib3.exceptions.HTTPError, OSError) as error:
            raise FetchError("http.network", f"fetching {url!r} failed: {_reason(error)}") from None

    def _read(self, response: requests.Response, url: str, deadline: float) -> bytes:
        body = bytearray()
        read = getattr(response.raw, "read1", response.raw.read)  # read1: urllib3 >= 2
        while True:
            # read1 returns what has arrived instead of waiting for a full chunk, so the
            # deadline is checked at least once per read timeout even against a slow drip.
            chunk = read(_CHUNK, decode_content=True)
            if not chunk:
                return bytes(body)
            body += chunk
            if len(body) > self.max_bytes:
                raise FetchError("http.too_large", f"{url!r} is larger than the limit of {self.max_bytes} bytes")
            if time.monotonic() > deadline:
                raise FetchError("http.timeout", f"fetching {url!r} took longer than {self.timeout} s")


def _reason(error: BaseException) -> str:
    """The innermost cause of a requests/urllib3 error, short and without a traceback."""
    while error.__context__ is not None and isinstance(error.__context__, Exception):
        error = error.__context__
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
