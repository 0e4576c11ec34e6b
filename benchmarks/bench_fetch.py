"""Fetch latency of HttpsFetcher beside a bare http.client request, against a local HTTPS server.

Run: python benchmarks/bench_fetch.py [--seconds 1.0] [--rounds 5]  (needs the test extra: trustme)

Both sides open a fresh TCP + TLS connection per document (the server closes after each
response, and czmc keeps no connection), so the ratio shows what czmc's checks cost on top
of the primitive: address classification, the pinned connect, the per-read deadline and
the size cap. Also times ``is_public_address`` alone. Rounds are interleaved; the median
per-round ratio is printed.
"""

from __future__ import annotations

import argparse
import http.client
import ssl
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests._servers import LOOPBACK, json_route, serve  # noqa: E402

from czmc.http import HttpsFetcher, is_public_address  # noqa: E402

DOCUMENT = {"id": "did:web:example.org", "verificationMethod": [{"id": "#k", "x": "A" * 43}]}


def _rate(operation: Callable[[], object], seconds: float) -> float:
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        operation()
        count += 1
    return count / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seconds", type=float, default=1.0)
    parser.add_argument("--rounds", type=int, default=5)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory, serve(tls=True, directory=Path(directory)) as server:
        server.site.routes["/did.json"] = json_route(DOCUMENT)
        context = ssl.create_default_context(cafile=server.ca_bundle)
        fetcher = HttpsFetcher(allow_networks=LOOPBACK, ca_bundle=server.ca_bundle)
        url = server.url("/did.json")

        def raw() -> bytes:
            connection = http.client.HTTPSConnection("127.0.0.1", server.port, context=context, timeout=5)
            try:
                connection.request("GET", "/did.json", headers={"Accept": "application/json"})
                return connection.getresponse().read()
            finally:
                connection.close()

        if raw() != fetcher.fetch(url):
            raise SystemExit("the two clients disagree about the document")
        raws, czmcs, ratios = [], [], []
        for _ in range(options.rounds):
            raw_rate = _rate(raw, options.seconds)
            czmc_rate = _rate(lambda: fetcher.fetch(url), options.seconds)
            raws.append(raw_rate)
            czmcs.append(czmc_rate)
            ratios.append(czmc_rate / raw_rate)
        classify = _rate(lambda: is_public_address("2001:4860:4860::8888"), options.seconds)
    raw_median, czmc_median = statistics.median(raws), statistics.median(czmcs)
    print(f"bare http.client, fresh TLS connection: {raw_median:8.0f} fetches/s  {1e6 / raw_median:8.0f} µs")
    print(
        f"HttpsFetcher.fetch:                     {czmc_median:8.0f} fetches/s  {1e6 / czmc_median:8.0f} µs"
        f"  ratio {statistics.median(ratios):.2f} of bare"
    )
    print(f"is_public_address (IPv6):               {classify:8.0f} calls/s    {1e6 / classify:8.1f} µs")


if __name__ == "__main__":
    main()
