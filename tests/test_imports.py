"""The import graph: ``import czmc`` and the command line load only what they use.

Checked on ``sys.modules`` in a fresh interpreter, not by timing: a heavy library imported
where it is not needed shows up here whatever the machine's speed.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from czmc import MicroCredential, _cli_options
from czmc.did import did_key
from czmc.inputs import load_document
from czmc.keys import Algorithm, Key
from czmc.registry import CredentialState
from czmc.status import StatusPurpose
from czmc.vcjwt import Format, issue
from tests.conftest import EXAMPLES

HEAVY = frozenset(
    {
        "yaml",
        "pydantic",
        "pyld",
        "jsonschema",
        "jsonschema_rs",
        "requests",
        "cryptography",
        "jwcrypto",
        "psycopg",
        "sqlite3",
    }
)


def _modules_after(program: str) -> set[str]:
    """The top-level packages a fresh interpreter has imported after running ``program``."""
    script = (
        "import json, sys\n"
        "try:\n" + "".join(f"    {line}\n" for line in program.splitlines()) + "except SystemExit:\n"
        "    pass\n"
        "print(json.dumps(sorted(sys.modules)), file=sys.__stderr__)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    return {name.split(".")[0] for name in json.loads(done.stderr.splitlines()[-1])}


def test_import_czmc_loads_no_library() -> None:
    loaded = _modules_after("import czmc")
    assert not loaded & HEAVY


@pytest.mark.parametrize("args", [["--version"], ["--help"], ["verify", "--help"], ["issue-batch", "--help"]])
def test_the_command_line_loads_only_click_for_help_and_version(args: list[str]) -> None:
    loaded = _modules_after(f"from czmc.cli import run\nrun({args!r})")
    assert "click" in loaded
    assert not loaded & HEAVY


def test_a_public_name_loads_its_module_on_first_use() -> None:
    loaded = _modules_after("import czmc\nczmc.MicroCredential")
    assert "pydantic" in loaded
    assert not loaded & {"requests", "psycopg", "sqlite3", "pyld"}


def test_verifying_a_token_loads_no_network_or_registry_library(tmp_path: Path) -> None:
    key = Key.generate("EdDSA")
    issuer = did_key(key.public)
    key = key.with_kid(f"{issuer}#{issuer.removeprefix('did:key:')}")
    mc = MicroCredential.model_validate(load_document(EXAMPLES / "inputs" / "applied-ai.json"))
    mc = mc.model_copy(update={"issuer": mc.issuer.model_copy(update={"id": issuer})})
    token = tmp_path / "credential.jwt"
    token.write_text(issue(mc, key), encoding="ascii")
    loaded = _modules_after(f"from czmc.cli import run\nrun(['verify', {str(token)!r}])")
    assert "cryptography" in loaded  # it did verify
    # pyld only for JSON-LD the compiled term check does not cover; requests only --online
    assert not loaded & {"requests", "urllib3", "pyld", "psycopg", "sqlite3"}


def test_the_cli_choices_are_the_enums() -> None:
    # spelt out in czmc._cli_options so that building the command line imports none of these modules
    assert tuple(member.value for member in Algorithm) == _cli_options.ALGORITHMS
    assert tuple(member.value for member in Format) == _cli_options.PROOF_FORMATS
    assert _cli_options.PROOF_FORMATS[0] == Format.OB3.value
    assert tuple(member.value for member in StatusPurpose) == _cli_options.STATUS_PURPOSES
    assert tuple(member.value for member in CredentialState) == _cli_options.CREDENTIAL_STATES
