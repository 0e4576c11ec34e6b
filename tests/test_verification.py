"""The verification pipeline: verdicts, profiles, the data-model generations and the JWT fixes of issue 10."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from czmc import MicroCredential, jws, ob3, vcdm
from czmc.checks import CheckStatus
from czmc.did import DefaultResolver, did_jwk, did_key, did_web_document
from czmc.documents import DocumentStore
from czmc.keys import Algorithm, Key
from czmc.profiles import ANNEX_I_MANDATORY, Profile, Requirement, assess
from czmc.status import StatusChecker, list_credential, new_bitstring, status_entry
from czmc.vcjwt import Format, registered_claims, sign
from czmc.verification import Securing, Verdict, check_content, verify
from tests.conftest import FULL

NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _did_key_issuer() -> tuple[Key, str]:
    key = Key.generate(Algorithm.EDDSA)
    identifier = did_key(key.public)
    return key.with_kid(f"{identifier}#{identifier.removeprefix('did:key:')}"), identifier


@pytest.fixture(scope="module")
def issuer() -> tuple[Key, str]:
    return _did_key_issuer()


def _credential(issuer: str, **changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(FULL)
    data["issuer"]["id"] = issuer
    data.update(changes)
    return ob3.to_credential(MicroCredential.model_validate(data))


def _plain_badge(issuer: str) -> dict[str, Any]:
    """An OB 3.0 badge as the big platforms make them: no czmc context, no EU elements."""
    return {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
        ],
        "id": "urn:uuid:6a0b5c1e-2d4f-4c8e-9a1b-3c5d7e9f1a2b",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Cloud Practitioner",
        "issuer": {"id": issuer, "type": ["Profile"], "name": "Example Badges Inc."},
        "validFrom": "2025-01-10T00:00:00Z",
        "credentialSubject": {
            "id": "did:example:learner",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://badges.example.com/achievements/cloud",
                "type": ["Achievement"],
                "name": "Cloud Practitioner",
                "description": "Knows the cloud.",
                "criteria": {"narrative": "Passed the exam."},
            },
        },
    }


def _forge(header: dict[str, Any], payload: dict[str, Any], key: Key) -> str:
    compact = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
    return jws.sign(jws.encode_header(header), compact, key)


def _failed(result: Any) -> list[tuple[str, str]]:
    return [(check.name, check.code) for check in result.checks if check.status is CheckStatus.FAILED]


# --- verdicts and profiles ----------------------------------------------------------------


def test_czmc_credential_is_valid_and_meets_its_profile(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    result = verify(sign(_credential(identifier), key), now=NOW)
    assert result.verdict is Verdict.VALID
    assert result.accepted
    assert result.securing is Securing.JWT
    assert result.generation is vcdm.Generation.VC2
    assert result.profile is not None
    assert result.profile.profile is Profile.CZMC
    assert result.profile.eu_microcredential.complete
    assert set(ANNEX_I_MANDATORY) <= set(result.profile.eu_microcredential.present)
    for requirement in Requirement:
        assert verify(sign(_credential(identifier), key), now=NOW, require=[requirement]).accepted
    assert result.to_dict()["verdict"] == "valid"


def test_plain_ob3_badge_is_valid_and_not_an_eu_microcredential(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    token = sign(_plain_badge(identifier), key, format="vc-jose-cose")
    result = verify(token, now=NOW)
    assert result.verdict is Verdict.VALID, _failed(result)
    assert result.profile is not None
    assert result.profile.profile is Profile.OB3
    assert not result.profile.eu_microcredential.complete
    assert "level" in result.profile.eu_microcredential.missing
    assert "not an EU micro-credential" in result.check("profile").message
    assert not result.check("profile").required
    required = verify(token, now=NOW, require=["eu-microcredential"])
    assert required.valid
    assert required.verdict is Verdict.PROFILE_NOT_MET
    assert required.unmet == ("eu-microcredential",)
    assert required.check("profile").required
    assert required.check("profile").code == "profile.not_met"
    assert verify(token, now=NOW, require=["ob3"]).verdict is Verdict.VALID
    assert verify(token, now=NOW, require=["czmc"]).verdict is Verdict.PROFILE_NOT_MET


def test_czmc_credential_breaking_an_eu_rule_is_valid_but_fails_its_profile(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    credential = _credential(identifier)
    credential["credentialSubject"]["achievement"]["volumeOfLearning"] = "PT900H"  # 5 ECTS: a cross-field rule
    result = verify(sign(credential, key), now=NOW)
    assert result.valid
    assert result.verdict is Verdict.PROFILE_NOT_MET
    assert result.unmet == (Profile.CZMC.value,)
    assert result.check("profile").code == "profile.not_conforming"
    assert result.profile is not None
    assert not result.profile.conforms


def test_content_verdict_is_the_same_in_validate_and_verify(issuer: tuple[Key, str]) -> None:
    from czmc.validation import validate_text

    key, identifier = issuer
    for credential in (_credential(identifier), _plain_badge(identifier)):
        token = sign(credential, key, format="vc-jose-cose")
        verified = verify(token, now=NOW)
        report = validate_text(token, "x.jwt", verify=True, now=NOW)
        assert report.verdict is verified.verdict
        assert check_content(credential).profile == verified.profile
        plain = validate_text(json.dumps(credential), "x.json")
        assert plain.verdict is verified.verdict
        assert plain.profile == verified.profile


def test_profile_assessment_never_raises() -> None:
    for hostile in ({}, {"@context": 5}, {"@context": ["https://w3id.org/czmc/v1"], "credentialSubject": [1]}):
        report = assess(hostile)
        assert report.eu_microcredential.missing


# --- the data-model generations ------------------------------------------------------------


def test_vc1_output_is_a_vc11_credential_that_verifies(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    credential = _credential(identifier)
    parsed = jws.parse(sign(credential, key, format="vc1"))
    inner = parsed.payload["vc"]
    assert inner["@context"][0] == vcdm.VC1_CONTEXT
    assert inner["@context"][1:] == credential["@context"][1:]
    assert inner["issuanceDate"] == credential["validFrom"]
    assert "validFrom" not in inner
    result = verify(sign(credential, key, format="vc1"), now=NOW)
    assert result.generation is vcdm.Generation.VC11
    assert result.verdict is Verdict.VALID, _failed(result)
    assert result.microcredential() == ob3.from_credential(credential)


def test_vc11_dates_govern_time(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    legacy = vcdm.to_vc11(_credential(identifier, valid_until="2025-12-31T00:00:00Z"))
    payload = {"vc": legacy, **registered_claims(legacy)}
    token = _forge({"alg": "EdDSA", "kid": key.kid, "typ": "JWT"}, payload, key)
    assert verify(token, now=datetime(2026, 1, 1, tzinfo=UTC)).check("time").code == "time.expired"
    assert verify(token, now=datetime(2025, 1, 1, tzinfo=UTC)).check("time").code == "time.not_yet_valid"


_DATES = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)).map(
    lambda moment: moment.replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")
)


@given(start=_DATES, end=st.none() | _DATES, extra=st.dictionaries(st.sampled_from(["name", "awardedDate"]), _DATES))
def test_generation_conversion_round_trips(start: str, end: str | None, extra: dict[str, str]) -> None:
    credential: dict[str, Any] = {
        "@context": [vcdm.VC2_CONTEXT, "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"],
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "validFrom": start,
        **extra,
    }
    if end is not None:
        credential["validUntil"] = end
    legacy = vcdm.to_vc11(credential)
    assert vcdm.generation(legacy) is vcdm.Generation.VC11
    assert vcdm.start_of(legacy) == start
    assert vcdm.end_of(legacy) == end
    assert vcdm.to_vc2(legacy) == credential


def test_to_vc11_refuses_what_is_no_credential() -> None:
    with pytest.raises(ValueError, match="@context"):
        vcdm.to_vc11({"@context": ["https://example.com/other"]})


# --- fixes found by independent checks -----------------------------------------------------


def test_numeric_date_may_be_a_float(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    credential = _credential(identifier)
    payload = {**credential, **registered_claims(credential)}
    payload["nbf"] = float(payload["nbf"])
    result = verify(_forge({"alg": "EdDSA", "kid": key.kid, "typ": "JWT"}, payload, key), now=NOW)
    assert result.valid, _failed(result)


@pytest.mark.parametrize(("offset", "leeway", "valid"), [(3600, 0, False), (30, 60, True), (-10, 0, True)])
def test_iat_in_the_future_is_refused(issuer: tuple[Key, str], offset: int, leeway: int, valid: bool) -> None:
    key, identifier = issuer
    credential = _credential(identifier)
    payload = {**credential, **registered_claims(credential), "iat": int(NOW.timestamp()) + offset}
    token = _forge({"alg": "EdDSA", "kid": key.kid, "typ": "JWT"}, payload, key)
    result = verify(token, now=NOW, leeway=timedelta(seconds=leeway))
    assert result.valid is valid
    if not valid:
        assert _failed(result) == [("time", "time.issued_in_future")]


@pytest.mark.parametrize("method", ["did:key", "did:jwk"])
def test_header_jwk_of_a_self_certifying_issuer_is_accepted(method: str) -> None:
    key = Key.generate(Algorithm.ES256)
    identifier = did_key(key.public) if method == "did:key" else did_jwk(key.public)
    credential = _credential(identifier)
    result = verify(sign(credential, key, embed_jwk=True), now=NOW)
    assert result.valid, _failed(result)
    assert "made of" in result.check("key_binding").message
    other = Key.generate(Algorithm.ES256)
    forged = verify(sign(credential, other, embed_jwk=True), now=NOW)
    assert _failed(forged) == [("key", "key.untrusted_embedded")]


def test_header_jwk_of_a_did_web_issuer_needs_trusted_keys() -> None:
    key = Key.generate(Algorithm.EDDSA)
    credential = _credential("did:web:issuer.example.cz")
    token = sign(credential, key, embed_jwk=True)
    assert _failed(verify(token, now=NOW)) == [("key", "key.untrusted_embedded")]
    assert verify(token, now=NOW, trusted_keys={"did:web:issuer.example.cz": [key.public]}).valid


def test_typless_jwt_of_a_vc2_credential_is_vc_jose_cose(issuer: tuple[Key, str]) -> None:
    key, identifier = issuer
    credential = _credential(identifier)
    result = verify(_forge({"alg": "EdDSA", "kid": key.kid}, credential, key), now=NOW)
    assert result.format is Format.VC_JOSE_COSE
    assert result.valid, _failed(result)


def test_status_list_signed_with_a_trusted_header_key_verifies() -> None:
    key = Key.generate(Algorithm.EDDSA)
    identifier = "did:web:issuer.example.cz"
    url = "https://issuer.example.cz/status/1"
    listed = list_credential(url, identifier, "revocation", new_bitstring(), valid_from=NOW - timedelta(days=1))
    list_token = sign(listed, key, format="vc-jose-cose", embed_jwk=True)
    credential = _credential(identifier)
    credential["credentialStatus"] = status_entry(url, 7)
    token = sign(credential, key, embed_jwk=True)
    trusted = {identifier: [key.public]}
    result = verify(token, now=NOW, trusted_keys=trusted, status=StatusChecker(lists=[list_token]))
    assert result.valid, _failed(result)
    untrusted = verify(
        token,
        now=NOW,
        resolver=DefaultResolver(documents=[did_web_document(identifier, [(identifier + "#k", key.public)])]),
        trusted_keys=trusted,
        status=StatusChecker(lists=[list_token]),
    )
    assert untrusted.valid
    refused = verify(
        sign(credential, key.with_kid(identifier + "#k")),
        now=NOW,
        resolver=DefaultResolver(documents=[did_web_document(identifier, [(identifier + "#k", key.public)])]),
        status=StatusChecker(lists=[list_token]),
    )
    assert _failed(refused) == [("status", "status.list_unverified")]


def test_unparseable_json_credential_is_a_failed_document_check() -> None:
    result = verify('{"a": 1, "a": 2}', now=NOW)
    assert _failed(result) == [("document", "document.duplicate_member")]
    assert result.securing is Securing.DATA_INTEGRITY
    assert not result.valid


# --- documents czmc does not bundle ----------------------------------------------------------

CORPUS = Path(__file__).parent / "interop" / "corpus"


def test_extension_context_from_a_pinned_document_store(tmp_path: Path) -> None:
    token = (CORPUS / "cases" / "ob3-extension-context.jwt").read_text(encoding="utf-8").strip()
    context = CORPUS / "contexts" / "mc-profile-context-1.0.jsonld"
    at = datetime(2026, 1, 15, 12, tzinfo=UTC)
    without = verify(token, now=at)
    assert _failed(without) == [("jsonld", "jsonld.invalid")]
    assert "czmc documents add" in without.check("jsonld").message
    store = DocumentStore(tmp_path / "store")
    url = jws.parse(token).payload["@context"][-1]
    store.add(url, context.read_bytes(), kind="context")
    assert verify(token, now=at, documents=store).valid
    (tmp_path / "store" / store.list()[0].file).write_bytes(context.read_bytes() + b" ")
    tampered = verify(token, now=at, documents=store)
    assert _failed(tampered) == [("jsonld", "jsonld.invalid")]
    assert "documents.tampered" in tampered.check("jsonld").message
