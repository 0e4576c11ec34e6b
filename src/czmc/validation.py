"""Everything czmc checks about a document, collected as :class:`~czmc.report.Issue` records.

A credential is checked against its JSON Schemas, for terms its JSON-LD contexts leave
undefined, and against the EU micro-credential rules (by reading it into the model). A
model input is checked against the model's rules. Nothing stops at the first problem.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from czmc import jsonld, ob3, schema
from czmc.errors import DocumentLoaderError, InvalidError, MappingError
from czmc.inputs import DocumentKind, detect_kind, load_document
from czmc.model import MicroCredential
from czmc.report import Issue, Severity

__all__ = ["FileReport", "validate_credential", "validate_document", "validate_model_input", "validate_path"]


def validate_credential(credential: Mapping[str, Any], loader: jsonld.DocumentLoader | None = None) -> list[Issue]:
    """Schema, JSON-LD and EU-rule problems of an OB 3.0 credential (no errors if it is valid).

    A credential without the czmc context is checked as a plain OB 3.0 credential (its
    schemas and JSON-LD terms) and gets a warning that it carries no EU micro-credential
    elements.
    """
    issues = list(schema.iter_issues(credential))
    try:
        issues.extend(jsonld.undefined_terms(credential, loader))
    except DocumentLoaderError as error:
        issues.append(Issue("jsonld.context_unavailable", "/@context", error.message))
    contexts = credential.get("@context")
    if not (isinstance(contexts, list) and jsonld.CZMC_CONTEXT in contexts):
        issues.append(
            Issue(
                "ob3.not_micro_credential",
                "/@context",
                f"no czmc context ({jsonld.CZMC_CONTEXT}): checked as a plain Open Badges 3.0 credential, "
                "without the EU micro-credential rules",
                Severity.WARNING,
            )
        )
        return issues
    try:
        ob3.from_credential(credential)
    except MappingError as error:
        issues.extend(error.issues)
    return issues


def validate_model_input(data: Any) -> list[Issue]:
    """EU-rule problems of a micro-credential model input (empty if it is valid)."""
    try:
        MicroCredential.model_validate(data)
    except InvalidError as error:
        return list(error.issues)
    return []


def validate_document(document: Any) -> tuple[DocumentKind | None, list[Issue]]:
    """The kind of ``document`` and its problems."""
    try:
        kind = detect_kind(document)
    except InvalidError as error:
        return None, list(error.issues)
    if kind is DocumentKind.CREDENTIAL:
        return kind, validate_credential(document)
    return kind, validate_model_input(document)


@dataclass(frozen=True)
class FileReport:
    """The outcome of validating one file."""

    path: str
    kind: DocumentKind | None
    issues: tuple[Issue, ...] = field(default_factory=tuple)

    @property
    def valid(self) -> bool:
        """True when no issue is an error."""
        return not any(issue.severity is Severity.ERROR for issue in self.issues)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of the report."""
        return {
            "path": self.path,
            "kind": self.kind.value if self.kind else None,
            "valid": self.valid,
            "issues": [issue.to_dict() for issue in self.issues],
        }


def validate_path(path: str | Path) -> FileReport:
    """Load and validate one file (JSON or YAML; model input or credential)."""
    try:
        document = load_document(path)
    except InvalidError as error:
        return FileReport(str(path), None, error.issues)
    kind, issues = validate_document(document)
    return FileReport(str(path), kind, tuple(issues))
