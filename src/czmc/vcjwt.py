"""Signed credentials as JWTs: OB 3.0's JWT proof format, VC-JOSE-COSE, and legacy VC 1.1 JWTs.

:func:`sign` secures an Open Badges 3.0 credential as a compact JWS; :func:`verify` checks a
token strictly and returns a :class:`VerificationResult` listing every check. Three forms:

- :attr:`Format.OB3` (default; OB 3.0 section 8.2 "JSON Web Token Proof Format"): header
  ``alg``, ``kid`` (or ``jwk``), ``typ: JWT``, nothing else; payload = the credential plus
  ``iss`` (issuer id), ``jti`` (credential id), ``nbf`` (validFrom), ``sub``
  (credentialSubject.id) and ``exp`` (validUntil) when the credential expires.
- :attr:`Format.VC_JOSE_COSE` (W3C VC-JOSE-COSE 3.1): ``typ: vc+jwt``, ``cty: vc``, ``kid``;
  payload = the credential alone.
- :attr:`Format.VC1` (VC Data Model 1.1 6.3.1, for older verifiers): the credential inside a
  ``vc`` claim with ``iss``, ``jti``, ``nbf``, ``sub`` (and ``exp``). Verification accepts it;
  emitting it is for verifiers that know nothing newer.

Verification never lets the token choose its own key: the key comes from the ``kid`` through
a resolver (:mod:`czmc.did`) and must belong to the credential's issuer; keys embedded in the
header (``jwk``) are used only if the caller trusts them for that issuer; ``jku``/``x5u``/
``x5c`` are refused. A credential with a ``credentialStatus`` is checked against its issuer's
signed Bitstring Status List (:mod:`czmc.status`); a status that cannot be established
(offline by default) makes the credential not valid, as revocation does.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from czmc import did, jsonld, jws, ob3, schema
from czmc.errors import CzmcError, MappingError, SigningError
from czmc.inputs import MAX_DEPTH, nesting_depth
from czmc.keys import Algorithm, Key, PublicKey
from czmc.model import MicroCredential
from czmc.report import Issue

if TYPE_CHECKING:  # czmc.status imports this module; it is imported lazily in verify()
    from czmc.status import StatusChecker, StatusResult

__all__ = [
    "DEFAULT_ALGORITHMS",
    "Check",
    "CheckStatus",
    "Format",
    "VerificationResult",
    "bind_key",
    "issue",
    "sign",
    "verify",
]

DEFAULT_ALGORITHMS: frozenset[Algorithm] = frozenset(Algorithm)
"""Every algorithm czmc implements: EdDSA, ES256, RS256, PS256. ``none`` and HMAC do not exist here."""


class Format(StrEnum):
    """How a credential is secured as a JWT."""

    OB3 = "ob3"
    VC_JOSE_COSE = "vc-jose-cose"
    VC1 = "vc1"


_HEADER_MEMBERS: dict[Format, frozenset[str]] = {
    Format.OB3: frozenset({"alg", "kid", "jwk", "typ"}),
    Format.VC_JOSE_COSE: frozenset({"alg", "kid", "jwk", "typ", "cty", "iss"}),
    Format.VC1: frozenset({"alg", "kid", "jwk", "typ"}),
}
_KEY_URL_HEADERS = ("jku", "x5u", "x5c", "x5t", "x5t#S256")


# --- signing ----------------------------------------------------------------------------


def _timestamp(text: str) -> int:
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        raise ValueError("no timezone")
    if moment.microsecond:
        raise ValueError("fractional seconds")
    return int(moment.timestamp())


def _issuer_id(credential: Mapping[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, Mapping) else issuer


def _subject_id(credential: Mapping[str, Any]) -> Any:
    subject = credential.get("credentialSubject")
    return subject.get("id") if isinstance(subject, Mapping) else None


def registered_claims(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The JWT claims OB 3.0 8.2.4 maps from a credential: ``iss``, ``jti``, ``nbf``, ``sub``, ``exp``.

    Raises :class:`~czmc.errors.SigningError` if the credential lacks what they need.
    """
    missing = [
        name for name, value in (("issuer.id", _issuer_id(credential)), ("id", credential.get("id"))) if not value
    ]
    if missing:
        raise SigningError("proof.claims", f"an OB 3.0 JWT needs the credential's {' and '.join(missing)}")
    subject = _subject_id(credential)
    if not isinstance(subject, str):
        raise SigningError(
            "proof.sub_missing",
            "OB 3.0 JWTs require 'sub' = credentialSubject.id; give the learner an id "
            "(a DID, or a urn:uuid if you identify them only by email), or sign with format='vc-jose-cose'",
        )
    # VC 2.0 names the dates validFrom/validUntil; a VC 1.1 credential (legacy vc1 form) has
    # issuanceDate/expirationDate (VC Data Model 1.1 section 6.3.1).
    start = credential.get("validFrom", credential.get("issuanceDate"))
    end = credential.get("validUntil", credential.get("expirationDate"))
    if start is None:
        raise SigningError("proof.claims", "the credential needs validFrom (issuanceDate in VC 1.1) for 'nbf'")
    try:
        claims: dict[str, Any] = {
            "iss": _issuer_id(credential),
            "jti": credential["id"],
            "nbf": _timestamp(start),
            "sub": subject,
        }
        if end is not None:
            claims["exp"] = _timestamp(end)
    except (TypeError, ValueError) as error:
        raise SigningError(
            "proof.claims", f"validity dates must be date-times in whole seconds with a timezone ({error})"
        ) from None
    return claims


