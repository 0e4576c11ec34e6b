"""The compiled every-term-defined check (czmc._terms) against the full pyld expansion.

``jsonld.undefined_terms`` answers from term definitions compiled from the bundled contexts
and falls back to pyld for what they do not cover; ``jsonld.undefined_terms_expanded``
always expands with pyld. These tests check that both give identical issues — for the
examples, for generated credentials and for credentials mutated in the ways a credential
goes wrong — and that the compiled path is the one actually taken for them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyld import jsonld as pyld_jsonld

from czmc import JsonLdError, MicroCredential, jsonld, ob3, to_credential
from czmc._terms import Checker, Context, Scoped, UnsupportedError, is_absolute
from czmc.report import Issue, pointer
from tests.conftest import EXAMPLES, ROOT
from tests.strategies import micro_credentials

CREDENTIALS = sorted((EXAMPLES / "credentials").glob("*.json"))
OB3_EXAMPLES = sorted((ROOT / "tests" / "vectors" / "ob3-examples").glob("*.json"))
SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
VC, OB, EXT, CZMC = jsonld.VC_CONTEXT, jsonld.OB_CONTEXT, jsonld.OB_EXTENSIONS_CONTEXT, jsonld.CZMC_CONTEXT

Outcome = list[Issue] | tuple[str, str]


def outcome(check: Callable[[dict[str, Any]], list[Issue]], document: dict[str, Any]) -> Outcome:
    """The issues ``check`` finds, or the exception it raises (type and message)."""
    try:
        return check(document)
    except Exception as error:  # both paths must fail alike
        return (type(error).__name__, str(error))


def compiled(document: dict[str, Any]) -> list[Issue] | None:
    """The compiled path's issues, or None when it leaves the document to pyld."""
    found = jsonld._compiled().scan(document)
    return None if found is None else jsonld._issues(document, *found)


def assert_equivalent(document: dict[str, Any], *, compiles: bool | None = True) -> list[Issue]:
    """Both paths agree on ``document``; ``compiles``: whether the compiled path must answer."""
    expected = outcome(jsonld.undefined_terms_expanded, document)
    assert outcome(jsonld.undefined_terms, document) == expected
    found = compiled(document)
    if compiles is not None:
        assert (found is not None) == compiles, "compiled path taken" if found is not None else "fell back to pyld"
    if found is not None:
        assert found == expected
    assert isinstance(expected, list), expected
    return expected


def codes_at(issues: Iterable[Issue]) -> set[tuple[str, str]]:
    return {(issue.code, issue.path) for issue in issues}


