"""JSON Schema validation: official OB 3.0 schema + czmc's, every violation with its path."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from czmc import DocumentStoreError, MicroCredential, SchemaError, jsonld, schema, to_credential
from czmc.ob3 import CZMC_SCHEMA_URL, OB_SCHEMA_URL
from czmc.report import Severity
from tests.conftest import EXAMPLES


@pytest.fixture
def credential(full: dict[str, Any]) -> dict[str, Any]:
    return to_credential(MicroCredential.model_validate(full))


@pytest.mark.parametrize("path", sorted((EXAMPLES / "credentials").glob("*.json")), ids=lambda p: p.name)
def test_examples_pass_both_schemas(path: Path) -> None:
    credential = json.loads(path.read_text(encoding="utf-8"))
    assert schema.schemas_for(credential) == ([OB_SCHEMA_URL, CZMC_SCHEMA_URL], [])
    schema.validate(credential)


def _paths(credential: dict[str, Any]) -> set[tuple[str, str]]:
    return {(issue.code, issue.path) for issue in schema.iter_issues(credential)}


def test_naive_valid_from_fails_the_ob_schema(credential: dict[str, Any]) -> None:
    credential["validFrom"] = "2025-02-03T09:00:00"
    assert ("schema.format", "/validFrom") in _paths(credential)


def test_status_list_array_fails_the_ob_schema(credential: dict[str, Any]) -> None:
    entry = {"id": "https://x.cz/s#1", "type": "BitstringStatusListEntry"}
    credential["credentialStatus"] = [entry, entry]
    assert ("schema.type", "/credentialStatus") in _paths(credential)


def test_misspelt_extension_field_fails_the_czmc_schema_only(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["achievement"]["particpationForm"] = "Online"
    issues = list(schema.iter_issues(credential))
    assert [(i.code, i.path) for i in issues] == [
        ("schema.additionalProperties", "/credentialSubject/achievement/particpationForm")
    ]
    assert "[czmc schema]" in issues[0].message
    assert list(schema.iter_issues(credential, [OB_SCHEMA_URL])) == []


def test_lowercase_achievement_type_fails_both(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["achievement"]["achievementType"] = "Microcredential"
    messages = [i.message for i in schema.iter_issues(credential) if i.path.endswith("/achievementType")]
    assert any("[OB 3.0 schema]" in m for m in messages)
    assert any("[czmc schema]" in m for m in messages)


def test_czmc_schema_requires_the_mandatory_eu_elements(credential: dict[str, Any]) -> None:
    achievement = credential["credentialSubject"]["achievement"]
    for key in ("participationForm", "qualityAssurance", "creditPoint", "volumeOfLearning"):
        del achievement[key]
    found = _paths(credential)
    assert ("schema.required", "/credentialSubject/achievement") in found
    assert ("schema.anyOf", "/credentialSubject/achievement") in found


def test_every_violation_is_reported(credential: dict[str, Any]) -> None:
    credential["validFrom"] = "yesterday"
    credential["issuer"]["type"] = ["Organisation"]
    credential["credentialSubject"]["achievement"]["participationForm"] = "Remote"
    found = {path for _code, path in _paths(credential)}
    assert {"/validFrom", "/issuer", "/credentialSubject/achievement/participationForm"} <= found


def test_validate_raises_with_all_issues(credential: dict[str, Any]) -> None:
    credential["validFrom"] = "yesterday"
    credential["credentialSubject"]["achievement"]["eqfLevel"] = "http://data.europa.eu/snb/eqf/9"
    with pytest.raises(SchemaError) as caught:
        schema.validate(credential)
    assert caught.value.code == "schema.invalid"
    assert len(caught.value.issues) >= 2


def test_unknown_credential_schema_is_reported_not_fetched(credential: dict[str, Any]) -> None:
    credential["credentialSchema"].append({"id": "https://example.org/s.json", "type": "JsonSchema"})
    urls, issues = schema.schemas_for(credential)
    assert urls == [OB_SCHEMA_URL, CZMC_SCHEMA_URL]
    assert [(i.code, i.path) for i in issues] == [("schema.unavailable", "/credentialSchema/2/id")]


def test_without_credential_schema_the_ob_schema_applies() -> None:
    urls, issues = schema.schemas_for({"@context": ["https://www.w3.org/ns/credentials/v2"]})
    assert (urls, issues) == ([OB_SCHEMA_URL], [])


def test_long_messages_are_summarised(credential: dict[str, Any]) -> None:
    credential["credentialSubject"]["achievement"]["learningOutcome"] = [
        {"type": "LearningOutcome", "title": "x" * 500}
    ]
    for issue in schema.iter_issues(credential):
        assert len(issue.message) < 400


# --- schemas by the credential's generation ------------------------------------------------------

VC11_ANY_SCHEMA = {  # stands in for 1EdTech's schema for VC 1.1 credentials, which czmc does not bundle
    "$schema": "https://json-schema.org/draft/2019-09/schema",
    "type": "object",
    "required": ["@context", "issuanceDate"],
    "properties": {"issuanceDate": {"type": "string", "format": "date-time"}},
}


def _vc11(credential: dict[str, Any]) -> dict[str, Any]:
    """``credential`` on the VC 1.1 data model (VC v1 context, issuanceDate), as OB 3.0.0-3.0.2 credentials are."""
    vc11 = {key: value for key, value in credential.items() if key not in ("validFrom", "validUntil")}
    vc11["@context"] = [jsonld.VC_V1_CONTEXT, jsonld.OB_CONTEXT_3_0_2]
    vc11["issuanceDate"] = credential["validFrom"]
    return vc11


def _resolver(url: str) -> dict[str, Any]:
    if url != schema.OB_ANY_SCHEMA_URL:
        raise DocumentStoreError("documents.not_pinned", url, f"{url} is not pinned")
    return VC11_ANY_SCHEMA


@pytest.mark.parametrize("names_schema", [False, True])
def test_vc11_credentials_are_not_checked_against_the_vc2_schema(
    credential: dict[str, Any], names_schema: bool
) -> None:
    vc11 = _vc11(credential)
    if names_schema:
        vc11["credentialSchema"] = [{"id": OB_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"}]
    else:
        vc11.pop("credentialSchema")
    urls, issues = schema.schemas_for(vc11)
    assert urls == []
    assert [(i.code, i.path, i.severity) for i in issues] == [
        ("schema.generation_unavailable", "/@context/0", Severity.WARNING)
    ]
    assert OB_SCHEMA_URL not in urls  # the VC 2.0 schema would demand validFrom
    assert schema.is_valid(vc11)
    schema.validate(vc11)  # warnings do not fail it
    assert not schema.is_valid(vc11, [OB_SCHEMA_URL])  # what czmc did before: validFrom is required


def test_vc11_credentials_use_the_vc11_schema_a_resolver_gives(credential: dict[str, Any]) -> None:
    vc11 = _vc11(credential)
    vc11.pop("credentialSchema")  # czmc's own schema is for VC 2.0 credentials (it has no issuanceDate)
    assert schema.schemas_for(vc11, _resolver)[0][:1] == [schema.OB_ANY_SCHEMA_URL]
    assert list(schema.iter_issues(vc11, resolve_schema=_resolver)) == []
    assert schema.is_valid(vc11, resolve_schema=_resolver)
    vc11["issuanceDate"] = "2025-02-03T09:00:00"  # no timezone
    issues = {(i.code, i.path) for i in schema.iter_issues(vc11, resolve_schema=_resolver)}
    assert issues == {("schema.format", "/issuanceDate")}
    assert not schema.is_valid(vc11, resolve_schema=_resolver)


def test_vc2_credentials_keep_the_current_schema(credential: dict[str, Any]) -> None:
    assert schema.schemas_for(credential, _resolver) == ([OB_SCHEMA_URL, CZMC_SCHEMA_URL], [])
    unnamed = {key: value for key, value in credential.items() if key != "credentialSchema"}
    assert schema.schemas_for(unnamed)[0][0] == OB_SCHEMA_URL


def test_json_ld_path_names_the_same_schema(credential: dict[str, Any]) -> None:
    json_ld = OB_SCHEMA_URL.replace("/schema/json/", "/schema/json-ld/")
    assert schema.bundled_schema(OB_SCHEMA_URL)["$id"] == json_ld  # the file names that path itself
    credential["credentialSchema"] = [{"id": json_ld, "type": "1EdTechJsonSchemaValidator2019"}]
    assert schema.schemas_for(credential) == ([OB_SCHEMA_URL], [])
    vc11 = _vc11(credential)
    vc11["credentialSchema"] = [{"id": schema.OB_ANY_SCHEMA_URL.replace("/json/", "/json-ld/"), "type": "x"}]
    assert [i.code for i in schema.schemas_for(vc11)[1]] == ["schema.generation_unavailable"]
    assert schema.schemas_for(vc11, _resolver) == ([schema.OB_ANY_SCHEMA_URL], [])
