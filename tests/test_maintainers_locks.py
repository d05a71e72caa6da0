"""/export and /catalog while an import writes (issue 14, items 6 and 11), end to end through
the fake Bot API: they read without SQLite's write lock, and the export is written off the
event loop."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import pytest_asyncio
from conftest import DATA
from fakeapi import FakeBotApi
from telegram_helpers import bot_settings, running_bot

import bot.telegram.maintainers
from bot.chats.database import Database
from bot.settings import BotSettings
from catalog.formats.csvio import write_csv
from catalog.maintenance.importer import import_file
from catalog.offer import Offer
from catalog.store.db import create_engine, create_schema, session_maker

pytestmark = pytest.mark.asyncio
MAINTAINER = 2001
HOLDER = """
import sqlite3, sys
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
connection.execute("UPDATE offer SET title = title || ' (edited)'")
print("holding", flush=True)
sys.stdin.readline()
connection.execute("ROLLBACK")
"""


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "bot.db"


@pytest_asyncio.fixture
async def database(path: Path) -> AsyncIterator[Database]:
    """The bot's database on a SQLite file (the lock is SQLite's), with three offers."""
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await create_schema(engine)
    sessions = session_maker(engine)
    async with sessions() as session:
        valid = (DATA / "catalog" / "valid.csv").read_bytes()
        await import_file(session=session, data=valid, source="valid.csv", actor="test")
    database = Database(engine=engine, sessions=sessions)
    yield database
    await database.close()


@pytest.fixture
def settings(server: FakeBotApi, path: Path) -> BotSettings:
    return bot_settings(server, f"sqlite+aiosqlite:///{path}", maintainer_ids=[MAINTAINER])


@pytest.fixture
def writer(path: Path, database: Database) -> Iterator[None]:
    """Another process in the middle of a write transaction, until the test ends."""
    with subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    ) as process:
        assert process.stdout is not None and process.stdout.readline() == "holding\n"
        yield
        assert process.stdin is not None
        process.stdin.write("\n")
        process.stdin.flush()
        assert process.wait(timeout=60) == 0


async def test_export_and_check_answer_while_another_process_writes(
    server: FakeBotApi,
    database: Database,
    settings: BotSettings,
    writer: None,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    threads: list[bool] = []

    def recording_write_csv(offers: list[Offer]) -> str:
        threads.append(threading.current_thread() is threading.main_thread())
        return write_csv(offers)

    monkeypatch.setattr(bot.telegram.maintainers, "write_csv", recording_write_csv)
    user = server.user(MAINTAINER, "Maud", language_code="en")
    async with running_bot(settings, database):
        # Before: each waited for the writer's lock, then failed with "database is locked".
        # The bot's own background writers (statistics purge, alerts) wait for it 5 s each,
        # then give up, holding the bot's one connection meanwhile: hence the long timeouts.
        await user.send_text("/export")
        exported = await user.wait_for(lambda m: m.kind == "document", timeout=40)
        assert exported.text == "The catalogue: 3 offers."
        assert exported.file is not None and b"(edited)" not in exported.file.data
        await user.send_text("/catalog")
        checked = "Catalogue check: 3 active offers."
        await user.wait_for(lambda m: checked in (m.text or ""), timeout=40)
    assert threads == [False]  # the CSV was written in a worker thread
    assert server.violations == []


async def test_a_file_of_a_million_problems_gets_a_short_report(
    server: FakeBotApi, database: Database, settings: BotSettings
) -> None:
    """Issue 14, item 4: the first 200 problems and a count, not a report Telegram refuses."""
    user = server.user(MAINTAINER, "Maud", language_code="en")
    rows = b"id,title,provider,missions\n" + b"x\n" * 1_000_000
    async with running_bot(settings, database):
        await user.send_document("rows.csv", rows, "text/csv")
        summary = await user.wait_for(lambda m: "problems, nothing was imported" in (m.text or ""))
        report = await user.wait_for(lambda m: m.kind == "document")
    assert "rows.csv: 20001 problems" in (summary.text or "")
    assert "…and 19981 more problems." in (summary.text or "")
    assert "The attached file lists the first 200 problems." in (summary.text or "")
    assert report.file is not None
    lines = report.file.data.decode().splitlines()
    assert len(lines) == 201
    assert lines[-1] == "rows.csv: …and 19801 more problems"
    assert server.violations == []
