"""czmc validate in CI and the command line's conventions, end to end through the console script.

Output formats (text, json, github, junit), globs, directories and standard input, signed
credentials (JWT files) with and without --verify, errors and hints, --debug, shell
completion, the pre-commit hook and the GitHub Actions example.
"""

from __future__ import annotations

import base64
import copy
import json
import os
import pty
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from czmc import did, keys, ob3, vcjwt
from czmc.model import MicroCredential
from czmc.render import github_escape_data, github_escape_property, render_text
from czmc.validation import validate_path
from tests.conftest import EXAMPLES, FULL, ROOT, plain_open_badge

CZMC = shutil.which("czmc") or ""
pytestmark = pytest.mark.skipif(not CZMC, reason="the czmc console script is not installed")

CREDENTIAL = EXAMPLES / "credentials" / "applied-ai.credential.json"


def run(
    *args: str, stdin: str | None = None, cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [CZMC, *args], input=stdin, capture_output=True, text=True, timeout=120, check=False, cwd=cwd, env=env
    )


def where(text: str, needle: str) -> tuple[int, int]:
    """1-based line and column of the only occurrence of ``needle`` in ``text``."""
    assert text.count(needle) == 1, needle
    for number, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return number, line.index(needle) + 1
    raise AssertionError(needle)  # pragma: no cover


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    """bad.json: an invalid credential (4 problems); plain.json: a plain OB 3.0 credential (1 warning)."""
    credential = json.loads(CREDENTIAL.read_text(encoding="utf-8"))
    credential["validFrom"] = "2025-01-01"
    credential["credentialSubject"]["achievement"]["particpationForm"] = "Online"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(credential, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    original = json.loads(CREDENTIAL.read_text(encoding="utf-8"))
    plain_credential = plain_open_badge(original)
    plain = tmp_path / "plain.json"
    plain.write_text(json.dumps(plain_credential, indent=2) + "\n", encoding="utf-8")
    return {"bad": bad, "plain": plain}


SCHEMA_FORMAT = "'2025-01-01' is not a 'date-time' [OB 3.0 schema]"
MISSPELT = "'particpationForm' is not defined here (misspelt?) [czmc schema]"
UNDEFINED = "property 'particpationForm' is not defined by the credential's @context"
NO_TIMEZONE = "'2025-01-01' has no timezone"
PARTICIPATION = "/credentialSubject/achievement/particpationForm"
NOT_MC = (
    "no czmc context: an Open Badges 3.0 achievement, checked without czmc's EU rules; not an EU "
    "micro-credential (missing: issuer_country, workload, level, assessment, participation, quality_assurance)"
)


# --- the four output formats ------------------------------------------------------------------


def test_text_format(files: dict[str, Path]) -> None:
    result = run("validate", "bad.json", "plain.json", cwd=files["bad"].parent)
    assert result.returncode == 1
    assert result.stderr == ""
    assert result.stdout.splitlines() == [
        "bad.json: 4 problems (credential)",
        f"  /validFrom: {SCHEMA_FORMAT} [schema.format]",
        f"  {PARTICIPATION}: {MISSPELT} [schema.additionalProperties]",
        f"  {PARTICIPATION}: {UNDEFINED} [jsonld.undefined_term]",
        f"  /validFrom: {NO_TIMEZONE} [ob3.structure]",
        "plain.json: valid, 1 warning (credential)",
        f"  warning: /@context: {NOT_MC} [ob3.not_micro_credential]",
        "2 files checked, 1 invalid",
    ]
    assert "\x1b[" not in result.stdout  # not a terminal: no colours


def test_json_format(files: dict[str, Path]) -> None:
    result = run("validate", "--format", "json", "bad.json", "plain.json", cwd=files["bad"].parent)
    assert result.returncode == 1
    reports = json.loads(result.stdout)
    assert [report.pop("profile")["profile"] for report in reports] == ["czmc-eu-microcredential", "ob3-achievement"]
    assert reports == [
        {
            "path": "bad.json",
            "kind": "credential",
            "valid": False,
            "verdict": "invalid",
            "issues": [
                {"code": "schema.format", "path": "/validFrom", "message": SCHEMA_FORMAT, "severity": "error"},
                {
                    "code": "schema.additionalProperties",
                    "path": PARTICIPATION,
                    "message": MISSPELT,
                    "severity": "error",
                },
                {"code": "jsonld.undefined_term", "path": PARTICIPATION, "message": UNDEFINED, "severity": "error"},
                {"code": "ob3.structure", "path": "/validFrom", "message": NO_TIMEZONE, "severity": "error"},
            ],
        },
        {
            "path": "plain.json",
            "kind": "credential",
            "valid": True,
            "verdict": "valid",
            "issues": [
                {"code": "ob3.not_micro_credential", "path": "/@context", "message": NOT_MC, "severity": "warning"}
            ],
        },
    ]


def test_github_format_points_at_the_lines(files: dict[str, Path]) -> None:
    text = files["bad"].read_text(encoding="utf-8")
    valid_from = where(text, '"validFrom"')
    participation = where(text, '"particpationForm"')
    context = where(files["plain"].read_text(encoding="utf-8"), '"@context"')
    result = run("validate", "--format", "github", "bad.json", "plain.json", cwd=files["bad"].parent)
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"::error file=bad.json,line={valid_from[0]},col={valid_from[1]},title=schema.format"
        f"::/validFrom: {SCHEMA_FORMAT}",
        f"::error file=bad.json,line={participation[0]},col={participation[1]},title=schema.additionalProperties"
        f"::{PARTICIPATION}: {MISSPELT}",
        f"::error file=bad.json,line={participation[0]},col={participation[1]},title=jsonld.undefined_term"
        f"::{PARTICIPATION}: {UNDEFINED}",
        f"::error file=bad.json,line={valid_from[0]},col={valid_from[1]},title=ob3.structure"
        f"::/validFrom: {NO_TIMEZONE}",
        f"::warning file=plain.json,line={context[0]},col={context[1]},title=ob3.not_micro_credential"
        f"::/@context: {NOT_MC}",
        "2 files checked, 1 invalid",
    ]
    lines = text.splitlines()
    assert lines[valid_from[0] - 1].strip() == '"validFrom": "2025-01-01",'
    assert lines[participation[0] - 1].strip() == '"particpationForm": "Online"'


