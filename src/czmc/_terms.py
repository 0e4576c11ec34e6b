"""The every-term-defined check, compiled from the bundled JSON-LD contexts.

:func:`czmc.jsonld.undefined_terms` needs two things from JSON-LD expansion: the properties
it drops (keys that expand to no absolute IRI or keyword) and the node types, ``@id`` values
and ``@id``/``@vocab``-typed values that stay relative IRIs. A full pyld expansion answers
that in milliseconds; this module answers it in microseconds by walking the document once
over *compiled* active contexts: the term definitions of the bundled contexts, with each
scoped context a document reaches derived once, memoized on the context it was applied to,
and interned, so that equal active contexts are one object.

It implements the part of JSON-LD 1.1 expansion that the bundled contexts use, as pyld
implements it:

- term definitions, as a string or an object with ``@id``, ``@type`` (an IRI, ``@id``,
  ``@vocab``, ``@json`` or ``@none``), ``@container`` (``@set``, ``@list``, ``@language``,
  ``@graph``), ``@context`` and ``@protected``; ``@protected`` contexts; keyword aliases;
- keys that are terms, keywords, compact IRIs (``prefix:suffix``) or absolute IRIs;
- type-scoped contexts, which apply to the node that has the type and are reverted in the
  nodes below it (unless ``@propagate: true``) but not in value objects and bare node
  references; property-scoped contexts, which apply to the property's value and propagate;
- ``@type: @id`` values (IRIs) and ``@type: @vocab`` values (terms, then IRIs) resolved in
  the active context of the value; ``@json`` literals; language maps; value objects.

Anything else — an inline ``@context``, another keyword as a key, a document or value that
pyld would reject (such as a protected term redefined by two type-scoped contexts) —
raises :class:`UnsupportedError` inside the walk, and :meth:`Checker.scan` answers None: the
caller runs the full expansion instead. ``tests/test_terms.py`` checks that both paths give
the same result.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

__all__ = ["KEYWORDS", "Checker", "Context", "Scoped", "Term", "UnsupportedError", "is_absolute"]

KEYWORDS = frozenset(
    {
        *("@base", "@container", "@context", "@default", "@direction", "@embed", "@explicit", "@first", "@graph"),
        *("@id", "@import", "@included", "@index", "@json", "@language", "@list", "@nest", "@none", "@omitDefault"),
        *("@propagate", "@protected", "@preserve", "@requireAll", "@reverse", "@set", "@type", "@value"),
        *("@version", "@vocab"),
    }
)
"""The keywords pyld recognises (JSON-LD 1.1 and framing)."""

_KEYWORD_FORM = re.compile(r"@[A-Za-z]+$")  # reserved: ignored where a term or IRI is expected
_ABSOLUTE = re.compile(r"(?:[A-Za-z][A-Za-z0-9+,.-]*|_):\S*$")  # pyld's absolute-IRI (or blank node) test
_GEN_DELIM_END = re.compile(r".*[:/?#\[\]@]$")  # a simple term ending so can be a prefix
_IRI_FORM = re.compile(r".*(?::[^:]|/)")  # a term that looks like an IRI
_CONTAINERS = frozenset({"@set", "@list", "@language", "@graph"})
_NODE_KEYWORDS = frozenset({"@id", "@type", "@value", "@language"})
_TYPE_KEYWORDS = frozenset({"@id", "@vocab", "@json", "@none"})
_REFERENCE_TYPES = frozenset({"@id", "@vocab"})
_MAX_DEPTH = 100  # deeper documents are left to pyld (and its recursion limit)


class UnsupportedError(Exception):
    """The document needs JSON-LD the compiled checker does not implement; expand it with pyld."""


def is_absolute(iri: str) -> bool:
    """czmc's test for a reported IRI: a scheme (a letter, then no ``/``) and a colon."""
    scheme, colon, _rest = iri.partition(":")
    return bool(colon) and scheme.isascii() and scheme[:1].isalpha() and "/" not in scheme


@dataclass(frozen=True)
class Scoped:
    """A scoped (or top-level) context as written; equal when their JSON is equal."""

    key: str
    raw: Any = field(compare=False)

    @classmethod
    def of(cls, raw: Any) -> Scoped:
        return cls(sys.intern(json.dumps(raw, sort_keys=True, ensure_ascii=False)), raw)


