"""Hypothesis strategies for valid micro-credential model inputs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from czmc.vocab import (
    AssessmentType,
    ParticipationForm,
    QFEHEACycle,
    QualityAssuranceType,
    ResultType,
    Stackability,
    Supervision,
)

LANGUAGES = ("cs", "en", "sk", "de", "cs-CZ")
ZONES = (UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=2)), timezone(timedelta(hours=-5)))

texts = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).filter(
    lambda s: bool(s.strip())
)
uuids = st.uuids().map(lambda u: f"urn:uuid:{u}")
https_urls = st.from_regex(r"https://[a-z]{2,10}\.(cz|eu|org)/[a-z0-9/]{0,12}", fullmatch=True)
ids = st.one_of(uuids, https_urls, st.from_regex(r"did:web:[a-z]{2,10}\.cz", fullmatch=True))


def language_map(primary: str) -> st.SearchStrategy[dict[str, str]]:
    others = st.lists(st.sampled_from([tag for tag in LANGUAGES if tag != primary]), unique=True, max_size=2)
    return others.flatmap(lambda tags: st.fixed_dictionaries(dict.fromkeys([primary, *tags], texts)))


def optional(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def _drop_none(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


@st.composite
def workloads(draw: st.DrawFn) -> dict[str, Any]:
    ects = draw(optional(st.integers(2, 120).map(lambda n: Decimal(n) / 2)))
    if ects is None:
        hours = Decimal(draw(st.integers(1, 180_000))) / 100
    else:
        low, high = int(ects * 25 * 100), int(ects * 30 * 100)
        hours = draw(optional(st.integers(low, high).map(lambda n: Decimal(n) / 100)))
    return _drop_none({"ects": ects, "hours": hours})


@st.composite
def levels(draw: st.DrawFn, primary: str) -> dict[str, Any] | None:
    cycle = draw(optional(st.sampled_from(list(QFEHEACycle))))
    eqf = cycle.eqf_level if cycle is not None and draw(st.booleans()) else draw(optional(st.integers(1, 8)))
    if cycle is not None and eqf is not None and eqf != cycle.eqf_level:
        eqf = cycle.eqf_level
    nqf = draw(optional(st.fixed_dictionaries({"iri": https_urls, "label": language_map(primary)})))
    level = _drop_none({"eqf": eqf, "qf_ehea": cycle.value if cycle else None, "nqf": nqf})
    return level or None


def esco_skills(primary: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {"iri": st.uuids().map(lambda u: f"http://data.europa.eu/esco/skill/{u}"), "label": language_map(primary)}
    )


@st.composite
def timestamps(draw: st.DrawFn, start: datetime, end: datetime) -> datetime:
    low, high = (edge.astimezone(UTC).replace(tzinfo=None) for edge in (start, end))
    moment = draw(st.datetimes(min_value=low, max_value=high))
    return moment.replace(microsecond=0, tzinfo=UTC).astimezone(draw(st.sampled_from(ZONES)))


@st.composite
def micro_credentials(draw: st.DrawFn) -> dict[str, Any]:
    """A valid MicroCredential input, exercising every optional element."""
    primary = draw(st.sampled_from(LANGUAGES))
    lm = language_map(primary)
    grading = draw(
        optional(
            st.fixed_dictionaries(
                {
                    "result_type": st.sampled_from([t.value for t in ResultType]),
                    "name": lm,
                    "allowed_values": st.lists(texts, unique=True, min_size=1, max_size=6),
                }
            )
        )
    )
    if grading is not None and draw(st.booleans()):
        grading["required_value"] = draw(st.sampled_from(grading["allowed_values"]))
    option = draw(st.sampled_from(list(Stackability)))
    towards = (
        []
        if option is Stackability.STANDALONE
        else draw(st.lists(st.fixed_dictionaries({"name": lm}, optional={"url": https_urls}), max_size=2))
    )
    stackability = draw(
        optional(
            st.fixed_dictionaries(
                {"option": st.just(option.value), "towards": st.just(towards)}, optional={"description": lm}
            )
        )
    )
    achievement = _drop_none(
        {
            "id": draw(ids),
            "title": draw(lm),
            "description": draw(lm),
            "learning_outcomes": draw(
                st.lists(
                    st.fixed_dictionaries(
                        {"text": lm}, optional={"skills": st.lists(esco_skills(primary), max_size=2)}
                    ),
                    min_size=1,
                    max_size=4,
                )
            ),
            "workload": draw(workloads()),
            "level": draw(levels(primary)),
            "assessment": draw(
                st.fixed_dictionaries(
                    {"types": st.lists(st.sampled_from([t.value for t in AssessmentType]), unique=True, min_size=1)},
                    optional={"description": lm},
                )
            ),
            "participation": draw(st.sampled_from([p.value for p in ParticipationForm])),
            "quality_assurance": draw(
                st.lists(
                    st.fixed_dictionaries(
                        {"type": st.sampled_from([q.value for q in QualityAssuranceType])},
                        optional={"body": lm, "url": https_urls, "description": lm},
                    ),
                    min_size=1,
                    max_size=2,
                )
            ),
            "prerequisites": draw(optional(lm)),
            "supervision": draw(optional(st.sampled_from([s.value for s in Supervision]))),
            "grading": grading,
            "stackability": stackability,
            "further_information": draw(optional(lm)),
            "homepage": draw(optional(https_urls)),
            "languages": draw(st.lists(st.sampled_from(LANGUAGES), unique=True, max_size=2)),
            "field_of_study": draw(
                optional(
                    st.fixed_dictionaries(
                        {"isced_f": st.from_regex(r"[0-9]{2,4}", fullmatch=True)}, optional={"label": lm}
                    )
                )
            ),
            "code": draw(optional(st.from_regex(r"[A-Z]{3,4}[0-9]{3}", fullmatch=True))),
        }
    )

    def organisation(depth: int = 0) -> st.SearchStrategy[dict[str, Any]]:
        optional_fields: dict[str, st.SearchStrategy[Any]] = {
            "url": https_urls,
            "email": st.from_regex(r"[a-z]{2,8}@[a-z]{2,8}\.cz", fullmatch=True),
            "region": texts,
            "locality": texts,
            "identifiers": st.lists(
                st.fixed_dictionaries(
                    {"identifier": texts, "identifier_type": st.sampled_from(["ext:CZ-ICO", "systemId", "identifier"])}
                ),
                max_size=2,
            ),
        }
        if depth == 0:
            optional_fields["parent"] = organisation(1)
        return st.fixed_dictionaries(
            {"id": ids, "name": lm, "country": st.sampled_from(["CZ", "SK", "AT"])}, optional=optional_fields
        )

    identity = st.fixed_dictionaries(
        {
            "identity_type": st.sampled_from(["emailAddress", "sisSourcedId", "ext:studentId"]),
            "hashed": st.just(True),
            "identity_hash": st.binary(min_size=32, max_size=32).map(lambda b: "sha256$" + b.hex()),
        },
        optional={"salt": st.text(alphabet="0123456789abcdef", min_size=8, max_size=32)},
    )
    learner_ids = st.lists(identity, max_size=2)
    learner = draw(
        st.one_of(
            st.fixed_dictionaries({"id": ids}, optional={"name": texts, "identifiers": learner_ids}),
            st.fixed_dictionaries(
                {"identifiers": st.lists(identity, min_size=1, max_size=2)}, optional={"name": texts}
            ),
        )
    )
    start = datetime(2020, 1, 1, tzinfo=UTC)
    activity_start = draw(optional(timestamps(start, datetime(2024, 1, 1, tzinfo=UTC))))
    activity_end = draw(optional(timestamps(activity_start or start, datetime(2025, 1, 1, tzinfo=UTC))))
    issued = draw(timestamps(activity_end or datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC)))
    valid_from = draw(optional(timestamps(issued + timedelta(seconds=1), datetime(2027, 1, 1, tzinfo=UTC))))
    valid_until = draw(
        optional(timestamps((valid_from or issued) + timedelta(seconds=1), datetime(2035, 1, 1, tzinfo=UTC)))
    )
    grade = draw(st.sampled_from(grading["allowed_values"])) if grading and draw(st.booleans()) else None
    return _drop_none(
        {
            "id": draw(uuids),
            "learner": learner,
            "achievement": achievement,
            "issuer": draw(organisation()),
            "awarding_bodies": draw(st.lists(organisation(), max_size=3)),
            "issued": issued,
            "valid_from": valid_from,
            "valid_until": valid_until,
            "activity_start": activity_start,
            "activity_end": activity_end,
            "grade": grade,
            "primary_language": primary,
        }
    )
