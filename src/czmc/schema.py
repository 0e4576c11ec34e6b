"""Bundled JSON Schemas, and validation that reports every violation with its JSON Pointer.

Two schemas apply to a czmc credential, both named in its ``credentialSchema``: the
official 1EdTech OB 3.0 AchievementCredential schema (byte-exact copy, see
``schemas/SOURCES.md``), and czmc's own schema for the EU elements, which also rejects
members nothing defines (the OB schema allows any extra member, so a misspelt extension
field would pass it). ``format`` keywords are asserted: a ``validFrom`` without a timezone
fails, as OB 3.0 requires.

Each schema is also compiled with the Rust ``jsonschema-rs`` engine, which decides in a few
microseconds whether a document is valid: :func:`is_valid` gives that decision, and
:func:`iter_issues` runs the (far slower) python ``jsonschema`` validators, which name every
violation, only for a schema the compiled check failed. The compiled copy is made to decide
exactly as python ``jsonschema`` does: its ``format`` checks call python's format checker,
its ``pattern`` regexes are rewritten to python ``re`` semantics (``\\d``, ``\\s``, ``$``,
``.``), and a document holding anything but plain JSON values (dict, list, str, int, finite
float, bool, None), which the two engines type differently, goes to the python validators.

A third schema describes the model input files (``czmc-microcredential-input-v1``), for
editors and for catalogues kept in git; a fourth the course definitions batch issuance reads
(``czmc-course-definition-v1``, :mod:`czmc.catalogue`).
"""

from __future__ import annotations

import json
import re
import unicodedata
from array import array
from collections.abc import Callable, Iterable, Iterator, Mapping
from functools import cache, partial
from importlib import resources
from typing import Any

import jsonschema
import jsonschema_rs
from jsonschema.exceptions import ValidationError as _JsonSchemaError
from jsonschema.protocols import Validator

from czmc._unicode_classes import CLASSES
from czmc.catalogue import COURSE_DEFINITION_SCHEMA_ID as COURSE_DEFINITION_SCHEMA_URL
from czmc.errors import CzmcError, SchemaError
from czmc.jsonld import CZMC_CONTEXT, VC_CONTEXT, VC_V1_CONTEXT
from czmc.model import INPUT_SCHEMA_ID as MODEL_INPUT_SCHEMA_URL
from czmc.ob3 import CZMC_SCHEMA_URL, OB_SCHEMA_URL
from czmc.report import Issue, Severity, pointer

__all__ = [
    "COURSE_DEFINITION_SCHEMA_URL",
    "MODEL_INPUT_SCHEMA_URL",
    "OB_ANY_SCHEMA_URL",
    "SCHEMAS",
    "SchemaResolver",
    "bundled_schema",
    "is_valid",
    "iter_issues",
    "schemas_for",
    "validate",
]

SCHEMAS: Mapping[str, str] = {
    OB_SCHEMA_URL: "ob_v3p0_achievementcredential_schema.json",
    CZMC_SCHEMA_URL: "czmc-credential-v1.schema.json",
    MODEL_INPUT_SCHEMA_URL: "czmc-microcredential-input-v1.schema.json",
    COURSE_DEFINITION_SCHEMA_URL: "czmc-course-definition-v1.schema.json",
}
"""Schema URL -> file name of the bundled copy in ``czmc/_data/schemas``."""

OB_ANY_SCHEMA_URL = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_anyachievementcredential_schema.json"
"""1EdTech's OB 3.0 AchievementCredential schema for VC Data Model 1.1 *or* 2.0 credentials.

The schema that applies to an OB 3.0 credential on the VC 1.1 data model (``issuanceDate``):
1EdTech's validator checks VC 1.1 credentials against it, whatever their ``credentialSchema``
says (in the 3.0.0-3.0.2 era the URL of the current schema served the VC 1.1 edition). czmc
does not bundle it (no copy of its published bytes could be obtained; see
``schemas/SOURCES.md``): pin it in a :class:`czmc.documents.DocumentStore` to check VC 1.1
credentials against it.
"""

_SCHEMA_ALIASES = {  # the same documents, published under 1EdTech's json-ld/ path too (the bundled file's $id)
    OB_SCHEMA_URL.replace("/schema/json/", "/schema/json-ld/"): OB_SCHEMA_URL,
    OB_ANY_SCHEMA_URL.replace("/schema/json/", "/schema/json-ld/"): OB_ANY_SCHEMA_URL,
}

