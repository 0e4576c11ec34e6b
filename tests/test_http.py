"""The network door: https only, timeouts, size caps, same-origin redirects, against real servers."""

from __future__ import annotations

import copy
import ipaddress
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from czmc import ob3, vcjwt
from czmc.cli import main
from czmc.did import did_web_document
from czmc.errors import FetchError, ResolutionError
from czmc.http import (
    DEFAULT_ACCEPT,
    DirectoryFetcher,
    Fetcher,
    HttpsFetcher,
    OfflineFetcher,
    _literal,
    is_public_address,
)
from czmc.keys import Key
from czmc.model import MicroCredential
from tests._servers import (
    LOOPBACK,
    NAME,
    Proxy,
    Running,
    drip,
    drip_headers,
    drip_tls_handshake,
    json_route,
    raw_server,
    redirect,
    respond,
    serve,
    slow,
    status,
)
from tests.conftest import FULL


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with serve(tls=True, directory=tmp_path_factory.mktemp("tls")) as running:
        yield running


@pytest.fixture(scope="module")
def http_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with serve(tls=False, directory=tmp_path_factory.mktemp("plain")) as running:
        yield running


@pytest.fixture
def site(https_server: Running) -> Running:
    https_server.site.routes.clear()
    https_server.site.hits.clear()
    return https_server


@pytest.fixture
def fetcher(https_server: Running) -> Iterator[HttpsFetcher]:
    with HttpsFetcher(allow_networks=LOOPBACK, timeout=2.0, max_bytes=1024, ca_bundle=https_server.ca_bundle) as made:
        yield made


def code_of(fetch: Fetcher, url: str) -> str:
    with pytest.raises(FetchError) as caught:
        fetch.fetch(url)
    return caught.value.code


def test_fetches_over_https_with_the_did_accept_header(site: Running, fetcher: HttpsFetcher) -> None:
    site.site.routes["/doc.json"] = json_route({"id": "x"})
    assert fetcher.fetch(site.url("/doc.json#fragment-not-sent")) == b'{"id": "x"}'
    assert site.site.headers["/doc.json"]["Accept"] == DEFAULT_ACCEPT
    assert fetcher.fetch(site.url("/doc.json"), accept="application/jwk+json") == b'{"id": "x"}'
    assert site.site.headers["/doc.json"]["Accept"] == "application/jwk+json"
    assert isinstance(fetcher, Fetcher)


def test_an_untrusted_certificate_is_refused(site: Running) -> None:
    site.site.routes["/doc.json"] = json_route({})
    with HttpsFetcher(allow_networks=LOOPBACK, timeout=2.0) as system_trust:
        assert code_of(system_trust, site.url("/doc.json")) == "http.tls"
    assert site.site.hits["/doc.json"] == 0


def test_plain_http_only_through_the_explicit_test_switch(http_server: Running) -> None:
    http_server.site.routes["/key.json"] = json_route({"kty": "OKP"})
    with HttpsFetcher(allow_networks=LOOPBACK, timeout=2.0) as default:
        assert code_of(default, http_server.url("/key.json")) == "http.not_https"
    with HttpsFetcher(
        allow_networks=LOOPBACK, timeout=2.0, insecure_http_hosts=frozenset({"127.0.0.1:1"})
    ) as other_port:
        assert code_of(other_port, http_server.url("/key.json")) == "http.not_https"
    assert http_server.site.hits["/key.json"] == 0
    allowed = frozenset({f"127.0.0.1:{http_server.port}"})
    with HttpsFetcher(allow_networks=LOOPBACK, timeout=2.0, insecure_http_hosts=allowed) as insecure:
        assert insecure.fetch(http_server.url("/key.json")) == b'{"kty": "OKP"}'


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.org/did.json",
        "file:///etc/passwd",
        "https://user:secret@example.org/did.json",
        "https:///did.json",
        "did.json",
        "https://example.org/a b",
        "https://example.org:99999/",
        "",
    ],
)
def test_urls_that_are_not_fetched(fetcher: HttpsFetcher, url: str) -> None:
    assert code_of(fetcher, url) in {"http.invalid_url", "http.not_https"}


