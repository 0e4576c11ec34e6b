"""Bundled JSON-LD contexts, an offline document loader, and the every-term-defined check.

czmc never fetches a JSON-LD context from the network on its own. The contexts a czmc
credential uses ship inside the package (byte-exact copies of the official W3C and 1EdTech
files, their sources and SHA-256 recorded in ``contexts/SOURCES.md``, plus czmc's own
context); :func:`document_loader` serves them and refuses every other URL with
:class:`~czmc.errors.DocumentLoaderError`. Callers who want other documents pass their
own loader explicitly.

An Open Badges credential whose property has no term definition loses that property in
JSON-LD processing (and breaks canonicalised proofs): :func:`undefined_terms` finds every
such property and every type that does not expand to an absolute IRI.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

from pyld import jsonld as _pyld

from czmc.errors import DocumentLoaderError, JsonLdError
from czmc.report import Issue, pointer

__all__ = [
    "CONTEXTS",
    "CZMC_CONTEXT",
    "OB_CONTEXT",
    "OB_EXTENSIONS_CONTEXT",
    "VC_CONTEXT",
    "DocumentLoader",
    "bundled_document",
    "check_terms",
    "document_loader",
    "expand",
    "undefined_terms",
]

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_EXTENSIONS_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/extensions.json"
CZMC_CONTEXT = "https://w3id.org/czmc/v1"

CONTEXTS: Mapping[str, str] = {
    VC_CONTEXT: "credentials-v2.jsonld",
    OB_CONTEXT: "ob-v3p0-context-3.0.3.json",
    OB_EXTENSIONS_CONTEXT: "ob-v3p0-extensions.json",
    CZMC_CONTEXT: "czmc-v1.jsonld",
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


def undefined_terms(document: Mapping[str, Any], loader: DocumentLoader | None = None) -> list[Issue]:
    """Every property and type of ``document`` that its contexts leave undefined.

    The equivalent of expanding in JSON-LD 1.1 "safe mode": a property that expansion
    would drop, or a ``type`` (or ``@vocab``-typed value) that does not expand to an
    absolute IRI, is reported with the JSON Pointer of each place it occurs.
    """
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
    issues = [
        Issue("jsonld.undefined_term", path, f"property {term!r} is not defined by the credential's @context")
        for term in sorted(dropped)
        for path in _paths_of_key(document, term)
    ]
    relative = sorted(set(_relative_iris(expanded)))
    issues.extend(
        Issue(
            "jsonld.undefined_type",
            path,
            f"value {value!r} is not defined by the credential's @context (it does not expand to an absolute IRI)",
        )
        for value in relative
        for path in _paths_of_value(document, value)
    )
    return issues


def check_terms(document: Mapping[str, Any], loader: DocumentLoader | None = None) -> None:
    """Raise :class:`~czmc.errors.JsonLdError` if :func:`undefined_terms` finds anything."""
    issues = undefined_terms(document, loader)
    if issues:
        raise JsonLdError(issues)


def _relative_iris(node: Any) -> Iterator[str]:
    """Types and ``@id`` values in expanded JSON-LD that are not absolute IRIs."""
    if isinstance(node, list):
        for item in node:
            yield from _relative_iris(item)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == "@type" and "@value" not in node:
                for item in value if isinstance(value, list) else [value]:
                    if not _is_absolute(item):
                        yield item
            elif key == "@id":
                if not _is_absolute(value) and not value.startswith("_:"):
                    yield value
            elif key != "@value":
                yield from _relative_iris(value)


def _is_absolute(iri: str) -> bool:
    scheme, colon, _rest = iri.partition(":")
    return bool(colon) and scheme.isascii() and scheme[:1].isalpha() and "/" not in scheme


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
