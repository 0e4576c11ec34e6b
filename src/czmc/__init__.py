"""czmc: EU micro-credentials (Council Recommendation 2022/C 243/02) as Open Badges 3.0 credentials.

The flow: a :class:`MicroCredential` (validated EU elements) -> :func:`czmc.ob3.to_credential`
(an OB 3.0 ``AchievementCredential`` in JSON-LD) -> :func:`czmc.sign` with a :class:`Key`
(a JWT) -> :func:`czmc.verify` (a :class:`VerificationResult` listing every check) -> back
with :func:`czmc.ob3.from_credential`. A :class:`Registry` (:func:`open_registry`) issues
with a revocable Bitstring Status List entry and records what was issued; a
:class:`StatusChecker` checks that status when verifying.
"""

from importlib import metadata as _metadata

from czmc import did, http, jsonld, jws, keys, ob3, profiles, registry, schema, status, vcdm, vcjwt, verification, vocab
from czmc.checks import Check, CheckStatus
from czmc.documents import DocumentStore
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
from czmc.report import Issue, Severity
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

try:
    __version__ = _metadata.version("czmc")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree without install
    __version__ = "0+unknown"

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
