"""Everything czmc checks about a document, collected as :class:`~czmc.report.Issue` records.

A credential is checked against its JSON Schemas, for terms its JSON-LD contexts leave
undefined, and against the EU micro-credential rules (by reading it into the model). A
model input is checked against the model's rules, a course definition against
:class:`czmc.catalogue.CourseDefinition`'s. A signed credential (a compact JWS, e.g.
a ``.jwt`` file) is parsed strictly, its header and JWT claims are checked, and the
credential it carries is checked like any credential; its signature only when asked
(:func:`validate_token` with ``verify=True``). Nothing stops at the first problem.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from czmc import catalogue, did, jsonld, ob3, schema, vcjwt
from czmc.errors import DocumentLoaderError, InvalidError, MappingError, ResolutionError
from czmc.inputs import (
    DocumentKind,
    detect_kind,
    is_token_name,
    is_yaml_name,
    looks_like_compact_jws,
    parse_document,
    read_text,
)
from czmc.locate import Location, Locator
from czmc.model import MicroCredential
from czmc.report import Issue, Severity
from czmc.roster import ColumnMapping

__all__ = [
    "FileReport",
    "SignatureStatus",
    "validate_credential",
    "validate_document",
    "validate_model_input",
    "validate_path",
    "validate_text",
    "validate_token",
]


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
    """The kind of ``document`` (a parsed JSON or YAML document) and its problems."""
    try:
        kind = detect_kind(document)
    except InvalidError as error:
        return None, list(error.issues)
    if kind is DocumentKind.CREDENTIAL:
        return kind, validate_credential(document)
    if kind is DocumentKind.COURSE:
        return kind, catalogue.course_definition_issues(document)
    if kind is DocumentKind.MAPPING:
        try:
            ColumnMapping.from_document(document)
        except InvalidError as error:
            return kind, list(error.issues)
        return kind, []
    return kind, validate_model_input(document)


class SignatureStatus(StrEnum):
    """What :func:`validate_token` established about a token's signature."""

    NOT_CHECKED = "not_checked"
    """Not asked to verify: key resolution and the signature were not checked."""
    VERIFIED = "verified"
    """The issuer's key was resolved and bound to the issuer, and the signature verifies."""
    NOT_VERIFIED = "not_verified"
    """Asked to verify, and it did not verify (the issues say why)."""


_STRUCTURE_CHECKS = {"token": "token", "header": "JWS header", "algorithm": "algorithm"}
"""The checks of :func:`czmc.vcjwt.verify` that need no key: :func:`validate_token` always makes them."""

_VERIFICATION_CHECKS = {
    **_STRUCTURE_CHECKS,
    "key": "key",
    "key_binding": "key binding",
    "signature": "signature",
    "claims": "JWT claims",
    "time": "validity period",
}
"""Every check of :func:`czmc.vcjwt.verify` but the content checks, with the labels issues get."""


class _NoResolution:
    """A resolver that resolves nothing: :func:`validate_token` without ``verify`` looks keys up nowhere."""

    def resolve_key(self, kid: str) -> did.ResolvedKey:
        raise ResolutionError("resolution.not_checked", f"key {kid!r} was not resolved (not asked to verify)")


def validate_token(
    token: str,
    *,
    verify: bool = False,
    resolver: did.Resolver | None = None,
    now: datetime | None = None,
    leeway: timedelta = timedelta(0),
) -> tuple[list[Issue], SignatureStatus]:
    """Problems of a signed credential (compact JWS) and what is known of its signature.

    Always checked: the strict JWS syntax, the header and the algorithm (as
    :func:`czmc.vcjwt.verify` checks them), and the credential the token carries, as
    :func:`validate_credential` checks any credential. Issue paths are JSON Pointers into
    the JWT payload (``/vc/...`` for a legacy VC 1.1 token); ``""`` for the token or its header.

    With ``verify``, also every other check of :func:`czmc.vcjwt.verify`: key resolution
    through ``resolver`` (default: offline, ``did:key`` and ``did:jwk``), the key's binding
    to the issuer, the signature, the JWT claims against the credential, and the validity
    period at ``now`` (default: the current time) with ``leeway``. Without it, nothing is
    resolved and the signature status is :attr:`SignatureStatus.NOT_CHECKED`. Revocation is
    not a property of a file and is not checked here: :func:`czmc.vcjwt.verify` checks it.
    """
    result = vcjwt.verify(
        token.strip(),
        resolver=resolver if verify else _NoResolution(),
        now=now,
        leeway=leeway,
        check_status=False,
        check_jsonld=False,
        check_schema=False,
        check_model=False,
    )
    labels = _VERIFICATION_CHECKS if verify else _STRUCTURE_CHECKS
    issues = [
        Issue(check.code, "", f"{labels[check.name]}: {check.message}")
        for check in result.failures
        if check.name in labels
    ]
    credential = result.credential
    if credential is not None:
        prefix = "/vc" if result.format is vcjwt.Format.VC1 else ""
        issues.extend(
            Issue(issue.code, prefix + issue.path, issue.message, issue.severity)
            for issue in validate_credential(credential)
        )
    if not verify:
        return issues, SignatureStatus.NOT_CHECKED
    signature = result.check("signature").status is vcjwt.CheckStatus.PASSED
    return issues, SignatureStatus.VERIFIED if signature else SignatureStatus.NOT_VERIFIED


