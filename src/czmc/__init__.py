"""czmc: EU micro-credentials (Council Recommendation 2022/C 243/02) as Open Badges 3.0 credentials.

The flow: a :class:`MicroCredential` (validated EU elements) -> :func:`czmc.ob3.to_credential`
(an OB 3.0 ``AchievementCredential`` in JSON-LD) -> :func:`czmc.sign` with a :class:`Key`
(a JWT) -> :func:`czmc.verify` (a :class:`VerificationResult` listing every check) -> back
with :func:`czmc.ob3.from_credential`. A :class:`Registry` (:func:`open_registry`) issues
with a revocable Bitstring Status List entry and records what was issued; a
:class:`StatusChecker` checks that status when verifying.

Importing the package is cheap: the public names are loaded on first use (``czmc.verify``
imports the verification modules, ``czmc.Registry`` the registry), so a command or a script
pays only for what it uses.
"""

import typing as _typing
from importlib import import_module as _import_module

from czmc.errors import (
    CzmcError,
    DocumentLoaderError,
    DocumentStoreError,
    FetchError,
    InputError,
    InvalidError,
    InvalidKeyError,
    JsonLdError,
    MappingError,
    MissingDependencyError,
    ModelError,
    RegistryError,
    ResolutionError,
    SchemaError,
    SigningError,
    StatusError,
)
from czmc.report import Issue, Severity

if _typing.TYPE_CHECKING:
    from czmc import (
        dataintegrity,
        did,
        http,
        jsonld,
        jws,
        keys,
        ob3,
        profiles,
        registry,
        schema,
        status,
        vcdm,
        vcjwt,
        verification,
        vocab,
    )
    from czmc.checks import Check, CheckStatus
    from czmc.documents import DocumentStore
    from czmc.keys import Algorithm, Key, PublicKey
    from czmc.model import (
        Achievement,
        Assessment,
        EscoSkill,
        FieldOfStudy,
        GradingScheme,
        Learner,
        LearnerIdentifier,
        LearningOutcome,
        Level,
        MicroCredential,
        NationalLevel,
        Organisation,
        OrganisationIdentifier,
        QualityAssurance,
        StackabilityInfo,
        StackTarget,
        Workload,
    )
    from czmc.ob3 import from_credential, to_credential
    from czmc.profiles import Profile, ProfileReport, Requirement
    from czmc.registry import CredentialState, Record, Registry, open_registry
    from czmc.status import StatusChecker, StatusPurpose, StatusResult, StatusState
    from czmc.validation import FileReport, validate_credential, validate_model_input, validate_path
    from czmc.vcjwt import Format, issue, sign
    from czmc.verification import Verdict, VerificationResult, verify
    from czmc.vocab import (
        AssessmentType,
        ParticipationForm,
        QFEHEACycle,
        QualityAssuranceType,
        ResultType,
        Stackability,
        Supervision,
    )

    __version__: str

_SUBMODULES = frozenset(
    {
        "dataintegrity",
        "did",
        "http",
        "jsonld",
        "jws",
        "keys",
        "ob3",
        "profiles",
        "registry",
        "schema",
        "status",
        "vcdm",
        "vcjwt",
        "verification",
        "vocab",
    }
)