def test_github_format_in_yaml_and_for_unparsable_files(tmp_path: Path) -> None:
    model = copy.deepcopy(FULL)
    model["achievement"]["level"]["eqf"] = 9
    source = tmp_path / "bad input.yaml"
    text = yaml.safe_dump(model, allow_unicode=True, sort_keys=False)
    source.write_text(text, encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "a": 1,\n  "b": \n}\n', encoding="utf-8")
    result = run("validate", "--format", "github", source.name, broken.name, cwd=tmp_path)
    assert result.returncode == 1
    line, column = where(text, "eqf: 9")
    assert result.stdout.splitlines() == [
        f"::error file=bad input.yaml,line={line},col={column},title=model.eqf_range"
        "::/achievement/level/eqf: EQF levels are 1 to 8, got 9",
        "::error file=broken.json,line=4,col=1,title=input.json"
        "::/: broken.json: invalid JSON at line 4, column 1: Expecting value",
        "2 files checked, 2 invalid",
    ]


def test_github_escaping(tmp_path: Path) -> None:
    assert github_escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert github_escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    odd = tmp_path / "a,b:c.json"
    odd.write_text('{"name": "x"}', encoding="utf-8")
    result = run("validate", "--format", "github", odd.name, cwd=tmp_path)
    assert result.returncode == 1
    assert result.stdout.splitlines()[0].startswith(
        "::error file=a%2Cb%3Ac.json,line=1,col=1,title=input.unknown_kind::"
    )


