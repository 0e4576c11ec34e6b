"""The EU micro-credential (Council Recommendation 2022/C 243/02, Annex I) as frozen pydantic models.

A :class:`MicroCredential` is one award to one learner: the :class:`Achievement` (what a
course's graduates all share: title, learning outcomes, workload, level, assessment, form
of participation, quality assurance, ...) plus the learner, the issuer, the awarding
bodies, the dates and the grade.

Every model is immutable and validates on construction. Invalid input raises
:class:`~czmc.errors.ModelError` whose ``issues`` give, for each problem, a stable code
(``model.ects_range``), the JSON Pointer of the field (``/achievement/workload/ects``) and
what was expected. Validation is pure: no I/O, no clock.

Multilingual texts are :data:`LanguageMap` values, ``{"cs": "...", "en": "..."}`` keyed by
BCP 47 tags; every text must be given in the credential's ``primary_language``, which is
the language Open Badges' plain-string properties carry.
"""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
import types
import typing
from collections.abc import Iterator, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Self

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from czmc._countries import ISO_3166_ALPHA2
from czmc._did_syntax import DID_PATTERN
from czmc.errors import ModelError
from czmc.report import Issue, pointer
from czmc.vocab import (
    ESCO_SKILL_BASE,
    AssessmentType,
    ParticipationForm,
    QFEHEACycle,
    QualityAssuranceType,
    ResultType,
    Stackability,
    Supervision,
)

__all__ = [
    "Achievement",
    "Assessment",
    "EscoSkill",
    "FieldOfStudy",
    "GradingScheme",
    "LanguageMap",
    "Learner",
    "LearnerIdentifier",
    "LearningOutcome",
    "Level",
    "MicroCredential",
    "NationalLevel",
    "Organisation",
    "OrganisationIdentifier",
    "QualityAssurance",
    "StackTarget",
    "StackabilityInfo",
    "Workload",
    "hash_identity",
    "input_json_schema",
]

ECTS_MIN = Decimal(1)
ECTS_MAX = Decimal(60)
HOURS_PER_ECTS_MIN = Decimal(25)
HOURS_PER_ECTS_MAX = Decimal(30)

