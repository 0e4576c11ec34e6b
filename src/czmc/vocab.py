"""Controlled vocabularies of the EU micro-credential elements, as Enums carrying IRIs.

Where the European Learning Model (ELM 3) publishes a controlled list, the member's
``iri`` is that list's concept IRI (``http://data.europa.eu/snb/...``, compared as exact
strings: these IRIs are ``http``, not ``https``). Where no EU list exists (assessment
types, QF-EHEA cycles, stackability options, czmc-only QA types), the IRI is in the czmc
vocabulary namespace :data:`CZMC_VOCAB`.

Each member's *value* is the short token used in model input files and in credentials
(JSON-LD maps the token to the IRI through the czmc context).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self

CZMC_VOCAB = "https://w3id.org/czmc/vocab#"
"""Namespace of czmc's own terms and concepts."""

ELM = "http://data.europa.eu/snb/model/elm/"
"""Namespace of the European Learning Model ontology."""

ECTS_IRI = "http://data.europa.eu/snb/education-credit/6fcec5c5af"
"""Europass education-credit concept "European Credit Transfer System"."""

EQF_SCHEME = "http://data.europa.eu/snb/eqf/25831c2"
EQF_LEVEL_BASE = "http://data.europa.eu/snb/eqf/"
ISCED_F_BASE = "http://data.europa.eu/snb/isced-f/"
ESCO_SKILL_BASE = "http://data.europa.eu/esco/skill/"