def dicts(node: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple[str | int, ...], dict[str, Any]]]:
    """Every JSON object in ``node`` (outside ``@context``) with its path."""
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            if key != "@context":
                yield from dicts(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from dicts(value, (*path, index))


def at(document: dict[str, Any], *path: str | int) -> Any:
    node: Any = document
    for step in path:
        node = node[step]
    return node


@pytest.fixture
def credential(full: dict[str, Any]) -> dict[str, Any]:
    return to_credential(MicroCredential.model_validate(full))


# --- equivalence: examples and generated credentials -----------------------------------------


@pytest.mark.parametrize("path", CREDENTIALS, ids=lambda p: p.name)
def test_examples_compiled_and_equivalent(path: Path) -> None:
    assert assert_equivalent(json.loads(path.read_text(encoding="utf-8"))) == []


@settings(SLOW, max_examples=100)
@given(micro_credentials())
def test_generated_credentials_compiled_and_equivalent(data: dict[str, Any]) -> None:
    assert assert_equivalent(to_credential(MicroCredential.model_validate(data))) == []


# --- equivalence: mutated credentials ---------------------------------------------------------

VOCAB_PROPERTIES = (
    *("participationForm", "assessmentType", "qualityAssuranceType"),
    *("supervision", "qfEheaCycle", "stackabilityOption"),
)
TOKENS = st.one_of(
    st.sampled_from(["Remote", "online", "Online", "Blended", "Stackable", "FirstCycle", "WrittenExam"]),
    st.sampled_from(["name", "Profile", "Achievement", "id", "type", "@foo", "@id", "", "_:b0", "ext:Remote"]),
    st.sampled_from(["https://example.org/vocab#Remote", "urn:x:y", "a b:c", "http://x/ y", "xsd:string"]),
    st.from_regex(r"[A-Za-z][A-Za-z0-9]{0,8}", fullmatch=True),
)
UNDEFINED_TYPES = st.one_of(
    st.sampled_from(["MicroCredentialX", "Foo", "ext:Foo", "_:b1", "https://example.org/T", "cred:Thing"]),
    st.sampled_from(["Profile", "Achievement", "Result", "Address", "AchievementSubject", "VerifiablePresentation"]),
    st.sampled_from(["JsonSchema", "DataIntegrityProof", "LearningOutcome", "name", "@json", "@foo"]),
    st.from_regex(r"[A-Z][A-Za-z]{0,8}", fullmatch=True),
)
OB_TERMS = [  # defined in some node of the OB/VC/czmc contexts, not necessarily where they are put
    "achievementType", "addressCountryCode", "identityHash", "targetName", "allowedValue", "creditsEarned",
    "resultDescription", "familyName", "criteria", "narrative", "endorsement", "evidence", "issuer",
    "credentialSubject", "validFrom", "nameMap", "learningOutcome", "proof", "jsonSchema", "statusPurpose",
    "identifier", "image", "caption", "kid", "jwk", "cnf", "_sd", "...", "awardedDate", "homepage",
    "issuanceDate", "expirationDate", "inLanguage", "cryptosuite", "proofValue", "verificationMethod",
    "proofPurpose", "created", "publicKeyMultibase", "statusListIndex", "endorsementJwt",
]  # fmt: skip
KEYS = st.one_of(
    st.sampled_from(OB_TERMS),
    st.sampled_from(["iss", "sub", "nbf", "exp", "jti", "iat", "aud", "particpationForm", "colour", "Name"]),
    st.sampled_from(["https://example.org/p", "ex:foo", "cred:note", "_:b0", "schema:name", "a b:c", "@foo"]),
    st.sampled_from(["http://example.org/p q", "@context", "@type", "@id", "@value", "@language", "@graph"]),
    st.from_regex(r"[a-z][A-Za-z0-9_]{0,10}", fullmatch=True),
)
SCALARS = st.one_of(st.none(), st.booleans(), st.integers(-5, 5), st.floats(allow_nan=False), TOKENS)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.one_of(KEYS, st.sampled_from(["id", "type", "en", "cs"])), inner, max_size=3),
    ),
    max_leaves=6,
)
CONTEXT_LISTS = st.one_of(
    st.lists(st.sampled_from([VC, OB, EXT, CZMC]), min_size=0, max_size=5),
    st.permutations([VC, OB, EXT, CZMC]),
    st.sampled_from([[VC, OB, CZMC], [VC, OB, EXT], [OB, EXT, CZMC], [VC, OB, EXT, CZMC, CZMC], VC, CZMC]),
)


VC1, DI1, DI2 = jsonld.VC_V1_CONTEXT, jsonld.DATA_INTEGRITY_V1_CONTEXT, jsonld.DATA_INTEGRITY_V2_CONTEXT
ED2020 = jsonld.ED25519_2020_CONTEXT
OB300, OB301, OB302 = jsonld.OB_CONTEXTS[:3]
ANY_CONTEXT_LISTS = st.one_of(  # every bundled context, in the combinations credentials in circulation use
    st.lists(st.sampled_from(sorted(jsonld.CONTEXTS)), min_size=1, max_size=5),
    st.sampled_from(
        [
            [VC1, OB300],
            [VC1, OB301, EXT, ED2020],
            [VC1, OB302, DI1],
            [VC1, OB, EXT],
            [VC, OB302],
            [VC, OB, DI2],
            [VC, OB, EXT, jsonld.STATUS_CONTEXT],
            [VC1, OB300, EXT, jsonld.JWS_2020_CONTEXT],
            [jsonld.DID_CONTEXT, jsonld.MULTIKEY_CONTEXT, jsonld.JWK_CONTEXT],
        ]
    ),
)


