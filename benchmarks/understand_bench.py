"""Understanding benchmark: latency of one typed answer read, and the memory of the word tables.

Run from the repository root (results go in benchmarks/README.md, section "Typed answers"):

    PYTHONPATH=. python -m benchmarks.understand_bench [--rounds 5]

Memory: the resident set size (RSS, from /proc) before building the reader (Python, Babel,
rapidfuzz, PyStemmer and the project's catalogue package already imported, as in the bot) and
after building every language's tables. Latency: every item of the public set and of the extra
set, each read with cold word caches (the first time its words are seen), ``--rounds`` times;
wall time and the thread's CPU time (the machine is shared: wall time includes other processes).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import time
from pathlib import Path

import babel.messages.pofile  # noqa: F401  (loaded in the bot anyway: not the reader's cost)
import rapidfuzz  # noqa: F401

import catalog.i18n
import catalog.vocabulary  # noqa: F401

DATA = Path(__file__).resolve().parent.parent / "tests" / "data"
NEIGHBOURHOODS = ("Montferrand", "Saint-Jacques", "Jaude", "Centre-ville", "Croix-de-Neyrat",
                  "La Gauthière", "Saint-Jean")
SETS = (DATA / "eval" / "answers.jsonl", DATA / "understanding_extra.jsonl")


def rss_mb() -> float:
    """The process's resident set size in MB (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def percentile(values: list[float], share: float) -> float:
    """The ``share`` percentile of ``values``, in milliseconds."""
    ordered = sorted(values)
    return ordered[round(share * (len(ordered) - 1))] * 1000


def main() -> None:
    """Build the reader, then read every item ``--rounds`` times; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    gc.collect()
    before = rss_mb()
    start = time.perf_counter()
    from bot.understanding import Understander

    reader = Understander(neighbourhoods=NEIGHBOURHOODS)
    reader.warm()
    built = time.perf_counter() - start
    gc.collect()
    after = rss_mb()
    print(f"reader built for {len(reader.languages)} languages in {built:.2f} s; "
          f"RSS +{after - before:.1f} MB (from {before:.1f} MB)")
    items = [json.loads(line) for path in SETS for line in path.read_text("utf-8").splitlines()
             if line]
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(args.rounds):
        # Cold word caches each round: the worst case, words never seen before.
        reader = Understander(neighbourhoods=NEIGHBOURHOODS)
        reader.warm()
        for item in items:
            wall, cpu = time.perf_counter(), time.thread_time()
            reader.understand(item["question"], item["text"], item["lang"])
            cpus.append(time.thread_time() - cpu)
            walls.append(time.perf_counter() - wall)
    print(f"{len(walls)} readings: wall p50 {percentile(walls, 0.5):.3f} ms, "
          f"p95 {percentile(walls, 0.95):.3f} ms, p99 {percentile(walls, 0.99):.3f} ms, "
          f"max {percentile(walls, 1):.3f} ms; CPU p95 {percentile(cpus, 0.95):.3f} ms")
    print(f"RSS after the runs: +{rss_mb() - before:.1f} MB")


if __name__ == "__main__":
    main()
