"""Data Integrity proofs (czmc.dataintegrity): the W3C cryptosuite test vectors, sign/verify, every rule.

The vectors are the W3C ones, byte-exact (tests/vectors/di, SOURCES.md): canonical forms, hashes
and (for the deterministic Ed25519) proof values are reproduced exactly; ECDSA signatures are
randomised, so theirs must verify and ours must verify.
"""

from __future__ import annotations

import copy
import hashlib
import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from multiformats import multibase, multicodec
from pyld import jsonld as pyld_jsonld

from czmc import MicroCredential, jsonld, ob3
from czmc import dataintegrity as di
from czmc.dataintegrity import _processor, _rdfc, _rdfc_exact
from czmc.did import DefaultResolver, ResolvedKey, did_key
from czmc.errors import DocumentLoaderError, JsonLdError, ResolutionError, SigningError
from czmc.keys import Key
from czmc.vcjwt import CheckStatus
from tests.conftest import ROOT
from tests.strategies import micro_credentials

VECTORS = ROOT / "tests" / "vectors" / "di"
EDDSA = VECTORS / "vc-di-eddsa"
ECDSA = VECTORS / "vc-di-ecdsa" / "ecdsa-rdfc-2019-p256"
EXAMPLES_CONTEXT = "https://www.w3.org/ns/credentials/examples/v2"
NOW = datetime(2026, 1, 15, 12, 0, tzinfo=UTC)
CREATED = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)
ISSUER = "did:web:czmc.example"
ROW = re.compile(r"^\| `(?P<file>[^`]+)` \| `(?P<sha>[0-9a-f]{64})` \|$")


def vector_loader(url: str, options: Any = None) -> dict[str, Any]:
    """The bundled contexts plus the W3C examples context the vectors use."""
    if url == EXAMPLES_CONTEXT:
        document = json.loads((VECTORS / "contexts" / "credentials-examples-v2.jsonld").read_text())
        return {"contextUrl": None, "documentUrl": url, "document": document}
    return jsonld.document_loader(url, options)


def read(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def ed25519_key(private_multibase: str) -> Key:
    codec, raw = multicodec.unwrap(multibase.decode(private_multibase))
    assert codec.name == "ed25519-priv"
    return Key(ed25519.Ed25519PrivateKey.from_private_bytes(raw))


def p256_key(secret_multibase: str) -> Key:
    codec, raw = multicodec.unwrap(multibase.decode(secret_multibase))
    assert codec.name == "p256-priv"
    return Key(ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1()))


def controller(document: dict[str, Any]) -> str:
    proof = document["proof"][0] if isinstance(document["proof"], list) else document["proof"]
    method: str = proof["verificationMethod"]
    return method.split("#", maxsplit=1)[0]


def codes(result: di.ProofResult) -> dict[str, str]:
    return {check.name: check.code for check in result.checks}


def failed(result: di.ProofResult) -> tuple[str, str, str]:
    """(check, code, message) of the one failed check."""
    (failure,) = result.failures
    return failure.name, failure.code, failure.message


# --- the vector files are byte-exact ---------------------------------------------------------------


def test_every_vector_file_is_recorded_with_its_hash() -> None:
    rows = {}
    for line in text(VECTORS / "SOURCES.md").splitlines():
        match = ROW.match(line)
        if match:
            rows[match["file"]] = match["sha"]
    files = {str(path.relative_to(VECTORS)) for path in VECTORS.rglob("*") if path.is_file()} - {"SOURCES.md"}
    assert set(rows) == files
    for name, sha in rows.items():
        assert hashlib.sha256((VECTORS / name).read_bytes()).hexdigest() == sha, name


# --- eddsa-rdfc-2022 vectors ---------------------------------------------------------------------------


def test_eddsa_rdfc_2022_canonical_forms_and_hashes() -> None:
    folder = EDDSA / "eddsa-rdfc-2022"
    document = di.canonicalize(read(EDDSA / "unsigned.json"), vector_loader)
    proof = di.canonicalize(read(folder / "proofConfigDataInt.json"), vector_loader)
    assert document == text(folder / "canonDocDataInt.txt")
    assert proof == text(folder / "proofCanonDataInt.txt")
    document_hash = hashlib.sha256(document.encode()).hexdigest()
    proof_hash = hashlib.sha256(proof.encode()).hexdigest()
    assert document_hash == text(folder / "docHashDataInt.txt")
    assert proof_hash == text(folder / "proofHashDataInt.txt")
    assert proof_hash + document_hash == text(folder / "combinedHashDataInt.txt")