def test_junit_format(files: dict[str, Path], tmp_path: Path) -> None:
    valid = EXAMPLES / "inputs" / "applied-ai.json"
    report = tmp_path / "reports" / "czmc.xml"
    result = run(
        "validate",
        "--format",
        "junit",
        "-o",
        str(report),
        "bad.json",
        "plain.json",
        str(valid),
        cwd=files["bad"].parent,
    )
    assert result.returncode == 1
    assert result.stdout == ""
    text = report.read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuite ')
    suite = ET.fromstring(text)  # noqa: S314 - czmc's own output
    assert suite.tag == "testsuite"
    assert suite.attrib == {"name": "czmc validate", "tests": "3", "failures": "1", "errors": "0", "skipped": "0"}
    cases = suite.findall("testcase")
    assert [case.get("name") for case in cases] == ["bad.json", "plain.json", str(valid)]
    assert [case.get("classname") for case in cases] == ["czmc.credential", "czmc.credential", "czmc.microcredential"]
    failure = cases[0].find("failure")
    assert failure is not None
    assert failure.attrib == {"message": "4 problems", "type": "schema.format"}
    line, column = where(files["bad"].read_text(encoding="utf-8"), '"validFrom"')
    assert (failure.text or "").splitlines()[
        0
    ] == f"bad.json:{line}:{column}: error: /validFrom: {SCHEMA_FORMAT} [schema.format]"
    assert len((failure.text or "").splitlines()) == 4
    assert cases[1].find("failure") is None
    system_out = cases[1].find("system-out")
    assert system_out is not None
    assert "warning: /@context: no czmc context" in (system_out.text or "")
    assert list(cases[2]) == []


def test_junit_is_valid_xml_whatever_the_messages(tmp_path: Path) -> None:
    odd = tmp_path / "odd.json"
    odd.write_text(json.dumps({"name": "<&>\u0001\"'"}), encoding="utf-8")
    result = run("validate", "--format", "junit", str(odd))
    assert result.returncode == 1
    suite = ET.fromstring(result.stdout)  # noqa: S314 - czmc's own output
    assert suite.get("failures") == "1"


# --- what is validated: directories, globs, standard input -------------------------------------


def test_directories_globs_and_hidden_files(tmp_path: Path) -> None:
    tree = tmp_path / "repo"
    for name in ("inputs/a.json", "inputs/deep/b.yaml", "credentials/c.credential.json"):
        target = tree / name
        target.parent.mkdir(parents=True, exist_ok=True)
        source = EXAMPLES / (
            "inputs/applied-ai.json" if "credential" not in name else "credentials/vet-welding.credential.json"
        )
        if name.endswith(".yaml"):
            source = EXAMPLES / "inputs" / "vet-welding.yaml"
        target.write_bytes(source.read_bytes())
    (tree / ".cache").mkdir()
    (tree / ".cache" / "junk.json").write_text("{}", encoding="utf-8")
    (tree / "inputs" / "notes.txt").write_text("not checked", encoding="utf-8")

    directory = run("validate", "repo", cwd=tmp_path)
    assert directory.returncode == 0, directory.stdout
    assert directory.stdout.splitlines() == [
        "repo/credentials/c.credential.json: valid (credential)",
        "repo/inputs/a.json: valid (microcredential)",
        "repo/inputs/deep/b.yaml: valid (microcredential)",
        "3 files checked, 0 invalid",
    ]
    pattern = run("validate", "repo/**/*.json", "repo/inputs/a.json", cwd=tmp_path)  # quoted: czmc expands it
    assert pattern.returncode == 0, pattern.stdout
    assert pattern.stdout.splitlines() == [
        "repo/credentials/c.credential.json: valid (credential)",
        "repo/inputs/a.json: valid (microcredential)",
        "2 files checked, 0 invalid",
    ]
    nothing = run("validate", "repo/**/*.xml", cwd=tmp_path)
    assert nothing.returncode == 2
    assert nothing.stderr.splitlines()[0] == "error: no file matches repo/**/*.xml"
    assert nothing.stderr.splitlines()[1].startswith("hint: ")


def test_standard_input_and_output_file(tmp_path: Path) -> None:
    text = (EXAMPLES / "inputs" / "vet-welding.yaml").read_text(encoding="utf-8")
    result = run("validate", "-", stdin=text)
    assert result.returncode == 0, result.stdout
    assert result.stdout.splitlines() == ["<stdin>: valid (microcredential)", "1 file checked, 0 invalid"]
    out = tmp_path / "report.json"
    result = run("validate", "--format", "json", "-o", str(out), "-", stdin='{"learner": 1}')
    assert result.returncode == 1
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))[0]["path"] == "<stdin>"


def test_course_definitions_are_recognised(tmp_path: Path) -> None:
    courses = sorted((EXAMPLES / "courses").glob("*"))
    assert courses
    result = run("validate", *map(str, courses))
    assert result.returncode == 0, result.stdout
    assert all(line.endswith("valid (course)") for line in result.stdout.splitlines()[:-1])


# --- signed credentials (JWT files) --------------------------------------------------------------


