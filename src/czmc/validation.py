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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

from czmc import catalogue, did, jsonld, profiles, vcdm, vcjwt, verification
from czmc.checks import CheckStatus
from czmc.errors import InvalidError, ResolutionError
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


def validate_credential(
    credential: Mapping[str, Any],
    loader: jsonld.DocumentLoader | None = None,
    *,
    documents: verification.DocumentSource | None = None,
) -> list[Issue]:
    """Schema, JSON-LD and profile problems of a credential (no errors if it is valid).

    The content steps of :func:`czmc.verification.verify` (:func:`~czmc.verification.check_content`),
    so that validating and verifying a credential never disagree about its content. A
    credential that claims czmc's EU micro-credential profile and breaks an EU rule gets
    those rules' errors; any other credential gets a warning saying what it is and, if
    it is not an EU micro-credential, which Annex I elements it lacks. ``loader`` (or
    ``documents``) serves contexts czmc does not bundle.
    """
    content, profile_issues = _credential_findings(credential, loader, documents, ())
    return list(content.schema + content.jsonld) + list(profile_issues)


def _credential_findings(
    credential: Mapping[str, Any],
    loader: jsonld.DocumentLoader | None,
    documents: verification.DocumentSource | None,
    required: Sequence[profiles.Requirement],
) -> tuple[verification.ContentReport, tuple[Issue, ...]]:
    """The content report and the profile's issues: its failures, unmet requirements, or what it is."""
    source = documents if documents is not None else (_LoaderOnly(loader) if loader is not None else None)
    content = verification.check_content(credential, documents=source)
    report = content.profile
    found: list[Issue] = []
    if report.profile is profiles.Profile.CZMC:
        found.extend(report.issues)
    else:
        code = "profile.not_czmc" if report.eu_microcredential.complete else "ob3.not_micro_credential"
        found.append(Issue(code, "/@context", report.describe(), Severity.WARNING))
    unmet = [requirement.value for requirement in required if not report.meets(requirement)]
    if unmet:
        found.append(
            Issue("profile.not_met", "", f"does not meet the required {', '.join(unmet)}: {report.describe()}")
        )
    return content, tuple(found)


class _LoaderOnly:
    """A document source that has contexts (a pyld loader) and no schemas."""

    def __init__(self, loader: jsonld.DocumentLoader) -> None:
        self._loader = loader

    def loader(self, url: str, options: Any = None) -> Mapping[str, Any]:
        return self._loader(url, options)

    def schema(self, url: str) -> Mapping[str, Any]:
        raise KeyError(url)


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
"""The checks of the JWT proof step that need no key: :func:`validate_token` always makes them."""

_VERIFICATION_CHECKS = {
    **_STRUCTURE_CHECKS,
    "key": "key",
    "key_binding": "key binding",
    "signature": "signature",
    "claims": "JWT claims",
    "time": "validity period",
}
"""Every check of :func:`czmc.verification.verify` but status and content, with the labels issues get."""


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
    documents: verification.DocumentSource | None = None,
) -> tuple[list[Issue], SignatureStatus]:
    """Problems of a signed credential (compact JWS) and what is known of its signature.

    Always checked: the strict JWS syntax, the header and the algorithm (as the JWT proof
    step of :func:`czmc.verification.verify` checks them), and the credential the token
    carries, as :func:`validate_credential` checks any credential. Issue paths are JSON
    Pointers into the JWT payload (``/vc/...`` for a legacy VC 1.1 token); ``""`` for the
    token or its header.

    With ``verify``, also key resolution through ``resolver`` (default: offline, ``did:key``
    and ``did:jwk``), the key's binding to the issuer, the signature, the JWT claims against
    the credential, and the validity period at ``now`` (default: the current time) with
    ``leeway``. Without it, nothing is resolved and the signature status is
    :attr:`SignatureStatus.NOT_CHECKED`. Revocation is not a property of a file and is not
    checked here: :func:`czmc.verification.verify` checks it.
    """
    found = _token_findings(token, verify, resolver, now, leeway, documents, ())
    return list(found.issues), found.signature or SignatureStatus.NOT_CHECKED