SchemaResolver = Callable[[str], Mapping[str, Any]]
"""A lookup for schemas czmc does not bundle (e.g. :meth:`czmc.documents.DocumentStore.schema`).

It returns the schema for a URL or raises :class:`~czmc.errors.CzmcError`."""

_SHORT_NAMES = {
    OB_SCHEMA_URL: "OB 3.0",
    CZMC_SCHEMA_URL: "czmc",
    MODEL_INPUT_SCHEMA_URL: "czmc input",
    COURSE_DEFINITION_SCHEMA_URL: "czmc course definition",
}


@cache
def _schema_text(name: str) -> str:
    return resources.files("czmc").joinpath("_data", "schemas", name).read_text(encoding="utf-8")


def bundled_schema(url: str) -> dict[str, Any]:
    """A fresh copy of the bundled JSON Schema published at ``url``; KeyError if not bundled."""
    schema: dict[str, Any] = json.loads(_schema_text(SCHEMAS[url]))
    return schema


@cache
def _validator(url: str) -> Validator:
    """The python validator of a bundled schema.

    The schema itself is not checked against its metaschema here (that took about 0.3 s per
    process): the bundled schemas are pinned by hash, and a test checks each against its
    metaschema.
    """
    schema = bundled_schema(url)
    cls = jsonschema.validators.validator_for(schema)
    validator: Validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return validator


def _generation(credential: Mapping[str, Any]) -> str | None:
    """``"vc2"`` or ``"vc1"`` by the credential's first ``@context``; None for neither."""
    contexts = credential.get("@context")
    first = contexts[0] if isinstance(contexts, list) and contexts else contexts
    return {VC_CONTEXT: "vc2", VC_V1_CONTEXT: "vc1"}.get(first) if isinstance(first, str) else None


def schemas_for(
    credential: Mapping[str, Any], resolve_schema: SchemaResolver | None = None
) -> tuple[list[str], list[Issue]]:
    """The schema URLs that apply to a credential, and issues for those that cannot be checked.

    By the credential's generation (its first ``@context``):

    - VC 2.0: the bundled schemas named in ``credentialSchema``; a credential that names
      none is checked against the OB 3.0 schema, and also the czmc schema if it uses the czmc
      context.
    - VC 1.1: the OB 3.0 schema for VC 1.1 credentials (:data:`OB_ANY_SCHEMA_URL`) instead of
      the current one, whether named or not, and the other named schemas. czmc does not bundle
      that schema: without ``resolve_schema`` (or when it cannot give it) a warning
      ``schema.generation_unavailable`` says the OB schema check was not made.

    A named schema that is not bundled is used if ``resolve_schema`` is given (a failure to
    resolve it is reported by :func:`iter_issues`), else reported as ``schema.unavailable``.
    1EdTech publishes its schemas under ``/schema/json/`` and ``/schema/json-ld/`` (the bundled
    OB schema's ``$id`` is the latter): both name the same schema.
    """
    vc1 = _generation(credential) == "vc1"
    entries = credential.get("credentialSchema")
    urls: list[str] = []
    issues: list[Issue] = []
    wants_ob = vc1 and entries is None
    if entries is None and not vc1:
        contexts = credential.get("@context")
        uses_czmc = isinstance(contexts, list) and CZMC_CONTEXT in contexts
        urls.extend([OB_SCHEMA_URL, CZMC_SCHEMA_URL] if uses_czmc else [OB_SCHEMA_URL])
    for index, entry in enumerate([] if entries is None else entries if isinstance(entries, list) else [entries]):
        url = entry.get("id") if isinstance(entry, dict) else None
        url = _SCHEMA_ALIASES.get(url, url) if isinstance(url, str) else url
        if vc1 and url in (OB_SCHEMA_URL, OB_ANY_SCHEMA_URL):
            wants_ob = True  # in the VC 1.1 era this URL served the VC 1.1 edition of the schema
        elif isinstance(url, str) and url and (url in SCHEMAS or resolve_schema is not None):
            if url not in urls:
                urls.append(url)
        else:
            issues.append(
                Issue(
                    "schema.unavailable",
                    pointer("credentialSchema", index, "id"),
                    f"schema {url!r} is not bundled with czmc, so the credential was not checked against it",
                )
            )
    if wants_ob:
        if OB_ANY_SCHEMA_URL in SCHEMAS or (resolve_schema is not None and _resolvable(resolve_schema)):
            urls.insert(0, OB_ANY_SCHEMA_URL)
        else:
            issues.append(
                Issue(
                    "schema.generation_unavailable",
                    "/@context/0",
                    "a VC 1.1 credential: the OB 3.0 schema for VC 1.1 credentials "
                    f"({OB_ANY_SCHEMA_URL}) is not bundled, so the OB schema check was not made; "
                    "pin it in a document store to make it",
                    Severity.WARNING,
                )
            )
    return urls, issues


