"""Hostile input files and operator safety: bounded validation, safe outputs, clean failures.

Memory is measured in child processes under an address-space cap (RLIMIT_AS), so that a
regression fails the test instead of exhausting the machine.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from czmc import InputError
from czmc.inputs import MAX_DEPTH, parse_document
from czmc.locate import Locator, parse_pointer
from czmc.report import pointer

CZMC = shutil.which("czmc") or ""
needs_czmc = pytest.mark.skipif(not CZMC, reason="the czmc console script is not installed")

MEMORY_CAP = 512 * 1024 * 1024
"""Address space a child czmc may use: several times what these runs need, far below what the bugs took."""


def _capped() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_CAP, MEMORY_CAP))


def run(
    *args: str, stdin: str | None = None, cap: bool = False, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """The czmc command in a child process; ``cap`` limits its address space to :data:`MEMORY_CAP`."""
    return subprocess.run(
        [CZMC, *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=_capped if cap else None,
        cwd=cwd,
    )


def assert_clean_failure(result: subprocess.CompletedProcess[str], code: int, *fragments: str) -> None:
    """One ``error:`` line (with its issues) and a ``hint:``, the documented exit code, no traceback."""
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert result.stderr.startswith("error: "), result.stderr
    assert "\nhint: " in result.stderr, result.stderr
    assert "Traceback" not in result.stderr
    assert "unexpected" not in result.stderr
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


# --- resource exhaustion in validation -------------------------------------------------------


@needs_czmc
@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("arrays.json", "[" * 100_000 + "]" * 100_000),  # 200 KB: took 9.6 GiB and 25 s
        ("open.json", '{"a": ' + "[" * 2_000_000),  # 2 MB, never closed
        ("objects.json", '{"a": ' * 100_000 + "1" + "}" * 100_000),
        ("block.yaml", "a:\n" + "".join("  " * depth + "- \n" for depth in range(1, 3000))),
        ("flow.yaml", "[" * 100_000 + "]" * 100_000),  # ended in RecursionError
        ("mapping.yaml", "{a: " * 50_000 + "1" + "}" * 50_000),
    ],
)
def test_validate_refuses_deep_documents_in_bounded_memory(tmp_path: Path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text, encoding="utf-8")
    result = run("validate", str(tmp_path / name), cap=True)
    assert result.returncode == 1, result.stderr
    assert f"nested deeper than {MAX_DEPTH} levels [input.too_deep]" in result.stdout
    assert result.stderr == ""


@needs_czmc
def test_validate_locates_problems_in_a_large_flat_file_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "flat.json"
    path.write_text('{"a": [' + ",".join(["1"] * 2_000_000) + "]}", encoding="utf-8")
    result = run("validate", str(path), "--format", "github", cap=True)
    assert result.returncode == 1, result.stderr
    assert "::error file=" in result.stdout
    assert "line=1,col=1,title=input.unknown_kind" in result.stdout


@pytest.mark.parametrize(
    ("text", "yaml_syntax"),
    [
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), False),
        ("[" * (MAX_DEPTH + 1) + "]" * (MAX_DEPTH + 1), True),
        ('{"a": ' * (MAX_DEPTH + 1) + "1" + "}" * (MAX_DEPTH + 1), False),
        ('["' + "[" * 1000 + '", ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "]", None),  # brackets in a string
    ],
)
def test_depth_limit_is_exact(text: str, yaml_syntax: bool | None) -> None:
    if yaml_syntax is None:  # at the limit, with brackets inside a string that must not count
        assert parse_document(text) is not None
        return
    with pytest.raises(InputError) as caught:
        parse_document(text, yaml_syntax=yaml_syntax)
    assert caught.value.issues[0].code == "input.too_deep"
    at_limit = text.replace("[", "", 1).replace("]", "", 1) if "[" in text else text.replace('{"a": ', "", 1)[:-1]
    assert parse_document(at_limit, yaml_syntax=yaml_syntax) is not None


@pytest.mark.parametrize("yaml_syntax", [False, True])
def test_long_integers_are_input_errors(yaml_syntax: bool) -> None:
    text = ("a: " if yaml_syntax else '{"a": ') + "1" * 5000 + ("" if yaml_syntax else "}")
    with pytest.raises(InputError) as caught:
        parse_document(text, yaml_syntax=yaml_syntax, source="f")
    assert caught.value.issues[0].code == ("input.yaml" if yaml_syntax else "input.json")
    assert "too long" in caught.value.issues[0].message or "longer than" in caught.value.issues[0].message


def _pointers(document: Any, prefix: str = "") -> list[str]:
    found = [prefix]
    if isinstance(document, dict):
        for key, value in document.items():
            found += _pointers(value, prefix + pointer(key))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += _pointers(value, prefix + pointer(index))
    return found


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=4), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(_JSON, st.integers(min_value=0, max_value=2))
def test_locator_points_at_every_value(document: Any, indent: int) -> None:
    """Each pointer's location is its value's first character, or for a member, its key."""
    text = json.dumps(document, indent=indent or None, ensure_ascii=False)
    locator = Locator(text)
    lines = text.split("\n")
    for path in _pointers(document):
        found = locator.find(path)
        assert found is not None
        line, column = found
        here = lines[line - 1][column - 1 :]
        if path == "":
            assert text.startswith(here[:1])
            continue
        *parents, token = parse_pointer(path)
        parent = document
        for part in parents:
            parent = parent[int(part)] if isinstance(parent, list) else parent[part]
        if isinstance(parent, dict):
            assert here.startswith(json.dumps(token, ensure_ascii=False))
        else:
            assert here.startswith(json.dumps(parent[int(token)], ensure_ascii=False)[:1])


def test_locator_falls_back_to_the_nearest_ancestor() -> None:
    locator = Locator('{\n  "a": [\n    {"b": 1}\n  ]\n}')
    assert locator.find("/a/0/b") == (3, 6)
    assert locator.find("/a/0/missing") == (3, 5)
    assert locator.find("/a/7") == (2, 3)
    assert locator.find("/a/01") == (2, 3)  # not an array index
    assert Locator("").find("/a") is None
