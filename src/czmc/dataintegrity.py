"""W3C VC Data Integrity proofs: ``eddsa-rdfc-2022`` and ``ecdsa-rdfc-2019`` (sign, verify), ``Ed25519Signature2020``.

The JSON credential with an embedded ``proof`` that Credly, the Digital Bazaar stack and the
OB 3.0 conformance suite use. Algorithms as the cryptosuite Recommendations give them (W3C
"Data Integrity EdDSA Cryptosuites v1.0" §3.3, "Data Integrity ECDSA Cryptosuites v1.0" §3.3,
both 2025-05-15; Ed25519Signature2020 as the W3C CCG suite and jsonld-signatures define it):

1. the document without ``proof`` and the proof options without ``proofValue`` (with the
   document's ``@context``) are canonicalised with RDF Dataset Canonicalization (RDFC-1.0);
2. ``hashData`` = H(canonical proof options) ‖ H(canonical document), H = SHA-256;
3. Ed25519 (RFC 8032) or ECDSA P-256 with SHA-256 (IEEE P1363 ``r ‖ s``) signs ``hashData``;
   ``proofValue`` is multibase base58btc (``z…``).

Canonicalisation: pyld (the maintained JSON-LD 1.1 processor czmc already uses) turns the
JSON-LD into an RDF dataset, in JSON-LD "safe mode" as the Digital Bazaar stack does (a property
or type the contexts leave undefined is an error, not a silent drop), and canonicalises it with
its URDNA2015, counting the deep hashing runs: like rdf-canonize (jsonld.js), czmc refuses a
document that needs more than it has blank nodes without a unique first-degree hash, so it never
issues what wallets on that stack cannot verify, and poison graphs stay cheap. URDNA2015 is
RDFC-1.0 except that pyld writes control characters in literals raw where RDFC-1.0 escapes them;
a document with such a literal is canonicalised by pyoxigraph's RDFC-1.0 instead (as fast as
pyld's, but pyld's dataset must first be serialised for it). Processed JSON-LD contexts are kept
per document loader (the loader must serve the same document for a URL every time, as the
bundled offline loader does): expansion of an OB 3.0 credential is about 4x cheaper from the
second call on, because OB 3.0's type-scoped contexts are no longer processed again per node.

:func:`verify` never raises for bad input: every problem is a failed :class:`~czmc.vcjwt.Check`
with a stable ``di.*`` code. It never trusts the document to choose a key: the verification
method is resolved through the caller's :class:`~czmc.did.Resolver`, must list the proof's
purpose among its verification relationships and must be controlled by the issuer.
"""

from __future__ import annotations

import copy
import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
import pyoxigraph as _ox
from multiformats import multibase
from pyld import canon as _canon
from pyld import jsonld as _pyld
from pyld.context_resolver import ContextResolver as _ContextResolver

from czmc import did
from czmc.errors import CzmcError, DocumentLoaderError, JsonLdError, SigningError
from czmc.jsonld import KEYWORD_SHAPED_ID, DocumentLoader, document_loader, relative_iris
from czmc.keys import Algorithm, Key, PublicKey
from czmc.report import Issue
from czmc.vcjwt import Check, CheckStatus

__all__ = [
    "CHECK_NAMES",
    "CRYPTOSUITES",
    "DATA_INTEGRITY_PROOF",
    "ECDSA_RDFC_2019",
    "ED25519_SIGNATURE_2020",
    "EDDSA_RDFC_2022",
    "MAX_DEPTH",
    "MAX_DOCUMENT_BYTES",
    "ProofInfo",
    "ProofResult",
    "canonicalize",
    "sign",
    "verify",
]

DATA_INTEGRITY_PROOF = "DataIntegrityProof"
ED25519_SIGNATURE_2020 = "Ed25519Signature2020"
EDDSA_RDFC_2022 = "eddsa-rdfc-2022"
ECDSA_RDFC_2019 = "ecdsa-rdfc-2019"
CRYPTOSUITES: Mapping[str, str] = {EDDSA_RDFC_2022: "Ed25519", ECDSA_RDFC_2019: "P-256"}
"""The ``DataIntegrityProof`` cryptosuites czmc signs and verifies, and the key type each needs."""

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
DATA_INTEGRITY_CONTEXTS = (
    VC_V2_CONTEXT,
    "https://w3id.org/security/data-integrity/v2",
    "https://w3id.org/security/data-integrity/v1",
)
"""Contexts that define ``DataIntegrityProof`` and its properties; a signed document needs one."""
ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
_VC_CONTEXTS = (VC_V2_CONTEXT, "https://www.w3.org/2018/credentials/v1")
_VC_TYPES = frozenset({"VerifiableCredential", "VerifiablePresentation"})

CHECK_NAMES: tuple[str, ...] = ("document", "proof", "cryptosuite", "key", "key_binding", "signature", "proof_time")
"""Every check :func:`verify` reports, in order."""

MAX_DOCUMENT_BYTES = 1 << 20
"""Largest document (as compact JSON, UTF-8) czmc canonicalises: an OB 3.0 credential is 3-20 KB."""
MAX_DEPTH = 48
"""Deepest nesting of objects and arrays czmc canonicalises."""
MAX_PROOFS = 16
"""Most proofs in one proof set."""
MAX_QUADS = 50_000
"""Most RDF statements in one canonicalised document."""
_MAX_PROOF_VALUE = 256  # base58 decoding is quadratic; a 96-byte signature takes 132 characters