@dataclass(frozen=True)
class Term:
    """A term definition. ``protected`` takes no part in comparing definitions."""

    iri: str  # an absolute IRI or a keyword
    type: str | None = None  # an IRI, "@id", "@vocab", "@json" or "@none"
    container: tuple[str, ...] | None = None
    context: Scoped | None = None  # a scoped context; Scoped.of(None) for "@context": null
    prefix: bool = False  # may be used as the prefix of a compact IRI
    protected: bool = field(default=False, compare=False)
    keyword: bool = field(init=False, compare=False, repr=False)  # an alias of a keyword
    absolute: bool = field(init=False, compare=False, repr=False)  # is_absolute(iri)

    def __post_init__(self) -> None:
        object.__setattr__(self, "keyword", self.iri in KEYWORDS)
        object.__setattr__(self, "absolute", is_absolute(self.iri))


class Context:
    """A compiled active context: its terms and the context a type-scoped one reverts to."""

    __slots__ = ("_derived", "_interned", "keywords", "previous", "properties", "terms", "type_keys")

    def __init__(self, terms: dict[str, Term], previous: Context | None, interned: _Intern) -> None:
        self.terms: Mapping[str, Term] = terms
        self.previous = previous
        self.properties = {name: term for name, term in terms.items() if not term.keyword}
        """The terms that define properties (not keyword aliases)."""
        self.keywords = {
            **{keyword: keyword for keyword in KEYWORDS},
            **{n: t.iri for n, t in terms.items() if t.keyword},
        }
        """The keys that expand to a keyword here: the keywords and their aliases."""
        self.type_keys = tuple(sorted(key for key, keyword in self.keywords.items() if keyword == "@type"))
        """The keys that expand to ``@type`` here, sorted."""
        self._interned = interned
        self._derived: dict[tuple[str, bool, bool], Context | None] = {}

    def expand_iri(self, value: str, *, vocab: bool) -> str | None:
        """``value`` as IRI expansion makes it (``vocab``: terms too); None when it is ignored.

        No bundled context has ``@vocab`` or ``@base`` and czmc expands without a base, so
        what is neither a keyword, a term nor a compact IRI stays as it is (maybe relative).
        """
        if value[:1] == "@":
            if value in KEYWORDS:
                return value
            if _KEYWORD_FORM.match(value):
                return None
        if vocab:
            term = self.terms.get(value)
            if term is not None:
                return term.iri
        prefix, colon, suffix = value.partition(":")
        if colon and prefix and prefix != "_" and not suffix.startswith("//"):
            term = self.terms.get(prefix)
            if term is not None and term.prefix:
                return term.iri + suffix
        return value

    def unresolved(self, value: str, *, vocab: bool, blank: bool) -> str | None:
        """What an IRI-valued ``value`` expands to if that is not an absolute IRI, else None.

        ``vocab`` for types and ``@vocab``-typed values (terms count), not for ``@id`` and
        ``@id``-typed values; ``blank`` if a blank node identifier (``_:b0``) is acceptable.
        Raises :class:`UnsupportedError` for a value that expands to a keyword or to nothing.
        """
        term = self.terms.get(value) if vocab else None
        if term is not None and not term.keyword:
            iri, absolute = term.iri, term.absolute
        else:
            found = self.expand_iri(value, vocab=vocab)
            if found is None or found in KEYWORDS:
                raise UnsupportedError(f"IRI {value!r}")
            iri, absolute = found, is_absolute(found)
        return None if absolute or (blank and iri.startswith("_:")) else iri

    def expand_key(self, key: str) -> str | None:
        """The IRI or keyword a property key expands to; None for a reserved ``@word``."""
        term = self.terms.get(key)
        return term.iri if term is not None else self.expand_iri(key, vocab=True)

    def keeps(self, key: str) -> bool:
        """Whether expansion keeps ``key``: a keyword, a term, an absolute or compact IRI."""
        iri = self.expand_key(key)
        return iri is not None and (iri in KEYWORDS or _ABSOLUTE.match(iri) is not None)

    def expands_type(self, value: str) -> bool:
        """Whether a ``@type`` (or ``@type: @vocab``) value expands to an absolute IRI here."""
        try:
            return self.unresolved(value, vocab=True, blank=False) is None
        except UnsupportedError:
            return False

    def scoped(self, term: str) -> Context:
        """The context for the value of ``term``: this one with the term's scoped context."""
        definition = self.terms.get(term)
        if definition is None or definition.context is None:
            return self
        return self.derive(definition.context, propagate=True, override=True)

    def typed(self, *types: str, onto: Context | None = None) -> Context:
        """The context for a node of these types: their type-scoped contexts (defined here)
        applied, in sorted order, to this context (or to ``onto``)."""
        active = self if onto is None else onto
        for name in sorted(types):
            definition = self.terms.get(name)
            if definition is not None and definition.context is not None and definition.context.raw is not None:
                active = active.derive(definition.context, propagate=False, override=False)
        return active

    def derive(self, scoped: Scoped, *, propagate: bool, override: bool) -> Context:
        """This context with ``scoped`` applied (memoized; raises :class:`UnsupportedError`).

        ``propagate=False`` (a type-scoped context) remembers this context to revert to;
        ``override`` (a property-scoped context) may redefine protected terms.
        """
        memo = (scoped.key, propagate, override)
        derived = self._derived.get(memo, self)
        if derived is self:
            try:
                terms, previous = _apply(self, scoped.raw, propagate=propagate, override=override)
                derived = self._intern(terms, previous)
            except UnsupportedError:
                derived = None
            self._derived[memo] = derived
        if derived is None:
            raise UnsupportedError(f"pyld rejects the scoped context {scoped.key[:60]}")
        return derived

    def _intern(self, terms: dict[str, Term], previous: Context | None) -> Context:
        key = (frozenset((name, term, term.protected) for name, term in terms.items()), previous)
        found = self._interned.get(key)
        if found is None:
            found = self._interned.setdefault(key, Context(terms, previous, self._interned))
        return found


