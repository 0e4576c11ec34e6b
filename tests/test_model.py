"""The EU micro-credential model: what it accepts, and the exact error for each rule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from pydantic import ValidationError

from czmc import (
    Learner,
    MicroCredential,
    ModelError,
    ParticipationForm,
    QFEHEACycle,
    Stackability,
    Supervision,
    Workload,
)
from czmc.model import _Model, hash_identity
from czmc.report import pointer
from tests.conftest import FULL
from tests.strategies import micro_credentials

Mutation = Callable[[dict[str, Any]], object]


def test_full_input_validates(full: dict[str, Any]) -> None:
    mc = MicroCredential.model_validate(full)
    assert mc.achievement.workload.ects == Decimal(5)
    assert mc.achievement.participation is ParticipationForm.BLENDED
    assert mc.achievement.level is not None
    assert mc.achievement.level.qf_ehea is QFEHEACycle.FIRST
    assert mc.achievement.supervision is Supervision.SUPERVISED_WITH_ID
    assert mc.achievement.stackability is not None
    assert mc.achievement.stackability.option is Stackability.STACKABLE
    assert mc.primary_language == "cs"
    assert mc.valid_from is None
    assert mc.effective_valid_from == datetime(2025, 2, 3, 9, 0, tzinfo=UTC)
    assert mc.awarded_by == mc.awarding_bodies
    assert mc.languages == ("cs", "en")


def test_minimal_vet_course_in_hours_without_ects_or_level(minimal: dict[str, Any]) -> None:
    mc = MicroCredential.model_validate(minimal)
    assert mc.achievement.workload.ects is None
    assert mc.achievement.workload.hours == Decimal(40)
    assert mc.achievement.level is None
    assert mc.awarded_by == (mc.issuer,)


def test_models_are_frozen(full: dict[str, Any]) -> None:
    mc = MicroCredential.model_validate(full)
    with pytest.raises(ValidationError):
        mc.grade = "A"


def test_email_is_stored_only_hashed(full: dict[str, Any]) -> None:
    mc = MicroCredential.model_validate(full)
    identifier = mc.learner.identifiers[0]
    assert identifier.identity_type == "emailAddress"
    assert identifier.hashed
    assert identifier.identity_hash == hash_identity("jana.novakova@example.cz", full["learner"]["email_salt"])
    assert "example.cz" not in mc.model_dump_json()
    assert mc.learner.matches_email(" JANA.novakova@example.cz ")
    assert not mc.learner.matches_email("someone@example.cz")


def test_email_without_salt_gets_a_random_salt() -> None:
    first = Learner.model_validate({"email": "a@example.cz"})
    second = Learner.model_validate({"email": "a@example.cz"})
    assert first.identifiers[0].salt != second.identifiers[0].salt
    assert first.matches_email("a@example.cz")
    assert second.matches_email("a@example.cz")


def test_constructor_and_model_validate_raise_the_same_typed_error(minimal: dict[str, Any]) -> None:
    minimal["achievement"]["workload"] = {"ects": 61}
    with pytest.raises(ModelError) as from_validate:
        MicroCredential.model_validate(minimal)
    with pytest.raises(ModelError) as from_constructor:
        MicroCredential(**minimal)
    assert from_validate.value.issues == from_constructor.value.issues
    assert from_validate.value.code == "model.invalid"


def test_valid_from_equal_to_issued_is_canonicalised(minimal: dict[str, Any]) -> None:
    minimal["valid_from"] = "2025-06-30T14:00:00+02:00"
    assert MicroCredential.model_validate(minimal).valid_from is None


def test_reissued_credential_keeps_the_award_date(minimal: dict[str, Any]) -> None:
    minimal["valid_from"] = "2025-09-01T00:00:00Z"
    mc = MicroCredential.model_validate(minimal)
    assert mc.effective_valid_from == datetime(2025, 9, 1, tzinfo=UTC)
    assert mc.issued == datetime(2025, 6, 30, 12, tzinfo=UTC)


def test_primary_language_defaults_to_czech_then_first_title_language(full: dict[str, Any]) -> None:
    full["achievement"]["title"] = {"en": "Programming", "cs": "Programování"}
    assert MicroCredential.model_validate(full).primary_language == "cs"
    full["primary_language"] = "en"
    assert MicroCredential.model_validate(full).primary_language == "en"


def test_english_only_course(minimal: dict[str, Any]) -> None:
    for key in ("title", "description"):
        minimal["achievement"][key] = {"en": "Welding"}
    minimal["achievement"]["learning_outcomes"] = [{"text": {"en": "Welds a butt joint."}}]
    minimal["issuer"]["name"] = {"en": "Vocational school"}
    assert MicroCredential.model_validate(minimal).primary_language == "en"


def test_half_credits_and_hour_bounds_are_inclusive() -> None:
    assert Workload(ects=Decimal("2.5"), hours=Decimal("62.5")).ects == Decimal("2.5")
    assert Workload(ects=Decimal(4), hours=Decimal(120)).hours == Decimal(120)
    assert Workload(ects=Decimal(1)).ects == Decimal(1)
    assert Workload(ects=Decimal(60)).ects == Decimal(60)


def test_ects_given_as_json_float_is_exact() -> None:
    assert Workload.model_validate({"ects": 5.5}).ects == Decimal("5.5")


def _set(path: str, value: object) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[int(part)] if isinstance(node, list) else node[part]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value

    return mutate


def _delete(path: str) -> Mutation:
    def mutate(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for part in parents:
            node = node[part]
        del node[last]

    return mutate


NEGATIVE: list[tuple[str, Mutation, str, str]] = [
    ("ects above 60", _set("achievement.workload", {"ects": 61}), "model.ects_range", "/achievement/workload/ects"),
    ("ects below 1", _set("achievement.workload", {"ects": "0.5"}), "model.ects_range", "/achievement/workload/ects"),
    (
        "ects quarter",
        _set("achievement.workload", {"ects": "2.25"}),
        "model.ects_granularity",
        "/achievement/workload/ects",
    ),
    ("ects NaN", _set("achievement.workload", {"ects": "NaN"}), "model.finite_number", "/achievement/workload/ects"),
    (
        "hours too many for ects",
        _set("achievement.workload", {"ects": 5, "hours": 151}),
        "model.hours_ects_inconsistent",
        "/achievement/workload",
    ),
    (
        "hours too few for ects",
        _set("achievement.workload", {"ects": 5, "hours": 124}),
        "model.hours_ects_inconsistent",
        "/achievement/workload",
    ),
    ("no workload", _set("achievement.workload", {}), "model.workload_missing", "/achievement/workload"),
    ("hours zero", _set("achievement.workload", {"hours": 0}), "model.hours_range", "/achievement/workload/hours"),
    (
        "hours precision",
        _set("achievement.workload", {"hours": "10.125"}),
        "model.hours_precision",
        "/achievement/workload/hours",
    ),
    ("eqf 9", _set("achievement.level", {"eqf": 9}), "model.eqf_range", "/achievement/level/eqf"),
    ("eqf 0", _set("achievement.level", {"eqf": 0}), "model.eqf_range", "/achievement/level/eqf"),
    ("empty level", _set("achievement.level", {}), "model.level_empty", "/achievement/level"),
    (
        "cycle disagrees with eqf",
        _set("achievement.level", {"eqf": 7, "qf_ehea": "FirstCycle"}),
        "model.level_inconsistent",
        "/achievement/level",
    ),
    (
        "no outcomes",
        _set("achievement.learning_outcomes", []),
        "model.learning_outcomes_missing",
        "/achievement/learning_outcomes",
    ),
    ("empty title", _set("achievement.title", {}), "model.language_map_empty", "/achievement/title"),
    ("blank text", _set("achievement.title", {"cs": "  "}), "model.text_empty", "/achievement/title/cs"),
    ("bad language tag", _set("achievement.title", {"cs_CZ": "x"}), "model.language_tag", "/achievement/title/cs_CZ"),
    (
        "primary language missing",
        _set("achievement.description", {"en": "Only English."}),
        "model.primary_language_missing",
        "/achievement/description",
    ),
    ("country not ISO", _set("issuer.country", "CS"), "model.country", "/issuer/country"),
    ("country lower case", _set("issuer.country", "cz"), "model.country", "/issuer/country"),
    ("issuer country missing", _delete("issuer.country"), "model.issuer_country", "/issuer/country"),
    ("naive issued", _set("issued", "2025-06-30T12:00:00"), "model.timezone_aware", "/issued"),
    ("fractional seconds", _set("issued", "2025-06-30T12:00:00.5Z"), "model.datetime_precision", "/issued"),
    ("unidentified learner", _set("learner", {"name": "Jan"}), "model.learner_unidentified", "/learner"),
    ("bad learner id", _set("learner", {"id": "jana"}), "model.uri", "/learner/id"),
    ("bad email", _set("learner", {"email": "jana-at-example"}), "model.email", "/learner"),
    (
        "unknown identifier type",
        _set("learner", {"identifiers": [{"identity_type": "studentNumber", "identity_hash": "1", "hashed": False}]}),
        "model.identity_type",
        "/learner/identifiers/0/identity_type",
    ),
    (
        "bad hash",
        _set(
            "learner", {"identifiers": [{"identity_type": "emailAddress", "identity_hash": "md5$ab", "hashed": True}]}
        ),
        "model.identity_hash",
        "/learner/identifiers/0",
    ),
    (
        "name as identifier",
        _set(
            "learner",
            {"id": "did:web:x.cz", "identifiers": [{"identity_type": "name", "identity_hash": "J", "hashed": False}]},
        ),
        "model.learner_name_identifier",
        "/learner",
    ),
    ("unknown participation", _set("achievement.participation", "Remote"), "model.enum", "/achievement/participation"),
    (
        "unknown assessment",
        _set("achievement.assessment", {"types": ["Quiz"]}),
        "model.enum",
        "/achievement/assessment/types/0",
    ),
    (
        "no assessment type",
        _set("achievement.assessment", {"types": []}),
        "model.too_short",
        "/achievement/assessment/types",
    ),
    (
        "no quality assurance",
        _set("achievement.quality_assurance", []),
        "model.too_short",
        "/achievement/quality_assurance",
    ),
    (
        "misspelt field",
        _set("achievement.particpation", "Online"),
        "model.extra_forbidden",
        "/achievement/particpation",
    ),
    ("missing title", _delete("achievement.title"), "model.missing", "/achievement/title"),
    ("http homepage", _set("achievement.homepage", "http://x.cz"), "model.https_url", "/achievement/homepage"),
    (
        "bad isced",
        _set("achievement.field_of_study", {"isced_f": "61x"}),
        "model.isced_f",
        "/achievement/field_of_study/isced_f",
    ),
    (
        "invented esco iri",
        _set(
            "achievement.learning_outcomes.0.skills",
            [{"iri": "https://esco.example/skill/1", "label": {"cs": "x", "en": "x"}}],
        ),
        "model.esco_skill",
        "/achievement/learning_outcomes/0/skills/0/iri",
    ),
    ("grade not allowed", _set("grade", "A+"), "model.grade", "/grade"),
    (
        "required grade not allowed",
        _set("achievement.grading.required_value", "Z"),
        "model.grading_required_value",
        "/achievement/grading",
    ),
    (
        "duplicate grades",
        _set("achievement.grading.allowed_values", ["A", "A"]),
        "model.grading_duplicate",
        "/achievement/grading",
    ),
    (
        "standalone stacks towards",
        _set("achievement.stackability.option", "StandAlone"),
        "model.stackability_targets",
        "/achievement/stackability",
    ),
    ("valid until before from", _set("valid_until", "2025-01-01T00:00:00Z"), "model.validity", "/valid_until"),
    (
        "valid from before issued",
        _set("valid_from", "2025-01-01T00:00:00Z"),
        "model.valid_before_issued",
        "/valid_from",
    ),
    (
        "activity ends before start",
        _set("activity_start", "2025-02-01T00:00:00Z"),
        "model.activity_dates",
        "/activity_end",
    ),
    (
        "issued before activity ended",
        _set("activity_end", "2025-02-04T00:00:00Z"),
        "model.issued_before_activity_end",
        "/issued",
    ),
    ("org id", _set("issuer.id", "Charles University"), "model.uri", "/issuer/id"),
    ("org email", _set("issuer.email", "nobody"), "model.email", "/issuer/email"),
]


@pytest.mark.parametrize(
    ("mutate", "code", "path"), [case[1:] for case in NEGATIVE], ids=[case[0] for case in NEGATIVE]
)
def test_each_rule_reports_its_code_and_field(full: dict[str, Any], mutate: Mutation, code: str, path: str) -> None:
    mutate(full)
    with pytest.raises(ModelError) as caught:
        MicroCredential.model_validate(full)
    found = [(issue.code, issue.path) for issue in caught.value.issues]
    assert (code, path) in found, found


def test_every_problem_is_reported_at_once(full: dict[str, Any]) -> None:
    full["achievement"]["workload"] = {"ects": 70}
    full["achievement"]["level"] = {"eqf": 9}
    full["issuer"]["country"] = "XX"
    full["issued"] = "2025-02-03T10:00:00"
    full["achievement"]["participation"] = "Remote"
    with pytest.raises(ModelError) as caught:
        MicroCredential.model_validate(full)
    codes = {issue.code for issue in caught.value.issues}
    assert {"model.ects_range", "model.eqf_range", "model.country", "model.timezone_aware", "model.enum"} <= codes
    message = str(caught.value)
    assert "MicroCredential has 5 problems" in message
    assert "/achievement/workload/ects: ECTS credits must be between 1 and 60, got 70" in message


def test_messages_name_what_was_expected(full: dict[str, Any]) -> None:
    full["achievement"]["workload"] = {"ects": 5, "hours": 200}
    with pytest.raises(ModelError) as caught:
        MicroCredential.model_validate(full)
    (issue,) = caught.value.issues
    assert issue.message == "200 hours do not match 5 ECTS: expected 125-150 hours (25-30 h per credit)"


def test_primary_language_problem_is_reported_for_every_text(full: dict[str, Any]) -> None:
    full["primary_language"] = "de"
    with pytest.raises(ModelError) as caught:
        MicroCredential.model_validate(full)
    paths = {issue.path for issue in caught.value.issues if issue.code == "model.primary_language_missing"}
    assert {"/achievement/title", "/issuer/name", "/awarding_bodies/0/parent/name"} <= paths
    assert len(paths) == len(caught.value.issues)


def test_every_cross_field_problem_is_reported_at_once(full: dict[str, Any]) -> None:
    full["grade"] = "A+"
    full["valid_until"] = "2025-01-01T00:00:00Z"
    full["activity_end"] = "2025-02-04T00:00:00Z"
    del full["issuer"]["country"]
    with pytest.raises(ModelError) as caught:
        MicroCredential.model_validate(full)
    assert {issue.path for issue in caught.value.issues} == {"/grade", "/valid_until", "/issued", "/issuer/country"}


def test_offsets_are_kept_as_instants(minimal: dict[str, Any]) -> None:
    minimal["issued"] = datetime(2025, 6, 30, 14, tzinfo=timezone(timedelta(hours=2)))
    mc = MicroCredential.model_validate(minimal)
    assert mc.issued == datetime(2025, 6, 30, 12, tzinfo=UTC)


def _every_language_map(value: Any, path: tuple[str | int, ...]) -> list[tuple[str, dict[str, str]]]:
    """The walk over every field, as it was before the walk skipped fields typed as plain values."""
    if isinstance(value, _Model):
        return [
            item
            for name in type(value).model_fields
            for item in _every_language_map(getattr(value, name), (*path, name))
        ]
    if isinstance(value, tuple):
        return [item for index, entry in enumerate(value) for item in _every_language_map(entry, (*path, index))]
    if isinstance(value, dict) and value and all(isinstance(v, str) for v in value.values()):
        return [(pointer(*path), value)]
    return []


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(micro_credentials())
def test_the_language_map_walk_skips_no_text(data: dict[str, Any]) -> None:
    mc = MicroCredential.model_validate(data)
    assert list(mc.iter_language_maps()) == _every_language_map(mc, ())


def test_the_language_map_walk_of_a_full_credential() -> None:
    mc = MicroCredential.model_validate(FULL)
    found = list(mc.iter_language_maps())
    assert found == _every_language_map(mc, ())
    assert len(found) > 10
