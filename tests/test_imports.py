"""The import graph: ``import czmc`` and the command line load only what they use.

Checked on ``sys.modules`` in a fresh interpreter, not by timing: a heavy library imported
where it is not needed shows up here whatever the machine's speed.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from czmc import _cli_options
from czmc.keys import Algorithm
from czmc.registry import CredentialState
from czmc.status import StatusPurpose
from czmc.vcjwt import Format

HEAVY = frozenset(
    {"pydantic", "pyld", "jsonschema", "jsonschema_rs", "requests", "cryptography", "jwcrypto", "psycopg", "sqlite3"}
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


def test_the_cli_choices_are_the_enums() -> None:
    # spelt out in czmc._cli_options so that building the command line imports none of these modules
    assert tuple(member.value for member in Algorithm) == _cli_options.ALGORITHMS
    assert tuple(member.value for member in Format) == _cli_options.PROOF_FORMATS
    assert _cli_options.PROOF_FORMATS[0] == Format.OB3.value
    assert tuple(member.value for member in StatusPurpose) == _cli_options.STATUS_PURPOSES
    assert tuple(member.value for member in CredentialState) == _cli_options.CREDENTIAL_STATES
