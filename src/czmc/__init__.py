"""czmc: EU micro-credentials (Council Recommendation 2022/C 243/02) as Open Badges 3.0 credentials.

The flow: a :class:`MicroCredential` (validated EU elements) -> :func:`czmc.ob3.to_credential`
(an OB 3.0 ``AchievementCredential`` in JSON-LD) -> checks with :mod:`czmc.schema` and
:mod:`czmc.jsonld` -> back with :func:`czmc.ob3.from_credential`.
"""

from importlib import metadata as _metadata

from czmc import jsonld, ob3, schema, vocab
from czmc.errors import (
    CzmcError,
    DocumentLoaderError,
    InputError,
    InvalidError,
    JsonLdError,
    MappingError,
    ModelError,
    SchemaError,
)
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
from czmc.report import Issue, Severity
from czmc.validation import FileReport, validate_credential, validate_model_input, validate_path
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
    "Assessment",
    "AssessmentType",
    "CzmcError",
    "DocumentLoaderError",
    "EscoSkill",
    "FieldOfStudy",
    "FileReport",
    "GradingScheme",
    "InputError",
    "InvalidError",
    "Issue",
    "JsonLdError",
    "Learner",
    "LearnerIdentifier",
    "LearningOutcome",
    "Level",
    "MappingError",
    "MicroCredential",
    "ModelError",
    "NationalLevel",
    "Organisation",
    "OrganisationIdentifier",
    "ParticipationForm",
    "QFEHEACycle",
    "QualityAssurance",
    "QualityAssuranceType",
    "ResultType",
    "SchemaError",
    "Severity",
    "StackTarget",
    "Stackability",
    "StackabilityInfo",
    "Supervision",
    "Workload",
    "__version__",
    "from_credential",
    "jsonld",
    "ob3",
    "schema",
    "to_credential",
    "validate_credential",
    "validate_model_input",
    "validate_path",
    "vocab",
]
