"""Data Integrity interoperability with the Digital Bazaar stack, both ways (tests/interop/di-stack.mjs).

- The Digital Bazaar stack (``@digitalbazaar/vc`` with ``data-integrity`` + ``eddsa-rdfc-2022``,
  ``ed25519-signature-2020``) signs Credly-shaped OB 3.0 credentials (VC 2.0 + OB 3.0.3 +
  extensions.json, a did:web issuer whose DID document with a Multikey method is written beside
  the credential) and an Ed25519Signature2020 one on VC 1.1; the test tampers with them the ways
  credentials break in the wild. Every file is verified by both stacks: the verdicts are equal.
- czmc signs (eddsa-rdfc-2022 and ecdsa-rdfc-2019) and the Digital Bazaar stack verifies.

Keys are deterministic (fixed seeds); every context is served from czmc's bundled files and every
DID document from the corpus folder, on both sides: nothing is fetched.
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from multiformats import multibase, multicodec

from czmc import _b64, jsonld, verification
from czmc import dataintegrity as di
from czmc.did import DefaultResolver, did_key
from czmc.errors import JsonLdError
from czmc.keys import Key
from tests.test_dataintegrity import anonymous_outcomes

INTEROP = Path(__file__).resolve().parent / "interop"
NODE = shutil.which("node")
EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "credentials" / "applied-ai.credential.json"

pytestmark = pytest.mark.skipif(
    NODE is None, reason="Node.js is not installed: the interop tests run the Digital Bazaar stack under `node`"
)

ISSUER = "did:web:badges.example.com"
OTHER = "did:web:other.example.com"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
CREATED = "2026-02-01T09:30:00Z"
SEEDS = {"key-1": "11" * 32, "key-2": "22" * 32, "auth-only": "33" * 32, "key-2020": "44" * 32}
OB_CONTEXTS = [jsonld.VC_CONTEXT, jsonld.OB_CONTEXT, jsonld.OB_EXTENSIONS_CONTEXT]
VC1_CONTEXTS = ["https://www.w3.org/2018/credentials/v1", jsonld.OB_CONTEXT_3_0_2, di.ED25519_2020_CONTEXT]

Node = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


def bundled_contexts() -> dict[str, str]:
    """Every context czmc bundles, URL -> file, for the Node side's loader."""
    folder = resources.files("czmc").joinpath("_data", "contexts")
    return {url: str(folder.joinpath(name)) for url, name in jsonld.CONTEXTS.items()}