def test_non_200_is_an_error(site: Running, fetcher: HttpsFetcher) -> None:
    site.site.routes["/gone"] = status(410)
    site.site.routes["/broken"] = status(500, b"{}")
    site.site.routes["/empty"] = status(204)
    for path in ("/gone", "/broken", "/empty", "/missing"):
        assert code_of(fetcher, site.url(path)) == "http.status"


def test_size_cap_is_checked_up_front_from_content_length(site: Running, fetcher: HttpsFetcher) -> None:
    # The header promises far more than is sent: reading would hang until the timeout.
    site.site.routes["/liar"] = respond(200, b"{}", {"Content-Length": "1000000"}, length=False)
    started = time.monotonic()
    assert code_of(fetcher, site.url("/liar")) == "http.too_large"
    assert time.monotonic() - started < 1.0


def test_chunked_bodies_are_read_and_capped(site: Running, fetcher: HttpsFetcher) -> None:
    chunked = {"Transfer-Encoding": "chunked"}
    site.site.routes["/chunked"] = respond(200, b"5\r\nhello\r\n1\r\n!\r\n0\r\n\r\n", chunked, length=False)
    big = b"".join(b"100\r\n" + b"x" * 256 + b"\r\n" for _ in range(5)) + b"0\r\n\r\n"
    site.site.routes["/chunked-big"] = respond(200, big, chunked, length=False)
    site.site.routes["/gzip"] = respond(200, b"\x1f\x8b", {"Content-Encoding": "gzip"})
    assert fetcher.fetch(site.url("/chunked")) == b"hello!"
    assert code_of(fetcher, site.url("/chunked-big")) == "http.too_large"
    assert code_of(fetcher, site.url("/gzip")) == "http.encoding"


def test_a_body_shorter_than_its_content_length_is_an_error(site: Running, fetcher: HttpsFetcher) -> None:
    site.site.routes["/short"] = respond(200, b"{}", {"Content-Length": "500"}, length=False)
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(site.url("/short"))
    assert caught.value.code == "http.network"
    assert "498 short" in caught.value.message


def test_accept_must_be_a_header_value(site: Running, fetcher: HttpsFetcher) -> None:
    with pytest.raises(ValueError, match="printable ASCII"):
        HttpsFetcher(accept="application/json\r\nX-Injected: 1")
    with pytest.raises(ValueError, match="printable ASCII"):
        fetcher.fetch(site.url("/doc.json"), accept="a\nb")


def test_size_cap_while_streaming_without_content_length(site: Running, fetcher: HttpsFetcher) -> None:
    site.site.routes["/exact"] = respond(200, b"x" * 1024, length=False)
    site.site.routes["/big"] = respond(200, b"x" * 1025, length=False)
    site.site.routes["/huge"] = respond(200, b"x" * 5_000_000, length=False)
    assert fetcher.fetch(site.url("/exact")) == b"x" * 1024
    assert code_of(fetcher, site.url("/big")) == "http.too_large"
    assert code_of(fetcher, site.url("/huge")) == "http.too_large"


def test_a_server_that_does_not_answer_times_out(site: Running) -> None:
    site.site.routes["/sleep"] = slow(1.5, json_route({}))
    with HttpsFetcher(allow_networks=LOOPBACK, timeout=0.3, ca_bundle=site.ca_bundle) as fetcher:
        started = time.monotonic()
        assert code_of(fetcher, site.url("/sleep")) == "http.timeout"
        assert time.monotonic() - started < 1.2


def test_a_dripping_server_hits_the_total_deadline(site: Running) -> None:
    # Each byte arrives well within the read timeout; only a total deadline stops this.
    site.site.routes["/drip"] = drip(0.05, 200)
    with HttpsFetcher(allow_networks=LOOPBACK, timeout=0.5, ca_bundle=site.ca_bundle) as fetcher:
        started = time.monotonic()
        assert code_of(fetcher, site.url("/drip")) == "http.timeout"
        assert time.monotonic() - started < 2.0


def test_connection_refused_is_a_network_error(fetcher: HttpsFetcher) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert code_of(fetcher, f"https://127.0.0.1:{port}/did.json") == "http.network"


