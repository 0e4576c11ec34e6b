"""Reading input files: JSON/YAML, duplicate keys, syntax errors with lines, size cap, kinds."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from czmc import InputError
from czmc.inputs import MAX_FILE_BYTES, DocumentKind, detect_kind, load_document, parse_document


def test_json_and_yaml_give_the_same_document(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text('{"a": {"b": [1, "2"]}}', encoding="utf-8")
    (tmp_path / "a.yaml").write_text("a:\n  b: [1, '2']\n", encoding="utf-8")
    assert load_document(tmp_path / "a.json") == load_document(tmp_path / "a.yaml")


@pytest.mark.parametrize(
    ("text", "yaml_syntax", "code", "fragment"),
    [
        ('{"a": 1, "a": 2}', False, "input.duplicate_key", "duplicate key 'a'"),
        ("a: 1\na: 2\n", True, "input.yaml", "duplicate key 'a'"),
        ('{"a": 1,\n "b": }', False, "input.json", "line 2"),
        ("a: [1\nb: 2\n", True, "input.yaml", "line"),
    ],
)
def test_bad_syntax_is_a_typed_error_with_a_location(text: str, yaml_syntax: bool, code: str, fragment: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_document(text, yaml_syntax=yaml_syntax, source="f")
    (issue,) = caught.value.issues
    assert issue.code == code
    assert fragment in issue.message


def test_yaml_cannot_construct_python_objects() -> None:
    with pytest.raises(InputError):
        parse_document("a: !!python/object/apply:os.system ['true']\n", yaml_syntax=True)


def test_unreadable_and_oversized_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_document(tmp_path / "missing.json")
    assert caught.value.issues[0].code == "input.unreadable"
    big = tmp_path / "big.json"
    with big.open("wb") as stream:
        stream.truncate(MAX_FILE_BYTES + 1)
    with pytest.raises(InputError) as caught:
        load_document(big)
    assert caught.value.issues[0].code == "input.too_large"
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"a": "Žluťoučký"}'.encode("cp1250"))
    with pytest.raises(InputError) as caught:
        load_document(latin)
    assert caught.value.issues[0].code == "input.encoding"


def test_kinds() -> None:
    assert detect_kind({"@context": [], "credentialSubject": {}}) is DocumentKind.CREDENTIAL
    assert detect_kind({"achievement": {}, "learner": {}}) is DocumentKind.MODEL_INPUT
    others: list[Any] = [{"name": "x"}, [], "text"]
    for other in others:
        with pytest.raises(InputError):
            detect_kind(other)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_json_parser_round_trips_any_json(value: object) -> None:
    import json

    assert parse_document(json.dumps(value)) == value


@given(st.text(max_size=200))
def test_parser_never_fails_with_anything_but_input_error(text: str) -> None:
    for yaml_syntax in (False, True):
        with contextlib.suppress(InputError):
            parse_document(text, yaml_syntax=yaml_syntax)


def test_yaml_aliases_are_refused_so_alias_bombs_cannot_explode() -> None:
    bomb = "a: &a [x, x]\nb: &b [*a, *a]\nc: [*b, *b]\n"
    with pytest.raises(InputError) as caught:
        parse_document(bomb, yaml_syntax=True)
    assert "aliases" in caught.value.issues[0].message


@pytest.mark.parametrize(
    ("text", "yaml_syntax"), [("[" * 100_000, False), ("[" * 5_000, True), ("[" * 65 + "]" * 65, False)]
)
def test_deep_nesting_is_a_typed_error(text: str, yaml_syntax: bool) -> None:
    with pytest.raises(InputError) as caught:
        parse_document(text, yaml_syntax=yaml_syntax)
    assert caught.value.issues[0].code == "input.too_deep"


def test_nesting_depth() -> None:
    from czmc.inputs import nesting_depth

    assert nesting_depth(1) == 0
    assert nesting_depth({"a": [1, {"b": []}]}) == 4
    assert parse_document("[" * 64 + "]" * 64) is not None


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(child) for child in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(child) for child in value), default=0)
    return 0


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=3), children, max_size=4),
    max_leaves=40,
)


@given(_JSON)
def test_nesting_depth_is_the_depth(document: Any) -> None:
    from czmc.inputs import nesting_depth

    assert nesting_depth(document) == _depth(document)