def _resolvable(resolve_schema: SchemaResolver) -> bool:
    """Whether ``resolve_schema`` gives the VC 1.1 OB schema."""
    try:
        resolve_schema(OB_ANY_SCHEMA_URL)
    except CzmcError:
        return False
    return True


def _resolved_validator(url: str, resolve_schema: SchemaResolver | None) -> Validator | Issue:
    """A python validator for a schema czmc does not bundle, or the issue saying why there is none.

    Without ``resolve_schema``, KeyError (as for any schema URL czmc does not bundle)."""
    if resolve_schema is None:
        raise KeyError(url)  # an explicit schema URL that is not bundled, as bundled_schema does
    try:
        schema = dict(resolve_schema(url))
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
    except CzmcError as error:
        return Issue("schema.unavailable", "", f"schema {url!r} could not be resolved: {error.message} [{error.code}]")
    except jsonschema.SchemaError as error:
        return Issue("schema.unavailable", "", f"schema {url!r} is not a valid JSON Schema: {error.message}")
    validator: Validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return validator


def is_valid(
    document: Mapping[str, Any], schemas: Iterable[str] | None = None, *, resolve_schema: SchemaResolver | None = None
) -> bool:
    """Whether ``document`` satisfies ``schemas`` (default: :func:`schemas_for` it), decided fast.

    Exactly ``not any(iter_issues(document, schemas))``, but a plain JSON document is checked
    by the compiled validators only, in microseconds. A credential naming a schema that czmc
    does not bundle is not valid (:func:`iter_issues` reports ``schema.unavailable``);
    warnings do not make it invalid.
    """
    if schemas is None:
        urls, issues = schemas_for(document, resolve_schema)
        if any(issue.severity is Severity.ERROR for issue in issues):
            return False
    else:
        urls = list(schemas)
    plain = _is_plain_json(document)
    for url in urls:
        if url not in SCHEMAS:
            resolved = _resolved_validator(url, resolve_schema)
            if isinstance(resolved, Issue) or not resolved.is_valid(document):
                return False
            continue
        decision = _compiled_decision(url, document) if plain else None
        if decision is None:
            decision = _validator(url).is_valid(document)
        if not decision:
            return False
    return True


def iter_issues(
    document: Mapping[str, Any], schemas: Iterable[str] | None = None, *, resolve_schema: SchemaResolver | None = None
) -> Iterator[Issue]:
    """Every violation of ``schemas`` (default: :func:`schemas_for` the document), one by one.

    A schema the compiled validator finds the document valid against is not run again; the
    python ``jsonschema`` validator, which names every violation, runs only for the others.
    ``resolve_schema`` gives the schemas czmc does not bundle (checked by python ``jsonschema``).
    """
    if schemas is None:
        urls, issues = schemas_for(document, resolve_schema)
        yield from issues
    else:
        urls = list(schemas)
    plain = _is_plain_json(document)
    for url in urls:
        if url not in SCHEMAS:
            resolved = _resolved_validator(url, resolve_schema)
            if isinstance(resolved, Issue):
                yield resolved
                continue
            errors = sorted(resolved.iter_errors(document), key=lambda e: list(e.absolute_path))
            for error in errors:
                yield from _issues(error, url)
            continue
        if plain and _compiled_decision(url, document):
            continue
        errors = sorted(_validator(url).iter_errors(document), key=lambda e: list(e.absolute_path))
        for error in errors:
            yield from _issues(error, _SHORT_NAMES.get(url, url))


