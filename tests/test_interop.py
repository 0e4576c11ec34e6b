"""Interoperability with independent JOSE implementations, both ways: Node's jose and did-jwt-vc.

- czmc signs (OB 3.0 and VC-JOSE-COSE forms) -> jose verifies signature, header and payload;
  czmc signs the legacy VC 1.1 ``vc``-claim form -> did-jwt-vc verifies it.
- jose signs OB 3.0 and VC-JOSE-COSE JWTs, did-jwt-vc (and did-jwt) sign ``vc``-claim JWTs ->
  czmc verifies them.
- Forged and broken tokens, made with jose (the independent side) or by raw byte surgery, fail
  czmc's verification at exactly the check the attack targets, and jose agrees wherever it
  has an opinion.

The Node side is ``tests/interop/`` (versions pinned by its ``package-lock.json``). Each script
reads a JSON array of cases on stdin and writes one result per case, so a group of cases costs
one ``node`` process. DIDs (did:key, did:jwk) are derived and resolved offline on the Node side,
independently of czmc.
"""

from __future__ import annotations

import base64
import copy
import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

from czmc import InvalidKeyError, did, vcdm, vcjwt, verification
from czmc.keys import Key, PublicKey

INTEROP = Path(__file__).resolve().parent / "interop"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "credentials"
NODE = shutil.which("node")

pytestmark = pytest.mark.skipif(
    NODE is None, reason="Node.js is not installed: the interop tests run jose and did-jwt-vc under `node`"
)

NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
NOW_SECONDS = int(NOW.timestamp())
ALGS = ("EdDSA", "ES256", "RS256", "PS256")
DID_KEY_ALGS = ("EdDSA", "ES256")  # RSA has no did:key form; RSA issuers use did:jwk
VC1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
LEARNER = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"

Node = Callable[[str, list[dict[str, Any]]], list[dict[str, Any]]]


