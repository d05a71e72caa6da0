"""Import formats benchmark: 10,000 offers from CSV, Excel (.xlsx) and LHEO (.xml).

Run from the repository root (results go in benchmarks/README.md, section "Import formats"):

    PYTHONPATH=. python benchmarks/import_formats_bench.py [--rows 10000] [--runs 3]
        [--postgres-url URL]

The same catalogue (``benchmarks/offers.py``) is written in each format; each file is then read
and validated, and imported into a fresh database in process (plan, audit row and
before-images, apply, one commit). For CSV it also times the import that changes every stored
offer (10,000 before-images copied) and the rollback of that import. Times are the median of
``--runs``. PostgreSQL is measured when the URL answers (its tables are dropped first).
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import statistics
import sys
import time
from collections.abc import Callable, Coroutine
from typing import Any
from xml.sax.saxutils import escape

from sqlmodel import SQLModel

from benchmarks.import_bench import DEFAULT_POSTGRES, _reachable, offers
from catalog.formats.csvio import write_csv
from catalog.formats.xlsxio import write_xlsx
from catalog.maintenance.audit import rollback_last
from catalog.maintenance.importer import import_offers, read_offers
from catalog.offer import Offer
from catalog.store.db import create_engine, create_schema, session_maker

# A plausible NSF speciality per topic, so that LHEO reading infers as it would on real files.
_NSF = {
    "digital": "326",
    "languages": "136",
    "french": "136",
    "literacy": "412",
    "arts": "134",
    "music": "133",
    "science": "110",
    "health": "331",
    "sport": "411",
    "parenting": "423",
    "career": "415",
    "cooking": "221",
    "crafts": "242",
    "environment": "343",
    "history": "342",
}
_MODES = {"in_person": "0", "hybrid": "1", "online": "2"}


def _lheo_offer(offer: Offer) -> str:
    def text(value: str) -> str:
        return escape(value)

    nsf = "".join(f"<code-NSF>{_NSF[t]}</code-NSF>" for t in offer.topics if t in _NSF)
    place = (
        f"<lieu-de-formation><coordonnees><adresse><ligne>{text(offer.address or 'Salle')}"
        f"</ligne><codepostal>{offer.postcode or '63000'}</codepostal><ville>"
        f"{text(offer.city or 'Clermont-Ferrand')}</ville><geolocalisation><latitude>"
        f"{offer.latitude}</latitude><longitude>{offer.longitude}</longitude>"
        "</geolocalisation></adresse></coordonnees></lieu-de-formation>"
        if offer.location
        else ""
    )
    start = offer.start_date.strftime("%Y%m%d") if offer.start_date else "00000000"
    end = offer.end_date.strftime("%Y%m%d") if offer.end_date else "99999999"
    price = f"<prix-total-TTC>{offer.price_eur}</prix-total-TTC>" if offer.price_eur else ""
    url = f"<url-action><urlweb>{text(offer.url)}</urlweb></url-action>" if offer.url else ""
    return (
        f'<formation numero="{offer.id}"><domaine-formation>{nsf}</domaine-formation>'
        f"<intitule-formation>{text(offer.title)}</intitule-formation>"
        f"<objectif-formation>{text('<p>' + offer.description + '</p>')}</objectif-formation>"
        f"<contenu-formation>{text(offer.schedule or '-')}</contenu-formation>"
        f'<certifiante>0</certifiante><action numero="a1">'
        f"<modalites-enseignement>{_MODES[offer.format]}</modalites-enseignement>{place}{url}"
        f'<session numero="s1"><periode><debut>{start}</debut><fin>{end}</fin></periode>'
        f"</session>{price}</action><organisme-formation-responsable><nom-organisme>"
        f"{text(offer.provider)}</nom-organisme></organisme-formation-responsable></formation>\n"
    )


def write_lheo(catalogue: list[Offer]) -> bytes:
    """An LHEO 2.3 file of ``catalogue``: one formation, action and session per offer."""
    body = "".join(_lheo_offer(offer) for offer in catalogue)
    head = (
        '<?xml version="1.0" encoding="UTF-8"?>\n<lheo xmlns="http://lheo.gouv.fr/2.3"><offres>\n'
    )
    return (head + body + "</offres></lheo>\n").encode()


async def _reset(url: str) -> None:
    import bot.chats.models  # noqa: F401  (every table, so that drop_all empties the database)

    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.drop_all)
    await create_schema(engine)
    await engine.dispose()


async def _import(url: str, data: bytes, format: str, catalogue: list[Offer]) -> None:
    engine = create_engine(url)
    try:
        async with session_maker(engine)() as session:
            await import_offers(
                session=session,
                offers=catalogue,
                source=f"bench.{format}",
                checksum=hashlib.sha256(data).hexdigest(),
                format=format,
                actor="bench",
            )
    finally:
        await engine.dispose()


async def _rollback(url: str) -> None:
    engine = create_engine(url)
    try:
        async with session_maker(engine)() as session:
            await rollback_last(session=session, actor="bench")
    finally:
        await engine.dispose()


def _median(
    runs: int, step: Callable[[], object], before: Callable[[], object] | None = None
) -> float:
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        step()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _timed_async(make: Callable[[], Coroutine[Any, Any, None]]) -> Callable[[], None]:
    return lambda: asyncio.run(make())


def measure(name: str, url: str, files: dict[str, bytes], changed: bytes, runs: int) -> None:
    print(f"\n{name}")
    parsed = {format: read_offers(data, format) for format, data in files.items()}
    for format, data in files.items():
        read = _median(runs, lambda: read_offers(data, format))  # noqa: B023
        fresh = _median(
            runs,
            _timed_async(lambda: _import(url, data, format, parsed[format])),  # noqa: B023
            before=_timed_async(lambda: _reset(url)),
        )
        print(
            f"  {format:5} {len(data) / 2**20:5.1f} MB  read and validate {read:6.2f} s"
            f"   import into a fresh database {fresh:6.2f} s"
        )
    again = read_offers(changed, "csv")

    def fill() -> None:
        asyncio.run(_reset(url))
        asyncio.run(_import(url, files["csv"], "csv", parsed["csv"]))

    update = _median(runs, _timed_async(lambda: _import(url, changed, "csv", again)), fill)

    def updated() -> None:
        fill()
        asyncio.run(_import(url, changed, "csv", again))

    rollback = _median(runs, _timed_async(lambda: _rollback(url)), updated)
    print(f"  csv: import changing all {len(again)} stored offers (before-images) {update:6.2f} s")
    print(f"  csv: rollback of that import (restores {len(again)} offers)       {rollback:6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    parser.add_argument("--sqlite-file", default="/tmp/tremplin-formats-bench.db")
    args = parser.parse_args()
    catalogue = offers(args.rows, seed=2026)
    files = {
        "csv": write_csv(catalogue).encode(),
        "xlsx": write_xlsx(catalogue),
        "lheo": write_lheo(catalogue),
    }
    changed = write_csv(offers(args.rows, seed=7)).encode()  # same ids, other values
    print(f"{args.rows} offers; Python {sys.version.split()[0]}; median of {args.runs} runs")
    measure("SQLite", f"sqlite+aiosqlite:///{args.sqlite_file}", files, changed, args.runs)
    if _reachable(args.postgres_url):
        measure("PostgreSQL", args.postgres_url, files, changed, args.runs)


if __name__ == "__main__":
    main()