# XML Schema 1.1 dateTimeStamp: a dateTime with a time zone (VC Data Integrity 1.0 §2.1 "created").
_DATE_TIME_STAMP = re.compile(
    r"-?([1-9][0-9]{3,}|0[0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"T(([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?|24:00:00(\.0+)?)"
    r"(Z|[+-]((0[0-9]|1[0-3]):[0-5][0-9]|14:00))"
)


# --- results -------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProofInfo:
    """What one proof of a document claims (not what was verified: see the checks)."""

    type: str | None
    cryptosuite: str | None
    verification_method: str | None
    purpose: str | None
    created: str | None
    id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping (Data Integrity member names)."""
        return {
            "type": self.type,
            "cryptosuite": self.cryptosuite,
            "verificationMethod": self.verification_method,
            "proofPurpose": self.purpose,
            "created": self.created,
            "id": self.id,
        }


@dataclass(frozen=True)
class ProofResult:
    """Everything :func:`verify` checked; ``valid`` only if every required check passed.

    ``credential`` is the document without ``proof`` (None when the input is not a JSON
    object); ``proofs`` what each proof claims; ``method_id`` the verification method of the
    first proof (the one that binds the document to its issuer).
    """

    checks: tuple[Check, ...]
    credential: dict[str, Any] | None = None
    proofs: tuple[ProofInfo, ...] = ()
    method_id: str | None = None

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

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready mapping of the result."""
        return {
            "valid": self.valid,
            "method_id": self.method_id,
            "checks": [check.to_dict() for check in self.checks],
            "proofs": [proof.to_dict() for proof in self.proofs],
        }


class _CheckFailedError(Exception):
    """One check failed: its name, code and message (internal control flow of :func:`verify`)."""

    def __init__(self, check: str, code: str, message: str) -> None:
        super().__init__(message)
        self.check, self.code, self.message = check, code, message


# --- JSON-LD to RDF, with processed contexts kept per loader ------------------------------------------


class _LruDict(OrderedDict[Any, Any]):
    """A thread-safe dict that forgets its oldest entries beyond ``limit`` (pyld's shared context cache)."""

    def __init__(self, limit: int) -> None:
        super().__init__()
        self.limit = limit
        self._lock = threading.Lock()

    def get(self, key: Any, default: Any = None) -> Any:
        with self._lock:
            return super().get(key, default)

    def __setitem__(self, key: Any, value: Any) -> None:
        with self._lock:
            super().__setitem__(key, value)
            self.move_to_end(key)
            while len(self) > self.limit:
                self.popitem(last=False)


class _Processor(_pyld.JsonLdProcessor):  # type: ignore[misc]
    """pyld's processor with memoised context processing, for one document loader.

    pyld caches a processed context per (active context, context), but type-scoped contexts
    (OB 3.0 defines one per class) are applied to a fresh copy of the active context each time,
    so their processing is repeated for every node of every document: three quarters of the
    time of a credential. Processed contexts are immutable in pyld, so the result for the same
    active context (by pyld's own ``_uuid``), the same context object and the same flags is
    reused. Context objects are held by the memo, so their ids stay unique while they are keys.
    """

    def __init__(self, loader: DocumentLoader) -> None:
        super().__init__(on_property_dropped=self._dropped)
        self.loader = loader
        self.shared_cache = _LruDict(256)
        self._memo: OrderedDict[tuple[Any, ...], tuple[Any, Any]] = OrderedDict()
        self._lock = threading.Lock()
        self._local = threading.local()

    def _dropped(self, term: str | None) -> None:
        collected: list[str] | None = getattr(self._local, "dropped", None)
        if collected is not None and term is not None:
            collected.append(term)

    def _process_context(self, active_ctx: Any, local_ctx: Any, options: Any, *args: Any, **kwargs: Any) -> Any:
        uuid = active_ctx.get("_uuid") if isinstance(active_ctx, Mapping) else None
        if args or "cycles" in kwargs or uuid is None:
            return super()._process_context(active_ctx, local_ctx, options, *args, **kwargs)
        if isinstance(local_ctx, str):
            identity: Any = local_ctx
        elif isinstance(local_ctx, list) and all(isinstance(item, str) for item in local_ctx):
            identity = tuple(local_ctx)
        else:
            identity = id(local_ctx)
        key = (
            uuid,
            identity,
            kwargs.get("override_protected", False),
            kwargs.get("propagate", True),
            kwargs.get("validate_scoped", True),
            options.get("base"),
            options.get("processingMode"),
        )
        with self._lock:
            found = self._memo.get(key)
            if found is not None and (found[0] is local_ctx or not isinstance(identity, int)):
                self._memo.move_to_end(key)
                return found[1]
        result = super()._process_context(active_ctx, local_ctx, options, *args, **kwargs)
        if isinstance(result, Mapping) and "_uuid" in result:
            with self._lock:
                self._memo[key] = (local_ctx, result)
                while len(self._memo) > 4096:
                    self._memo.popitem(last=False)
        return result

    def static_loader(self, url: str, options: Any = None) -> dict[str, Any]:
        """The loader's document, tagged so that pyld keeps its processed form (in this processor's cache)."""
        remote = dict(self.loader(url, options))
        remote["tag"] = "static"
        return remote

    def options(self) -> dict[str, Any]:
        return {
            "documentLoader": self.static_loader,
            "contextResolver": _ContextResolver(self.shared_cache, self.static_loader),
            "base": None,
            "rdfDirection": "i18n-datatype",
            "processingMode": "json-ld-1.1",
        }

    def expand(self, input_: Any, options: Any) -> Any:
        """pyld's expansion; the result is kept for :meth:`dataset`'s checks (one expansion per document)."""
        expanded = super().expand(input_, options)
        if getattr(self._local, "collecting", False):
            self._local.expanded = expanded
        return expanded

    def dataset(self, document: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
        """The RDF dataset of ``document`` (pyld's form), refusing undefined terms and relative IRIs."""
        dropped: list[str] = []
        self._local.dropped, self._local.collecting, self._local.expanded = dropped, True, None
        try:
            options = self.options()
            options["produceGeneralizedRdf"] = False
            result: dict[str, list[dict[str, Any]]] = self.to_rdf(dict(document), options)
            expanded = self._local.expanded
        finally:
            self._local.dropped, self._local.collecting, self._local.expanded = None, False, None
        issues = [
            Issue("jsonld.undefined_term", "", f"property {term!r} is not defined by the @context")
            for term in sorted(set(dropped))
        ]
        issues += [
            Issue("jsonld.undefined_type", "", f"{value!r} is not defined by the @context (not an absolute IRI)")
            for value in sorted(
                {"@id: null" if value == KEYWORD_SHAPED_ID else value for value in relative_iris(expanded)}
            )
        ]
        if issues:
            raise JsonLdError(issues)
        return result


_processors: OrderedDict[int, tuple[DocumentLoader, _Processor]] = OrderedDict()
_processors_lock = threading.Lock()


def _processor(loader: DocumentLoader) -> _Processor:
    with _processors_lock:
        entry = _processors.get(id(loader))
        if entry is not None and entry[0] is loader:
            _processors.move_to_end(id(loader))
            return entry[1]
        processor = _Processor(loader)
        _processors[id(loader)] = (loader, processor)
        while len(_processors) > 16:
            _processors.popitem(last=False)
        return processor


_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S*")


def _is_absolute(value: str) -> bool:
    return _SCHEME.fullmatch(value) is not None


# Characters RDFC-1.0 escapes in literals (as \b, \f or \uXXXX) and pyld's URDNA2015 writes raw.
_RDFC_ONLY_ESCAPES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class _WorkLimitError(ValueError):
    """Canonicalisation would take more work than the Digital Bazaar stack allows."""


class _CountingUrdna2015(_canon.URDNA2015):  # type: ignore[misc]
    """pyld's URDNA2015 counting Hash N-Degree Quads runs, refusing more than rdf-canonize allows.

    rdf-canonize, the canonicaliser of jsonld.js and so of the Digital Bazaar stack, allows as
    many runs as there are blank nodes without a unique first-degree hash (``maxWorkFactor`` 1)
    and refuses the document beyond that; czmc applies the same limit, which also bounds the
    work on "poison graphs" (RDFC-1.0 §7.1).
    """

    def __init__(self) -> None:
        super().__init__()
        self.remaining: int | None = None
        self.limit = 0

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> Any:
        if self.remaining is None:
            self.limit = self.remaining = sum(len(ids) for ids in self.hash_to_blank_nodes.values())
        if self.remaining <= 0:
            raise _WorkLimitError(
                f"canonicalising the document needs more than {self.limit} deep hashing runs (RDFC-1.0 §4.8);"
                " verifiers on the Digital Bazaar stack refuse it (rdf-canonize maxWorkFactor 1), and so does czmc."
                " Give blank nodes that look alike an id, or make them differ"
            )
        self.remaining -= 1
        return super().hash_n_degree_quads(id_, issuer)


def _rdfc(dataset: dict[str, list[dict[str, Any]]]) -> str:
    """RDFC-1.0 canonical N-Quads of a pyld dataset (consumed), within rdf-canonize's work limit.

    pyld's URDNA2015 is RDFC-1.0 except for the serialisation of control characters in
    literals; a dataset with such a literal is canonicalised by pyoxigraph's RDFC-1.0 (after
    the work count). ValueError (``_WorkLimitError``) when refused.
    """
    count = sum(len(triples) for triples in dataset.values())
    if count > MAX_QUADS:
        raise ValueError(f"the document has {count} RDF statements; czmc canonicalises at most {MAX_QUADS}")
    exact = any(
        triple["object"]["type"] == "literal" and _RDFC_ONLY_ESCAPES.search(triple["object"]["value"])
        for triples in dataset.values()
        for triple in triples
    )
    text = _pyld.JsonLdProcessor.to_nquads(dataset) if exact else ""
    canonical: str = _CountingUrdna2015().main(dataset, {"format": "application/n-quads"})
    if not exact:
        return canonical
    return _rdfc_exact(text)


def _rdfc_exact(nquads: str) -> str:
    """RDFC-1.0 with pyoxigraph: canonical blank node labels, N-Quads lines in code point order."""
    try:
        dataset = _ox.Dataset(_ox.parse(nquads, format=_ox.RdfFormat.N_QUADS))
    except SyntaxError as error:
        raise ValueError(f"not valid RDF: {error}") from None
    dataset.canonicalize(_ox.CanonicalizationAlgorithm.RDFC_1_0)
    lines = (_ox.serialize(dataset, format=_ox.RdfFormat.N_QUADS) or b"").decode("utf-8").splitlines(keepends=True)
    lines.sort()
    return "".join(lines)


def canonicalize(document: Mapping[str, Any], loader: DocumentLoader | None = None) -> str:
    """The RDFC-1.0 canonical N-Quads of a JSON-LD document (JSON-LD safe mode).

    Raises :class:`~czmc.errors.DocumentLoaderError` for a context the loader does not have and
    :class:`~czmc.errors.JsonLdError` for invalid JSON-LD, undefined terms, relative IRIs or a
    document too large or too deep (see :data:`MAX_DOCUMENT_BYTES`, :data:`MAX_DEPTH`).
    """
    problem = _size_problem(document)
    if problem is not None:
        raise JsonLdError([Issue("jsonld.too_large", "", problem)])
    return _canonical(document, loader or document_loader)


def _canonical(document: Mapping[str, Any], loader: DocumentLoader) -> str:
    try:
        dataset = _processor(loader).dataset(document)
    except _pyld.JsonLdError as error:
        refused = _loader_error(error)
        if refused is not None:
            raise refused from error
        raise JsonLdError([Issue("jsonld.syntax", "", _describe(error))]) from error
    try:
        return _rdfc(dataset)
    except _WorkLimitError as error:
        raise JsonLdError([Issue("jsonld.canonicalization_limit", "", str(error))]) from error
    except ValueError as error:
        raise JsonLdError([Issue("jsonld.invalid_rdf", "", str(error))]) from error


def _loader_error(error: BaseException) -> DocumentLoaderError | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, DocumentLoaderError):
            return current
        seen.add(id(current))
        details = getattr(current, "details", None)
        cause = details.get("cause") if isinstance(details, dict) else None
        current = cause if isinstance(cause, BaseException) else current.__cause__ or current.__context__
    return None


def _describe(error: BaseException) -> str:
    messages: list[str] = []
    current: BaseException | None = error
    while current is not None and len(messages) < 4:
        first = current.args[0] if current.args and isinstance(current.args[0], str) else type(current).__name__
        messages.append(first.strip().splitlines()[0] if first.strip() else type(current).__name__)
        current = current.__cause__
    return "invalid JSON-LD: " + ": ".join(dict.fromkeys(messages))


def _size_problem(document: Any) -> str | None:
    """Why a document is too large or too deep to canonicalise, or None. Iterative: no recursion limit."""
    if not isinstance(document, Mapping):
        return "the document must be a JSON object"
    budget = MAX_DOCUMENT_BYTES
    stack: list[tuple[Any, int]] = [(document, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, Mapping):
            items: Any = value.items()
            budget -= 2
        elif isinstance(value, list):
            items = ((None, item) for item in value)
            budget -= 2
        else:
            budget -= len(value.encode("utf-8")) + 2 if isinstance(value, str) else 8
            items = ()
        if depth > MAX_DEPTH and (isinstance(value, (Mapping, list))):
            return f"the document nests deeper than {MAX_DEPTH} levels"
        for name, item in items:
            if name is not None:
                budget -= len(str(name).encode("utf-8")) + 4
            stack.append((item, depth + 1))
        if budget < 0:
            return f"the document is larger than {MAX_DOCUMENT_BYTES} bytes"
    return None


# --- the suites ---------------------------------------------------------------------------------------


def _hash(proof_canonical: str, document_canonical: str) -> bytes:
    return (
        hashlib.sha256(proof_canonical.encode("utf-8")).digest()
        + hashlib.sha256(document_canonical.encode("utf-8")).digest()
    )


def _algorithm_for(kind: str) -> Algorithm:
    return Algorithm.EDDSA if kind == "Ed25519" else Algorithm.ES256


def _encode_proof_value(signature: bytes) -> str:
    encoded: str = multibase.encode(signature, "base58btc")
    return encoded


def _json_copy(value: dict[str, Any]) -> dict[str, Any]:
    """A deep copy of a JSON object; orjson is about ten times faster than ``copy.deepcopy``."""
    try:
        copied: dict[str, Any] = orjson.loads(orjson.dumps(value))
    except (TypeError, orjson.JSONEncodeError):  # not JSON (e.g. a big int or a non-string key)
        return copy.deepcopy(value)
    return copied


def _format_created(moment: datetime) -> str:
    if moment.tzinfo is None:
        raise SigningError("di.created", "created must be a timezone-aware datetime")
    return moment.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def _contexts(document: Mapping[str, Any]) -> list[Any]:
    value = document.get("@context")
    return list(value) if isinstance(value, list) else [value]


def sign(
    credential: Mapping[str, Any],
    key: Key,
    *,
    verification_method: str,
    cryptosuite: str = EDDSA_RDFC_2022,
    purpose: str = "assertionMethod",
    created: datetime | None = None,
    loader: DocumentLoader | None = None,
    challenge: str | None = None,
    domain: str | None = None,
) -> dict[str, Any]:
    """A copy of ``credential`` with a ``DataIntegrityProof`` (``eddsa-rdfc-2022`` or ``ecdsa-rdfc-2019``).

    ``verification_method`` is the DID URL (or URL) of ``key``'s verification method, as
    verifiers will resolve it; ``created`` defaults to now (whole seconds, UTC). A credential
    that already has a proof gets a proof set (both proofs sign the document without proofs).

    Raises :class:`~czmc.errors.SigningError` (``di.unknown_cryptosuite``, ``di.key_mismatch``,
    ``di.context``, ``di.options``) and, from canonicalisation, :class:`~czmc.errors.JsonLdError`
    or :class:`~czmc.errors.DocumentLoaderError`.
    """
    needed = CRYPTOSUITES.get(cryptosuite)
    if needed is None:
        raise SigningError(
            "di.unknown_cryptosuite", f"cryptosuite {cryptosuite!r} is not one of {sorted(CRYPTOSUITES)}"
        )
    if key.public.kind != needed:
        raise SigningError(
            "di.key_mismatch", f"cryptosuite {cryptosuite} needs a {needed} key, got a {key.public.kind} key"
        )
    if not isinstance(credential, Mapping):
        raise SigningError("di.document", "the credential must be a JSON object")
    if not isinstance(verification_method, str) or not _is_absolute(verification_method):
        raise SigningError("di.options", "verification_method must be an absolute URL or DID URL")
    for name, value in (("purpose", purpose), ("challenge", challenge), ("domain", domain)):
        if value is not None and (not isinstance(value, str) or not value):
            raise SigningError("di.options", f"{name} must be a non-empty string")
    contexts = _contexts(credential)
    if not any(context in DATA_INTEGRITY_CONTEXTS for context in contexts):
        raise SigningError(
            "di.context",
            f"the credential's @context must include one of {list(DATA_INTEGRITY_CONTEXTS)}"
            " (they define DataIntegrityProof)",
        )
    existing = credential.get("proof")
    proofs: list[Any] = [] if existing is None else (list(existing) if isinstance(existing, list) else [existing])
    if len(proofs) >= MAX_PROOFS:
        raise SigningError("di.options", f"a document carries at most {MAX_PROOFS} proofs")
    document = _json_copy({name: value for name, value in credential.items() if name != "proof"})
    options: dict[str, Any] = {
        "type": DATA_INTEGRITY_PROOF,
        "cryptosuite": cryptosuite,
        "created": _format_created(created or datetime.now(UTC)),
        "verificationMethod": verification_method,
        "proofPurpose": purpose,
    }
    if challenge is not None:
        options["challenge"] = challenge
    if domain is not None:
        options["domain"] = domain
    chosen = loader or document_loader
    problem = _size_problem(document)
    if problem is not None:
        raise JsonLdError([Issue("jsonld.too_large", "", problem)])
    document_canonical = _canonical(document, chosen)
    proof_canonical = _canonical({**options, "@context": document["@context"]}, chosen)
    signature = key.with_kid(verification_method).sign(_hash(proof_canonical, document_canonical))
    proof = {**options, "proofValue": _encode_proof_value(signature)}
    return {**document, "proof": [*copy.deepcopy(proofs), proof] if proofs else proof}


# --- verification -------------------------------------------------------------------------------------


@dataclass
class _Proof:
    """One proof being verified, with what it resolved to."""

    index: int
    value: Mapping[str, Any]
    info: ProofInfo
    signature: bytes = b""
    resolved: did.ResolvedKey | None = None

    @property
    def where(self) -> str:
        return f"proof[{self.index}]" if self.index >= 0 else "proof"


def _info(value: Any) -> ProofInfo:
    def text(name: str) -> str | None:
        item = value.get(name) if isinstance(value, Mapping) else None
        return item if isinstance(item, str) else None

    return ProofInfo(
        text("type"), text("cryptosuite"), text("verificationMethod"), text("proofPurpose"), text("created"), text("id")
    )


def _check_structure(proof: _Proof, *, expected_purpose: str, challenge: str | None, domain: str | None) -> None:
    """The ``proof`` check: members present and well-formed (VC Data Integrity 1.0 §2.1)."""
    value, where = proof.value, proof.where
    kind = value.get("type")
    if not isinstance(kind, str):
        raise _CheckFailedError("proof", "di.proof_type", f"{where}.type must be a string ({DATA_INTEGRITY_PROOF})")
    method = value.get("verificationMethod")
    if not isinstance(method, str) or not _is_absolute(method):
        raise _CheckFailedError(
            "proof", "di.verification_method", f"{where}.verificationMethod must be an absolute URL or DID URL"
        )
    purpose = value.get("proofPurpose")
    if not isinstance(purpose, str):
        raise _CheckFailedError(
            "proof", "di.proof_purpose", f"{where}.proofPurpose must be a string ({expected_purpose})"
        )
    if purpose != expected_purpose:
        raise _CheckFailedError(
            "proof", "di.proof_purpose", f"{where}.proofPurpose is {purpose!r}, expected {expected_purpose!r}"
        )
    for name in ("created", "expires"):
        stamp = value.get(name)
        if stamp is not None and (not isinstance(stamp, str) or not _DATE_TIME_STAMP.fullmatch(stamp)):
            raise _CheckFailedError(
                "proof",
                "di.proof_time_syntax",
                f"{where}.{name} must be an XML Schema dateTimeStamp with a time zone, got {stamp!r}",
            )
    proof_value = value.get("proofValue")
    if not isinstance(proof_value, str) or not proof_value.startswith("z") or len(proof_value) > _MAX_PROOF_VALUE:
        raise _CheckFailedError(
            "proof", "di.proof_value", f"{where}.proofValue must be a multibase base58btc string ('z...')"
        )
    try:
        proof.signature = multibase.decode(proof_value)
    except (ValueError, KeyError):
        raise _CheckFailedError("proof", "di.proof_value", f"{where}.proofValue is not valid base58btc") from None
    if challenge is not None and value.get("challenge") != challenge:
        raise _CheckFailedError(
            "proof", "di.challenge", f"{where}.challenge is {value.get('challenge')!r}, expected {challenge!r}"
        )
    if challenge is None and expected_purpose == "authentication":
        raise _CheckFailedError(
            "proof",
            "di.challenge",
            "an authentication proof is verified against an expected challenge; pass challenge=",
        )
    if domain is not None:
        found = value.get("domain")
        domains = found if isinstance(found, list) else [found]
        if domain not in domains:
            raise _CheckFailedError("proof", "di.domain", f"{where}.domain is {found!r}, expected {domain!r}")


def _check_suite(proof: _Proof, document_contexts: list[Any]) -> tuple[str, str | None]:
    """The ``cryptosuite`` check: a known suite whose terms the document's contexts define."""
    value, where = proof.value, proof.where
    kind = value.get("type")
    if kind == DATA_INTEGRITY_PROOF:
        suite = value.get("cryptosuite")
        if not isinstance(suite, str) or suite not in CRYPTOSUITES:
            raise _CheckFailedError(
                "cryptosuite",
                "di.unknown_cryptosuite",
                f"{where}.cryptosuite is {suite!r}; czmc verifies {sorted(CRYPTOSUITES)}",
            )
        if not any(context in DATA_INTEGRITY_CONTEXTS for context in document_contexts):
            raise _CheckFailedError(
                "cryptosuite",
                "di.context",
                f"the document's @context must include one of {list(DATA_INTEGRITY_CONTEXTS)} for a DataIntegrityProof",
            )
        return CRYPTOSUITES[suite], suite
    if kind == ED25519_SIGNATURE_2020:
        if "cryptosuite" in value:
            raise _CheckFailedError(
                "cryptosuite", "di.unknown_cryptosuite", f"{where}: an Ed25519Signature2020 proof has no cryptosuite"
            )
        if ED25519_2020_CONTEXT not in document_contexts:
            raise _CheckFailedError(
                "cryptosuite",
                "di.context",
                f"the document's @context must include {ED25519_2020_CONTEXT} for an Ed25519Signature2020 proof",
            )
        return "Ed25519", None
    raise _CheckFailedError(
        "cryptosuite",
        "di.unknown_proof_type",
        f"{where}.type is {kind!r}; czmc verifies {DATA_INTEGRITY_PROOF} and {ED25519_SIGNATURE_2020}",
    )


def _resolve(proof: _Proof, resolver: did.Resolver, needed: str, purpose: str) -> did.ResolvedKey:
    """The ``key`` check: the method resolves to a key of the suite's type, in the purpose's relationship."""
    method = proof.info.verification_method or ""
    try:
        resolved = resolver.resolve_key(method)
    except CzmcError as error:
        raise _CheckFailedError(
            "key", "di.key_unresolved", f"{proof.where}.verificationMethod {method}: {error.message} ({error.code})"
        ) from None
    public: PublicKey = resolved.key
    if public.kind != needed:
        raise _CheckFailedError(
            "key", "di.key_type", f"{method} is a {public.kind} key; the proof's suite needs {needed}"
        )
    if purpose not in resolved.relationships:
        raise _CheckFailedError(
            "key",
            "di.key_purpose",
            f"{method} is not listed in {purpose} of {resolved.controller}"
            f" (it is in {sorted(resolved.relationships) or 'none'})",
        )
    return resolved


def _is_credential_or_presentation(document: Mapping[str, Any]) -> bool:
    kind = document.get("type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(item, str) and item in _VC_TYPES for item in kinds)


def _issuer_of(document: Mapping[str, Any]) -> str | None:
    issuer = document.get("issuer")
    if isinstance(issuer, Mapping):
        issuer = issuer.get("id")
    return issuer if isinstance(issuer, str) else None


def _parse_stamp(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00"))


def _proof_time(proof: _Proof, now: datetime, leeway: timedelta) -> str:
    where, created, expires = proof.where, proof.value.get("created"), proof.value.get("expires")
    try:
        if isinstance(created, str) and _parse_stamp(created) > now + leeway:
            raise _CheckFailedError(
                "proof_time",
                "di.created_in_future",
                f"{where}.created {created} is later than now ({now.isoformat()}) plus leeway",
            )
        if isinstance(expires, str) and _parse_stamp(expires) < now - leeway:
            raise _CheckFailedError(
                "proof_time", "di.proof_expired", f"{where}.expires {expires} has passed (now {now.isoformat()})"
            )
    except ValueError:
        raise _CheckFailedError(
            "proof_time", "di.proof_time_syntax", f"{where}: created/expires is not a valid date and time"
        ) from None
    return f"{where} created {created or '(not given)'}" + (f", expires {expires}" if expires else "")


def verify(
    document: Mapping[str, Any],
    *,
    resolver: did.Resolver,
    loader: DocumentLoader | None = None,
    now: datetime,
    leeway: timedelta = timedelta(0),
    expected_purpose: str = "assertionMethod",
    challenge: str | None = None,
    domain: str | None = None,
    issuer: str | None = None,
) -> ProofResult:
    """Verify the Data Integrity proof(s) embedded in ``document``; never raises for bad input.

    Checks, in order (:data:`CHECK_NAMES`): ``document`` (a JSON object within the limits,
    canonicalisable with the loader's contexts, every term defined), ``proof`` (members
    well-formed, ``proofPurpose`` = ``expected_purpose``, ``challenge``/``domain`` as expected),
    ``cryptosuite`` (a known suite, its terms in the document's ``@context``), ``key`` (the
    verification method resolves through ``resolver`` to a key of the suite's type listed in
    the purpose's verification relationship), ``key_binding`` (the method's controller is
    ``issuer``, by default the document's ``issuer``; for presentations its ``holder``),
    ``signature``, ``proof_time`` (``created`` not after ``now`` + ``leeway``, ``expires`` not
    before ``now`` - ``leeway``). A proof set (a list of proofs) is valid when every proof is; a
    proof with ``previousProof`` (a proof chain) is verified over the document with the proofs it
    names. The credential's own validity period is not judged here.
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    done: list[Check] = []
    state: dict[str, Any] = {"credential": None, "proofs": (), "method_id": None}
    try:
        _verify(
            document,
            done,
            state,
            resolver=resolver,
            loader=loader or document_loader,
            now=now,
            leeway=leeway,
            expected_purpose=expected_purpose,
            challenge=challenge,
            domain=domain,
            issuer=issuer,
        )
    except _CheckFailedError as failure:
        done.append(Check(failure.check, CheckStatus.FAILED, failure.code, failure.message))
        names = {check.name for check in done}
        done.extend(
            Check(name, CheckStatus.SKIPPED, "skipped", f"not checked: the {failure.check} check failed")
            for name in CHECK_NAMES
            if name not in names
        )
    return ProofResult(tuple(done), state["credential"], state["proofs"], state["method_id"])


def _passed(done: list[Check], name: str, message: str) -> None:
    done.append(Check(name, CheckStatus.PASSED, "ok", message))


def _verify(
    document: Any,
    done: list[Check],
    state: dict[str, Any],
    *,
    resolver: did.Resolver,
    loader: DocumentLoader,
    now: datetime,
    leeway: timedelta,
    expected_purpose: str,
    challenge: str | None,
    domain: str | None,
    issuer: str | None,
) -> None:
    problem = _size_problem(document)
    if problem is not None:
        raise _CheckFailedError(
            "document", "di.document_too_large" if isinstance(document, Mapping) else "di.document", problem
        )
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    state["credential"] = _json_copy(unsecured)
    raw_proofs = document.get("proof")
    if raw_proofs is None:
        raise _CheckFailedError(
            "document", "di.no_proof", "the document has no 'proof': it is not secured with Data Integrity"
        )
    listed = raw_proofs if isinstance(raw_proofs, list) else [raw_proofs]
    if not listed or len(listed) > MAX_PROOFS or not all(isinstance(item, Mapping) for item in listed):
        raise _CheckFailedError(
            "document", "di.proof_shape", f"'proof' must be an object or a list of 1 to {MAX_PROOFS} objects"
        )
    if "@context" not in unsecured:
        raise _CheckFailedError("document", "di.context", "the document has no @context: it is not JSON-LD")
    first_context = _contexts(unsecured)[0]
    if _is_credential_or_presentation(unsecured) and first_context not in _VC_CONTEXTS:
        raise _CheckFailedError(
            "document",
            "di.context_first",
            f"the first @context of a verifiable credential or presentation must be one of {list(_VC_CONTEXTS)}"
            f" (VC Data Model 2.0 §4.3), got {str(first_context)[:80]!r}",
        )
    proofs = [
        _Proof(index if isinstance(raw_proofs, list) else -1, item, _info(item)) for index, item in enumerate(listed)
    ]
    state["proofs"] = tuple(proof.info for proof in proofs)
    state["method_id"] = proofs[0].info.verification_method
    canonical_cache: dict[tuple[Any, ...], str] = {}

    def canonical(value: Mapping[str, Any], cache_key: tuple[Any, ...] | None = None) -> str:
        if cache_key is not None and cache_key in canonical_cache:
            return canonical_cache[cache_key]
        text = _canonical(value, loader)
        if cache_key is not None:
            canonical_cache[cache_key] = text
        return text

    try:
        canonical(unsecured, ("document",))
    except DocumentLoaderError as error:
        raise _CheckFailedError(
            "document",
            "di.context_unavailable",
            f"the @context {error.url!r} is not available to the document loader (offline); pass loader=",
        ) from None
    except JsonLdError as error:
        details = "; ".join(issue.message for issue in error.issues)
        code = "di.canonicalization_limit" if error.issues[0].code == "jsonld.canonicalization_limit" else "di.jsonld"
        raise _CheckFailedError("document", code, f"the document cannot be canonicalised: {details}") from None
    _passed(
        done,
        "document",
        f"JSON-LD document with {len(proofs)} proof{'s' if len(proofs) != 1 else ''}, canonicalised (RDFC-1.0)",
    )

    document_contexts = _contexts(unsecured)
    for proof in proofs:
        _check_structure(proof, expected_purpose=expected_purpose, challenge=challenge, domain=domain)
        if "@context" in proof.value:
            prefix = _contexts(proof.value)
            if document_contexts[: len(prefix)] != prefix:
                raise _CheckFailedError(
                    "proof",
                    "di.proof_context",
                    f"{proof.where}.@context must be the first entries of the document's @context, in order",
                )
    ids = [proof.info.id for proof in proofs]
    _passed(
        done,
        "proof",
        "; ".join(
            f"{proof.where}: {proof.info.type} by {proof.info.verification_method} for {proof.info.purpose}"
            for proof in proofs
        ),
    )

    needs = [_check_suite(proof, document_contexts) for proof in proofs]
    _passed(
        done,
        "cryptosuite",
        ", ".join(suite or proof.info.type or "" for proof, (_kind, suite) in zip(proofs, needs, strict=True)),
    )

    for proof, (kind, _suite) in zip(proofs, needs, strict=True):
        proof.resolved = _resolve(proof, resolver, kind, expected_purpose)
    _passed(
        done,
        "key",
        "; ".join(
            f"{proof.where}: {proof.info.verification_method} ({proof.resolved.key.kind}) is in {expected_purpose}"
            for proof in proofs
            if proof.resolved
        ),
    )

    holder = document.get("holder")
    holder_id = holder.get("id") if isinstance(holder, Mapping) else holder
    expected_controller = (
        issuer
        if issuer is not None
        else (_issuer_of(unsecured) if expected_purpose == "assertionMethod" else holder_id)
    )
    if expected_controller is None and expected_purpose == "assertionMethod":
        raise _CheckFailedError(
            "key_binding",
            "di.no_issuer",
            "the document has no issuer (a string or an object with an 'id') to bind the key to",
        )
    if expected_controller is None:
        done.append(
            Check(
                "key_binding",
                CheckStatus.SKIPPED,
                "di.no_holder",
                "the presentation names no holder; the proof binds no identity",
                False,
            )
        )
    else:
        first = _resolved(proofs[0])
        bound = first.controller == expected_controller or (
            expected_purpose == "assertionMethod" and did.issuer_id_matches_kid(expected_controller, first)
        )
        if not bound:
            raise _CheckFailedError(
                "key_binding",
                "di.key_not_issuer",
                f"{first.method_id} is controlled by {first.controller}, not by {expected_controller!r}",
            )
        _passed(done, "key_binding", f"the key of {proofs[0].where} belongs to {expected_controller}")

    for proof in proofs:
        _verify_signature(proof, proofs, ids, unsecured, canonical)
    _passed(
        done,
        "signature",
        f"{len(proofs)} signature{'s' if len(proofs) != 1 else ''} verified over the canonical document",
    )

    messages = [_proof_time(proof, now, leeway) for proof in proofs]
    _passed(done, "proof_time", "; ".join(messages))


def _resolved(proof: _Proof) -> did.ResolvedKey:
    if proof.resolved is None:  # pragma: no cover - the key check resolves every proof first
        raise _CheckFailedError("key", "di.key_unresolved", f"{proof.where}: the key was not resolved")
    return proof.resolved


def _verify_signature(
    proof: _Proof,
    proofs: list[_Proof],
    ids: list[str | None],
    unsecured: Mapping[str, Any],
    canonical: Callable[..., str],
) -> None:
    value, where = proof.value, proof.where
    resolved = _resolved(proof)
    secured: dict[str, Any] = dict(unsecured)
    key: tuple[Any, ...] | None = ("document",)
    previous = value.get("previousProof")
    if previous is not None:
        wanted = previous if isinstance(previous, list) else [previous]
        if not wanted or not all(isinstance(item, str) for item in wanted):
            raise _CheckFailedError(
                "signature", "di.previous_proof", f"{where}.previousProof must be a proof id or a list of them"
            )
        matching = [other.value for other in proofs if other.info.id is not None and other.info.id in wanted]
        missing = sorted(set(wanted) - set(ids))
        if missing:
            raise _CheckFailedError(
                "signature",
                "di.previous_proof",
                f"{where}.previousProof names {missing}, which are not in the proof set",
            )
        secured["proof"] = matching
        key = None
    if "@context" in value:
        secured["@context"] = value["@context"]
        key = None
    options = {name: item for name, item in value.items() if name != "proofValue"}
    options["@context"] = secured["@context"]
    try:
        document_canonical = canonical(secured, key)
        proof_canonical = canonical(options)
    except DocumentLoaderError as error:
        raise _CheckFailedError(
            "signature",
            "di.context_unavailable",
            f"{where}: the @context {error.url!r} is not available to the document loader",
        ) from None
    except JsonLdError as error:
        details = "; ".join(issue.message for issue in error.issues)
        raise _CheckFailedError("signature", "di.jsonld", f"{where} cannot be canonicalised: {details}") from None
    data = _hash(proof_canonical, document_canonical)
    public = resolved.key
    if len(proof.signature) != 64:
        raise _CheckFailedError(
            "signature",
            "di.signature_length",
            f"{where}.proofValue holds {len(proof.signature)} bytes; a {public.kind} signature has 64",
        )
    if not public.verify(_algorithm_for(public.kind), data, proof.signature):
        raise _CheckFailedError(
            "signature",
            "di.bad_signature",
            f"{where}: the signature does not verify with {resolved.method_id}"
            " over the canonical document and proof options",
        )
