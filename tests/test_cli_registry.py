"""The registry and status commands end to end through the real ``czmc`` console script."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES
from tests.test_batch import COURSE, write_roster

CZMC = shutil.which("czmc") or ""
pytestmark = pytest.mark.skipif(not CZMC, reason="the czmc console script is not installed")

INPUT = EXAMPLES / "inputs" / "cybersecurity-public-administration.json"


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {name: value for name, value in os.environ.items() if name != "CZMC_REGISTRY"}
    environment.update({"NO_COLOR": "1", **(env or {})})
    return subprocess.run([CZMC, *args], capture_output=True, text=True, timeout=120, check=False, env=environment)


@pytest.fixture
def site(tmp_path: Path) -> dict[str, Path]:
    key, document = tmp_path / "muni.jwk", tmp_path / "did.json"
    made = run("keygen", "--did", "did:web:muni.cz", "-o", str(key), "--did-document", str(document))
    assert made.returncode == 0, made.stderr
    return {"key": key, "did": document, "registry": tmp_path / "registry.db", "status": tmp_path / "public" / "status"}


def issue(site: dict[str, Path], out: Path, *extra: str) -> tuple[str, str]:
    made = run(
        "issue", str(INPUT), "--key", str(site["key"]), "-o", str(out), "--registry", str(site["registry"]), *extra
    )
    assert made.returncode == 0, made.stderr
    credential_id = made.stderr.split()[0]
    assert credential_id.startswith("urn:uuid:")
    assert "recorded in" in made.stderr
    return credential_id, out.read_text().strip()


def publish(site: dict[str, Path]) -> subprocess.CompletedProcess[str]:
    published = run(
        "status",
        "publish",
        "--registry",
        str(site["registry"]),
        "--key",
        str(site["key"]),
        "--out",
        str(site["status"]),
    )
    assert published.returncode == 0, published.stderr
    return published


def verify(site: dict[str, Path], token_path: Path) -> tuple[int, dict[str, Any]]:
    done = run(
        "verify", str(token_path), "--did-document", str(site["did"]), "--status-list", str(site["status"]), "--json"
    )
    return done.returncode, json.loads(done.stdout)


def status_check(result: dict[str, Any]) -> dict[str, Any]:
    return next(check for check in result["checks"] if check["name"] == "status")


def export(site: dict[str, Path]) -> list[dict[str, Any]]:
    done = run("registry", "export", "--registry", str(site["registry"]))
    assert done.returncode == 0, done.stderr
    return [json.loads(line) for line in done.stdout.splitlines()]


def test_revocation_round_trip(site: dict[str, Path], tmp_path: Path) -> None:
    credential_id, token = issue(site, tmp_path / "kb.jwt")
    published = publish(site)
    assert "https://muni.cz/status/revocation/1.jwt ->" in published.stdout
    assert "(0 of 131072 set)" in published.stdout
    assert (site["status"] / "revocation" / "1.jwt").is_file()

    code, result = verify(site, tmp_path / "kb.jwt")
    assert code == 0, result
    assert result["status"]["state"] == "valid"

    revoked = run(
        "status", "revoke", credential_id, "--reason", "grade annulled", "--actor", "studijni@muni.cz",
        "--registry", str(site["registry"]),
    )  # fmt: skip
    assert revoked.returncode == 0, revoked.stderr
    assert "is now revoked" in revoked.stdout
    code, result = verify(site, tmp_path / "kb.jwt")
    assert code == 0, "not published yet: verifiers still see the old list"
    publish(site)
    code, result = verify(site, tmp_path / "kb.jwt")
    assert code == 1
    assert status_check(result)["code"] == "status.revoked"
    assert result["status"]["state"] == "revoked"

    text = run(
        "verify", str(tmp_path / "kb.jwt"), "--did-document", str(site["did"]), "--status-list", str(site["status"])
    )
    assert text.returncode == 1
    assert "FAIL status:" in text.stdout

    shown = run("registry", "show", credential_id, "--registry", str(site["registry"]), "--token")
    assert shown.returncode == 0, shown.stderr
    record = json.loads(shown.stdout)
    assert record["token"] == token
    assert record["state"] == "revoked"
    assert [(event["action"], event["actor"], event["reason"]) for event in record["history"]] == [
        ("issued", record["history"][0]["actor"], None),
        ("revoked", "studijni@muni.cz", "grade annulled"),
    ]


def test_suspension_round_trip_and_environment_registry(site: dict[str, Path], tmp_path: Path) -> None:
    env = {"CZMC_REGISTRY": str(site["registry"])}
    made = run("issue", str(INPUT), "--key", str(site["key"]), "-o", str(tmp_path / "s.jwt"), "--status-purpose",
               "suspension", env=env)  # fmt: skip
    assert made.returncode == 0, made.stderr
    credential_id = made.stderr.split()[0]
    assert run("status", "suspend", credential_id, "--reason", "appeal pending", env=env).returncode == 0
    assert run("status", "publish", "--key", str(site["key"]), "--out", str(site["status"]), env=env).returncode == 0
    code, result = verify(site, tmp_path / "s.jwt")
    assert code == 1
    assert result["status"]["state"] == "suspended"
    assert run("status", "reinstate", credential_id, "--reason", "appeal upheld", env=env).returncode == 0
    assert run("status", "publish", "--key", str(site["key"]), "--out", str(site["status"]), env=env).returncode == 0
    code, result = verify(site, tmp_path / "s.jwt")
    assert code == 0, result
    listed = run("registry", "list", env=env)
    assert credential_id in listed.stdout
    assert "active" in listed.stdout
    lists = run("registry", "lists", env=env)
    assert "https://muni.cz/status/suspension/1.jwt  1 of 131072 allocated" in lists.stdout


def test_refused_changes_are_one_error_line_and_change_nothing(site: dict[str, Path], tmp_path: Path) -> None:
    credential_id, _ = issue(site, tmp_path / "kb.jwt")
    registry = str(site["registry"])
    assert run("status", "revoke", credential_id, "--reason", "fraud", "--registry", registry).returncode == 0
    before = export(site)
    cases = [
        (("status", "revoke", "urn:uuid:unknown", "--reason", "x"), 1, "registry.unknown_credential"),
        (("status", "revoke", credential_id, "--reason", "again"), 1, "registry.already_revoked"),
        (("status", "reinstate", credential_id, "--reason", "oops"), 1, "registry.already_revoked"),
        (("status", "revoke", credential_id, "--reason", "  "), 2, "registry.reason"),
        (("registry", "show", "urn:uuid:unknown"), 1, "registry.unknown_credential"),
    ]
    for args, code, error in cases:
        done = run(*args, "--registry", registry)
        assert done.returncode == code, (args, done.stderr)
        lines = done.stderr.splitlines()
        assert lines[0].startswith("error: ")
        assert error in lines[0]
        assert lines[1].startswith("hint: ")
        assert "Traceback" not in done.stderr
    assert export(site) == before


def test_issue_options_are_checked(site: dict[str, Path], tmp_path: Path) -> None:
    done = run("issue", str(INPUT), "--key", str(site["key"]), "--status-url", "https://muni.cz/s")
    assert done.returncode == 2
    assert "--status-url and --status-purpose need --registry" in done.stderr
    done = run("issue", str(INPUT), "--key", str(site["key"]), "--registry", "mysql://db")
    assert done.returncode == 2
    assert "registry.target" in done.stderr
    done = run("issue", str(INPUT), "--key", str(site["key"]), "--registry", str(site["registry"]), "--status-url",
               "http://muni.cz/status")  # fmt: skip
    assert done.returncode == 2
    assert "registry.status_url" in done.stderr
    assert not (tmp_path / "out.jwt").exists()


def test_idempotent_issue_and_private_export(site: dict[str, Path], tmp_path: Path) -> None:
    first, token = issue(site, tmp_path / "a.jwt", "--idempotency-key", "kb-2026/456789")
    again = run("issue", str(INPUT), "--key", str(site["key"]), "-o", str(tmp_path / "b.jwt"), "--registry",
                str(site["registry"]), "--idempotency-key", "kb-2026/456789")  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "was recorded before under idempotency key" in again.stderr
    assert (tmp_path / "b.jwt").read_text().strip() == token
    out = tmp_path / "export" / "registry.jsonl"
    done = run("registry", "export", "--registry", str(site["registry"]), "-o", str(out), "--no-tokens")
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in out.read_text().splitlines()]
    assert [line["id"] for line in lines] == [first]
    assert "token" not in lines[0]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600


def test_publish_needs_the_issuers_key(site: dict[str, Path], tmp_path: Path) -> None:
    issue(site, tmp_path / "kb.jwt")
    other = tmp_path / "other.jwk"
    assert run("keygen", "--did", "did:web:cuni.cz", "-o", str(other)).returncode == 0
    done = run("status", "publish", "--registry", str(site["registry"]), "--key", str(other), "--out",
               str(site["status"]))  # fmt: skip
    assert done.returncode == 2
    assert "cuni.cz" in done.stderr
    assert not site["status"].exists()


def test_batch_into_a_registry_and_a_rerun_that_meets_a_revocation(site: dict[str, Path], tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "graduates.csv", 5)
    registry = str(site["registry"])
    first = run("issue-batch", str(COURSE), str(roster), "--key", str(site["key"]), "--out", str(tmp_path / "a"),
                "--registry", registry)  # fmt: skip
    assert first.returncode == 0, first.stderr
    records = export(site)
    assert len(records) == 5
    assert run("status", "revoke", records[2]["id"], "--reason", "wrong person", "--registry", registry).returncode == 0
    again = run("issue-batch", str(COURSE), str(roster), "--key", str(site["key"]), "--out", str(tmp_path / "b"),
                "--registry", registry)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "warning: 1 of the credentials written were revoked or suspended" in again.stderr
    assert len(export(site)) == 5  # nothing signed twice
    manifest = (tmp_path / "b" / "manifest.jsonl").read_text().splitlines()
    tokens = {line["credential"]: line for line in map(json.loads, manifest)}
    for record in records:
        assert (tmp_path / "b" / tokens[record["id"]]["file"]).read_text() == record["token"]


def test_a_mistyped_registry_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "registyr.db"
    for args in (("status", "revoke", "urn:uuid:x", "--reason", "r"), ("registry", "list")):
        done = run(*args, "--registry", str(missing))
        assert done.returncode == 2, done.stderr
        assert "registry.not_found" in done.stderr
    assert not missing.exists()


def test_batch_registry_usage_errors_stop_before_signing(site: dict[str, Path], tmp_path: Path) -> None:
    roster = write_roster(tmp_path / "graduates.csv", 2)
    done = run("issue-batch", str(COURSE), str(roster), "--key", str(site["key"]), "--out", str(tmp_path / "a"),
               "--registry", str(site["registry"]), "--status-url", "http://muni.cz/status")  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert "registry.status_url" in done.stderr
    assert not (tmp_path / "a").exists()
