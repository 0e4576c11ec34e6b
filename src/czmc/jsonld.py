"""Bundled JSON-LD contexts, an offline document loader, and the every-term-defined check.

czmc never fetches a JSON-LD context from the network on its own. The contexts a czmc
credential uses ship inside the package (byte-exact copies of the official W3C and 1EdTech
files, their sources and SHA-256 recorded in ``contexts/SOURCES.md``, plus czmc's own
context); :func:`document_loader` serves them and refuses every other URL with
:class:`~czmc.errors.DocumentLoaderError`. Callers who want other documents pass their
own loader explicitly.

An Open Badges credential whose property has no term definition loses that property in
JSON-LD processing (and breaks canonicalised proofs): :func:`undefined_terms` finds every
such property and every type that does not expand to an absolute IRI. For a document that
uses only the bundled contexts it answers from term definitions compiled once
(``czmc._terms``), in microseconds; :func:`undefined_terms_expanded` answers the same from a
full pyld expansion.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

from czmc import _terms
from czmc.errors import DocumentLoaderError, JsonLdError
from czmc.report import Issue, pointer

__all__ = [
    "CONTEXTS",
    "CZMC_CONTEXT",
    "DATA_INTEGRITY_V1_CONTEXT",
    "DATA_INTEGRITY_V2_CONTEXT",
    "DID_CONTEXT",
    "ED25519_2020_CONTEXT",
    "JWK_CONTEXT",
    "JWS_2020_CONTEXT",
    "MULTIKEY_CONTEXT",
    "OB_CONTEXT",
    "OB_CONTEXTS",
    "OB_CONTEXT_3_0_0",
    "OB_CONTEXT_3_0_1",
    "OB_CONTEXT_3_0_2",
    "OB_EXTENSIONS_CONTEXT",
    "STATUS_CONTEXT",
    "VC_CONTEXT",
    "VC_V1_CONTEXT",
    "DocumentLoader",
    "bundled_document",
    "check_terms",
    "document_loader",
    "expand",
    "relative_iris",
    "undefined_terms",
    "undefined_terms_expanded",
]

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
VC_V1_CONTEXT = "https://www.w3.org/2018/credentials/v1"
"""The VC Data Model 1.1 context (OB 3.0.0-3.0.2 credentials, VC-JWT 1.1)."""
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_CONTEXT_3_0_0 = "https://purl.imsglobal.org/spec/ob/v3p0/context.json"
OB_CONTEXT_3_0_1 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.1.json"
OB_CONTEXT_3_0_2 = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.2.json"
OB_CONTEXTS = (OB_CONTEXT_3_0_0, OB_CONTEXT_3_0_1, OB_CONTEXT_3_0_2, OB_CONTEXT)
"""The OB 3.0 context of each release, oldest first (they differ: see ``contexts/SOURCES.md``)."""
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CZMC_CONTEXT = "https://w3id.org/czmc/v1"
STATUS_CONTEXT = "https://www.w3.org/ns/credentials/status/v1"
"""Bitstring Status List v1.0 (its terms are also in the VC 2.0 context)."""
DATA_INTEGRITY_V1_CONTEXT = "https://w3id.org/security/data-integrity/v1"
DATA_INTEGRITY_V2_CONTEXT = "https://w3id.org/security/data-integrity/v2"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"
JWK_CONTEXT = "https://w3id.org/security/jwk/v1"
ED25519_2020_CONTEXT = "https://w3id.org/security/suites/ed25519-2020/v1"
JWS_2020_CONTEXT = "https://w3id.org/security/suites/jws-2020/v1"
DID_CONTEXT = "https://www.w3.org/ns/did/v1"

CONTEXTS: Mapping[str, str] = {
    VC_CONTEXT: "credentials-v2.jsonld",
    VC_V1_CONTEXT: "credentials-v1.jsonld",
    OB_CONTEXT: "ob-v3p0-context-3.0.3.json",
    OB_CONTEXT_3_0_0: "ob-v3p0-context.json",
    OB_CONTEXT_3_0_1: "ob-v3p0-context-3.0.1.json",
    OB_CONTEXT_3_0_2: "ob-v3p0-context-3.0.2.json",
    OB_EXTENSIONS_CONTEXT: "ob-v3p0-extensions.json",
    CZMC_CONTEXT: "czmc-v1.jsonld",
    STATUS_CONTEXT: "credentials-status-v1.jsonld",
    DATA_INTEGRITY_V1_CONTEXT: "data-integrity-v1.jsonld",
    DATA_INTEGRITY_V2_CONTEXT: "data-integrity-v2.jsonld",
    MULTIKEY_CONTEXT: "multikey-v1.jsonld",
    JWK_CONTEXT: "jwk-v1.jsonld",
    ED25519_2020_CONTEXT: "ed25519-signature-2020-v1.jsonld",
    JWS_2020_CONTEXT: "jws-2020-v1.jsonld",
    DID_CONTEXT: "did-v1.jsonld",
}
"""Context URL -> file name of the bundled copy in ``czmc/_data/contexts``."""

DocumentLoader = Callable[[str, Any], Mapping[str, Any]]
"""A pyld-compatible loader: ``(url, options) -> {"documentUrl", "document", "contextUrl"}``."""


@cache
def _bundled_text(name: str) -> str:
    return resources.files("czmc").joinpath("_data", "contexts", name).read_text(encoding="utf-8")


def bundled_document(url: str) -> dict[str, Any]:
    """A fresh copy of the bundled JSON-LD document at ``url``.

    Raises :class:`~czmc.errors.DocumentLoaderError` for a URL that is not bundled.
    """
    name = CONTEXTS.get(url)
    if name is None:
        raise DocumentLoaderError(url)
    document: dict[str, Any] = json.loads(_bundled_text(name))
    return document


def document_loader(url: str, options: Any = None) -> dict[str, Any]:
    """Offline pyld document loader: serves the bundled contexts, refuses anything else."""
    return {"contextUrl": None, "documentUrl": url, "document": bundled_document(url)}


def expand(document: Mapping[str, Any], loader: DocumentLoader | None = None) -> list[dict[str, Any]]:
    """JSON-LD expansion of ``document`` with the offline loader (or ``loader``).

    Raises :class:`~czmc.errors.JsonLdError` when the document is not valid JSON-LD and
    :class:`~czmc.errors.DocumentLoaderError` when it needs a context that is not available.
    """
    from pyld import jsonld as _pyld  # noqa: PLC0415 - pyld only where a full expansion is needed

    try:
        expanded: list[dict[str, Any]] = _pyld.expand(
            dict(document), {"documentLoader": loader or document_loader, "base": None}
        )
    except _pyld.JsonLdError as error:
        refused = _find_cause(error, DocumentLoaderError)
        if refused is not None:
            raise refused from error
        raise JsonLdError([Issue("jsonld.syntax", "", _describe(error))]) from error
    return expanded


class _BundledDocuments(Mapping[str, Any]):
    """The bundled contexts by URL, each read and parsed only when first asked for."""

    def __getitem__(self, url: str) -> Any:
        return json.loads(_bundled_text(CONTEXTS[url]))

    def __iter__(self) -> Iterator[str]:
        return iter(CONTEXTS)

    def __len__(self) -> int:
        return len(CONTEXTS)

    def __contains__(self, url: object) -> bool:
        return url in CONTEXTS


@cache
def _compiled() -> _terms.Checker:
    return _terms.Checker(_BundledDocuments())


def undefined_terms(document: Mapping[str, Any], loader: DocumentLoader | None = None) -> list[Issue]:
    """Every property and type of ``document`` that its contexts leave undefined.

    The equivalent of expanding in JSON-LD 1.1 "safe mode": a property that expansion
    would drop, or a ``type`` (or ``@vocab``-typed value) that does not expand to an
    absolute IRI, is reported with the JSON Pointer of each place it occurs.

    Without ``loader``, a document whose ``@context`` names only bundled contexts is
    checked against their compiled term definitions, without expanding it; anything else
    (another loader, other contexts, an inline context, JSON-LD the compiled check does not
    implement) is expanded with pyld. Both give the result of :func:`undefined_terms_expanded`.
    """
    if loader is None:
        found = _compiled().scan(document)
        if found is not None:
            dropped, relative = found
            return _issues(document, dropped, relative)
    return undefined_terms_expanded(document, loader)


def undefined_terms_expanded(document: Mapping[str, Any], loader: DocumentLoader | None = None) -> list[Issue]:
    """:func:`undefined_terms`, always by a full pyld expansion of ``document``."""
    from pyld import jsonld as _pyld  # noqa: PLC0415 - see expand

    dropped: set[str] = set()

    def record(term: str | None) -> None:
        if term is not None:
            dropped.add(term)

    try:
        expanded = _pyld.expand(
            dict(document),
            {"documentLoader": loader or document_loader, "base": None},
            on_property_dropped=record,
        )
    except _pyld.JsonLdError as error:
        refused = _find_cause(error, DocumentLoaderError)
        if refused is not None:
            raise refused from error
        return [Issue("jsonld.syntax", "", _describe(error))]
    return _issues(document, dropped, set(relative_iris(expanded)))


KEYWORD_SHAPED_ID = "\x00keyword-shaped value"
"""What :func:`relative_iris` yields for an ``@id`` that is no IRI at all (pyld makes it null)."""


def _keyword_shaped_paths(node: Any, base: tuple[str | int, ...] = ()) -> Iterator[str]:
    if isinstance(node, dict):
        for name, value in node.items():
            if name != "@context":
                yield from _keyword_shaped_paths(value, (*base, name))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _keyword_shaped_paths(value, (*base, index))
    elif isinstance(node, str) and node.startswith("@") and base and base[-1] not in ("@id", "@type", "id", "type"):
        yield pointer(*base)


def _issues(document: Mapping[str, Any], dropped: set[str], relative: set[str]) -> list[Issue]:
    """The issues for the dropped properties and relative IRIs, at every place they occur."""
    if KEYWORD_SHAPED_ID in relative:
        relative = relative - {KEYWORD_SHAPED_ID}
        keyword_issues = [
            Issue(
                "jsonld.undefined_type",
                path,
                "a value shaped like a JSON-LD keyword ('@...') is not an IRI; it is dropped",
            )
            for path in _keyword_shaped_paths(document)
        ]
    else:
        keyword_issues = []
    issues = [
        Issue("jsonld.undefined_term", path, f"property {term!r} is not defined by the credential's @context")
        for term in sorted(dropped)
        for path in _paths_of_key(document, term)
    ]
    issues.extend(
        Issue(
            "jsonld.undefined_type",
            path,
            f"value {value!r} is not defined by the credential's @context (it does not expand to an absolute IRI)",
        )
        for value in sorted(relative)
        for path in _paths_of_value(document, value)
    )
    return issues + keyword_issues


def check_terms(document: Mapping[str, Any], loader: DocumentLoader | None = None) -> None:
    """Raise :class:`~czmc.errors.JsonLdError` if :func:`undefined_terms` finds anything."""
    issues = undefined_terms(document, loader)
    if issues:
        raise JsonLdError(issues)


def relative_iris(node: Any) -> Iterator[str]:
    """Types and ``@id`` values in expanded JSON-LD that are not absolute IRIs (JSON-LD 1.1 safe mode).

    An ``@id`` pyld turned into null (a keyword-shaped value) is yielded as :data:`KEYWORD_SHAPED_ID`.
    """
    if isinstance(node, list):
        for item in node:
            yield from relative_iris(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type" and "@value" not in node:
                for item in value if isinstance(value, list) else [value]:
                    if isinstance(item, str) and not _is_absolute(item):
                        yield item
            elif key == "@id":
                # pyld turns a keyword-shaped value ("@foo") into null: not an IRI of anything.
                if value is None:
                    yield KEYWORD_SHAPED_ID
                elif not _is_absolute(value) and not value.startswith("_:"):
                    yield value
            elif key != "@value":
                yield from relative_iris(value)


_is_absolute = _terms.is_absolute


def _paths_of_key(node: Any, key: str, base: tuple[str | int, ...] = ()) -> Iterator[str]:
    if isinstance(node, dict):
        for name, value in node.items():
            if name == "@context":
                continue
            if name == key:
                yield pointer(*base, name)
            yield from _paths_of_key(value, key, (*base, name))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths_of_key(value, key, (*base, index))


def _paths_of_value(node: Any, wanted: str, base: tuple[str | int, ...] = ()) -> Iterator[str]:
    if isinstance(node, dict):
        for name, value in node.items():
            if name != "@context":
                yield from _paths_of_value(value, wanted, (*base, name))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths_of_value(value, wanted, (*base, index))
    elif node == wanted:
        yield pointer(*base)


def _find_cause(error: BaseException, kind: type[DocumentLoaderError]) -> DocumentLoaderError | None:
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        if isinstance(current, kind):
            return current
        seen.add(id(current))
        details = getattr(current, "details", None)
        cause = details.get("cause") if isinstance(details, dict) else None
        current = cause if isinstance(cause, BaseException) else current.__cause__ or current.__context__
    return None


def _describe(error: BaseException) -> str:
    first = error.args[0] if error.args and isinstance(error.args[0], str) else str(error)
    lines = first.strip().splitlines()
    return f"invalid JSON-LD: {lines[0] if lines else type(error).__name__}"
