"""Batch issuance end to end: real rosters, real keys, real worker processes, a real SIGKILL."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

import czmc
from czmc.batch import (
    MANIFEST_NAME,
    InvalidRowsError,
    KeySource,
    OutputDirectoryError,
    Progress,
    RowProblem,
    check_output,
    issue_batch,
    read_manifest,
)
from czmc.catalogue import CourseDefinition, load_course_definition
from czmc.did import DefaultResolver
from czmc.roster import ColumnMapping, open_roster
from czmc.verification import VerificationResult
from tests.conftest import EXAMPLES

CZMC = shutil.which("czmc") or ""
pytestmark = pytest.mark.skipif(not CZMC, reason="the czmc console script is not installed")

COURSE = EXAMPLES / "courses" / "cybersecurity-public-administration.json"
HEADER = ["os_cislo", "prijmeni", "jmeno", "titul_pred", "titul_za", "email", "znamka", "datum_ukonceni"]
GIVEN = ["Jan", "Petr", "Tereza", "Anna", "Lukáš", "Kateřina", "Ondřej", "Markéta"]
FAMILY = ["Novák", "Svobodová", "Dvořák", "Černá", "Procházka", "Kučerová", "Veselý", "Horáková"]


@dataclass(frozen=True)
class Issuer:
    key: Path
    document: dict[str, Any]
    document_path: Path

    def verify(self, token: str) -> VerificationResult:
        return czmc.verify(token, resolver=DefaultResolver(documents=[self.document]))


def _keygen(directory: Path, did: str) -> Issuer:
    key, document = directory / "issuer.jwk", directory / "did.json"
    made = subprocess.run(
        [CZMC, "keygen", "--did", did, "-o", str(key), "--did-document", str(document)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    return Issuer(key, json.loads(document.read_text(encoding="utf-8")), document)


@pytest.fixture(scope="module")
def muni(tmp_path_factory: pytest.TempPathFactory) -> Issuer:
    return _keygen(tmp_path_factory.mktemp("muni"), "did:web:muni.cz")


@pytest.fixture(scope="module")
def course() -> CourseDefinition:
    return load_course_definition(COURSE)


def _row(number: int) -> list[str]:
    return [
        str(500000 + number),
        FAMILY[number % len(FAMILY)],
        GIVEN[number % len(GIVEN)],
        "Ing." if number % 7 == 0 else "",
        "",
        f"student{number}@example.org" if number % 5 else "",
        "ABCDE"[number % 5],
        f"{1 + number % 28}.6.2025",
    ]


def write_roster(path: Path, count: int, *, bad: dict[int, list[str]] | None = None) -> Path:
    """A study system's export: ;-separated, UTF-8 with BOM, CRLF; ``bad`` replaces rows (0-based)."""
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
        writer.writerow(HEADER)
        for number in range(count):
            writer.writerow((bad or {}).get(number, _row(number)))
    return path


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([CZMC, *args], capture_output=True, text=True, timeout=timeout, check=False)


def manifest(out: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (out / MANIFEST_NAME).read_text(encoding="utf-8").splitlines()]


