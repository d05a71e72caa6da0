"""Import benchmark: ``tremplin catalog import`` of a 10,000-offer CSV into a fresh database.

Run from the repository root (results go in benchmarks/README.md, section "Import"):

    PYTHONPATH=. python benchmarks/import_bench.py [--rows 10000] [--postgres-url URL]

It times the whole command in a subprocess (interpreter start included), then the same import in
process phase by phase, then a second import of the same file (nothing changes) and an export.
PostgreSQL is measured when the URL answers (its tables are dropped first).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from sqlalchemy import text

from catalog.formats.csvio import read_csv, write_csv
from catalog.maintenance.importer import apply_plan, plan_import
from catalog.offer import LocalText, Offer
from catalog.store import migrations
from catalog.store.db import create_engine, session_maker
from catalog.vocabulary import AUDIENCES, MISSIONS, TOPICS

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgresql+asyncpg://postgres@127.0.0.1:5432/tremplin_bench"
_WORDS = [
    "atelier",
    "cours",
    "initiation",
    "numérique",
    "français",
    "lecture",
    "écriture",
    "musique",
    "théâtre",
    "jardin",
    "cuisine",
    "emploi",
    "CV",
    "entretien",
    "parents",
    "enfants",
    "sciences",
    "histoire",
    "sport",
    "santé",
    "couture",
    "informatique",
    "smartphone",
    "bibliothèque",
    "conversation",
    "anglais",
    "arabe",
    "ukrainien",
]


def offers(count: int, seed: int) -> list[Offer]:
    """The matcher benchmark's realistic catalogue when present, else a simpler one."""
    try:
        from benchmarks.offers import generate
    except ImportError:
        return _generate(count, seed)
    return generate(count, seed)


def _generate(count: int, seed: int) -> list[Offer]:
    """``count`` plausible offers around Clermont-Ferrand, the same for the same seed."""
    rng = random.Random(seed)
    generated = []
    for index in range(count):
        words = rng.sample(_WORDS, 6)
        age_min = rng.choice([None, 0, 6, 16, 18, 60])
        generated.append(
            Offer(
                id=f"bench-{index:05d}",
                title=f"{words[0].capitalize()} {words[1]} et {words[2]}",
                description=" ".join(rng.choices(_WORDS, k=40)).capitalize() + ".",
                translations={"en": LocalText(f"Workshop {index}", "A workshop, in English.")},
                provider=f"Association {rng.randrange(300)}",
                missions=tuple(rng.sample(list(MISSIONS), rng.randint(1, 3))),
                topics=tuple(rng.sample(list(TOPICS), rng.randint(0, 3))),
                keywords=tuple(rng.sample(_WORDS, 5)),
                audiences=tuple(rng.sample(list(AUDIENCES), rng.choice([0, 0, 1, 2]))),
                age_min=age_min,
                age_max=None if age_min is None else age_min + rng.choice([10, 50, 60]),
                price_eur=rng.choice([None, Decimal("0.00"), Decimal("12.50"), Decimal("150")]),
                format=rng.choice(["in_person", "online", "hybrid"]),
                address=f"{rng.randrange(1, 200)} rue du Port",
                postcode="63000",
                city="Clermont-Ferrand",
                latitude=round(45.7772 + rng.uniform(-0.05, 0.05), 5),
                longitude=round(3.0870 + rng.uniform(-0.05, 0.05), 5),
                schedule="mercredis 14h-16h",
                start_date=date(2026, 9, 1) + timedelta(days=rng.randrange(60)),
                end_date=date(2027, 6, 30),
                url=f"https://example.org/offres/{index}",
                phone="+33 4 73 00 00 00",
                wheelchair_accessible=rng.choice([None, True, False]),
            )
        )
    return generated


def _command(url: str, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "bot.cli.main", "--database-url", url, "catalog", *args],
        check=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


async def _reset(url: str) -> None:
    """An empty database at the newest revision, as ``tremplin db upgrade`` leaves it.

    The tables come from the migrations, not ``create_all``: the commands measured upgrade the
    database first, and tables created outside the migrations (unstamped) made them fail with
    "table stats_daily already exists".
    """
    engine = create_engine(url)
    async with engine.begin() as connection:
        await connection.run_sync(migrations.model_metadata().drop_all)
        await connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
    await migrations.upgrade(engine)
    await engine.dispose()


async def _phases(url: str, data: bytes) -> dict[str, float]:
    """The in-process import, timed by phase, into a fresh schema."""
    await _reset(url)
    engine = create_engine(url)
    times: dict[str, float] = {}
    started = time.perf_counter()
    catalogue = read_csv(data)
    times["parse and validate"] = time.perf_counter() - started
    async with session_maker(engine)() as session:
        started = time.perf_counter()
        plan = await plan_import(session=session, offers=catalogue)
        times["plan (empty database)"] = time.perf_counter() - started
        started = time.perf_counter()
        await apply_plan(session=session, plan=plan)
        await session.commit()
        times["apply (insert, commit)"] = time.perf_counter() - started
    async with session_maker(engine)() as session:
        started = time.perf_counter()
        await plan_import(session=session, offers=catalogue)
        times["plan (10k stored, all unchanged)"] = time.perf_counter() - started
    await engine.dispose()
    return times


def _measure(name: str, url: str, path: Path, changed: Path, export: Path) -> None:
    asyncio.run(_reset(url))
    commands = {
        "import (fresh database)": _command(url, "import", str(path)),
        "import (same file again)": _command(url, "import", str(path)),
        "import (every offer changed)": _command(url, "import", str(changed)),
        "import --dry-run --replace": _command(url, "import", "--dry-run", "--replace", str(path)),
        "export": _command(url, "export", str(export)),
    }
    phases = asyncio.run(_phases(url, path.read_bytes()))
    print(f"\n{name}")
    for command, seconds in commands.items():
        print(f"  tremplin catalog {command:<38} {seconds:6.2f} s")
    for phase, seconds in phases.items():
        print(f"  in process: {phase:<44} {seconds:6.2f} s")


def _reachable(url: str) -> bool:
    async def probe() -> None:
        engine = create_engine(url)
        try:
            async with engine.connect():
                pass
        finally:
            await engine.dispose()

    try:
        asyncio.run(probe())
    except Exception as error:  # any reason: the benchmark just skips PostgreSQL
        print(f"PostgreSQL not measured ({url}): {error}")
        return False
    return True


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--postgres-url", default=DEFAULT_POSTGRES)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.csv"
        path.write_text(write_csv(offers(args.rows, seed=2026)), encoding="utf-8", newline="")
        changed = Path(folder) / "changed.csv"  # same ids, other values
        changed.write_text(write_csv(offers(args.rows, seed=7)), encoding="utf-8", newline="")
        size = path.stat().st_size / 2**20
        print(f"{args.rows} offers, {size:.1f} MB of CSV; Python {sys.version.split()[0]}")
        sqlite = f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}"
        _measure("SQLite", sqlite, path, changed, Path(folder) / "export.csv")
        if _reachable(args.postgres_url):
            _measure("PostgreSQL", args.postgres_url, path, changed, Path(folder) / "export.csv")


if __name__ == "__main__":
    main()
