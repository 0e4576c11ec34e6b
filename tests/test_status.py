"""Bitstring Status List v1.0: the bitstring, its encoding, status-list credentials and the checker.

Lists are signed with real keys, served pinned, from a directory and by a real HTTPS server;
every rule of the checker has a case that makes it fail.
"""

from __future__ import annotations

import base64
import copy
import gzip
import json
import shutil
import subprocess
import time
import zlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from czmc import _b64, jsonld, ob3, vcjwt, verification
from czmc.checks import CheckStatus
from czmc.did import DefaultResolver, did_key, did_web_document
from czmc.errors import FetchError, StatusError
from czmc.http import DirectoryFetcher, HttpsFetcher
from czmc.keys import Key
from czmc.model import MicroCredential
from czmc.status import (
    CACHE_BYTES,
    LIST_ACCEPT,
    MIN_ENTRIES,
    StatusChecker,
    StatusPurpose,
    StatusResult,
    StatusState,
    decode_list,
    encode_list,
    get_bit,
    list_credential,
    new_bitstring,
    set_bit,
    status_entry,
)
from czmc.verification import CHECK_NAMES
from tests._servers import LOOPBACK, Running, respond, serve
from tests.conftest import FULL

NOW = datetime(2025, 6, 1, tzinfo=UTC)
LIST_FROM = datetime(2025, 1, 1, tzinfo=UTC)
BASE = "https://cuni.cz/"
URL = "https://cuni.cz/status/revocation/1.jwt"
SPEC_EMPTY_LIST = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"
"""The encodedList of Bitstring Status List v1.0 §2.2, example 'Example BitstringStatusListCredential'."""


# --- the bitstring -----------------------------------------------------------------------------


def test_bit_order_is_most_significant_bit_first() -> None:
    bits = new_bitstring()
    assert len(bits) == MIN_ENTRIES // 8 == 16_384
    set_bit(bits, 0)
    assert bits[:2] == b"\x80\x00"
    set_bit(bits, 7)
    assert bits[:2] == b"\x81\x00"
    set_bit(bits, 8)
    assert bits[:2] == b"\x81\x80"
    set_bit(bits, MIN_ENTRIES - 1)
    assert bits[-1] == 0x01
    assert [get_bit(bits, index) for index in (0, 1, 6, 7, 8, 9, MIN_ENTRIES - 1)] == [
        True,
        False,
        False,
        True,
        True,
        False,
        True,
    ]
    set_bit(bits, 7, False)
    assert bits[0] == 0x80
    set_bit(bits, 7, False)
    assert bits[0] == 0x80
    assert sum(bits) == 0x80 + 0x80 + 0x01


@pytest.mark.parametrize("index", [-1, MIN_ENTRIES, 10**30, True, 1.0, "1"])
def test_bit_index_out_of_range(index: Any) -> None:
    bits = new_bitstring()
    for operation in (lambda: set_bit(bits, index), lambda: get_bit(bits, index)):
        with pytest.raises(StatusError) as caught:
            operation()
        assert caught.value.code == "status.range"


@pytest.mark.parametrize("entries", [0, 8, MIN_ENTRIES - 8, MIN_ENTRIES + 4, True, 131_072.0])
def test_new_bitstring_refuses_small_or_odd_sizes(entries: Any) -> None:
    with pytest.raises(StatusError) as caught:
        new_bitstring(entries)
    assert caught.value.code == "status.size"
    assert len(new_bitstring(MIN_ENTRIES + 8)) == MIN_ENTRIES // 8 + 1


def test_spec_example_decodes_and_encodes_exactly() -> None:
    assert decode_list(SPEC_EMPTY_LIST) == bytes(16_384)
    assert encode_list(bytes(16_384)) == SPEC_EMPTY_LIST
    assert encode_list(bytearray(16_384)) == SPEC_EMPTY_LIST


def test_encoding_is_standard_gzip_and_deterministic() -> None:
    bits = new_bitstring(8 * MIN_ENTRIES)
    for index in (0, 5, 77_777, 8 * MIN_ENTRIES - 1):
        set_bit(bits, index)
    encoded = encode_list(bits)
    assert encoded == encode_list(bytes(bits))
    raw = base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded[1:]) % 4))
    assert raw[:2] == b"\x1f\x8b"
    assert gzip.decompress(raw) == bits
    assert decode_list(encoded) == bits
    with pytest.raises(StatusError) as caught:
        encode_list(bytes(100))
    assert caught.value.code == "status.size"


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


def _u(data: bytes) -> str:
    return "u" + _b64.encode(data)


def _raw_deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


_EMPTY_GZIP = _gzip(bytes(16_384))
_BAD_CRC = _EMPTY_GZIP[:-8] + bytes([_EMPTY_GZIP[-8] ^ 1]) + _EMPTY_GZIP[-7:]
_ODD_GZIP = next(
    data for data in (_gzip(bytes(16_384) + bytes(range(n))) for n in range(1, 64)) if len(data) % 3
)  # its base64 needs padding
_ODD_TEXT = _u(_ODD_GZIP)
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_NON_CANONICAL = _ODD_TEXT[:-1] + _ALPHABET[_ALPHABET.index(_ODD_TEXT[-1]) ^ 1]  # an unused low bit set


@pytest.mark.parametrize(
    ("encoded", "code", "fragment"),
    [
        (SPEC_EMPTY_LIST[1:], "status.list_invalid", "start with 'u'"),
        ("z" + SPEC_EMPTY_LIST[1:], "status.list_invalid", "start with 'u'"),
        ("", "status.list_invalid", "start with 'u'"),
        (None, "status.list_invalid", "start with 'u'"),
        (SPEC_EMPTY_LIST.replace("-", "+"), "status.list_invalid", "base64url"),
        ("u" + base64.b64encode(_EMPTY_GZIP).decode().rstrip("="), "status.list_invalid", "base64url"),
        ("u" + base64.urlsafe_b64encode(_ODD_GZIP).decode(), "status.list_invalid", "base64url"),
        (SPEC_EMPTY_LIST + "B", "status.list_invalid", "base64url"),
        (SPEC_EMPTY_LIST[:-1] + "B", "status.list_invalid", "not valid GZIP"),
        (_NON_CANONICAL, "status.list_invalid", "non-canonical"),
        ("u", "status.list_invalid", "GZIP"),
        (_u(zlib.compress(bytes(16_384))), "status.list_invalid", "not zlib"),
        (_u(_raw_deflate(bytes(16_384))), "status.list_invalid", "not zlib or raw deflate"),
        (_u(_EMPTY_GZIP[:-4]), "status.list_invalid", "truncated"),
        (_u(_EMPTY_GZIP[:12]), "status.list_invalid", "truncated"),
        (_u(_EMPTY_GZIP + b"\x00"), "status.list_invalid", "after its GZIP member"),
        (_u(_EMPTY_GZIP + _EMPTY_GZIP), "status.list_invalid", "exactly one member"),
        (_u(_BAD_CRC), "status.list_invalid", "not valid GZIP"),
        (_u(b"\x1f\x8b\x09" + _EMPTY_GZIP[3:]), "status.list_invalid", "not valid GZIP"),
        (_u(_gzip(bytes(17 * 1024 * 1024))), "status.list_too_large", "more than 16777216 bytes"),
        (_u(_gzip(bytes(16_383))), "status.list_too_short", "131064 entries; the minimum is 131072"),
        (_u(_gzip(b"")), "status.list_too_short", "0 entries"),
    ],
)
def test_decode_list_rejections(encoded: Any, code: str, fragment: str) -> None:
    with pytest.raises(StatusError) as caught:
        decode_list(encoded)
    assert caught.value.code == code
    assert fragment in caught.value.message


