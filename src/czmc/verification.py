"""One verification pipeline for every credential, whatever secures it.

:func:`verify` runs a *proof step* chosen by what arrived (a compact JWS: :mod:`czmc.vcjwt`;
a JSON credential with an embedded Data Integrity proof: :mod:`czmc.dataintegrity`), then
the same policy steps for every credential:

1. ``time``: the credential's validity period by its data-model generation
   (``validFrom``/``validUntil``, or ``issuanceDate``/``expirationDate`` in VC 1.1) and the
   bounds its proof states (JWT ``nbf``/``exp``/``iat``);
2. ``status``: Bitstring Status List revocation and suspension (:mod:`czmc.status`);
3. ``jsonld``: every property and type defined by the credential's contexts;
4. ``schema``: the OB 3.0 JSON Schema of the credential's generation and the
   ``credentialSchema`` entries that can be resolved;
5. ``profile``: what the credential claims to be, whether it conforms, which EU
   micro-credential elements it has (:mod:`czmc.profiles`).

``valid`` means steps up to 4 passed: authentic and current. The profile is a separate
outcome: a plain OB 3.0 badge is valid and "not an EU micro-credential"; a czmc credential
that breaks an EU rule is valid but fails the profile it claims. :attr:`VerificationResult.verdict`
combines the two with what the caller required (``require=``).

:func:`check_content` is steps 3-5 alone: :mod:`czmc.validation` runs it on files, so that
``czmc validate`` and ``czmc verify`` never disagree about a credential's content.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

from czmc import did, jws, vcdm, vcjwt
from czmc.checks import Check, CheckList, CheckStatus
from czmc.errors import CzmcError, DocumentLoaderError
from czmc.inputs import MAX_DEPTH, nesting_depth
from czmc.keys import Algorithm, PublicKey
from czmc.profiles import ANNEX_I_MANDATORY, EuOutcome, Profile, ProfileReport, Requirement, assess
from czmc.report import Issue, Severity

if TYPE_CHECKING:
    from czmc.jsonld import DocumentLoader
    from czmc.model import MicroCredential
    from czmc.status import StatusChecker, StatusResult

__all__ = [
    "CHECK_NAMES",
    "POLICY_CHECK_NAMES",
    "ContentReport",
    "DocumentSource",
    "Securing",
    "Verdict",
    "VerificationResult",
    "check_content",
    "verify",
]

POLICY_CHECK_NAMES: tuple[str, ...] = ("time", "status", "jsonld", "schema", "profile")
"""The checks after the proof step, the same for every securing mechanism."""

CHECK_NAMES: tuple[str, ...] = vcjwt.JWT_CHECK_NAMES + POLICY_CHECK_NAMES
"""Every check :func:`verify` reports for a JWT, in order."""

DI_CHECK_NAMES: tuple[str, ...] = ("document", "proof", "cryptosuite", "key", "key_binding", "signature", "proof_time")
"""The checks of the Data Integrity proof step (:func:`czmc.dataintegrity.verify`)."""

MAX_DOCUMENT_BYTES = 1024 * 1024
"""Largest JSON credential (with an embedded proof) :func:`verify` reads."""


class Securing(StrEnum):
    """How the credential that arrived was secured."""

    JWT = "jwt"
    DATA_INTEGRITY = "data-integrity"


class Verdict(StrEnum):
    """The overall outcome: invalid; valid but short of what was required; or valid."""

    VALID = "valid"
    """Authentic, current, well formed, and meets every requirement (and the profile it claims)."""
    INVALID = "invalid"
    """A proof, time, status, JSON-LD or schema check failed."""
    PROFILE_NOT_MET = "profile_not_met"
    """Valid, but fails the profile it claims or a profile the caller required."""


class DocumentSource(Protocol):
    """Where contexts and schemas czmc does not bundle come from (e.g. :class:`czmc.documents.DocumentStore`)."""

    def loader(self, url: str, options: Any = None) -> Mapping[str, Any]:
        """A pyld document loader: the JSON-LD document at ``url``."""
        ...

    def schema(self, url: str) -> Mapping[str, Any]:
        """The JSON Schema published at ``url``."""
        ...


@dataclass(frozen=True)
class ContentReport:
    """The content steps' findings: JSON-LD terms, JSON Schemas, and the profile."""

    jsonld: tuple[Issue, ...]
    schema: tuple[Issue, ...]
    profile: ProfileReport

    @property
    def issues(self) -> tuple[Issue, ...]:
        """Every finding: schema, JSON-LD, then profile."""
        return self.schema + self.jsonld + self.profile.issues

    @property
    def valid(self) -> bool:
        """No JSON-LD or schema error (the profile decides nothing here)."""
        return not any(issue.severity is Severity.ERROR for issue in self.jsonld + self.schema)


