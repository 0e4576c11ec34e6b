"""Course definitions (czmc.catalogue): validation, the published schema, and one row -> one micro-credential."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from czmc import MicroCredential, schema
from czmc.catalogue import (
    COURSE_DEFINITION_SCHEMA_ID,
    CourseDefinition,
    add_duration,
    course_definition_issues,
    course_definition_json_schema,
    is_course_definition,
    load_course_definition,
    microcredential_for,
    parse_datetime,
)
from czmc.errors import InputError, ModelError
from czmc.inputs import load_document
from tests.conftest import EXAMPLES, FULL, ROOT

COURSES = sorted((EXAMPLES / "courses").iterdir())
NOW = datetime(2026, 1, 15, 9, 30, tzinfo=UTC)
PRAGUE = ZoneInfo("Europe/Prague")


def _course_document() -> dict[str, Any]:
    document = {key: copy.deepcopy(FULL[key]) for key in ("achievement", "issuer", "awarding_bodies")}
    document["activity_start"] = FULL["activity_start"]
    return document


@pytest.fixture
def course() -> CourseDefinition:
    return CourseDefinition.model_validate(_course_document())


ROW = {
    "student_number": "485512",
    "given_name": "Tereza",
    "family_name": "Dvořáková",
    "email": "Tereza.Dvorakova@example.org",
    "grade": "B",
    "completed": "31. 1. 2025",
}


# --- course definitions ---------------------------------------------------------------------------


def test_schema_file_is_the_generated_schema_and_is_bundled() -> None:
    path = ROOT / "src" / "czmc" / "_data" / "schemas" / "czmc-course-definition-v1.schema.json"
    assert json.loads(path.read_text(encoding="utf-8")) == course_definition_json_schema()
    assert schema.SCHEMAS[COURSE_DEFINITION_SCHEMA_ID] == path.name
    assert schema.bundled_schema(COURSE_DEFINITION_SCHEMA_ID)["$id"] == COURSE_DEFINITION_SCHEMA_ID


@pytest.mark.parametrize("path", COURSES, ids=lambda p: p.name)
def test_example_courses_are_valid_by_model_and_schema(path: Path) -> None:
    document = load_document(path)
    assert is_course_definition(document)
    assert course_definition_issues(document) == []
    assert list(schema.iter_issues(document, [COURSE_DEFINITION_SCHEMA_ID])) == []
    course = load_course_definition(path)
    assert course.primary_language == "cs"
    assert course.key.startswith("https://")


def test_other_documents_are_not_course_definitions() -> None:
    assert not is_course_definition(FULL)  # a model input has a learner
    credential = json.loads((EXAMPLES / "credentials" / "applied-ai.credential.json").read_text(encoding="utf-8"))
    assert not is_course_definition(credential)
    assert not is_course_definition([1])
    assert not is_course_definition({"achievement": {}})


def test_every_course_problem_is_reported_once_with_its_path() -> None:
    document = _course_document()
    document["issuer"].pop("country")
    document["achievement"]["description"] = {"en": "Only English."}  # primary language is cs
    document["valid_for"] = "five years"
    document["timezone"] = "Europe/Brno"
    document["learner_identifier_type"] = "name"
    document["semester"] = "jaro"
    issues = course_definition_issues(document)
    paths = {issue.path: issue.code for issue in issues}
    assert paths == {
        "/valid_for": "model.duration",
        "/timezone": "model.timezone",
        "/learner_identifier_type": "model.identity_type",
        "/semester": "model.extra_forbidden",
    }
    # field problems first; once those are fixed, the rules of the whole course
    document.update(valid_for="P0D", timezone="Europe/Prague", learner_identifier_type="ext:UCO")
    document.pop("semester")
    assert {issue.path: issue.code for issue in course_definition_issues(document)} == {
        "/valid_for": "model.duration_zero"
    }
    document["valid_for"] = "P5Y"
    issues = course_definition_issues(document)
    assert {issue.path: issue.code for issue in issues} == {
        "/issuer/country": "model.issuer_country",
        "/achievement/description": "model.primary_language_missing",
    }


def test_course_dates_are_checked_once() -> None:
    document = _course_document()
    document["issued"] = "2025-01-01T00:00:00Z"
    document["activity_end"] = "2025-06-30T00:00:00Z"
    issues = course_definition_issues(document)
    assert [issue.code for issue in issues] == ["model.issued_before_activity_end"]


def test_load_course_definition_refuses_other_documents(tmp_path: Path) -> None:
    path = tmp_path / "input.json"
    path.write_text(json.dumps(FULL), encoding="utf-8")
    with pytest.raises(InputError, match="not a course definition"):
        load_course_definition(path)
    path.write_text(json.dumps({**_course_document(), "valid_for": "P"}), encoding="utf-8")
    with pytest.raises(ModelError) as error:
        load_course_definition(path)
    assert error.value.issues[0].path == "/valid_for"


# --- dates and durations ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-06", datetime(2025, 6, 6, tzinfo=PRAGUE)),
        ("6.6.2025", datetime(2025, 6, 6, tzinfo=PRAGUE)),
        ("06. 06. 2025", datetime(2025, 6, 6, tzinfo=PRAGUE)),
        ("6.6.2025 14:05", datetime(2025, 6, 6, 14, 5, tzinfo=PRAGUE)),
        ("2025-06-06T14:05:07.250+02:00", datetime(2025, 6, 6, 12, 5, 7, tzinfo=UTC)),
        ("2025-06-06T12:05:07Z", datetime(2025, 6, 6, 12, 5, 7, tzinfo=UTC)),
        ("2025-01-06 08:00", datetime(2025, 1, 6, 8, tzinfo=PRAGUE)),
    ],
)
def test_roster_dates(text: str, expected: datetime) -> None:
    parsed = parse_datetime(text, PRAGUE)
    assert parsed == expected
    assert parsed.microsecond == 0
    assert parsed.tzinfo is not None


@pytest.mark.parametrize("text", ["31.2.2025", "2025/06/06", "June 6", "", "6.6.25"])
def test_not_roster_dates(text: str) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 - any ValueError
        parse_datetime(text, PRAGUE)


def test_durations_follow_the_calendar() -> None:
    start = datetime(2024, 1, 31, 12, tzinfo=PRAGUE)
    assert add_duration(start, "P1M") == datetime(2024, 2, 29, 12, tzinfo=PRAGUE)
    assert add_duration(start, "P5Y") == datetime(2029, 1, 31, 12, tzinfo=PRAGUE)
    assert add_duration(start, "P1Y13M") == datetime(2026, 2, 28, 12, tzinfo=PRAGUE)
    assert add_duration(start, "P2W3DT4H") == datetime(2024, 2, 17, 16, tzinfo=PRAGUE)
    with pytest.raises(ValueError):  # noqa: PT011
        add_duration(start, "5Y")


# --- one row -------------------------------------------------------------------------------------


def test_a_row_becomes_a_micro_credential(course: CourseDefinition) -> None:
    mc = microcredential_for(course, ROW, issued_at=NOW)
    assert type(mc) is MicroCredential
    assert mc.learner.name == "Tereza Dvořáková"
    assert mc.learner.matches_email("tereza.dvorakova@example.org")
    assert mc.grade == "B"
    assert mc.issued == NOW
    assert mc.activity_end == datetime(2025, 1, 31, tzinfo=PRAGUE)
    assert mc.activity_start == course.activity_start
    assert mc.achievement is course.achievement
    assert mc.id == course.credential_id("485512")
    assert mc.learner.id == course.learner_id("485512")
    (student, _email) = mc.learner.identifiers
    assert (student.identity_type, student.identity_hash, student.hashed) == ("sisSourcedId", "485512", False)
    # exactly what full validation makes of the same data
    assert MicroCredential.model_validate(mc.model_dump()) == mc


def test_ids_are_stable_and_salts_are_not(course: CourseDefinition) -> None:
    first = microcredential_for(course, ROW, issued_at=NOW)
    again = microcredential_for(course, ROW, issued_at=NOW)
    other = microcredential_for(course, {**ROW, "student_number": "485513"}, issued_at=NOW)
    assert (first.id, first.learner.id) == (again.id, again.learner.id)
    assert first.id != other.id
    assert first.learner.id != other.learner.id
    assert first.learner.identifiers[1].salt != again.learner.identifiers[1].salt  # random per credential
    rerun = CourseDefinition.model_validate({**_course_document(), "id": "https://cuni.cz/mc/NPRG030/2026"})
    assert microcredential_for(rerun, ROW, issued_at=NOW).id != first.id  # another run of the course


def test_row_options(course: CourseDefinition) -> None:
    row = {
        "learner_id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "name_prefix": "Ing.",
        "given_name": "Jan",
        "family_name": "Novák",
        "name_suffix": "Ph.D.",
        "grade": "A",
        "issued": "2025-02-03",
        "activity_start": "1.10.2024",
    }
    mc = microcredential_for(course, row)
    assert mc.learner.id == row["learner_id"]
    assert mc.learner.name == "Ing. Jan Novák, Ph.D."
    assert mc.learner.identifiers == ()
    assert mc.issued == datetime(2025, 2, 3, tzinfo=PRAGUE)
    assert mc.activity_start == datetime(2024, 10, 1, tzinfo=PRAGUE)
    assert mc.id == course.credential_id(row["learner_id"])
    named = microcredential_for(course, {"student_number": "1", "name": "  Jana   Nováková "}, issued_at=NOW)
    assert named.learner.name == "Jana Nováková"


def test_valid_for_sets_valid_until() -> None:
    course = CourseDefinition.model_validate({**_course_document(), "valid_for": "P2Y"})
    mc = microcredential_for(course, ROW, issued_at=datetime(2026, 1, 31, 23, 30, tzinfo=UTC))
    assert mc.valid_until == datetime(2028, 2, 1, 0, 30, tzinfo=PRAGUE)  # two years in Prague's calendar


def test_every_problem_of_a_row_is_reported_at_its_field(course: CourseDefinition) -> None:
    row = {
        "given_name": "Petr",
        "email": "not-an-email",
        "grade": "G",
        "completed": "31.2.2025",
        "student_number": "7",
        "semester": "jaro",
    }
    with pytest.raises(ModelError) as error:
        microcredential_for(course, row, issued_at=NOW)
    assert [(issue.path, issue.code) for issue in error.value.issues] == [
        ("/email", "model.email"),
        ("/grade", "model.grade"),
        ("/completed", "row.date"),
        ("/semester", "row.unknown_field"),
    ]


@pytest.mark.parametrize(
    ("row", "path", "code", "text"),
    [
        ({"grade": "F"}, "/grade", "row.grade_failing", "below the pass grade 'E'"),
        ({"completed": "2099-01-01"}, "/completed", "model.issued_before_activity_end", "is it in the future?"),
        ({"completed": "1.9.2024"}, "/completed", "model.activity_dates", "before the learning activity started"),
        ({"student_number": None}, "/student_number", "row.learner_key", "no student number"),
        ({"learner_id": "mailto:x@example.org"}, "/learner_id", "model.uri", "is not a DID"),
        ({"student_number": "12\x0734"}, "/student_number", "row.learner_key", "printable"),
    ],
)
def test_row_rules(course: CourseDefinition, row: dict[str, Any], path: str, code: str, text: str) -> None:
    data = {key: value for key, value in {**ROW, **row}.items() if value is not None}
    with pytest.raises(ModelError) as error:
        microcredential_for(course, data, issued_at=NOW)
    (issue,) = error.value.issues
    assert (issue.path, issue.code) == (path, code)
    assert text in issue.message


grades = st.sampled_from(["A", "B", "C", "D", "E", "F", "G", "", "výborně"])
dates = st.one_of(
    st.dates(min_value=datetime(2024, 1, 1).date(), max_value=datetime(2026, 12, 31).date()).map(
        lambda d: f"{d.day}.{d.month}.{d.year}"
    ),
    st.sampled_from(["", "31.2.2025", "2025-13-01", "2025-06-30T10:00:00Z"]),
)
texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
rows = st.fixed_dictionaries(
    {},
    optional={
        "student_number": st.one_of(st.from_regex(r"[0-9]{4,8}", fullmatch=True), texts),
        "learner_id": st.sampled_from(["did:web:student.example.cz", "https://x.cz/s/1", "mailto:x", "urn:uuid:1"]),
        "name": texts,
        "given_name": texts,
        "family_name": texts,
        "email": st.sampled_from(["a@b.cz", "A.B@Example.org", "nope", " c@d.eu "]),
        "grade": grades,
        "completed": dates,
        "issued": dates,
        "activity_start": dates,
    },
).map(lambda row: {key: value.strip() for key, value in row.items() if value.strip()})


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(row=rows)
def test_what_a_row_gives_is_what_full_validation_gives(course: CourseDefinition, row: dict[str, str]) -> None:
    # microcredential_for skips re-walking the course's texts per learner; whatever it accepts,
    # the full MicroCredential validation accepts too, and makes the same object of.
    try:
        mc = microcredential_for(course, row, issued_at=NOW)
    except ModelError as error:
        issues = error.issues
    else:
        assert MicroCredential.model_validate(mc.model_dump()) == mc
        return
    assert issues
    assert all(issue.path.count("/") == 1 for issue in issues)  # a row field, never a model path