@st.composite
def mutations(
    draw: st.DrawFn, document: dict[str, Any], contexts: st.SearchStrategy[Any] = CONTEXT_LISTS
) -> dict[str, Any]:
    """``document`` with one to four of the mistakes credentials are made with."""
    document = copy.deepcopy(document)
    for _ in range(draw(st.integers(1, 4))):
        places = list(dicts(document))
        kind = draw(st.sampled_from(["key", "key", "type", "vocab", "context", "id", "value", "jwt"]))
        if kind == "key":  # a key (undefined, defined elsewhere, an IRI) at any depth, language maps included
            _path, node = draw(st.sampled_from(places))
            node[draw(KEYS)] = draw(VALUES)
        elif kind == "type":
            typed = [node for _path, node in places if "type" in node]
            if typed:
                node = draw(st.sampled_from(typed))
                new = draw(UNDEFINED_TYPES)
                node["type"] = [*node["type"], new] if isinstance(node["type"], list) and draw(st.booleans()) else new
        elif kind == "vocab":
            found = [(node, key) for _path, node in places for key in VOCAB_PROPERTIES if key in node]
            if found:
                node, key = draw(st.sampled_from(found))
                token = draw(TOKENS)
                node[key] = [*node[key][:-1], token] if isinstance(node[key], list) and node[key] else token
        elif kind == "context":
            document["@context"] = draw(contexts)
        elif kind == "id":
            with_id = [node for _path, node in places if "id" in node]
            if with_id:
                draw(st.sampled_from(with_id))["id"] = draw(TOKENS)
        elif kind == "value":  # a value replaced: an IRI-typed one, a node, a list...
            node = draw(st.sampled_from([node for _path, node in places if node]))
            node[draw(st.sampled_from(sorted(node)))] = draw(VALUES)
        else:
            document[draw(st.sampled_from(["iss", "sub", "nbf", "exp", "jti", "iat", "aud"]))] = draw(SCALARS)
    return document


@settings(SLOW, max_examples=200)
@given(micro_credentials().map(lambda data: to_credential(MicroCredential.model_validate(data))).flatmap(mutations))
def test_mutated_credentials_equivalent(document: dict[str, Any]) -> None:
    expected = outcome(jsonld.undefined_terms_expanded, document)
    assert outcome(jsonld.undefined_terms, document) == expected
    found = compiled(document)
    if found is not None:
        assert found == expected


@settings(SLOW, max_examples=60)
@given(st.data())
def test_mutated_examples_equivalent(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(CREDENTIALS))
    document = data.draw(mutations(json.loads(path.read_text(encoding="utf-8"))))
    expected = outcome(jsonld.undefined_terms_expanded, document)
    assert outcome(jsonld.undefined_terms, document) == expected
    found = compiled(document)
    if found is not None:
        assert found == expected


def _has_inline_context(document: dict[str, Any]) -> bool:
    """Whether a node below the top has its own ``@context`` (an embedded credential)."""
    return any("@context" in node for path, node in dicts(document) if path)


@pytest.mark.parametrize("path", OB3_EXAMPLES, ids=lambda p: p.stem)
def test_official_ob3_examples_equivalent(path: Path) -> None:
    """Both generations (VC 1.1 + OB 3.0.0-3.0.2, VC 2.0 + OB 3.0.3), DI and Ed25519Signature2020 proofs."""
    document = json.loads(path.read_text(encoding="utf-8"))
    assert_equivalent(document, compiles=not _has_inline_context(document))  # embedded credentials go to pyld


@settings(SLOW, max_examples=150)
@given(st.data())
def test_mutated_official_examples_equivalent(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(OB3_EXAMPLES))
    document = data.draw(mutations(json.loads(path.read_text(encoding="utf-8")), ANY_CONTEXT_LISTS))
    expected = outcome(jsonld.undefined_terms_expanded, document)
    assert outcome(jsonld.undefined_terms, document) == expected
    found = compiled(document)
    if found is not None:
        assert found == expected


DATA_INTEGRITY_PROOF = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "created": "2025-03-01T08:00:00Z",
    "verificationMethod": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK#z6Mk",
    "proofPurpose": "assertionMethod",
    "proofValue": "z3FXQjecWufY46yg5abdVZsXqLhxhueuSoZgNSARiKBk9czhSePTFehP8c3PGfb6a22gkfUKcsKHsW1cTtrbfmoXY",
}


