"""The two generations of the W3C Verifiable Credentials Data Model that Open Badges 3.0 uses.

OB 3.0.0-3.0.2 credentials are VC Data Model 1.1 credentials (context
``https://www.w3.org/2018/credentials/v1``, ``issuanceDate``/``expirationDate``); OB 3.0.3
moved to VC Data Model 2.0 (``https://www.w3.org/ns/credentials/v2``,
``validFrom``/``validUntil``). The first ``@context`` entry tells which (VCDM 1.1 section
4.1, VCDM 2.0 section 4.3); the generation decides the dates a credential must carry and the
JSON Schemas that apply.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

__all__ = [
    "VC1_CONTEXT",
    "VC2_CONTEXT",
    "Generation",
    "TimeBound",
    "end_of",
    "generation",
    "parse_datetime",
    "start_of",
    "time_problem",
    "to_vc2",
    "to_vc11",
]

VC1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
VC2_CONTEXT = "https://www.w3.org/ns/credentials/v2"


class Generation(StrEnum):
    """Which VC Data Model a credential follows."""

    VC2 = "2.0"
    VC11 = "1.1"


def generation(credential: Mapping[str, Any]) -> Generation | None:
    """The data model ``credential`` follows by its first ``@context``; None if it names neither."""
    contexts = credential.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    if first == VC2_CONTEXT:
        return Generation.VC2
    if first == VC1_CONTEXT:
        return Generation.VC11
    return None


def start_of(credential: Mapping[str, Any]) -> Any:
    """The credential's start of validity as written: ``validFrom`` (2.0) or ``issuanceDate`` (1.1)."""
    if generation(credential) is Generation.VC11:
        return credential.get("issuanceDate")
    return credential.get("validFrom")


def end_of(credential: Mapping[str, Any]) -> Any:
    """The credential's end of validity as written: ``validUntil`` (2.0) or ``expirationDate`` (1.1)."""
    if generation(credential) is Generation.VC11:
        return credential.get("expirationDate")
    return credential.get("validUntil")


def parse_datetime(value: Any) -> datetime | None:
    """An XML Schema dateTime with a timezone as a datetime; None if absent. ValueError/TypeError if malformed."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise TypeError(f"a date-time string, not {type(value).__name__}")
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no timezone")
    return moment


_VC2_ONLY_DATES = {"validFrom": "issuanceDate", "validUntil": "expirationDate"}


def to_vc11(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The VC Data Model 1.1 form of a VC 2.0 Open Badges 3.0 credential, for verifiers that know only 1.1.

    The VC v1 context replaces the VC v2 one; ``validFrom``/``validUntil`` become
    ``issuanceDate``/``expirationDate``. Every other member is kept, and so is the OB
    context: 3.0.3 defines ``awardedDate`` and ``inLanguage``, which the contexts of the 1.1
    era (3.0.0-3.0.2) lack, and it is compatible with the VC v1 context (no protected term
    is redefined). A credential already in 1.1 form is returned as a copy. Raises
    ValueError for a credential of neither generation.
    """
    found = generation(credential)
    if found is Generation.VC11:
        return dict(credential)
    if found is None:
        raise ValueError("not a VC Data Model 1.1 or 2.0 credential (its first @context)")
    contexts = [VC1_CONTEXT if item == VC2_CONTEXT else item for item in credential["@context"]]
    if _uses_bitstring_status(credential) and STATUS_CONTEXT not in contexts:
        # VC v2 defines the Bitstring Status List terms; VC v1 needs their own context (BSL 1.0 section 2).
        contexts.insert(1, STATUS_CONTEXT)
    converted: dict[str, Any] = {}
    for name, value in credential.items():
        if name == "@context":
            converted[name] = contexts
        else:
            converted[_VC2_ONLY_DATES.get(name, name)] = value
    return converted


STATUS_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"
"""The Bitstring Status List context a VC 1.1 credential needs for its status terms."""


def _uses_bitstring_status(credential: Mapping[str, Any]) -> bool:
    nodes = [credential, credential.get("credentialSubject"), *_as_list(credential.get("credentialStatus"))]
    return any(
        isinstance(node, Mapping)
        and any(isinstance(kind, str) and kind.startswith("BitstringStatusList") for kind in _as_list(node.get("type")))
        for node in nodes
    )


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


_OB_CONTEXT_303 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
_OB_CONTEXTS_VC11 = frozenset(
    {
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json",
        "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json",
    }
)
_VC11_ONLY_DATES = {old: new for new, old in _VC2_ONLY_DATES.items()}


def to_vc2(credential: Mapping[str, Any]) -> dict[str, Any]:
    """The VC Data Model 2.0 reading of a VC 1.1 Open Badges 3.0 credential (the inverse of :func:`to_vc11`).

    Used to read a 1.1 credential's content with the same code as a 2.0 one (e.g. into
    czmc's model); the result is not the credential that was signed.
    """
    if generation(credential) is not Generation.VC11:
        return dict(credential)
    converted: dict[str, Any] = {}
    for name, value in credential.items():
        if name == "@context":
            converted[name] = [
                VC2_CONTEXT if item == VC1_CONTEXT else _OB_CONTEXT_303 if item in _OB_CONTEXTS_VC11 else item
                for item in value
            ]
        else:
            converted[_VC11_ONLY_DATES.get(name, name)] = value
    return converted


@dataclass(frozen=True, slots=True)
class TimeBound:
    """A validity window a proof states besides the credential's own dates (e.g. JWT ``nbf``/``exp``).

    ``issued`` is when the proof says it was made (JWT ``iat``, Data Integrity ``created``);
    a time beyond now and the leeway is refused.
    """

    label: str
    start: datetime | None = None
    end: datetime | None = None
    issued: datetime | None = None
    readable: bool = True
    """False when the proof's times could not be read: the time check then fails."""


def time_problem(
    credential: Mapping[str, Any], bounds: Iterable[TimeBound], now: datetime, leeway: timedelta
) -> tuple[str, str] | None:
    """Why ``credential`` is not valid at ``now`` (a code and a message), or None if it is.

    Checks the credential's own validity period by its generation (``validFrom``/``validUntil``
    or ``issuanceDate``/``expirationDate``) and every bound its proof states, each with
    ``leeway`` for clock skew.
    """
    earliest, latest = now + leeway, now - leeway
    generation_found = generation(credential)
    start_name, end_name = (
        ("issuanceDate", "expirationDate")
        if generation_found is Generation.VC11
        else (
            "validFrom",
            "validUntil",
        )
    )
    try:
        start = parse_datetime(credential.get(start_name))
        end = parse_datetime(credential.get(end_name))
    except (TypeError, ValueError, OverflowError):
        return "time.invalid", f"the credential's {start_name}/{end_name} are not date-times with a timezone"
    bounds = tuple(bounds)
    for bound in bounds:
        if not bound.readable:
            return "time.invalid", f"{bound.label}: its times are not numbers of seconds within range"
    windows = [("the credential", start, end, None), *((b.label, b.start, b.end, b.issued) for b in bounds)]
    for label, begins, ends, issued in windows:
        if issued is not None and issued > earliest:
            return (
                "time.issued_in_future",
                f"{label} says it was issued at {issued.isoformat()}, after now ({now.isoformat()})",
            )
        if begins is not None and begins > earliest:
            return "time.not_yet_valid", f"{label} is not valid before {begins.isoformat()} (now {now.isoformat()})"
        if ends is not None and ends <= latest:
            return "time.expired", f"{label} expired at {ends.isoformat()} (now {now.isoformat()})"
    return None
