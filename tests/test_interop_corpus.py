"""czmc against a corpus of Open Badges 3.0 JWTs made by independent tools (tests/interop/corpus).

The corpus is what a verifier meets in the wild: OB 3.0 JWTs and VC-JOSE-COSE tokens signed by
jose, VC-JWT 1.1 credentials (VC v1 context, OB 3.0.0/3.0.1/3.0.2 contexts) by jose and
did-jwt-vc, didkit-shaped ones with a float ``nbf``, issuers on did:key, did:jwk and did:web,
extension contexts nobody bundles, Bitstring Status Lists, and tampered and broken tokens.
``tests/interop/make-corpus.mjs`` wrote it (fixed seeds and dates) together with
``manifest.json``, which gives each case's verification moment, DID documents, status lists,
extra JSON-LD documents and verdict: valid, or the one check that must fail and a prefix of its
code.

Reading the corpus needs no Node.js. With node installed, the generator is re-run to show the
committed corpus is what it makes, and did-jwt-vc (default policies) judges the VC 1.1 cases
and czmc's own ``vc1`` output.

Cases marked ``"needs": "issue-10"`` in the manifest are verdicts czmc does not give yet; their
tests are strict xfails, so each marker must go (in make-corpus.mjs, then regenerate) as soon as
the change it waits for lands."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess
import sys
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

import czmc
from czmc import did, ob3
from czmc.did import DefaultResolver
from czmc.inputs import load_document
from czmc.keys import Key
from czmc.status import StatusChecker

INTEROP = Path(__file__).resolve().parent / "interop"
CORPUS = INTEROP / "corpus"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
NODE = shutil.which("node")
CZMC = shutil.which("czmc") or str(Path(sys.executable).with_name("czmc"))

# The checks whose failure makes a credential invalid; a profile outcome (e.g. "not an EU
# micro-credential") is not among them.
VALIDITY_CHECKS = frozenset(
    {"token", "header", "algorithm", "key", "key_binding", "signature", "claims", "time", "status", "jsonld", "schema"}
)
VC1_FORMS = frozenset({"vc-jwt-1.1", "didkit-vc-jwt-1.1"})
# what did-jwt-vc checks itself: the signature and the issuer's key, nbf/iat/exp
DIDJWTVC_CHECKS = frozenset({"signature", "key", "key_binding", "time"})

MANIFEST: dict[str, Any] = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
CASES: dict[str, dict[str, Any]] = {case["name"]: case for case in MANIFEST["cases"]}

needs_node = pytest.mark.skipif(NODE is None, reason="Node.js is not installed: this test runs tests/interop scripts")


def expecting(names: list[str]) -> list[Any]:
    """``names`` as pytest params; a case marked ``needs`` is a strict xfail."""
    return [
        pytest.param(
            name,
            id=name,
            marks=[pytest.mark.xfail(reason=f"needs {CASES[name]['needs']}", raises=AssertionError, strict=True)]
            if "needs" in CASES[name]
            else [],
        )
        for name in names
    ]


@cache
def token(name: str) -> str:
    file: str = CASES[name]["file"]
    return (CORPUS / file).read_text(encoding="ascii").strip()


def did_documents(name: str) -> list[dict[str, Any]]:
    return [json.loads((CORPUS / file).read_text(encoding="utf-8")) for file in CASES[name]["did_documents"]]


def at(name: str) -> datetime:
    return datetime.fromisoformat(CASES[name]["now"])


def failures(checks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(check, code) for check, code in checks if check in VALIDITY_CHECKS]


def assert_verdict(valid: bool, failed: list[tuple[str, str]], expected: dict[str, Any]) -> None:
    """The verdict ``expected`` gives (``valid``, ``check``, ``code``), from a result's failed checks."""
    if expected["valid"]:
        assert valid, failed
        assert not failures(failed), failed
        return
    assert not valid
    assert [check for check, _ in failures(failed)] == [expected["check"]], failed
    [(_, code)] = failures(failed)
    assert code.startswith(expected["code"]), failed


def verify(name: str) -> czmc.VerificationResult:
    lists = [(CORPUS / file).read_text(encoding="ascii") for file in CASES[name].get("status_lists", [])]
    resolver = DefaultResolver(documents=did_documents(name))
    return czmc.verify(token(name), resolver=resolver, now=at(name), status=StatusChecker(lists=lists))