def test_data_integrity_proof_terms(credential: dict[str, Any]) -> None:
    """A VC 2.0 credential's embedded DataIntegrityProof: its terms come from the VC 2.0 context."""
    credential["proof"] = copy.deepcopy(DATA_INTEGRITY_PROOF)
    assert assert_equivalent(credential) == []
    chained = {**DATA_INTEGRITY_PROOF, "id": "urn:uuid:2", "previousProof": "urn:uuid:1"}  # a proof chain
    credential["proof"] = [{**DATA_INTEGRITY_PROOF, "id": "urn:uuid:1"}, chained]
    assert assert_equivalent(credential) == []
    credential["proof"][1]["signatureValue"] = "x"  # a Linked Data Signatures 2018 term, not a DI one
    assert codes_at(assert_equivalent(credential)) == {("jsonld.undefined_term", "/proof/1/signatureValue")}
    credential["proof"] = {**DATA_INTEGRITY_PROOF, "proofPurpose": "signingPurpose", "nonsense": 1}
    assert codes_at(assert_equivalent(credential)) == {
        ("jsonld.undefined_type", "/proof/proofPurpose"),
        ("jsonld.undefined_term", "/proof/nonsense"),
    }
    credential["proof"] = {**DATA_INTEGRITY_PROOF, "verificationMethod": "key-1"}
    assert codes_at(assert_equivalent(credential)) == {("jsonld.undefined_type", "/proof/verificationMethod")}
    credential["@context"] = [*credential["@context"], DI2]  # the DI v2 context repeats the same definitions
    credential["proof"] = copy.deepcopy(DATA_INTEGRITY_PROOF)
    assert assert_equivalent(credential) == []


def test_ed25519_signature_2020_proofs_need_their_context() -> None:
    document = json.loads((ROOT / "tests/vectors/ob3-examples/spec-3.0.1-basicOpenBadgeCredential.json").read_text())
    proof = {**DATA_INTEGRITY_PROOF, "type": "Ed25519Signature2020"}
    del proof["cryptosuite"]
    document["proof"] = proof
    without = codes_at(assert_equivalent(document))
    assert ("jsonld.undefined_type", "/proof/type") in without  # VC 1.1 defines no Ed25519Signature2020
    document["@context"] = [*document["@context"], ED2020]
    assert assert_equivalent(document) == []
    document["@context"] = [*document["@context"][:-1], DI1]  # DataIntegrityProof on VC 1.1 needs DI v1
    document["proof"] = copy.deepcopy(DATA_INTEGRITY_PROOF)
    assert assert_equivalent(document) == []


@pytest.mark.parametrize(
    ("ob_context", "defined"),
    [(OB300, set()), (OB301, {"awardedDate"}), (OB302, set()), (OB, {"awardedDate", "inLanguage"})],
)
def test_each_ob_release_defines_its_own_terms(ob_context: str, defined: set[str]) -> None:
    """3.0.2 dropped ``awardedDate`` (3.0.1 and 3.0.3 have it); ``inLanguage`` came with 3.0.3."""
    document = json.loads((ROOT / "tests/vectors/ob3-examples/spec-3.0.2-basicOpenBadgeCredential.json").read_text())
    document["@context"] = [VC1, ob_context]
    document["awardedDate"] = "2025-03-01T08:00:00Z"
    document["credentialSubject"]["achievement"]["inLanguage"] = "cs"
    undefined = {
        ("jsonld.undefined_term", path)
        for term, path in (("awardedDate", "/awardedDate"), ("inLanguage", "/credentialSubject/achievement/inLanguage"))
        if term not in defined
    }
    assert codes_at(assert_equivalent(document)) == undefined


def test_vc11_terms_are_protected() -> None:
    """A VC 1.1 credential cannot redefine a protected VC term with an inline context (pyld decides)."""
    document = json.loads((ROOT / "tests/vectors/ob3-examples/spec-3.0.0-basicOpenBadgeCredential.json").read_text())
    document["@context"] = [*document["@context"], {"VerifiableCredential": "https://example.org/VC"}]
    assert [issue.code for issue in assert_equivalent(document, compiles=False)] == ["jsonld.syntax"]
    document["@context"] = [VC1]
    found = codes_at(assert_equivalent(document))  # without the OB context: `name` is a VC 2.0 term only
    assert ("jsonld.undefined_term", "/name") in found
    assert ("jsonld.undefined_type", "/type/1") in found  # OpenBadgeCredential


# --- targeted mutations: the expected issue, by the compiled path ---------------------------

NODES = {  # a node of each kind in the ``full`` credential, and a term that is undefined there
    "issuer Profile": (("issuer",), "achievementType"),
    "address": (("issuer", "address"), "targetName"),
    "subject": (("credentialSubject",), "targetName"),
    "identity object": (("credentialSubject", "identifier", 0), "identifierType"),
    "achievement": (("credentialSubject", "achievement"), "identityHash"),
    "criteria": (("credentialSubject", "achievement", "criteria"), "achievementType"),
    "alignment": (("credentialSubject", "achievement", "alignment", 0), "allowedValue"),
    "result description": (("credentialSubject", "achievement", "resultDescription", 0), "targetUrl"),
    "learning outcome": (("credentialSubject", "achievement", "learningOutcome", 0), "salt"),
    "quality assurance": (("credentialSubject", "achievement", "qualityAssurance", 0), "caption"),
    "credential schema": (("credentialSchema", 0), "identifierType"),
    "result": (("credentialSubject", "result", 0), "requiredLevel"),
    "top level": ((), "addressCountryCode"),
}