_LAZY: dict[str, str] = {
    "Achievement": "czmc.model",
    "Algorithm": "czmc.keys",
    "Assessment": "czmc.model",
    "AssessmentType": "czmc.vocab",
    "Check": "czmc.checks",
    "CheckStatus": "czmc.checks",
    "DocumentStore": "czmc.documents",
    "CredentialState": "czmc.registry",
    "EscoSkill": "czmc.model",
    "FieldOfStudy": "czmc.model",
    "FileReport": "czmc.validation",
    "Format": "czmc.vcjwt",
    "GradingScheme": "czmc.model",
    "Key": "czmc.keys",
    "Learner": "czmc.model",
    "LearnerIdentifier": "czmc.model",
    "LearningOutcome": "czmc.model",
    "Level": "czmc.model",
    "MicroCredential": "czmc.model",
    "NationalLevel": "czmc.model",
    "Organisation": "czmc.model",
    "OrganisationIdentifier": "czmc.model",
    "ParticipationForm": "czmc.vocab",
    "Profile": "czmc.profiles",
    "ProfileReport": "czmc.profiles",
    "PublicKey": "czmc.keys",
    "QFEHEACycle": "czmc.vocab",
    "QualityAssurance": "czmc.model",
    "QualityAssuranceType": "czmc.vocab",
    "Record": "czmc.registry",
    "Requirement": "czmc.profiles",
    "Registry": "czmc.registry",
    "ResultType": "czmc.vocab",
    "StackTarget": "czmc.model",
    "Stackability": "czmc.vocab",
    "StackabilityInfo": "czmc.model",
    "StatusChecker": "czmc.status",
    "StatusPurpose": "czmc.status",
    "StatusResult": "czmc.status",
    "StatusState": "czmc.status",
    "Supervision": "czmc.vocab",
    "Verdict": "czmc.verification",
    "VerificationResult": "czmc.verification",
    "Workload": "czmc.model",
    "from_credential": "czmc.ob3",
    "issue": "czmc.vcjwt",
    "open_registry": "czmc.registry",
    "sign": "czmc.vcjwt",
    "to_credential": "czmc.ob3",
    "validate_credential": "czmc.validation",
    "validate_model_input": "czmc.validation",
    "validate_path": "czmc.validation",
    "verify": "czmc.verification",
}
"""Public name -> the module that defines it, imported when the name is first used."""

if not _typing.TYPE_CHECKING:  # type checkers see the imports above; at run time names load on first use

    def __getattr__(name: str) -> _typing.Any:
        if name in _SUBMODULES:
            return _import_module(f"czmc.{name}")  # the import binds it on the package
        if name == "__version__":
            from importlib import metadata  # noqa: PLC0415 - only --version and __version__ need it

            try:
                value = metadata.version("czmc")
            except metadata.PackageNotFoundError:  # pragma: no cover - a source tree without install
                value = "0+unknown"
        elif name in _LAZY:
            value = getattr(_import_module(_LAZY[name]), name)
        else:
            raise AttributeError(f"module 'czmc' has no attribute {name!r}")
        globals()[name] = value
        return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


__all__ = [
    "Achievement",
    "Algorithm",
    "Assessment",
    "AssessmentType",
    "Check",
    "CheckStatus",
    "CredentialState",
    "CzmcError",
    "DocumentLoaderError",
    "DocumentStore",
    "DocumentStoreError",
    "EscoSkill",
    "FetchError",
    "FieldOfStudy",
    "FileReport",
    "Format",
    "GradingScheme",
    "InputError",
    "InvalidError",
    "InvalidKeyError",
    "Issue",
    "JsonLdError",
    "Key",
    "Learner",
    "LearnerIdentifier",
    "LearningOutcome",
    "Level",
    "MappingError",
    "MicroCredential",
    "MissingDependencyError",
    "ModelError",
    "NationalLevel",
    "Organisation",
    "OrganisationIdentifier",
    "ParticipationForm",
    "Profile",
    "ProfileReport",
    "PublicKey",
    "QFEHEACycle",
    "QualityAssurance",
    "QualityAssuranceType",
    "Record",
    "Registry",
    "RegistryError",
    "Requirement",
    "ResolutionError",
    "ResultType",
    "SchemaError",
    "Severity",
    "SigningError",
    "StackTarget",
    "Stackability",
    "StackabilityInfo",
    "StatusChecker",
    "StatusError",
    "StatusPurpose",
    "StatusResult",
    "StatusState",
    "Supervision",
    "Verdict",
    "VerificationResult",
    "Workload",
    "__version__",
    "dataintegrity",
    "did",
    "from_credential",
    "http",
    "issue",
    "jsonld",
    "jws",
    "keys",
    "ob3",
    "open_registry",
    "profiles",
    "registry",
    "schema",
    "sign",
    "status",
    "to_credential",
    "validate_credential",
    "validate_model_input",
    "validate_path",
    "vcdm",
    "vcjwt",
    "verification",
    "verify",
    "vocab",
]
