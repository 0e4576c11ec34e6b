"""Batch issuance throughput and memory: a CSV roster -> EdDSA-signed OB 3.0 JWTs, --jobs 1 vs 2.

Run: python benchmarks/bench_batch.py [--learners 10000] [--jobs 1,2] [--tmpfs] [--raw-seconds 2]

For each --jobs value, a fresh process runs :func:`czmc.batch.issue_batch` on the same roster
(the cybersecurity course of examples/courses, a did:web issuer, an Ed25519 key) into a fresh
output directory, while this process samples the resident set size of its whole process tree
(parent and workers, every 20 ms). Printed per run: the check phase, the issue phase,
credentials/s (issue phase and end to end), the ratio of the issue rate to the raw Ed25519
signing rate measured here beforehand (one core, signing the signing input of a credential
of the same course), the peak RSS of the batch process alone (VmHWM) and of the process tree
(sum of the processes' RSS; pages the workers share with each other count once per process).
"e2e ÷ raw" is the end-to-end rate (the whole process: start, check, issue, files and manifest)
over the raw signing rate, "× 1 job" the end-to-end rate over the preceding --jobs 1 run's: give
--jobs 1,2,1,2 and compare neighbours, since the machine's speed drifts between runs.

``--learners 100000`` shows that memory does not grow with the roster. ``--tmpfs`` writes the
tokens to /dev/shm instead of the temporary directory, to take the disk out of the numbers.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
COURSE = ROOT / "examples" / "courses" / "cybersecurity-public-administration.json"
GIVEN = ["Jan", "Petr", "Tereza", "Anna", "Lukáš", "Kateřina", "Ondřej", "Markéta"]
FAMILY = ["Novák", "Svobodová", "Dvořák", "Černá", "Procházka", "Kučerová", "Veselý", "Horáková"]


def write_roster(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=";", lineterminator="\r\n")
        header = ["os_cislo", "prijmeni", "jmeno", "titul_pred", "titul_za", "email", "znamka", "datum_ukonceni"]
        writer.writerow(header)
        for n in range(count):
            writer.writerow(
                [
                    str(100000 + n),
                    FAMILY[n % len(FAMILY)],
                    GIVEN[n % len(GIVEN)],
                    "Ing." if n % 7 == 0 else "",
                    "",
                    f"student{n}@example.org",
                    "ABCDE"[n % 5],
                    f"{1 + n % 28}.6.2025",
                ]
            )


def make_key(directory: Path) -> Path:
    from czmc.keys import Key  # noqa: PLC0415 - the child mode imports czmc itself

    key = Key.generate("EdDSA")
    key = key.with_kid(f"did:web:muni.cz#{key.public.thumbprint}")
    path = directory / "muni.jwk"
    key.save(path)
    return path


def raw_sign_rate(key_path: Path, seconds: float) -> tuple[float, float]:
    """Ed25519 signatures/s over the signing input of a credential of the course, and czmc.vcjwt.sign's rate."""
    from czmc import ob3, vcjwt  # noqa: PLC0415
    from czmc.batch import KeySource, signing_key  # noqa: PLC0415
    from czmc.catalogue import load_course_definition, microcredential_for  # noqa: PLC0415

    course = load_course_definition(COURSE)
    key = signing_key(KeySource(key_path), course.issuer.id)
    row = {"student_number": "1", "given_name": "Jan", "family_name": "Novák", "email": "a@b.cz", "grade": "A"}
    credential = ob3.render_for_signing(microcredential_for(course, row))
    token = vcjwt.sign(credential, key)
    signing_input = token.rsplit(".", 1)[0].encode("ascii")

    def rate(operation: Any) -> float:
        count, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            operation()
            count += 1
        return count / elapsed

    return rate(lambda: key.sign(signing_input)), rate(lambda: vcjwt.sign(credential, key))