def test_eddsa_rdfc_2022_sign_reproduces_the_vector_exactly() -> None:
    folder = EDDSA / "eddsa-rdfc-2022"
    pair = read(EDDSA / "keyPair.json")
    key = ed25519_key(pair["privateKeyMultibase"])
    assert did_key(key.public) == "did:key:" + pair["publicKeyMultibase"]
    config = read(folder / "proofConfigDataInt.json")
    signed = di.sign(
        read(EDDSA / "unsigned.json"),
        key,
        verification_method=config["verificationMethod"],
        created=CREATED,
        loader=vector_loader,
    )
    assert signed == read(folder / "signedDataInt.json")
    assert signed["proof"]["proofValue"] == text(folder / "sigBTC58DataInt.txt")
    assert multibase.decode(signed["proof"]["proofValue"]).hex() == text(folder / "sigHexDataInt.txt")


@pytest.mark.parametrize(
    "name",
    [
        "eddsa-rdfc-2022/signedDataInt.json",
        "Ed25519Signature2020/signedEdSig.json",
        "proof-set-chain/signedProofSet1.json",
        "proof-set-chain/signedProofSet2.json",
        "proof-set-chain/signedProofChain1.json",
        "proof-set-chain/signedProofChain2.json",
    ],
)
def test_eddsa_vectors_verify(name: str) -> None:
    document = read(EDDSA / name)
    result = di.verify(document, resolver=DefaultResolver(), loader=vector_loader, now=NOW, issuer=controller(document))
    assert result.valid, result.failures
    assert [check.name for check in result.checks] == list(di.CHECK_NAMES)
    assert result.credential == {key: value for key, value in document.items() if key != "proof"}
    proofs = document["proof"] if isinstance(document["proof"], list) else [document["proof"]]
    assert [proof.verification_method for proof in result.proofs] == [p["verificationMethod"] for p in proofs]
    assert result.method_id == proofs[0]["verificationMethod"]


def test_vector_issuer_is_not_the_key_controller() -> None:
    # The W3C vectors name an https issuer but sign with a did:key: not bound to that issuer.
    result = di.verify(
        read(EDDSA / "eddsa-rdfc-2022/signedDataInt.json"), resolver=DefaultResolver(), loader=vector_loader, now=NOW
    )
    check, code, message = failed(result)
    assert (check, code) == ("key_binding", "di.key_not_issuer")
    assert "https://vc.example/issuers/5678" in message


def test_ed25519_signature_2020_canonical_forms_and_hashes() -> None:
    folder = EDDSA / "Ed25519Signature2020"
    signed = read(folder / "signedEdSig.json")
    document = di.canonicalize({k: v for k, v in signed.items() if k != "proof"}, vector_loader)
    proof = di.canonicalize(read(folder / "proofConfigEdSig.json"), vector_loader)
    assert document == text(folder / "canonDocEdSig.txt")
    assert proof == text(folder / "proofCanonEdSig.txt")
    combined = hashlib.sha256(proof.encode()).hexdigest() + hashlib.sha256(document.encode()).hexdigest()
    assert combined == text(folder / "combinedHashEdSig.txt")
    signature = ed25519_key(read(EDDSA / "keyPair.json")["privateKeyMultibase"]).sign(bytes.fromhex(combined))
    assert signature.hex() == text(folder / "sigHexEdSig.txt")


def test_proof_chain_needs_the_proofs_it_names() -> None:
    document = read(EDDSA / "proof-set-chain/signedProofChain2.json")
    del document["proof"][0]  # the first proof of the set, which the third one chains to
    result = di.verify(document, resolver=DefaultResolver(), loader=vector_loader, now=NOW, issuer=controller(document))
    check, code, message = failed(result)
    assert (check, code) == ("signature", "di.previous_proof")
    assert "urn:uuid:26329423-bec9-4b2e-88cb-a7c7d9dc4544" in message


def test_proof_set_fails_when_one_proof_fails() -> None:
    document = read(EDDSA / "proof-set-chain/signedProofSet2.json")
    document["proof"][1]["created"] = "2023-02-24T23:36:39Z"
    result = di.verify(document, resolver=DefaultResolver(), loader=vector_loader, now=NOW, issuer=controller(document))
    check, code, message = failed(result)
    assert (check, code) == ("signature", "di.bad_signature")
    assert message.startswith("proof[1]")


# --- ecdsa-rdfc-2019 (P-256) vectors -------------------------------------------------------------------


