"""Reading input files: JSON or YAML documents, what kind each is, with clear errors.

Files are read whole, UTF-8 only, up to :data:`MAX_FILE_BYTES`; duplicate keys are an
error in both JSON and YAML (a silently dropped duplicate is a silently changed credential).
"""

from __future__ import annotations

import json
import re
import sys
from enum import StrEnum
from pathlib import Path
from typing import Any

from czmc._limits import MAX_DEPTH
from czmc.errors import InputError
from czmc.report import Issue

__all__ = [
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "TOKEN_SUFFIXES",
    "DocumentKind",
    "decode",
    "detect_kind",
    "is_course_definition",
    "is_token_name",
    "is_yaml_name",
    "load_document",
    "looks_like_compact_jws",
    "nesting_depth",
    "parse_document",
    "read_text",
]

MAX_FILE_BYTES = 10 * 1024 * 1024
"""Largest input file czmc reads (10 MiB); a micro-credential is a few kilobytes."""

_YAML_SUFFIXES = frozenset({".yaml", ".yml"})

TOKEN_SUFFIXES = frozenset({".jwt", ".jws"})
"""File suffixes of signed credentials (compact JWS); other files holding one are recognised by content."""

_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class DocumentKind(StrEnum):
    """What an input document is."""

    MODEL_INPUT = "microcredential"
    CREDENTIAL = "credential"
    TOKEN = "token"  # noqa: S105 - a signed credential (JWT), not a password
    COURSE = "course"
    MAPPING = "mapping"


_MAPPING_MEMBERS = frozenset({"columns", "grades", "delimiter", "encoding"})


class _DuplicateKeyError(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise _DuplicateKeyError(f"duplicate key {key!r}")
        result[key] = value
    return result


_BRACKETS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{\]}]')


def _too_deep(source: str) -> InputError:
    return InputError([Issue("input.too_deep", "", f"{source}: nested deeper than {MAX_DEPTH} levels")])


def _json_too_deep(text: str, limit: int = MAX_DEPTH) -> bool:
    """Whether JSON ``text`` nests arrays and objects deeper than ``limit``, found without parsing it.

    A linear scan that skips strings and stops at the first level too deep; text with at most
    ``limit`` brackets is not scanned at all. Malformed text is scanned as far as it goes
    (the parser reports its errors).
    """
    if text.count("[") + text.count("{") <= limit:
        return False
    depth = 0
    for match in _BRACKETS.finditer(text):
        char = match.group()
        if char in "[{":
            depth += 1
            if depth > limit:
                return True
        elif char in "]}":
            depth = max(depth - 1, 0)
    return False


def parse_document(text: str, *, yaml_syntax: bool = False, source: str = "<input>") -> Any:
    """Parse JSON (or YAML) text; raises :class:`~czmc.errors.InputError` naming the line.

    Documents nested deeper than :data:`MAX_DEPTH` are refused before they are built: JSON
    by a linear scan ahead of parsing, YAML while composing.
    """
    too_deep = _too_deep(source)
    if not yaml_syntax and _json_too_deep(text):
        raise too_deep
    try:
        document = _parse(text, yaml_syntax=yaml_syntax, source=source)
    except RecursionError as error:  # not expected after the checks above; still a typed error
        raise too_deep from error
    if nesting_depth(document) > MAX_DEPTH:
        raise too_deep
    return document


def nesting_depth(document: Any) -> int:
    """How deeply arrays and objects nest in ``document`` (a scalar is 0), without recursion."""
    depth = 0
    level = [document] if isinstance(document, _CONTAINERS) else []
    while level:  # breadth first, one level of containers at a time
        depth += 1
        if depth > MAX_DEPTH:
            return depth
        below: list[Any] = []
        append = below.append
        for node in level:  # plain loops and a tuple isinstance: half the time of comprehensions over X | Y
            for child in node.values() if isinstance(node, dict) else node:
                if isinstance(child, _CONTAINERS):
                    append(child)
        level = below
    return depth


_CONTAINERS = (dict, list)