def test_same_origin_redirects_are_followed(site: Running, fetcher: HttpsFetcher) -> None:
    site.site.routes["/old"] = redirect("/middle", 301)
    site.site.routes["/middle"] = redirect(site.url("/new"), 308)
    site.site.routes["/new"] = json_route({"moved": True})
    assert fetcher.fetch(site.url("/old")) == b'{"moved": true}'
    assert site.site.hits == {"/old": 1, "/middle": 1, "/new": 1}


def test_redirects_to_another_origin_are_refused(site: Running, fetcher: HttpsFetcher, http_server: Running) -> None:
    site.site.routes["/other-host"] = redirect(f"https://localhost:{site.port}/new")
    site.site.routes["/other-port"] = redirect(f"https://127.0.0.1:{http_server.port}/new")
    site.site.routes["/downgrade"] = redirect(f"http://127.0.0.1:{site.port}/new")
    site.site.routes["/nowhere"] = redirect("")
    site.site.routes["/new"] = json_route({})
    for path in ("/other-host", "/other-port", "/downgrade", "/nowhere"):
        assert code_of(fetcher, site.url(path)) == "http.redirect"
    assert site.site.hits["/new"] == 0


def test_redirect_limit(site: Running, https_server: Running) -> None:
    for hop in range(5):
        site.site.routes[f"/hop{hop}"] = redirect(f"/hop{hop + 1}")
    site.site.routes["/hop5"] = json_route({})
    with HttpsFetcher(allow_networks=LOOPBACK, timeout=2.0, max_redirects=5, ca_bundle=site.ca_bundle) as enough:
        assert enough.fetch(site.url("/hop0")) == b"{}"
    with HttpsFetcher(allow_networks=LOOPBACK, timeout=2.0, max_redirects=4, ca_bundle=site.ca_bundle) as too_few:
        assert code_of(too_few, site.url("/hop0")) == "http.redirect"
    site.site.routes["/loop"] = redirect("/loop")
    with HttpsFetcher(allow_networks=LOOPBACK, timeout=2.0, ca_bundle=site.ca_bundle) as default:
        assert code_of(default, site.url("/loop")) == "http.redirect"
    assert site.site.hits["/loop"] == 4  # the first request and max_redirects=3 more


