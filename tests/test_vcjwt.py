"""Signing and strict verification: every verification rule has a test that makes it fail."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from czmc import MicroCredential, SigningError, jws, ob3, vcdm
from czmc import _b64 as b64
from czmc.checks import CheckStatus
from czmc.did import DefaultResolver, did_jwk, did_key, did_web_document
from czmc.keys import Algorithm, Key
from czmc.vcjwt import Format, issue, registered_claims, sign
from czmc.verification import CHECK_NAMES, verify
from tests.conftest import FULL

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _issuer_key(alg: Algorithm = Algorithm.EDDSA) -> tuple[Key, str]:
    key = Key.generate(alg, rsa_bits=2048)
    if alg.kind == "RSA":
        identifier = "did:web:issuer.example.cz"
        return key.with_kid(f"{identifier}#{key.public.thumbprint}"), identifier
    identifier = did_key(key.public)
    return key.with_kid(f"{identifier}#{identifier.removeprefix('did:key:')}"), identifier


def _credential(issuer: str, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(FULL)
    data["issuer"]["id"] = issuer
    data.update(changes)
    return ob3.to_credential(MicroCredential.model_validate(data))


@pytest.fixture(scope="module")
def issuer() -> tuple[Key, str]:
    return _issuer_key()


def _failed(result: Any) -> list[tuple[str, str]]:
    return [(check.name, check.code) for check in result.checks if check.status is CheckStatus.FAILED]


@pytest.mark.parametrize("alg", list(Algorithm))
@pytest.mark.parametrize("fmt", list(Format))
def test_signed_credentials_verify(alg: Algorithm, fmt: Format) -> None:
    key, identifier = _issuer_key(alg)
    credential = _credential(identifier)
    token = sign(credential, key, format=fmt)
    documents = [did_web_document(identifier, [(key.kid, key.public)])] if alg.kind == "RSA" else []
    result = verify(token, resolver=DefaultResolver(documents=documents), now=NOW)
    assert result.valid, _failed(result)
    assert [check.name for check in result.checks] == list(CHECK_NAMES)
    assert all(check.status is CheckStatus.PASSED for check in result.checks)
    assert result.format is fmt
    assert result.kid == key.kid
    assert result.microcredential() == ob3.from_credential(credential)


def test_ob3_token_shape(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    credential = _credential(identifier)
    parsed = jws.parse(sign(credential, key))
    assert parsed.header == {"alg": "EdDSA", "kid": key.kid, "typ": "JWT"}
    claims = {name: parsed.payload.pop(name) for name in ("iss", "jti", "nbf", "sub")}
    assert parsed.payload == credential
    assert claims == {
        "iss": identifier,
        "jti": credential["id"],
        "nbf": int(datetime(2025, 2, 3, 9, tzinfo=UTC).timestamp()),
        "sub": credential["credentialSubject"]["id"],
    }


def test_vc_jose_cose_and_legacy_shapes(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    credential = _credential(identifier)
    modern = jws.parse(sign(credential, key, format="vc-jose-cose"))
    assert modern.header == {"alg": "EdDSA", "kid": key.kid, "typ": "vc+jwt", "cty": "vc"}
    assert modern.payload == credential
    legacy = jws.parse(sign(credential, key, format="vc1"))
    assert legacy.payload["vc"] == vcdm.to_vc11(credential)
    assert legacy.payload["vc"]["@context"][0] == vcdm.VC1_CONTEXT
    assert legacy.payload["vc"]["issuanceDate"] == credential["validFrom"]
    assert "validFrom" not in legacy.payload["vc"]
    assert set(legacy.payload) == {"vc", "iss", "jti", "nbf", "sub"}


def test_exp_follows_valid_until(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    credential = _credential(identifier, valid_until="2026-02-03T09:00:00Z")
    assert registered_claims(credential)["exp"] == int(datetime(2026, 2, 3, 9, tzinfo=UTC).timestamp())
    token = sign(credential, key)
    assert verify(token, now=NOW).valid
    expired = verify(token, now=datetime(2026, 2, 3, 9, tzinfo=UTC))
    assert _failed(expired) == [("time", "time.expired")]
    assert verify(token, now=datetime(2026, 2, 3, 9, tzinfo=UTC), leeway=timedelta(seconds=5)).valid


def test_not_yet_valid_and_leeway(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    token = sign(_credential(identifier), key)
    issued = datetime(2025, 2, 3, 9, tzinfo=UTC)
    assert _failed(verify(token, now=issued - timedelta(seconds=30))) == [("time", "time.not_yet_valid")]
    assert verify(token, now=issued - timedelta(seconds=30), leeway=timedelta(seconds=30)).valid
    assert verify(token, now=lambda: issued).valid


def test_issue_renders_and_signs(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    data = copy.deepcopy(FULL)
    data["issuer"]["id"] = identifier
    mc = MicroCredential.model_validate(data)
    first, second = issue(mc, key), issue(mc, key)
    assert first == second
    assert verify(first, now=NOW).microcredential() == mc


def test_ob3_needs_a_subject_id(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    credential = _credential(identifier, learner={"email": "a@example.cz", "email_salt": "00"})
    with pytest.raises(SigningError) as caught:
        sign(credential, key)
    assert caught.value.code == "proof.sub_missing"
    assert verify(sign(credential, key, format="vc-jose-cose"), now=NOW).valid


def _forge(
    header: dict[str, Any], payload: dict[str, Any], key: Key | None = None, signature: bytes | None = None
) -> str:
    header_b64 = jws.encode_header(header)
    if key is not None:
        return jws.sign(header_b64, payload, key)
    body = b64.encode(json.dumps(payload).encode())
    return f"{header_b64.decode()}.{body}.{b64.encode(signature or b'x' * 64)}"


def _payload(credential: dict[str, Any]) -> dict[str, Any]:
    return {**credential, **registered_claims(credential)}


def test_tampered_payload_fails_the_signature(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    token = sign(_credential(identifier), key)
    header, payload, signature = token.split(".")
    data = json.loads(b64.decode(payload))
    data["credentialSubject"]["result"][0]["value"] = "A"
    tampered = ".".join([header, b64.encode(json.dumps(data).encode()), signature])
    assert _failed(verify(tampered, now=NOW)) == [("signature", "signature.invalid")]
    flipped = payload[:100] + ("A" if payload[100] != "A" else "B") + payload[101:]
    assert _failed(verify(".".join([header, flipped, signature]), now=NOW))[0][0] in {"token", "signature"}


def test_other_key_with_the_issuers_kid_fails(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    impostor = Key.generate().with_kid(key.kid)
    token = sign(_credential(identifier), impostor)
    assert _failed(verify(token, now=NOW)) == [("signature", "signature.invalid")]


@pytest.mark.parametrize("alg", ["none", "HS256", "RS512", "ES256K", None])
def test_unsupported_algorithms_are_refused(issuer: tuple[Key, str], alg: str | None) -> None:
    key, identifier = issuer
    header = {"kid": key.kid, "typ": "JWT"} | ({"alg": alg} if alg else {})
    token = _forge(header, _payload(_credential(identifier)))
    assert _failed(verify(token, now=NOW)) == [("algorithm", "alg.unsupported")]


def test_unsigned_token_is_refused(issuer: tuple[Key, str]) -> None:
    _key, identifier = issuer
    token = _forge({"alg": "none", "typ": "JWT"}, _payload(_credential(identifier)))
    unsigned = token.rsplit(".", 1)[0] + "."
    assert _failed(verify(unsigned, now=NOW)) == [("token", "jws.syntax")]


def test_allow_list_narrowing(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    token = sign(_credential(identifier), key)
    assert _failed(verify(token, now=NOW, algorithms=["RS256"])) == [("algorithm", "alg.not_allowed")]


def test_algorithm_must_fit_the_key(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    token = _forge({"alg": "ES256", "kid": key.kid, "typ": "JWT"}, _payload(_credential(identifier)))
    assert _failed(verify(token, now=NOW)) == [("signature", "alg.key_mismatch")]


def test_kid_of_another_did_fails_the_binding(issuer: tuple[Key, str]) -> None:
    _key, identifier = issuer
    attacker, attacker_did = _issuer_key()
    token = sign(_credential(identifier), attacker)
    assert attacker_did != identifier
    assert _failed(verify(token, now=NOW)) == [("key_binding", "key.not_issuer")]


def test_did_jwk_issuer(issuer: tuple[Key, str]) -> None:
    key = Key.generate(Algorithm.ES256)
    identifier = did_jwk(key.public)
    token = sign(_credential(identifier), key.with_kid(identifier + "#0"))
    assert verify(token, now=NOW).valid


def test_relative_kid_resolves_against_the_issuer_did(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    token = sign(_credential(identifier), key.with_kid("#" + identifier.removeprefix("did:key:")))
    assert verify(token, now=NOW).valid


def test_embedded_jwk_needs_explicit_trust(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    attacker = Key.generate()
    injected = sign(_credential(identifier), attacker, embed_jwk=True)
    assert _failed(verify(injected, now=NOW)) == [("key", "key.untrusted_embedded")]
    trusted_elsewhere = verify(injected, now=NOW, trusted_keys={"did:web:other.cz": [attacker.public]})
    assert _failed(trusted_elsewhere) == [("key", "key.untrusted_embedded")]
    own = sign(_credential(identifier), key, embed_jwk=True)
    assert verify(own, now=NOW, trusted_keys={identifier: [key.public]}).valid


@pytest.mark.parametrize("member", ["jku", "x5u", "x5c"])
def test_key_url_headers_are_refused(issuer: tuple[Key, str], member: str) -> None:
    key, _identifier = issuer
    token = _forge({"alg": "EdDSA", "kid": key.kid, "typ": "JWT", member: "https://evil.example/k"}, {}, key)
    assert _failed(verify(token, now=NOW)) == [("header", "header.key_url")]


@pytest.mark.parametrize(
    ("header", "code"),
    [
        ({"typ": "vc+ld+json"}, "header.typ"),
        ({"cty": "vc"}, "header.unexpected"),
        ({"b64": False}, "header.unexpected"),
        ({"kid": None}, "header.key"),
    ],
)
def test_header_rules(issuer: tuple[Key, str], header: dict[str, Any], code: str) -> None:
    key, identifier = issuer
    full = {"alg": "EdDSA", "kid": key.kid, "typ": "JWT", **header}
    if full["kid"] is None:
        del full["kid"]
    token = _forge(full, _payload(_credential(identifier)), key)
    assert _failed(verify(token, now=NOW)) == [("header", code)]


def test_oversized_token(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    token = sign(_credential(identifier), key)
    assert _failed(verify(token, now=NOW, max_token_bytes=1000)) == [("token", "jws.too_large")]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (lambda p: p.update(iss="did:web:other.cz"), "'iss'"),
        (lambda p: p.update(jti="urn:uuid:00000000-0000-4000-8000-000000000000"), "'jti'"),
        (lambda p: p.update(sub="did:web:someone.cz"), "'sub'"),
        (lambda p: p.update(nbf=p["nbf"] + 1), "'nbf'"),
        (lambda p: p.pop("nbf"), "'nbf' is missing"),
        (lambda p: p.update(exp=p["nbf"] + 10), "'exp' is present"),
        (lambda p: p.update(nbf=p["nbf"] + 0.5), "'nbf'"),
        (lambda p: p.update(nbf=str(p["nbf"])), "NumericDate"),
        (lambda p: p.update(nbf=True), "NumericDate"),
    ],
)
def test_claims_must_agree_with_the_credential(
    issuer: tuple[Key, str], change: Callable[[dict[str, Any]], object], fragment: str
) -> None:
    key, identifier = issuer
    payload = _payload(_credential(identifier))
    change(payload)
    result = verify(_forge({"alg": "EdDSA", "kid": key.kid, "typ": "JWT"}, payload, key), now=NOW)
    assert ("claims", "claims.mismatch") in _failed(result)
    assert fragment in result.check("claims").message


def test_vc_jose_cose_must_not_carry_a_vc_claim(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    credential = _credential(identifier)
    token = _forge({"alg": "EdDSA", "kid": key.kid, "typ": "vc+jwt"}, {**credential, "vc": {}}, key)
    assert ("claims", "claims.mismatch") in _failed(verify(token, now=NOW))


def test_did_web_without_network_or_document_does_not_resolve() -> None:
    key, identifier = _issuer_key(Algorithm.RS256)
    token = sign(_credential(identifier), key)
    result = verify(token, now=NOW)
    assert _failed(result) == [("key", "resolution.offline")]
    assert [check.status for check in result.checks[4:]] == [CheckStatus.SKIPPED] * (len(CHECK_NAMES) - 4)


def test_content_checks_report_every_problem(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    credential = _credential(identifier)
    credential["credentialSubject"]["achievement"]["particpationForm"] = "Online"
    credential["credentialSubject"]["achievement"]["creditPoint"]["point"] = "70"
    result = verify(sign(credential, key), now=NOW)
    assert {name for name, _ in _failed(result)} == {"jsonld", "schema", "profile"}
    assert not result.valid
    assert result.check("profile").code == "profile.not_conforming"
    paths = {issue.path for issue in result.issues}
    assert "/credentialSubject/achievement/particpationForm" in paths
    assert "/credentialSubject/achievement/creditPoint/point" in paths
    relaxed = verify(sign(credential, key), now=NOW, check_jsonld=False, check_schema=False, check_profile=False)
    assert relaxed.valid
    assert [c.required for c in relaxed.checks][-3:] == [False, False, False]
    with pytest.raises(Exception, match="not valid"):
        result.microcredential()


def test_garbage_never_raises() -> None:
    tokens: list[str | bytes] = ["", ".", "a.b.c", "e30.e30.", "e30.e30.e30", "x" * 10, b"\xff.\xff.\xff"]
    for token in tokens:
        result = verify(token, now=NOW)
        assert not result.valid
        assert result.failures
    assert _failed(verify("e30.e30.e30", now=NOW)) == [("header", "header.key")]


def test_result_serialises(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    data = verify(sign(_credential(identifier), key), now=NOW).to_dict()
    assert data["valid"] is True
    assert [check["name"] for check in data["checks"]] == list(CHECK_NAMES)
    json.dumps(data)


def test_vc_jose_cose_header_iss_must_be_the_issuer(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    credential = _credential(identifier)
    token = _forge({"alg": "EdDSA", "kid": key.kid, "typ": "vc+jwt", "iss": "did:web:other.cz"}, credential, key)
    assert ("claims", "claims.mismatch") in _failed(verify(token, now=NOW))
    good = _forge({"alg": "EdDSA", "kid": key.kid, "typ": "vc+jwt", "iss": identifier}, credential, key)
    assert verify(good, now=NOW).valid


@pytest.mark.parametrize(("depth", "failed"), [(100, "payload.too_deep"), (400, "jws.too_deep")])
def test_deeply_nested_token_is_a_failed_check(issuer: tuple[Key, str], depth: int, failed: str) -> None:
    key, identifier = issuer
    payload = _payload(_credential(identifier))
    nested: Any = []
    for _ in range(depth):
        nested = [nested]
    payload["deep"] = nested
    header = jws.encode_header({"alg": "EdDSA", "kid": key.kid, "typ": "JWT"})
    compact = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    result = verify(jws.sign(header, compact, key), now=NOW)
    assert failed in {code for _name, code in _failed(result)}
    assert not result.valid


def test_bind_key_derives_or_refuses_key_ids() -> None:
    from czmc.vcjwt import bind_key

    key = Key.generate()
    did_key_id = did_key(key.public)
    assert bind_key(key, did_key_id).kid == f"{did_key_id}#{did_key_id.removeprefix('did:key:')}"
    assert bind_key(key, did_jwk(key.public)).kid == did_jwk(key.public) + "#0"
    assert bind_key(key, "did:web:muni.cz").kid == f"did:web:muni.cz#{key.public.thumbprint}"
    assert bind_key(key, "https://muni.cz", "https://muni.cz/keys/1.jwk").kid == "https://muni.cz/keys/1.jwk"
    for issuer, kid, code in [
        ("https://muni.cz", None, "proof.kid"),
        ("did:web:muni.cz", "did:web:cuni.cz#k", "proof.kid_issuer"),
        ("did:web:muni.cz", "https://evil.example/k.jwk", "proof.kid_issuer"),
        ("https://muni.cz", "https://muni.cz.evil.example/k.jwk", "proof.kid_issuer"),
    ]:
        with pytest.raises(SigningError) as caught:
            bind_key(key, issuer, kid)
        assert caught.value.code == code