def test_padding_is_the_only_difference_refused() -> None:
    padded = "u" + base64.urlsafe_b64encode(_ODD_GZIP).decode()
    assert padded.endswith("=")
    assert decode_list(padded.rstrip("=")) == gzip.decompress(_ODD_GZIP)


def test_decode_list_size_cap_is_a_parameter() -> None:
    bomb = _u(_gzip(bytes(64 * 1024 * 1024)))  # 64 MiB of zeros: 64 KiB of gzip
    assert len(bomb) < 100_000
    started = time.perf_counter()
    with pytest.raises(StatusError) as caught:
        decode_list(bomb, max_bytes=1024 * 1024)
    assert caught.value.code == "status.list_too_large"
    assert time.perf_counter() - started < 0.5
    assert len(decode_list(_u(_gzip(bytes(32_768))), max_bytes=32_768)) == 32_768
    with pytest.raises(StatusError):
        decode_list(_u(_gzip(bytes(32_776))), max_bytes=32_768)


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([MIN_ENTRIES, MIN_ENTRIES + 8, 4 * MIN_ENTRIES]).flatmap(
        lambda size: st.tuples(st.just(size), st.sets(st.integers(0, size - 1), max_size=300))
    )
)
def test_bits_round_trip_through_the_encoding(case: tuple[int, set[int]]) -> None:
    size, indexes = case
    bits = new_bitstring(size)
    for index in indexes:
        set_bit(bits, index)
    decoded = decode_list(encode_list(bits))
    assert decoded == bits
    assert {index for index in range(size) if decoded[index >> 3] and get_bit(decoded, index)} == indexes


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(
        st.text(max_size=200),
        st.text(max_size=200).map(lambda text: "u" + text),
        st.binary(max_size=300).map(_u),
        st.binary(max_size=300).map(lambda data: _u(b"\x1f\x8b\x08\x00" + data)),
        st.binary(max_size=200).map(lambda data: _u(_EMPTY_GZIP[: len(data) % len(_EMPTY_GZIP)] + data)),
    )
)
def test_decode_list_raises_only_status_errors(encoded: str) -> None:
    code, bits = "", b""
    try:
        bits = decode_list(encoded)
    except StatusError as error:
        code = error.code
    assert code.startswith("status.list_") if code else len(bits) >= MIN_ENTRIES // 8


# --- issuing -----------------------------------------------------------------------------------


def test_status_entry_shape() -> None:
    assert status_entry(URL, 94567) == {
        "id": f"{URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": URL,
    }
    assert status_entry(URL, 0, StatusPurpose.SUSPENSION)["statusPurpose"] == "suspension"
    assert status_entry(URL, 3, "suspension")["id"] != URL


@pytest.mark.parametrize(
    ("url", "index", "purpose", "code"),
    [
        (URL, -1, "revocation", "status.range"),
        (URL, True, "revocation", "status.range"),
        (URL, "5", "revocation", "status.range"),
        (URL, 5, "refresh", "status.purpose"),
        (URL, 5, "Revocation", "status.purpose"),
        (URL + "#x", 5, "revocation", "status.url"),
        ("cuni.cz/status/1", 5, "revocation", "status.url"),
        ("ftp://cuni.cz/status/1", 5, "revocation", "status.url"),
        ("https://cuni.cz/a b", 5, "revocation", "status.url"),
        ("https:///status", 5, "revocation", "status.url"),
    ],
)
def test_status_entry_refuses(url: str, index: Any, purpose: str, code: str) -> None:
    with pytest.raises(StatusError) as caught:
        status_entry(url, index, purpose)
    assert caught.value.code == code


def test_list_credential_shape_and_terms() -> None:
    bits = new_bitstring()
    set_bit(bits, 3)
    credential = list_credential(
        URL,
        {"id": "did:web:cuni.cz", "name": "Charles University"},
        "suspension",
        bits,
        valid_from=datetime(2025, 1, 1, 13, 0, 0, 999_999, tzinfo=UTC).astimezone(),
        valid_until=datetime(2025, 1, 2, 13, tzinfo=UTC),
        ttl=timedelta(minutes=10),
    )
    assert credential == {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": URL,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": {"id": "did:web:cuni.cz", "name": "Charles University"},
        "validFrom": "2025-01-01T13:00:00Z",
        "validUntil": "2025-01-02T13:00:00Z",
        "credentialSubject": {
            "id": URL + "#list",
            "type": "BitstringStatusList",
            "statusPurpose": "suspension",
            "encodedList": encode_list(bits),
            "ttl": 600_000,
        },
    }
    assert jsonld.undefined_terms(credential) == []
    assert jsonld.undefined_terms_expanded(credential) == []
    plain = list_credential(URL, "did:web:cuni.cz", StatusPurpose.REVOCATION, bits, valid_from=LIST_FROM)
    assert set(plain) == {"@context", "id", "type", "issuer", "validFrom", "credentialSubject"}
    assert "ttl" not in plain["credentialSubject"]


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"valid_from": datetime(2025, 1, 1)}, "status.time"),  # naive on purpose
        ({"valid_until": LIST_FROM}, "status.time"),
        ({"ttl": timedelta(seconds=-1)}, "status.ttl"),
        ({"issuer": {"name": "no id"}}, "status.issuer"),
        ({"purpose": "message"}, "status.purpose"),
        ({"bits": bytes(10)}, "status.size"),
        ({"list_url": "http//cuni.cz"}, "status.url"),
    ],
)
def test_list_credential_refuses(changes: dict[str, Any], code: str) -> None:
    arguments: dict[str, Any] = {
        "list_url": URL,
        "issuer": "did:web:cuni.cz",
        "purpose": "revocation",
        "bits": new_bitstring(),
        "valid_from": LIST_FROM,
        **changes,
    }
    with pytest.raises(StatusError) as caught:
        list_credential(**arguments)
    assert caught.value.code == code


# --- signed lists and credentials --------------------------------------------------------------


NO_ENTRY: Any = object()