def test_ecdsa_rdfc_2019_canonical_forms_and_hashes() -> None:
    signed = read(ECDSA / "signedECDSAP256.json")
    document = di.canonicalize({k: v for k, v in signed.items() if k != "proof"}, vector_loader)
    proof = di.canonicalize(read(ECDSA / "proofConfigECDSAP256.json"), vector_loader)
    assert document == text(ECDSA / "canonDocECDSAP256.txt")
    assert proof == text(ECDSA / "proofCanonECDSAP256.txt")
    assert hashlib.sha256(document.encode()).hexdigest() == text(ECDSA / "docHashECDSAP256.txt")
    assert hashlib.sha256(proof.encode()).hexdigest() == text(ECDSA / "proofHashECDSAP256.txt")
    combined = text(ECDSA / "combinedHashECDSAP256.txt")
    assert combined == text(ECDSA / "proofHashECDSAP256.txt") + text(ECDSA / "docHashECDSAP256.txt")
    assert multibase.decode(signed["proof"]["proofValue"]).hex() == text(ECDSA / "sigHexECDSAP256.txt")


def test_ecdsa_rdfc_2019_vector_verifies_and_ours_verifies() -> None:
    signed = read(ECDSA / "signedECDSAP256.json")
    resolver = DefaultResolver()
    result = di.verify(signed, resolver=resolver, loader=vector_loader, now=NOW, issuer=controller(signed))
    assert result.valid, result.failures
    key = p256_key(read(VECTORS / "vc-di-ecdsa" / "p256KeyPair.json")["secretKeyMultibase"])
    unsigned = {k: v for k, v in signed.items() if k != "proof"}
    ours = di.sign(
        unsigned,
        key,
        verification_method=signed["proof"]["verificationMethod"],
        cryptosuite=di.ECDSA_RDFC_2019,
        created=CREATED,
        loader=vector_loader,
    )
    assert {k: v for k, v in ours["proof"].items() if k != "proofValue"} == {
        k: v for k, v in signed["proof"].items() if k != "proofValue"
    }
    assert ours["proof"]["proofValue"] != signed["proof"]["proofValue"]  # ECDSA signatures are randomised
    assert len(multibase.decode(ours["proof"]["proofValue"])) == 64  # IEEE P1363 r || s, not DER
    assert di.verify(ours, resolver=resolver, loader=vector_loader, now=NOW, issuer=controller(ours)).valid


# --- canonicalisation --------------------------------------------------------------------------------------


def _example(name: str) -> dict[str, Any]:
    document: dict[str, Any] = read(ROOT / "examples" / "credentials" / f"{name}.credential.json")
    return document


EXAMPLE_CREDENTIALS = sorted((ROOT / "examples" / "credentials").glob("*.credential.json"))


