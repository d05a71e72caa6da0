"""Link check benchmark: ``check_links`` of 1,000 offers against a local site, never the internet.

Run from the repository root (results go in benchmarks/README.md, section "Link check"):

    PYTHONPATH=.:tests python benchmarks/link_check_bench.py [--offers 1000] [--delay 0.02]

The site (tests/link_site.py, in its own thread and event loop) answers every request after
``--delay`` seconds, like a distant server; most URLs answer 200, some redirect, some are gone,
some refuse HEAD, and a few never answer in time (each costs a whole timeout). The site counts the
connections open at once: the check must never hold more than its concurrency (8). The bar: the
1,000 offers in under 2 minutes.
"""

from __future__ import annotations

import argparse
import asyncio
import time

from link_site import site_in_thread

from catalog.maintenance.links import CONCURRENCY, check_links

# path, share of the offers
_MIX = (("/ok", 0.88), ("/moved", 0.05), ("/gone", 0.03), ("/no-head", 0.03), ("/slow", 0.01))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--offers", type=int, default=1000)
    parser.add_argument("--delay", type=float, default=0.02, help="seconds per answer")
    parser.add_argument("--timeout", type=float, default=10.0, help="seconds per URL")
    args = parser.parse_args()
    with site_in_thread(delay_seconds=args.delay, slow_seconds=args.timeout * 3) as site:
        pairs: list[tuple[str, str]] = []
        for path, share in _MIX:
            start = len(pairs)
            count = round(args.offers * share) if path != "/ok" else 0
            pairs += [
                (f"o{start + n:05d}", site.url(f"{path}?n={start + n}")) for n in range(count)
            ]
        ok = args.offers - len(pairs)
        start = len(pairs)
        pairs += [(f"o{start + n:05d}", site.url(f"/ok?n={start + n}")) for n in range(ok)]
        began = time.perf_counter()
        problems = asyncio.run(check_links(pairs, seconds=args.timeout))
        elapsed = time.perf_counter() - began
    kinds: dict[str, int] = {}
    for problem in problems:
        kinds[problem.detail] = kinds.get(problem.detail, 0) + 1
    delay_ms = args.delay * 1000
    print(f"offers: {len(pairs)}, answer delay {delay_ms:.0f} ms, timeout {args.timeout:g} s")
    print(f"wall time: {elapsed:.1f} s (bar: 120 s)")
    print(f"requests served: {len(site.requests)}, connections opened: {site.connections}")
    print(f"most connections open at once (server-side): {site.most_open} (bar: {CONCURRENCY})")
    print(f"problems: {len(problems)} {dict(sorted(kinds.items()))}")
    if elapsed > 120 or site.most_open > CONCURRENCY:
        raise SystemExit("over the bar")


if __name__ == "__main__":
    main()
