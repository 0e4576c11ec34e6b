"""The EU micro-credential <-> Open Badges 3.0 ``AchievementCredential`` (VC Data Model 2.0).

:func:`to_credential` renders a :class:`~czmc.model.MicroCredential` as JSON-LD;
:func:`from_credential` reads it back, losslessly.

Where Open Badges 3.0 has a property for an element, czmc uses it (``name``, ``issuer``,
``awardedDate``, ``creditsAvailable``, ``alignment``, ``resultDescription``,
``credentialSubject.source``, ...). The EU elements Open Badges lacks, and the texts in
languages other than the primary one, are carried by terms of the czmc context
(:data:`~czmc.jsonld.CZMC_CONTEXT`), which reuse European Learning Model IRIs where ELM
has the same meaning. Those czmc terms are complete on their own; the Open Badges
renderings derived from them (plain-string names, alignments, credits) are what every
Open Badges wallet shows, and :func:`from_credential` checks that they agree.

The mapping table (EU element -> property) is in ``docs/mapping.md``.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

import orjson

from czmc.errors import MappingError, ModelError
from czmc.jsonld import CZMC_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT, VC_CONTEXT
from czmc.model import (
    Achievement,
    Learner,
    MicroCredential,
    Organisation,
)
from czmc.report import Issue, pointer
from czmc.vocab import (
    ECTS_IRI,
    AssessmentType,
    ParticipationForm,
    QFEHEACycle,
    QualityAssuranceType,
    Stackability,
    Supervision,
    eqf_iri,
    isced_f_iri,
)

__all__ = [
    "CONTEXT",
    "CREDENTIAL_SCHEMA",
    "CZMC_SCHEMA_URL",
    "ENVELOPE_MEMBERS",
    "OB_SCHEMA_URL",
    "format_datetime",
    "from_credential",
    "render_for_signing",
    "to_credential",
]

OB_SCHEMA_URL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
CZMC_SCHEMA_URL = "https://w3id.org/czmc/schemas/credential/v1.json"

CONTEXT: tuple[str, ...] = (VC_CONTEXT, OB_CONTEXT, OB_EXTENSIONS_CONTEXT, CZMC_CONTEXT)
"""The ``@context`` of every czmc credential, in the order OB 3.0 requires."""

CREDENTIAL_SCHEMA: tuple[dict[str, str], ...] = (
    {"id": OB_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"},
    {"id": CZMC_SCHEMA_URL, "type": "1EdTechJsonSchemaValidator2019"},
)

ENVELOPE_MEMBERS = frozenset({"proof", "credentialStatus", "iss", "sub", "jti", "nbf", "exp", "iat", "aud"})
"""Top-level members that secure or track a credential rather than describe it.