@pytest.mark.parametrize("path", EXAMPLE_CREDENTIALS, ids=lambda p: p.name)
def test_canonical_form_equals_plain_pyld_urdna2015(path: Path) -> None:
    # The memoised context processing changes nothing: the same N-Quads as pyld without czmc's
    # processor, for documents whose literals need no escaping (where URDNA2015 = RDFC-1.0).
    document = read(path)
    expected = pyld_jsonld.normalize(
        document, {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": jsonld.document_loader}
    )
    assert di.canonicalize(document) == expected
    assert di.canonicalize(document) == expected  # and again, from the memo


@pytest.mark.parametrize("path", EXAMPLE_CREDENTIALS, ids=lambda p: p.name)
def test_czmc_credentials_canonicalise_within_the_wallet_limit(path: Path) -> None:
    # The same limit as rdf-canonize (jsonld.js, the Digital Bazaar stack): czmc's credentials keep
    # within it (their learning outcomes have ids), so wallets on that stack can verify them.
    credential = read(path)
    assert di.canonicalize(credential)
    older = anonymous_outcomes(credential)
    with pytest.raises(JsonLdError) as refused:
        di.canonicalize(older)
    assert refused.value.issues[0].code == "jsonld.canonicalization_limit"
    assert "rdf-canonize" in refused.value.issues[0].message


def anonymous_outcomes(credential: dict[str, Any]) -> dict[str, Any]:
    """``credential`` as czmc rendered it before 0.2: learning outcomes (an RDF list) without ids."""
    older = copy.deepcopy(credential)
    for outcome in older["credentialSubject"]["achievement"]["learningOutcome"]:
        outcome.pop("id", None)
    return older


def test_canonical_form_escapes_control_characters_as_rdfc_1_0() -> None:
    document = {"@context": {"ex": "http://example.org/"}, "@id": "http://example.org/s", "ex:p": "a\bb\x01c\x7fd\te"}
    assert di.canonicalize(document) == '<http://example.org/s> <http://example.org/p> "a\\bb\\u0001c\\u007Fd\\te" .\n'


@pytest.mark.parametrize("path", EXAMPLE_CREDENTIALS, ids=lambda p: p.name)
def test_pyld_urdna2015_and_pyoxigraph_rdfc_agree(path: Path) -> None:
    # czmc canonicalises with pyld's URDNA2015 (which also counts the work) and switches to
    # pyoxigraph's RDFC-1.0 for literals with control characters; both give the same N-Quads.
    processor = _processor(jsonld.document_loader)
    document = read(path)
    nquads = pyld_jsonld.JsonLdProcessor.to_nquads(processor.dataset(document))
    assert _rdfc_exact(nquads) == _rdfc(processor.dataset(document))


def test_each_loader_keeps_its_own_contexts() -> None:
    url = "https://example.org/ctx"

    def loader_for(iri: str) -> Any:
        def loader(asked: str, options: Any = None) -> dict[str, Any]:
            assert asked == url
            return {"contextUrl": None, "documentUrl": asked, "document": {"@context": {"name": iri}}}

        return loader

    document = {"@context": url, "@id": "urn:x", "name": "n"}
    assert di.canonicalize(document, loader_for("urn:a")) == '<urn:x> <urn:a> "n" .\n'
    assert di.canonicalize(document, loader_for("urn:b")) == '<urn:x> <urn:b> "n" .\n'


def test_canonicalize_refuses_what_it_cannot_canonicalise() -> None:
    with pytest.raises(DocumentLoaderError) as refused:
        di.canonicalize({"@context": "https://example.org/unknown", "name": "x"})
    assert refused.value.url == "https://example.org/unknown"
    with pytest.raises(JsonLdError) as undefined:
        di.canonicalize({"@context": jsonld.VC_CONTEXT, "id": "urn:x", "unknownTerm": 1})
    assert undefined.value.issues[0].code == "jsonld.undefined_term"
    assert "unknownTerm" in undefined.value.issues[0].message
    with pytest.raises(JsonLdError) as relative:
        di.canonicalize({"@context": jsonld.VC_CONTEXT, "id": "urn:x", "type": "NotDefined"})
    assert relative.value.issues[0].code == "jsonld.undefined_type"
    ring = [{"@id": f"_:b{index}", "ex:next": {"@id": f"_:b{(index + 1) % 6}"}} for index in range(6)]
    with pytest.raises(JsonLdError) as poison:  # blank nodes alike all round: RDFC-1.0's expensive case
        di.canonicalize({"@context": {"ex": "http://example.org/"}, "@graph": ring})
    assert poison.value.issues[0].code == "jsonld.canonicalization_limit"
    deep: dict[str, Any] = {"@context": jsonld.VC_CONTEXT}
    inner = deep
    for _ in range(di.MAX_DEPTH + 1):
        inner["credentialSubject"] = {}
        inner = inner["credentialSubject"]
    with pytest.raises(JsonLdError) as too_deep:
        di.canonicalize(deep)
    assert too_deep.value.issues[0].code == "jsonld.too_large"
    with pytest.raises(JsonLdError) as too_large:
        di.canonicalize({"@context": jsonld.VC_CONTEXT, "name": "x" * di.MAX_DOCUMENT_BYTES})
    assert too_large.value.issues[0].code == "jsonld.too_large"


# --- sign and verify OB 3.0 credentials ---------------------------------------------------------------


def did_web_setup(key: Key, *, relationships: tuple[str, ...] = ("assertionMethod",)) -> tuple[str, DefaultResolver]:
    method = f"{ISSUER}#key-1"
    multikey = did_key(key.public).removeprefix("did:key:")
    document = {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": ISSUER,
        "verificationMethod": [
            {"id": method, "type": "Multikey", "controller": ISSUER, "publicKeyMultibase": multikey}
        ],
        **{relationship: [method] for relationship in relationships},
    }
    return method, DefaultResolver(documents=[document])


def ob_credential(issuer: str = ISSUER) -> dict[str, Any]:
    credential = _example("applied-ai")
    credential["issuer"]["id"] = issuer
    return credential


@pytest.fixture(scope="module")
def ed_key() -> Key:
    return Key(ed25519.Ed25519PrivateKey.from_private_bytes(bytes(range(32))))


@pytest.fixture(scope="module")
def signed(ed_key: Key) -> dict[str, Any]:
    method, _resolver = did_web_setup(ed_key)
    return di.sign(ob_credential(), ed_key, verification_method=method, created=NOW - timedelta(days=1))


def verify(document: Any, key: Key, **options: Any) -> di.ProofResult:
    _method, resolver = did_web_setup(key, relationships=options.pop("relationships", ("assertionMethod",)))
    return di.verify(document, resolver=options.pop("resolver", resolver), now=options.pop("now", NOW), **options)


def test_ob3_credential_signed_with_did_web_multikey_verifies(signed: dict[str, Any], ed_key: Key) -> None:
    proof = signed["proof"]
    assert proof["type"] == "DataIntegrityProof"
    assert proof["cryptosuite"] == "eddsa-rdfc-2022"
    assert proof["created"] == "2026-01-14T12:00:00Z"
    assert proof["proofValue"].startswith("z")
    result = verify(signed, ed_key)
    assert result.valid, result.failures
    assert all(check.code == "ok" for check in result.checks)
    assert result.proofs[0] == di.ProofInfo(
        "DataIntegrityProof", "eddsa-rdfc-2022", f"{ISSUER}#key-1", "assertionMethod", "2026-01-14T12:00:00Z"
    )
    assert result.to_dict()["valid"] is True


def test_sign_is_deterministic_for_ed25519_and_leaves_the_input_alone(ed_key: Key) -> None:
    credential = ob_credential()
    before = copy.deepcopy(credential)
    first = di.sign(credential, ed_key, verification_method=f"{ISSUER}#key-1", created=NOW)
    assert credential == before
    assert di.sign(credential, ed_key, verification_method=f"{ISSUER}#key-1", created=NOW) == first


def test_key_order_does_not_matter(signed: dict[str, Any], ed_key: Key) -> None:
    resorted = json.loads(json.dumps(signed, sort_keys=True))
    assert verify(resorted, ed_key).valid


def test_p256_did_key_credential_round_trip() -> None:
    key = Key(ec.derive_private_key(12345678901234567890, ec.SECP256R1()))
    issuer = did_key(key.public)
    method = f"{issuer}#{issuer.removeprefix('did:key:')}"
    signed = di.sign(ob_credential(issuer), key, verification_method=method, cryptosuite=di.ECDSA_RDFC_2019)
    result = di.verify(signed, resolver=DefaultResolver(), now=datetime.now(UTC))
    assert result.valid, result.failures


def test_proof_set_of_two_suites() -> None:
    ed = Key(ed25519.Ed25519PrivateKey.from_private_bytes(bytes(32)))
    p256 = Key(ec.derive_private_key(987654321, ec.SECP256R1()))
    issuer = did_key(ed.public)
    once = di.sign(ob_credential(issuer), ed, verification_method=f"{issuer}#{issuer[8:]}", created=NOW)
    twice = di.sign(
        once,
        p256,
        verification_method=f"{did_key(p256.public)}#{did_key(p256.public)[8:]}",
        cryptosuite="ecdsa-rdfc-2019",
        created=NOW,
    )
    assert isinstance(twice["proof"], list)
    assert len(twice["proof"]) == 2
    assert twice["proof"][0] == once["proof"]
    assert di.verify(twice, resolver=DefaultResolver(), now=NOW).valid


# --- every rule, one failure each ---------------------------------------------------------------------------


def _tamper(document: dict[str, Any], change: Any) -> dict[str, Any]:
    copied = copy.deepcopy(document)
    change(copied)
    return copied


TAMPERS: list[tuple[str, Any, str, str, str]] = [
    (
        "content changed",
        lambda d: d["credentialSubject"].update(id="did:example:someone-else"),
        "signature",
        "di.bad_signature",
        "proof",
    ),
    (
        "name changed",
        lambda d: d.update(name=d["name"] + "!"),
        "signature",
        "di.bad_signature",
        "signature does not verify",
    ),
    ("proof removed", lambda d: d.pop("proof"), "document", "di.no_proof", "no 'proof'"),
    ("proof is a string", lambda d: d.update(proof="z123"), "document", "di.proof_shape", "'proof' must be"),
    ("no @context", lambda d: d.pop("@context"), "document", "di.context", "@context"),
    (
        "undefined term",
        lambda d: d["credentialSubject"].update(favouriteColour="blue"),
        "document",
        "di.jsonld",
        "favouriteColour",
    ),
    (
        "unknown context",
        lambda d: d["@context"].append("https://example.org/unknown/v1"),
        "document",
        "di.context_unavailable",
        "https://example.org/unknown/v1",
    ),
    ("context order reversed", lambda d: d["@context"].reverse(), "document", "di.context_first", "first @context"),
    (
        "proofValue altered",
        lambda d: d["proof"].update(proofValue=d["proof"]["proofValue"][:-2] + "11"),
        "signature",
        "di.bad_signature",
        "does not verify",
    ),
    (
        "proofValue not multibase",
        lambda d: d["proof"].update(proofValue="u" + d["proof"]["proofValue"][1:]),
        "proof",
        "di.proof_value",
        "base58btc",
    ),
    (
        "proofValue not base58",
        lambda d: d["proof"].update(proofValue="z0OIl"),
        "proof",
        "di.proof_value",
        "not valid base58btc",
    ),
    (
        "proofValue too short",
        lambda d: d["proof"].update(proofValue="z" + "2" * 20),
        "signature",
        "di.signature_length",
        "64",
    ),
    (
        "proofPurpose authentication",
        lambda d: d["proof"].update(proofPurpose="authentication"),
        "proof",
        "di.proof_purpose",
        "expected 'assertionMethod'",
    ),
    ("proofPurpose missing", lambda d: d["proof"].pop("proofPurpose"), "proof", "di.proof_purpose", "proofPurpose"),
    ("type missing", lambda d: d["proof"].pop("type"), "proof", "di.proof_type", "proof.type"),
    (
        "verificationMethod relative",
        lambda d: d["proof"].update(verificationMethod="#key-1"),
        "proof",
        "di.verification_method",
        "absolute",
    ),
    (
        "created not a dateTimeStamp",
        lambda d: d["proof"].update(created="2026-01-14T12:00:00"),
        "proof",
        "di.proof_time_syntax",
        "time zone",
    ),
    (
        "expires not a dateTimeStamp",
        lambda d: d["proof"].update(expires="tomorrow"),
        "proof",
        "di.proof_time_syntax",
        "'tomorrow'",
    ),
    (
        "renamed cryptosuite",
        lambda d: d["proof"].update(cryptosuite="eddsa-rdfc-2023"),
        "cryptosuite",
        "di.unknown_cryptosuite",
        "'eddsa-rdfc-2023'",
    ),
    (
        "jcs cryptosuite",
        lambda d: d["proof"].update(cryptosuite="eddsa-jcs-2022"),
        "cryptosuite",
        "di.unknown_cryptosuite",
        "eddsa-jcs-2022",
    ),
    (
        "unknown proof type",
        lambda d: d["proof"].update(type="JsonWebSignature2020"),
        "cryptosuite",
        "di.unknown_proof_type",
        "JsonWebSignature2020",
    ),
    (
        "ed25519-2020 without its context",
        lambda d: (d["proof"].update(type="Ed25519Signature2020"), d["proof"].pop("cryptosuite")),
        "cryptosuite",
        "di.context",
        "ed25519-2020",
    ),
    (
        "ecdsa suite on an Ed25519 key",
        lambda d: d["proof"].update(cryptosuite="ecdsa-rdfc-2019"),
        "key",
        "di.key_type",
        "needs P-256",
    ),
    (
        "method of another DID",
        lambda d: d["proof"].update(verificationMethod="did:web:other.example#key-1"),
        "key",
        "di.key_unresolved",
        "did:web:other.example",
    ),
    (
        "method not in the document",
        lambda d: d["proof"].update(verificationMethod=f"{ISSUER}#key-2"),
        "key",
        "di.key_unresolved",
        "resolution.not_found",
    ),
    (
        "issuer changed",
        lambda d: d["issuer"].update(id="did:web:other.example"),
        "key_binding",
        "di.key_not_issuer",
        "did:web:other.example",
    ),
    ("issuer missing", lambda d: d.pop("issuer"), "key_binding", "di.no_issuer", "no issuer"),
    (
        "proof @context not a prefix",
        lambda d: d["proof"].update({"@context": ["https://w3id.org/security/data-integrity/v2"]}),
        "proof",
        "di.proof_context",
        "first entries",
    ),
    (
        "created in the future",
        lambda d: d["proof"].update(created="2026-01-15T12:06:00Z"),
        "signature",
        "di.bad_signature",
        "does not verify",
    ),
]


@pytest.mark.parametrize(("label", "change", "check", "code", "phrase"), TAMPERS, ids=[t[0] for t in TAMPERS])
def test_each_rule_fails_its_check(  # noqa: PLR0917 - one parameter per column of TAMPERS
    signed: dict[str, Any], ed_key: Key, label: str, change: Any, check: str, code: str, phrase: str
) -> None:
    result = verify(_tamper(signed, change), ed_key)
    assert not result.valid
    assert failed(result)[:2] == (check, code), label
    assert phrase in failed(result)[2]
    after = list(di.CHECK_NAMES)[list(di.CHECK_NAMES).index(check) + 1 :]
    assert all(result.check(name).status is CheckStatus.SKIPPED for name in after)


def test_key_outside_assertion_method(signed: dict[str, Any], ed_key: Key) -> None:
    result = verify(signed, ed_key, relationships=("authentication",))
    check, code, message = failed(result)
    assert (check, code) == ("key", "di.key_purpose")
    assert "assertionMethod" in message


def test_proof_time(ed_key: Key) -> None:
    method, resolver = did_web_setup(ed_key)
    future = di.sign(ob_credential(), ed_key, verification_method=method, created=NOW + timedelta(minutes=6))
    result = di.verify(future, resolver=resolver, now=NOW, leeway=timedelta(minutes=5))
    assert failed(result)[:2] == ("proof_time", "di.created_in_future")
    assert di.verify(future, resolver=resolver, now=NOW, leeway=timedelta(minutes=7)).valid
    expiring = ob_credential()
    signed = di.sign(expiring, ed_key, verification_method=method, created=NOW - timedelta(days=2))
    # expires is a proof option: it is signed, so it is set before signing (czmc's sign has no option for it).
    options = {**signed["proof"], "expires": "2026-01-14T00:00:00Z"}
    options.pop("proofValue")
    document = {k: v for k, v in signed.items() if k != "proof"}
    canonical = di.canonicalize(document)
    proof_canonical = di.canonicalize({**options, "@context": document["@context"]})
    data = hashlib.sha256(proof_canonical.encode()).digest() + hashlib.sha256(canonical.encode()).digest()
    expired = {**document, "proof": {**options, "proofValue": multibase.encode(ed_key.sign(data), "base58btc")}}
    assert failed(di.verify(expired, resolver=resolver, now=NOW))[:2] == ("proof_time", "di.proof_expired")
    assert di.verify(expired, resolver=resolver, now=datetime(2026, 1, 13, 13, tzinfo=UTC)).valid


def test_presentation_purpose_challenge_and_domain(ed_key: Key) -> None:
    method, resolver = did_web_setup(ed_key, relationships=("authentication",))
    presentation = {
        "@context": [jsonld.VC_CONTEXT],
        "type": ["VerifiablePresentation"],
        "holder": ISSUER,
    }
    signed = di.sign(
        presentation,
        ed_key,
        verification_method=method,
        purpose="authentication",
        challenge="c-123",
        domain="verifier.example",
    )
    ok = di.verify(
        signed,
        resolver=resolver,
        now=datetime.now(UTC),
        expected_purpose="authentication",
        challenge="c-123",
        domain="verifier.example",
    )
    assert ok.valid, ok.failures
    cases: list[tuple[dict[str, Any], str]] = [
        ({"challenge": "c-124"}, "di.challenge"),
        ({"challenge": None}, "di.challenge"),
        ({"challenge": "c-123", "domain": "other.example"}, "di.domain"),
    ]
    for options, code in cases:
        result = di.verify(
            signed, resolver=resolver, now=datetime.now(UTC), expected_purpose="authentication", **options
        )
        assert failed(result)[:2] == ("proof", code)
    stranger = di.verify(
        {**signed, "holder": "did:web:other.example"},
        resolver=resolver,
        now=datetime.now(UTC),
        expected_purpose="authentication",
        challenge="c-123",
    )
    assert failed(stranger)[:2] == ("key_binding", "di.key_not_issuer")
    anonymous = {k: v for k, v in signed.items() if k != "holder"}
    anonymous = di.sign(
        {k: v for k, v in anonymous.items() if k != "proof"},
        ed_key,
        verification_method=method,
        purpose="authentication",
        challenge="c-9",
    )
    result = di.verify(
        anonymous, resolver=resolver, now=datetime.now(UTC), expected_purpose="authentication", challenge="c-9"
    )
    assert result.valid
    assert result.check("key_binding").status is CheckStatus.SKIPPED
    assert result.check("key_binding").required is False


def test_bad_input_never_raises(ed_key: Key) -> None:
    _method, resolver = did_web_setup(ed_key)
    values: list[Any] = [None, [], "text", 3, {"proof": {}}, {"@context": 5, "proof": {"type": 1}}]
    for value in values:
        result = di.verify(value, resolver=resolver, now=NOW)
        assert not result.valid
        assert result.failures[0].name == "document"


def test_resolver_errors_are_failed_checks(signed: dict[str, Any]) -> None:
    class Refusing:
        def resolve_key(self, kid: str) -> ResolvedKey:
            raise ResolutionError("resolution.offline", f"{kid} needs the network")

    result = di.verify(signed, resolver=Refusing(), now=NOW)
    check, code, message = failed(result)
    assert (check, code) == ("key", "di.key_unresolved")
    assert "resolution.offline" in message


def test_verify_needs_an_aware_now(signed: dict[str, Any], ed_key: Key) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        verify(signed, ed_key, now=datetime(2026, 1, 1))


# --- signing refusals --------------------------------------------------------------------------------------


def test_sign_refusals(ed_key: Key) -> None:
    p256 = Key(ec.derive_private_key(42, ec.SECP256R1()))
    credential = ob_credential()
    cases: list[tuple[Any, str]] = [
        (
            lambda: di.sign(credential, ed_key, verification_method="x#k", cryptosuite="eddsa-jcs-2022"),
            "di.unknown_cryptosuite",
        ),
        (lambda: di.sign(credential, p256, verification_method=f"{ISSUER}#k"), "di.key_mismatch"),
        (
            lambda: di.sign(credential, ed_key, verification_method=f"{ISSUER}#k", cryptosuite="ecdsa-rdfc-2019"),
            "di.key_mismatch",
        ),
        (lambda: di.sign(credential, ed_key, verification_method="#k"), "di.options"),
        (lambda: di.sign(credential, ed_key, verification_method=f"{ISSUER}#k", challenge=""), "di.options"),
        (
            lambda: di.sign(credential, ed_key, verification_method=f"{ISSUER}#k", created=datetime(2026, 1, 1)),
            "di.created",
        ),
        (
            lambda: di.sign(
                {**credential, "@context": [jsonld.VC_V1_CONTEXT]}, ed_key, verification_method=f"{ISSUER}#k"
            ),
            "di.context",
        ),
        (lambda: di.sign("not a credential", ed_key, verification_method=f"{ISSUER}#k"), "di.document"),  # type: ignore[arg-type]
    ]
    for call, code in cases:
        with pytest.raises(SigningError) as refused:
            call()
        assert refused.value.code == code
    with pytest.raises(JsonLdError):
        di.sign({**credential, "undefinedThing": 1}, ed_key, verification_method=f"{ISSUER}#k")


# --- properties ------------------------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(name=st.text(min_size=1, max_size=40), other=st.text(min_size=1, max_size=40))
def test_any_name_signs_verifies_and_binds(ed_key: Key, name: str, other: str) -> None:
    method, resolver = did_web_setup(ed_key)
    credential = ob_credential()
    credential["name"] = name
    signed = di.sign(credential, ed_key, verification_method=method, created=NOW)
    assert di.verify(signed, resolver=resolver, now=NOW).valid
    changed = {**signed, "name": other}
    assert di.verify(changed, resolver=resolver, now=NOW).valid is (other == name)


@pytest.mark.parametrize("method_type", ["Multikey", "Ed25519VerificationKey2020", "JsonWebKey", "JsonWebKey2020"])
def test_every_verification_method_type_carries_a_data_integrity_key(ed_key: Key, method_type: str) -> None:
    method = f"{ISSUER}#key-1"
    entry: dict[str, Any] = {"id": method, "type": method_type, "controller": ISSUER}
    if method_type.startswith("JsonWebKey"):
        entry["publicKeyJwk"] = ed_key.public.jwk()
    else:
        entry["publicKeyMultibase"] = did_key(ed_key.public).removeprefix("did:key:")
    document = {"@context": ["https://www.w3.org/ns/did/v1"], "id": ISSUER, "verificationMethod": [entry]}
    signed = di.sign(ob_credential(), ed_key, verification_method=method, created=NOW)
    refused = di.verify(signed, resolver=DefaultResolver(documents=[document]), now=NOW)
    assert failed(refused)[:2] == ("key", "di.key_purpose")  # listed in no relationship
    resolver = DefaultResolver(documents=[{**document, "assertionMethod": [method]}])
    assert di.verify(signed, resolver=resolver, now=NOW).valid


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=micro_credentials())
def test_every_credential_czmc_renders_canonicalises_within_the_wallet_limit(data: dict[str, Any]) -> None:
    # Whatever the model holds (many outcomes, a parent organisation, identifiers), czmc's credentials
    # stay within rdf-canonize's work limit, so they can be Data Integrity-signed for any wallet.
    credential = ob3.to_credential(MicroCredential.model_validate(data))
    assert di.canonicalize(credential)