def test_one_fetcher_serves_several_threads(site: Running) -> None:
    site.site.routes["/doc.json"] = json_route({"ok": 1})
    results: list[bytes] = []
    with HttpsFetcher(allow_networks=LOOPBACK, timeout=2.0, ca_bundle=site.ca_bundle) as fetcher:
        threads = [
            threading.Thread(target=lambda: results.append(fetcher.fetch(site.url("/doc.json")))) for _ in range(4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert results == [b'{"ok": 1}'] * 4


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="positive"):
        HttpsFetcher(allow_networks=LOOPBACK, timeout=0)
    with pytest.raises(ValueError, match="positive"):
        HttpsFetcher(max_bytes=0)
    with pytest.raises(TypeError, match="collection"):
        HttpsFetcher(insecure_http_hosts="127.0.0.1:8080")


def test_offline_fetcher_refuses_everything() -> None:
    with pytest.raises(FetchError) as caught:
        OfflineFetcher().fetch("https://cuni.cz/.well-known/did.json")
    assert caught.value.code == "resolution.offline"
    assert isinstance(caught.value, ResolutionError)
    assert isinstance(OfflineFetcher(), Fetcher)


@pytest.fixture
def directory(tmp_path: Path) -> DirectoryFetcher:
    site = tmp_path / "site"
    (site / ".well-known").mkdir(parents=True)
    (site / ".well-known" / "did.json").write_text('{"id": "did:web:cuni.cz"}')
    (site / "mc" / "issuer").mkdir(parents=True)
    (site / "mc" / "issuer" / "did.json").write_text("{}")
    (site / "big.json").write_bytes(b" " * 2048)
    (tmp_path / "secret.json").write_text("secret")
    (site / "link.json").symlink_to(tmp_path / "secret.json")
    return DirectoryFetcher(site, "https://CUNI.cz", max_bytes=1024)


def test_directory_fetcher_maps_urls_to_files(directory: DirectoryFetcher) -> None:
    assert directory.fetch("https://cuni.cz/.well-known/did.json") == b'{"id": "did:web:cuni.cz"}'
    assert directory.fetch("https://cuni.cz:443/mc/issuer/did.json#key-1") == b"{}"
    assert directory.fetch("https://cuni.cz/mc/%69ssuer/did.json") == b"{}"
    assert code_of(directory, "https://cuni.cz/mc/other/did.json") == "http.status"
    assert code_of(directory, "https://cuni.cz/mc/issuer") == "http.status"
    assert code_of(directory, "https://cuni.cz/big.json") == "http.too_large"
    assert isinstance(directory, Fetcher)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("https://cuni.cz/../secret.json", "http.invalid_url"),
        ("https://cuni.cz/mc/%2e%2e/%2E%2E/secret.json", "http.invalid_url"),
        ("https://cuni.cz/mc%2F..%2F..%2Fsecret.json", "http.invalid_url"),
        ("https://cuni.cz/mc%5C..%5C..%5Csecret.json", "http.invalid_url"),
        ("https://cuni.cz//etc/passwd", "http.invalid_url"),
        ("https://cuni.cz/mc/%00/did.json", "http.invalid_url"),
        ("https://cuni.cz/mc/%ff/did.json", "http.invalid_url"),
        ("https://cuni.cz/link.json", "http.invalid_url"),
        ("https://cuni.cz/did.json?x=1", "http.invalid_url"),
        ("https://evil.example/.well-known/did.json", "http.outside_directory"),
        ("http://cuni.cz/.well-known/did.json", "http.outside_directory"),
        ("https://cuni.cz:8443/.well-known/did.json", "http.outside_directory"),
    ],
)
def test_directory_fetcher_refuses_escapes(directory: DirectoryFetcher, url: str, code: str) -> None:
    assert code_of(directory, url) == code


def test_directory_fetcher_base_path(tmp_path: Path) -> None:
    (tmp_path / "did.json").write_text("{}")
    fetcher = DirectoryFetcher(tmp_path, "https://example.org/issuers/a/")
    assert fetcher.fetch("https://example.org/issuers/a/did.json") == b"{}"
    assert code_of(fetcher, "https://example.org/issuers/ab/did.json") == "http.outside_directory"
    assert code_of(fetcher, "https://example.org/did.json") == "http.outside_directory"


# --- SSRF: public addresses only, resolved once, one error for every refusal --------------------


class Resolver:
    """A name service for tests: maps names to address lists and counts lookups (no system DNS)."""

    def __init__(self, answers: dict[str, list[str]]) -> None:
        self.answers = answers
        self.lookups: list[str] = []

    def __call__(self, host: str, port: int) -> list[str]:
        self.lookups.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.answers[host]


