"""The czmc command end to end, through the installed console script."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, FULL, plain_open_badge

CZMC = shutil.which("czmc") or ""
pytestmark = pytest.mark.skipif(not CZMC, reason="the czmc console script is not installed")


def run(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CZMC, *args], input=stdin, capture_output=True, text=True, timeout=120, check=False)


def test_version_and_help() -> None:
    assert run("--version").stdout.startswith("czmc, version ")
    for command in ((), ("build",), ("validate",)):
        result = run(*command, "--help")
        assert result.returncode == 0
        assert "Usage: czmc" in result.stdout


def test_build_then_validate(tmp_path: Path) -> None:
    out = tmp_path / "nested" / "mc.json"
    result = run("build", str(EXAMPLES / "inputs" / "vet-welding.yaml"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    credential = json.loads(out.read_text(encoding="utf-8"))
    assert credential["credentialSubject"]["achievement"]["volumeOfLearning"] == "PT130H"
    result = run("validate", str(out))
    assert result.returncode == 0
    assert result.stdout.splitlines() == [f"{out}: valid (credential)", "1 file checked, 0 invalid"]


def test_build_to_stdout_from_stdin() -> None:
    without_id = {key: value for key, value in FULL.items() if key != "id"}
    new_id = "urn:uuid:00000000-0000-4000-8000-000000000001"
    result = run("build", "-", "--id", new_id, stdin=json.dumps(without_id))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["id"] == new_id
    result = run("build", "-", stdin=json.dumps(without_id))
    assert json.loads(result.stdout)["id"].startswith("urn:uuid:")
    conflict = run("build", "-", "--id", new_id, stdin=json.dumps(FULL))
    assert conflict.returncode == 2
    assert "conflicts with the input's id" in conflict.stderr


def test_build_refuses_invalid_input_and_writes_nothing(tmp_path: Path) -> None:
    bad: dict[str, Any] = json.loads(json.dumps(FULL))
    bad["achievement"]["workload"] = {"ects": 5, "hours": 300}
    source = tmp_path / "bad.json"
    source.write_text(json.dumps(bad), encoding="utf-8")
    out = tmp_path / "out.json"
    result = run("build", str(source), "-o", str(out))
    assert result.returncode == 1
    assert "hours do not match 5 ECTS" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [source]


def test_validate_examples_directory() -> None:
    directories = sorted(path for path in EXAMPLES.iterdir() if path.is_dir())
    result = run("validate", str(EXAMPLES))
    assert result.returncode == 0, result.stdout
    suffixes = {".json", ".jsonld", ".yaml", ".yml", ".jwt", ".jws"}
    count = sum(1 for directory in directories for path in directory.rglob("*") if path.suffix in suffixes)
    assert count >= 12
    assert result.stdout.strip().endswith(f"{count} files checked, 0 invalid")


def test_validate_reports_every_problem_with_its_path(tmp_path: Path) -> None:
    credential = json.loads((EXAMPLES / "credentials" / "applied-ai.credential.json").read_text(encoding="utf-8"))
    credential["credentialSubject"]["achievement"]["particpationForm"] = "Online"
    credential["validFrom"] = "2025-01-01"
    bad = tmp_path / "bad.credential.json"
    bad.write_text(json.dumps(credential), encoding="utf-8")
    model = json.loads(json.dumps(FULL))
    model["achievement"]["level"] = {"eqf": 9}
    model_file = tmp_path / "bad-input.yaml"
    model_file.write_text(json.dumps(model), encoding="utf-8")
    result = run("validate", str(bad), str(model_file), str(EXAMPLES / "inputs" / "applied-ai.json"))
    assert result.returncode == 1
    out = result.stdout
    assert "/credentialSubject/achievement/particpationForm" in out
    assert "/validFrom" in out
    assert "/achievement/level/eqf: EQF levels are 1 to 8, got 9 [model.eqf_range]" in out
    assert out.strip().endswith("3 files checked, 2 invalid")


def test_validate_json_format(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"a": ', encoding="utf-8")
    result = run("validate", "--format", "json", str(broken), str(EXAMPLES / "inputs" / "applied-ai.json"))
    assert result.returncode == 1
    reports = json.loads(result.stdout)
    assert [r["valid"] for r in reports] == [False, True]
    assert reports[0]["issues"][0]["code"] == "input.json"
    assert reports[1]["kind"] == "microcredential"


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run("validate").returncode == 2
    assert run("validate", "--format", "xml", str(EXAMPLES)).returncode == 2
    assert run("validate", str(tmp_path)).returncode == 2
    assert run("frobnicate").returncode == 2


def test_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "czmc.cli", "--version"], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0


def test_build_reads_yaml_from_stdin() -> None:
    yaml_text = (EXAMPLES / "inputs" / "vet-welding.yaml").read_text(encoding="utf-8")
    result = run("build", "-", stdin=yaml_text)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["credentialSubject"]["achievement"]["volumeOfLearning"] == "PT130H"


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    result = run("validate", str(tmp_path / "nope.json"))
    assert result.returncode == 2
    assert "does not exist" in result.stderr


def test_plain_open_badge_gets_a_warning_not_eu_rules(tmp_path: Path) -> None:
    credential = json.loads((EXAMPLES / "credentials" / "applied-ai.credential.json").read_text(encoding="utf-8"))
    plain = plain_open_badge(credential)
    path = tmp_path / "plain.json"
    path.write_text(json.dumps(plain), encoding="utf-8")
    result = run("validate", str(path))
    assert result.returncode == 0, result.stdout
    assert "valid, 1 warning (credential)" in result.stdout
    assert "warning: /@context: no czmc context" in result.stdout


def test_keygen_issue_verify_end_to_end(tmp_path: Path) -> None:
    key_file, did_json, token_file = tmp_path / "muni.jwk", tmp_path / "did.json", tmp_path / "mc.jwt"
    result = run("keygen", "--did", "did:web:muni.cz", "-o", str(key_file), "--did-document", str(did_json))
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["did"] == "did:web:muni.cz"
    assert summary["did_document_url"] == "https://muni.cz/.well-known/did.json"
    assert "d" not in summary["public_jwk"]
    assert json.loads(key_file.read_text())["d"] not in result.stdout + result.stderr
    assert (key_file.stat().st_mode & 0o777) == 0o600
    assert json.loads(did_json.read_text())["id"] == "did:web:muni.cz"
    source = EXAMPLES / "inputs" / "cybersecurity-public-administration.json"
    result = run("issue", str(source), "--key", str(key_file), "-o", str(token_file))
    assert result.returncode == 0, result.stderr
    assert token_file.read_text().count(".") == 2
    result = run("verify", str(token_file), "--did-document", str(did_json))
    assert result.returncode == 0, result.stdout
    assert result.stdout.startswith("VALID")
    offline = run("verify", str(token_file))
    assert offline.returncode == 1
    assert "resolution.offline" in offline.stdout
    as_json = json.loads(
        run("verify", token_file.read_text().strip(), "--did-document", str(did_json), "--json").stdout
    )
    assert as_json["valid"] is True
    assert [check["status"] for check in as_json["checks"]] == ["passed"] * 12
    expired = run("verify", str(token_file), "--did-document", str(did_json), "--at", "2020-01-01T00:00:00Z")
    assert expired.returncode == 1
    assert "time.not_yet_valid" in expired.stdout


def test_keygen_did_key_and_refusals(tmp_path: Path) -> None:
    key_file = tmp_path / "k.jwk"
    result = run("keygen", "--alg", "ES256", "-o", str(key_file))
    assert json.loads(result.stdout)["did"].startswith("did:key:zDn")
    again = run("keygen", "-o", str(key_file))
    assert again.returncode == 1
    assert "refusing to overwrite" in again.stderr
    assert run("keygen", "--did", "web", "-o", str(tmp_path / "x.jwk")).returncode == 2
    assert run("keygen", "--fmt", "jwk", "--password-env", "PW", "-o", str(tmp_path / "y.jwk")).returncode == 2


def test_issue_refuses_a_key_of_another_issuer(tmp_path: Path) -> None:
    key_file = tmp_path / "k.jwk"
    run("keygen", "-o", str(key_file))
    result = run("issue", str(EXAMPLES / "inputs" / "applied-ai.json"), "--key", str(key_file))
    assert result.returncode == 2
    assert "not to the issuer did:web:cvut.cz" in result.stderr


def test_pem_key_with_password_from_the_environment(tmp_path: Path) -> None:
    import os

    key_file = tmp_path / "k.pem"
    env = {**os.environ, "CZMC_KEY_PASSWORD": "correct horse"}
    made = subprocess.run(
        [CZMC, "keygen", "--alg", "RS256", "--did", "did:web:cvut.cz", "--fmt", "pem",
         "--password-env", "CZMC_KEY_PASSWORD", "-o", str(key_file), "--did-document", str(tmp_path / "did.json")],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    assert b"ENCRYPTED" in key_file.read_bytes()
    token = subprocess.run(
        [CZMC, "issue", str(EXAMPLES / "inputs" / "applied-ai.json"), "--key", str(key_file), "--password-env",
         "CZMC_KEY_PASSWORD"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert token.returncode == 0, token.stderr
    verified = run("verify", token.stdout.strip(), "--did-document", str(tmp_path / "did.json"))
    assert verified.returncode == 0, verified.stdout
    missing = run("issue", str(EXAMPLES / "inputs" / "applied-ai.json"), "--key", str(key_file))
    assert missing.returncode == 2


def test_issue_with_ps256_pem_and_an_https_kid_check(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "PW": "long enough password"}
    key_file = tmp_path / "k.pem"
    made = subprocess.run(
        [CZMC, "keygen", "--alg", "PS256", "--did", "did:web:cvut.cz", "--key-format", "pem", "--password-env", "PW",
         "-o", str(key_file), "--did-document", str(tmp_path / "did.json")],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    source = str(EXAMPLES / "inputs" / "applied-ai.json")
    signed = subprocess.run(
        [CZMC, "issue", source, "--key", str(key_file), "--password-env", "PW", "--alg", "PS256"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert signed.returncode == 0, signed.stderr
    assert json.loads(__import__("base64").urlsafe_b64decode(signed.stdout.split(".")[0] + "=="))["alg"] == "PS256"
    assert run("verify", signed.stdout.strip(), "--did-document", str(tmp_path / "did.json")).returncode == 0
    elsewhere = subprocess.run(
        [CZMC, "issue", source, "--key", str(key_file), "--password-env", "PW", "--kid", "https://evil.example/k.jwk"],
        capture_output=True, text=True, env=env, timeout=120, check=False,
    )  # fmt: skip
    assert elsewhere.returncode == 2
    assert "must be on the issuer's host" in elsewhere.stderr
