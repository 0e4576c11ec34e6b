"""Shared fixtures: a complete micro-credential input and a minimal one; a guard against network use."""

from __future__ import annotations

import copy
import ipaddress
import os
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests._postgres import REQUIRE_VARIABLE, PostgresServer, binaries, running_server

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

FULL: dict[str, Any] = {
    "id": "urn:uuid:3f0d2b7e-6a51-4c2e-9a0b-2f1f6d1c9e11",
    "learner": {
        "id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK",
        "name": "Jana Nováková",
        "email": "Jana.Novakova@example.cz",
        "email_salt": "5f1c0b8e2a4d4e6f9a7b3c1d2e0f4a5b",
    },
    "achievement": {
        "id": "https://cuni.cz/mc/NPRG030",
        "title": {"cs": "Základy programování", "en": "Introduction to programming"},
        "description": {"cs": "Úvod do algoritmizace.", "en": "An introduction to algorithms."},
        "learning_outcomes": [
            {
                "text": {"cs": "Navrhne algoritmus.", "en": "Designs an algorithm."},
                "skills": [
                    {
                        "iri": "http://data.europa.eu/esco/skill/ccdf3597-5c80-410f-896d-e1bdfa223de9",
                        "label": {"cs": "podněcovat kreativitu v týmu", "en": "stimulate creativity in the team"},
                    }
                ],
            },
            {"text": {"cs": "Implementuje program v Pythonu.", "en": "Implements a program in Python."}},
        ],
        "workload": {"ects": "5", "hours": "130"},
        "level": {"eqf": 6, "qf_ehea": "FirstCycle"},
        "assessment": {
            "types": ["WrittenExam", "Project"],
            "description": {"cs": "Test a projekt.", "en": "Test and project."},
        },
        "participation": "Blended",
        "quality_assurance": [
            {
                "type": "InstitutionalQualityAssurance",
                "body": {
                    "cs": "Národní akreditační úřad pro vysoké školství",
                    "en": "National Accreditation Bureau for Higher Education",
                },
                "url": "https://www.nauvs.cz/",
            }
        ],
        "prerequisites": {"cs": "Maturita.", "en": "Secondary school leaving exam."},
        "supervision": "SupervisedWithIdVerification",
        "grading": {
            "result_type": "LetterGrade",
            "name": {"cs": "Klasifikace ECTS", "en": "ECTS grade"},
            "allowed_values": ["F", "E", "D", "C", "B", "A"],
            "required_value": "E",
        },
        "stackability": {
            "option": "Stackable",
            "towards": [{"name": {"cs": "Programování", "en": "Programming"}, "url": "https://cuni.cz/p/1"}],
        },
        "further_information": {"cs": "Viz katalog.", "en": "See the catalogue."},
        "homepage": "https://cuni.cz/mc/NPRG030",
        "languages": ["cs"],
        "field_of_study": {"isced_f": "0613", "label": {"cs": "Vývoj software", "en": "Software development"}},
        "code": "NPRG030",
    },
    "issuer": {
        "id": "did:web:cuni.cz",
        "name": {"cs": "Univerzita Karlova", "en": "Charles University"},
        "url": "https://cuni.cz",
        "country": "CZ",
        "locality": "Praha",
        "identifiers": [{"identifier": "00216208", "identifier_type": "ext:CZ-ICO"}],
    },
    "awarding_bodies": [
        {
            "id": "https://www.mff.cuni.cz",
            "name": {"cs": "Matematicko-fyzikální fakulta", "en": "Faculty of Mathematics and Physics"},
            "parent": {"id": "did:web:cuni.cz", "name": {"cs": "Univerzita Karlova", "en": "Charles University"}},
        }
    ],
    "issued": "2025-02-03T10:00:00+01:00",
    "activity_start": "2024-09-30T08:00:00+02:00",
    "activity_end": "2025-01-31T18:00:00+01:00",
    "grade": "B",
}

MINIMAL: dict[str, Any] = {
    "learner": {"id": "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"},
    "achievement": {
        "id": "https://skola.example.cz/kurzy/svarovani",
        "title": {"cs": "Svařování"},
        "description": {"cs": "Kurz svařování."},
        "learning_outcomes": [{"text": {"cs": "Svaří tupý spoj."}}],
        "workload": {"hours": "40"},
        "assessment": {"types": ["PracticalDemonstration"]},
        "participation": "Onsite",
        "quality_assurance": [{"type": "InternalQualityAssurance"}],
    },
    "issuer": {"id": "https://skola.example.cz", "name": {"cs": "Střední odborná škola"}, "country": "CZ"},
    "issued": "2025-06-30T12:00:00Z",
}