@dataclass(frozen=True)
class VerificationResult:
    """Everything :func:`verify` checked; see :attr:`valid` and :attr:`verdict`.

    ``credential`` is the credential that was checked (for ``vc``-claim JWTs, with the JWT
    claims folded in; for Data Integrity, the document as received, proof included); None
    when nothing could be parsed. Do not use it unless ``valid``. ``status`` is what the
    status check found, ``profile`` what the profile step found (None if they did not run).
    """

    checks: tuple[Check, ...]
    credential: Mapping[str, Any] | None = None
    header: Mapping[str, Any] | None = None
    format: vcjwt.Format | None = None
    kid: str | None = None
    issues: tuple[Issue, ...] = field(default=())
    status: StatusResult | None = None
    profile: ProfileReport | None = None
    required: tuple[Requirement, ...] = ()
    securing: Securing | None = None
    generation: vcdm.Generation | None = None

    @property
    def valid(self) -> bool:
        """Authentic and current: every required check but the profile passed."""
        return all(
            check.status is CheckStatus.PASSED for check in self.checks if check.required and check.name != "profile"
        )

    @property
    def unmet(self) -> tuple[str, ...]:
        """What a valid credential lacks: required profiles it does not meet, and a claimed profile it fails."""
        if self.profile is None:
            return tuple(requirement.value for requirement in self.required)
        missing = [requirement.value for requirement in self.required if not self.profile.meets(requirement)]
        if not self.profile.conforms and self.profile.profile.value not in missing:
            missing.append(self.profile.profile.value)
        return tuple(missing)

    @property
    def verdict(self) -> Verdict:
        """INVALID unless :attr:`valid`; PROFILE_NOT_MET if anything in :attr:`unmet`; else VALID."""
        if not self.valid:
            return Verdict.INVALID
        return Verdict.PROFILE_NOT_MET if self.unmet else Verdict.VALID

    @property
    def accepted(self) -> bool:
        """True when the verdict is VALID: valid and meeting every requirement."""
        return self.verdict is Verdict.VALID

    @property
    def failures(self) -> tuple[Check, ...]:
        """The failed checks."""
        return tuple(check for check in self.checks if check.status is CheckStatus.FAILED)

    def check(self, name: str) -> Check:
        """The check called ``name``; KeyError if there is none."""
        for item in self.checks:
            if item.name == name:
                return item
        raise KeyError(name)

    def microcredential(self) -> MicroCredential:
        """The verified credential read back into czmc's model; CzmcError if not valid or not a czmc credential."""
        if not self.valid or self.credential is None:
            raise CzmcError("the credential is not valid; see .checks", code="proof.not_valid")
        from czmc import ob3  # noqa: PLC0415 - the model is needed only here

        return ob3.from_credential(vcdm.to_vc2(self.credential))

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of the result."""
        return {
            "verdict": self.verdict.value,
            "valid": self.valid,
            "securing": self.securing.value if self.securing else None,
            "format": self.format.value if self.format else None,
            "generation": self.generation.value if self.generation else None,
            "kid": self.kid,
            "required": [requirement.value for requirement in self.required],
            "unmet": list(self.unmet),
            "checks": [check.to_dict() for check in self.checks],
            "issues": [issue.to_dict() for issue in self.issues],
            "status": self.status.to_dict() if self.status is not None else None,
            "profile": self.profile.to_dict() if self.profile is not None else None,
        }


def _now(now: datetime | Callable[[], datetime] | None) -> datetime:
    moment = now() if callable(now) else now
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return moment


_DEFAULT_RESOLVER: did.Resolver | None = None


def _default_resolver() -> did.Resolver:
    global _DEFAULT_RESOLVER  # noqa: PLW0603 - one offline resolver (with its cache) per process
    if _DEFAULT_RESOLVER is None:
        _DEFAULT_RESOLVER = did.DefaultResolver()
    return _DEFAULT_RESOLVER


_DEFAULT_STATUS_CHECKER: StatusChecker | None = None


def _default_status_checker() -> StatusChecker:
    global _DEFAULT_STATUS_CHECKER  # noqa: PLW0603 - one offline status checker per process
    if _DEFAULT_STATUS_CHECKER is None:
        from czmc.status import StatusChecker  # noqa: PLC0415 - only credentials with a status need it

        _DEFAULT_STATUS_CHECKER = StatusChecker()
    return _DEFAULT_STATUS_CHECKER


def _parse_document(data: str | bytes, max_bytes: int) -> Mapping[str, Any] | Check:
    """A JSON credential as received, strictly: size, UTF-8, one object, no duplicate members."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if len(raw) > max_bytes:
        return Check("document", CheckStatus.FAILED, "document.too_large", f"the document exceeds {max_bytes} bytes")
    try:
        document = jws.strict_json(raw, "the document")
    except jws.JwsError as error:
        return Check("document", CheckStatus.FAILED, error.code.replace("jws.", "document."), error.message)
    return document