_Intern = dict[tuple[frozenset[tuple[str, Term, bool]], Context | None], Context]


def _apply(base: Context, raw: Any, *, propagate: bool, override: bool) -> tuple[dict[str, Term], Context | None]:
    """The terms and revert-to context of ``base`` with the local context ``raw`` processed."""
    local_contexts = raw if isinstance(raw, list) else [raw]
    if not local_contexts:
        return dict(base.terms), base.previous
    first = local_contexts[0]
    if isinstance(first, dict) and isinstance(first.get("@propagate"), bool):
        propagate = first["@propagate"]
    terms = dict(base.terms)
    previous = base.previous
    if not propagate and previous is None:
        previous = base
    for local in local_contexts:
        if local is None:
            if not override and any(term.protected for term in terms.values()):
                raise UnsupportedError("a null context would clear protected terms")
            terms, previous = {}, None
            continue
        definitions = local["@context"] if isinstance(local, dict) and "@context" in local else local
        if not isinstance(definitions, dict):
            raise UnsupportedError("a context that is not an object")
        _Definitions(terms, definitions, override=override).define_all()
    return terms, previous


class _Definitions:
    """Creates the term definitions of one local context in ``terms`` (JSON-LD 1.1 §4.2)."""

    def __init__(self, terms: dict[str, Term], local: dict[str, Any], *, override: bool) -> None:
        self.terms = terms
        self.local = local
        self.override = override
        self.defined: dict[str, bool] = {}  # False while being defined (a cycle), True when done
        protected = local.get("@protected", False)
        if "@protected" in local and not protected:
            raise UnsupportedError("@protected: false")  # pyld mistakes it for a cyclic definition
        self.protected = bool(protected)

    def define_all(self) -> None:
        for name in self.local:
            if name == "@version":
                if self.local[name] != 1.1:
                    raise UnsupportedError("@version other than 1.1")
            elif name == "@propagate":
                if not isinstance(self.local[name], bool):
                    raise UnsupportedError("@propagate that is not a boolean")
            elif name != "@protected":
                self.define(name)

    def define(self, name: str) -> None:
        if name in self.defined:
            if self.defined[name]:
                return
            raise UnsupportedError(f"cyclic definition of {name!r}")
        self.defined[name] = False
        if not name or name.startswith("@"):
            raise UnsupportedError(f"context entry {name!r}")  # @vocab, @base, @language, @import...
        value = self.local[name]
        previous = self.terms.pop(name, None)
        simple = isinstance(value, str)
        if simple:
            value = {"@id": value}
        if not isinstance(value, dict) or not set(value) <= {"@id", "@type", "@container", "@context", "@protected"}:
            raise UnsupportedError(f"term definition of {name!r}")
        raw_id = value.get("@id")
        if not isinstance(raw_id, str) or raw_id == name or _IRI_FORM.match(name):
            raise UnsupportedError(f"term {name!r} without an @id of its own")
        if raw_id not in KEYWORDS and _KEYWORD_FORM.match(raw_id):
            raise UnsupportedError(f"term {name!r} mapped to a reserved @word")
        iri = self.resolve(raw_id)
        if iri is None or not (iri in KEYWORDS or _ABSOLUTE.match(iri)) or iri in ("@context", "@preserve"):
            raise UnsupportedError(f"term {name!r} mapped to {raw_id!r}")
        term = Term(
            iri,
            type=self.type_of(name, value),
            container=self.container_of(name, value),
            context=Scoped.of(value["@context"]) if "@context" in value else None,
            prefix=simple and name.find(":") <= 0 and (iri.startswith("_:") or _GEN_DELIM_END.match(iri) is not None),
            protected=bool(value.get("@protected")) or bool(self.protected and value.get("@protected", True)),
        )
        if term.context is not None and term.context.raw is not None and not isinstance(term.context.raw, dict):
            raise UnsupportedError(f"scoped context of {name!r} that is not an object")
        if previous is not None and previous.protected and not self.override:
            term = replace(term, protected=True)
            if term != previous:
                raise UnsupportedError(f"redefinition of the protected term {name!r}")
        self.terms[name] = term
        self.defined[name] = True

    def resolve(self, value: str) -> str | None:
        """IRI expansion (vocabulary-relative) during context processing."""
        if value in KEYWORDS:
            return value
        if _KEYWORD_FORM.match(value):
            return None
        if value in self.local and self.defined.get(value) is not True:
            self.define(value)
        term = self.terms.get(value)
        if term is not None:
            return term.iri
        prefix, colon, suffix = value.partition(":")
        if colon and prefix and prefix != "_" and not suffix.startswith("//"):
            if prefix in self.local and not self.defined.get(prefix):
                self.define(prefix)
            term = self.terms.get(prefix)
            if term is not None and term.prefix:
                return term.iri + suffix
        return value

    def type_of(self, name: str, value: dict[str, Any]) -> str | None:
        if "@type" not in value:
            return None
        kind = value["@type"]
        if not isinstance(kind, str):
            raise UnsupportedError(f"@type of {name!r}")
        if kind in _TYPE_KEYWORDS:
            return kind
        iri = self.resolve(kind)
        if iri is None or not _ABSOLUTE.match(iri) or iri.startswith("_:"):
            raise UnsupportedError(f"@type of {name!r}")
        return iri

    @staticmethod
    def container_of(name: str, value: dict[str, Any]) -> tuple[str, ...] | None:
        if "@container" not in value:
            return None
        raw = value["@container"]
        container = tuple(raw) if isinstance(raw, list) else (raw,)
        if not container or not all(isinstance(kind, str) and kind in _CONTAINERS for kind in container):
            raise UnsupportedError(f"@container of {name!r}")
        others = set(container) - {"@set", "@graph"}
        if "@list" in container:
            valid = len(container) == 1
        elif "@graph" in container:
            valid = not others
        else:
            valid = len(container) <= (2 if "@set" in container else 1)
        if not valid:
            raise UnsupportedError(f"@container of {name!r}")
        return container