@dataclass(frozen=True)
class FileReport:
    """The outcome of validating one file.

    ``signature`` is set for signed credentials (``kind`` :attr:`DocumentKind.TOKEN`) only.
    ``locations`` maps issue paths to where they are in the file's text (see :meth:`location`).
    """

    path: str
    kind: DocumentKind | None
    issues: tuple[Issue, ...] = field(default_factory=tuple)
    signature: SignatureStatus | None = None
    locations: Mapping[str, Location] = field(default_factory=dict, compare=False, repr=False)

    @property
    def valid(self) -> bool:
        """True when no issue is an error."""
        return not any(issue.severity is Severity.ERROR for issue in self.issues)

    def location(self, issue: Issue) -> Location | None:
        """The 1-based (line, column) in the file of ``issue``, when known.

        For an issue about a member or element the file does not have, the place of its
        nearest ancestor that it has; for a signed credential (one line of base64url), the
        token's start.
        """
        return self.locations.get(_location_key(issue))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of the report (``signature`` only for signed credentials)."""
        result: dict[str, Any] = {
            "path": self.path,
            "kind": self.kind.value if self.kind else None,
            "valid": self.valid,
            "issues": [issue.to_dict() for issue in self.issues],
        }
        if self.signature is not None:
            result["signature"] = self.signature.value
        return result


_PARSE_POSITION = re.compile(r"at line (\d+), column (\d+)")


def _location_key(issue: Issue) -> str:
    return f"{issue.code} {issue.path}" if issue.code in ("input.json", "input.yaml") else issue.path


def _locations(text: str, issues: tuple[Issue, ...], *, yaml_syntax: bool) -> dict[str, Location]:
    locations: dict[str, Location] = {}
    locator: Locator | None = None
    for issue in issues:
        key = _location_key(issue)
        if key in locations:
            continue
        if key != issue.path:  # a parse error: its message says where
            match = _PARSE_POSITION.search(issue.message)
            if match:
                locations[key] = int(match[1]), int(match[2])
            continue
        if locator is None:
            locator = Locator(text, yaml_syntax=yaml_syntax)
        found = locator.find(issue.path)
        if found is not None:
            locations[key] = found
    return locations


def validate_text(
    text: str,
    source: str = "<input>",
    *,
    yaml_syntax: bool = False,
    token: bool | None = None,
    verify: bool = False,
    resolver: did.Resolver | None = None,
    now: datetime | None = None,
    leeway: timedelta = timedelta(0),
) -> FileReport:
    """Validate a document given as text: JSON (or YAML with ``yaml_syntax``), or a signed credential.

    ``token`` True reads the text as a compact JWS, False as a document; None (default)
    decides by its content. ``source`` names it in the report and in messages. ``verify`` and
    the rest are for signed credentials, as in :func:`validate_token`.
    """
    if token or (token is None and looks_like_compact_jws(text)):
        issues, signature = validate_token(text, verify=verify, resolver=resolver, now=now, leeway=leeway)
        found = tuple(issues)
        return FileReport(source, DocumentKind.TOKEN, found, signature, _locations(text, found, yaml_syntax=False))
    try:
        document = parse_document(text, yaml_syntax=yaml_syntax, source=source)
    except InvalidError as error:
        kind, found = None, error.issues
    else:
        kind, problems = validate_document(document)
        found = tuple(problems)
    return FileReport(source, kind, found, locations=_locations(text, found, yaml_syntax=yaml_syntax))


def validate_path(
    path: str | Path,
    *,
    verify: bool = False,
    resolver: did.Resolver | None = None,
    now: datetime | None = None,
    leeway: timedelta = timedelta(0),
) -> FileReport:
    """Load and validate one file: a model input or credential (JSON or YAML), or a signed credential.

    YAML by suffix (``.yaml``, ``.yml``), anything else JSON; a ``.jwt``/``.jws`` file, or
    any file whose content is a compact JWS, is a signed credential (see :func:`validate_token`
    for ``verify`` and the rest).
    """
    name = str(path)
    try:
        text = read_text(path)
    except InvalidError as error:
        return FileReport(name, None, error.issues)
    return validate_text(
        text,
        name,
        yaml_syntax=is_yaml_name(name),
        token=True if is_token_name(name) else None,
        verify=verify,
        resolver=resolver,
        now=now,
        leeway=leeway,
    )
