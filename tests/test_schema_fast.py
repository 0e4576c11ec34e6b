"""The compiled (jsonschema-rs) fast path decides exactly as the python jsonschema validators do.

``schema.is_valid`` and ``schema.iter_issues`` use the compiled validators first; the reference
here is the python path alone (the compiled decision patched out), which is what
``iter_issues`` did before the fast path existed.
"""

from __future__ import annotations

import copy
import json
import re
import unicodedata
from collections.abc import Iterator
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any
from unittest import mock

import jsonschema
import jsonschema_rs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from czmc import MicroCredential, _unicode_classes, ob3, schema
from czmc.inputs import load_document
from czmc.ob3 import CZMC_SCHEMA_URL, OB_SCHEMA_URL
from czmc.report import Issue
from tests.conftest import EXAMPLES
from tests.strategies import micro_credentials

SLOW = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
CREDENTIALS = sorted((EXAMPLES / "credentials").glob("*.json"))


def python_issues(document: Any, schemas: list[str] | None = None) -> list[Issue]:
    """``iter_issues`` with the python validators only: the behaviour the fast path must keep."""
    with mock.patch.object(schema, "_compiled_decision", return_value=None):
        return list(schema.iter_issues(document, schemas))


def assert_same(document: Any, schemas: list[str] | None = None) -> list[Issue]:
    """The fast decision, the fast ``iter_issues`` and each compiled verdict match the python path."""
    expected = python_issues(document, schemas)
    assert schema.is_valid(document, schemas) == (expected == [])
    assert list(schema.iter_issues(document, schemas)) == expected
    if schema._is_plain_json(document):
        urls = schemas if schemas is not None else schema.schemas_for(document)[0]
        for url in urls:
            decision = schema._compiled_decision(url, document)
            if decision is not None:
                assert decision == schema._validator(url).is_valid(document), url
    return expected


def _load(path: Path) -> dict[str, Any]:
    credential: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return credential


# --- set-up -----------------------------------------------------------------------------------


@pytest.mark.parametrize("url", sorted(schema.SCHEMAS))
def test_every_bundled_schema_has_a_compiled_validator(url: str) -> None:
    compiled = schema._compiled(url)
    assert compiled is not None
    draft = type(schema._validator(url)).__name__
    assert type(compiled).__name__ == draft  # same draft as the python validator, e.g. Draft201909Validator


@pytest.mark.parametrize("url", sorted(schema.SCHEMAS))
def test_every_bundled_schema_is_valid_against_its_metaschema(url: str) -> None:
    # checked here, not each time a process first validates (the schemas are pinned by hash)
    document = schema.bundled_schema(url)
    jsonschema.validators.validator_for(document).check_schema(document)


def test_the_tabulated_unicode_classes_are_what_python_matches() -> None:
    assert unicodedata.unidata_version in _unicode_classes.CLASSES  # a supported Python's version
    for escape, test in (("\\d", str.isdecimal), ("\\s", str.isspace)):
        runs = schema._scan_code_points(escape)
        assert _unicode_classes.CLASSES[unicodedata.unidata_version][escape] == runs
        matched = {point for start, end in runs for point in range(start, end + 1)}
        assert matched == {point for point in range(0x110000) if test(chr(point))}, escape


@pytest.mark.parametrize("path", CREDENTIALS, ids=lambda p: p.name)
def test_examples_are_valid_and_decided_by_the_compiled_validators(path: Path) -> None:
    credential = _load(path)
    assert assert_same(credential) == []
    assert schema.is_valid(credential)
    for url in (OB_SCHEMA_URL, CZMC_SCHEMA_URL):
        assert schema._compiled_decision(url, credential) is True
    with mock.patch.object(schema, "_validator", side_effect=AssertionError("python validator used")):
        assert schema.is_valid(credential)
        assert list(schema.iter_issues(credential)) == []


@pytest.mark.parametrize("path", sorted((EXAMPLES / "inputs").iterdir()), ids=lambda p: p.name)
def test_model_inputs_against_the_input_schema(path: Path) -> None:
    data = load_document(path)
    assert assert_same(data, [schema.MODEL_INPUT_SCHEMA_URL]) == []
    broken = copy.deepcopy(data)
    broken["achievement"]["workload"] = {"ects": "five"}
    broken["unknown"] = 1
    assert assert_same(broken, [schema.MODEL_INPUT_SCHEMA_URL]) != []


