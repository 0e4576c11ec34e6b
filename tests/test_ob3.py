"""The model <-> Open Badges 3.0 mapping: exact output, lossless round trip, strict reading."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from czmc import MappingError, MicroCredential, from_credential, jsonld, schema, to_credential
from czmc.ob3 import CONTEXT, CREDENTIAL_SCHEMA, format_datetime
from czmc.vocab import ECTS_IRI
from tests.strategies import micro_credentials


@pytest.fixture
def credential(full: dict[str, Any]) -> dict[str, Any]:
    return to_credential(MicroCredential.model_validate(full))


def test_envelope(credential: dict[str, Any]) -> None:
    assert credential["@context"] == [
        "https://www.w3.org/ns/credentials/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json",
        "https://w3id.org/czmc/v1",
    ]
    assert credential["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert credential["id"] == "urn:uuid:3f0d2b7e-6a51-4c2e-9a0b-2f1f6d1c9e11"
    assert credential["validFrom"] == "2025-02-03T09:00:00Z"
    assert credential["awardedDate"] == "2025-02-03T09:00:00Z"
    assert "validUntil" not in credential
    assert credential["credentialSchema"] == [
        {
            "id": "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json",
            "type": "1EdTechJsonSchemaValidator2019",
        },
        {"id": "https://w3id.org/czmc/schemas/credential/v1.json", "type": "1EdTechJsonSchemaValidator2019"},
    ]
    assert credential["name"] == "Základy programování"


def test_issuer_profile_and_awarding_body(credential: dict[str, Any]) -> None:
    issuer = credential["issuer"]
    assert issuer["type"] == ["Profile"]
    assert issuer["name"] == "Univerzita Karlova"
    assert issuer["nameMap"] == {"cs": "Univerzita Karlova", "en": "Charles University"}
    assert issuer["address"] == {"type": ["Address"], "addressCountryCode": "CZ", "addressLocality": "Praha"}
    assert issuer["otherIdentifier"] == [
        {"type": "IdentifierEntry", "identifier": "00216208", "identifierType": "ext:CZ-ICO"}
    ]
    source = credential["credentialSubject"]["source"]
    assert source["id"] == "https://www.mff.cuni.cz"
    assert source["parentOrg"]["id"] == "did:web:cuni.cz"
    assert "coAwardingBody" not in credential["credentialSubject"]


def test_learner_identifiers(credential: dict[str, Any]) -> None:
    subject = credential["credentialSubject"]
    assert subject["id"].startswith("did:key:")
    assert subject["type"] == ["AchievementSubject"]
    name, email = subject["identifier"]
    assert name == {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": "Jana Nováková"}
    assert email["identityType"] == "emailAddress"
    assert email["hashed"] is True
    assert email["identityHash"].startswith("sha256$")
    assert "example.cz" not in json.dumps(credential)


def test_achievement_uses_ob_properties(credential: dict[str, Any]) -> None:
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["type"] == ["Achievement"]
    assert achievement["achievementType"] == "MicroCredential"
    assert achievement["name"] == "Základy programování"
    assert achievement["nameMap"]["en"] == "Introduction to programming"
    assert achievement["inLanguage"] == "cs"
    assert achievement["creditsAvailable"] == 5.0
    assert credential["credentialSubject"]["creditsEarned"] == 5.0
    assert achievement["humanCode"] == "NPRG030"
    assert achievement["fieldOfStudy"] == "Vývoj software"
    assert achievement["criteria"]["narrative"] == "- Navrhne algoritmus.\n- Implementuje program v Pythonu."
    (grading,) = achievement["resultDescription"]
    assert grading["id"] == "https://cuni.cz/mc/NPRG030#grade"
    assert grading["allowedValue"] == ["F", "E", "D", "C", "B", "A"]
    assert credential["credentialSubject"]["result"] == [
        {"type": ["Result"], "resultDescription": "https://cuni.cz/mc/NPRG030#grade", "value": "B"}
    ]


def test_alignments_render_framework_coded_elements(credential: dict[str, Any]) -> None:
    by_type: dict[str, list[dict[str, Any]]] = {}
    for alignment in credential["credentialSubject"]["achievement"]["alignment"]:
        assert alignment["type"] == ["Alignment"]
        by_type.setdefault(alignment["targetType"], []).append(alignment)
    assert by_type["ext:CreditSystem"][0]["targetUrl"] == ECTS_IRI
    assert by_type["ext:CreditSystem"][0]["targetCode"] == "5"
    assert by_type["ext:EQFLevel"][0]["targetUrl"] == "http://data.europa.eu/snb/eqf/6"
    assert by_type["ext:QFEHEACycle"][0]["targetName"] == "QF-EHEA první cyklus"
    assert by_type["ext:ISCEDF"][0]["targetUrl"] == "http://data.europa.eu/snb/isced-f/0613"
    assert by_type["ceasn:Competency"][0]["targetFramework"] == "ESCO"
    assert by_type["ext:QualityAssurance"][0]["targetUrl"] == "https://www.nauvs.cz/"
    assert by_type["ext:StacksTowards"][0]["targetUrl"] == "https://cuni.cz/p/1"


def test_eu_elements_in_czmc_terms(credential: dict[str, Any]) -> None:
    achievement = credential["credentialSubject"]["achievement"]
    assert achievement["creditPoint"] == {"type": "CreditPoint", "framework": ECTS_IRI, "point": "5"}
    assert achievement["volumeOfLearning"] == "PT130H"
    assert achievement["eqfLevel"] == "http://data.europa.eu/snb/eqf/6"
    assert achievement["qfEheaCycle"] == "FirstCycle"
    assert achievement["participationForm"] == "Blended"
    assert achievement["supervision"] == "SupervisedWithIdVerification"
    assert achievement["assessmentType"] == ["WrittenExam", "Project"]
    assert achievement["learningOutcome"][0]["type"] == "LearningOutcome"
    assert achievement["learningOutcome"][0]["title"]["en"] == "Designs an algorithm."
    assert achievement["qualityAssurance"][0]["qualityAssuranceType"] == "InstitutionalQualityAssurance"
    assert achievement["stackability"]["stackabilityOption"] == "Stackable"
    assert achievement["languageOfInstruction"] == ["cs"]


def test_single_language_has_no_language_maps(minimal: dict[str, Any]) -> None:
    credential = to_credential(MicroCredential.model_validate(minimal))
    text = json.dumps(credential)
    assert "nameMap" not in text
    assert "descriptionMap" not in text
    achievement = credential["credentialSubject"]["achievement"]
    assert "creditsAvailable" not in achievement
    assert achievement["volumeOfLearning"] == "PT40H"
    assert "creditsEarned" not in credential["credentialSubject"]


def test_credential_id_is_generated_or_overridden(minimal: dict[str, Any]) -> None:
    mc = MicroCredential.model_validate(minimal)
    first, second = to_credential(mc)["id"], to_credential(mc)["id"]
    assert first.startswith("urn:uuid:")
    assert first != second
    assert to_credential(mc, credential_id="https://skola.example.cz/c/1")["id"] == "https://skola.example.cz/c/1"


def test_dates_are_whole_second_utc() -> None:
    from datetime import datetime, timedelta, timezone

    moment = datetime(2025, 3, 30, 1, 59, 59, tzinfo=timezone(timedelta(hours=1)))
    assert format_datetime(moment) == "2025-03-30T00:59:59Z"


def test_round_trip_of_full_and_minimal(full: dict[str, Any], minimal: dict[str, Any]) -> None:
    for data in (full, minimal):
        mc = MicroCredential.model_validate(data)
        credential = to_credential(mc)
        back = from_credential(credential)
        assert back == mc.model_copy(update={"id": credential["id"]})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(micro_credentials())
def test_round_trip_is_lossless(data: dict[str, Any]) -> None:
    mc = MicroCredential.model_validate(data)
    credential = to_credential(mc)
    assert from_credential(json.loads(json.dumps(credential))) == mc
    assert list(schema.iter_issues(credential)) == []


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(micro_credentials())
def test_generated_credentials_define_every_term(data: dict[str, Any]) -> None:
    assert jsonld.undefined_terms(to_credential(MicroCredential.model_validate(data))) == []


def test_envelope_members_are_accepted(credential: dict[str, Any]) -> None:
    credential["credentialStatus"] = {
        "id": "https://cuni.cz/status/1#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": "https://cuni.cz/status/1",
    }
    credential.update(iss="did:web:cuni.cz", jti=credential["id"], nbf=1738573200, sub="did:key:z6Mk")
    assert from_credential(credential).id == credential["id"]


def _mutated(credential: dict[str, Any], path: str, value: object) -> dict[str, Any]:
    changed = copy.deepcopy(credential)
    *parents, last = path.split("/")[1:]
    node: Any = changed
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if value is _DELETE:
        del node[last]
    elif isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return changed


_DELETE = object()

STRICT_CASES = [
    ("/credentialSubject/achievement/creditsAvailable", 6, "ob3.inconsistent"),
    ("/credentialSubject/creditsEarned", 4.5, "ob3.inconsistent"),
    ("/credentialSubject/achievement/name", "Jiný název", "ob3.inconsistent"),
    ("/credentialSubject/achievement/alignment/1/targetUrl", "http://data.europa.eu/snb/eqf/7", "ob3.inconsistent"),
    ("/credentialSubject/achievement/image", {"id": "https://cuni.cz/i.png", "type": "Image"}, "ob3.unmapped"),
    ("/evidence", [{"type": ["Evidence"], "narrative": "x"}], "ob3.unmapped"),
    ("/credentialSubject/achievement/criteria", _DELETE, "ob3.missing"),
    ("/credentialSchema", _DELETE, "ob3.missing"),
    ("/credentialSubject/identifier/1/hashed", 1, "ob3.structure"),
]


@pytest.mark.parametrize(("path", "value", "code"), STRICT_CASES)
def test_strict_reading_flags_what_would_be_lost_or_contradicts(
    credential: dict[str, Any], path: str, value: object, code: str
) -> None:
    changed = _mutated(credential, path, value)
    with pytest.raises(MappingError) as caught:
        from_credential(changed)
    assert any(issue.code == code and issue.path.startswith(path.rsplit("/", 1)[0]) for issue in caught.value.issues), (
        caught.value.issues
    )


def test_lenient_reading_ignores_derived_renderings(credential: dict[str, Any]) -> None:
    changed = _mutated(credential, "/credentialSubject/achievement/creditsAvailable", 6)
    changed = _mutated(
        changed, "/credentialSubject/achievement/image", {"id": "https://cuni.cz/i.png", "type": "Image"}
    )
    assert from_credential(changed, strict=False).achievement.workload.ects == 5


READ_CASES = [
    ("/credentialSubject/achievement/participationForm", "Remote", "ob3.vocabulary", "/participationForm"),
    ("/credentialSubject/achievement/assessmentType", ["Quiz"], "ob3.vocabulary", "/assessmentType/0"),
    ("/credentialSubject/achievement/learningOutcome", _DELETE, "ob3.structure", "/learningOutcome"),
    ("/credentialSubject/achievement/inLanguage", _DELETE, "ob3.structure", "/inLanguage"),
    ("/credentialSubject/achievement/eqfLevel", "http://data.europa.eu/snb/eqf/9", "model.eqf_range", "/eqfLevel"),
    ("/credentialSubject/achievement/eqfLevel", "https://example.org/eqf/6", "ob3.structure", "/eqfLevel"),
    ("/credentialSubject/achievement/volumeOfLearning", "P5D", "ob3.structure", "/volumeOfLearning"),
    ("/credentialSubject/achievement/creditPoint/point", "lots", "ob3.structure", "/creditPoint/point"),
    ("/validFrom", "2025-02-03T09:00:00", "ob3.structure", "/validFrom"),
    ("/credentialSubject", _DELETE, "ob3.structure", "/credentialSubject"),
]


@pytest.mark.parametrize(("path", "value", "code", "suffix"), READ_CASES)
def test_reading_errors_point_into_the_credential(
    credential: dict[str, Any], path: str, value: object, code: str, suffix: str
) -> None:
    with pytest.raises(MappingError) as caught:
        from_credential(_mutated(credential, path, value))
    assert any(issue.code == code and issue.path.endswith(suffix) for issue in caught.value.issues), caught.value.issues


def test_model_rule_violations_are_reported_at_the_credential_path(credential: dict[str, Any]) -> None:
    changed = _mutated(credential, "/credentialSubject/achievement/creditPoint/point", "70")
    with pytest.raises(MappingError) as caught:
        from_credential(changed, strict=False)
    (issue,) = caught.value.issues
    assert issue.code == "model.ects_range"
    assert issue.path == "/credentialSubject/achievement/creditPoint/point"
    assert "model field /achievement/workload/ects" in issue.message


def test_not_an_object() -> None:
    with pytest.raises(MappingError):
        from_credential([])  # type: ignore[arg-type]


def test_constants_are_consistent() -> None:
    assert list(CONTEXT)[:2] == [jsonld.VC_CONTEXT, jsonld.OB_CONTEXT]
    assert all(entry["id"] in schema.SCHEMAS for entry in CREDENTIAL_SCHEMA)


def test_learning_outcomes_have_ids_that_older_credentials_may_lack(credential: dict[str, Any]) -> None:
    achievement = credential["credentialSubject"]["achievement"]
    outcomes = achievement["learningOutcome"]
    base = achievement["id"].split("#", 1)[0]
    assert [outcome["id"] for outcome in outcomes] == [
        f"{base}#learning-outcome-{number}" for number in range(1, len(outcomes) + 1)
    ]
    older = copy.deepcopy(credential)
    for outcome in older["credentialSubject"]["achievement"]["learningOutcome"]:
        del outcome["id"]
    assert from_credential(older) == from_credential(credential)
    assert list(schema.iter_issues(older)) == []
    renamed = copy.deepcopy(credential)
    renamed["credentialSubject"]["achievement"]["learningOutcome"][0]["id"] = "https://other.example/outcome"
    with pytest.raises(MappingError) as caught:
        from_credential(renamed)
    assert [issue.path for issue in caught.value.issues] == ["/credentialSubject/achievement/learningOutcome/0/id"]