def validate(
    document: Mapping[str, Any], schemas: Iterable[str] | None = None, *, resolve_schema: SchemaResolver | None = None
) -> None:
    """Raise :class:`~czmc.errors.SchemaError` listing every violation (warnings aside), if there is any."""
    issues = [
        issue
        for issue in iter_issues(document, schemas, resolve_schema=resolve_schema)
        if issue.severity is Severity.ERROR
    ]
    if issues:
        raise SchemaError(issues)


# --- the compiled fast path ---------------------------------------------------------------

_RS_CLASSES: Mapping[type[Any], type[jsonschema_rs.Validator]] = {  # the drafts checked to agree
    jsonschema.Draft201909Validator: jsonschema_rs.Draft201909Validator,
    jsonschema.Draft202012Validator: jsonschema_rs.Draft202012Validator,
}
_PLAIN_ATOMS = frozenset({str, int, bool, type(None)})


class _UntranslatableError(ValueError):
    """A schema construct whose python meaning czmc cannot give the compiled validator."""


def _is_plain_json(document: object) -> bool:
    """Whether ``document`` holds only dict, list, str, int, bool, None and finite floats.

    The two engines type other values differently (jsonschema-rs takes a tuple for an array,
    a Decimal for an integer, and rejects NaN as a number), so such documents skip the
    compiled check. Exact types, so subclasses (str enums...) go the python way too.
    """
    level: list[Any] = [document]
    while level:
        below: list[Any] = []
        for node in level:
            kind = type(node)
            if kind is dict:
                below.extend(node.values())
            elif kind is list:
                below.extend(node)
            elif kind in _PLAIN_ATOMS or (kind is float and node - node == 0):
                continue
            else:
                return False
        level = below
    return True


def _compiled_decision(url: str, document: Mapping[str, Any]) -> bool | None:
    """The compiled validator's verdict on a plain JSON document, or None if it has none."""
    compiled = _compiled(url)
    if compiled is None:
        return None
    try:
        return compiled.is_valid(document)
    except ValueError:  # what it cannot read: lone surrogates (not UTF-8), non-string keys
        return None


@cache
def _compiled(url: str) -> jsonschema_rs.Validator | None:
    """A jsonschema-rs validator that decides as :func:`_validator` does, or None if there is none."""
    python = _validator(url)
    rs_class = _RS_CLASSES.get(type(python))
    if rs_class is None:
        return None
    checker: jsonschema.FormatChecker | None = getattr(python, "format_checker", None)
    format_names: set[str] = set()
    try:
        schema = _rs_schema(bundled_schema(url), format_names)
    except _UntranslatableError:
        return None
    formats: dict[str, Callable[..., bool]] = {}
    if checker is not None:
        # python's own checks (date-time: rfc3339-validator), so both engines agree on every
        # string; names python does not check pass, as they do there
        formats = {name: partial(checker.conforms, format=name) for name in format_names}
    try:
        return rs_class(schema, formats=formats, validate_formats=checker is not None, offline=True)
    except ValueError:  # a regex it cannot compile
        return None


_DATA_KEYWORDS = frozenset({"const", "enum", "default", "examples"})
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"})


def _rs_schema(node: Any, format_names: set[str]) -> Any:
    """A copy of a schema for jsonschema-rs: regexes rewritten, ``format`` names collected."""
    if isinstance(node, list):
        return [_rs_schema(item, format_names) for item in node]
    if not isinstance(node, dict):
        return node
    copy: dict[str, Any] = {}
    for key, value in node.items():
        if key in _DATA_KEYWORDS:
            copy[key] = value
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            rename = _rs_pattern if key == "patternProperties" else str
            copy[key] = {rename(name): _rs_schema(sub, format_names) for name, sub in value.items()}
        elif key == "pattern" and isinstance(value, str):
            copy[key] = _rs_pattern(value)
        else:
            if key == "format" and isinstance(value, str):
                format_names.add(value)
            copy[key] = _rs_schema(value, format_names)
    return copy


_QUANTIFIER = re.compile(r"\{[0-9]+(,[0-9]*)?\}")
_PLAIN_ESCAPES = frozenset("nrtfv") | frozenset(r"""\/.^$|?*+()[]{}-""")


