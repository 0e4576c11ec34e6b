"""Controlled vocabularies: EU IRIs exact, tokens unique, labels in Czech and English."""

from __future__ import annotations

import pytest

from czmc import vocab

ENUMS = [
    vocab.ParticipationForm,
    vocab.Supervision,
    vocab.AssessmentType,
    vocab.QualityAssuranceType,
    vocab.Stackability,
    vocab.QFEHEACycle,
]


@pytest.mark.parametrize("enum", ENUMS, ids=lambda e: e.__name__)
def test_members_have_unique_iris_and_both_labels(enum: type[vocab._IriEnum]) -> None:
    iris = [member.iri for member in enum]
    assert len(set(iris)) == len(iris)
    for member in enum:
        assert enum.from_iri(member.iri) is member
        assert member.label("cs")
        assert member.label("en")
        assert member.label("cs-CZ") == member.label_cs
        assert str(member) == member.value
    with pytest.raises(ValueError, match="is not an IRI of"):
        enum.from_iri("http://example.org/nothing")


def test_eu_vocabulary_iris_are_the_europass_ones() -> None:
    assert vocab.ParticipationForm.ONLINE.iri == "http://data.europa.eu/snb/learning-assessment/920fbb3cbe"
    assert vocab.ParticipationForm.BLENDED.iri == "http://data.europa.eu/snb/learning-assessment/e92d221e4d"
    assert vocab.Supervision.UNSUPERVISED_WITHOUT_ID.iri.endswith("/supervision-verification/c598449d64")
    assert vocab.Supervision.SUPERVISED_WITH_ID.iri.endswith("/supervision-verification/70be69aaf9")
    assert vocab.QualityAssuranceType.INSTITUTIONAL.iri == "http://data.europa.eu/snb/accreditation/bb4618238e"
    assert vocab.ECTS_IRI == "http://data.europa.eu/snb/education-credit/6fcec5c5af"
    assert vocab.eqf_iri(6) == "http://data.europa.eu/snb/eqf/6"
    assert vocab.isced_f_iri("0613") == "http://data.europa.eu/snb/isced-f/0613"


def test_qf_ehea_cycles_map_to_eqf() -> None:
    assert [c.eqf_level for c in vocab.QFEHEACycle] == [5, 6, 7, 8]
