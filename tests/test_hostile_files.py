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
    lines = result.stderr.splitlines()
    assert sum(line.startswith("error: ") for line in lines) == 1, result.stderr  # after progress lines, if any
    assert lines[-1].startswith("hint: "), result.stderr
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
    assert Locator("\ufeff\n  [1]").find("") == (2, 3)  # the root, found without mapping the document
    assert Locator(" ]").find("") is None
    deep = Locator("[" * 1_000_000)
    assert deep.find("") == (1, 1)
    assert deep.find("/0/0") == (1, 3)


# --- recursive searches and links ------------------------------------------------------------


@needs_czmc
def test_recursive_glob_does_not_follow_directory_links(tmp_path: Path) -> None:
    tree = tmp_path / "d"
    (tree / "sub").mkdir(parents=True)
    (tree / "sub" / "a.json").write_text("{}", encoding="utf-8")
    (tree / "x").symlink_to(".")  # two loops made the search endless
    (tree / "sub" / "y").symlink_to("..")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.json").write_text("{}", encoding="utf-8")
    (tree / "out").symlink_to(outside)
    (tree / "leak.json").symlink_to(outside / "secret.json")
    (tree / "inside.json").symlink_to(tree / "sub" / "a.json")
    for pattern in ("d/**/*.json", "d"):
        result = run("validate", pattern, cwd=tmp_path)
        assert result.returncode == 1, result.stderr
        checked = [line.split(":")[0] for line in result.stdout.splitlines() if line.startswith("d/")]
        assert checked == ["d/inside.json", "d/sub/a.json"], result.stdout
        notes = result.stderr.splitlines()
        assert "note: skipped d/x: a link to a directory (searches do not follow them)" in notes
        assert "note: skipped d/sub/y: a link to a directory (searches do not follow them)" in notes
        assert "note: skipped d/out: a link to a directory (searches do not follow them)" in notes
        assert "note: skipped d/leak.json: a link to a file outside d" in notes
        assert "secret" not in result.stdout