_header_cache: dict[tuple[str, str, Format, bool], bytes] = {}


def _header(key: Key, fmt: Format, embed_jwk: bool) -> bytes:
    cache_key = (key.public.thumbprint + key.alg.value, key.kid, fmt, embed_jwk)
    encoded = _header_cache.get(cache_key)
    if encoded is None:
        header: dict[str, Any] = {"alg": key.alg.value}
        if embed_jwk:
            header["jwk"] = key.public.jwk()
        else:
            header["kid"] = key.kid
        if fmt is Format.VC_JOSE_COSE:
            header.update(typ="vc+jwt", cty="vc")
        else:
            header["typ"] = "JWT"
        encoded = jws.encode_header(header)
        if len(_header_cache) > 256:
            _header_cache.clear()
        _header_cache[cache_key] = encoded
    return encoded


def sign(
    credential: Mapping[str, Any],
    key: Key,
    *,
    format: Format | str = Format.OB3,
    embed_jwk: bool = False,
) -> str:
    """Sign an OB 3.0 credential (a JSON-LD dict) as a compact JWS in ``format``.

    The header names the key by ``key.kid`` (set it to the DID URL or https URL verifiers
    resolve, e.g. ``key.with_kid(did + "#key-1")``), or embeds the public JWK with
    ``embed_jwk`` (OB 3.0 allows it; verifiers then need to trust that key explicitly).
    """
    fmt = Format(format)
    if fmt is Format.OB3:
        payload: Mapping[str, Any] = {**credential, **registered_claims(credential)}
    elif fmt is Format.VC1:
        payload = {"vc": dict(credential), **registered_claims(credential)}
    else:
        payload = credential
    return jws.sign(_header(key, fmt, embed_jwk), payload, key)


def bind_key(key: Key, issuer: str, kid: str | None = None) -> Key:
    """``key`` under the key id verifiers resolve for ``issuer``, refusing one they would reject.

    The kid is ``kid`` if given, else the key's own when it is a DID URL or https URL, else
    derived: ``did:key``/``did:jwk`` issuers of this very key get their verification method,
    ``did:web`` issuers ``#<JWK thumbprint>`` (what ``czmc keygen`` publishes). Raises
    :class:`~czmc.errors.SigningError`: ``proof.kid`` if no kid can be told, ``proof.kid_issuer``
    if the kid cannot belong to the issuer (a DID URL of another DID, an https URL off the
    issuer's host), so a mistake is caught when signing, not by every verifier later.
    """
    chosen = kid
    if chosen is None:
        if key.kid.startswith(("did:", "https://")):
            chosen = key.kid
        elif key.public.kind != "RSA" and issuer == did.did_key(key.public):
            chosen = f"{issuer}#{issuer.removeprefix('did:key:')}"
        elif issuer == did.did_jwk(key.public):
            chosen = f"{issuer}#0"
        elif issuer.startswith("did:web:"):
            chosen = f"{issuer}#{key.public.thumbprint}"
        else:
            raise SigningError(
                "proof.kid",
                f"cannot tell which key id (kid) verifiers should resolve for issuer {issuer}; give the kid "
                "(a DID URL of the issuer, or the https URL where the public JWK is published)",
            )
    if chosen.startswith("did:"):
        if chosen.split("#", 1)[0] != issuer:
            raise SigningError(
                "proof.kid_issuer", f"the kid {chosen} belongs to {chosen.split('#', 1)[0]}, not to the issuer {issuer}"
            )
    elif not did.issuer_id_matches_kid(issuer, did.ResolvedKey(key.public, chosen, chosen, frozenset())):
        raise SigningError(
            "proof.kid_issuer",
            f"verifiers will not accept key {chosen} for issuer {issuer}: "
            "an https key URL must be on the issuer's host",
        )
    return key.with_kid(chosen)


