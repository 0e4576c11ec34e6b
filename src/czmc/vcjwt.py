"""Signed credentials as JWTs: OB 3.0's JWT proof format, VC-JOSE-COSE, and legacy VC 1.1 JWTs.

:func:`sign` secures an Open Badges 3.0 credential as a compact JWS; :func:`verify` checks a
token strictly and returns a :class:`VerificationResult` listing every check. Three forms:

- :attr:`Format.OB3` (default; OB 3.0 section 8.2 "JSON Web Token Proof Format"): header
  ``alg``, ``kid`` (or ``jwk``), ``typ: JWT``, nothing else; payload = the credential plus
  ``iss`` (issuer id), ``jti`` (credential id), ``nbf`` (validFrom), ``sub``
  (credentialSubject.id) and ``exp`` (validUntil) when the credential expires.
- :attr:`Format.VC_JOSE_COSE` (W3C VC-JOSE-COSE 3.1): ``typ: vc+jwt``, ``cty: vc``, ``kid``;
  payload = the credential alone.
- :attr:`Format.VC1` (VC Data Model 1.1 6.3.1, for older verifiers): the credential in its
  VC 1.1 form (:func:`czmc.vcdm.to_vc11`: VC v1 context, ``issuanceDate``) inside a ``vc``
  claim with ``iss``, ``jti``, ``nbf``, ``sub`` (and ``exp``). Verification accepts it;
  emitting it is for verifiers that know nothing newer.

Verification never lets the token choose its own key: the key comes from the ``kid`` through
a resolver (:mod:`czmc.did`) and must belong to the credential's issuer; keys embedded in the
header (``jwk``) are used only if the caller trusts them for that issuer; ``jku``/``x5u``/
``x5c`` are refused. A credential with a ``credentialStatus`` is checked against its issuer's
signed Bitstring Status List (:mod:`czmc.status`); a status that cannot be established
(offline by default) makes the credential not valid, as revocation does.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from czmc import did, jsonld, jws, vcdm
from czmc.checks import Check, CheckList, CheckStatus
from czmc.errors import CzmcError, SigningError
from czmc.keys import Algorithm, Key, PublicKey
from czmc.vcdm import TimeBound

if TYPE_CHECKING:
    from czmc.model import MicroCredential

__all__ = [
    "DEFAULT_ALGORITHMS",
    "JWT_CHECK_NAMES",
    "Check",
    "CheckStatus",
    "Format",
    "JwtProof",
    "TimeBound",
    "bind_key",
    "issue",
    "sign",
    "verify_proof",
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


def registered_claims(credential: Mapping[str, Any], *, subject_required: bool = True) -> dict[str, Any]:
    """The JWT claims OB 3.0 8.2.4 maps from a credential: ``iss``, ``jti``, ``nbf``, ``sub``, ``exp``.

    ``sub`` is required unless ``subject_required`` is False (VC 1.1 JWTs, 6.3.1: only when
    the subject has an id). Raises :class:`~czmc.errors.SigningError` if the credential
    lacks what they need.
    """
    missing = [
        name for name, value in (("issuer.id", _issuer_id(credential)), ("id", credential.get("id"))) if not value
    ]
    if missing:
        raise SigningError("proof.claims", f"an OB 3.0 JWT needs the credential's {' and '.join(missing)}")
    subject = _subject_id(credential)
    if not isinstance(subject, str) and subject_required:
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
        }
        if isinstance(subject, str):
            claims["sub"] = subject
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
        legacy = vcdm.to_vc11(credential)
        payload = {"vc": legacy, **registered_claims(legacy, subject_required=False)}
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
    from czmc import ob3  # noqa: PLC0415 - the model is not needed to verify

    return sign(ob3.render_for_signing(mc), key, format=format)


# --- verification: the JWT proof step ----------------------------------------------------

JWT_CHECK_NAMES: tuple[str, ...] = (
    "token",
    "header",
    "algorithm",
    "key",
    "key_binding",
    "signature",
    "claims",
)
"""The checks :func:`verify_proof` reports, in order."""


@dataclass(frozen=True)
class JwtProof:
    """What :func:`verify_proof` established about a compact JWS.

    ``credential`` is the credential the token carries (for ``vc``-claim tokens, with the
    JWT claims folded in as VC Data Model 1.1 section 6.3.1 says); None if the token could
    not be parsed. It is authentic only if ``verified``.
    """

    checks: tuple[Check, ...]
    credential: Mapping[str, Any] | None = None
    header: Mapping[str, Any] | None = None
    format: Format | None = None
    kid: str | None = None
    bounds: tuple[TimeBound, ...] = ()

    @property
    def verified(self) -> bool:
        """True when every check passed: the credential is the issuer's, unchanged."""
        return all(check.status is CheckStatus.PASSED for check in self.checks if check.required)