def _tree(pid: int) -> list[int]:
    pids, todo = [], [pid]
    while todo:
        current = todo.pop()
        pids.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children", encoding="ascii") as stream:
                    todo.extend(int(child) for child in stream.read().split())
        except OSError:
            continue
    return pids


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as stream:
            for line in stream:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run_batch(roster: Path, key: Path, out: Path, jobs: int) -> dict[str, Any]:
    """One batch in a fresh process; its results, wall time and peak RSS (process and tree)."""
    report = out.parent / f"report-{jobs}.json"
    command = [sys.executable, __file__, "--child", str(roster), str(key), str(out), str(jobs), str(report)]
    start = time.perf_counter()
    process = subprocess.Popen(command)  # noqa: S603 - this script, with paths it made
    tree_peak = 0
    while process.poll() is None:
        tree_peak = max(tree_peak, sum(_rss(pid) for pid in _tree(process.pid)))
        time.sleep(0.02)
    wall = time.perf_counter() - start
    if process.returncode != 0:
        raise SystemExit(f"the batch with --jobs {jobs} failed ({process.returncode})")
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    result.update(wall=wall, tree_peak=tree_peak)
    return result


def child(roster_path: str, key_path: str, out: str, jobs: str, report: str) -> None:
    from czmc.batch import KeySource, issue_batch  # noqa: PLC0415
    from czmc.catalogue import load_course_definition  # noqa: PLC0415
    from czmc.roster import open_roster  # noqa: PLC0415

    result = issue_batch(
        load_course_definition(COURSE), open_roster(roster_path), KeySource(Path(key_path)), out, jobs=int(jobs)
    )
    with open("/proc/self/status", encoding="ascii") as stream:
        peak = next(int(line.split()[1]) * 1024 for line in stream if line.startswith("VmHWM:"))
    Path(report).write_text(
        json.dumps(
            {
                "issued": result.issued,
                "check_seconds": result.check_seconds,
                "issue_seconds": result.issue_seconds,
                "peak": peak,
            }
        ),
        encoding="utf-8",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--jobs", default="1,2", help="comma-separated worker counts")
    parser.add_argument("--tmpfs", action="store_true", help="write the tokens to /dev/shm")
    parser.add_argument("--raw-seconds", type=float, default=2.0)
    parser.add_argument("--child", nargs=5, help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.child:
        child(*arguments.child)
        return
    base = Path(tempfile.mkdtemp(prefix="czmc-bench-", dir="/dev/shm" if arguments.tmpfs else None))  # noqa: S108
    try:
        roster = base / "roster.csv"
        write_roster(roster, arguments.learners)
        key = make_key(base)
        raw, sign = raw_sign_rate(key, arguments.raw_seconds)
        print(f"{arguments.learners} learners, output in {base} ({'tmpfs' if arguments.tmpfs else 'disk'})")
        print(f"raw Ed25519 sign: {raw:,.0f}/s; czmc.vcjwt.sign of the same credential: {sign:,.0f}/s (one core)")
        print(
            f"{'jobs':>4} {'check s':>8} {'issue s':>8} {'total s':>8} {'cred/s':>8} {'end-to-end/s':>13} "
            f"{'÷ raw':>6} {'e2e ÷ raw':>9} {'× 1 job':>8} {'peak RSS':>9} {'tree RSS':>9}"
        )
        single: float | None = None  # the end-to-end rate of the last --jobs 1 run
        for jobs in (int(value) for value in arguments.jobs.split(",")):
            out = base / f"out-{jobs}"
            result = run_batch(roster, key, out, jobs)
            if result["issued"] != arguments.learners:
                raise SystemExit(f"issued {result['issued']} of {arguments.learners}")
            rate = result["issued"] / result["issue_seconds"]
            end_to_end = result["issued"] / result["wall"]
            if jobs == 1:
                single = end_to_end
            speedup = f"{end_to_end / single:>7.2f}x" if single else f"{'':>8}"
            print(
                f"{jobs:>4} {result['check_seconds']:>8.2f} {result['issue_seconds']:>8.2f} {result['wall']:>8.2f} "
                f"{rate:>8,.0f} {end_to_end:>13,.0f} {rate / raw:>6.2f} {end_to_end / raw:>9.2f} {speedup} "
                f"{result['peak'] / 2**20:>7.1f}Mi {result['tree_peak'] / 2**20:>7.1f}Mi"
            )
            shutil.rmtree(out)
    finally:
        shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