def _looks_like_json(data: str | bytes) -> bool:
    head = data.lstrip()[:1]
    return head in ("{", b"{")


def verify(
    data: str | bytes | Mapping[str, Any],
    *,
    resolver: did.Resolver | None = None,
    now: datetime | Callable[[], datetime] | None = None,
    leeway: timedelta = timedelta(0),
    algorithms: Collection[Algorithm | str] = vcjwt.DEFAULT_ALGORITHMS,
    trusted_keys: Mapping[str, Collection[PublicKey]] | None = None,
    max_token_bytes: int = jws.MAX_TOKEN_BYTES,
    documents: DocumentSource | None = None,
    check_jsonld: bool = True,
    check_schema: bool = True,
    check_profile: bool = True,
    status: StatusChecker | None = None,
    check_status: bool = True,
    require: Sequence[Requirement | str] = (),
) -> VerificationResult:
    """Verify a credential, secured as a compact JWS or with embedded Data Integrity proofs.

    ``data`` is a compact JWS (str or bytes), a JSON credential with a ``proof`` (text, or a
    parsed mapping). ``resolver`` turns key ids into the issuer's keys (default: offline,
    ``did:key`` and ``did:jwk``; pass :class:`czmc.did.DefaultResolver` with documents or a
    fetcher for ``did:web``). ``now`` (tz-aware datetime or callable) and ``leeway`` govern
    the time checks. ``algorithms`` narrows the JWT allow-list. ``trusted_keys`` maps issuer
    ids to public keys a JWT header may embed (``jwk``); it applies to status lists too.
    ``documents`` supplies contexts and schemas czmc does not bundle (a pinned
    :class:`czmc.documents.DocumentStore`). ``status`` checks ``credentialStatus`` (default:
    an offline :class:`czmc.status.StatusChecker` that knows no list, so a credential with a
    status is then not valid). ``check_*`` switch steps off (reported as not required).
    ``require`` names profiles (:class:`czmc.profiles.Requirement`) the credential must meet
    for the verdict VALID. Never raises for bad input: everything wrong is a failed check.
    """
    if leeway < timedelta(0):
        raise ValueError("leeway must not be negative")
    required = tuple(Requirement(item) for item in require)
    moment = _now(now)
    key_resolver = resolver or _default_resolver()
    loader = documents.loader if documents is not None else None
    checks = CheckList()

    if isinstance(data, Mapping) or _looks_like_json(data):
        securing = Securing.DATA_INTEGRITY
        document = data if isinstance(data, Mapping) else _parse_document(data, MAX_DOCUMENT_BYTES)
        if isinstance(document, Check):
            checks.extend([document])
            checks.skip_rest(DI_CHECK_NAMES[1:] + POLICY_CHECK_NAMES, "the document could not be parsed")
            return VerificationResult(tuple(checks.done), securing=securing, required=required)
        from czmc import dataintegrity  # noqa: PLC0415 - canonicalisation is loaded only for what needs it

        proof = dataintegrity.verify(
            document,
            resolver=key_resolver,
            loader=loader,
            now=moment,
            leeway=leeway,
            issuer=None,
        )
        checks.extend(proof.checks)
        credential: Mapping[str, Any] | None = document
        bounds: tuple[vcdm.TimeBound, ...] = ()
        header: Mapping[str, Any] | None = None
        fmt: vcjwt.Format | None = None
        kid = proof.method_id
        # A proof outside its created/expires window is still the issuer's: the other steps run.
        verified = all(
            check.status is CheckStatus.PASSED
            for check in proof.checks
            if check.required and check.name != "proof_time"
        )
    else:
        securing = Securing.JWT
        jwt = vcjwt.verify_proof(
            data,
            resolver=key_resolver,
            algorithms=algorithms,
            trusted_keys=trusted_keys,
            max_token_bytes=max_token_bytes,
        )
        checks.extend(jwt.checks)
        credential, bounds, header, fmt, kid = jwt.credential, jwt.bounds, jwt.header, jwt.format, jwt.kid
        # A failed claims check still lets the other steps run: the signature is the issuer's.
        verified = all(check.status is CheckStatus.PASSED for check in jwt.checks if check.name != "claims")

    generation = vcdm.generation(credential) if credential is not None else None

    def result(status_result: StatusResult | None = None, profile: ProfileReport | None = None) -> VerificationResult:
        return VerificationResult(
            tuple(checks.done),
            credential,
            header,
            fmt,
            kid,
            tuple(issues),
            status_result,
            profile,
            required,
            securing,
            generation,
        )

    issues: list[Issue] = []
    if credential is None or not verified:
        checks.skip_rest(POLICY_CHECK_NAMES, "the proof did not verify")
        return result()

    problem = vcdm.time_problem(credential, bounds, moment, leeway)
    if problem:
        checks.fail("time", *problem)
    else:
        checks.passed("time", f"valid at {moment.isoformat()} (leeway {int(leeway.total_seconds())} s)")

    status_result = _status_step(checks, credential, status, check_status, moment, key_resolver, trusted_keys)

    # A Data Integrity proof verifies only when canonicalising found every term defined (safe
    # mode, the same contexts): the JSON-LD step would expand the document a second time.
    terms_known = securing is Securing.DATA_INTEGRITY and any(
        check.name == "document" and check.status is CheckStatus.PASSED for check in checks.done
    )
    content = check_content(
        credential,
        documents=documents,
        check_jsonld=check_jsonld and not terms_known,
        check_schema=check_schema,
        check_profile=check_profile,
    )
    issues.extend(content.issues)
    for name, enabled, found in (
        ("jsonld", check_jsonld, content.jsonld),
        ("schema", check_schema, content.schema),
    ):
        if not enabled:
            checks.skip(name, "switched off by the caller", code="disabled", required=False)
            continue
        if name == "jsonld" and terms_known:
            checks.passed(name, "every term is defined by the credential's contexts (checked with the proof)")
            continue
        errors = [issue for issue in found if issue.severity is Severity.ERROR]
        if errors:
            code = errors[0].code if errors[0].code == "payload.too_deep" else f"{name}.invalid"
            checks.fail(name, code, f"{len(errors)} problem{'s' if len(errors) != 1 else ''}: {errors[0]}")
        else:
            checks.passed(name, _PASSED_MESSAGES[name])
    if not check_profile:
        checks.skip("profile", "switched off by the caller", code="disabled", required=False)
        return result(status_result)
    report = content.profile
    decides = bool(required) or not report.conforms
    unmet = [requirement.value for requirement in required if not report.meets(requirement)]
    if not report.conforms:
        checks.done.append(Check("profile", CheckStatus.FAILED, "profile.not_conforming", report.describe(), decides))
    elif unmet:
        checks.done.append(
            Check(
                "profile",
                CheckStatus.FAILED,
                "profile.not_met",
                f"does not meet the required {', '.join(unmet)}: {report.describe()}",
                decides,
            )
        )
    else:
        checks.done.append(Check("profile", CheckStatus.PASSED, "ok", report.describe(), decides))
    return result(status_result, report)