_LANGUAGE_TAG = re.compile(r"^[a-z]{2,4}(-[A-Z][a-z]{3})?(-([A-Z]{2}|[0-9]{3}))?$")
_HTTP_URL = re.compile(r"^https?://[^\s/?#]+[^\s]*$")
_HTTPS_URL = re.compile(r"^https://[^\s/?#]+[^\s]*$")
_URN_UUID = re.compile(r"^urn:uuid:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SHA256_HASH = re.compile(r"^sha256\$[0-9a-f]{64}$")
_EXT_TYPE = re.compile(r"^ext:[A-Za-z0-9.\-_]+$")
_ESCO_SKILL = re.compile(
    "^" + re.escape(ESCO_SKILL_BASE) + r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"
)
_ISCED_F = re.compile(r"^\d{2,4}$")

# OB 3.0 IdentifierTypeEnum (B.3.x); other values need the "ext:" prefix.
LEARNER_IDENTIFIER_TYPES = frozenset(
    {
        "name", "sourcedId", "systemId", "productId", "userName", "accountId", "emailAddress",
        "nationalIdentityNumber", "isbn", "issn", "lisSourcedId", "oneRosterSourcedId",
        "sisSourcedId", "ltiContextId", "ltiDeploymentId", "ltiToolId", "ltiPlatformId",
        "ltiUserId", "identifier",
    }
)  # fmt: skip


def _err(code: str, message: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError(code, message, context or None)


# --- scalar types -----------------------------------------------------------------


def _check_language_tag(value: str) -> str:
    if not _LANGUAGE_TAG.match(value):
        raise _err(
            "model.language_tag",
            "'{value}' is not a language tag of the form OB 3.0 accepts (e.g. 'cs', 'en', 'cs-CZ')",
            value=value,
        )
    return value


LanguageTag = Annotated[str, AfterValidator(_check_language_tag)]
"""A BCP 47 language tag as Open Badges 3.0 restricts it (``cs``, ``en``, ``cs-CZ``)."""


def _check_text(value: str) -> str:
    if not value.strip():
        raise _err("model.text_empty", "text must not be empty or only whitespace")
    return value


Text = Annotated[str, AfterValidator(_check_text)]


def _check_language_map(value: dict[str, str]) -> dict[str, str]:
    if not value:
        raise _err(
            "model.language_map_empty",
            "give the text in at least one language, e.g. {'cs': '...', 'en': '...'}",
        )
    return value


LanguageMap = Annotated[dict[LanguageTag, Text], AfterValidator(_check_language_map)]
"""Text in one or more languages: ``{"cs": "Kybernetická bezpečnost", "en": "Cyber security"}``."""


def _check_uri(value: str) -> str:
    if not (DID_PATTERN.fullmatch(value) or _HTTP_URL.match(value) or _URN_UUID.match(value)):
        raise _err(
            "model.uri",
            "'{value}' is not a DID, an http(s) URL or a urn:uuid URN",
            value=value,
        )
    return value


Uri = Annotated[str, AfterValidator(_check_uri)]
"""An identifier usable as a JSON-LD ``id``: a DID, an http(s) URL or a ``urn:uuid:`` URN."""


def _check_https(value: str) -> str:
    if not _HTTPS_URL.match(value):
        raise _err("model.https_url", "'{value}' is not an https:// URL", value=value)
    return value


HttpsUrl = Annotated[str, AfterValidator(_check_https)]


def _check_country(value: str) -> str:
    if value not in ISO_3166_ALPHA2:
        raise _err(
            "model.country",
            "'{value}' is not an ISO 3166-1 alpha-2 country code (e.g. 'CZ')",
            value=value,
        )
    return value


CountryCode = Annotated[str, AfterValidator(_check_country)]


def _check_whole_seconds(value: datetime) -> datetime:
    if value.microsecond:
        raise _err(
            "model.datetime_precision",
            "datetimes are issued in whole seconds (OB 3.0 requires nbf == validFrom); "
            "got {value}; use .replace(microsecond=0)",
            value=value.isoformat(),
        )
    return value


Timestamp = Annotated[AwareDatetime, AfterValidator(_check_whole_seconds)]
"""A timezone-aware datetime in whole seconds."""


def hash_identity(value: str, salt: str) -> str:
    """OB 3.0 ``identityHash`` of ``value``: ``sha256$`` + hex SHA-256 of value + salt."""
    return "sha256$" + hashlib.sha256((value + salt).encode("utf-8")).hexdigest()


# --- base ---------------------------------------------------------------------------


def _issue_from_pydantic(error: Mapping[str, Any]) -> Issue:
    loc = tuple(
        part
        for part in error["loc"]
        if not (isinstance(part, str) and (part.startswith("function-") or part == "[key]"))
    )
    kind = str(error["type"])
    path = pointer(*loc)
    if kind.startswith("model."):
        return Issue(kind, path, str(error["msg"]))
    field = str(loc[-1]) if loc else "document"
    messages = {
        "missing": f"{field!r} is required",
        "extra_forbidden": f"{field!r} is not a field here (misspelt?)",
        "timezone_aware": f"{field!r} needs a timezone, e.g. 2025-06-30T12:00:00+02:00 or ...Z",
    }
    return Issue("model." + kind, path, messages.get(kind, f"{field!r}: {error['msg']}"))


def issues_from_validation_error(error: ValidationError) -> list[Issue]:
    """The :class:`~czmc.report.Issue` records of a pydantic validation error."""
    return [_issue_from_pydantic(item) for item in error.errors(include_url=False)]


class _Model(BaseModel):
    """Frozen, closed model whose validation failures are :class:`ModelError`."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False)

    def __init__(self, /, **data: Any) -> None:
        try:
            super().__init__(**data)
        except ValidationError as error:
            raise ModelError(issues_from_validation_error(error), subject=type(self).__name__) from error

    # Nested models are validated by pydantic-core, not through __init__: keep it that way so
    # that every problem in a nested model is reported with its full path.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @classmethod
    def model_validate(
        cls,
        obj: Any,
        *,
        strict: bool | None = None,
        extra: Any = None,
        from_attributes: bool | None = None,
        context: Any | None = None,
        by_alias: bool | None = None,
        by_name: bool | None = None,
    ) -> Self:
        """Validate ``obj``; raises :class:`~czmc.errors.ModelError` listing every problem."""
        try:
            return super().model_validate(
                obj,
                strict=strict,
                extra=extra,
                from_attributes=from_attributes,
                context=context,
                by_alias=by_alias,
                by_name=by_name,
            )
        except ValidationError as error:
            raise ModelError(issues_from_validation_error(error), subject=cls.__name__) from error

    def iter_language_maps(self, base: tuple[str | int, ...] = ()) -> Iterator[tuple[str, dict[str, str]]]:
        """Every :data:`LanguageMap` in this model and its children, with its JSON Pointer."""
        for path, texts in self._language_maps_at(base):
            yield pointer(*path), texts

    def _language_maps_at(self, base: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], dict[str, str]]]:
        """:meth:`iter_language_maps` in one walk, with paths as tuples (pointers are made only when needed).

        Every validation of a MicroCredential walks its texts (the primary-language rule):
        one list built by plain calls costs a third of a generator chain building a pointer per map.
        """
        found: list[tuple[tuple[str | int, ...], dict[str, str]]] = []
        for name in _text_fields(type(self)):
            _collect_language_maps(getattr(self, name), (*base, name), found)
        return found


@functools.cache
def _text_fields(cls: type[_Model]) -> tuple[str, ...]:
    """The fields of ``cls`` whose type can hold a language map (dicts, models, tuples of them)."""
    return tuple(name for name, info in cls.model_fields.items() if _may_hold_maps(info.annotation))


def _may_hold_maps(annotation: Any) -> bool:
    """Whether a field of this type can hold a model, a tuple or a dict (what the walk descends into).

    A plain class other than those (str, numbers, dates, enums, None) holds none: pydantic
    gives the field an instance of it.
    """
    if isinstance(annotation, type) and not typing.get_args(annotation):
        return annotation is object or issubclass(annotation, (_Model, dict, tuple, list))
    origin = typing.get_origin(annotation)
    if origin is typing.Literal:
        return False
    if origin is typing.Annotated:
        return _may_hold_maps(typing.get_args(annotation)[0])
    if origin in (tuple, types.UnionType, typing.Union):
        return any(_may_hold_maps(argument) for argument in typing.get_args(annotation) if argument is not Ellipsis)
    return True  # dict[...] and anything not recognised: walked, as before


_NOT_CONTAINERS = (str, int, float, datetime)


def _collect_language_maps(
    value: object, path: tuple[str | int, ...], found: list[tuple[tuple[str | int, ...], dict[str, str]]]
) -> None:
    if value is None or isinstance(value, _NOT_CONTAINERS):
        return
    if isinstance(value, _Model):
        found.extend(value._language_maps_at(path))
    elif isinstance(value, tuple):
        for index, item in enumerate(value):
            _collect_language_maps(item, (*path, index), found)
    elif isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        found.append((path, value))


# --- learner ------------------------------------------------------------------------


class LearnerIdentifier(_Model):
    """An OB 3.0 ``IdentityObject``: one way to identify the learner, hashed or plain."""

    identity_type: str
    identity_hash: Text
    hashed: bool
    salt: str | None = None

    @field_validator("identity_type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in LEARNER_IDENTIFIER_TYPES and not _EXT_TYPE.match(value):
            raise _err(
                "model.identity_type",
                "'{value}' is not an OB 3.0 IdentifierTypeEnum value; custom types start with 'ext:'",
                value=value,
            )
        return value

    @model_validator(mode="after")
    def _hash_form(self) -> Self:
        if self.hashed and not _SHA256_HASH.match(self.identity_hash):
            raise _err(
                "model.identity_hash",
                "a hashed identity must be 'sha256$' followed by 64 lowercase hex digits",
            )
        if not self.hashed and self.salt is not None:
            raise _err("model.identity_salt", "a salt only makes sense for a hashed identity")
        return self


class Learner(_Model):
    """Annex I M1, identification of the learner.

    Identified by ``id`` (a DID, a URL or a ``urn:uuid:``) and/or ``identifiers`` (OB 3.0
    IdentityObjects). Input may give ``email`` (and optionally ``email_salt``): it is
    stored only as a salted SHA-256 ``emailAddress`` identifier, never in clear.
    ``name`` is the learner's full name as it appears on the credential.
    """

    id: Uri | None = None
    name: Text | None = None
    identifiers: tuple[LearnerIdentifier, ...] = ()

    @model_validator(mode="before")
    @classmethod
    def _hash_email(cls, data: Any) -> Any:
        if not isinstance(data, dict) or "email" not in data:
            return data
        data = dict(data)
        email = data.pop("email")
        salt = data.pop("email_salt", None)
        if not isinstance(email, str) or not _EMAIL.match(email.strip()):
            raise _err("model.email", "'{value}' is not an email address", value=str(email))
        if salt is None:
            salt = secrets.token_hex(16)
        identifier = {
            "identity_type": "emailAddress",
            "hashed": True,
            "salt": salt,
            "identity_hash": hash_identity(email.strip().lower(), str(salt)),
        }
        data["identifiers"] = (*data.get("identifiers", ()), identifier)
        return data

    @model_validator(mode="after")
    def _identified(self) -> Self:
        if any(identifier.identity_type == "name" for identifier in self.identifiers):
            raise _err("model.learner_name_identifier", "give the learner's name as 'name', not as an identifier")
        if self.id is None and not self.identifiers:
            raise _err(
                "model.learner_unidentified",
                "identify the learner by 'id' (DID or URL), 'email' or an entry in 'identifiers'",
            )
        return self

    def matches_email(self, email: str) -> bool:
        """Whether one of the learner's hashed email identifiers is ``email``."""
        candidate = email.strip().lower()
        return any(
            identifier.identity_type == "emailAddress"
            and identifier.hashed
            and identifier.salt is not None
            and secrets.compare_digest(hash_identity(candidate, identifier.salt), identifier.identity_hash)
            for identifier in self.identifiers
        )


# --- organisations ------------------------------------------------------------------


class OrganisationIdentifier(_Model):
    """An OB 3.0 ``IdentifierEntry`` of an organisation (e.g. Czech IČO as ``ext:CZ-ICO``)."""

    identifier: Text
    identifier_type: str

    @field_validator("identifier_type")
    @classmethod
    def _known_type(cls, value: str) -> str:
        if value not in LEARNER_IDENTIFIER_TYPES and not _EXT_TYPE.match(value):
            raise _err(
                "model.identifier_type",
                "'{value}' is not an OB 3.0 IdentifierTypeEnum value; custom types start with 'ext:'",
                value=value,
            )
        return value


class Organisation(_Model):
    """An issuer or awarding body (OB 3.0 ``Profile``)."""

    id: Uri
    name: LanguageMap
    url: HttpsUrl | None = None
    email: str | None = None
    country: CountryCode | None = None
    region: Text | None = None
    locality: Text | None = None
    identifiers: tuple[OrganisationIdentifier, ...] = ()
    parent: Organisation | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not _EMAIL.match(value):
            raise _err("model.email", "'{value}' is not an email address", value=value)
        return value


# --- the achievement ----------------------------------------------------------------


class EscoSkill(_Model):
    """An ESCO skill a learning outcome is linked to."""

    iri: str
    label: LanguageMap

    @field_validator("iri")
    @classmethod
    def _esco(cls, value: str) -> str:
        if not _ESCO_SKILL.match(value):
            raise _err(
                "model.esco_skill",
                "'{value}' is not an ESCO skill IRI (http://data.europa.eu/esco/skill/<uuid>)",
                value=value,
            )
        return value


class LearningOutcome(_Model):
    """Annex I M6, one learning outcome, optionally linked to ESCO skills."""

    text: LanguageMap
    skills: tuple[EscoSkill, ...] = ()


class Workload(_Model):
    """Annex I M7, notional workload: ECTS credits wherever possible, hours otherwise.

    ECTS are :class:`~decimal.Decimal` from 1 to 60 in half credits. When both are given,
    hours must lie within 25-30 per ECTS credit (ECTS Users' Guide 2015).
    """

    ects: Decimal | None = None
    hours: Decimal | None = None

    @field_validator("ects")
    @classmethod
    def _ects(cls, value: Decimal | None) -> Decimal | None:
        if value is None:
            return None
        if not value.is_finite() or not ECTS_MIN <= value <= ECTS_MAX:
            raise _err("model.ects_range", "ECTS credits must be between 1 and 60, got {value}", value=str(value))
        if (value * 2) % 1 != 0:
            raise _err(
                "model.ects_granularity",
                "ECTS credits come in whole or half credits, got {value}",
                value=str(value),
            )
        return value

    @field_validator("hours")
    @classmethod
    def _hours(cls, value: Decimal | None) -> Decimal | None:
        if value is None:
            return None
        if not value.is_finite() or value <= 0 or value > ECTS_MAX * HOURS_PER_ECTS_MAX:
            raise _err(
                "model.hours_range", "workload hours must be above 0 and at most 1800, got {value}", value=str(value)
            )
        if (value * 100) % 1 != 0:
            raise _err(
                "model.hours_precision", "workload hours have at most two decimals, got {value}", value=str(value)
            )
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.ects is None and self.hours is None:
            raise _err("model.workload_missing", "give the workload in 'ects' (wherever possible) or 'hours'")
        if self.ects is not None and self.hours is not None:
            low, high = self.ects * HOURS_PER_ECTS_MIN, self.ects * HOURS_PER_ECTS_MAX
            if not low <= self.hours <= high:
                raise _err(
                    "model.hours_ects_inconsistent",
                    "{hours} hours do not match {ects} ECTS: expected {low}-{high} hours (25-30 h per credit)",
                    hours=str(self.hours),
                    ects=str(self.ects),
                    low=str(low),
                    high=str(high),
                )
        return self


class NationalLevel(_Model):
    """A level of a national qualifications framework, by its Europass QDR IRI."""

    iri: str
    label: LanguageMap

    @field_validator("iri")
    @classmethod
    def _iri(cls, value: str) -> str:
        if not _HTTP_URL.match(value):
            raise _err("model.nqf_iri", "'{value}' is not an http(s) IRI", value=value)
        return value


class Level(_Model):
    """Annex I M8, level of the learning experience (EQF and/or QF-EHEA, optionally NQF)."""

    eqf: int | None = None
    qf_ehea: QFEHEACycle | None = None
    nqf: NationalLevel | None = None

    @field_validator("eqf")
    @classmethod
    def _eqf(cls, value: int | None) -> int | None:
        if value is not None and not 1 <= value <= 8:
            raise _err("model.eqf_range", "EQF levels are 1 to 8, got {value}", value=value)
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.eqf is None and self.qf_ehea is None and self.nqf is None:
            raise _err("model.level_empty", "give 'eqf', 'qf_ehea' or 'nqf', or leave out 'level' if none applies")
        if self.eqf is not None and self.qf_ehea is not None and self.qf_ehea.eqf_level != self.eqf:
            raise _err(
                "model.level_inconsistent",
                "QF-EHEA {cycle} corresponds to EQF level {expected}, not {eqf}",
                cycle=self.qf_ehea.value,
                expected=self.qf_ehea.eqf_level,
                eqf=self.eqf,
            )
        return self


class Assessment(_Model):
    """Annex I M9, type of assessment."""

    types: tuple[AssessmentType, ...] = Field(min_length=1)
    description: LanguageMap | None = None


class QualityAssurance(_Model):
    """Annex I M11, one type of quality assurance underpinning the micro-credential."""

    type: QualityAssuranceType
    body: LanguageMap | None = None
    url: HttpsUrl | None = None
    description: LanguageMap | None = None


class StackTarget(_Model):
    """A credential or programme the micro-credential stacks towards or is part of."""

    name: LanguageMap
    url: HttpsUrl | None = None


class StackabilityInfo(_Model):
    """Annex I O4, integration/stackability options."""

    option: Stackability
    towards: tuple[StackTarget, ...] = ()
    description: LanguageMap | None = None

    @model_validator(mode="after")
    def _targets(self) -> Self:
        if self.option is Stackability.STANDALONE and self.towards:
            raise _err(
                "model.stackability_targets", "a stand-alone micro-credential stacks towards nothing; drop 'towards'"
            )
        return self


class GradingScheme(_Model):
    """How grades are expressed (OB 3.0 ``ResultDescription``); values ordered low to high."""

    result_type: ResultType
    name: LanguageMap
    allowed_values: tuple[Text, ...] = ()
    required_value: Text | None = None

    @model_validator(mode="after")
    def _values(self) -> Self:
        if len(set(self.allowed_values)) != len(self.allowed_values):
            raise _err("model.grading_duplicate", "allowed grade values must be distinct")
        if self.required_value is not None and self.allowed_values and self.required_value not in self.allowed_values:
            raise _err(
                "model.grading_required_value",
                "required value '{value}' is not one of the allowed values",
                value=self.required_value,
            )
        return self


class FieldOfStudy(_Model):
    """Field of study as an ISCED-F 2013 code (``0613``), with an optional label."""

    isced_f: str
    label: LanguageMap | None = None

    @field_validator("isced_f")
    @classmethod
    def _code(cls, value: str) -> str:
        if not _ISCED_F.match(value):
            raise _err("model.isced_f", "'{value}' is not an ISCED-F 2013 code (2 to 4 digits)", value=value)
        return value


class Achievement(_Model):
    """What every graduate of a micro-credential course shares (OB 3.0 ``Achievement``)."""

    id: Uri
    title: LanguageMap
    description: LanguageMap
    learning_outcomes: tuple[LearningOutcome, ...]
    workload: Workload
    level: Level | None = None
    assessment: Assessment
    participation: ParticipationForm
    quality_assurance: tuple[QualityAssurance, ...] = Field(min_length=1)
    prerequisites: LanguageMap | None = None
    supervision: Supervision | None = None
    grading: GradingScheme | None = None
    stackability: StackabilityInfo | None = None
    further_information: LanguageMap | None = None
    homepage: HttpsUrl | None = None
    languages: tuple[LanguageTag, ...] = ()
    field_of_study: FieldOfStudy | None = None
    code: Text | None = None

    @field_validator("learning_outcomes")
    @classmethod
    def _outcomes(cls, value: tuple[LearningOutcome, ...]) -> tuple[LearningOutcome, ...]:
        if not value:
            raise _err("model.learning_outcomes_missing", "list at least one learning outcome")
        return value


# --- the award ------------------------------------------------------------------------


class MicroCredential(_Model):
    """One EU micro-credential awarded to one learner.

    ``issued`` is Annex I's date of issuing (OB ``awardedDate``); ``valid_from`` is when
    this credential document becomes valid (OB ``validFrom``); it is None (meaning: same as
    ``issued``) unless a corrected credential is re-issued later. ``activity_start``/``activity_end`` bound the
    learning activity, which is not the date of issuing. ``awarding_bodies`` is empty when
    the issuer itself awards the micro-credential; otherwise it lists the bodies that do (a
    faculty of the issuing university; the university a national service seals for).
    """

    id: Uri | None = None
    learner: Learner
    achievement: Achievement
    issuer: Organisation
    awarding_bodies: tuple[Organisation, ...] = ()
    issued: Timestamp
    valid_from: Timestamp | None = None
    valid_until: Timestamp | None = None
    activity_start: Timestamp | None = None
    activity_end: Timestamp | None = None
    grade: Text | None = None
    primary_language: LanguageTag = ""

    @model_validator(mode="after")
    def _rules(self) -> Self:
        # Canonical form, so that equal credentials compare equal: valid_from is None when
        # it equals issued, and primary_language defaults to Czech if the title has it, else
        # the title's first language.
        if self.valid_from == self.issued:
            self.__dict__["valid_from"] = None
        if not self.primary_language:
            self.__dict__["primary_language"] = (
                "cs" if "cs" in self.achievement.title else next(iter(self.achievement.title))
            )
        issues = list(self._cross_field_issues())
        if issues:
            # Raised as ModelError (not a ValueError) so pydantic passes it through unchanged:
            # one pydantic error could carry only one of these, at one path.
            raise ModelError(issues, subject=type(self).__name__)
        return self

    def _cross_field_issues(self) -> Iterator[Issue]:
        """Annex I rules that relate several fields, each with the path of the field at fault."""
        if self.issuer.country is None:
            yield Issue(
                "model.issuer_country", "/issuer/country", "the issuer needs 'country' (Annex I: country of the issuer)"
            )
        if self.valid_until is not None and self.valid_until <= self.effective_valid_from:
            yield Issue("model.validity", "/valid_until", "'valid_until' must be later than 'valid_from' (or 'issued')")
        if self.valid_from is not None and self.valid_from < self.issued:
            yield Issue("model.valid_before_issued", "/valid_from", "'valid_from' cannot be earlier than 'issued'")
        if self.activity_start and self.activity_end and self.activity_end < self.activity_start:
            yield Issue("model.activity_dates", "/activity_end", "'activity_end' is earlier than 'activity_start'")
        if self.activity_end is not None and self.activity_end > self.issued:
            yield Issue(
                "model.issued_before_activity_end",
                "/issued",
                f"'issued' ({self.issued.isoformat()}) is before the learning activity ended "
                f"({self.activity_end.isoformat()})",
            )
        grading = self.achievement.grading
        if (
            self.grade is not None
            and grading is not None
            and grading.allowed_values
            and self.grade not in grading.allowed_values
        ):
            allowed = ", ".join(grading.allowed_values)
            yield Issue("model.grade", "/grade", f"grade '{self.grade}' is not one of {allowed}")
        for path, texts in self._language_maps_at(()):
            if self.primary_language not in texts:
                yield Issue(
                    "model.primary_language_missing",
                    pointer(*path),
                    f"every text must be given in the primary language '{self.primary_language}'",
                )

    @property
    def effective_valid_from(self) -> datetime:
        """When the credential becomes valid: ``valid_from``, or ``issued`` if that is None."""
        return self.valid_from or self.issued

    @property
    def awarded_by(self) -> tuple[Organisation, ...]:
        """The awarding bodies: ``awarding_bodies``, or the issuer when that is empty."""
        return self.awarding_bodies or (self.issuer,)

    @property
    def languages(self) -> tuple[str, ...]:
        """Every language the credential's texts are given in, primary first."""
        seen = dict.fromkeys([self.primary_language])
        for _path, texts in self._language_maps_at(()):
            seen.update(dict.fromkeys(texts))
        return tuple(seen)


INPUT_SCHEMA_ID = "https://w3id.org/czmc/schemas/microcredential-input/v1.json"


def input_json_schema() -> dict[str, Any]:
    """The JSON Schema of model input files (what :meth:`MicroCredential.model_validate` accepts).

    It is what editors and CI check YAML/JSON inputs with; the bundled copy in
    ``schemas/czmc-microcredential-input-v1.schema.json`` is this, written out.
    """
    schema = MicroCredential.model_json_schema()
    properties = schema["properties"]
    learner = schema["$defs"]["Learner"]["properties"]
    learner["email"] = {
        "type": "string",
        "description": "Learner's email; stored only as a salted SHA-256 emailAddress identifier.",
    }
    learner["email_salt"] = {"type": "string", "description": "Salt for hashing 'email' (random if absent)."}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": INPUT_SCHEMA_ID,
        "title": "czmc EU micro-credential (model input)",
        **{key: value for key, value in schema.items() if key != "title"},
        "properties": properties,
    }