def issue(mc: MicroCredential, key: Key, *, format: Format | str = Format.OB3) -> str:
    """Render ``mc`` as an OB 3.0 credential and sign it: the whole issuing path in one call."""
    return sign(ob3.render_for_signing(mc), key, format=format)


# --- verification -----------------------------------------------------------------------


class CheckStatus(StrEnum):
    """The outcome of one check."""

    PASSED = "passed"
    FAILED = "failed"
    SKIPPED = "skipped"


@dataclass(frozen=True, slots=True)
class Check:
    """One verification check: its stable ``name``, outcome, machine code and human reason.

    ``required`` is False for checks the caller switched off; they do not affect validity.
    """

    name: str
    status: CheckStatus
    code: str
    message: str
    required: bool = True

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping."""
        return {
            "name": self.name,
            "status": self.status.value,
            "code": self.code,
            "message": self.message,
            "required": self.required,
        }


@dataclass(frozen=True)
class VerificationResult:
    """Everything :func:`verify` checked. ``valid`` only if every required check passed.

    ``credential`` is the verified credential (for legacy ``vc``-claim tokens, the credential
    with the JWT claims folded in); it is None when the token could not be parsed. Do not use
    it unless ``valid``. ``status`` is what the status check found (None if it did not run).
    """

    checks: tuple[Check, ...]
    credential: Mapping[str, Any] | None = None
    header: Mapping[str, Any] | None = None
    format: Format | None = None
    kid: str | None = None
    issues: tuple[Issue, ...] = field(default=())
    status: StatusResult | None = None

    @property
    def valid(self) -> bool:
        """True when every required check passed."""
        return all(check.status is CheckStatus.PASSED for check in self.checks if check.required)

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
        """The verified credential read back into the model; CzmcError if not valid."""
        if not self.valid or self.credential is None:
            raise CzmcError("the credential is not valid; see .checks", code="proof.not_valid")
        return ob3.from_credential(self.credential)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of the result."""
        return {
            "valid": self.valid,
            "format": self.format.value if self.format else None,
            "kid": self.kid,
            "checks": [check.to_dict() for check in self.checks],
            "issues": [issue.to_dict() for issue in self.issues],
            "status": self.status.to_dict() if self.status is not None else None,
        }


CHECK_NAMES: tuple[str, ...] = (
    "token",
    "header",
    "algorithm",
    "key",
    "key_binding",
    "signature",
    "claims",
    "time",
    "status",
    "jsonld",
    "schema",
    "model",
)
"""Every check :func:`verify` reports, in order."""


class _Checks:
    def __init__(self) -> None:
        self.done: list[Check] = []
        self.failed = False

    def passed(self, name: str, message: str) -> None:
        self.done.append(Check(name, CheckStatus.PASSED, "ok", message))

    def fail(self, name: str, code: str, message: str) -> None:
        self.done.append(Check(name, CheckStatus.FAILED, code, message))
        self.failed = True

    def skip_rest(self, reason: str) -> None:
        names = {check.name for check in self.done}
        for name in CHECK_NAMES:
            if name not in names:
                self.done.append(Check(name, CheckStatus.SKIPPED, "skipped", reason))


