"""Which profile a credential follows, whether it conforms, and which EU micro-credential elements it has.

Validity (authentic, current, well formed) is one question; what kind of credential it is
is another. A Credly badge can be a perfectly valid Open Badge and not an EU
micro-credential; a czmc credential with a broken EU element is authentic but fails the
profile it claims. :func:`assess` answers the second question for any credential:

- :class:`Profile`: what the credential claims to be, by its contexts and types: a czmc EU
  micro-credential (the czmc context), an OB 3.0 achievement, a CLR 2.0, or another VC.
- ``conforms``: whether it meets what it claims (for czmc, every EU rule of
  :func:`czmc.ob3.from_credential`; OB 3.0 and CLR conformance is the schema check's).
- :class:`EuOutcome`: the mandatory elements of Annex I of the Council Recommendation of
  16 June 2022 found and missing, read from czmc's terms or, for other credentials, from
  the OB 3.0 properties that carry them (standards.md 3.10).

A caller or policy requires a profile with :class:`Requirement`; :meth:`ProfileReport.meets`
decides it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from czmc import jsonld, vcdm
from czmc.errors import CzmcError, MappingError
from czmc.report import Issue, Severity

__all__ = [
    "ANNEX_I_MANDATORY",
    "ANNEX_I_OPTIONAL",
    "EuOutcome",
    "Profile",
    "ProfileReport",
    "Requirement",
    "assess",
]


class Profile(StrEnum):
    """What a credential claims to be."""

    CZMC = "czmc-eu-microcredential"
    """czmc's EU micro-credential profile of OB 3.0 (the czmc context)."""
    OB3 = "ob3-achievement"
    """An Open Badges 3.0 AchievementCredential (OpenBadgeCredential)."""
    CLR = "clr"
    """A Comprehensive Learner Record 2.0 (ClrCredential)."""
    OTHER = "other"
    """Any other verifiable credential."""


class Requirement(StrEnum):
    """A profile a caller can require of a valid credential."""

    EU_MICROCREDENTIAL = "eu-microcredential"
    """Every mandatory Annex I element is present, whatever the profile."""
    CZMC = "czmc"
    """A czmc EU micro-credential that meets every EU rule."""
    OB3 = "ob3"
    """An Open Badges 3.0 achievement credential (czmc's are too)."""


ANNEX_I_MANDATORY: tuple[str, ...] = (
    "learner",
    "title",
    "issuer_country",
    "awarding_body",
    "date_of_issuing",
    "learning_outcomes",
    "workload",
    "level",
    "assessment",
    "participation",
    "quality_assurance",
)
"""The mandatory elements of Annex I (part I), by the names :class:`EuOutcome` uses."""

ANNEX_I_OPTIONAL: tuple[str, ...] = ("prerequisites", "supervision", "grade", "stackability", "further_information")
"""The optional elements of Annex I (part II)."""


@dataclass(frozen=True, slots=True)
class EuOutcome:
    """The Annex I elements a credential carries (``present``) and the mandatory ones it lacks."""

    present: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def complete(self) -> bool:
        """True when every mandatory Annex I element is present."""
        return not self.missing

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {"complete": self.complete, "present": list(self.present), "missing": list(self.missing)}


@dataclass(frozen=True)
class ProfileReport:
    """What :func:`assess` found: the claimed profile, whether the credential conforms, its EU elements."""

    profile: Profile
    conforms: bool
    eu_microcredential: EuOutcome
    issues: tuple[Issue, ...] = ()

    @property
    def is_ob3(self) -> bool:
        """True for an OB 3.0 achievement credential (czmc's included)."""
        return self.profile in (Profile.CZMC, Profile.OB3)

    def meets(self, requirement: Requirement | str) -> bool:
        """Whether the credential satisfies ``requirement``."""
        wanted = Requirement(requirement)
        if wanted is Requirement.CZMC:
            return self.profile is Profile.CZMC and self.conforms
        if wanted is Requirement.OB3:
            return self.is_ob3
        return self.eu_microcredential.complete and (self.profile is not Profile.CZMC or self.conforms)

    def describe(self) -> str:
        """One line for people: the profile, and how it stands."""
        names = {
            Profile.CZMC: "czmc EU micro-credential",
            Profile.OB3: "Open Badges 3.0 achievement",
            Profile.CLR: "Comprehensive Learner Record 2.0",
            Profile.OTHER: "verifiable credential of no profile czmc knows",
        }
        text = names[self.profile]
        if self.profile is Profile.CZMC:
            if self.conforms:
                return f"{text}: every EU rule met"
            errors = [issue for issue in self.issues if issue.severity is Severity.ERROR]
            return f"{text}, but fails its profile: {len(errors)} problem{'s' if len(errors) != 1 else ''}"
        eu = self.eu_microcredential
        text = f"no czmc context: {'an' if text[0] in 'AEIOU' else 'a'} {text}, checked without czmc's EU rules"
        if eu.complete:
            return f"{text}; it carries every mandatory EU micro-credential element"
        return f"{text}; not an EU micro-credential (missing: {', '.join(eu.missing)})"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "profile": self.profile.value,
            "conforms": self.conforms,
            "eu_microcredential": self.eu_microcredential.to_dict(),
            "issues": [issue.to_dict() for issue in self.issues],
        }