@pytest.fixture(scope="module")
def node() -> Node:
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

    def run(cases: list[dict[str, Any]]) -> list[dict[str, Any]]:
        done = subprocess.run(
            [NODE, "di-stack.mjs"],
            cwd=INTEROP,
            input=json.dumps(cases),
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, f"node di-stack.mjs failed:\n{done.stderr}"
        results: list[dict[str, Any]] = json.loads(done.stdout)
        assert len(results) == len(cases)
        return results

    return run


# --- the issuer's DID documents -------------------------------------------------------------------------


def ed25519_seeded(seed_hex: str) -> Key:
    return Key(ed25519.Ed25519PrivateKey.from_private_bytes(bytes.fromhex(seed_hex)))


def multikey(key: Key) -> str:
    return did_key(key.public).removeprefix("did:key:")


def issuer_document(did: str, *, p256: Key | None = None) -> dict[str, Any]:
    """The did:web document: key-1 and key-2 (Multikey, assertionMethod), auth-only (authentication only),
    key-2020 (Ed25519VerificationKey2020, assertionMethod) and, if given, a P-256 Multikey p256-1."""
    methods = [
        {
            "id": f"{did}#{name}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": multikey(ed25519_seeded(seed)),
        }
        for name, seed in SEEDS.items()
        if name != "key-2020"
    ]
    methods.append(
        {
            "id": f"{did}#key-2020",
            "type": "Ed25519VerificationKey2020",
            "controller": did,
            "publicKeyMultibase": multikey(ed25519_seeded(SEEDS["key-2020"])),
        }
    )
    assertion = [f"{did}#key-1", f"{did}#key-2", f"{did}#key-2020"]
    if p256 is not None:
        methods.append(
            {"id": f"{did}#p256-1", "type": "Multikey", "controller": did, "publicKeyMultibase": multikey(p256)}
        )
        assertion.append(f"{did}#p256-1")
    return {
        "@context": [jsonld.DID_CONTEXT, jsonld.MULTIKEY_CONTEXT, di.ED25519_2020_CONTEXT],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": assertion,
        "authentication": [f"{did}#auth-only", f"{did}#key-1"],
    }


P256 = Key(ec.derive_private_key(0x1D2C3B4A59687786, ec.SECP256R1()))


# --- Credly-shaped credentials ----------------------------------------------------------------------------


def credly_badge(*, subject_id: bool = True, evidence: bool = False, valid_until: str | None = None) -> dict[str, Any]:
    """An OB 3.0 badge shaped like Credly's exports (VC 2.0, OB 3.0.3, extensions.json, did:web issuer)."""
    subject: dict[str, Any] = {
        "type": ["AchievementSubject"],
        "achievement": {
            "id": "https://badges.example.com/org/ibm/badge/cloud-core",
            "type": ["Achievement"],
            "name": "Cloud Core",
            "description": "This badge earner understands cloud computing concepts.",
            "criteria": {"narrative": "Completed the Cloud Core course and passed its assessment."},
            "image": {"id": "https://images.badges.example.com/cloud-core.png", "type": "Image"},
        },
    }
    if subject_id:
        subject["id"] = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    else:
        subject["identifier"] = [
            {
                "type": "IdentityObject",
                "identityHash": "sha256$b1a8bb0f7c8a1c6d3b6cd2e6c1b4fd8b5c3a27f8b3f1c2d7e9a0b4c5d6e7f8a9",
                "identityType": "emailAddress",
                "hashed": True,
                "salt": "a1b2c3",
            }
        ]
    credential: dict[str, Any] = {
        "@context": list(OB_CONTEXTS),
        "id": "urn:uuid:6c6d2a2e-5b1d-4b83-9d4a-3e0a4f8f1a01",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Cloud Core",
        "issuer": {"id": ISSUER, "type": ["Profile"], "name": "Badges Example", "url": "https://badges.example.com"},
        "validFrom": "2026-02-01T09:00:00Z",
        "credentialSubject": subject,
    }
    if evidence:
        credential["evidence"] = [
            {
                "id": "https://badges.example.com/evidence/123",
                "type": ["Evidence"],
                "name": "Final project",
                "narrative": "A deployed three-tier application.",
            }
        ]
    if valid_until is not None:
        credential["validUntil"] = valid_until
    return credential


def vc1_badge() -> dict[str, Any]:
    """An OB 3.0.2 credential on the VC 1.1 data model, for an Ed25519Signature2020 proof."""
    credential = credly_badge()
    credential["@context"] = list(VC1_CONTEXTS)
    credential.pop("validFrom")
    credential["issuanceDate"] = "2026-02-01T09:00:00Z"
    return credential


@dataclass
class Case:
    """One corpus file: how it was made and what both stacks must say."""

    name: str
    credential: dict[str, Any]
    note: str = ""


def sign_case(
    credential: dict[str, Any], *, key: str = "key-1", suite: str = "eddsa-rdfc-2022", **extra: Any
) -> dict[str, Any]:
    return {
        "op": "sign",
        "suite": suite,
        "seed": SEEDS[key],
        "verificationMethod": f"{ISSUER}#{key}",
        "created": CREATED,
        "credential": credential,
        "contexts": bundled_contexts(),
        **extra,
    }


@pytest.fixture(scope="module")
def corpus(node: Node, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Case]]:
    """The Digital Bazaar-signed corpus, valid and tampered, written to a folder with its DID document."""
    folder = tmp_path_factory.mktemp("di-corpus")
    (folder / "did.json").write_text(json.dumps(issuer_document(ISSUER), indent=2))
    (folder / "other-did.json").write_text(json.dumps(issuer_document(OTHER), indent=2))
    requests = {
        "credly": sign_case(credly_badge()),
        "credly-no-subject-id": sign_case(credly_badge(subject_id=False)),
        "credly-evidence": sign_case(credly_badge(evidence=True)),
        "credly-valid-until": sign_case(credly_badge(valid_until="2030-01-01T00:00:00Z")),
        "credly-expired": sign_case(credly_badge(valid_until="2026-02-15T00:00:00Z")),
        "vc1-ed25519-2020": sign_case(vc1_badge(), key="key-2020", suite="Ed25519Signature2020"),
        "control-characters": sign_case({**credly_badge(), "name": "Cloud\bCore\x1f\x7f\ttab"}),
        "signed-by-key-2": sign_case(credly_badge(), key="key-2"),
        "auth-only-key": sign_case(credly_badge(), key="auth-only"),
        "purpose-authentication": sign_case(credly_badge(), purpose="authentication", challenge="abc"),
    }
    results = node(list(requests.values()))
    signed = {}
    for name, result in zip(requests, results, strict=True):
        assert result["ok"], (name, result)
        signed[name] = result["signed"]
    cases = {name: Case(name, document) for name, document in signed.items() if name != "signed-by-key-2"}

    def tampered(name: str, base: str, change: Callable[[dict[str, Any]], object], note: str) -> None:
        document = copy.deepcopy(signed[base])
        change(document)
        cases[name] = Case(name, document, note)

    tampered("wallet-sorted", "credly", lambda d: d, "re-serialised with keys sorted (below)")
    tampered(
        "content-changed", "credly", lambda d: d["credentialSubject"]["achievement"].update(name="Cloud Expert"), ""
    )
    tampered(
        "proof-value-altered", "credly", lambda d: d["proof"].update(proofValue=_flip(d["proof"]["proofValue"])), ""
    )
    tampered(
        "method-of-another-key",
        "credly",
        lambda d: d["proof"].update(verificationMethod=f"{ISSUER}#key-2"),
        "names key-2, signed by key-1",
    )
    tampered("renamed-cryptosuite", "credly", lambda d: d["proof"].update(cryptosuite="eddsa-2022"), "")
    tampered("undefined-term", "credly", lambda d: d["credentialSubject"].update(favouriteColour="blue"), "")
    tampered("context-order", "credly", lambda d: d["@context"].reverse(), "")
    tampered("proof-removed", "credly", lambda d: d.pop("proof"), "")
    tampered(
        "issuer-changed",
        "signed-by-key-2",
        lambda d: d["issuer"].update(id=OTHER),
        "key-2 of the issuer, issuer now another DID",
    )
    for name, case in cases.items():
        text = json.dumps(case.credential, indent=2, sort_keys=name == "wallet-sorted")
        (folder / f"{name}.json").write_text(text)
    return folder, cases