@needs_czmc
def test_glob_semantics_are_kept(tmp_path: Path) -> None:
    for name in ("a.json", "b.yaml", ".hidden.json", "s/c.json", "s/t/d.json", ".h/e.json"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("{}", encoding="utf-8")

    def checked(*patterns: str) -> list[str]:
        result = run("validate", *patterns, "--format", "json", cwd=tmp_path)
        return [report["path"] for report in json.loads(result.stdout)]

    assert checked("*.json") == ["a.json"]
    assert checked("**/*.json") == ["a.json", "s/c.json", "s/t/d.json"]
    assert checked("s/*") == ["s/c.json", "s/t/d.json"]  # a matched directory is searched
    assert checked(".h/*.json", "*.yaml") == [".h/e.json", "b.yaml"]
    assert checked(str(tmp_path / "s" / "**" / "d.json")) == [str(tmp_path / "s" / "t" / "d.json")]
    missing = run("validate", "nothing/**/*.json", cwd=tmp_path)
    assert_clean_failure(missing, 2, "no file matches nothing/**/*.json")


# --- outputs -----------------------------------------------------------------------------------

FULL_INPUT = Path(__file__).resolve().parent.parent / "examples" / "inputs" / "applied-ai.json"


@needs_czmc
def test_output_to_a_character_device_or_fifo_is_written_through(tmp_path: Path) -> None:
    import os
    import threading

    devnull = tmp_path / "null"
    devnull.symlink_to("/dev/null")  # a link to a character device is written through, like /dev/stderr
    result = run("build", str(FULL_INPUT), "-o", str(devnull))
    assert result.returncode == 0, result.stderr
    assert devnull.is_symlink()
    assert os.stat("/dev/null").st_mode & 0o170000 == 0o020000  # still a character device

    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run("build", str(FULL_INPUT), "-o", str(fifo))
    reader.join(timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(received[0])["type"][0] == "VerifiableCredential"
    assert fifo.is_fifo()

    stdout = run("build", str(FULL_INPUT), "-o", "/dev/stdout")
    assert stdout.returncode == 0
    assert json.loads(stdout.stdout)["type"][0] == "VerifiableCredential"
    assert "wrote" not in stdout.stderr
    stderr = run("build", str(FULL_INPUT), "-o", "/dev/stderr")
    assert stderr.returncode == 0
    assert stderr.stdout == ""
    assert json.loads(stderr.stderr)["type"][0] == "VerifiableCredential"  # whatever stderr is (here a pipe)


@needs_czmc
def test_output_through_a_link_or_onto_a_directory_is_refused_before_any_work(tmp_path: Path) -> None:
    target = tmp_path / "victim.txt"
    target.write_text("keep me", encoding="utf-8")
    link = tmp_path / "out.json"
    link.symlink_to(target)
    for args in (
        ("build", str(FULL_INPUT), "-o", str(link)),
        ("validate", str(FULL_INPUT), "-o", str(link)),
        ("build", str(FULL_INPUT), "-o", str(tmp_path)),
        ("keygen", "-o", str(link), "--force"),
    ):
        result = run(*args)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("error: "), result.stderr
        assert "Traceback" not in result.stderr
    assert target.read_text(encoding="utf-8") == "keep me"
    assert link.is_symlink()


@needs_czmc
def test_personal_data_is_private_and_reports_follow_the_umask(tmp_path: Path) -> None:
    credential, report = tmp_path / "mc.json", tmp_path / "report.txt"
    assert run("build", str(FULL_INPUT), "-o", str(credential)).returncode == 0
    assert run("validate", str(credential), "-o", str(report)).returncode == 0
    assert credential.stat().st_mode & 0o777 == 0o600
    assert report.stat().st_mode & 0o777 == 0o666 & ~_umask()  # a report: no personal data
    key, document = tmp_path / "k.jwk", tmp_path / "did.json"
    made = run("keygen", "--did", "did:web:cvut.cz", "-o", str(key), "--did-document", str(document))
    assert made.returncode == 0, made.stderr
    assert key.stat().st_mode & 0o777 == 0o600
    assert document.stat().st_mode & 0o777 == 0o666 & ~_umask()  # public
    token = tmp_path / "mc.jwt"
    issued = run("issue", str(FULL_INPUT), "--key", str(key), "-o", str(token))
    assert issued.returncode == 0, issued.stderr
    assert token.stat().st_mode & 0o777 == 0o600


def _umask() -> int:
    import os

    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# --- issue-batch: files for people, rows from anyone -----------------------------------------

COURSE = Path(__file__).resolve().parent.parent / "examples" / "courses" / "cybersecurity-public-administration.json"
HEADER = "os_cislo;prijmeni;jmeno;titul_pred;titul_za;email;znamka;datum_ukonceni"


@pytest.fixture(scope="module")
def muni_key(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("muni")
    key = directory / "issuer.jwk"
    made = run("keygen", "--did", "did:web:muni.cz", "-o", str(key), "--did-document", str(directory / "did.json"))
    assert made.returncode == 0, made.stderr
    return key


def _roster(path: Path, *rows: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(("\r\n".join([HEADER, *rows]) + "\r\n").encode(encoding))
    return path


def _batch(key: Path, roster: Path, out: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return run("issue-batch", str(COURSE), str(roster), "--key", str(key), "--out", str(out), *extra)


@needs_czmc
def test_batch_tokens_and_manifest_are_private(tmp_path: Path, muni_key: Path) -> None:
    roster = _roster(tmp_path / "r.csv", "1001;Nováková;Jana;;;jana@example.org;A;6.6.2025")
    result = _batch(muni_key, roster, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    files = list((tmp_path / "out").iterdir())
    assert len(files) == 2
    assert all(path.stat().st_mode & 0o777 == 0o600 for path in files), [oct(p.stat().st_mode) for p in files]


@needs_czmc
def test_a_planted_manifest_link_is_refused(tmp_path: Path, muni_key: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    target = tmp_path / "elsewhere.txt"
    target.write_text("", encoding="utf-8")
    (out / "manifest.jsonl").symlink_to(target)
    roster = _roster(tmp_path / "r.csv", "1001;Nováková;Jana;;;jana@example.org;A;6.6.2025")
    result = _batch(muni_key, roster, out)
    assert_clean_failure(result, 1, "manifest.jsonl is a symbolic link")
    assert target.read_text(encoding="utf-8") == ""
    assert not list(out.glob("*.jwt"))


@needs_czmc
def test_rejects_cells_cannot_be_formulas(tmp_path: Path, muni_key: Path) -> None:
    roster = _roster(
        tmp_path / "r.csv",
        '1001;=HYPERLINK("http://evil");Jana;;;jana@example.org;X;6.6.2025',
        "1002;+1;@SUM(A1);-2;;jana@example.org;X;6.6.2025",
        '1003;"\tTab";Jan;;;x@example.org;X;6.6.2025',
    )
    result = _batch(muni_key, roster, tmp_path / "out", "--skip-invalid")
    assert result.returncode == 0, result.stderr
    rejects = tmp_path / "out" / "rejects.csv"
    assert rejects.stat().st_mode & 0o777 == 0o600
    import csv

    with rejects.open(encoding="utf-8-sig", newline="") as stream:
        rows = list(csv.reader(stream, delimiter=";"))
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://evil")' in cells
    assert {"'+1", "'@SUM(A1)", "'-2", "'\tTab"} <= set(cells)
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row)


@needs_czmc
@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("Jana\x00", "U+0000 NULL"),
        ("Jana\x1b]0;pwned\x07", "U+001B ESCAPE"),
        ("Jana\x07", "U+0007 BELL"),
        ("\u202eanaJ", "U+202E RIGHT-TO-LEFT OVERRIDE"),
        ("Ja\u2066na", "U+2066 LEFT-TO-RIGHT ISOLATE"),
        ("Ja\x85na", "U+0085 NEXT LINE"),
    ],
)
def test_rows_with_control_characters_are_refused_at_the_row(
    tmp_path: Path, muni_key: Path, name: str, shown: str
) -> None:
    import csv
    import io

    text = io.StringIO()
    csv.writer(text, delimiter=";", lineterminator="\r\n").writerow(
        ["1001", "Nováková", name, "", "", "jana@example.org", "A", "6.6.2025"]
    )
    roster = _roster(tmp_path / "r.csv", "1000;Novák;Jan;;;jan@example.org;A;6.6.2025", text.getvalue().rstrip())
    result = _batch(muni_key, roster, tmp_path / "out")
    assert_clean_failure(result, 1, "/row/3/given_name", shown, "[row.control_character]")
    assert "\x1b" not in result.stderr
    assert "\x07" not in result.stderr
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").glob("*.jwt"))


@needs_czmc
def test_an_over_long_name_is_refused_with_the_limit(tmp_path: Path, muni_key: Path) -> None:
    roster = _roster(tmp_path / "r.csv", f"1001;{'Dlouhá' * 20_000};Jana;;;jana@example.org;A;6.6.2025")
    result = _batch(muni_key, roster, tmp_path / "out")
    assert_clean_failure(result, 1, "/row/2/family_name", "120,000 characters", "at most 1,024", "[row.too_long]")
    at_limit = _roster(tmp_path / "ok.csv", f"1001;{'Dlouhá' * 170}x;{'J' * 1024};;;jana@example.org;A;6.6.2025")
    issued = _batch(muni_key, at_limit, tmp_path / "ok", "--proof-format", "vc-jose-cose")
    assert issued.returncode == 0, issued.stderr
    (token_file,) = (tmp_path / "ok").glob("*.jwt")
    verified = run("verify", str(token_file), "--did-document", str(muni_key.parent / "did.json"), "--no-status")
    assert verified.returncode == 0, verified.stdout


@needs_czmc
def test_formula_like_names_are_issued_with_a_warning(tmp_path: Path, muni_key: Path) -> None:
    roster = _roster(tmp_path / "r.csv", "1001;=cmd|'/c calc'!A0;Jana;;;jana@example.org;A;6.6.2025")
    result = _batch(muni_key, roster, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "warning: /row/2/family_name: family_name \"=cmd|'/c calc'!A0\" starts like a spreadsheet formula" in (
        result.stderr
    )
    assert "[row.formula_like]" in result.stderr


@needs_czmc
def test_a_header_only_roster_is_reported(tmp_path: Path, muni_key: Path) -> None:
    result = _batch(muni_key, _roster(tmp_path / "r.csv"), tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "has no rows, only a header: nothing was issued" in result.stderr


@needs_czmc
def test_a_utf8_roster_read_as_cp1250_is_refused_unless_forced(tmp_path: Path, muni_key: Path) -> None:
    roster = _roster(tmp_path / "r.csv", "1001;Dvořáková;Tereza;;;t@example.org;A;6.6.2025")
    result = _batch(muni_key, roster, tmp_path / "out", "--encoding", "cp1250")
    assert_clean_failure(
        result, 1, "line 2 is UTF-8 text ('Dvořáková'), not cp1250", "DvoĹ™ĂˇkovĂˇ", "--force-encoding"
    )
    forced = _batch(muni_key, roster, tmp_path / "out", "--encoding", "cp1250", "--force-encoding")
    assert forced.returncode == 0, forced.stderr
    real = _roster(tmp_path / "cp.csv", "1002;Dvořáková;Tereza;;;t@example.org;A;6.6.2025", encoding="cp1250")
    assert _batch(muni_key, real, tmp_path / "out2", "--encoding", "cp1250").returncode == 0


@needs_czmc
@pytest.mark.parametrize("encoding", ["rot13", "base64", "no-such-encoding", "utf-16"])
def test_unusable_encodings_are_usage_errors(tmp_path: Path, muni_key: Path, encoding: str) -> None:
    roster = _roster(tmp_path / "r.csv", "1001;Nováková;Jana;;;jana@example.org;A;6.6.2025")
    assert_clean_failure(_batch(muni_key, roster, tmp_path / "out", "--encoding", encoding), 2, "encoding")


# --- terminal escapes --------------------------------------------------------------------------


def test_escape_controls() -> None:
    from czmc.render import escape_controls

    assert escape_controls("Jana Nováková") == "Jana Nováková"
    assert escape_controls("a\x1b]0;title\x07b") == "a\\x1b]0;title\\x07b"
    assert escape_controls("x\nVALID\r\t\x7f\x9b") == "x\\x0aVALID\\x0d\\x09\\x7f\\x9b"
    assert escape_controls("\u202egnp.exe \u2066\u2069\u200f\u2028") == "\\u202egnp.exe \\u2066\\u2069\\u200f\\u2028"


@needs_czmc
def test_text_output_escapes_control_characters_from_content(tmp_path: Path) -> None:
    credential = json.loads(run("build", str(FULL_INPUT)).stdout)
    credential["credentialSubject"]["achievement"]["\x1b]0;pwned\x07\x1b[2J"] = 1
    path = tmp_path / "evil\x1b[31m.json"
    path.write_text(json.dumps(credential), encoding="utf-8")
    for output_format in ("text", "github"):
        result = run("validate", str(path), "--format", output_format)
        assert result.returncode == 1
        assert "\x1b" not in result.stdout
        assert "\x07" not in result.stdout
        assert "\\x1b]0;pwned\\x07\\x1b[2J" in result.stdout
        assert "evil\\x1b[31m.json" in result.stdout
    as_json = run("validate", str(path), "--format", "json")
    assert "\\u001b]0;pwned\\u0007" in as_json.stdout  # JSON escapes them itself


@needs_czmc
def test_registry_list_escapes_control_characters(tmp_path: Path) -> None:
    source = json.loads(FULL_INPUT.read_text(encoding="utf-8"))
    source["achievement"]["title"]["en"] = "AI \x1b]0;pwned\x07\x1b[2J"
    source["achievement"]["title"] = {"en": source["achievement"]["title"]["en"]}
    (tmp_path / "in.json").write_text(json.dumps(source), encoding="utf-8")
    key = tmp_path / "k.jwk"
    assert run("keygen", "--did", "did:web:cvut.cz", "-o", str(key)).returncode == 0
    registry = str(tmp_path / "r.db")
    issued = run("issue", str(tmp_path / "in.json"), "--key", str(key), "--registry", registry, "-o", "/dev/null")
    assert issued.returncode == 0, issued.stderr
    listed = run("registry", "list", "--registry", registry)
    assert listed.returncode == 0, listed.stderr
    assert "\x1b" not in listed.stdout
    assert "AI \\x1b]0;pwned\\x07\\x1b[2J" in listed.stdout


# --- clean failures ----------------------------------------------------------------------------


@needs_czmc
@pytest.mark.parametrize("kind", ["build", "validate", "course", "mapping"])
def test_yaml_with_a_5000_digit_integer_is_a_clean_failure(tmp_path: Path, muni_key: Path, kind: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_text("achievement: " + "1" * 5000 + "\n", encoding="utf-8")
    roster = _roster(tmp_path / "r.csv", "1001;Nováková;Jana;;;jana@example.org;A;6.6.2025")
    if kind == "build":
        assert_clean_failure(run("build", str(path)), 1, "the integer is too long (5000 characters) [input.yaml]")
    elif kind == "validate":
        result = run("validate", str(path))
        assert result.returncode == 1
        assert "the integer is too long (5000 characters) [input.yaml]" in result.stdout
    elif kind == "course":
        result = run("issue-batch", str(path), str(roster), "--key", str(muni_key), "--out", str(tmp_path / "o"))
        assert_clean_failure(result, 1, "the integer is too long")
    else:
        path.write_text("columns:\n  grade: " + "1" * 5000 + "\n", encoding="utf-8")
        result = _batch(muni_key, roster, tmp_path / "o", "--mapping", str(path))
        assert_clean_failure(result, 2, "cannot use the column mapping", "the integer is too long")


@needs_czmc
def test_deep_yaml_is_a_clean_failure_in_build(tmp_path: Path) -> None:
    path = tmp_path / "deep.yaml"
    path.write_text("achievement: " + "[" * 20_000 + "]" * 20_000 + "\n", encoding="utf-8")
    assert_clean_failure(run("build", str(path), cap=True), 1, "[input.too_deep]")


@needs_czmc
def test_status_publish_over_a_file_that_is_not_a_status_list(tmp_path: Path) -> None:
    key = tmp_path / "k.jwk"
    assert run("keygen", "--did", "did:web:cvut.cz", "-o", str(key)).returncode == 0
    registry = str(tmp_path / "r.db")
    issued = run("issue", str(FULL_INPUT), "--key", str(key), "--registry", registry, "-o", "/dev/null")
    assert issued.returncode == 0, issued.stderr
    out = tmp_path / "site"
    (out / "revocation").mkdir(parents=True)
    (out / "revocation" / "1.jwt").write_text("<html>not found</html>\n", encoding="utf-8")
    result = run("status", "publish", "--registry", registry, "--key", str(key), "--out", str(out))
    assert_clean_failure(result, 1, "is not a readable status list; nothing was written [registry.not_a_list]")
    assert "move that file away" in result.stderr
    assert (out / "revocation" / "1.jwt").read_text(encoding="utf-8") == "<html>not found</html>\n"
    (out / "revocation" / "1.jwt").unlink()
    published = run("status", "publish", "--registry", registry, "--key", str(key), "--out", str(out))
    assert published.returncode == 0, published.stderr


def test_registry_urls_are_shown_without_credentials() -> None:
    from czmc.errors import RegistryError
    from czmc.registry import display_target, open_registry

    assert display_target("postgresql://czmc:s3cret@db:5432/reg?sslpassword=x") == "postgresql://db:5432/reg"
    assert display_target("mysql://root:s3cret@db/reg") == "mysql://db/reg"
    assert display_target("postgres://u:s3cret@db:notaport/reg") == "postgres://db:notaport/reg"
    assert display_target("registry.db") == "registry.db"
    with pytest.raises(RegistryError) as caught:
        open_registry("mysql://root:s3cret@db/reg")
    assert "s3cret" not in caught.value.message


@needs_czmc
def test_interrupted_is_exit_130(tmp_path: Path) -> None:
    import signal
    import time

    process = subprocess.Popen(
        [CZMC, "validate", "-"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    time.sleep(3)  # czmc is waiting for standard input
    process.send_signal(signal.SIGINT)
    _out, err = process.communicate(timeout=60)
    assert process.returncode == 130, err
    assert "error: interrupted" in err
    assert "Traceback" not in err


@needs_czmc
def test_private_key_readable_by_others_is_warned_about(tmp_path: Path) -> None:
    key = tmp_path / "k.jwk"
    assert run("keygen", "--did", "did:web:cvut.cz", "-o", str(key)).returncode == 0
    quiet = run("issue", str(FULL_INPUT), "--key", str(key), "-o", "/dev/null")
    assert "warning" not in quiet.stderr
    key.chmod(0o644)
    loud = run("issue", str(FULL_INPUT), "--key", str(key), "-o", "/dev/null")
    assert loud.returncode == 0
    assert f"warning: the private key {key} is accessible by others (mode 0644)" in loud.stderr


@needs_czmc
def test_a_did_document_for_another_did_is_named(tmp_path: Path) -> None:
    key = tmp_path / "k.jwk"
    assert run("keygen", "--did", "did:web:cvut.cz", "-o", str(key)).returncode == 0
    other = tmp_path / "other.json"
    made = run("keygen", "--did", "did:web:muni.cz", "-o", str(tmp_path / "o.jwk"), "--did-document", str(other))
    assert made.returncode == 0
    token = run("issue", str(FULL_INPUT), "--key", str(key)).stdout.strip()
    result = run("verify", token, "--did-document", str(other), "--no-status")
    assert result.returncode == 1
    assert "the DID documents given are for did:web:muni.cz, not for did:web:cvut.cz" in result.stdout
    assert "--did-document" in result.stdout
    assert "network access is off" not in result.stdout


@needs_czmc
def test_same_situation_same_exit_code(tmp_path: Path, muni_key: Path) -> None:
    not_utf8 = tmp_path / "bad.json"
    not_utf8.write_bytes(b"\xff\xfe{}")
    token_file = tmp_path / "bad.jwt"
    token_file.write_bytes(b"\xff\xfe")
    roster = _roster(tmp_path / "r.csv", "1001;Nováková;Jana;;;jana@example.org;A;6.6.2025")
    # an input document that cannot be read: 1
    assert run("build", str(not_utf8)).returncode == 1
    assert run("issue", str(not_utf8), "--key", str(muni_key)).returncode == 1
    assert run("validate", str(not_utf8)).returncode == 1
    assert run("verify", str(token_file)).returncode == 1
    assert _batch(muni_key, not_utf8, tmp_path / "o").returncode == 1
    # a file given by an option that cannot be used: 2
    assert run("issue", str(FULL_INPUT), "--key", str(not_utf8)).returncode == 2
    assert run("verify", "eyJhIjoxfQ.eyJhIjoxfQ.c2ln", "--did-document", str(not_utf8)).returncode == 2
    assert _batch(muni_key, roster, tmp_path / "o", "--mapping", str(not_utf8)).returncode == 2
    assert _batch(not_utf8, roster, tmp_path / "o").returncode == 2
    # a key of another issuer: 2
    assert run("issue", str(FULL_INPUT), "--key", str(muni_key)).returncode == 2


@needs_czmc
def test_a_rerun_with_changed_rows_is_reported(tmp_path: Path, muni_key: Path) -> None:
    roster = _roster(
        tmp_path / "r.csv",
        "1001;Nováková;Jana;;;jana@example.org;A;6.6.2025",
        "1002;Novák;Jan;;;jan@example.org;B;6.6.2025",
    )
    assert _batch(muni_key, roster, tmp_path / "out").returncode == 0
    same = _batch(muni_key, roster, tmp_path / "out")
    assert same.returncode == 0
    assert "warning" not in same.stderr
    _roster(
        roster,
        "1001;Nováková;Jana;;;jana@example.org;A;6.6.2025",
        "1002;Novák;Jan;;;jan@example.org;C;6.6.2025",
    )
    changed = _batch(muni_key, roster, tmp_path / "out")
    assert changed.returncode == 0, changed.stderr
    assert (
        "warning: /row/3: learner 1002 was issued a credential from a row with other values; it is not issued "
        "again: revoke it and issue anew if the change matters [batch.changed_since_issued]"
    ) in changed.stderr
    assert "1001" not in changed.stderr
    assert "issued 0 credentials" in changed.stdout


@needs_czmc
def test_a_token_with_a_5000_digit_integer_is_a_clean_failure() -> None:
    import base64

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    token = ".".join([b64(b'{"alg":"EdDSA","kid":"did:web:cvut.cz#k"}'), b64(b'{"a":' + b"1" * 5000 + b"}"), b64(b"s")])
    for command in (("verify", token), ("validate", "-")):
        result = run(*command, stdin=token if command[1] == "-" else None)
        assert result.returncode == 1, result.stderr
        assert "JWS payload has an integer longer than 4300 digits [jws.json]" in result.stdout
        assert result.stderr == ""