def _types(node: Any) -> set[str]:
    if not isinstance(node, Mapping):
        return set()
    value = node.get("type")
    if isinstance(value, str):
        return {value}
    return {item for item in value if isinstance(item, str)} if isinstance(value, list) else set()


def _claimed(credential: Mapping[str, Any]) -> Profile:
    contexts = credential.get("@context")
    names = contexts if isinstance(contexts, list) else [contexts]
    types = _types(credential)
    if jsonld.CZMC_CONTEXT in names:
        return Profile.CZMC
    if types & {"AchievementCredential", "OpenBadgeCredential"}:
        return Profile.OB3
    if "ClrCredential" in types:
        return Profile.CLR
    return Profile.OTHER


def assess(credential: Mapping[str, Any]) -> ProfileReport:
    """The profile report of ``credential`` (of either data-model generation); never raises for bad data."""
    profile = _claimed(credential)
    if profile is Profile.CZMC:
        from czmc import ob3  # noqa: PLC0415 - the model is needed only for czmc credentials

        try:
            mc = ob3.from_credential(vcdm.to_vc2(credential))
        except MappingError as error:
            issues = tuple(error.issues)
            return ProfileReport(profile, False, _scan(credential), issues)
        except CzmcError as error:
            return ProfileReport(profile, False, _scan(credential), (Issue(error.code, "", error.message),))
        except Exception as error:  # hostile content must not crash verification
            issue = Issue("profile.error", "", f"the credential could not be read ({type(error).__name__})")
            return ProfileReport(profile, False, _scan(credential), (issue,))
        return ProfileReport(profile, True, _model_outcome(mc))
    return ProfileReport(profile, True, _scan(credential))


def _model_outcome(mc: Any) -> EuOutcome:
    """A conforming czmc credential has every mandatory element (the model requires them)."""
    optional = {
        "prerequisites": mc.achievement.prerequisites,
        "supervision": mc.achievement.supervision,
        "grade": mc.grade,
        "stackability": mc.achievement.stackability,
        "further_information": mc.achievement.further_information,
    }
    present = ANNEX_I_MANDATORY + tuple(name for name, value in optional.items() if value)
    return EuOutcome(present, ())


def _get(node: Any, *path: str) -> Any:
    for name in path:
        if not isinstance(node, Mapping):
            return None
        node = node.get(name)
    return node


def _items(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _alignment_targets(achievement: Any) -> list[Mapping[str, Any]]:
    return [item for item in _items(_get(achievement, "alignment")) if isinstance(item, Mapping)]


def _aligned(achievement: Any, *, url_part: str, framework: str) -> bool:
    for target in _alignment_targets(achievement):
        url = target.get("targetUrl")
        name = target.get("targetFramework")
        if (isinstance(url, str) and url_part in url) or (isinstance(name, str) and framework in name.upper()):
            return True
    return False


def _scan(credential: Mapping[str, Any]) -> EuOutcome:
    """The Annex I elements found in the OB 3.0 properties (and czmc terms) of any credential."""
    subject = credential.get("credentialSubject")
    subject = subject[0] if isinstance(subject, list) and subject else subject
    achievement = _get(subject, "achievement")
    issuer = credential.get("issuer")
    address = _get(issuer, "address")
    qa_types = {"ext:QualityAssurance", "QualityAssurance"}
    found = {
        "learner": bool(_get(subject, "id") or _get(subject, "identifier")),
        "title": bool(_get(achievement, "name")),
        "issuer_country": bool(_get(address, "addressCountryCode") or _get(address, "addressCountry")),
        "awarding_body": bool(_get(issuer, "name") or _get(achievement, "creator", "name")),
        "date_of_issuing": bool(
            credential.get("awardedDate") or vcdm.start_of(credential) or credential.get("issuanceDate")
        ),
        "learning_outcomes": bool(
            _get(achievement, "learningOutcome")
            or _aligned(achievement, url_part="/esco/", framework="ESCO")
            or _get(achievement, "criteria", "narrative")
        ),
        "workload": bool(
            _get(achievement, "creditPoint")
            or _get(achievement, "volumeOfLearning")
            or _get(achievement, "creditsAvailable")
            or _get(subject, "creditsEarned")
        ),
        "level": bool(_get(achievement, "eqfLevel") or _aligned(achievement, url_part="/snb/eqf/", framework="EQF")),
        "assessment": bool(_get(achievement, "assessmentType")),
        "participation": bool(_get(achievement, "participationForm")),
        "quality_assurance": bool(
            _get(achievement, "qualityAssurance")
            or any(target.get("targetType") in qa_types for target in _alignment_targets(achievement))
            or credential.get("endorsement")
            or _get(achievement, "endorsement")
        ),
        "prerequisites": bool(_get(achievement, "prerequisitesMap")),
        "supervision": bool(_get(achievement, "supervision")),
        "grade": bool(_get(subject, "result")),
        "stackability": bool(_get(achievement, "stackability")),
        "further_information": bool(_get(achievement, "furtherInformationMap") or _get(achievement, "description")),
    }
    present = tuple(name for name in ANNEX_I_MANDATORY + ANNEX_I_OPTIONAL if found[name])
    missing = tuple(name for name in ANNEX_I_MANDATORY if not found[name])
    return EuOutcome(present, missing)
