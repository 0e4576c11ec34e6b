"""DIDs and key resolution: turn a JWS ``kid`` into the one public key it names.

A verifier gets a ``kid`` from a JWT header and needs the issuer's public key. czmc resolves:

- ``did:key`` (W3C CCG did:key v0.9; Ed25519 ``z6Mk…`` and P-256 ``zDn…``) and ``did:jwk``
  (https://github.com/quartzjer/did-jwk) offline: the key is in the identifier.
- ``did:web`` (W3C CCG did:web): fetches ``https://<domain>/.well-known/did.json`` (or
  ``/<path>/did.json``) through a :class:`~czmc.http.Fetcher`, checks the document ``id``,
  finds the verification method by its absolute DID URL and reads ``JsonWebKey``/
  ``JsonWebKey2020`` (``publicKeyJwk``) or ``Multikey``/``Ed25519VerificationKey2020``
  (``publicKeyMultibase``) keys (Controlled Identifiers 1.0 §2.2).
- ``https`` key URLs, which OB 3.0 §8 requires verifiers to support: the URL dereferences to
  a JWK, or to a JWK Set from which the key whose ``kid`` is the URL fragment is chosen.

A resolver never falls back to another key: a ``kid`` that names no key, or several, is a
:class:`~czmc.errors.ResolutionError`. Which keys may sign for which issuer is decided by
:func:`issuer_id_matches_kid`.
"""

from __future__ import annotations

import copy
import functools
import ipaddress
import json
import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable
from urllib.parse import unquote, urlsplit

from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from multiformats import multibase, multicodec

from czmc import _b64
from czmc._did_syntax import DID_PATTERN
from czmc.errors import InputError, InvalidKeyError, ResolutionError
from czmc.http import Fetcher, _host_problem
from czmc.inputs import parse_document
from czmc.keys import PublicKey

__all__ = [
    "DID_CONTEXT",
    "DID_PATTERN",
    "JWK_CONTEXT",
    "JWS_2020_CONTEXT",
    "MULTIKEY_CONTEXT",
    "DefaultResolver",
    "ResolvedKey",
    "Resolver",
    "ResolverCache",
    "did_jwk",
    "did_jwk_document",
    "did_key",
    "did_key_document",
    "did_web_document",
    "did_web_url",
    "issuer_id_matches_kid",
    "parse_did_jwk",
    "parse_did_key",
]

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
JWK_CONTEXT = "https://w3id.org/security/jwk/v1"
JWS_2020_CONTEXT = "https://w3id.org/security/suites/jws-2020/v1"

MAX_KID_LENGTH = 4096
"""Longest ``kid`` czmc resolves; a did:jwk of an RSA-4096 key is about 1,000 characters."""

_RELATIONSHIPS = ("assertionMethod", "authentication", "capabilityInvocation", "capabilityDelegation", "keyAgreement")
_SIGNING_RELATIONSHIPS = frozenset(_RELATIONSHIPS[:4])
_PRIVATE_MEMBERS = ("privateKeyJwk", "privateKeyMultibase", "secretKeyMultibase", "privateKeyBase58")
_JWK_TYPES = frozenset({"JsonWebKey", "JsonWebKey2020"})
_MULTIBASE_TYPES = frozenset({"Multikey", "Ed25519VerificationKey2020"})
_CODEC_OF = {"Ed25519": "ed25519-pub", "P-256": "p256-pub"}
_LENGTH_OF = {"ed25519-pub": 32, "p256-pub": 33}
_MAX_MULTIKEY_LENGTH = 128  # base58 decoding is quadratic; P-256 keys take 49 characters

_WHITESPACE = re.compile(r"\s")
_LABEL = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_PORT = re.compile(r"[1-9][0-9]{0,4}")
_NUMERIC_LABEL = re.compile(r"[0-9]+|0[xX][0-9A-Fa-f]*")
# RFC 3986 3.5 fragment characters, without percent-encoding.
_FRAGMENT = re.compile(r"[A-Za-z0-9._~!$&'()*+,;=:@/?-]+")


@dataclass(frozen=True, slots=True)
class ResolvedKey:
    """A public key and what it is: its id, its controller, its verification relationships.

    ``method_id`` is the absolute DID URL or https URL of the key; ``controller`` the DID that
    controls it (for an https key URL, the URL's origin ``https://host[:port]``);
    ``relationships`` the DID verification relationships the key is listed in
    (``assertionMethod``, ``authentication``, ...; empty for https key URLs).
    """

    key: PublicKey
    method_id: str
    controller: str
    relationships: frozenset[str] = frozenset()


