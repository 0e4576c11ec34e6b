"""The shipped examples: valid, and the committed credentials are exactly what czmc makes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from czmc import MicroCredential, from_credential, to_credential, validate_credential
from czmc.inputs import load_document
from tests.conftest import EXAMPLES

INPUTS = sorted((EXAMPLES / "inputs").iterdir())


def _credential_path(source: Path) -> Path:
    return EXAMPLES / "credentials" / f"{source.stem}.credential.json"


def test_there_are_at_least_six_examples_in_czech_and_english() -> None:
    assert len(INPUTS) >= 6
    languages = {MicroCredential.model_validate(load_document(p)).primary_language for p in INPUTS}
    assert {"cs", "en"} <= languages


@pytest.mark.parametrize("source", INPUTS, ids=lambda p: p.name)
def test_committed_credential_is_the_mapping_of_the_input(source: Path) -> None:
    mc = MicroCredential.model_validate(load_document(source))
    committed = json.loads(_credential_path(source).read_text(encoding="utf-8"))
    assert committed == to_credential(mc)
    assert validate_credential(committed) == []
    assert from_credential(committed) == mc


def test_examples_cover_university_vet_and_non_formal_providers() -> None:
    models = [MicroCredential.model_validate(load_document(p)) for p in INPUTS]
    assert any(m.achievement.workload.ects is None and m.achievement.level is not None for m in models)
    assert any(m.achievement.level is None for m in models)
    assert any(m.achievement.workload.ects == 20 for m in models)
    assert any(m.awarding_bodies for m in models)