@pytest.mark.parametrize("where", NODES)
@pytest.mark.parametrize("key", ["colour", "defined-elsewhere"])
def test_undefined_key_in_each_kind_of_node(credential: dict[str, Any], where: str, key: str) -> None:
    path, elsewhere = NODES[where]
    name = elsewhere if key == "defined-elsewhere" else key
    at(credential, *path)[name] = "x"
    issues = assert_equivalent(credential)
    assert ("jsonld.undefined_term", pointer(*path, name)) in codes_at(issues)


@settings(SLOW, max_examples=60)
@given(micro_credentials(), st.sampled_from(VOCAB_PROPERTIES), st.sampled_from(["Remote", "online", "ext:x"]))
def test_undefined_vocabulary_token(data: dict[str, Any], prop: str, token: str) -> None:
    credential = to_credential(MicroCredential.model_validate(data))
    places = [(path, node) for path, node in dicts(credential) if prop in node]
    if not places:
        return
    path, node = places[0]
    if isinstance(node[prop], list):
        node[prop] = [*node[prop], token]
        where = pointer(*path, prop, len(node[prop]) - 1)
    else:
        node[prop] = token
        where = pointer(*path, prop)
    issues = assert_equivalent(credential)
    if ":" not in token:  # a compact IRI is an absolute one
        assert ("jsonld.undefined_type", where) in codes_at(issues)


@settings(SLOW, max_examples=40)
@given(micro_credentials(), st.sampled_from(["Foo", "name", "_:b1"]), st.booleans())
def test_undefined_type_value(data: dict[str, Any], kind: str, append: bool) -> None:
    credential = to_credential(MicroCredential.model_validate(data))
    typed = [(path, node) for path, node in dicts(credential) if "type" in node]
    path, node = typed[len(kind) % len(typed)]
    node["type"] = [*node["type"], kind] if append and isinstance(node["type"], list) else kind
    where = pointer(*path, "type", len(node["type"]) - 1) if append and isinstance(node["type"], list) else None
    issues = assert_equivalent(credential)
    if kind != "name":  # a term of the context: expands to its IRI
        assert ("jsonld.undefined_type", where or pointer(*path, "type")) in codes_at(issues)


def test_language_map_keys_are_language_tags(credential: dict[str, Any]) -> None:
    credential["issuer"]["nameMap"]["colour"] = "x"
    credential["issuer"]["nameMap"]["@none"] = ["y", None]
    assert assert_equivalent(credential) == []
    credential["issuer"]["nameMap"]["colour"] = {"not": "a string"}
    assert [issue.code for issue in assert_equivalent(credential, compiles=False)] == ["jsonld.syntax"]


def test_jwt_claims_at_top_level(credential: dict[str, Any]) -> None:
    credential.update(iss="did:web:cuni.cz", sub="did:key:z6Mk", nbf=1735689600, exp=1893456000, jti="urn:uuid:1")
    assert assert_equivalent(credential) == []
    credential["@context"] = [OB, EXT, CZMC]  # iss, sub, nbf and exp are the VC context's
    issues = assert_equivalent(credential)
    assert {("jsonld.undefined_term", f"/{claim}") for claim in ("iss", "sub", "nbf", "exp")} <= codes_at(issues)
    assert ("jsonld.undefined_term", "/jti") not in codes_at(issues)  # the OB context's


def test_iri_keys_are_kept_and_relative_ones_dropped(credential: dict[str, Any]) -> None:
    for key in ("https://example.org/p", "ex:note", "cred:note", "_:b0", "schema:name"):
        credential["issuer"][key] = "x"
    credential["issuer"]["a b:c"] = "x"
    credential["issuer"]["@reserved"] = "x"  # a reserved @word: ignored without a name
    assert codes_at(assert_equivalent(credential)) == {("jsonld.undefined_term", "/issuer/a b:c")}