@runtime_checkable
class Resolver(Protocol):
    """Turns a ``kid`` into exactly the key it names, or raises ResolutionError.

    Implement it to plug in your own key source (a university key registry, a pinned set
    of DID documents). Never return a different key than the one named, e.g. "the only key
    we have" for an unknown ``kid``.
    """

    def resolve_key(self, kid: str) -> ResolvedKey:
        """The key ``kid`` names; :class:`~czmc.errors.ResolutionError` if it cannot be resolved."""
        ...


# --- Multikey / did:key ----------------------------------------------------------------------------


def _multikey(public: PublicKey) -> str:
    """``z`` + base58btc(multicodec varint ‖ raw key) (Controlled Identifiers 1.0 §2.2.2)."""
    codec = _CODEC_OF.get(public.kind)
    if codec is None:
        raise InvalidKeyError(
            "key.type", f"{public.kind} keys have no Multikey/did:key form; publish them with did:web or a JWK URL"
        )
    encoded: str = multibase.encode(multicodec.wrap(codec, public.raw), "base58btc")
    return encoded


@functools.lru_cache(maxsize=1024)
def _parse_multikey(value: str, code: str) -> PublicKey:
    """The key of a ``publicKeyMultibase``/did:key value, checked strictly; ResolutionError(code)."""
    if not value.startswith("z") or len(value) > _MAX_MULTIKEY_LENGTH:
        raise ResolutionError(code, f"{value[:60]!r} is not a base58btc ('z') multibase key")
    try:
        codec, raw = multicodec.unwrap(multibase.decode(value))
    except (ValueError, KeyError) as error:
        raise ResolutionError(code, f"{value!r} is not a multicodec-prefixed base58btc key: {error}") from None
    try:
        key: ed25519.Ed25519PublicKey | ec.EllipticCurvePublicKey
        if codec.name == "ed25519-pub" and len(raw) == 32:
            key = ed25519.Ed25519PublicKey.from_public_bytes(raw)
        elif codec.name == "p256-pub" and len(raw) == 33 and raw[0] in (2, 3):
            key = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
        elif codec.name in _LENGTH_OF:
            raise ResolutionError(code, f"{value!r}: a {codec.name} key must be {_LENGTH_OF[codec.name]} bytes")
        else:
            raise ResolutionError(
                "resolution.unsupported_key", f"{value!r} holds a {codec.name} key; czmc supports Ed25519 and P-256"
            )
        public = PublicKey(key)
    except ValueError as error:
        raise ResolutionError(code, f"{value!r} is not a valid {codec.name} point: {error}") from None
    except InvalidKeyError as error:
        raise ResolutionError(code, f"{value!r}: {error.message}") from None
    if _multikey(public) != value:  # e.g. a non-minimal varint: one key, one encoding
        raise ResolutionError(code, f"{value!r} is not the canonical encoding of its key")
    return public


def did_key(public: PublicKey) -> str:
    """The ``did:key`` of an Ed25519 or P-256 key (did:key v0.9 §3.1); InvalidKeyError for RSA."""
    return "did:key:" + _multikey(public)


def parse_did_key(did: str) -> PublicKey:
    """The key of a ``did:key`` DID (no fragment), checked strictly (did:key v0.9 §3.1.2).

    Only base58btc (``z``), Ed25519 (0xed) and P-256 (0x1200, compressed) are accepted, with
    exactly 32/33 key bytes, a point on the curve and (Ed25519) not of small order.
    Raises ResolutionError ``resolution.invalid_did`` (or ``resolution.unsupported_key``).
    """
    if not isinstance(did, str) or not did.startswith("did:key:"):
        raise ResolutionError("resolution.invalid_did", f"{str(did)[:80]!r} is not a did:key DID")
    return _parse_multikey(did[len("did:key:") :], "resolution.invalid_did")


def did_key_document(did: str) -> dict[str, Any]:
    """The DID document a ``did:key`` expands to: one ``Multikey`` method in four relationships.

    did:key v0.9 §3.1.2 with ``Multikey`` (CID 1.0 §2.2.2); no X25519 ``keyAgreement`` key.
    """
    parse_did_key(did)
    method = f"{did}#{did[len('did:key:') :]}"
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [
            {"id": method, "type": "Multikey", "controller": did, "publicKeyMultibase": did[len("did:key:") :]}
        ],
        **{relationship: [method] for relationship in _RELATIONSHIPS[:4]},
    }


