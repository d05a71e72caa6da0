"""Shared fixtures: a throwaway database per test (SQLite file, or PostgreSQL in CI)."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from catalog.db import SessionMaker, create_engine, create_schema, session_maker

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
    import bot.models  # noqa: F401  (registers the conversation tables)

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
