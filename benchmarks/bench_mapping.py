"""Throughput of the model and mapping layer on a realistic credential (the applied-AI example).

Run: python benchmarks/bench_mapping.py [--seconds 1.0]

Prints operations per second for model validation, to_credential, from_credential (strict,
which re-renders the credential to compare), JSON Schema validation (both schemas, reused
validators) and the every-term-defined JSON-LD check (by a full pyld expansion, and compiled
from the bundled contexts), beside the raw Ed25519 signature of the credential's bytes
measured in the same run, as the yardstick the signing layer will be held to.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from czmc import MicroCredential, from_credential, jsonld, schema, to_credential
from czmc.inputs import load_document

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "inputs" / "applied-ai.json"


def rate(operation: Callable[[], object], seconds: float) -> float:
    """Operations per second of ``operation``, best of three rounds of about ``seconds`` each."""
    best = 0.0
    for _ in range(3):
        count, start = 0, time.perf_counter()
        while (elapsed := time.perf_counter() - start) < seconds:
            operation()
            count += 1
        best = max(best, count / elapsed)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=1.0, help="length of one measuring round")
    args = parser.parse_args()

    data = load_document(EXAMPLE)
    mc = MicroCredential.model_validate(data)
    credential = to_credential(mc)
    payload = json.dumps(credential, separators=(",", ":"), ensure_ascii=False).encode()
    key = Ed25519PrivateKey.generate()
    signature = key.sign(payload)
    public = key.public_key()
    list(schema.iter_issues(credential))  # build the validators once, as a long-running issuer does

    cases: list[tuple[str, Callable[[], object]]] = [
        ("raw Ed25519 sign (cryptography)", lambda: key.sign(payload)),
        ("raw Ed25519 verify (cryptography)", lambda: public.verify(signature, payload)),
        ("MicroCredential.model_validate", lambda: MicroCredential.model_validate(data)),
        ("ob3.to_credential", lambda: to_credential(mc)),
        ("ob3.from_credential (strict)", lambda: from_credential(credential)),
        ("schema.iter_issues (OB + czmc)", lambda: list(schema.iter_issues(credential))),
        ("schema.is_valid (compiled)", lambda: schema.is_valid(credential)),
        ("jsonld.undefined_terms_expanded (pyld)", lambda: jsonld.undefined_terms_expanded(credential)),
        ("jsonld.undefined_terms (compiled)", lambda: jsonld.undefined_terms(credential)),
    ]
    print(f"credential: {EXAMPLE.name}, {len(payload)} bytes of JSON")
    results = {name: rate(operation, args.seconds) for name, operation in cases}
    sign = results["raw Ed25519 sign (cryptography)"]
    for name, ops in results.items():
        print(f"{name:40s} {ops:12,.0f} ops/s  {1e6 / ops:9.1f} us  {ops / sign:6.3f} x raw sign")


if __name__ == "__main__":
    main()