class Issuer:
    """A signing key and the issuer id its credentials and lists name."""

    def __init__(self, key: Key, identifier: str, resolver: DefaultResolver | None = None) -> None:
        self.key = key
        self.id = identifier
        self.resolver = resolver

    def sign_list(
        self,
        revoked: tuple[int, ...] = (),
        *,
        url: str = URL,
        purpose: str | list[str] = "revocation",
        fmt: str = "vc-jose-cose",
        size: int = MIN_ENTRIES,
        valid_until: datetime | None = None,
        ttl: timedelta | None = None,
        edit: Any = None,
    ) -> str:
        bits = new_bitstring(size)
        for index in revoked:
            set_bit(bits, index)
        credential = list_credential(
            url,
            self.id,
            purpose if isinstance(purpose, str) else purpose[0],
            bits,
            valid_from=LIST_FROM,
            valid_until=valid_until,
            ttl=ttl,
        )
        if not isinstance(purpose, str):
            credential["credentialSubject"]["statusPurpose"] = purpose
        if edit is not None:
            edit(credential)
        return vcjwt.sign(credential, self.key, format=fmt)

    def credential(self, entry: Any = NO_ENTRY) -> dict[str, Any]:
        data = copy.deepcopy(FULL)
        data["issuer"]["id"] = self.id
        credential = ob3.to_credential(MicroCredential.model_validate(data))
        if entry is not NO_ENTRY:
            credential["credentialStatus"] = entry
        return credential

    def token(self, entry: Any = NO_ENTRY) -> str:
        return vcjwt.sign(self.credential(entry), self.key)


def _did_key_issuer() -> Issuer:
    key = Key.generate()
    return Issuer(vcjwt.bind_key(key, did_key(key.public)), did_key(key.public))


@pytest.fixture(scope="module")
def issuer() -> Issuer:
    return _did_key_issuer()


@pytest.fixture(scope="module")
def web_issuer() -> Issuer:
    identifier = "did:web:cuni.cz"
    key = vcjwt.bind_key(Key.generate(), identifier)
    document = did_web_document(identifier, [(key.kid, key.public)])
    return Issuer(key, identifier, DefaultResolver(documents=[document]))


