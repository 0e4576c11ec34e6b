"""The network door: https only, timeouts, size caps, same-origin redirects, against real servers."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from czmc.errors import FetchError, ResolutionError
from czmc.http import DEFAULT_ACCEPT, DirectoryFetcher, Fetcher, HttpsFetcher, OfflineFetcher
from tests._servers import LOOPBACK, Running, drip, json_route, redirect, respond, serve, slow, status


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
