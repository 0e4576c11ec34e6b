"""The cost of the issuance registry and of status lists.

Run: python benchmarks/bench_registry.py [--count 2000] [--postgres URL|auto]

- issuance: credentials per second signed alone (``vcjwt.sign``), through a SQLite registry
  (status slot + signature + record + history in one fsync'ed transaction), and through
  PostgreSQL with ``--postgres`` (``auto`` starts a throwaway server from the machine's
  PostgreSQL binaries, as the tests do, but with fsync on), one credential a transaction and
  64 a transaction (``issue_many``, as issue-batch does); each beside the raw Ed25519 signature of the same
  signing input, measured in the same run;
- publishing: ``Registry.publish`` of one list of 131,072 and one of 1,048,576 entries, 1% of
  each revoked, with the share of GZIP + base64url and of the signature;
- status checks: ``StatusChecker.check`` on a cached list, the first (uncached) check, and a
  full ``czmc.verify`` with and without the status check.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from czmc import MicroCredential, jws, ob3, status, vcjwt, verification
from czmc.did import DefaultResolver, did_web_document
from czmc.inputs import load_document
from czmc.keys import Key
from czmc.registry import open_registry

ROOT = Path(__file__).resolve().parent.parent

ISSUER = "did:web:cuni.cz"
NOW = datetime(2025, 6, 1, tzinfo=UTC)


def _timed(operation: Callable[[], object], repeat: int) -> float:
    """Median seconds of ``repeat`` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        operation()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _rate(operation: Callable[[int], object], count: int) -> float:
    start = time.perf_counter()
    for number in range(count):
        operation(number)
    return count / (time.perf_counter() - start)


@contextmanager
def _postgres(option: str | None) -> Iterator[str | None]:
    if option is None:
        yield None
    elif option == "auto":
        sys.path.insert(0, str(ROOT))  # the tests' PostgreSQL starter
        from tests._postgres import running_server  # noqa: PLC0415 - only when asked for

        with running_server(fsync=True) as server:
            yield server.new_database()
    else:
        yield option