@pytest.mark.parametrize(
    "context",
    [[VC, OB, CZMC], [VC, OB, EXT], [VC, EXT, CZMC], [OB, EXT, CZMC], [CZMC, EXT, OB, VC], [VC], [], VC, [VC, VC, OB]],
    ids=repr,
)
def test_subsets_and_orders_of_the_contexts(credential: dict[str, Any], context: Any) -> None:
    credential["@context"] = context
    issues = assert_equivalent(credential, compiles=context != [])  # [] drops the whole credential: pyld's call
    if context == [VC, OB, EXT]:
        assert ("jsonld.undefined_term", "/credentialSubject/achievement/nameMap") in codes_at(issues)
    if context == [VC, OB, CZMC]:
        assert codes_at(issues) == {("jsonld.undefined_type", f"/credentialSchema/{i}/type") for i in (0, 1)}


def test_identifiers_and_references(credential: dict[str, Any]) -> None:
    credential["id"] = "relative"
    credential["issuer"]["image"] = "logo.png"  # @type: @id
    credential["credentialSubject"]["achievement"]["homepage"] = "_:b2"  # a blank node is fine
    credential["credentialSubject"]["achievement"]["eqfLevel"] = "achievement"  # @id values do not use terms
    found = codes_at(assert_equivalent(credential))
    assert found == {
        ("jsonld.undefined_type", "/id"),
        ("jsonld.undefined_type", "/issuer/image"),
        ("jsonld.undefined_type", "/credentialSubject/achievement/eqfLevel"),
    }


def test_type_scoped_contexts_do_not_propagate(credential: dict[str, Any]) -> None:
    achievement = credential["credentialSubject"]["achievement"]
    achievement["criteria"]["achievementType"] = "x"  # defined for Achievement, not for the node below it
    achievement["creditPoint"]["humanCode"] = "x"
    achievement["alignment"] = {"id": "https://example.org/a"}  # a bare reference keeps the type scope
    issues = assert_equivalent(credential)
    assert codes_at(issues) >= {
        ("jsonld.undefined_term", "/credentialSubject/achievement/criteria/achievementType"),
        ("jsonld.undefined_term", "/credentialSubject/achievement/creditPoint/humanCode"),
    }


def test_property_scoped_contexts_propagate(credential: dict[str, Any]) -> None:
    achievement = credential["credentialSubject"]["achievement"]
    # the participationForm tokens stay defined in the node below it, and in its supervision
    achievement["participationForm"] = {"id": "_:mode", "type": "Online", "supervision": "Blended"}
    achievement["qfEheaCycle"] = ["FirstCycle", "Onsite", "name", "UnsupervisedWithoutIdVerification"]
    issues = assert_equivalent(credential)
    assert codes_at(issues) == {
        ("jsonld.undefined_type", "/credentialSubject/achievement/qfEheaCycle/1"),
        ("jsonld.undefined_type", "/credentialSubject/achievement/qfEheaCycle/3"),
    }


def test_json_literals_and_graph_containers(credential: dict[str, Any]) -> None:
    credential["credentialSchema"][0] = {
        "id": "https://example.org/schema",
        "type": ["JsonSchema"],
        "jsonSchema": {"shade": {"@context": "https://example.org/ignored", "type": "Nothing"}},
    }
    credential["proof"] = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "proofPurpose": "assertionMethod",
        "verificationMethod": "did:web:cuni.cz#key-1",
        "proofValue": "z58",
        "colour": "x",
    }
    assert codes_at(assert_equivalent(credential)) == {("jsonld.undefined_term", "/proof/colour")}
    credential["proof"]["proofPurpose"] = "signing"
    assert ("jsonld.undefined_type", "/proof/proofPurpose") in codes_at(assert_equivalent(credential))


def test_value_objects(credential: dict[str, Any]) -> None:
    credential["issuer"]["description"] = {"@value": "Univerzita", "@language": "cs"}
    credential["validUntil"] = {"@value": "2030-01-01T00:00:00Z", "@type": "xsd:dateTime", "colour": "x"}
    assert codes_at(assert_equivalent(credential)) == {("jsonld.undefined_term", "/validUntil/colour")}
    credential["validUntil"] = {"@value": "2030-01-01T00:00:00Z", "@type": "dateTime"}  # not absolute: invalid
    assert [issue.code for issue in assert_equivalent(credential, compiles=False)] == ["jsonld.syntax"]


