"""Issuing processes for the registry concurrency test (imported by spawned processes)."""

from __future__ import annotations

import copy

from czmc import MicroCredential, ob3
from czmc.keys import load
from czmc.registry import open_registry
from tests.conftest import FULL


def issue_many(target: str, key_path: str, kid: str, issuer: str, *, worker: int, count: int) -> list[str]:
    """Issue ``count`` credentials into the registry at ``target``; the ids issued."""
    key = load(key_path).with_kid(kid)
    data = copy.deepcopy(FULL)
    data["issuer"]["id"] = issuer
    mc = MicroCredential.model_validate(data)
    issued = []
    with open_registry(target) as registry:
        for number in range(count):
            credential_id = f"urn:uuid:00000000-0000-4000-{worker:04d}-{number:012d}"
            record, created = registry.issue(
                ob3.render_for_signing(mc, credential_id),
                key,
                idempotency_key=f"worker-{worker}/{number}",
                purpose="suspension" if number % 4 == 0 else None,
                actor=f"worker-{worker}",
            )
            assert created
            issued.append(record.id)
    return issued
