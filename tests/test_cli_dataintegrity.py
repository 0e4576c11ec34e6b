"""`czmc issue --proof-format data-integrity` and `czmc verify FILE.json`, end to end through the CLI.

Every example input is issued as a JSON credential with an embedded Data Integrity proof, verified
by czmc's command and by the Digital Bazaar stack (the one the DCC Learner Credential Wallet uses).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

from czmc import jsonld
from czmc.inputs import load_document

CZMC = shutil.which("czmc") or ""
NODE = shutil.which("node")
EXAMPLES = Path(__file__).parent.parent / "examples" / "inputs"
INTEROP = Path(__file__).parent / "interop"
INPUTS = sorted(EXAMPLES.iterdir())
pytestmark = pytest.mark.skipif(not CZMC, reason="the czmc console script is not installed")


def run(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CZMC, *map(str, args)], capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def issued(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, Path]]:
    """Each example issued with Data Integrity by a key of its own issuer: name -> (credential, DID document)."""
    folder = tmp_path_factory.mktemp("di")
    made = {}
    for source in INPUTS:
        issuer = load_document(source)["issuer"]["id"]
        key, document, credential = (folder / f"{source.stem}.{suffix}" for suffix in ("jwk", "did.json", "json"))
        done = run("keygen", "--did", issuer, "-o", key, "--did-document", document)
        assert done.returncode == 0, done.stderr
        done = run("issue", source, "--key", key, "--proof-format", "data-integrity", "-o", credential)
        assert done.returncode == 0, done.stderr
        made[source.stem] = (credential, document)
    return made


def test_issued_credentials_carry_a_proof_set_and_verify(issued: dict[str, tuple[Path, Path]]) -> None:
    for credential, document in issued.values():
        signed = json.loads(credential.read_text(encoding="utf-8"))
        [proof] = signed["proof"]
        assert (proof["type"], proof["cryptosuite"], proof["proofPurpose"]) == (
            "DataIntegrityProof",
            "eddsa-rdfc-2022",
            "assertionMethod",
        )
        done = run("verify", credential, "--did-document", document, "--json")
        assert done.returncode == 0, done.stdout
        result = json.loads(done.stdout)
        assert (result["verdict"], result["securing"]) == ("valid", "data-integrity")
        assert result["profile"]["profile"] == "czmc-eu-microcredential"
        validated = run("validate", "--verify", "--did-document", document, credential)
        assert validated.returncode == 0, validated.stdout


def test_a_changed_credential_does_not_verify(issued: dict[str, tuple[Path, Path]], tmp_path: Path) -> None:
    credential, document = next(iter(issued.values()))
    signed = json.loads(credential.read_text(encoding="utf-8"))
    signed["credentialSubject"]["achievement"]["name"] = "Something else"
    changed = tmp_path / "changed.json"
    changed.write_text(json.dumps(signed), encoding="utf-8")
    done = run("verify", changed, "--did-document", document)
    assert done.returncode == 1
    assert "FAIL signature" in done.stdout


def test_data_integrity_needs_an_ed25519_or_p256_key_and_no_registry(tmp_path: Path) -> None:
    source = EXAMPLES / "applied-ai.json"
    issuer = load_document(source)["issuer"]["id"]
    rsa = tmp_path / "rsa.jwk"
    assert run("keygen", "--alg", "RS256", "--did", issuer, "-o", rsa).returncode == 0
    done = run("issue", source, "--key", rsa, "--proof-format", "data-integrity")
    assert done.returncode == 2
    assert "Ed25519 or P-256" in done.stderr
    p256 = tmp_path / "p256.jwk"
    document = tmp_path / "did.json"
    assert run("keygen", "--alg", "ES256", "--did", issuer, "-o", p256, "--did-document", document).returncode == 0
    out = tmp_path / "p256.json"
    assert run("issue", source, "--key", p256, "--proof-format", "data-integrity", "-o", out).returncode == 0
    assert json.loads(out.read_text(encoding="utf-8"))["proof"][0]["cryptosuite"] == "ecdsa-rdfc-2019"
    assert run("verify", out, "--did-document", document).returncode == 0
    registry = run("issue", source, "--key", p256, "--proof-format", "data-integrity", "--registry", tmp_path / "r.db")
    assert registry.returncode == 2
    assert "--registry records JWTs only" in registry.stderr


@pytest.mark.skipif(NODE is None, reason="Node.js runs the Digital Bazaar stack")
def test_the_digital_bazaar_stack_verifies_czmc_data_integrity_output(issued: dict[str, tuple[Path, Path]]) -> None:
    folder = resources.files("czmc").joinpath("_data", "contexts")
    contexts = {url: str(folder.joinpath(name)) for url, name in jsonld.CONTEXTS.items()}
    cases: list[dict[str, Any]] = [
        {"op": "verify", "credentialFile": str(credential), "didDocumentFiles": [str(document)], "contexts": contexts}
        for credential, document in issued.values()
    ]
    assert NODE is not None
    done = subprocess.run(
        [NODE, "di-stack.mjs"],
        cwd=INTEROP,
        input=json.dumps(cases),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    assert [(result["ok"], result.get("verified"), result.get("errors")) for result in results] == [
        (True, True, [])
    ] * len(cases)