@dataclass(frozen=True)
class _Findings:
    issues: tuple[Issue, ...]
    profile_issues: tuple[Issue, ...] = ()
    profile: profiles.ProfileReport | None = None
    signature: SignatureStatus | None = None


def _token_findings(  # noqa: PLR0917 - private; the public functions name every argument
    token: str,
    verify: bool,
    resolver: did.Resolver | None,
    now: datetime | None,
    leeway: timedelta,
    documents: verification.DocumentSource | None,
    required: Sequence[profiles.Requirement],
) -> _Findings:
    proof = vcjwt.verify_proof(
        token.strip(), resolver=(resolver or did.DefaultResolver()) if verify else _NoResolution()
    )
    labels = _VERIFICATION_CHECKS if verify else _STRUCTURE_CHECKS
    issues = [
        Issue(check.code, "", f"{labels[check.name]}: {check.message}")
        for check in proof.checks
        if check.status is CheckStatus.FAILED and check.name in labels
    ]
    credential = proof.credential
    signature = all(check.status is CheckStatus.PASSED for check in proof.checks if check.name != "claims")
    if verify and signature and credential is not None:
        late = vcdm.time_problem(credential, proof.bounds, now or datetime.now(UTC), leeway)
        if late is not None:
            issues.append(Issue(late[0], "", f"{labels['time']}: {late[1]}"))
    profile_issues: tuple[Issue, ...] = ()
    report = None
    if credential is not None:
        prefix = "/vc" if proof.format is vcjwt.Format.VC1 else ""
        content, raw_profile_issues = _credential_findings(credential, None, documents, required)
        report = content.profile

        def moved(issue: Issue) -> Issue:
            return Issue(issue.code, prefix + issue.path, issue.message, issue.severity)

        issues.extend(moved(issue) for issue in content.schema + content.jsonld)
        profile_issues = tuple(moved(issue) for issue in raw_profile_issues)
        issues.extend(profile_issues)
    if not verify:
        status = SignatureStatus.NOT_CHECKED
    else:
        status = SignatureStatus.VERIFIED if signature else SignatureStatus.NOT_VERIFIED
    return _Findings(tuple(issues), profile_issues, report, status)


def _secured_document_findings(  # noqa: PLR0917 - private; the public functions name every argument
    document: Mapping[str, Any],
    verify: bool,
    resolver: did.Resolver | None,
    now: datetime | None,
    leeway: timedelta,
    documents: verification.DocumentSource | None,
    required: Sequence[profiles.Requirement],
) -> _Findings:
    """A JSON credential with an embedded proof: the proof (with ``verify``), then the content."""
    issues: list[Issue] = []
    status = None
    if verify:
        result = verification.verify(
            document,
            resolver=resolver,
            now=now,
            leeway=leeway,
            documents=documents,
            check_status=False,
            check_jsonld=False,
            check_schema=False,
            check_profile=False,
        )
        issues.extend(
            Issue(check.code, "", f"{check.name}: {check.message}")
            for check in result.checks
            if check.status is CheckStatus.FAILED and check.required
        )
        proof_checks = ("proof", "cryptosuite", "key", "key_binding", "signature")
        verified = all(result.check(name).status is CheckStatus.PASSED for name in proof_checks)
        status = SignatureStatus.VERIFIED if verified else SignatureStatus.NOT_VERIFIED
    content, profile_issues = _credential_findings(document, None, documents, required)
    issues.extend(content.schema + content.jsonld + profile_issues)
    return _Findings(tuple(issues), profile_issues, content.profile, status)