:func:`from_credential` accepts them beside the mapped content; the model does not carry
them (proofs and status belong to the signed envelope, not the micro-credential).
"""

_DURATION_HOURS = re.compile(r"^PT(\d+(?:\.\d{1,2})?)H$")
_FRAMEWORK_NAMES = {
    "ects": "European Credit Transfer and Accumulation System",
    "eqf": "European Qualifications Framework",
    "qf_ehea": "Qualifications Framework in the European Higher Education Area",
    "isced_f": "ISCED-F 2013",
    "esco": "ESCO",
}


def format_datetime(value: datetime) -> str:
    """``value`` as an XML Schema dateTimeStamp in UTC whole seconds: ``2025-02-01T09:00:00Z``."""
    return value.astimezone(UTC).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


def _decimal_text(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _number(value: Decimal) -> float:
    # ECTS come in half credits and hours in hundredths: both are exact in a float's range here.
    return float(value)


def _texts(lang: str, texts: Mapping[str, str], plain: str, mapped: str) -> dict[str, Any]:
    """An OB plain string in the primary language plus, if there are others, the language map."""
    out: dict[str, Any] = {plain: texts[lang]}
    if len(texts) > 1:
        out[mapped] = dict(texts)
    return out


# --- to_credential ---------------------------------------------------------------------


def to_credential(mc: MicroCredential, *, credential_id: str | None = None) -> dict[str, Any]:
    """The OB 3.0 ``AchievementCredential`` (JSON-LD, unsigned) of ``mc``.

    ``credential_id`` overrides ``mc.id``; if both are None a fresh ``urn:uuid:`` is used.
    Dates are rendered in UTC whole seconds (OB 3.0 requires ``nbf == validFrom`` in JWTs).
    """
    return _render(mc, credential_id, _achievement(mc.achievement, mc.primary_language))


# Rendered achievements by (id of the Achievement object, language), for issuing many
# credentials of one course: the object is kept so that its id cannot be reused meanwhile.
_ACHIEVEMENTS: dict[tuple[int, str], tuple[Achievement, dict[str, Any]]] = {}
_ACHIEVEMENTS_MAX = 64


def render_for_signing(mc: MicroCredential, credential_id: str | None = None) -> dict[str, Any]:
    """Like :func:`to_credential`, but may share the achievement's rendering with other calls.

    For serialising straight away (signing, batch issuance): never mutate the result.
    """
    key = (id(mc.achievement), mc.primary_language)
    cached = _ACHIEVEMENTS.get(key)
    if cached is None or cached[0] is not mc.achievement:
        if len(_ACHIEVEMENTS) >= _ACHIEVEMENTS_MAX:
            _ACHIEVEMENTS.clear()
        cached = (mc.achievement, _achievement(mc.achievement, mc.primary_language))
        _ACHIEVEMENTS[key] = cached
    return _render(mc, credential_id, cached[1])


def _render(mc: MicroCredential, credential_id: str | None, achievement_node: dict[str, Any]) -> dict[str, Any]:
    lang = mc.primary_language
    achievement = mc.achievement
    credential: dict[str, Any] = {
        "@context": list(CONTEXT),
        "id": credential_id or mc.id or f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": achievement.title[lang],
        "description": achievement.description[lang],
        "issuer": _profile(mc.issuer, lang),
        "validFrom": format_datetime(mc.effective_valid_from),
    }
    if mc.valid_until is not None:
        credential["validUntil"] = format_datetime(mc.valid_until)
    credential["awardedDate"] = format_datetime(mc.issued)
    credential["credentialSubject"] = _subject(mc, lang, achievement_node)
    credential["credentialSchema"] = [dict(entry) for entry in CREDENTIAL_SCHEMA]
    return credential


def _profile(org: Organisation, lang: str) -> dict[str, Any]:
    profile: dict[str, Any] = {"id": org.id, "type": ["Profile"], **_texts(lang, org.name, "name", "nameMap")}
    if org.url is not None:
        profile["url"] = org.url
    if org.email is not None:
        profile["email"] = org.email
    address = {
        key: value
        for key, value in (
            ("addressCountryCode", org.country),
            ("addressRegion", org.region),
            ("addressLocality", org.locality),
        )
        if value is not None
    }
    if address:
        profile["address"] = {"type": ["Address"], **address}
    if org.identifiers:
        profile["otherIdentifier"] = [
            {"type": "IdentifierEntry", "identifier": entry.identifier, "identifierType": entry.identifier_type}
            for entry in org.identifiers
        ]
    if org.parent is not None:
        profile["parentOrg"] = _profile(org.parent, lang)
    return profile


def _learner(learner: Learner) -> dict[str, Any]:
    subject: dict[str, Any] = {}
    if learner.id is not None:
        subject["id"] = learner.id
    subject["type"] = ["AchievementSubject"]
    identifiers: list[dict[str, Any]] = []
    if learner.name is not None:
        identifiers.append(
            {"type": "IdentityObject", "identityType": "name", "hashed": False, "identityHash": learner.name}
        )
    for entry in learner.identifiers:
        identity: dict[str, Any] = {
            "type": "IdentityObject",
            "identityType": entry.identity_type,
            "hashed": entry.hashed,
            "identityHash": entry.identity_hash,
        }
        if entry.salt is not None:
            identity["salt"] = entry.salt
        identifiers.append(identity)
    if identifiers:
        subject["identifier"] = identifiers
    return subject


def _subject(mc: MicroCredential, lang: str, achievement_node: dict[str, Any]) -> dict[str, Any]:
    subject = _learner(mc.learner)
    subject["achievement"] = achievement_node
    ects = mc.achievement.workload.ects
    if ects is not None:
        subject["creditsEarned"] = _number(ects)
    if mc.activity_start is not None:
        subject["activityStartDate"] = format_datetime(mc.activity_start)
    if mc.activity_end is not None:
        subject["activityEndDate"] = format_datetime(mc.activity_end)
    if mc.grade is not None:
        result: dict[str, Any] = {"type": ["Result"]}
        if mc.achievement.grading is not None:
            result["resultDescription"] = _grading_id(mc.achievement)
        result["value"] = mc.grade
        subject["result"] = [result]
    if mc.awarding_bodies:
        subject["source"] = _profile(mc.awarding_bodies[0], lang)
        if len(mc.awarding_bodies) > 1:
            subject["coAwardingBody"] = [_profile(org, lang) for org in mc.awarding_bodies[1:]]
    return subject


def _grading_id(achievement: Achievement) -> str:
    return f"{achievement.id}#grade"


def _achievement(a: Achievement, lang: str) -> dict[str, Any]:
    node: dict[str, Any] = {
        "id": a.id,
        "type": ["Achievement"],
        "achievementType": "MicroCredential",
        **_texts(lang, a.title, "name", "nameMap"),
        **_texts(lang, a.description, "description", "descriptionMap"),
        "criteria": {"narrative": "\n".join(f"- {outcome.text[lang]}" for outcome in a.learning_outcomes)},
        "inLanguage": lang,
    }
    if a.workload.ects is not None:
        node["creditsAvailable"] = _number(a.workload.ects)
    if a.field_of_study is not None:
        label = a.field_of_study.label
        node["fieldOfStudy"] = label[lang] if label else f"ISCED-F {a.field_of_study.isced_f}"
    if a.code is not None:
        node["humanCode"] = a.code
    node["alignment"] = list(_alignments(a, lang))
    if a.grading is not None:
        grading = a.grading
        description: dict[str, Any] = {
            "id": _grading_id(a),
            "type": ["ResultDescription"],
            **_texts(lang, grading.name, "name", "nameMap"),
            "resultType": grading.result_type.value,
        }
        if grading.allowed_values:
            description["allowedValue"] = list(grading.allowed_values)
        if grading.required_value is not None:
            description["requiredValue"] = grading.required_value
        node["resultDescription"] = [description]
    node.update(_eu_elements(a))
    return node


def _alignment(name: str, url: str, kind: str, framework: str | None = None, code: str | None = None) -> dict[str, Any]:
    alignment: dict[str, Any] = {"type": ["Alignment"], "targetName": name, "targetUrl": url}
    if code is not None:
        alignment["targetCode"] = code
    if framework is not None:
        alignment["targetFramework"] = framework
    alignment["targetType"] = kind
    return alignment


def _alignments(a: Achievement, lang: str) -> Iterator[dict[str, Any]]:
    """OB-native renderings of framework-coded elements, for consumers that know no czmc terms."""
    ects = a.workload.ects
    if ects is not None:
        yield _alignment("ECTS credits", ECTS_IRI, "ext:CreditSystem", _FRAMEWORK_NAMES["ects"], _decimal_text(ects))
    level = a.level
    if level is not None:
        if level.eqf is not None:
            yield _alignment(
                f"EQF level {level.eqf}", eqf_iri(level.eqf), "ext:EQFLevel", _FRAMEWORK_NAMES["eqf"], str(level.eqf)
            )
        if level.qf_ehea is not None:
            cycle = level.qf_ehea
            yield _alignment(cycle.label(lang), cycle.iri, "ext:QFEHEACycle", _FRAMEWORK_NAMES["qf_ehea"])
        if level.nqf is not None:
            yield _alignment(level.nqf.label[lang], level.nqf.iri, "ext:NQFLevel")
    if a.field_of_study is not None:
        code = a.field_of_study.isced_f
        label = a.field_of_study.label
        name = label[lang] if label else f"ISCED-F {code}"
        yield _alignment(name, isced_f_iri(code), "ext:ISCEDF", _FRAMEWORK_NAMES["isced_f"], code)
    seen: set[str] = set()
    for outcome in a.learning_outcomes:
        for skill in outcome.skills:
            if skill.iri not in seen:
                seen.add(skill.iri)
                yield _alignment(skill.label[lang], skill.iri, "ceasn:Competency", _FRAMEWORK_NAMES["esco"])
    for qa in a.quality_assurance:
        framework = qa.body[lang] if qa.body else None
        yield _alignment(qa.type.label(lang), qa.url or qa.type.iri, "ext:QualityAssurance", framework)
    if a.stackability is not None:
        for target in a.stackability.towards:
            if target.url is not None:
                yield _alignment(target.name[lang], target.url, "ext:StacksTowards")


def outcome_id(achievement_id: str, number: int) -> str:
    """The id czmc gives the ``number``-th (from 1) learning outcome of an achievement: a fragment of its id."""
    return f"{achievement_id.split('#', 1)[0]}#learning-outcome-{number}"


def _eu_elements(a: Achievement) -> dict[str, Any]:
    """The czmc-context terms: the complete EU elements, in every language given."""
    eu: dict[str, Any] = {
        "learningOutcome": [
            {
                # An id per outcome: an RDF list of blank nodes is a chain of look-alike nodes
                # that RDF canonicalisation (Data Integrity proofs) may not be able to order
                # within the work limits verifiers set; outcomes with ids make every list node unique.
                "id": outcome_id(a.id, number),
                "type": "LearningOutcome",
                "title": dict(outcome.text),
                **(
                    {
                        "relatedESCOSkill": [
                            {"id": skill.iri, "prefLabel": dict(skill.label)} for skill in outcome.skills
                        ]
                    }
                    if outcome.skills
                    else {}
                ),
            }
            for number, outcome in enumerate(a.learning_outcomes, start=1)
        ]
    }
    if a.workload.ects is not None:
        eu["creditPoint"] = {"type": "CreditPoint", "framework": ECTS_IRI, "point": _decimal_text(a.workload.ects)}
    if a.workload.hours is not None:
        eu["volumeOfLearning"] = f"PT{_decimal_text(a.workload.hours)}H"
    if a.level is not None:
        if a.level.eqf is not None:
            eu["eqfLevel"] = eqf_iri(a.level.eqf)
        if a.level.qf_ehea is not None:
            eu["qfEheaCycle"] = a.level.qf_ehea.value
        if a.level.nqf is not None:
            eu["nqfLevel"] = {"id": a.level.nqf.iri, "prefLabel": dict(a.level.nqf.label)}
    if a.field_of_study is not None:
        area: dict[str, Any] = {"id": isced_f_iri(a.field_of_study.isced_f)}
        if a.field_of_study.label is not None:
            area["prefLabel"] = dict(a.field_of_study.label)
        eu["thematicArea"] = area
    if a.languages:
        eu["languageOfInstruction"] = list(a.languages)
    eu["assessmentType"] = [kind.value for kind in a.assessment.types]
    if a.assessment.description is not None:
        eu["assessmentDescriptionMap"] = dict(a.assessment.description)
    eu["participationForm"] = a.participation.value
    if a.supervision is not None:
        eu["supervision"] = a.supervision.value
    eu["qualityAssurance"] = [
        {
            "type": "QualityAssurance",
            "qualityAssuranceType": qa.type.value,
            **({"qualityAssuranceBodyMap": dict(qa.body)} if qa.body else {}),
            **({"homepage": qa.url} if qa.url else {}),
            **({"descriptionMap": dict(qa.description)} if qa.description else {}),
        }
        for qa in a.quality_assurance
    ]
    if a.prerequisites is not None:
        eu["prerequisitesMap"] = dict(a.prerequisites)
    if a.stackability is not None:
        stack = a.stackability
        options: dict[str, Any] = {"type": "StackabilityOptions", "stackabilityOption": stack.option.value}
        if stack.towards:
            options["stacksTowards"] = [
                {"nameMap": dict(target.name), **({"homepage": target.url} if target.url else {})}
                for target in stack.towards
            ]
        if stack.description is not None:
            options["descriptionMap"] = dict(stack.description)
        eu["stackability"] = options
    if a.further_information is not None:
        eu["furtherInformationMap"] = dict(a.further_information)
    if a.homepage is not None:
        eu["homepage"] = a.homepage
    return eu


# --- from_credential -------------------------------------------------------------------


class _Reader:
    """Reads a credential, recording a :class:`Issue` (instead of raising) for each misfit."""

    def __init__(self) -> None:
        self.issues: list[Issue] = []

    def fail(self, path: tuple[str | int, ...], message: str, code: str = "ob3.structure") -> None:
        self.issues.append(Issue(code, pointer(*path), message))

    def obj(self, node: Any, path: tuple[str | int, ...], *, required: bool = True) -> dict[str, Any] | None:
        if node is None:
            if required:
                self.fail(path, "is required")
            return None
        if not isinstance(node, dict):
            self.fail(path, f"must be an object, got {type(node).__name__}")
            return None
        return node

    def get(
        self,
        node: Mapping[str, Any],
        key: str,
        path: tuple[str | int, ...],
        kind: type | tuple[type, ...],
        *,
        required: bool = False,
    ) -> Any:
        if key not in node:
            if required:
                self.fail((*path, key), "is required")
            return None
        value = node[key]
        if not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, float, (int, float))):
            names = kind.__name__ if isinstance(kind, type) else " or ".join(k.__name__ for k in kind)
            self.fail((*path, key), f"must be a {names}, got {type(value).__name__}")
            return None
        return value

    def items(
        self, node: Mapping[str, Any], key: str, path: tuple[str | int, ...]
    ) -> list[tuple[tuple[str | int, ...], dict[str, Any]]]:
        value = self.get(node, key, path, list)
        found = []
        for index, item in enumerate(value or []):
            item_path = (*path, key, index)
            checked = self.obj(item, item_path)
            if checked is not None:
                found.append((item_path, checked))
        return found

    def texts(
        self, node: Mapping[str, Any], plain: str, mapped: str, lang: str | None, path: tuple[str | int, ...]
    ) -> dict[str, str] | None:
        """A language map from ``mapped`` if present, else ``{lang: plain}``."""
        texts: dict[str, str] | None = self.get(node, mapped, path, dict)
        if texts is not None:
            return texts
        value = self.get(node, plain, path, str)
        if value is None:
            return None
        if lang is None:
            self.fail(path, f"cannot tell the language of {plain!r}: 'inLanguage' is missing")
            return None
        return {lang: value}

    def vocab(self, value: Any, enum: type[Any], path: tuple[str | int, ...]) -> Any:
        try:
            return enum(value)
        except ValueError:
            allowed = ", ".join(member.value for member in enum)
            self.fail(path, f"{value!r} is not one of {allowed}", "ob3.vocabulary")
            return None


def _organisation(reader: _Reader, node: Any, path: tuple[str | int, ...], lang: str | None) -> dict[str, Any] | None:
    profile = reader.obj(node, path)
    if profile is None:
        return None
    org: dict[str, Any] = {
        "id": reader.get(profile, "id", path, str, required=True),
        "name": reader.texts(profile, "name", "nameMap", lang, path),
    }
    for key, field in (("url", "url"), ("email", "email")):
        if key in profile:
            org[field] = reader.get(profile, key, path, str)
    address = reader.obj(profile.get("address"), (*path, "address"), required=False)
    if address is not None:
        for key, field in (
            ("addressCountryCode", "country"),
            ("addressRegion", "region"),
            ("addressLocality", "locality"),
        ):
            if key in address:
                org[field] = reader.get(address, key, (*path, "address"), str)
    identifiers = reader.items(profile, "otherIdentifier", path)
    if identifiers:
        org["identifiers"] = [
            {
                "identifier": reader.get(entry, "identifier", item_path, str, required=True),
                "identifier_type": reader.get(entry, "identifierType", item_path, str, required=True),
            }
            for item_path, entry in identifiers
        ]
    if "parentOrg" in profile:
        org["parent"] = _organisation(reader, profile["parentOrg"], (*path, "parentOrg"), lang)
    return org


def _learner_from(reader: _Reader, subject: Mapping[str, Any], path: tuple[str | int, ...]) -> dict[str, Any]:
    learner: dict[str, Any] = {}
    if "id" in subject:
        learner["id"] = reader.get(subject, "id", path, str)
    identifiers = []
    for item_path, entry in reader.items(subject, "identifier", path):
        kind = reader.get(entry, "identityType", item_path, str, required=True)
        value = reader.get(entry, "identityHash", item_path, str, required=True)
        hashed = reader.get(entry, "hashed", item_path, bool, required=True)
        if kind == "name" and hashed is False:
            learner["name"] = value
            continue
        identity: dict[str, Any] = {"identity_type": kind, "identity_hash": value, "hashed": hashed}
        if "salt" in entry:
            identity["salt"] = reader.get(entry, "salt", item_path, str)
        identifiers.append(identity)
    if identifiers:
        learner["identifiers"] = identifiers
    return learner


def _decimal(reader: _Reader, text: Any, path: tuple[str | int, ...]) -> Decimal | None:
    if not isinstance(text, str):
        reader.fail(path, "must be a string holding a decimal number")
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        reader.fail(path, f"{text!r} is not a decimal number")
        return None


def _achievement_from(
    reader: _Reader, node: dict[str, Any], path: tuple[str | int, ...]
) -> tuple[dict[str, Any], str | None]:
    lang = reader.get(node, "inLanguage", path, str, required=True)
    a: dict[str, Any] = {
        "id": reader.get(node, "id", path, str, required=True),
        "title": reader.texts(node, "name", "nameMap", lang, path),
        "description": reader.texts(node, "description", "descriptionMap", lang, path),
    }
    outcomes = []
    outcome_nodes = reader.get(node, "learningOutcome", path, list, required=True) or []
    for index, item in enumerate(outcome_nodes):
        item_path = (*path, "learningOutcome", index)
        outcome_node = reader.obj(item, item_path)
        if outcome_node is None:
            continue
        identifier = reader.get(outcome_node, "id", item_path, str)
        if identifier is not None and isinstance(a["id"], str) and identifier != outcome_id(a["id"], index + 1):
            reader.fail(
                (*item_path, "id"),
                f"czmc names learning outcome {index + 1} {outcome_id(a['id'], index + 1)!r}, not {identifier!r}",
            )
        outcome: dict[str, Any] = {"text": reader.get(outcome_node, "title", item_path, dict, required=True)}
        skills = [
            {
                "iri": reader.get(skill, "id", skill_path, str, required=True),
                "label": reader.get(skill, "prefLabel", skill_path, dict, required=True),
            }
            for skill_path, skill in reader.items(outcome_node, "relatedESCOSkill", item_path)
        ]
        if skills:
            outcome["skills"] = skills
        outcomes.append(outcome)
    a["learning_outcomes"] = outcomes

    workload: dict[str, Any] = {}
    credit = reader.obj(node.get("creditPoint"), (*path, "creditPoint"), required=False)
    if credit is not None:
        if credit.get("framework") != ECTS_IRI:
            reader.fail((*path, "creditPoint", "framework"), f"czmc reads ECTS credit points only ({ECTS_IRI})")
        workload["ects"] = _decimal(reader, credit.get("point"), (*path, "creditPoint", "point"))
    volume = reader.get(node, "volumeOfLearning", path, str)
    if volume is not None:
        match = _DURATION_HOURS.match(volume)
        if match is None:
            reader.fail((*path, "volumeOfLearning"), f"{volume!r} is not a duration in hours such as 'PT125H'")
        else:
            workload["hours"] = Decimal(match.group(1))
    a["workload"] = workload

    level: dict[str, Any] = {}
    eqf = reader.get(node, "eqfLevel", path, str)
    if eqf is not None:
        number = eqf.removeprefix(eqf_iri(0)[:-1])
        if number.isdigit() and eqf == eqf_iri(int(number)):
            level["eqf"] = int(number)
        else:
            reader.fail((*path, "eqfLevel"), f"{eqf!r} is not an EQF level IRI (http://data.europa.eu/snb/eqf/1..8)")
    if "qfEheaCycle" in node:
        level["qf_ehea"] = reader.vocab(node["qfEheaCycle"], QFEHEACycle, (*path, "qfEheaCycle"))
    nqf = reader.obj(node.get("nqfLevel"), (*path, "nqfLevel"), required=False)
    if nqf is not None:
        level["nqf"] = {"iri": nqf.get("id"), "label": nqf.get("prefLabel")}
    if level:
        a["level"] = level

    area = reader.obj(node.get("thematicArea"), (*path, "thematicArea"), required=False)
    if area is not None:
        area_id = reader.get(area, "id", (*path, "thematicArea"), str, required=True) or ""
        field: dict[str, Any] = {"isced_f": area_id.rsplit("/", 1)[-1]}
        if not area_id.startswith(isced_f_iri("")):
            reader.fail((*path, "thematicArea", "id"), f"{area_id!r} is not an ISCED-F IRI")
        if "prefLabel" in area:
            field["label"] = area["prefLabel"]
        a["field_of_study"] = field
    if "languageOfInstruction" in node:
        a["languages"] = reader.get(node, "languageOfInstruction", path, list)

    assessment: dict[str, Any] = {
        "types": [
            reader.vocab(value, AssessmentType, (*path, "assessmentType", index))
            for index, value in enumerate(reader.get(node, "assessmentType", path, list, required=True) or [])
        ]
    }
    if "assessmentDescriptionMap" in node:
        assessment["description"] = node["assessmentDescriptionMap"]
    a["assessment"] = assessment
    participation = reader.get(node, "participationForm", path, str, required=True)
    if participation is not None:
        a["participation"] = reader.vocab(participation, ParticipationForm, (*path, "participationForm"))
    if "supervision" in node:
        a["supervision"] = reader.vocab(node["supervision"], Supervision, (*path, "supervision"))
    qas = []
    for item_path, qa_node in reader.items(node, "qualityAssurance", path):
        qa: dict[str, Any] = {
            "type": reader.vocab(
                qa_node.get("qualityAssuranceType"), QualityAssuranceType, (*item_path, "qualityAssuranceType")
            )
        }
        for key, field_name in (
            ("qualityAssuranceBodyMap", "body"),
            ("homepage", "url"),
            ("descriptionMap", "description"),
        ):
            if key in qa_node:
                qa[field_name] = qa_node[key]
        qas.append(qa)
    a["quality_assurance"] = qas
    for key, field_name in (
        ("prerequisitesMap", "prerequisites"),
        ("furtherInformationMap", "further_information"),
        ("homepage", "homepage"),
        ("humanCode", "code"),
    ):
        if key in node:
            a[field_name] = node[key]
    stack = reader.obj(node.get("stackability"), (*path, "stackability"), required=False)
    if stack is not None:
        stack_path = (*path, "stackability")
        info: dict[str, Any] = {
            "option": reader.vocab(stack.get("stackabilityOption"), Stackability, (*stack_path, "stackabilityOption"))
        }
        towards = [
            {"name": target.get("nameMap"), **({"url": target["homepage"]} if "homepage" in target else {})}
            for _target_path, target in reader.items(stack, "stacksTowards", stack_path)
        ]
        if towards:
            info["towards"] = towards
        if "descriptionMap" in stack:
            info["description"] = stack["descriptionMap"]
        a["stackability"] = info
    descriptions = reader.items(node, "resultDescription", path)
    if len(descriptions) > 1:
        reader.fail((*path, "resultDescription"), "czmc models one grading scheme; found several")
    for item_path, description in descriptions[:1]:
        grading: dict[str, Any] = {
            "result_type": description.get("resultType"),
            "name": reader.texts(description, "name", "nameMap", lang, item_path),
        }
        if "allowedValue" in description:
            grading["allowed_values"] = description["allowedValue"]
        if "requiredValue" in description:
            grading["required_value"] = description["requiredValue"]
        a["grading"] = grading
    return a, lang


def _datetime(
    reader: _Reader, node: Mapping[str, Any], key: str, path: tuple[str | int, ...], *, required: bool = False
) -> datetime | None:
    text = reader.get(node, key, path, str, required=required)
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        reader.fail((*path, key), f"{text!r} is not an ISO 8601 date-time")
        return None
    if value.tzinfo is None:
        reader.fail((*path, key), f"{text!r} has no timezone")
        return None
    return value


def _read(credential: Mapping[str, Any], reader: _Reader) -> dict[str, Any]:
    subject = reader.obj(credential.get("credentialSubject"), ("credentialSubject",)) or {}
    achievement_node = reader.obj(subject.get("achievement"), ("credentialSubject", "achievement")) or {}
    achievement, lang = _achievement_from(reader, achievement_node, ("credentialSubject", "achievement"))
    data: dict[str, Any] = {
        "id": reader.get(credential, "id", (), str),
        "learner": _learner_from(reader, subject, ("credentialSubject",)),
        "achievement": achievement,
        "issuer": _organisation(reader, credential.get("issuer"), ("issuer",), lang),
        "primary_language": lang,
    }
    valid_from = _datetime(reader, credential, "validFrom", (), required=True)
    issued = _datetime(reader, credential, "awardedDate", ()) or valid_from
    data["issued"] = issued
    data["valid_from"] = valid_from
    for key, field in (("validUntil", "valid_until"),):
        data[field] = _datetime(reader, credential, key, ())
    for key, field in (("activityStartDate", "activity_start"), ("activityEndDate", "activity_end")):
        data[field] = _datetime(reader, subject, key, ("credentialSubject",))
    bodies = []
    if "source" in subject:
        bodies.append(_organisation(reader, subject["source"], ("credentialSubject", "source"), lang))
    for index, item in enumerate(reader.get(subject, "coAwardingBody", ("credentialSubject",), list) or []):
        bodies.append(_organisation(reader, item, ("credentialSubject", "coAwardingBody", index), lang))
    if bodies:
        data["awarding_bodies"] = bodies
    results = reader.items(subject, "result", ("credentialSubject",))
    if len(results) > 1:
        reader.fail(("credentialSubject", "result"), "czmc models one grade; found several results")
    for item_path, result in results[:1]:
        data["grade"] = reader.get(result, "value", item_path, str, required=True)
    return data


# Where each model field lives in the credential, for reporting model-rule violations.
_MODEL_TO_CREDENTIAL: tuple[tuple[str, str], ...] = (
    ("/achievement/workload/ects", "/credentialSubject/achievement/creditPoint/point"),
    ("/achievement/workload/hours", "/credentialSubject/achievement/volumeOfLearning"),
    ("/achievement/level/eqf", "/credentialSubject/achievement/eqfLevel"),
    ("/achievement/level/qf_ehea", "/credentialSubject/achievement/qfEheaCycle"),
    ("/achievement/level/nqf", "/credentialSubject/achievement/nqfLevel"),
    ("/achievement/learning_outcomes", "/credentialSubject/achievement/learningOutcome"),
    ("/achievement/title", "/credentialSubject/achievement/name"),
    ("/achievement/description", "/credentialSubject/achievement/description"),
    ("/achievement/assessment/types", "/credentialSubject/achievement/assessmentType"),
    ("/achievement/quality_assurance", "/credentialSubject/achievement/qualityAssurance"),
    ("/achievement/grading", "/credentialSubject/achievement/resultDescription/0"),
    ("/achievement/field_of_study", "/credentialSubject/achievement/thematicArea"),
    ("/achievement/languages", "/credentialSubject/achievement/languageOfInstruction"),
    ("/achievement", "/credentialSubject/achievement"),
    ("/learner", "/credentialSubject"),
    ("/issuer/country", "/issuer/address/addressCountryCode"),
    ("/issuer", "/issuer"),
    ("/awarding_bodies/0", "/credentialSubject/source"),
    ("/awarding_bodies", "/credentialSubject/coAwardingBody"),
    ("/issued", "/awardedDate"),
    ("/valid_from", "/validFrom"),
    ("/valid_until", "/validUntil"),
    ("/activity_start", "/credentialSubject/activityStartDate"),
    ("/activity_end", "/credentialSubject/activityEndDate"),
    ("/grade", "/credentialSubject/result/0/value"),
    ("/primary_language", "/credentialSubject/achievement/inLanguage"),
)


def _credential_path(model_path: str) -> str:
    for prefix, target in _MODEL_TO_CREDENTIAL:
        if model_path == prefix or model_path.startswith(prefix + "/"):
            return target
    return ""


def from_credential(credential: Mapping[str, Any], *, strict: bool = True) -> MicroCredential:
    """The :class:`~czmc.model.MicroCredential` an OB 3.0 credential made by czmc describes.

    The inverse of :func:`to_credential`: ``from_credential(to_credential(mc)) == mc``
    (with ``mc.id`` filled in). With ``strict`` (the default), the credential must be
    exactly what :func:`to_credential` makes of the result, apart from the members in
    :data:`ENVELOPE_MEMBERS`: a derived OB property that disagrees with the czmc terms,
    or a member the model cannot carry, is an error rather than silently lost.

    Raises :class:`~czmc.errors.MappingError` listing every problem, with JSON Pointers
    into the credential.
    """
    reader = _Reader()
    if not isinstance(credential, Mapping):
        raise MappingError([Issue("ob3.structure", "", "a credential must be a JSON object")])
    data = _read(credential, reader)
    if reader.issues:
        raise MappingError(reader.issues)
    try:
        mc = MicroCredential.model_validate(data)
    except ModelError as error:
        raise MappingError(
            [
                Issue(issue.code, _credential_path(issue.path), f"{issue.message} (model field {issue.path or '/'})")
                for issue in error.issues
            ]
        ) from error
    if strict:
        issues = list(_differences(credential, to_credential(mc)))
        if issues:
            raise MappingError(issues)
    return mc


def _differences(actual: Mapping[str, Any], expected: Mapping[str, Any]) -> Iterator[Issue]:
    if _same(actual, expected):
        return
    for key, value in actual.items():
        if key in ENVELOPE_MEMBERS:
            continue
        yield from _diff(value, expected.get(key, _MISSING), (key,))
    for key in expected:
        if key not in actual:
            yield Issue("ob3.missing", pointer(key), "is missing; czmc credentials always carry it")


def _same(actual: Mapping[str, Any], expected: Mapping[str, Any]) -> bool:
    """Whether :func:`_differences` finds nothing, decided in C for the usual case (a faithful credential).

    Python equality of the members outside the envelope misses only what :func:`_diff` adds
    to it: a bool where the other side has a number (``True == 1``). The sorted JSON of
    both sides tells those apart, so when both agree there is no difference; otherwise (or
    for what is not plain JSON) :func:`_diff` decides, as it always did.
    """
    if not expected.keys() <= actual.keys():
        return False
    left = {key: value for key, value in actual.items() if key not in ENVELOPE_MEMBERS}
    right = {key: value for key, value in expected.items() if key not in ENVELOPE_MEMBERS}
    if left != right:
        return False
    try:
        return bool(orjson.dumps(left, option=orjson.OPT_SORT_KEYS) == orjson.dumps(right, option=orjson.OPT_SORT_KEYS))
    except TypeError:  # not plain JSON (orjson.JSONEncodeError is a TypeError)
        return False


_MISSING = object()


def _optional_id(path: tuple[str | int, ...], key: str) -> bool:
    """Learning outcomes have ids since czmc 0.2 (see :func:`outcome_id`); credentials issued before lack them."""
    return key == "id" and len(path) >= 2 and path[-2] == "learningOutcome"


def _diff(actual: Any, expected: Any, path: tuple[str | int, ...]) -> Iterator[Issue]:
    if expected is _MISSING:
        yield Issue(
            "ob3.unmapped",
            pointer(*path),
            "is not part of the czmc mapping and would be lost; remove it or read with strict=False",
        )
    elif isinstance(actual, dict) and isinstance(expected, dict):
        for key, value in actual.items():
            yield from _diff(value, expected.get(key, _MISSING), (*path, key))
        for key in expected:
            if key not in actual and not _optional_id(path, key):
                yield Issue("ob3.missing", pointer(*path, key), f"is missing; expected {_short(expected[key])}")
    elif isinstance(actual, list) and isinstance(expected, list) and len(actual) == len(expected):
        for index, (left, right) in enumerate(zip(actual, expected, strict=True)):
            yield from _diff(left, right, (*path, index))
    elif actual != expected or isinstance(actual, bool) != isinstance(expected, bool):
        yield Issue(
            "ob3.inconsistent", pointer(*path), f"is {_short(actual)}, but the czmc terms say {_short(expected)}"
        )


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 120 else text[:117] + "..."