def assert_consistent(out: Path) -> list[dict[str, Any]]:
    """Every manifest line has its file with the recorded SHA-256; no learner twice. Checked by hand."""
    entries = manifest(out)
    for entry in entries:
        data = (out / entry["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == entry["sha256"], entry
        assert entry["file"] == entry["credential"].removeprefix("urn:uuid:") + ".jwt"
    learners = [(entry["course"], entry["learner"]) for entry in entries]
    assert len(learners) == len(set(learners))
    return entries


def temporary_files(out: Path) -> list[str]:
    return [name for name in os.listdir(out) if ".tmp-" in name]


# --- issuing and verifying ---------------------------------------------------------------------------


def test_cli_issues_the_example_roster_and_every_token_verifies(tmp_path: Path, muni: Issuer) -> None:
    roster = EXAMPLES / "rosters" / "cybersecurity-public-administration.csv"
    out = tmp_path / "out"
    result = run("issue-batch", str(COURSE), str(roster), "--key", str(muni.key), "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith(f"issued 8 credentials into {out}")
    assert "issued 8/8 (" in result.stderr  # plain progress lines when standard error is not a terminal
    entries = assert_consistent(out)
    assert [entry["line"] for entry in entries] == list(range(2, 10))  # roster order
    rows = list(open_roster(roster).rows())
    for entry, row in zip(entries, rows, strict=True):
        token = (out / entry["file"]).read_text(encoding="ascii")
        verified = muni.verify(token)
        assert verified.valid, verified.failures
        mc = verified.microcredential()
        assert mc.id == entry["credential"]
        assert mc.learner.id == entry["subject"]
        assert entry["learner"] == row.record["student_number"]
        assert mc.learner.name is not None
        assert row.cells["jmeno"] in mc.learner.name
        assert mc.grade == row.cells["znamka"]
        if row.cells["email"]:
            assert mc.learner.matches_email(row.cells["email"])
        assert "@" not in json.dumps(entry)  # the manifest holds no email addresses
    assert check_output(out) == []
    again = run("issue-batch", str(COURSE), str(roster), "--key", str(muni.key), "--out", str(out), "--jobs", "2")
    assert again.returncode == 0, again.stderr
    assert "issued 0 credentials" in again.stdout
    assert "8 issued before" in again.stdout
    assert manifest(out) == entries


def test_jsonl_roster_with_mapping_parallel_vc_jose_cose(tmp_path: Path) -> None:
    school = _keygen(tmp_path, "did:web:prumyslovkajicin.cz")
    out = tmp_path / "out"
    result = run(
        "issue-batch", str(EXAMPLES / "courses" / "vet-welding.yaml"), str(EXAMPLES / "rosters" / "vet-welding.jsonl"),
        "--mapping", str(EXAMPLES / "rosters" / "vet-welding.mapping.yaml"), "--key", str(school.key),
        "--out", str(out), "--jobs", "2", "--proof-format", "vc-jose-cose",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    entries = assert_consistent(out)
    assert [entry["format"] for entry in entries] == ["vc-jose-cose"] * 5
    for entry in entries:
        verified = school.verify((out / entry["file"]).read_text(encoding="ascii"))
        assert verified.valid, verified.failures
        mc = verified.microcredential()
        assert mc.grade == "vyhověl"
        assert mc.valid_until is not None
        assert mc.valid_until - mc.issued >= timedelta(days=2 * 365)


def test_library_progress_and_problems_in_roster_order(tmp_path: Path, muni: Issuer, course: CourseDefinition) -> None:
    bad = {5: [*_row(5)[:6], "Z", "6.6.2025"], 400: [*_row(400)[:7], "31.6.2025"], 401: _row(3)}
    roster = open_roster(write_roster(tmp_path / "r.csv", 600, bad=bad))
    progress: list[Progress] = []
    problems: list[RowProblem] = []
    result = issue_batch(
        course, roster, KeySource(muni.key), tmp_path / "out", jobs=2, skip_invalid=True, chunk_size=50,
        on_progress=progress.append, on_problem=problems.append,
    )  # fmt: skip
    assert (result.rows, result.issued, result.already_issued, result.rejected) == (600, 597, 0, 3)
    assert [problem.line for problem in problems] == [7, 402, 403]
    assert [issue.path for problem in problems for issue in problem.issues] == [
        "/row/7/grade",
        "/row/402/completed",
        "/row/403/student_number",
    ]
    assert "also on line 5" in problems[2].issues[0].message
    phases = [p.phase for p in progress]
    assert phases == sorted(phases)  # every check report before the first issue report
    checks = [p for p in progress if p.phase == "check"]
    assert checks[-1].rows == 600
    assert checks[-1].bytes_read == checks[-1].bytes_total == roster.size
    last = progress[-1]
    assert (last.phase, last.issued, last.to_issue) == ("issue", 597, 597)
    assert last.rate > 0
    assert len(assert_consistent(tmp_path / "out")) == 597


# --- invalid rows -----------------------------------------------------------------------------------

BAD_ROWS = {
    3: ["500003", "Černá", "Anna", "", "", "anna@example.org", "G", "4.6.2025"],  # line 5: grade
    17: ["500017", "Veselý", "Petr", "", "", "not-an-email", "B", "31.2.2025"],  # line 19: email and date
    90: ["500004", "Procházka", "Jan", "", "", "", "A", "5.6.2025"],  # line 92: the learner of line 6 again
    150: ["500150", "Horáková", "Eva", "", "", "", "F", "6.6.2025"],  # line 152: failed
    170: ["", "Novák", "Jan", "", "", "", "A", "6.6.2025"],  # line 172: no student number
    180: ["500180", "Novák", "Jan"],  # line 182: cells missing
    190: ["500190", "Novák", "Jan", "", "", "", "A", "1.1.2099"],  # line 192: in the future
}
EXPECTED = [
    "/row/5/grade",
    "/row/19/email",
    "/row/19/completed",
    "/row/92/student_number",
    "/row/152/grade",
    "/row/172/student_number",
    "/row/182",
    "/row/192/completed",
]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_every_bad_row_is_reported_and_nothing_is_written(tmp_path: Path, muni: Issuer, jobs: str) -> None:
    roster = write_roster(tmp_path / "r.csv", 200, bad=BAD_ROWS)
    out = tmp_path / "out"
    result = run("issue-batch", str(COURSE), str(roster), "--key", str(muni.key), "--out", str(out), "--jobs", jobs)
    assert result.returncode == 1
    paths = [line.split(": ", 1)[0].strip() for line in result.stderr.splitlines() if line.startswith("  /row/")]
    assert paths == EXPECTED
    assert "error: " in result.stderr
    assert "7 of 200 rows are invalid; nothing was issued" in result.stderr
    assert "--skip-invalid" in result.stderr
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert sorted(os.listdir(tmp_path)) == ["r.csv"]


def test_skip_invalid_issues_the_rest_and_writes_rejects(tmp_path: Path, muni: Issuer) -> None:
    roster = write_roster(tmp_path / "r.csv", 200, bad=BAD_ROWS)
    out = tmp_path / "out"
    result = run(
        "issue-batch", str(COURSE), str(roster), "--key", str(muni.key), "--out", str(out), "--skip-invalid",
        "--jobs", "2",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert f"7 rejected, see {out / 'rejects.csv'}" in result.stdout
    entries = assert_consistent(out)
    assert len(entries) == 193
    assert {"500003", "500017", "500150", "500190"}.isdisjoint(entry["learner"] for entry in entries)
    assert [entry["learner"] for entry in entries].count("500004") == 1
    raw = (out / "rejects.csv").read_bytes()
    assert (out / "rejects.csv").stat().st_mode & 0o777 == 0o600  # the roster's personal data
    assert raw.startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    rejects = list(csv.DictReader(raw.decode("utf-8-sig").splitlines(), delimiter=";"))
    assert [row["czmc_line"] for row in rejects] == ["5", "19", "92", "152", "172", "182", "192"]
    assert rejects[0]["znamka"] == "G"
    assert "/row/19/email" in rejects[1]["czmc_problems"]
    assert "/row/19/completed" in rejects[1]["czmc_problems"]
    as_jsonl = tmp_path / "rejects.jsonl"
    again = run(
        "issue-batch", str(COURSE), str(roster), "--key", str(muni.key), "--out", str(out), "--skip-invalid",
        "--rejects", str(as_jsonl),
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "issued 0 credentials" in again.stdout
    lines = [json.loads(line) for line in as_jsonl.read_text(encoding="utf-8").splitlines()]
    assert [line["line"] for line in lines] == [5, 19, 92, 152, 172, 182, 192]
    assert lines[0]["row"]["znamka"] == "G"
    assert lines[0]["problems"][0]["code"] == "model.grade"


# --- resuming -----------------------------------------------------------------------------------------


def test_resume_issues_only_the_missing_learners(tmp_path: Path, muni: Issuer, course: CourseDefinition) -> None:
    out = tmp_path / "out"
    key = KeySource(muni.key)
    first = issue_batch(course, open_roster(write_roster(tmp_path / "part.csv", 40)), key, out)
    assert (first.issued, first.already_issued) == (40, 0)
    before = {entry["file"]: (out / entry["file"]).read_bytes() for entry in manifest(out)}
    full = open_roster(write_roster(tmp_path / "full.csv", 100))
    second = issue_batch(course, full, key, out, jobs=2)
    assert (second.issued, second.already_issued) == (60, 40)
    entries = assert_consistent(out)
    assert len(entries) == 100
    assert all((out / name).read_bytes() == data for name, data in before.items())  # never re-signed
    third = issue_batch(course, full, key, out)
    assert (third.issued, third.already_issued) == (0, 100)
    assert manifest(out) == entries
    assert check_output(out) == []


def test_resume_after_a_crash_between_file_and_manifest_line(
    tmp_path: Path, muni: Issuer, course: CourseDefinition
) -> None:
    out = tmp_path / "out"
    roster = open_roster(write_roster(tmp_path / "r.csv", 20))
    issue_batch(course, roster, KeySource(muni.key), out)
    lines = (out / MANIFEST_NAME).read_bytes().splitlines(keepends=True)
    # the run died: the last credential's file is written but its line is not; the line before
    # it was cut short; a worker left a temporary file
    (out / MANIFEST_NAME).write_bytes(b"".join(lines[:18]) + lines[18][:40])
    orphans = [json.loads(line)["file"] for line in lines[18:]]
    (out / f".{orphans[0]}.tmp-4242").write_bytes(b"eyJhbGci")
    warnings = {issue.code for issue in check_output(out)}
    assert warnings == {"batch.unlisted_file", "batch.temporary_file"}
    assert all(issue.severity is czmc.Severity.WARNING for issue in check_output(out))
    result = issue_batch(course, roster, KeySource(muni.key), out)
    assert (result.issued, result.already_issued) == (2, 18)
    entries = assert_consistent(out)
    assert [entry["file"] for entry in entries[18:]] == orphans  # issued again under the same names
    assert temporary_files(out) == []
    assert check_output(out) == []


def test_manifest_naming_a_missing_file_stops_the_batch(tmp_path: Path, muni: Issuer, course: CourseDefinition) -> None:
    out = tmp_path / "out"
    roster = open_roster(write_roster(tmp_path / "r.csv", 3))
    issue_batch(course, roster, KeySource(muni.key), out)
    (out / manifest(out)[1]["file"]).unlink()
    with pytest.raises(OutputDirectoryError, match="does not exist"):
        issue_batch(course, roster, KeySource(muni.key), out)
    assert [issue.code for issue in check_output(out)] == ["batch.missing_file"]


def test_a_second_run_on_a_locked_directory_is_refused(tmp_path: Path, muni: Issuer, course: CourseDefinition) -> None:
    fcntl = pytest.importorskip("fcntl")
    out = tmp_path / "out"
    out.mkdir()
    roster = open_roster(write_roster(tmp_path / "r.csv", 3))
    with (out / MANIFEST_NAME).open("ab") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        with pytest.raises(OutputDirectoryError, match="another czmc issue-batch"):
            issue_batch(course, roster, KeySource(muni.key), out)
    assert issue_batch(course, roster, KeySource(muni.key), out).issued == 3


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as stream:
        return [int(child) for child in stream.read().split()]


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stream:
            return stream.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def kill_with_workers(process: subprocess.Popen[bytes]) -> list[int]:
    """SIGKILL a running batch and wait until its worker processes are gone too; their pids."""
    workers = _children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    deadline = time.monotonic() + 30
    while any(_alive(worker) for worker in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(worker) for worker in workers), "workers outlived the killed batch"
    return workers


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_sigkill_mid_batch_leaves_a_consistent_directory(tmp_path: Path, muni: Issuer) -> None:
    count = 5000
    roster = write_roster(tmp_path / "r.csv", count)
    out = tmp_path / "out"
    args = [CZMC, "issue-batch", str(COURSE), str(roster), "--key", str(muni.key), "--out", str(out), "--jobs", "2"]
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and process.poll() is None:
        if (out / MANIFEST_NAME).exists() and (out / MANIFEST_NAME).stat().st_size > 64 * 300:
            break
        time.sleep(0.02)
    time.sleep(0.3)  # mid-way
    assert process.poll() is None, "the batch finished before it could be killed"
    assert len(kill_with_workers(process)) >= 2
    killed = assert_consistent(out)  # no manifest line without its complete file
    assert 0 < len(killed) < count
    assert all(not name.endswith(".jwt") or (out / name).stat().st_size > 0 for name in os.listdir(out))
    rerun = run("issue-batch", str(COURSE), str(roster), "--key", str(muni.key), "--out", str(out), "--jobs", "2")
    assert rerun.returncode == 0, rerun.stderr
    assert f"({len(killed)} issued before)" in rerun.stdout
    entries = assert_consistent(out)
    assert len(entries) == count
    assert entries[: len(killed)] == killed
    assert {entry["learner"] for entry in entries} == {str(500000 + n) for n in range(count)}
    assert temporary_files(out) == []
    assert sorted(os.listdir(out)) == sorted([MANIFEST_NAME, *(entry["file"] for entry in entries)])
    assert check_output(out) == []
    sample = entries[len(killed) - 1]  # issued just before the kill
    assert muni.verify((out / sample["file"]).read_text(encoding="ascii")).valid


# --- memory --------------------------------------------------------------------------------------------


@pytest.fixture
def scratch(tmp_path: Path) -> Iterator[Path]:
    """A directory for many token files: in memory (tmpfs) where there is one, as they are written fast there."""
    shm = Path("/dev/shm")  # noqa: S108 - a private mkdtemp directory in it, removed afterwards
    if shm.is_dir() and os.access(shm, os.W_OK):
        directory = Path(tempfile.mkdtemp(prefix="czmc-test-", dir=shm))
        yield directory
        shutil.rmtree(directory, ignore_errors=True)
    else:
        yield tmp_path


# The czmc command, reporting its own peak resident set size (VmHWM) when it exits. Not
# resource.getrusage: for a process exec'd from a fork of this (large) test process, Linux
# counts the forked image's peak as the child's ru_maxrss.
PEAK_RSS = """
import atexit, sys
path = sys.argv.pop(1)
def report():
    with open("/proc/self/status", encoding="ascii") as status:
        peak = next(line for line in status if line.startswith("VmHWM:"))
    with open(path, "w", encoding="ascii") as out:
        out.write(peak.split()[1])
atexit.register(report)
from czmc.cli import run
sys.argv[0] = "czmc"
run()
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
def test_memory_stays_flat(tmp_path: Path, scratch: Path, muni: Issuer) -> None:
    def peak_rss(count: int) -> int:
        roster = write_roster(tmp_path / f"r{count}.csv", count)
        out, report = scratch / str(count), tmp_path / f"peak{count}"
        args = ["issue-batch", str(COURSE), str(roster), "--key", str(muni.key), "--out", str(out)]
        command = [sys.executable, "-c", PEAK_RSS, str(report), *args]
        result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
        assert result.returncode == 0, result.stderr
        assert len(manifest(out)) == count
        shutil.rmtree(out)
        return int(report.read_text(encoding="ascii")) * 1024

    small, large = peak_rss(2_000), peak_rss(20_000)
    # Ten times the learners, the same memory: nothing per learner stays in memory (keeping
    # the tokens alone, 18 kB each, would add 300 MB; keeping the learner keys, 3-4 MB).
    assert large - small < 2 * 1024 * 1024, (small, large)


# --- the command line ------------------------------------------------------------------------------------


def test_help_explains_with_examples() -> None:
    result = run("issue-batch", "--help")
    assert result.returncode == 0
    assert "Examples:" in result.stdout
    assert "czmc issue-batch examples/courses/" in result.stdout
    assert "--skip-invalid" in result.stdout
    assert "issue-batch" in run("--help").stdout


def test_command_line_errors_are_one_clear_line(tmp_path: Path, muni: Issuer) -> None:
    roster = write_roster(tmp_path / "r.csv", 3)
    stranger = tmp_path / "stranger.jwk"  # a did:key, not the course's issuer
    assert run("keygen", "-o", str(stranger)).returncode == 0
    cases = [
        (["--key", str(stranger)], 2, "not to the issuer did:web:muni.cz"),
        (["--key", str(muni.key), "--map", "grade=hodnoceni"], 2, "which the roster does not have"),
        (["--key", str(muni.key), "--map", "grade"], 2, "not FIELD=COLUMN"),
        (["--key", str(muni.key), "--delimiter", "::"], 2, "--delimiter must be one character"),
        (["--key", str(muni.key), "--encoding", "utf-16"], 2, "not an ASCII-compatible encoding"),
    ]
    for options, code, message in cases:
        result = run("issue-batch", str(COURSE), str(roster), "--out", str(tmp_path / "out"), *options)
        assert result.returncode == code, (options, result.stderr)
        assert message in result.stderr
        assert result.stderr.startswith("error: ")
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_cp1250_export_needs_the_encoding_option(tmp_path: Path, muni: Issuer) -> None:
    roster = tmp_path / "excel.csv"
    roster.write_bytes("UČO;Příjmení;Jméno;Známka;Datum ukončení\r\n4711;Šťastná;Žofie;A;6.6.2025\r\n".encode("cp1250"))
    out = tmp_path / "out"
    result = run("issue-batch", str(COURSE), str(roster), "--key", str(muni.key), "--out", str(out))
    assert result.returncode == 1
    assert "line 1: not utf-8 text" in result.stderr
    assert "--encoding cp1250" in result.stderr
    result = run(
        "issue-batch", str(COURSE), str(roster), "--key", str(muni.key), "--out", str(out), "--encoding", "cp1250"
    )
    assert result.returncode == 0, result.stderr
    (entry,) = manifest(out)
    verified = muni.verify((out / entry["file"]).read_text(encoding="ascii"))
    assert verified.microcredential().learner.name == "Žofie Šťastná"


def test_a_mapping_file_with_a_changed_roster_order(tmp_path: Path, muni: Issuer) -> None:
    roster = tmp_path / "export.csv"
    roster.write_text("Hodnocení,Student,Číslo studenta\nA,Jana Malá,77\n", encoding="utf-8")
    mapping = tmp_path / "mapping.json"
    mapping.write_text(json.dumps({"columns": {"student_number": "Číslo studenta", "name": "Student"}}), "utf-8")
    out = tmp_path / "out"
    result = run(
        "issue-batch", str(COURSE), str(roster), "--key", str(muni.key), "--out", str(out), "--mapping", str(mapping)
    )
    assert result.returncode == 0, result.stderr
    (entry,) = manifest(out)
    assert entry["learner"] == "77"
    mc = muni.verify((out / entry["file"]).read_text(encoding="ascii")).microcredential()
    assert (mc.learner.name, mc.grade) == ("Jana Malá", "A")
    assert ColumnMapping.load(mapping).columns["name"] == "Student"
    assert datetime.now(UTC) - mc.issued < timedelta(minutes=5)  # no date of completion: issued now
    assert next(iter(read_manifest(out))).learner == "77"


def test_invalid_course_definition(tmp_path: Path, muni: Issuer) -> None:
    document = json.loads(COURSE.read_text(encoding="utf-8"))
    document["valid_for"] = "5 years"
    bad = tmp_path / "course.json"
    bad.write_text(json.dumps(document), encoding="utf-8")
    result = run("issue-batch", str(bad), str(write_roster(tmp_path / "r.csv", 1)), "--key", str(muni.key))
    assert result.returncode == 1
    assert "is not a valid course definition" in result.stderr
    assert "/valid_for:" in result.stderr


def test_invalid_rows_error_lists_its_problems(tmp_path: Path, muni: Issuer, course: CourseDefinition) -> None:
    roster = open_roster(write_roster(tmp_path / "r.csv", 10, bad={2: [*_row(2)[:6], "Q", "1.6.2025"]}))
    with pytest.raises(InvalidRowsError) as error:
        issue_batch(course, roster, KeySource(muni.key), tmp_path / "out", rejects=tmp_path / "rejects.csv")
    assert (error.value.invalid, error.value.rows) == (1, 10)
    assert [issue.path for issue in error.value.issues] == ["/row/4/grade"]
    assert (tmp_path / "rejects.csv").exists()
    assert not (tmp_path / "out").exists()


def test_issue_date_vc1_and_deprecated_format_flag(tmp_path: Path) -> None:
    school = _keygen(tmp_path, "did:web:prumyslovkajicin.cz")
    common = [
        "issue-batch", str(EXAMPLES / "courses" / "vet-welding.yaml"), str(EXAMPLES / "rosters" / "vet-welding.jsonl"),
        "--mapping", str(EXAMPLES / "rosters" / "vet-welding.mapping.yaml"), "--key", str(school.key),
    ]  # fmt: skip
    out = tmp_path / "out"
    result = run(*common, "--out", str(out), "--proof-format", "vc1", "--issued", "2025-07-01T09:00:00+02:00")
    assert result.returncode == 0, result.stderr
    entries = assert_consistent(out)
    assert {entry["format"] for entry in entries} == {"vc1"}
    verified = school.verify((out / entries[0]["file"]).read_text(encoding="ascii"))
    assert verified.valid, verified.failures
    old = run(*common, "--out", str(tmp_path / "old"), "--format", "ob3")
    assert old.returncode == 0, old.stderr
    assert "deprecated" in old.stderr
    bad = run(*common, "--out", str(tmp_path / "bad"), "--issued", "2025-07-01")
    assert bad.returncode == 2
    assert not (tmp_path / "bad").exists()