@dataclass(frozen=True)
class FileReport:
    """The outcome of validating one file.

    ``signature`` is set for signed credentials (``kind`` :attr:`DocumentKind.TOKEN`) only.
    ``profile`` is the profile report of a credential; ``profile_issues`` are those of
    ``issues`` that concern its profile (a claimed profile it fails, a required one it does
    not meet, or what it is): they make the verdict PROFILE_NOT_MET, not INVALID.
    ``locations`` maps issue paths to where they are in the file's text (see :meth:`location`).
    """

    path: str
    kind: DocumentKind | None
    issues: tuple[Issue, ...] = field(default_factory=tuple)
    signature: SignatureStatus | None = None
    locations: Mapping[str, Location] = field(default_factory=dict, compare=False, repr=False)
    profile: profiles.ProfileReport | None = field(default=None, compare=False)
    profile_issues: tuple[Issue, ...] = field(default_factory=tuple)

    @property
    def valid(self) -> bool:
        """True when no issue but a profile issue is an error."""
        return not any(issue.severity is Severity.ERROR and issue not in self.profile_issues for issue in self.issues)

    @property
    def verdict(self) -> verification.Verdict:
        """INVALID, PROFILE_NOT_MET (valid, but a profile issue is an error) or VALID, as :func:`czmc.verify` says."""
        if not self.valid:
            return verification.Verdict.INVALID
        if any(issue.severity is Severity.ERROR for issue in self.profile_issues):
            return verification.Verdict.PROFILE_NOT_MET
        return verification.Verdict.VALID

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
            "verdict": self.verdict.value,
            "issues": [issue.to_dict() for issue in self.issues],
        }
        if self.signature is not None:
            result["signature"] = self.signature.value
        if self.profile is not None:
            result["profile"] = self.profile.to_dict()
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
    documents: verification.DocumentSource | None = None,
    require: Sequence[profiles.Requirement | str] = (),
) -> FileReport:
    """Validate a document given as text: JSON (or YAML with ``yaml_syntax``), or a signed credential.

    ``token`` True reads the text as a compact JWS, False as a document; None (default)
    decides by its content. ``source`` names it in the report and in messages. ``verify`` and
    the rest are for signed credentials (a JWT, or a JSON credential with an embedded Data
    Integrity proof), as in :func:`validate_token`. ``documents`` serves contexts and schemas
    czmc does not bundle; ``require`` names profiles every credential must meet
    (:class:`czmc.profiles.Requirement`).
    """
    required = tuple(profiles.Requirement(item) for item in require)
    if token or (token is None and looks_like_compact_jws(text)):
        found = _token_findings(text, verify, resolver, now, leeway, documents, required)
        return FileReport(
            source,
            DocumentKind.TOKEN,
            found.issues,
            found.signature,
            _locations(text, found.issues, yaml_syntax=False),
            found.profile,
            found.profile_issues,
        )
    try:
        document = parse_document(text, yaml_syntax=yaml_syntax, source=source)
    except InvalidError as error:
        return FileReport(source, None, error.issues, locations=_locations(text, error.issues, yaml_syntax=yaml_syntax))
    try:
        kind = detect_kind(document)
    except InvalidError as error:
        kind, found = None, _Findings(error.issues)
    else:
        if kind is DocumentKind.CREDENTIAL and "proof" in document:
            found = _secured_document_findings(document, verify, resolver, now, leeway, documents, required)
        elif kind is DocumentKind.CREDENTIAL:
            content, profile_issues = _credential_findings(document, None, documents, required)
            found = _Findings(content.schema + content.jsonld + profile_issues, profile_issues, content.profile)
        else:
            found = _Findings(tuple(validate_document(document)[1]))
    return FileReport(
        source,
        kind,
        found.issues,
        found.signature,
        _locations(text, found.issues, yaml_syntax=yaml_syntax),
        found.profile,
        found.profile_issues,
    )


def validate_path(
    path: str | Path,
    *,
    verify: bool = False,
    resolver: did.Resolver | None = None,
    now: datetime | None = None,
    leeway: timedelta = timedelta(0),
    documents: verification.DocumentSource | None = None,
    require: Sequence[profiles.Requirement | str] = (),
) -> FileReport:
    """Load and validate one file: a model input or credential (JSON or YAML), or a signed credential.

    YAML by suffix (``.yaml``, ``.yml``), anything else JSON; a ``.jwt``/``.jws`` file, or
    any file whose content is a compact JWS, is a signed credential (see :func:`validate_text`
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
        documents=documents,
        require=require,
    )