@pytest.fixture
def issued(tmp_path: Path) -> dict[str, Path]:
    """A did:web key and its DID document, a JWT it signed, and the same token in a .txt file."""
    key, document = tmp_path / "cuni.jwk", tmp_path / "did.json"
    made = run("keygen", "--did", "did:web:cuni.cz", "-o", str(key), "--did-document", str(document))
    assert made.returncode == 0, made.stderr
    source = tmp_path / "input.json"
    source.write_text(json.dumps(FULL), encoding="utf-8")
    token = tmp_path / "mc.jwt"
    signed = run("issue", str(source), "--key", str(key), "-o", str(token))
    assert signed.returncode == 0, signed.stderr
    text_file = tmp_path / "mc.txt"
    text_file.write_text(token.read_text(encoding="utf-8"), encoding="utf-8")
    return {"key": key, "did": document, "token": token, "txt": text_file}


def test_jwt_files_without_and_with_verify(issued: dict[str, Path]) -> None:
    cwd = issued["token"].parent
    plain = run("validate", "mc.jwt", "mc.txt", cwd=cwd)
    assert plain.returncode == 0, plain.stdout
    assert plain.stdout.splitlines() == [
        "mc.jwt: valid (token, signature not checked)",
        "mc.txt: valid (token, signature not checked)",
        "2 files checked, 0 invalid",
    ]
    verified = run("validate", "--verify", "--did-document", "did.json", "mc.jwt", "--format", "json", cwd=cwd)
    assert verified.returncode == 0, verified.stdout
    [report] = json.loads(verified.stdout)
    assert report.pop("profile")["profile"] == "czmc-eu-microcredential"
    assert report == {
        "path": "mc.jwt",
        "kind": "token",
        "valid": True,
        "verdict": "valid",
        "issues": [],
        "signature": "verified",
    }
    offline = run("validate", "--verify", "mc.jwt", cwd=cwd)
    assert offline.returncode == 1
    lines = offline.stdout.splitlines()
    assert lines[0] == "mc.jwt: 1 problem (token, signature not verified)"
    assert lines[1].startswith("  /: key: kid 'did:web:cuni.cz#")
    assert lines[1].endswith("[resolution.offline]")
    usage = run("validate", "--did-document", "did.json", "mc.jwt", cwd=cwd)
    assert usage.returncode == 2
    assert usage.stderr.splitlines() == [
        "error: --did-document only applies with --verify",
        "hint: run czmc validate --help",
    ]


def test_jwt_signed_by_an_unknown_key(issued: dict[str, Path], tmp_path: Path) -> None:
    other_key, other_did = tmp_path / "other.jwk", tmp_path / "other-did.json"
    made = run("keygen", "--did", "did:web:cuni.cz", "-o", str(other_key), "--did-document", str(other_did))
    assert made.returncode == 0, made.stderr
    result = run("validate", "--verify", "--did-document", str(other_did), str(issued["token"]), "--format", "json")
    assert result.returncode == 1
    [report] = json.loads(result.stdout)
    assert report["signature"] == "not_verified"
    [issue] = report["issues"]
    assert issue["code"].startswith("resolution.")
    assert issue["path"] == ""
    assert issue["message"].startswith("key: kid 'did:web:cuni.cz#")