class _Walk:
    """One document's dropped properties and relative IRIs, following pyld's expansion."""

    def __init__(self) -> None:
        self.dropped: set[str] = set()
        self.relative: set[str] = set()

    def node(self, ctx: Context, prop: str | None, element: Mapping[str, Any], depth: int) -> None:
        """A JSON object: a node, a value object or a node reference (``prop`` None: the top)."""
        if prop is not None:
            if depth > _MAX_DEPTH or "@context" in element:
                raise UnsupportedError("an inline @context, or a deeply nested document")
            term = ctx.terms.get(prop)
            # a type-scoped context stops at the next node, not at a value or a bare reference
            if ctx.previous is not None and not _keeps_type_scope(ctx, element):
                ctx = ctx.previous
            if term is not None and term.context is not None:
                ctx = ctx.derive(term.context, propagate=True, override=True)
        outer = ctx  # types expand here, before their own scoped contexts apply
        for key in outer.type_keys:
            if key in element:
                value = element[key]
                names = value if isinstance(value, list) else [value]
                ctx = outer.typed(*[name for name in names if isinstance(name, str)], onto=ctx)

        properties, aliases = ctx.properties, ctx.keywords
        keywords: dict[str, Any] = {}
        types: list[str] = []
        for key, value in element.items():
            term = properties.get(key)
            if term is not None:  # the common case: a defined property
                if isinstance(value, str) and term.context is None:  # the commonest value, made short
                    if term.type in _REFERENCE_TYPES:
                        self.reference(ctx, value, vocab=term.type == "@vocab")
                elif value is not None:
                    self.property(ctx, key, term, value, depth)
            elif key in aliases:
                keyword = aliases[key]
                if keyword == "@type":
                    names = value if isinstance(value, list) else [value]
                    if not all(isinstance(name, str) for name in names):
                        raise UnsupportedError("@type that is not a string or a list of strings")
                    types.extend(names)
                    keywords[keyword] = value
                elif keyword == "@context" and prop is None:
                    continue  # the document's own context, already applied
                elif keyword not in _NODE_KEYWORDS or keyword in keywords:
                    raise UnsupportedError(f"keyword {keyword} in a node")
                else:
                    keywords[keyword] = value
            else:
                iri = ctx.expand_iri(key, vocab=True)
                if iri is None:
                    continue  # a reserved @word: ignored (and pyld names no property)
                if _ABSOLUTE.match(iri):  # an absolute or compact IRI
                    self.values(ctx, key, None, value, depth)
                else:
                    self.dropped.add(iri)

        if "@value" in keywords:
            _check_value_object(ctx, outer, element, keywords, top=prop is None)
            return
        if "@id" in keywords:
            self.reference(ctx, keywords["@id"], vocab=False)
        for name in types:
            iri = outer.unresolved(name, vocab=True, blank=False)
            if iri is not None:
                self.relative.add(iri)
        language = keywords.get("@language")
        if language is not None and not isinstance(language, str):
            raise UnsupportedError("@language that is not a string")
        if prop is None and not types and not _has_property(ctx, element, kept=True):
            raise UnsupportedError("a top-level object expansion may drop")

    def property(self, ctx: Context, key: str, term: Term, value: Any, depth: int) -> None:
        """The value (not None) of a defined property (``term``, in the node's context ``ctx``)."""
        if term.container is not None and "@language" in term.container and isinstance(value, dict):
            _check_language_map(value)
        elif term.type == "@json":  # a JSON literal: not expanded
            return
        elif term.context is None:
            self.values(ctx, key, term.type, value, depth)
        else:
            ctx = ctx.scoped(key)
            scoped = ctx.terms.get(key)  # as the value's context defines it (None after "@context": null)
            if scoped is not None and scoped.keyword:
                raise UnsupportedError(f"{key!r} made a keyword by its own scoped context")
            self.values(ctx, key, scoped.type if scoped is not None else None, value, depth)

    def values(self, ctx: Context, prop: str, kind: str | None, value: Any, depth: int) -> None:
        """A property's value (or values); ``kind`` is the property's ``@type`` in ``ctx``."""
        for item in value if isinstance(value, list) else (value,):
            if isinstance(item, str):
                if kind in _REFERENCE_TYPES:
                    self.reference(ctx, item, vocab=kind == "@vocab")
            elif isinstance(item, dict):
                self.node(ctx, prop, item, depth + 1)
            elif isinstance(item, list):
                self.values(ctx, prop, kind, item, depth)

    def reference(self, ctx: Context, value: Any, *, vocab: bool) -> None:
        """An ``@id`` (or ``@id``/``@vocab``-typed) value, expanded as a node reference."""
        if not isinstance(value, str):
            raise UnsupportedError("@id that is not a string")
        iri = ctx.unresolved(value, vocab=vocab, blank=True)
        if iri is not None:
            self.relative.add(iri)