def _flip(proof_value: str) -> str:
    raw = bytearray(multibase.decode(proof_value))
    raw[10] ^= 0x01
    encoded: str = multibase.encode(bytes(raw), "base58btc")
    return encoded


def db_verify(node: Node, files: list[Path], did_documents: list[Path], *, now: datetime) -> list[dict[str, Any]]:
    cases = [
        {
            "op": "verify",
            "credentialFile": str(file),
            "didDocumentFiles": [str(path) for path in did_documents],
            "contexts": bundled_contexts(),
            "now": now.isoformat(),
        }
        for file in files
    ]
    results = node(cases)
    assert all(result["ok"] for result in results), results
    return results


def czmc_verify(file: Path, did_documents: list[Path], *, now: datetime) -> di.ProofResult:
    documents = [json.loads(path.read_text()) for path in did_documents]
    return di.verify(json.loads(file.read_text()), resolver=DefaultResolver(documents=documents), now=now)


# What czmc's proof step must say about each corpus file (None = valid), the Digital Bazaar stack
# agreeing on valid/invalid. "credly-expired" differs by design: the Digital Bazaar stack judges the
# credential's validUntil together with the proof, czmc's proof step only the proof (the pipeline's
# time step judges validUntil), so there the stack's one error must be the expiry.
EXPECTED: dict[str, tuple[str, str] | None] = {
    "credly": None,
    "credly-no-subject-id": None,
    "credly-evidence": None,
    "credly-valid-until": None,
    "credly-expired": None,
    "vc1-ed25519-2020": None,
    "control-characters": None,
    "wallet-sorted": None,
    "content-changed": ("signature", "di.bad_signature"),
    "proof-value-altered": ("signature", "di.bad_signature"),
    "method-of-another-key": ("signature", "di.bad_signature"),
    "auth-only-key": ("key", "di.key_purpose"),
    "renamed-cryptosuite": ("cryptosuite", "di.unknown_cryptosuite"),
    "purpose-authentication": ("proof", "di.proof_purpose"),
    "undefined-term": ("document", "di.jsonld"),
    "context-order": ("document", "di.context_first"),
    "proof-removed": ("document", "di.no_proof"),
    "issuer-changed": ("key_binding", "di.key_not_issuer"),
}