class _IriEnum(StrEnum):
    """A closed vocabulary whose members carry a label and an IRI."""

    iri: str
    label_en: str
    label_cs: str

    def __new__(cls, value: str, iri: str, label_en: str, label_cs: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.iri = iri
        member.label_en = label_en
        member.label_cs = label_cs
        return member

    def __str__(self) -> str:
        return str(self.value)

    def label(self, language: str) -> str:
        """The human label in ``language`` (``cs`` or anything else for English)."""
        return self.label_cs if language.split("-", maxsplit=1)[0] == "cs" else self.label_en

    @classmethod
    def from_iri(cls, iri: str) -> Self:
        """The member whose IRI is ``iri`` (exact string comparison)."""
        for member in cls:
            if member.iri == iri:
                return member
        raise ValueError(f"{iri!r} is not an IRI of {cls.__name__}")


_LA = "http://data.europa.eu/snb/learning-assessment/"
_SV = "http://data.europa.eu/snb/supervision-verification/"
_AC = "http://data.europa.eu/snb/accreditation/"


class ParticipationForm(_IriEnum):
    """Annex I M10, form of participation; ELM "modes of learning and assessment" list."""

    ONLINE = ("Online", _LA + "920fbb3cbe", "Online", "Online")
    ONSITE = ("Onsite", _LA + "9191af2ed9", "Onsite (presential)", "Prezenčně")
    BLENDED = ("Blended", _LA + "e92d221e4d", "Blended", "Kombinovaně")


class Supervision(_IriEnum):
    """Annex I O2, supervision and identity verification during assessment.

    IRIs from the Europass "methods of supervision and verification" list. The IRI of
    ``SUPERVISED_WITHOUT_ID`` is the fourth member of that list; its label is not quoted
    in the sources we could read (the other three are), so it is identified by elimination.
    """

    UNSUPERVISED_WITHOUT_ID = (
        "UnsupervisedWithoutIdVerification",
        _SV + "c598449d64",
        "Unsupervised, no identity verification",
        "Bez dohledu, bez ověření totožnosti",
    )
    UNSUPERVISED_WITH_ID = (
        "UnsupervisedWithIdVerification",
        _SV + "df2880c5cb",
        "Unsupervised, with identity verification",
        "Bez dohledu, s ověřením totožnosti",
    )
    SUPERVISED_WITHOUT_ID = (
        "SupervisedWithoutIdVerification",
        _SV + "44314532f9",
        "Supervised, no identity verification",
        "Pod dohledem, bez ověření totožnosti",
    )
    SUPERVISED_WITH_ID = (
        "SupervisedWithIdVerification",
        _SV + "70be69aaf9",
        "Supervised online or onsite, with identity verification",
        "Pod dohledem online nebo prezenčně, s ověřením totožnosti",
    )


class AssessmentType(_IriEnum):
    """Annex I M9, type of assessment. No EU list exists; the IRIs are czmc's."""

    WRITTEN_EXAM = ("WrittenExam", CZMC_VOCAB + "WrittenExam", "Written examination", "Písemná zkouška")
    ORAL_EXAM = ("OralExam", CZMC_VOCAB + "OralExam", "Oral examination", "Ústní zkouška")
    ONLINE_TEST = ("OnlineTest", CZMC_VOCAB + "OnlineTest", "Online test", "Online test")
    PRACTICAL_DEMONSTRATION = (
        "PracticalDemonstration",
        CZMC_VOCAB + "PracticalDemonstration",
        "Practical demonstration of skills",
        "Praktické předvedení dovedností",
    )
    PROJECT = ("Project", CZMC_VOCAB + "Project", "Project or artefact", "Projekt nebo výstup")
    PORTFOLIO = ("Portfolio", CZMC_VOCAB + "Portfolio", "Portfolio", "Portfolio")
    CONTINUOUS = (
        "ContinuousAssessment",
        CZMC_VOCAB + "ContinuousAssessment",
        "Continuous assessment",
        "Průběžné hodnocení",
    )
    PRIOR_LEARNING = (
        "RecognitionOfPriorLearning",
        CZMC_VOCAB + "RecognitionOfPriorLearning",
        "Recognition of prior learning",
        "Uznání předchozího učení",
    )


class QualityAssuranceType(_IriEnum):
    """Annex I M11, type of quality assurance underpinning the micro-credential.

    The first four are the Europass accreditation types; ``INTERNAL`` and
    ``EXTERNAL_CERTIFICATION`` (czmc IRIs) cover providers outside formal accreditation:
    a provider's own QA system, or an external certification such as ISO 9001.
    """

    INSTITUTIONAL = (
        "InstitutionalQualityAssurance",
        _AC + "bb4618238e",
        "Institutional quality assurance (accreditation)",
        "Institucionální zajištění kvality (akreditace)",
    )
    PROGRAMME = (
        "ProgrammeQualityAssurance",
        _AC + "820101cba6",
        "Programme quality assurance (accreditation)",
        "Zajištění kvality programu (akreditace)",
    )
    INSTITUTIONAL_LICENCE = (
        "InstitutionalLicence",
        _AC + "003293d2ce",
        "Institutional licence",
        "Institucionální licence",
    )
    PROGRAMME_LICENCE = (
        "ProgrammeLicence",
        _AC + "e57dddfcf3",
        "Programme licence",
        "Licence programu",
    )
    INTERNAL = (
        "InternalQualityAssurance",
        CZMC_VOCAB + "InternalQualityAssurance",
        "Provider's internal quality assurance system",
        "Vnitřní systém zajištění kvality poskytovatele",
    )
    EXTERNAL_CERTIFICATION = (
        "ExternalCertification",
        CZMC_VOCAB + "ExternalCertification",
        "External quality certification (e.g. ISO 9001)",
        "Externí certifikace kvality (např. ISO 9001)",
    )


class Stackability(_IriEnum):
    """Annex I O4, integration/stackability options."""

    STANDALONE = (
        "StandAlone",
        CZMC_VOCAB + "StandAlone",
        "Stand-alone, independent micro-credential",
        "Samostatný, nezávislý mikrocertifikát",
    )
    STACKABLE = (
        "Stackable",
        CZMC_VOCAB + "Stackable",
        "Stackable towards another credential",
        "Skládatelný do jiného osvědčení",
    )
    INTEGRATED = (
        "Integrated",
        CZMC_VOCAB + "Integrated",
        "Integrated into another credential",
        "Začleněný do jiného osvědčení",
    )


class QFEHEACycle(_IriEnum):
    """Annex I M8, cycle of the Qualifications Framework of the EHEA."""

    SHORT = ("ShortCycle", CZMC_VOCAB + "QFEHEAShortCycle", "QF-EHEA short cycle", "QF-EHEA krátký cyklus")
    FIRST = ("FirstCycle", CZMC_VOCAB + "QFEHEAFirstCycle", "QF-EHEA first cycle", "QF-EHEA první cyklus")
    SECOND = ("SecondCycle", CZMC_VOCAB + "QFEHEASecondCycle", "QF-EHEA second cycle", "QF-EHEA druhý cyklus")
    THIRD = ("ThirdCycle", CZMC_VOCAB + "QFEHEAThirdCycle", "QF-EHEA third cycle", "QF-EHEA třetí cyklus")

    @property
    def eqf_level(self) -> int:
        """The EQF level the cycle corresponds to (short 5, first 6, second 7, third 8)."""
        return {"ShortCycle": 5, "FirstCycle": 6, "SecondCycle": 7, "ThirdCycle": 8}[self.value]


class ResultType(StrEnum):
    """OB 3.0 ``ResultType`` values usable for a grading scheme (B.2.x ResultType enum)."""

    GRADE_POINT_AVERAGE = "GradePointAverage"
    LETTER_GRADE = "LetterGrade"
    PERCENT = "Percent"
    PERFORMANCE_LEVEL = "PerformanceLevel"
    RAW_SCORE = "RawScore"
    RESULT = "Result"
    SCALED_SCORE = "ScaledScore"
    STATUS = "Status"


def eqf_iri(level: int) -> str:
    """The Europass IRI of EQF ``level`` (1-8)."""
    return f"{EQF_LEVEL_BASE}{level}"


def isced_f_iri(code: str) -> str:
    """The Europass IRI of ISCED-F 2013 field ``code``."""
    return f"{ISCED_F_BASE}{code}"