def _detect_format(header: Mapping[str, Any], payload: Mapping[str, Any]) -> Format:
    typ = header.get("typ")
    if typ in ("vc+jwt", "application/vc+jwt"):
        return Format.VC_JOSE_COSE
    if "vc" in payload:
        return Format.VC1
    if typ is None and not any(claim in payload for claim in _REGISTERED_CLAIMS):
        # A VC 2.0 credential secured as it is, without typ (VC-JOSE-COSE 3.1.1 makes typ a
        # SHOULD): not an OB 3.0 JWT, which must carry iss, jti, nbf and sub.
        contexts = payload.get("@context")
        if isinstance(contexts, list) and contexts and contexts[0] == jsonld.VC_CONTEXT:
            return Format.VC_JOSE_COSE
    return Format.OB3


_REGISTERED_CLAIMS = ("iss", "sub", "jti", "nbf", "exp", "iat", "aud")


def numeric_date(value: Any) -> float | None:
    """A JWT NumericDate (RFC 7519 section 2: any JSON number of seconds), or None if it is not one."""
    if type(value) is int:
        return float(value)
    if type(value) is float and math.isfinite(value):
        return value
    return None


def _from_numeric_date(value: Any) -> datetime | None:
    seconds = numeric_date(value)
    if seconds is None:
        if value is None:
            return None
        raise TypeError(type(value).__name__)
    return datetime.fromtimestamp(seconds, UTC)


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
        seconds = numeric_date(payload.get(claim))
        if member not in credential and seconds is not None:
            try:
                moment = datetime.fromtimestamp(seconds, UTC)
            except (OverflowError, OSError, ValueError):
                continue  # the time check reports the unreadable claim
            credential[member] = moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    return credential


def _claim_problems(
    fmt: Format, header: Mapping[str, Any], payload: Mapping[str, Any], credential: Mapping[str, Any]
) -> list[str]:
    """Disagreements between the JWT claims and the credential (OB 3.0 8.2.6, VC-JOSE-COSE 3.1.3)."""
    problems = []
    pairs = (("iss", _issuer_id(credential)), ("jti", credential.get("id")), ("sub", _subject_id(credential)))
    for claim, expected in pairs:
        if claim not in payload:
            # OB 3.0 8.2.4 requires all three; VC 1.1 (6.3.1) only iss, and jti/sub when the
            # credential has an id/subject id (they are then folded in from the claims).
            if fmt is Format.OB3 or (fmt is Format.VC1 and claim == "iss"):
                problems.append(f"'{claim}' is missing")
        elif payload[claim] != expected or not isinstance(expected, str):
            problems.append(f"'{claim}' is {payload[claim]!r} but the credential says {expected!r}")
    for claim in ("iat", "nbf", "exp"):
        if claim in payload and numeric_date(payload[claim]) is None:
            problems.append(f"'{claim}' must be a NumericDate (a number of seconds), not {payload[claim]!r}")
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
    start_name = "validFrom" if "validFrom" in credential else "issuanceDate"
    end_name = "validUntil" if "validUntil" in credential else "expirationDate"
    for claim, value, name in (("nbf", start, start_name), ("exp", end, end_name)):
        actual = numeric_date(payload.get(claim))
        if value is None:
            if claim in payload and claim == "exp":
                problems.append(f"'exp' is present but the credential has no {end_name}")
            elif claim == "nbf":
                problems.append(f"the credential has no {start_name}")
            continue
        if claim not in payload:
            if fmt is Format.OB3:
                problems.append(f"'{claim}' is missing")
            continue
        if actual is None:
            continue  # reported above
        try:
            expected = _seconds(value)
        except (TypeError, ValueError, OverflowError):
            problems.append(f"the credential's {name} is not a date-time: {value!r}")
            continue
        if actual != expected:
            problems.append(f"'{claim}' is {payload[claim]!r} but the credential's {name} is {value}")
    return problems