def plain_open_badge(credential: dict[str, Any]) -> dict[str, Any]:
    """A minimal OB 3.0 credential (no czmc context) with ``credential``'s id and dates."""
    return {
        "@context": credential["@context"][:2],
        "id": credential["id"],
        "type": credential["type"],
        "issuer": {"id": "https://badges.example.org", "type": ["Profile"], "name": "Example"},
        "validFrom": credential["validFrom"],
        "credentialSubject": {
            "id": "did:web:learner.example.org",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://badges.example.org/a/1",
                "type": ["Achievement"],
                "name": "Badge",
                "description": "A badge.",
                "criteria": {"narrative": "Do it."},
            },
        },
    }


@pytest.fixture
def full() -> dict[str, Any]:
    """A deep copy of a micro-credential input that uses every element."""
    return copy.deepcopy(FULL)


@pytest.fixture
def minimal() -> dict[str, Any]:
    """A deep copy of the smallest valid input (a VET course in hours, Czech only)."""
    return copy.deepcopy(MINIMAL)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session (skipped where PostgreSQL is not installed,
    unless CZMC_REQUIRE_POSTGRES=1, as CI sets, makes that a failure)."""
    if binaries() is None and os.environ.get(REQUIRE_VARIABLE) != "1":
        pytest.skip(f"PostgreSQL is not installed; CI installs it and sets {REQUIRE_VARIABLE}=1")
    try:
        with running_server() as server:
            yield server
    except RuntimeError as error:
        pytest.fail(str(error))


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The URL of a fresh, empty PostgreSQL database."""
    return postgres_server.new_database()


@pytest.fixture(params=["sqlite", "postgres"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where to open a registry: a SQLite file, then a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "registry.db")
    url: str = request.getfixturevalue("postgres_url")
    return url


def _is_loopback(host: object) -> bool:
    if host in (None, "localhost"):
        return True
    try:
        return ipaddress.ip_address(str(host).split("%", 1)[0]).is_loopback
    except ValueError:
        return False


def _is_address(host: object) -> bool:
    try:
        ipaddress.ip_address(str(host).split("%", 1)[0])
    except ValueError:
        return False
    return True


@pytest.fixture(autouse=True)
def no_network_but_loopback(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Fail the test if anything tries to connect to, or look up, a host that is not this machine.

    Tests talk only to real servers on 127.0.0.1. A connection attempt elsewhere (an SSRF
    regression in the fetcher, an accidental download) is refused here, and the test fails
    even if the code under test caught the error, e.g. as "unreachable". Yields the list of
    attempts (the guard's own test empties it).
    """
    attempts: list[str] = []
    connect, connect_ex, getaddrinfo = socket.socket.connect, socket.socket.connect_ex, socket.getaddrinfo

    def check(sock: socket.socket, address: object) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0] if isinstance(address, tuple) else address
            if not _is_loopback(host):
                attempts.append(f"connect to {address!r}")
                raise ConnectionRefusedError(f"the test guard refused a connection to {address!r}")

    def guarded_connect(sock: socket.socket, address: object) -> None:
        check(sock, address)
        connect(sock, address)  # type: ignore[arg-type]

    def guarded_connect_ex(sock: socket.socket, address: object) -> int:
        check(sock, address)
        return connect_ex(sock, address)  # type: ignore[arg-type]

    def guarded_getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if not (_is_loopback(host) or _is_address(host)):  # an address needs no DNS; connect() judges it
            attempts.append(f"look up {host!r}")
            raise socket.gaierror(socket.EAI_NONAME, f"the test guard refused to look up {host!r}")
        return getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(socket.socket, "connect", guarded_connect)
    monkeypatch.setattr(socket.socket, "connect_ex", guarded_connect_ex)
    monkeypatch.setattr(socket, "getaddrinfo", guarded_getaddrinfo)
    yield attempts
    if attempts:
        pytest.fail(f"the test tried to reach the network beyond loopback: {'; '.join(attempts)}")