# --- did:jwk -----------------------------------------------------------------------------------------


def did_jwk(public: PublicKey) -> str:
    """``did:jwk:`` + base64url of the public JWK as compact JSON with sorted members."""
    text = json.dumps(public.jwk(), sort_keys=True, separators=(",", ":"))
    return "did:jwk:" + _b64.encode(text.encode("utf-8"))


def _import_jwk(jwk: Any, where: str, code: str, *, signing_only: bool = True) -> PublicKey:
    """A strictly imported public JWK whose ``alg``/``use``/``key_ops`` allow verifying signatures."""
    if not isinstance(jwk, dict):
        raise ResolutionError(code, f"{where}: the key must be a JWK (a JSON object)")
    try:
        public = PublicKey.from_jwk(jwk)
    except InvalidKeyError as error:
        raise ResolutionError(code, f"{where}: {error.message}") from None
    alg = jwk.get("alg")
    if alg is not None and alg not in {algorithm.value for algorithm in public.algorithms}:
        raise ResolutionError(code, f"{where}: JWK 'alg' {alg!r} does not fit a {public.kind} key")
    use = jwk.get("use")
    if use is not None and use not in (("sig",) if signing_only else ("sig", "enc")):
        raise ResolutionError(code, f"{where}: JWK 'use' is {use!r}, not 'sig'")
    key_ops = jwk.get("key_ops")
    if key_ops is not None and (not isinstance(key_ops, list) or "verify" not in key_ops):
        raise ResolutionError(code, f"{where}: JWK 'key_ops' does not allow 'verify'")
    return public


@functools.lru_cache(maxsize=1024)
def _parse_did_jwk(did: str) -> tuple[PublicKey, frozenset[str]]:
    where = f"{did[:60]}…" if len(did) > 60 else did
    if not did.startswith("did:jwk:") or len(did) > MAX_KID_LENGTH:
        raise ResolutionError("resolution.invalid_did", f"{where!r} is not a did:jwk DID")
    try:
        text = _b64.decode(did[len("did:jwk:") :]).decode("utf-8")
        jwk = parse_document(text, source="did:jwk")
    except (ValueError, InputError) as error:
        detail = "; ".join(str(issue) for issue in error.issues) if isinstance(error, InputError) else str(error)
        raise ResolutionError("resolution.invalid_did", f"{where!r} does not encode a JSON JWK: {detail}") from None
    public = _import_jwk(jwk, where, "resolution.invalid_did", signing_only=False)
    use = jwk.get("use")
    # did:jwk "To create the DID Document": "sig" drops keyAgreement, "enc" keeps only it.
    if use == "sig":
        return public, _SIGNING_RELATIONSHIPS
    if use == "enc":
        return public, frozenset({"keyAgreement"})
    return public, frozenset(_RELATIONSHIPS)


def parse_did_jwk(did: str) -> PublicKey:
    """The key of a ``did:jwk`` DID: strict base64url, UTF-8 JSON without duplicate members,
    a public JWK only (a private member such as ``d`` is refused). ResolutionError otherwise."""
    if not isinstance(did, str):
        raise ResolutionError("resolution.invalid_did", "a did:jwk DID must be a string")
    return _parse_did_jwk(did)[0]


def did_jwk_document(did: str) -> dict[str, Any]:
    """The DID document of a ``did:jwk``: one ``JsonWebKey2020`` method ``#0``, as the did:jwk
    specification defines it (did-jwt and other peers derive the same document).
    """
    if not isinstance(did, str):
        raise ResolutionError("resolution.invalid_did", "a did:jwk DID must be a string")
    _public, relationships = _parse_did_jwk(did)
    jwk = json.loads(_b64.decode(did[len("did:jwk:") :]))
    method = f"{did}#0"
    return {
        "@context": [DID_CONTEXT, JWS_2020_CONTEXT],
        "id": did,
        "verificationMethod": [{"id": method, "type": "JsonWebKey2020", "controller": did, "publicKeyJwk": jwk}],
        **{relationship: [method] for relationship in _RELATIONSHIPS if relationship in relationships},
    }


# --- did:web -----------------------------------------------------------------------------------------