@pytest.fixture
def listener() -> Iterator[socket.socket]:
    """A TCP port on 127.0.0.1 that accepts nothing by itself: a pending connection shows an attempt."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(8)
        sock.setblocking(False)
        yield sock


def attempted(sock: socket.socket) -> bool:
    try:
        conn, _ = sock.accept()
    except BlockingIOError:
        return False
    conn.close()
    return True


def refusal(fetcher: HttpsFetcher, url: str) -> str:
    """The message of the http.network refusal of ``url``, with its port blanked out."""
    with pytest.raises(FetchError) as caught:
        fetcher.fetch(url)
    assert caught.value.code == "http.network", caught.value.message
    port = str(urlsplit(url).port or 443)
    return caught.value.message.replace(f":{port}", ":PORT")


LOOPBACK_SPELLINGS = [
    "127.0.0.1",
    "127.1",
    "127.0.1",
    "2130706433",
    "0x7f000001",
    "0x7f.0.0.1",
    "0177.0.0.1",
    "127.0.0.1.",
    "127.255.255.254",
    "[::1]",
    "[0:0:0:0:0:0:0:1]",
    "[::ffff:127.0.0.1]",
    "[::ffff:7f00:1]",
    "localhost",
    "LOCALHOST",
    "localhost.",
    "api.localhost",
]


@pytest.mark.parametrize("host", LOOPBACK_SPELLINGS)
def test_loopback_in_every_spelling_is_refused_without_connecting(host: str, listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    resolver = Resolver({})
    with HttpsFetcher(timeout=2.0, resolver=resolver) as fetcher:
        message = refusal(fetcher, f"https://{host}:{port}/did.json")
    assert not attempted(listener)
    assert resolver.lookups == []  # literals and localhost are judged without DNS
    assert "not a public address" in message


NOT_PUBLIC = [
    "0.0.0.0",  # noqa: S104 - an address to refuse, not to bind
    "0.1.2.3",
    "10.0.0.1",
    "10.255.255.255",
    "100.64.0.1",
    "100.127.255.254",
    "169.254.169.254",
    "169.254.0.1",
    "172.16.0.1",
    "172.31.255.255",
    "192.0.0.8",
    "192.0.2.1",
    "192.168.0.1",
    "198.18.0.1",
    "198.51.100.7",
    "203.0.113.9",
    "224.0.0.1",
    "239.255.255.250",
    "240.0.0.1",
    "255.255.255.255",
    "::",
    "::1",
    "::127.0.0.1",  # IPv4-compatible (deprecated)
    "::ffff:10.0.0.1",  # IPv4-mapped
    "::ffff:169.254.169.254",
    "64:ff9b::a00:1",  # NAT64 of 10.0.0.1
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
    "64:ff9b:1::1",  # local-use NAT64
    "2002:a00:1::1",  # 6to4 of 10.0.0.1
    "2002:7f00:1::1",  # 6to4 of 127.0.0.1
    "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo, client 10.0.0.1
    "2001:db8::1",
    "3fff::1",
    "fc00::1",
    "fd12:3456::1",
    "fe80::1",
    "fec0::1",
    "ff02::1",
    "100::1",
]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert not is_public_address(address)
    host = f"[{address}]" if ":" in address else address
    with HttpsFetcher(timeout=2.0, resolver=Resolver({})) as fetcher:
        refusal(fetcher, f"https://{host}/did.json")
    with HttpsFetcher(timeout=2.0, resolver=Resolver({"issuer.example": [address]})) as fetcher:
        refusal(fetcher, "https://issuer.example/did.json")


@pytest.mark.parametrize(
    "address",
    [
        "8.8.8.8",
        "1.1.1.1",
        "195.113.0.1",
        "2001:4860:4860::8888",
        "2a00:1450::1",
        "64:ff9b::808:808",  # NAT64 (DNS64) of 8.8.8.8: a public site on an IPv6-only network
        "::ffff:8.8.8.8",
        "2002:808:808::1",  # 6to4 of 8.8.8.8
    ],
)
def test_public_addresses_are_public(address: str) -> None:
    assert is_public_address(address)


@settings(max_examples=500, deadline=None)
@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_an_ipv4_address_is_judged_the_same_in_every_spelling_and_embedding(number: int) -> None:
    address = ipaddress.IPv4Address(number)
    public = is_public_address(address)
    # Every address Python itself calls non-global (or multicast) is refused; the lists are a superset.
    if not address.is_global or address.is_multicast:
        assert not public
    dotted = str(address)
    a, b, c, d = (int(part) for part in dotted.split("."))
    for spelling in (
        str(number),
        hex(number),
        f"{a}.{(b << 16) | (c << 8) | d}",
        f"{a}.{b}.{(c << 8) | d}",
        dotted + ".",
    ):
        assert _literal(spelling) == address, spelling
    for embedded in (
        ipaddress.IPv6Address(f"::ffff:{dotted}"),
        ipaddress.IPv6Address((0x64FF9B << 96) | number),
        ipaddress.IPv6Address((0x2002 << 112) | (number << 80) | 1),
    ):
        assert is_public_address(embedded) is public, embedded


def test_one_private_address_among_public_ones_refuses_the_host(listener: socket.socket) -> None:
    port = listener.getsockname()[1]
    resolver = Resolver({"issuer.example": ["8.8.8.8", "127.0.0.1"], "both.example": ["127.0.0.1", "10.0.0.1"]})
    with HttpsFetcher(timeout=2.0, resolver=resolver) as fetcher:
        refusal(fetcher, f"https://issuer.example:{port}/did.json")
    # Allowing loopback does not allow the private address beside it.
    with HttpsFetcher(timeout=2.0, resolver=resolver, allow_networks=LOOPBACK) as fetcher:
        refusal(fetcher, f"https://both.example:{port}/did.json")
    assert not attempted(listener)


def test_refused_unknown_and_closed_targets_give_the_same_error(listener: socket.socket) -> None:
    open_port = listener.getsockname()[1]
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    resolver = Resolver({"internal.example": ["10.1.2.3"], "open.example": ["127.0.0.1"]})
    with HttpsFetcher(timeout=2.0, resolver=resolver) as default:
        refused_open = refusal(default, f"https://open.example:{open_port}/")
        refused_private = refusal(default, f"https://internal.example:{open_port}/")
        unknown = refusal(default, f"https://nowhere.example:{open_port}/")
    with HttpsFetcher(timeout=2.0, resolver=resolver, allow_networks=LOOPBACK) as allowed:
        closed = refusal(allowed, f"https://open.example:{closed_port}/")
    shape = {
        message.replace("internal.example", "H").replace("open.example", "H").replace("nowhere.example", "H")
        for message in (refused_open, refused_private, unknown, closed)
    }
    assert len(shape) == 1, shape
    assert not attempted(listener)


def test_a_name_is_looked_up_once_and_the_checked_address_is_used(site: Running) -> None:
    site.site.routes["/did.json"] = json_route({"pinned": True})
    resolver = Resolver({f"issuer.{NAME}": ["127.0.0.1"]})
    url = f"https://issuer.{NAME}:{site.port}/did.json"
    with HttpsFetcher(timeout=2.0, ca_bundle=site.ca_bundle, resolver=resolver, allow_hosts=[f"issuer.{NAME}"]) as f:
        assert f.fetch(url) == b'{"pinned": true}'
    assert resolver.lookups == [f"issuer.{NAME}"]
    # The request names the host, and TLS verified the certificate for it (not for the address).
    assert site.site.headers["/did.json"]["Host"] == f"issuer.{NAME}:{site.port}"


def test_the_certificate_is_checked_for_the_host_name_not_the_address(site: Running) -> None:
    site.site.routes["/did.json"] = json_route({})
    resolver = Resolver({"elsewhere.example": ["127.0.0.1"]})
    with (
        HttpsFetcher(timeout=2.0, ca_bundle=site.ca_bundle, resolver=resolver, allow_hosts=["elsewhere.example"]) as f,
        pytest.raises(FetchError) as caught,
    ):
        f.fetch(f"https://elsewhere.example:{site.port}/did.json")
    assert caught.value.code == "http.tls"
    assert "elsewhere.example" in caught.value.message
    assert site.site.hits["/did.json"] == 0


def test_allowing_internal_hosts(site: Running) -> None:
    site.site.routes["/doc.json"] = json_route({"ok": 1})
    by_address = {"allow_hosts": ["127.0.0.1"]}
    for allowed in ({"allow_networks": ["127.0.0.0/8"]}, {"allow_networks": ["127.0.0.1"]}, by_address):
        with HttpsFetcher(timeout=2.0, ca_bundle=site.ca_bundle, **allowed) as fetcher:  # type: ignore[arg-type]
            assert fetcher.fetch(site.url("/doc.json")) == b'{"ok": 1}'
            # The address allowed in another spelling is the same address.
            assert fetcher.fetch(f"https://127.1:{site.port}/doc.json") == b'{"ok": 1}'
    with HttpsFetcher(timeout=2.0, ca_bundle=site.ca_bundle, allow_hosts=["localhost"]) as fetcher:
        assert fetcher.fetch(f"https://localhost:{site.port}/doc.json") == b'{"ok": 1}'
        refusal(fetcher, site.url("/doc.json"))  # the name is allowed, not the address
    resolver = Resolver({f"a.{NAME}": ["127.0.0.1"], f"b.{NAME}": ["127.0.0.1"]})
    with HttpsFetcher(timeout=2.0, ca_bundle=site.ca_bundle, resolver=resolver, allow_hosts=[f"A.{NAME}."]) as f:
        assert f.fetch(f"https://a.{NAME}:{site.port}/doc.json") == b'{"ok": 1}'
        refusal(f, f"https://b.{NAME}:{site.port}/doc.json")


def test_bad_allow_lists_are_refused() -> None:
    with pytest.raises(ValueError, match="not an IP address or network"):
        HttpsFetcher(allow_networks=["intranet"])
    with pytest.raises(TypeError, match="collection"):
        HttpsFetcher(allow_hosts="localhost")


@pytest.mark.parametrize(
    "url",
    [
        "https://čuni.cz/.well-known/did.json",
        "https://xn--uni-9na.cz.čz/key.json",
        "https://ｃｕｎｉ.cz/key.json",
        "https://exämple.org/status/1",
    ],
)
def test_non_ascii_hosts_are_refused_before_any_lookup(url: str) -> None:
    resolver = Resolver({})
    with HttpsFetcher(timeout=2.0, resolver=resolver) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(url)
    assert caught.value.code in {"http.invalid_host", "http.invalid_url"}
    assert resolver.lookups == []


def test_an_idn_host_says_why() -> None:
    with HttpsFetcher(timeout=2.0, resolver=Resolver({})) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch("https://čuni.cz/.well-known/did.json")
    assert caught.value.code == "http.invalid_host"
    assert "internationalised" in caught.value.message
    assert "xn--" in caught.value.message


@pytest.mark.parametrize("host", ["exa_mple.org", "a..b", "-a.org", "example.123", "256.0.0.1", "1.2.3.4.5"])
def test_malformed_hosts_are_refused(host: str) -> None:
    with HttpsFetcher(timeout=2.0, resolver=Resolver({})) as fetcher, pytest.raises(FetchError) as caught:
        fetcher.fetch(f"https://{host}/x")
    assert caught.value.code in {"http.invalid_host", "http.invalid_url"}


def test_a_resolver_that_hangs_meets_the_deadline() -> None:
    def hanging(host: str, port: int) -> list[str]:
        time.sleep(3)
        return ["8.8.8.8"]

    with HttpsFetcher(timeout=0.5, resolver=hanging) as fetcher:
        started = time.monotonic()
        assert code_of(fetcher, "https://slow-dns.example/did.json") == "http.timeout"
        assert time.monotonic() - started < 1.5


# --- one total deadline -------------------------------------------------------------------------


def test_dripping_headers_cannot_hold_a_fetch(site: Running) -> None:
    # One byte every 50 ms for 20 s: each byte arrives long before any per-read timeout.
    site.site.routes["/drip-headers"] = drip_headers(0.05, 400)
    with HttpsFetcher(allow_networks=LOOPBACK, timeout=1.0, ca_bundle=site.ca_bundle) as fetcher:
        started = time.monotonic()
        assert code_of(fetcher, site.url("/drip-headers")) == "http.timeout"
        assert time.monotonic() - started < 1.0 + 0.5


def test_a_dripping_tls_handshake_cannot_hold_a_fetch() -> None:
    with (
        raw_server(drip_tls_handshake(0.05)) as port,
        HttpsFetcher(allow_networks=LOOPBACK, timeout=1.0) as fetcher,
    ):
        started = time.monotonic()
        assert code_of(fetcher, f"https://127.0.0.1:{port}/did.json") == "http.timeout"
        assert time.monotonic() - started < 1.0 + 0.5


# --- proxies ------------------------------------------------------------------------------------


def test_a_proxy_from_the_environment_only_with_trust_env(site: Running, monkeypatch: pytest.MonkeyPatch) -> None:
    site.site.routes["/doc.json"] = json_route({"via": "proxy"})
    proxy = Proxy()
    with raw_server(proxy) as proxy_port:
        monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{proxy_port}")
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        url = f"https://issuer.{NAME}:{site.port}/doc.json"
        with HttpsFetcher(timeout=2.0, ca_bundle=site.ca_bundle, trust_env=True, resolver=Resolver({})) as fetcher:
            # The proxy resolves the name; czmc does not look it up, and TLS still checks the host.
            assert fetcher.fetch(url) == b'{"via": "proxy"}'
            assert proxy.requests == [f"CONNECT issuer.{NAME}:{site.port}"]
            # Literal non-public addresses are still refused before the proxy is asked.
            refusal(fetcher, f"https://10.0.0.1:{site.port}/doc.json")
            refusal(fetcher, f"https://localhost:{site.port}/doc.json")
            assert len(proxy.requests) == 1
            proxy.deny.add(f"issuer.{NAME}:{site.port}")
            assert code_of(fetcher, url) == "http.proxy"
        with HttpsFetcher(timeout=2.0, ca_bundle=site.ca_bundle, resolver=Resolver({})) as ignoring:
            refusal(ignoring, url)  # without trust_env the environment's proxy is not used
        assert len(proxy.requests) == 2


# --- the test suite's own guard -----------------------------------------------------------------


def test_the_guard_stops_connections_and_lookups_beyond_loopback(no_network_but_loopback: list[str]) -> None:
    with pytest.raises(ConnectionRefusedError), socket.socket() as sock:
        sock.connect(("10.0.0.1", 443))
    with pytest.raises(socket.gaierror):
        socket.getaddrinfo("example.org", 443)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("192.0.2.1", 443), timeout=1)
    assert no_network_but_loopback == [
        "connect to ('10.0.0.1', 443)",
        "look up 'example.org'",
        "connect to ('192.0.2.1', 443)",
    ]
    no_network_but_loopback.clear()  # these attempts were the point: do not fail the test for them


# --- the command line ---------------------------------------------------------------------------


def test_verify_online_reaches_internal_hosts_only_with_allow_host(
    site: Running, monkeypatch: pytest.MonkeyPatch
) -> None:
    # did:web:localhost names this machine without DNS; the test CA is trusted the OpenSSL way.
    monkeypatch.setenv("SSL_CERT_FILE", str(site.ca_bundle))
    issuer = f"did:web:localhost%3A{site.port}"
    key = vcjwt.bind_key(Key.generate(), issuer)
    site.site.routes["/.well-known/did.json"] = json_route(did_web_document(issuer, [(key.kid, key.public)]))
    data = copy.deepcopy(FULL)
    data["issuer"]["id"] = issuer
    token = vcjwt.sign(ob3.to_credential(MicroCredential.model_validate(data)), key)
    runner = CliRunner()
    refused = runner.invoke(main, ["verify", token, "--online", "--no-status", "--json"])
    assert refused.exit_code == 1, refused.output
    key_check = next(check for check in json.loads(refused.output)["checks"] if check["name"] == "key")
    assert key_check["code"] == "http.network"
    assert "--allow-host" in key_check["message"]
    assert site.site.hits["/.well-known/did.json"] == 0
    # localhost is 127.0.0.1 and ::1: allowing it by address takes both (any address not allowed refuses).
    assert runner.invoke(main, ["verify", token, "--online", "--allow-host", "127.0.0.1"]).exit_code == 1
    for allowed in (["localhost"], ["127.0.0.1", "::1"], ["127.0.0.0/8", "[::1]"]):
        options = [part for host in allowed for part in ("--allow-host", host)]
        result = runner.invoke(main, ["verify", token, "--online", *options, "--no-status"])
        assert result.exit_code == 0, result.output
        assert result.output.startswith("VALID")
    unused = runner.invoke(main, ["verify", token, "--allow-host", "localhost"])
    assert unused.exit_code == 2
    assert "--allow-host only applies with --online" in unused.output
    bad = runner.invoke(main, ["verify", token, "--online", "--allow-host", "čuni.cz"])
    assert bad.exit_code == 2
    assert "internationalised" in bad.output
    validated = runner.invoke(main, ["validate", "-", "--verify", "--online", "--allow-host", "localhost"], input=token)
    assert validated.exit_code == 0, validated.output