def _rs_pattern(pattern: str) -> str:
    """``pattern`` (python ``re`` syntax, as python jsonschema runs it) for jsonschema-rs.

    jsonschema-rs reads ECMA 262 regexes: there ``\\d`` is ASCII only, ``\\s`` is a different
    set, ``$`` does not match before a final newline and ``.`` also stops at ``\\r``. Those
    become explicit forms meaning what python means; constructs not handled here raise
    :class:`_UntranslatableError`, and that schema then has no compiled validator.
    """
    out: list[str] = []
    in_class = False
    index, end = 0, len(pattern)
    while index < end:
        char = pattern[index]
        if char == "\\":
            escaped = pattern[index + 1 : index + 2]
            index += 2
            if escaped in ("d", "s"):
                members = _python_class("\\" + escaped)
                out.append(members if in_class else f"[{members}]")
            elif escaped in ("D", "S") and not in_class:
                out.append(f"[^{_python_class(chr(92) + escaped.lower())}]")
            elif escaped and escaped in _PLAIN_ESCAPES:
                out.append("\\" + escaped)
            else:
                raise _UntranslatableError(pattern)
            continue
        if in_class:
            if char == "[" or pattern.startswith(("&&", "--", "~~"), index):
                raise _UntranslatableError(pattern)  # nested classes and set operations in jsonschema-rs
            in_class = char != "]"
            out.append(char)
        elif char == "[":
            in_class = True
            start = "[^" if pattern.startswith("[^", index) else "["
            if pattern.startswith("]", index + len(start)):
                raise _UntranslatableError(pattern)  # a literal "]" first in python, an empty class in ECMA
            out.append(start)
            index += len(start)
            continue
        elif char == "$":
            out.append(r"\n?$" if index == end - 1 else r"(?=\n?$)")
        elif char == ".":
            out.append(r"[^\n]")
        elif char == "{":
            quantifier = _QUANTIFIER.match(pattern, index)
            if quantifier is None:
                raise _UntranslatableError(pattern)  # a literal "{" in python
            out.append(quantifier.group())
            index = quantifier.end()
            continue
        elif char == "(" and pattern.startswith("(?", index) and not pattern.startswith(("(?:", "(?=", "(?!"), index):
            raise _UntranslatableError(pattern)  # flags, named groups, lookbehind
        else:
            out.append(char)
        index += 1
    if in_class:
        raise _UntranslatableError(pattern)
    return "".join(out)


@cache
def _python_class(escape: str) -> str:
    """What python ``re`` matches with ``escape`` (``\\d``, ``\\s``), as a character class body."""
    ranges: list[str] = []
    for start, end in _code_point_runs(escape):
        first, last = chr(start), chr(end)
        if any(c in "\\]^-[&~" for c in (first, last)):
            raise _UntranslatableError(escape)
        ranges.append(first if first == last else f"{first}-{last}")
    return "".join(ranges)


def _code_point_runs(escape: str) -> tuple[tuple[int, int], ...]:
    """The inclusive code point ranges ``escape`` matches: tabulated for this Unicode version, or scanned."""
    known = CLASSES.get(unicodedata.unidata_version, {}).get(escape)
    return known if known is not None else _scan_code_points(escape)


def _scan_code_points(escape: str) -> tuple[tuple[int, int], ...]:
    """Every code point, matched against ``escape``: about 0.05 s (the text is built in C, not by chr())."""
    every = array("I", range(0x110000)).tobytes().decode("utf-32-le", "surrogatepass")
    return tuple((run.start(), run.end() - 1) for run in re.finditer(escape + "+", every))


def _issues(error: _JsonSchemaError, schema_name: str) -> Iterator[Issue]:
    path = tuple(error.absolute_path)
    code = f"schema.{error.validator}"
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        schema = error.schema if isinstance(error.schema, dict) else {}
        known = set(schema.get("properties", {}))
        for name in sorted(set(error.instance) - known):
            yield Issue(code, pointer(*path, name), f"{name!r} is not defined here (misspelt?) [{schema_name} schema]")
        return
    message = error.message
    if len(message) > 200:
        message = (
            f"value {_short(error.instance)} does not satisfy {error.validator!r}: {_short(error.validator_value)}"
        )
    yield Issue(code, pointer(*path), f"{message} [{schema_name} schema]")


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."
