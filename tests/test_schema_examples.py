"""The official Open Badges 3.0 examples (both generations) as test vectors.

Every example in ``tests/vectors/ob3-examples`` is a byte-exact copy recorded in its
``SOURCES.md``. Each must have every JSON-LD term defined and satisfy the JSON Schemas that
apply to its generation, except the examples listed in :data:`EXPECTED` with the exact issues
czmc finds in them; ``SOURCES.md`` says why each of those is not clean.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from czmc import jsonld, schema
from czmc.ob3 import OB_SCHEMA_URL
from czmc.report import Severity
from tests.conftest import ROOT

VECTORS = ROOT / "tests" / "vectors" / "ob3-examples"
EXAMPLES = sorted(VECTORS.glob("*.json"))
ROW = re.compile(r"^\| `(?P<file>[^`]+)` \| .* \| `(?P<sha>[0-9a-f]{64})` \|$")
VC11 = {p.stem for p in EXAMPLES if json.loads(p.read_bytes())["@context"][0] == jsonld.VC_V1_CONTEXT}

Found = tuple[list[tuple[str, str]], list[tuple[str, str]]]

EXPECTED: dict[str, Found] = {  # example -> (JSON-LD issues, schema errors), as (code without prefix, path)
    "spec-3.0.0-endorsement": (
        [],
        [("unavailable", "/credentialSchema/0/id"), ("unavailable", "/credentialSchema/1/id")],
    ),
    "validator-bit-string-list-credential-status-revoked-blank-nodes": (
        [],
        [("type", "/proof")],
    ),
    "validator-bit-string-list-credential-status-revoked": (
        [],
        [("type", "/proof")],
    ),
    "validator-complete_v1": (
        [
            ("undefined_type", "/credentialSchema/0/type"),
            ("undefined_type", "/credentialStatus/type"),
            ("undefined_type", "/credentialSubject/achievement/creator/endorsement/0/credentialSchema/0/type"),
            ("undefined_type", "/credentialSubject/achievement/creator/endorsement/0/credentialStatus/type"),
            ("undefined_type", "/credentialSubject/achievement/creator/endorsement/0/refreshService/type"),
            ("undefined_type", "/credentialSubject/achievement/creator/endorsement/1/credentialSchema/0/type"),
            ("undefined_type", "/credentialSubject/achievement/creator/endorsement/1/credentialStatus/type"),
            ("undefined_type", "/credentialSubject/achievement/creator/endorsement/1/refreshService/type"),
            ("undefined_type", "/credentialSubject/achievement/endorsement/0/credentialSchema/0/type"),
            ("undefined_type", "/credentialSubject/achievement/endorsement/0/credentialStatus/type"),
            ("undefined_type", "/credentialSubject/achievement/endorsement/0/refreshService/type"),
            ("undefined_type", "/endorsement/0/credentialSchema/0/type"),
            ("undefined_type", "/endorsement/0/credentialStatus/type"),
            ("undefined_type", "/endorsement/0/refreshService/type"),
            ("undefined_type", "/issuer/endorsement/0/credentialSchema/0/type"),
            ("undefined_type", "/issuer/endorsement/0/credentialStatus/type"),
            ("undefined_type", "/issuer/endorsement/0/refreshService/type"),
            ("undefined_type", "/refreshService/type"),
        ],
        [("unavailable", "/credentialSchema/0/id")],
    ),
    "validator-endorsement-err-schema-status-refresh": (
        [],
        [("unavailable", "/credentialSchema/0/id"), ("unavailable", "/credentialSchema/1/id")],
    ),
    "validator-endorsement-valid": (
        [],
        [("unavailable", "/credentialSchema/0/id")],
    ),
    "validator-simple-did-web-method": (
        [],
        [("type", "/proof")],
    ),
    "validator-simple-err-context": (
        [
            ("undefined_term", "/credentialSubject"),
            ("undefined_term", "/issuanceDate"),
            ("undefined_term", "/issuer"),
            ("undefined_term", "/proof"),
            ("undefined_type", "/type/0"),
        ],
        [("enum", "/@context/0"), ("minItems", "/@context"), ("required", ""), ("required", "/credentialSubject")],
    ),
    "validator-simple-err-credential-subject-achievement-result-description-type": (
        [
            ("undefined_term", "/credentialSubject/achievement/resultDescription/0/resultType"),
            ("undefined_term", "/credentialSubject/achievement/resultDescription/1/resultType"),
            ("undefined_term", "/credentialSubject/achievement/resultDescription/2/resultType"),
            ("undefined_type", "/credentialSubject/achievement/resultDescription/2/type"),
        ],
        [
            ("type", "/credentialSubject/achievement/resultDescription/0/alignment/0/type"),
            ("type", "/credentialSubject/achievement/resultDescription/0/type"),
            ("type", "/credentialSubject/achievement/resultDescription/1/alignment/0/type"),
            ("type", "/credentialSubject/achievement/resultDescription/1/rubricCriterionLevel/0/alignment/0/type"),
            ("type", "/credentialSubject/achievement/resultDescription/1/rubricCriterionLevel/0/type"),
            ("type", "/credentialSubject/achievement/resultDescription/1/rubricCriterionLevel/1/alignment/0/type"),
            ("type", "/credentialSubject/achievement/resultDescription/1/rubricCriterionLevel/1/type"),
            ("type", "/credentialSubject/achievement/resultDescription/1/type"),
            ("type", "/credentialSubject/achievement/resultDescription/2/type"),
            ("type", "/credentialSubject/result/0/alignment/0/type"),
            ("type", "/credentialSubject/result/1/alignment/0/type"),
            ("type", "/proof"),
        ],
    ),
    "validator-simple-err-credential-subject-identifier-type": (
        [
            ("undefined_term", "/credentialSubject/identifier/0/hashed"),
            ("undefined_term", "/credentialSubject/identifier/0/identityHash"),
            ("undefined_term", "/credentialSubject/identifier/0/identityType"),
            ("undefined_type", "/credentialSubject/identifier/0/type"),
        ],
        [("enum", "/credentialSubject/identifier/0/type"), ("type", "/proof")],
    ),
    "validator-simple-err-credential-subject-profile-type": (
        [("undefined_type", "/credentialSubject/source/type")],
        [("type", "/credentialSubject/source/type"), ("type", "/proof")],
    ),
    "validator-simple-err-credential-subject-result-type": (
        [
            ("undefined_term", "/credentialSubject/result/0/resultDescription"),
            ("undefined_term", "/credentialSubject/result/1/achievedLevel"),
            ("undefined_term", "/credentialSubject/result/1/resultDescription"),
            ("undefined_term", "/credentialSubject/result/2/resultDescription"),
            ("undefined_type", "/credentialSubject/result/1/type/0"),
        ],
        [
            ("contains", "/credentialSubject/result/1/type"),
            ("type", "/credentialSubject/result/0/alignment/0/type"),
            ("type", "/credentialSubject/result/1/alignment/0/type"),
            ("type", "/proof"),
        ],
    ),
    "validator-simple-err-credential-subject-type": (
        [("undefined_term", "/credentialSubject/achievement"), ("undefined_type", "/credentialSubject/type/0")],
        [("contains", "/credentialSubject/type"), ("type", "/proof")],
    ),
    "validator-simple-err-evidence-type": (
        [
            ("undefined_term", "/evidence/0/audience"),
            ("undefined_term", "/evidence/0/genre"),
            ("undefined_term", "/evidence/1/audience"),
            ("undefined_term", "/evidence/1/genre"),
            ("undefined_type", "/evidence/1/type"),
        ],
        [("type", "/evidence/0/type"), ("type", "/evidence/1/type"), ("type", "/proof")],
    ),
    "validator-simple-err-issued": (
        [],
        [("required", "/credentialSubject"), ("type", "/proof")],
    ),
    "validator-simple-err-issuer-otheridentifier-type": (
        [
            ("undefined_term", "/issuer/otherIdentifier/0/identifier"),
            ("undefined_term", "/issuer/otherIdentifier/0/identifierType"),
            ("undefined_term", "/issuer/otherIdentifier/1/identifier"),
            ("undefined_term", "/issuer/otherIdentifier/1/identifierType"),
            ("undefined_type", "/issuer/otherIdentifier/1/type"),
        ],
        [("oneOf", "/issuer"), ("type", "/proof")],
    ),
    "validator-simple-err-issuer-parentorg-type": (
        [("undefined_type", "/issuer/parentOrg/type/0")],
        [("oneOf", "/issuer"), ("type", "/proof")],
    ),
    "validator-simple-err-issuer-type": (
        [("undefined_type", "/issuer/type/0")],
        [("oneOf", "/issuer"), ("type", "/proof")],
    ),
    "validator-simple-err-issuer": (
        [],
        [("required", ""), ("required", "/credentialSubject"), ("type", "/proof")],
    ),
    "validator-simple-err-proof-method-no-scheme": (
        [("undefined_type", "/proof/0/verificationMethod")],
        [],
    ),
    "validator-simple-err-proof-method": (
        [],
        [("type", "/proof")],
    ),
    "validator-simple-err-type": (
        [("undefined_type", "/type/1")],
        [("contains", "/type"), ("required", "/credentialSubject"), ("type", "/proof")],
    ),
    "validator-simple-multiple-proofs": (
        [
            ("undefined_term", "/proof/0/created"),
            ("undefined_term", "/proof/0/proofPurpose"),
            ("undefined_term", "/proof/1/created"),
            ("undefined_term", "/proof/1/proofPurpose"),
            ("undefined_type", "/proof/0/type"),
        ],
        [],
    ),
}


def _load(path: Path) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def test_vectors_are_recorded_byte_exact() -> None:
    rows = {}
    for line in (VECTORS / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows[match["file"]] = match["sha"]
    assert set(rows) == {p.name for p in EXAMPLES}
    for path in EXAMPLES:
        assert hashlib.sha256(path.read_bytes()).hexdigest() == rows[path.name], path.name
    assert set(EXPECTED) <= {p.stem for p in EXAMPLES}


def test_both_generations_and_every_release_are_covered() -> None:
    contexts = {tuple(_load(p)["@context"][:2]) for p in EXAMPLES if p.stem.startswith("spec-")}
    assert {(jsonld.VC_V1_CONTEXT, url) for url in jsonld.OB_CONTEXTS[:3]} | {
        (jsonld.VC_CONTEXT, jsonld.OB_CONTEXT)
    } <= contexts
    assert len(VC11) >= 20


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_term_defined(path: Path) -> None:
    found = sorted({(i.code.removeprefix("jsonld."), i.path) for i in jsonld.undefined_terms(_load(path))})
    assert found == EXPECTED.get(path.stem, ([], []))[0]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_schema_verdict(path: Path) -> None:
    document = _load(path)
    issues = list(schema.iter_issues(document))
    errors = sorted({(i.code.removeprefix("schema."), i.path) for i in issues if i.severity is Severity.ERROR})
    assert errors == EXPECTED.get(path.stem, ([], []))[1]
    assert schema.is_valid(document) == (not errors)
    warnings = [i.code for i in issues if i.severity is Severity.WARNING]
    named = [entry.get("id") for entry in document.get("credentialSchema", [])]
    names_ob_schema = not named or OB_SCHEMA_URL in named
    assert warnings == (["schema.generation_unavailable"] if path.stem in VC11 and names_ob_schema else [])