def test_jwt_with_a_forged_signature_and_content_problems(tmp_path: Path) -> None:
    key = keys.generate("EdDSA")
    identifier = did.did_key(key.public)
    key = key.with_kid(f"{identifier}#{identifier.removeprefix('did:key:')}")
    model = copy.deepcopy(FULL)
    model["issuer"]["id"] = identifier
    credential = ob3.to_credential(MicroCredential.model_validate(model))
    forger = keys.generate("EdDSA").with_kid(key.kid)  # says it is the issuer's key; it is not
    (tmp_path / "forged.jwt").write_text(vcjwt.sign(credential, forger) + "\n", encoding="utf-8")
    bad = copy.deepcopy(credential)
    bad["credentialSubject"]["achievement"]["particpationForm"] = "Online"
    (tmp_path / "legacy.jwt").write_text(vcjwt.sign(bad, key, format="vc1"), encoding="utf-8")
    (tmp_path / "garbage.jwt").write_text("only.two\n", encoding="utf-8")

    unverified = run("validate", "forged.jwt", cwd=tmp_path)
    assert unverified.returncode == 0, unverified.stdout
    assert unverified.stdout.splitlines()[0] == "forged.jwt: valid (token, signature not checked)"
    verified = run("validate", "--verify", "forged.jwt", "legacy.jwt", "garbage.jwt", cwd=tmp_path)
    assert verified.returncode == 1
    vc = "/vc" + PARTICIPATION
    lines = verified.stdout.splitlines()
    # czmc bundles no OB 3.0 schema for VC 1.1 credentials (schemas/SOURCES.md says why): a warning says so
    assert lines.pop(3).startswith("  warning: /vc/@context/0: a VC 1.1 credential: the OB 3.0 schema for VC 1.1")
    assert lines == [
        "forged.jwt: 1 problem (token, signature not verified)",
        "  /: signature: the signature does not verify with the issuer's key [signature.invalid]",
        "legacy.jwt: 3 problems, 1 warning (token, signature verified)",
        f"  {vc}: {MISSPELT} [schema.additionalProperties]",
        f"  {vc}: {UNDEFINED} [jsonld.undefined_term]",
        f"  {vc}: is not part of the czmc mapping and would be lost; remove it or read with strict=False"
        " [ob3.unmapped]",
        "garbage.jwt: 1 problem (token, signature not verified)",
        "  /: token: a compact JWS has exactly three segments, got 2 [jws.syntax]",
        "3 files checked, 3 invalid",
    ]
    github = run("validate", "--format", "github", "legacy.jwt", cwd=tmp_path)
    assert github.stdout.splitlines()[1].startswith(
        "::error file=legacy.jwt,line=1,col=1,title=schema.additionalProperties::"
    )


# --- errors, --debug, help, completion, other commands ---------------------------------------------


def test_errors_are_one_line_and_a_hint(tmp_path: Path) -> None:
    cases = [
        (("validate", "--format", "xml", "x.json"), "error: Invalid value for '--format': 'xml' is not one of "
         "'text', 'json', 'github', 'junit'.", "hint: run czmc validate --help"),
        (("frobnicate",), "error: No such command 'frobnicate'.", "hint: run czmc --help"),
        (("validate",), "error: Missing argument 'PATH...'.", "hint: run czmc validate --help"),
        (("validate", "missing.json"), "error: missing.json does not exist", "hint: check the path"),
        (("keygen", "-o", "-"), "error: the private key is written only to a file (mode 0600), never to standard "
         "output", "hint: give -o a file name, e.g. -o issuer.jwk"),
    ]  # fmt: skip
    for args, error, hint in cases:
        result = run(*args, cwd=tmp_path)
        assert result.returncode == 2, args
        assert result.stderr.splitlines() == [error, hint], args
        assert result.stdout == ""
    run("keygen", "-o", "k.jwk", cwd=tmp_path)
    exists = run("keygen", "-o", "k.jwk", cwd=tmp_path)
    assert exists.returncode == 1
    assert exists.stderr.splitlines() == [
        "error: k.jwk exists; refusing to overwrite a key file",
        "hint: pass --force to replace it, or choose another -o file",
    ]


def _crashing(*args: str) -> subprocess.CompletedProcess[str]:
    """czmc with validate_path replaced by one that raises a bug-like exception."""
    program = (
        "import sys, czmc.cli, czmc.validation\n"
        "def crash(*args, **kwargs):\n"
        "    raise ZeroDivisionError('division by zero')\n"
        "czmc.validation.validate_path = crash\n"
        "czmc.cli.run(sys.argv[1:])\n"
    )
    return subprocess.run(
        [sys.executable, "-c", program, *args], capture_output=True, text=True, timeout=120, check=False
    )


def test_debug_shows_the_traceback_of_unexpected_errors() -> None:
    path = str(EXAMPLES / "inputs" / "applied-ai.json")
    quiet = _crashing("validate", path)
    assert quiet.returncode == 70
    assert "Traceback" not in quiet.stderr
    assert quiet.stderr.splitlines()[0] == "error: unexpected ZeroDivisionError: division by zero; rerun with --debug"
    assert quiet.stderr.splitlines()[1].startswith("hint: ")
    assert len(quiet.stderr.splitlines()) == 2
    loud = _crashing("--debug", "validate", path)
    assert loud.returncode == 70
    assert "Traceback (most recent call last)" in loud.stderr
    assert loud.stderr.rstrip().endswith("ZeroDivisionError: division by zero")


