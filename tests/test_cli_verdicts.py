"""`czmc verify` and `czmc validate` through the command line: verdicts, profiles, exit codes."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from czmc import MicroCredential, ob3
from czmc.did import did_key
from czmc.keys import Algorithm, Key
from czmc.vcjwt import sign
from tests.conftest import FULL, plain_open_badge

CZMC = shutil.which("czmc") or ""
pytestmark = pytest.mark.skipif(not CZMC, reason="the czmc console script is not installed")
AT = "2025-06-01T00:00:00Z"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CZMC, *args], capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def tokens(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A czmc credential, a plain OB 3.0 badge, and a czmc credential that breaks an EU rule, signed (did:key)."""
    folder = tmp_path_factory.mktemp("verdicts")
    key = Key.generate(Algorithm.EDDSA)
    issuer = did_key(key.public)
    key = key.with_kid(f"{issuer}#{issuer.removeprefix('did:key:')}")
    data = copy.deepcopy(FULL)
    data["issuer"]["id"] = issuer
    credential = ob3.to_credential(MicroCredential.model_validate(data))
    plain = plain_open_badge(credential)
    plain["issuer"]["id"] = issuer
    broken = copy.deepcopy(credential)
    broken["credentialSubject"]["achievement"]["volumeOfLearning"] = "PT900H"  # 5 ECTS: a cross-field EU rule
    paths = {}
    for name, value in (("czmc", credential), ("plain", plain), ("broken", broken)):
        path = folder / f"{name}.jwt"
        path.write_text(sign(value, key, format="vc-jose-cose") + "\n", encoding="utf-8")
        paths[name] = path
    (folder / "tampered.jwt").write_text(paths["czmc"].read_text()[:-10] + "AAAAAAAAA\n", encoding="utf-8")
    paths["tampered"] = folder / "tampered.jwt"
    return paths


def test_verify_exit_codes(tokens: dict[str, Path]) -> None:
    ok = run("verify", str(tokens["czmc"]), "--at", AT)
    assert ok.returncode == 0, ok.stdout
    assert ok.stdout.splitlines()[0] == "VALID"
    assert "  profile: czmc-eu-microcredential" in ok.stdout
    plain = run("verify", str(tokens["plain"]), "--at", AT)
    assert plain.returncode == 0, plain.stdout
    assert "not an EU micro-credential" in plain.stdout
    required = run("verify", str(tokens["plain"]), "--at", AT, "--require-profile", "eu-microcredential")
    assert required.returncode == 3, required.stdout
    assert required.stdout.splitlines()[0] == "VALID, BUT NOT MEETING ITS PROFILE (eu-microcredential)"
    broken = run("verify", str(tokens["broken"]), "--at", AT, "--json")
    assert broken.returncode == 3, broken.stdout
    result = json.loads(broken.stdout)
    assert (result["verdict"], result["valid"], result["unmet"]) == (
        "profile_not_met",
        True,
        ["czmc-eu-microcredential"],
    )
    assert any(issue["code"] == "model.hours_ects_inconsistent" for issue in result["issues"])
    tampered = run("verify", str(tokens["tampered"]), "--at", AT)
    assert tampered.returncode == 1
    assert tampered.stdout.splitlines()[0] == "INVALID"


def test_validate_exit_codes_match_verify(tokens: dict[str, Path]) -> None:
    for name, expected in (("czmc", 0), ("plain", 0), ("broken", 3), ("tampered", 1)):
        verified = run("verify", str(tokens[name]), "--at", AT)
        validated = run("validate", "--verify", str(tokens[name]), "--at", AT, "--format", "json")
        assert (verified.returncode, validated.returncode) == (expected, expected), (name, validated.stdout)
        [report] = json.loads(validated.stdout)
        assert report["verdict"] == json.loads(run("verify", str(tokens[name]), "--at", AT, "--json").stdout)["verdict"]
    every = run("validate", str(tokens["czmc"]), str(tokens["broken"]))
    assert every.returncode == 3
    assert every.stdout.splitlines()[-1] == "2 files checked, 0 invalid, 1 valid but not meeting its profile"
    required = run("validate", str(tokens["plain"]), "--require-profile", "czmc", "--format", "github")
    assert required.returncode == 3
    assert "title=profile.not_met" in required.stdout


def test_require_profile_choices_are_checked(tokens: dict[str, Path]) -> None:
    result = run("verify", str(tokens["czmc"]), "--require-profile", "nonsense")
    assert result.returncode == 2
    assert "eu-microcredential" in result.stderr


def test_junit_counts_a_file_short_of_its_profile_as_a_failure(tokens: dict[str, Path]) -> None:
    result = run("validate", str(tokens["czmc"]), str(tokens["broken"]), "--format", "junit")
    assert result.returncode == 3
    assert 'tests="2" failures="1"' in result.stdout
    assert 'type="model.hours_ects_inconsistent"' in result.stdout