def _parse(text: str, *, yaml_syntax: bool, source: str) -> Any:
    if yaml_syntax:
        import yaml  # noqa: PLC0415 - PyYAML (~15 ms to import) only for YAML documents

        from czmc._strict_yaml import StrictLoader, TooDeepError  # noqa: PLC0415

        try:
            return yaml.load(text, Loader=StrictLoader)  # noqa: S506 - a SafeLoader subclass
        except TooDeepError as error:
            raise _too_deep(source) from error
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None) or getattr(error, "context_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
            problem = getattr(error, "problem", None) or str(error)
            raise InputError([Issue("input.yaml", "", f"{source}: invalid YAML{where}: {problem}")]) from error
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as error:
        message = f"{source}: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        raise InputError([Issue("input.json", "", message)]) from error
    except _DuplicateKeyError as error:
        raise InputError([Issue("input.duplicate_key", "", f"{source}: {error}")]) from error
    except ValueError as error:  # an integer of more than 4300 digits, which Python refuses to convert
        message = f"{source}: invalid JSON: an integer longer than {sys.get_int_max_str_digits()} digits"
        raise InputError([Issue("input.json", "", message)]) from error


def decode(data: bytes, source: str) -> str:
    """UTF-8 text of at most :data:`MAX_FILE_BYTES`; InputError otherwise."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError([Issue("input.too_large", "", f"{source}: more than the {MAX_FILE_BYTES} bytes czmc reads")])
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputError([Issue("input.encoding", "", f"{source}: not UTF-8 text ({error.reason})")]) from error


def is_yaml_name(name: str) -> bool:
    """Whether a file name says YAML (``.yaml``/``.yml``); everything else is read as JSON."""
    return Path(name).suffix.lower() in _YAML_SUFFIXES


def is_token_name(name: str) -> bool:
    """Whether a file name says signed credential (``.jwt``/``.jws``)."""
    return Path(name).suffix.lower() in TOKEN_SUFFIXES


def looks_like_compact_jws(text: str) -> bool:
    """Whether ``text`` (surrounding whitespace aside) has the shape of a compact JWS: three base64url segments."""
    return _COMPACT_JWS.fullmatch(text.strip()) is not None


def read_text(path: str | Path) -> str:
    """The UTF-8 text of a file of at most :data:`MAX_FILE_BYTES`; InputError otherwise."""
    file = Path(path)
    try:
        with file.open("rb") as stream:
            data = stream.read(MAX_FILE_BYTES + 1)
    except OSError as error:
        raise InputError([Issue("input.unreadable", "", f"{file}: {error.strerror or error}")]) from error
    return decode(data, str(file))


def load_document(path: str | Path) -> Any:
    """Read and parse a JSON or YAML file (by suffix; anything else is read as JSON)."""
    file = Path(path)
    return parse_document(read_text(file), yaml_syntax=is_yaml_name(file.name), source=str(file))


def is_course_definition(document: Any) -> bool:
    """Whether ``document`` is meant as a course definition: an achievement and an issuer, no learner.

    Model inputs have a ``learner``; credentials have ``@context``/``credentialSubject``.
    """
    return (
        isinstance(document, dict)
        and "achievement" in document
        and "issuer" in document
        and not {"learner", "@context", "credentialSubject"} & document.keys()
    )


def detect_kind(document: Any) -> DocumentKind:
    """What a parsed ``document`` is: a credential, a course definition, a roster column mapping
    or a model input; InputError if none.

    A credential has ``@context`` or ``credentialSubject``; a course definition
    (:func:`is_course_definition`) an ``achievement`` and an ``issuer`` but no
    ``learner``; a column mapping (for ``czmc issue-batch --mapping``) ``columns`` and only
    mapping members; a model input an ``achievement`` or a ``learner``. (A signed credential is
    text, not a parsed document: see :func:`looks_like_compact_jws`.)
    """
    if isinstance(document, dict):
        if "@context" in document or "credentialSubject" in document:
            return DocumentKind.CREDENTIAL
        if is_course_definition(document):
            return DocumentKind.COURSE
        if "columns" in document and set(document) <= _MAPPING_MEMBERS:
            return DocumentKind.MAPPING
        if "achievement" in document or "learner" in document:
            return DocumentKind.MODEL_INPUT
    raise InputError(
        [
            Issue(
                "input.unknown_kind",
                "",
                "neither a credential (no '@context'/'credentialSubject'), a course definition nor a "
                "micro-credential model input (no 'achievement'/'learner')",
            )
        ]
    )
