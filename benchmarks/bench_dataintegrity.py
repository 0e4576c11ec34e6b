"""Data Integrity (eddsa-rdfc-2022) sign and verify beside raw Ed25519 and the JWT path of the same credential.

Run: python benchmarks/bench_dataintegrity.py [--seconds 0.5] [--rounds 5] [--example applied-ai]

The credential is ``czmc.ob3.to_credential`` of an example input, issued by a did:key; both
paths sign the same credential.

In the same process and interleaved rounds:

- raw Ed25519 sign / verify of the 64-byte ``hashData``;
- JWT: ``czmc.vcjwt.sign`` and ``czmc.verify`` (core: signature, key binding, claims, time;
  full: also the every-term-defined JSON-LD check and the JSON Schemas; + profile: the EU rules);
- Data Integrity: ``czmc.dataintegrity.sign`` and ``verify`` (its proof step alone), and
  ``czmc.verify`` of the signed JSON credential (the whole pipeline, as for the JWT);
- the same canonicalisation done the plain way: pyld's ``normalize`` (URDNA2015), for reference.

Prints ops/s and ratios to the raw primitive (median of per-round ratios), then where the time
of one Data Integrity verification goes.
"""

from __future__ import annotations

import argparse
import copy
import hashlib
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from pyld import jsonld as pyld_jsonld

from czmc import MicroCredential, dataintegrity, jsonld, ob3, vcjwt
from czmc.dataintegrity import _processor, _rdfc, _rdfc_exact  # the stages, one by one
from czmc.did import DefaultResolver, did_key
from czmc.inputs import load_document
from czmc.keys import Algorithm, Key
from czmc.verification import verify

ROOT = Path(__file__).resolve().parent.parent


def _rate(operation: Callable[[], object], seconds: float) -> float:
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        operation()
        count += 1
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=0.5, help="length of one measurement")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--example", default="applied-ai", help="example input name under examples/inputs")
    args = parser.parse_args()

    source = next((ROOT / "examples" / "inputs").glob(f"{args.example}.*"))
    mc = MicroCredential.model_validate(load_document(source))
    key = Key.generate(Algorithm.EDDSA)
    issuer = did_key(key.public)
    method = f"{issuer}#{issuer.removeprefix('did:key:')}"
    key = key.with_kid(method)
    mc = mc.model_copy(update={"issuer": mc.issuer.model_copy(update={"id": issuer})})
    credential = ob3.to_credential(mc)
    resolver = DefaultResolver()
    now = datetime.now(UTC)

    signed = dataintegrity.sign(credential, key, verification_method=method)
    token = vcjwt.sign(credential, key)
    checked = dataintegrity.verify(signed, resolver=resolver, now=now)
    if not (checked.valid and verify(token, resolver=resolver, now=now).valid and verify(signed, now=now).valid):
        raise SystemExit(f"the benchmark credential does not verify: {checked.failures}")
    hash_data = hashlib.sha256(b"proof").digest() + hashlib.sha256(b"document").digest()
    signature = key.sign(hash_data)
    loader = jsonld.document_loader
    normalize_options = {"algorithm": "URDNA2015", "format": "application/n-quads", "documentLoader": loader}

    cases: dict[str, Callable[[], object]] = {
        "raw Ed25519 sign": lambda: key.sign(hash_data),
        "raw Ed25519 verify": lambda: key.public.verify(Algorithm.EDDSA, hash_data, signature),
        "JWT sign": lambda: vcjwt.sign(credential, key),
        "JWT verify core": lambda: verify(
            token, resolver=resolver, now=now, check_jsonld=False, check_schema=False, check_profile=False
        ),
        "JWT verify full": lambda: verify(token, resolver=resolver, now=now, check_profile=False),
        "JWT verify + profile": lambda: verify(token, resolver=resolver, now=now),
        "DI sign": lambda: dataintegrity.sign(credential, key, verification_method=method),
        "DI verify": lambda: dataintegrity.verify(signed, resolver=resolver, now=now),
        "DI verify + profile": lambda: verify(signed, resolver=resolver, now=now),
        "pyld normalize (reference)": lambda: pyld_jsonld.normalize(credential, normalize_options),
    }
    rates: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    for round_index in range(args.rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            rates[name].append(_rate(cases[name], args.seconds / len(names)))
    print(f"credential: {source.name} -> {len(str(credential))} characters; JWT {len(token)} bytes")
    for name, values in rates.items():
        reference = "raw Ed25519 sign" if "sign" in name else "raw Ed25519 verify"
        ratios = [value / ref for value, ref in zip(values, rates[reference], strict=True)]
        median = statistics.median(values)
        print(
            f"  {name:28s} {median:10,.0f} ops/s {1e3 / median:9.3f} ms  {statistics.median(ratios):7.4f} x {reference}"
        )
    ratio = [di / jwt for di, jwt in zip(rates["DI verify"], rates["JWT verify full"], strict=True)]
    print(f"  DI verify / JWT verify full: {statistics.median(ratio):.3f}")

    processor = _processor(loader)
    unsecured = {name: value for name, value in signed.items() if name != "proof"}
    proof_options = {name: value for name, value in signed["proof"].items() if name != "proofValue"}
    proof_options["@context"] = unsecured["@context"]
    dataset = processor.dataset(unsecured)
    nquads = pyld_jsonld.JsonLdProcessor.to_nquads(dataset)
    copies = iter([copy.deepcopy(dataset) for _ in range(20_000)])
    canonical = dataintegrity.canonicalize(unsecured)
    print(f"  canonical document: {nquads.count(chr(10))} statements, {len(canonical)} bytes")

    print("\nwhere one Data Integrity verification goes (ms per call):")
    parts: dict[str, Callable[[], object]] = {
        "JSON-LD expansion (contexts memoised)": lambda: processor.expand(dict(unsecured), processor.options()),
        "expansion + toRDF (pyld)": lambda: processor.dataset(unsecured),
        "RDFC-1.0 with work count (pyld URDNA2015)": lambda: _rdfc(next(copies)),
        "RDFC-1.0 exact path (N-Quads + pyoxigraph)": lambda: _rdfc_exact(
            pyld_jsonld.JsonLdProcessor.to_nquads(dataset)
        ),
        "  of which pyld's N-Quads serialisation": lambda: pyld_jsonld.JsonLdProcessor.to_nquads(dataset),
        "  of which pyoxigraph parse + RDFC-1.0": lambda: _rdfc_exact(nquads),
        "canonicalize(document), all of the above": lambda: dataintegrity.canonicalize(unsecured),
        "canonicalize(proof options)": lambda: dataintegrity.canonicalize(proof_options),
        "sha256 of both canonical forms": lambda: (
            hashlib.sha256(canonical.encode()).digest() + hashlib.sha256(canonical[:400].encode()).digest()
        ),
        "Ed25519 verify": lambda: key.public.verify(Algorithm.EDDSA, hash_data, signature),
        "key resolution (did:key)": lambda: resolver.resolve_key(method),
        "whole DI verify": lambda: dataintegrity.verify(signed, resolver=resolver, now=now),
        "pyld normalize without czmc's processor": lambda: pyld_jsonld.normalize(credential, normalize_options),
    }
    for name, operation in parts.items():
        print(f"  {name:52s} {1e3 / _rate(operation, args.seconds):8.3f}")


if __name__ == "__main__":
    main()