def test_unbundled_credential_schema_is_not_valid() -> None:
    credential = _load(CREDENTIALS[0])
    credential["credentialSchema"].append({"id": "https://example.org/s.json", "type": "JsonSchema"})
    assert not schema.is_valid(credential)
    assert [i.code for i in assert_same(credential)] == ["schema.unavailable"]
    assert schema.is_valid(credential, [OB_SCHEMA_URL, CZMC_SCHEMA_URL])


def test_explicit_unknown_schema_raises_as_before() -> None:
    with pytest.raises(KeyError):
        schema.is_valid({}, ["https://example.org/s.json"])
    with pytest.raises(KeyError):
        list(schema.iter_issues({}, ["https://example.org/s.json"]))


# --- python semantics the compiled copy is given ------------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "2025-02-03T09:00:00",  # naive
        "2025-13-01T00:00:00Z",
        "2025-02-30T00:00:00Z",
        "2023-02-29T00:00:00Z",
        "2025-02-03T23:59:60Z",  # leap second: jsonschema-rs's own check accepts it, python does not
        "0000-01-01T00:00:00Z",  # year 0: likewise
        "2025-02-03T09:00:00Z\n",  # python's rfc3339 regex ends in "$": accepted there, not by jsonschema-rs
        "2025-02-03t09:00:00z",
        "2025-02-03 09:00:00Z",
        "2025-02-03T09:00:00.123456789+01:00",
        "2025-02-03T09:00:00+0100",
        "2025-02-03T09:00Z",
        "٢٠٢٥-02-03T09:00:00Z",
        "2024-02-29T00:00:00-00:00",
    ],
)
def test_date_times_are_checked_as_python_does(value: str) -> None:
    credential = _load(CREDENTIALS[0])
    credential["validFrom"] = value
    credential["credentialSubject"]["activityEndDate"] = value
    assert_same(credential)


@pytest.mark.parametrize(
    "text",
    ["\x1f", "\x1c", "\x85", "\ufeff", "\u2028", "\u3000", " \t", "a\n", "\n", "", "\u200b"],
)
def test_whitespace_as_python_re_sees_it(text: str) -> None:
    credential = _load(CREDENTIALS[0])
    achievement = credential["credentialSubject"]["achievement"]
    language = next(iter(achievement["nameMap"]))  # the czmc schema checks language map texts with "\S"
    achievement["nameMap"][language] = text
    achievement["homepage"] = f"https://x{text}y.cz"
    credential["@context"][1] += text
    assert_same(credential)