def test_corpus_is_complete(corpus: tuple[Path, dict[str, Case]]) -> None:
    assert set(corpus[1]) == set(EXPECTED)


def test_czmc_and_the_digital_bazaar_stack_agree_on_every_corpus_file(
    node: Node, corpus: tuple[Path, dict[str, Case]]
) -> None:
    folder, cases = corpus
    names = sorted(cases)
    did_documents = [folder / "did.json", folder / "other-did.json"]
    theirs = dict(
        zip(names, db_verify(node, [folder / f"{name}.json" for name in names], did_documents, now=NOW), strict=True)
    )
    disagreements = []
    for name in names:
        ours = czmc_verify(folder / f"{name}.json", did_documents, now=NOW)
        expected = EXPECTED[name]
        if expected is None:
            assert ours.valid, (name, ours.failures)
        else:
            assert not ours.valid, name
            assert (ours.failures[0].name, ours.failures[0].code) == expected, (name, ours.failures)
        if name == "credly-expired":
            assert not theirs[name]["verified"]
            assert theirs[name]["errors"], theirs[name]
            assert all('after "validUntil"' in error for error in theirs[name]["errors"]), theirs[name]
            continue
        if theirs[name]["verified"] != ours.valid:
            disagreements.append((name, theirs[name], [check.to_dict() for check in ours.failures]))
    assert not disagreements


def test_czmc_verify_gives_the_digital_bazaar_stacks_verdict_on_every_corpus_file(
    node: Node, corpus: tuple[Path, dict[str, Case]]
) -> None:
    # The whole pipeline (czmc.verify: proof, then time, JSON-LD, schema; these badges carry no
    # status) says valid exactly where the Digital Bazaar stack does, the expired badge included.
    folder, cases = corpus
    names = sorted(cases)
    did_documents = [folder / "did.json", folder / "other-did.json"]
    theirs = db_verify(node, [folder / f"{name}.json" for name in names], did_documents, now=NOW)
    resolver = DefaultResolver(documents=[json.loads(path.read_text()) for path in did_documents])
    verdicts = {
        name: verification.verify((folder / f"{name}.json").read_text(), resolver=resolver, now=NOW).valid
        for name in names
    }
    assert verdicts == {name: result["verified"] for name, result in zip(names, theirs, strict=True)}
    assert not verdicts["credly-expired"]


def test_the_expired_badge_verifies_in_the_digital_bazaar_stack_before_its_expiry(
    node: Node, corpus: tuple[Path, dict[str, Case]]
) -> None:
    folder, _cases = corpus
    (result,) = db_verify(
        node, [folder / "credly-expired.json"], [folder / "did.json"], now=datetime(2026, 2, 10, tzinfo=UTC)
    )
    assert result["verified"], result


# --- czmc signs, the Digital Bazaar stack verifies ---------------------------------------------------------


def test_czmc_data_integrity_output_verifies_with_the_digital_bazaar_stack(node: Node, tmp_path: Path) -> None:
    did_file = tmp_path / "did.json"
    did_file.write_text(json.dumps(issuer_document(ISSUER, p256=P256)))
    key_1 = ed25519_seeded(SEEDS["key-1"])
    czmc_example = json.loads(EXAMPLE.read_text())
    czmc_example["issuer"]["id"] = ISSUER
    made = {
        "eddsa-credly": di.sign(credly_badge(), key_1, verification_method=f"{ISSUER}#key-1"),
        "eddsa-czmc-example": di.sign(czmc_example, key_1, verification_method=f"{ISSUER}#key-1"),
        "eddsa-evidence-no-subject-id": di.sign(
            credly_badge(subject_id=False, evidence=True), key_1, verification_method=f"{ISSUER}#key-1"
        ),
        "ecdsa-credly": di.sign(
            credly_badge(), P256, verification_method=f"{ISSUER}#p256-1", cryptosuite="ecdsa-rdfc-2019"
        ),
        "control-characters": di.sign(
            {**credly_badge(), "name": "Cloud\bCore\x1f\x7f\ttab"}, key_1, verification_method=f"{ISSUER}#key-1"
        ),
        "proof-set": di.sign(
            di.sign(credly_badge(), key_1, verification_method=f"{ISSUER}#key-1"),
            P256,
            verification_method=f"{ISSUER}#p256-1",
            cryptosuite="ecdsa-rdfc-2019",
        ),
    }
    files = []
    for name, document in made.items():
        file = tmp_path / f"{name}.json"
        file.write_text(json.dumps(document))
        files.append(file)
        assert czmc_verify(file, [did_file], now=datetime.now(UTC)).valid, name
    results = db_verify(node, files, [did_file], now=datetime.now(UTC) + timedelta(seconds=1))
    for name, result in zip(made, results, strict=True):
        assert result["verified"], (name, result["errors"])
    # and a tampered one is refused there too
    broken = copy.deepcopy(made["eddsa-credly"])
    broken["name"] = "Cloud Expert"
    file = tmp_path / "broken.json"
    file.write_text(json.dumps(broken))
    (result,) = db_verify(node, [file], [did_file], now=datetime.now(UTC))
    assert not result["verified"]