def _is_ip_literal(host: str) -> bool:
    """Whether a host is an IP address, including forms URL parsers read as IPv4 (``127.1``, ``0x7f.1``)."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return _NUMERIC_LABEL.fullmatch(host.rstrip(".").rsplit(".", 1)[-1]) is not None
    return True


def _parse_did_web(did: str, *, allow_ip_hosts: bool) -> tuple[str, int | None, list[str]]:
    """Host, port and path segments (still percent-encoded) of a ``did:web`` DID."""
    shown = did[:80] if isinstance(did, str) else did
    if not isinstance(did, str) or not did.startswith("did:web:") or not DID_PATTERN.fullmatch(did):
        raise ResolutionError("resolution.invalid_did", f"{shown!r} is not a did:web DID")
    domain, *segments = did[len("did:web:") :].split(":")
    host, colon, port_text = re.sub("%3[Aa]", ":", domain).partition(":")
    if "%" in host or not host or len(host) > 253 or not all(_LABEL.fullmatch(label) for label in host.split(".")):
        raise ResolutionError("resolution.invalid_did", f"{shown!r}: {host!r} is not a domain name")
    if colon and not (_PORT.fullmatch(port_text) and int(port_text) <= 65535):
        raise ResolutionError("resolution.invalid_did", f"{shown!r}: {port_text!r} is not a port number")
    if _is_ip_literal(host) and not allow_ip_hosts:
        raise ResolutionError("resolution.invalid_did", f"{shown!r}: did:web MUST NOT use an IP address (did:web §3.1)")
    for segment in segments:
        try:
            decoded = unquote(segment, errors="strict")
        except UnicodeDecodeError:
            decoded = "\0"
        if (
            not segment
            or decoded in (".", "..")
            or any(char in decoded for char in "/\\?#")
            or not decoded.isprintable()
        ):
            raise ResolutionError("resolution.invalid_did", f"{shown!r}: path segment {segment!r} is not allowed")
    return host, int(port_text) if port_text else None, segments


def did_web_url(did: str, *, allow_ip_hosts: bool = False) -> str:
    """The https URL of a ``did:web`` DID's document (did:web §3.2 "Read (Resolve)").

    ``did:web:cuni.cz`` -> ``https://cuni.cz/.well-known/did.json``;
    ``did:web:cuni.cz:mc:issuer`` -> ``https://cuni.cz/mc/issuer/did.json``;
    ``did:web:example.com%3A3000`` -> ``https://example.com:3000/.well-known/did.json``.
    IP addresses are refused (the spec says MUST NOT) unless ``allow_ip_hosts`` (tests).
    Raises ResolutionError ``resolution.invalid_did``.
    """
    host, port, segments = _parse_did_web(did, allow_ip_hosts=allow_ip_hosts)
    authority = host if port is None else f"{host}:{port}"
    path = "/".join(segments) if segments else ".well-known"
    return f"https://{authority}/{path}/did.json"


def did_web_document(
    did: str, keys: Sequence[tuple[str | None, PublicKey]], *, allow_ip_hosts: bool = False, compatible: bool = True
) -> dict[str, Any]:
    """A DID document to publish at :func:`did_web_url` for ``did``, listing ``keys``.

    Each ``(key_id, public_key)`` becomes a ``JsonWebKey`` method (VC-JOSE-COSE §4.3) with
    ``publicKeyJwk``, in ``assertionMethod`` and ``authentication``. With ``compatible`` (the
    default) each key is listed a second time as a ``JsonWebKey2020`` method, id
    ``#<fragment>-2020``: verifiers built on did-jwt and other pre-CID libraries know only that
    type and would otherwise find no key. ``key_id`` may be a
    fragment (``key-1``, ``#key-1``), a DID URL of ``did`` (``did:web:…#key-1``) or None for
    the RFC 7638 thumbprint (CID 1.0 §2.2.3 recommends it). The JWK carries ``kid`` = the
    fragment and, for Ed25519 and P-256, its only ``alg``. Raises ValueError for a bad key id.
    """
    _parse_did_web(did, allow_ip_hosts=allow_ip_hosts)
    if not keys:
        raise ValueError("a DID document needs at least one key")
    methods: list[dict[str, Any]] = []
    for key_id, public in keys:
        fragment = public.thumbprint if key_id is None else key_id.removeprefix(did).removeprefix("#")
        if not _FRAGMENT.fullmatch(fragment) or (
            key_id is not None and key_id.startswith("did:") and "#" not in key_id
        ):
            raise ValueError(f"key id {key_id!r} is not a fragment or a DID URL of {did}")
        if any(method["id"] == f"{did}#{fragment}" for method in methods):
            raise ValueError(f"two keys share the id {did}#{fragment}")
        algorithms = sorted(public.algorithms)
        jwk = public.jwk(kid=fragment, alg=algorithms[0] if len(algorithms) == 1 else None)
        methods.append({"id": f"{did}#{fragment}", "type": "JsonWebKey", "controller": did, "publicKeyJwk": jwk})
    if compatible:
        methods += [
            {**method, "id": f"{method['id']}-2020", "type": "JsonWebKey2020"}
            for method in list(methods)
            if not any(other["id"] == f"{method['id']}-2020" for other in methods)
        ]
    return {
        "@context": [DID_CONTEXT, JWK_CONTEXT, *([JWS_2020_CONTEXT] if compatible else [])],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [method["id"] for method in methods],
        "authentication": [method["id"] for method in methods],
    }


# --- reading DID documents -----------------------------------------------------------------------------


def _absolute(did: str, reference: str) -> str:
    """A method id in ``did``'s document made absolute: ``#key-1`` -> ``did#key-1`` (DID Core 3.2.2)."""
    return did + reference if reference.startswith("#") else reference


def _list_member(document: Mapping[str, Any], name: str, did: str) -> list[Any]:
    value = document.get(name, [])
    if not isinstance(value, list):
        raise ResolutionError("resolution.invalid_document", f"the document of {did}: {name!r} must be an array")
    return value


def _key_from_document(did: str, document: Mapping[str, Any], kid: str) -> ResolvedKey:
    """The verification method ``kid`` of ``did``'s document, with its relationships (DID Core 5.2, 5.3)."""
    found: list[dict[str, Any]] = []
    relationships: set[str] = set()
    for entry in _list_member(document, "verificationMethod", did):
        if isinstance(entry, dict) and isinstance(entry.get("id"), str) and _absolute(did, entry["id"]) == kid:
            found.append(entry)
    for relationship in _RELATIONSHIPS:
        for entry in _list_member(document, relationship, did):
            if isinstance(entry, str) and _absolute(did, entry) == kid:
                relationships.add(relationship)
            elif isinstance(entry, dict) and isinstance(entry.get("id"), str) and _absolute(did, entry["id"]) == kid:
                relationships.add(relationship)
                found.append(entry)
    if not found:
        raise ResolutionError("resolution.not_found", f"the DID document of {did} has no verification method {kid}")
    distinct = {json.dumps({**entry, "id": kid}, sort_keys=True) for entry in found}
    if len(distinct) > 1:
        raise ResolutionError("resolution.ambiguous_key", f"the DID document of {did} defines {kid} more than once")
    method = found[0]
    if method.get("controller") != did:
        raise ResolutionError(
            "resolution.controller_mismatch",
            f"{kid} is controlled by {method.get('controller')!r}, not by {did}; czmc only accepts a DID's own keys",
        )
    return ResolvedKey(_method_key(method, kid), kid, did, frozenset(relationships))


def _method_key(method: Mapping[str, Any], kid: str) -> PublicKey:
    """The public key of a verification method (CID 1.0 §2.2.2 Multikey, §2.2.3 JsonWebKey)."""
    private = [name for name in _PRIVATE_MEMBERS if name in method]
    if private:
        raise ResolutionError("resolution.invalid_key", f"{kid} publishes private key material ({private[0]})")
    kind = method.get("type")
    if "publicKeyJwk" in method and "publicKeyMultibase" in method:
        raise ResolutionError("resolution.invalid_key", f"{kid} has both publicKeyJwk and publicKeyMultibase")
    if kind in _JWK_TYPES:
        if "publicKeyJwk" not in method:
            raise ResolutionError("resolution.invalid_key", f"{kid} is a {kind} without publicKeyJwk")
        return _import_jwk(method["publicKeyJwk"], kid, "resolution.invalid_key")
    if kind in _MULTIBASE_TYPES:
        value = method.get("publicKeyMultibase")
        if not isinstance(value, str):
            raise ResolutionError("resolution.invalid_key", f"{kid} is a {kind} without a publicKeyMultibase string")
        public = _parse_multikey(value, "resolution.invalid_key")
        if kind == "Ed25519VerificationKey2020" and public.kind != "Ed25519":
            raise ResolutionError(
                "resolution.invalid_key", f"{kid} is an Ed25519VerificationKey2020 with a {public.kind} key"
            )
        return public
    raise ResolutionError(
        "resolution.unsupported_method_type",
        f"{kid} has type {kind!r}; czmc reads JsonWebKey, JsonWebKey2020, Multikey and Ed25519VerificationKey2020",
    )


# --- the resolver ------------------------------------------------------------------------------------


class ResolverCache:
    """A thread-safe cache whose entries expire ``ttl`` seconds after they were stored.

    Holds fetched documents and resolved keys; failures are never stored, so a fixed
    server is seen at the next try. At most ``max_entries`` live entries, oldest dropped first.
    """

    def __init__(
        self, ttl: float = 300.0, clock: Callable[[], float] = time.monotonic, *, max_entries: int = 1024
    ) -> None:
        self.ttl = ttl
        self.clock = clock
        self.max_entries = max_entries
        self._entries: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> Any | None:
        """The value stored under ``key`` if it has not expired, else None."""
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            if self.clock() >= entry[0]:
                del self._entries[key]
                return None
            return entry[1]

    def put(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key`` for ``ttl`` seconds (nothing if ``ttl`` <= 0)."""
        if self.ttl <= 0:
            return
        with self._lock:
            self._entries.pop(key, None)
            while len(self._entries) >= self.max_entries:
                del self._entries[next(iter(self._entries))]
            self._entries[key] = (self.clock() + self.ttl, value)

    def clear(self) -> None:
        """Forget everything."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)


class DefaultResolver:
    """Resolves ``did:key``, ``did:jwk``, ``did:web`` and ``https`` key URLs.

    ``did:key`` and ``did:jwk`` need nothing. ``did:web`` DIDs and https key URLs are fetched
    with ``fetcher`` (e.g. :class:`~czmc.http.HttpsFetcher`); without one they raise
    ``resolution.offline``. ``documents`` are DID documents the caller already trusts (e.g. a
    ``did.json`` shipped with the verifier): a DID with a document here is never fetched, and
    documents make any other DID method resolvable offline too.

    Fetched documents and resolved keys are cached for ``cache_ttl`` seconds of ``clock``;
    pass ``cache_ttl=0`` to fetch every time. ``allow_ip_hosts`` lets did:web DIDs and key
    URLs name IP addresses (for tests; did:web forbids them). Safe to share between threads.
    """

    def __init__(
        self,
        fetcher: Fetcher | None = None,
        cache_ttl: float = 300.0,
        clock: Callable[[], float] = time.monotonic,
        allow_ip_hosts: bool = False,
        *,
        documents: Iterable[Mapping[str, Any]] = (),
    ) -> None:
        self.fetcher = fetcher
        self.allow_ip_hosts = allow_ip_hosts
        self.cache = ResolverCache(cache_ttl, clock)
        self._documents: dict[str, dict[str, Any]] = {}
        for document in documents:
            identifier = document.get("id") if isinstance(document, Mapping) else None
            if not isinstance(identifier, str) or not DID_PATTERN.fullmatch(identifier):
                raise ResolutionError(
                    "resolution.invalid_document", "a trusted DID document needs an 'id' that is a DID"
                )
            known = self._documents.setdefault(identifier, copy.deepcopy(dict(document)))
            if known != document:
                raise ResolutionError(
                    "resolution.invalid_document", f"two different documents were given for {identifier}"
                )

    def __repr__(self) -> str:
        trusted = sorted(self._documents)
        return f"DefaultResolver(fetcher={self.fetcher!r}, cache_ttl={self.cache.ttl}, documents={trusted})"

    def resolve_key(self, kid: str) -> ResolvedKey:
        """The key ``kid`` names (an absolute DID URL with a fragment, or an https URL).

        Raises ResolutionError: ``resolution.invalid_kid``, ``resolution.invalid_did``,
        ``resolution.method_not_supported``, ``resolution.offline``, ``resolution.not_found``,
        ``resolution.id_mismatch``, ``resolution.controller_mismatch``, ``resolution.invalid_key``,
        ``resolution.invalid_json``, ... or a FetchError (``http.*``) from the fetcher.
        """
        if (
            not isinstance(kid, str)
            or not kid
            or len(kid) > MAX_KID_LENGTH
            or not kid.isprintable()
            or _WHITESPACE.search(kid)
        ):
            shown = kid[:80] if isinstance(kid, str) else type(kid).__name__
            raise ResolutionError("resolution.invalid_kid", f"kid {shown!r} is not a DID URL or an https URL")
        if kid.startswith(("did:key:", "did:jwk:")):
            return self._resolve_pure(kid)
        cached = self.cache.get("key " + kid)
        if isinstance(cached, ResolvedKey):
            return cached
        if kid.startswith("did:"):
            resolved = self._resolve_did_url(kid)
        elif kid.lower().startswith(("https://", "http://")):
            resolved = self._resolve_key_url(kid)
        else:
            raise ResolutionError("resolution.invalid_kid", f"kid {kid[:80]!r} is neither a DID URL nor an https URL")
        self.cache.put("key " + kid, resolved)
        return resolved

    def resolve_did(self, did: str) -> dict[str, Any]:
        """The DID document of ``did`` (a copy): derived, trusted (``documents``) or fetched."""
        if isinstance(did, str) and did.startswith("did:key:"):
            return did_key_document(did)
        if isinstance(did, str) and did.startswith("did:jwk:"):
            return did_jwk_document(did)
        return copy.deepcopy(self._document(did))

    @staticmethod
    def _split_did_url(kid: str) -> tuple[str, str]:
        did, hash_sign, fragment = kid.partition("#")
        if not hash_sign or not fragment:
            raise ResolutionError(
                "resolution.invalid_kid",
                f"kid {kid[:80]!r} must name a verification method: a DID URL with a #fragment",
            )
        if not DID_PATTERN.fullmatch(did):
            raise ResolutionError(
                "resolution.invalid_did", f"{did[:80]!r} is not a DID (DID URL paths and queries are not supported)"
            )
        return did, fragment

    def _resolve_pure(self, kid: str) -> ResolvedKey:
        did, fragment = self._split_did_url(kid)
        if did.startswith("did:key:"):
            public = parse_did_key(did)
            if fragment != did[len("did:key:") :]:
                raise ResolutionError(
                    "resolution.not_found", f"{did} has one key, #{did[len('did:key:') :]}, not #{fragment}"
                )
            return ResolvedKey(public, kid, did, _SIGNING_RELATIONSHIPS)
        public, relationships = _parse_did_jwk(did)
        if fragment != "0":
            raise ResolutionError("resolution.not_found", f"a did:jwk has one key, #0, not #{fragment}")
        return ResolvedKey(public, kid, did, relationships)

    def _resolve_did_url(self, kid: str) -> ResolvedKey:
        did, _fragment = self._split_did_url(kid)
        return _key_from_document(did, self._document(did), kid)

    def _document(self, did: str) -> dict[str, Any]:
        trusted = self._documents.get(did)
        if trusted is not None:
            return trusted
        if not isinstance(did, str) or not did.startswith("did:web:"):
            method = did.split(":")[1] if isinstance(did, str) and did.count(":") >= 2 else "?"
            raise ResolutionError(
                "resolution.method_not_supported",
                f"did:{method} is not supported (did:key, did:jwk, did:web); pass its DID document "
                "(documents=[...], czmc: --did-document)",
            )
        url = did_web_url(did, allow_ip_hosts=self.allow_ip_hosts)
        document = self._fetch_json(url, did)
        if not isinstance(document, dict):
            raise ResolutionError("resolution.invalid_document", f"{url} is not a JSON object")
        if document.get("id") != did:
            raise ResolutionError(
                "resolution.id_mismatch", f"the document at {url} is for {str(document.get('id'))[:80]!r}, not {did}"
            )
        return document

    def _fetch_json(self, url: str, what: str) -> Any:
        cached = self.cache.get("document " + url)
        if cached is not None:
            return cached
        if self.fetcher is None:
            if self._documents:  # the caller pinned documents, just not this one: say so, not "offline"
                given = ", ".join(sorted(self._documents))[:200]
                raise ResolutionError(
                    "resolution.offline",
                    f"the DID documents given are for {given}, not for {what[:80]}; pass the document of "
                    f"{what[:80]} (documents=[...], czmc: --did-document) or fetch it (czmc: --online)",
                )
            raise ResolutionError(
                "resolution.offline",
                f"resolving {what[:80]} needs {url}, but network access is off; pass its DID document "
                "(documents=[...], czmc: --did-document) or a fetcher (fetcher=HttpsFetcher(), czmc: --online)",
            )
        data = self.fetcher.fetch(url)
        try:
            document = parse_document(data.decode("utf-8"), source=url)
        except UnicodeDecodeError:
            raise ResolutionError("resolution.invalid_json", f"{url} is not UTF-8 text") from None
        except InputError as error:
            detail = "; ".join(issue.message for issue in error.issues)
            raise ResolutionError("resolution.invalid_json", detail) from None
        self.cache.put("document " + url, document)
        return document

    def _resolve_key_url(self, kid: str) -> ResolvedKey:
        """An https key URL: a JWK, or the one key of a JWK Set whose ``kid`` is the fragment (OB 3.0 §8)."""
        url, _, fragment = kid.partition("#")
        origin = _url_origin(kid)
        if origin is None:
            raise ResolutionError("resolution.invalid_kid", f"kid {kid[:80]!r} is not an absolute https URL")
        host = urlsplit(kid).hostname or ""
        problem = _host_problem(host)
        if problem is not None:
            raise ResolutionError("resolution.invalid_kid", f"kid {kid[:80]!r}: {problem}")
        if _is_ip_literal(host) and not self.allow_ip_hosts:
            raise ResolutionError("resolution.invalid_kid", f"kid {kid[:80]!r} names an IP address, not a host name")
        document = self._fetch_json(url, kid)
        if not isinstance(document, dict):
            raise ResolutionError("resolution.invalid_document", f"{url} is not a JWK or a JWK Set")
        if "keys" in document:
            keys = document["keys"]
            if "kty" in document or not isinstance(keys, list) or not all(isinstance(key, dict) for key in keys):
                raise ResolutionError("resolution.invalid_document", f"{url} is not a valid JWK Set (RFC 7517 §5)")
            if fragment:
                matches = [key for key in keys if key.get("kid") in (fragment, kid)]
            elif len(keys) == 1:
                matches = keys
            else:
                matches = [key for key in keys if key.get("kid") == kid]
            if not matches:
                raise ResolutionError(
                    "resolution.not_found", f"the JWK Set at {url} has no key with kid {fragment or kid!r}"
                )
            if len(matches) > 1:
                raise ResolutionError("resolution.ambiguous_key", f"the JWK Set at {url} has several keys for {kid}")
            jwk = matches[0]
        else:
            jwk = document
            if fragment and "kid" in jwk and jwk["kid"] not in (fragment, kid):
                raise ResolutionError(
                    "resolution.not_found", f"the JWK at {url} has kid {jwk['kid']!r}, not {fragment!r}"
                )
        return ResolvedKey(_import_jwk(jwk, kid, "resolution.invalid_key"), kid, origin, frozenset())


def _url_origin(url: str) -> str | None:
    """``scheme://host[:port]`` of an http(s) URL (host lower-case, default port left out), or None."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    default = {"https": 443, "http": 80}.get(scheme)
    if default is None or not parts.hostname or parts.username is not None or parts.password is not None:
        return None
    host = f"[{parts.hostname}]" if ":" in parts.hostname else parts.hostname.lower()
    return f"{scheme}://{host}" if port in (None, default) else f"{scheme}://{host}:{port}"


def issuer_id_matches_kid(issuer: str, resolved: ResolvedKey) -> bool:
    """Whether ``resolved`` may sign for ``issuer`` (VC-JOSE-COSE §4, OB 3.0 §8 key binding).

    - DID issuer, DID key: the key's controller is exactly the issuer DID and the key is in
      its ``assertionMethod`` relationship.
    - ``did:web`` issuer, https key URL: the URL's host and port are the did:web domain's.
    - https issuer: the key URL is https on the issuer's host and port (host case-insensitive).
    Everything else is False.
    """
    if not isinstance(issuer, str):
        return False
    if issuer.startswith("did:"):
        if resolved.controller.startswith("did:"):
            return resolved.controller == issuer and "assertionMethod" in resolved.relationships
        if not issuer.startswith("did:web:") or not resolved.method_id.lower().startswith("https://"):
            return False
        try:
            host, port, _segments = _parse_did_web(issuer, allow_ip_hosts=True)
        except ResolutionError:
            return False
        authority = host.lower() if port in (None, 443) else f"{host.lower()}:{port}"
        return _url_origin(resolved.method_id) == f"https://{authority}"
    issuer_origin = _url_origin(issuer)
    return (
        issuer_origin is not None
        and issuer_origin.startswith("https://")
        and _url_origin(resolved.method_id) == issuer_origin
    )
