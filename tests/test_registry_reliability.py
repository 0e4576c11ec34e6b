"""Reliability evidence for the registry: eight issuing processes at once, and a batch killed with
SIGKILL, on a real SQLite file and a real PostgreSQL server."""

from __future__ import annotations

import multiprocessing
import os
import subprocess
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from czmc import jws
from czmc.keys import Key
from czmc.registry import CredentialState, Record, open_registry
from czmc.status import MIN_ENTRIES
from tests._registry_worker import issue_many
from tests.test_batch import COURSE, CZMC, Issuer, assert_consistent, kill_with_workers, manifest, write_roster

ISSUER = "did:web:cuni.cz"
PROCESSES = 8
EACH = 500


def assert_records_consistent(records: list[Record]) -> None:
    """Every record's token carries the record's own status entry; no slot is shared."""
    slots = [(record.issuer, record.purpose, record.list_url, record.index) for record in records]
    assert len(slots) == len(set(slots))
    for record in records:
        entry = jws.parse(record.token).payload["credentialStatus"]
        assert entry["statusListCredential"] == record.list_url
        assert entry["statusListIndex"] == str(record.index)
        assert entry["statusPurpose"] == record.purpose.value
        assert 0 <= record.index < MIN_ENTRIES
        assert record.history[0].action == "issued"


def test_eight_processes_issue_into_one_registry(target: str, tmp_path: Path) -> None:
    key = Key.generate()
    kid = f"{ISSUER}#{key.public.thumbprint}"
    key_path = key.save(tmp_path / "issuer.jwk")
    open_registry(target).close()  # created once; the processes then race on everything else
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=PROCESSES, mp_context=context) as pool:
        futures = [
            pool.submit(issue_many, target, str(key_path), kid, ISSUER, worker=worker, count=EACH)
            for worker in range(PROCESSES)
        ]
        issued = [credential_id for future in futures for credential_id in future.result(timeout=600)]
    assert len(issued) == PROCESSES * EACH
    with open_registry(target) as registry:
        records = list(registry.records())
        lists = registry.status_lists()
    assert len(records) == PROCESSES * EACH
    assert {record.id for record in records} == set(issued)
    assert_records_consistent(records)
    assert len({(record.purpose, record.index) for record in records}) == PROCESSES * EACH
    assert sum(info.allocated for info in lists) == PROCESSES * EACH  # no consumed-but-unrecorded slot
    assert {record.history[0].actor for record in records} == {f"worker-{n}" for n in range(PROCESSES)}


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
@pytest.mark.skipif(not CZMC, reason="the czmc console script is not installed")
def test_sigkill_mid_batch_leaves_a_consistent_registry(target: str, tmp_path: Path, issuer: Issuer) -> None:
    count = 3000
    roster = write_roster(tmp_path / "r.csv", count)
    out = tmp_path / "out"
    args = [
        CZMC, "issue-batch", str(COURSE), str(roster), "--key", str(issuer.key), "--out", str(out),
        "--jobs", "2", "--registry", target,
    ]  # fmt: skip
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 180
    with open_registry(target) as registry:
        while time.monotonic() < deadline and process.poll() is None:
            if sum(registry.count().values()) > 300:
                break
            time.sleep(0.05)
    assert process.poll() is None, "the batch finished before it could be killed"
    kill_with_workers(process)

    with open_registry(target) as registry:
        killed = list(registry.records())
        lists = registry.status_lists()
    assert 0 < len(killed) < count
    assert_records_consistent(killed)
    assert sum(info.allocated for info in lists) == len(killed)
    for record in killed[:: max(1, len(killed) // 25)]:  # a sample, verified in full
        result = issuer.verify(record.token)
        assert not result.valid  # no status list published yet: the status is unknown
        assert [check.name for check in result.failures] == ["status"]
        assert result.check("status").code == "status.unavailable"
    by_id = {record.id: record for record in killed}
    for entry in assert_consistent(out):  # every file the batch wrote is the registry's token
        assert (out / entry["file"]).read_text(encoding="ascii") == by_id[entry["credential"]].token

    rerun = subprocess.run([*args], capture_output=True, text=True, timeout=600, check=False)
    assert rerun.returncode == 0, rerun.stderr
    with open_registry(target) as registry:
        records = list(registry.records())
        lists = registry.status_lists()
    assert len(records) == count
    assert_records_consistent(records)
    assert sum(info.allocated for info in lists) == count
    assert {record.state for record in records} == {CredentialState.ACTIVE}
    again = {record.id: record for record in records}
    assert all(again[record.id] == record for record in killed)  # nothing recorded before was re-signed
    entries = assert_consistent(out)
    assert len(entries) == count
    for entry in entries:
        assert (out / entry["file"]).read_text(encoding="ascii") == again[entry["credential"]].token
    assert len(manifest(out)) == count
    assert not [name for name in os.listdir(out) if ".tmp-" in name]


@pytest.fixture(scope="module")
def issuer(tmp_path_factory: pytest.TempPathFactory) -> Issuer:
    from tests.test_batch import _keygen

    return _keygen(tmp_path_factory.mktemp("muni"), "did:web:muni.cz")