def _bundled_patterns() -> list[str]:
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "pattern" and isinstance(value, str):
                    found.add(value)
                elif key not in ("enum", "const"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for url in schema.SCHEMAS:
        walk(schema.bundled_schema(url))
    return sorted(found)


@cache
def _rs_pattern_validator(pattern: str) -> jsonschema_rs.Validator:
    return jsonschema_rs.Draft202012Validator({"pattern": schema._rs_pattern(pattern)})


def _agrees(pattern: str, text: str) -> bool:
    return bool(re.search(pattern, text)) == _rs_pattern_validator(pattern).is_valid(text)


TRICKY = (
    "\n\r\t\x0b\x0c\x1c\x1d\x1e\x1f \x85\xa0\u1680\u180e\u2000\u200a\u200b\u2028\u2029\u202f\u205f\u3000\ufeff"
    "\u0660\u06f0\u0966\uff10\U000104a0\U0001d7ce\U0001e950"
    "09aAzZ_-.|/:#?$^[]\\"
)


@pytest.mark.parametrize("pattern", _bundled_patterns())
@settings(SLOW, max_examples=60)
@given(data=st.data())
def test_bundled_patterns_match_as_python_re_does(pattern: str, data: st.DataObject) -> None:
    text = data.draw(st.from_regex(pattern), label="matching")
    for _ in range(data.draw(st.integers(0, 3), label="edits")):
        char = data.draw(st.sampled_from(TRICKY) | st.characters(), label="char")
        where = data.draw(st.integers(0, len(text)), label="at")
        replace = data.draw(st.booleans(), label="replace")
        text = text[:where] + char + text[where + replace :]
    assume(not any(0xD800 <= ord(c) <= 0xDFFF for c in text))
    assert _agrees(pattern, text), repr(text)


def _code_points_to_try() -> Iterator[str]:
    """Every code point of python's \\d and \\s and their neighbours, all below U+3000, and a sample."""
    seen: set[int] = set(range(0x3000)) | set(range(0x3000, 0x110000, 97))
    every = "".join(map(chr, range(0x110000)))
    for escape in (r"\d", r"\s"):
        for run in re.finditer(escape + "+", every):
            seen.update(range(run.start() - 1, run.end() + 1))
    seen.update(map(ord, TRICKY))
    return (chr(c) for c in sorted(seen) if not 0xD800 <= c <= 0xDFFF and 0 <= c < 0x110000)


@pytest.mark.parametrize("pattern", [r"^\d$", r"^\s$", r"^\S$", r"^[^\s/]$", r"^[\d-]$", r"^\D$", r"^.$", r"a$"])
def test_translated_classes_mean_what_python_means(pattern: str) -> None:
    disagreements = [c for c in _code_points_to_try() if not _agrees(pattern, c) or not _agrees(pattern, "a" + c)]
    assert disagreements == []
    for text in ("a", "a\n", "a\n\n", "\na", "a\r", "a\r\n"):
        assert _agrees(pattern, text), repr(text)


@pytest.mark.parametrize(
    ("pattern", "translated"),
    [
        (r"^[a-z]{2,4}$", "^[a-z]{2,4}\\n?$"),
        (r"^(a$|b)", "^(a(?=\\n?$)|b)"),
        (r"\/\.", r"\/\."),
        (r"a.b", "a[^\\n]b"),
        (r"[.$]", r"[.$]"),
    ],
)
def test_pattern_translation(pattern: str, translated: str) -> None:
    assert schema._rs_pattern(pattern) == translated


@pytest.mark.parametrize(
    "pattern", [r"\w", r"\b", r"[\S]", r"[]a]", r"[a", r"(?i)a", r"(?P<x>a)", r"a{,3}", r"x{", r"\1", r"[a[b]]", "\\"]
)
def test_untranslatable_patterns_leave_the_schema_to_python(pattern: str) -> None:
    with pytest.raises(schema._UntranslatableError):
        schema._rs_pattern(pattern)


# --- values python and jsonschema-rs type differently --------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c.__setitem__("type", tuple(c["type"])),  # an array to jsonschema-rs, not to python
        lambda c: c["credentialSubject"].__setitem__("creditsEarned", Decimal("5")),
        lambda c: c["credentialSubject"].__setitem__("creditsEarned", float("nan")),
        lambda c: c["credentialSubject"].__setitem__("creditsEarned", float("inf")),
        lambda c: c.__setitem__("validFrom", b"2025-01-01T00:00:00Z"),
        lambda c: c.__setitem__("issuer", dict.fromkeys(("id",), "x") | {"type": ("Profile",)}),
    ],
)
def test_non_json_values_get_the_python_verdict(change: Any) -> None:
    credential = _load(CREDENTIALS[0])
    change(credential)
    assert not schema._is_plain_json(credential)
    assert_same(credential)


@pytest.mark.parametrize(
    "change",
    [
        lambda c: c["credentialSubject"]["achievement"]["nameMap"].__setitem__("cs", "\ud800"),
        lambda c: c["credentialSubject"]["achievement"]["nameMap"].__setitem__("\ud800", "x"),
        lambda c: c.__setitem__(1, 1),
    ],
)
def test_what_jsonschema_rs_cannot_read_gets_the_python_verdict(change: Any) -> None:
    credential = _load(CREDENTIALS[0])
    change(credential)
    assert schema._compiled_decision(CZMC_SCHEMA_URL, credential) is None
    assert_same(credential)


