"""SQLite's write lock (issue 14, item 11): reads do not take it, writers wait for it.

Another process holds the write lock (as an import of 20,000 offers does for seconds) until the
test tells it to commit; the reads and writes under test run meanwhile, on the same file.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import DATA

from bot.cli.main import main
from catalog.store.db import create_engine, read_only, session_maker
from catalog.store.offers import load_offers

ROOT = Path(__file__).resolve().parent.parent
HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
connection.execute("UPDATE offer SET title = title || ' (edited)'")
print("holding", flush=True)
sys.stdin.readline()
connection.execute("COMMIT")
"""


@pytest.fixture
def database(tmp_path: Path) -> str:
    """A SQLite file with the valid catalogue's three offers."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'locks.db'}"
    assert (
        main(["--database-url", url, "catalog", "import", str(DATA / "catalog" / "valid.csv")]) == 0
    )
    return url


@pytest.fixture
def writer(database: str) -> Iterator[subprocess.Popen[str]]:
    """Another process, in the middle of a write transaction on the database."""
    path = database.removeprefix("sqlite+aiosqlite:///")
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, path],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None and process.stdout.readline() == "holding\n"
        yield process
        if process.poll() is None:
            release(process)


def release(process: subprocess.Popen[str]) -> None:
    """The other process commits, and ends."""
    assert process.stdin is not None
    process.stdin.write("\n")
    process.stdin.flush()
    assert process.wait(timeout=60) == 0


async def _titles(url: str) -> list[str]:
    engine = create_engine(url)
    try:
        async with session_maker(engine)() as session:
            await read_only(session)
            return [offer.title for offer in await load_offers(session=session)]
    finally:
        await engine.dispose()


def test_a_read_does_not_wait_for_the_write_lock(
    database: str, writer: subprocess.Popen[str]
) -> None:
    # Before: BEGIN IMMEDIATE waited for the writer, then failed with "database is locked".
    titles = asyncio.run(_titles(database))
    assert len(titles) == 3
    assert not any(title.endswith("(edited)") for title in titles)  # the last commit's
    release(writer)
    assert all(title.endswith("(edited)") for title in asyncio.run(_titles(database)))


def test_a_second_import_waits_for_the_first_and_says_so(
    database: str, writer: subprocess.Popen[str], tmp_path: Path
) -> None:
    catalogue = tmp_path / "one.csv"
    catalogue.write_text("id,title,provider,missions\nnew-1,Atelier,Centre,digital\n")
    command = [sys.executable, "-m", "bot.cli.main", "--database-url", database]
    with subprocess.Popen(
        [*command, "catalog", "import", str(catalogue)],
        stderr=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    ) as importing:
        assert importing.stderr is not None
        # Before: "database is locked" after 5 s, exit 1. Now it says it waits, and waits.
        first = importing.stderr.readline()
        assert "the database is busy: another process is writing to it" in first
        assert importing.poll() is None
        release(writer)
        out, err = importing.communicate(timeout=120)
    assert importing.returncode == 0, err
    assert "1 added" in out
