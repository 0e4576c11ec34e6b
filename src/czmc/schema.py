"""Bundled JSON Schemas, and validation that reports every violation with its JSON Pointer.

Two schemas apply to a czmc credential, both named in its ``credentialSchema``: the
official 1EdTech OB 3.0 AchievementCredential schema (byte-exact copy, see
``schemas/SOURCES.md``), and czmc's own schema for the EU elements, which also rejects
members nothing defines (the OB schema allows any extra member, so a misspelt extension
field would pass it). ``format`` keywords are asserted: a ``validFrom`` without a timezone
fails, as OB 3.0 requires.

A third schema describes the model input files (``czmc-microcredential-input-v1``), for
editors and for catalogues kept in git.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from importlib import resources
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError as _JsonSchemaError
from jsonschema.protocols import Validator

from czmc.errors import SchemaError
from czmc.jsonld import CZMC_CONTEXT
from czmc.model import INPUT_SCHEMA_ID as MODEL_INPUT_SCHEMA_URL
from czmc.ob3 import CZMC_SCHEMA_URL, OB_SCHEMA_URL
from czmc.report import Issue, pointer

__all__ = [
    "MODEL_INPUT_SCHEMA_URL",
    "SCHEMAS",
    "bundled_schema",
    "iter_issues",
    "schemas_for",
    "validate",
]

SCHEMAS: Mapping[str, str] = {
    OB_SCHEMA_URL: "ob_v3p0_achievementcredential_schema.json",
    CZMC_SCHEMA_URL: "czmc-credential-v1.schema.json",
    MODEL_INPUT_SCHEMA_URL: "czmc-microcredential-input-v1.schema.json",
}
"""Schema URL -> file name of the bundled copy in ``czmc/_data/schemas``."""

_SHORT_NAMES = {OB_SCHEMA_URL: "OB 3.0", CZMC_SCHEMA_URL: "czmc", MODEL_INPUT_SCHEMA_URL: "czmc input"}


@cache
def _schema_text(name: str) -> str:
    return resources.files("czmc").joinpath("_data", "schemas", name).read_text(encoding="utf-8")


def bundled_schema(url: str) -> dict[str, Any]:
    """A fresh copy of the bundled JSON Schema published at ``url``; KeyError if not bundled."""
    schema: dict[str, Any] = json.loads(_schema_text(SCHEMAS[url]))
    return schema


@cache
def _validator(url: str) -> Validator:
    schema = bundled_schema(url)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator: Validator = cls(schema, format_checker=cls.FORMAT_CHECKER)
    return validator


def schemas_for(credential: Mapping[str, Any]) -> tuple[list[str], list[Issue]]:
    """The bundled schema URLs a credential names in ``credentialSchema``, and issues for the rest.

    A credential that names none is checked against the OB 3.0 schema, and also the czmc
    schema if it uses the czmc context.
    """
    entries = credential.get("credentialSchema")
    if entries is None:
        contexts = credential.get("@context")
        uses_czmc = isinstance(contexts, list) and CZMC_CONTEXT in contexts
        return ([OB_SCHEMA_URL, CZMC_SCHEMA_URL] if uses_czmc else [OB_SCHEMA_URL]), []
    urls: list[str] = []
    issues: list[Issue] = []
    for index, entry in enumerate(entries if isinstance(entries, list) else [entries]):
        url = entry.get("id") if isinstance(entry, dict) else None
        if isinstance(url, str) and url in SCHEMAS:
            urls.append(url)
        else:
            issues.append(
                Issue(
                    "schema.unavailable",
                    pointer("credentialSchema", index, "id"),
                    f"schema {url!r} is not bundled with czmc, so the credential was not checked against it",
                )
            )
    return urls, issues


def iter_issues(document: Mapping[str, Any], schemas: Iterable[str] | None = None) -> Iterator[Issue]:
    """Every violation of ``schemas`` (default: :func:`schemas_for` the document), one by one."""
    if schemas is None:
        urls, issues = schemas_for(document)
        yield from issues
    else:
        urls = list(schemas)
    for url in urls:
        errors = sorted(_validator(url).iter_errors(document), key=lambda e: list(e.absolute_path))
        for error in errors:
            yield from _issues(error, _SHORT_NAMES.get(url, url))


def validate(document: Mapping[str, Any], schemas: Iterable[str] | None = None) -> None:
    """Raise :class:`~czmc.errors.SchemaError` listing every violation, if there is any."""
    issues = list(iter_issues(document, schemas))
    if issues:
        raise SchemaError(issues)


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