def test_null_context_in_a_presentation() -> None:
    presentation = {
        "@context": [VC],
        "type": ["VerifiablePresentation"],
        "holder": "did:web:cuni.cz",
        "verifiableCredential": [{"id": "urn:uuid:1", "type": ["VerifiableCredential"], "name": "x"}],
    }
    issues = assert_equivalent(presentation)  # "@context": null on verifiableCredential: no terms below it
    below = {f"/verifiableCredential/0/{key}" for key in ("id", "type", "name")}
    assert {path for _code, path in codes_at(issues)} == {*below, "/type"}  # a dropped name is reported everywhere


def test_issues_are_located_by_name(credential: dict[str, Any]) -> None:
    """Both paths report a dropped property wherever its key occurs, and a relative IRI wherever
    its string occurs (pyld names what it drops, not where)."""
    credential["issuer"]["achievementType"] = "x"
    credential["credentialSubject"]["achievement"]["participationForm"] = "MicroCredential"
    assert codes_at(assert_equivalent(credential)) == {
        ("jsonld.undefined_term", "/issuer/achievementType"),
        ("jsonld.undefined_term", "/credentialSubject/achievement/achievementType"),  # defined here
        ("jsonld.undefined_type", "/credentialSubject/achievement/achievementType"),  # a plain string here
        ("jsonld.undefined_type", "/credentialSubject/achievement/participationForm"),
    }


def test_what_is_left_to_pyld(credential: dict[str, Any]) -> None:
    conflicting = copy.deepcopy(credential)
    conflicting["credentialSubject"]["achievement"]["type"] = ["Achievement", "Result"]  # protected clash
    assert [issue.code for issue in assert_equivalent(conflicting, compiles=False)] == ["jsonld.syntax"]
    inline = copy.deepcopy(credential)
    inline["issuer"]["@context"] = {"colour": "https://example.org/colour"}
    inline["issuer"]["colour"] = "blue"
    assert assert_equivalent(inline, compiles=False) == []
    keyword = copy.deepcopy(credential)
    keyword["issuer"]["@graph"] = []
    assert_equivalent(keyword, compiles=False)
    deep: dict[str, Any] = {"name": "bottom"}
    for _ in range(150):
        deep = {"type": "Profile", "parentOrg": deep}
    nested = {**credential, "issuer": deep}
    assert assert_equivalent(nested, compiles=False) == []
    assert jsonld._compiled().scan({"@context": [*ob3.CONTEXT, {"x": "https://example.org/x"}]}) is None
    assert jsonld._compiled().scan({"@context": "https://example.org/other"}) is None


def test_check_terms_uses_the_compiled_path(credential: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: Any, **_kwargs: Any) -> Any:
        raise AssertionError("pyld must not run")

    monkeypatch.setattr(pyld_jsonld, "expand", refuse)
    jsonld.check_terms(credential)
    credential["colour"] = "blue"
    with pytest.raises(JsonLdError) as caught:
        jsonld.check_terms(credential)
    assert codes_at(caught.value.issues) == {("jsonld.undefined_term", "/colour")}


# --- the compiled structure -------------------------------------------------------------------


@pytest.fixture(scope="module")
def checker() -> Checker:
    return jsonld._compiled()


@pytest.fixture(scope="module")
def top(checker: Checker) -> Context:
    return checker.context(ob3.CONTEXT)


def test_keys(top: Context) -> None:
    assert top.expand_key("id") == "@id"
    assert top.expand_key("type") == "@type"
    assert top.expand_key("name") == "https://schema.org/name"
    assert top.expand_key("@reserved") is None
    assert top.keeps("name")
    assert top.keeps("nameMap")
    assert top.keeps("jti")
    assert top.keeps("@id")
    assert top.keeps("https://example.org/p")
    assert top.keeps("ex:p")
    assert top.keeps("_:b0")
    assert not top.keeps("achievementType")
    assert not top.keeps("colour")
    assert not top.keeps("a b:c")
    assert not top.keeps("@reserved")


def test_type_scoped_contexts(top: Context) -> None:
    achievement = top.typed("Achievement")
    assert achievement.keeps("achievementType")
    assert achievement.previous is top  # a type-scoped context reverts to the one it was applied to
    assert top.typed("Profile").typed("Address", onto=top.typed("Profile")).previous is top
    assert top.typed("Criteria") is top  # no scoped context
    assert top.typed("Achievement") is achievement  # memoized
    with pytest.raises(UnsupportedError):
        top.typed("Achievement", "Result")  # Result redefines the protected resultDescription