def cli_options(name: str) -> list[str | Path]:
    """The case's DID documents and status lists as `czmc verify` options."""
    case = CASES[name]
    documents = [arg for file in case["did_documents"] for arg in ("--did-document", CORPUS / file)]
    lists = [arg for file in case.get("status_lists", []) for arg in ("--status-list", CORPUS / file)]
    return [*documents, *lists, "--at", case["now"]]


def failed_checks(result: czmc.VerificationResult) -> list[tuple[str, str]]:
    return [(check.name, check.code) for check in result.failures]


def b64decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


# --- the manifest -----------------------------------------------------------------------------


def corpus_files(root: Path, *, skip: tuple[str, ...]) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and path.relative_to(root).parts[0] not in skip
    }


def test_manifest_describes_every_file():
    """Every case names existing files, a form the manifest defines and a verdict czmc can state;
    every generated file belongs to a case."""
    assert len(CASES) == len(MANIFEST["cases"]) >= 30
    referenced = {"README.md", "manifest.json", *MANIFEST["documents"]}
    for case in CASES.values():
        assert case["form"] in MANIFEST["forms"], case["name"]
        referenced.update([case["file"], *case["did_documents"], *case.get("documents", [])])
        referenced.update(case.get("status_lists", []))
        datetime.fromisoformat(case["now"])
        if case["valid"]:
            assert "check" not in case
        else:
            assert case["check"] in VALIDITY_CHECKS
            assert case["code"]
        if "documents" in case:
            assert set(case["documents"]) <= set(MANIFEST["documents"])
            assert case["without_documents"]["check"] in VALIDITY_CHECKS
        assert case.get("needs") in (None, "issue-10")
    assert all((CORPUS / file).is_file() for file in referenced)
    generated = {file for file in referenced if not file.startswith("inputs/")}
    assert corpus_files(CORPUS, skip=("inputs", "public-keys")) == generated
    assert {case["form"] for case in CASES.values()} == set(MANIFEST["forms"])
    assert {case["valid"] for case in CASES.values()} == {True, False}


def test_inputs_are_the_recorded_files():
    """The generator's inputs (a third-party context, a test key) match the SHA-256 in inputs/SOURCES.md."""
    sources = (CORPUS / "inputs" / "SOURCES.md").read_text(encoding="utf-8")
    recorded = dict(re.findall(r"^\| `([^`]+)` \|.*?\| `([0-9a-f]{64})` \|", sources, flags=re.MULTILINE))
    files = corpus_files(CORPUS / "inputs", skip=())
    assert set(recorded) == files - {"SOURCES.md"}
    for name, digest in recorded.items():
        assert hashlib.sha256((CORPUS / "inputs" / name).read_bytes()).hexdigest() == digest, name


# --- czmc verifies the corpus -----------------------------------------------------------------


WITH_DOCUMENTS = [name for name, case in CASES.items() if "documents" in case]


@pytest.mark.parametrize("name", expecting([name for name in CASES if name not in WITH_DOCUMENTS]))
def test_czmc_verdict(name: str):
    """czmc.verify with the case's DID documents at the case's moment gives the manifest's verdict."""
    result = verify(name)
    assert_verdict(result.valid, failed_checks(result), CASES[name])


@pytest.mark.parametrize("name", WITH_DOCUMENTS)
def test_czmc_verdict_without_documents(name: str):
    """An extension context nobody bundles: without it the credential is not valid (jsonld)."""
    result = verify(name)
    assert_verdict(result.valid, failed_checks(result), CASES[name]["without_documents"])


def czmc_cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CZMC, *map(str, args)], capture_output=True, text=True, timeout=120, check=False)


@pytest.mark.parametrize("name", expecting(WITH_DOCUMENTS))
def test_czmc_verdict_with_pinned_documents(tmp_path: Path, name: str):
    """The same credential with its contexts pinned in a document store: the manifest's verdict."""
    case = CASES[name]
    store = tmp_path / "documents"
    for file in case["documents"]:
        added = czmc_cli("documents", "add", MANIFEST["documents"][file], CORPUS / file, "--store", store)
        assert added.returncode == 0, added.stderr
    done = czmc_cli("verify", CORPUS / case["file"], *cli_options(name), "--documents", store, "--json")
    assert done.returncode in (0, 1), done.stderr
    result = json.loads(done.stdout)
    failed = [(check["name"], check["code"]) for check in result["checks"] if check["status"] == "failed"]
    assert_verdict(result["valid"], failed, case)