def _keeps_type_scope(ctx: Context, element: Mapping[str, Any]) -> bool:
    """pyld keeps the type-scoped context for a value object and a bare node reference."""
    if len(element) > 2:
        return False
    iris = [ctx.expand_key(key) for key in element]
    return "@value" in iris or iris == ["@id"]


def _check_value_object(
    ctx: Context, outer: Context, element: Mapping[str, Any], keywords: dict[str, Any], *, top: bool
) -> None:
    """Raise :class:`UnsupportedError` unless pyld accepts the value object ``element`` and keeps it."""
    value = keywords["@value"]
    if top or "@id" in keywords or ("@type" in keywords and "@language" in keywords) or _has_property(ctx, element):
        raise UnsupportedError("a value object pyld drops or rejects")
    if value is None or not isinstance(value, str | int | float | bool):
        raise UnsupportedError("@value that is not a string, number or boolean")
    if "@type" in keywords:
        written = [element[key] for key in element if ctx.expand_key(key) == "@type"]
        iri = outer.expand_iri(written[0], vocab=True) if len(written) == 1 and isinstance(written[0], str) else None
        if iri is None or not _ABSOLUTE.match(iri) or iri.startswith("_:"):
            raise UnsupportedError("@type of a value object")
    if "@language" in keywords and not (isinstance(keywords["@language"], str) and isinstance(value, str)):
        raise UnsupportedError("@language of a value object")