def test_a_wallet_on_the_digital_bazaar_stack_presents_czmc_data_integrity_output(node: Node, tmp_path: Path) -> None:
    # What `czmc issue --proof-format data-integrity` writes (a proof set of one) is what a wallet
    # loads: the stack puts it in a presentation signed by the learner and verifies both.
    learner = "did:web:learner.example.com"
    issuer_file, learner_file = tmp_path / "issuer.json", tmp_path / "learner.json"
    issuer_file.write_text(json.dumps(issuer_document(ISSUER)))
    learner_file.write_text(json.dumps(issuer_document(learner)))
    example = json.loads(EXAMPLE.read_text())
    example["issuer"]["id"] = ISSUER
    signed = di.sign(example, ed25519_seeded(SEEDS["key-1"]), verification_method=f"{ISSUER}#key-1")
    signed["proof"] = [signed["proof"]]
    credential = tmp_path / "credential.json"
    credential.write_text(json.dumps(signed))
    (result,) = node(
        [
            {
                "op": "present",
                "credentialFile": str(credential),
                "suite": "eddsa-rdfc-2022",
                "seed": SEEDS["key-1"],
                "verificationMethod": f"{learner}#key-1",
                "challenge": "czmc-test-challenge",
                "created": datetime.now(UTC).isoformat(),
                "contexts": bundled_contexts(),
                "didDocumentFiles": [str(issuer_file), str(learner_file)],
            }
        ]
    )
    assert result["ok"], result
    assert result["verified"], result["errors"]
    [inside] = result["presentation"]["verifiableCredential"]
    assert inside == signed


def test_the_node_side_derives_the_same_keys(node: Node) -> None:
    # The corpus's DID documents are written from czmc's derivation of the seeds; the stack's own
    # derivation must give the same public keys, or the corpus would test nothing.
    secret = multibase.encode(multicodec.wrap("p256-priv", _b64.decode(P256.private_jwk()["d"])), "base58btc")
    cases = [
        {"op": "publicKey", "suite": "eddsa-rdfc-2022", "seed": seed, "verificationMethod": f"{ISSUER}#{name}"}
        for name, seed in SEEDS.items()
    ] + [
        {
            "op": "publicKey",
            "suite": "ecdsa-rdfc-2019",
            "secretKeyMultibase": secret,
            "publicKeyMultibase": multikey(P256),
            "verificationMethod": f"{ISSUER}#p256-1",
        }
    ]
    results = node(cases)
    assert [result.get("publicKeyMultibase") for result in results] == [
        *(multikey(ed25519_seeded(seed)) for seed in SEEDS.values()),
        multikey(P256),
    ]


def test_both_stacks_refuse_a_credential_beyond_the_canonicalisation_limit(node: Node) -> None:
    # czmc's credentials as ob3.to_credential rendered them before their learning outcomes had ids:
    # the Digital Bazaar stack cannot canonicalise them, and czmc refuses to sign them rather than
    # issue a credential that wallets on that stack reject. As rendered now, both sign them.
    credential = json.loads(EXAMPLE.read_text())
    credential["issuer"]["id"] = ISSUER
    older = anonymous_outcomes(credential)
    with pytest.raises(JsonLdError) as refused:
        di.sign(older, ed25519_seeded(SEEDS["key-1"]), verification_method=f"{ISSUER}#key-1")
    assert refused.value.issues[0].code == "jsonld.canonicalization_limit"
    (result,) = node([sign_case(older)])
    assert not result["ok"]
    assert "Maximum deep iterations exceeded" in result["error"]["message"]
    (compatible,) = node([sign_case(credential)])
    assert compatible["ok"], compatible