def _now(now: datetime | Callable[[], datetime] | None) -> datetime:
    moment = now() if callable(now) else now
    if moment is None:
        return datetime.now(UTC)
    if moment.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return moment


def _detect_format(header: Mapping[str, Any], payload: Mapping[str, Any]) -> Format:
    typ = header.get("typ")
    if typ in ("vc+jwt", "application/vc+jwt"):
        return Format.VC_JOSE_COSE
    if "vc" in payload:
        return Format.VC1
    return Format.OB3


def _legacy_credential(payload: Mapping[str, Any]) -> dict[str, Any]:
    """The credential of a VC 1.1 JWT: ``vc`` with the claims its members may omit folded in (6.3.1)."""
    credential = dict(payload["vc"]) if isinstance(payload["vc"], Mapping) else {}
    issuer = credential.get("issuer")
    if isinstance(payload.get("iss"), str):
        if issuer is None:
            credential["issuer"] = payload["iss"]
        elif isinstance(issuer, Mapping) and "id" not in issuer:
            credential["issuer"] = {**issuer, "id": payload["iss"]}
    if "id" not in credential and isinstance(payload.get("jti"), str):
        credential["id"] = payload["jti"]
    subject = credential.get("credentialSubject")
    if isinstance(subject, Mapping) and "id" not in subject and isinstance(payload.get("sub"), str):
        credential["credentialSubject"] = {**subject, "id": payload["sub"]}
    contexts = credential.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    modern = first == jsonld.VC_CONTEXT
    for claim, member in (
        ("nbf", "validFrom" if modern else "issuanceDate"),
        ("exp", "validUntil" if modern else "expirationDate"),
    ):
        if member not in credential and type(payload.get(claim)) is int:
            credential[member] = datetime.fromtimestamp(payload[claim], UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return credential


def _claim_problems(
    fmt: Format, header: Mapping[str, Any], payload: Mapping[str, Any], credential: Mapping[str, Any]
) -> list[str]:
    """Disagreements between the JWT claims and the credential (OB 3.0 8.2.6, VC-JOSE-COSE 3.1.3)."""
    problems = []
    pairs = (("iss", _issuer_id(credential)), ("jti", credential.get("id")), ("sub", _subject_id(credential)))
    required = fmt is not Format.VC_JOSE_COSE
    for claim, expected in pairs:
        if claim not in payload:
            if required:
                problems.append(f"'{claim}' is missing")
        elif payload[claim] != expected or not isinstance(expected, str):
            problems.append(f"'{claim}' is {payload[claim]!r} but the credential says {expected!r}")
    if fmt is Format.VC_JOSE_COSE:
        header_issuer = header.get("iss")
        if header_issuer is not None and header_issuer != _issuer_id(credential):
            problems.append(
                f"header 'iss' is {header_issuer!r} but the credential's issuer is {_issuer_id(credential)!r}"
            )
        problems.extend(
            f"'{claim}' must not be present (VC-JOSE-COSE 3.1.3)" for claim in ("vc", "vp") if claim in payload
        )
        return problems
    start = credential.get("validFrom", credential.get("issuanceDate"))
    end = credential.get("validUntil", credential.get("expirationDate"))
    for claim, value in (("nbf", start), ("exp", end)):
        actual = payload.get(claim)
        if value is None:
            if actual is not None and claim == "exp":
                problems.append("'exp' is present but the credential has no validUntil")
            elif claim == "nbf":
                problems.append("the credential has no validFrom")
            continue
        if actual is None:
            problems.append(f"'{claim}' is missing")
            continue
        try:
            expected_seconds = _timestamp(value)
        except (TypeError, ValueError):
            problems.append(f"the credential's date for '{claim}' is not a date-time in whole seconds: {value!r}")
            continue
        if type(actual) is not int or actual != expected_seconds:
            problems.append(f"'{claim}' is {actual!r} but the credential says {value} ({expected_seconds})")
    return problems


def _time_problems(
    payload: Mapping[str, Any], credential: Mapping[str, Any], now: datetime, leeway: timedelta
) -> tuple[str, str] | None:
    earliest, latest = now + leeway, now - leeway
    bounds: list[tuple[str, datetime | None, datetime | None]] = []
    for label, start_value, end_value in (
        (
            "the credential",
            credential.get("validFrom", credential.get("issuanceDate")),
            credential.get("validUntil", credential.get("expirationDate")),
        ),
        ("the JWT", payload.get("nbf"), payload.get("exp")),
    ):
        try:
            start = _moment(start_value)
            end = _moment(end_value)
        except (TypeError, ValueError, OverflowError):
            return "time.invalid", f"{label}'s validity dates are not date-times"
        bounds.append((label, start, end))
    for label, start, end in bounds:
        if start is not None and start > earliest:
            return "time.not_yet_valid", f"{label} is not valid before {start.isoformat()} (now {now.isoformat()})"
        if end is not None and end <= latest:
            return "time.expired", f"{label} expired at {end.isoformat()} (now {now.isoformat()})"
    return None


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    if type(value) is int:
        return datetime.fromtimestamp(value, UTC)
    if isinstance(value, str):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            raise ValueError("no timezone")
        return moment
    raise TypeError(type(value).__name__)


def verify(
    token: str | bytes,
    *,
    resolver: did.Resolver | None = None,
    now: datetime | Callable[[], datetime] | None = None,
    leeway: timedelta = timedelta(0),
    algorithms: Collection[Algorithm | str] = DEFAULT_ALGORITHMS,
    trusted_keys: Mapping[str, Collection[PublicKey]] | None = None,
    max_token_bytes: int = jws.MAX_TOKEN_BYTES,
    check_jsonld: bool = True,
    check_schema: bool = True,
    check_model: bool = True,
    status: StatusChecker | None = None,
    check_status: bool = True,
) -> VerificationResult:
    """Verify a signed credential; the result lists every check (see :data:`CHECK_NAMES`).

    ``resolver`` turns the ``kid`` into the issuer's key (default: :class:`czmc.did.DefaultResolver`
    without network, i.e. ``did:key`` and ``did:jwk``). ``now`` (a tz-aware datetime or a
    callable) and ``leeway`` govern the time checks. ``algorithms`` narrows the allow-list.
    ``trusted_keys`` maps issuer ids to public keys that may be embedded in the header as
    ``jwk``. ``status`` checks the ``credentialStatus`` (Bitstring Status List v1.0 §3.2;
    default: an offline :class:`czmc.status.StatusChecker`, which knows no list, so a
    credential with a status is then not valid: pass a checker with a fetcher or pinned
    lists). ``check_status`` and ``check_*`` switch off the status and content checks (they
    are then reported as not required). Never raises for a bad token: everything wrong is a
    failed check.
    """
    if leeway < timedelta(0):
        raise ValueError("leeway must not be negative")
    checks = _Checks()
    allowed = algorithms if algorithms is DEFAULT_ALGORITHMS else frozenset(Algorithm(alg) for alg in algorithms)
    moment = _now(now)

    try:
        parsed = jws.parse(token, max_bytes=max_token_bytes)
    except jws.JwsError as error:
        checks.fail("token", error.code, error.message)
        checks.skip_rest("the token could not be parsed")
        return VerificationResult(tuple(checks.done))
    checks.passed("token", "compact JWS, strict base64url, JSON objects without duplicate members")
    header, payload = parsed.header, parsed.payload

    fmt = _detect_format(header, payload)
    credential: Mapping[str, Any] = _legacy_credential(payload) if fmt is Format.VC1 else payload
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None

    def result() -> VerificationResult:
        return VerificationResult(tuple(checks.done), credential, header, fmt, kid, tuple(issues), status_result)

    status_result: StatusResult | None = None

    issues: list[Issue] = []
    header_problem = _header_problem(header, fmt)
    if header_problem:
        checks.fail("header", *header_problem)
        checks.skip_rest("the header is not acceptable")
        return result()
    checks.passed("header", _HEADER_OK[fmt])

    alg_name = header.get("alg")
    try:
        alg = Algorithm(str(alg_name))
    except ValueError:
        checks.fail(
            "algorithm", "alg.unsupported", f"algorithm {alg_name!r} is not supported (EdDSA, ES256, RS256, PS256)"
        )
        checks.skip_rest("the algorithm is not acceptable")
        return result()
    if alg not in allowed:
        checks.fail("algorithm", "alg.not_allowed", f"algorithm {alg.value} is not in the allow-list")
        checks.skip_rest("the algorithm is not acceptable")
        return result()
    checks.passed("algorithm", f"{alg.value} is allowed")

    issuer = _issuer_id(credential)
    try:
        resolved, trusted_by_caller = _resolve_key(header, kid, issuer, resolver, trusted_keys)
    except _KeyProblemError as problem:
        checks.fail(problem.check, problem.code, problem.message)
        checks.skip_rest("no key of the issuer to verify with")
        return result()
    checks.passed("key", f"{resolved.key.kind} key {resolved.method_id}")
    if trusted_by_caller:
        checks.passed("key_binding", f"the embedded key is trusted by the caller for issuer {issuer}")
    elif did.issuer_id_matches_kid(issuer, resolved):
        checks.passed("key_binding", f"the key belongs to issuer {issuer}")
    else:
        checks.fail(
            "key_binding", "key.not_issuer", f"key {resolved.method_id} is not an assertion key of issuer {issuer!r}"
        )
        checks.skip_rest("the key does not belong to the issuer")
        return result()

    if alg not in resolved.key.algorithms:
        checks.fail("signature", "alg.key_mismatch", f"{alg.value} cannot be used with a {resolved.key.kind} key")
        checks.skip_rest("the algorithm does not fit the key")
        return result()
    if not resolved.key.verify(alg, parsed.signing_input, parsed.signature):
        checks.fail("signature", "signature.invalid", "the signature does not verify with the issuer's key")
        checks.skip_rest("the signature is invalid")
        return result()
    checks.passed("signature", f"{alg.value} signature verified")

    try:
        problems = _claim_problems(fmt, header, payload, credential)
    except (TypeError, ValueError, OverflowError) as error:
        problems = [f"unreadable claims ({type(error).__name__})"]
    if problems:
        checks.fail("claims", "claims.mismatch", "; ".join(problems))
    else:
        checks.passed("claims", "JWT claims agree with the credential")

    try:
        time_problem = _time_problems(payload, credential, moment, leeway)
    except (TypeError, ValueError, OverflowError):
        time_problem = ("time.invalid", "validity dates are not date-times")
    if time_problem:
        checks.fail("time", *time_problem)
    else:
        checks.passed("time", f"valid at {moment.isoformat()} (leeway {int(leeway.total_seconds())} s)")

    if not check_status:
        checks.done.append(Check("status", CheckStatus.SKIPPED, "disabled", "switched off by the caller", False))
    else:
        try:
            status_result = (status or _default_status_checker()).check(
                credential, now=moment, resolver=resolver or _default_resolver()
            )
        except Exception as error:
            checks.fail("status", "status.error", f"the status check failed ({type(error).__name__}: {error})")
        else:
            if status_result.state == "valid":
                checks.passed("status", status_result.message)
            else:
                checks.fail("status", status_result.code, status_result.message)

    deep = (check_jsonld or check_schema or check_model) and nesting_depth(credential) > MAX_DEPTH
    content_checks: tuple[tuple[str, bool, Callable[[], list[Issue]]], ...] = (
        ("jsonld", check_jsonld, lambda: jsonld.undefined_terms(credential)),
        ("schema", check_schema, lambda: list(schema.iter_issues(credential))),
        ("model", check_model, lambda: _model_issues(credential)),
    )
    for name, enabled, run in content_checks:
        if not enabled:
            checks.done.append(Check(name, CheckStatus.SKIPPED, "disabled", "switched off by the caller", False))
            continue
        if deep:
            checks.fail(name, "payload.too_deep", f"the credential nests deeper than {MAX_DEPTH} levels")
            continue
        try:
            found = run()
        except CzmcError as error:
            found = [Issue(error.code, "", error.message)]
        except Exception as error:
            found = [
                Issue(
                    f"{name}.error", "", f"the {name} check could not process the credential ({type(error).__name__})"
                )
            ]
        errors = [issue for issue in found if issue.severity.value == "error"]
        issues.extend(found)
        if errors:
            checks.fail(name, f"{name}.invalid", f"{len(errors)} problem{'s' if len(errors) != 1 else ''}: {errors[0]}")
        else:
            checks.passed(name, _PASSED_MESSAGES[name])
    return result()


_HEADER_OK = {fmt: f"header acceptable for the {fmt.value} format" for fmt in Format}

_PASSED_MESSAGES = {
    "jsonld": "every term is defined by the credential's contexts",
    "schema": "valid against the credential's JSON Schemas",
    "model": "a valid EU micro-credential",
}


def _model_issues(credential: Mapping[str, Any]) -> list[Issue]:
    contexts = credential.get("@context")
    if not (isinstance(contexts, list) and jsonld.CZMC_CONTEXT in contexts):
        return [Issue("ob3.not_micro_credential", "/@context", "not a czmc micro-credential (no czmc context)")]
    try:
        ob3.from_credential(credential)
    except MappingError as error:
        return list(error.issues)
    return []


def _header_problem(header: Mapping[str, Any], fmt: Format) -> tuple[str, str] | None:
    for name in _KEY_URL_HEADERS:
        if name in header:
            return (
                "header.key_url",
                f"header member {name!r} is refused: keys are never fetched from the token's say-so",
            )
    unexpected = sorted(set(header) - _HEADER_MEMBERS[fmt])
    if unexpected:
        return "header.unexpected", f"header members {unexpected} are not allowed in the {fmt.value} format"
    typ = header.get("typ")
    if fmt is not Format.VC_JOSE_COSE and typ not in (None, "JWT"):
        return "header.typ", f"typ must be 'JWT' or absent, got {typ!r}"
    if fmt is Format.VC_JOSE_COSE and header.get("cty", "vc") not in ("vc", "application/vc"):
        return "header.cty", f"cty must be 'vc', got {header.get('cty')!r}"
    if ("kid" in header) == ("jwk" in header) and fmt is Format.OB3:
        return "header.key", "an OB 3.0 JWT header has exactly one of 'kid' and 'jwk'"
    if "kid" not in header and "jwk" not in header:
        return "header.key", "the header names no key ('kid')"
    if "kid" in header and not isinstance(header["kid"], str):
        return "header.key", "'kid' must be a string"
    return None


class _KeyProblemError(Exception):
    def __init__(self, check: str, code: str, message: str) -> None:
        super().__init__(message)
        self.check, self.code, self.message = check, code, message


def _resolve_key(
    header: Mapping[str, Any],
    kid: str | None,
    issuer: Any,
    resolver: did.Resolver | None,
    trusted_keys: Mapping[str, Collection[PublicKey]] | None,
) -> tuple[did.ResolvedKey, bool]:
    """The issuer's key named by the header, and whether the caller vouched for it directly."""
    if not isinstance(issuer, str):
        raise _KeyProblemError("key", "claims.issuer", "the credential has no issuer id")
    if "jwk" in header:
        try:
            embedded = PublicKey.from_jwk(header["jwk"])
        except CzmcError as error:
            raise _KeyProblemError("key", error.code, f"header 'jwk': {error.message}") from None
        if embedded not in (trusted_keys or {}).get(issuer, ()):
            raise _KeyProblemError(
                "key", "key.untrusted_embedded", "the header embeds a key ('jwk') that is not trusted for this issuer"
            )
        method = f"urn:ietf:params:oauth:jwk-thumbprint:sha-256:{embedded.thumbprint}"
        return did.ResolvedKey(embedded, method, issuer, frozenset({"assertionMethod"})), True
    if kid is None:  # pragma: no cover - the header check requires kid or jwk
        raise _KeyProblemError("key", "header.key", "the header names no key")
    absolute = issuer + kid if kid.startswith("#") and issuer.startswith("did:") else kid
    try:
        return (resolver or _default_resolver()).resolve_key(absolute), False
    except CzmcError as error:
        raise _KeyProblemError("key", error.code, f"kid {absolute!r} did not resolve: {error.message}") from None


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
        from czmc.status import StatusChecker  # noqa: PLC0415 - czmc.status imports this module

        _DEFAULT_STATUS_CHECKER = StatusChecker()
    return _DEFAULT_STATUS_CHECKER