_PASSED_MESSAGES = {
    "jsonld": "every term is defined by the credential's contexts",
    "schema": "valid against the JSON Schemas that apply to it",
}


def _status_step(  # noqa: PLR0917 - a private step of verify(), called once
    checks: CheckList,
    credential: Mapping[str, Any],
    status: StatusChecker | None,
    enabled: bool,
    moment: datetime,
    resolver: did.Resolver,
    trusted_keys: Mapping[str, Collection[PublicKey]] | None,
) -> StatusResult | None:
    if not enabled:
        checks.skip("status", "switched off by the caller", code="disabled", required=False)
        return None
    try:
        found = (status or _default_status_checker()).check(
            credential, now=moment, resolver=resolver, trusted_keys=trusted_keys
        )
    except Exception as error:  # a caller's checker may raise anything: a failed check, not a crash
        checks.fail("status", "status.error", f"the status check failed ({type(error).__name__}: {error})")
        return None
    if found.state == "valid":
        checks.passed("status", found.message)
    else:
        checks.fail("status", found.code, found.message)
    return found


def check_content(
    credential: Mapping[str, Any],
    *,
    documents: DocumentSource | None = None,
    check_jsonld: bool = True,
    check_schema: bool = True,
    check_profile: bool = True,
) -> ContentReport:
    """The content steps of :func:`verify` alone: JSON-LD terms, JSON Schemas, profile. Never raises for bad data.

    Issue paths are JSON Pointers into ``credential``.
    """
    if not (check_jsonld or check_schema or check_profile):
        return ContentReport((), (), _NOT_ASSESSED)
    if nesting_depth(credential) > MAX_DEPTH:
        deep = (Issue("payload.too_deep", "", f"the credential nests deeper than {MAX_DEPTH} levels"),)
        unread = ProfileReport(Profile.OTHER, False, EuOutcome((), ANNEX_I_MANDATORY), deep)
        return ContentReport(deep if check_jsonld else (), deep if check_schema else (), unread)
    terms = _run("jsonld", lambda: _jsonld_issues(credential, documents)) if check_jsonld else []
    schemas = _run("schema", lambda: _schema_issues(credential, documents)) if check_schema else []
    profile = assess(credential) if check_profile else _NOT_ASSESSED
    return ContentReport(tuple(terms), tuple(schemas), profile)