def _has_property(ctx: Context, element: Mapping[str, Any], *, kept: bool = False) -> bool:
    """Whether ``element`` has a property expansion keeps (``kept``: with a value it surely keeps)."""
    for key, value in element.items():
        iri = None if key == "@context" else ctx.expand_key(key)
        defined = iri is not None and iri not in KEYWORDS and _ABSOLUTE.match(iri) is not None
        if defined and (not kept or (value is not None and not isinstance(value, dict))):
            return True
    return False


def _check_language_map(value: Mapping[str, Any]) -> None:
    for texts in value.values():
        if not isinstance(texts, str):
            for text in texts if isinstance(texts, list) else [texts]:
                if text is not None and not isinstance(text, str):
                    raise UnsupportedError("a language map value that is not a string")


class Checker:
    """The compiled contexts of some context documents (URL -> the document or its ``@context``).

    A document is read from ``documents`` the first time a ``@context`` names it, so a lazy
    mapping keeps unused contexts unparsed.
    """

    def __init__(self, documents: Mapping[str, Any]) -> None:
        self._documents = documents
        self._scoped: dict[str, Scoped] = {}
        self.empty = Context({}, None, {})

    def _document(self, url: str) -> Scoped:
        scoped = self._scoped.get(url)
        if scoped is None:
            scoped = self._scoped.setdefault(url, Scoped.of(self._documents[url]))
        return scoped

    def context(self, urls: Iterable[str]) -> Context:
        """The active context of a document whose ``@context`` is ``urls`` (raises :class:`UnsupportedError`)."""
        active = self.empty
        for url in urls:
            active = active.derive(self._document(url), propagate=True, override=False)
        return active

    def scan(self, document: Mapping[str, Any]) -> tuple[set[str], set[str]] | None:
        """The properties expansion drops and the relative IRIs it leaves, in ``document``.

        The first set holds each dropped property as expanded (for a key no context defines,
        the key itself); the second every node type and node reference that is not an
        absolute IRI. None when the document's ``@context`` is not a list of the known
        URLs, or the document needs more JSON-LD than this module implements.
        """
        urls = document.get("@context")
        if isinstance(urls, str):
            urls = [urls]
        if not isinstance(urls, list) or not all(isinstance(url, str) and url in self._documents for url in urls):
            return None
        walk = _Walk()
        try:
            walk.node(self.context(urls), None, document, 0)
        except UnsupportedError:
            return None
        return walk.dropped, walk.relative