def test_plain_json() -> None:
    assert schema._is_plain_json({"a": [1, 2.5, True, None, "x", {"b": []}]})
    for odd in ((), Decimal(1), float("nan"), float("-inf"), b"", {1, 2}, object()):
        assert not schema._is_plain_json({"a": [odd]})
    deep: list[Any] = []
    for _ in range(100_000):
        deep = [deep]
    assert schema._is_plain_json(deep)


# --- generated credentials ----------------------------------------------------------------------


@settings(SLOW, max_examples=40)
@given(micro_credentials())
def test_generated_credentials(data: dict[str, Any]) -> None:
    credential = ob3.to_credential(MicroCredential.model_validate(data))
    assert assert_same(credential) == []


DATE_TIMES = st.sampled_from(
    [
        "2025-02-03T09:00:00",
        "2025-13-01T00:00:00Z",
        "2025-02-03T09:00:00Z",
        "2025-02-03T24:00:00Z",
        "2025-02-03T23:59:60Z",
        "2025-02-03T09:00:00.5+01:00",
        "2025-02-03T09:00:00Z\n",
        "2025-02-03",
        "yesterday",
        "",
    ]
) | st.from_regex(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,3})?)?([Zz]|[+-][0-9]{2}:?[0-9]{2})?\n?",
    fullmatch=True,
)
VALUES: st.SearchStrategy[Any] = st.sampled_from(
    [None, True, 0, 1, -1, 2.5, "", " ", "x", "\x1f", "\ufeff", "a\n", [], {}, ["x"], [{}], {"x": 1}, 1e300]
).map(copy.deepcopy)
NAMES = st.sampled_from(
    ["particpationForm", "creditPoints", "eqflevel", "Type", "@id", "nameMap ", "achievementtype", "x"]
) | st.text(max_size=8)
ENUM_KEYS = {
    "achievementType",
    "participationForm",
    "supervision",
    "qualityAssuranceType",
    "stackabilityOption",
    "qfEheaCycle",
    "eqfLevel",
    "type",
    "resultType",
    "identityType",
    "identifierType",
}
SCHEMA_IDS = st.sampled_from(
    [OB_SCHEMA_URL, CZMC_SCHEMA_URL, schema.MODEL_INPUT_SCHEMA_URL, "https://example.org/s.json", 5, None]
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for key, value in node.items():
            yield from _paths(value, (*path, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _paths(value, (*path, index))


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        node = node[step]
    return node


def _mutate(draw: st.DrawFn, credential: dict[str, Any]) -> None:
    kind = draw(
        st.sampled_from(
            [
                "delete",
                "replace",
                "date",
                "status",
                "member",
                "enum",
                "case",
                "credential_schema",
                "non_object",
                "context",
                "string",
                "language",
            ]
        )
    )
    paths = [p for p in _paths(credential) if p]
    members = [p for p in paths if isinstance(_get(credential, p[:-1]), dict)]
    objects = [p for p in _paths(credential) if isinstance(_get(credential, p), dict)]
    strings = [p for p in paths if isinstance(_get(credential, p), str)]
    subject = credential.get("credentialSubject")
    achievement = subject.get("achievement") if isinstance(subject, dict) else None
    if kind == "delete" and members:
        path = draw(st.sampled_from(members))
        del _get(credential, path[:-1])[path[-1]]
    elif kind == "replace" and paths:
        path = draw(st.sampled_from(paths))
        _get(credential, path[:-1])[path[-1]] = draw(VALUES)
    elif kind == "date":
        where = draw(
            st.sampled_from(["validFrom", "validUntil", "awardedDate", "activityStartDate", "activityEndDate"])
        )
        target = subject if where.startswith("activity") and isinstance(subject, dict) else credential
        target[where] = draw(DATE_TIMES)
    elif kind == "status":
        status = {"id": "https://x.cz/s#1", "type": "BitstringStatusListEntry"}
        choices = [[status, dict(status)], [status], [], status, {}, "x"]
        credential["credentialStatus"] = draw(st.sampled_from(choices))
    elif kind == "member" and objects:
        draw_path = draw(st.sampled_from(objects))
        _get(credential, draw_path)[draw(NAMES)] = draw(VALUES)
    elif kind == "enum":
        candidates = [p for p in strings if isinstance(p[-1], str) and p[-1] in ENUM_KEYS] or strings
        path = draw(st.sampled_from(candidates))
        value = _get(credential, path)
        _get(credential, path[:-1])[path[-1]] = draw(
            st.sampled_from([value.lower(), value.upper(), value + "s", value[1:], "Other", "ext:x"])
        )
    elif kind == "case" and isinstance(achievement, dict):
        achievement["achievementType"] = draw(
            st.sampled_from(["Microcredential", "microCredential", "MicroCredential", "ext:Micro", "MICROCREDENTIAL"])
        )
    elif kind == "credential_schema":
        entry: dict[str, Any] = {"id": draw(SCHEMA_IDS), "type": "1EdTechJsonSchemaValidator2019"}
        how = draw(st.sampled_from(["append", "replace", "object", "string", "empty", "delete"]))
        entries = credential.get("credentialSchema")
        if how == "append" and isinstance(entries, list):
            entries.append(entry)
        elif how in ("replace", "object"):
            credential["credentialSchema"] = [entry] if how == "replace" else entry
        elif how == "string":
            credential["credentialSchema"] = OB_SCHEMA_URL
        elif how == "empty":
            credential["credentialSchema"] = []
        else:
            credential.pop("credentialSchema", None)
    elif kind == "non_object" and len(objects) > 1:
        path = draw(st.sampled_from(objects[1:]))
        _get(credential, path[:-1])[path[-1]] = draw(st.sampled_from(["x", 1, [], [{}], None, True]).map(copy.deepcopy))
    elif kind == "context" and isinstance(credential.get("@context"), list):
        contexts = credential["@context"]
        how = draw(st.sampled_from(["drop_czmc", "reverse", "add", "drop_first"]))
        if how == "drop_czmc":
            credential["@context"] = [c for c in contexts if c != "https://w3id.org/czmc/v1"]
        elif how == "reverse":
            contexts.reverse()
        elif how == "add":
            contexts.append(
                draw(st.sampled_from([{"x": "https://x.cz/x"}, 5, "https://x.cz/c.json"]).map(copy.deepcopy))
            )
        elif contexts:
            del contexts[0]
    elif kind == "string" and strings:
        path = draw(st.sampled_from(strings))
        value = _get(credential, path)
        _get(credential, path[:-1])[path[-1]] = draw(
            st.sampled_from([value + "\n", value + " ", " ", "\x1f", "\u0085", value + "\x1e", "", "٣", value[:1]])
        )
    elif kind == "language":
        maps = [p for p in objects if p and isinstance(p[-1], str) and p[-1].endswith("Map")]
        if maps:
            path = draw(st.sampled_from(maps))
            _get(credential, path)[draw(st.sampled_from(["CS", "cs-cz", "c", "cs\n", "", "de-Latn-AT", "x" * 5]))] = (
                draw(st.sampled_from(["text", "", " ", "\x1f"]))
            )


@st.composite
def mutated_credentials(draw: st.DrawFn) -> dict[str, Any]:
    credential = ob3.to_credential(MicroCredential.model_validate(draw(micro_credentials())))
    for _ in range(draw(st.integers(1, 3))):
        _mutate(draw, credential)
    return credential


@settings(SLOW, max_examples=120)
@given(mutated_credentials())
def test_mutated_credentials(credential: dict[str, Any]) -> None:
    assert_same(credential)


@settings(SLOW, max_examples=40)
@given(mutated_credentials(), st.sampled_from([[OB_SCHEMA_URL], [CZMC_SCHEMA_URL], [CZMC_SCHEMA_URL, OB_SCHEMA_URL]]))
def test_mutated_credentials_against_chosen_schemas(credential: dict[str, Any], schemas: list[str]) -> None:
    assert_same(credential, schemas)


def test_every_single_member_deleted_from_an_example() -> None:
    credential = _load(EXAMPLES / "credentials" / "vet-welding.credential.json")
    for member in [p for p in _paths(credential) if p and isinstance(_get(credential, p[:-1]), dict)]:
        broken = copy.deepcopy(credential)
        del _get(broken, member[:-1])[member[-1]]
        assert_same(broken)
