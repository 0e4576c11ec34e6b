"""Issue and verify throughput for EdDSA, ES256 and RS256 beside the raw signature primitive.

Run: python benchmarks/bench_jwt.py [--seconds 1.0] [--example applied-ai]

For each algorithm, in the same process and interleaved rounds:

- raw sign / raw verify: ``cryptography`` signing the token's exact signing input;
- issue: a validated MicroCredential -> OB 3.0 credential -> signed JWT (``czmc.vcjwt.issue``);
- verify (core): signature + header + key binding + claims + time (content checks off);
- verify (full): the core plus the every-term-defined JSON-LD check and both JSON Schemas;
- verify (full + EU rules): also reading the credential back into the model.

Prints ops/s and the ratio to the raw primitive (median of per-round ratios), a summary line
with the two ratios issue 10 sets targets for (default verification and its signature + claims +
time core, to raw verify), then where the time of one full verification goes.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from czmc import MicroCredential, jsonld, ob3, schema, vcjwt
from czmc.did import DefaultResolver, ResolvedKey, did_key
from czmc.inputs import load_document
from czmc.jws import parse
from czmc.keys import Algorithm, Key
from czmc.verification import verify

ROOT = Path(__file__).resolve().parent.parent


def _rate(operation: Callable[[], object], seconds: float) -> float:
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        operation()
        count += 1
    return count / elapsed


def _setup(alg: Algorithm, mc: MicroCredential) -> tuple[Key, MicroCredential, str]:
    key = Key.generate(alg, rsa_bits=2048) if alg.kind == "RSA" else Key.generate(alg)
    if alg.kind == "RSA":
        issuer_id = "did:web:czmc.example"
        key = key.with_kid(f"{issuer_id}#{key.public.thumbprint}")
    else:
        issuer_id = did_key(key.public)
        key = key.with_kid(f"{issuer_id}#{issuer_id.removeprefix('did:key:')}")
    mc = mc.model_copy(update={"issuer": mc.issuer.model_copy(update={"id": issuer_id})})
    return key, mc, vcjwt.issue(mc, key)


class _PinnedResolver:
    """Resolves the benchmark's RSA did:web key without a network (did:key needs none)."""

    def __init__(self, key: Key) -> None:
        self._default = DefaultResolver()
        self._key = key
        self._resolved = ResolvedKey(key.public, key.kid, key.kid.split("#")[0], frozenset({"assertionMethod"}))

    def resolve_key(self, kid: str) -> ResolvedKey:
        return self._resolved if kid == self._key.kid else self._default.resolve_key(kid)


def _bench_algorithm(alg: Algorithm, base: MicroCredential, now: datetime, seconds: float, rounds: int) -> None:
    key, mc, token = _setup(alg, base)
    parsed = parse(token)
    signature = key.sign(parsed.signing_input)
    resolver: Any = _PinnedResolver(key)
    if not verify(token, resolver=resolver, now=now).accepted:
        raise SystemExit(f"{alg}: the benchmark token does not verify")
    cases: dict[str, Callable[[], object]] = {
        "raw sign": lambda: key.sign(parsed.signing_input),
        "raw verify": lambda: key.public.verify(key.alg, parsed.signing_input, signature),
        "issue (model -> JWT)": lambda: vcjwt.issue(mc, key),
        "verify core": lambda: verify(
            token, resolver=resolver, now=now, check_jsonld=False, check_schema=False, check_profile=False
        ),
        "verify full": lambda: verify(token, resolver=resolver, now=now, check_profile=False),
        "verify full + EU rules": lambda: verify(token, resolver=resolver, now=now),
    }
    rates: dict[str, list[float]] = {name: [] for name in cases}
    names = list(cases)
    for round_index in range(rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            rates[name].append(_rate(cases[name], seconds / len(names)))
    print(f"\n{alg.value}: token {len(token)} bytes")
    medians: dict[str, float] = {}
    for name, values in rates.items():
        reference = "raw sign" if name.startswith(("raw sign", "issue")) else "raw verify"
        ratios = [value / ref for value, ref in zip(values, rates[reference], strict=True)]
        median = statistics.median(values)
        medians[name] = ratio = statistics.median(ratios)
        print(f"  {name:24s} {median:10,.0f} ops/s {1e6 / median:9.1f} us   {ratio:5.2f} x {reference}")
    print(
        f"  ratios to raw verify (median of per-round ratios): default verify (every check) "
        f"{medians['verify full + EU rules']:.2f} (target >= 0.2 for EdDSA), "
        f"signature + claims + time {medians['verify core']:.2f} (target >= 0.6 for EdDSA)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=0.5, help="length of one measurement")
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds")
    parser.add_argument("--example", default="applied-ai", help="example input name under examples/inputs")
    args = parser.parse_args()

    source = next((ROOT / "examples" / "inputs").glob(f"{args.example}.*"))
    base = MicroCredential.model_validate(load_document(source))
    now = datetime(2026, 1, 1, tzinfo=UTC)
    print(f"credential: {source.name}")
    for alg in (Algorithm.EDDSA, Algorithm.ES256, Algorithm.RS256):
        _bench_algorithm(alg, base, now, args.seconds, args.rounds)

    key, _mc, token = _setup(Algorithm.EDDSA, base)
    parsed = parse(token)
    credential = parsed.payload
    print("\nwhere one full EdDSA verification goes (us per call):")
    parts: dict[str, Callable[[], object]] = {
        "jws.parse": lambda: parse(token),
        "signature": lambda: key.public.verify(key.alg, parsed.signing_input, parsed.signature),
        "jsonld.undefined_terms": lambda: jsonld.undefined_terms(credential),
        "schema.iter_issues": lambda: list(schema.iter_issues(credential)),
        "ob3.from_credential": lambda: ob3.from_credential(credential),
    }
    for name, operation in parts.items():
        print(f"  {name:24s} {1e6 / _rate(operation, args.seconds):9.1f}")


if __name__ == "__main__":
    main()