# the CLI on the corpus: a did:web issuer that needs its DID document, a forgery, a revoked credential
CLI_CASES = ["ob3-did-web-rsa", "vc1-tampered-content", "ob3-status-revoked"]


@pytest.mark.parametrize("name", expecting(CLI_CASES))
def test_czmc_cli_verdict(name: str):
    """`czmc verify FILE --did-document DOC --at NOW --json` gives the manifest's verdict and exit code."""
    case = CASES[name]
    done = czmc_cli("verify", CORPUS / case["file"], *cli_options(name), "--json")
    assert done.returncode == (0 if case["valid"] else 1), done.stderr
    result = json.loads(done.stdout)
    failed = [(check["name"], check["code"]) for check in result["checks"] if check["status"] == "failed"]
    assert_verdict(result["valid"], failed, case)


@pytest.mark.parametrize("name", CLI_CASES)
def test_czmc_cli_agrees_with_the_library(name: str):
    """Whatever the verdict, the CLI reports the same checks as czmc.verify on the same input."""
    case = CASES[name]
    done = czmc_cli("verify", CORPUS / case["file"], *cli_options(name), "--json")
    result = json.loads(done.stdout)
    library = verify(name)
    assert result["valid"] is library.valid
    assert [(check["name"], check["status"], check["code"]) for check in result["checks"]] == [
        (check.name, check.status.value, check.code) for check in library.checks
    ]


# --- the corpus is what the generator makes ---------------------------------------------------


@pytest.fixture(scope="module")
def node_modules() -> None:
    """``npm ci`` in tests/interop if its node_modules is missing."""
    if (INTEROP / "node_modules" / ".package-lock.json").is_file():
        return
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("node is installed but npm is not; install npm and run `npm ci --prefix tests/interop`")
    installed = subprocess.run(
        [npm, "ci", "--no-audit", "--no-fund"], cwd=INTEROP, capture_output=True, text=True, timeout=600, check=False
    )
    assert installed.returncode == 0, f"npm ci in {INTEROP} failed:\n{installed.stderr}"


