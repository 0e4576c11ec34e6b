"""DIDs and key resolution: did:key and did:jwk vectors and properties, did:web and https key
URLs against a real local HTTPS server, the TTL cache and the key-to-issuer binding rule."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import given, settings
from hypothesis import strategies as st
from multiformats import multibase, multicodec

from czmc import _b64
from czmc.did import (
    DefaultResolver,
    ResolvedKey,
    Resolver,
    ResolverCache,
    did_jwk,
    did_jwk_document,
    did_key,
    did_key_document,
    did_web_document,
    did_web_url,
    issuer_id_matches_kid,
    parse_did_jwk,
    parse_did_key,
)
from czmc.errors import FetchError, InvalidKeyError, ResolutionError
from czmc.http import HttpsFetcher
from czmc.keys import Key, PublicKey
from tests._servers import LOOPBACK, NAME, Running, json_route, redirect, respond, serve, status

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551
P256_PRIME = 2**256 - 2**224 + 2**192 + 2**96 - 1
P256_B = 0x5AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B


def ed25519_from_seed(seed: bytes) -> PublicKey:
    return PublicKey(ed25519.Ed25519PrivateKey.from_private_bytes(seed).public_key())


def p256_from_scalar(scalar: int) -> PublicKey:
    return PublicKey(ec.derive_private_key(scalar, ec.SECP256R1()).public_key())


def multikey(codec: str, raw: bytes) -> str:
    encoded: str = multibase.encode(multicodec.wrap(codec, raw), "base58btc")
    return encoded


def resolution_code(call: Callable[..., object], *args: Any, **kwargs: Any) -> str:
    with pytest.raises(ResolutionError) as caught:
        call(*args, **kwargs)
    return caught.value.code


@pytest.fixture(scope="module")
def ed_key() -> Key:
    return Key.generate("EdDSA")


@pytest.fixture(scope="module")
def p256_key() -> Key:
    return Key.generate("ES256")


@pytest.fixture(scope="module")
def rsa_key() -> Key:
    return Key.generate("RS256", rsa_bits=2048)


# --- did:key ---------------------------------------------------------------------------------


# did:key spec test vectors (w3c-ccg/did-method-key test-vectors/ed25519-x25519.json): the DID
# and base58 public key of the Ed25519 key with the given 32-byte seed.
ED25519_VECTORS = [
    (
        "00" * 32,
        "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
        "4zvwRjXUKGfvwnParsHAS3HuSVzV5cA4McphgmoCtajS",
    ),
    (
        "00" * 31 + "01",
        "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG",
        "6ASf5EcmmEHTgDJ4X4ZT5vT6iHVJBXPg5AN5YoTCpGWt",
    ),
    (
        "00" * 31 + "02",
        "did:key:z6MknGc3ocHs3zdPiJbnaaqDi58NGb4pk1Sp9WxWufuXSdxf",
        "8pM1DN3RiT8vbom5u1sNryaNT1nyL8CTTW3b5PwWXRBH",
    ),
]

# did:key spec test vectors (test-vectors/nist-curves.json): DID, private d, public x and y.
P256_VECTORS = [
    (
        "did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv",
        "gPh-VvVS8MbvKQ9LSVVmfnxnKjHn4Tqj0bmbpehRlpc",
        "igrFmi0whuihKnj9R3Om1SoMph72wUGeFaBbzG2vzns",
        "efsX5b10x8yjyrj4ny3pGfLcY7Xby1KzgqOdqnsrJIM",
    ),
    (
        "did:key:zDnaerDaTF5BXEavCrfRZEk316dpbLsfPDZ3WJ5hRTPFU2169",
        "YjRs6vNvw4sYrzVVY8ipkEpDAD9PFqw1sUnvPRMA-WI",
        "fyNYMN0976ci7xqiSdag3buk-ZCwgXU4kz9XNkBlNUI",
        "hW2ojTNfH7Jbi8--CJUo3OCbH3y5n91g-IMA9MLMbTU",
    ),
]


@pytest.mark.parametrize(("seed", "did", "base58"), ED25519_VECTORS)
def test_did_key_ed25519_spec_vectors(seed: str, did: str, base58: str) -> None:
    public = ed25519_from_seed(bytes.fromhex(seed))
    assert did_key(public) == did
    assert parse_did_key(did) == public
    assert public.raw == multibase.decode("z" + base58)


@pytest.mark.parametrize(("did", "d", "x", "y"), P256_VECTORS)
def test_did_key_p256_spec_vectors(did: str, d: str, x: str, y: str) -> None:
    public = p256_from_scalar(int.from_bytes(_b64.decode(d), "big"))
    assert public.jwk() == {"crv": "P-256", "kty": "EC", "x": x, "y": y}
    assert did_key(public) == did
    assert parse_did_key(did) == public


@pytest.mark.parametrize(
    ("did", "kind"),
    [
        ("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "Ed25519"),
        ("did:key:zDnaerx9CtbPJ1q36T5Ln5wYt3MQYeGRG5ehnPAmxcf5mDZpv", "P-256"),
    ],
)
def test_did_key_spec_examples_parse_and_expand(did: str, kind: str) -> None:
    public = parse_did_key(did)
    assert public.kind == kind
    assert did_key(public) == did
    fragment = did.removeprefix("did:key:")
    method = f"{did}#{fragment}"
    assert did_key_document(did) == {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{"id": method, "type": "Multikey", "controller": did, "publicKeyMultibase": fragment}],
        "assertionMethod": [method],
        "authentication": [method],
        "capabilityInvocation": [method],
        "capabilityDelegation": [method],
    }
    resolved = DefaultResolver().resolve_key(method)
    assert resolved == ResolvedKey(
        public,
        method,
        did,
        frozenset({"assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation"}),
    )
    assert issuer_id_matches_kid(did, resolved)


@settings(max_examples=50, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32))
def test_did_key_ed25519_round_trip(seed: bytes) -> None:
    public = ed25519_from_seed(seed)
    did = did_key(public)
    assert did.startswith("did:key:z6Mk")
    assert parse_did_key(did) == public
    assert DefaultResolver().resolve_key(f"{did}#{did[8:]}").key == public


@settings(max_examples=50, deadline=None)
@given(scalar=st.integers(min_value=1, max_value=P256_ORDER - 1))
def test_did_key_p256_round_trip(scalar: int) -> None:
    public = p256_from_scalar(scalar)
    did = did_key(public)
    assert did.startswith("did:key:zDn")
    assert parse_did_key(did) == public


def _off_curve_x() -> int:
    """The smallest x for which no P-256 point exists (x^3 - 3x + b is not a square)."""
    x = 0
    while pow((x**3 - 3 * x + P256_B) % P256_PRIME, (P256_PRIME - 1) // 2, P256_PRIME) == 1:
        x += 1
    return x


ED25519_BYTES = ed25519_from_seed(bytes(32)).raw
P256_BYTES = p256_from_scalar(7).raw


@pytest.mark.parametrize(
    ("value", "code"),
    [
        # multibase base64url ('u') of a valid Ed25519 multicodec key: only base58btc is allowed
        ("u" + base64.urlsafe_b64encode(b"\xed\x01" + ED25519_BYTES).decode().rstrip("="), "resolution.invalid_did"),
        ("z" + multikey("ed25519-pub", ED25519_BYTES)[1:].replace("1", "0"), "resolution.invalid_did"),
        ("", "resolution.invalid_did"),
        ("z", "resolution.invalid_did"),
        ("z" + "2" * 200, "resolution.invalid_did"),
        (multikey("secp256k1-pub", b"\x02" + bytes(32)), "resolution.unsupported_key"),
        (multikey("x25519-pub", ED25519_BYTES), "resolution.unsupported_key"),
        (multikey("ed25519-pub", ED25519_BYTES[:31]), "resolution.invalid_did"),
        (multikey("ed25519-pub", ED25519_BYTES + b"\0"), "resolution.invalid_did"),
        (multikey("p256-pub", P256_BYTES[:32]), "resolution.invalid_did"),
        (multikey("p256-pub", b"\x04" + P256_BYTES[1:]), "resolution.invalid_did"),
        (multikey("p256-pub", b"\x02" + _off_curve_x().to_bytes(32, "big")), "resolution.invalid_did"),
        # small-order Ed25519 points: all zeros (order 4) and the identity
        (multikey("ed25519-pub", bytes(32)), "resolution.invalid_did"),
        (multikey("ed25519-pub", b"\x01" + bytes(31)), "resolution.invalid_did"),
        # 0xed as a non-minimal three-byte varint
        (multibase.encode(b"\xed\x81\x00" + ED25519_BYTES, "base58btc"), "resolution.invalid_did"),
        # a leading zero byte ('1' in base58) in front of a valid key
        ("z1" + multikey("ed25519-pub", ED25519_BYTES)[1:], "resolution.unsupported_key"),
    ],
)
def test_malformed_did_key_is_refused(value: str, code: str) -> None:
    assert resolution_code(lambda: parse_did_key("did:key:" + value)) == code
    assert resolution_code(lambda: DefaultResolver().resolve_key(f"did:key:{value}#{value}")) in {
        code,
        "resolution.invalid_kid",
    }


def test_small_order_ed25519_message_says_why() -> None:
    with pytest.raises(ResolutionError, match="small-order"):
        parse_did_key("did:key:" + multikey("ed25519-pub", bytes(32)))


def test_did_key_needs_ed25519_or_p256(rsa_key: Key) -> None:
    with pytest.raises(InvalidKeyError) as caught:
        did_key(rsa_key.public)
    assert caught.value.code == "key.type"
    assert resolution_code(lambda: parse_did_key("did:web:cuni.cz")) == "resolution.invalid_did"


# --- did:jwk ---------------------------------------------------------------------------------

# The P-256 example of the did:jwk specification (quartzjer/did-jwk spec.md).
DID_JWK_P256 = (
    "did:jwk:eyJjcnYiOiJQLTI1NiIsImt0eSI6IkVDIiwieCI6ImFjYklRaXVNczNpOF91c3pFakoydHBUdFJNNEVVM3l6OTFQSDZDZEgyVjAiLCJ5Ijoi"
    "X0tjeUxqOXZXTXB0bm1LdG00NkdxRHo4d2Y3NEk1TEtncmwyR3pIM25TRSJ9"
)
DID_JWK_P256_JWK = {
    "crv": "P-256",
    "kty": "EC",
    "x": "acbIQiuMs3i8_uszEjJ2tpTtRM4EU3yz91PH6CdH2V0",
    "y": "_KcyLj9vWMptnmKtm46GqDz8wf74I5LKgrl2GzH3nSE",
}


def test_did_jwk_spec_example() -> None:
    public = PublicKey.from_jwk(DID_JWK_P256_JWK)
    assert did_jwk(public) == DID_JWK_P256
    assert parse_did_jwk(DID_JWK_P256) == public
    method = DID_JWK_P256 + "#0"
    document = did_jwk_document(DID_JWK_P256)
    assert document["verificationMethod"] == [
        {"id": method, "type": "JsonWebKey2020", "controller": DID_JWK_P256, "publicKeyJwk": DID_JWK_P256_JWK}
    ]
    for relationship in (
        "assertionMethod",
        "authentication",
        "capabilityInvocation",
        "capabilityDelegation",
        "keyAgreement",
    ):
        assert document[relationship] == [method]
    resolved = DefaultResolver().resolve_key(method)
    assert (resolved.key, resolved.method_id, resolved.controller) == (public, method, DID_JWK_P256)
    assert issuer_id_matches_kid(DID_JWK_P256, resolved)
    assert resolution_code(lambda: DefaultResolver().resolve_key(DID_JWK_P256 + "#1")) == "resolution.not_found"


def test_did_jwk_spec_x25519_example_is_not_a_signing_key() -> None:
    did = (
        "did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJYMjU1MTkiLCJ1c2UiOiJlbmMiLCJ4IjoiM3A3YmZYdDl3YlRUVzJIQzdPUTFOei1EUThoYmVH"
        "ZE5yZngtRkctSUswOCJ9"
    )
    assert resolution_code(lambda: parse_did_jwk(did)) == "resolution.invalid_did"


@settings(max_examples=30, deadline=None)
@given(seed=st.binary(min_size=32, max_size=32), scalar=st.integers(min_value=1, max_value=P256_ORDER - 1))
def test_did_jwk_round_trip(seed: bytes, scalar: int) -> None:
    for public in (ed25519_from_seed(seed), p256_from_scalar(scalar)):
        did = did_jwk(public)
        assert parse_did_jwk(did) == public
        assert json.loads(_b64.decode(did[8:])) == public.jwk()
        assert DefaultResolver().resolve_key(did + "#0").key == public


def test_did_jwk_rsa_round_trip(rsa_key: Key) -> None:
    did = did_jwk(rsa_key.public)
    assert parse_did_jwk(did) == rsa_key.public


def encode_jwk_did(member_text: str) -> str:
    return "did:jwk:" + _b64.encode(member_text.encode())


def test_did_jwk_use_selects_relationships(ed_key: Key) -> None:
    for use, expected in (
        ("sig", {"assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation"}),
        ("enc", {"keyAgreement"}),
    ):
        did = encode_jwk_did(json.dumps({**ed_key.public.jwk(), "use": use}))
        resolved = DefaultResolver().resolve_key(did + "#0")
        assert resolved.relationships == expected
        assert issuer_id_matches_kid(did, resolved) is (use == "sig")
        assert set(did_jwk_document(did)) - {"@context", "id", "verificationMethod"} == expected


def test_did_jwk_refuses_private_members_and_bad_encodings(ed_key: Key) -> None:
    private = {name: value for name, value in ed_key.private_jwk().items() if name not in ("kid", "alg")}
    jwk_text = json.dumps(ed_key.public.jwk())
    # A valid JWK (its kid is free text) whose standard base64 uses '+' or '/', not base64url.
    standard_base64 = next(
        encoded
        for kid in ("s" * length + "€ß☃" for length in range(32))
        if set(
            encoded := base64.b64encode(json.dumps({**ed_key.public.jwk(), "kid": kid}, ensure_ascii=False).encode())
            .decode()
            .rstrip("=")
        )
        & set("+/")
    )
    bad = [
        encode_jwk_did(json.dumps(private)),
        encode_jwk_did(jwk_text) + "=",  # padding
        "did:jwk:" + standard_base64,
        encode_jwk_did(jwk_text[:-1] + ', "x": "AAAA"}'),  # duplicate member
        encode_jwk_did("[" + jwk_text + "]"),
        encode_jwk_did("not json"),
        "did:jwk:" + _b64.encode(b"\xff\xfe"),
        encode_jwk_did(json.dumps({**ed_key.public.jwk(), "extra": 1})),
        encode_jwk_did(json.dumps({**ed_key.public.jwk(), "alg": "ES256"})),
        encode_jwk_did(json.dumps({**ed_key.public.jwk(), "use": "other"})),
        encode_jwk_did(json.dumps({"kty": "oct", "k": "c2VjcmV0"})),
        "did:jwk:",
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
    ]
    for did in bad:
        assert resolution_code(parse_did_jwk, did) == "resolution.invalid_did", did
    with pytest.raises(ResolutionError, match="private"):
        parse_did_jwk(bad[0])


# --- did:web: identifiers and publishing ------------------------------------------------------


@pytest.mark.parametrize(
    ("did", "url"),
    [
        ("did:web:w3c-ccg.github.io", "https://w3c-ccg.github.io/.well-known/did.json"),
        ("did:web:w3c-ccg.github.io:user:alice", "https://w3c-ccg.github.io/user/alice/did.json"),
        ("did:web:example.com%3A3000:user:alice", "https://example.com:3000/user/alice/did.json"),
        ("did:web:example.com%3a3000", "https://example.com:3000/.well-known/did.json"),
        ("did:web:cuni.cz:mc:issuer", "https://cuni.cz/mc/issuer/did.json"),
        ("did:web:xn--eskvysokuen-2db.cz", "https://xn--eskvysokuen-2db.cz/.well-known/did.json"),
        ("did:web:cuni.cz:a%20b", "https://cuni.cz/a%20b/did.json"),
    ],
)
def test_did_web_url(did: str, url: str) -> None:
    assert did_web_url(did) == url


@pytest.mark.parametrize(
    "did",
    [
        "did:web:",
        "did:web:cuni.cz:",
        "did:web:cuni.cz::x",
        "did:web:cuni.cz:..",
        "did:web:cuni.cz:%2E%2E",
        "did:web:cuni.cz:a%2Fb",
        "did:web:cuni.cz:%ff",
        "did:web:cuni.cz%3A",
        "did:web:cuni.cz%3A0",
        "did:web:cuni.cz%3A99999",
        "did:web:cuni.cz%3A08443",
        "did:web:cuni.cz%2Fx",
        "did:web:-cuni.cz",
        "did:web:cuni..cz",
        "did:web:cuni.cz/path",
        "did:web:cuni.cz#key-1",
        "did:web:cuni.cz?x=1",
        "did:web:user@cuni.cz",
        "did:web:127.0.0.1",
        "did:web:127.0.0.1%3A8443",
        "did:web:127.1",
        "did:web:0x7f000001",
        "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "did:web:cuni.cz:a b",
    ],
)
def test_did_web_url_refuses(did: str) -> None:
    assert resolution_code(lambda: did_web_url(did)) == "resolution.invalid_did"


def test_did_web_ip_hosts_only_when_allowed() -> None:
    assert did_web_url("did:web:127.0.0.1%3A8443", allow_ip_hosts=True) == "https://127.0.0.1:8443/.well-known/did.json"


def test_did_web_document_for_publishing(ed_key: Key, rsa_key: Key) -> None:
    did = "did:web:cuni.cz:mc"
    keys = [("key-1", ed_key.public), (f"{did}#rsa", rsa_key.public), (None, ed_key.public)]
    document = did_web_document(did, keys, compatible=False)
    ids = [f"{did}#key-1", f"{did}#rsa", f"{did}#{ed_key.public.thumbprint}"]
    assert document["@context"] == ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"]
    assert document["id"] == did
    assert [method["id"] for method in document["verificationMethod"]] == ids
    assert {method["type"] for method in document["verificationMethod"]} == {"JsonWebKey"}
    assert {method["controller"] for method in document["verificationMethod"]} == {did}
    assert document["verificationMethod"][0]["publicKeyJwk"] == ed_key.public.jwk(kid="key-1", alg=ed_key.alg)
    assert "alg" not in document["verificationMethod"][1]["publicKeyJwk"]  # RS256 or PS256: not ours to pin
    assert document["assertionMethod"] == ids
    assert document["authentication"] == ids
    resolver = DefaultResolver(documents=[document])
    for kid, key in zip(ids, (ed_key, rsa_key, ed_key), strict=True):
        resolved = resolver.resolve_key(kid)
        assert resolved.key == key.public
        assert issuer_id_matches_kid(did, resolved)
    assert json.loads(json.dumps(document)) == document


def test_did_web_document_lists_a_json_web_key_2020_copy_for_older_verifiers(ed_key: Key) -> None:
    did = "did:web:cuni.cz"
    document = did_web_document(did, [("key-1", ed_key.public)])
    assert [(m["id"], m["type"]) for m in document["verificationMethod"]] == [
        (f"{did}#key-1", "JsonWebKey"),
        (f"{did}#key-1-2020", "JsonWebKey2020"),
    ]
    assert document["verificationMethod"][0]["publicKeyJwk"] == document["verificationMethod"][1]["publicKeyJwk"]
    assert document["assertionMethod"] == [f"{did}#key-1", f"{did}#key-1-2020"]
    assert document["@context"][-1] == "https://w3id.org/security/suites/jws-2020/v1"
    resolver = DefaultResolver(documents=[document])
    for kid in document["assertionMethod"]:
        assert resolver.resolve_key(kid).key == ed_key.public


@pytest.mark.parametrize("key_id", ["", "#", "a b", "did:web:other.cz#k", "did:web:cuni.cz", "k#1"])
def test_did_web_document_refuses_bad_key_ids(ed_key: Key, key_id: str) -> None:
    with pytest.raises(ValueError, match="key id"):
        did_web_document("did:web:cuni.cz", [(key_id, ed_key.public)])


def test_did_web_document_refuses_duplicates_and_nothing(ed_key: Key) -> None:
    with pytest.raises(ValueError, match="share"):
        did_web_document("did:web:cuni.cz", [("k", ed_key.public), ("#k", ed_key.public)])
    with pytest.raises(ValueError, match="at least one"):
        did_web_document("did:web:cuni.cz", [])
    assert (
        resolution_code(lambda: did_web_document("did:web:10.0.0.1", [("k", ed_key.public)]))
        == "resolution.invalid_did"
    )


# --- did:web and https key URLs over a real HTTPS server --------------------------------------


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Running]:
    with serve(tls=True, directory=tmp_path_factory.mktemp("tls")) as running:
        yield running


@pytest.fixture
def site(server: Running) -> Running:
    server.site.routes.clear()
    server.site.hits.clear()
    return server


@pytest.fixture
def fetcher(server: Running) -> Iterator[HttpsFetcher]:
    with HttpsFetcher(allow_networks=LOOPBACK, timeout=2.0, max_bytes=4096, ca_bundle=server.ca_bundle) as made:
        yield made


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def resolver(fetcher: HttpsFetcher, clock: Clock) -> DefaultResolver:
    return DefaultResolver(fetcher, cache_ttl=300.0, clock=clock, allow_ip_hosts=True)


def web_did(site: Running, *path: str) -> str:
    return ":".join([f"did:web:127.0.0.1%3A{site.port}", *path])


def method(did: str, fragment: str, public: PublicKey, **extra: Any) -> dict[str, Any]:
    return {"id": f"{did}#{fragment}", "type": "JsonWebKey", "controller": did, "publicKeyJwk": public.jwk(), **extra}


def publish(site: Running, did: str, document: Any, path: str = "/.well-known/did.json") -> None:
    site.site.routes[path] = json_route(document)


def test_did_web_publish_and_resolve(site: Running, resolver: DefaultResolver, ed_key: Key, p256_key: Key) -> None:
    did = web_did(site)
    publish(site, did, did_web_document(did, [("key-1", ed_key.public), (None, p256_key.public)], allow_ip_hosts=True))
    resolved = resolver.resolve_key(f"{did}#key-1")
    assert resolved == ResolvedKey(ed_key.public, f"{did}#key-1", did, frozenset({"assertionMethod", "authentication"}))
    assert resolver.resolve_key(f"{did}#{p256_key.public.thumbprint}").key == p256_key.public
    assert issuer_id_matches_kid(did, resolved)
    assert not issuer_id_matches_kid(did + ":other", resolved)
    assert resolver.resolve_did(did)["id"] == did
    assert site.site.headers["/.well-known/did.json"]["Accept"] == "application/did+json, application/json"


def test_did_web_path_form(site: Running, resolver: DefaultResolver, ed_key: Key) -> None:
    did = web_did(site, "issuers", "mff")
    publish(site, did, did_web_document(did, [("k", ed_key.public)], allow_ip_hosts=True), "/issuers/mff/did.json")
    assert resolver.resolve_key(f"{did}#k").key == ed_key.public
    assert site.site.hits["/issuers/mff/did.json"] == 1


def test_did_web_document_id_must_match_exactly(site: Running, resolver: DefaultResolver, ed_key: Key) -> None:
    did = web_did(site)
    publish(site, did, did_web_document("did:web:cuni.cz", [("k", ed_key.public)]))
    assert resolution_code(lambda: resolver.resolve_key(f"{did}#k")) == "resolution.id_mismatch"
    # The same host and port spelt with a lower-case %3a is a different DID.
    publish(site, did, did_web_document(did, [("k", ed_key.public)], allow_ip_hosts=True))
    lower = did.replace("%3A", "%3a")
    assert resolution_code(lambda: resolver.resolve_key(f"{lower}#k")) == "resolution.id_mismatch"
    publish(site, did, {"verificationMethod": [method(did, "k", ed_key.public)]})
    assert resolution_code(lambda: resolver.resolve_key(f"{did}#k")) == "resolution.id_mismatch"


def test_did_web_missing_method_is_not_replaced_by_another(
    site: Running, resolver: DefaultResolver, ed_key: Key
) -> None:
    did = web_did(site)
    publish(site, did, did_web_document(did, [("key-1", ed_key.public)], allow_ip_hosts=True))
    assert resolution_code(lambda: resolver.resolve_key(f"{did}#key-2")) == "resolution.not_found"
    assert resolution_code(lambda: resolver.resolve_key(did)) == "resolution.invalid_kid"
    assert resolution_code(lambda: resolver.resolve_key(f"{did}#")) == "resolution.invalid_kid"


def test_did_web_method_of_another_controller(site: Running, resolver: DefaultResolver, ed_key: Key) -> None:
    did = web_did(site)
    foreign = {**method(did, "k", ed_key.public), "controller": "did:web:evil.example"}
    publish(site, did, {"id": did, "verificationMethod": [foreign], "assertionMethod": [f"{did}#k"]})
    assert resolution_code(lambda: resolver.resolve_key(f"{did}#k")) == "resolution.controller_mismatch"
    # A method whose id belongs to another DID is not a method of this DID's document either.
    resolver.cache.clear()
    other = {**method("did:web:evil.example", "k", ed_key.public), "controller": did}
    publish(site, did, {"id": did, "verificationMethod": [other], "assertionMethod": ["did:web:evil.example#k"]})
    assert resolution_code(lambda: resolver.resolve_key(f"{did}#k")) == "resolution.not_found"


def test_did_web_relative_and_embedded_methods(
    site: Running, resolver: DefaultResolver, ed_key: Key, p256_key: Key
) -> None:
    did = web_did(site)
    relative = {"id": "#key-1", "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": p256_key.public.jwk()}
    embedded = {
        "id": f"{did}#auth",
        "type": "Multikey",
        "controller": did,
        "publicKeyMultibase": did_key(ed_key.public)[8:],
    }
    document = {
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "verificationMethod": [relative],
        "assertionMethod": ["#key-1"],
        "capabilityInvocation": [f"{did}#key-1"],
        "authentication": [embedded],
    }
    publish(site, did, document)
    first = resolver.resolve_key(f"{did}#key-1")
    assert first.key == p256_key.public
    assert first.relationships == {"assertionMethod", "capabilityInvocation"}
    assert issuer_id_matches_kid(did, first)
    second = resolver.resolve_key(f"{did}#auth")
    assert second.key == ed_key.public
    assert second.relationships == {"authentication"}
    assert not issuer_id_matches_kid(did, second)  # authentication is not assertionMethod


def test_did_web_verification_method_types(
    site: Running, resolver: DefaultResolver, ed_key: Key, p256_key: Key
) -> None:
    did = web_did(site)
    ed_multibase = did_key(ed_key.public)[8:]
    methods = [
        {"id": f"{did}#multikey", "type": "Multikey", "controller": did, "publicKeyMultibase": ed_multibase},
        {
            "id": f"{did}#ed2020",
            "type": "Ed25519VerificationKey2020",
            "controller": did,
            "publicKeyMultibase": ed_multibase,
        },
        method(did, "jwk2020", p256_key.public, type="JsonWebKey2020"),
        {**method(did, "alg", p256_key.public), "publicKeyJwk": p256_key.public.jwk(alg=p256_key.alg)},
        {
            **method(did, "p256-2020", p256_key.public, type="Ed25519VerificationKey2020"),
            "publicKeyMultibase": did_key(p256_key.public)[8:],
        },
        method(did, "secp", p256_key.public, type="EcdsaSecp256k1VerificationKey2019"),
        method(did, "private", ed_key.public, privateKeyJwk=ed_key.private_jwk()),
        {**method(did, "d", ed_key.public), "publicKeyJwk": ed_key.private_jwk()},
        {**method(did, "both", ed_key.public), "publicKeyMultibase": ed_multibase},
        {**method(did, "wrong-alg", ed_key.public), "publicKeyJwk": {**ed_key.public.jwk(), "alg": "RS256"}},
        {**method(did, "enc", ed_key.public), "publicKeyJwk": {**ed_key.public.jwk(), "use": "enc"}},
        {**method(did, "ops", ed_key.public), "publicKeyJwk": {**ed_key.public.jwk(), "key_ops": ["sign"]}},
        {"id": f"{did}#no-key", "type": "JsonWebKey", "controller": did},
        {"id": f"{did}#bad-mb", "type": "Multikey", "controller": did, "publicKeyMultibase": "u" + ed_multibase},
        {"id": f"{did}#rsa-mb", "type": "Multikey", "controller": did, "publicKeyMultibase": 7},
    ]
    publish(site, did, {"id": did, "verificationMethod": methods})
    for fragment, expected in (("multikey", ed_key), ("ed2020", ed_key), ("jwk2020", p256_key), ("alg", p256_key)):
        assert resolver.resolve_key(f"{did}#{fragment}").key == expected.public
    assert resolution_code(lambda: resolver.resolve_key(f"{did}#secp")) == "resolution.unsupported_method_type"
    for fragment in ("p256-2020", "private", "d", "both", "wrong-alg", "enc", "ops", "no-key", "bad-mb", "rsa-mb"):
        assert resolution_code(resolver.resolve_key, f"{did}#{fragment}") == ("resolution.invalid_key"), fragment


def test_did_web_method_defined_twice(site: Running, resolver: DefaultResolver, ed_key: Key, p256_key: Key) -> None:
    did = web_did(site)
    same = method(did, "k", ed_key.public)
    publish(site, did, {"id": did, "verificationMethod": [same], "assertionMethod": [{**same, "id": "#k"}]})
    assert resolver.resolve_key(f"{did}#k").relationships == {"assertionMethod"}
    resolver.cache.clear()
    publish(site, did, {"id": did, "verificationMethod": [same, method(did, "k", p256_key.public)]})
    assert resolution_code(lambda: resolver.resolve_key(f"{did}#k")) == "resolution.ambiguous_key"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        (b"{not json", "resolution.invalid_json"),
        (b'{"id": "a", "id": "b"}', "resolution.invalid_json"),
        (b"[" * 100 + b"]" * 100, "resolution.invalid_json"),
        (b'{"a":' * 80 + b"1" + b"}" * 80, "resolution.invalid_json"),
        (b"\xff\xfe{}", "resolution.invalid_json"),
        (b"\xef\xbb\xbf{}", "resolution.invalid_json"),
        (b'"a string"', "resolution.invalid_document"),
        (b"[]", "resolution.invalid_document"),
    ],
)
def test_did_web_strict_json(site: Running, resolver: DefaultResolver, body: bytes, code: str) -> None:
    did = web_did(site)
    site.site.routes["/.well-known/did.json"] = respond(200, body)
    assert resolution_code(lambda: resolver.resolve_key(f"{did}#k")) == code


def test_did_web_malformed_members(site: Running, resolver: DefaultResolver, ed_key: Key) -> None:
    did = web_did(site)
    publish(site, did, {"id": did, "verificationMethod": method(did, "k", ed_key.public)})
    assert resolution_code(lambda: resolver.resolve_key(f"{did}#k")) == "resolution.invalid_document"
    resolver.cache.clear()
    publish(site, did, {"id": did, "verificationMethod": [method(did, "k", ed_key.public)], "assertionMethod": "#k"})
    assert resolution_code(lambda: resolver.resolve_key(f"{did}#k")) == "resolution.invalid_document"


def test_did_web_fetch_failures(site: Running, resolver: DefaultResolver, ed_key: Key) -> None:
    did = web_did(site)
    site.site.routes["/.well-known/did.json"] = status(404)
    with pytest.raises(FetchError) as caught:
        resolver.resolve_key(f"{did}#k")
    assert caught.value.code == "http.status"
    big = did_web_document(did, [(f"k{index}", ed_key.public) for index in range(40)], allow_ip_hosts=True)
    publish(site, did, big)
    assert resolution_code(lambda: resolver.resolve_key(f"{did}#k0")) == "http.too_large"
    site.site.routes["/.well-known/did.json"] = redirect(f"https://localhost:{site.port}/.well-known/did.json")
    assert resolution_code(lambda: resolver.resolve_key(f"{did}#k0")) == "http.redirect"


def test_ttl_cache(site: Running, resolver: DefaultResolver, clock: Clock, ed_key: Key, p256_key: Key) -> None:
    did = web_did(site)
    publish(site, did, did_web_document(did, [("a", ed_key.public), ("b", p256_key.public)], allow_ip_hosts=True))
    assert resolver.resolve_key(f"{did}#a").key == ed_key.public
    assert resolver.resolve_key(f"{did}#a").key == ed_key.public
    assert resolver.resolve_key(f"{did}#b").key == p256_key.public  # same document, still cached
    assert site.site.hits["/.well-known/did.json"] == 1
    clock.now += 299
    resolver.resolve_key(f"{did}#a")
    assert site.site.hits["/.well-known/did.json"] == 1
    # Key rotation: after the TTL the new document is read and the old key is gone.
    publish(site, did, did_web_document(did, [("b", p256_key.public)], allow_ip_hosts=True))
    clock.now += 1
    assert resolution_code(lambda: resolver.resolve_key(f"{did}#a")) == "resolution.not_found"
    assert site.site.hits["/.well-known/did.json"] == 2


def test_failures_are_not_cached(site: Running, resolver: DefaultResolver, ed_key: Key) -> None:
    did = web_did(site)
    site.site.routes["/.well-known/did.json"] = status(503)
    assert resolution_code(lambda: resolver.resolve_key(f"{did}#k")) == "http.status"
    publish(site, did, did_web_document(did, [("k", ed_key.public)], allow_ip_hosts=True))
    assert resolver.resolve_key(f"{did}#k").key == ed_key.public
    assert site.site.hits["/.well-known/did.json"] == 2


def test_no_cache_with_zero_ttl(site: Running, fetcher: HttpsFetcher, ed_key: Key) -> None:
    did = web_did(site)
    publish(site, did, did_web_document(did, [("k", ed_key.public)], allow_ip_hosts=True))
    resolver = DefaultResolver(fetcher, cache_ttl=0, allow_ip_hosts=True)
    resolver.resolve_key(f"{did}#k")
    resolver.resolve_key(f"{did}#k")
    assert site.site.hits["/.well-known/did.json"] == 2


def test_resolver_cache_bounds_and_expiry() -> None:
    clock = Clock()
    cache = ResolverCache(10, clock, max_entries=2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c"), len(cache)) == (None, 2, 3, 2)
    clock.now += 10
    assert cache.get("b") is None
    cache.clear()
    assert len(cache) == 0


def test_ip_hosts_need_the_switch(site: Running, fetcher: HttpsFetcher, ed_key: Key) -> None:
    did = web_did(site)
    publish(site, did, did_web_document(did, [("k", ed_key.public)], allow_ip_hosts=True))
    strict = DefaultResolver(fetcher)
    assert resolution_code(lambda: strict.resolve_key(f"{did}#k")) == "resolution.invalid_did"
    assert resolution_code(lambda: strict.resolve_key(site.url("/key.json"))) == "resolution.invalid_kid"
    assert site.site.hits == {}


def test_offline_resolver_says_what_to_pass(site: Running) -> None:
    did = web_did(site)
    offline = DefaultResolver(allow_ip_hosts=True)
    for kid in (f"{did}#k", site.url("/key.json"), "did:web:cuni.cz#k"):
        with pytest.raises(ResolutionError) as caught:
            offline.resolve_key(kid)
        assert caught.value.code == "resolution.offline"
        assert "fetcher=HttpsFetcher()" in caught.value.message
    assert site.site.hits == {}


def test_trusted_documents_are_used_instead_of_fetching(ed_key: Key) -> None:
    web = did_web_document("did:web:cuni.cz", [("k", ed_key.public)])
    example = {
        "id": "did:example:123",
        "verificationMethod": [method("did:example:123", "k", ed_key.public)],
        "assertionMethod": ["did:example:123#k"],
    }
    resolver = DefaultResolver(documents=[web, example, web])
    assert resolver.resolve_key("did:web:cuni.cz#k").key == ed_key.public
    assert issuer_id_matches_kid("did:example:123", resolver.resolve_key("did:example:123#k"))
    assert resolver.resolve_did("did:web:cuni.cz") == web
    assert resolution_code(lambda: resolver.resolve_key("did:example:456#k")) == "resolution.method_not_supported"
    bad: list[list[Any]] = [
        [{"id": "https://cuni.cz"}],
        [{}],
        ["did:web:cuni.cz"],
        [web, {**web, "authentication": []}],
    ]
    for documents in bad:
        assert resolution_code(DefaultResolver, documents=documents) == ("resolution.invalid_document")


@pytest.mark.parametrize(
    ("kid", "code"),
    [
        ("", "resolution.invalid_kid"),
        ("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK", "resolution.invalid_kid"),
        ("did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6Mkother", "resolution.not_found"),
        (" did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#x", "resolution.invalid_kid"),
        ("did:web:cuni.cz#key 1", "resolution.invalid_kid"),
        ("urn:uuid:0d6c8b1e-3c3a-4c9a-8a43-0b3b6f2c0e11", "resolution.invalid_kid"),
        ("key-1", "resolution.invalid_kid"),
        ("#key-1", "resolution.invalid_kid"),
        ("did:example:123#k", "resolution.method_not_supported"),
        ("did:web:cuni.cz/keys#k", "resolution.invalid_did"),
        ("did:web:cuni.cz?versionId=1#k", "resolution.invalid_did"),
        ("did:web:" + "a" * 5000 + "#k", "resolution.invalid_kid"),
        ("https://user:pw@cuni.cz/key#k", "resolution.invalid_kid"),
        ("https:///key", "resolution.invalid_kid"),
    ],
)
def test_invalid_kids(kid: str, code: str) -> None:
    assert resolution_code(lambda: DefaultResolver().resolve_key(kid)) == code


def test_default_resolver_is_a_resolver() -> None:
    assert isinstance(DefaultResolver(), Resolver)


# --- https key URLs ------------------------------------------------------------------------------


def test_https_kid_single_jwk(site: Running, resolver: DefaultResolver, rsa_key: Key) -> None:
    site.site.routes["/keys/1"] = json_route(rsa_key.public.jwk(kid="1", alg=rsa_key.alg))
    kid = site.url("/keys/1")
    resolved = resolver.resolve_key(kid)
    assert resolved == ResolvedKey(rsa_key.public, kid, site.origin, frozenset())
    assert issuer_id_matches_kid(site.origin, resolved)
    assert issuer_id_matches_kid(site.url("/issuers/cuni"), resolved)
    assert not issuer_id_matches_kid(f"https://127.0.0.1:{site.port + 1}", resolved)
    assert resolver.resolve_key(kid + "#1").key == rsa_key.public
    assert resolution_code(lambda: resolver.resolve_key(kid + "#2")) == "resolution.not_found"


def test_https_kid_jwks_selection(site: Running, resolver: DefaultResolver, ed_key: Key, p256_key: Key) -> None:
    jwks_url = site.url("/jwks.json")
    site.site.routes["/jwks.json"] = json_route(
        {"keys": [ed_key.public.jwk(kid="ed"), p256_key.public.jwk(kid=jwks_url + "#p256")]}
    )
    assert resolver.resolve_key(jwks_url + "#ed").key == ed_key.public
    assert resolver.resolve_key(jwks_url + "#p256").key == p256_key.public  # kid is the full URL
    for kid in (jwks_url, jwks_url + "#other", jwks_url + "#0"):
        assert resolution_code(resolver.resolve_key, kid) == "resolution.not_found"

    site.site.routes["/one.json"] = json_route({"keys": [ed_key.public.jwk(kid="whatever")]})
    assert resolver.resolve_key(site.url("/one.json")).key == ed_key.public
    assert resolution_code(lambda: resolver.resolve_key(site.url("/one.json#other"))) == "resolution.not_found"

    site.site.routes["/twins.json"] = json_route({"keys": [ed_key.public.jwk(kid="k"), p256_key.public.jwk(kid="k")]})
    assert resolution_code(lambda: resolver.resolve_key(site.url("/twins.json#k"))) == "resolution.ambiguous_key"
    assert resolution_code(lambda: resolver.resolve_key(site.url("/twins.json"))) == "resolution.not_found"


@pytest.mark.parametrize(
    "document",
    [
        {"keys": {"kty": "OKP"}},
        {"keys": ["x"]},
        {"keys": [], "kty": "OKP", "crv": "Ed25519", "x": "AAAA"},
        [],
    ],
)
def test_https_kid_invalid_jwks(site: Running, resolver: DefaultResolver, document: Any) -> None:
    site.site.routes["/jwks.json"] = json_route(document)
    assert resolution_code(lambda: resolver.resolve_key(site.url("/jwks.json#k"))) == "resolution.invalid_document"


def test_https_kid_refuses_unusable_keys(site: Running, resolver: DefaultResolver, ed_key: Key) -> None:
    site.site.routes["/private"] = json_route(ed_key.private_jwk())
    site.site.routes["/enc"] = json_route({**ed_key.public.jwk(), "use": "enc"})
    site.site.routes["/jwks-private"] = json_route({"keys": [{**ed_key.private_jwk(), "kid": "k"}]})
    for path in ("/private", "/enc", "/jwks-private#k"):
        assert resolution_code(resolver.resolve_key, site.url(path)) == "resolution.invalid_key"


def test_http_kid_only_through_the_insecure_switch(tmp_path: Any, ed_key: Key) -> None:
    with serve(tls=False, directory=tmp_path) as plain:
        plain.site.routes["/key"] = json_route(ed_key.public.jwk())
        with HttpsFetcher(allow_networks=LOOPBACK, timeout=2.0) as strict:
            code = resolution_code(lambda: DefaultResolver(strict, allow_ip_hosts=True).resolve_key(plain.url("/key")))
            assert code == "http.not_https"
        with HttpsFetcher(
            allow_networks=LOOPBACK, timeout=2.0, insecure_http_hosts=frozenset({f"127.0.0.1:{plain.port}"})
        ) as insecure:
            resolved = DefaultResolver(insecure, allow_ip_hosts=True).resolve_key(plain.url("/key"))
        assert resolved.key == ed_key.public
        assert resolved.controller == plain.origin
        assert not issuer_id_matches_kid(plain.origin, resolved)  # never bound to an http issuer


# --- the key-to-issuer binding rule --------------------------------------------------------------


def test_issuer_binding_rule(ed_key: Key) -> None:
    public = ed_key.public
    did_key_id = did_key(public)
    assertion = frozenset({"assertionMethod"})

    def key(method_id: str, controller: str, relationships: frozenset[str] = frozenset()) -> ResolvedKey:
        return ResolvedKey(public, method_id, controller, relationships)

    cases = [
        ("did:web:cuni.cz", key("did:web:cuni.cz#k", "did:web:cuni.cz", assertion), True),
        ("did:web:cuni.cz", key("did:web:cuni.cz#k", "did:web:cuni.cz", frozenset({"authentication"})), False),
        ("did:web:cuni.cz", key("did:web:cuni.cz:mc#k", "did:web:cuni.cz:mc", assertion), False),
        ("did:web:cuni.cz:mc", key("did:web:cuni.cz#k", "did:web:cuni.cz", assertion), False),
        ("did:web:CUNI.cz", key("did:web:cuni.cz#k", "did:web:cuni.cz", assertion), False),
        (did_key_id, key(f"{did_key_id}#{did_key_id[8:]}", did_key_id, assertion), True),
        (did_key_id, key("https://cuni.cz/keys/1", "https://cuni.cz"), False),
        ("did:web:cuni.cz", key("https://cuni.cz/keys/1", "https://cuni.cz"), True),
        ("did:web:cuni.cz:mc:issuer", key("https://CUNI.cz:443/keys/1#k", "https://cuni.cz"), True),
        ("did:web:cuni.cz", key("https://www.cuni.cz/keys/1", "https://www.cuni.cz"), False),
        ("did:web:cuni.cz", key("https://cuni.cz:8443/keys/1", "https://cuni.cz:8443"), False),
        ("did:web:cuni.cz%3A8443", key("https://cuni.cz:8443/keys/1", "https://cuni.cz:8443"), True),
        ("did:web:cuni.cz%3A8443", key("https://cuni.cz/keys/1", "https://cuni.cz"), False),
        ("did:web:cuni.cz", key("http://cuni.cz/keys/1", "http://cuni.cz"), False),
        ("https://cuni.cz", key("https://cuni.cz/keys/1", "https://cuni.cz"), True),
        ("https://cuni.cz/issuers/mff", key("https://Cuni.CZ:443/keys/1", "https://cuni.cz"), True),
        ("https://cuni.cz", key("https://cuni.cz.evil.example/keys/1", "https://cuni.cz.evil.example"), False),
        ("https://cuni.cz", key("https://evil.example/cuni.cz", "https://evil.example"), False),
        ("https://cuni.cz", key("https://cuni.cz:8443/keys/1", "https://cuni.cz:8443"), False),
        ("https://cuni.cz", key("did:web:cuni.cz#k", "did:web:cuni.cz", assertion), False),
        ("http://cuni.cz", key("http://cuni.cz/keys/1", "http://cuni.cz"), False),
        ("https://user@cuni.cz", key("https://cuni.cz/keys/1", "https://cuni.cz"), False),
        ("urn:uuid:0d6c8b1e-3c3a-4c9a-8a43-0b3b6f2c0e11", key("https://cuni.cz/keys/1", "https://cuni.cz"), False),
        ("", key("did:web:cuni.cz#k", "did:web:cuni.cz", assertion), False),
    ]
    for issuer, resolved, expected in cases:
        assert issuer_id_matches_kid(issuer, resolved) is expected, (issuer, resolved.method_id)


# --- where resolution may connect -----------------------------------------------------------------


def test_did_web_by_name_reaches_only_allowed_internal_hosts(site: Running, ed_key: Key) -> None:
    # A real host name (resolved by the fetcher's resolver, no system DNS) and no allow_ip_hosts.
    did = f"did:web:issuer.{NAME}%3A{site.port}"
    publish(site, did, did_web_document(did, [("k", ed_key.public)]))
    answers = {f"issuer.{NAME}": ["127.0.0.1"]}

    def lookup(host: str, port: int) -> list[str]:
        return answers[host]

    with HttpsFetcher(timeout=2.0, ca_bundle=site.ca_bundle, resolver=lookup) as default:
        assert resolution_code(DefaultResolver(default).resolve_key, f"{did}#k") == "http.network"
        assert resolution_code(DefaultResolver(default).resolve_key, site.url("/.well-known/did.json")) == (
            "resolution.invalid_kid"  # an IP host, before anything is fetched
        )
    assert site.site.hits["/.well-known/did.json"] == 0
    allowed = HttpsFetcher(timeout=2.0, ca_bundle=site.ca_bundle, resolver=lookup, allow_hosts=[f"issuer.{NAME}"])
    with allowed:
        assert DefaultResolver(allowed).resolve_key(f"{did}#k").key == ed_key.public
    answers[f"issuer.{NAME}"] = ["169.254.169.254"]  # the name now points at a metadata service
    with HttpsFetcher(timeout=2.0, ca_bundle=site.ca_bundle, resolver=lookup) as default:
        assert resolution_code(DefaultResolver(default, cache_ttl=0).resolve_key, f"{did}#k") == "http.network"


@pytest.mark.parametrize(
    "kid",
    [
        "https://čuni.cz/keys.json#key-1",
        "https://keys.čuni.cz/key.json",
        "https://xn--uni-9na.cz.ｃｚ/key.json",
    ],
)
def test_https_kids_with_non_ascii_hosts_are_refused(kid: str) -> None:
    class Refusing:
        def fetch(self, url: str) -> bytes:
            raise AssertionError(f"fetched {url}")

    with pytest.raises(ResolutionError) as caught:
        DefaultResolver(Refusing()).resolve_key(kid)
    assert caught.value.code == "resolution.invalid_kid"
    assert "internationalised" in caught.value.message or "not a valid URL" in caught.value.message


def test_did_web_with_a_non_ascii_domain_is_refused() -> None:
    assert resolution_code(did_web_url, "did:web:čuni.cz") == "resolution.invalid_did"