# --- the Node side ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def run_node() -> Node:
    """Runs a tests/interop script on a batch of cases (``npm ci`` first if node_modules is missing)."""
    assert NODE is not None
    if not (INTEROP / "node_modules" / ".package-lock.json").is_file():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("node is installed but npm is not; install npm and run `npm ci --prefix tests/interop`")
        installed = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=INTEROP,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        assert installed.returncode == 0, f"npm ci in {INTEROP} failed:\n{installed.stderr}"

    def run(script: str, cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        done = subprocess.run(
            [NODE, script],
            cwd=INTEROP,
            input=json.dumps(cases),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, f"node {script} failed:\n{done.stderr}"
        results: list[dict[str, Any]] = json.loads(done.stdout)
        assert len(results) == len(cases)
        return results

    return run


# --- keys, DIDs and credentials ---------------------------------------------------------------


@dataclass(frozen=True)
class Party:
    """A key holder: its DID, the DID URL its tokens name as ``kid``, and its JWKs."""

    alg: str
    did: str
    private_jwk: dict[str, Any] = field(repr=False)
    public_jwk: dict[str, Any]

    @property
    def kid(self) -> str:
        if self.did.startswith("did:key:"):
            return f"{self.did}#{self.did.removeprefix('did:key:')}"
        return f"{self.did}#0"

    @property
    def key(self) -> Key:
        """czmc's view of the private key, named by :attr:`kid`."""
        return Key.from_jwk(self.private_jwk, alg=self.alg).with_kid(self.kid)

    @property
    def public(self) -> PublicKey:
        return PublicKey.from_jwk(self.public_jwk)


def czmc_party(alg: str, method: str) -> Party:
    key = Key.generate(alg, rsa_bits=2048)
    identifier = did.did_key(key.public) if method == "key" else did.did_jwk(key.public)
    return Party(alg, identifier, key.private_jwk(), key.public.jwk())


@pytest.fixture(scope="module")
def czmc_parties() -> dict[tuple[str, str], Party]:
    """Keys made by czmc, by (alg, DID method)."""
    methods = {alg: ("key", "jwk") if alg in DID_KEY_ALGS else ("jwk",) for alg in ALGS}
    return {(alg, method): czmc_party(alg, method) for alg in ALGS for method in methods[alg]}


@pytest.fixture(scope="module")
def jose_keys(run_node: Node) -> dict[str, list[dict[str, Any]]]:
    """Two key pairs per algorithm made by jose (issuer, attacker), with the DIDs Node derives."""
    results = run_node("jose-keys.mjs", [{"alg": alg} for alg in ALGS for _ in range(2)])
    assert all(result["ok"] for result in results), results
    return {alg: results[2 * index : 2 * index + 2] for index, alg in enumerate(ALGS)}


def jose_party(generated: dict[str, Any], alg: str, method: str = "default") -> Party:
    """did:key for EdDSA/ES256, did:jwk (members in jose's order) for RSA, unless ``method`` says."""
    if method == "default":
        method = "key" if alg in DID_KEY_ALGS else "jwk-as-exported"
    identifier = {
        "key": generated["didKey"],
        "jwk": generated["didJwk"],
        "jwk-as-exported": generated["didJwkAsExported"],
    }
    return Party(alg, identifier[method], generated["privateJwk"], generated["publicJwk"])


@cache
def _example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((EXAMPLES / f"{name}.credential.json").read_text(encoding="utf-8"))
    return document


def example(name: str) -> dict[str, Any]:
    """An example credential; ``<name>+validUntil`` adds an expiry (so OB 3.0 JWTs carry ``exp``)."""
    base, _, variant = name.partition("+")
    credential = copy.deepcopy(_example(base))
    if variant == "validUntil":
        credential["validUntil"] = "2030-06-30T23:59:59Z"
    return credential


EXAMPLE_NAMES = sorted(path.name.removesuffix(".credential.json") for path in EXAMPLES.glob("*.credential.json"))
# OB 3.0 JWTs need sub = credentialSubject.id; the other examples can only be VC-JOSE-COSE JWTs.
WITH_SUBJECT_ID = [name for name in EXAMPLE_NAMES if "id" in _example(name)["credentialSubject"]]
EXPIRING = f"{WITH_SUBJECT_ID[0]}+validUntil"


def issued_by(party: Party, name: str = WITH_SUBJECT_ID[0], **changes: Any) -> dict[str, Any]:
    credential = example(name)
    credential["issuer"]["id"] = party.did
    credential.update(changes)
    return credential


def seconds(date_time: str) -> int:
    return int(datetime.fromisoformat(date_time).timestamp())


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def jwt_claims(credential: dict[str, Any]) -> dict[str, Any]:
    """OB 3.0 section 8.2.4's claims, computed here rather than by czmc."""
    claims = {
        "iss": credential["issuer"]["id"],
        "jti": credential["id"],
        "sub": credential["credentialSubject"]["id"],
        "nbf": seconds(credential["validFrom"]),
    }
    if "validUntil" in credential:
        claims["exp"] = seconds(credential["validUntil"])
    return claims


def b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def segment(value: dict[str, Any]) -> str:
    return b64encode(json.dumps(value, separators=(",", ":")).encode())


def failed(result: verification.VerificationResult) -> list[tuple[str, str]]:
    return [(check.name, check.code) for check in result.failures]


# --- DIDs agree -------------------------------------------------------------------------------


@pytest.mark.parametrize("alg", ALGS)
def test_did_derivations_agree(run_node: Node, jose_keys: dict[str, list[dict[str, Any]]], czmc_parties, alg: str):
    """czmc and the Node side derive the same did:key and did:jwk from the same public keys."""
    czmc_keys = [party.public_jwk for (party_alg, _), party in czmc_parties.items() if party_alg == alg]
    derived = run_node("jose-keys.mjs", [{"jwk": jwk} for jwk in czmc_keys])
    for generated in [*jose_keys[alg], *derived]:
        public = PublicKey.from_jwk(generated["publicJwk"])
        assert did.did_jwk(public) == generated["didJwk"]
        assert did.parse_did_jwk(generated["didJwkAsExported"]) == public
        if alg in DID_KEY_ALGS:
            assert did.did_key(public) == generated["didKey"]
            assert did.parse_did_key(generated["didKey"]) == public
        else:
            assert generated["didKey"] is None
            with pytest.raises(InvalidKeyError):
                did.did_key(public)


# --- czmc signs, jose verifies ----------------------------------------------------------------

CZMC_SIGNED = [
    (alg, fmt, name)
    for alg in ALGS
    for fmt in ("ob3", "vc-jose-cose")
    for name in ([*WITH_SUBJECT_ID, EXPIRING] if fmt == "ob3" else EXAMPLE_NAMES)
]
TYP = {"ob3": "JWT", "vc-jose-cose": "vc+jwt"}


def issuer_of(parties: dict[tuple[str, str], Party], alg: str) -> Party:
    return parties[alg, "key" if alg in DID_KEY_ALGS else "jwk"]


@pytest.fixture(scope="module")
def czmc_signed(run_node: Node, czmc_parties) -> dict[tuple[str, str, str], tuple[dict[str, Any], Party, Any]]:
    """Every CZMC_SIGNED token, verified by jose in one batch: (credential, issuer, jose's result)."""
    signed = []
    for alg, fmt, name in CZMC_SIGNED:
        party = issuer_of(czmc_parties, alg)
        credential = issued_by(party, name)
        signed.append((credential, party, vcjwt.sign(credential, party.key, format=fmt)))
    cases = [
        {"token": token, "jwk": party.public_jwk, "alg": alg, "algorithms": [alg], "typ": TYP[fmt]}
        | {"currentDate": NOW_SECONDS, "api": "jwtVerify" if fmt == "ob3" else "compactVerify"}
        for (alg, fmt, _), (_, party, token) in zip(CZMC_SIGNED, signed, strict=True)
    ]
    results = run_node("jose-verify.mjs", cases)
    return {
        case: (credential, party, result)
        for case, (credential, party, _), result in zip(CZMC_SIGNED, signed, results, strict=True)
    }


@pytest.mark.parametrize(("alg", "fmt", "name"), CZMC_SIGNED)
def test_jose_verifies_czmc_tokens(czmc_signed, alg: str, fmt: str, name: str):
    credential, party, result = czmc_signed[alg, fmt, name]
    assert result["ok"], result["error"]
    if fmt == "ob3":
        assert result["header"] == {"alg": alg, "kid": party.kid, "typ": "JWT"}
        assert result["payload"] == {**credential, **jwt_claims(credential)}
    else:
        assert result["header"] == {"alg": alg, "kid": party.kid, "typ": "vc+jwt", "cty": "vc"}
        assert result["payload"] == credential


@pytest.mark.parametrize("alg", ALGS)
def test_jose_verifies_czmc_embedded_jwk(run_node: Node, czmc_parties, alg: str):
    """OB 3.0 lets the header carry the public JWK; jose's EmbeddedJWK verifies czmc's."""
    party = issuer_of(czmc_parties, alg)
    token = vcjwt.sign(issued_by(party), party.key, embed_jwk=True)
    options = {"algorithms": [alg], "typ": "JWT", "currentDate": NOW_SECONDS}
    [result] = run_node("jose-verify.mjs", [{"token": token, "embedded": True, **options}])
    assert result["ok"], result["error"]
    assert result["header"] == {"alg": alg, "jwk": party.public_jwk, "typ": "JWT"}
    # and czmc accepts it: the embedded key is the very key the issuer's did:key/did:jwk is made of
    verified = verification.verify(token, now=NOW)
    assert verified.valid, failed(verified)
    assert "made of" in verified.check("key_binding").message
    assert verification.verify(token, now=NOW, trusted_keys={party.did: [party.public]}).valid


def test_jose_checks_what_the_tests_rely_on(run_node: Node, czmc_parties):
    """The jose script's typ and algorithm checks are live: wrong expectations fail."""
    party = issuer_of(czmc_parties, "EdDSA")
    ob3 = vcjwt.sign(issued_by(party), party.key)
    vc_jose_cose = vcjwt.sign(issued_by(party), party.key, format="vc-jose-cose")
    base = {"jwk": party.public_jwk, "alg": "EdDSA", "currentDate": NOW_SECONDS}
    results = run_node(
        "jose-verify.mjs",
        [
            {**base, "token": ob3, "algorithms": ["EdDSA"], "typ": "vc+jwt"},
            {**base, "token": vc_jose_cose, "algorithms": ["EdDSA"], "typ": "JWT"},
            {**base, "token": ob3, "algorithms": ["ES256", "RS256"], "typ": "JWT"},
            {**base, "token": ob3[:-2] + ("AA" if ob3[-2:] != "AA" else "QQ"), "algorithms": ["EdDSA"], "typ": "JWT"},
        ],
    )
    assert [result["error"]["code"] for result in results] == [
        "ERR_JWT_CLAIM_VALIDATION_FAILED",
        "ERR_JWT_CLAIM_VALIDATION_FAILED",
        "ERR_JOSE_ALG_NOT_ALLOWED",
        "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    ]


def test_many_czmc_es256_signatures_verify_elsewhere(run_node: Node, czmc_parties):
    """ECDSA signatures vary (high or low s, short r or s): 24 tokens through jose and through did-jwt."""
    party = issuer_of(czmc_parties, "ES256")
    credentials = [issued_by(party, id=f"urn:uuid:00000000-0000-4000-8000-{index:012d}") for index in range(24)]
    ob3 = [vcjwt.sign(credential, party.key) for credential in credentials]
    vc1 = [vcjwt.sign(credential, party.key, format="vc1") for credential in credentials]
    jose = run_node(
        "jose-verify.mjs",
        [
            {
                "token": token,
                "jwk": party.public_jwk,
                "alg": "ES256",
                "algorithms": ["ES256"],
                "currentDate": NOW_SECONDS,
            }
            for token in ob3
        ],
    )
    policies = {"now": NOW_SECONDS, "format": False}
    did_jwt = run_node("didjwtvc-verify.mjs", [{"token": token, "policies": policies} for token in vc1])
    assert [result["ok"] for result in jose + did_jwt] == [True] * 48


# --- czmc signs the VC 1.1 form, did-jwt-vc verifies ------------------------------------------

DID_JWT_ISSUERS = [(alg, method) for alg in DID_KEY_ALGS for method in ("key", "jwk")]


@pytest.mark.parametrize(("alg", "method"), DID_JWT_ISSUERS)
def test_didjwtvc_verifies_czmc_vc1(run_node: Node, czmc_parties, alg: str, method: str):
    party = czmc_parties[alg, method]
    credential = issued_by(party)
    token = vcjwt.sign(credential, party.key, format="vc1")
    lenient, default = run_node(
        "didjwtvc-verify.mjs",
        [{"token": token, "policies": {"now": NOW_SECONDS, "format": False}}, {"token": token}],
    )
    assert lenient["ok"], lenient["error"]
    assert (lenient["issuer"], lenient["signer"]) == (party.did, party.kid)
    legacy = vcdm.to_vc11(credential)  # czmc's vc1 output is a VC Data Model 1.1 credential
    assert lenient["payload"] == {"vc": legacy, **jwt_claims(credential)}
    normalized = lenient["credential"]  # did-jwt-vc's W3C reading of the JWT
    assert normalized["issuer"] == {"id": party.did}
    assert (normalized["id"], normalized["type"], normalized["@context"]) == (
        credential["id"],
        credential["type"],
        legacy["@context"],
    )
    assert normalized["credentialSubject"] == credential["credentialSubject"]
    assert normalized["issuanceDate"] == credential["validFrom"].replace("Z", ".000Z")
    # did-jwt-vc's default policies (the format policy insists on the VC 1.1 base context) accept it
    assert default["ok"], default["error"]
    assert default["credential"]["@context"][0] == VC1_CONTEXT


def test_didjwtvc_refuses_what_czmc_refuses(run_node: Node, czmc_parties):
    """Tampered, wrongly signed and expired vc1 tokens: did-jwt-vc and czmc both say no."""
    party, other = czmc_parties["EdDSA", "key"], czmc_parties["EdDSA", "jwk"]
    credential = issued_by(party)
    token = vcjwt.sign(credential, party.key, format="vc1")
    header, payload, signature = token.split(".")
    tampered = f"{header}.{segment({**json.loads(b64decode(payload)), 'jti': 'urn:uuid:forged'})}.{signature}"
    wrong_key = vcjwt.sign(credential, other.key.with_kid(party.kid), format="vc1")
    expired = vcjwt.sign(issued_by(party, validUntil=iso(NOW - timedelta(days=1))), party.key, format="vc1")
    policies = {"now": NOW_SECONDS, "format": False}
    results = run_node("didjwtvc-verify.mjs", [{"token": item, "policies": policies} for item in (tampered, wrong_key)])
    [late] = run_node("didjwtvc-verify.mjs", [{"token": expired, "policies": policies}])
    assert [result["error"]["message"].split(":")[0] for result in results] == ["invalid_signature"] * 2
    assert late["error"]["message"].startswith("invalid_jwt: JWT has expired")
    assert failed(verification.verify(tampered, now=NOW)) == [("signature", "signature.invalid")]
    assert failed(verification.verify(wrong_key, now=NOW)) == [("signature", "signature.invalid")]
    assert failed(verification.verify(expired, now=NOW)) == [("time", "time.expired")]


def test_didjwt_reads_czmc_did_key_documents(run_node: Node, czmc_parties):
    """did-jwt finds the key in the DID document czmc writes for a did:key (Multikey)."""
    party = czmc_parties["ES256", "key"]
    token = vcjwt.sign(issued_by(party), party.key, format="vc1")
    documents = {party.did: did.did_key_document(party.did)}
    [result] = run_node(
        "didjwtvc-verify.mjs", [{"token": token, "policies": {"format": False}, "documents": documents}]
    )
    assert result["ok"], result["error"]
    assert result["signer"] == party.kid


def test_didjwt_reads_czmc_did_jwk_documents(run_node: Node, czmc_parties):
    party = czmc_parties["EdDSA", "jwk"]
    token = vcjwt.sign(issued_by(party), party.key, format="vc1")
    documents = {party.did: did.did_jwk_document(party.did)}
    [result] = run_node(
        "didjwtvc-verify.mjs", [{"token": token, "policies": {"format": False}, "documents": documents}]
    )
    assert result["ok"], result["error"]


@pytest.mark.parametrize("method_type", ["JsonWebKey2020", "JsonWebKey"])
def test_didjwt_reads_czmc_did_web_documents(run_node: Node, czmc_parties, method_type: str):
    """The did:web document czmc writes for an issuer to publish, as did-jwt reads it (offline)."""
    party = czmc_parties["ES256", "key"]
    issuer = "did:web:issuer.example.cz"
    document = did.did_web_document(issuer, [("key-1", party.public)])
    assert document["verificationMethod"][0]["type"] == "JsonWebKey"
    document["verificationMethod"][0]["type"] = method_type
    credential = issued_by(party)
    credential["issuer"]["id"] = issuer
    token = vcjwt.sign(credential, party.key.with_kid(f"{issuer}#key-1"), format="vc1")
    assert verification.verify(token, now=NOW, resolver=did.DefaultResolver(documents=[document])).valid
    policies = {"now": NOW_SECONDS, "format": False}
    [result] = run_node(
        "didjwtvc-verify.mjs", [{"token": token, "policies": policies, "documents": {issuer: document}}]
    )
    assert result["ok"], result["error"]
    # did-jwt knows only JsonWebKey2020: with the first method retyped it matches that one, otherwise
    # the compatibility copy czmc lists beside every JsonWebKey method.
    assert result["signer"] == (f"{issuer}#key-1" if method_type == "JsonWebKey2020" else f"{issuer}#key-1-2020")


# --- jose signs, czmc verifies ----------------------------------------------------------------

JOSE_SIGNED = [(alg, form, name) for alg in ALGS for form in ("ob3", "vc-jose-cose") for name in WITH_SUBJECT_ID]


@pytest.fixture(scope="module")
def jose_signed(run_node: Node, jose_keys) -> dict[tuple[str, str, str], tuple[Party, dict[str, Any], Any]]:
    """Every JOSE_SIGNED token: (issuer, the payload jose was given, jose-sign's result)."""
    cases, meta = [], []
    for alg, form, name in JOSE_SIGNED:
        party = jose_party(jose_keys[alg][0], alg)
        credential = issued_by(party, name)
        if form == "ob3":  # SignJWT sets the registered claims with its own setters
            header = {"alg": alg, "kid": party.kid, "typ": "JWT"}
            cases.append({"header": header, "payload": credential, "claims": jwt_claims(credential)})
            payload = {**credential, **jwt_claims(credential)}
        else:
            header = {"alg": alg, "kid": party.kid, "typ": "vc+jwt", "cty": "vc"}
            cases.append({"header": header, "payload": credential})
            payload = credential
        cases[-1]["jwk"] = party.private_jwk
        meta.append((party, payload))
    results = run_node("jose-sign.mjs", cases)
    return {case: (*info, result) for case, info, result in zip(JOSE_SIGNED, meta, results, strict=True)}


@pytest.mark.parametrize(("alg", "form", "name"), JOSE_SIGNED)
def test_czmc_verifies_jose_tokens(jose_signed, alg: str, form: str, name: str):
    party, payload, signed = jose_signed[alg, form, name]
    assert signed["ok"], signed["error"]
    result = verification.verify(signed["token"], now=NOW)
    assert result.valid, failed(result)
    assert (result.format, result.kid) == (vcjwt.Format(form), party.kid)
    assert result.credential == payload


# --- did-jwt-vc and did-jwt sign vc-claim JWTs, czmc verifies ---------------------------------


def vc11_credential(party: Party, **changes: Any) -> dict[str, Any]:
    """A VC Data Model 1.1 credential, the only kind did-jwt-vc's createVerifiableCredentialJwt accepts."""
    return {
        "@context": [VC1_CONTEXT],
        "id": "urn:uuid:5e1c4a36-8a0e-4d59-9d3b-6b5f0c6f2a01",
        "type": ["VerifiableCredential"],
        "issuer": party.did,
        "issuanceDate": "2025-03-01T08:00:00Z",
        "credentialSubject": {"id": LEARNER, "name": "Jana Nováková"},
        **changes,
    }


CONTENT_CHECKS_OFF: dict[str, Any] = {"check_jsonld": False, "check_schema": False, "check_profile": False}


@pytest.mark.parametrize(("alg", "method"), [(alg, method) for alg in DID_KEY_ALGS for method in ("key", "jwk")])
@pytest.mark.parametrize("remove_original_fields", [True, False])
def test_czmc_verifies_didjwtvc_credentials(run_node: Node, jose_keys, alg, method, remove_original_fields):
    """A VC 1.1 credential signed by createVerifiableCredentialJwt: the signature, key binding,
    claims and times verify; czmc reads the credential back exactly (VC 1.1 section 6.3.1)."""
    party = jose_party(jose_keys[alg][0], alg, method)
    credential = vc11_credential(party)
    case = {"credential": credential, "jwk": party.private_jwk, "did": party.did, "kid": party.kid}
    [signed] = run_node("didjwtvc-create.mjs", [case | {"removeOriginalFields": remove_original_fields}])
    assert signed["ok"], signed["error"]
    result = verification.verify(signed["token"], now=NOW, **CONTENT_CHECKS_OFF)
    assert result.valid, failed(result)
    assert (result.format, result.kid) == (vcjwt.Format.VC1, party.kid)
    assert result.credential == credential
    # czmc's content checks are for OB 3.0 micro-credentials; a bare VC 1.1 credential fails only those
    full = verification.verify(signed["token"], now=NOW)
    assert {name for name, _ in failed(full)} <= {"jsonld", "schema", "model"}
    assert full.check("signature").status is vcjwt.CheckStatus.PASSED


def ob3_in_vc_claim(party: Party, *, strip: tuple[str, ...]) -> dict[str, Any]:
    """A JWT payload with an OB 3.0 credential in ``vc`` and the members in ``strip`` left to the claims."""
    credential = issued_by(party)
    vc = copy.deepcopy(credential)
    if "id" in strip:
        del vc["id"]
    if "validFrom" in strip:
        del vc["validFrom"]
    if "credentialSubject.id" in strip:
        del vc["credentialSubject"]["id"]
    if "issuer.id" in strip:
        del vc["issuer"]["id"]
    return {"vc": vc, **jwt_claims(credential)}


@pytest.mark.parametrize("alg", DID_KEY_ALGS)
@pytest.mark.parametrize(
    "strip", [(), ("id", "validFrom", "credentialSubject.id")], ids=["whole credential", "members left to claims"]
)
def test_czmc_verifies_didjwt_ob3_vc_claim(run_node: Node, jose_keys, alg: str, strip: tuple[str, ...]):
    """did-jwt-vc refuses VC 2.0 credentials when creating, so did-jwt's createJWT (what did-jwt-vc
    calls after its checks) signs an OB 3.0 credential in a ``vc`` claim; czmc accepts it fully."""
    party = jose_party(jose_keys[alg][0], alg)
    payload = ob3_in_vc_claim(party, strip=strip)
    [signed] = run_node(
        "didjwtvc-create.mjs", [{"payload": payload, "jwk": party.private_jwk, "did": party.did, "kid": party.kid}]
    )
    assert signed["ok"], signed["error"]
    result = verification.verify(signed["token"], now=NOW)
    assert result.valid, failed(result)
    assert result.format is vcjwt.Format.VC1
    assert result.credential == issued_by(party)


def test_didjwtvc_create_insists_on_vc11(run_node: Node, jose_keys):
    """What createVerifiableCredentialJwt validates, always (it has no option to skip the checks)."""
    party = jose_party(jose_keys["EdDSA"][0], "EdDSA")
    base = {"jwk": party.private_jwk, "did": party.did, "kid": party.kid}
    credentials = [
        issued_by(party),  # OB 3.0 / VC 2.0 context
        vc11_credential(party, type=["OpenBadgeCredential"]),
        vc11_credential(party, credentialSubject={}),
        vc11_credential(party, exp=1_798_761_600_000),  # milliseconds
    ]
    results = run_node("didjwtvc-create.mjs", [{**base, "credential": credential} for credential in credentials])
    assert [result["error"]["message"] for result in results] == [
        f'schema_error: @context is missing default context "{VC1_CONTEXT}"',
        'schema_error: type is missing default "VerifiableCredential"',
        "schema_error: credentialSubject must not be empty",
        'schema_error: "1798761600000" is not a unix timestamp in seconds',
    ]


def test_czmc_reads_exp_of_didjwtvc_credentials(run_node: Node, jose_keys):
    party = jose_party(jose_keys["EdDSA"][0], "EdDSA")
    credential = vc11_credential(party, expirationDate="2027-03-01T08:00:00Z")
    case = {"credential": credential, "jwk": party.private_jwk, "did": party.did, "kid": party.kid}
    [signed] = run_node("didjwtvc-create.mjs", [case])
    result = verification.verify(signed["token"], now=NOW, **CONTENT_CHECKS_OFF)
    assert result.valid, failed(result)


def test_czmc_reads_issuer_id_from_iss(run_node: Node, jose_keys):
    party = jose_party(jose_keys["EdDSA"][0], "EdDSA")
    payload = ob3_in_vc_claim(party, strip=("issuer.id",))
    case = {"payload": payload, "jwk": party.private_jwk, "did": party.did, "kid": party.kid}
    [signed] = run_node("didjwtvc-create.mjs", [case])
    result = verification.verify(signed["token"], now=NOW)
    assert result.valid, failed(result)


# --- validity periods: czmc and jose agree to the second ---------------------------------------

# (validFrom, validUntil) relative to NOW in seconds, and the leeway (jose: clockTolerance):
# valid from NOW + leeway on, expired from NOW - leeway on
TIME_BOUNDARIES = [
    (start, end, leeway)
    for leeway in (0, 60)
    for start, end in [(0, None), (leeway, None), (leeway + 1, None), (-86400, -leeway), (-86400, 1 - leeway)]
]


def test_time_boundaries_agree_with_jose(run_node: Node, jose_keys):
    """nbf/validFrom and exp/validUntil at and next to now, with and without leeway: czmc's time
    check passes exactly when jose's jwtVerify accepts."""
    party = jose_party(jose_keys["EdDSA"][0], "EdDSA")
    to_sign = []
    for start, end, _ in TIME_BOUNDARIES:
        credential = issued_by(party, validFrom=iso(NOW + timedelta(seconds=start)))
        if end is not None:
            credential["validUntil"] = iso(NOW + timedelta(seconds=end))
        header = {"alg": "EdDSA", "kid": party.kid, "typ": "JWT"}
        to_sign.append({"header": header, "payload": credential, "claims": jwt_claims(credential)})
    tokens = [
        result["token"]
        for result in run_node("jose-sign.mjs", [{**case, "jwk": party.private_jwk} for case in to_sign])
    ]
    verdicts = run_node(
        "jose-verify.mjs",
        [
            {"token": token, "jwk": party.public_jwk, "alg": "EdDSA", "algorithms": ["EdDSA"]}
            | {"currentDate": NOW_SECONDS, "clockTolerance": leeway}
            for token, (_, _, leeway) in zip(tokens, TIME_BOUNDARIES, strict=True)
        ],
    )
    czmc = [
        verification.verify(token, now=NOW, leeway=timedelta(seconds=leeway), **CONTENT_CHECKS_OFF).valid
        for token, (_, _, leeway) in zip(tokens, TIME_BOUNDARIES, strict=True)
    ]
    assert czmc == [verdict["ok"] for verdict in verdicts]
    assert czmc == [True, True, False, False, True] * 2


# --- forged and broken tokens -----------------------------------------------------------------

# case -> the one check czmc must fail, with its code (None: the token is valid, a control)
EXPECTED: dict[str, tuple[str, str] | None] = {
    "control": None,
    "control-no-typ": None,  # OB 3.0: typ is optional
    "control-with-iat": None,  # an extra registered claim many JWT libraries add
    "control-relative-kid": None,  # "#fragment", relative to the issuer DID
    "tampered-flip": ("signature", "signature.invalid"),
    "tampered-reencoded": ("signature", "signature.invalid"),
    "wrong-key": ("signature", "signature.invalid"),
    "alg-none": ("token", "jws.syntax"),
    "alg-none-no-dot": ("token", "jws.syntax"),
    "alg-none-with-signature": ("algorithm", "alg.unsupported"),
    "hs256-public-key-pem": ("algorithm", "alg.unsupported"),
    "hs256-public-key-jwk": ("algorithm", "alg.unsupported"),
    "alg-not-allowed": ("algorithm", "alg.not_allowed"),
    "alg-key-mismatch": ("signature", "alg.key_mismatch"),
    "rsa-padding-confusion": ("signature", "signature.invalid"),
    "es256-der": ("signature", "signature.invalid"),
    "expired": ("time", "time.expired"),
    "not-yet-valid": ("time", "time.not_yet_valid"),
    "kid-of-other-did": ("key_binding", "key.not_issuer"),
    "same-key-other-did": ("key_binding", "key.not_issuer"),
    "jwk-injection": ("key", "key.untrusted_embedded"),
    "jwk-injection-issuer-trusted": ("key", "key.untrusted_embedded"),
    "jwk-injection-attacker-trusted": None,
    "jwk-with-private-key": ("key", "key.private_in_public"),
    "jwk-and-kid": ("header", "header.key"),
    "jwk-issuer-key": None,  # the issuer's own did:key/did:jwk key in the header: OB 3.0 8.2.3 allows it
    "jwk-issuer-key-trusted": None,
    "jku": ("header", "header.key_url"),
    "x5u": ("header", "header.key_url"),
    "x5c": ("header", "header.key_url"),
    "typ-at+jwt": ("header", "header.typ"),
    "crit": ("token", "jws.crit"),
    "duplicate-member": ("token", "jws.duplicate_member"),
    "oversized": ("token", "jws.too_large"),
    "oversized-limit-raised": None,
}

# case -> jose's verdict with the issuer's public key and algorithm (error code; None: accepted)
JOSE_VERDICT: dict[str, str | None] = {
    "control": None,
    "tampered-flip": "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    "tampered-reencoded": "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    "wrong-key": "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    "alg-none": "ERR_JOSE_ALG_NOT_ALLOWED",
    "alg-none-no-dot": "ERR_JWS_INVALID",
    "alg-none-with-signature": "ERR_JOSE_ALG_NOT_ALLOWED",
    "hs256-public-key-pem": "ERR_JOSE_ALG_NOT_ALLOWED",
    "hs256-public-key-jwk": "ERR_JOSE_ALG_NOT_ALLOWED",
    "alg-not-allowed": "ERR_JOSE_ALG_NOT_ALLOWED",
    "alg-key-mismatch": "ERR_JOSE_ALG_NOT_ALLOWED",
    "es256-der": "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    "expired": "ERR_JWT_EXPIRED",
    "not-yet-valid": "ERR_JWT_CLAIM_VALIDATION_FAILED",
    "kid-of-other-did": "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    "jwk-injection": "ERR_JWS_SIGNATURE_VERIFICATION_FAILED",
    "typ-at+jwt": "ERR_JWT_CLAIM_VALIDATION_FAILED",
    "crit": "ERR_JOSE_NOT_SUPPORTED",
    # jose does not police these: czmc's refusal is its own, stricter policy
    "jku": None,
    "x5u": None,
    "duplicate-member": None,  # JSON.parse keeps the last 'iss'; another parser may keep the first
    "oversized": None,
}

OTHER_FAMILY = {"EdDSA": "RS256", "ES256": "EdDSA", "RS256": "ES256", "PS256": "EdDSA"}


def cases_for(alg: str) -> list[str]:
    skip = set()
    if alg != "ES256":
        skip.add("es256-der")
    if alg not in ("RS256", "PS256"):
        skip.add("rsa-padding-confusion")
    if alg not in DID_KEY_ALGS:
        skip.add("same-key-other-did")
    return [case for case in EXPECTED if case not in skip]


ATTACKS = [(alg, case) for alg in ALGS for case in cases_for(alg)]


@dataclass
class Attack:
    token: str
    options: dict[str, Any] = field(default_factory=dict)  # extra arguments of vcjwt.verify
    jose: dict[str, Any] | None = None  # jose's result, for the cases in JOSE_VERDICT


def flip_payload_char(token: str) -> str:
    """The token with one base64url character of its payload changed, the payload still a JSON object."""
    header, payload, signature = token.split(".")
    original = json.loads(b64decode(payload))
    for index in range(len(payload) // 2, len(payload) - 4):
        for char in "AQgw":
            candidate = payload[:index] + char + payload[index + 1 :]
            try:
                changed = json.loads(b64decode(candidate))
            except ValueError:  # includes UnicodeDecodeError
                continue
            if candidate != payload and isinstance(changed, dict) and changed != original:
                return f"{header}.{candidate}.{signature}"
    raise AssertionError("no single-character change keeps the payload a JSON object")


def jose_sign_cases(alg: str, issuer: Party, attacker: Party) -> dict[str, dict[str, Any]]:
    """The tokens jose signs for one algorithm, by case name."""
    credential = issued_by(issuer)
    header = {"alg": alg, "kid": issuer.kid, "typ": "JWT"}

    def signed(party: Party = issuer, payload: dict[str, Any] = credential, **head: Any) -> dict[str, Any]:
        return {
            "header": {**header, **head},
            "payload": payload,
            "claims": jwt_claims(payload),
            "jwk": party.private_jwk,
        }

    def embedding(party: Party, jwk: dict[str, Any]) -> dict[str, Any]:
        case = signed(party, jwk=jwk)
        del case["header"]["kid"]
        return case

    expired = issued_by(issuer, validUntil=iso(NOW - timedelta(days=30)))
    future = issued_by(issuer, validFrom=iso(NOW + timedelta(days=365)))
    huge = issued_by(issuer, description="x" * 300_000)
    with_claims = {**credential, **jwt_claims(credential)}
    duplicated = '{"iss":"did:example:attacker",' + json.dumps(with_claims)[1:]
    relative_kid = "#" + issuer.kid.partition("#")[2]
    without_typ = signed()
    del without_typ["header"]["typ"]
    cases = {
        "control": signed(),
        "control-no-typ": without_typ,
        "control-with-iat": signed(payload={**credential, "iat": NOW_SECONDS - 3600}),
        "control-relative-kid": signed(kid=relative_kid),
        "duplicate-member": {"header": header, "payloadText": duplicated, "jwk": issuer.private_jwk},
        "wrong-key": signed(attacker),
        "alg-none": {"unsecured": True, "payload": credential, "claims": jwt_claims(credential)},
        "hs256-public-key-pem": {**signed(alg="HS256"), "secret": b64encode(issuer.public.pem())},
        "hs256-public-key-jwk": {**signed(alg="HS256"), "secret": b64encode(json.dumps(issuer.public_jwk).encode())},
        "expired": signed(payload=expired),
        "not-yet-valid": signed(payload=future),
        "kid-of-other-did": signed(attacker, kid=attacker.kid),
        "jwk-injection": embedding(attacker, attacker.public_jwk),
        "jwk-with-private-key": embedding(attacker, attacker.private_jwk),
        "jwk-and-kid": signed(attacker, jwk=attacker.public_jwk),
        "jwk-issuer-key": embedding(issuer, issuer.public_jwk),
        "jku": signed(jku="https://attacker.example/jwks.json"),
        "x5u": signed(x5u="https://attacker.example/cert.pem"),
        "x5c": signed(x5c=["MIIBszCCAVmgAwIBAgIUAttacker"]),
        "typ-at+jwt": signed(typ="at+jwt"),
        "oversized": signed(payload=huge),
    }
    if alg in DID_KEY_ALGS:
        cases["same-key-other-did"] = signed(kid=f"{did.did_jwk(issuer.public)}#0")
    return cases


@pytest.fixture(scope="module")
def attacks(run_node: Node, jose_keys) -> dict[tuple[str, str], Attack]:
    """Every ATTACKS token (jose signs in one batch, Python forges the rest), with jose's verdicts."""
    parties = {alg: (jose_party(jose_keys[alg][0], alg), jose_party(jose_keys[alg][1], alg)) for alg in ALGS}
    to_sign = {(alg, case): spec for alg in ALGS for case, spec in jose_sign_cases(alg, *parties[alg]).items()}
    results = run_node("jose-sign.mjs", list(to_sign.values()))
    assert all(result["ok"] for result in results), [result for result in results if not result["ok"]]
    made = {name: Attack(result["token"]) for name, result in zip(to_sign, results, strict=True)}

    for alg in ALGS:
        issuer, attacker = parties[alg]
        control = made[alg, "control"].token
        header, payload, signature = control.split(".")
        reencoded = {**json.loads(b64decode(payload)), "name": "Forged name"}
        made[alg, "tampered-flip"] = Attack(flip_payload_char(control))
        made[alg, "tampered-reencoded"] = Attack(f"{header}.{segment(reencoded)}.{signature}")
        made[alg, "alg-none-no-dot"] = Attack(made[alg, "alg-none"].token.rstrip("."))
        none_header = segment({"alg": "none", "kid": issuer.kid, "typ": "JWT"})
        made[alg, "alg-none-with-signature"] = Attack(f"{none_header}.{payload}.{signature}")
        critical = segment({"alg": alg, "kid": issuer.kid, "typ": "JWT", "crit": ["urn:example:x"], "urn:example:x": 1})
        made[alg, "crit"] = Attack(
            f"{critical}.{payload}.{b64encode(issuer.key.sign(f'{critical}.{payload}'.encode()))}"
        )
        others = [other for other in ALGS if other != alg]
        made[alg, "alg-not-allowed"] = Attack(control, {"algorithms": others})
        # a genuine signature by the issuer's key, under a header naming another algorithm family
        mismatched = f"{segment({'alg': OTHER_FAMILY[alg], 'kid': issuer.kid, 'typ': 'JWT'})}.{payload}"
        made[alg, "alg-key-mismatch"] = Attack(f"{mismatched}.{b64encode(issuer.key.sign(mismatched.encode()))}")
        if alg in ("RS256", "PS256"):  # PKCS#1 v1.5 labelled PS256, PSS labelled RS256
            swapped = f"{segment({'alg': 'PS256' if alg == 'RS256' else 'RS256', 'kid': issuer.kid})}.{payload}"
            made[alg, "rsa-padding-confusion"] = Attack(f"{swapped}.{b64encode(issuer.key.sign(swapped.encode()))}")
        if alg == "ES256":
            raw = b64decode(signature)
            der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
            made[alg, "es256-der"] = Attack(f"{header}.{payload}.{b64encode(der)}")
        made[alg, "jwk-injection-issuer-trusted"] = Attack(
            made[alg, "jwk-injection"].token, {"trusted_keys": {issuer.did: [issuer.public]}}
        )
        made[alg, "jwk-injection-attacker-trusted"] = Attack(
            made[alg, "jwk-injection"].token, {"trusted_keys": {issuer.did: [attacker.public]}}
        )
        made[alg, "jwk-issuer-key-trusted"] = Attack(
            made[alg, "jwk-issuer-key"].token, {"trusted_keys": {issuer.did: [issuer.public]}}
        )
        # under a raised limit the same token verifies (its padded description is no micro-credential's)
        raised = {"max_token_bytes": 1 << 20, **CONTENT_CHECKS_OFF}
        made[alg, "oversized-limit-raised"] = Attack(made[alg, "oversized"].token, raised)

    judged = [(alg, case) for alg, case in ATTACKS if case in JOSE_VERDICT]
    verdicts = run_node(
        "jose-verify.mjs",
        [
            {
                "token": made[alg, case].token,
                "jwk": parties[alg][0].public_jwk,
                "alg": alg,
                "algorithms": made[alg, case].options.get("algorithms", [alg]),
                "typ": "JWT",
                "currentDate": NOW_SECONDS,
            }
            for alg, case in judged
        ],
    )
    for name, verdict in zip(judged, verdicts, strict=True):
        made[name].jose = verdict
    assert set(made) >= set(ATTACKS)
    return made


@pytest.mark.parametrize(("alg", "case"), ATTACKS)
def test_czmc_refuses_forged_tokens(attacks, alg: str, case: str):
    attack = attacks[alg, case]
    result = verification.verify(attack.token, now=NOW, **attack.options)
    expected = EXPECTED[case]
    if expected is None:
        assert result.valid, failed(result)
    else:
        assert failed(result) == [expected]
        assert not result.valid


@pytest.mark.parametrize(("alg", "case"), [(alg, case) for alg, case in ATTACKS if case in JOSE_VERDICT])
def test_jose_agrees_on_forged_tokens(attacks, alg: str, case: str):
    verdict = attacks[alg, case].jose
    assert verdict is not None
    expected = JOSE_VERDICT[case]
    if expected is None:
        assert verdict["ok"], verdict["error"]
    else:
        assert not verdict["ok"]
        assert verdict["error"]["code"] == expected, verdict["error"]