def test_property_scoped_contexts(top: Context) -> None:
    assert not top.expands_type("Online")
    mode = top.scoped("participationForm")
    assert mode.expands_type("Online")
    assert mode.expands_type("name")  # a term of the outer context still expands (@vocab)
    assert not mode.expands_type("Remote")
    assert not mode.expands_type("type")  # a keyword alias is no IRI
    assert mode.previous is None
    assert mode.scoped("participationForm") is mode  # applying it again changes nothing: interned
    assert top.scoped("name") is top
    assert not top.scoped("assessmentType").expands_type("Online")


def test_vocab_values_resolve_in_the_scoped_context(top: Context) -> None:
    assert top.scoped("supervision").expands_type("SupervisedWithIdVerification")
    assert not top.scoped("supervision").expands_type("Online")
    assert top.scoped("stackabilityOption").expands_type("Stackable")
    assert top.scoped("qualityAssuranceType").expands_type("ExternalCertification")
    assert top.scoped("qfEheaCycle").expands_type("ThirdCycle")
    proof = top.typed("VerifiableCredential").typed("DataIntegrityProof")
    assert proof.scoped("proofPurpose").expands_type("assertionMethod")


def test_unresolved_iris(top: Context) -> None:
    assert top.unresolved("relative", vocab=False, blank=True) == "relative"
    assert top.unresolved("name", vocab=False, blank=True) == "name"  # @id values do not use terms
    assert top.unresolved("name", vocab=True, blank=False) is None
    assert top.unresolved("_:b0", vocab=False, blank=True) is None
    assert top.unresolved("_:b0", vocab=True, blank=False) == "_:b0"  # reported as a type
    for ignored in ("@reserved", "@id"):
        with pytest.raises(UnsupportedError):
            top.unresolved(ignored, vocab=True, blank=False)


def test_contexts_are_compiled_once(checker: Checker) -> None:
    assert checker.context(ob3.CONTEXT) is checker.context(list(ob3.CONTEXT))
    assert checker.context([VC, VC, OB, EXT, CZMC]) is checker.context(ob3.CONTEXT)
    assert checker.context([]) is checker.empty


def test_every_scoped_context_is_self_contained() -> None:
    """The compiled path does not re-validate scoped contexts as pyld does: none depends on another context."""
    checker = Checker({})

    def scoped_contexts(context: Any) -> Iterator[Any]:
        for definition in context.values():
            if isinstance(definition, dict) and "@context" in definition:
                yield definition["@context"]
                if isinstance(definition["@context"], dict):
                    yield from scoped_contexts(definition["@context"])

    count = 0
    for url in jsonld.CONTEXTS:
        for scoped in scoped_contexts(jsonld.bundled_document(url)["@context"]):
            checker.empty.derive(Scoped.of(scoped), propagate=True, override=True)
            count += 1
    assert count > 20


def test_contexts_outside_the_supported_subset_are_refused() -> None:
    checker = Checker(
        {
            "https://example.org/vocab": {"@context": {"@vocab": "https://example.org/"}},
            "https://example.org/reverse": {"@context": {"parent": {"@reverse": "https://example.org/child"}}},
            "https://example.org/protected": {"@context": {"@protected": True, "name": "https://schema.org/name"}},
            "https://example.org/other-name": {"@context": {"name": "https://example.org/name"}},
        }
    )
    for url in ("https://example.org/vocab", "https://example.org/reverse"):
        with pytest.raises(UnsupportedError):
            checker.context([url])
        assert checker.scan({"@context": url, "type": "Thing", "name": "x"}) is None
    with pytest.raises(UnsupportedError):
        checker.context(["https://example.org/protected", "https://example.org/other-name"])
    assert checker.context(["https://example.org/other-name", "https://example.org/protected"]).keeps("name")


def test_is_absolute() -> None:
    assert is_absolute("https://example.org/")
    assert is_absolute("urn:uuid:1")
    assert is_absolute("xsd:string")
    assert not is_absolute("_:b0")
    assert not is_absolute("relative")
    assert not is_absolute("a/b:c")
    assert not is_absolute("1a:b")


def test_keyword_shaped_values_are_reported_not_crashing() -> None:
    credential = json.loads((EXAMPLES / "credentials" / "applied-ai.credential.json").read_text(encoding="utf-8"))
    credential["credentialSubject"]["achievement"]["participationForm"] = "@foo"
    expected = [("jsonld.undefined_type", "/credentialSubject/achievement/participationForm")]
    for found in (jsonld.undefined_terms(credential), jsonld.undefined_terms_expanded(credential)):
        assert [(issue.code, issue.path) for issue in found] == expected