def _seconds(value: Any) -> float:
    if not isinstance(value, str):
        raise TypeError(type(value).__name__)
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError("no timezone")
    return moment.timestamp()


def _bounds(payload: Mapping[str, Any]) -> tuple[TimeBound, ...]:
    try:
        return (
            TimeBound(
                "the JWT",
                _from_numeric_date(payload.get("nbf")),
                _from_numeric_date(payload.get("exp")),
                _from_numeric_date(payload.get("iat")),
            ),
        )
    except (TypeError, ValueError, OverflowError, OSError):
        return (TimeBound("the JWT's nbf, exp or iat", readable=False),)


def verify_proof(
    token: str | bytes,
    *,
    resolver: did.Resolver,
    algorithms: Collection[Algorithm | str] = DEFAULT_ALGORITHMS,
    trusted_keys: Mapping[str, Collection[PublicKey]] | None = None,
    max_token_bytes: int = jws.MAX_TOKEN_BYTES,
) -> JwtProof:
    """The proof step for a compact JWS: syntax, header, algorithm, the issuer's key, signature, claims.

    The key comes from the ``kid`` through ``resolver`` and must belong to the credential's
    issuer; a header ``jwk`` is used only if it is the issuer's own key (a ``did:key`` or
    ``did:jwk`` issuer, OB 3.0 8.2.3) or ``trusted_keys`` lists it for that issuer;
    ``jku``/``x5u``/``x5c`` are refused. Time, status and content are the pipeline's
    (:func:`czmc.verification.verify`); this step never raises for a bad token.
    """
    checks = CheckList()
    allowed = algorithms if algorithms is DEFAULT_ALGORITHMS else frozenset(Algorithm(alg) for alg in algorithms)
    try:
        parsed = jws.parse(token, max_bytes=max_token_bytes)
    except jws.JwsError as error:
        checks.fail("token", error.code, error.message)
        checks.skip_rest(JWT_CHECK_NAMES, "the token could not be parsed")
        return JwtProof(tuple(checks.done))
    checks.passed("token", "compact JWS, strict base64url, JSON objects without duplicate members")
    header, payload = parsed.header, parsed.payload

    fmt = _detect_format(header, payload)
    credential: Mapping[str, Any] = _legacy_credential(payload) if fmt is Format.VC1 else payload
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None

    def result() -> JwtProof:
        return JwtProof(tuple(checks.done), credential, header, fmt, kid, _bounds(payload))

    header_problem = _header_problem(header, fmt)
    if header_problem:
        checks.fail("header", *header_problem)
        checks.skip_rest(JWT_CHECK_NAMES, "the header is not acceptable")
        return result()
    checks.passed("header", _HEADER_OK[fmt])

    alg_name = header.get("alg")
    try:
        alg = Algorithm(str(alg_name))
    except ValueError:
        checks.fail(
            "algorithm", "alg.unsupported", f"algorithm {alg_name!r} is not supported (EdDSA, ES256, RS256, PS256)"
        )
        checks.skip_rest(JWT_CHECK_NAMES, "the algorithm is not acceptable")
        return result()
    if alg not in allowed:
        checks.fail("algorithm", "alg.not_allowed", f"algorithm {alg.value} is not in the allow-list")
        checks.skip_rest(JWT_CHECK_NAMES, "the algorithm is not acceptable")
        return result()
    checks.passed("algorithm", f"{alg.value} is allowed")

    issuer = _issuer_id(credential)
    try:
        resolved, vouched = _resolve_key(header, kid, issuer, resolver, trusted_keys)
    except _KeyProblemError as problem:
        checks.fail(problem.check, problem.code, problem.message)
        checks.skip_rest(JWT_CHECK_NAMES, "no key of the issuer to verify with")
        return result()
    checks.passed("key", f"{resolved.key.kind} key {resolved.method_id}")
    if vouched:
        checks.passed("key_binding", vouched)
    elif did.issuer_id_matches_kid(issuer, resolved):
        checks.passed("key_binding", f"the key belongs to issuer {issuer}")
    else:
        checks.fail(
            "key_binding", "key.not_issuer", f"key {resolved.method_id} is not an assertion key of issuer {issuer!r}"
        )
        checks.skip_rest(JWT_CHECK_NAMES, "the key does not belong to the issuer")
        return result()

    if alg not in resolved.key.algorithms:
        checks.fail("signature", "alg.key_mismatch", f"{alg.value} cannot be used with a {resolved.key.kind} key")
        checks.skip_rest(JWT_CHECK_NAMES, "the algorithm does not fit the key")
        return result()
    if not resolved.key.verify(alg, parsed.signing_input, parsed.signature):
        checks.fail("signature", "signature.invalid", "the signature does not verify with the issuer's key")
        checks.skip_rest(JWT_CHECK_NAMES, "the signature is invalid")
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
    return result()