def test_every_command_has_help_with_an_example() -> None:
    top = run("--help")
    assert top.returncode == 0
    commands = ["build", "completion", "issue", "keygen", "validate", "verify"]
    for command in commands:
        assert f"  {command} " in top.stdout
    assert "Exit codes:" in top.stdout
    assert "_CZMC_COMPLETE" in top.stdout
    for command in commands:
        result = run(command, "--help")
        assert result.returncode == 0, command
        assert result.stdout.startswith(f"Usage: czmc {command} ")
        assert "Example" in result.stdout, command
    assert run("--version").stdout.startswith("czmc, version ")


def test_completion_scripts() -> None:
    bash = run("completion", "bash")
    assert bash.returncode == 0
    assert "_CZMC_COMPLETE=bash_complete" in bash.stdout
    assert "complete -o nosort -F _czmc_completion czmc" in bash.stdout
    assert run("completion", "zsh").stdout.startswith("#compdef czmc")
    assert "_CZMC_COMPLETE=fish_complete" in run("completion", "fish").stdout
    assert run("completion", "tcsh").returncode == 2
    env = {**os.environ, "_CZMC_COMPLETE": "bash_complete", "COMP_WORDS": "czmc validate --format ", "COMP_CWORD": "3"}
    completed = run(env=env)
    assert completed.stdout.splitlines() == ["plain,text", "plain,json", "plain,github", "plain,junit"]


def test_colours_on_a_terminal_only(files: dict[str, Path]) -> None:
    def on_terminal(extra_env: dict[str, str]) -> str:
        controller, terminal = pty.openpty()
        env = {key: value for key, value in os.environ.items() if key != "NO_COLOR"} | extra_env
        with subprocess.Popen(
            [CZMC, "validate", str(files["bad"])], stdout=terminal, stderr=subprocess.DEVNULL, env=env
        ) as process:
            os.close(terminal)
            chunks = []
            while True:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # the terminal closed
                    break
                if not chunk:
                    break
                chunks.append(chunk)
            process.wait(timeout=60)
        os.close(controller)
        return b"".join(chunks).decode()

    coloured = on_terminal({})
    assert "\x1b[31m\x1b[1m4 problems\x1b[0m" in coloured
    assert "\x1b[" not in on_terminal({"NO_COLOR": "1"})
    report = validate_path(files["plain"])
    assert "\x1b[33mwarning: \x1b[0m" in render_text([report], color=True)
    assert "\x1b[" not in render_text([report])


def test_issue_proof_format_and_its_old_name(tmp_path: Path) -> None:
    key = tmp_path / "k.jwk"
    run("keygen", "--did", "did:web:cuni.cz", "-o", str(key))
    source = tmp_path / "in.json"
    source.write_text(json.dumps(FULL), encoding="utf-8")
    new = run("issue", str(source), "--key", str(key), "--proof-format", "vc-jose-cose")
    assert new.returncode == 0, new.stderr
    assert new.stderr == ""
    old = run("issue", str(source), "--key", str(key), "--format", "vc1")
    assert old.returncode == 0, old.stderr
    assert old.stderr == "warning: czmc issue --format is deprecated; use --proof-format\n"
    header = json.loads(base64.urlsafe_b64decode(new.stdout.split(".")[0] + "=="))
    assert header["typ"] == "vc+jwt"
    assert "--format" not in run("issue", "--help").stdout
    clash = run("issue", str(source), "--key", str(key), "--format", "vc1", "--proof-format", "ob3")
    assert clash.returncode == 2
    from_stdin = run("issue", str(source), "--key", "-", stdin=key.read_text(encoding="utf-8"))
    assert from_stdin.returncode == 0, from_stdin.stderr
    assert from_stdin.stdout.count(".") == 2