def issuance(key: Key, mc: MicroCredential, count: int, postgres: str | None, directory: Path) -> None:
    signing_input = jws.parse(vcjwt.sign(ob3.render_for_signing(mc, "urn:uuid:probe"), key)).signing_input

    def ids(prefix: str) -> Callable[[int], str]:
        return lambda number: f"urn:uuid:{prefix}-{number}"

    print(f"issuance, {count} credentials each (EdDSA, the applied-AI example)")
    raw = _rate(lambda _n: key.sign(signing_input), count)
    plain_id = ids("plain")
    plain = _rate(lambda n: vcjwt.sign(ob3.render_for_signing(mc, plain_id(n)), key), count)
    print(f"  raw Ed25519 sign              {raw:9.0f} /s")
    print(f"  sign, no registry             {plain:9.0f} /s   {plain / raw:.2f}x raw")
    targets = [("SQLite registry (WAL, FULL)", str(directory / "registry.db"))]
    if postgres is not None:
        targets.append(("PostgreSQL registry", postgres))
    for label, target in targets:
        with open_registry(target) as registry:
            registry.issue(ob3.render_for_signing(mc, "urn:uuid:warm-up"), key)
            registry_id = ids(label[:6])
            rate = _rate(lambda n, r=registry, i=registry_id: r.issue(ob3.render_for_signing(mc, i(n)), key), count)
        print(f"  {label:<29} {rate:9.0f} /s   {rate / plain:.2f}x no registry, {rate / raw:.2f}x raw")
        with open_registry(target) as registry:
            chunk_id = ids(label[:6] + "-chunk")

            def chunk(n: int, r: Any = registry, i: Callable[[int], str] = chunk_id) -> None:
                r.issue_many([(ob3.render_for_signing(mc, i(n * 64 + k)), None) for k in range(64)], key)

            rate = 64 * _rate(chunk, max(1, count // 64))
        print(
            f"    chunks of 64 (issue_many)   {rate:9.0f} /s   {rate / plain:.2f}x no registry, {rate / raw:.2f}x raw"
        )


def publishing(key: Key, mc: MicroCredential, directory: Path) -> None:
    print("publishing one status list with 1% of its entries revoked (a credential on each, then revoked)")
    for size in (131_072, 1_048_576):
        revoked = size // 100
        with open_registry(directory / f"publish-{size}.db") as registry:
            registry.register_issuer(ISSUER, list_size=size)
            start = time.perf_counter()
            for number in range(revoked):
                record, _ = registry.issue(ob3.render_for_signing(mc, f"urn:uuid:p{size}-{number}"), key)
                registry.revoke(record.id, reason="benchmark", actor="bench")
            setup = time.perf_counter() - start
            out = directory / f"site-{size}"
            seconds = _timed(lambda r=registry, o=out: r.publish(o, key, now=NOW), 7)
            path = next(out.rglob("*.jwt"))
        print(
            f"  {size:>9,} entries, {revoked:,} revoked: publish {seconds * 1000:7.1f} ms "
            f"({path.stat().st_size:,} byte JWT; issuing and revoking them took {setup:.1f} s)"
        )
        bits = status.new_bitstring(size)  # as many bits, at random places, as the registry's list
        for index in random.Random(size).sample(range(size), revoked):
            status.set_bit(bits, index)
        encode = _timed(lambda b=bits: status.encode_list(bytes(b)), 9)
        credential = status.list_credential(
            "https://cuni.cz/status/revocation/1.jwt", ISSUER, "revocation", bytes(bits), valid_from=NOW
        )
        sign = _timed(lambda c=credential: vcjwt.sign(c, key, format=vcjwt.Format.VC_JOSE_COSE), 9)
        print(f"      of which GZIP + base64url {encode * 1000:6.2f} ms, sign {sign * 1000:6.2f} ms")


def checking(key: Key, mc: MicroCredential, directory: Path) -> None:
    print("status checks (one list of 131,072 entries, pinned)")
    resolver = DefaultResolver(documents=[did_web_document(ISSUER, [(key.kid, key.public)])])
    with open_registry(directory / "check.db") as registry:
        record, _ = registry.issue(ob3.render_for_signing(mc, "urn:uuid:check"), key)
        (published,) = registry.publish(directory / "check-site", key, now=NOW)
    token = published.path.read_text()
    credential = jws.parse(record.token).payload
    checker = status.StatusChecker(lists=[token])
    first = _timed(lambda: (checker.clear(), checker.check(credential, now=NOW, resolver=resolver)), 51)
    checker.check(credential, now=NOW, resolver=resolver)
    loops = 20_000
    cached = _timed(lambda: [checker.check(credential, now=NOW, resolver=resolver) for _ in range(loops)], 5) / loops
    print(f"  check, cached list            {cached * 1e6:9.1f} µs")
    print(f"  check, first (verify + inflate the list) {first * 1e6:9.1f} µs")
    plain_verify = _timed(
        lambda: verification.verify(record.token, resolver=resolver, now=NOW, check_status=False), 301
    )
    with_status = _timed(lambda: verification.verify(record.token, resolver=resolver, now=NOW, status=checker), 301)
    print(f"  czmc.verify, status off       {plain_verify * 1e6:9.1f} µs")
    extra = (with_status - plain_verify) * 1e6
    print(f"  czmc.verify, status on        {with_status * 1e6:9.1f} µs   (+{extra:.1f} µs)")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--count", type=int, default=2000, help="credentials per issuance measurement")
    parser.add_argument("--postgres", help="a postgresql:// URL of an empty database, or 'auto'")
    args = parser.parse_args(argv)
    key = Key.generate()
    key = key.with_kid(f"{ISSUER}#{key.public.thumbprint}")
    data: dict[str, Any] = load_document(ROOT / "examples" / "inputs" / "applied-ai.json")
    data["issuer"]["id"] = ISSUER
    mc = MicroCredential.model_validate(data)
    with tempfile.TemporaryDirectory(prefix="czmc-bench-") as scratch, _postgres(args.postgres) as postgres:
        directory = Path(scratch)
        issuance(key, mc, args.count, postgres, directory)
        publishing(key, mc, directory)
        checking(key, mc, directory)


if __name__ == "__main__":
    main()
