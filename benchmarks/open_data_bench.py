"""Open data benchmark: 10,000 data·inclusion services against the same offers as CSV.

Run from the repository root (results go in benchmarks/README.md, section "Open data"):

    PYTHONPATH=. python benchmarks/open_data_bench.py [--rows 10000] [--runs 3]

The catalogue of ``benchmarks/offers.py`` is written as CSV and as data·inclusion services as an
aggregator would publish them: source ``dora``, thématiques, publics, frais, modes d'accueil,
address, coordinates, and no ``tremplin`` object (missions, topics, audiences and ages come from
the mapping table). Each file is read and validated, then imported into a fresh SQLite database
in process; the command line's whole import is the sum. Times are the median of ``--runs``;
the bar of issue 18 is data·inclusion within 2x CSV.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace

from benchmarks.import_bench import offers
from benchmarks.import_formats_bench import _import, _median, _reset, _timed_async
from catalog.formats.csvio import write_csv
from catalog.formats.data_inclusion import EXTENSION, read_data_inclusion_report
from catalog.formats.data_inclusion_export import write_data_inclusion
from catalog.maintenance.importer import read_offers
from catalog.offer import Offer


def data_inclusion_file(catalogue: list[Offer]) -> bytes:
    """The offers as one source's data·inclusion services, without Tremplin's extension."""
    renamed = (replace(offer, id=f"di-dora--{offer.id}") for offer in catalogue)
    services = json.loads(write_data_inclusion(renamed))
    for service in services:
        service.pop(EXTENSION, None)
    return json.dumps(services, ensure_ascii=False).encode()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sqlite-file", default="/tmp/tremplin-open-data-bench.db")
    args = parser.parse_args()
    url = f"sqlite+aiosqlite:///{args.sqlite_file}"
    catalogue = offers(args.rows, seed=2026)
    files = {"csv": write_csv(catalogue).encode(), "data-inclusion": data_inclusion_file(catalogue)}

    def read(format: str, data: bytes) -> list[Offer]:
        if format == "csv":
            return read_offers(data, format)
        return read_data_inclusion_report(data).offers

    print(f"{args.rows} offers; Python {sys.version.split()[0]}; median of {args.runs} runs")
    totals: dict[str, float] = {}
    for format, data in files.items():
        parsed = read(format, data)
        reading = _median(args.runs, lambda: read(format, data))  # noqa: B023
        fresh = _median(
            args.runs,
            _timed_async(lambda: _import(url, data, format, parsed)),  # noqa: B023
            before=_timed_async(lambda: _reset(url)),
        )
        totals[format] = reading + fresh
        print(
            f"  {format:14} {len(data) / 2**20:5.1f} MB  {len(parsed):6} offers"
            f"  read and validate {reading:6.2f} s  import into a fresh database {fresh:6.2f} s"
            f"  whole {reading + fresh:6.2f} s"
        )
    ratio = totals["data-inclusion"] / totals["csv"]
    print(f"  data-inclusion / csv: {ratio:.2f}x (bar: 2x)")


if __name__ == "__main__":
    main()