def test_verify_format_and_output(issued: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "result.json"
    result = run("verify", "-", "--did-document", str(issued["did"]), "--format", "json", "-o", str(out),
                 stdin=issued["token"].read_text(encoding="utf-8"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert json.loads(out.read_text(encoding="utf-8"))["valid"] is True
    text = run("verify", str(issued["token"]), "--did-document", str(issued["did"]))
    assert text.stdout.startswith("VALID\n")


# --- pre-commit and GitHub Actions ---------------------------------------------------------------------


def test_pre_commit_hook_definition() -> None:
    [hook] = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "czmc-validate"
    assert hook["entry"] == "czmc validate"
    assert hook["language"] == "python"
    files = re.compile(hook["files"])
    exclude = re.compile(hook["exclude"])
    for name in ("catalogue/a.yaml", "credentials/b.credential.json", "signed/c.jwt", "x.jsonld", "y.yml"):
        assert files.search(name), name
        assert not exclude.search(name), name
    for name in ("README.md", "roster.csv"):
        assert not files.search(name), name
    for name in (".pre-commit-config.yaml", ".github/workflows/ci.yml"):
        assert exclude.search(name), name


@pytest.mark.slow
def test_pre_commit_runs_the_hook(tmp_path: Path) -> None:
    """pre-commit installs czmc from a copy of this repository and runs czmc-validate on a fixture repository."""
    pre_commit = shutil.which("pre-commit")
    git = shutil.which("git")
    if not pre_commit or not git:
        pytest.skip("pre-commit and git are needed")
    env = {
        **os.environ,
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_AUTHOR_NAME": "czmc tests",
        "GIT_AUTHOR_EMAIL": "tests@example.org",
        "GIT_COMMITTER_NAME": "czmc tests",
        "GIT_COMMITTER_EMAIL": "tests@example.org",
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "NO_COLOR": "1",
    }

    def git_run(*args: str, cwd: Path) -> None:
        subprocess.run([git, *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=120)

    hooks = tmp_path / "czmc"  # the hook repository: what pip needs to install czmc, and the hook file
    shutil.copytree(ROOT / "src", hooks / "src", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", ".pre-commit-hooks.yaml"):
        shutil.copy2(ROOT / name, hooks / name)
    git_run("init", "-q", cwd=hooks)
    git_run("add", ".", cwd=hooks)
    git_run("commit", "-q", "-m", "czmc", cwd=hooks)

    project = tmp_path / "project"
    (project / "credentials").mkdir(parents=True)
    shutil.copy2(CREDENTIAL, project / "credentials" / "valid.credential.json")
    bad = json.loads(CREDENTIAL.read_text(encoding="utf-8"))
    bad["credentialSubject"]["achievement"]["particpationForm"] = "Online"
    (project / "credentials" / "invalid.credential.json").write_text(json.dumps(bad, indent=2), encoding="utf-8")
    git_run("init", "-q", cwd=project)
    git_run("add", ".", cwd=project)

    result = subprocess.run(
        [pre_commit, "try-repo", str(hooks), "czmc-validate", "--all-files", "--color", "never"],
        cwd=project, env=env, capture_output=True, text=True, timeout=1200, check=False,
    )  # fmt: skip
    output = result.stdout + result.stderr
    assert result.returncode == 1, output
    assert "czmc validate" in output
    assert "Failed" in output
    assert "credentials/invalid.credential.json: 3 problems (credential)" in output
    assert f"{PARTICIPATION}: {UNDEFINED} [jsonld.undefined_term]" in output
    assert "credentials/valid.credential.json: valid (credential)" in output


def test_github_actions_example_workflow() -> None:
    workflow = yaml.safe_load((ROOT / "docs" / "examples" / "czmc-validate.yml").read_text(encoding="utf-8"))
    triggers: Any = workflow.get("on", workflow.get(True))  # YAML 1.1 reads a bare `on` as true
    assert {"push", "pull_request"} <= set(triggers)
    steps = [step for job in workflow["jobs"].values() for step in job["steps"]]
    commands = [step["run"] for step in steps if "run" in step]
    validate = [command for command in commands if command.startswith("czmc validate --format github")]
    assert len(validate) == 1
    assert any("pip install" in command for command in commands)
    assert any(step.get("uses", "").startswith("actions/checkout@") for step in steps)


def test_column_mappings_are_recognised_and_checked(tmp_path: Path) -> None:
    good = run("validate", str(EXAMPLES / "rosters" / "vet-welding.mapping.yaml"))
    assert good.returncode == 0, good.stdout
    assert "(mapping)" in good.stdout
    bad = tmp_path / "bad.mapping.yaml"
    bad.write_text("columns:\n  grade: [1, 2]\n", encoding="utf-8")
    result = run("validate", str(bad))
    assert result.returncode == 1
    assert "/columns" in result.stdout