_HEADER_OK = {fmt: f"header acceptable for the {fmt.value} format" for fmt in Format}


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


def _self_certified_key(issuer: str) -> PublicKey | None:
    """The key a ``did:key`` or ``did:jwk`` issuer id itself is, or None for other issuers."""
    try:
        if issuer.startswith("did:key:"):
            return did.parse_did_key(issuer)
        if issuer.startswith("did:jwk:"):
            return did.parse_did_jwk(issuer)
    except CzmcError:
        return None
    return None


def _resolve_key(
    header: Mapping[str, Any],
    kid: str | None,
    issuer: Any,
    resolver: did.Resolver,
    trusted_keys: Mapping[str, Collection[PublicKey]] | None,
) -> tuple[did.ResolvedKey, str | None]:
    """The issuer's key named by the header, and why it is bound to the issuer if not by resolution."""
    if not isinstance(issuer, str):
        raise _KeyProblemError("key", "claims.issuer", "the credential has no issuer id")
    if "jwk" in header:
        try:
            embedded = PublicKey.from_jwk(header["jwk"])
        except CzmcError as error:
            raise _KeyProblemError("key", error.code, f"header 'jwk': {error.message}") from None
        method = f"urn:ietf:params:oauth:jwk-thumbprint:sha-256:{embedded.thumbprint}"
        resolved = did.ResolvedKey(embedded, method, issuer, frozenset({"assertionMethod"}))
        if embedded == _self_certified_key(issuer):
            return resolved, f"the embedded key is the key the issuer id {issuer[:60]}... is made of"
        if embedded in (trusted_keys or {}).get(issuer, ()):
            return resolved, f"the embedded key is trusted by the caller for issuer {issuer}"
        raise _KeyProblemError(
            "key",
            "key.untrusted_embedded",
            "the header embeds a key ('jwk') that is neither the issuer's own did:key/did:jwk nor trusted "
            "for this issuer (trusted_keys)",
        )
    if kid is None:  # pragma: no cover - the header check requires kid or jwk
        raise _KeyProblemError("key", "header.key", "the header names no key")
    absolute = issuer + kid if kid.startswith("#") and issuer.startswith("did:") else kid
    try:
        return resolver.resolve_key(absolute), None
    except CzmcError as error:
        raise _KeyProblemError("key", error.code, f"kid {absolute!r} did not resolve: {error.message}") from None
