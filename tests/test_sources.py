"""Vendored standard artifacts are byte-exact: hashes recorded in SOURCES.md match the files."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest

from czmc import jsonld, schema
from czmc.model import input_json_schema
from czmc.ob3 import CZMC_SCHEMA_URL
from tests.conftest import ROOT

DATA = ROOT / "src" / "czmc" / "_data"
ROW = re.compile(r"^\| `(?P<file>[^`]+)` \| `(?P<url>[^`]+)` \| `(?P<sha>[0-9a-f]{64})` \|")


def _rows(folder: Path) -> dict[str, tuple[str, str]]:
    rows = {}
    for line in (folder / "SOURCES.md").read_text(encoding="utf-8").splitlines():
        match = ROW.match(line)
        if match:
            rows[match["file"]] = (match["url"], match["sha"])
    return rows


@pytest.mark.parametrize(("folder", "table"), [("contexts", jsonld.CONTEXTS), ("schemas", schema.SCHEMAS)])
def test_every_bundled_file_is_recorded_with_its_hash_and_url(folder: str, table: dict[str, str]) -> None:
    rows = _rows(DATA / folder)
    files = {p.name for p in (DATA / folder).iterdir() if p.name != "SOURCES.md"}
    assert set(rows) == files
    for name, (url, sha) in rows.items():
        assert hashlib.sha256((DATA / folder / name).read_bytes()).hexdigest() == sha, name
        assert table[url] == name


def test_top_level_folders_are_the_package_data() -> None:
    for folder in ("contexts", "schemas"):
        assert (ROOT / folder).resolve() == (DATA / folder).resolve()


def test_input_schema_file_is_the_generated_schema() -> None:
    bundled = json.loads((DATA / "schemas" / "czmc-microcredential-input-v1.schema.json").read_text(encoding="utf-8"))
    assert bundled == input_json_schema()


def test_czmc_credential_schema_enums_match_the_vocabulary() -> None:
    from czmc import vocab

    achievement = schema.bundled_schema(CZMC_SCHEMA_URL)["$defs"]["Achievement"]["properties"]
    assert achievement["participationForm"]["enum"] == [m.value for m in vocab.ParticipationForm]
    assert achievement["supervision"]["enum"] == [m.value for m in vocab.Supervision]
    assert achievement["assessmentType"]["items"]["enum"] == [m.value for m in vocab.AssessmentType]
    assert achievement["qfEheaCycle"]["enum"] == [m.value for m in vocab.QFEHEACycle]
    defs = schema.bundled_schema(CZMC_SCHEMA_URL)["$defs"]
    qa = defs["QualityAssurance"]["properties"]["qualityAssuranceType"]["enum"]
    assert qa == [m.value for m in vocab.QualityAssuranceType]
    stack = defs["StackabilityOptions"]["properties"]["stackabilityOption"]["enum"]
    assert stack == [m.value for m in vocab.Stackability]
