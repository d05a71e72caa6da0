"""Matching benchmark: ``match()`` latency (p50/p95) and memory at 1,000, 10,000, 100,000 offers.

Run from the repository root (results go in benchmarks/README.md, section "Matching"):

    PYTHONPATH=. python -m benchmarks.match_bench [--sizes 1000 10000 100000] [--rounds 5]

For each size it builds the index of a synthetic catalogue (``benchmarks.offers``), then times
``match()`` for a set of varied profiles (free text with typos, slang and other languages,
topics only, children, location only, filters), each run ``--rounds`` times. The first run of
each profile is counted too (word look-ups are cached per index). Peak memory is measured with
tracemalloc: the index build, and one round of queries.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
import tracemalloc
from datetime import date

from benchmarks.offers import generate
from catalog.matching.matcher import CatalogIndex, alternatives, match
from catalog.matching.profile import Profile

TODAY = date(2026, 12, 1)
CENTRE = (45.7772, 3.0822)
PROFILES: tuple[Profile, ...] = (
    Profile(text="atelier informatik pour debutant, je sais pas utiliser un ordi"),
    Profile(text="cours de francais pour le travail", situations=frozenset({"newcomer"}),
            topics=frozenset({"french"}), near=CENTRE, age=34),
    Profile(text="atelier pour mon fils de 4 ans", situations=frozenset({"parent"}),
            near=(45.8035, 3.104)),
    Profile(text="trouver un taf rapidement, besoin daide pour mon cv"),
    Profile(topics=frozenset({"science"}), age=66, situations=frozenset({"retired"})),
    Profile(topics=frozenset({"digital"}), text="formation gratuite en ligne", free_only=True,
            online_only=True),
    Profile(text="Шукаю безкоштовні курси французької мови", lang="uk", free_only=True),
    Profile(text="Quiero aprender a tocar la guitarra", lang="es", age=29),
    Profile(text="je suis en fauteuil roulant et je voudrais faire du sport",
            situations=frozenset({"disability"})),
    Profile(text="reparer mon grille pain", near=(45.7952, 3.1118)),
    Profile(age=40, near=CENTRE),  # no interest at all: ranked by the bonuses only
    Profile(text="cours de japonais", lang="fr"),
    Profile(text="English storytime for my 5 year old daughter", lang="en"),
    Profile(text="xqzwv plorf"),  # nothing matches: alternatives() is timed too
)


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def bench(size: int, rounds: int) -> dict[str, float]:
    offers = generate(size)
    gc.collect()
    started = time.perf_counter()
    CatalogIndex(offers)
    build = time.perf_counter() - started
    gc.collect()
    tracemalloc.start()
    index = CatalogIndex(offers)
    index_size, index_peak = tracemalloc.get_traced_memory()
    tracemalloc.reset_peak()
    base, _ = tracemalloc.get_traced_memory()
    for profile in PROFILES:
        match(profile, index, today=TODAY)
    _, query_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    index = CatalogIndex(offers)  # a fresh index: cold word caches for the first round
    # As in a serving process after a rebuild: the index is old news for the garbage collector
    # (without this, a full collection of the just-built index lands in the first queries).
    gc.collect()
    timings: list[float] = []
    cpu: list[float] = []
    fallback: list[float] = []
    for _ in range(rounds):
        for profile in PROFILES:
            started, started_cpu = time.perf_counter(), time.process_time()
            found = match(profile, index, today=TODAY)
            timings.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
            if not found:
                started = time.perf_counter()
                alternatives(profile, index, today=TODAY)
                fallback.append(time.perf_counter() - started)
    return {
        "build_s": build,
        "p50_ms": 1000 * statistics.median(timings),
        "p95_ms": 1000 * _percentile(timings, 0.95),
        "max_ms": 1000 * max(timings),
        "cpu_p95_ms": 1000 * _percentile(cpu, 0.95),
        "alt_p95_ms": 1000 * _percentile(fallback, 0.95) if fallback else 0.0,
        "index_mb": index_size / 2**20,
        "build_peak_mb": index_peak / 2**20,
        "query_peak_mb": (query_peak - base) / 2**20,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000, 100000])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"{len(PROFILES)} profiles x {args.rounds} rounds per size")
    print("| offers | index build | match p50 | match p95 | p95 CPU | max | alternatives p95 "
          "| index memory (build peak) | query peak |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for size in args.sizes:
        r = bench(size, args.rounds)
        print(f"| {size:,} | {r['build_s']:.2f} s | {r['p50_ms']:.2f} ms | {r['p95_ms']:.2f} ms "
              f"| {r['cpu_p95_ms']:.2f} ms | {r['max_ms']:.2f} ms | {r['alt_p95_ms']:.2f} ms "
              f"| {r['index_mb']:.0f} MB ({r['build_peak_mb']:.0f} MB) "
              f"| {r['query_peak_mb']:.1f} MB |", flush=True)


if __name__ == "__main__":
    main()