_NOT_ASSESSED = ProfileReport(Profile.OTHER, True, EuOutcome((), ()))


def _run(name: str, run: Callable[[], list[Issue]]) -> list[Issue]:
    try:
        return run()
    except CzmcError as error:
        return [Issue(error.code, "", error.message)]
    except Exception as error:  # hostile JSON-LD or schema input: a finding, not a crash
        reason = f"the {name} check could not process the credential ({type(error).__name__})"
        return [Issue(f"{name}.error", "", reason)]


def _jsonld_issues(credential: Mapping[str, Any], documents: DocumentSource | None) -> list[Issue]:
    from czmc import jsonld  # noqa: PLC0415 - pyld is loaded only when content is checked

    loader: DocumentLoader | None = documents.loader if documents is not None else None
    try:
        return jsonld.undefined_terms(credential, loader)
    except DocumentLoaderError as error:
        if error.code not in {DocumentLoaderError.code, "documents.not_pinned"}:
            return [Issue(error.code, "/@context", error.message)]  # e.g. a pinned file that changed
        hint = (
            "add it to a document store (czmc documents add URL FILE) and pass --documents DIR"
            if documents is None
            else "it is neither bundled nor in the document store"
        )
        return [Issue("jsonld.context_unavailable", "/@context", f"{error.message}; {hint}")]


def _schema_issues(credential: Mapping[str, Any], documents: DocumentSource | None) -> list[Issue]:
    from czmc import schema  # noqa: PLC0415 - jsonschema is loaded only when content is checked
    from czmc.ob3 import CZMC_SCHEMA_URL  # noqa: PLC0415 - as schema

    resolve = documents.schema if documents is not None else None
    proof = credential.get("proof")
    if isinstance(proof, Mapping):
        # One proof object is a proof set of one (VC Data Integrity 1.0 section 2.1; in JSON-LD the
        # two are the same graph), as the big platforms and the Digital Bazaar stack write it; the
        # OB 3.0 schema spells only the array form, so it is given that form.
        credential = {**credential, "proof": [proof]}
    urls, found = schema.schemas_for(credential, resolve)
    issues = list(found)
    if vcdm.generation(credential) is vcdm.Generation.VC11 and CZMC_SCHEMA_URL in urls:
        # czmc's schema describes the EU elements of a VC 2.0 credential: a VC 1.1 one is
        # checked in its 2.0 reading (dates renamed), the rest of it by the 1.1 OB schema.
        urls.remove(CZMC_SCHEMA_URL)
        issues.extend(schema.iter_issues(vcdm.to_vc2(credential), [CZMC_SCHEMA_URL]))
    issues.extend(schema.iter_issues(credential, urls, resolve_schema=resolve))
    return issues
