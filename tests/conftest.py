"""Shared fixtures: a throwaway database per test (SQLite file, or PostgreSQL in CI)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from fakeapi import FakeBotApi
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from bot.chats.database import Database
from catalog.maintenance.sample import ensure_catalogue
from catalog.store.db import SessionMaker, create_engine, create_schema, session_maker

DATA = Path(__file__).parent / "data"


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """``TREMPLIN_TEST_DATABASE_URL`` when set (CI's PostgreSQL run), else a fresh SQLite file."""
    return os.environ.get("TREMPLIN_TEST_DATABASE_URL") or (
        f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
    )


@pytest_asyncio.fixture
async def engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    """An engine on an empty schema; every table is dropped afterwards."""
    import bot.chats.models  # noqa: F401  (registers the conversation tables)

    engine = create_engine(database_url)
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.drop_all)
    await create_schema(engine)
    yield engine
    async with engine.begin() as connection:
        await connection.run_sync(SQLModel.metadata.drop_all)
    await engine.dispose()


@pytest.fixture
def sessions(engine: AsyncEngine) -> SessionMaker:
    return session_maker(engine)


@pytest_asyncio.fixture
async def server(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeBotApi]:
    """The fake Bot API server; a test fails if the bot sent anything Telegram would refuse."""
    # PTB 22 warns when it builds RetryAfter with an int; the timedelta form is the future one.
    monkeypatch.setenv("PTB_TIMEDELTA", "1")
    async with FakeBotApi() as fake:
        yield fake
        assert fake.violations == []


@pytest_asyncio.fixture
async def empty_database(engine: AsyncEngine, sessions: SessionMaker) -> AsyncIterator[Database]:
    """The bot's database object on the throwaway schema, nothing loaded; closed afterwards
    (its SQLite step thread with it)."""
    database = Database(engine=engine, sessions=sessions)
    yield database
    await database.close()


@pytest_asyncio.fixture
async def database(empty_database: Database) -> Database:
    """The bot's database on the throwaway schema, with the sample catalogue loaded."""
    async with empty_database.sessions() as session:
        await ensure_catalogue(session=session)
    return empty_database
