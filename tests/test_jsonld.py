"""Offline contexts and the every-term-defined check (pyld expansion with only bundled contexts)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from czmc import DocumentLoaderError, JsonLdError, MicroCredential, jsonld, to_credential, vocab
from tests.conftest import EXAMPLES

CREDENTIALS = sorted((EXAMPLES / "credentials").glob("*.json"))


def test_every_bundled_context_loads_and_others_are_refused() -> None:
    for url in jsonld.CONTEXTS:
        loaded = jsonld.document_loader(url)
        assert loaded["documentUrl"] == url
        assert "@context" in loaded["document"]
    with pytest.raises(DocumentLoaderError) as caught:
        jsonld.document_loader("https://w3id.org/security/v2")
    assert caught.value.code == "jsonld.document_not_available"
    assert "https://w3id.org/security/v2" in caught.value.message


def test_bundled_documents_are_fresh_copies() -> None:
    first = jsonld.bundled_document(jsonld.CZMC_CONTEXT)
    first["@context"]["nameMap"] = "changed"
    assert jsonld.bundled_document(jsonld.CZMC_CONTEXT)["@context"]["nameMap"] != "changed"


@pytest.mark.parametrize("path", CREDENTIALS, ids=lambda p: p.name)
def test_examples_expand_without_dropping_anything(path: Path) -> None:
    credential = json.loads(path.read_text(encoding="utf-8"))
    assert jsonld.undefined_terms(credential) == []
    expanded = jsonld.expand(credential)
    assert len(expanded) == 1
    subject = expanded[0]["https://www.w3.org/2018/credentials#credentialSubject"][0]
    achievement = subject["https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement"][0]
    assert "http://data.europa.eu/snb/model/elm/learningOutcome" in achievement
    assert achievement["http://data.europa.eu/snb/model/elm/mode"][0]["@id"].startswith(
        "http://data.europa.eu/snb/learning-assessment/"
    )


def test_vocabulary_tokens_expand_to_their_eu_iris(full: dict[str, Any]) -> None:
    credential = to_credential(MicroCredential.model_validate(full))
    achievement = jsonld.expand(credential)[0]["https://www.w3.org/2018/credentials#credentialSubject"][0][
        "https://purl.imsglobal.org/spec/vc/ob/vocab.html#achievement"
    ][0]
    elm = "http://data.europa.eu/snb/model/elm/"
    assert achievement[elm + "mode"] == [{"@id": vocab.ParticipationForm.BLENDED.iri}]
    assert achievement[elm + "idVerification"] == [{"@id": vocab.Supervision.SUPERVISED_WITH_ID.iri}]
    assert achievement[elm + "EQFLevel"] == [{"@id": "http://data.europa.eu/snb/eqf/6"}]
    names = achievement["https://schema.org/name"]
    assert {"@value": "Introduction to programming", "@language": "en"} in names
    assert {"@value": "Základy programování"} in names


def test_context_token_maps_match_the_vocabulary() -> None:
    context = jsonld.bundled_document(jsonld.CZMC_CONTEXT)["@context"]
    pairs = {
        "participationForm": vocab.ParticipationForm,
        "supervision": vocab.Supervision,
        "assessmentType": vocab.AssessmentType,
        "qualityAssuranceType": vocab.QualityAssuranceType,
        "stackabilityOption": vocab.Stackability,
        "qfEheaCycle": vocab.QFEHEACycle,
    }
    for term, enum in pairs.items():
        tokens = {key: value for key, value in context[term]["@context"].items() if not key.startswith("@")}
        assert tokens == {member.value: member.iri for member in enum}, term


def test_czmc_context_is_protected(full: dict[str, Any]) -> None:
    credential = to_credential(MicroCredential.model_validate(full))
    credential["@context"] = [*credential["@context"], {"participationForm": "https://attacker.example/mode"}]
    with pytest.raises(JsonLdError) as caught:
        jsonld.expand(credential)
    assert caught.value.issues[0].code == "jsonld.syntax"
    assert "redefine a protected term" in caught.value.issues[0].message


def test_undefined_properties_and_types_are_found_with_their_paths(full: dict[str, Any]) -> None:
    credential = to_credential(MicroCredential.model_validate(full))
    credential["credentialSubject"]["achievement"]["particpationForm"] = "Online"
    credential["credentialSubject"]["achievement"]["participationForm"] = "Remote"
    credential["type"].append("MicroCredentialX")
    found = {(issue.code, issue.path) for issue in jsonld.undefined_terms(credential)}
    assert found == {
        ("jsonld.undefined_term", "/credentialSubject/achievement/particpationForm"),
        ("jsonld.undefined_type", "/credentialSubject/achievement/participationForm"),
        ("jsonld.undefined_type", "/type/2"),
    }
    with pytest.raises(JsonLdError):
        jsonld.check_terms(credential)


def test_schema_validator_type_needs_the_extensions_context(full: dict[str, Any]) -> None:
    credential = to_credential(MicroCredential.model_validate(full))
    credential["@context"].remove(jsonld.OB_EXTENSIONS_CONTEXT)
    paths = {issue.path for issue in jsonld.undefined_terms(credential)}
    assert paths == {"/credentialSchema/0/type", "/credentialSchema/1/type"}


def test_unknown_context_is_refused_not_fetched(full: dict[str, Any]) -> None:
    credential = to_credential(MicroCredential.model_validate(full))
    credential["@context"].append("https://example.org/contexts/extra.jsonld")
    with pytest.raises(DocumentLoaderError):
        jsonld.undefined_terms(credential)
    with pytest.raises(DocumentLoaderError):
        jsonld.expand(credential)


def test_an_explicit_loader_can_serve_more(full: dict[str, Any]) -> None:
    extra = {"@context": {"note": "https://example.org/vocab#note"}}

    def loader(url: str, options: Any = None) -> dict[str, Any]:
        if url == "https://example.org/contexts/extra.jsonld":
            return {"contextUrl": None, "documentUrl": url, "document": extra}
        return jsonld.document_loader(url, options)

    credential = to_credential(MicroCredential.model_validate(full))
    credential["@context"].append("https://example.org/contexts/extra.jsonld")
    credential["note"] = "hello"
    assert jsonld.undefined_terms(credential, loader) == []


def test_invalid_json_ld_is_a_typed_issue() -> None:
    issues = jsonld.undefined_terms({"@context": 5, "id": "urn:x"})
    assert [issue.code for issue in issues] == ["jsonld.syntax"]