def run_node(script: str, *args: str, stdin: str | None = None) -> str:
    assert NODE is not None
    done = subprocess.run(
        [NODE, script, *args], cwd=INTEROP, input=stdin, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, f"node {script} failed:\n{done.stderr}"
    return done.stdout


def es256_verifies(jwt: str, jwk: dict[str, Any]) -> bool:
    """An ES256 JWS signature check by the cryptography package alone (not czmc)."""
    numbers = ec.EllipticCurvePublicNumbers(
        int.from_bytes(b64decode(jwk["x"]), "big"), int.from_bytes(b64decode(jwk["y"]), "big"), ec.SECP256R1()
    )
    signing_input, _, signature = jwt.rpartition(".")
    raw = b64decode(signature)
    der = encode_dss_signature(int.from_bytes(raw[:32], "big"), int.from_bytes(raw[32:], "big"))
    try:
        numbers.public_key().verify(der, signing_input.encode("ascii"), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True


def public_jwk(jwt: str) -> dict[str, Any]:
    """The signer's public JWK: the header's jwk, or the corpus public key its kid names."""
    header = json.loads(b64decode(jwt.split(".", maxsplit=1)[0]))
    if "jwk" in header:
        jwk: dict[str, Any] = header["jwk"]
        return jwk
    for path in (CORPUS / "public-keys").glob("*.jwk.json"):
        candidate: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        if candidate["kid"] == header["kid"]:
            return candidate
    raise AssertionError(f"no corpus key for kid {header['kid']}")


@needs_node
@pytest.mark.usefixtures("node_modules")
def test_corpus_is_reproducible(tmp_path: Path):
    """Re-running make-corpus.mjs gives the committed files byte for byte, except the signatures of
    randomised algorithms (jose's ES256): those tokens keep their header and payload, and their new
    signatures verify with the issuer's key."""
    out = tmp_path / "corpus"
    run_node("make-corpus.mjs", str(out))
    made = corpus_files(out, skip=())
    assert made == corpus_files(CORPUS, skip=("inputs",))
    randomised = {case["file"] for case in CASES.values() if not case["deterministic"]}
    assert randomised, "the corpus has ECDSA cases signed by jose"
    for file in sorted(made):
        old = (CORPUS / file).read_bytes()
        new = (out / file).read_bytes()
        if file not in randomised:
            assert new == old, f"{file} is not what make-corpus.mjs makes"
            continue
        old_jwt, new_jwt = old.decode().strip(), new.decode().strip()
        assert new_jwt.rpartition(".")[0] == old_jwt.rpartition(".")[0], file
        assert es256_verifies(new_jwt, public_jwk(new_jwt)), file
        assert es256_verifies(old_jwt, public_jwk(old_jwt)), file


# --- did-jwt-vc with its default policies -----------------------------------------------------

VC1_CASES = [name for name, case in CASES.items() if case["form"] in VC1_FORMS]


@needs_node
@pytest.mark.usefixtures("node_modules")
def test_didjwtvc_defaults_judge_the_vc1_corpus():
    """did-jwt-vc's verifyCredential, default policies, on the VC 1.1 cases: it accepts the valid
    ones and refuses those whose flaw it checks for (signature, key, times); JSON-LD terms and
    claims it leaves alone (the real clock is used, and no case expires in the future)."""
    cases = [{"token": token(name), "documents": did_documents(name)} for name in VC1_CASES]
    results = json.loads(run_node("didjwtvc-verify-vc1.mjs", stdin=json.dumps(cases)))
    verdicts = {name: result["ok"] for name, result in zip(VC1_CASES, results, strict=True)}
    expected = {name: CASES[name]["valid"] or CASES[name]["check"] not in DIDJWTVC_CHECKS for name in VC1_CASES}
    assert verdicts == expected, [result.get("error") for result in results]
    assert {True, False} == set(verdicts.values())


def czmc_vc1_token() -> tuple[str, dict[str, Any]]:
    """czmc's ``vc1`` JWT of an example micro-credential, issued by a fresh did:key."""
    mc = czmc.MicroCredential.model_validate(load_document(EXAMPLES / "inputs" / "applied-ai.json"))
    credential = ob3.to_credential(mc)
    key = Key.generate("EdDSA")
    issuer = did.did_key(key.public)
    credential["issuer"]["id"] = issuer
    signed = czmc.sign(credential, key.with_kid(f"{issuer}#{issuer.removeprefix('did:key:')}"), format="vc1")
    return signed, credential


@needs_node
@pytest.mark.usefixtures("node_modules")
def test_didjwtvc_defaults_accept_czmc_vc1_output():
    """An application verifying with did-jwt-vc plainly (default policies) accepts czmc's vc1 JWT."""
    signed, credential = czmc_vc1_token()
    [result] = json.loads(run_node("didjwtvc-verify-vc1.mjs", stdin=json.dumps([{"token": signed}])))
    assert result["ok"], result["error"]
    assert result["issuer"] == credential["issuer"]["id"]
    assert result["credential"]["@context"][0] == "https://www.w3.org/2018/credentials/v1"


@needs_node
@pytest.mark.usefixtures("node_modules")
def test_didjwtvc_defaults_refuse_a_tampered_czmc_vc1_token():
    """The script's verdict is live: the same czmc token with its payload changed is refused for its
    signature (did-jwt-vc checks the signature before the credential's format)."""
    signed, _ = czmc_vc1_token()
    header, payload, signature = signed.split(".")
    changed = json.loads(b64decode(payload))
    changed["jti"] = "urn:uuid:00000000-0000-4000-8000-000000000000"
    forged = base64.urlsafe_b64encode(json.dumps(changed).encode()).rstrip(b"=").decode()
    cases = [{"token": f"{header}.{forged}.{signature}"}]
    [result] = json.loads(run_node("didjwtvc-verify-vc1.mjs", stdin=json.dumps(cases)))
    assert not result["ok"]
    assert result["error"]["message"].startswith("invalid_signature:"), result["error"]