class CountingFetcher:
    """A real fetcher that records which URLs were asked for."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.urls: list[str] = []

    def fetch(self, url: str) -> bytes:
        self.urls.append(url)
        data: bytes = self.inner.fetch(url)
        return data


def _site(tmp_path: Path, documents: dict[str, str]) -> CountingFetcher:
    for url, token in documents.items():
        target = tmp_path.joinpath(*url.removeprefix(BASE).split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(token + "\n", encoding="ascii")
    return CountingFetcher(DirectoryFetcher(tmp_path, BASE))


def _check(checker: StatusChecker, who: Issuer, entry: Any, now: datetime = NOW) -> StatusResult:
    return checker.check(who.credential(entry), now=now, resolver=who.resolver)


@pytest.mark.parametrize("fmt", list(vcjwt.Format))
def test_pinned_list_valid_revoked_and_suspended(issuer: Issuer, fmt: vcjwt.Format) -> None:
    revocations = issuer.sign_list((5, 131_071), fmt=fmt)
    suspensions = issuer.sign_list((6,), url=URL + "s", purpose="suspension", fmt=fmt)
    checker = StatusChecker(lists=[revocations, suspensions.encode()])
    valid = _check(checker, issuer, status_entry(URL, 6))
    assert valid == StatusResult(
        StatusState.VALID, "status.ok", f"not revoked: entry 6 of {URL} is clear", "revocation", 6, URL
    )
    for index in (5, 131_071):
        revoked = _check(checker, issuer, status_entry(URL, index))
        assert (revoked.state, revoked.code, revoked.index) == (StatusState.REVOKED, "status.revoked", index)
        assert URL in revoked.message
    suspended = _check(checker, issuer, status_entry(URL + "s", 6, "suspension"))
    assert (suspended.state, suspended.code, suspended.purpose) == (
        StatusState.SUSPENDED,
        "status.suspended",
        "suspension",
    )
    assert _check(checker, issuer, status_entry(URL + "s", 5, "suspension")).message.startswith("not suspended")


def test_did_web_issuer_with_a_pinned_did_document(web_issuer: Issuer) -> None:
    checker = StatusChecker(lists=[web_issuer.sign_list((9,))])
    assert _check(checker, web_issuer, status_entry(URL, 8)).state is StatusState.VALID
    assert _check(checker, web_issuer, status_entry(URL, 9)).state is StatusState.REVOKED
    offline = StatusChecker(lists=[web_issuer.sign_list((9,))])
    unresolved = offline.check(web_issuer.credential(status_entry(URL, 9)), now=NOW)
    assert (unresolved.state, unresolved.code) == (StatusState.UNKNOWN, "status.list_unverified")
    assert "key check failed" in unresolved.message
    assert "resolution.offline" in unresolved.message


def test_directory_fetcher_serves_lists(issuer: Issuer, tmp_path: Path) -> None:
    fetcher = _site(tmp_path, {URL: issuer.sign_list((1,))})
    checker = StatusChecker(fetcher)
    assert _check(checker, issuer, status_entry(URL, 1)).state is StatusState.REVOKED
    assert _check(checker, issuer, status_entry(URL, 2)).state is StatusState.VALID
    assert fetcher.urls == [URL]
    missing = _check(checker, issuer, status_entry(BASE + "status/revocation/2.jwt", 1))
    assert (missing.state, missing.code) == (StatusState.UNKNOWN, "status.unavailable")
    assert "HTTP 404" in missing.message
    assert BASE + "status/revocation/2.jwt" in missing.message


def test_offline_by_default(issuer: Issuer) -> None:
    result = _check(StatusChecker(), issuer, status_entry(URL, 1))
    assert (result.state, result.code, result.list_url, result.index) == (
        StatusState.UNKNOWN,
        "status.unavailable",
        URL,
        1,
    )
    assert URL in result.message
    assert "resolution.offline" in result.message
    assert "HttpsFetcher" in result.message
    assert "--status-list" in result.message


@pytest.fixture(scope="module")
def https_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with serve(tls=True, directory=tmp_path_factory.mktemp("tls")) as running:
        yield running


def test_lists_over_a_real_https_server(issuer: Issuer, https_server: Running) -> None:
    site = https_server.site
    site.routes.clear()
    site.hits.clear()
    url = https_server.url("/status/revocation/1.jwt")
    token = issuer.sign_list((7,), url=url)
    site.routes["/status/revocation/1.jwt"] = respond(200, token.encode(), {"Content-Type": "application/vc+jwt"})
    with HttpsFetcher(
        allow_networks=LOOPBACK, timeout=3.0, ca_bundle=https_server.ca_bundle, accept=LIST_ACCEPT
    ) as fetcher:
        checker = StatusChecker(fetcher)
        assert _check(checker, issuer, status_entry(url, 7)).state is StatusState.REVOKED
        assert _check(checker, issuer, status_entry(url, 8)).state is StatusState.VALID
        assert site.hits["/status/revocation/1.jwt"] == 1
        assert site.headers["/status/revocation/1.jwt"]["Accept"] == LIST_ACCEPT
        gone = _check(checker, issuer, status_entry(https_server.url("/status/revocation/404.jwt"), 7))
        assert (gone.state, gone.code) == (StatusState.UNKNOWN, "status.unavailable")
        assert "HTTP 404" in gone.message
        site.routes["/status/revocation/2.jwt"] = respond(200, b"\xff\xfe not text")
        binary = _check(checker, issuer, status_entry(https_server.url("/status/revocation/2.jwt"), 7))
        assert binary.code == "status.list_invalid"
    with HttpsFetcher(allow_networks=LOOPBACK, timeout=3.0) as untrusting:
        refused = _check(StatusChecker(untrusting), issuer, status_entry(url, 7))
    assert (refused.state, refused.code) == (StatusState.UNKNOWN, "status.unavailable")
    assert "http.tls" in refused.message


def test_list_of_another_issuer(issuer: Issuer) -> None:
    other = _did_key_issuer()
    checker = StatusChecker(lists=[other.sign_list()])
    result = _check(checker, issuer, status_entry(URL, 1))
    assert (result.state, result.code) == (StatusState.UNKNOWN, "status.list_issuer")
    assert result.message == f"the status list {URL} is signed by {other.id}, the credential issued by {issuer.id}"


def _tamper(token: str, change: Any) -> str:
    header, payload, signature = token.split(".")
    data = json.loads(_b64.decode(payload))
    change(data)
    return ".".join([header, _b64.encode(json.dumps(data).encode()), signature])


def test_tampered_or_forged_lists_do_not_verify(issuer: Issuer) -> None:
    token = issuer.sign_list((5,))

    def clear(data: dict[str, Any]) -> None:
        data["credentialSubject"]["encodedList"] = encode_list(new_bitstring())

    tampered = _check(StatusChecker(lists=[_tamper(token, clear)]), issuer, status_entry(URL, 5))
    assert (tampered.state, tampered.code) == (StatusState.UNKNOWN, "status.list_unverified")
    assert "signature check failed" in tampered.message
    impostor = Issuer(Key.generate().with_kid(issuer.key.kid), issuer.id)
    forged = _check(StatusChecker(lists=[impostor.sign_list()]), issuer, status_entry(URL, 5))
    assert (forged.state, forged.code) == (StatusState.UNKNOWN, "status.list_unverified")
    not_a_jwt = _check(StatusChecker(_site_fetcher_for({URL: "hello"})), issuer, status_entry(URL, 5))
    assert (not_a_jwt.code, "token check failed" in not_a_jwt.message) == ("status.list_unverified", True)


def _site_fetcher_for(documents: dict[str, str]) -> CountingFetcher:
    class Static:
        def fetch(self, url: str) -> bytes:
            if url not in documents:
                raise FetchError("http.status", f"{url!r}: no such file (HTTP 404)")
            return documents[url].encode()

    return CountingFetcher(Static())


def _set(path: str, value: Any) -> Any:
    def edit(credential: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        target = credential
        for name in parents:
            target = target[name]
        if value is None:
            del target[last]
        else:
            target[last] = value

    return edit


@pytest.mark.parametrize(
    ("edit", "code", "fragment"),
    [
        (_set("credentialSubject.encodedList", "uAAAA"), "status.list_invalid", "GZIP"),
        (_set("credentialSubject.encodedList", None), "status.list_invalid", "no encodedList"),
        (_set("credentialSubject.encodedList", _u(_gzip(bytes(1024)))), "status.list_too_short", "8192 entries"),
        (_set("type", ["VerifiableCredential"]), "status.list_invalid", "not a BitstringStatusListCredential"),
        (_set("credentialSubject", URL + "#list"), "status.list_invalid", "must be a BitstringStatusList"),
        (_set("credentialSubject.type", "StatusList2021"), "status.list_unverified", "jsonld check failed: 3 problems"),
        (_set("credentialSubject.statusPurpose", 1), "status.list_invalid", "statusPurpose"),
        (_set("credentialSubject.statusPurpose", []), "status.list_invalid", "statusPurpose"),
        (_set("credentialSubject.ttl", "600"), "status.list_invalid", "ttl"),
        (_set("credentialSubject.ttl", -1), "status.list_invalid", "ttl"),
        (_set("credentialSubject.ttl", True), "status.list_invalid", "ttl"),
        (_set("credentialSubject.statusPurpose", "suspension"), "status.purpose_mismatch", "is for suspension"),
        (_set("credentialSubject.extra", 1), "status.list_unverified", "jsonld check failed"),
    ],
)
def test_list_content_rules(issuer: Issuer, edit: Any, code: str, fragment: str) -> None:
    checker = StatusChecker(lists=[issuer.sign_list(edit=edit)])
    result = _check(checker, issuer, status_entry(URL, 1))
    assert (result.state, result.code) == (StatusState.UNKNOWN, code)
    assert fragment in result.message


def test_purposes_and_range(issuer: Issuer) -> None:
    both = StatusChecker(lists=[issuer.sign_list((4,), purpose=["revocation", "suspension"])])
    assert _check(both, issuer, status_entry(URL, 4, "suspension")).state is StatusState.SUSPENDED
    assert _check(both, issuer, status_entry(URL, 4)).state is StatusState.REVOKED
    revocation_only = StatusChecker(lists=[issuer.sign_list((4,))])
    mismatch = _check(revocation_only, issuer, status_entry(URL, 4, "suspension"))
    assert (mismatch.state, mismatch.code) == (StatusState.UNKNOWN, "status.purpose_mismatch")
    beyond = _check(revocation_only, issuer, status_entry(URL, MIN_ENTRIES))
    assert (beyond.state, beyond.code) == (StatusState.UNKNOWN, "status.range")
    assert "131072 entries" in beyond.message
    large = StatusChecker(lists=[issuer.sign_list((MIN_ENTRIES,), size=2 * MIN_ENTRIES)])
    assert _check(large, issuer, status_entry(URL, MIN_ENTRIES)).state is StatusState.REVOKED
    assert _check(large, issuer, status_entry(URL, 2 * MIN_ENTRIES)).code == "status.range"
    capped = StatusChecker(lists=[issuer.sign_list(size=2 * MIN_ENTRIES)], max_list_bytes=MIN_ENTRIES // 8)
    assert _check(capped, issuer, status_entry(URL, 1)).code == "status.list_too_large"


def test_list_id_must_be_the_requested_url(issuer: Issuer, tmp_path: Path) -> None:
    other_url = BASE + "status/revocation/2.jwt"
    fetcher = _site(tmp_path, {other_url: issuer.sign_list((1,))})  # a list whose id is URL, served elsewhere
    result = _check(StatusChecker(fetcher), issuer, status_entry(other_url, 1))
    assert (result.state, result.code) == (StatusState.UNKNOWN, "status.list_id")
    assert URL in result.message
    pinned = StatusChecker(lists=[issuer.sign_list((1,))])
    assert _check(pinned, issuer, status_entry(other_url, 1)).code == "status.unavailable"


def test_list_validity_window(issuer: Issuer) -> None:
    expired = StatusChecker(lists=[issuer.sign_list(valid_until=NOW - timedelta(seconds=1))])
    result = _check(expired, issuer, status_entry(URL, 1))
    assert (result.state, result.code) == (StatusState.UNKNOWN, "status.list_unverified")
    assert "time check failed" in result.message
    assert "time.expired" in result.message
    early = _check(
        StatusChecker(lists=[issuer.sign_list()]), issuer, status_entry(URL, 1), now=LIST_FROM - timedelta(1)
    )
    assert "time.not_yet_valid" in early.message
    lenient = StatusChecker(lists=[issuer.sign_list(valid_until=NOW - timedelta(seconds=1))], leeway=timedelta(5))
    assert _check(lenient, issuer, status_entry(URL, 1)).state is StatusState.VALID


@pytest.mark.parametrize(
    ("entry", "code", "fragment"),
    [
        ("https://cuni.cz/status/1", "status.entry_invalid", "credentialStatus must be an object"),
        (None, "status.entry_invalid", "must be an object"),
        ([], "status.entry_invalid", "empty list"),
        ({"type": "StatusList2021Entry"}, "status.unsupported_type", "'StatusList2021Entry'"),
        ({"type": "1EdTechRevocationList", "id": URL}, "status.unsupported_type", "BitstringStatusListEntry"),
        ({"statusPurpose": None}, "status.entry_invalid", "statusPurpose is None"),
        ({"statusPurpose": "refresh"}, "status.entry_invalid", "statusPurpose is 'refresh'"),
        ({"statusPurpose": "message"}, "status.entry_invalid", "statusPurpose"),
        ({"statusListIndex": 5}, "status.entry_invalid", "statusListIndex must be a base-10 integer in a string"),
        ({"statusListIndex": None}, "status.entry_invalid", "statusListIndex"),
        ({"statusListIndex": "05"}, "status.entry_invalid", "leading zeros"),
        ({"statusListIndex": "-1"}, "status.entry_invalid", "without sign"),
        ({"statusListIndex": "+1"}, "status.entry_invalid", "statusListIndex"),
        ({"statusListIndex": "1.0"}, "status.entry_invalid", "statusListIndex"),
        ({"statusListIndex": " 1"}, "status.entry_invalid", "statusListIndex"),
        ({"statusListIndex": "\u0661"}, "status.entry_invalid", "statusListIndex"),
        ({"statusListIndex": ""}, "status.entry_invalid", "statusListIndex"),
        ({"statusListIndex": "9" * 101}, "status.entry_invalid", "statusListIndex"),
        ({"statusListCredential": None}, "status.entry_invalid", "statusListCredential"),
        ({"statusListCredential": ""}, "status.entry_invalid", "statusListCredential"),
        ({"statusListCredential": ["https://cuni.cz/s"]}, "status.entry_invalid", "statusListCredential"),
        ({"statusSize": 2}, "status.entry_invalid", "statusSize is 2; czmc supports only 1-bit statuses"),
        ({"statusSize": "1"}, "status.entry_invalid", "statusSize"),
        ({"statusSize": True}, "status.entry_invalid", "statusSize"),
        ({"statusSize": 1.0}, "status.entry_invalid", "statusSize"),
        ({"id": URL}, "status.entry_invalid", "id must not be the status list's URL"),
    ],
)
def test_malformed_entries(issuer: Issuer, entry: Any, code: str, fragment: str) -> None:
    if isinstance(entry, dict):
        entry = {**status_entry(URL, 1), **entry}
    checker = StatusChecker(lists=[issuer.sign_list()])
    result = _check(checker, issuer, entry)
    assert (result.state, result.code) == (StatusState.UNKNOWN, code)
    assert fragment in result.message


def test_missing_members(issuer: Issuer) -> None:
    checker = StatusChecker(lists=[issuer.sign_list()])
    for member in ("type", "statusPurpose", "statusListIndex", "statusListCredential"):
        entry = {name: value for name, value in status_entry(URL, 1).items() if name != member}
        result = _check(checker, issuer, entry)
        assert result.state is StatusState.UNKNOWN
        assert member in result.message or "type None" in result.message
    without_optional = {name: value for name, value in status_entry(URL, 1).items() if name != "id"}
    assert _check(checker, issuer, {**without_optional, "statusSize": 1}).state is StatusState.VALID
    assert _check(checker, issuer, {**without_optional, "type": ["BitstringStatusListEntry"]}).code == "status.ok"


def test_several_entries_worst_wins(issuer: Issuer) -> None:
    checker = StatusChecker(lists=[issuer.sign_list((2,)), issuer.sign_list((3,), url=URL + "s", purpose="suspension")])
    revocation, suspension = status_entry(URL, 3), status_entry(URL + "s", 3, "suspension")
    assert _check(checker, issuer, [revocation, suspension]).state is StatusState.SUSPENDED
    both_clear = _check(checker, issuer, [status_entry(URL, 4), status_entry(URL + "s", 4, "suspension")])
    assert (both_clear.state, both_clear.code, both_clear.index) == (StatusState.VALID, "status.ok", None)
    assert both_clear.message.count("not ") == 2
    unknown = _check(checker, issuer, [revocation, {"type": "Other"}])
    assert (unknown.state, unknown.code) == (StatusState.UNKNOWN, "status.unsupported_type")
    assert "credentialStatus[1]" in unknown.message
    assert _check(checker, issuer, [status_entry(URL, 2), {"type": "Other"}]).state is StatusState.REVOKED


def test_no_credential_status(issuer: Issuer) -> None:
    result = StatusChecker().check(issuer.credential(), now=NOW)
    assert (result.state, result.code) == (StatusState.VALID, "status.none")
    assert "publishes no" in result.message
    assert result.to_dict() == {
        "state": "valid",
        "code": "status.none",
        "message": result.message,
        "purpose": None,
        "index": None,
        "list_url": None,
    }
    no_issuer = StatusChecker().check({"credentialStatus": status_entry(URL, 1)}, now=NOW)
    assert no_issuer.code == "status.entry_invalid"
    with pytest.raises(ValueError, match="timezone"):
        StatusChecker().check(issuer.credential(status_entry(URL, 1)), now=datetime(2025, 1, 1))


def test_pinned_list_errors(issuer: Issuer) -> None:
    with pytest.raises(StatusError, match="not a compact JWS"):
        StatusChecker(lists=["not a token"])
    with pytest.raises(StatusError, match="two different status lists"):
        StatusChecker(lists=[issuer.sign_list((1,)), issuer.sign_list((2,))])
    same = issuer.sign_list((1,))
    assert "status/revocation/1.jwt" in repr(StatusChecker(lists=[same, same + "\n"]))
    with pytest.raises(ValueError, match="negative"):
        StatusChecker(cache_ttl=timedelta(seconds=-1))


def test_fetcher_failures_of_any_kind_are_unavailable(issuer: Issuer) -> None:
    class Broken:
        def fetch(self, url: str) -> bytes:
            raise RuntimeError("proxy exploded")

    result = _check(StatusChecker(Broken()), issuer, status_entry(URL, 1))
    assert (result.state, result.code) == (StatusState.UNKNOWN, "status.unavailable")
    assert "RuntimeError: proxy exploded" in result.message


# --- the cache ---------------------------------------------------------------------------------


def test_cache_reuses_verified_lists_until_the_ttl(issuer: Issuer, tmp_path: Path) -> None:
    fetcher = _site(tmp_path, {URL: issuer.sign_list((1,))})
    checker = StatusChecker(fetcher, cache_ttl=timedelta(minutes=5))
    for index in (1, 2, 1):
        _check(checker, issuer, status_entry(URL, index))
    assert fetcher.urls == [URL]
    _check(checker, issuer, status_entry(URL, 1), now=NOW + timedelta(minutes=4, seconds=59))
    assert len(fetcher.urls) == 1
    assert _check(checker, issuer, status_entry(URL, 1), now=NOW + timedelta(minutes=5)).state is StatusState.REVOKED
    assert len(fetcher.urls) == 2
    checker.clear()
    _check(checker, issuer, status_entry(URL, 1), now=NOW + timedelta(minutes=5))
    assert len(fetcher.urls) == 3
    no_cache = StatusChecker(fetcher, cache_ttl=timedelta(0))
    _check(no_cache, issuer, status_entry(URL, 1))
    _check(no_cache, issuer, status_entry(URL, 1))
    assert len(fetcher.urls) == 5


def test_a_huge_ttl_is_capped_by_the_checkers(issuer: Issuer, tmp_path: Path) -> None:
    fetcher = _site(tmp_path, {URL: issuer.sign_list(edit=_set("credentialSubject.ttl", 2**62))})
    checker = StatusChecker(fetcher, cache_ttl=timedelta(minutes=1))
    for seconds in (0, 59, 60):
        assert (
            _check(checker, issuer, status_entry(URL, 1), NOW + timedelta(seconds=seconds)).state is StatusState.VALID
        )
    assert len(fetcher.urls) == 2


def test_cache_respects_the_lists_ttl_and_valid_until(issuer: Issuer, tmp_path: Path) -> None:
    fetcher = _site(tmp_path / "a", {URL: issuer.sign_list(ttl=timedelta(minutes=1))})
    checker = StatusChecker(fetcher, cache_ttl=timedelta(hours=1))
    for seconds in (0, 59, 60, 61):
        _check(checker, issuer, status_entry(URL, 1), now=NOW + timedelta(seconds=seconds))
    assert len(fetcher.urls) == 2
    ending = _site(tmp_path / "b", {URL: issuer.sign_list(valid_until=NOW + timedelta(seconds=30))})
    checker = StatusChecker(ending, cache_ttl=timedelta(hours=1))
    assert _check(checker, issuer, status_entry(URL, 1)).state is StatusState.VALID
    assert _check(checker, issuer, status_entry(URL, 1), now=NOW + timedelta(seconds=29)).state is StatusState.VALID
    after = _check(checker, issuer, status_entry(URL, 1), now=NOW + timedelta(seconds=30))
    assert (after.code, len(ending.urls)) == ("status.list_unverified", 2)


def test_cache_is_per_issuer_and_never_caches_failures(issuer: Issuer, tmp_path: Path) -> None:
    fetcher = _site(tmp_path, {})
    checker = StatusChecker(fetcher)
    assert _check(checker, issuer, status_entry(URL, 1)).code == "status.unavailable"
    _site(tmp_path, {URL: issuer.sign_list((1,))})
    assert _check(checker, issuer, status_entry(URL, 1)).state is StatusState.REVOKED
    assert len(fetcher.urls) == 2
    other = _did_key_issuer()
    assert _check(checker, other, status_entry(URL, 1)).code == "status.list_issuer"
    assert _check(checker, other, status_entry(URL, 1)).code == "status.list_issuer"
    assert len(fetcher.urls) == 4
    assert _check(checker, issuer, status_entry(URL, 1)).state is StatusState.REVOKED
    assert len(fetcher.urls) == 4
    earlier = _check(checker, issuer, status_entry(URL, 1), now=NOW - timedelta(seconds=1))
    assert (earlier.state, len(fetcher.urls)) == (StatusState.REVOKED, 5)


def test_cache_is_bounded(issuer: Issuer, tmp_path: Path) -> None:
    urls = [BASE + f"status/revocation/{number}.jwt" for number in range(3)]
    fetcher = _site(tmp_path, {url: issuer.sign_list(url=url) for url in urls})
    checker = StatusChecker(fetcher, cache_size=2)
    for url in [*urls, urls[2], urls[0]]:
        assert _check(checker, issuer, status_entry(url, 1)).state is StatusState.VALID
    assert fetcher.urls == [*urls, urls[0]]


def test_cache_is_bounded_by_bytes(issuer: Issuer, tmp_path: Path) -> None:
    # Entries alone did not bound memory: 64 lists of 16 MiB kept 1 GiB. Bytes do.
    size = 8 * MIN_ENTRIES  # a 128 KiB bitstring
    urls = [BASE + f"status/revocation/big{number}.jwt" for number in range(3)]
    tokens = {url: issuer.sign_list(url=url, size=size) for url in urls}
    costs = {url: size // 8 + len(token) for url, token in tokens.items()}
    fetcher = _site(tmp_path, tokens)
    checker = StatusChecker(fetcher, cache_bytes=costs[urls[1]] + costs[urls[2]])
    for url in urls:
        assert _check(checker, issuer, status_entry(url, 1)).state is StatusState.VALID
    assert checker.cached_bytes == costs[urls[1]] + costs[urls[2]]
    for url in (urls[2], urls[1], urls[0]):  # the oldest was dropped to stay within the bound
        _check(checker, issuer, status_entry(url, 1))
    assert fetcher.urls == [*urls, urls[0]]
    assert checker.cached_bytes <= checker.cache_bytes
    checker.clear()
    assert checker.cached_bytes == 0
    # A list larger than the whole bound is used, not kept.
    tiny = StatusChecker(fetcher, cache_bytes=costs[urls[0]] - 1)
    for _ in range(2):
        assert _check(tiny, issuer, status_entry(urls[0], 1)).state is StatusState.VALID
    assert (fetcher.urls.count(urls[0]), tiny.cached_bytes) == (4, 0)
    assert StatusChecker().cache_bytes == CACHE_BYTES == 64 * 1024 * 1024
    with pytest.raises(ValueError, match="cache_bytes"):
        StatusChecker(cache_bytes=-1)


def test_expired_lists_leave_the_byte_count(issuer: Issuer, tmp_path: Path) -> None:
    token = issuer.sign_list()
    fetcher = _site(tmp_path, {URL: token})
    checker = StatusChecker(fetcher, cache_ttl=timedelta(minutes=1))
    _check(checker, issuer, status_entry(URL, 1))
    assert checker.cached_bytes == MIN_ENTRIES // 8 + len(token)
    _check(checker, issuer, status_entry(URL, 1), now=NOW + timedelta(minutes=2))
    assert checker.cached_bytes == MIN_ENTRIES // 8 + len(token)  # replaced, not counted twice
    assert len(fetcher.urls) == 2


def test_cached_check_is_fast_and_thread_safe(issuer: Issuer) -> None:
    checker = StatusChecker(lists=[issuer.sign_list((1,))])
    credential = issuer.credential(status_entry(URL, 2))
    assert checker.check(credential, now=NOW).state is StatusState.VALID
    rounds = 20_000
    started = time.perf_counter()
    for _ in range(rounds):
        checker.check(credential, now=NOW)
    per_check = (time.perf_counter() - started) / rounds
    assert per_check < 100e-6  # ~3 µs measured; generous for slow CI machines
    revoked = issuer.credential(status_entry(URL, 1))
    with ThreadPoolExecutor(8) as pool:
        states = list(pool.map(lambda n: checker.check(revoked if n % 2 else credential, now=NOW).state, range(2000)))
    assert states == [StatusState.REVOKED if n % 2 else StatusState.VALID for n in range(2000)]


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20) | st.sampled_from([URL, "1", "revocation"]),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=5),
        max_leaves=20,
    )
)
def test_check_never_raises_for_bad_status_data(status: Any) -> None:
    result = _ARBITRARY_CHECKER.check({"issuer": "did:web:cuni.cz", "credentialStatus": status}, now=NOW)
    assert isinstance(result, StatusResult)
    assert result.state is StatusState.UNKNOWN


_ARBITRARY_CHECKER = StatusChecker()


# --- through vcjwt.verify ----------------------------------------------------------------------


def test_verify_reports_the_status_check(issuer: Issuer) -> None:
    assert CHECK_NAMES.index("status") == CHECK_NAMES.index("time") + 1
    checker = StatusChecker(lists=[issuer.sign_list((1,))])
    valid = verification.verify(issuer.token(status_entry(URL, 2)), now=NOW, status=checker)
    assert valid.valid
    assert [check.name for check in valid.checks] == list(CHECK_NAMES)
    assert valid.check("status").message == f"not revoked: entry 2 of {URL} is clear"
    assert valid.status is not None
    assert valid.status.state is StatusState.VALID
    assert valid.to_dict()["status"] == valid.status.to_dict()
    json.dumps(valid.to_dict())

    revoked = verification.verify(issuer.token(status_entry(URL, 1)), now=NOW, status=checker)
    assert not revoked.valid
    assert [(check.name, check.code) for check in revoked.failures] == [("status", "status.revoked")]
    assert revoked.status is not None
    assert revoked.status.state is StatusState.REVOKED


def test_verify_without_a_checker_is_offline(issuer: Issuer) -> None:
    token = issuer.token(status_entry(URL, 2))
    offline = verification.verify(token, now=NOW)
    assert [(check.name, check.code) for check in offline.failures] == [("status", "status.unavailable")]
    assert offline.status is not None
    assert offline.status.state is StatusState.UNKNOWN
    skipped = verification.verify(token, now=NOW, check_status=False)
    assert skipped.valid
    status_check = skipped.check("status")
    assert (status_check.status, status_check.code, status_check.required) == (CheckStatus.SKIPPED, "disabled", False)
    assert skipped.status is None
    assert skipped.to_dict()["status"] is None
    plain = verification.verify(issuer.token(), now=NOW)
    assert plain.valid
    assert plain.check("status").message.startswith("no credentialStatus")
    assert plain.status is not None
    assert plain.status.code == "status.none"


def test_verify_checks_status_only_after_the_signature(issuer: Issuer) -> None:
    impostor = Issuer(Key.generate().with_kid(issuer.key.kid), issuer.id)
    result = verification.verify(impostor.token(status_entry(URL, 1)), now=NOW)
    status_check = result.check("status")
    assert (status_check.status, result.status) == (CheckStatus.SKIPPED, None)


def test_verify_did_web_issuer_with_lists_from_a_directory(web_issuer: Issuer, tmp_path: Path) -> None:
    checker = StatusChecker(_site(tmp_path, {URL: web_issuer.sign_list((1,))}))
    good = verification.verify(
        web_issuer.token(status_entry(URL, 2)), now=NOW, resolver=web_issuer.resolver, status=checker
    )
    assert good.valid, good.failures
    bad = verification.verify(
        web_issuer.token(status_entry(URL, 1)), now=NOW, resolver=web_issuer.resolver, status=checker
    )
    assert [(check.name, check.code) for check in bad.failures] == [("status", "status.revoked")]


# --- czmc verify -------------------------------------------------------------------------------

CZMC = shutil.which("czmc") or ""


def _czmc(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CZMC, *args], capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.skipif(not CZMC, reason="the czmc console script is not installed")
def test_cli_verify_with_status_lists(web_issuer: Issuer, tmp_path: Path) -> None:
    did_json = tmp_path / "did.json"
    assert web_issuer.resolver is not None
    did_json.write_text(json.dumps(web_issuer.resolver.resolve_did(web_issuer.id)), encoding="utf-8")
    lists = tmp_path / "public"
    _site(lists, {URL: web_issuer.sign_list((1,))})
    (lists / "status" / "notes.txt").write_text("not a list", encoding="utf-8")
    good, revoked = tmp_path / "good.jwt", tmp_path / "revoked.jwt"
    good.write_text(web_issuer.token(status_entry(URL, 2)), encoding="ascii")
    revoked.write_text(web_issuer.token(status_entry(URL, 1)), encoding="ascii")
    trust = ("--did-document", str(did_json))

    result = _czmc("verify", str(good), *trust, "--status-list", str(lists))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"  ok   status: not revoked: entry 2 of {URL} is clear" in result.stdout.splitlines()

    single_file = lists / "status" / "revocation" / "1.jwt"
    result = _czmc("verify", str(revoked), *trust, "--status-list", str(single_file))
    assert result.returncode == 1
    assert result.stdout.startswith("INVALID")
    assert f"  FAIL status: revoked: entry 1 of the revocation list {URL} is set [status.revoked]" in result.stdout

    result = _czmc("verify", str(revoked), *trust, "--no-status")
    assert result.returncode == 0, result.stdout
    assert "  skip status: switched off by the caller [disabled]" in result.stdout

    result = _czmc("verify", str(good), *trust)
    assert result.returncode == 1
    status_line = next(line for line in result.stdout.splitlines() if " status: " in line)
    assert status_line.startswith("  FAIL status: cannot get the status list")
    assert status_line.endswith("[status.unavailable]")

    result = _czmc("verify", str(good), *trust, "--status-list", str(lists), "--json")
    data = json.loads(result.stdout)
    assert data["status"]["state"] == "valid"
    assert [check["name"] for check in data["checks"]] == list(CHECK_NAMES)

    bogus = tmp_path / "bogus.jwt"
    bogus.write_text("not a token", encoding="utf-8")
    result = _czmc("verify", str(good), *trust, "--status-list", str(bogus))
    assert result.returncode == 2
    assert "cannot use the status lists" in result.stderr
    result = _czmc("verify", str(good), *trust, "--status-list", str(lists), "--no-status")
    assert result.returncode == 2
    help_text = _czmc("verify", "--help").stdout
    assert "--status-list" in help_text
    assert "--no-status" in help_text


# --- a status list's own status -----------------------------------------------------------------

LISTS = BASE + "status/lists.jwt"
"""A list of the issuer that revokes its other lists (their own credentialStatus points here)."""


def _own(url: str, index: int, purpose: str = "revocation") -> Any:
    return _set("credentialStatus", status_entry(url, index, purpose))


def test_a_revoked_status_list_is_not_trusted(issuer: Issuer, tmp_path: Path) -> None:
    fetcher = _site(
        tmp_path,
        {URL: issuer.sign_list((1,), edit=_own(LISTS, 10)), LISTS: issuer.sign_list((10,), url=LISTS)},
    )
    checker = StatusChecker(fetcher)
    for index in (1, 2):  # neither "revoked" nor "valid" can be read from a withdrawn list
        result = _check(checker, issuer, status_entry(URL, index))
        assert (result.state, result.code) == (StatusState.UNKNOWN, "status.list_revoked")
        assert f"the status list {URL} is itself revoked (entry 10 of {LISTS})" in result.message
    assert fetcher.urls == [URL, LISTS, URL]  # the withdrawn list is not cached; the other one is


def test_a_status_list_whose_own_status_is_clear_is_used(issuer: Issuer, tmp_path: Path) -> None:
    fetcher = _site(
        tmp_path,
        {URL: issuer.sign_list((1,), edit=_own(LISTS, 11)), LISTS: issuer.sign_list((10,), url=LISTS)},
    )
    checker = StatusChecker(fetcher)
    assert _check(checker, issuer, status_entry(URL, 1)).state is StatusState.REVOKED
    assert _check(checker, issuer, status_entry(URL, 2)).state is StatusState.VALID
    assert fetcher.urls == [URL, LISTS]


def test_a_suspended_status_list_is_not_trusted(issuer: Issuer, tmp_path: Path) -> None:
    suspensions = BASE + "status/lists-suspended.jwt"
    fetcher = _site(
        tmp_path,
        {
            URL: issuer.sign_list(edit=_own(suspensions, 3, "suspension")),
            suspensions: issuer.sign_list((3,), url=suspensions, purpose="suspension"),
        },
    )
    result = _check(StatusChecker(fetcher), issuer, status_entry(URL, 1))
    assert (result.state, result.code) == (StatusState.UNKNOWN, "status.list_revoked")
    assert "is itself suspended" in result.message


def test_a_list_that_revokes_itself(issuer: Issuer) -> None:
    # Its own entry points into itself: no second fetch, no loop.
    checker = StatusChecker(lists=[issuer.sign_list((5,), edit=_own(URL, 5))])
    assert _check(checker, issuer, status_entry(URL, 1)).code == "status.list_revoked"
    clear = StatusChecker(lists=[issuer.sign_list((5,), edit=_own(URL, 6))])
    assert _check(clear, issuer, status_entry(URL, 5)).state is StatusState.REVOKED


def test_a_cycle_of_two_lists_is_checked_once_each(issuer: Issuer, tmp_path: Path) -> None:
    fetcher = _site(
        tmp_path,
        {
            URL: issuer.sign_list((1,), edit=_own(LISTS, 20)),
            LISTS: issuer.sign_list(url=LISTS, edit=_own(URL, 21)),
        },
    )
    checker = StatusChecker(fetcher)
    assert _check(checker, issuer, status_entry(URL, 1)).state is StatusState.REVOKED
    assert fetcher.urls == [URL, LISTS]
    # The other list named the first, and the first's entry 20 is clear: both are trusted.
    assert _check(checker, issuer, status_entry(LISTS, 3)).state is StatusState.VALID
    assert fetcher.urls == [URL, LISTS]


def test_the_own_status_is_followed_one_level_deep(issuer: Issuer, tmp_path: Path) -> None:
    third = BASE + "status/third.jwt"
    fetcher = _site(
        tmp_path,
        {
            URL: issuer.sign_list(edit=_own(LISTS, 1)),
            LISTS: issuer.sign_list(url=LISTS, edit=_own(third, 1)),
            third: issuer.sign_list(url=third),
        },
    )
    result = _check(StatusChecker(fetcher), issuer, status_entry(URL, 1))
    assert (result.state, result.code) == (StatusState.UNKNOWN, "status.list_status")
    assert "one level deep" in result.message
    assert third not in fetcher.urls


@pytest.mark.parametrize(
    ("documents", "code"),
    [
        ({}, "status.unavailable"),  # the list that would say whether it is withdrawn is missing
        ({LISTS: "not a token"}, "status.list_unverified"),
        ({LISTS: "other issuer"}, "status.list_issuer"),
        ({LISTS: "suspension"}, "status.purpose_mismatch"),
    ],
)
def test_an_own_status_that_cannot_be_established_is_unknown(
    issuer: Issuer, tmp_path: Path, documents: dict[str, str], code: str
) -> None:
    tokens = {URL: issuer.sign_list(edit=_own(LISTS, 1))}
    for url, kind in documents.items():
        if kind == "other issuer":
            tokens[url] = _did_key_issuer().sign_list(url=url)
        elif kind == "suspension":
            tokens[url] = issuer.sign_list(url=url, purpose="suspension")
        else:
            tokens[url] = kind
    result = _check(StatusChecker(_site(tmp_path, tokens)), issuer, status_entry(URL, 1))
    assert (result.state, result.code) == (StatusState.UNKNOWN, "status.list_status")
    assert f"[{code}]" in result.message
    assert f"the status of the status list {URL} cannot be established" in result.message


@pytest.mark.parametrize("own", [[], {"type": "BitstringStatusListEntry"}, [{"type": "BitstringStatusListEntry"}]])
def test_a_malformed_own_status_is_unknown(issuer: Issuer, own: Any) -> None:
    checker = StatusChecker(lists=[issuer.sign_list(edit=_set("credentialStatus", own))])
    assert _check(checker, issuer, status_entry(URL, 1)).code == "status.list_status"


def test_the_list_is_cached_no_longer_than_the_list_that_vouches_for_it(issuer: Issuer, tmp_path: Path) -> None:
    fetcher = _site(
        tmp_path,
        {
            URL: issuer.sign_list(edit=_own(LISTS, 1)),
            LISTS: issuer.sign_list(url=LISTS, ttl=timedelta(minutes=1)),
        },
    )
    checker = StatusChecker(fetcher, cache_ttl=timedelta(hours=1))
    _check(checker, issuer, status_entry(URL, 1))
    _check(checker, issuer, status_entry(URL, 1), now=NOW + timedelta(seconds=59))
    assert fetcher.urls == [URL, LISTS]
    _check(checker, issuer, status_entry(URL, 1), now=NOW + timedelta(minutes=1))
    assert fetcher.urls == [URL, LISTS, URL, LISTS]


# --- status list URLs with internationalised hosts ---------------------------------------------


def test_an_idn_status_list_url_is_refused_before_any_lookup(issuer: Issuer) -> None:
    class Refusing:
        def fetch(self, url: str) -> bytes:
            raise AssertionError(f"fetched {url}")

    url = "https://čuni.cz/status/1.jwt"
    result = _check(StatusChecker(Refusing()), issuer, status_entry(url, 1))
    assert (result.state, result.code) == (StatusState.UNKNOWN, "status.entry_invalid")
    assert "internationalised" in result.message
